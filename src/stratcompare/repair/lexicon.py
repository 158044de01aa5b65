"""The Danish lexicon: word frequencies, proper-noun flags, compound analysis, real-word table.

Built by ``scripts/build_lexicon.py`` into ``models/lexicon/`` (gzip'd TSV); loaded once per
process.  Danish compounds are productive, so a word absent from the lexicon still counts as
valid when it splits into known parts (with the linking letters s/e).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from stratcompare.config import data_path, repo_models_dir
from stratcompare.errors import ModelError

MIN_PART = 3


def lexicon_dir() -> Path:
    """``models/lexicon`` of a source checkout, else the packaged copy under data/models."""
    for cand in (repo_models_dir() / "lexicon", data_path("models", "lexicon")):
        if (cand / "words.tsv.gz").exists():
            return cand
    raise ModelError("the OCR-repair lexicon is missing",
                     path=repo_models_dir() / "lexicon",
                     hint="rebuild it with `python scripts/build_lexicon.py`")


def _lines(path: Path) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


class Lexicon:
    """Lower-cased word -> Zipf frequency; proper nouns; compound-only parts."""

    def __init__(self, directory: Path | None = None, extra: set[str] | None = None):
        directory = directory or lexicon_dir()
        self.zipf: dict[str, float] = {}
        self.proper: set[str] = set()
        self.parts: set[str] = set()
        raw = gzip.decompress((directory / "words.tsv.gz").read_bytes()).decode("utf-8")
        zipf = self.zipf
        for line in raw.splitlines():
            w, z, f = line.split("\t")
            if f == "C":
                self.parts.add(w)
                continue
            zipf[w] = int(z) / 10
            if "P" in f:
                self.proper.add(w)
        raw = gzip.decompress((directory / "realword.tsv.gz").read_bytes()).decode("utf-8")
        self.realword: dict[str, tuple[str, frozenset[str]]] = {}
        for line in raw.splitlines():
            t, w, _ = line.split("\t")
            self.realword[t] = (w, frozenset())
        for line in _lines(data_path("repair", "realword.tsv")):
            t, w, ctx = line.split("\t")
            self.realword[t] = (w, frozenset() if ctx == "-" else frozenset(ctx.split()))
        self.never = set(_lines(data_path("repair", "never_touch.txt")))
        for w in self.never:
            self.realword.pop(w.lower(), None)
        self.function = {w.strip() for w in _lines(data_path("repair", "function_words.txt"))}
        for p in _lines(data_path("repair", "places.txt")):
            for part in (p, *p.split("-")):
                self.zipf.setdefault(part.lower(), 3.0)
                self.proper.add(part.lower())
        self._compound: dict[str, bool] = {}
        if extra:
            self.add_vocabulary(extra)

    def add_vocabulary(self, words) -> None:
        """Words of the corpus itself: valid, never corrected away."""
        for w in words:
            lw = w.lower()
            if lw not in self.zipf:
                self.zipf[lw] = 1.5
            self.realword.pop(lw, None)
        self._compound.clear()

    def __contains__(self, word: str) -> bool:
        return word in self.zipf

    def freq(self, word: str) -> float:
        return self.zipf.get(word, 0.0)

    def is_compound(self, word: str) -> bool:
        """True if ``word`` (lower case) splits into known parts, e.g. opfølgnings+ramme."""
        hit = self._compound.get(word)
        if hit is None:
            hit = self._split(word, 0)
            if len(self._compound) > 200_000:
                self._compound.clear()
            self._compound[word] = hit
        return hit

    def _split(self, w: str, depth: int) -> bool:
        if depth > 3 or len(w) < 2 * MIN_PART:
            return False
        zipf, parts, proper = self.zipf, self.parts, self.proper
        for i in range(len(w) - MIN_PART, MIN_PART - 1, -1):
            head = w[:i]
            if not (head in zipf or head in parts
                    or (head[-1] in "se" and len(head) > MIN_PART
                        and (head[:-1] in zipf or head[:-1] in parts))):
                continue
            tail = w[i:]
            if (tail in zipf and tail not in proper) or self._split(tail, depth + 1):
                return True
        return False

    def valid(self, word: str) -> bool:
        return word in self.zipf or self.is_compound(word)
