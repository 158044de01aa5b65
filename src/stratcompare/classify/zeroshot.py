"""Zero-shot theme scores from the codebook alone: prototype similarity + indicator terms.

Each theme's prototype is the normalised mean embedding of its label+definition, inclusion
note, term list and examples.  A passage's similarity to a theme is taken relative to its mean
similarity to all themes (long passages resemble everything a little).  Raw similarities are
not comparable across themes either, so each theme gets a centre and scale calibrated on the
codebook's own examples (leave-one-out: an example is scored against a prototype built without
it; other themes' examples are the negatives).  Matched terms add to the logit; very short, unpunctuated passages (headings,
signatures) are damped by a length gate.  No labelled data is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from stratcompare.classify.codebook import Codebook

TERM_WEIGHT = 1.0      # logit added per log1p(matched terms)
TERM_OFFSET = 1.0      # logit subtracted: one matched term alone does not carry a passage
GATE_WORDS = 6.0       # passages shorter than this are mostly headings / signatures
GATE_SLOPE = 1.5
_WORDS = re.compile(r"\w+", re.UNICODE)


def _normalise(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    return (m / n).astype(np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def length_gate(texts: list[str]) -> np.ndarray:
    """~0 for 1-3 word fragments, ~1 from ~9 words or for any full sentence."""
    out = np.empty(len(texts), dtype=np.float32)
    for i, t in enumerate(texts):
        n = len(_WORDS.findall(t))
        sentence = bool(re.search(r"[.!?:]\s*$", t.strip())) and n >= 4
        out[i] = 1.0 if sentence else float(sigmoid((n - GATE_WORDS) / GATE_SLOPE))
    return out


def term_hits(codebook: Codebook, texts: list[str]) -> tuple[np.ndarray, list[list[list[str]]]]:
    """(n, k) matched-term counts and, per passage and theme, the matched terms."""
    hits = np.zeros((len(texts), len(codebook.themes)), dtype=np.float32)
    matched: list[list[list[str]]] = []
    for i, t in enumerate(texts):
        row = []
        for j, theme in enumerate(codebook.themes):
            m = theme.match_terms(t)
            hits[i, j] = len(m)
            row.append(m)
        matched.append(row)
    return hits, matched


@dataclass
class ZeroShot:
    """Calibrated prototype scorer; arrays are saved in the model's .npz."""

    prototypes: np.ndarray   # (k, dim) L2-normalised
    centre: np.ndarray       # (k,)
    scale: np.ndarray        # (k,)

    @classmethod
    def build(cls, codebook: Codebook, encoder) -> "ZeroShot":
        k = len(codebook.themes)
        per_theme = [encoder.encode_passages(t.prototype_texts()) for t in codebook.themes]
        sums = np.stack([v.sum(axis=0) for v in per_theme])
        counts = np.array([len(v) for v in per_theme], dtype=np.float32)
        protos = _normalise(sums / counts[:, None])
        centre = np.zeros(k, dtype=np.float32)
        scale = np.full(k, 0.05, dtype=np.float32)
        # Calibration texts: the examples; a theme without examples uses its own prototype texts
        # (definition, include note, terms), scored leave-one-out like examples.
        ex = [encoder.encode_passages(list(t.examples)) if t.examples else per_theme[j]
              for j, t in enumerate(codebook.themes)]
        rel = {}
        for i in range(k):
            if len(ex[i]):
                s_all = ex[i] @ protos.T
                rel[i] = s_all - s_all.mean(axis=1, keepdims=True)
        for j in range(k):
            # Leave-one-out positives: the example removed from its own theme's prototype.
            pos = []
            for r, e in enumerate(ex[j]):
                loo = _normalise((sums[j] - e)[None, :])[0] if counts[j] > 1 else protos[j]
                # relative similarity with the left-out prototype in place of theme j's
                s_all = e @ protos.T
                s_all[j] = float(e @ loo)
                pos.append(float(s_all[j] - s_all.mean()))
            negs = [float(rel[i][r, j]) for i in range(k) if i != j for r in range(len(ex[i]))]
            mp = float(np.mean(pos))
            mn = float(np.mean(negs)) if negs else mp - 0.1
            centre[j] = (mp + mn) / 2
            spread = np.std(pos + negs) if len(pos) + len(negs) > 2 else 0.05
            scale[j] = max(float(mp - mn) / 4, float(spread) / 2, 1e-3)
        return cls(protos, centre, scale)

    def similarities(self, emb: np.ndarray) -> np.ndarray:
        """Similarity to each prototype relative to the passage's mean over all themes."""
        s = emb @ self.prototypes.T
        return s - s.mean(axis=1, keepdims=True)

    def logits(self, emb: np.ndarray, hits: np.ndarray) -> np.ndarray:
        z = (self.similarities(emb) - self.centre) / self.scale
        return z + TERM_WEIGHT * np.log1p(hits) - TERM_OFFSET

    def proba(self, emb: np.ndarray, hits: np.ndarray, gate: np.ndarray) -> np.ndarray:
        return sigmoid(self.logits(emb, hits)) * gate[:, None]
