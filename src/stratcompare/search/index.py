"""The dense half: a vector index behind a small interface, so an ANN index can replace exact search.

Exact search is one matrix-vector product over a normalised float32 matrix: ~10 ms for 10⁵
passages × 384 dims on this 2-core machine, ~100 ms at 10⁶ — fast enough, and always right.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

from stratcompare.embed.storage import load_matrix


class VectorIndex(Protocol):
    """What search needs from a vector index (row numbers are positions in insertion order)."""

    def add(self, vectors: np.ndarray) -> None: ...

    def search(self, q: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row numbers, cosine scores) of the ``k`` best rows, best first; ``mask`` = allowed rows."""
        ...

    def __len__(self) -> int: ...


class ExactIndex:
    """Brute-force inner product over L2-normalised rows (= cosine)."""

    def __init__(self, dim: int):
        self.dim = dim
        self._parts: list[np.ndarray] = []
        self._matrix = np.zeros((0, dim), dtype=np.float32)

    def add(self, vectors: np.ndarray) -> None:
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape[1] != self.dim:
            raise ValueError(f"expected (n, {self.dim}) vectors, got {v.shape}")
        self._matrix = v if len(self._matrix) == 0 else np.vstack([self._matrix, v])

    @property
    def matrix(self) -> np.ndarray:
        return self._matrix

    def __len__(self) -> int:
        return len(self._matrix)

    def search(self, q: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        n = len(self._matrix)
        if n == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._matrix @ np.asarray(q, dtype=np.float32).reshape(-1)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
            k = min(k, int(mask.sum()))
            if k == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        return top.astype(np.int64), scores[top].astype(np.float32)


@dataclass
class DenseCorpus:
    """The stored vectors of one model plus per-row metadata used for filter masks."""

    model: str
    ids: list[str]
    row_of: dict[str, int]
    index: VectorIndex
    municipality: np.ndarray  # object array, as stored
    document_id: np.ndarray
    year_start: np.ndarray  # float (nan = unknown)
    year_end: np.ndarray
    key: tuple
    kind: np.ndarray | None = None  # passages.kind, object array (None: the column is absent)
    genre: np.ndarray | None = None  # documents.genre
    _kind_masks: dict = field(default_factory=dict)

    def kind_mask(self, kinds: tuple[str, ...]) -> np.ndarray | None:
        """Rows whose kind is one of ``kinds`` (cached per tuple); None when kinds are not stored."""
        if self.kind is None:
            return None
        m = self._kind_masks.get(kinds)
        if m is None:
            m = self._kind_masks[kinds] = np.isin(self.kind, np.array(kinds, dtype=object))
        return m


_CACHE: dict[tuple, DenseCorpus] = {}
_LOCK = threading.Lock()


def change_token(conn: sqlite3.Connection) -> tuple | None:
    """Cheap "has the database changed?" token: the file path plus size/mtime of the file and its WAL.

    Any commit, from any connection or process, changes the WAL (or the file).  None for
    in-memory databases (always re-check).
    """
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    if not path:
        return None
    stats = []
    for p in (path, path + "-wal"):
        try:
            st = os.stat(p)
            stats += [st.st_size, st.st_mtime_ns]
        except OSError:
            stats += [None, None]
    version = conn.execute("PRAGMA data_version").fetchone()[0]  # other connections' commits
    return (path, id(conn), conn.total_changes, version, *stats)


_TOKENS: dict[tuple, tuple] = {}


def unchanged_since(conn: sqlite3.Connection, tag: str) -> bool:
    """True if the database has not changed since ``mark(conn, tag)``."""
    tok = change_token(conn)
    return tok is not None and _TOKENS.get((tok[0], tag)) == tok


def mark(conn: sqlite3.Connection, tag: str) -> None:
    tok = change_token(conn)
    if tok is not None:
        _TOKENS[(tok[0], tag)] = tok


def _fingerprint(conn: sqlite3.Connection, model: str) -> tuple:
    """Changes whenever embeddings or passages are added, replaced or deleted."""
    db = conn.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(conn)}"
    e = conn.execute("SELECT max(rowid), count(*) FROM embeddings WHERE model = ?", (model,)).fetchone()
    p = conn.execute("SELECT max(rowid), count(*) FROM passages").fetchone()
    d = conn.execute("SELECT count(*), total(year_start), group_concat(municipality, '|') FROM documents").fetchone()
    return (db, model, tuple(e), tuple(p), hash(tuple(d)))


def dense_corpus(conn: sqlite3.Connection, model: str) -> DenseCorpus:
    """The (cached) dense corpus for ``model``; reloaded when the database changed."""
    db = conn.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(conn)}"
    with _LOCK:
        hit = _CACHE.get((db, model))
    if hit is not None and unchanged_since(conn, "dense:" + model):
        return hit
    key = _fingerprint(conn, model)
    if hit is not None and hit.key == key:
        mark(conn, "dense:" + model)
        return hit
    ids, matrix = load_matrix(conn, model)
    kind_col = "p.kind" if has_column(conn, "passages", "kind") else "NULL"
    genre_col = "d.genre" if has_column(conn, "documents", "genre") else "NULL"
    meta = {
        r[0]: r[1:]
        for r in conn.execute(
            f"SELECT p.id, d.municipality, d.id, d.year_start, d.year_end, {kind_col}, {genre_col} FROM passages p "
            "JOIN documents d ON d.id = p.document_id"
        )
    }
    dim = matrix.shape[1] if len(ids) else 1
    index = ExactIndex(dim)
    if len(ids):
        index.add(matrix)
    rows = [meta.get(i, (None, None, None, None, None, None)) for i in ids]
    corpus = DenseCorpus(
        model=model, ids=ids, row_of={p: i for i, p in enumerate(ids)}, index=index,
        municipality=np.array([r[0] for r in rows], dtype=object),
        document_id=np.array([r[1] for r in rows], dtype=object),
        year_start=np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=float),
        year_end=np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=float),
        key=key,
        kind=np.array([r[4] or "content" for r in rows], dtype=object) if kind_col != "NULL" else None,
        genre=np.array([r[5] for r in rows], dtype=object) if genre_col != "NULL" else None,
    )
    with _LOCK:
        _CACHE[(key[0], model)] = corpus
    mark(conn, "dense:" + model)
    return corpus


_COLUMNS: dict[tuple, bool] = {}


def has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    """Whether ``table`` has ``column`` (passages.kind and documents.genre arrive with migration 4)."""
    db = conn.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(conn)}"
    key = (db, table, column)
    if not _COLUMNS.get(key):
        _COLUMNS[key] = any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))
    return _COLUMNS[key]


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
        _TOKENS.clear()


def rows_for(corpus: DenseCorpus, passage_ids: Sequence[str]) -> np.ndarray:
    return np.array([corpus.row_of[p] for p in passage_ids if p in corpus.row_of], dtype=np.int64)
