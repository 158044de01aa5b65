"""Train the shipped theme model (models/themes) and write its model card.

Usage: python scripts/train_themes.py [--encoder e5-small] [--labels corpus/labels] [--out models/themes]
                                     [--sentences] [--cv bench-results.json]
                                     [--genre-feature] [--kind-feature] [--genre-offsets]
Same data + encoder + seed give the same model (the card records a fingerprint of the arrays).
``--cv`` takes the JSON that ``python bench/themes.py --json FILE`` writes (grouped
cross-validation by municipality): the card then shows those honest figures with their 95 %
intervals and the learning curve.  ``known_errors.md`` beside the model (written by hand from
the error analysis) is copied into the card.
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


def _cv_section(cv: dict) -> list[str]:
    rows = {r["theme"]: r for r in cv["model"]}
    lines = ["## Grouped cross-validation by municipality (the honest figures)", "",
             f"From `{cv.get('command', 'python bench/themes.py')}`: {cv['folds']} folds over "
             f"{len(cv['groups'])} municipalities, {cv['n_scored']} scored passages (written passages "
             "only ever train). A fold never tests on a municipality it trained on; thresholds and "
             "blend weights are tuned inside each training fold. 95 % intervals: bootstrap over "
             "municipalities.", "",
             "| theme | precision | recall | F1 (95 % CI) | support |", "|---|---|---|---|---|"]
    for t, r in rows.items():
        lo, hi = cv["ci"][t][2]
        plo, phi = cv["ci"][t][0]
        rlo, rhi = cv["ci"][t][1]
        name = f"**{t}**" if t in ("macro", "micro") else t
        lines.append(f"| {name} | {r['precision']:.2f} ({plo:.2f}–{phi:.2f}) | {r['recall']:.2f} "
                     f"({rlo:.2f}–{rhi:.2f}) | {r['f1']:.2f} ({lo:.2f}–{hi:.2f}) | {r['support']} |")
    lines += ["", f"Municipality × theme share matrix, out-of-fold vs labels: Spearman {cv['spearman']:.3f}.", ""]
    if cv.get("curve"):
        lines += ["Learning curve (training folds cut to n municipalities):", "",
                  "| training municipalities | macro-F1 | micro-F1 |", "|---|---|---|"]
        lines += [f"| {c['municipalities']} | {c['macro']:.3f} | {c['micro']:.3f} |" for c in cv["curve"]]
        lines.append("")
    return lines


def _context_note(model) -> str:
    """The context settings in one clause of the card's settings line."""
    parts = []
    if model.genre_feature:
        parts.append("the document's genre (strategy/minutes/news/other) is a one-hot feature of the "
                     "regressions (unknown genre: the training share of each genre)")
    if model.kind_feature:
        parts.append("the passage's kind (content/list/table) is a one-hot feature")
    if model.genre_offsets:
        parts.append("one threshold offset per genre ("
                     + ", ".join(f"{g} {v:+.2f}" for g, v in model.offsets.items()) + ")")
    genres = model.info.get("genres")
    if parts and genres:
        parts.append("training genres " + ", ".join(f"{g} {n}" for g, n in genres.items()))
    return "".join("; " + p for p in parts)


def card(model, labels: Path, out: Path, seconds: float, cv: dict | None = None) -> str:
    cb = model.codebook
    data = load_labels(labels, cb.theme_ids)
    files = (sorted(f for f in labels.glob("*.jsonl") if not f.name.endswith(".todo.jsonl"))
             if labels.is_dir() else [labels])
    digests = {f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:12] for f in files}
    arrays = dict(np.load(out / "model.npz", allow_pickle=False))
    rows = {r["theme"]: r for r in model.cv_scores}
    lines = [
        "# Theme classifier — model card", "",
        f"- Codebook: `{cb.key}` ({len(cb.themes)} themes, `src/stratcompare/data/codebook.toml`; a copy is in this folder)",
        f"- Encoder: `{model.encoder_name}` (dim {model.encoder.dim}); TF-IDF over spaCy lookup lemmas (da), "
        f"{len(model.tfidf.vocab)} uni/bigrams",
        f"- Training data: {len(data)} hand-labelled passages in `corpus/labels/` from "
        f"{len({d.municipality for d in data if d.municipality})} municipalities "
        f"({sum(d.written for d in data)} written (invented) by the team, never scored; {sum(not d.themes for d in data)} "
        "with no theme); files "
        + ", ".join(f"`{k}` (sha256 {v})" for k, v in digests.items()),
        f"- Seed {model.seed}, C={model.C}, {model.cv_folds}-fold CV grouped by municipality for blend "
        "weights and thresholds"
        + ("; long passages are also scored sentence by sentence (max)" if model.sentences else "")
        + _context_note(model)
        + "; "
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
        *(_cv_section(cv) if cv else []),
        "## Inner cross-validated scores (on the training labels)",
        "",
        "Out-of-fold predictions of the final training run, but the thresholds were tuned on the "
        "same predictions, so they are optimistic; the honest figures are the grouped benchmark "
        "above (`python bench/themes.py`, docs/benchmarks.md \"## Themes\").",
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
    flags = "".join(f" --{k.replace('_', '-')}" for k in ("genre_feature", "kind_feature", "genre_offsets")
                    if getattr(model, k))
    known = out / "known_errors.md"
    lines += ["", known.read_text(encoding="utf-8").strip() if known.exists() else "", "",
              "## Limits", "",
              "- With another codebook this model is not used: `stratcompare classify --codebook FILE` "
              "falls back to zero-shot (docs/themes.md).",
              "- Passages of kind heading, toc, procedure and boilerplate are never classified.",
              "",
              f"Retrain: `python bench/themes.py --curve{flags} --json /tmp/cv.json && python scripts/train_themes.py "
              f"--cv /tmp/cv.json{flags}`" + ("" if flags else " (or `stratcompare train --labels corpus/labels`)")
              + ".", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="e5-small")
    ap.add_argument("--labels", default=str(REPO / "corpus" / "labels"))
    ap.add_argument("--out", default=str(REPO / "models" / "themes"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--card-only", action="store_true", help="rewrite MODEL_CARD.md for the saved model")
    ap.add_argument("--sentences", action="store_true", help="also score long passages sentence by sentence")
    ap.add_argument("--genre-feature", action="store_true", help="document genre one-hot as features")
    ap.add_argument("--kind-feature", action="store_true", help="passage kind one-hot as features")
    ap.add_argument("--genre-offsets", action="store_true", help="one threshold offset per genre")
    ap.add_argument("--cv", default=None, help="JSON from `python bench/themes.py --json FILE` for the card")
    args = ap.parse_args()
    labels, out = Path(args.labels), Path(args.out)
    t0 = time.perf_counter()
    if args.card_only:
        from stratcompare.classify import ThemeClassifier

        model = ThemeClassifier.load(out, encoder=get_encoder(args.encoder))
        seconds = float("nan")
    else:
        model = train(labels, codebook=Codebook.load(), out=out, encoder=get_encoder(args.encoder),
                      seed=args.seed, sentences=args.sentences, genre_feature=args.genre_feature,
                      kind_feature=args.kind_feature, genre_offsets=args.genre_offsets)
        seconds = time.perf_counter() - t0
    cv = None
    if args.cv:
        import json

        cv = json.loads(Path(args.cv).read_text(encoding="utf-8"))
    (out / "MODEL_CARD.md").write_text(card(model, labels, out, seconds, cv), encoding="utf-8")
    print(f"saved {out}; CV macro-F1 {model.cv_scores[-2]['f1']:.3f} micro-F1 {model.cv_scores[-1]['f1']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
