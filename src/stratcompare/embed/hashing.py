"""A fast, model-free encoder: hashed character 3-5-grams, L2-normalised.

Lower quality than e5 (it matches spelling, not meaning), but needs no model files and runs
anywhere in milliseconds: fast tests use it, and it is a fallback (``--model hashing``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

HASHING_DIM = 1024


class HashingEncoder:
    """Char n-gram (3-5, word-bounded) feature hashing with sublinear tf."""

    def __init__(self, dim: int = HASHING_DIM):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = dim
        self.model_id = "hashing" if dim == HASHING_DIM else f"hashing-{dim}"
        self._vec = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), n_features=dim, alternate_sign=False,
            norm=None, lowercase=True, dtype=np.float32,
        )

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        m = self._vec.transform(texts)
        m.data = np.log1p(m.data)
        out = m.toarray().astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)
