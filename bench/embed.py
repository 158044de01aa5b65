"""Embedding benchmark: runtimes of e5-small side by side, their quality, start-up, and what the
municipality similarity matrix looks like before and after centring.

Sections (one run; every runtime measured in the same run, in alternation, under the same load):

* Throughput: passages/s of PyTorch fp32 (sentence-transformers, the reference), ONNX Runtime
  fp32 and ONNX Runtime dynamic int8 at batch sizes 1, 16 and 64 on real passages, each runtime in
  its own process (2 threads) so its peak memory (ru_maxrss) is its own; CPU seconds per passage
  too (steadier than wall time on a shared machine).
* Quality: cosine of every real passage's vector to PyTorch fp32 (min, 1st percentile, mean);
  search recall@10 / MRR on the judged field queries (tests/fixtures/relevance/field_queries.json,
  tune and test halves) with the passages and queries encoded by each runtime.  Theme macro-F1 is
  bench/themes.py's job: run it with ``--encoder e5-small-torch`` and ``--encoder
  e5-small-onnx-int8`` (commands printed).
* Cold start: ``/usr/bin/time`` of ``stratcompare search`` (a fresh process: Python start-up,
  imports, model load, one query) per runtime, and the import/load times that make it up.
* Similarity: off-diagonal min/max/std of the municipality similarity from embeddings with
  ``centre=False`` and ``centre=True``, and the Spearman correlation of each with the
  theme-profile similarity (upper triangle, municipalities with >= 5 substantive passages).
* End to end: ``stratcompare run corpus/`` into a fresh database with ``STRATCOMPARE_MODEL=
  e5-small-torch`` (today's runtime) and with the default, alternating, ``--repeat`` times.

The scratch database: corpus/real/pages/*.txt, corpus/real/pdfs/*.pdf and corpus/ ingested,
embedded (default runtime) and classified; reused with ``--db``.

Usage:  python bench/embed.py [--db PATH] [--n 96] [--repeat 1] [--skip throughput,quality,coldstart,similarity,run]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PY = sys.executable
CLI = str(Path(sys.executable).with_name("stratcompare"))
RUNTIMES = ["e5-small-torch", "e5-small-onnx", "e5-small-onnx-int8"]
FIELD = REPO / "tests" / "fixtures" / "relevance" / "field_queries.json"
QUERY = "housing first til unge hjemløse"


def real_passages(n: int) -> list[str]:
    """``n`` paragraphs of the real pages (every 3rd paragraph of at least 40 characters)."""
    out: list[str] = []
    for f in sorted((REPO / "corpus" / "real" / "pages").glob("*.txt")):
        out += [p.strip() for p in f.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) >= 40]
    return out[::3][:n]


# --- workers (run in their own process) ----------------------------------------------------
def worker_throughput(runtime: str, n: int) -> dict:
    from stratcompare.embed import get_encoder

    t0 = time.perf_counter()
    enc = get_encoder(runtime)
    load = time.perf_counter() - t0
    texts = real_passages(n)
    enc.encode_passages(texts[:4], batch_size=4)  # warm-up
    res = {"runtime": runtime, "load_s": round(load, 2), "passages": len(texts)}
    for bs in (1, 16, 64):
        part = texts[: max(16, n // 4)] if bs == 1 else texts
        c0, t0 = time.process_time(), time.perf_counter()
        enc.encode_passages(part, batch_size=bs)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        res[f"bs{bs}"] = {"pps": round(len(part) / wall, 1), "cpu_ms_per_passage": round(1000 * cpu / len(part), 1)}
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return res


def worker_recall(runtime: str, db: str) -> dict:
    """Re-embed ``db`` (a copy) with ``runtime`` and evaluate the judged field queries."""
    from stratcompare.embed import embed_passages, get_encoder
    from stratcompare.search.api import search_result
    from stratcompare.search.evaluate import evaluate, load_judgments
    from stratcompare.store import Store

    enc = get_encoder(runtime)
    out: dict = {"runtime": runtime}
    with Store.open(db) as store:
        conn = store.conn
        conn.execute("DELETE FROM embeddings WHERE model = ?", (enc.model_id,))
        t0 = time.perf_counter()
        out["embedded"] = embed_passages(conn, enc, progress=False)
        out["embed_s"] = round(time.perf_counter() - t0, 1)
        ids = [r[0] for r in conn.execute("SELECT passage_id FROM embeddings WHERE model = ? ORDER BY passage_id", (enc.model_id,))]
        vecs = np.stack([np.frombuffer(r[0], dtype="<f4") for r in conn.execute(
            "SELECT vector FROM embeddings WHERE model = ? ORDER BY passage_id", (enc.model_id,))])
        np.save(db + ".vectors.npy", vecs)
        Path(db + ".ids.json").write_text(json.dumps(ids))
        judged = load_judgments(FIELD)
        for part in ("tune", "test"):
            rel = [q for q in judged if q.part == part and q.items]
            for mode in ("dense", "hybrid"):
                r = evaluate(conn, rel, lambda q: [h.passage_id for h in search_result(
                    conn, q, mode=mode, encoder=enc, top_k=10).hits])
                out[f"{part}/{mode}"] = {"recall@10": round(r["recall@10"], 3), "mrr": round(r["mrr"], 3),
                                         "queries": r["queries"]}
    return out


def _worker(args) -> None:
    kind, *rest = args
    if kind == "throughput":
        print(json.dumps(worker_throughput(rest[0], int(rest[1]))))
    elif kind == "recall":
        print(json.dumps(worker_recall(rest[0], rest[1])))


def run_worker(*args: str) -> dict:
    out = subprocess.run([PY, __file__, "--worker", *args], capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"worker {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- sections ------------------------------------------------------------------------------
def scratch_db(args) -> Path:
    if args.db and Path(args.db).exists():
        return Path(args.db)
    db = Path(args.db or Path(tempfile.mkdtemp()) / "field.db")
    pages = sorted(str(p) for p in (REPO / "corpus" / "real" / "pages").glob("*.txt"))
    pdfs = sorted(str(p) for p in (REPO / "corpus" / "real" / "pdfs").glob("*.pdf"))
    subprocess.run([CLI, "ingest", *pages, *pdfs, "corpus", "--db", str(db)], cwd=REPO, check=False)
    subprocess.run([CLI, "classify", "--db", str(db)], cwd=REPO, check=True)  # embeds (stored) then classifies
    subprocess.run([CLI, "embed", "--db", str(db)], cwd=REPO, check=True)
    return db


def section_throughput(args) -> list[dict]:
    for rt in RUNTIMES:  # build every runtime's model first (not timed)
        run_worker("throughput", rt, "8")
    rows = [run_worker("throughput", rt, str(args.n)) for rt in RUNTIMES]
    print(f"\n### Throughput ({args.n} real passages, 2 cores shared, load {os.getloadavg()[0]:.1f})\n")
    print("| runtime | load s | bs 1 p/s | bs 16 p/s | bs 64 p/s | CPU ms/passage (bs 16) | peak RSS MB |")
    print("|---|---|---|---|---|---|---|")
    base = rows[0]
    for r in rows:
        print(f"| {r['runtime']} | {r['load_s']} | {r['bs1']['pps']} | {r['bs16']['pps']} | {r['bs64']['pps']} | "
              f"{r['bs16']['cpu_ms_per_passage']} | {r['peak_rss_mb']} |")
    for r in rows[1:]:
        ratio = [r[f"bs{b}"]["pps"] / base[f"bs{b}"]["pps"] for b in (1, 16, 64)]
        cpu = base["bs16"]["cpu_ms_per_passage"] / r["bs16"]["cpu_ms_per_passage"]
        print(f"\n{r['runtime']} / torch: {ratio[0]:.1f}x, {ratio[1]:.1f}x, {ratio[2]:.1f}x (bs 1/16/64 wall); "
              f"{cpu:.1f}x less CPU per passage at bs 16", end="")
    print()
    return rows


def section_quality(args, db: Path) -> dict:
    results = {}
    tmp = Path(tempfile.mkdtemp())
    for rt in RUNTIMES:
        copy = tmp / f"{rt}.db"
        shutil.copy(db, copy)
        results[rt] = run_worker("recall", rt, str(copy))
        results[rt]["ids"] = json.loads(Path(str(copy) + ".ids.json").read_text())
        results[rt]["vectors"] = np.load(str(copy) + ".vectors.npy")
    ref = results["e5-small-torch"]
    print(f"\n### Quality against PyTorch fp32 ({len(ref['ids'])} passages of the scratch database)\n")
    print("| runtime | embed s | min cosine | 1st pct | mean | passages < 0.99 | "
          "recall@10 dense tune/test | recall@10 hybrid tune/test | MRR hybrid tune/test |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rt, r in results.items():
        assert r["ids"] == ref["ids"]
        cos = (r["vectors"] * ref["vectors"]).sum(axis=1)
        r["cos"] = {"min": float(cos.min()), "p1": float(np.percentile(cos, 1)), "mean": float(cos.mean()),
                    "below_0.99": int((cos < 0.99).sum())}
        print(f"| {rt} | {r['embed_s']} | {cos.min():.4f} | {np.percentile(cos, 1):.4f} | {cos.mean():.5f} | "
              f"{int((cos < 0.99).sum())} | {r['tune/dense']['recall@10']:.3f} / {r['test/dense']['recall@10']:.3f} | "
              f"{r['tune/hybrid']['recall@10']:.3f} / {r['test/hybrid']['recall@10']:.3f} | "
              f"{r['tune/hybrid']['mrr']:.3f} / {r['test/hybrid']['mrr']:.3f} |")
    print("\nTheme macro-F1 (slow): `nice -n 10 python bench/themes.py --encoder e5-small-torch --folds 5` and "
          "`... --encoder e5-small-onnx-int8 --folds 5`, same labels.")
    return {rt: {k: v for k, v in r.items() if k not in ("ids", "vectors")} for rt, r in results.items()}


def _time(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """(wall s, peak RSS MB, CPU s = user + sys) of ``cmd`` from /usr/bin/time.  On a shared
    machine CPU seconds are what an idle machine's wall time would be, roughly."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", *cmd], capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed: {out.stderr[-2000:]}")
    wall, rss, user, system = out.stderr.strip().splitlines()[-1].split()
    return float(wall), float(rss) / 1024, float(user) + float(system)


def section_coldstart(args, db: Path) -> dict:
    res = {}
    print(f"\n### Cold start of `stratcompare search` (load {os.getloadavg()[0]:.1f})\n")
    print("| runtime | wall s (median of 3) | min | CPU s (median) | peak RSS MB |")
    print("|---|---|---|---|---|")
    for rt in ("e5-small-torch", "e5-small-onnx-int8"):
        env = {**os.environ, "STRATCOMPARE_MODEL": rt}
        cmd = [CLI, "search", QUERY, "--db", str(db), "-k", "3"]
        _time(cmd, env)  # warm the page cache and the index sync
        runs = [_time(cmd, env) for _ in range(3)]
        walls = sorted(r[0] for r in runs)
        cpu = sorted(r[2] for r in runs)[1]
        res[rt] = {"median_s": walls[1], "min_s": walls[0], "cpu_s": cpu, "rss_mb": round(max(r[1] for r in runs))}
        print(f"| {rt} | {walls[1]:.2f} | {walls[0]:.2f} | {cpu:.2f} | {res[rt]['rss_mb']} |")
    parts = {
        "python -c pass": [PY, "-c", "pass"],
        "import stratcompare.cli": [PY, "-c", "import stratcompare.cli"],
        "import onnxruntime, tokenizers": [PY, "-c", "import onnxruntime, tokenizers"],
        "import torch, sentence_transformers": [PY, "-c", "import torch, sentence_transformers"],
        "import spacy + Danish lemma table (lexical search)": [PY, "-c", "from stratcompare.search.lemmas import _nlp; _nlp()"],
        "int8 model load": [PY, "-c", "from stratcompare.embed import get_encoder; get_encoder('e5-small-onnx-int8')"],
        "torch model load": [PY, "-c", "from stratcompare.embed import get_encoder; get_encoder('e5-small-torch')"],
    }
    print("\nWhat it is made of (each a fresh process; median of 3, wall s / CPU s):\n")
    for label, cmd in parts.items():
        runs = [_time(cmd, dict(os.environ)) for _ in range(3)]
        wall, cpu = sorted(r[0] for r in runs)[1], sorted(r[2] for r in runs)[1]
        res[label] = {"wall_s": wall, "cpu_s": cpu}
        print(f"- {label}: {wall:.2f} s / {cpu:.2f} s CPU")
    return res


def section_similarity(db: Path) -> dict:
    from scipy.stats import spearmanr

    from stratcompare.compare.matrices import (_cosine_rows, _kinds, corpus_index, load_vectors,
                                               municipality_mean_vectors, similarity_matrix)
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        conn = store.conn
        themes = similarity_matrix(conn, basis="themes")
        index = corpus_index(conn, kinds=_kinds(False))
        vectors = load_vectors(conn, "e5-small", kinds=_kinds(False))
        out = {}
        print("\n### Municipality similarity from embeddings (e5-small, substantive passages)\n")
        print("| centring | municipalities | off-diagonal min | max | std | Spearman with theme profiles |")
        print("|---|---|---|---|---|---|")
        for centre in (False, True):
            means, counts = municipality_mean_vectors(conn, "e5-small", index, vectors, centre=centre)
            sim = _cosine_rows(means)
            rows = list(index.municipalities)
            keep = [i for i, c in enumerate(counts) if c >= 5 and rows[i] in themes.rows]
            t_ix = [themes.rows.index(rows[i]) for i in keep]
            iu = np.triu_indices(len(keep), k=1)
            e = sim[np.ix_(keep, keep)][iu]
            t = themes.values[np.ix_(t_ix, t_ix)][iu]
            rho = float(spearmanr(e, t).statistic)
            out[f"centre={centre}"] = {"n": len(keep), "min": float(e.min()), "max": float(e.max()),
                                       "std": float(e.std()), "spearman": rho}
            print(f"| {'centred' if centre else 'raw'} | {len(keep)} | {e.min():.3f} | {e.max():.3f} | {e.std():.3f} | {rho:.3f} |")
    return out


def section_run(args) -> dict:
    res: dict = {"e5-small-torch": [], "default": []}
    tmp = Path(tempfile.mkdtemp())
    for i in range(args.repeat):
        for label in ("e5-small-torch", "default"):
            env = dict(os.environ)
            env.pop("STRATCOMPARE_MODEL", None)
            if label != "default":
                env["STRATCOMPARE_MODEL"] = label
            db = tmp / f"run-{label}-{i}.db"
            wall, rss, cpu = _time([CLI, "run", "corpus/", "--db", str(db), "--report", str(tmp / f"r-{label}-{i}.html")], env)
            res[label].append((wall, cpu))
    a, b = (np.median([w for w, _ in res[k]]) for k in ("e5-small-torch", "default"))
    ca, cb = (np.median([c for _, c in res[k]]) for k in ("e5-small-torch", "default"))
    print(f"\n### `stratcompare run corpus/` end to end (fresh database, {args.repeat} alternating run(s) each, "
          f"load {os.getloadavg()[0]:.1f})\n")
    print(f"- PyTorch fp32 (STRATCOMPARE_MODEL=e5-small-torch): {a:.1f} s wall, {ca:.1f} s CPU")
    print(f"- default (ONNX int8): {b:.1f} s wall, {cb:.1f} s CPU")
    print(f"- speed-up: {a / b:.2f}x wall, {ca / cb:.2f}x CPU")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--db", help="scratch database (built if missing)")
    ap.add_argument("--n", type=int, default=96, help="passages for the throughput section")
    ap.add_argument("--repeat", type=int, default=1, help="runs of `stratcompare run corpus/` per runtime")
    ap.add_argument("--skip", default="", help="comma list of sections to skip")
    ap.add_argument("--json", help="write all figures here")
    args = ap.parse_args()
    if args.worker:
        _worker(args.worker)
        return
    skip = set(filter(None, args.skip.split(",")))
    res: dict = {"load_at_start": os.getloadavg()[0]}
    if "throughput" not in skip:
        res["throughput"] = section_throughput(args)
    need_db = not {"quality", "coldstart", "similarity"} <= skip
    db = scratch_db(args) if need_db else None
    if "quality" not in skip:
        res["quality"] = section_quality(args, db)
    if "coldstart" not in skip:
        res["coldstart"] = section_coldstart(args, db)
    if "similarity" not in skip:
        res["similarity"] = section_similarity(db)
    if "run" not in skip:
        res["run"] = section_run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2, default=float))


if __name__ == "__main__":
    main()
