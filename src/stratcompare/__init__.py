"""stratcompare: read Danish municipal social-policy strategies and make them comparable.

The Python API (the CLI is a thin shell over these); imported lazily so ``import stratcompare``
stays cheap:

    ingest_paths(paths, db=...)            ingest files/folders into the SQLite corpus
    repair_text(text)                      repair Danish OCR errors -> RepairResult
    classify_passages(conn, codebook=...)  theme labels into passage_themes
    embed_passages(conn, encoder)          store passage embeddings
    search(conn, query, ...) / similar(conn, passage_id, ...)
    theme_matrix(conn, ...) / similarity_matrix(conn, ...) / cooccurrence_matrix(conn)
    cell_passages(conn, "Køge:housing_first")
    build_report(conn, "report.html")
    run_all(paths, db=..., report=...)     the main job in one call
    Store.open(path)                       the corpus database
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "ingest_paths": "stratcompare.ingest",
    "repair_text": "stratcompare.repair",
    "classify_passages": "stratcompare.classify",
    "Codebook": "stratcompare.classify",
    "get_encoder": "stratcompare.embed",
    "embed_passages": "stratcompare.embed",
    "search": "stratcompare.search",
    "similar": "stratcompare.search",
    "theme_matrix": "stratcompare.compare",
    "similarity_matrix": "stratcompare.compare",
    "cooccurrence_matrix": "stratcompare.compare",
    "cell_passages": "stratcompare.compare",
    "build_report": "stratcompare.report",
    "run_all": "stratcompare.workflow",
    "Store": "stratcompare.store",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'stratcompare' has no attribute {name!r}")
