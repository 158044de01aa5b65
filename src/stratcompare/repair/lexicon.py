"""The Danish lexicon: word frequencies, proper-noun flags, compound analysis, real-word table.

Built by ``scripts/build_lexicon.py`` into ``models/lexicon/`` (gzip'd TSV); loaded once per
process.  Danish compounds are productive, so a word absent from the lexicon still counts as
valid when it splits into known parts (with the linking letters s/e).
"""

from __future__ import annotations

import gzip
from itertools import compress
from pathlib import Path

from stratcompare.config import data_path, repo_models_dir
from stratcompare.errors import ModelError

MIN_PART = 3
MAX_COMPOUND = 60  # longer strings are not analysed (cost grows with length)
JOINT_PENALTY = 1.5  # an unattested compound is far rarer than its rarest part
FLOOR_ZIPF = 1.0     # the Zipf build_lexicon.py gives dictionary words wordfreq does not list
# Danish inflection endings, longest first (for estimating a form's frequency from its stem)
INFLECTIONS = ("ernes", "erne", "ende", "ede", "ene", "ens", "ers", "ets", "er", "en", "et",
               "es", "e", "s", "r", "t")


def _mask(bit: int, invert: bool = False) -> bytes:
    """A bytes.translate table turning flag bytes into 1/0 for ``bit``."""
    return bytes(1 if bool(i & bit) != invert else 0 for i in range(256))


def lexicon_dir() -> Path:
    """``models/lexicon`` of a source checkout, else the packaged copy under data/models."""
    for cand in (repo_models_dir() / "lexicon", data_path("models", "lexicon")):
        if (cand / "words.txt.gz").exists():
            return cand
    raise ModelError("the OCR-repair lexicon is missing",
                     path=repo_models_dir() / "lexicon",
                     hint="rebuild it with `python scripts/build_lexicon.py`")


def _lines(path: Path) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def _municipality_names() -> list[str]:
    """Names and aliases from the metadata module's municipalities.toml, if present."""
    path = data_path("municipalities.toml")
    if not path.exists():
        return []
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    out = []
    for m in data.get("municipality", []):
        for name in [m.get("name", ""), *m.get("aliases", [])]:
            if isinstance(name, str) and name and " " not in name:
                out.append(name)
    return out


class Lexicon:
    """Lower-cased word -> Zipf frequency; proper nouns; compound-only parts."""

    def __init__(self, directory: Path | None = None, extra: set[str] | None = None):
        directory = directory or lexicon_dir()
        self.directory = directory
        words = gzip.decompress((directory / "words.txt.gz").read_bytes()).decode("utf-8")
        words = words.split("\n")
        attrs = gzip.decompress((directory / "attrs.bin.gz").read_bytes())
        n = len(words)
        if len(attrs) != 2 * n:
            raise ModelError("the OCR-repair lexicon is inconsistent", path=directory,
                             hint="rebuild it with `python scripts/build_lexicon.py`")
        zb, fb = attrs[:n], attrs[n:]
        vals = [i / 10 for i in range(256)]
        self.zipf: dict[str, float] = dict(zip(words, map(vals.__getitem__, zb)))
        self.proper: set[str] = set(compress(words, fb.translate(_mask(1))))
        # words never used as compound parts: only in wordfreq (no dictionary attests them),
        # OCR suspects (real-word table) and short names; plus hunspell's compound-only parts
        # words only wordfreq knows (no dictionary attests them): often foreign or OCR noise
        self.weak: frozenset[str] = frozenset(compress(words, fb.translate(_mask(4, invert=True))))
        self.not_part: set[str] = set(self.weak)
        parts = gzip.decompress((directory / "parts.txt.gz").read_bytes()).decode("utf-8")
        self.parts: dict[str, float] = {w: 1.0 for w in parts.split("\n") if w}
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
        self.abbrev = {w.strip().lower() for w in _lines(data_path("repair", "abbreviations.txt"))}
        self.function = {w.strip() for w in _lines(data_path("repair", "function_words.txt"))}
        for p in _lines(data_path("repair", "places.txt")) + _municipality_names():
            for part in (p, *p.split("-")):
                lp = part.lower()
                if part != p and lp in self.zipf and lp not in self.proper:
                    continue  # "Høje-Taastrup": "høje" stays a common word
                self.zipf.setdefault(lp, 3.0)
                self.proper.add(lp)
                self.not_part.discard(lp)
        self.not_part.update(self.realword)
        self.not_part.update(w for w in self.proper if len(w) < 5)  # "Als" + "papir"
        self._compound: dict[str, float | None] = {}
        self._estimate: dict[str, float] = {}
        self.protected: set[str] = set()  # the corpus's own words (add_vocabulary): never changed
        if extra:
            self.add_vocabulary(extra)

    def add_vocabulary(self, words) -> None:
        """Words of the corpus itself: valid, never corrected away."""
        for w in words:
            lw = w.lower()
            self.protected.add(lw)
            if lw not in self.zipf:
                self.zipf[lw] = 1.5
            self.realword.pop(lw, None)
            self.not_part.discard(lw)
        self._compound.clear()
        self._estimate.clear()

    def __contains__(self, word: str) -> bool:
        return word in self.zipf

    def freq(self, word: str) -> float:
        return self.zipf.get(word, 0.0)

    def _inflected(self, word: str) -> float:
        """Zipf estimate of an inflected form from its listed stem (a tenth as frequent)."""
        best = FLOOR_ZIPF
        for suf in INFLECTIONS:
            if word.endswith(suf) and len(word) - len(suf) >= MIN_PART + 1:
                sz = self.zipf.get(word[: len(word) - len(suf)])
                if sz is not None and sz - 1.0 > best:
                    best = sz - 1.0
        return best

    def own_score(self, word: str) -> float | None:
        """How plausible an unknown token is as a word in its own right: a compound of known
        parts, or an inflected form of a known word ("dygtigere" from "dygtig")."""
        best = self.compound_score(word)
        for suf in INFLECTIONS:
            if word.endswith(suf) and len(word) - len(suf) >= MIN_PART + 1:
                sz = self.zipf.get(word[: len(word) - len(suf)])
                if sz is not None and sz > FLOOR_ZIPF + 0.25 \
                        and word[: len(word) - len(suf)] not in self.realword:
                    if best is None or sz - 1.5 > best:
                        best = sz - 1.5
        return best

    def estimate(self, word: str) -> float | None:
        """Zipf of a known word, estimated for dictionary words wordfreq does not list (they
        all sit at the floor): an inflected form of a listed word ("høringer" from "høring")
        is taken as a tenth as frequent; a compound scores as its parts."""
        z = self.zipf.get(word)
        if z is None or z > FLOOR_ZIPF + 0.25:
            return z
        hit = self._estimate.get(word)
        if hit is not None:
            return hit
        best = z
        for suf in INFLECTIONS:
            if word.endswith(suf) and len(word) - len(suf) >= MIN_PART + 1:
                sz = self.zipf.get(word[: len(word) - len(suf)])
                if sz is not None and sz > FLOOR_ZIPF + 0.25 and sz - 1.0 > best:
                    best = sz - 1.0
        cz = self.compound_score(word)
        if cz is not None and cz > best:
            best = cz
        if len(self._estimate) > 200_000:
            self._estimate.clear()
        self._estimate[word] = best
        return best

    def is_compound(self, word: str) -> bool:
        """True if ``word`` (lower case) splits into known parts, e.g. opfølgnings+ramme."""
        return self.compound_score(word) is not None

    def compound_score(self, word: str) -> float | None:
        """Best split's weakest-part Zipf minus a penalty per joint; None if no split.

        Parts that are themselves typical OCR misreadings ("mal", "formal") do not count.
        """
        if word in self._compound:
            return self._compound[word]
        if len(word) > MAX_COMPOUND:
            return None
        hit = self._split(word, 0)
        if len(self._compound) > 200_000:
            self._compound.clear()
        self._compound[word] = hit
        return hit

    def _split(self, w: str, depth: int) -> float | None:
        if depth > 3 or len(w) < 2 * MIN_PART:
            return None
        zipf, bad, proper, notp, parts = (self.zipf, self.realword, self.proper, self.not_part,
                                          self.parts)
        best = None
        for i in range(len(w) - MIN_PART, MIN_PART - 1, -1):
            head = w[:i]
            hz = zipf.get(head) if head not in notp else parts.get(head)
            if head[-1] in "se" and len(head) > MIN_PART:
                if head[:-1] in bad:
                    continue  # "formals" + "papir": the head is a misread "formål"
                if hz is None and head[:-1] not in self.function:  # not "med"+e+"lokale"
                    h = head[:-1]
                    hz = zipf.get(h) if h not in notp else parts.get(h)
            if hz is None:
                continue
            tail = w[i:]
            tz = (zipf.get(tail) if tail not in notp else parts.get(tail)) \
                if tail not in proper else None
            if tz is None:
                tz = self.compound_score(tail)
                if tz is None:
                    continue
            elif tz <= FLOOR_ZIPF + 0.25:
                tz = max(tz, self._inflected(tail))  # "vejledere": a form of "vejleder"
            sc = (hz if hz < tz else tz) - JOINT_PENALTY
            if best is None or sc > best:
                best = sc
        if best is not None and len(w) < 8:
            best -= 1.0
        return best

    def valid(self, word: str) -> bool:
        return word in self.zipf or self.is_compound(word)
