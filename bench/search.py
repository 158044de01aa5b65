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
* Relevance on real documents (tests/fixtures/relevance/field_queries.json: corpus/real/pages,
  corpus/real/pdfs and the bundled corpus): recall@10, nDCG@10 and MRR per half (tune / test) for
  lexical, dense and hybrid, with and without compound splitting, and the precision of the
  "no strong matches" verdict on queries that have no relevant passage.  ``--fit-strength``
  fits the match-strength map and the weak threshold on the tune half and writes
  src/stratcompare/data/search_strength.json.
* ``--baseline REV``: the same latency timings with the search code of git revision REV (its
  src/ is extracted with ``git archive``), run in alternation with this checkout's, so the ratio
  is measured under the same load.

Usage:  python bench/search.py [--sizes 100000,1000000] [--no-relevance] [--no-themes]
                               [--no-field] [--field-db PATH] [--fit-strength] [--baseline REV]
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
sys.path.insert(0, os.environ.get("STRATCOMPARE_SRC") or str(REPO / "src"))  # --baseline runs older code
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stratcompare.embed import get_encoder  # noqa: E402
from stratcompare.embed.storage import text_hash  # noqa: E402
from stratcompare.search import search, sync_fts  # noqa: E402
from stratcompare.search.api import FusionParams  # noqa: E402
from stratcompare.search.evaluate import evaluate, load_judgments  # noqa: E402
sys.path.insert(0, str(REPO / "tests"))  # the synthetic-corpus generator lives with the tests
from synth_text import synthetic_documents, write_documents  # noqa: E402
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
    from synth_text import sentence

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
    ap.add_argument("--no-field", action="store_true", help="skip the real-document relevance set")
    ap.add_argument("--field-db", default=None, help="reuse this ingested+embedded store of the field corpus")
    ap.add_argument("--fit-strength", action="store_true", help="fit the match-strength map on the tune half")
    ap.add_argument("--parts", default="tune,test", help="which halves of the field set to report")
    ap.add_argument("--baseline", default=None, help="git revision whose search latency to time alongside")
    ap.add_argument("--rounds", type=int, default=2, help="alternating latency rounds with --baseline")
    ap.add_argument("--latency-only", default=None, help=argparse.SUPPRESS)  # internal: time this store
    args = ap.parse_args()
    if args.latency_only:
        return latency_only(Path(args.latency_only), int(args.sizes))
    import torch

    print(f"# stratcompare search benchmark  ({os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}, "
          f"load average {os.getloadavg()[0]:.1f} at start)\n")
    if args.baseline:
        return side_by_side(args)
    e5 = get_encoder()
    if not args.no_field and (args.fit_strength or args.field_db):
        return field_section(args, e5)
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
        if not args.no_field:
            field_section(args, e5)


# --- real documents: the field relevance set -------------------------------------------------
FIELD = REPO / "tests" / "fixtures" / "relevance" / "field_queries.json"
FIELD_INPUTS = ["corpus/real/pages", "corpus/real/pdfs", CORPUS]


class CachedQueries:
    """The default encoder with a per-query cache (the variants re-ask the same queries)."""

    def __init__(self, enc):
        self.enc, self.model_id, self.dim, self.cache = enc, enc.model_id, enc.dim, {}

    def encode_queries(self, texts):
        if texts[0] not in self.cache:
            self.cache[texts[0]] = self.enc.encode_queries(texts)
        return self.cache[texts[0]]

    def encode_passages(self, texts, **kw):
        return self.enc.encode_passages(texts, **kw)


def field_store(args, e5) -> Path:
    """Ingest the field corpus (real pages and PDFs + bundled corpus), embed it, classify themes."""
    if args.field_db:
        return Path(args.field_db)
    from stratcompare.ingest.pipeline import ingest_paths

    db = Path(args.workdir or tempfile.mkdtemp()) / "field.db"
    os.chdir(REPO)
    inputs = [str(p) for d in FIELD_INPUTS[:2] for p in sorted(Path(d).iterdir()) if p.suffix in (".txt", ".pdf")]
    report = ingest_paths(inputs + [CORPUS], db=db)
    if report.failed:
        print("ingest failures:", [(r.path, r.error) for r in report.failed], file=sys.stderr)
    store = Store.open(db)
    from stratcompare.search.api import ensure_embeddings

    ensure_embeddings(store.conn, e5)
    if not args.no_themes:
        try:
            from stratcompare.classify.api import classify_passages

            classify_passages(store.conn)
        except Exception as exc:  # the classifier is another module; its absence only drops the boost
            print(f"themes not available: {exc}", file=sys.stderr)
    store.close()
    return db


def _set_compounds(conn, on: bool, context: bool = True) -> None:
    from stratcompare.search import fts
    from stratcompare.search.api import ensure_fts
    from stratcompare.search.index import clear_cache

    fts.COMPOUNDS, fts.CONTEXT = on, context
    clear_cache()  # forget "unchanged since" tokens: the new index version triggers a re-index
    ensure_fts(conn)


def field_section(args, e5) -> None:
    from stratcompare.search.api import search_result
    from stratcompare.search.evaluate import weak_match

    db = field_store(args, e5)
    store = Store.open(db)
    conn = store.conn
    enc = CachedQueries(e5)
    judged = load_judgments(FIELD)
    npass = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    ndocs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    themes = conn.execute("SELECT count(*) FROM passage_themes").fetchone()[0] > 0
    if args.fit_strength:
        fit_strength(conn, [q for q in judged if q.part == "tune"], enc)
    for part in args.parts.split(","):
        js = [q for q in judged if q.part == part]
        rel = [q for q in js if q.items]
        print(f"## Field relevance, {part} half ({len(rel)} judged queries + {len(js) - len(rel)} without a "
              f"relevant passage; {ndocs} documents, {npass} passages; e5-small; themes stored: {themes})\n")
        print("| mode | compounds | recall@10 | nDCG@10 | MRR |")
        print("|---|---|---|---|---|")
        # the settings before issue 12: plain lemma index, old blend weights, every kind, no dedup,
        # no Danish words for English queries
        _set_compounds(conn, False, context=False)
        old = FusionParams(lexical=0.5, theme=0.4, place=0.0, coverage=0.0, synonyms=False)
        r = evaluate(conn, rel, lambda q: [h.passage_id for h in search_result(
            conn, q, mode="hybrid", encoder=enc, top_k=10, params=old, kinds=None, dedup=False, translate=False).hits])
        print(f"| hybrid, settings before issue 12 | off | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | {r['mrr']:.3f} |")
        for comp in (False, True):
            _set_compounds(conn, comp)
            for mode in ("lexical", "dense", "hybrid"):
                if mode == "dense" and comp:
                    continue  # the dense half does not read the FTS index
                r = evaluate(conn, rel, lambda q: [h.passage_id for h in search_result(
                    conn, q, mode=mode, encoder=enc, top_k=10).hits])
                label = "—" if mode == "dense" else ("split" if comp else "off")
                print(f"| {mode} | {label} | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | {r['mrr']:.3f} |")
        # the default without the coverage re-ranking of session 5 (search.api._coverage_rerank)
        r = evaluate(conn, rel, lambda q: [h.passage_id for h in search_result(
            conn, q, mode="hybrid", encoder=enc, top_k=10, params=FusionParams(coverage=0.0)).hits])
        print(f"| hybrid, no coverage re-ranking | split | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | {r['mrr']:.3f} |")
        # the default with the thesaurus expansion of session 6 switched the other way (search.synonyms)
        flip = not FusionParams().synonyms
        for mode in ("lexical", "hybrid"):
            r = evaluate(conn, rel, lambda q: [h.passage_id for h in search_result(
                conn, q, mode=mode, encoder=enc, top_k=10, params=FusionParams(synonyms=flip)).hits])
            label = "with" if flip else "no"
            print(f"| {mode}, {label} thesaurus expansion | split | {r['recall@10']:.3f} | {r['ndcg@10']:.3f} | {r['mrr']:.3f} |")
        flags = {q.id: search_result(conn, q.query, mode="hybrid", encoder=enc).weak for q in js}
        wm = weak_match(flags, js)
        print(f"\n\"No strong matches\" (hybrid): flagged {wm['flagged']} of {wm['queries']} queries; precision "
              f"{wm['precision']:.3f}, recall {wm['recall']:.3f} on the {wm['none_queries']} queries without a "
              "relevant passage\n")
    store.close()


def fit_strength(conn, tune, enc) -> None:
    """Logistic map (cosine, coverage) -> P(relevant) per mode, and the weak threshold on the best hit,
    fitted on the tune half; written to src/stratcompare/data/search_strength.json."""
    import json

    from sklearn.linear_model import LogisticRegression

    from stratcompare.search import strength
    from stratcompare.search.api import search_result
    from stratcompare.search.evaluate import resolve

    _set_compounds(conn, True)
    targets = resolve(conn, tune)
    out = {"about": "Logistic match-strength maps of stratcompare.search.strength, fitted by "
                    "`python bench/search.py --fit-strength` on the tune half of "
                    "tests/fixtures/relevance/field_queries.json (top-10 hits, label = judged relevant).",
           "encoder_prefix": enc.model_id.split("-")[0], "models": {}}
    for mode, feats in (("hybrid", ("cosine", "coverage")), ("dense", ("cosine",)), ("coverage_only", ("coverage",))):
        run_mode = "lexical" if mode == "coverage_only" else mode
        X, y, best = [], [], []
        for q in tune:
            relevant = set().union(*targets[q.id]) if targets[q.id] else set()
            hits = search_result(conn, q.query, mode=run_mode, encoder=enc, top_k=10).hits
            rows = [[h.details.get(f) or 0.0 for f in feats] for h in hits]
            X += rows
            y += [int(h.passage_id in relevant) for h in hits]
            best.append((rows[0] if rows else None, bool(q.items)))
        lr = LogisticRegression(C=10.0, max_iter=1000).fit(np.array(X), np.array(y))
        model = {"bias": round(float(lr.intercept_[0]), 4)}
        model.update({f: round(float(c), 4) for f, c in zip(feats, lr.coef_[0])})
        # threshold on the best hit's strength (computed as strength_of does, rounded): the highest
        # recall on the no-relevant queries at precision >= 0.9 on the tune half, placed in the
        # middle of the gap to the next query's strength.  Rule chosen by 200 random 2-fold splits of
        # the tune half (held-out precision / recall, hybrid 0.934 / 0.933 and lexical 0.835 / 0.614,
        # against 0.905 / 0.855 and 0.821 / 0.788 for "the highest recall at precision >= 0.8" with
        # the threshold just above a flagged query, the first rule; docs/benchmarks.md).
        import math

        def p_of(r):
            z = model["bias"] + sum(model[f] * v for f, v in zip(feats, r))
            return round(1.0 / (1.0 + math.exp(-z)), 3)

        probs = [(p_of(r) if r is not None else 0.0, has) for r, has in best]
        choice, key = 0.0, None
        for t in sorted({p + 0.0005 for p, _ in probs}):
            flagged = [has for p, has in probs if p < t]
            prec = sum(1 for h in flagged if not h) / len(flagged)
            rec = sum(1 for h in flagged if not h) / max(1, sum(1 for _, h in probs if not h))
            k = (prec >= 0.9, rec, -t)
            if key is None or k > key:
                choice, key = t, k
        below, above = [p for p, _ in probs if p < choice], [p for p, _ in probs if p >= choice]
        if below and above:
            choice = (max(below) + min(above)) / 2
        model["weak_below"] = round(choice, 4)
        out["models"][mode] = model
        print(f"fitted {mode}: {model} (tune: precision >= 0.9 {key[0]}, recall {key[1]:.2f})")
    path = REPO / "src" / "stratcompare" / "data" / "search_strength.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    strength.calibration.cache_clear()
    print(f"wrote {path}\n")


# --- latency side by side with an older revision ---------------------------------------------
def latency_only(path: Path, n: int) -> None:
    """(internal) Build ``path`` if needed and print this code's latency row as one JSON line."""
    import json

    if not path.exists():
        build(path, n)
    e5 = get_encoder()
    lat = latency(path, n, queries(), e5)
    print("LATENCY " + json.dumps({f"{m}:{k}": v for (m, k), v in ((key, val) for key, val in lat.items()
                                                                  if isinstance(key, tuple))}))


def side_by_side(args) -> None:
    import json
    import subprocess

    n = int(args.sizes.split(",")[0])
    work = Path(args.workdir or tempfile.mkdtemp())
    old = work / f"baseline-{args.baseline}"
    if not (old / "src").exists():
        old.mkdir(parents=True, exist_ok=True)
        tar = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline, "src"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(old)], input=tar.stdout, check=True)
    versions = {"baseline " + args.baseline: (str(old / "src"), work / "baseline.db"),
                "this checkout": (str(REPO / "src"), work / "current.db")}
    results: dict[str, list[dict]] = {v: [] for v in versions}
    for rnd in range(args.rounds):
        for label, (src, db) in versions.items():
            env = {**os.environ, "STRATCOMPARE_SRC": src, "PYTHONPATH": src}
            out = subprocess.run([sys.executable, __file__, "--latency-only", str(db), "--sizes", str(n)],
                                 env=env, capture_output=True, text=True, check=True).stdout
            row = json.loads(next(ln for ln in out.splitlines() if ln.startswith("LATENCY "))[8:])
            results[label].append(row)
            print(f"round {rnd + 1}, {label}: hybrid p50 {row['hybrid:excl'][0]:.1f} ms, load {os.getloadavg()[0]:.1f}",
                  file=sys.stderr)
    print(f"## Latency at {n:,} passages, side by side ({args.rounds} alternating rounds; median of the rounds' p50/p95)\n")
    print("| mode | " + " | ".join(f"{v} p50 / p95" for v in versions) + " | ratio p50 |")
    print("|---|" + "---|" * len(versions) + "---|")
    for key in ("dense:excl", "lexical:excl", "hybrid:excl", "hybrid:incl"):
        cells, p50s = [], []
        for v in versions:
            p50 = statistics.median(r[key][0] for r in results[v])
            p95 = statistics.median(r[key][1] for r in results[v])
            cells.append(f"{p50:.1f} / {p95:.1f} ms")
            p50s.append(p50)
        label = key.replace(":excl", " (excl. encoding)").replace(":incl", " (incl. encoding)")
        print(f"| {label} | " + " | ".join(cells) + f" | {p50s[1] / p50s[0]:.2f} |")
    print()


if __name__ == "__main__":
    main()
