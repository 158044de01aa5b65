"""Find passages: lexical (FTS5 BM25 over Danish lemmas), dense (embedding cosine) or hybrid.

``search(conn, "housing first for unge")`` and ``similar(conn, passage_id)`` return ``Hit``s
(``search_result`` adds the weak-match verdict and the language hint);
the vector index sits behind ``VectorIndex`` so an approximate index can replace exact search.
"""

from stratcompare.search.api import (
    FUSION, MODES, FusionParams, Hit, SearchResult, ensure_embeddings, ensure_fts, highlight, search, search_result,
    similar,
)
from stratcompare.search.fts import sync_fts
from stratcompare.search.index import ExactIndex, VectorIndex

__all__ = [
    "search", "search_result", "SearchResult", "similar", "Hit", "MODES", "FusionParams", "FUSION", "sync_fts", "ensure_fts",
    "ensure_embeddings", "highlight", "VectorIndex", "ExactIndex",
]
