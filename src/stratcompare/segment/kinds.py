"""Passage kinds beyond structure: which passages are minutes' formalities or page furniture.

The segmenter guesses a structural kind (content, list, heading, toc, table). Themes, search and
the matrices should not count "Godkendt.", attendance lines, "Læs mere" or cookie banners as
policy text, so ``refine_kinds`` marks those ``procedure`` or ``boilerplate``. The rules live in
``data/lang/da/kinds.toml`` (one ``why`` per rule); the order of decision is:

1. ``table`` and ``toc`` stay what they are; a ``heading`` stays a heading unless a whole-passage
   rule calls it boilerplate ("Læs mere", "Senest opdateret ...");
2. whole-passage rules (a bare decision "Vedtaget.", a cookie banner);
3. line rules: the words of lines that match a procedure or boilerplate rule are counted, and a
   kind holding at least ``share`` of the passage's words wins (ties go to procedure);
4. in minutes, a passage under a formal section ("Indstilling", "Beslutning ...") is procedure
   unless it is long prose — the substance rule: the body of "Sagsfremstilling" stays content;
5. otherwise the structural kind.

The genre is a feature (some rules only fire in minutes), so is the position in the document
(rules marked ``edge`` only fire near its start or end).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

__all__ = ["KINDS", "classify_kind", "refine_kinds", "load_rules"]

KINDS = ("content", "list", "heading", "toc", "procedure", "boilerplate", "table")
_KEEP = ("table", "toc")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"\w{3,}[.!?]$")


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    why: str
    max_words: int | None = None
    genres: tuple[str, ...] = ()
    edge: bool = False

    def applies(self, text: str, words: int, genre: str | None, at_edge: bool) -> bool:
        if self.max_words is not None and words > self.max_words:
            return False
        if self.genres and genre not in self.genres:
            return False
        if self.edge and not at_edge:
            return False
        return self.pattern.search(text) is not None


@dataclass(frozen=True, slots=True)
class Rules:
    whole: tuple[Rule, ...]
    line: tuple[Rule, ...]
    section_procedure: re.Pattern[str]
    share: float
    short_line_words: int
    section_prose_words: int
    edge_share: float
    carry_words: int


def _rule(entry: dict) -> Rule:
    kind = entry["kind"]
    if kind not in KINDS:
        raise ValueError(f"kinds.toml: unknown kind {kind!r}")
    if not entry.get("why"):
        raise ValueError(f"kinds.toml: rule {entry['pattern']!r} has no 'why'")
    return Rule(kind, re.compile(entry["pattern"], re.IGNORECASE), entry["why"],
                entry.get("max_words"), tuple(entry.get("genres", ())), bool(entry.get("edge")))


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The rules of ``data/lang/da/kinds.toml`` (read once)."""
    path = resources.files("stratcompare") / "data" / "lang" / "da" / "kinds.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    s = data["settings"]
    return Rules(
        tuple(_rule(e) for e in data.get("whole", [])),
        tuple(_rule(e) for e in data.get("line", [])),
        re.compile(data["sections"]["procedure"], re.IGNORECASE),
        float(s["share"]), int(s["short_line_words"]), int(s["section_prose_words"]),
        float(s["edge_share"]), int(s["carry_words"]),
    )


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _clean(line: str) -> str:
    return " ".join(line.replace("\u00a0", " ").split()).strip(" *")


def _line_kind(line: str, rules: Rules, genre: str | None, at_edge: bool) -> str | None:
    words = _words(line)
    if words == 0 or words > rules.short_line_words:
        return None
    for rule in rules.line:
        if rule.applies(line, words, genre, at_edge):
            return rule.kind
    return None


def _at_edge(position: float | None, rules: Rules) -> bool:
    return position is None or position <= rules.edge_share or position >= 1 - rules.edge_share


def classify_kind(text: str, *, section: str | None = None, genre: str | None = None,
                  position: float | None = None, structural: str = "content") -> str:
    """The kind of one passage; ``position`` is its place in the document, 0 (start) to 1."""
    rules = load_rules()
    if structural in _KEEP:
        return structural
    flat = _clean(text)
    words = _words(flat)
    if words == 0:
        return structural
    edge = _at_edge(position, rules)
    for rule in rules.whole:
        if rule.applies(flat, words, genre, edge):
            if structural == "heading" and rule.kind != "boilerplate":
                return structural
            return rule.kind
    if structural == "heading":
        return structural

    counts = {"procedure": 0, "boilerplate": 0}
    carry: str | None = None  # a "Fraværende:" line lends its kind to the names under it
    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            continue
        kind = _line_kind(line, rules, genre, edge)
        if kind:
            counts[kind] += _words(line)
            carry = kind if (line.endswith(":") or _words(line) <= 3) else None
        elif carry and _words(line) <= rules.carry_words and not _SENTENCE_END.search(line):
            counts[carry] += _words(line)
        else:
            carry = None
    best = max(counts, key=lambda k: (counts[k], k == "procedure"))
    if counts[best] and counts[best] >= rules.share * words:
        return best
    if (genre == "minutes" and section and rules.section_procedure.search(_clean(section))
            and (words <= rules.section_prose_words or counts["procedure"])):
        return "procedure"
    return structural


def refine_kinds(segments: Iterable, *, genre: str | None = None) -> None:
    """Set ``seg.kind`` on each segment (in place), from its text, section, genre and place."""
    segments = list(segments)
    n = len(segments)
    for i, seg in enumerate(segments):
        position = i / (n - 1) if n > 1 else 0.0
        seg.kind = classify_kind(seg.text, section=seg.section, genre=genre, position=position,
                                 structural=getattr(seg, "kind", None) or "content")
