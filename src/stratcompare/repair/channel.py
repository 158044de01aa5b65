"""The channel model: how an English OCR engine misreads Danish letters, and its inverse.

Rules come from ``data/repair/channel.tsv`` (learnt by ``scripts/ocr_pairs.py`` from Danish
text rendered and read back by ``tesseract -l eng``; cost = -log10 P(ocr | true)) and
``data/repair/confusions.tsv`` (hand-written, for glyphs older engines produce, e.g. "@" and
"g" for ø); where both give a cost for the same pair the lower one holds (the text may come
from either kind of engine).  Learnt rules are used
only where they can restore a Danish letter or are a known glyph confusion: generic letter
noise would only invite false corrections of valid rare words.  ``candidates(token)`` applies inverse rules
(OCR text -> true text) at up to ``max_edits`` places within a cost budget, so the number of
candidates stays bounded even for long tokens.
"""

from __future__ import annotations

from functools import lru_cache

from stratcompare.config import data_path

Rule = tuple[str, str, float]


DANISH = set("æøåÆØÅ")
TOKEN_GLYPHS = set("@|#0")
LEARNT_FLOOR = 0.3   # a learnt confusion never costs less than this (unchanged text is likelier)


def _read(name: str) -> list[tuple[str, str, float]]:
    path = data_path("repair", name)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") and not line.startswith("#\t"):
            continue  # comments start with "#" (a rule for the glyph "#" starts with "#<TAB>")
        ocr, true, cost = line.split("\t")[:3]
        out.append(("" if ocr == "_" else ocr, "" if true == "_" else true, float(cost)))
    return out


@lru_cache(maxsize=1)
def load_rules() -> list[Rule]:
    """(ocr, true, cost) triples, upper-case variants of letter rules included."""
    table: dict[tuple[str, str], float] = {}
    hand = _read("confusions.tsv")
    for ocr, true, cost in hand:
        table[(ocr, true)] = cost
    for ocr, true, cost in _read("channel.tsv"):
        if not true or not (set(true) & DANISH or (ocr, true) in table
                            or set(ocr) & TOKEN_GLYPHS and true.isalpha()):
            continue
        if not all(ch.isalpha() or ch in TOKEN_GLYPHS for ch in ocr):
            continue  # the tokenizer never hands such a glyph over
        cost = max(LEARNT_FLOOR, cost)
        table[(ocr, true)] = min(cost, table.get((ocr, true), cost))
    rules: list[Rule] = []
    seen = set()
    for (ocr, true), cost in table.items():
        variants = [(ocr, true)]
        if ocr and ocr.islower() and true.islower():
            variants.append((ocr.upper(), true.upper()))
        for o, t in variants:
            if (o, t) not in seen:
                seen.add((o, t))
                rules.append((o, t, float(cost)))
    return rules


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[tuple[str, float]]], list[tuple[str, float]]]:
    """ocr first char -> [(ocr, true, cost)], plus insertion rules."""
    by_first: dict[str, list] = {}
    inserts = []
    for ocr, true, cost in load_rules():
        if not ocr:
            inserts.append((true, cost))
        else:
            by_first.setdefault(ocr[0], []).append((ocr, true, cost))
    return by_first, inserts


def sites(token: str, inserts: bool = True) -> list[tuple[int, int, str, float]]:
    """Every place an inverse rule applies: (start, end, replacement, cost)."""
    by_first, insert_rules = _index()
    out = []
    for i, ch in enumerate(token):
        rules = by_first.get(ch)
        if rules:
            for ocr, true, cost in rules:
                if len(ocr) == 1 or token.startswith(ocr, i):
                    out.append((i, i + len(ocr), true, cost))
    if inserts:
        for i in range(1, len(token)):
            for true, cost in insert_rules:
                out.append((i, i, true, cost))
        out.sort(key=lambda x: (x[0], x[1]))
    return out


def candidates(token: str, max_edits: int = 3, budget: float = 6.0,
               max_inserts: int = 1) -> dict[str, float]:
    """Strings reachable from ``token`` by non-overlapping inverse rules -> lowest total cost."""
    all_sites = [x for x in sites(token, inserts=max_inserts > 0) if x[3] <= budget]
    out: dict[str, float] = {}
    if max_edits == 1:  # the common, cheap case: no recursion
        for s, e, rep, c in all_sites:
            cand = token[:s] + rep + token[e:]
            if cand not in out or out[cand] > c:
                out[cand] = c
        return out
    n = len(all_sites)

    # the prefix up to ``last_end`` is carried along, so each candidate costs two joins
    def walk(k: int, last_end: int, cost: float, prefix: str, nedits: int, inserts: int) -> None:
        for j in range(k, n):
            s, e, rep, c = all_sites[j]
            if s < last_end or (s == e and s == last_end and nedits):
                continue
            nc = cost + c
            if nc > budget:
                continue
            ni = inserts + (s == e)
            if ni > max_inserts:
                continue
            new_prefix = prefix + token[last_end:s] + rep
            cand = new_prefix + token[e:]
            if cand not in out or out[cand] > nc:
                out[cand] = nc
            if nedits + 1 < max_edits:
                walk(j + 1, e, nc, new_prefix, nedits + 1, ni)

    walk(0, 0, 0.0, "", 0, 0)
    return out
