"""Forgiving name matching: users type "koge" or "Koege" for Køge, "aabenraa" for Aabenraa.

Municipality names come from the corpus (``documents.municipality``); a document naming several
municipalities counts for its main (first-named) one.
"""

from __future__ import annotations

import re
import unicodedata

_SPLIT = re.compile(r"\s*(?:;|,|/|\||\s+og\s+|\s+&\s+)\s*")
UNKNOWN = "(unknown)"


def main_municipality(value: str | None) -> str:
    """The document's main municipality: the first one named; "(unknown)" when none is set."""
    if not value or not value.strip():
        return UNKNOWN
    first = _SPLIT.split(value.strip(), maxsplit=1)[0].strip()
    return first or UNKNOWN


def fold(text: str) -> str:
    """A loose matching key: case-, diacritic- and Danish-spelling-insensitive.

    æ/ae → a, ø/oe → o, å/aa → a, other accents dropped, non-alphanumerics removed; so "Køge",
    "koge" and "Koege" share a key, as do "Aabenraa" and "Åbenrå".
    """
    s = text.casefold()
    s = s.replace("æ", "a").replace("ø", "o").replace("å", "a")
    s = s.replace("aa", "a").replace("ae", "a").replace("oe", "o")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", s)


_DANISH_ORDER = str.maketrans({"æ": "z\x01", "ø": "z\x02", "å": "z\x03"})


def danish_sort_key(name: str) -> str:
    """Sort like a Danish dictionary: æ, ø, å after z."""
    return name.casefold().translate(_DANISH_ORDER)


def match_name(query: str, names: list[str]) -> list[str]:
    """Every name in ``names`` matching ``query``: exact first, else case-insensitive, else folded,
    else the same one of the 98 municipalities (``metadata.municipalities``' resolver)."""
    if query in names:
        return [query]
    lower = [n for n in names if n.casefold() == query.casefold()]
    if lower:
        return lower
    key = fold(query)
    folded = [n for n in names if key and fold(n) == key]
    if folded:
        return folded
    # Last, the shared resolver of the 98 names ("Københavns Kommune", "Koebenhavn"), so a cell
    # or row is found by every spelling the other commands accept.
    from stratcompare.metadata.municipalities import normalise_municipality

    canonical = normalise_municipality(query)
    if canonical is None:
        return []
    return [n for n in names if normalise_municipality(n) == canonical]
