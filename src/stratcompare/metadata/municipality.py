"""Guess which municipality a document belongs to, with a confidence that means something.

Every mention of a municipality name is scored by *how* it is mentioned ("Hjørring Kommune",
"Byrådet i Hjørring" > bare "Hjørring" > "Hjørringmodellen" > "Hjørringvej") and *where*
(title > first pages > later pages; the file name a little).  Matching is tolerant of the
OCR damage Danish PDFs carry ("Hjgrring Kommunes", "Kgge", "@rø"): each name becomes a
pattern in which æ, ø, å (and l, m) may appear as their usual misreadings.  Fuzzy spellings of
short names count only next to "Kommune", where they cannot be an ordinary word.

Performance: tokens are found with one regex, and each distinct token is looked up once
(cached) in a per-first-letter alternation of all name patterns.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from stratcompare.metadata.municipalities import (
    Municipality,
    all_municipalities,
    detection_config,
    name_key,
)

__all__ = ["MunicipalityGuess", "detect_municipality"]

# --- weights ---------------------------------------------------------------------------------
W_STRONG = 5.0  # "X Kommune(s)", "Xs Kommune", "Bornholms Regionskommune", "Byrådet i X"
W_BARE = 1.0  # "X" on its own (times the municipality's bare_weight)
W_BARE_FUZZY = 0.6  # OCR-damaged bare "Hjgrring" (long names only)
W_GENITIVE = 0.8  # "Hernings Sverigesprogram"
W_COMPOUND_STRONG = 0.8  # "Herningmodellen", "Hjørring-modellen"
W_COMPOUND = 0.3  # other compounds
W_COMPOUND_WEAK = 0.1  # "Kalundborgvej"
TITLE_WEIGHT = 6.0
FILENAME_WEIGHT = 1.5
POSITION_BOOST = 3.0  # extra weight at the very start of the document ...
POSITION_DECAY = 3000.0  # ... fading over roughly the first page (characters)
MIN_SCORE = 0.9  # below this nothing is named
MIN_FUZZY_BARE_LEN = 7  # shorter OCR variants ("Kgge", "Fane") count only before "Kommune"

# --- OCR-tolerant character classes ------------------------------------------------------------
_OCR = {
    "ø": "(?:oe|ø|ö|o|0|g|e|p|s|@)",
    "æ": "(?:ae|ee|ze|æ|ä|z|e|a|@)",
    "å": "(?:aa|å|ä|â|a|d)",
    "l": "[l1i|]",
    "m": "(?:rn|m)",
    "-": "[-‐‑– ]?",
    " ": "[-‐‑– ]?",
    ".": r"\.?",
}
_FIRST_CHARS = {
    "ø": "øöo0gepsq@",
    "æ": "æäazeq@",
    "å": "åäâad",
    "l": "l1i|",
    "m": "mr",
}

_TOKEN = re.compile(r"(?<![\w@])[A-ZÆØÅÄÖ@][\w@]*(?:-[\w@]+)*")
_NEXT_WORD = re.compile(r"[ \t]+([A-ZÆØÅ][\w@]*(?:-[\w@]+)*)")
_AFTER_STRONG = re.compile(
    r"\s{1,3}(?:(?:regions)?k[o0](?:m|rn)(?:m|rn)une(?:s|ns)?|byr(?:aa|å|a|d)d(?:et|ets)?)(?!\w)",
    re.IGNORECASE,
)
_BEFORE_STRONG = re.compile(
    r"(?:byr(?:aa|å|a|d)det|kommunalbestyrelsen|borgmester(?:en)?|borgerrepræsentationen)"
    r"\s+(?:i|for)\s+$",
    re.IGNORECASE,
)
_WHOLE_NAME_RESTS = frozenset({"", "s", "'", "’", "'s", "’s"})
_FILENAME_SEPARATORS = re.compile(r"[-_.+\s]+")


@dataclass(slots=True)
class MunicipalityGuess:
    """Best municipality (or None), confidence 0..1, why, and all scored candidates."""

    name: str | None
    confidence: float
    evidence: list[str] = field(default_factory=list)
    candidates: list[tuple[str, float]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Hit:
    municipality: Municipality
    end: int  # characters of the token consumed by the name (+ genitive s)
    exact: bool  # spelled like a known variant (no OCR damage)
    rest: str  # what follows the name inside the token: "", "s", "modellen", "-modellen"


def _pattern(variant: str) -> str:
    return "".join(_OCR.get(ch, re.escape(ch)) for ch in variant.lower())


def _first_chars(variant: str) -> set[str]:
    first = variant[0].lower()
    return set(_FIRST_CHARS.get(first, first))


@lru_cache(maxsize=1)
def _matchers() -> tuple[dict[str, re.Pattern[str]], dict[str, tuple[Municipality, str]]]:
    """Per first character, one alternation of every name pattern that can start with it."""
    by_first: dict[str, list[tuple[str, str]]] = defaultdict(list)
    groups: dict[str, tuple[Municipality, str]] = {}
    for i, m in enumerate(all_municipalities()):
        for j, variant in enumerate(m.variants):
            group = f"m{i}_{j}"
            groups[group] = (m, variant.lower())
            for ch in _first_chars(variant):
                by_first[ch].append((variant, group))
    compiled = {}
    for ch, entries in by_first.items():
        entries.sort(key=lambda e: -len(e[0]))  # longest name first: "Lyngby-Taarbæk" > "Lyngby"
        alternation = "|".join(f"(?P<{g}>{_pattern(v)})" for v, g in entries)
        compiled[ch] = re.compile(alternation, re.IGNORECASE)
    return compiled, groups


@lru_cache(maxsize=1)
def _known_spellings() -> frozenset[str]:
    """Keys of every variant: "Hjoerring", "Hjorring" and "Hjørring" are all spellings."""
    return frozenset(name_key(v) for m in all_municipalities() for v in m.variants)


@lru_cache(maxsize=1)
def _compound_heads() -> tuple[tuple[str, ...], tuple[str, ...]]:
    cfg = detection_config()["detection"]
    strong = tuple(sorted(cfg.get("strong_compound_heads", ()), key=len, reverse=True))
    weak = tuple(sorted(cfg.get("weak_compound_heads", ()), key=len, reverse=True))
    return strong, weak


@lru_cache(maxsize=65536)
def _lookup(token: str) -> _Hit | None:
    """Which municipality name ``token`` (lower-cased) starts with, if any."""
    matchers, groups = _matchers()
    regex = matchers.get(token[:1])
    if regex is None:
        return None
    m = regex.match(token)
    if m is None or m.lastgroup is None:
        return None
    municipality, _ = groups[m.lastgroup]
    matched = m.group(0)
    rest = token[m.end() :]
    return _Hit(municipality, m.end(), name_key(matched) in _known_spellings(), rest)


def _classify(hit: _Hit, strong_context: bool, capital_head: bool) -> tuple[float, str] | None:
    """Weight and kind of one mention, or None when it should not count.

    ``capital_head``: the part after a hyphen starts with a capital ("Holstebro-Struer").
    """
    m = hit.municipality
    rest = hit.rest
    fuzzy_ok = hit.exact or len(m.name) >= MIN_FUZZY_BARE_LEN
    if rest in _WHOLE_NAME_RESTS:
        if strong_context:
            return W_STRONG, "official"
        if not fuzzy_ok:
            return None
        if rest:
            return W_GENITIVE * m.bare_weight, "genitive"
        weight = W_BARE if hit.exact else W_BARE_FUZZY
        return weight * m.bare_weight, "bare" if hit.exact else "bare-ocr"
    # a compound: "Herningmodellen", "Hjørring-modellen", "Kalundborgvej"
    hyphen = rest.startswith("-")
    if not m.compounds or not (hit.exact or (hyphen and fuzzy_ok)):
        return None
    head = rest.lstrip("-")
    strong, weak = _compound_heads()
    for candidate in (head, head[1:] if head.startswith("s") else None):
        if candidate is None:
            continue
        if any(candidate.startswith(h) for h in strong):
            return W_COMPOUND_STRONG, "compound"
        if any(candidate == h or candidate.startswith(h) and len(h) > 3 for h in weak):
            return W_COMPOUND_WEAK, "place-compound"
    if hyphen and capital_head:  # "Holstebro-Struer": a pair, not a compound
        return W_BARE * m.bare_weight, "bare"
    return W_COMPOUND, "compound"


def _position_weight(offset: int) -> float:
    return 1.0 + POSITION_BOOST * math.exp(-offset / POSITION_DECAY)


class _Scores:
    """Mentions per municipality; repeated mentions add less and less (k-th counts 1/sqrt(k))."""

    def __init__(self) -> None:
        self.evidence: dict[str, list[tuple[float, str]]] = defaultdict(list)

    def add(self, name: str, weight: float, note: str) -> None:
        self.evidence[name].append((weight, note))

    def totals(self) -> dict[str, float]:
        totals = {}
        for name, notes in self.evidence.items():
            weights = sorted((w for w, _ in notes), reverse=True)
            totals[name] = sum(w / math.sqrt(k) for k, w in enumerate(weights, start=1))
        return totals


def _scan(text: str, where: str, base_offset: int, weight: float | None, scores: _Scores) -> None:
    """Score every municipality mention in ``text``; ``weight`` None = by position."""
    skip_until = -1
    for tm in _TOKEN.finditer(text):
        start = tm.start()
        if start < skip_until:
            continue
        token = tm.group(0)
        lowered = token.lower()
        hit = None
        end = tm.end()
        nxt = _NEXT_WORD.match(text, end)
        if nxt is not None:  # two-word names: "Høje Taastrup", "Mariager Fjord"
            pair = _lookup(lowered + " " + nxt.group(1).lower())
            if pair is not None and pair.end > len(lowered) + 1 and pair.rest in ("", "s"):
                hit, end = pair, nxt.end()
                skip_until = end
        if hit is None:
            hit = _lookup(lowered)
            if hit is None:
                continue
            if hit.rest.startswith("-") and len(hit.rest) > 1:
                # "Holstebro-Struer": the part after the hyphen may be a name of its own
                _scan(token[hit.end + 1 :], where, base_offset + start + hit.end + 1, weight,
                      scores)
        after = None
        strong = False
        if hit.rest in _WHOLE_NAME_RESTS:
            after = _AFTER_STRONG.match(text, end)
            strong = after is not None or (
                _BEFORE_STRONG.search(text, max(0, start - 60), start) is not None
            )
        original_rest = token[hit.end :] if end == tm.end() else ""
        classified = _classify(hit, strong, original_rest[1:2].isupper())
        if classified is None:
            continue
        kind_weight, kind = classified
        pos = weight if weight is not None else _position_weight(base_offset + start)
        phrase = " ".join(text[start : after.end() if after else end].split())
        scores.add(hit.municipality.name, kind_weight * pos, f"{phrase!r} ({kind}, {where})")


def detect_municipality(
    pages: list[str], *, title: str | None = None, filename: str | None = None
) -> MunicipalityGuess:
    """Best-guess municipality of a document from its pages, title and file name.

    ``confidence`` is the winner's share of the squared top-two scores (0.5 = a tie, 1 = no
    rival) times how much evidence there is (one late bare mention is weak, "X Kommune" in the title
    is not).  ``candidates`` lists every municipality found with its evidence score, best first.
    """
    scores = _Scores()
    if title:
        _scan(title, "title", 0, TITLE_WEIGHT, scores)
    offset = 0
    for number, page in enumerate(pages, start=1):
        if page:
            _scan(page, f"page {number}", offset, None, scores)
            offset += len(page)
    if filename:
        stem = filename.replace("\\", "/").rsplit("/", 1)[-1]
        stem = stem.rsplit(".", 1)[0] if "." in stem else stem
        # "lyngby-taarbaek_strategi" -> "Lyngby Taarbaek Strategi": words as in running text
        words = " ".join(w.capitalize() for w in _FILENAME_SEPARATORS.split(stem) if w)
        _scan(words, "file name", 0, FILENAME_WEIGHT, scores)

    ranked = sorted(scores.totals().items(), key=lambda kv: (-kv[1], kv[0]))
    candidates = [(name, round(score, 2)) for name, score in ranked]
    if not ranked or ranked[0][1] < MIN_SCORE:
        return MunicipalityGuess(None, 0.0, [], candidates)
    best, s1 = ranked[0]
    s2 = ranked[1][1] if len(ranked) > 1 else 0.0
    share = s1 * s1 / (s1 * s1 + s2 * s2)  # 0.5 for a tie, ~0.94 when four times stronger
    strength = 1.0 - math.exp(-s1 / 6.0)
    confidence = round(share * strength, 3)
    notes = sorted(scores.evidence[best], key=lambda wn: -wn[0])
    evidence = [note for _, note in notes[:5]]
    if len(notes) > 5:
        evidence.append(f"... and {len(notes) - 5} more mentions")
    return MunicipalityGuess(best, confidence, evidence, candidates)
