"""How far can the theme classifier go on these labels?  Headroom analysis beside bench/themes.py.

Usage: python bench/themes_ceiling.py [--encoder e5-small] [--labels corpus/labels] [--seed 0]

Same grouped cross-validation by municipality as bench/themes.py.  Prints, from one run:
  * the shipped recipe's macro/micro F1 and, per theme, average precision (ranking quality,
    independent of any threshold);
  * an upper bound on threshold tuning: the best single threshold per theme chosen on the
    *test* predictions themselves (not attainable; it says how much better thresholds could
    ever give with these scores);
  * a learning curve: each training fold subsampled to 40/60/80 % (two draws each), to see
    whether more labels of the same kind would help;
  * the second coder's agreement with the labels (corpus/agreement/second_coder.jsonl) as
    micro/macro F1, beside the model's F1 on the same passages: the human reference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from themes import CachedEncoder, grouped_data  # noqa: E402

from stratcompare.classify import ThemeClassifier, label_matrix  # noqa: E402
from stratcompare.classify.labels import read_jsonl  # noqa: E402
from stratcompare.classify.metrics import theme_scores  # noqa: E402
from stratcompare.embed import get_encoder  # noqa: E402

FRACTIONS = (0.4, 0.6, 0.8)
DRAWS = 2


def _f1(rows, which: str) -> float:
    return next(r for r in rows if r["theme"] == which)["f1"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="e5-small")
    ap.add_argument("--labels", default=str(REPO / "corpus" / "labels"))
    ap.add_argument("--agreement", default=str(REPO / "corpus" / "agreement" / "second_coder.jsonl"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from sklearn.metrics import average_precision_score

    cb, data, texts, Y, _, folds = grouped_data(args.labels)
    # Score only the passages of the test folds: written passages are never in one (they only
    # train), and counting them as predictions of 0 >= threshold 0 gave them every theme.
    scored = np.sort(np.concatenate([te for _, te in folds]))
    Y_all, Y = Y, Y[scored]
    enc = CachedEncoder(get_encoder(args.encoder))

    def run(fraction: float = 1.0, draw: int = 0):
        rng = np.random.default_rng(args.seed + draw)
        proba, thr = np.zeros(Y_all.shape), np.zeros(Y_all.shape)
        for tr, te in folds:
            sub = tr if fraction >= 1 else np.sort(rng.choice(tr, int(len(tr) * fraction), replace=False))
            m = ThemeClassifier(cb, encoder=enc, seed=args.seed).fit([texts[i] for i in sub], Y_all[sub])
            proba[te] = m.predict_proba([texts[i] for i in te])
            thr[te] = m.thresholds
        return proba[scored], thr[scored]

    proba, thr = run()
    full = theme_scores(Y, proba >= thr, cb.theme_ids)
    oracle = np.zeros(Y.shape, bool)
    lines = ["| theme | F1 | average precision | F1 at the best test threshold |", "|---|---|---|---|"]
    grid = np.round(np.arange(0.02, 0.99, 0.01), 2)
    for j, t in enumerate(cb.theme_ids):
        f1s = [theme_scores(Y[:, [j]], (proba[:, [j]] >= g), [t])[0]["f1"] for g in grid]
        oracle[:, j] = proba[:, j] >= grid[int(np.argmax(f1s))]
        ap_j = average_precision_score(Y[:, j], proba[:, j])
        lines.append(f"| {t} | {full[j]['f1']:.2f} | {ap_j:.2f} | {max(f1s):.2f} |")
    best = theme_scores(Y, oracle, cb.theme_ids)
    print(f"Grouped CV, {len(scored)} scored passages of {len(texts)}, encoder {enc.model_id}, seed {args.seed}\n")
    print("\n".join(lines))
    print(f"\n| | macro-F1 | micro-F1 |\n|---|---|---|\n| shipped recipe | {_f1(full, 'macro'):.3f} | {_f1(full, 'micro'):.3f} |")
    print(f"| best threshold per theme, chosen on the test folds (upper bound) | {_f1(best, 'macro'):.3f} | "
          f"{_f1(best, 'micro'):.3f} |")

    print("\nLearning curve (share of each training fold, mean of draws):\n")
    print("| training share | macro-F1 | micro-F1 |\n|---|---|---|")
    for frac in FRACTIONS:
        res = []
        for draw in range(DRAWS):
            p, t = run(frac, draw)
            s = theme_scores(Y, p >= t, cb.theme_ids)
            res.append((_f1(s, "macro"), _f1(s, "micro")))
        print(f"| {frac:.0%} | {np.mean([r[0] for r in res]):.3f} | {np.mean([r[1] for r in res]):.3f} |")
    print(f"| 100% | {_f1(full, 'macro'):.3f} | {_f1(full, 'micro'):.3f} |")

    agree = Path(args.agreement)
    if agree.exists():
        second = {r["id"]: r["themes"] for r in read_jsonl(agree, require_text=False)}
        idx = [k for k, i in enumerate(scored) if data[i].id in second]
        YB = label_matrix([second[data[scored[k]].id] for k in idx], cb.theme_ids).astype(bool)
        coder = theme_scores(Y[idx], YB, cb.theme_ids)
        model = theme_scores(Y[idx], (proba >= thr)[idx], cb.theme_ids)
        print(f"\nOn the {len(idx)} doubly coded passages:\n")
        print("| | macro-F1 | micro-F1 |\n|---|---|---|")
        print(f"| second coder vs labels | {_f1(coder, 'macro'):.3f} | {_f1(coder, 'micro'):.3f} |")
        print(f"| model (grouped CV) vs labels | {_f1(model, 'macro'):.3f} | {_f1(model, 'micro'):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
