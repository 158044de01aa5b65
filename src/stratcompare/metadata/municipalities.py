"""The 98 Danish municipalities: load the data file once and normalise user-written names.

Names reach the tool in many spellings ("Københavns Kommune", "Koege", "Århus",
"lyngby taarbæk"); everything that stores or filters by municipality goes through
:func:`normalise_municipality` so that the corpus holds one canonical name per municipality.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from stratcompare.errors import UsageError

__all__ = [
    "Municipality",
    "all_municipalities",
    "detection_config",
    "match_municipality",
    "municipality_by_code",
    "municipality_hint",
    "name_key",
    "normalise_municipality",
    "resolve_municipality",
]


@dataclass(frozen=True, slots=True)
class Municipality:
    """One municipality from ``data/municipalities.toml``."""

    name: str
    official: str
    code: int
    region: str
    aliases: tuple[str, ...] = ()
    bare_weight: float = 1.0
    compounds: bool = True

    @property
    def variants(self) -> tuple[str, ...]:
        """Canonical name first, then aliases (the spellings the detector looks for)."""
        return (self.name, *self.aliases)


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    text = (resources.files("stratcompare") / "data" / "municipalities.toml").read_text("utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def all_municipalities() -> tuple[Municipality, ...]:
    """All 98 municipalities in data-file order (read once per process)."""
    return tuple(
        Municipality(
            name=row["name"],
            official=row["official"],
            code=int(row["code"]),
            region=row["region"],
            aliases=tuple(row.get("aliases", ())),
            bare_weight=float(row.get("bare_weight", 1.0)),
            compounds=bool(row.get("compounds", True)),
        )
        for row in _load()["municipality"]
    )


def detection_config() -> dict[str, Any]:
    """The ``[detection]`` and ``[years]`` word lists of the data file."""
    data = _load()
    return {"detection": data.get("detection", {}), "years": data.get("years", {})}


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "ä": "ae", "ö": "o", "é": "e"})
_SUFFIX = re.compile(r"\s+(?:regions)?kommunes?$")


def name_key(name: str) -> str:
    """Spelling-insensitive key: case, æøå vs ae/oe/aa, hyphens and spaces do not matter."""
    key = name.strip().lower().rstrip(".")
    key = _SUFFIX.sub("", key)
    key = key.replace("oe", "o").translate(_FOLD)
    return re.sub(r"[\s\-‐‑–'’]+", "", key)


@lru_cache(maxsize=1)
def _index() -> dict[str, Municipality]:
    index: dict[str, Municipality] = {}
    for m in all_municipalities():
        for spelling in (*m.variants, m.official, str(m.code)):
            index.setdefault(name_key(spelling), m)
    return index


def municipality_by_code(code: int | str) -> Municipality | None:
    """The municipality with this 3-digit code (101 København … 860 Hjørring), or None."""
    try:
        wanted = int(code)
    except (TypeError, ValueError):
        return None
    return next((m for m in all_municipalities() if m.code == wanted), None)


def _lookup(name: str) -> Municipality | None:
    index = _index()
    key = name_key(name)
    if not key:
        return None
    found = index.get(key)
    if found is None and key.endswith("s"):  # genitive: "Hjørrings", "Frederiksbergs"
        found = index.get(key[:-1])
    return found


def normalise_municipality(name: str) -> str | None:
    """Canonical name for any known spelling ("Københavns Kommune" -> "København"), else None."""
    found = _lookup(name)
    return found.name if found else None


def municipality_hint(name: str) -> str:
    """What to say about an unknown name: the closest of the 98 ("did you mean 'København'?")."""
    names = {name_key(m.name): m.name for m in all_municipalities()}
    close = difflib.get_close_matches(name_key(name), list(names), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(names[c]) for c in close) + "?"
    return "use one of the 98 municipality names, e.g. 'Hjørring' or 'København'"


def resolve_municipality(name: str) -> Municipality:
    """Like :func:`normalise_municipality` but for user input: unknown names are a usage error.

    The one resolver every command uses (ingest --municipality, JSONL records, and through
    :func:`match_municipality` the filters of passages/search/…): the same spellings are accepted
    everywhere (København, Københavns Kommune, Koebenhavn, kobenhavn) with the same suggestions."""
    found = _lookup(name)
    if found is not None:
        return found
    raise UsageError(f"unknown municipality {name!r}", hint=municipality_hint(name))


def match_municipality(name: str, present: Iterable[str]) -> str:
    """The spelling stored in the corpus for a user-typed ``name`` (a filter such as ``-m``).

    ``present`` are the municipality values in the corpus.  A stored value is matched exactly,
    case-insensitively or as the same one of the 98; an unknown name is a UsageError with the
    suggestions of :func:`resolve_municipality`; a known municipality that has no documents is a
    UsageError listing the ones that do."""
    present = [p for p in present if p]
    wanted = name.strip()
    for p in present:
        if p == wanted:
            return p
    for p in present:
        if p.casefold() == wanted.casefold():
            return p
    have = sorted(set(present))
    known = ("known: " + ", ".join(have[:20]) + ("…" if len(have) > 20 else "")) if have \
        else "the corpus is empty"
    found = _lookup(wanted)
    if found is None:
        hint = municipality_hint(wanted)
        raise UsageError(f"unknown municipality {name!r}",
                         hint=hint if hint.startswith("did you mean") else known)
    for p in present:
        if _lookup(p) is found:
            return p
    raise UsageError(f"no documents from municipality {found.name!r}", hint=known)
