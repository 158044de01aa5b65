"""Danish lemmatisation for the full-text index: spaCy's blank Danish tokenizer + lookup lemmas.

Index and query go through the same function, so "anbragte børn" finds "anbringelse af barnet"
only as far as the lookup table reaches — the dense half of hybrid search covers the rest.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stratcompare.errors import MissingDependencyError

_WORD = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=1)
def _nlp():
    """(tokenizer, lemma table, stop words), built once per process (spaCy import takes seconds)."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - environment problem
        raise MissingDependencyError("spaCy is not installed", hint="pip install spacy spacy-lookups-data") from None
    nlp = spacy.blank("da")
    try:
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        table = lemmatizer.lookups.get_table("lemma_lookup")  # keyed by string hash; .get(str) works
    except Exception as exc:  # missing spacy-lookups-data raises a ValueError deep inside spaCy
        raise MissingDependencyError(
            f"no Danish lemma table: {exc}".splitlines()[0], hint="pip install spacy-lookups-data"
        ) from None
    return nlp.tokenizer, table, frozenset(nlp.Defaults.stop_words)


def words(text: str) -> list[tuple[str, int, int]]:
    """(token text, start, end) of the word tokens of ``text`` (punctuation and spaces dropped)."""
    tokenizer, _, _ = _nlp()
    return [(t.text, t.idx, t.idx + len(t.text)) for t in tokenizer(text) if _WORD.search(t.text)]


def lemma(word: str) -> str:
    """Lower-cased lookup lemma; stop words and unknown words stay as they are (lower-cased)."""
    _, table, stop = _nlp()
    low = word.lower()
    if low in stop:
        return low
    found = table.get(low)
    return found.lower() if isinstance(found, str) else low


def lemmatise(text: str) -> list[str]:
    """The lemmas of ``text``'s words, in order."""
    return [lemma(w) for w, _, _ in words(text)]


def query_lemmas(text: str) -> list[str]:
    """Distinct content lemmas of a query (stop words and 1-letter words removed)."""
    _, _, stop = _nlp()
    seen: dict[str, None] = {}
    for w, _, _ in words(text):
        if w.lower() in stop or len(w) < 2:
            continue
        seen.setdefault(lemma(w), None)
    return list(seen)
