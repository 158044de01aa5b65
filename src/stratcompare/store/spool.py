"""A spool: the pages and passages of one long document, written part by part to a temporary
SQLite file, then copied into the corpus in the document's one transaction.

Why: a 50 MB text held every stored copy (raw and clean page text, passages) in memory at once
until the write.  Spooled, ingestion holds one part at a time; the corpus's write lock is held
only for the copy (``INSERT … SELECT``, row by row), not while the text is cut; and a crash
before the commit still leaves the old version whole.  The file lives in the temporary folder
(``TMPDIR``), takes about five times the input's size on disk (raw and clean page text, each
passage before and after repair: a 40 MB text made a 199 MB spool), and is deleted once stored
(a ``kill -9`` or a Ctrl-C before the write can leave one behind there; the next ingest removes
such leftovers: :func:`remove_stale`).  It crosses from an ingest worker to the parent by its
path, and its name carries the process id of the ingest that will copy it (the parent, for a
worker), so a leftover is known by its owner being gone.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Sequence

PREFIX = "stratcompare-spool-"
_OWNED = re.compile(re.escape(PREFIX) + r"(\d+)-.*\.db$")


def _owner_pid() -> int:
    """The ingest that will copy a spool made here: the parent of a ``--jobs`` worker, else us."""
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None and parent.pid else os.getpid()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # someone else's live process
        return True
    return True


def remove_stale(folder: str | Path | None = None, *, min_age: float = 60.0) -> list[Path]:
    """Delete spools left by an ingest that no longer runs (killed before its write).

    A spool is stale when the process id in its name is gone and the file is older than
    ``min_age`` seconds; spools of running ingests (this user's or another's) are never touched.
    Returns what was removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    now = time.time()
    for path in folder.glob(PREFIX + "*.db"):
        m = _OWNED.match(path.name)
        if not m or _alive(int(m.group(1))):
            continue
        try:
            if now - path.stat().st_mtime < min_age:
                continue
            path.unlink()
            removed.append(path)
        except OSError:   # gone meanwhile, or not ours to delete
            continue
    return removed

_TABLES = """
CREATE TABLE pages (number INTEGER PRIMARY KEY, method TEXT NOT NULL, status TEXT NOT NULL,
                    raw_text TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE passages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, page INTEGER, section TEXT,
                       char_start INTEGER, char_end INTEGER, raw_text TEXT NOT NULL,
                       text TEXT NOT NULL, words INTEGER NOT NULL, kind TEXT NOT NULL,
                       cells TEXT);
"""


class Spool:
    """Append pages and passages (``PageRecord``/``PassageRecord``); ``close()`` when done,
    ``discard()`` to delete the file.  ``pages`` and ``passages`` count what was added."""

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{_owner_pid()}-", suffix=".db")
        os.close(fd)
        self.path = Path(name)
        self.pages = 0
        self.passages = 0
        self._conn: sqlite3.Connection | None = sqlite3.connect(name, isolation_level=None)
        # a scratch file: no journal, no syncs (a crash loses it, and it is not needed then)
        self._conn.execute("PRAGMA journal_mode = OFF")
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.executescript(_TABLES)

    def add(self, pages: Sequence, passages: Sequence) -> None:
        assert self._conn is not None, "spool already closed"
        conn = self._conn
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO pages VALUES (?,?,?,?,?)",
                         [(p.number, p.method, p.status, p.raw_text, p.text) for p in pages])
        conn.executemany(
            "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(p.seq, p.id, p.page, p.section, p.char_start, p.char_end, p.raw_text, p.text,
              p.words, p.kind, None if p.cells is None else json.dumps(p.cells, ensure_ascii=False))
             for p in passages])
        conn.execute("COMMIT")
        self.pages += len(pages)
        self.passages += len(passages)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

    def __getstate__(self) -> dict:
        # handed from a worker process to the parent: the file travels by name
        self.close()
        return {"path": self.path, "pages": self.pages, "passages": self.passages}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._conn = None


def copy_spool(conn: sqlite3.Connection, schema: str, document_id: str) -> None:
    """Copy an attached spool (``ATTACH … AS schema``) into the corpus tables, in the caller's
    transaction; SQLite moves one row at a time."""
    conn.execute(
        "INSERT INTO pages (document_id, number, method, status, raw_text, text) "
        f"SELECT ?, number, method, status, raw_text, text FROM {schema}.pages ORDER BY number",
        (document_id,))
    conn.execute(
        "INSERT INTO passages (id, document_id, seq, page, section, char_start, char_end, "
        "raw_text, text, words, kind, cells) "
        f"SELECT id, ?, seq, page, section, char_start, char_end, raw_text, text, words, kind, "
        f"cells FROM {schema}.passages ORDER BY seq",
        (document_id,))
