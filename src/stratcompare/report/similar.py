"""Similar initiatives across municipalities: the passage pairs from different municipalities
whose embeddings are closest — what policy staff look for ("who else does this?")."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from stratcompare.compare.cells import PassagePair, attach_themes, fetch_refs, top_pairs
from stratcompare.compare.corpus import LIVE_DOCS, CorpusIndex
from stratcompare.compare.embeddings import load_vectors
from stratcompare.compare.themes import ThemeSet

MAX_PAIRS = 20
MAX_PASSAGES = 6000      # passages compared pairwise (6000² dot products, ~1 s)
MIN_WORDS = 8            # headings and captions are not initiatives
PER_MUNICIPALITY_PAIR = 2
BLOCK = 1024


@dataclass
class SimilarPairs:
    pairs: list[PassagePair] = field(default_factory=list)
    compared: int = 0        # passages compared
    available: int = 0       # passages long enough to compare
    reason: str = ""         # why there are no pairs


def similar_pairs(
    conn: sqlite3.Connection,
    index: CorpusIndex,
    themes: ThemeSet,
    model: str,
    vectors: tuple[list[str], list[str], np.ndarray] | None = None,
    max_pairs: int = MAX_PAIRS,
) -> SimilarPairs:
    """The most similar cross-municipality pairs; each passage used once, at most
    PER_MUNICIPALITY_PAIR pairs per municipality pair, verbatim duplicates skipped."""
    ids, docs, mat = vectors if vectors is not None else load_vectors(conn, model)
    if len(ids) < 2:
        return SimilarPairs(reason="For få passager med embeddings.")
    rows = np.fromiter((index.doc_row[d] for d in docs), dtype=np.int64, count=len(docs))
    words = dict(conn.execute(
        f"SELECT id, words FROM passages WHERE document_id IN ({LIVE_DOCS})").fetchall())
    keep = np.array([words.get(i, 0) >= MIN_WORDS for i in ids])
    available = int(keep.sum())
    if available > MAX_PASSAGES:
        # compare the passages the classifier is surest about (else the longest ones)
        strength = _strength(conn, themes, ids, words)
        cutoff = np.sort(strength[keep])[-MAX_PASSAGES]
        keep &= strength >= cutoff
    sel = np.flatnonzero(keep)
    if not len(sel):
        return SimilarPairs(reason=f"Ingen passager med mindst {MIN_WORDS} ord at sammenligne.")
    if len(set(rows[sel].tolist())) < 2:
        return SimilarPairs(compared=len(sel), available=available,
                            reason="Lignende initiativer kræver passager fra mindst to kommuner.")
    X, R = mat[sel], rows[sel]
    candidates: list[tuple[float, int, int]] = []
    for start in range(0, len(sel), BLOCK):
        block = X[start:start + BLOCK] @ X.T
        block[R[start:start + BLOCK, None] == R[None, :]] = -np.inf     # other municipalities
        block[np.arange(start, start + block.shape[0])[:, None]
              >= np.arange(len(sel))[None, :]] = -np.inf                 # each pair once
        for i, j in top_pairs(block, max_pairs * 8):
            if np.isfinite(block[i, j]):
                candidates.append((float(block[i, j]), start + i, j))
    candidates.sort(reverse=True)
    candidates = candidates[: max_pairs * 20]
    wanted = sorted({ids[sel[k]] for _, a, b in candidates for k in (a, b)})
    refs = fetch_refs(conn, index, wanted)
    chosen: list[tuple[float, str, str]] = []
    used: set[str] = set()
    per_pair: dict[tuple[int, int], int] = {}
    for s, a, b in candidates:
        pa, pb = ids[sel[a]], ids[sel[b]]
        if pa in used or pb in used:
            continue
        if " ".join(refs[pa].text.split()) == " ".join(refs[pb].text.split()):
            continue   # verbatim boilerplate (quoted law, standard phrasing) is not an initiative
        key = (min(int(R[a]), int(R[b])), max(int(R[a]), int(R[b])))
        if per_pair.get(key, 0) >= PER_MUNICIPALITY_PAIR:
            continue
        per_pair[key] = per_pair.get(key, 0) + 1
        used.update((pa, pb))
        chosen.append((s, pa, pb))
        if len(chosen) >= max_pairs:
            break
    attach_themes(conn, [refs[p] for p in used], themes)
    pairs = [PassagePair(refs[a], refs[b], s, [t for t in refs[a].themes if t in refs[b].themes])
             for s, a, b in chosen]
    return SimilarPairs(pairs=pairs, compared=len(sel), available=available,
                        reason="" if pairs else "Ingen passagepar fra forskellige kommuner.")


def _strength(conn, themes: ThemeSet, ids: list[str], words: dict) -> np.ndarray:
    if themes.has_labels:
        best = dict(conn.execute(
            "SELECT passage_id, MAX(probability) FROM passage_themes NOT INDEXED "
            "WHERE codebook = ? AND assigned = 1 GROUP BY passage_id", (themes.codebook,)).fetchall())
        return np.array([best.get(i, 0.0) for i in ids])
    return np.array([float(words.get(i, 0)) for i in ids])


__all__ = ["similar_pairs", "SimilarPairs"]
