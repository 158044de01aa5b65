"""Read-only look-ups the pages need beyond the public API (search, similar, matrices, cells).

Everything here reads; the web process never writes.  Columns added by later migrations
(``passages.kind``, ``documents.genre``) are used only when the database has them.
"""

from __future__ import annotations

import difflib
import inspect
import json
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np

from stratcompare.compare.names import main_municipality
from stratcompare.errors import NotFoundError, StoreError, UsageError

# A search whose best hit has neither a word match nor a cosine at least this high is reported
# as "no strong matches".  Used only when the search API gives no calibrated strength of its own
# (``Hit.strength`` / ``Hit.weak``).  The one place this threshold lives.
WEAK_COSINE = {"e5": 0.82, "hashing": 0.35}
WEAK_COSINE_DEFAULT = 0.5

from stratcompare.metadata.genre import GENRES  # noqa: E402  (re-exported for the pages)
from stratcompare.segment import KINDS  # noqa: E402


# --- opening ------------------------------------------------------------------------------
def open_readonly(path: str | Path) -> sqlite3.Connection:
    """An SQLite connection that cannot write (URI ``mode=ro``); the file must exist."""
    p = Path(path)
    if not p.is_file():
        raise NotFoundError("no corpus database here", str(p),
                            hint="ingest documents first: stratcompare ingest corpus/ --db " + str(p))
    uri = "file:" + quote(str(p.resolve())) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=60, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("SELECT count(*) FROM documents").fetchone()
    except sqlite3.DatabaseError as exc:
        error = ReadOnlyPlaceError if _readonly_place(exc) else StoreError
        raise error(f"cannot open the database read-only: {exc}", str(p),
                    hint="is it an SQLite file written by stratcompare?") from None
    return conn


class ReadOnlyPlaceError(StoreError):
    """``mode=ro`` failed because SQLite may not make its ``-shm``/``-wal`` files there."""


def _readonly_place(exc: sqlite3.DatabaseError) -> bool:
    msg = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and (
        "unable to open database file" in msg or "readonly database" in msg)


def _may_write(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _read_only_mount(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def servable_copy(path: str | Path) -> tuple[Path, str | None]:
    """(the file to serve, a note for the operator).  Normally ``path`` itself, read in place.

    A private copy instead, removed when the server stops, for a WAL database
    - in a place nobody may write to (a shared read-only mount, a folder without write
      permission): SQLite cannot read it there, as it must make a ``-shm`` file beside it (and
      the search's second connection opens the file by name);
    - that this user may not write (someone else's database in a shared folder): reading it in
      place would leave ``-wal``/``-shm`` files this user owns, and its owner's next write would
      fail on them ("attempt to write a readonly database").
    The copy holds everything committed: a consistent snapshot through SQLite when a writer may be
    at work (its ``-wal`` and ``-shm`` are there), else the file with its ``-wal``."""
    import atexit
    import shutil
    import tempfile

    p = Path(path)
    if not p.is_file():
        open_readonly(p)   # raises NotFoundError with what to do
    if _may_write(p):
        try:
            open_readonly(p).close()
            return p, None
        except ReadOnlyPlaceError:
            reason = "is in a read-only place"
    elif _read_only_mount(p):
        reason = "is in a read-only place"
    else:
        reason = "is not writable by this user"
    wal, shm = Path(str(p) + "-wal"), Path(str(p) + "-shm")
    parts = [q for q in (p, wal) if q.is_file() and q.stat().st_size > 0]
    size = sum(q.stat().st_size for q in parts)
    tmp = Path(tempfile.mkdtemp(prefix="stratcompare-serve-"))
    atexit.register(shutil.rmtree, tmp, True)
    if shutil.disk_usage(tmp).free < size + (64 << 20):
        shutil.rmtree(tmp, True)
        raise StoreError(f"the database {reason} and {tmp.parent} has no room for a "
                         f"{size >> 20} MB working copy", str(p),
                         hint="copy the database (with its -wal file, if any) to a folder you may "
                              "write to and serve that copy, or set TMPDIR to a folder with room")
    copy = tmp / p.name
    try:
        if wal.is_file() and shm.is_file() and _snapshot(p, copy):
            pass
        else:
            for q in parts:
                shutil.copyfile(q, tmp / q.name)
    except OSError as exc:
        shutil.rmtree(tmp, True)
        raise StoreError(f"the database {reason} and could not be copied: "
                         f"{exc.strerror or exc}", str(p)) from None
    open_readonly(copy).close()
    return copy, (f"{p} {reason}: serving a copy of it ({size / 1048576:.1f} MB in {tmp}; "
                  "changes made to the original are seen after a restart)")


def _snapshot(src: Path, dst: Path) -> bool:
    """Copy ``src`` through SQLite's backup API in one read transaction (consistent while a
    writer is at work; with its -wal and -shm present, reading creates no file).  False if it
    cannot be read so."""
    try:
        conn = open_readonly(src)
    except StoreError:
        return False
    try:
        out = sqlite3.connect(dst)
        try:
            conn.backup(out)
        finally:
            out.close()
        return True
    except sqlite3.Error:
        dst.unlink(missing_ok=True)
        return False
    finally:
        conn.close()


class Connections:
    """One read-only connection per worker thread (sqlite3 connections are not shared)."""

    def __init__(self, path: str | Path):
        # fail at start-up, not on the first request; a database in a read-only place is
        # served from a private copy (``servable_copy``)
        self.path, self.note = servable_copy(path)
        self._local = threading.local()
        self._search: sqlite3.Connection | None = None
        self.search_lock = threading.Lock()

    def search(self) -> sqlite3.Connection:
        """The one connection search/similar calls use, under ``search_lock``: the search API
        remembers per connection that its index was checked, so one connection keeps that
        memory stable (and its dense-vector cache warm) across requests."""
        if self._search is None:
            self._search = open_readonly(self.path)
        return self._search

    def get(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = open_readonly(self.path)
        return conn

    def state(self) -> tuple:
        """Changes whenever anything commits to the database (file or WAL size/mtime)."""
        out = []
        for p in (str(self.path), str(self.path) + "-wal"):
            try:
                st = os.stat(p)
                out += [st.st_size, st.st_mtime_ns]
            except OSError:
                out += [None, None]
        return tuple(out)


class Cache:
    """Results keyed by (name, arguments), dropped when the database changes.  A value being
    computed is computed once: other threads asking for it wait (no stampede of 20 threads all
    building the same 10⁵-passage matrix)."""

    def __init__(self, conns: Connections, size: int = 256):
        self.conns, self.size = conns, size
        self._data: dict = {}
        self._busy: dict = {}
        self._state = None
        self._lock = threading.Lock()

    def get(self, key, compute):
        state = self.conns.state()
        while True:
            with self._lock:
                if state != self._state:
                    self._data, self._busy, self._state = {}, {}, state
                if key in self._data:
                    return self._data[key]
                event = self._busy.get(key)
                if event is None:
                    event = self._busy[key] = threading.Event()
                    break
            event.wait(120)        # someone else computes it; then look again
        try:
            value = compute()
        except BaseException:
            with self._lock:
                self._busy.pop(key, None)
            event.set()
            raise
        with self._lock:
            if self._state == state:
                if len(self._data) >= self.size:
                    self._data.pop(next(iter(self._data)))
                self._data[key] = value
            self._busy.pop(key, None)
        event.set()
        return value


def has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


# --- the index: current or not (the web process never syncs it) --------------------------
@dataclass
class IndexStatus:
    fts_current: bool
    embeddings_current: bool
    model: str | None

    @property
    def current(self) -> bool:
        return self.fts_current and self.embeddings_current


def _fingerprint(conn: sqlite3.Connection) -> str:
    try:
        from stratcompare.search.api import _fingerprint as fp  # the search module's own rule
        return fp(conn)
    except ImportError:  # pragma: no cover
        n, mx = conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM passages").fetchone()
        return f"{n}:{mx}"


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def prepare_search(conn: sqlite3.Connection, model_id: str | None, key: str | None = None) -> None:
    """Make the search API use the full-text index and embeddings as they are: where its own
    bookkeeping says they may be behind, it would try to bring them up to date, which needs a
    write; the web process only reads."""
    from stratcompare.search.index import mark

    fp = _fingerprint(conn)
    if _meta(conn, "fts_synced") != fp:
        mark(conn, "fts")
    key = key or f"embedded:{model_id}"   # search.api.embedded_key of the app's encoder
    if model_id is not None and _meta(conn, key) != fp:
        mark(conn, key)


def needs_guard(conn: sqlite3.Connection, model_id: str | None, key: str | None = None) -> bool:
    """True unless the search API's own bookkeeping says its index is in step (then it never
    tries to write, and searches can run side by side on separate read-only connections)."""
    try:
        from stratcompare.search import api as search_api

        fp = search_api._fingerprint(conn)
        version = getattr(search_api, "index_version", None)
        fts_expected = f"{fp}|{version()}" if callable(version) else fp
        ok = _meta(conn, "fts_synced") == fts_expected
        if model_id is not None:
            ok = ok and _meta(conn, key or f"embedded:{model_id}") == fp
        return not ok
    except Exception:  # noqa: BLE001 - unsure: take the careful path
        return True


def _substantive(conn: sqlite3.Connection) -> tuple[str, list]:
    """An SQL condition on ``p`` for the passages search indexes (substantive kinds when known)."""
    try:
        from stratcompare.segment import SUBSTANTIVE_KINDS
    except ImportError:
        return "", []
    if not has_column(conn, "passages", "kind"):
        return "", []
    kinds = list(SUBSTANTIVE_KINDS)
    return f" AND p.kind IN ({','.join('?' * len(kinds))})", kinds


def index_status(conn: sqlite3.Connection, model_id: str | None) -> IndexStatus:
    """Whether every (substantive) passage is in the full-text index and has a vector."""
    cond, params = _substantive(conn)
    try:
        missing_fts = conn.execute(
            "SELECT count(*) FROM passages p LEFT JOIN passage_fts_map m ON m.passage_id = p.id "
            f"WHERE m.passage_id IS NULL{cond}", params).fetchone()[0]
    except sqlite3.OperationalError:
        missing_fts = 1
    missing_emb = 0
    if model_id is not None:
        missing_emb = conn.execute(
            "SELECT count(*) FROM passages p WHERE NOT EXISTS (SELECT 1 FROM embeddings e "
            f"WHERE e.passage_id = p.id AND e.model = ?){cond}", [model_id, *params]).fetchone()[0]
    return IndexStatus(missing_fts == 0, missing_emb == 0, model_id)


def index_is_readonly_error(exc: Exception) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc).replace("-", "")


# --- search with the web's filters --------------------------------------------------------
@dataclass
class SearchFilters:
    q: str = ""
    municipality: str | None = None
    theme: str | None = None
    genre: str | None = None
    kind: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    n: int = 20

    def active(self) -> bool:
        return any([self.municipality, self.theme, self.genre, self.kind, self.year_from, self.year_to])


def _api_params(fn) -> set[str]:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # pragma: no cover
        return set()


def passage_facts(conn: sqlite3.Connection, ids: list[str]) -> dict[str, dict]:
    """kind, genre and year span of each passage (None where the column is missing)."""
    if not ids:
        return {}
    kind = "p.kind" if has_column(conn, "passages", "kind") else "NULL"
    genre = "d.genre" if has_column(conn, "documents", "genre") else "NULL"
    out = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for r in conn.execute(
            f"SELECT p.id, {kind}, {genre}, d.year_start, d.year_end FROM passages p "
            f"JOIN documents d ON d.id = p.document_id WHERE p.id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            out[r[0]] = {"kind": r[1], "genre": r[2], "year_start": r[3], "year_end": r[4]}
    return out


def _year_ok(f: dict, lo: int | None, hi: int | None) -> bool:
    ys, ye = f.get("year_start"), f.get("year_end")
    if lo is None and hi is None:
        return True
    if ys is None:
        return False
    ye = ye if ye is not None else ys
    return (lo is None or ye >= lo) and (hi is None or ys <= hi)


@dataclass
class SearchOutcome:
    hits: list
    weak: bool | None = None       # the search API's own verdict, when it gives one
    hint: str | None = None        # e.g. "the corpus is Danish; try Danish words"
    query_used: str | None = None  # the query as searched (English words get Danish ones added)


class QueryVectors:
    """The app's encoder, with the query vector computed before the search lock is taken (so
    encoding, the slow part, runs in parallel); everything else is passed through."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.model_id, self.dim = encoder.model_id, encoder.dim
        self._local = threading.local()

    def prepare(self, query: str) -> None:
        try:
            from stratcompare.search.querylang import analyse_query
            text = analyse_query(query).expanded
        except Exception:  # noqa: BLE001 - without it the vector is simply computed later
            text = query
        self._local.pending = (text, self.encoder.encode_queries([text]))

    def encode_queries(self, texts):
        pending = getattr(self._local, "pending", None)
        self._local.pending = None
        if pending is not None and list(texts) == [pending[0]]:
            return pending[1]
        return self.encoder.encode_queries(texts)

    def encode_passages(self, texts, *args, **kwargs):
        return self.encoder.encode_passages(texts, *args, **kwargs)

    def __getattr__(self, name):
        """Everything else (``vector_version``, which names the search index's bookkeeping key)
        is the encoder's own: without it the search API looked for another key than the one
        stored, tried to write it and failed on the read-only database (a 500 on every search)."""
        if name in ("encoder", "_local"):
            raise AttributeError(name)
        return getattr(self.encoder, name)


def run_search(conn, flt: SearchFilters, *, encoder=None, mode: str = "hybrid") -> SearchOutcome:
    """``stratcompare.search`` with the page's filters: those the API takes are passed on, the
    rest (a year range) filter a larger candidate list."""
    from stratcompare.search import api as search_api

    fn = getattr(search_api, "search_result", None) or search_api.search
    accepted = _api_params(fn)
    kwargs: dict = {"municipality": flt.municipality, "theme": flt.theme, "mode": mode}
    post_year = flt.year_from is not None or flt.year_to is not None
    if flt.year_from is not None and flt.year_from == flt.year_to:
        kwargs["year"], post_year = flt.year_from, False
    post_genre = bool(flt.genre)
    post_kind = bool(flt.kind)
    if flt.genre and "genre" in accepted:
        kwargs["genre"], post_genre = flt.genre, False
    if flt.kind and "kinds" in accepted:
        kwargs["kinds"], post_kind = (flt.kind,), False
    post = post_year or post_genre or post_kind
    top_k = min(flt.n * 15, 600) if post else flt.n
    if mode != "lexical":
        kwargs["encoder"] = encoder
    result = fn(conn, flt.q, top_k=top_k, **kwargs)
    out = SearchOutcome(hits=list(getattr(result, "hits", result)), weak=getattr(result, "weak", None),
                        hint=getattr(result, "hint", None), query_used=getattr(result, "query_used", None))
    hits = out.hits
    if post and hits:
        facts = passage_facts(conn, [h.passage_id for h in hits])
        keep = []
        for h in hits:
            f = facts.get(h.passage_id, {})
            if post_year and not _year_ok(f, flt.year_from, flt.year_to):
                continue
            if post_genre and f.get("genre") != flt.genre:
                continue
            if post_kind and f.get("kind") != flt.kind:
                continue
            keep.append(h)
        out.hits = keep[:flt.n]
        for i, h in enumerate(out.hits):
            h.rank = i + 1
        if out.weak is not None:
            out.weak = not out.hits or bool(getattr(out.hits[0], "weak", False))
    return out


def weak_result(hits: list, model_id: str | None) -> bool:
    """True when even the best hit is a weak match (see WEAK_COSINE)."""
    if not hits:
        return True
    best = hits[0]
    if getattr(best, "strength", None) is not None:   # calibrated by the search API: its verdict
        return bool(getattr(best, "weak", False))
    det = best.details or {}
    if det.get("bm25"):
        return False
    cos = det.get("cosine")
    if cos is None:
        return not det.get("bm25")
    key = "e5" if model_id and "e5" in model_id else ("hashing" if model_id and model_id.startswith("hashing") else None)
    return cos < WEAK_COSINE.get(key, WEAK_COSINE_DEFAULT)


def marked_segments(highlighted: str) -> list[tuple[bool, str]]:
    """Split the search API's «marked» text into (is_marked, text) pieces for escaping templates."""
    out: list[tuple[bool, str]] = []
    for part in re.split(r"(«[^«»]*»)", highlighted or ""):
        if not part:
            continue
        if part.startswith("«") and part.endswith("»"):
            out.append((True, part[1:-1]))
        else:
            out.append((False, part))
    return out


def themes_of(conn, ids: list[str]) -> dict[str, list[str]]:
    """Assigned themes of each passage, most probable first."""
    out: dict[str, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for pid, theme in conn.execute(
            f"SELECT passage_id, theme FROM passage_themes WHERE assigned = 1 AND passage_id IN "
            f"({','.join('?' * len(chunk))}) ORDER BY probability DESC", chunk):
            if theme not in out[pid]:
                out[pid].append(theme)
    return out


# --- passages and documents ---------------------------------------------------------------
def _row(r) -> dict:
    return dict(r) if r is not None else None


def passage(conn, passage_id: str) -> dict:
    """A passage with its document, neighbours, corrections and themes (with evidence)."""
    kind = ", p.kind" if has_column(conn, "passages", "kind") else ""
    kind += ", p.cells" if has_column(conn, "passages", "cells") else ""
    r = conn.execute(
        f"""SELECT p.id, p.document_id, p.seq, p.page, p.section, p.raw_text, p.text, p.words{kind},
                   d.title AS document_title, d.municipality, d.year_start, d.year_end, d.kind AS document_kind
            FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ?""",
        (passage_id,)).fetchone()
    if r is None:
        raise NotFoundError(f"no passage {passage_id!r}")
    p = dict(r)
    p.setdefault("kind", None)
    p["cells"] = table_rows(p.get("cells"))
    p["municipality_main"] = main_municipality(p["municipality"])
    near = conn.execute(
        "SELECT id, seq, page, section, text FROM passages WHERE document_id = ? AND seq BETWEEN ? AND ? "
        "ORDER BY seq", (p["document_id"], p["seq"] - 2, p["seq"] + 2)).fetchall()
    p["before"] = [dict(x) for x in near if x["seq"] < p["seq"]]
    p["after"] = [dict(x) for x in near if x["seq"] > p["seq"]]
    p["corrections"] = corrections(p["raw_text"], p["text"])
    p["themes"] = []
    for t in conn.execute(
        "SELECT theme, probability, assigned, evidence, codebook FROM passage_themes WHERE passage_id = ? "
        "ORDER BY assigned DESC, probability DESC", (passage_id,)):
        ev = None
        if t["evidence"]:
            try:
                ev = json.loads(t["evidence"])
            except ValueError:
                ev = None
        p["themes"].append({"theme": t["theme"], "probability": t["probability"],
                            "assigned": bool(t["assigned"]), "evidence": ev or {}})
    return p


def table_rows(cells) -> list[list[str]] | None:
    """A table passage's cells (JSON rows) as lists of strings; None when there are none."""
    if not cells:
        return None
    try:
        rows = json.loads(cells) if isinstance(cells, str) else cells
    except ValueError:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        return None
    return [["" if c is None else str(c) for c in r] for r in rows[:500]]


_TOKEN = re.compile(r"\S+")


def corrections(raw: str, text: str) -> list[dict]:
    """Each OCR repair as (original, replacement), found by a word-level diff of raw and text."""
    if not raw or raw == text:
        return []
    a, b = _TOKEN.findall(raw), _TOKEN.findall(text or "")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append({"original": " ".join(a[i1:i2]), "replacement": " ".join(b[j1:j2])})
    return out[:200]


def document(conn, doc_id: str) -> dict:
    """A document with its passages grouped by page and section."""
    r = conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if r is None:
        raise NotFoundError(f"no document {doc_id!r}")
    d = dict(r)
    d.setdefault("genre", None)
    d["municipality_main"] = main_municipality(d.get("municipality"))
    try:
        d["warnings"] = json.loads(d.get("warnings") or "[]")
    except ValueError:
        d["warnings"] = []
    kind = ", kind" if has_column(conn, "passages", "kind") else ", NULL AS kind"
    rows = conn.execute(f"SELECT id, seq, page, section, text{kind} FROM passages WHERE document_id = ? "
                        "ORDER BY seq", (doc_id,)).fetchall()
    pages: list[dict] = []
    for x in rows:
        if not pages or pages[-1]["page"] != x["page"]:
            pages.append({"page": x["page"], "sections": []})
        secs = pages[-1]["sections"]
        if not secs or secs[-1]["section"] != x["section"]:
            secs.append({"section": x["section"], "passages": []})
        secs[-1]["passages"].append(dict(x))
    d["pages_detail"] = pages
    d["passages"] = len(rows)
    d["pages_damaged"] = _ranges([n for (n,) in conn.execute(
        "SELECT number FROM pages WHERE document_id = ? AND status = 'damaged' ORDER BY number",
        (doc_id,))])
    d["has_source"] = source_file(conn, doc_id) is not None
    d["source_is_pdf"] = str(d.get("path", "")).lower().endswith(".pdf")
    return d


def _ranges(numbers: list[int]) -> str:
    """[5, 6, 7, 9] -> "5–7, 9" (pages of a damaged PDF that could not be read)."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in runs)


SOURCE_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
                ".md": "text/plain; charset=utf-8", ".html": "text/plain; charset=utf-8",
                ".htm": "text/plain; charset=utf-8", ".jsonl": "text/plain; charset=utf-8"}


def source_file(conn, doc_id: str) -> Path | None:
    """The stored source file of a document: only the path the database records, only if it
    is still a regular file there."""
    r = conn.execute("SELECT path FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if r is None or not r[0]:
        return None
    p = Path(r[0])
    if p.suffix.lower() not in SOURCE_TYPES or not p.is_file():
        return None
    return p


def documents_of(conn, municipality: str) -> list[dict]:
    genre = "d.genre" if has_column(conn, "documents", "genre") else "NULL"
    rows = conn.execute(
        f"""SELECT d.id, d.title, d.path, d.municipality, d.year_start, d.year_end, d.pages, {genre} AS genre,
                   (SELECT count(*) FROM passages p WHERE p.document_id = d.id) AS passages
            FROM documents d WHERE d.status != 'failed' ORDER BY d.year_start DESC, d.title""").fetchall()
    return [dict(r) for r in rows if main_municipality(r["municipality"]) == municipality]


def strongest_passages(conn, doc_ids: list[str], per_theme: int = 3) -> dict[str, list[dict]]:
    """The most probable assigned passages of each theme among these documents."""
    if not doc_ids:
        return {}
    out: dict[str, list[dict]] = {}
    rows = conn.execute(
        f"""SELECT * FROM (
              SELECT pt.theme, pt.probability, p.id, p.page, p.text, d.title, d.id AS document_id,
                     ROW_NUMBER() OVER (PARTITION BY pt.theme ORDER BY pt.probability DESC, p.id) AS rk
              FROM passage_themes pt JOIN passages p ON p.id = pt.passage_id
              JOIN documents d ON d.id = p.document_id
              WHERE pt.assigned = 1 AND p.document_id IN ({','.join('?' * len(doc_ids))}))
            WHERE rk <= ?""", [*doc_ids, per_theme]).fetchall()
    for r in rows:
        out.setdefault(r["theme"], []).append(dict(r))
    return out


def theme_examples(conn, theme: str, limit: int = 8) -> list[dict]:
    """The corpus's most probable passages for ``theme``, one per document at most."""
    rows = conn.execute(
        """SELECT * FROM (
             SELECT pt.probability, p.id, p.page, p.text, d.title, d.municipality, d.id AS document_id,
                    ROW_NUMBER() OVER (PARTITION BY p.document_id ORDER BY pt.probability DESC, p.id) AS rk
             FROM passage_themes pt JOIN passages p ON p.id = pt.passage_id
             JOIN documents d ON d.id = p.document_id
             WHERE pt.theme = ? AND pt.assigned = 1)
           WHERE rk = 1 ORDER BY probability DESC LIMIT ?""", (theme, limit)).fetchall()
    return [dict(r) | {"municipality_main": main_municipality(r["municipality"])} for r in rows]


def reliability(theme: str) -> dict | None:
    """The model card's cross-validated figures for ``theme`` (models/themes/model.json)."""
    try:
        from stratcompare.classify.api import default_model_dir
        d = default_model_dir()
        if d is None:
            return None
        data = json.loads((Path(d) / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, ImportError):
        return None
    for s in data.get("cv_scores") or []:
        if s.get("theme") == theme:
            return {"precision": s.get("precision"), "recall": s.get("recall"), "f1": s.get("f1"),
                    "support": s.get("support"), "threshold": (data.get("thresholds") or {}).get(theme),
                    "codebook": data.get("codebook"), "source": "models/themes/model.json (5-fold CV)"}
    return None


def codebook_theme(theme: str):
    from stratcompare.classify.codebook import Codebook
    try:
        cb = Codebook.load()
    except Exception:  # a broken bundled codebook must not break the page
        return None
    return next((t for t in cb.themes if t.id == theme), None)


def group_by_municipality(hits: list) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for h in hits:
        groups.setdefault(main_municipality(h.municipality), []).append(h)
    return list(groups.items())


def corpus_average(values: np.ndarray, support: np.ndarray | None) -> np.ndarray:
    """Theme shares over the whole corpus (every passage weighs the same)."""
    if values.size == 0:
        return np.zeros(values.shape[1] if values.ndim == 2 else 0)
    if support is None or support.sum() == 0:
        return values.mean(axis=0)
    w = support.astype(float)
    return (values * w[:, None]).sum(axis=0) / w.sum()


@dataclass
class Timer:
    start: float = field(default_factory=time.perf_counter)

    def ms(self) -> float:
        return (time.perf_counter() - self.start) * 1000


__all__ = ["open_readonly", "Connections", "Cache", "prepare_search", "run_search", "weak_result",
           "SearchFilters", "passage", "document", "source_file", "documents_of", "strongest_passages",
           "theme_examples", "reliability", "codebook_theme", "corrections", "marked_segments",
           "GENRES", "KINDS", "WEAK_COSINE", "UsageError"]
