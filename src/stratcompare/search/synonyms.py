"""Query expansion with a Danish social-area thesaurus (``data/lang/da/query_synonyms.tsv``).

Staff ask in everyday words ("hjemløse", "stoffer", "handicappede", "anbragte børn"); strategies
write the official ones ("borgere i hjemløshed", "rusmidler", "mennesker med funktionsnedsættelse",
"anbringelse uden for hjemmet").  Compound splitting and the dense half bridge part of that gap;
a passage that names the concept only in its official wording still often ranks below passages
that repeat the user's word.  ``expand`` finds the thesaurus groups a query names (by lemma
sequence, so "anbragte" meets "anbragt"; with ``parts`` a query compound's parts may name a group
too) and returns the group's other wordings: as full-text phrases for a second lexical query
(``fts.lexical_search`` adds its score at ``extra_weight`` of the user's own) and as alternatives
for the query's words in the coverage re-ranking (``strength.coverage``, at reduced credit).
Off by default (``FusionParams.synonyms``): it did not carry over to the held-out queries.  Query time only: the index
and the vectors are untouched.  A "§ 85" term triggers its group only when the query names the
paragraph; a bare number is never searched for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from stratcompare.config import data_path

PARAGRAPH = re.compile(r"^§\s*(\d+\s*[a-z]?)$")


@dataclass(frozen=True)
class Term:
    text: str  # as written in the data file
    lemmas: tuple[str, ...]  # every word's lemma (stop words too): matched against the query
    content: tuple[str, ...]  # the lemmas without stop words
    phrase: str  # the full-text phrase: the index terms of the words, as the index stores them
    paragraph: str | None = None  # "§ 85" -> "85": matched in the query's raw text, never searched


@dataclass
class Expansion:
    """What a query's thesaurus groups add (empty when it names none)."""

    phrases: list[str] = field(default_factory=list)  # full-text phrases to OR into the lexical query
    alternatives: dict[str, list[str]] = field(default_factory=dict)  # query lemma -> synonyms (lemmas, space-joined)
    groups: list[int] = field(default_factory=list)  # line numbers of the groups used
    words: list[str] = field(default_factory=list)  # the wordings added, as written in the data file

    def __bool__(self) -> bool:
        return bool(self.phrases or self.alternatives)


def _term(text: str) -> Term | None:
    from stratcompare.search.lemmas import _nlp, index_terms, word_terms, words

    m = PARAGRAPH.match(text.strip())
    if m:
        return Term(text, (), (), "", re.sub(r"\s+", "", m.group(1)))
    toks = [w for w, _, _ in words(text)]
    if not toks:
        return None
    stop = _nlp()[2]
    lemmas = tuple(word_terms(w)[0] for w in toks)
    content = tuple(lem for w, lem in zip(toks, lemmas) if w.lower() not in stop)
    if not content:
        return None  # only function words: nothing to search for
    phrase = lemmas[0] if len(toks) == 1 else " ".join(index_terms(text))  # parts sit between words in the index
    return Term(text, lemmas, content, phrase)


@lru_cache(maxsize=1)
def groups() -> tuple[tuple[int, tuple[Term, ...]], ...]:
    """(line number, terms) of every group of the data file (loaded once)."""
    out = []
    path = data_path("lang", "da", "query_synonyms.tsv")
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        terms = tuple(t for t in (_term(x) for x in line.split("\t") if x.strip()) if t is not None)
        if len(terms) > 1:
            out.append((no, terms))
    return tuple(out)


@lru_cache(maxsize=1)
def _by_first_lemma() -> dict[str, list[tuple[int, Term]]]:
    """Group index by a term's first lemma (a query is matched word by word)."""
    idx: dict[str, list[tuple[int, Term]]] = {}
    for gi, (_, terms) in enumerate(groups()):
        for t in terms:
            if t.lemmas:
                idx.setdefault(t.lemmas[0], []).append((gi, t))
    return idx


@lru_cache(maxsize=4096)
def expand(query: str, parts: bool = False) -> Expansion:
    """The other wordings of every thesaurus group ``query`` names.

    A term names its group when its lemmas occur in a row in the query (stop words included:
    "børn i pleje"); with ``parts``, a one-word term also when it is a part of a query compound
    ("misbrugsbehandling" names misbrug).  Wordings the query already has are not added, nor are
    one-word wordings the query's own (prefix-matched) lemmas already find ("hjemløshed" for
    "hjemløse")."""
    from stratcompare.search.lemmas import _nlp, word_terms, words

    toks = [w for w, _, _ in words(query)]
    if not toks:
        return Expansion()
    stop = _nlp()[2]
    terms = [word_terms(w) for w in toks]
    lemmas = [t[0] for t in terms]
    content = [w.lower() not in stop for w in toks]
    idx = _by_first_lemma()
    hits: dict[int, set[int]] = {}  # group -> query positions it covers
    matched: set[tuple[int, str]] = set()  # (group, term text) the query holds itself
    found = [(len(t.lemmas), i, gi, t) for i, lem in enumerate(lemmas) for gi, t in idx.get(lem, ())
             if tuple(lemmas[i : i + len(t.lemmas)]) == t.lemmas]
    taken: dict[int, int] = {}  # query position -> the group of the longest term holding it
    for n, i, gi, t in sorted(found, key=lambda x: (-x[0], x[1])):
        span = range(i, i + n)
        if any(taken.get(j, gi) != gi for j in span):
            continue  # "frivilligt socialt arbejde" is no query about "arbejde"
        for j in span:
            taken.setdefault(j, gi)
        hits.setdefault(gi, set()).update(j for j in span if content[j])
        matched.add((gi, t.text))
    for i, lem in enumerate(lemmas):
        if parts and content[i]:
            for p in terms[i][1]:
                for gi, t in idx.get(p, ()):
                    if len(t.lemmas) == 1:
                        hits.setdefault(gi, set())  # a part: search the wordings, no coverage credit
                        matched.add((gi, t.text))
    low = query.casefold()
    for gi, (_, ts) in enumerate(groups()):
        for t in ts:
            if t.paragraph and re.search(r"§\s*" + re.escape(t.paragraph) + r"(?![\w])", low):
                hits.setdefault(gi, set())
                matched.add((gi, t.text))
    if not hits:
        return Expansion()
    own = {lem for lem, c in zip(lemmas, content) if c}
    prefixes = [lem for lem in own if len(lem) >= 5]
    out = Expansion()
    seen_phrases: set[str] = set()
    for gi in sorted(hits):
        line, ts = groups()[gi]
        out.groups.append(line)
        for t in ts:
            if t.paragraph or (gi, t.text) in matched:
                continue
            if len(t.content) == len(t.lemmas) == 1 and (t.lemmas[0] in own or any(t.lemmas[0].startswith(p) for p in prefixes)):
                continue  # the user's own word already finds it
            if set(t.content) <= own:
                continue
            if len(t.lemmas) == 1 and any(t.phrase.startswith(x) and x != t.phrase and len(x) >= 5
                                          for x in seen_phrases | _one_word(ts)):
                continue  # "rusmiddel*" finds "rusmiddelproblem": one wording, one match (a group counts once)
            if t.phrase not in seen_phrases:
                seen_phrases.add(t.phrase)
                out.phrases.append(t.phrase)
                out.words.append(t.text)
            alt = " ".join(t.lemmas)  # with its function words: "uden bolig" is more than "bolig"
            for j in sorted(hits[gi]):
                alts = out.alternatives.setdefault(lemmas[j], [])
                if alt not in alts:
                    alts.append(alt)
    return out


def _one_word(terms: tuple[Term, ...]) -> set[str]:
    return {t.phrase for t in terms if len(t.lemmas) == 1 and not t.paragraph}


def coverage_groups(query_groups: list, expansion: Expansion, credit: float) -> list:
    """``strength.query_groups`` with each word's synonyms added as alternatives of ``credit``
    (a synonym counts when all its words are in the passage, in any order)."""
    if not expansion.alternatives or credit <= 0:
        return query_groups
    credit = min(credit, 0.999)  # below 1: strength.coverage tells a synonym by its credit
    out = []
    for g in query_groups:
        alts = expansion.alternatives.get(g[0][0], [])
        out.append(g + tuple((a, (), credit) for a in alts))
    return out
