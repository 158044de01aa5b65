"""Does a theme-tuned LoRA adapter on e5-small help the theme recipe?  Grouped CV by municipality.

Usage: python bench/themes_adapter.py [--folds 5] [--only 0,1] [--seeds 0] [--top-layers 2]
                                      [--rank 8] [--epochs 2] [--lr 1e-3] [--json FILE]

Same folds as bench/themes.py (``grouped_data``: GroupKFold over municipalities, written
passages in every training fold and never tested on).  In each fold, the SAME recipe
(ThemeClassifier: logistic regressions over embedding + lemma TF-IDF + zero-shot + term counts,
blended with zero-shot and keyword probabilities, thresholds tuned inside the training fold) is
fitted twice: on the plain e5-small vectors and on the vectors of an adapter trained on that
training fold only (never on the fold being scored).  With several seeds, the adapter is trained
once per seed and the recipe's decisions are a majority vote over the seeds.

Reported: macro/micro F1 of both, over every scored passage of the folds run, and split into the
real documents' tune / test municipalities (corpus/real/split.tsv) and the bundled corpus.  Hyper-
parameters are to be chosen on the tune part; the test part is the first-look figure.
Results are written after every fold (``--json``), so a run cut short still says what it covers.

The lower layers' states are computed once per text and cached on disk
(~/.cache/stratcompare/bench/e5-lower-L<split>.npz), since only the top layers are adapted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from themes import grouped_data, part_of, split_parts  # noqa: E402

from stratcompare.classify import ThemeClassifier  # noqa: E402
from stratcompare.classify.adapter_train import AdapterConfig, TopStack, fit_adapter  # noqa: E402
from stratcompare.classify.metrics import theme_scores  # noqa: E402

CACHE = Path.home() / ".cache" / "stratcompare" / "bench"


class FoldEncoder:
    """The stack with one fold's adapter loaded, as an Encoder (each text embedded once)."""

    def __init__(self, stack: TopStack, model_id: str, frozen: bool = False):
        self.stack, self.model_id, self.dim, self.memo = stack, model_id, stack.dim, {}
        self.frozen, self.frozen_now = frozen, False

    def encode_passages(self, texts, batch_size: int = 32, show_progress: bool = False):
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo and self.frozen_now:  # the stack holds another adapter by now
            raise RuntimeError(f"plain encoder asked for {len(todo)} texts not embedded up front")
        if todo:
            for t, v in zip(todo, self.stack.encode(todo)):
                self.memo[t] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])

    encode_queries = encode_passages


def _avg(rows, which):
    r = next(r for r in rows if r["theme"] == which)
    return round(float(r["f1"]), 4)


def summarise(cb, Y, part, done_idx, preds: dict[str, np.ndarray]) -> dict:
    out = {}
    for p in ("all", "tune", "test", "bundled"):
        ix = done_idx if p == "all" else done_idx[part[done_idx] == p]
        if not len(ix):
            continue
        out[p] = {"n": int(len(ix))}
        for name, P in preds.items():
            s = theme_scores(Y[ix], P[ix], cb.theme_ids)
            out[p][name] = {"macro": _avg(s, "macro"), "micro": _avg(s, "micro"),
                            "per_theme": {r["theme"]: round(float(r["f1"]), 3) for r in s
                                          if r["theme"] not in ("macro", "micro")}}
    return out


def run(args) -> dict:
    import torch

    torch.set_num_threads(2)
    cb, data, texts, Y, groups, folds = grouped_data(args.labels, args.codebook, args.folds)
    parts = split_parts()
    part = np.array([part_of(d.municipality, d.written, parts) for d in data])
    ids = [d.id for d in data]
    stack = TopStack(top_layers=args.top_layers, rank=args.rank, alpha=2.0 * args.rank)
    lower_cache = CACHE / f"e5-lower-L{stack.split}.npz"
    stack.load_cache(lower_cache)
    n_loaded = len(stack.cache)
    # The plain side: the same PyTorch fp32 stack with a zero adapter (B = 0), so the two sides
    # differ only by the adapter (not by runtime or cache).  Every text the recipe will embed
    # is embedded now, before any adapter is trained.
    stack.reset(0)
    plain = FoldEncoder(stack, "e5-small", frozen=True)
    plain.encode_passages(list(texts) + [x for t in cb.themes for x in (*t.prototype_texts(), *t.examples)])
    plain.frozen_now = True
    n_cached = len(stack.cache)
    if n_cached > n_loaded:
        stack.save_cache(lower_cache)
    seeds = [int(s) for s in args.seeds.split(",")]
    only = [int(i) for i in args.only.split(",")] if args.only else list(range(len(folds)))
    preds = {"plain": np.zeros(Y.shape, bool), "adapter_vote": np.zeros(Y.shape, bool)}
    preds.update({f"adapter_seed{s}": np.zeros(Y.shape, bool) for s in seeds})
    done: list[int] = []
    res = {"config": vars(args) | {"split_layer": stack.split}, "folds_total": len(folds), "folds_run": [],
           "fold_seconds": []}
    t0 = time.perf_counter()
    for k in only:
        tr, te = folds[k]
        tf = time.perf_counter()
        tr_texts, te_texts = [texts[i] for i in tr], [texts[i] for i in te]
        tr_ids, tr_groups = [ids[i] for i in tr], [groups[i] for i in tr]
        m = ThemeClassifier(cb, encoder=plain, seed=args.seed).fit(tr_texts, Y[tr], ids=tr_ids, groups=tr_groups)
        preds["plain"][te] = m.predict(te_texts)
        votes = []
        for s in seeds:
            cfg = AdapterConfig(rank=args.rank, alpha=2.0 * args.rank, top_layers=args.top_layers,
                                epochs=args.epochs, lr=args.lr, max_seq_length=args.max_len, seed=s)
            fit_adapter(stack, tr_texts, Y[tr], cfg,
                        log=lambda msg: print(f"fold {k} seed {s}: {msg}", file=sys.stderr, flush=True))
            if len(stack.cache) > n_cached:  # lower states are reused by later runs
                stack.save_cache(lower_cache)
                n_cached = len(stack.cache)
            enc = FoldEncoder(stack, f"e5-small+lora-fold{k}-seed{s}")
            ma = ThemeClassifier(cb, encoder=enc, seed=args.seed).fit(tr_texts, Y[tr], ids=tr_ids, groups=tr_groups)
            p = ma.predict(te_texts)
            preds[f"adapter_seed{s}"][te] = p
            votes.append(p)
        preds["adapter_vote"][te] = np.mean(votes, axis=0) > 0.5
        done.extend(int(i) for i in te)
        res["folds_run"].append(k)
        res["fold_seconds"].append(round(time.perf_counter() - tf))
        res["scores"] = summarise(cb, Y, part, np.array(sorted(done)), preds)
        res["municipalities_scored"] = sorted({groups[i] for i in done})
        res["seconds"] = round(time.perf_counter() - t0)
        a = res["scores"]["all"]
        print(f"fold {k} done ({res['fold_seconds'][-1]}s): all n={a['n']} plain {a['plain']['macro']:.3f}/"
              f"{a['plain']['micro']:.3f} adapter {a['adapter_vote']['macro']:.3f}/{a['adapter_vote']['micro']:.3f}",
              file=sys.stderr, flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return res


def table(res: dict) -> str:
    seeds = [k for k in next(iter(res["scores"].values())) if k.startswith("adapter_seed")]
    lines = ["| part | passages | plain e5 macro / micro | adapter (vote) macro / micro | "
             + " | ".join(f"{s.replace('adapter_', '')} macro / micro" for s in seeds) + " |",
             "|---|---|---|---|" + "---|" * len(seeds)]
    for p, v in res["scores"].items():
        cells = [f"{v[n]['macro']:.3f} / {v[n]['micro']:.3f}" for n in ["plain", "adapter_vote", *seeds]]
        lines.append(f"| {p} | {v['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", default=str(REPO / "corpus" / "labels"))
    ap.add_argument("--codebook", default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated fold indices to run (default: all)")
    ap.add_argument("--seed", type=int, default=0, help="the recipe's seed")
    ap.add_argument("--seeds", default="0", help="adapter seeds (comma-separated; >1 = majority vote)")
    ap.add_argument("--top-layers", type=int, default=2)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--max-len", type=int, default=128, help="training sequence length (tokens)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    res = run(args)
    print(table(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
