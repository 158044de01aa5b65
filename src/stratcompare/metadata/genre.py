"""Which genre a document is: strategy, minutes, news or other.

Minutes and news are read differently from strategies (their formalities and quotes are not
policy), so ingest stores a genre with a confidence. The cues and their weights live in
``data/lang/da/genre.toml``: each cue looks at the title, the file name, the head of the text or
the whole text and adds its weight to one genre. The title's head noun names the document's
kind ("Evaluering af handicappolitikken" is an evaluation; the kind nouns are data in the same
file), unless the title is a headline (a clause: "Handicappolitikken er sendt i høring"), which
is news about what it names, and a title that opens with an action noun and a preposition
("Opfølgning på misbrugspolitikken") is a case about what it names. The best-scoring genre
wins; its confidence is its share of the scores, scaled down when there is little evidence.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["GENRES", "detect_genre", "genre_scores", "resolve_genre", "title_head_noun"]

GENRES = ("strategy", "minutes", "news", "other")
# what users type for a genre ("--genre policy")
_GENRE_ALIASES = {"policy": "strategy", "plan": "strategy", "politik": "strategy",
                  "referat": "minutes", "dagsorden": "minutes", "nyhed": "news"}


def resolve_genre(name: str) -> str:
    """A genre as a user may type it (any case; 'policy'/'plan' mean strategy); unknown names
    raise UsageError listing the genres."""
    from stratcompare.errors import UsageError

    key = name.strip().lower()
    key = _GENRE_ALIASES.get(key, key)
    if key not in GENRES:
        raise UsageError(f"unknown genre '{name}'", hint="one of: " + ", ".join(GENRES))
    return key

_WHERE = ("title", "text", "head", "filename")
_NO_TITLE = ("microsoft word", "untitled", "dokument", "document", "slide", "powerpoint")
# metadata titles that name no document: a file name ("1552822.docx", "bilag_2.pdf"), a bare
# number or an attachment number ("Bilag 3")
_FILE_TITLE = re.compile(r"(?i)^\S+\.(docx?|pdf|odt|rtf|pptx?|xlsx?|html?)$|^[\d\W_]+$|^bilag\s*\d*\W*$")


@dataclass(frozen=True, slots=True)
class Cue:
    genre: str
    where: str
    pattern: re.Pattern[str]
    weight: float
    why: str
    min_hits: int = 1  # a text cue counts only from this many hits on (a voice, not a word)
    max_hits: int | None = None  # None: the settings' max_hits


@dataclass(frozen=True, slots=True)
class GenreRules:
    cues: tuple[Cue, ...]
    head_chars: int
    max_hits: int
    prior_other: float
    evidence_scale: float
    item_title: re.Pattern[str]
    head_nouns: tuple[tuple[str, str], ...]  # (noun, genre), longest first
    head_noun_words: int
    head_noun_weight: float
    noun_endings: tuple[str, ...]
    noun_cues: frozenset[int]  # indexes of the title cues skipped when a head noun decides
    headline: re.Pattern[str]
    headline_weight: float
    head_noun_stop: frozenset[str]
    topic_title: re.Pattern[str]
    kind_year_part: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> GenreRules:
    path = resources.files("stratcompare") / "data" / "lang" / "da" / "genre.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cues, noun_cues = [], set()
    for c in data["cue"]:
        if c.get("noun"):
            noun_cues.add(len(cues))
        if c["genre"] not in GENRES or c["where"] not in _WHERE or not c.get("why"):
            raise ValueError(f"genre.toml: bad cue {c!r}")
        flags = re.IGNORECASE | (re.MULTILINE if c["where"] in ("text", "head") else 0)
        cues.append(Cue(c["genre"], c["where"], re.compile(c["pattern"], flags),
                        float(c["weight"]), c["why"], int(c.get("min_hits", 1)),
                        c.get("max_hits")))
    s = data["settings"]
    nouns = []
    for group in data["noun"]:
        if group["genre"] not in GENRES or not group.get("why"):
            raise ValueError(f"genre.toml: bad noun group {group!r}")
        nouns += [(n.lower(), group["genre"]) for n in group["nouns"]]
    return GenreRules(tuple(cues), int(s["head_chars"]), int(s["max_hits"]),
                      float(s["prior_other"]), float(s["evidence_scale"]),
                      re.compile(s["item_title"], re.IGNORECASE),
                      tuple(sorted(nouns, key=lambda x: -len(x[0]))), int(s["head_noun_words"]),
                      float(s["head_noun_weight"]), tuple(s["noun_endings"]),
                      frozenset(noun_cues), re.compile(s["headline"], re.IGNORECASE),
                      float(s["headline_weight"]), frozenset(s["head_noun_stop"]),
                      re.compile(s["topic_title"], re.IGNORECASE),
                      re.compile(s["kind_year_part"], re.IGNORECASE))


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*-?", re.UNICODE)
_COORD = {"og", "eller", "&"}


def title_head_noun(title: str | None) -> tuple[str, str] | None:
    """(word, genre) of the title's head noun: the first of its first few words (numbers and
    the "Børne- og" parts of a coordination not counted), before any preposition, that ends in
    a kind noun of genre.toml ("Evaluering af handicappolitikken" -> evaluering/other), else
    None."""
    rules = _rules()
    words = [w for w in _WORD.findall(title or "")
             if not w.endswith("-") and w.lower() not in _COORD]
    for word in words[: rules.head_noun_words]:
        if word.lower() in rules.head_noun_stop:
            return None  # past the first preposition: the topic, not the kind
        low = word.lower().rsplit("-", 1)[-1]
        for noun, genre in rules.head_nouns:
            at = low.rfind(noun)
            if at >= 0 and low[at + len(noun):] in rules.noun_endings:
                return word, genre
    return None


def _first_line(text: str | None) -> str:
    """A document without a stored title is titled by its first line (text files, web pages)."""
    for line in (text or "").splitlines():
        if len(line.strip()) >= 4:
            return line.strip()[:200]
    return ""


def genre_scores(title: str | None, text: str, source_kind: str | None = None,
                 filename: str | None = None) -> dict[str, float]:
    """The score of each genre (before the prior) — what ``detect_genre`` decides on."""
    rules = _rules()
    if (not title or not title.strip() or title.strip().lower().startswith(_NO_TITLE)
            or _FILE_TITLE.match(title.strip())):
        title = _first_line(text)
    fields = {"title": title or "", "text": text or "", "head": (text or "")[: rules.head_chars],
              "filename": (filename or "").lower()}
    scores = dict.fromkeys(GENRES, 0.0)
    agenda_item = bool(rules.item_title.match(fields["title"].strip()))
    headline = not agenda_item and bool(rules.headline.match(fields["title"].strip()))
    if headline and (m := rules.kind_year_part.match(fields["title"])) and title_head_noun(
            m.group(1)):
        headline = False  # "Vision 2035 – Svaneholt vil mere": a title and its slogan
    head = None if agenda_item or headline else title_head_noun(fields["title"])
    # "Opfølgning på misbrugspolitikken": a case about the policy; its kind noun is the topic
    topic = head is None and bool(rules.topic_title.match(fields["title"].strip()))
    if head is not None:
        scores[head[1]] += rules.head_noun_weight
    if headline:
        scores["news"] += rules.headline_weight
    for number, cue in enumerate(rules.cues):
        where = fields[cue.where]
        if not where or (agenda_item and cue.where == "title" and cue.genre != "minutes"):
            continue  # an agenda item's title names its topic, not the document's kind
        if (head is not None or headline or topic) and number in rules.noun_cues:
            continue  # the head noun has named the kind (or a headline its topic)
        if cue.where == "text":
            cap = rules.max_hits if cue.max_hits is None else int(cue.max_hits)
            hits = sum(1 for _ in zip(range(cap), cue.pattern.finditer(where)))
            hits = hits if hits >= cue.min_hits else 0
        else:
            hits = 1 if cue.pattern.search(where) else 0
        scores[cue.genre] += hits * cue.weight
    return scores


def detect_genre(title: str | None, text: str, source_kind: str | None = None,
                 filename: str | None = None) -> tuple[str, float]:
    """(genre, confidence 0..1) from title, text and file name.

    ``source_kind`` (text, pdf, html, jsonl) is part of the interface for cues keyed on the kind
    of file; no cue in genre.toml needs it today, because every genre comes in every format.
    """
    rules = _rules()
    scores = genre_scores(title, text, source_kind, filename)
    scores = {g: max(0.0, s) for g, s in scores.items()}
    evidence = sum(scores.values())
    scores["other"] += rules.prior_other
    best = max(GENRES, key=lambda g: (scores[g], -GENRES.index(g)))
    total = sum(scores.values())
    share = scores[best] / total if total else 0.0
    strength = min(1.0, evidence / rules.evidence_scale)
    return best, round(share * (0.5 + 0.5 * strength), 3)
