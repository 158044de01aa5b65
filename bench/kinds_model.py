"""Experiment: does a small statistical model beside the hand rules generalise better for
passage kinds (issue 9: procedure and boilerplate) than the rules alone?

The rules (``segment.kinds.refine_kinds``) plateau: each new invented dev batch brings wordings
no rule has seen.  This script asks whether a seeded logistic regression over n-grams of the
passage text plus the rule's own verdict picks up formalities the rules miss on passages it
has not seen.

Items (one per judged passage, exactly as bench/kinds.py judges them):
* tune part of corpus/real/kinds_labels.jsonl (group = municipality); the test part is never
  read unless ``--test`` is given, and then only its aggregate figures are printed;
* the dev batches of tests/fixtures/kinds_dev/ (group = batch), cut by ``segment_pages`` and
  labelled by the label covering most of each passage, as ``bench/kinds.py --dev``.  The batch
  list is fixed (``BATCHES``: dev, dev2 ... dev14), so batches written later are left out.

Features: TF-IDF of lower-cased words 1-2 and characters 3-5 (char_wb), the rule kind
(one-hot), the structural kind, the detected genre, the position and edge flags, log length,
number of lines.  Model: ``LogisticRegression(C=..., random_state=0)``.

Combinations compared with the rules on the same passages:
* ``model``: the model decides;
* ``override@t``: the model's kind replaces the rule's when its probability is >= t;
* ``formal@t``: only where the rules say content/list/heading, the model may say
  procedure/boilerplate when that probability is >= t (catches missed formalities only);
* ``prose@t``: as ``formal@t``, but only where the rules say content/list and the segmenter did
  not cut a heading (headings stay headings).

Evaluation: leave-one-batch-out over the dev batches (train on tune + the other batches) and
leave-one-municipality-out over the tune part (train on the other tune municipalities + all
batches); overall accuracy, procedure and boilerplate recall.

First look through time (``--first-look N``): the rules of today have been changed after each
batch was measured, so on the batches they are no longer a held-out baseline.  With
``KINDS_MODEL_SRC`` pointing at ``src/`` of the commit that added batch bN (``git archive``),
the rules are those bN was first measured with; the model is trained on tune + the batches
before bN (rule kinds from those same rules) and tested on bN.

The package's model (segment/kinds_model.py holds the features and the numpy model, one copy;
this script only fits): ``--train`` fits it seeded on the tune part + the batches of
``TRAIN_BATCHES`` (dev, dev2 ... dev18; never the test part) with threshold ``THRESHOLD`` and
writes ``src/stratcompare/data/lang/da/kinds_model.npz``.  For ``--first-look`` with an older
``KINDS_MODEL_SRC``, copy today's ``segment/kinds_model.py`` into that tree.

Usage:  python bench/kinds_model.py [--C 4] [--rule-weight 0] [--test] [--train [NPZ]]
        KINDS_MODEL_SRC=/tmp/x/src python bench/kinds_model.py --first-look 11
        (``--test`` trains on tune + all batches and prints the test part's aggregate figures)
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

import realdocs  # noqa: E402  (puts the repo's src/ first on sys.path)

if os.environ.get("KINDS_MODEL_SRC"):  # an older src/ (git archive): the rules of that commit
    sys.path.insert(0, os.environ["KINDS_MODEL_SRC"])

import kinds as kb  # noqa: E402  bench/kinds.py

from stratcompare.segment import segment_pages  # noqa: E402
from stratcompare.segment.kinds import KINDS, classify_kind  # noqa: E402
from stratcompare.segment.kinds import refine_kinds as _refine_kinds  # noqa: E402
from stratcompare.segment.kinds_model import (  # noqa: E402
    FORMAL, MODEL_FILE, KindModel, char_terms, word_terms)


def refine_kinds(segments, *, genre=None):
    """The rules alone: the items' rule kinds must not hold the package model's verdicts
    (an older ``KINDS_MODEL_SRC`` has no model parameter)."""
    if "model" in inspect.signature(_refine_kinds).parameters:
        _refine_kinds(segments, genre=genre, model=False)
    else:
        _refine_kinds(segments, genre=genre)

BATCHES = ("dev", *(f"dev{i}" for i in range(2, 15)))  # fixed at the start (b15 left out)
TRAIN_BATCHES = ("dev", *(f"dev{i}" for i in range(2, 19)))  # --train: every batch, to b18 (session 6)
BLIND = ("dev11", "dev12")  # written blind to the rules: the most honest held-out batches


@dataclass
class Item:
    text: str
    rule: str        # kind the rules give
    structural: str  # kind the segmenter gave
    genre: str | None
    position: float | None
    expected: str
    group: str       # municipality or batch
    part: str        # tune | test | dev


def real_items(parts: tuple[str, ...] = ("tune",)) -> list[Item]:
    """Labelled real passages of ``parts``, judged in place where the segmenter cuts them as
    labelled (as bench/kinds.py kind_results), else classified alone from the row."""
    genres = kb.detected_genres()
    in_place: dict[tuple[str, str], tuple[str, str, float]] = {}
    wanted = {r["source"] for r in kb.load_labels() if r["part"] in parts}
    for d in realdocs.all_docs():
        if d.file not in wanted:
            continue
        segments = segment_pages(d.extracted.pages, genre=genres[d.file])
        structural = [s.kind for s in segments]
        refine_kinds(segments, genre=genres[d.file])
        n = len(segments)
        for i, seg in enumerate(segments):
            in_place.setdefault((d.file, kb._norm(seg.text)),
                                (seg.kind, structural[i], i / (n - 1) if n > 1 else 0.0))
    out = []
    for row in kb.load_labels():
        if row["part"] not in parts:
            continue
        genre = genres.get(row["source"])
        hit = in_place.get((row["source"], kb._norm(row["text"])))
        if hit:
            rule, structural, position = hit
        else:
            structural = row.get("structural") or "content"
            position = row.get("position")
            rule = classify_kind(row["text"], section=row.get("section"), genre=genre,
                                 position=position, structural=structural)
        out.append(Item(row["text"], rule, structural, genre, position, row["kind"],
                        row["municipality"], row["part"]))
    return out


def dev_items() -> list[Item]:
    """Dev passages as bench/kinds.py dev_results cuts and labels them (fixed batch list)."""
    out = []
    for doc in kb.dev_docs():
        part = kb.dev_part(doc.file)
        if part not in BATCHES:
            continue
        genre = kb.dev_genre(doc)
        segments = segment_pages(doc.pages, genre=genre)
        structural = [s.kind for s in segments]
        refine_kinds(segments, genre=genre)
        n = len(segments)
        for i, seg in enumerate(segments):
            if seg.kind == "table":
                continue
            best = kb.dev_label(doc, seg)[1]
            if best is None:
                continue
            out.append(Item(seg.text, seg.kind, structural[i], genre,
                            i / (n - 1) if n > 1 else 0.0, doc.labels[best][3], part, "dev"))
    return out


# The features and the numpy-only model are the package's (segment/kinds_model.py): one copy.
MAY_ADD = ("content", "list", "heading")  # rule verdicts formal@t may turn into a formality
PROSE = ("content", "list")  # ... and prose@t (the package's rule, with headings kept)
THRESHOLD = 0.85  # the package's threshold (prose@0.85), written into the --train file
PACKAGE_MODEL = Path(__file__).resolve().parent.parent.joinpath("src", "stratcompare",
                                                                  *MODEL_FILE)


MAX_WORDS, MAX_CHARS, MIN_DF = 4000, 12000, 2


def _vocab(term_lists, cap):
    """Terms in at least MIN_DF passages, the ``cap`` most frequent by passage count (ties
    alphabetical), with smoothed idf."""
    df = Counter()
    for terms in term_lists:
        df.update(set(terms))
    keep = sorted((t for t, c in df.items() if c >= MIN_DF), key=lambda t: (-df[t], t))[:cap]
    n = len(term_lists)
    return keep, np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in keep])


class Fit:
    """Fits the package's ``KindModel`` (segment/kinds_model.py): vocabularies from the
    training passages, features from the package's code, a seeded logistic regression.
    ``rule_weight`` > 0 adds the rules' kind as a one-hot block (only for the experiment; the
    package model is blind to it)."""

    def __init__(self, C: float = 4.0, rule_weight: float = 0.0, threshold: float = THRESHOLD):
        self.C, self.rule_weight, self.threshold = C, rule_weight, threshold

    def _x(self, items):
        rows, cols, vals = [], [], []
        for i, it in enumerate(items):
            for j, v in self.pkg.features(it.text, it.structural, it.genre, it.position).items():
                rows.append(i)
                cols.append(j)
                vals.append(v)
            if self.rule_weight:
                rows.append(i)
                cols.append(self.pkg.n_features + KINDS.index(it.rule))
                vals.append(self.rule_weight)
        width = self.pkg.n_features + (len(KINDS) if self.rule_weight else 0)
        return csr_matrix((vals, (rows, cols)), shape=(len(items), width))

    def fit(self, items):
        words, word_idf = _vocab([word_terms(it.text) for it in items], MAX_WORDS)
        chars, char_idf = _vocab([char_terms(it.text) for it in items], MAX_CHARS)
        self.pkg = KindModel(words, word_idf, chars, char_idf, np.zeros((1, 1)), [0.0],
                             [], self.threshold, PROSE)
        self.clf = LogisticRegression(C=self.C, max_iter=3000, random_state=0)
        self.clf.fit(self._x(items), [it.expected for it in items])
        self.pkg.coef = self.clf.coef_[:, :self.pkg.n_features]
        self.pkg.intercept = self.clf.intercept_
        self.pkg.classes = list(self.clf.classes_)
        return self

    def proba(self, items) -> tuple[list[str], np.ndarray]:
        return list(self.clf.classes_), self.clf.predict_proba(self._x(items))


def with_model(refine, path):
    """``refine_kinds`` with the model of ``path`` (a ``--train`` file) instead of the
    package's; bench/kinds.py ``--model NPZ`` judges kinds with it."""
    model = KindModel.load(Path(path))

    def refine_with_model(segments, *, genre=None):
        refine(segments, genre=genre, model=model)

    return refine_with_model


def combine(items, classes, proba, how: str, t: float = 0.0) -> list[str]:
    out = []
    for it, p in zip(items, proba):
        best = classes[int(np.argmax(p))]
        if how == "rules":
            out.append(it.rule)
        elif how == "model":
            out.append(best)
        elif how == "override":
            out.append(best if p.max() >= t else it.rule)
        elif how == "formal":
            f = max(FORMAL, key=lambda k: p[classes.index(k)] if k in classes else 0)
            pf = p[classes.index(f)] if f in classes else 0
            out.append(f if it.rule in MAY_ADD and pf >= t else it.rule)
        elif how == "prose":  # as formal, but a heading (by the rules or the segmenter) stays
            f = max(FORMAL, key=lambda k: p[classes.index(k)] if k in classes else 0)
            pf = p[classes.index(f)] if f in classes else 0
            out.append(f if it.rule in PROSE and it.structural != "heading"
                       and pf >= t else it.rule)
    return out


SCHEMES = [("rules", 0), ("model", 0), ("override", 0.4), ("override", 0.6), ("override", 0.8),
           ("formal", 0.3), ("formal", 0.5), ("formal", 0.7), ("formal", 0.85),
           ("prose", 0.5), ("prose", 0.7), ("prose", 0.85)]
GRID = [(4.0, 3.0), (4.0, 1.0), (16.0, 1.0), (16.0, 0.3), (64.0, 0.3), (4.0, 0.0),
        (16.0, 0.0)]  # tried (first version: sklearn TfidfVectorizer features)  # (C, rule weight)


def score(items, got) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    ok = [it.expected == g for it, g in zip(items, got)]
    sub = lambda k: (sum(o for it, o in zip(items, ok) if it.expected == k),  # noqa: E731
                     sum(it.expected == k for it in items))
    return (sum(ok), len(ok)), sub("procedure"), sub("boilerplate")


def _pct(h):
    return f"{100 * h[0] / h[1]:5.1f} % ({h[0]}/{h[1]})" if h[1] else "n/a"


def held_out(train_pool, test_pool, key, groups, C, rule_weight):
    """Leave one group out; returns scheme -> list of (item, got) over all held-out groups,
    and per group."""
    got_all = defaultdict(list)
    per_group = defaultdict(dict)
    for g in groups:
        test = [it for it in test_pool if key(it) == g]
        if not test:
            continue
        train = [it for it in train_pool if key(it) != g]
        model = Fit(C, rule_weight).fit(train)
        classes, proba = model.proba(test)
        for how, t in SCHEMES:
            got = combine(test, classes, proba, how, t)
            name = how if how in ("rules", "model") else f"{how}@{t}"
            got_all[name] += list(zip(test, got))
            per_group[g][name] = score(test, got)
    return got_all, per_group


def table(title, got_all):
    print(f"\n{title}")
    print(f"{'scheme':14} {'overall':22} {'procedure':22} {'boilerplate':22}")
    for name, pairs in got_all.items():
        o, p, b = score([x for x, _ in pairs], [g for _, g in pairs])
        print(f"{name:14} {_pct(o):22} {_pct(p):22} {_pct(b):22}")


def main(argv=None) -> int:
    global BATCHES
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--rule-weight", type=float, default=0.0)
    ap.add_argument("--train", metavar="NPZ", nargs="?", const=str(PACKAGE_MODEL),
                    help="fit on tune + every batch of TRAIN_BATCHES (never the test part), write "
                         "the model to NPZ (default: the package's file)")
    ap.add_argument("--test", action="store_true",
                    help="train on tune + all batches, print the test part's figures only")
    ap.add_argument("--per-batch", action="store_true", help="print each held-out batch")
    ap.add_argument("--grid", action="store_true",
                    help="with --first-look: every (C, rule weight) of GRID")
    ap.add_argument("--first-look", type=int, metavar="N",
                    help="train on tune + batches before bN, test on bN only")
    args = ap.parse_args(argv)
    import stratcompare
    print(f"rules from {Path(stratcompare.__file__).parent.parent}")
    if args.train:
        BATCHES = TRAIN_BATCHES
        dev, tune = dev_items(), real_items(("tune",))
        model = Fit(args.C, 0.0).fit(tune + dev)
        model.pkg.meta = {"C": args.C, "seed": 0, "trained_on": f"tune {len(tune)} + dev {len(dev)} "
                          f"passages ({', '.join(BATCHES)})", "max_words": MAX_WORDS,
                          "max_chars": MAX_CHARS, "min_df": MIN_DF}
        model.pkg.save(Path(args.train))
        print(f"wrote {args.train} ({Path(args.train).stat().st_size} bytes), "
              f"{model.pkg.meta['trained_on']}")
        return 0
    if args.first_look:
        n = args.first_look
        BATCHES = ("dev", *(f"dev{i}" for i in range(2, n + 1)))
        dev, tune = dev_items(), real_items(("tune",))
        test = [it for it in dev if it.group == f"dev{n}"]
        train = tune + [it for it in dev if it.group != f"dev{n}"]
        for C, rw in GRID if args.grid else [(args.C, args.rule_weight)]:
            model = Fit(C, rw).fit(train)
            classes, proba = model.proba(test)
            got = {}
            for how, t in SCHEMES:
                name = how if how in ("rules", "model") else f"{how}@{t}"
                got[name] = list(zip(test, combine(test, classes, proba, how, t)))
            table(f"first look at dev{n}, C={C}, rule weight {rw} (train: tune + "
                  f"{len(train) - len(tune)} passages of batches before it)", got)
        return 0
    dev, tune = dev_items(), real_items(("tune",))
    print(f"items: tune {len(tune)} ({len({i.group for i in tune})} municipalities), "
          f"dev {len(dev)} ({len({i.group for i in dev})} batches: {', '.join(BATCHES)})")
    if args.test:
        test = real_items(("test",))
        model = Fit(args.C, args.rule_weight).fit(tune + dev)
        classes, proba = model.proba(test)
        got = {}
        for how, t in SCHEMES:
            name = how if how in ("rules", "model") else f"{how}@{t}"
            got[name] = list(zip(test, combine(test, classes, proba, how, t)))
        table("test part (trained on tune + all batches)", got)
        return 0
    pool = tune + dev
    by_batch, per_batch = held_out(pool, dev, lambda it: it.group, BATCHES, args.C,
                                   args.rule_weight)
    table("leave-one-batch-out, all dev batches", by_batch)
    blind = {k: [(x, g) for x, g in v if x.group in BLIND] for k, v in by_batch.items()}
    table(f"leave-one-batch-out, blind batches only ({', '.join(BLIND)})", blind)
    late = {k: [(x, g) for x, g in v if x.group in [f"dev{i}" for i in range(7, 15)]]
            for k, v in by_batch.items()}
    table("leave-one-batch-out, batches b7-b14", late)
    if args.per_batch:
        for g, res in per_batch.items():
            print(f"  {g:6} " + "  ".join(f"{n}: {_pct(r[1])} / {_pct(r[2])}"
                                          for n, r in res.items() if n in ("rules", "formal@0.7",
                                                                           "model")))
    munis = sorted({it.group for it in tune})
    by_muni, _ = held_out(pool, tune, lambda it: it.group if it.part == "tune" else None,
                          munis, args.C, args.rule_weight)
    table("leave-one-municipality-out, tune part", by_muni)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
