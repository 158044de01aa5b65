"""A learned year chooser beside the year rules (session 6 experiment; NOT adopted).

Question: does a small model that chooses among a document's candidate years generalise better
than the year rules of ``stratcompare.metadata.years``?  Result and the pre-declared adoption rule:
docs/benchmarks.md, "Years: a learned chooser beside the rules (session 6)".  The package is
unchanged; this script keeps the experiment runnable.

Candidates: every year ``metadata.years._scan`` reads in a document (bare years, both ends of
ranges, dates; title and text) plus numeric dates with a two-digit year ("Dato: 14.06.23"),
grouped by year.  Each is described by general features (``BASE``: title role, first lines,
position, count, range role and length, date, labelled own date, month line, "gældende fra",
update stamp, budget range, goal year, cue words before and after, max/min/latest/first date,
whether the rules chose it), all crossed with the detected genre.  Model: a conditional logit
(softmax over a document's candidates, L2-penalised, L-BFGS from zeros: deterministic); it
overrides the rules only when the top candidate's probability reaches a threshold.

Data: the tune part of corpus/real (split.tsv; expected years from SOURCES.tsv /
genre_years.tsv as bench/kinds.py reads them) and the invented dev batches of
tests/fixtures/kinds_dev/ -- except ``b19_*``, a held-out batch never read for training (only
``--batch-figure b19_`` prints its aggregate counts).  The test part is never loaded.

Cross-validation: leave-one-batch-out over the dev batches and leave-one-municipality-out on
tune; every fold's model is fitted without the fold.  Printed per threshold: documents right
held out (rules vs rules + model), per fold group, and the worst fold against the rules.

Usage:
    python bench/year_model.py [--C 1.0] [--no-rule] [--keep title-range] [--folds]   # CV
    python bench/year_model.py --train OUT.npz [--threshold T]       # fit on all, write a file
    python bench/year_model.py --batch-figure b19_ --model OUT.npz  # aggregate counts only
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realdocs  # noqa: E402

from stratcompare.metadata import years as Y  # noqa: E402
from stratcompare.metadata.genre import detect_genre  # noqa: E402

GENRES = ("strategy", "minutes", "news", "other")
HEAD = 400          # the head of page 1 (as years.HEAD_CHARS)
EARLY = 1500
PROMINENT = 4000    # as years.PROMINENT_CHARS
BEFORE = 45         # characters before a mention read for its cue words
AFTER = 25

# Cue words just before (or after) a mention; one family per feature.  Why each: the kind of
# words that tell a document's own year from the years it cites, as Danish municipal
# documents generally write them.
_CUES_BEFORE = {
    "adopt": r"vedta\w*|godkend\w*|beslut\w*|vedtog",          # adoption of this document
    "period": r"periode\w*|årene|for\s+årene|perioden",         # the period covered
    "valid": r"gælde\w*|gælder|træder\s+i\s+kraft|virkning",    # takes effect
    "update": r"opdater\w*|ændret|revider\w*|redigeret",        # a page's update stamp
    "meeting": r"møde\w*|referat|dagsorden|beslutning|udvalg\w*|byråd\w*",
    "dato": r"dato|publiceret|offentliggjort|udgivet|udsendt|skrevet",
    "goal": r"inden|senest|frem\s+mod|frem\s+til|vision|mål\w*|i\s+år",  # a goal year
    "in": r"\bi",                                                # "i 2030", "i 2024"
    "since": r"siden|fra|efter|før",                             # the time of an event
    "law": r"lov\w*|§|bekendtgørelse|jf\.?|cirkulære|reform",    # a law or reform cited
    "plan": r"\w*(?:politik|strategi|plan|program)\w*",          # a plan's name before its years
    "budget": r"budget\w*|overslagsår\w*|økonomiaftale\w*",
    "report": r"rapport\w*|beretning|status|evaluering\w*|analyse\w*|regnskab\w*",
    "made": r"udarbejdet|udgivet|revideret\s+udgave|udgave|version",
    "copyright": r"©|copyright",
    "season": r"foråret|efteråret|sommeren|vinteren|starten\s+af|slutningen\s+af|midten\s+af",
    "until": r"til\s+og\s+med|t\.o\.m\.?",                   # the end of a period
}
_CUES_AFTER = {
    "onward": r"og\s+frem|og\s+fremover|-\s*20\d\d|–\s*20\d\d",
    "until": r"til\s+og\s+med\s+(?:\w+\s+)?20\d\d",            # the start of a period
    "clock": r"kl\.?|klokken",
}
_BEFORE_RE = {k: re.compile(rf"(?:{v})\W*(?:\w+\W+){{0,3}}$", re.IGNORECASE)
              for k, v in _CUES_BEFORE.items()}
_IMMEDIATE_IN = re.compile(r"\bi\s+(?:\w+\s+)?$", re.IGNORECASE)  # "i 2030", "i juni 2024"
_AFTER_RE = {k: re.compile(rf"^\W{{0,3}}(?:{v})", re.IGNORECASE) for k, v in _CUES_AFTER.items()}

BASE = (
    ["rule", "rule_start", "rule_end", "rule_dated", "rule_adopted",
     "title", "title_range_start", "title_range_end", "title_year", "title_date",
     "first_lines", "head", "early", "prominent", "pos_first", "pos_rel", "tail",
     "count", "share", "range_start", "range_end", "range_len", "date", "own", "month_line",
     "effective", "updated", "budget_range", "goal_any", "goal_all", "in_immediate",
     "is_max", "is_min", "below_max", "above_min", "latest_date", "earliest_date",
     "first_date", "first_mention", "n_candidates_log"]
    + [f"cue_{k}" for k in _CUES_BEFORE] + [f"after_{k}" for k in _CUES_AFTER]
)
FEATURES = tuple(BASE + [f"{g}:{f}" for g in GENRES for f in BASE])


@dataclass
class Candidate:
    year: int
    x: np.ndarray  # float64, len(FEATURES)


# a numeric date with a two-digit year ("Dato: 14.06.23", "Birkested, 03.04.24"), which the
# rules' scan leaves out: Danish letters, minutes and news write dates this way
_SHORT_DATE = re.compile(r"(?<![\w./,-])(\d{1,2})[./-](\d{1,2})[./-](\d\d)(?![\w/-]|[.,]\d)")


def _short_dates(text: str, where: str, offset: int, in_title: bool) -> list:
    out = []
    for m in _SHORT_DATE.finditer(text):
        year = 2000 + int(m.group(3))
        if year > 2069:
            continue
        date = Y._make_date(year, int(m.group(2)), int(m.group(1)))
        if date is None:
            continue
        start = m.start()
        own = bool(Y._OWN_DATE.search(text[max(0, start - 40):start]))
        at = offset + start
        out.append(Y._Mention("date", year, year, Y.DATE_WEIGHT, in_title or at < PROMINENT,
                              in_title, m.group(0), where, date, at=at, own=own))
    return out


def _mentions(pages: list[str], title: str | None):
    """Every mention ``years._scan`` finds (and short dates), with the text it was found in and
    its local offset."""
    out = []  # (mention, source text, local start)
    if title:
        for m in [*Y._scan(title, "title", 0, True)[0], *_short_dates(title, "title", 0, True)]:
            out.append((m, title, m.at))
    offset = 0
    for number, page in enumerate(pages, start=1):
        if page:
            for m in [*Y._scan(page, f"page {number}", offset, False)[0],
                      *_short_dates(page, f"page {number}", offset, False)]:
                out.append((m, page, m.at - offset))
            offset += len(page)
    first_lines = {(m.start, m.end) for m in Y._first_line_mentions(pages)}
    return out, offset, first_lines


def candidates(pages: list[str], title: str | None, genre: str | None, info) -> list[Candidate]:
    """The document's candidate years with their features; ``info`` is the rules' YearInfo."""
    found, total, first_lines = _mentions(pages, title)
    if not found:
        return []
    total = max(total, 1)
    by_year: dict[int, list] = {}
    for item in found:
        m = item[0]
        for y in {m.start, m.end}:
            by_year.setdefault(y, []).append(item)
    years = sorted(by_year)
    dates = sorted({m.start for m, _, _ in found if m.kind == "date"})
    body = [m for m, _, _ in found if not m.in_title]
    first_date = min((m for m in body if m.kind == "date"), key=lambda m: m.at, default=None)
    first_any = min(body, key=lambda m: m.at, default=None)
    adopted = int(info.adopted[:4]) if info.adopted else None
    dated = int(info.dated[:4]) if info.dated else None
    n_all = len(found)
    out = []
    for y in years:
        items = by_year[y]
        ms = [m for m, _, _ in items]
        bm = [m for m in ms if not m.in_title]
        f = dict.fromkeys(BASE, 0.0)
        f["rule"] = float(info.year == y)
        f["rule_start"] = float(info.start == y)
        f["rule_end"] = float(info.end == y and info.end != info.start)
        f["rule_dated"] = float(dated == y)
        f["rule_adopted"] = float(adopted == y)
        f["title"] = float(any(m.in_title for m in ms))
        f["title_range_start"] = float(any(m.in_title and m.kind == "range" and m.start == y
                                           for m in ms))
        f["title_range_end"] = float(any(m.in_title and m.kind == "range" and m.end == y
                                         for m in ms))
        f["title_year"] = float(any(m.in_title and m.kind == "year" for m in ms))
        f["title_date"] = float(any(m.in_title and m.kind == "date" for m in ms))
        f["first_lines"] = float(any((m.start, m.end) in first_lines for m in ms))
        if bm:
            at = min(m.at for m in bm)
            f["head"] = float(at < HEAD)
            f["early"] = float(at < EARLY)
            f["prominent"] = float(at < PROMINENT)
            f["pos_first"] = math.log1p(at) / 10.0
            f["pos_rel"] = at / total
            f["tail"] = float(total > 1000 and max(m.at for m in bm) > 0.85 * total)
        else:
            f["pos_first"] = 1.0
            f["pos_rel"] = 1.0
        f["count"] = math.log1p(len(ms))
        f["share"] = len(ms) / n_all
        ranges = [m for m in ms if m.kind == "range"]
        f["range_start"] = float(any(m.start == y for m in ranges))
        f["range_end"] = float(any(m.end == y for m in ranges))
        f["range_len"] = min((m.end - m.start for m in ranges), default=0) / 5.0
        f["date"] = float(any(m.kind == "date" for m in ms))
        f["own"] = float(any(m.own for m in ms))
        f["month_line"] = float(any(m.month_line for m in ms))
        f["effective"] = float(any(m.effective for m in ms))
        f["updated"] = float(any(m.updated for m in ms))
        f["budget_range"] = float(any(m.budget for m in ranges))
        f["goal_any"] = float(any(m.goal for m in ms))
        f["goal_all"] = float(all(m.goal for m in ms))
        cues = {k: False for k in _CUES_BEFORE}
        after = {k: False for k in _CUES_AFTER}
        immediate = False
        for m, text, local in items:
            end = local + len(m.text)
            before = text[max(0, local - BEFORE):local]
            immediate |= bool(_IMMEDIATE_IN.search(before[-12:])) and m.kind != "date"
            for k, rx in _BEFORE_RE.items():
                cues[k] = cues[k] or bool(rx.search(before))
            tail = text[end:end + AFTER]
            for k, rx in _AFTER_RE.items():
                after[k] = after[k] or bool(rx.search(tail))
        f["in_immediate"] = float(immediate)
        for k, v in cues.items():
            f[f"cue_{k}"] = float(v)
        for k, v in after.items():
            f[f"after_{k}"] = float(v)
        f["is_max"] = float(y == years[-1])
        f["is_min"] = float(y == years[0])
        f["below_max"] = min(years[-1] - y, 10) / 5.0
        f["above_min"] = min(y - years[0], 10) / 5.0
        f["latest_date"] = float(bool(dates) and y == dates[-1])
        f["earliest_date"] = float(bool(dates) and y == dates[0])
        f["first_date"] = float(first_date is not None and y in (first_date.start,))
        f["first_mention"] = float(first_any is not None
                                   and y in (first_any.start, first_any.end))
        f["n_candidates_log"] = math.log1p(len(years)) / 3.0
        base = [f[k] for k in BASE]
        crossed = [v if g == genre else 0.0 for g in GENRES for v in base]
        out.append(Candidate(y, np.asarray(base + crossed, dtype=np.float64)))
    return out


@dataclass
class YearModel:
    weights: np.ndarray
    threshold: float
    features: tuple[str, ...]

    def scores(self, cands: list[Candidate]) -> np.ndarray:
        """Softmax over the document's candidates."""
        z = np.array([c.x @ self.weights for c in cands])
        z = np.exp(z - z.max())
        return z / z.sum()

    def choose(self, cands: list[Candidate]) -> tuple[int, float] | None:
        """The model's year and its probability, or None without candidates."""
        if not cands:
            return None
        p = self.scores(cands)
        best = int(np.argmax(p))
        return cands[best].year, float(p[best])



HELD_OUT_BATCHES = ("b19_",)  # written as a blind check; never read here
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
KEEP_BASES: tuple[str, ...] = ()  # rules' bases the model may not override (--keep)


@dataclass
class Doc:
    name: str
    fold: str      # "tune:<municipality>" or "dev:<batch>"
    expected: int
    rules: int | None
    basis: str
    years: list[int]
    X: np.ndarray  # (candidates, features)

    @property
    def target(self) -> int | None:
        return self.years.index(self.expected) if self.expected in self.years else None


def _doc(name, fold, expected, pages, title, genre) -> Doc:
    info = Y.detect_years(pages, title=title, genre=genre)
    cands = candidates(pages, title, genre, info)
    X = np.array([c.x for c in cands]) if cands else np.zeros((0, len(FEATURES)))
    return Doc(name, fold, expected, info.year, info.basis, [c.year for c in cands], X)


def tune_docs() -> list[Doc]:
    """The tune part only (test documents are not even read)."""
    sys.path.insert(0, str(realdocs.REPO / "bench"))
    from kinds import expected_year

    rows = [(realdocs.PAGES / f, r["municipality"]) for f, r in realdocs.page_sources().items()]
    rows += [(realdocs.PDFS / f, r["municipality"]) for f, r in realdocs.pdf_sources().items()]
    rows.append((realdocs.HTML_PAGE, "Hjørring"))
    out = []
    for path, muni in rows:
        if realdocs.part_of(muni) != "tune":
            continue
        exp = expected_year(path.name)
        if exp is None:
            continue
        d = realdocs.load(path, muni)
        genre = detect_genre(d.title, "\n\n".join(d.pages[:3]), d.source_kind, d.file)[0]
        out.append(_doc(d.file, f"tune:{muni}", exp, d.pages, d.title, genre))
    return out


def dev_docs() -> list[Doc]:
    """Every dev batch but the held-out ones (their files are not opened)."""
    from kinds import DEV, GENRE_PAGES, dev_part, parse_dev

    out = []
    for path in sorted(DEV.glob("*.txt")):
        if path.name.startswith(HELD_OUT_BATCHES):
            continue
        doc = parse_dev(path)
        if doc.year is None:
            continue
        pages = [p.text for p in doc.pages]
        genre = detect_genre(doc.title, "\n\n".join(pages[:GENRE_PAGES]), "pdf", None)[0]
        out.append(_doc(doc.file, f"dev:{dev_part(doc.file)}", doc.year, pages, doc.title, genre))
    return out


def fit(docs: list[Doc], C: float, mask: np.ndarray | None = None) -> np.ndarray:
    """Conditional logit: maximise sum log softmax(X w)[target] - ||w||^2 / (2 C)."""
    used = [d for d in docs if d.target is not None and len(d.years) > 1]
    if not used:
        return np.zeros(len(FEATURES))
    X = np.vstack([d.X for d in used])
    if mask is not None:
        X = X * mask
    bounds = np.cumsum([0] + [len(d.years) for d in used])
    starts = bounds[:-1]
    tgt = np.array([s + d.target for s, d in zip(starts, used)])
    seg = np.repeat(np.arange(len(used)), [len(d.years) for d in used])

    def loss(w):
        z = X @ w
        zmax = np.maximum.reduceat(z, starts)
        e = np.exp(z - zmax[seg])
        s = np.add.reduceat(e, starts)
        lse = np.log(s) + zmax
        p = e / s[seg]
        val = -(z[tgt] - lse).sum() + (w @ w) / (2 * C)
        g = X.T @ p - X[tgt].sum(axis=0) + w / C
        return val, g

    res = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B",
                   options={"maxiter": 2000})
    return res.x


def decide(doc: Doc, w: np.ndarray, t: float, mask: np.ndarray | None = None) -> int | None:
    """The rules' year unless the model is at least ``t`` sure of another candidate."""
    if len(doc.years) == 0 or doc.basis in KEEP_BASES:
        return doc.rules
    X = doc.X * mask if mask is not None else doc.X
    z = X @ w
    p = np.exp(z - z.max())
    p /= p.sum()
    best = int(np.argmax(p))
    return doc.years[best] if p[best] >= t else doc.rules


def cross_validate(docs: list[Doc], C: float, mask=None) -> dict[str, list]:
    """fold -> [(doc, weights of the model fitted without the fold)]."""
    out = {}
    for fold in sorted({d.fold for d in docs}):
        w = fit([d for d in docs if d.fold != fold], C, mask)
        out[fold] = [(d, w) for d in docs if d.fold == fold]
    return out


def summary(cv: dict[str, list], mask=None, per_fold: bool = False) -> None:
    groups = {"tune": lambda f: f.startswith("tune:"), "dev": lambda f: f.startswith("dev:"),
              "dev17": lambda f: f == "dev:dev17", "all": lambda f: True}
    rules = {g: sum(d.rules == d.expected for f, rows in cv.items() if fn(f) for d, _ in rows)
             for g, fn in groups.items()}
    n = {g: sum(len(rows) for f, rows in cv.items() if fn(f)) for g, fn in groups.items()}
    print("rules      " + "  ".join(f"{g} {rules[g]}/{n[g]}" for g in groups))
    for t in THRESHOLDS:
        got = {g: sum(decide(d, w, t, mask) == d.expected for f, rows in cv.items() if fn(f)
                      for d, w in rows) for g, fn in groups.items()}
        worst = min(sum(decide(d, w, t, mask) == d.expected for d, w in rows)
                    - sum(d.rules == d.expected for d, _ in rows) for rows in cv.values())
        print(f"model@{t:<4} " + "  ".join(f"{g} {got[g]}/{n[g]}" for g in groups)
              + f"  worst fold {worst:+d}")
    if per_fold:
        for f, rows in cv.items():
            r = sum(d.rules == d.expected for d, _ in rows)
            m = {t: sum(decide(d, w, t, mask) == d.expected for d, w in rows)
                 for t in THRESHOLDS}
            if any(v != r for v in m.values()):
                print(f"  {f:24} rules {r}/{len(rows)}  "
                      + " ".join(f"@{t}:{v}" for t, v in m.items()))


def load_weights(path: str) -> tuple[np.ndarray, float]:
    """A model file written by ``--train`` (plain arrays, no pickles)."""
    with np.load(path, allow_pickle=False) as data:
        if tuple(json.loads(str(data["features"]))) != FEATURES:
            raise SystemExit(f"{path}: made for other features; rebuild it with --train")
        return data["weights"].astype(np.float64), float(data["threshold"])


def batch_figure(prefix: str, model: str | None) -> int:
    """Aggregate year counts on the dev files starting with ``prefix`` (a held-out batch): the
    rules alone and, with ``model``, the rules + that model.  Counts only -- no file names, no
    errors -- so a held-out batch stays held out."""
    from kinds import DEV, GENRE_PAGES, parse_dev

    w, t = load_weights(model) if model else (None, 1.01)
    n = rules = both = changed = 0
    for path in sorted(DEV.glob(f"{prefix}*.txt")):
        doc = parse_dev(path)
        if doc.year is None:
            continue
        pages = [p.text for p in doc.pages]
        genre = detect_genre(doc.title, "\n\n".join(pages[:GENRE_PAGES]), "pdf", None)[0]
        d = _doc("", "", doc.year, pages, doc.title, genre)
        got = decide(d, w, t) if w is not None else d.rules
        n += 1
        rules += d.rules == doc.year
        both += got == doc.year
        changed += got != d.rules
    print(f"{prefix}*: years, rules alone {rules}/{n}"
          + (f"; rules + {model} {both}/{n} (the model changed {changed})" if model else ""))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--C", type=float, default=1.0, help="inverse L2 penalty")
    ap.add_argument("--no-rule", action="store_true",
                    help="blind the model to the rules' choice (rule_* features zeroed)")
    ap.add_argument("--folds", action="store_true", help="print the folds that move")
    ap.add_argument("--train", metavar="OUT.npz",
                    help="fit on all the data (b19 left out) and write a model file")
    ap.add_argument("--batch-figure", metavar="PREFIX",
                    help="aggregate year counts (rules vs rules + --model) on the dev files "
                         "starting with PREFIX, e.g. a held-out batch; no file names printed")
    ap.add_argument("--model", metavar="NPZ", help="with --batch-figure: the model file")
    ap.add_argument("--threshold", type=float, default=None,
                    help="with --train: the threshold stored (default: the best by CV)")
    ap.add_argument("--keep", default="",
                    help="comma-separated rules' bases the model may not override "
                         "(e.g. title-range)")
    args = ap.parse_args(argv)
    global KEEP_BASES
    KEEP_BASES = tuple(b for b in args.keep.split(",") if b)
    if args.batch_figure:
        return batch_figure(args.batch_figure, args.model)
    docs = tune_docs() + dev_docs()
    reach = sum(d.target is not None for d in docs)
    print(f"{len(docs)} documents ({sum(d.fold.startswith('tune') for d in docs)} tune), "
          f"expected year among the candidates in {reach}")
    mask = None
    if args.no_rule:
        mask = np.array([0.0 if f.split(":")[-1].startswith("rule") else 1.0
                         for f in FEATURES])
    if args.train:
        w = fit(docs, args.C, mask)
        if mask is not None:
            w = w * mask
        t = args.threshold if args.threshold is not None else 0.9  # CV's best (docs)
        np.savez_compressed(args.train, weights=w.astype(np.float32),
                            threshold=np.float64(t),
                            features=np.array(json.dumps(list(FEATURES))),
                            C=np.float64(args.C))
        print(f"wrote {args.train} (C={args.C}, threshold {t})")
        return 0
    cv = cross_validate(docs, args.C, mask)
    summary(cv, mask, args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
