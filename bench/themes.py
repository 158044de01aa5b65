"""Benchmark the theme classifier: grouped cross-validation by municipality.

Usage: python bench/themes.py [--encoder e5-small] [--labels corpus/labels] [--write-docs]

Folds are GroupKFold over municipalities (hand-written passages form their own group), so a
fold never tests on a municipality it trained on.  Reported, from the same folds:
  * the model (supervised + zero-shot blend), per theme P/R/F1 and macro/micro F1;
  * a keyword-only baseline (a theme is assigned when any of its codebook terms occurs);
  * the zero-shot model alone (codebook only, no labels);
  * robustness: macro/micro F1 on OCR-damaged copies of the clean test passages (ø->g/@,
    å->a, æ->ae/ee/z, l->I ...) before and after stratcompare.repair.repair_text;
  * throughput (passages/second, encoding included, single process).
Targets: macro-F1 >= 0.80, micro-F1 >= 0.85, repaired F1 within 0.02 of clean.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from stratcompare.classify import Codebook, ThemeClassifier, label_matrix, load_labels  # noqa: E402
from stratcompare.classify.metrics import theme_scores  # noqa: E402
from stratcompare.embed import get_encoder  # noqa: E402

# OCR confusions an English-trained OCR engine makes on Danish (as in the scanned seed text).
DAMAGE = [("ø", ["g", "@", "g", "e"]), ("Ø", ["@", "G"]), ("å", ["a", "a", "a", "d"]), ("Å", ["A"]),
          ("æ", ["ae", "ee", "z", "ze"]), ("Æ", ["AE", "Z"])]
OCR_DAMAGED_SOURCES = {"hjoerring-formaalspapir-2024.pdf"}  # labelled as damaged, see corpus/labels/README.md
DAMAGE_RATE = 0.9        # share of æ/ø/å that get misread
L_TO_I_RATE = 0.15       # word-initial l misread as I


def damage(text: str, rng: random.Random) -> str:
    table = dict(DAMAGE)
    out = []
    for i, ch in enumerate(text):
        if ch in table and rng.random() < DAMAGE_RATE:
            out.append(rng.choice(table[ch]))
        elif ch == "l" and (i == 0 or not text[i - 1].isalpha()) and rng.random() < L_TO_I_RATE:
            out.append("I")
        else:
            out.append(ch)
    return "".join(out)


class CachedEncoder:
    """Wraps an encoder so each distinct text is embedded once across folds and conditions."""

    def __init__(self, enc):
        self.enc, self.model_id, self.dim, self.cache = enc, enc.model_id, enc.dim, {}

    def encode_passages(self, texts, batch_size: int = 32, show_progress: bool = False):
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            for t, v in zip(todo, self.enc.encode_passages(todo, batch_size=batch_size)):
                self.cache[t] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])

    encode_queries = encode_passages


def keyword_baseline(cb: Codebook, texts: list[str]) -> np.ndarray:
    return np.array([[bool(t.match_terms(x)) for t in cb.themes] for x in texts])


def grouped_data(labels, codebook=None):
    """Codebook, labelled passages, texts, label matrix, groups and the grouped folds.

    One group per municipality (written passages form their own), one fold per group: every
    theme benchmark uses these same folds.
    """
    from sklearn.model_selection import GroupKFold

    cb = Codebook.load(codebook)
    data = load_labels(labels, cb.theme_ids)
    texts = [d.text for d in data]
    Y = label_matrix([d.themes for d in data], cb.theme_ids)
    groups = [d.municipality or "written" for d in data]
    folds = list(GroupKFold(n_splits=len(set(groups))).split(np.zeros(len(texts)), groups=groups))
    return cb, data, texts, Y, groups, folds


def run(args) -> dict:
    cb, data, texts, Y, groups, folds = grouped_data(args.labels, args.codebook)
    real = np.array([not d.written for d in data])
    ocr_seed = np.array([d.source in OCR_DAMAGED_SOURCES for d in data])
    raw_enc = get_encoder(args.encoder)
    enc = CachedEncoder(raw_enc)
    P_model = np.zeros(Y.shape, bool)
    P_zero = np.zeros(Y.shape, bool)
    P_kw = keyword_baseline(cb, texts)
    rng = random.Random(args.seed)
    clean_idx = np.flatnonzero(~ocr_seed)
    damaged = {i: damage(texts[i], rng) for i in clean_idx}
    try:
        from stratcompare.repair import repair_text

        repaired = {i: repair_text(t).text for i, t in damaged.items()}
        seed_repaired = {i: repair_text(texts[i]).text for i in np.flatnonzero(ocr_seed)}
    except Exception as exc:  # repair not available: report clean/damaged only
        print(f"repair unavailable: {exc}", file=sys.stderr)
        repaired, seed_repaired = None, None
    P_dmg = np.zeros(Y.shape, bool)
    P_rep = np.zeros(Y.shape, bool)
    P_seed_rep = np.zeros(Y.shape, bool)
    zs = ThemeClassifier.zero_shot(cb, encoder=enc)
    P_zero[:] = zs.predict(texts)
    last = None
    t0 = time.perf_counter()
    for k, (tr, te) in enumerate(folds):
        m = ThemeClassifier(cb, encoder=enc, seed=args.seed).fit(
            [texts[i] for i in tr], Y[tr], ids=[data[i].id for i in tr])
        P_model[te] = m.predict([texts[i] for i in te])
        te_clean = [i for i in te if i in damaged]
        if te_clean:
            P_dmg[te_clean] = m.predict([damaged[i] for i in te_clean])
            if repaired is not None:
                P_rep[te_clean] = m.predict([repaired[i] for i in te_clean])
        te_seed = [i for i in te if ocr_seed[i]]
        if te_seed and seed_repaired is not None:
            P_seed_rep[te_seed] = m.predict([seed_repaired[i] for i in te_seed])
        print(f"fold {k + 1}/{len(folds)} test={sorted(set(groups[i] for i in te))} "
              f"({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
        last = m
    # Throughput: a fresh (uncached) encoder path, the last fold's model, all passages.
    last.encoder = raw_enc
    t1 = time.perf_counter()
    last.predict(texts)
    pps = len(texts) / (time.perf_counter() - t1)

    res = {
        "n": len(texts), "n_real": int(real.sum()), "n_written": int((~real).sum()), "groups": sorted(set(groups)),
        "encoder": raw_enc.model_id, "pps": pps,
        "model": theme_scores(Y, P_model, cb.theme_ids),
        "model_real": theme_scores(Y[real], P_model[real], cb.theme_ids),
        "keyword": theme_scores(Y, P_kw, cb.theme_ids),
        "keyword_real": theme_scores(Y[real], P_kw[real], cb.theme_ids),
        "zeroshot": theme_scores(Y, P_zero, cb.theme_ids),
        "zeroshot_real": theme_scores(Y[real], P_zero[real], cb.theme_ids),
    }
    ci = clean_idx
    res["robust"] = {
        "clean": theme_scores(Y[ci], P_model[ci], cb.theme_ids),
        "damaged": theme_scores(Y[ci], P_dmg[ci], cb.theme_ids),
    }
    if repaired is not None:
        res["robust"]["repaired"] = theme_scores(Y[ci], P_rep[ci], cb.theme_ids)
        si = np.flatnonzero(ocr_seed)
        res["seed002"] = {"n": len(si), "raw": theme_scores(Y[si], P_model[si], cb.theme_ids),
                          "repaired": theme_scores(Y[si], P_seed_rep[si], cb.theme_ids)}
    return res


def _avg(rows, which):
    return next(r for r in rows if r["theme"] == which)


def markdown(res: dict, command: str) -> str:
    m, kw, zs = res["model"], res["keyword"], res["zeroshot"]
    lines = [
        "## Themes", "",
        f"Command: `{command}`", "",
        f"Grouped cross-validation by municipality (GroupKFold, {len(res['groups'])} groups: "
        f"{', '.join(res['groups'])}; a fold never tests on a municipality it trained on). "
        f"{res['n']} labelled passages ({res['n_real']} from the five corpus documents, "
        f"{res['n_written']} written, which form their own group). Encoder: `{res['encoder']}`. "
        "Thresholds and blend weights are tuned inside each training fold only.", "",
        "| theme | P | R | F1 | support | keyword F1 | zero-shot F1 |", "|---|---|---|---|---|---|---|",
    ]
    for r, k, z in zip(m, kw, zs):
        if r["theme"] in ("macro", "micro"):
            continue
        lines.append(f"| {r['theme']} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | "
                     f"{r['support']} | {k['f1']:.2f} | {z['f1']:.2f} |")
    for avg in ("macro", "micro"):
        r, k, z = _avg(m, avg), _avg(kw, avg), _avg(zs, avg)
        lines.append(f"| **{avg}** | {r['precision']:.2f} | {r['recall']:.2f} | **{r['f1']:.2f}** | "
                     f"{r['support']} | {k['f1']:.2f} | {z['f1']:.2f} |")
    mr, kr, zr = res["model_real"], res["keyword_real"], res["zeroshot_real"]
    lines += [
        "",
        "| system | macro-F1 (all) | micro-F1 (all) | macro-F1 (corpus passages only) | micro-F1 (corpus only) |",
        "|---|---|---|---|---|",
        f"| model (blend) | {_avg(m, 'macro')['f1']:.3f} | {_avg(m, 'micro')['f1']:.3f} | "
        f"{_avg(mr, 'macro')['f1']:.3f} | {_avg(mr, 'micro')['f1']:.3f} |",
        f"| keyword baseline | {_avg(kw, 'macro')['f1']:.3f} | {_avg(kw, 'micro')['f1']:.3f} | "
        f"{_avg(kr, 'macro')['f1']:.3f} | {_avg(kr, 'micro')['f1']:.3f} |",
        f"| zero-shot (codebook only) | {_avg(zs, 'macro')['f1']:.3f} | {_avg(zs, 'micro')['f1']:.3f} | "
        f"{_avg(zr, 'macro')['f1']:.3f} | {_avg(zr, 'micro')['f1']:.3f} |",
        "",
        f"Throughput: {res['pps']:.1f} passages/second (encoding included, one process, shared 2-core machine).",
        "",
        "Robustness (clean test passages, i.e. all but the OCR-damaged Hjørring formålspapir; simulated damage "
        f"ø→g/@/e, å→a/d, æ→ae/ee/z/ze at rate {DAMAGE_RATE}, word-initial l→I at {L_TO_I_RATE}):", "",
        "| text | macro-F1 | micro-F1 |", "|---|---|---|",
    ]
    for name, rows in res["robust"].items():
        lines.append(f"| {name} | {_avg(rows, 'macro')['f1']:.3f} | {_avg(rows, 'micro')['f1']:.3f} |")
    if "seed002" in res:
        s = res["seed002"]
        lines += ["", f"Real OCR damage (hjoerring-formaalspapir-2024.pdf, {s['n']} passages, labelled as damaged): micro-F1 "
                  f"{_avg(s['raw'], 'micro')['f1']:.3f} as is, {_avg(s['repaired'], 'micro')['f1']:.3f} after repair_text."]
    rob = res["robust"]
    if "repaired" in rob:
        gap_macro = _avg(rob["clean"], "macro")["f1"] - _avg(rob["repaired"], "macro")["f1"]
        gap_micro = _avg(rob["clean"], "micro")["f1"] - _avg(rob["repaired"], "micro")["f1"]
        lines += ["", f"Clean minus repaired: macro {gap_macro:+.3f}, micro {gap_micro:+.3f} (target ≤ 0.02)."]
    ok_macro = _avg(m, "macro")["f1"] >= 0.80
    ok_micro = _avg(m, "micro")["f1"] >= 0.85
    lines += ["", f"Targets: macro-F1 ≥ 0.80 {'met' if ok_macro else 'NOT met'}; "
              f"micro-F1 ≥ 0.85 {'met' if ok_micro else 'NOT met'}.", ""]
    lines += [
        "Notes:", "",
        "- The model beats the keyword baseline by about 0.03–0.07 F1 overall but not on every theme; "
        "the weakest themes (in this run early_intervention, least_intrusive, citizen_involvement "
        "and evidence_data) are the ones whose boundaries are most a matter of judgement, and the labels "
        "come from a single annotator (no second coding yet, see corpus/labels/README.md).",
        "- rights_accessibility is scored on written passages only (no disability policy in the "
        "corpus); the 'written' fold tests on passages written by the same person who wrote the "
        "other training passages, so its scores are likely optimistic next to a new municipality's.",
        "- The real-OCR figure rests on 21 passages of one document and moves with a handful of "
        "labels: repair_text gives clean Danish here, and the repaired text exposes codebook terms "
        "that the damaged spelling hid, and with them the same keyword-driven errors the model makes "
        "on the clean twin text of the web page.",
        "- Throughput depends heavily on machine load (e5 encoding dominates; 4.5–55 passages/s "
        "were measured on this shared machine during the day); with `--encoder hashing` it is "
        "several hundred passages/s.",
        "",
    ]
    return "\n".join(lines)


def write_docs(section: str, path: Path) -> None:
    """Replace only the '## Themes' section of docs/benchmarks.md (other sections are others')."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pat = re.compile(r"^## Themes\n.*?(?=^## |\Z)", re.S | re.M)
    if pat.search(text):
        text = pat.sub(lambda _: section.rstrip() + "\n\n", text)
    else:
        text = text.rstrip() + "\n\n" + section.rstrip() + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="e5-small")
    ap.add_argument("--labels", default=str(REPO / "corpus" / "labels"))
    ap.add_argument("--codebook", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write-docs", action="store_true", help="update the '## Themes' section of docs/benchmarks.md")
    args = ap.parse_args()
    res = run(args)
    cmd = "python bench/themes.py" + (f" --encoder {args.encoder}" if args.encoder != "e5-small" else "")
    md = markdown(res, cmd)
    print(md)
    if args.write_docs:
        write_docs(md, REPO / "docs" / "benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
