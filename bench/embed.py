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

* Int8 recipes (``--recipes int8,int8-ffnout32,...``): PyTorch fp32, ONNX fp32 and each int8
  recipe of onnx_export.INT8_RECIPES side by side in one run: throughput with ratios to PyTorch,
  cosine per passage, recall@10 on one part of the field queries (``--parts tune`` to choose,
  then ``--parts test`` for the first look over the same vectors), theme macro-F1 by part.

Usage:  python bench/embed.py [--db PATH] [--n 96] [--repeat 1] [--skip throughput,quality,coldstart,similarity,run]
        python bench/embed.py --db PATH --recipes int8,int8-ffnout32 --parts tune --workdir DIR
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
def encoder_for(spec: str):
    """A runtime name for get_encoder, or ``recipe:FOLDER`` (an int8 recipe built by --recipes)."""
    if spec.startswith("recipe:"):
        from stratcompare.embed.onnx_encoder import OnnxEncoder

        enc = OnnxEncoder("e5-small", spec.split(":", 1)[1], "int8", verify=False)
        enc.vector_version = f"int8:{label(spec)}"
        return enc
    from stratcompare.embed import get_encoder

    return get_encoder(spec)


def label(spec: str) -> str:
    return Path(spec.split(":", 1)[1]).name if spec.startswith("recipe:") else spec


def worker_throughput(runtime: str, n: int) -> dict:
    t0 = time.perf_counter()
    enc = encoder_for(runtime)
    load = time.perf_counter() - t0
    texts = real_passages(n)
    enc.encode_passages(texts[:4], batch_size=4)  # warm-up
    res = {"runtime": label(runtime), "load_s": round(load, 2), "passages": len(texts)}
    for bs in (1, 16, 64):
        part = texts[: max(16, n // 4)] if bs == 1 else texts
        c0, t0 = time.process_time(), time.perf_counter()
        enc.encode_passages(part, batch_size=bs)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        res[f"bs{bs}"] = {"pps": round(len(part) / wall, 1), "cpu_ms_per_passage": round(1000 * cpu / len(part), 1)}
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return res


def worker_recall(runtime: str, db: str, parts: str = "tune,test") -> dict:
    """Re-embed ``db`` (a copy) with ``runtime`` and evaluate the judged field queries of ``parts``.

    A copy already embedded by this worker (``db``.vectors.npy present) is evaluated as it is, so
    the test half can be looked at later over exactly the vectors the choice was made with."""
    from stratcompare.embed import embed_passages
    from stratcompare.search.api import search_result
    from stratcompare.search.evaluate import evaluate, load_judgments
    from stratcompare.store import Store

    enc = encoder_for(runtime)
    out: dict = {"runtime": label(runtime)}
    with Store.open(db) as store:
        conn = store.conn
        if not Path(db + ".vectors.npy").exists():
            conn.execute("DELETE FROM embeddings WHERE model = ?", (enc.model_id,))
            t0 = time.perf_counter()
            out["embedded"] = embed_passages(conn, enc, progress=False)
            out["embed_s"] = round(time.perf_counter() - t0, 1)
            ids = [r[0] for r in conn.execute("SELECT passage_id FROM embeddings WHERE model = ? ORDER BY passage_id", (enc.model_id,))]
            vecs = np.stack([np.frombuffer(r[0], dtype="<f4") for r in conn.execute(
                "SELECT vector FROM embeddings WHERE model = ? ORDER BY passage_id", (enc.model_id,))])
            np.save(db + ".vectors.npy", vecs)
            Path(db + ".ids.json").write_text(json.dumps(ids))
            Path(db + ".embed.json").write_text(json.dumps({k: out[k] for k in ("embedded", "embed_s")}))
        else:
            out.update(json.loads(Path(db + ".embed.json").read_text()))
        judged = load_judgments(FIELD)
        for part in parts.split(","):
            rel = [q for q in judged if q.part == part and q.items]
            for mode in ("dense", "hybrid"):
                r = evaluate(conn, rel, lambda q: [h.passage_id for h in search_result(
                    conn, q, mode=mode, encoder=enc, top_k=10).hits])
                out[f"{part}/{mode}"] = {"recall@10": round(r["recall@10"], 3), "mrr": round(r["mrr"], 3),
                                         "queries": r["queries"]}
    return out


def worker_themes(runtime: str, labels: str, folds: int, out_json: str) -> dict:
    """bench/themes.py's grouped cross-validation with ``runtime`` as the encoder (its text->vector
    cache under ~/.cache/stratcompare/bench is keyed by the runtime, for a recipe by its file's
    sha256): macro/micro-F1 over all scored passages and by part, written to ``out_json``."""
    import contextlib
    import hashlib
    import importlib.util

    bench = Path(labels).parent / "themes.py"  # the snapshot taken with the labels
    spec = importlib.util.spec_from_file_location("themes_snapshot", bench if bench.exists() else REPO / "bench" / "themes.py")
    themes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(themes)
    themes.REPO = REPO  # the snapshot reads corpus/real/split.tsv of this checkout
    enc = encoder_for(runtime)
    name = runtime
    if runtime.startswith("recipe:"):
        model = Path(runtime.split(":", 1)[1]) / "model-int8.onnx"
        name = f"e5-small-{label(runtime)}-{hashlib.sha256(model.read_bytes()).hexdigest()[:8]}"
    themes.get_encoder = lambda _name: enc
    full = out_json + ".full.json"
    sys.argv = ["themes.py", "--encoder", name, "--labels", labels, "--folds", str(folds), "--json", full]
    with contextlib.redirect_stdout(sys.stderr):  # its markdown; our stdout is the JSON line
        themes.main()
    res = json.loads(Path(full).read_text())

    def macro(rows, key="f1"):
        return {r["theme"]: round(r[key], 4) for r in rows if r["theme"] in ("macro", "micro")}

    out = {"runtime": label(runtime), "all": macro(res["model"]), "pps": round(res["pps"], 1),
           "zeroshot": macro(res["zeroshot"]), "n": res["n_scored"]}
    for p, v in res["by_part"].items():
        out[p] = macro(v["model"])
    Path(out_json).write_text(json.dumps(out))
    return out


def _worker(args) -> None:
    kind, *rest = args
    if kind == "throughput":
        print(json.dumps(worker_throughput(rest[0], int(rest[1]))))
    elif kind == "recall":
        print(json.dumps(worker_recall(*rest)))
    elif kind == "build":
        print(json.dumps(worker_build(*rest)))
    elif kind == "themes":
        print(json.dumps(worker_themes(rest[0], rest[1], int(rest[2]), rest[3])))


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


def build_recipes(names: list[str], work: Path) -> list[str]:
    """``recipe:FOLDER`` specs, each folder holding one int8 recipe quantised from the cached fp32
    ONNX graph (built on first use like the default) and the tokenizer; built once per workdir."""
    from stratcompare.embed.onnx_encoder import FILES

    specs = []
    for name in names:
        folder = work / "recipes" / name
        if not (folder / FILES["int8"]).exists():
            # in a worker: quantising peaks at ~2.5 GB, and a child process inherits its parent's
            # peak RSS figure, which would spoil the throughput workers' memory column
            run_worker("build", name, str(folder))
        specs.append(f"recipe:{folder}")
    return specs


def worker_build(name: str, folder: str) -> dict:
    from stratcompare.config import cache_dir
    from stratcompare.embed.onnx_encoder import FILES, ensure_onnx_folder
    from stratcompare.embed.onnx_export import quantize_int8

    src, folder = ensure_onnx_folder(cache_dir(), "fp32"), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    quantize_int8(src / FILES["fp32"], folder / "partial.onnx", name)
    os.replace(folder / "partial.onnx", folder / FILES["int8"])
    shutil.copy(src / "tokenizer.json", folder / "tokenizer.json")
    return {"recipe": name, "build_s": round(time.perf_counter() - t0, 1),
            "mb": round((folder / FILES["int8"]).stat().st_size / 1e6)}


def section_recipes(args, db: Path | None) -> dict:
    """PyTorch fp32, ONNX fp32 and the int8 recipes side by side in one run: throughput (``--rounds``
    alternating rounds, ratios to PyTorch taken within each round, then the median), cosine of
    every passage to PyTorch, hybrid/dense recall@10 on ``--parts`` of the field queries, theme
    macro-F1 (bench/themes.py's folds).  Embedded copies and theme results stay in ``--workdir``,
    so a later ``--parts test`` run looks at the test half over the same vectors."""
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    specs = ["e5-small-torch", "e5-small-onnx"] + build_recipes(args.recipes.split(","), work)
    names = [label(s) for s in specs]
    parts = args.parts.split(",")
    res: dict = {"parts": parts, "runtimes": names}
    skip = set(filter(None, args.skip.split(",")))
    if "throughput" not in skip:
        for spec in specs:  # warm-up (page cache, first-use builds), not timed
            run_worker("throughput", spec, "8")
        rounds = []
        for _ in range(args.rounds):
            rounds.append({label(s): run_worker("throughput", s, str(args.n)) for s in specs})
        res["throughput"] = rounds
        print(f"\n### Throughput ({args.n} real paragraphs, {args.rounds} alternating round(s), 2 threads each, "
              f"load {os.getloadavg()[0]:.1f} at the end)\n")
        print("| runtime | bs 1 p/s | bs 16 p/s | bs 64 p/s | × torch bs 1 / 16 / 64 | CPU ms/passage bs 16 | × less CPU | load s | peak RSS MB |")
        print("|---|---|---|---|---|---|---|---|---|")
        for n in names:
            med = {b: float(np.median([r[n][f"bs{b}"]["pps"] for r in rounds])) for b in (1, 16, 64)}
            ratio = {b: float(np.median([r[n][f"bs{b}"]["pps"] / r["e5-small-torch"][f"bs{b}"]["pps"] for r in rounds]))
                     for b in (1, 16, 64)}
            cpu = float(np.median([r[n]["bs16"]["cpu_ms_per_passage"] for r in rounds]))
            cpu_x = float(np.median([r["e5-small-torch"]["bs16"]["cpu_ms_per_passage"] / r[n]["bs16"]["cpu_ms_per_passage"]
                                     for r in rounds]))
            load = float(np.median([r[n]["load_s"] for r in rounds]))
            rss = max(r[n]["peak_rss_mb"] for r in rounds)
            print(f"| {n} | {med[1]:.1f} | {med[16]:.1f} | {med[64]:.1f} | {ratio[1]:.1f} / {ratio[16]:.1f} / "
                  f"{ratio[64]:.1f} | {cpu:.1f} | {cpu_x:.1f} | {load:.2f} | {rss} |")
    if "quality" not in skip:
        q = {}
        for spec, n in zip(specs, names):
            copy = work / "quality" / f"{n}.db"
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(db, copy)
            q[n] = run_worker("recall", spec, str(copy), ",".join(parts))
            q[n]["vectors"] = np.load(str(copy) + ".vectors.npy")
            q[n]["ids"] = json.loads(Path(str(copy) + ".ids.json").read_text())
        ref = q["e5-small-torch"]
        print(f"\n### Cosine to PyTorch fp32 ({len(ref['ids'])} passages) and search on the field queries, "
              f"part(s) {'/'.join(parts)}\n")
        print("| runtime | embed s | min cos | 1st pct | mean | < 0.99 | " +
              " | ".join(f"{p} dense R@10 | {p} hybrid R@10 | {p} hybrid MRR" for p in parts) + " |")
        print("|---|---|---|---|---|---|" + "---|---|---|" * len(parts))
        for n, r in q.items():
            assert r["ids"] == ref["ids"]
            cos = (r["vectors"] * ref["vectors"]).sum(axis=1)
            r["cos"] = {"min": float(cos.min()), "p1": float(np.percentile(cos, 1)), "mean": float(cos.mean()),
                        "below_0.99": int((cos < 0.99).sum())}
            cells = " | ".join(f"{r[p + '/dense']['recall@10']:.3f} | {r[p + '/hybrid']['recall@10']:.3f} | "
                               f"{r[p + '/hybrid']['mrr']:.3f}" for p in parts)
            print(f"| {n} | {r['embed_s']} | {cos.min():.4f} | {np.percentile(cos, 1):.4f} | {cos.mean():.5f} | "
                  f"{r['cos']['below_0.99']} | {cells} |")
        res["quality"] = {n: {k: v for k, v in r.items() if k not in ("ids", "vectors")} for n, r in q.items()}
    if "themes" not in skip:
        labels = work / "labels"
        if not labels.exists():  # one snapshot of corpus/labels and bench/themes.py for every runtime and look
            shutil.copytree(Path(args.labels), labels)
            shutil.copy(REPO / "bench" / "themes.py", work / "themes.py")
        t = {}
        for spec, n in zip(specs, names):
            out = work / "themes" / f"{n}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            if not out.exists():
                run_worker("themes", spec, str(labels), str(args.folds), str(out))
            t[n] = json.loads(out.read_text())
        shown = [p for p in ("tune", "bundled", "test", "all") if p in parts or p == "bundled" or
                 (p == "all" and "test" in parts)]
        ref = t["e5-small-torch"]
        print(f"\n### Theme macro-F1 (bench/themes.py, {args.folds} folds by municipality, labels snapshot "
              f"{labels})\n")
        print("| runtime | " + " | ".join(f"{p} macro (Δ)" for p in shown) + " | classifier p/s |")
        print("|---|" + "---|" * len(shown) + "---|")
        for n, r in t.items():
            cells = " | ".join(f"{r[p]['macro']:.3f} ({r[p]['macro'] - ref[p]['macro']:+.3f})" for p in shown)
            print(f"| {n} | {cells} | {r['pps']} |")
        res["themes"] = {n: {p: r[p] for p in shown} for n, r in t.items()}
    return res


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
        "int8 model load": [PY, "-c", "from stratcompare.embed import get_encoder; get_encoder('e5-small-onnx-int8').load()"],
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
    ap.add_argument("--recipes", help="int8 recipes to set beside PyTorch and ONNX fp32 (onnx_export.INT8_RECIPES, "
                    "comma list); runs only this comparison (--skip throughput,quality,themes skips parts of it)")
    ap.add_argument("--parts", default="tune", help="field-query / theme parts shown by --recipes: tune, then test")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "stratcompare-embed-recipes"),
                    help="--recipes keeps its models, embedded copies and theme results here")
    ap.add_argument("--rounds", type=int, default=2, help="alternating throughput rounds for --recipes")
    ap.add_argument("--folds", type=int, default=5, help="theme cross-validation folds for --recipes")
    ap.add_argument("--labels", default=str(REPO / "corpus" / "labels"), help="labels for --recipes' theme F1")
    args = ap.parse_args()
    if args.worker:
        _worker(args.worker)
        return
    skip = set(filter(None, args.skip.split(",")))
    res: dict = {"load_at_start": os.getloadavg()[0]}
    if args.recipes:
        need = not {"quality"} <= skip
        res["recipes"] = section_recipes(args, scratch_db(args) if need else None)
        if args.json:
            Path(args.json).write_text(json.dumps(res, indent=2, default=float))
        return
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
