"""Honest scores: a calibrated match strength per hit and the "no strong matches" verdict.

The fused hybrid score is relative to the query's candidate pool (the best hit always scores
high), so it cannot say whether anything matched.  The strength uses two absolute signals
instead: the raw cosine of query and passage (the dense encoder's similarity) and the lexical
coverage (the share of the query's content words the passage contains, a compound counting by
the share of its parts).  A logistic map of the two, fitted on the tuning half of the field
relevance set (``bench/search.py --fit-strength``), gives the chance that a hit is judged
relevant; the weights and the weak threshold live in ``data/search_strength.json``.  Encoders
other than the one the map was fitted for (and the lexical mode) use coverage alone.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache

from stratcompare.config import data_path
from stratcompare.search.lemmas import lemma, query_terms, word_terms, words

_WORD = re.compile(r"\w+", re.UNICODE)

WEAK_MESSAGE = "no strong matches; closest passages:"


@lru_cache(maxsize=1)
def calibration() -> dict:
    return json.loads(data_path("search_strength.json").read_text(encoding="utf-8"))


def _model(mode: str, model_id: str | None) -> dict:
    cal = calibration()
    if mode != "lexical" and model_id and model_id.startswith(cal.get("encoder_prefix", "\0")):
        return cal["models"][mode]
    return cal["models"]["coverage_only"]


def strength_of(mode: str, cosine: float | None, cov: float, model_id: str | None) -> float:
    """P(relevant) from the logistic map for this mode (0..1, rounded to 3 decimals)."""
    m = _model(mode, model_id)
    z = m["bias"] + m.get("coverage", 0.0) * cov + (m.get("cosine", 0.0) * cosine if cosine is not None else 0.0)
    return round(1.0 / (1.0 + math.exp(-z)), 3)


def weak_below(mode: str, model_id: str | None) -> float:
    """The strength under which the best hit is not a strong match (chosen on the tuning half)."""
    return float(_model(mode, model_id)["weak_below"])


def query_groups(query: str) -> list[tuple[str, tuple[str, ...]]]:
    """(lemma, compound-part lemmas) per content word of the query."""
    whole, _ = query_terms(query)
    out, seen = [], set()
    for w, _, _ in words(query):
        lem, parts = word_terms(w)
        if lem in whole and lem not in seen:
            seen.add(lem)
            out.append((lem, parts))
    return out


def coverage(query: str, text: str, groups=None) -> tuple[float, list]:
    """(share of the query's content words found in ``text``, the query's word groups for reuse).

    A word counts when its lemma is among the passage's word lemmas or inside one of them (a
    compound containing it, 5+ letters); otherwise a compound counts by the share of its parts
    found that way.  Passage words are only looked up, not split: this runs for every hit."""
    if groups is None:
        groups = query_groups(query)
    if not groups:
        return 0.0, groups
    terms = {lemma(w) for w in set(_WORD.findall(text))}
    joined = " ".join(terms)

    def found(x: str) -> bool:
        return x in terms or (len(x) >= 5 and x in joined)

    total = 0.0
    for lem, parts in groups:
        if found(lem):
            total += 1.0
        elif parts:
            total += sum(1 for x in parts if found(x)) / len(parts)
    return round(total / len(groups), 4), groups
