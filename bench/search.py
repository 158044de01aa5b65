"""Search benchmark: latency, encode throughput, store size, and relevance, in one run.

* Builds a synthetic store of N passages (default 100,000; add 1,000,000 with --sizes) through
  the store API — each passage one template policy sentence plus 25-60 words drawn from Danish
  word frequencies (wordfreq), so BM25 sees realistic term statistics — indexes it (FTS5 over
  lemmas) and stores one 384-d float32 vector per passage (random unit vectors: exact-search
  latency does not depend on their content).
* Query latency p50/p95 for dense, lexical and hybrid search over 50 staff-style queries,
  excluding query encoding (vectors encoded beforehand) and including it (e5-small encodes
  each query on the spot).
* Encode throughput (passages/s) of e5-small and of the hashing encoder; query-encoding latency.
* Store size per passage (file bytes / passages, and per table via dbstat when available).
* Relevance on the bundled corpus (tests/fixtures/relevance/judgments.json): recall@10 and MRR
  for dense, lexical and hybrid side by side (hybrid with and without the theme boost).

Usage:  python bench/search.py [--sizes 100000,1000000] [--no-relevance] [--no-themes]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stratcompare.embed import get_encoder  # noqa: E402
from stratcompare.embed.storage import text_hash  # noqa: E402
from stratcompare.search import search, sync_fts  # noqa: E402
from stratcompare.search.api import FusionParams  # noqa: E402
from stratcompare.search.evaluate import evaluate, load_judgments  # noqa: E402
from stratcompare.search.synthetic import synthetic_documents, write_documents  # noqa: E402
from stratcompare.store import Store  # noqa: E402

JUDGMENTS = REPO / "tests" / "fixtures" / "relevance" / "judgments.json"
CORPUS = "corpus"  # the bundled corpus folder (its .stratcompareignore leaves labels and notes out)
BENCH_MODEL = "bench-random-384"


class QueryOnly:
    """Encoder whose queries come from e5 (or a precomputed table) and whose passages are stored."""

    def __init__(self, model_id, dim, encode):
        self.model_id, self.dim, self._encode = model_id, dim, encode

    def encode_queries(self, texts):
        return self._encode(texts)

    def encode_passages(self, texts, batch_size=32, show_progress=False):  # pragma: no cover
        raise RuntimeError("benchmark vectors are precomputed")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def queries() -> list[str]:
    judged = [q.query for q in load_judgments(JUDGMENTS)]
    extra = ["bostøtte til hjemløse unge", "tidlig opsporing af mistrivsel", "frivillige foreninger",
             "økonomisk styring af budgettet", "effektmåling af indsatserne", "netværkspleje",
             "rusmiddelbehandling for unge", "recovery og borgerinddragelse", "socialpsykiatri",
             "ledelse og organisering", "fællesskaber og inklusion", "retssikkerhed på handicapområdet",
             "den mindst indgribende indsats", "tværfaglig koordinering", "beskæftigelse og uddannelse",
             "samskabelse med civilsamfundet", "anbringelser i familiepleje"]
    return (judged + extra)[:50]


def build(path: Path, n: int, dim: int = 384) -> dict:
    t0 = time.perf_counter()
    store = Store.open(path)
    write_documents(store, synthetic_documents(n, per_document=500, seed=n, realistic_vocabulary=True))
    t_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    sync_fts(store.conn)
    t_fts = time.perf_counter() - t0
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    conn = store.conn
    rows = conn.execute("SELECT id, text FROM passages ORDER BY rowid").fetchall()
    for start in range(0, len(rows), 20000):
        chunk = rows[start : start + 20000]
        v = rng.standard_normal((len(chunk), dim), dtype=np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR REPLACE INTO embeddings(passage_id, model, text_hash, dim, vector) VALUES (?,?,?,?,?)",
            [(r[0], BENCH_MODEL, text_hash(r[1]), dim, v[i].tobytes()) for i, r in enumerate(chunk)],
        )
        conn.execute("COMMIT")
    t_vec = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    tables = {}
    try:
        for name, nbytes in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            tables[name] = nbytes
    except Exception:
        pass
    store.close()
    return {"write_s": t_write, "fts_s": t_fts, "vectors_s": t_vec, "bytes": size, "tables": tables}


def latency(path: Path, n: int, qs: list[str], e5) -> dict:
    store = Store.open(path)
    conn = store.conn
    table = {q: e5.encode_queries([q]) for q in qs}
    pre = QueryOnly(BENCH_MODEL, 384, lambda texts: table[texts[0]])
    live = QueryOnly(BENCH_MODEL, 384, e5.encode_queries)
    out = {}
    t0 = time.perf_counter()
    search(conn, qs[0], mode="hybrid", encoder=pre)  # loads the vector matrix once
    out["first_query_s"] = time.perf_counter() - t0
    for mode in ("dense", "lexical", "hybrid"):
        for label, enc in (("excl", pre), ("incl", live)):
            if mode == "lexical" and label == "incl":
                continue
            times = []
            for q in qs:
                t = time.perf_counter()
                search(conn, q, mode=mode, top_k=10, encoder=enc)
                times.append(time.perf_counter() - t)
            out[(mode, label)] = (pct(times, 50), pct(times, 95))
    # the bare index: one matrix-vector product + top-k
    from stratcompare.search.index import dense_corpus

    corpus = dense_corpus(conn, BENCH_MODEL)
    times = []
    for q in qs:
        v = table[q][0]
        t = time.perf_counter()
        corpus.index.search(v, 10)
        times.append(time.perf_counter() - t)
    out[("index", "excl")] = (pct(times, 50), pct(times, 95))
    store.close()
    return out


def throughput(e5) -> dict:
    rng = random.Random(1)
    from stratcompare.search.synthetic import sentence

    texts = [" ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(256)]
    words = statistics.mean(len(t.split()) for t in texts)
    out = {"words_per_passage": words}
    e5.encode_passages(texts[:8])
    t = time.perf_counter()
    e5.encode_passages(texts, batch_size=32)
    out["e5_passages_per_s"] = len(texts) / (time.perf_counter() - t)
    h = get_encoder("hashing")
    big = texts * 20
    t = time.perf_counter()
    h.encode_passages(big)
    out["hashing_passages_per_s"] = len(big) / (time.perf_counter() - t)
    times = []
    for q in queries():
        t = time.perf_counter()
        e5.encode_queries([q])
        times.append(time.perf_counter() - t)
    out["query_encode_p50_ms"], out["query_encode_p95_ms"] = pct(times, 50), pct(times, 95)
    return out


def relevance(tmp: Path, themes: bool) -> list[tuple]:
    from stratcompare.ingest.pipeline import ingest_paths

    db = tmp / "corpus.db"
    os.chdir(REPO)
    report = ingest_paths([CORPUS], db=db)
    if report.failed:
        print("ingest failures:", [(r.path, r.error) for r in report.failed], file=sys.stderr)
    store = Store.open(db)
    conn = store.conn
    have_themes = False
    if themes:
        try:
            from stratcompare.classify.api import classify_passages

            classify_passages(conn)
            have_themes = conn.execute("SELECT count(*) FROM passage_themes").fetchone()[0] > 0
        except Exception as exc:  # the classifier is another module; its absence only drops the boost
            print(f"themes not available: {exc}", file=sys.stderr)
    judged = load_judgments(JUDGMENTS)
    enc = get_encoder()
    npass = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    rows = []
    variants = [("dense", "dense", None), ("lexical", "lexical", None),
                ("hybrid, no theme boost", "hybrid", FusionParams(theme=0.0))]
    if have_themes:
        variants.append(("hybrid (default, theme boost)", "hybrid", None))
    else:
        variants[-1] = ("hybrid (default; no themes stored)", "hybrid", None)
    for label, mode, params in variants:
        r = evaluate(conn, judged, lambda q: [h.passage_id for h in search(
            conn, q, mode=mode, top_k=10, encoder=enc, params=params)])
        rows.append((label, r["recall@10"], r["mrr"], r["queries"]))
    store.close()
    return rows, npass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000", help="comma-separated passage counts")
    ap.add_argument("--no-relevance", action="store_true")
    ap.add_argument("--no-themes", action="store_true", help="skip classifying the corpus (no theme boost)")
    ap.add_argument("--workdir", default=None, help="where to build the stores (default: a temp dir)")
    args = ap.parse_args()
    import torch

    print(f"# stratcompare search benchmark  ({os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.1f} at start)\n")
    e5 = get_encoder()
    tp = throughput(e5)
    print("## Encoding\n")
    print(f"- e5-small passages/s (synthetic passages of ~{tp['words_per_passage']:.0f} words, batch 32): "
          f"{tp['e5_passages_per_s']:.1f}")
    print(f"- hashing encoder passages/s: {tp['hashing_passages_per_s']:.0f}")
    print(f"- e5-small query encoding: p50 {tp['query_encode_p50_ms']:.1f} ms, p95 {tp['query_encode_p95_ms']:.1f} ms\n")
    qs = queries()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmpd:
        tmp = Path(tmpd)
        for n in [int(x) for x in args.sizes.split(",") if x]:
            path = tmp / f"synthetic-{n}.db"
            b = build(path, n)
            print(f"## {n:,} passages\n")
            print(f"- build: write {b['write_s']:.1f} s, FTS index {b['fts_s']:.1f} s, vectors {b['vectors_s']:.1f} s")
            per = b["bytes"] / n
            print(f"- store size: {b['bytes'] / 1e6:.1f} MB = {per:.0f} bytes/passage", end="")
            if b["tables"]:
                groups = {"passages": 0, "embeddings": 0, "fts": 0}
                for name, nbytes in b["tables"].items():
                    key = "fts" if "fts" in name else ("embeddings" if "embeddings" in name else
                                                      ("passages" if "passages" in name else None))
                    if key:
                        groups[key] += nbytes
                print(" (" + ", ".join(f"{k} {v / n:.0f}" for k, v in groups.items()) + ")", end="")
            print()
            lat = latency(path, n, qs, e5)
            print(f"- first query (loads {n:,} vectors): {lat['first_query_s']:.2f} s; peak RSS {rss_mb():.0f} MB; "
                  f"load average after the timings {os.getloadavg()[0]:.1f}\n")
            print("| mode | p50 excl. encoding | p95 excl. | p50 incl. encoding | p95 incl. |")
            print("|---|---|---|---|---|")
            for mode in ("index", "dense", "lexical", "hybrid"):
                ex = lat[(mode, "excl")]
                inc = lat.get((mode, "incl"))
                label = "dense index only (matrix product + top-k)" if mode == "index" else mode
                inc_s = f"{inc[0]:.1f} ms | {inc[1]:.1f} ms" if inc else "— | —"
                print(f"| {label} | {ex[0]:.1f} ms | {ex[1]:.1f} ms | {inc_s} |")
            print()
            path.unlink()
            for suffix in ("-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            gc.collect()
        if not args.no_relevance:
            rows, npass = relevance(tmp, themes=not args.no_themes)
            print(f"## Relevance ({rows[0][3]} judged queries, bundled corpus: {npass} passages, e5-small)\n")
            print("| mode | recall@10 | MRR |")
            print("|---|---|---|")
            for label, rec, mrr, _ in rows:
                print(f"| {label} | {rec:.3f} | {mrr:.3f} |")
            print()


if __name__ == "__main__":
    main()
