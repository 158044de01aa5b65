"""Is the query Danish?  The corpus is, so an English query gets a hint and Danish words added.

A query counts as English when at least half of its words are English function words or words of
the English terms in ``data/lang/da/query_english_terms.tsv`` that their Danish rendering does not
repeat ("mental" in "mental health" -> "mental sundhed" is Danish too).  Its known terms are
translated (longest phrase first) and the Danish words appended to the query, so BM25 can match;
the dense half (multilingual e5) reads the original words as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from stratcompare.config import data_path, word_list

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
HINT = "the corpus is Danish; try Danish words"


@dataclass
class QueryLanguage:
    english: bool
    expanded: str  # the query to search with (the original, plus Danish words when English)
    added: list[str]  # the Danish words added
    hint: str | None
    renderings: list[list[str]] = field(default_factory=list)  # per translated English term, its Danish words


@lru_cache(maxsize=1)
def _terms() -> dict[tuple[str, ...], str]:
    out = {}
    for line in data_path("lang", "da", "query_english_terms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, da = line.split("\t")
        out[tuple(en.lower().split())] = da.strip()
    return out


@lru_cache(maxsize=1)
def _danish() -> frozenset[str]:
    """Danish function words (spaCy's stop words): "for", "under", "i" are not evidence of English."""
    from stratcompare.search.lemmas import _nlp

    return frozenset(_nlp()[2])


def analyse_query(query: str) -> QueryLanguage:
    """Language verdict for ``query`` and the query to search with."""
    words = [w.lower() for w in _WORD.findall(query)]
    if not words:
        return QueryLanguage(False, query, [], None)
    terms, function, danish = _terms(), word_list("lang/da/query_english_words.txt"), _danish()
    longest = max(len(k) for k in terms)
    english, neutral, added, renderings, i = 0, 0, [], [], 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            if key in terms:
                rendering = terms[key].split()
                renderings.append(rendering)
                english += sum(1 for w in key if w not in rendering)  # "budget" -> "budget" is Danish too
                if rendering == list(key):
                    neutral += n  # "housing first" is both languages: it tells neither
                added += [t for t in rendering if t not in added and t not in key]
                i += n
                break
        else:
            if words[i] in function and words[i] not in danish:
                english += 1
            i += 1
    if english * 2 < len(words) - neutral or english == 0:
        return QueryLanguage(False, query, [], None)
    expanded = query + (" " + " ".join(added) if added else "")
    hint = HINT + (f' (also searched for: {" ".join(added)})' if added else "")
    return QueryLanguage(True, expanded, added, hint, renderings)
