"""Relevance evaluation: recall@k, nDCG@k and MRR of a search run against judged queries.

Judgments name a relevant passage by (corpus file glob, distinctive substring), so they survive
re-segmentation and re-ingestion; an item counts as found when any passage matching it is in
the top k.  Items may carry a grade (2 = about exactly this, 1 = related; default 2).

* recall@k: found items / min(k, items) — a query with 15 judged items can still reach 1.0;
  the same as plain recall when a query has at most k items.
* nDCG@k: gain 2^grade - 1 per item, credited once, at the first rank that matches it.
* MRR: 1 / rank of the first passage matching any judged item (0 if none in the ranking).
Queries without items (``none`` queries) are left out of these means; they measure weak-match
detection instead (``weak_match``).
"""

from __future__ import annotations

import fnmatch
import json
import math
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Judged:
    id: str
    query: str
    items: list[dict]  # {"file": glob, "contains": substring, "grade": 1|2}
    part: str = ""  # "tune" | "test" | "" (not split)
    meta: dict = field(default_factory=dict)


def load_judgments(path: str | Path) -> list[Judged]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for q in data["queries"]:
        meta = {k: v for k, v in q.items() if k not in ("id", "query", "relevant", "part")}
        out.append(Judged(q["id"], q["query"], q["relevant"], q.get("part", ""), meta))
    return out


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


def _ndcg(ranked: list[str], items: list[tuple[set[str], int]], k: int) -> float:
    gains, credited = 0.0, set()
    for i, pid in enumerate(ranked[:k]):
        best, best_j = 0, None
        for j, (ids, grade) in enumerate(items):
            if j not in credited and pid in ids and grade > best:
                best, best_j = grade, j
        if best_j is not None:
            credited.add(best_j)
            gains += (2 ** best - 1) / math.log2(i + 2)
    ideal = sorted((g for _, g in items), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return gains / idcg if idcg else 0.0


def evaluate(conn, judged: list[Judged], run, k: int = 10) -> dict:
    """``run(query) -> ranked passage ids``; mean recall@k, nDCG@k, MRR and per-query rows over
    the queries that have judged items found in this store."""
    targets = resolve(conn, judged)
    per = []
    for q in judged:
        pairs = [(s, int(it.get("grade", 2))) for s, it in zip(targets[q.id], q.items) if s]
        if not pairs:
            continue
        ranked = run(q.query)
        top = set(ranked[:k])
        found = sum(1 for s, _ in pairs if s & top)
        relevant = set().union(*(s for s, _ in pairs))
        rr = next((1.0 / (i + 1) for i, pid in enumerate(ranked) if pid in relevant), 0.0)
        per.append({"id": q.id, "query": q.query, "part": q.part, "recall": found / min(k, len(pairs)),
                    "ndcg": _ndcg(ranked, pairs, k), "rr": rr, "items": len(pairs)})
    n = len(per) or 1
    return {"recall@%d" % k: sum(r["recall"] for r in per) / n, "ndcg@%d" % k: sum(r["ndcg"] for r in per) / n,
            "mrr": sum(r["rr"] for r in per) / n, "queries": len(per), "per_query": per}


def weak_match(flags: dict[str, bool], judged: list[Judged]) -> dict:
    """How well a "no strong match" flag separates queries without relevant passages from the rest.

    ``flags``: query id -> flagged weak.  Precision = flagged queries that truly have no relevant
    passage / all flagged; recall = flagged share of the no-relevant queries."""
    none = {q.id for q in judged if not q.items}
    flagged = {qid for qid, f in flags.items() if f}
    tp = len(flagged & none)
    return {"precision": tp / len(flagged) if flagged else 0.0, "recall": tp / len(none) if none else 0.0,
            "flagged": len(flagged), "none_queries": len(none & set(flags)), "queries": len(flags)}
