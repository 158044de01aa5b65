"""The codebook lever: which themes a query is probably about, and each passage's theme weights."""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from stratcompare.search.lemmas import lemmatise


@lru_cache(maxsize=1)
def _codebook():
    try:
        from stratcompare.classify.codebook import Codebook

        return Codebook.load()
    except Exception:  # no classifier / no codebook: the lever is simply off
        return None


def query_themes(query: str) -> list[str]:
    """Themes whose indicator terms occur in the query (as written or lemmatised)."""
    cb = _codebook()
    if cb is None:
        return []
    texts = [query, " ".join(lemmatise(query))]
    return [t.id for t in cb.themes if any(t.match_terms(x) for x in texts)]


def theme_weights(conn: sqlite3.Connection, themes: list[str], passage_ids: list[str]) -> dict[str, float]:
    """Per passage: the highest stored probability among ``themes`` (assigned labels count as ≥ 0.5)."""
    if not themes or not passage_ids:
        return {}
    out: dict[str, float] = {}
    tq = ",".join("?" * len(themes))
    for i in range(0, len(passage_ids), 800):
        part = passage_ids[i : i + 800]
        sql = (
            f"SELECT passage_id, max(CASE WHEN assigned THEN max(probability, 0.5) ELSE probability END) "
            f"FROM passage_themes WHERE theme IN ({tq}) AND passage_id IN ({','.join('?' * len(part))}) "
            "GROUP BY passage_id"
        )
        try:
            for pid, w in conn.execute(sql, (*themes, *part)):
                out[pid] = float(w or 0.0)
        except sqlite3.OperationalError:
            return {}
    return out
