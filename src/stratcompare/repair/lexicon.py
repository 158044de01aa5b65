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
JOINT_PENALTY = 1.5  # an unattested compound is far rarer than its rarest part


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
        self.dictionary: set[str] = set()  # attested in a dictionary, not only in wordfreq
        raw = gzip.decompress((directory / "words.tsv.gz").read_bytes()).decode("utf-8")
        zipf = self.zipf
        partz: dict[str, float] = {}  # words usable as compound parts -> Zipf
        for line in raw.splitlines():
            w, z, f = line.split("\t")
            if f == "C":
                self.parts.add(w)
                partz[w] = 1.0
                continue
            zipf[w] = zz = int(z) / 10
            if "P" in f:
                self.proper.add(w)
            if "D" in f:
                self.dictionary.add(w)
                partz[w] = zz
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
                self.dictionary.add(part.lower())
        for p in _lines(data_path("repair", "places.txt")):
            for part in (p, *p.split("-")):
                partz[part.lower()] = 3.0
        for w in self.realword:
            partz.pop(w, None)
        for w in self.proper:
            if len(w) < 5:
                partz.pop(w, None)  # "Als" + "papir": short names make false splits
        self.partz = partz
        self._compound: dict[str, float | None] = {}
        if extra:
            self.add_vocabulary(extra)

    def add_vocabulary(self, words) -> None:
        """Words of the corpus itself: valid, never corrected away."""
        for w in words:
            lw = w.lower()
            if lw not in self.zipf:
                self.zipf[lw] = 1.5
            self.dictionary.add(lw)
            self.partz.setdefault(lw, self.zipf[lw])
            if self.realword.pop(lw, None):
                self.partz[lw] = self.zipf[lw]
        self._compound.clear()

    def __contains__(self, word: str) -> bool:
        return word in self.zipf

    def freq(self, word: str) -> float:
        return self.zipf.get(word, 0.0)

    def is_compound(self, word: str) -> bool:
        """True if ``word`` (lower case) splits into known parts, e.g. opfølgnings+ramme."""
        return self.compound_score(word) is not None

    def compound_score(self, word: str) -> float | None:
        """Best split's weakest-part Zipf minus a penalty per joint; None if no split.

        Parts that are themselves typical OCR misreadings ("mal", "formal") do not count.
        """
        if word in self._compound:
            return self._compound[word]
        hit = self._split(word, 0)
        if len(self._compound) > 200_000:
            self._compound.clear()
        self._compound[word] = hit
        return hit

    def _split(self, w: str, depth: int) -> float | None:
        if depth > 3 or len(w) < 2 * MIN_PART:
            return None
        partz, bad, proper = self.partz, self.realword, self.proper
        best = None
        for i in range(len(w) - MIN_PART, MIN_PART - 1, -1):
            head = w[:i]
            hz = partz.get(head)
            if head[-1] in "se" and len(head) > MIN_PART:
                if head[:-1] in bad:
                    continue  # "formals" + "papir": the head is a misread "formål"
                if hz is None:
                    hz = partz.get(head[:-1])
            if hz is None:
                continue
            tail = w[i:]
            tz = partz.get(tail) if tail not in proper else None
            if tz is None:
                tz = self.compound_score(tail)
                if tz is None:
                    continue
            sc = (hz if hz < tz else tz) - JOINT_PENALTY
            if best is None or sc > best:
                best = sc
        if best is not None and len(w) < 8:
            best -= 1.0
        return best

    def valid(self, word: str) -> bool:
        return word in self.zipf or self.is_compound(word)
