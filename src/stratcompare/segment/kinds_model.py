"""A small statistical model beside the kind rules: formalities the rules miss.

The rules of ``kinds.toml`` plateau on municipalities they were not written from: every new
batch of minutes and letters brings wordings no rule has seen.  A logistic regression over word
and character n-grams, blind to the rules' verdict, generalises to such wordings far better,
but costs precision on prose (docs/benchmarks.md, "a statistical model beside the rules" and
"the model candidate adopted").  So it may do one thing only: turn a passage the rules call
``content`` or ``list`` (and the segmenter did not cut as a heading) into ``procedure`` or
``boilerplate`` when that probability reaches the file's threshold (``prose@0.85``).

The model is ``data/lang/da/kinds_model.npz`` (arrays only, read without pickles), written by
``python bench/kinds_model.py --train``; which kinds it may change and its threshold are stored
in the file.  Without the file, ``load_model`` returns None and the rules stand alone.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources
from itertools import chain
from pathlib import Path

import numpy as np

__all__ = ["KindModel", "load_model", "add_formalities", "word_terms", "char_terms",
           "dense_features", "MODEL_FILE"]

MODEL_FILE = ("data", "lang", "da", "kinds_model.npz")
STRUCTURAL = ("content", "list", "heading", "toc", "table")
GENRES = ("strategy", "minutes", "news", "other")
FORMAL = ("procedure", "boilerplate")
EDGE = 0.1  # share of the document at each end counted as its edge (as kinds.toml's edge_share)
_TOKEN = re.compile(r"\b\w\w+\b")
_CACHE_WORDS = 200_000  # words whose n-gram columns are kept (a few MB at most)
_CHUNK = 256  # passages scored at once (bounds the memory of one product)


def word_terms(text: str) -> list[str]:
    """Lower-cased words of two or more characters, and pairs of neighbouring words."""
    toks = _TOKEN.findall(text.lower())
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]


def char_terms(text: str) -> list[str]:
    """Character 3- to 5-grams inside each word padded by a space ("Bilag" -> " bi", ...)."""
    out = []
    for tok in text.lower().split():
        w = f" {tok} "
        for n in (3, 4, 5):
            out += [w[i:i + n] for i in range(max(len(w) - n + 1, 1))]
    return out


def dense_features(text: str, structural: str, genre: str | None,
                   position: float | None) -> list[float]:
    """Structural kind, genre, place in the document, length, whether it ends a sentence."""
    edge = position is None or position <= EDGE or position >= 1 - EDGE
    words = len(text.split())
    lines = len([ln for ln in text.splitlines() if ln.strip()])
    return [*(float(structural == k) for k in STRUCTURAL), *(float(genre == g) for g in GENRES),
            0.5 if position is None else float(position), float(position is None), float(edge),
            math.log1p(words) / 5, math.log1p(lines) / 3,
            float(text.rstrip().endswith((".", "!", "?")))]


N_DENSE = len(dense_features("", "content", None, None))


class KindModel:
    """Vocabularies with idf weights, and a multinomial logistic regression over them.

    ``may_change``: the rule verdicts the model may turn into a formality; ``threshold``: the
    probability it needs for that."""

    def __init__(self, words: list[str], word_idf, chars: list[str], char_idf, coef, intercept,
                 classes: list[str], threshold: float = 0.5,
                 may_change: tuple[str, ...] = ("content", "list"), meta: dict | None = None):
        self.words = {w: i for i, w in enumerate(words)}
        self.chars = {c: i for i, c in enumerate(chars)}
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_idf = np.asarray(char_idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.classes = list(classes)
        self.threshold = threshold
        self.may_change = tuple(may_change)
        self.meta = meta or {}
        self._cache: dict[str, bytes] = {}

    @property
    def n_features(self) -> int:
        return len(self.words) + len(self.chars) + N_DENSE

    def _char_columns(self, tokens: list[str]) -> bytes:
        """Feature columns (int32 bytes) of the character n-grams of lower-cased words.  Cached
        per word: ingest sees the same words over and over, and joining cached bytes is the
        cheapest way to gather them (this is most of the model's time)."""
        cache = self._cache
        missing = set(tokens).difference(cache)
        if len(cache) + len(missing) > _CACHE_WORDS:
            cache.clear()
            missing = set(tokens)
        off = len(self.words)
        for tok in missing:
            cache[tok] = np.array([off + j for t in char_terms(tok)
                                   if (j := self.chars.get(t)) is not None], np.int32).tobytes()
        return b"".join(map(cache.__getitem__, tokens))

    def _text_part(self, passages: list[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows (sorted), columns and values of the word and character n-gram blocks.  The
        terms of all passages are counted in one sort of (row, column) keys."""
        n_words, width = len(self.words), self.n_features
        words: list[int] = []
        word_sizes: list[int] = []
        chars: list[bytes] = []
        for text, *_ in passages:
            before = len(words)
            words += [j for j in map(self.words.get, word_terms(text)) if j is not None]
            word_sizes.append(len(words) - before)
            chars.append(self._char_columns(text.lower().split()))
        dtype = np.int32 if len(passages) * width < 2**31 else np.int64
        row_keys = np.arange(len(passages), dtype=dtype) * dtype(width)
        keys = np.concatenate([
            np.repeat(row_keys, word_sizes) + np.asarray(words, dtype=dtype),
            np.repeat(row_keys, [len(c) // 4 for c in chars])
            + np.frombuffer(b"".join(chars), dtype=np.int32).astype(dtype)])
        keys.sort()
        starts = np.flatnonzero(np.diff(keys, prepend=-1))
        tf = np.diff(starts, append=len(keys))
        rows, col = np.divmod(keys[starts].astype(np.int64), width)
        val = (1 + np.log(tf)) * np.concatenate([self.word_idf, self.char_idf])[col]
        block = rows * 2 + (col >= n_words)
        norm = np.sqrt(np.bincount(block, val * val, minlength=2 * len(passages)))
        val /= np.where(norm > 0, norm, 1.0)[block]
        return rows, col, val

    def matrix(self, passages: list[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns and values of the feature matrix of ``passages`` (each ``(text,
        structural, genre, position)``): sublinear tf x idf of the words and character n-grams
        of ``word_terms`` and ``char_terms``, L2-normalised per block, then ``dense_features``
        (zeros left out)."""
        rows, col, val = self._text_part(passages)
        dense = np.array([dense_features(*p) for p in passages]).reshape(len(passages), N_DENSE)
        drows, dcols = np.nonzero(dense)
        off = len(self.words) + len(self.chars)
        return (np.concatenate([rows, drows]), np.concatenate([col, dcols + off]),
                np.concatenate([val, dense[drows, dcols]]))

    def features(self, text: str, structural: str = "content", genre: str | None = None,
                 position: float | None = None) -> dict[int, float]:
        """Sparse feature vector (column -> value) of one passage, as ``matrix``."""
        _, col, val = self.matrix([(text, structural, genre, position)])
        return dict(zip(col.tolist(), val.tolist()))

    def probabilities(self, passages: list[tuple]) -> np.ndarray:
        """One row per passage (see ``matrix``), one column per kind of ``classes``.  Many
        passages at once, in chunks: per-passage numpy calls would cost more than the
        arithmetic (ingest time, docs/benchmarks.md)."""
        off = len(self.words) + len(self.chars)
        out = []
        for start in range(0, len(passages), _CHUNK):
            chunk = passages[start:start + _CHUNK]
            rows, col, val = self._text_part(chunk)
            dense = np.array([dense_features(*p) for p in chunk]).reshape(len(chunk), N_DENSE)
            z = dense @ self.coef[:, off:].T + self.intercept
            sizes = np.bincount(rows, minlength=len(chunk))
            filled = sizes > 0  # rows are sorted: each passage's terms are one run
            starts = (np.cumsum(sizes) - sizes)[filled]
            for k, weights in enumerate(self.coef):
                if len(starts):
                    z[filled, k] += np.add.reduceat(weights[col] * val, starts)
            z = np.exp(z - z.max(axis=1, keepdims=True))
            out.append(z / z.sum(axis=1, keepdims=True))
        return np.concatenate(out) if out else np.zeros((0, len(self.classes)))

    def proba(self, text: str, structural: str = "content", genre: str | None = None,
              position: float | None = None) -> dict[str, float]:
        """Kind -> probability for one passage."""
        p = self.probabilities([(text, structural, genre, position)])[0]
        return dict(zip(self.classes, p.tolist()))

    def added_formalities(self, passages: list[tuple], rule_kinds: list[str]) -> list[str | None]:
        """For each passage (see ``matrix``), ``procedure``/``boilerplate`` when the rules said
        one of ``may_change``, the segmenter cut no heading, and the model gives that
        formality at least ``threshold``; else None (the rules' kind stands)."""
        out: list[str | None] = [None] * len(passages)
        todo = [i for i, (p, k) in enumerate(zip(passages, rule_kinds))
                if k in self.may_change and p[1] != "heading"]
        if not todo:
            return out
        p = self.probabilities([passages[i] for i in todo])
        formal = [self.classes.index(k) for k in FORMAL if k in self.classes]
        for i, row in zip(todo, p):
            best = max(formal, key=lambda c: row[c])
            if row[best] >= self.threshold:
                out[i] = self.classes[best]
        return out

    def added_formality(self, text: str, rule_kind: str, structural: str = "content",
                        genre: str | None = None, position: float | None = None) -> str | None:
        """``added_formalities`` of one passage."""
        return self.added_formalities([(text, structural, genre, position)], [rule_kind])[0]

    def save(self, path: Path) -> None:
        """Arrays only (no object arrays), so ``np.load(allow_pickle=False)`` reads it."""
        inv_w = sorted(self.words, key=self.words.get)
        inv_c = sorted(self.chars, key=self.chars.get)
        meta = {**self.meta, "threshold": self.threshold, "may_change": list(self.may_change)}
        np.savez_compressed(
            path, words=np.array(inv_w, dtype=str), word_idf=self.word_idf.astype(np.float32),
            chars=np.array(inv_c, dtype=str), char_idf=self.char_idf.astype(np.float32),
            coef=self.coef.astype(np.float32), intercept=self.intercept.astype(np.float32),
            classes=np.array(self.classes, dtype=str), meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path) -> KindModel:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return cls(z["words"].tolist(), z["word_idf"], z["chars"].tolist(), z["char_idf"],
                       z["coef"], z["intercept"], z["classes"].tolist(),
                       float(meta["threshold"]), tuple(meta["may_change"]), meta)


@lru_cache(maxsize=1)
def load_model() -> KindModel | None:
    """The package's model (read once), or None when the file is not there (rules alone).
    A file that is there but unreadable raises: that is a broken install, not a choice."""
    path = resources.files("stratcompare").joinpath(*MODEL_FILE)
    if not path.is_file():
        return None
    with resources.as_file(path) as p:
        return KindModel.load(p)


def add_formalities(segments: list, structural: list[str], genre: str | None,
                    model: KindModel | None = None) -> None:
    """After the rules (``refine_kinds``): set ``seg.kind`` to the formality the model adds, in
    place.  ``structural``: the segmenter's kinds, as they were before the rules ran."""
    model = model or load_model()
    if model is None:
        return
    n = len(segments)
    passages = [(seg.text, structural[i], genre, i / (n - 1) if n > 1 else 0.0)
                for i, seg in enumerate(segments)]
    for seg, added in zip(segments, model.added_formalities(passages,
                                                             [s.kind for s in segments])):
        if added:
            seg.kind = added
