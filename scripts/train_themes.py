"""Train the shipped theme model (models/themes) and write its model card.

Usage: python scripts/train_themes.py [--encoder e5-small] [--labels corpus/labels] [--out models/themes]
Same data + encoder + seed give the same model (the card records a fingerprint of the arrays).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from stratcompare.classify import Codebook, train  # noqa: E402
from stratcompare.classify.labels import load_labels  # noqa: E402
from stratcompare.classify.model import fingerprint  # noqa: E402
from stratcompare.embed import get_encoder  # noqa: E402


def card(model, labels: Path, out: Path, seconds: float) -> str:
    cb = model.codebook
    data = load_labels(labels, cb.theme_ids)
    files = sorted(labels.glob("*.jsonl")) if labels.is_dir() else [labels]
    digests = {f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in files}
    arrays = dict(np.load(out / "model.npz", allow_pickle=False))
    rows = {r["theme"]: r for r in model.cv_scores}
    lines = [
        "# Theme classifier — model card", "",
        f"- Codebook: `{cb.key}` ({len(cb.themes)} themes, `src/stratcompare/data/codebook.toml`; a copy is in this folder)",
        f"- Encoder: `{model.encoder_name}` (dim {model.encoder.dim}); TF-IDF over spaCy lookup lemmas (da), "
        f"{len(model.tfidf.vocab)} uni/bigrams",
        f"- Training data: {len(data)} hand-labelled passages in `corpus/labels/` "
        f"({sum(not d.written for d in data)} from the five corpus documents, {sum(d.written for d in data)} written "
        f"by the annotator; {sum(not d.themes for d in data)} with no theme); files "
        + ", ".join(f"`{k}` (sha256 {v})" for k, v in digests.items()),
        f"- Seed {model.seed}, C={model.C}, {model.cv_folds}-fold shuffled CV for blend weights and thresholds; "
        f"array fingerprint `{fingerprint(arrays)}`"
        + (f"; trained in {seconds:.0f} s on a shared 2-core machine" if seconds == seconds else ""),
        "- Files: `model.json` (settings, vocabulary, thresholds, blend weights, training ids and snippets), "
        "`model.npz` (coefficients, intercepts, idf, prototypes, calibration, training embeddings as float16; "
        "load with `allow_pickle=False`), `codebook.toml`. No pickle anywhere.",
        "",
        "## How it decides",
        "",
        "Per theme, a logistic regression over [e5 passage embedding | lemma TF-IDF | zero-shot codebook "
        "logits | matched-term counts | length gate] gives p_sup; the zero-shot codebook score (similarity "
        "to the theme's definition+terms+examples prototype, calibrated on the codebook examples, plus "
        "matched terms) gives p_zs; matched codebook terms alone give p_kw (0, 1/2, 1 for 0, 1, 2+ terms, "
        "length-gated). The probability is w_sup*p_sup + w_zs*p_zs + w_kw*p_kw and the theme is assigned "
        "above its threshold; the weights (0.25 grid) and the threshold are chosen per theme on "
        "out-of-fold predictions. "
        "Evidence per assigned theme: the matched codebook terms and the two nearest labelled passages "
        "with that theme.",
        "",
        "## Cross-validated scores (5-fold, shuffled, on the training labels)",
        "",
        "These are out-of-fold predictions, but the thresholds were tuned on the same out-of-fold "
        "predictions, so they are optimistic. The honest figure is the grouped-by-municipality "
        "benchmark (`python bench/themes.py`, docs/benchmarks.md \"## Themes\").",
        "",
        "| theme | precision | recall | F1 | support | blend sup/zs/kw | threshold |", "|---|---|---|---|---|---|---|",
    ]
    for j, t in enumerate(model.theme_ids):
        r = rows[t]
        lines.append(f"| {t} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | {r['support']} | "
                     f"{'/'.join(f'{w:.2f}' for w in model.blend[j])} | {model.thresholds[j]:.2f} |")
    for avg in ("macro", "micro"):
        r = rows[avg]
        lines.append(f"| **{avg}** | {r['precision']:.2f} | {r['recall']:.2f} | **{r['f1']:.2f}** | {r['support']} | | |")
    lines += [
        "",
        "## Limits",
        "",
        "- One annotator, no second coding yet (see corpus/labels/README.md).",
        "- `rights_accessibility` has only written examples (no disability policy in the corpus); "
        "`mental_health` has 4 corpus examples.",
        "- Five documents from five municipalities: expect lower scores on other document types "
        "(budgets, minutes) and re-train with `stratcompare train --labels` when you have codings.",
        "- With another codebook this model is not used: `stratcompare classify --codebook FILE` "
        "falls back to zero-shot (docs/themes.md).",
        "",
        "Retrain: `python scripts/train_themes.py` (or `stratcompare train --labels corpus/labels`).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="e5-small")
    ap.add_argument("--labels", default=str(REPO / "corpus" / "labels"))
    ap.add_argument("--out", default=str(REPO / "models" / "themes"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--card-only", action="store_true", help="rewrite MODEL_CARD.md for the saved model")
    args = ap.parse_args()
    labels, out = Path(args.labels), Path(args.out)
    t0 = time.perf_counter()
    if args.card_only:
        from stratcompare.classify import ThemeClassifier

        model = ThemeClassifier.load(out, encoder=get_encoder(args.encoder))
        seconds = float("nan")
    else:
        model = train(labels, codebook=Codebook.load(), out=out, encoder=get_encoder(args.encoder), seed=args.seed)
        seconds = time.perf_counter() - t0
    (out / "MODEL_CARD.md").write_text(card(model, labels, out, seconds), encoding="utf-8")
    print(f"saved {out}; CV macro-F1 {model.cv_scores[-2]['f1']:.3f} micro-F1 {model.cv_scores[-1]['f1']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
