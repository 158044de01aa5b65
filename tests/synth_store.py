"""Synthetic corpora for benchmarks and tests: write rows the way ingest/classify/embed would.

``build_synthetic`` makes a realistic-size store (98 municipalities, 10⁵ passages, 16 themes,
optional embeddings) quickly with ``executemany``; the small ``add_*`` helpers let tests build
exact, hand-checkable databases.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import numpy as np


def add_document(conn: sqlite3.Connection, doc_id: str, municipality: str | None, *,
                 title: str | None = None, year: int | None = None, pages: int = 1,
                 status: str = "ok", ocr_damage: float | None = None, kind: str = "text") -> None:
    conn.execute(
        """INSERT INTO documents (id, path, source_key, kind, municipality, title, year_start,
           year_end, pages, ocr_damage, status, warnings, ingested_at)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        (doc_id, f"/corpus/{doc_id}.txt", f"/corpus/{doc_id}.txt", kind, municipality,
         title or f"Strategi {doc_id}", year, year, pages, ocr_damage, status, "[]",
         datetime.now(timezone.utc).isoformat(timespec="seconds")),
    )


def add_passage(conn: sqlite3.Connection, passage_id: str, doc_id: str, text: str, *,
                seq: int = 0, page: int | None = 1, section: str | None = None) -> None:
    conn.execute(
        """INSERT INTO passages (id, document_id, seq, page, section, char_start, char_end,
           raw_text, text, words) VALUES (?,?,?,?,?,?,?,?,?,?)""",
        (passage_id, doc_id, seq, page, section, 0, len(text), text, text, len(text.split())),
    )


def add_theme(conn: sqlite3.Connection, passage_id: str, theme: str, probability: float, *,
              assigned: bool | None = None, codebook: str = "stratcompare-social@1.0",
              evidence: dict | None = None) -> None:
    if assigned is None:
        assigned = probability >= 0.5
    conn.execute(
        """INSERT INTO passage_themes (passage_id, codebook, theme, probability, assigned,
           evidence, model) VALUES (?,?,?,?,?,?,?)""",
        (passage_id, codebook, theme, probability, int(assigned),
         json.dumps(evidence or {}), "synthetic"),
    )


def add_embedding(conn: sqlite3.Connection, passage_id: str, vector, *,
                  model: str = "synthetic") -> None:
    v = np.asarray(vector, dtype=np.float32)
    n = float(np.linalg.norm(v))
    if n > 0:
        v = v / n
    conn.execute(
        "INSERT INTO embeddings (passage_id, model, text_hash, dim, vector) VALUES (?,?,?,?,?)",
        (passage_id, model, "h", int(v.shape[0]), v.astype(np.float32).tobytes()),
    )


def build_synthetic(
    conn: sqlite3.Connection,
    *,
    municipalities: int = 98,
    passages: int = 100_000,
    themes: list[str] | None = None,
    dim: int = 0,
    all_theme_rows: bool = True,
    seed: int = 0,
    codebook: str = "stratcompare-social@1.0",
) -> None:
    """Fill an empty store: one or two documents per municipality, passages spread unevenly,
    a probability row per passage and theme (default: the bundled codebook's themes;
    ``all_theme_rows``) of which one or two are assigned, and
    optionally ``dim``-dimensional embeddings."""
    rng = np.random.default_rng(seed)
    if themes is None:
        from stratcompare.compare.themes import bundled_theme_ids

        themes = bundled_theme_ids()
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    docs = []
    for m in range(municipalities):
        for k in range(1 + m % 2):
            docs.append((f"d{m:03d}{k}", f"Kommune {m:03d}"))
    conn.execute("BEGIN")
    conn.executemany(
        """INSERT INTO documents (id, path, source_key, kind, municipality, title, year_start,
           year_end, pages, status, warnings, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
        [(d, f"/s/{d}", f"/s/{d}", "text", m, f"Strategi {d}", 2024, 2027, 20, "ok", "[]", now)
         for d, m in docs],
    )
    weights = rng.gamma(2.0, 1.0, len(docs))
    doc_of = rng.choice(len(docs), size=passages, p=weights / weights.sum())
    doc_of.sort()
    pids = [f"p{i:07d}" for i in range(passages)]
    conn.executemany(
        """INSERT INTO passages (id, document_id, seq, page, section, char_start, char_end,
           raw_text, text, words) VALUES (?,?,?,?,?,?,?,?,?,?)""",
        ((pids[i], docs[doc_of[i]][0], i, 1 + i % 40, None, 0, 40,
          "Syntetisk passage om indsatser.", "Syntetisk passage om indsatser.", 4)
         for i in range(passages)),
    )
    t = len(themes)
    probs = rng.beta(0.6, 3.0, size=(passages, t))
    # give each document a leaning so profiles differ between municipalities
    lean = rng.dirichlet(np.ones(t) * 0.5, size=len(docs))
    probs = np.clip(probs + lean[doc_of] * 0.6, 0, 1)
    assigned = probs >= 0.5
    if all_theme_rows:
        ii, jj = np.indices((passages, t)).reshape(2, -1)
    else:
        ii, jj = np.nonzero(assigned)
    conn.executemany(
        """INSERT INTO passage_themes (passage_id, codebook, theme, probability, assigned,
           evidence, model) VALUES (?,?,?,?,?,?,?)""",
        ((pids[i], codebook, themes[j], float(probs[i, j]), int(assigned[i, j]), None, "synthetic")
         for i, j in zip(ii.tolist(), jj.tolist())),
    )
    if dim:
        base = rng.standard_normal((len(docs), dim)).astype(np.float32)
        for start in range(0, passages, 10_000):
            stop = min(passages, start + 10_000)
            vec = base[doc_of[start:stop]] + rng.standard_normal((stop - start, dim)).astype(np.float32)
            vec /= np.linalg.norm(vec, axis=1, keepdims=True)
            conn.executemany(
                "INSERT INTO embeddings (passage_id, model, text_hash, dim, vector) VALUES (?,?,?,?,?)",
                ((pids[start + i], "synthetic", "h", dim, vec[i].tobytes())
                 for i in range(stop - start)),
            )
    conn.execute("COMMIT")
