"""Danish compound splitting, so "hjemløsestrategi" meets "strategi for hjemløse" in the lexical index.

Danish writes a concept as one word ("netværksplejefamilie", "anbringelsesgrundlag"), so a query
and a passage about the same thing often share no whole word.  ``split("anbringelsesgrundlag")``
gives ``["anbringelse", "grundlag"]`` and ``analyse(...)`` shows the linking letter:
"anbringelse|s|grundlag".

The parts vocabulary (``data/lang/da/compounds_parts.txt``) is derived from the repo's lexicon
sources (spaCy's Danish lemma table and wordfreq) by ``scripts/build_compound_parts.py``.  Rules:
every part is a known word of 4+ letters (or a listed short part: "bo", "råd", "sag"), a part
before the last may end in the linking letter s or e, the last part may be inflected; frequent
words are lexicalised and stay whole ("samarbejde", "overgang"), as do names and the keep list.
Among the possible splits the one with the fewest parts wins (then the most even one).
"""

from __future__ import annotations

from functools import lru_cache

from stratcompare.config import data_path, word_list

MIN_WORD = 7  # shorter words are not split ("ungeråd" is the shortest useful one)
MIN_PART = 4  # parts are at least this long unless listed in compounds_short.txt
MAX_PARTS = 4
LINKS = "se"  # anbringelse|s|grundlag, børn|e|familie


@lru_cache(maxsize=1)
def _vocab() -> tuple[frozenset[str], frozenset[str], frozenset[str], tuple[str, ...]]:
    """(parts, words kept whole, short parts, endings) from the data files (loaded once)."""
    parts, atoms = set(), set()
    for line in data_path("lang", "da", "compounds_parts.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line[0] == "=":  # frequent word: a part, and never split itself
            atoms.add(line[1:])
            parts.add(line[1:])
        else:
            parts.add(line)
    keep = set(atoms) | set(word_list("lang/da/compounds_keep.txt")) | _names()
    short = word_list("lang/da/compounds_short.txt")
    parts -= word_list("lang/da/compounds_not_parts.txt")
    endings = tuple(sorted(word_list("lang/da/compounds_endings.txt"), key=len, reverse=True))
    return frozenset(parts | short), frozenset(keep), short, endings


def _names() -> set[str]:
    """Municipality and place names (lower case): "Rødovre" is not rød|ovre."""
    out = set(word_list("repair/places.txt"))
    try:
        import tomllib

        data = tomllib.loads(data_path("municipalities.toml").read_text(encoding="utf-8"))
        for m in data.get("municipality", []):
            for name in [m.get("name", ""), *m.get("aliases", [])]:
                if isinstance(name, str):
                    out.update(p for p in name.lower().replace(" ", "-").split("-") if p)
    except (OSError, ValueError):
        pass
    return out


def _base(tail: str, parts: frozenset[str], endings: tuple[str, ...]) -> str | None:
    """``tail`` or its uninflected form if that is a known part ("familier" -> "familie")."""
    if tail in parts:
        return tail
    for e in endings:
        if tail.endswith(e) and len(tail) - len(e) >= 2:
            stem = tail[: -len(e)]
            if stem in parts:
                return stem
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in parts:  # tilbudd-et
                return stem[:-1]
    return None


def _ok(part: str, short: frozenset[str]) -> bool:
    return len(part) >= MIN_PART or part in short


@lru_cache(maxsize=200_000)
def _best(w: str, room: int) -> tuple[tuple[str, str], ...] | None:
    """Fewest-part analysis of ``w`` as ((part, link), ...), the last part uninflected; None if none."""
    parts, _, short, endings = _vocab()
    if room <= 0:
        return None
    best, best_key = None, None
    for i in range(len(w) - 2, 1, -1):
        head, tail = w[:i], w[i:]
        heads = []
        linked = head[-1] in LINKS and head[:-1] in parts and _ok(head[:-1], short)
        if linked:
            heads.append((head[:-1], head[-1]))
        if head in parts and _ok(head, short) and not (linked and head[-1] == "s"):  # sundhed|s, not "sundheds"
            heads.append((head, ""))
        if not heads:
            continue
        last = _base(tail, parts, endings)
        rest = ((last, ""),) if last is not None and _ok(last, short) else _best(tail, room - 1)
        if rest is None:
            continue
        for h in heads:
            cand = (h, *rest)
            key = (len(cand), -min(len(p) for p, _ in cand), sum(1 for _, link in cand if link == "e"))
            if best_key is None or key < best_key:
                best, best_key = cand, key
    return best


def _analysis(word: str) -> tuple[tuple[str, str], ...] | None:
    w = word.lower()
    if len(w) < MIN_WORD or not w.isalpha():
        return None
    parts, keep, _, endings = _vocab()
    if w in keep or (_base(w, keep, endings) is not None):
        return None
    found = _best(w, MAX_PARTS - 1)
    return found if found and len(found) > 1 else None


def split(word: str) -> list[str]:
    """The parts of a compound as written, linking letters dropped ("netværksplejefamilier" ->
    ["netværk", "pleje", "familier"]; lemmatise them to index); ``[]`` when ``word`` is not split."""
    found = _analysis(word)
    return [p for p, _ in found] if found else []


def analyse(word: str) -> str:
    """The split written out with linking letters: "anbringelse|s|grundlag" (the word itself if none)."""
    found = _analysis(word)
    if not found:
        return word.lower()
    return "|".join(p + ("|" + link if link else "") for p, link in found)
