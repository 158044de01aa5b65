"""The SQLite corpus: opening, migrating, and the document-level write that is all-or-nothing.

SQLite is the interchange format: users open the file with sqlite3, datasette or pandas.  WAL
mode plus a busy timeout lets two ingest processes share one database; every document is
written in one ``BEGIN IMMEDIATE`` transaction, so a crash or Ctrl-C never leaves half of one.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from stratcompare.config import db_path
from stratcompare.errors import NotFoundError, StoreError
from stratcompare.store.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 60_000


@dataclass
class DocumentRecord:
    id: str
    path: str
    source_key: str
    kind: str
    municipality: str | None = None
    municipality_confidence: float | None = None
    municipality_source: str | None = None
    title: str | None = None
    year_start: int | None = None
    year_end: int | None = None
    adopted: str | None = None
    pages: int = 0
    pages_missing_text: int = 0
    words: int = 0
    ocr_damage: float | None = None
    words_repaired: int = 0
    status: str = "ok"
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    size_bytes: int | None = None
    genre: str | None = None                 # strategy | minutes | news | other
    genre_confidence: float | None = None
    genre_source: str | None = None          # detected | override
    pipeline: int = 0                        # stratcompare.segment.SEGMENTER_VERSION used
    dated: str | None = None                 # ISO date of a meeting, news item or note


@dataclass
class PageRecord:
    number: int
    method: str
    status: str
    raw_text: str
    text: str


@dataclass
class PassageRecord:
    id: str
    seq: int
    page: int | None
    section: str | None
    char_start: int | None
    char_end: int | None
    raw_text: str
    text: str
    words: int
    kind: str = "content"
    cells: list | None = None                # table passages: rows of cells


class Store:
    """A handle on one corpus database."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None = None, *, create: bool = True) -> "Store":
        path = db_path(path)
        if not create and not path.exists():
            raise NotFoundError(
                "no corpus database here", path,
                hint="ingest documents first: stratcompare ingest corpus/ --db " + shlex.quote(str(path)),
            )
        if path.is_dir():
            raise StoreError("cannot open the database: this is a folder", path,
                             hint=f"give a file name, e.g. --db {path / 'stratcompare.db'}")
        if path.parent and not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot make the database's folder: {exc.strerror or exc}", path,
                                 hint="give a --db in a folder you may write to") from None
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(conn, path)
            _retry_locked(store.migrate)
        except sqlite3.DatabaseError as exc:
            if "unable to open" in str(exc) and not path.exists():  # never the file's fault
                raise StoreError(f"cannot create the database: {exc}", path,
                                 hint="check the folder exists and that you may write there") from None
            low = str(exc).lower()
            if ("unable to open" in low or "readonly" in low) and _read_only_place(path):
                raise StoreError(  # WAL keeps its -wal/-shm files beside the database, even to read
                    "cannot open the database: it or its folder is read-only", path,
                    hint="copy it to a folder you may write to and use --db there") from None
            raise StoreError(f"cannot open the database: {exc}", path,
                             hint="is it an SQLite file written by stratcompare?") from None
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def migrate(self) -> None:
        """Apply every migration newer than the database's ``user_version``, each atomically."""
        current = self.conn.execute("PRAGMA user_version").fetchone()[0]
        latest = max(v for v, _ in MIGRATIONS)
        if current > latest:
            raise StoreError(
                f"database schema version {current} is newer than this stratcompare ({latest})",
                self.path, hint="upgrade stratcompare",
            )
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
            with self.transaction():
                # re-check under the write lock: another process may have migrated meanwhile
                if self.conn.execute("PRAGMA user_version").fetchone()[0] >= version:
                    continue
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version}")
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(version),),
                )

    def transaction(self):
        return _Transaction(self.conn)

    # -- writing -------------------------------------------------------------------------
    def replace_source(
        self,
        path: str,
        bundles: Sequence[tuple[DocumentRecord, Sequence[PageRecord], Sequence[PassageRecord]]],
        *,
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        """Store every document made from one file, replacing whatever that file (or the same
        content) produced before — all in one transaction, so a crash leaves the old version.

        A bundle's ``pages`` may be a ``store.spool.Spool`` (a long document written part by
        part; its ``passages`` are then ignored): its rows are copied from the spool file."""
        from stratcompare.store.spool import Spool, copy_spool

        attached: dict[int, str] = {}
        try:
            for _, pages, _ in bundles:  # (ATTACH is refused inside a transaction)
                if isinstance(pages, Spool):
                    name = f"spool{len(attached)}"
                    self.conn.execute(f"ATTACH DATABASE ? AS {name}", (str(pages.path),))
                    attached[id(pages)] = name
            with self.transaction():
                ids = [doc.id for doc, _, _ in bundles]
                self._delete_where(
                    "path = ? OR id IN (%s)" % ",".join("?" * len(ids)), (path, *ids)
                )
                for doc, pages, passages in bundles:
                    if isinstance(pages, Spool):
                        self._insert(doc, (), ())
                        copy_spool(self.conn, attached[id(pages)], doc.id)
                    else:
                        self._insert(doc, pages, passages)
                if before_commit is not None:
                    before_commit()
        finally:
            for name in attached.values():
                self.conn.execute(f"DETACH DATABASE {name}")

    def replace_document(self, doc: DocumentRecord, pages, passages) -> None:
        self.replace_source(doc.path, [(doc, pages, passages)])

    def _insert(self, doc: DocumentRecord, pages, passages) -> None:
        self.conn.execute(
            """INSERT INTO documents (id, path, source_key, kind, municipality,
               municipality_confidence, municipality_source, title, year_start, year_end,
               adopted, pages, pages_missing_text, words, ocr_damage, words_repaired, status,
               error, warnings, size_bytes, ingested_at, genre, genre_confidence,
               genre_source, pipeline, dated)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                doc.id, doc.path, doc.source_key, doc.kind, doc.municipality,
                doc.municipality_confidence, doc.municipality_source, doc.title,
                doc.year_start, doc.year_end, doc.adopted, doc.pages, doc.pages_missing_text,
                doc.words, doc.ocr_damage, doc.words_repaired, doc.status, doc.error,
                json.dumps(doc.warnings, ensure_ascii=False), doc.size_bytes, _now(),
                doc.genre, doc.genre_confidence, doc.genre_source, doc.pipeline, doc.dated,
            ),
        )
        self.conn.executemany(
            "INSERT INTO pages (document_id, number, method, status, raw_text, text) "
            "VALUES (?,?,?,?,?,?)",
            [(doc.id, p.number, p.method, p.status, p.raw_text, p.text) for p in pages],
        )
        self.conn.executemany(
            "INSERT INTO passages (id, document_id, seq, page, section, char_start, char_end, "
            "raw_text, text, words, kind, cells) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (p.id, doc.id, p.seq, p.page, p.section, p.char_start, p.char_end,
                 p.raw_text, p.text, p.words, p.kind,
                 None if p.cells is None else json.dumps(p.cells, ensure_ascii=False))
                for p in passages
            ],
        )

    def stored_version(self, path: str) -> list[sqlite3.Row]:
        """The documents currently stored for a file path (several for a grouped JSONL)."""
        return self.conn.execute(
            "SELECT id, status, pipeline FROM documents WHERE path = ?", (path,)
        ).fetchall()

    def document_by_id(self, doc_id: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT id, path, status FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()

    def record_failure(self, path: str, kind: str, error: str) -> None:
        """Remember a failed file without touching any good version already stored for it."""
        with self.transaction():
            rows = self.stored_version(path)
            if any(r["status"] != "failed" for r in rows):
                return  # keep the good version; the failure is reported, not stored over it
            self._delete_where("path = ?", (path,))
            self.conn.execute(
                "INSERT INTO documents (id, path, source_key, kind, status, error, warnings, "
                "ingested_at) VALUES (?,?,?,?,?,?,?,?)",
                ("failed:" + path, path, path, kind, "failed", error, "[]", _now()),
            )

    def _delete_where(self, where: str, params: tuple) -> None:
        self.conn.execute(f"DELETE FROM documents WHERE {where}", params)

    def delete_document(self, doc_id: str) -> bool:
        with self.transaction():
            cur = self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return cur.rowcount > 0

    # -- reading -------------------------------------------------------------------------
    def documents(self) -> list[dict]:
        rows = self.conn.execute(
            """SELECT d.*, (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS passages
               FROM documents d ORDER BY d.municipality IS NULL, d.municipality, d.path"""
        ).fetchall()
        return [_document_dict(r) for r in rows]

    def document(self, doc_id: str) -> dict | None:
        row = self.conn.execute(
            """SELECT d.*, (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS passages
               FROM documents d WHERE d.id = ? OR d.id LIKE ? || '%' ESCAPE '\\' ORDER BY d.id
               LIMIT 2""",
            (doc_id, like_prefix(doc_id)),
        ).fetchall()
        if len(row) == 1 or (row and row[0]["id"] == doc_id):
            return _document_dict(row[0])
        return None

    def passages(
        self, document_id: str | None = None, municipality: str | None = None,
        kinds: Sequence[str] | None = None, genre: str | None = None,
    ) -> Iterator[dict]:
        """Passages in reading order; ``kinds`` (e.g. ``SUBSTANTIVE_KINDS``) and ``genre``
        filter them, None means all."""
        sql = ["""SELECT p.id, p.document_id, d.path AS document_path, d.title AS document_title,
                  d.municipality, d.genre, p.seq, p.page, p.section, p.kind, p.char_start,
                  p.char_end, p.text, p.raw_text, p.words, p.cells
                  FROM passages p JOIN documents d ON d.id = p.document_id WHERE 1=1"""]
        params: list = []
        if kinds is not None:
            sql.append("AND p.kind IN (%s)" % ",".join("?" * len(kinds)))
            params += list(kinds)
        if genre:
            sql.append("AND d.genre = ?")
            params.append(genre)
        if document_id:
            sql.append("AND (p.document_id = ? OR p.document_id LIKE ? || '%' ESCAPE '\\')")
            params += [document_id, like_prefix(document_id)]
        if municipality:
            sql.append("AND d.municipality = ? COLLATE NOCASE")
            params.append(municipality)
        sql.append("ORDER BY d.municipality, d.path, p.seq")
        for row in self.conn.execute(" ".join(sql), params):
            yield dict(row)

    def passage(self, passage_id: str) -> dict | None:
        row = self.conn.execute(
            """SELECT p.*, d.path AS document_path, d.title AS document_title, d.municipality
               FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ?""",
            (passage_id,),
        ).fetchone()
        return dict(row) if row else None

    def pages(self, doc_id: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT number, method, status, raw_text, text FROM pages WHERE document_id = ? "
            "ORDER BY number", (doc_id,))]

    def integrity_check(self) -> list[str]:
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [
            f"foreign key violation in {r[0]}" for r in self.conn.execute("PRAGMA foreign_key_check")
        ]
        return problems


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``/``ROLLBACK``: take the write lock up front so two
    writers queue on the busy timeout instead of failing mid-document."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise  # _retry_locked waits for the other writer
            raise describe_db_error(exc, "cannot write to the database") from None
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return False
            except sqlite3.DatabaseError as commit_exc:
                exc = commit_exc
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError) and not _is_locked(exc):
            # "attempt to write a readonly database", "database or disk is full", …: one line
            raise describe_db_error(exc, "cannot write to the database") from None
        return False


def _read_only_place(path: Path) -> bool:
    """The database file or its folder cannot be written (permissions or a read-only mount)."""
    import os

    folder = path.parent if str(path.parent) else Path(".")
    return not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)


def describe_db_error(exc: sqlite3.DatabaseError, what: str, path: str | Path | None = None) -> StoreError:
    """One-line StoreError (exit 17) for an SQLite failure, with what to do about it."""
    msg = str(exc)
    low = msg.lower()
    if "readonly" in low or "read-only" in low:
        return StoreError(f"{what}: the database is read-only", path,
                          hint="check the file's permissions, or copy it somewhere writable")
    if "disk is full" in low or "disk i/o" in low:
        return StoreError(f"{what}: {msg}", path, hint="free disk space and run the command again")
    if "locked" in low or "busy" in low:
        return StoreError(f"{what}: {msg}", path,
                          hint="another process holds the write lock too long; try again when it is done")
    if "malformed" in low or "not a database" in low:
        return StoreError(f"{what}: the database file is damaged ({msg})", path,
                          hint="restore it from a copy, or ingest again into a new --db file")
    return StoreError(f"{what}: {msg}", path)


def _is_locked(exc: Exception) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def like_prefix(text: str) -> str:
    """``text`` with LIKE wildcards escaped (use with ``ESCAPE '\\'``): an id prefix is literal."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _retry_locked(step, timeout: float = BUSY_TIMEOUT_MS / 1000):
    """Run ``step``, retrying while another process holds the lock.  Switching a new file to
    WAL needs an exclusive lock and SQLite does not wait for it (no busy handler there), so two
    processes creating one database at once would otherwise fail."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements; ``sqlite3.complete_statement`` keeps triggers whole."""
    statements, buf = [], ""
    for piece in sql.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if not _only_comments(buf.rstrip(";")):
                statements.append(buf.strip())
            buf = ""
    return statements


def _only_comments(s: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in s.splitlines())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _document_dict(row: sqlite3.Row) -> dict:
    d = dict(row)
    try:
        d["warnings"] = json.loads(d.get("warnings") or "[]")
    except ValueError:
        d["warnings"] = []
    ys, ye = d.get("year_start"), d.get("year_end")
    d["year"] = None if ys is None else (str(ys) if ye in (None, ys) else f"{ys}-{ye}")
    return d
