"""Corpus facts the matrices share: which documents count, and which municipality each belongs to.

Work is per document (hundreds), never per passage in Python: passage-level aggregation happens
in SQL or numpy, and documents map onto municipality rows through an index array.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from stratcompare.compare.names import danish_sort_key, main_municipality, match_name
from stratcompare.errors import NotFoundError
from stratcompare.segment import SUBSTANTIVE_KINDS

# Passages of failed documents never count.
LIVE_DOCS = "SELECT id FROM documents WHERE status != 'failed'"


@dataclass
class CorpusIndex:
    municipalities: list[str]            # matrix rows, Danish order
    doc_row: dict[str, int]              # document id -> row in ``municipalities``
    passages: np.ndarray                 # passages per municipality (int64)

    def docs_of(self, row: int) -> list[str]:
        return [d for d, r in self.doc_row.items() if r == row]

    def resolve(self, name: str) -> int:
        """Row of a municipality given as the user typed it ("koge" → Køge)."""
        hits = match_name(name, self.municipalities)
        if len(hits) == 1:
            return self.municipalities.index(hits[0])
        if len(hits) > 1:
            raise NotFoundError(f"municipality {name!r} is ambiguous: {', '.join(hits)}")
        known = "known: " + (", ".join(self.municipalities) or "none — ingest documents first")
        from stratcompare.metadata.municipalities import municipality_hint, normalise_municipality

        if normalise_municipality(name) is None:
            hint = municipality_hint(name)
            if hint.startswith("did you mean"):
                known = hint + " " + known
        raise NotFoundError(f"no municipality {name!r} in the corpus", hint=known)


def corpus_genre(conn: sqlite3.Connection, genre: str | None) -> str | None:
    """``--genre`` as the user typed it, checked against the corpus: a database from before
    genres were detected, or a genre no document has, is said in one line instead of an empty
    matrix or report."""
    if not genre:
        return None
    from stratcompare.errors import UsageError
    from stratcompare.metadata.genre import resolve_genre

    genre = resolve_genre(genre)
    present = [r[0] for r in conn.execute(
        "SELECT DISTINCT genre FROM documents WHERE genre IS NOT NULL AND status != 'failed' "
        "ORDER BY genre")]
    if not present:
        raise UsageError("this corpus has no document genres (it was made by an older version)",
                         hint="run `stratcompare ingest` on its files again: older documents are "
                              "re-read with genres; or leave out --genre")
    if genre not in present:
        raise NotFoundError(f"no document of genre {genre!r} in the corpus",
                            hint="genres present: " + ", ".join(present))
    return genre


def corpus_index(conn: sqlite3.Connection, *, genre: str | None = None,
                 kinds: Sequence[str] | None = SUBSTANTIVE_KINDS) -> CorpusIndex:
    """Municipality rows of every non-failed document (of ``genre``, if given) that has
    passages (or none at all); ``passages`` counts the passages of ``kinds`` (None: all), the
    denominator of theme shares."""
    kind_sql, params = "", []
    if kinds is not None:
        kind_sql = "WHERE kind IN (%s)" % ",".join("?" * len(kinds))
        params += list(kinds)
    genre_sql = ""
    if genre:
        genre_sql = "AND d.genre = ?"
        params.append(genre)
    docs = conn.execute(
        f"""SELECT d.id, d.municipality, COALESCE(n.n, 0) FROM documents d
           LEFT JOIN (SELECT document_id, COUNT(*) AS n FROM passages {kind_sql}
                      GROUP BY document_id) n ON n.document_id = d.id
           WHERE d.status != 'failed' {genre_sql}""", params,
    ).fetchall()
    main = {r[0]: main_municipality(r[1]) for r in docs}
    names = sorted(set(main.values()), key=danish_sort_key)
    row_of = {n: i for i, n in enumerate(names)}
    doc_row = {d: row_of[m] for d, m in main.items()}
    counts = np.zeros(len(names), dtype=np.int64)
    for r in docs:
        counts[doc_row[r[0]]] += int(r[2])
    return CorpusIndex(municipalities=names, doc_row=doc_row, passages=counts)


def in_clause(ids: list[str]) -> tuple[str, list[str]]:
    """``(?, ?, …)`` and its parameters, for a document-id filter."""
    return "(" + ",".join("?" * len(ids)) + ")", list(ids)
