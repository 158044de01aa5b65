"""The multi-label theme classifier: supervised (embeddings + lemma TF-IDF) blended with zero-shot.

One logistic regression per theme over [sentence embedding | lemma TF-IDF | zero-shot logits |
matched-term counts | length gate].  Its probability is blended with the codebook-only
zero-shot probability and a keyword probability (matched codebook terms); the blend weights and
one threshold per theme are chosen on cross-validated (out-of-fold) predictions.  Everything is seeded, so the same data and seed
give the same model.  Persistence is JSON + .npz (``allow_pickle=False``): nothing executable.

Optional context (issue 11: "the genre is a feature, not a filter"): the document's genre (and
the passage's kind) as one-hot features of the regressions, and/or one threshold offset per
genre learnt on the out-of-fold predictions.  A passage whose genre is unknown gets the
training passages' average one-hot and no offset.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse

from stratcompare.classify.codebook import Codebook
from stratcompare.classify.metrics import theme_scores
from stratcompare.classify.text import LemmaTfidf, lemmas
from stratcompare.classify.zeroshot import ZeroShot, length_gate, sigmoid, term_hits
from stratcompare.errors import ModelError, UsageError
from stratcompare.metadata.genre import GENRES
from stratcompare.segment import SUBSTANTIVE_KINDS

FORMAT = "stratcompare-themes"
FORMAT_VERSION = 2       # 2: context settings (genre / kind features, genre offsets)
READABLE_VERSIONS = (1, 2)  # a version-1 model is a version-2 model without context
# Context one-hots: the document genres and the kinds that get themes at all.
CONTEXT_GENRES = GENRES
CONTEXT_KINDS = SUBSTANTIVE_KINDS
# Per-genre threshold offsets: grid, least training passages of a genre to learn one.
OFFSET_GRID = np.round(np.arange(-0.20, 0.301, 0.02), 2)
OFFSET_MIN_PASSAGES = 30
ZS_FEATURE_SCALE = 0.2
# Blend weights (supervised, zero-shot, keyword) on a 0.25 grid summing to 1, supervised-heavy first.
BLEND_GRID = tuple(sorted(((a / 4, b / 4, (4 - a - b) / 4) for a in range(5) for b in range(5 - a)), reverse=True))
ZERO_SHOT_ONLY = np.array([0.0, 1.0, 0.0])
GATE_SUPERVISED = True  # the length gate also damps the supervised part: headings stay uncoded
MIN_POSITIVES = 3  # fewer labelled positives than this: the theme stays zero-shot
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
SNIPPET = 140
# Sentence scoring: a passage of at least SENTENCE_MIN_WORDS words is also scored sentence by
# sentence (sentences under SENTENCE_UNIT_WORDS words join the next one), and each probability
# is the max of the passage's and its sentences': one sentence can address a theme in substance.
SENTENCE_MIN_WORDS = 40
SENTENCE_UNIT_WORDS = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-ZÆØÅ0-9\"“‘(•–-])|\n+(?=[-–•▪●◦*]\s)")
_WORD_RE = re.compile(r"\w+")


def sentence_units(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(sentence texts, index of the passage each belongs to) for passages long enough to
    hold more than one statement."""
    units, owner = [], []
    for i, t in enumerate(texts):
        if len(_WORD_RE.findall(t or "")) < SENTENCE_MIN_WORDS:
            continue
        buf = ""
        pieces = [p.strip() for p in _SENTENCE_END.split(t) if p and p.strip()]
        if len(pieces) < 2:
            continue
        for piece in pieces:
            buf = f"{buf} {piece}".strip()
            if len(_WORD_RE.findall(buf)) >= SENTENCE_UNIT_WORDS:
                units.append(buf)
                owner.append(i)
                buf = ""
        if buf and owner and owner[-1] == i:
            units[-1] = f"{units[-1]} {buf}"
        elif buf:
            units.append(buf)
            owner.append(i)
    return units, np.array(owner, dtype=np.int64)


def _max_by_owner(p: np.ndarray, p_units: np.ndarray, owner: np.ndarray) -> np.ndarray:
    out = p.copy()
    if len(owner):
        np.maximum.at(out, owner, p_units)
    return out


def _encoder_for(name: str | None, encoder=None):
    if encoder is not None:
        return encoder
    from stratcompare.embed import get_encoder

    return get_encoder(name)


def tune_threshold(p: np.ndarray, y: np.ndarray, prior: float = 0.5, shrink: int = 5) -> float:
    """F1-maximising threshold (middle of the best plateau), shrunk toward ``prior`` for rare themes."""
    y = y.astype(bool)
    pos = int(y.sum())
    if pos == 0:
        return prior
    f1s = []
    for t in THRESHOLD_GRID:
        pred = p >= t
        tp = int(np.sum(pred & y))
        fp = int(np.sum(pred & ~y))
        fn = pos - tp
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    f1s = np.array(f1s)
    best = np.flatnonzero(f1s >= f1s.max() - 1e-9)
    thr = float(THRESHOLD_GRID[best[len(best) // 2]])
    return float((pos * thr + shrink * prior) / (pos + shrink))


@dataclass
class _Features:
    emb: np.ndarray
    lem: list[list[str]]
    hits: np.ndarray
    matched: list[list[list[str]]]
    gate: np.ndarray
    ctx: np.ndarray | None = None   # (n, c) context one-hots, None when the model uses none


def _one_hot(values: Sequence[str | None] | None, names: Sequence[str], n: int,
             neutral: np.ndarray) -> np.ndarray:
    """Rows of one-hots over ``names``; a value that is missing or not in ``names`` gets
    ``neutral`` (the training passages' average), so it pulls toward no genre in particular."""
    out = np.tile(np.asarray(neutral, dtype=np.float32), (n, 1))
    if values is None:
        return out
    index = {v: j for j, v in enumerate(names)}
    for i, v in enumerate(values):
        j = index.get(v) if v else None
        if j is not None:
            out[i] = 0.0
            out[i, j] = 1.0
    return out


def _neutral(values: Sequence[str | None] | None, names: Sequence[str]) -> np.ndarray:
    """Share of each name among the known values (uniform when none is known)."""
    known = [v for v in (values or []) if v in names]
    if not known:
        return np.full(len(names), 1.0 / len(names), dtype=np.float32)
    return np.array([known.count(v) / len(known) for v in names], dtype=np.float32)


@dataclass
class ThemeClassifier:
    """Estimator-style: ``fit(texts, Y)``, ``predict_proba(texts)``, ``predict(texts)``, ``classify(records)``."""

    codebook: Codebook
    encoder_name: str | None = None
    seed: int = 0
    C: float = 4.0
    cv_folds: int = 5
    emb_scale: float = 1.0   # weight of the embedding block against the unit-norm TF-IDF block
    blocks: tuple = ()       # (lo, hi) feature ranges with separate regressions; () = one over all
    sentences: bool = False  # also score long passages sentence by sentence (max)
    genre_feature: bool = False   # document genre one-hot as regression features
    kind_feature: bool = False    # passage kind (content/list/table) one-hot as features
    genre_offsets: bool = False   # one threshold offset per genre, learnt out of fold
    encoder: object = field(default=None, repr=False)
    # learned state
    zeroshot: ZeroShot | None = field(default=None, repr=False)
    tfidf: LemmaTfidf | None = field(default=None, repr=False)
    coef: np.ndarray | None = field(default=None, repr=False)
    intercept: np.ndarray | None = field(default=None, repr=False)
    blend: np.ndarray | None = None  # (k, 3): weights of supervised, zero-shot, keyword probability
    thresholds: np.ndarray | None = None
    train_emb: np.ndarray | None = field(default=None, repr=False)
    train_y: np.ndarray | None = field(default=None, repr=False)
    train_ids: list[str] = field(default_factory=list, repr=False)
    train_snippets: list[str] = field(default_factory=list, repr=False)
    cv_scores: list[dict] = field(default_factory=list, repr=False)
    info: dict = field(default_factory=dict, repr=False)
    genre_neutral: np.ndarray | None = field(default=None, repr=False)
    kind_neutral: np.ndarray | None = field(default=None, repr=False)
    offsets: dict = field(default_factory=dict)  # genre -> threshold offset

    # --- setup --------------------------------------------------------------------------
    def __post_init__(self):
        if self.encoder is None:
            self.encoder = _encoder_for(self.encoder_name)
        self.encoder_name = self.encoder.model_id

    @property
    def theme_ids(self) -> list[str]:
        return self.codebook.theme_ids

    @property
    def supervised(self) -> bool:
        return self.coef is not None

    @property
    def model_id(self) -> str:
        kind = "blend" if self.supervised else "zeroshot"
        return f"{kind}:{self.encoder_name}"

    @property
    def uses_context(self) -> bool:
        return self.genre_feature or self.kind_feature

    def _context(self, n: int, genres=None, kinds=None) -> np.ndarray | None:
        """(n, c) context block: genre one-hot and/or kind one-hot (None without context)."""
        if not self.uses_context:
            return None
        cols = []
        if self.genre_feature:
            cols.append(_one_hot(genres, CONTEXT_GENRES, n, self.genre_neutral))
        if self.kind_feature:
            cols.append(_one_hot(kinds, CONTEXT_KINDS, n, self.kind_neutral))
        return np.hstack(cols)

    def _features(self, texts: Sequence[str], need_lemmas: bool = True, genres=None,
                  kinds=None) -> _Features:
        texts = [t or "" for t in texts]
        emb = np.asarray(self.encoder.encode_passages(texts), dtype=np.float32)
        hits, matched = term_hits(self.codebook, texts)
        return _Features(emb, lemmas(texts) if need_lemmas else [], hits, matched, length_gate(texts),
                         self._context(len(texts), genres, kinds))

    def _row_thresholds(self, n: int, genres=None) -> np.ndarray:
        """(n, k) thresholds: the theme's threshold plus its passage's genre offset (if any)."""
        thr = np.tile(np.asarray(self.thresholds, dtype=np.float64), (n, 1))
        if self.offsets and genres is not None:
            add = np.array([self.offsets.get(g, 0.0) if g else 0.0 for g in genres])
            thr = np.clip(thr + add[:, None], 0.01, 0.99)
        return thr

    def _zs(self) -> ZeroShot:
        if self.zeroshot is None:
            self.zeroshot = ZeroShot.build(self.codebook, self.encoder)
        return self.zeroshot

    def _units(self, texts: Sequence[str], need_lemmas: bool = True, ctx: np.ndarray | None = None):
        """Sentence units of the long passages and their features (None when off or none);
        a unit has its passage's context."""
        if not self.sentences:
            return [], np.zeros(0, dtype=np.int64), None
        units, owner = sentence_units(texts)
        if not units:
            return units, owner, None
        fu = self._features(units, need_lemmas=need_lemmas)
        if ctx is not None:
            fu.ctx = ctx[owner]
        return units, owner, fu

    def _design(self, f: _Features, tfidf: LemmaTfidf, rows=None) -> sparse.csr_matrix:
        sel = slice(None) if rows is None else rows
        emb = f.emb[sel]
        lem = f.lem if rows is None else [f.lem[i] for i in rows]
        zs = self._zs().logits(emb, f.hits[sel]) * ZS_FEATURE_SCALE
        gate = f.gate[sel][:, None]
        parts = [emb * self.emb_scale, zs, np.log1p(f.hits[sel]), gate]
        if f.ctx is not None:
            parts.append(f.ctx[sel])
        dense = np.hstack(parts).astype(np.float32)
        return sparse.hstack([sparse.csr_matrix(dense), tfidf.transform(lem)], format="csr")

    def _blocks(self, n_features: int) -> list[tuple[int, int]]:
        return list(self.blocks) or [(0, n_features)]

    def _fit_linear(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        """One logistic regression per theme and feature block; (blocks, k, F) coefficients.

        By default a single block (one regression over all features: in grouped cross-validation
        this beat averaging separate embedding / TF-IDF / codebook-signal regressions, 0.69 vs
        0.66 macro-F1 with e5); block probabilities are averaged.
        """
        from sklearn.linear_model import LogisticRegression

        k = Y.shape[1]
        blocks = self._blocks(X.shape[1])
        coef = np.zeros((len(blocks), k, X.shape[1]), dtype=np.float32)
        icpt = np.full((len(blocks), k), -10.0, dtype=np.float32)
        for b, (lo, hi) in enumerate(blocks):
            Xb = X[:, lo:hi]
            for j in range(k):
                y = Y[:, j]
                if y.min() == y.max():
                    icpt[b, j] = 10.0 if y[0] else -10.0
                    continue
                lr = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                        random_state=self.seed, max_iter=2000)
                lr.fit(Xb, y)
                coef[b, j, lo:hi] = lr.coef_[0]
                icpt[b, j] = lr.intercept_[0]
        return coef, icpt

    @staticmethod
    def _linear_proba(X, coef, icpt) -> np.ndarray:
        ps = [sigmoid(np.asarray(X @ coef[b].T) + icpt[b]) for b in range(coef.shape[0])]
        return np.mean(ps, axis=0)

    # --- training -----------------------------------------------------------------------
    def fit(self, texts: Sequence[str], Y: np.ndarray, ids: Sequence[str] | None = None,
            groups: Sequence[str] | None = None, genres: Sequence[str | None] | None = None,
            kinds: Sequence[str | None] | None = None) -> "ThemeClassifier":
        """Train on labelled passages; Y is (n, k) 0/1 in codebook theme order.

        ``genres`` / ``kinds``: each passage's document genre and passage kind (None where
        unknown); used only by the context settings (``genre_feature``, ``kind_feature``,
        ``genre_offsets``)."""
        Y = np.asarray(Y).astype(np.int8)
        n = len(texts)
        if n != Y.shape[0] or Y.shape[1] != len(self.theme_ids):
            raise UsageError(f"labels have shape {Y.shape}, expected ({n}, {len(self.theme_ids)})")
        if n < 2 * self.cv_folds:
            raise UsageError(f"need at least {2 * self.cv_folds} labelled passages to train, got {n}",
                             hint="use the zero-shot model (no --labels) for a codebook without training data")
        for name, vals in (("genres", genres), ("kinds", kinds)):
            if vals is not None and len(vals) != n:
                raise UsageError(f"{name} has {len(vals)} entries for {n} passages")
        self.genre_neutral = _neutral(genres, CONTEXT_GENRES) if self.genre_feature else None
        self.kind_neutral = _neutral(kinds, CONTEXT_KINDS) if self.kind_feature else None
        f = self._features(texts, genres=genres, kinds=kinds)
        self._zs()
        p_zs = self._zs().proba(f.emb, f.hits, f.gate)
        p_kw = _keyword_proba(f)
        units, owner, fu = self._units(texts, ctx=f.ctx)
        if fu is not None:
            p_zs = _max_by_owner(p_zs, self._zs().proba(fu.emb, fu.hits, fu.gate), owner)
            p_kw = _max_by_owner(p_kw, _keyword_proba(fu), owner)
        # Out-of-fold supervised probabilities choose the blend weight and thresholds.
        oof = np.zeros(Y.shape, dtype=np.float32)
        for tr, te in self._folds(n, groups):
            tf = LemmaTfidf().fit([f.lem[i] for i in tr])
            coef, icpt = self._fit_linear(self._design(f, tf, tr), Y[tr])
            oof[te] = self._linear_proba(self._design(f, tf, te), coef, icpt)
            if GATE_SUPERVISED:
                oof[te] *= f.gate[te, None]
            if fu is not None:
                sel = np.flatnonzero(np.isin(owner, te))
                if len(sel):
                    pu = self._linear_proba(self._design(fu, tf, sel), coef, icpt)
                    if GATE_SUPERVISED:
                        pu = pu * fu.gate[sel, None]
                    oof = _max_by_owner(oof, pu.astype(np.float32), owner[sel])
        # Per theme: the blend weights and threshold with the best out-of-fold F1.
        k = Y.shape[1]
        self.blend = np.tile(ZERO_SHOT_ONLY, (k, 1))
        self.thresholds = np.full(k, 0.5)
        for j in range(k):
            if Y[:, j].sum() < MIN_POSITIVES:
                continue
            best = None
            for w in BLEND_GRID:
                p = w[0] * oof[:, j] + w[1] * p_zs[:, j] + w[2] * p_kw[:, j]
                thr = tune_threshold(p, Y[:, j])
                f1 = theme_scores(Y[:, [j]], (p >= thr)[:, None], [self.theme_ids[j]])[0]["f1"]
                if best is None or f1 > best[0] + 1e-9:
                    best = (f1, w, thr)
            self.blend[j], self.thresholds[j] = best[1], best[2]
        p = _mix(self.blend, oof, p_zs, p_kw)
        self.offsets = _genre_offsets(p, Y, self.thresholds, genres) if self.genre_offsets else {}
        self.cv_scores = theme_scores(Y, p >= self._row_thresholds(n, genres), self.theme_ids)
        # Final model on everything.
        self.tfidf = LemmaTfidf().fit(f.lem)
        self.coef, self.intercept = self._fit_linear(self._design(f, self.tfidf), Y)
        self.train_emb = f.emb.astype(np.float32)
        self.train_y = Y
        self.train_ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(n)]
        self.train_snippets = [_snippet(t) for t in texts]
        self.info = {"n_train": n, "positives": {t: int(Y[:, j].sum()) for j, t in enumerate(self.theme_ids)},
                     "cv": f"{self.cv_folds}-fold {'grouped' if groups is not None else 'shuffled'}"}
        if genres is not None:
            self.info["genres"] = {g: sum(1 for x in genres if x == g) for g in CONTEXT_GENRES}
            self.info["genres"]["unknown"] = sum(1 for x in genres if x not in CONTEXT_GENRES)
        return self

    def _folds(self, n: int, groups):
        from sklearn.model_selection import GroupKFold, KFold

        if groups is not None and len(set(groups)) >= self.cv_folds:
            return list(GroupKFold(n_splits=self.cv_folds).split(np.zeros(n), groups=list(groups)))
        return list(KFold(n_splits=self.cv_folds, shuffle=True, random_state=self.seed).split(np.zeros(n)))

    @classmethod
    def zero_shot(cls, codebook: Codebook, encoder=None, encoder_name: str | None = None,
                  corpus_texts: Sequence[str] | None = None, max_share: float = 0.35) -> "ThemeClassifier":
        """A model from the codebook alone (definitions, terms, examples).

        Thresholds start at 0.5 on the calibrated zero-shot probability.  Given unlabelled
        ``corpus_texts``, a theme's threshold is raised (never lowered) so that it is assigned
        to at most ``max_share`` of the corpus: an uncalibrated prototype that sits close to
        everything would otherwise label the whole corpus.
        """
        m = cls(codebook=codebook, encoder=encoder, encoder_name=encoder_name)
        m._zs()
        thr = np.full(len(codebook.themes), 0.5)
        if corpus_texts:
            f = m._features(corpus_texts, need_lemmas=False)
            p = m.zeroshot.proba(f.emb, f.hits, f.gate)
            q = np.quantile(p, 1 - max_share, axis=0)
            thr = np.maximum(thr, np.minimum(q + 1e-6, 0.95))
        m.thresholds = thr
        m.info = {"n_train": 0, "calibration": "codebook examples" + (" + corpus share cap" if corpus_texts else "")}
        return m

    # --- prediction ---------------------------------------------------------------------
    def _proba_one(self, f: _Features) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p_zs = self._zs().proba(f.emb, f.hits, f.gate)
        p_kw = _keyword_proba(f)
        if not self.supervised:
            return np.zeros_like(p_zs), p_zs, p_kw
        p_sup = self._linear_proba(self._design(f, self.tfidf), self.coef, self.intercept)
        if GATE_SUPERVISED:
            p_sup = p_sup * f.gate[:, None]
        return p_sup, p_zs, p_kw

    def _proba(self, f: _Features, units=None) -> np.ndarray:
        """Blended probabilities; with ``units`` = (owner, unit features), each component is
        the max over the passage and its sentence units."""
        comps = self._proba_one(f)
        if units is not None:
            owner, fu = units
            comps = tuple(_max_by_owner(c, cu, owner) for c, cu in zip(comps, self._proba_one(fu)))
        if not self.supervised:
            return comps[1]
        return _mix(self.blend, *comps)

    def _proba_texts(self, texts: Sequence[str], f: _Features) -> np.ndarray:
        _, owner, fu = self._units(texts, need_lemmas=self.supervised, ctx=f.ctx)
        return self._proba(f, None if fu is None else (owner, fu))

    def predict_proba(self, texts: Sequence[str], genres: Sequence[str | None] | None = None,
                      kinds: Sequence[str | None] | None = None) -> np.ndarray:
        """(n, k) theme probabilities in codebook order (``genres``/``kinds``: see ``fit``)."""
        texts = [t or "" for t in texts]
        return self._proba_texts(texts, self._features(texts, need_lemmas=self.supervised,
                                                       genres=genres, kinds=kinds))

    def predict(self, texts: Sequence[str], genres: Sequence[str | None] | None = None,
                kinds: Sequence[str | None] | None = None) -> np.ndarray:
        P = self.predict_proba(texts, genres=genres, kinds=kinds)
        return P >= self._row_thresholds(len(P), genres)

    def classify(self, records: Sequence[dict], n_examples: int = 2) -> list[dict]:
        """``[{"id", "text", "genre"?, "kind"?}]`` -> ``[{"id", "themes", "scores", "evidence"}]``.

        ``genre`` is the document's genre (strategy, minutes, news, other) and ``kind`` the
        passage's kind; a record without them gets the neutral context."""
        texts = [r.get("text") or "" for r in records]
        if not texts:
            return []
        genres = [r.get("genre") for r in records]
        kinds = [r.get("kind") for r in records]
        f = self._features(texts, need_lemmas=self.supervised, genres=genres, kinds=kinds)
        P = self._proba_texts(texts, f)
        T = self._row_thresholds(len(texts), genres)
        sims = f.emb @ self.train_emb.T if self.train_emb is not None else None
        ex_emb = None
        out = []
        for i, r in enumerate(records):
            assigned = [t for j, t in enumerate(self.theme_ids) if P[i, j] >= T[i, j]]
            evidence = {}
            for j, t in enumerate(self.theme_ids):
                if P[i, j] < T[i, j]:
                    continue
                examples = []
                if sims is not None:
                    cand = np.flatnonzero(self.train_y[:, j])
                    order = cand[np.argsort(-sims[i, cand], kind="stable")][:n_examples]
                    examples = [{"id": self.train_ids[c], "snippet": self.train_snippets[c],
                                 "similarity": round(float(sims[i, c]), 3)} for c in order]
                else:
                    theme = self.codebook.themes[j]
                    if theme.examples:
                        if ex_emb is None:
                            ex_emb = {}
                        if j not in ex_emb:
                            ex_emb[j] = self.encoder.encode_passages(list(theme.examples))
                        s = ex_emb[j] @ f.emb[i]
                        order = np.argsort(-s, kind="stable")[:n_examples]
                        examples = [{"id": f"codebook:{t}#{o + 1}", "snippet": _snippet(theme.examples[o]),
                                     "similarity": round(float(s[o]), 3)} for o in order]
                evidence[t] = {"terms": f.matched[i][j], "examples": examples}
            out.append({
                "id": r.get("id"), "themes": assigned,
                "scores": {t: round(float(P[i, j]), 4) for j, t in enumerate(self.theme_ids)},
                "evidence": evidence,
            })
        return out

    # --- persistence (JSON + npz, no pickle) --------------------------------------------
    def save(self, directory: str | Path) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        zs = self._zs()
        arrays = {"prototypes": zs.prototypes, "centre": zs.centre, "scale": zs.scale,
                  "thresholds": np.asarray(self.thresholds, dtype=np.float64)}
        meta = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "codebook": self.codebook.key,
            "theme_ids": self.theme_ids, "encoder": self.encoder_name, "dim": int(self.encoder.dim),
            "seed": self.seed, "C": self.C, "cv_folds": self.cv_folds, "emb_scale": self.emb_scale,
            "sentences": self.sentences,
            "context": {"genre_feature": self.genre_feature, "kind_feature": self.kind_feature,
                        "genre_offsets": self.genre_offsets, "genres": list(CONTEXT_GENRES),
                        "kinds": list(CONTEXT_KINDS),
                        "offsets": {g: float(v) for g, v in self.offsets.items()}},
            "blend_components": ["supervised", "zeroshot", "keyword"],
            "blend": {t: [float(x) for x in v] for t, v in zip(
                self.theme_ids, self.blend if self.blend is not None else np.tile(ZERO_SHOT_ONLY, (len(self.theme_ids), 1)))},
            "supervised": self.supervised, "info": self.info, "cv_scores": self.cv_scores,
            "thresholds": {t: round(float(v), 4) for t, v in zip(self.theme_ids, self.thresholds)},
            "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        }
        if self.supervised:
            tmeta, tarr = self.tfidf.state()
            meta["tfidf"] = tmeta
            meta["train_ids"] = self.train_ids
            meta["train_snippets"] = self.train_snippets
            arrays.update(tarr)
            arrays.update({"coef": self.coef, "intercept": self.intercept,
                           "train_emb": self.train_emb.astype(np.float16), "train_y": self.train_y})
        if self.genre_neutral is not None:
            arrays["genre_neutral"] = np.asarray(self.genre_neutral, dtype=np.float32)
        if self.kind_neutral is not None:
            arrays["kind_neutral"] = np.asarray(self.kind_neutral, dtype=np.float32)
        np.savez_compressed(d / "model.npz", **arrays)
        (d / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if self.codebook.path and Path(self.codebook.path).resolve() != (d / "codebook.toml").resolve():
            shutil.copyfile(self.codebook.path, d / "codebook.toml")
        return d

    @classmethod
    def load(cls, directory: str | Path, codebook: Codebook | None = None, encoder=None) -> "ThemeClassifier":
        d = Path(directory)
        try:
            meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
            npz = np.load(d / "model.npz", allow_pickle=False)
            arrays = {k: npz[k] for k in npz.files}
        except FileNotFoundError:
            raise ModelError("no trained theme model here (model.json + model.npz)", path=d,
                             hint="train one with `stratcompare train --labels corpus/labels`") from None
        except (ValueError, OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"cannot read theme model ({exc})", path=d) from None
        if meta.get("format") != FORMAT:
            raise ModelError("not a stratcompare theme model", path=d)
        if meta.get("format_version") not in READABLE_VERSIONS:
            raise ModelError(f"theme model format version {meta.get('format_version')} is not one this "
                             f"version of stratcompare reads ({', '.join(map(str, READABLE_VERSIONS))})",
                             path=d, hint="upgrade stratcompare, or retrain with `stratcompare train`")
        ctx = meta.get("context") or {}   # version 1: no context
        if (ctx.get("genres", list(CONTEXT_GENRES)) != list(CONTEXT_GENRES)
                or ctx.get("kinds", list(CONTEXT_KINDS)) != list(CONTEXT_KINDS)):
            raise ModelError("theme model was trained with other genre or kind names", path=d,
                             hint="retrain with `stratcompare train`")
        if codebook is None:
            cb_file = d / "codebook.toml"
            codebook = Codebook.load(cb_file if cb_file.exists() else None)
        if codebook.key != meta["codebook"] or codebook.theme_ids != meta["theme_ids"]:
            raise ModelError(f"model was trained for codebook {meta['codebook']}, not {codebook.key}", path=d,
                             hint="retrain with `stratcompare train --codebook FILE`, or use zero-shot")
        enc = _encoder_for(meta["encoder"], encoder)
        if enc.model_id != meta["encoder"] or int(enc.dim) != int(meta["dim"]):
            raise ModelError(f"model needs encoder {meta['encoder']} (dim {meta['dim']}), got {enc.model_id}", path=d)
        m = cls(codebook=codebook, encoder=enc, seed=meta["seed"], C=meta["C"], cv_folds=meta["cv_folds"],
                emb_scale=float(meta.get("emb_scale", 1.0)), sentences=bool(meta.get("sentences", False)),
                genre_feature=bool(ctx.get("genre_feature", False)),
                kind_feature=bool(ctx.get("kind_feature", False)),
                genre_offsets=bool(ctx.get("genre_offsets", False)))
        m.offsets = {g: float(v) for g, v in (ctx.get("offsets") or {}).items()}
        for attr, key, names in (("genre_neutral", "genre_feature", CONTEXT_GENRES),
                                 ("kind_neutral", "kind_feature", CONTEXT_KINDS)):
            if ctx.get(key):
                if f"{attr}" not in arrays:
                    raise ModelError(f"theme model uses {key} but model.npz has no {attr}", path=d)
                setattr(m, attr, arrays[attr].astype(np.float32))
        m.zeroshot = ZeroShot(arrays["prototypes"], arrays["centre"], arrays["scale"])
        m.thresholds = arrays["thresholds"]
        m.blend = np.array([meta["blend"][t] for t in m.theme_ids], dtype=np.float64)
        m.cv_scores = meta.get("cv_scores", [])
        m.info = meta.get("info", {})
        if meta["supervised"]:
            m.tfidf = LemmaTfidf.from_state(meta["tfidf"], arrays)
            m.coef = arrays["coef"].astype(np.float32)
            m.intercept = arrays["intercept"].astype(np.float32)
            m.train_emb = arrays["train_emb"].astype(np.float32)
            m.train_y = arrays["train_y"].astype(np.int8)
            m.train_ids = meta["train_ids"]
            m.train_snippets = meta["train_snippets"]
        return m


def _genre_offsets(p: np.ndarray, Y: np.ndarray, thresholds: np.ndarray,
                   genres: Sequence[str | None] | None) -> dict[str, float]:
    """One threshold offset per genre, shared by all themes, chosen on out-of-fold
    probabilities ``p`` to maximise the micro-F1 of that genre's passages (ties: the offset
    nearest 0).  Minutes and news carry fewer themes than strategies for the same wording; a
    genre with fewer than OFFSET_MIN_PASSAGES training passages keeps offset 0."""
    if genres is None:
        return {}
    g = np.array([x if x in CONTEXT_GENRES else "" for x in genres])
    out = {}
    Yb = Y.astype(bool)
    for name in CONTEXT_GENRES:
        rows = np.flatnonzero(g == name)
        if len(rows) < OFFSET_MIN_PASSAGES:
            continue
        best = None
        for d in sorted(OFFSET_GRID, key=lambda x: (abs(x), x)):
            pred = p[rows] >= np.clip(thresholds + d, 0.01, 0.99)
            y = Yb[rows]
            tp = int((pred & y).sum())
            denom = int(pred.sum()) + int(y.sum())
            f1 = 2 * tp / denom if denom else 1.0
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, float(d) + 0.0)   # + 0.0: no '-0.0' in the model file
        out[name] = best[1]
    return out


def _keyword_proba(f: _Features) -> np.ndarray:
    """Keyword evidence as a probability: 0, 0.5 or 1 for 0, 1, 2+ matched terms (length-gated)."""
    return np.minimum(f.hits, 2) / 2 * f.gate[:, None]


def _mix(blend: np.ndarray, p_sup: np.ndarray, p_zs: np.ndarray, p_kw: np.ndarray) -> np.ndarray:
    return blend[:, 0] * p_sup + blend[:, 1] * p_zs + blend[:, 2] * p_kw


def _snippet(text: str) -> str:
    t = " ".join(text.split())
    return t if len(t) <= SNIPPET else t[: SNIPPET - 1] + "…"


def fingerprint(arrays: dict[str, np.ndarray]) -> str:
    """Short hash of model arrays (used by tests and the model card to show determinism)."""
    h = hashlib.sha256()
    for k in sorted(arrays):
        h.update(k.encode())
        h.update(np.ascontiguousarray(arrays[k]).tobytes())
    return h.hexdigest()[:16]
