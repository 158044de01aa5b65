"""Embeddings in the corpus database: computed once per passage and model, redone when text changes."""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Iterable, Sequence

import numpy as np

from stratcompare.embed.progress import ProgressArg, reporter
from stratcompare.errors import StoreError


def text_hash(text: str) -> str:
    """sha1 of the passage text: a changed text invalidates its stored vector."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _stale(conn: sqlite3.Connection, model: str, dim: int) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT p.id, p.text, e.text_hash, e.dim FROM passages p "
        "LEFT JOIN embeddings e ON e.passage_id = p.id AND e.model = ? ORDER BY p.rowid",
        (model,),
    ).fetchall()
    todo = []
    for pid, text, old_hash, old_dim in rows:
        h = text_hash(text or "")
        if old_hash != h or old_dim != dim:
            todo.append((pid, text or "", h))
    return todo


def version_key(model: str) -> str:
    """``meta`` key recording which build of ``model`` wrote its stored vectors."""
    return f"vectors:{model}"


def _drop_other_versions(conn: sqlite3.Connection, encoder) -> None:
    """An encoder with a ``vector_version`` (e5-small on a given runtime and quantisation) never
    adds vectors beside those of another version of the same model id: when the database's
    record differs, or vectors exist without a record (written before versions were recorded),
    the model's vectors are dropped and the record set, in one transaction; then they are all
    computed again.  Vectors stored before versions were recorded count as the encoder's
    ``unrecorded_version`` (if it has one).  Encoders without ``vector_version`` keep the plain
    behaviour."""
    version = getattr(encoder, "vector_version", None)
    if version is None:
        return
    key = version_key(encoder.model_id)
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    if row is not None and row[0] == version:
        return
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()  # under the lock
        stored = row[0] if row is not None else getattr(encoder, "unrecorded_version", None)
        if stored != version:
            conn.execute("DELETE FROM embeddings WHERE model = ?", (encoder.model_id,))
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, version))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def embed_passages(store_conn: sqlite3.Connection, encoder, progress: ProgressArg = True, batch_size: int = 64) -> int:
    """Embed passages that have no vector for ``encoder.model_id`` or whose text changed.

    Vectors of another ``encoder.vector_version`` of the same model are replaced, all of them
    (see ``_drop_other_versions``).  Commits after every batch, so an interrupted run keeps what
    it did.  Returns the count.  ``progress``: True (a bar on a terminal, a line every 10 s
    otherwise), False/None, or a callback ``progress("embedding", done, total)`` called after
    every batch.
    """
    conn = store_conn
    try:
        _drop_other_versions(conn, encoder)
        todo = _stale(conn, encoder.model_id, encoder.dim)
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot read passages: {exc}", hint="is this a stratcompare database? run `stratcompare ingest` first") from None
    if not todo:
        return 0
    # similar lengths in one batch: less padding for the model (order of storage does not matter);
    # longest first, so the ETA errs long and only gets better
    todo.sort(key=lambda r: len(r[1]), reverse=True)
    report = reporter(progress)
    done = 0
    try:
        report("embedding", 0, len(todo))
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            vecs = _vectors(conn, encoder, chunk, batch_size)
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")
            # an ingest may have replaced some of these passages since they were read: skip them
            # (re-read under the write lock) instead of failing on the foreign key (issue 10)
            live = {r[0] for r in conn.execute(
                f"SELECT id FROM passages WHERE id IN ({','.join('?' * len(chunk))})", [c[0] for c in chunk])}
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings(passage_id, model, text_hash, dim, vector) VALUES (?,?,?,?,?)",
                [(pid, encoder.model_id, h, encoder.dim, vecs[i].tobytes())
                 for i, (pid, _, h) in enumerate(chunk) if pid in live],
            )
            conn.commit()
            done += len(chunk)
            report("embedding", done, len(todo))
    finally:
        report.close()
    return done


def _vectors(conn: sqlite3.Connection, encoder, chunk, batch_size: int) -> np.ndarray:
    """Vectors for ``chunk`` (passage id, text, hash): a text already stored for another
    passage (a second version of a document, a repeated line) is copied, not encoded again, and
    a text repeated inside the chunk is encoded once."""
    hashes = list(dict.fromkeys(h for _, _, h in chunk))
    known: dict[str, bytes] = {}
    q = ("SELECT text_hash, vector FROM embeddings WHERE model = ? AND dim = ? AND text_hash IN "
         f"({','.join('?' * len(hashes))})")
    for h, blob in conn.execute(q, (encoder.model_id, encoder.dim, *hashes)):
        known[h] = blob
    new = {h: t for _, t, h in chunk if h not in known}
    if new:
        enc = encoder.encode_passages(list(new.values()), batch_size=batch_size)
        enc = np.ascontiguousarray(enc, dtype="<f4")
        for i, h in enumerate(new):
            known[h] = enc[i].tobytes()
    return np.stack([np.frombuffer(known[h], dtype="<f4") for _, _, h in chunk])


def load_matrix(
    conn: sqlite3.Connection, model: str, passage_ids: Sequence[str] | Iterable[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """(passage ids, float32 matrix) of the stored vectors of ``model``.

    With ``passage_ids`` the rows follow that order and passages without a vector are left out.
    """
    if passage_ids is None:
        # Stream into a preallocated matrix: at 10^6 passages a list of blobs would triple the peak memory.
        n, dims = conn.execute(
            "SELECT count(*), count(DISTINCT dim) FROM embeddings WHERE model = ?", (model,)).fetchone()
        if n == 0:
            return [], np.zeros((0, 0), dtype=np.float32)
        if dims != 1:
            raise StoreError(f"embeddings of model {model!r} have mixed dimensions",
                             hint="run `stratcompare embed` to refresh them")
        ids: list[str] = []
        mat = None
        cur = conn.execute(
            "SELECT e.passage_id, e.dim, e.vector FROM embeddings e JOIN passages p ON p.id = e.passage_id "
            "WHERE e.model = ? ORDER BY p.rowid",
            (model,),
        )
        for pid, dim, blob in cur:
            if mat is None:
                mat = np.empty((n, dim), dtype=np.float32)
            mat[len(ids)] = np.frombuffer(blob, dtype="<f4")
            ids.append(pid)
        if mat is None:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, mat[: len(ids)]
    else:
        wanted = list(passage_ids)
        got: dict[str, tuple] = {}
        for i in range(0, len(wanted), 900):
            part = wanted[i : i + 900]
            q = f"SELECT passage_id, dim, vector FROM embeddings WHERE model = ? AND passage_id IN ({','.join('?' * len(part))})"
            for r in conn.execute(q, (model, *part)):
                got[r[0]] = tuple(r)
        rows = [got[p] for p in wanted if p in got]
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    dims = {r[1] for r in rows}
    if len(dims) != 1:
        raise StoreError(f"embeddings of model {model!r} have mixed dimensions {sorted(dims)}",
                         hint="run `stratcompare embed` to refresh them")
    dim = dims.pop()
    mat = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), dim)
    return [r[0] for r in rows], np.array(mat, dtype=np.float32)
