"""A word bigram model with backoff: which of two readings fits between its neighbours.

Counted by ``scripts/build_lexicon.py`` from the clean Danish text the repo holds (the tune part
of the real pages, the seeds, the bundled corpus; never the test part) into
``models/lexicon/bigrams.tsv.gz``.  Absolute discounting backs off to the lexicon's unigram
frequency (Zipf), so a word the counts have never seen still gets a probability.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

DISCOUNT = 0.75


class Bigrams:
    """``logp(prev, word, zipf)`` = log10 P(word | prev); ``count(prev, word)``."""

    def __init__(self, path: Path):
        self.uni: dict[str, int] = {}
        self.bi: dict[tuple[str, str], int] = {}
        self.followers: dict[str, int] = {}
        if path.exists():
            raw = gzip.decompress(path.read_bytes()).decode("utf-8")
            for line in raw.splitlines():
                a, b, c = line.split("\t")
                if b:
                    self.bi[(a, b)] = int(c)
                    self.followers[a] = self.followers.get(a, 0) + 1
                else:
                    self.uni[a] = int(c)
        self.uni.setdefault("<s>", 0)
        self.uni["<s>"] += sum(c for (a, _), c in self.bi.items() if a == "<s>")

    def __bool__(self) -> bool:
        return bool(self.bi)

    def count(self, prev: str, word: str) -> int:
        return self.bi.get((prev, word), 0)

    def logp(self, prev: str, word: str, zipf: float) -> float:
        """log10 P(word | prev), backing off to the unigram P = 10^(zipf - 9)."""
        p_uni = 10.0 ** (max(zipf, 0.5) - 9.0)
        n_prev = self.uni.get(prev, 0)
        if not n_prev:
            return math.log10(p_uni)
        c = self.bi.get((prev, word), 0)
        alpha = DISCOUNT * self.followers.get(prev, 0) / n_prev
        return math.log10(max(c - DISCOUNT, 0.0) / n_prev + max(alpha, 0.01) * p_uni)

    def gain(self, prev: str, word: str, zipf: float) -> float:
        """How much more likely ``word`` is after ``prev`` than on its own (log10)."""
        return self.logp(prev, word, zipf) - (max(zipf, 0.5) - 9.0)
