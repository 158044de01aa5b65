"""Word error rate against a gold text — shared by the tests and bench/ocr_repair.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


PUNCT = ".,;:!?()[]{}\"'`´’‘”“„«»–—-•·*¢/\\"


def tokens(text: str) -> list[str]:
    """Words for the word error rate: whitespace-separated, edge punctuation stripped,
    punctuation-only tokens dropped (a dash read as a hyphen is not a word error).
    The OCR glyphs @ | # stay, so "@konomi" and "| forlængelse" still count."""
    out = []
    for t in text.split():
        t = t.strip(PUNCT)
        if t:
            out.append(t)
    return out


def edit_distance(hyp: Sequence, ref: Sequence) -> int:
    """Levenshtein distance over word lists, or any sequences such as a word's characters
    (substitutions, insertions, deletions).

    Long lists are first anchored on difflib's matching blocks and the exact distance is
    computed gap by gap (quadratic time only within a gap; an upper bound that equals the true
    distance unless a gap's best path crosses an anchor, which long texts make negligible)."""
    if len(hyp) * len(ref) > 250_000:
        import difflib

        total = 0
        i = j = 0
        sm = difflib.SequenceMatcher(None, hyp, ref, autojunk=False)
        for a, b, n in sm.get_matching_blocks():
            total += _exact(hyp[i:a], ref[j:b])
            i, j = a + n, b + n
        return total
    return _exact(hyp, ref)


def _exact(hyp: Sequence, ref: Sequence) -> int:
    if not hyp or not ref:
        return len(hyp) or len(ref)
    prev = list(range(len(ref) + 1))
    for i, h in enumerate(hyp, 1):
        cur = [i] + [0] * len(ref)
        for j, r in enumerate(ref, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (h != r))
        prev = cur
    return prev[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word error rate over whitespace-separated words: edit distance / reference length."""
    ref = reference.split()
    return edit_distance(hypothesis.split(), ref) / max(1, len(ref))


@dataclass
class Score:
    words: int
    errors_before: int
    errors_after: int

    @property
    def wer_before(self) -> float:
        return self.errors_before / self.words if self.words else 0.0

    @property
    def wer_after(self) -> float:
        return self.errors_after / self.words if self.words else 0.0

    @property
    def removed(self) -> float:
        """Share of the input's word errors that the repair removed (negative if it added)."""
        if not self.errors_before:
            return 1.0 if not self.errors_after else 0.0
        return 1.0 - self.errors_after / self.errors_before


def score(damaged: str, repaired: str, gold: str) -> Score:
    ref = tokens(gold)
    return Score(len(ref), edit_distance(tokens(damaged), ref), edit_distance(tokens(repaired), ref))
