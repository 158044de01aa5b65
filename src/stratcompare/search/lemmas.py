"""Danish lemmatisation for the full-text index: spaCy's blank Danish tokenizer + lookup lemmas.

Index and query go through the same function, so "anbragte børn" finds "anbringelse af barnet"
only as far as the lookup table reaches — the dense half of hybrid search covers the rest.
Compounds (``stratcompare.search.compounds``) add their parts' lemmas next to the whole word's,
so "hjemløsestrategien" is indexed as "hjemløsestrategi hjemløs strategi"; a compound the lookup
table does not know gets its last part lemmatised ("…strategien" -> "…strategi").
"""

from __future__ import annotations

import re
from functools import lru_cache


_WORD = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=1)
def _nlp():
    """(tokenizer, lemma table, stop words), built once per process (spaCy import takes seconds)."""
    from stratcompare.spacy_da import danish_nlp

    nlp = danish_nlp()
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # keyed by string hash
    return nlp.tokenizer, table, frozenset(nlp.Defaults.stop_words)


def words(text: str) -> list[tuple[str, int, int]]:
    """(token text, start, end) of the word tokens of ``text`` (punctuation and spaces dropped)."""
    tokenizer, _, _ = _nlp()
    return [(t.text, t.idx, t.idx + len(t.text)) for t in tokenizer(text) if _WORD.search(t.text)]


def lemma(word: str) -> str:
    """Lower-cased lookup lemma; stop words and unknown words stay as they are (lower-cased)."""
    return _lemma_lower(word.lower())


@lru_cache(maxsize=300_000)
def _lemma_lower(low: str) -> str:
    """``lemma`` of a lower-cased word, cached: highlighting and match strength look up every word
    of every hit (≈ 600 look-ups a query, 1 µs each in spaCy's table, 0.1 µs from the cache)."""
    _, table, stop = _nlp()
    if low in stop:
        return low
    found = table.get(low)
    return found.lower() if isinstance(found, str) else low


def lemmatise(text: str) -> list[str]:
    """The lemmas of ``text``'s words, in order."""
    return [lemma(w) for w, _, _ in words(text)]


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> tuple[str, tuple[str, ...]]:
    """(whole-word lemma, lemmas of its compound parts) for one word; parts empty if not a compound."""
    from stratcompare.search.compounds import split

    low = word.lower()
    whole = lemma(low)
    parts = split(low)
    if not parts:
        return whole, ()
    lemmas = [lemma(p) for p in parts]
    if whole == low and lemmas[-1] != parts[-1]:  # unknown to the table: lemmatise the last part
        whole = low[: len(low) - len(parts[-1])] + lemmas[-1]
    _, _, stop = _nlp()
    return whole, tuple(dict.fromkeys(p for p in lemmas if p != whole and p not in stop))


def index_terms(text: str, compounds: bool = True) -> list[str]:
    """What the full-text index stores for ``text``: each word's lemma, followed by its parts' lemmas."""
    if not compounds:
        return lemmatise(text)
    out: list[str] = []
    for w, _, _ in words(text):
        whole, parts = word_terms(w)
        out.append(whole)
        out.extend(parts)
    return out


def query_terms(text: str, compounds: bool = True) -> tuple[list[str], list[str]]:
    """(distinct content lemmas of a query, lemmas of their compound parts not already among them)."""
    _, _, stop = _nlp()
    whole: dict[str, None] = {}
    parts: dict[str, None] = {}
    for w, _, _ in words(text):
        if w.lower() in stop or len(w) < 2:
            continue
        if compounds:
            lem, ps = word_terms(w)
            whole.setdefault(lem, None)
            for p in ps:
                parts.setdefault(p, None)
        else:
            whole.setdefault(lemma(w), None)
    return list(whole), [p for p in parts if p not in whole and len(p) >= 2]


def query_lemmas(text: str) -> list[str]:
    """Distinct content lemmas of a query (stop words and 1-letter words removed)."""
    _, _, stop = _nlp()
    seen: dict[str, None] = {}
    for w, _, _ in words(text):
        if w.lower() in stop or len(w) < 2:
            continue
        seen.setdefault(lemma(w), None)
    return list(seen)
