"""Relevance evaluation: recall@k and MRR of a search mode against judged queries.

Judgments name a relevant passage by (corpus file glob, distinctive substring), so they survive
re-segmentation and re-ingestion; an item counts as found when any passage matching it is in
the top k.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Judged:
    id: str
    query: str
    items: list[dict]  # {"file": glob, "contains": substring}


def load_judgments(path: str | Path) -> list[Judged]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Judged(q["id"], q["query"], q["relevant"]) for q in data["queries"]]


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold()


def resolve(conn: sqlite3.Connection, judged: list[Judged]) -> dict[str, list[set[str]]]:
    """Per query: for each judged item, the ids of passages it matches in this store."""
    rows = [(os.path.basename(p), pid, _norm(t)) for pid, p, t in conn.execute(
        "SELECT p.id, d.path, p.text FROM passages p JOIN documents d ON d.id = p.document_id")]
    out = {}
    for q in judged:
        out[q.id] = [
            {pid for f, pid, t in rows if fnmatch.fnmatch(f, it["file"]) and _norm(it["contains"]) in t}
            for it in q.items
        ]
    return out


def evaluate(conn, judged: list[Judged], run, k: int = 10) -> dict:
    """``run(query) -> ranked passage ids``; returns mean recall@k, MRR and per-query rows."""
    targets = resolve(conn, judged)
    per = []
    for q in judged:
        items = [s for s in targets[q.id] if s]
        ranked = run(q.query)
        top = ranked[:k]
        found = sum(1 for s in items if s & set(top))
        relevant = set().union(*items) if items else set()
        rr = next((1.0 / (i + 1) for i, pid in enumerate(ranked) if pid in relevant), 0.0)
        per.append({"id": q.id, "query": q.query, "recall": found / len(items) if items else 0.0,
                    "rr": rr, "items": len(items)})
    n = len(per) or 1
    return {"recall@%d" % k: sum(r["recall"] for r in per) / n, "mrr": sum(r["rr"] for r in per) / n,
            "queries": len(per), "per_query": per}
