"""Honest scores: a calibrated match strength per hit and the "no strong matches" verdict.

The fused hybrid score is relative to the query's candidate pool (the best hit always scores
high), so it cannot say whether anything matched.  The strength uses two absolute signals
instead: the raw cosine of query and passage (the dense encoder's similarity) and the lexical
coverage (the share of the query's content words the passage contains, a compound counting by
the share of its parts, each word weighted by its rarity in the corpus; an English query counts
its translated terms).  A logistic map of the two, fitted on the tuning half of the field
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
RARITY = True  # weigh the query's words by their rarity in the corpus (False: plain shares, for comparisons)


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


Group = tuple[tuple, ...]  # alternatives, each (lemma, compound-part lemmas[, credit]); credit < 1: a synonym
# (search.synonyms), its content lemmas space-joined, found when all of them are


def query_groups(query: str) -> list[Group]:
    """One group per content word of the query: ((lemma, compound-part lemmas),)."""
    whole, _ = query_terms(query)
    out, seen = [], set()
    for w, _, _ in words(query):
        lem, parts = word_terms(w)
        if lem in whole and lem not in seen:
            seen.add(lem)
            out.append(((lem, parts),))
    return out


def rendering_groups(renderings: list[list[str]]) -> list[Group]:
    """One group per translated English term, its Danish words as alternatives ("homelessness" ->
    hjemløshed | hjemløse): the term counts as found when any of them is."""
    out = []
    for danish in renderings:
        alts = tuple(dict.fromkeys(g[0] for w in danish for g in query_groups(w)))
        if alts:
            out.append(alts)
    return out


def rarity_weights(conn, groups: list[Group]) -> list[float] | None:
    """One weight per query word: its inverse document frequency in the full-text index,
    log((N + 1) / (df + 1)) (a group of alternatives: its commonest one), so a common word
    ("kommune") found in a passage says little about a match and a rare one ("snerydning") much.
    None when the index is empty or missing."""
    from stratcompare.search.fts import _doc_freqs

    if not groups:
        return None
    try:
        n, df = _doc_freqs(conn, list(dict.fromkeys(a[0] for g in groups for a in g if not _is_synonym(a))))
    except Exception:  # a database without a full-text index: plain shares
        return None
    if n == 0:
        return None
    return [math.log((n + 1) / (max(df[a[0]] for a in g if not _is_synonym(a)) + 1)) for g in groups]


def _is_synonym(alt: tuple) -> bool:
    return len(alt) > 2 and alt[2] < 1.0


def coverage(query: str, text: str, groups=None, weights: list[float] | None = None) -> tuple[float, list]:
    """(share of the query's content words found in ``text``, the query's word groups for reuse).

    A word counts when its lemma is among the passage's word lemmas or inside one of them (a
    compound containing it, 5+ letters); otherwise a compound counts by the share of its parts
    found that way; a group of alternatives by its best one (a thesaurus synonym at its credit).  ``weights`` (one per group,
    ``rarity_weights``) make the share a weighted one.  Passage words are only looked up, not
    split: this runs for every hit."""
    if groups is None:
        groups = query_groups(query)
    if not groups:
        return 0.0, groups
    if weights is None or len(weights) != len(groups) or sum(weights) <= 0:
        weights = [1.0] * len(groups)
    terms = {lemma(w) for w in set(_WORD.findall(text))}
    joined = " ".join(terms)

    def found(x: str) -> bool:
        return x in terms or (len(x) >= 5 and x in joined)

    def score(alt: tuple) -> float:
        lem, parts = alt[0], alt[1]
        if _is_synonym(alt):  # a thesaurus wording: all its words, at its credit
            return alt[2] if all(found(x) for x in lem.split()) else 0.0
        if found(lem):
            return 1.0
        return sum(1 for x in parts if found(x)) / len(parts) if parts else 0.0

    total = sum(w * max(score(a) for a in g) for g, w in zip(groups, weights))
    return round(total / sum(weights), 4), groups
