"""Danish lemmatised TF-IDF: inflected forms ("anbringelser", "anbragte") share features.

Vocabulary and idf are plain arrays so a trained model saves as JSON + .npz, never pickle.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy import sparse


_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def _nlp():
    """spaCy blank Danish + lookup lemmatizer (spacy-lookups-data), loaded once per process."""
    from stratcompare.spacy_da import danish_nlp

    return danish_nlp()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(_nlp().Defaults.stop_words)


def lemmas(texts: Sequence[str]) -> list[list[str]]:
    """Lowercased lemmas of alphabetic tokens (2+ letters), stop words removed."""
    nlp = _nlp()
    stop = _stop_words()
    out = []
    for doc in nlp.pipe([t.lower() for t in texts], batch_size=256):
        toks = []
        for tok in doc:
            if not _WORD.fullmatch(tok.text):
                continue
            lem = (tok.lemma_ or tok.text).lower()
            if tok.text in stop or lem in stop:
                continue
            toks.append(lem)
        out.append(toks)
    return out


def ngrams(tokens: list[str], n_max: int = 2) -> list[str]:
    grams = list(tokens)
    if n_max >= 2:
        grams += [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    return grams


class LemmaTfidf:
    """Sublinear-tf, smooth-idf, L2-normalised TF-IDF over lemma uni- and bigrams."""

    def __init__(self, min_df: int = 2, n_max: int = 2, max_features: int = 20000):
        self.min_df = min_df
        self.n_max = n_max
        self.max_features = max_features
        self.vocab: dict[str, int] = {}
        self.idf = np.zeros(0, dtype=np.float32)

    def fit(self, docs: list[list[str]]) -> "LemmaTfidf":
        df: Counter = Counter()
        for toks in docs:
            df.update(set(ngrams(toks, self.n_max)))
        items = [(g, c) for g, c in df.items() if c >= self.min_df]
        items.sort(key=lambda gc: (-gc[1], gc[0]))  # deterministic order
        items = sorted(items[: self.max_features], key=lambda gc: gc[0])
        self.vocab = {g: i for i, (g, _) in enumerate(items)}
        n = len(docs)
        self.idf = np.array([math.log((1 + n) / (1 + c)) + 1.0 for _, c in items], dtype=np.float32)
        return self

    def transform(self, docs: list[list[str]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for r, toks in enumerate(docs):
            tf = Counter(g for g in ngrams(toks, self.n_max) if g in self.vocab)
            if not tf:
                continue
            idx = np.array([self.vocab[g] for g in tf], dtype=np.int64)
            v = np.array([1.0 + math.log(c) for c in tf.values()], dtype=np.float32) * self.idf[idx]
            v /= float(np.linalg.norm(v)) or 1.0
            rows.extend([r] * len(idx))
            cols.extend(idx.tolist())
            vals.extend(v.tolist())
        return sparse.csr_matrix(
            (np.array(vals, dtype=np.float32), (rows, cols)), shape=(len(docs), len(self.vocab)),
        )

    # --- safe persistence --------------------------------------------------------------
    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        terms = [None] * len(self.vocab)
        for g, i in self.vocab.items():
            terms[i] = g
        return ({"min_df": self.min_df, "n_max": self.n_max, "max_features": self.max_features,
                 "vocab": terms}, {"idf": self.idf})

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> "LemmaTfidf":
        obj = cls(meta["min_df"], meta["n_max"], meta["max_features"])
        obj.vocab = {g: i for i, g in enumerate(meta["vocab"])}
        obj.idf = np.asarray(arrays["idf"], dtype=np.float32)
        return obj
