"""Benchmark the theme classifier: grouped cross-validation by municipality.

Usage: python bench/themes.py [--encoder e5-small] [--labels corpus/labels] [--folds 10]
                              [--curve] [--write-docs] [--genre-feature] [--kind-feature]
                              [--genre-offsets] [--train-genre label|detected]
                              [--exclude-labels FILE]

Folds are GroupKFold over municipalities: a fold never tests on a municipality it trained on.
Hand-written passages are never tested on; they join every training fold.  Reported, from the
same folds and the same run:
  * the recipe (supervised + zero-shot + keyword blend), per theme P/R/F1 with 95 % intervals
    (bootstrap over municipalities) and macro/micro F1: over every labelled municipality, and
    split by part: the real documents' ``tune`` and ``test`` municipalities
    (corpus/real/split.tsv) and the bundled corpus;
  * a keyword-only baseline (a theme is assigned when any of its codebook terms occurs);
  * the zero-shot model alone (codebook only, no labels);
  * the current model in models/themes, on the labelled passages it was not trained on;
  * the municipality x theme share matrix from out-of-fold predictions against the one from the
    labels (Spearman over all cells);
  * robustness: macro/micro F1 on OCR-damaged copies of the clean test passages (ø->g/@,
    å->a, æ->ae/ee/z, l->I ...) before and after stratcompare.repair.repair_text;
  * with --curve, the learning curve by number of training municipalities;
  * throughput (passages/second, encoding included, single process).
Context (issue 11 item 4): with --genre-feature / --kind-feature / --genre-offsets the recipe
also gets the document genre (and the passage kind) as features or per-genre threshold offsets.
Training folds take a label's genre from its "genre" field (else the genre ingest detects for
its document; --train-genre detected: always the detected one); scored passages always get the
genre ingest detects for their document, as ``classify`` reads documents.genre.
Targets: macro-F1 >= 0.80, micro-F1 >= 0.85, no theme below 0.65, repaired F1 within 0.02 of
clean.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
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
BUNDLED = {"Hjørring", "Køge", "Holstebro", "Haderslev", "Herning"}
CURVE_SIZES = (5, 10, 20, 40)
BOOTSTRAP = 1000


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
    """Wraps an encoder so each distinct text is embedded once across folds, conditions and
    (with ``disk``) runs: vectors are kept in an .npz keyed by the text's sha1."""

    def __init__(self, enc, disk: Path | None = None):
        self.enc, self.model_id, self.dim, self.cache = enc, enc.model_id, enc.dim, {}
        self.disk = disk
        if disk is not None and disk.exists():
            with np.load(disk, allow_pickle=False) as z:
                self.cache = {k: z[k] for k in z.files}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode_passages(self, texts, batch_size: int = 32, show_progress: bool = False):
        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if self._key(t) not in self.cache]
        if todo:
            for t, v in zip(todo, self.enc.encode_passages(todo, batch_size=batch_size)):
                self.cache[self._key(t)] = v
            if self.disk is not None:
                self.disk.parent.mkdir(parents=True, exist_ok=True)
                np.savez(self.disk, **self.cache)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[self._key(t)] for t in texts])

    encode_queries = encode_passages


def keyword_baseline(cb: Codebook, texts: list[str]) -> np.ndarray:
    return np.array([[bool(t.match_terms(x)) for t in cb.themes] for x in texts])


def split_parts() -> dict[str, str]:
    """municipality -> tune | test (the real documents' split, fixed before any tuning)."""
    path = REPO / "corpus" / "real" / "split.tsv"
    rows = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return {r["municipality"]: r["part"] for r in csv.DictReader(rows, delimiter="\t")}


def part_of(municipality: str | None, written: bool, parts: dict[str, str]) -> str:
    if written or not municipality:
        return "written"
    if municipality in parts:
        return parts[municipality]
    return "bundled" if municipality in BUNDLED else "other"


def _load(labels, theme_ids, exclude=()):
    """load_labels, leaving out the label files named in ``exclude`` (file names in the folder),
    so a batch of labels can be measured with and without it on the same folds."""
    path = Path(labels)
    if not exclude or not path.is_dir():
        return load_labels(path, theme_ids)
    files = sorted(f for f in path.glob("*.jsonl")
                   if not f.name.endswith(".todo.jsonl") and f.name not in set(exclude))
    return [d for f in files for d in load_labels(f, theme_ids)]


def grouped_data(labels, codebook=None, n_folds: int = 10, exclude=()):
    """Codebook, labelled passages, texts, label matrix, groups and the grouped folds.

    One group per municipality; GroupKFold with ``n_folds`` folds over the municipalities of the
    passages that are not written; written passages join every training fold and are never
    tested on.  Every theme benchmark uses these same folds.
    """
    from sklearn.model_selection import GroupKFold

    cb = Codebook.load(codebook)
    data = _load(labels, cb.theme_ids, exclude)
    texts = [d.text for d in data]
    Y = label_matrix([d.themes for d in data], cb.theme_ids)
    groups = [d.municipality or "written" for d in data]
    written = np.array([d.written or not d.municipality for d in data])
    idx, always = np.flatnonzero(~written), np.flatnonzero(written)
    g = [groups[i] for i in idx]
    k = min(n_folds, len(set(g)))
    folds = [(np.sort(np.concatenate([idx[tr], always])), idx[te])
             for tr, te in GroupKFold(n_splits=k).split(idx, groups=g)]
    return cb, data, texts, Y, groups, folds


def cluster_bootstrap(Y, P, groups, theme_ids, n=BOOTSTRAP, seed=0) -> dict[str, tuple]:
    """95 % intervals of per-theme P/R/F1 and macro/micro F1, resampling municipalities."""
    rng = np.random.default_rng(seed)
    names = sorted(set(groups))
    rows_of = {g: np.flatnonzero(np.array(groups) == g) for g in names}
    draws: dict[str, list] = {}
    for _ in range(n):
        pick = rng.choice(len(names), size=len(names), replace=True)
        ix = np.concatenate([rows_of[names[p]] for p in pick])
        for r in theme_scores(Y[ix], P[ix], theme_ids):
            draws.setdefault(r["theme"], []).append((r["precision"], r["recall"], r["f1"]))
    return {t: tuple(np.percentile(np.array(v), [2.5, 97.5], axis=0).T.tolist()) for t, v in draws.items()}


def share_matrix_spearman(Y, P, munis) -> float:
    """Spearman between the municipality x theme share matrices of labels and predictions."""
    from scipy.stats import spearmanr

    names = sorted(set(munis))
    a = np.array([Y[np.array(munis) == m].mean(axis=0) for m in names])
    b = np.array([P[np.array(munis) == m].mean(axis=0) for m in names])
    return float(spearmanr(a.ravel(), b.ravel()).statistic)


SENTENCES = False   # set from --sentences
CONTEXT = {}        # ThemeClassifier context settings, set from --genre-feature & co.


def passage_kinds(data) -> tuple[np.ndarray, int, np.ndarray]:
    """The kind ingest gives each labelled passage (matched by text in a scratch database of
    the bundled and real documents, cut as ingest cuts them without repair); a passage whose
    text no longer matches (cut differently since it was labelled) is judged on its own.
    Returns (kinds, number matched, the genre ingest detects for each passage's source
    document — None for written passages)."""
    import tempfile

    from stratcompare.ingest import ingest_paths
    from stratcompare.segment.kinds import classify_kind
    from stratcompare.store import Store

    def norm(t: str) -> str:
        return " ".join(t.split())

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kinds.db"
        ingest_paths([str(REPO / "corpus"), str(REPO / "corpus" / "real")], db=db, repair=False,
                     ocr=False)
        with Store.open(db) as store:
            by_text = {norm(r[0]): r[1] for r in store.conn.execute("SELECT raw_text, kind FROM passages")}
            doc_genre = {str(Path(r[0]).resolve()): r[1]
                         for r in store.conn.execute("SELECT path, genre FROM documents")}
    corpus = REPO / "corpus"
    genres = np.array([None if d.written or not d.source else
                       doc_genre.get(str((corpus / d.source).resolve())) for d in data], dtype=object)
    kinds, matched = [], 0
    for d in data:
        k = by_text.get(norm(d.text))
        if k is None:
            k = classify_kind(d.text, genre=d.extra.get("genre"))
        else:
            matched += 1
        kinds.append(k)
    return np.array(kinds), matched, genres


def _fit(cb, enc, seed, texts, Y, ids, groups, genres=None, kinds=None):
    return ThemeClassifier(cb, encoder=enc, seed=seed, sentences=SENTENCES, **CONTEXT).fit(
        texts, Y, ids=ids, groups=groups, genres=genres, kinds=kinds)


def _ctx(rows, genres, kinds) -> dict:
    """predict()/fit() context arguments for these rows."""
    return {"genres": [genres[i] for i in rows], "kinds": [kinds[i] for i in rows]}


def run(args) -> dict:
    cb, data, texts, Y, groups, folds = grouped_data(args.labels, args.codebook, args.folds, args.exclude_labels)
    parts = split_parts()
    part = np.array([part_of(d.municipality, d.written, parts) for d in data])
    scored = part != "written"
    ocr_seed = np.array([d.source in OCR_DAMAGED_SOURCES for d in data])
    raw_enc = get_encoder(args.encoder)
    # keyed by the encoder's vector version too (fp32, or the int8 recipe): a runtime change
    # starts a new cache instead of mixing vectors of two runtimes
    version = getattr(raw_enc, "vector_version", None)
    stem = args.encoder + (f"@{version}".replace(":", "-") if version else "")
    cache = None if args.encoder == "hashing" else Path.home() / ".cache" / "stratcompare" / "bench" / f"{stem}.npz"
    enc = CachedEncoder(raw_enc, cache)
    P_model = np.zeros(Y.shape, bool)
    P_kw = keyword_baseline(cb, texts)
    rng = random.Random(args.seed)
    test_idx = np.flatnonzero(scored)
    clean_idx = np.array([i for i in test_idx if not ocr_seed[i]], dtype=int)
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
    P_zero = zs.predict(texts)
    ids = [d.id for d in data]
    # Kinds and detected genres first: the context settings train and predict with them.
    kinds, matched, det_genres = passage_kinds(data)
    from stratcompare.classify.labels import normal_genre

    train_genres = (list(det_genres) if args.train_genre == "detected" else
                    [normal_genre(d.extra.get("genre")) or g for d, g in zip(data, det_genres)])
    pred_genres = list(det_genres)
    kinds_l = list(kinds)
    last = None
    t0 = time.perf_counter()
    for k, (tr, te) in enumerate(folds):
        m = _fit(cb, enc, args.seed, [texts[i] for i in tr], Y[tr], [ids[i] for i in tr],
                 [groups[i] for i in tr], **_ctx(tr, train_genres, kinds_l))
        P_model[te] = m.predict([texts[i] for i in te], **_ctx(te, pred_genres, kinds_l))
        te_clean = [i for i in te if i in damaged]
        if te_clean:
            P_dmg[te_clean] = m.predict([damaged[i] for i in te_clean], **_ctx(te_clean, pred_genres, kinds_l))
            if repaired is not None:
                P_rep[te_clean] = m.predict([repaired[i] for i in te_clean], **_ctx(te_clean, pred_genres, kinds_l))
        te_seed = [i for i in te if ocr_seed[i]]
        if te_seed and seed_repaired is not None:
            P_seed_rep[te_seed] = m.predict([seed_repaired[i] for i in te_seed], **_ctx(te_seed, pred_genres, kinds_l))
        print(f"fold {k + 1}/{len(folds)}: {len(set(groups[i] for i in te))} municipalities, "
              f"{len(te)} passages ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
        last = m
    # Throughput: a fresh (uncached) encoder path, the last fold's model, 200 passages.
    last.encoder = raw_enc
    sample = [texts[i] for i in test_idx[:200]]
    t1 = time.perf_counter()
    last.predict(sample, **_ctx(test_idx[:200], pred_genres, kinds_l))
    pps = len(sample) / (time.perf_counter() - t1)

    from stratcompare.segment import SUBSTANTIVE_KINDS

    formal = ~np.isin(kinds, SUBSTANTIVE_KINDS)
    P_raw = P_model.copy()
    P_model[formal] = False          # as classify does: no themes on headings, procedure, ...
    ti = test_idx
    munis = [groups[i] for i in ti]
    res = {
        "n": len(texts), "n_scored": int(scored.sum()), "n_written": int((~scored).sum()),
        "groups": sorted(set(munis)), "folds": len(folds), "encoder": raw_enc.model_id, "pps": pps,
        "parts": {p: int((part == p).sum()) for p in ("tune", "test", "bundled", "other", "written")},
        "no_theme": int((Y[ti].sum(axis=1) == 0).sum()),
        "model": theme_scores(Y[ti], P_model[ti], cb.theme_ids),
        "keyword": theme_scores(Y[ti], P_kw[ti], cb.theme_ids),
        "zeroshot": theme_scores(Y[ti], P_zero[ti], cb.theme_ids),
        "ci": cluster_bootstrap(Y[ti], P_model[ti], munis, cb.theme_ids, seed=args.seed),
        "spearman": share_matrix_spearman(Y[ti], P_model[ti], munis),
        "spearman_kw": share_matrix_spearman(Y[ti], P_kw[ti], munis),
        "model_all_kinds": theme_scores(Y[ti], P_raw[ti], cb.theme_ids),
        "kinds": {"matched": matched, "formal": int(formal[ti].sum()),
                  "formal_with_theme": int((formal[ti] & (Y[ti].sum(axis=1) > 0)).sum())},
        "by_part": {},
        "context": {**CONTEXT, "train_genre": args.train_genre} if CONTEXT else {},
        "genres": {"train": _count(train_genres), "predict": _count(pred_genres)},
    }
    for p in ("tune", "test", "bundled"):
        ix = np.flatnonzero(part == p)
        if len(ix):
            res["by_part"][p] = {"n": len(ix), "model": theme_scores(Y[ix], P_model[ix], cb.theme_ids),
                                 "keyword": theme_scores(Y[ix], P_kw[ix], cb.theme_ids)}
    gen = np.array([g or "unknown" for g in pred_genres])
    res["by_genre"] = {g: {"n": int(len(ix)), "model": theme_scores(Y[ix], P_model[ix], cb.theme_ids),
                           "keyword": theme_scores(Y[ix], P_kw[ix], cb.theme_ids)}
                       for g in ("strategy", "minutes", "news", "other")
                       if len(ix := np.flatnonzero(scored & (gen == g)))}
    res["current"] = _current_model(cb, enc, data, texts, Y, scored, pred_genres, kinds_l)
    ci = clean_idx
    res["robust"] = {
        "clean": theme_scores(Y[ci], P_model[ci], cb.theme_ids),
        "damaged": theme_scores(Y[ci], P_dmg[ci], cb.theme_ids),
    }
    if repaired is not None:
        res["robust"]["repaired"] = theme_scores(Y[ci], P_rep[ci], cb.theme_ids)
        si = np.flatnonzero(ocr_seed)
        if len(si):
            res["seed002"] = {"n": len(si), "raw": theme_scores(Y[si], P_model[si], cb.theme_ids),
                              "repaired": theme_scores(Y[si], P_seed_rep[si], cb.theme_ids)}
    if args.curve:
        res["curve"] = learning_curve(cb, enc, args.seed, texts, Y, ids, groups, folds,
                                      (train_genres, pred_genres, kinds_l))
    return res


def _count(values) -> dict:
    out: dict = {}
    for v in values:
        out[v or "unknown"] = out.get(v or "unknown", 0) + 1
    return out


def _current_model(cb, enc, data, texts, Y, scored, genres, kinds) -> dict | None:
    """The model in models/themes on the scored passages it was not trained on."""
    from stratcompare.classify.api import default_model_dir

    d = default_model_dir()
    if d is None:
        return None
    try:
        m = ThemeClassifier.load(d, codebook=cb, encoder=enc)
    except Exception as exc:  # another encoder, another codebook: say so, do not fail the bench
        return {"note": f"not comparable: {exc}"}
    seen = set(m.train_ids)
    ix = np.array([i for i in np.flatnonzero(scored) if data[i].id not in seen], dtype=int)
    if not len(ix):
        return {"note": "trained on every labelled passage: no held-out passages"}
    P = m.predict([texts[i] for i in ix], **_ctx(ix, genres, kinds))
    return {"n": len(ix), "model": m.model_id, "trained_on": len(seen),
            "scores": theme_scores(Y[ix], P, cb.theme_ids),
            "keyword": theme_scores(Y[ix], keyword_baseline(cb, [texts[i] for i in ix]), cb.theme_ids)}


def learning_curve(cb, enc, seed, texts, Y, ids, groups, folds, ctx) -> list[dict]:
    """Macro/micro F1 (over every other test fold) when each training fold keeps only n of its
    municipalities (drawn with a fixed seed); written passages always stay in."""
    rng = np.random.default_rng(seed)
    out = []
    n_max = max(len({groups[i] for i in tr if groups[i] != "written"}) for tr, _ in folds)
    curve_folds = folds[::2]   # every other fold: half the cost, the same municipalities' mix
    for n in [s for s in CURVE_SIZES if s < n_max] + [n_max]:
        P = np.zeros(Y.shape, bool)
        tested = []
        for tr, te in curve_folds:
            munis = sorted({groups[i] for i in tr if groups[i] != "written"})
            keep = set(rng.choice(munis, size=min(n, len(munis)), replace=False))
            sub = [i for i in tr if groups[i] in keep or groups[i] == "written"]
            m = _fit(cb, enc, seed, [texts[i] for i in sub], Y[sub], [ids[i] for i in sub],
                     [groups[i] for i in sub], **_ctx(sub, ctx[0], ctx[2]))
            P[te] = m.predict([texts[i] for i in te], **_ctx(te, ctx[1], ctx[2]))
            tested.extend(te)
        tested = np.array(sorted(tested))
        s = theme_scores(Y[tested], P[tested], cb.theme_ids)
        out.append({"municipalities": n, "macro": _avg(s, "macro")["f1"], "micro": _avg(s, "micro")["f1"]})
        print(f"curve n={n}: macro {out[-1]['macro']:.3f}", file=sys.stderr)
    return out


def _avg(rows, which):
    return next(r for r in rows if r["theme"] == which)


def _pair(rows) -> str:
    return f"{_avg(rows, 'macro')['f1']:.3f} | {_avg(rows, 'micro')['f1']:.3f}"


def markdown(res: dict, command: str) -> str:
    m, kw, zs, ci = res["model"], res["keyword"], res["zeroshot"], res["ci"]
    parts = res["parts"]
    lines = [
        "## Themes", "",
        f"Command: `{command}`", "",
        f"Grouped cross-validation by municipality (GroupKFold, {res['folds']} folds over "
        f"{len(res['groups'])} municipalities; a fold never tests on a municipality it trained on). "
        f"{res['n']} labelled passages: {parts['tune']} from the real documents' tune municipalities, "
        f"{parts['test']} from their test municipalities, {parts['bundled']} from the bundled corpus, "
        f"{parts['written']} written (never tested on; in every training fold). "
        f"{res['no_theme']} of the {res['n_scored']} scored passages have no theme. "
        f"Encoder: `{res['encoder']}`. Blend weights and thresholds are tuned inside each training "
        "fold only (inner folds grouped by municipality). Intervals: 95 %, bootstrap over "
        "municipalities.", "",
        "| theme | P | R | F1 (95 % CI) | support | keyword F1 | zero-shot F1 |", "|---|---|---|---|---|---|---|",
    ]
    for r, k, z in zip(m, kw, zs):
        if r["theme"] in ("macro", "micro"):
            continue
        lo, hi = ci[r["theme"]][2]
        lines.append(f"| {r['theme']} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} "
                     f"({lo:.2f}–{hi:.2f}) | {r['support']} | {k['f1']:.2f} | {z['f1']:.2f} |")
    for avg in ("macro", "micro"):
        r, k, z = _avg(m, avg), _avg(kw, avg), _avg(zs, avg)
        lo, hi = ci[avg][2]
        lines.append(f"| **{avg}** | {r['precision']:.2f} | {r['recall']:.2f} | **{r['f1']:.2f}** "
                     f"({lo:.2f}–{hi:.2f}) | {r['support']} | {k['f1']:.2f} | {z['f1']:.2f} |")
    lines += ["", "| system | passages | macro-F1 | micro-F1 |", "|---|---|---|---|",
              f"| recipe, all municipalities | {res['n_scored']} | {_pair(m)} |",
              f"| recipe without the kind rule (themes on every kind) | {res['n_scored']} | "
              f"{_pair(res['model_all_kinds'])} |",
              f"| keyword baseline, all | {res['n_scored']} | {_pair(kw)} |",
              f"| zero-shot (codebook only), all | {res['n_scored']} | {_pair(zs)} |"]
    for p, v in res["by_part"].items():
        lines.append(f"| recipe, {p} part | {v['n']} | {_pair(v['model'])} |")
        lines.append(f"| keyword baseline, {p} part | {v['n']} | {_pair(v['keyword'])} |")
    for g, v in res.get("by_genre", {}).items():
        lines.append(f"| recipe, {g} (detected genre) | {v['n']} | {_pair(v['model'])} |")
    cur = res.get("current")
    if cur and "scores" in cur:
        lines.append(f"| current models/themes (`{cur['model']}`, trained on {cur['trained_on']}), "
                     f"held-out passages | {cur['n']} | {_pair(cur['scores'])} |")
        lines.append(f"| keyword baseline, same passages | {cur['n']} | {_pair(cur['keyword'])} |")
    elif cur:
        lines.append(f"| current models/themes | – | {cur['note']} | |")
    if res.get("context"):
        c = res["context"]
        on = ", ".join(k.replace("_", " ") for k in ("genre_feature", "kind_feature", "genre_offsets") if c.get(k))
        lines += ["", f"Context: {on}; training genres from the {'detected genre' if c['train_genre'] == 'detected' else 'labels (detected where missing)'} "
                  f"({res['genres']['train']}), scored passages with the detected genre ({res['genres']['predict']})."]
    kd = res["kinds"]
    lines += ["", f"Kinds: as in `classify`, passages of kind heading, toc, procedure and boilerplate get "
              f"no theme ({kd['formal']} scored passages; {kd['formal_with_theme']} of them carry a gold "
              f"theme). Kinds come from ingesting the documents ({kd['matched']} of {res['n']} label texts "
              "matched a passage; the rest were judged on their own)."]
    lines += ["", f"Municipality × theme share matrix, out-of-fold predictions vs labels: Spearman "
              f"{res['spearman']:.3f} (keyword baseline {res['spearman_kw']:.3f}).", ""]
    weak = [r["theme"] for r in m if r["theme"] not in ("macro", "micro") and r["f1"] < 0.65]
    if "curve" in res:
        lines += ["Learning curve (training folds cut to n municipalities, fixed seed; every other "
                  "fold, so the last row differs a little from the full figure above):", "",
                  "| training municipalities | macro-F1 | micro-F1 |", "|---|---|---|"]
        lines += [f"| {c['municipalities']} | {c['macro']:.3f} | {c['micro']:.3f} |" for c in res["curve"]]
        lines.append("")
    lines += [f"Throughput: {res['pps']:.1f} passages/second (encoding included, one process, shared "
              "2-core machine).", "",
              "Robustness (clean scored passages; simulated damage "
              f"ø→g/@/e, å→a/d, æ→ae/ee/z/ze at rate {DAMAGE_RATE}, word-initial l→I at {L_TO_I_RATE}):", "",
              "| text | macro-F1 | micro-F1 |", "|---|---|---|"]
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
              f"micro-F1 ≥ 0.85 {'met' if ok_micro else 'NOT met'}; no theme below F1 0.65: "
              + ("met." if not weak else "NOT met (" + ", ".join(weak) + ")."), ""]
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
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--sentences", action="store_true", help="score long passages by sentence too (max)")
    ap.add_argument("--genre-feature", action="store_true", help="document genre one-hot as features")
    ap.add_argument("--kind-feature", action="store_true", help="passage kind one-hot as features")
    ap.add_argument("--genre-offsets", action="store_true", help="one threshold offset per genre, learnt out of fold")
    ap.add_argument("--train-genre", choices=("label", "detected"), default="label",
                    help="genre of the training passages: the label's (default) or the detected one")
    ap.add_argument("--curve", action="store_true", help="also the learning curve by training municipalities")
    ap.add_argument("--exclude-labels", action="append", default=[], metavar="FILE",
                    help="leave this label file of the --labels folder out (repeatable), e.g. written2.jsonl")
    ap.add_argument("--write-docs", action="store_true", help="update the '## Themes' section of docs/benchmarks.md")
    ap.add_argument("--json", default=None, help="also write the results as JSON (the model card reads it)")
    args = ap.parse_args()
    global SENTENCES
    SENTENCES = args.sentences
    CONTEXT.update({k: True for k in ("genre_feature", "kind_feature", "genre_offsets") if getattr(args, k)})
    res = run(args)
    cmd = ("python bench/themes.py" + (f" --encoder {args.encoder}" if args.encoder != "e5-small" else "")
           + (" --sentences" if args.sentences else "")
           + "".join(f" --{k.replace('_', '-')}" for k in CONTEXT)
           + (" --train-genre detected" if args.train_genre == "detected" else "")
           + (" --curve" if args.curve else "") + (f" --folds {args.folds}" if args.folds != 10 else "")
           + "".join(f" --exclude-labels {f}" for f in args.exclude_labels))
    md = markdown(res, cmd)
    print(md)
    if args.json:
        import json

        res["command"] = cmd
        Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=1, default=float) + "\n",
                                   encoding="utf-8")
    if args.write_docs:
        write_docs(md, REPO / "docs" / "benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
