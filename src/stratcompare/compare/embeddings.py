"""Read stored passage embeddings straight from SQLite (no torch import: comparing never encodes)."""

from __future__ import annotations

import sqlite3
from typing import Sequence

import numpy as np

from stratcompare.compare.corpus import LIVE_DOCS, in_clause
from stratcompare.errors import NotFoundError, StoreError
from stratcompare.segment import SUBSTANTIVE_KINDS


def stored_models(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT model FROM embeddings GROUP BY model ORDER BY COUNT(*) DESC, model")]


def resolve_model(conn: sqlite3.Connection, model: str | None) -> str | None:
    """The stored model id to use: the given one (exact, or a stored id ending in it), else the
    model with the most stored vectors; None when there are no embeddings."""
    models = stored_models(conn)
    if model is None:
        return models[0] if models else None
    if model in models:
        return model
    loose = [m for m in models if m.endswith(model) or model.endswith(m)]
    if len(loose) == 1:
        return loose[0]
    raise NotFoundError(
        f"no embeddings for model {model!r} in the database",
        hint="stored: " + (", ".join(models) or "none — run `stratcompare embed` first"),
    )


def load_vectors(
    conn: sqlite3.Connection, model: str, documents: list[str] | None = None,
    kinds: Sequence[str] | None = SUBSTANTIVE_KINDS,
) -> tuple[list[str], list[str], np.ndarray]:
    """(passage ids, their document ids, float32 matrix) for live documents, optionally only
    the given documents and only passages of ``kinds`` (None: all); in storage order (sorting
    10⁵ blob rows costs more than it helps)."""
    where, params = f"ps.document_id IN ({LIVE_DOCS})", []
    if documents is not None:
        clause, params = in_clause(documents)
        where = f"ps.document_id IN {clause}"
    if kinds is not None:
        where += " AND ps.kind IN (%s)" % ",".join("?" * len(kinds))
        params = [*params, *kinds]
    rows = conn.execute(
        f"""SELECT e.passage_id, ps.document_id, e.dim, e.vector FROM embeddings e
            JOIN passages ps ON ps.id = e.passage_id
            WHERE e.model = ? AND {where}""",
        [model, *params],
    ).fetchall()
    if not rows:
        return [], [], np.zeros((0, 0), dtype=np.float32)
    dim = int(rows[0][2])
    ids = [r[0] for r in rows]
    docs = [r[1] for r in rows]
    blob = b"".join(r[3] for r in rows)
    mat = np.frombuffer(blob, dtype=np.float32)
    if mat.size != dim * len(rows):
        raise StoreError(f"embeddings of model {model!r} have mixed dimensions",
                         hint="re-run `stratcompare embed` for this model")
    return ids, docs, mat.reshape(len(rows), dim)
