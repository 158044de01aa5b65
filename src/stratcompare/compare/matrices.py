"""Municipality × theme, municipality × municipality and theme × theme matrices.

Aggregation runs in SQL (GROUP BY document, theme) and numpy (documents → municipality rows),
never in Python loops over passages: 98 municipalities × 10⁵ passages take 0.2-0.6 s per
matrix; only ``normalise="score"``, which must read every stored probability, takes ~1.5 s
(docs/benchmarks.md, "Compare").
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from stratcompare.compare.corpus import LIVE_DOCS, CorpusIndex, corpus_genre, corpus_index
from stratcompare.compare.embeddings import load_vectors, resolve_model
from stratcompare.compare.matrix import Matrix
from stratcompare.compare.themes import ThemeSet, load_themes
from stratcompare.errors import UsageError
from stratcompare.segment import SUBSTANTIVE_KINDS

NORMALISE = ("share", "count", "score")
BASES = ("themes", "embeddings")


def _live_filter(conn: sqlite3.Connection, column: str) -> str:
    """An SQL condition excluding failed documents' passages — only when there are any, since
    the per-row check costs a lookup (failed ingests normally store no passages)."""
    stale = conn.execute(
        "SELECT 1 FROM passages WHERE document_id IN "
        "(SELECT id FROM documents WHERE status = 'failed') LIMIT 1").fetchone()
    return f"AND {column} IN ({LIVE_DOCS})" if stale else ""


def _doc_theme_sums(conn, themes: ThemeSet, index: CorpusIndex, column: str) -> np.ndarray:
    """Per municipality and theme: SUM(column) over live passages (assigned or probability).

    Reads ``document_theme_totals`` (one row per document and theme, kept current by triggers
    on passage_themes), not the (passage, theme) rows themselves: 10x fewer rows at 10^5
    passages.  Documents not in ``index`` (failed ones) are skipped."""
    out = np.zeros((len(index.municipalities), len(themes.ids)))
    if not themes.has_labels or not themes.ids:
        return out
    total = "assigned" if column == "assigned" else "probability_sum"
    rows = conn.execute(
        f"SELECT document_id, theme, {total} FROM document_theme_totals WHERE codebook = ?",
        (themes.codebook,),
    ).fetchall()
    col = {t: j for j, t in enumerate(themes.ids)}
    rows = [r for r in rows if r[0] in index.doc_row and r[1] in col]
    r_idx = np.fromiter((index.doc_row[r[0]] for r in rows), dtype=np.int64, count=len(rows))
    c_idx = np.fromiter((col[r[1]] for r in rows), dtype=np.int64, count=len(rows))
    vals = np.fromiter((r[2] or 0.0 for r in rows), dtype=np.float64, count=len(rows))
    np.add.at(out, (r_idx, c_idx), vals)
    return out


def theme_matrix(
    conn: sqlite3.Connection,
    *,
    codebook: str | Path | None = None,
    normalise: str = "share",
    genre: str | None = None,
    all_kinds: bool = False,
) -> Matrix:
    """Municipality × theme. ``share``: fraction of the municipality's passages carrying the
    theme (so a long strategy does not outweigh a short one); ``count``: number of those
    passages; ``score``: mean theme probability over all the municipality's passages."""
    if normalise not in NORMALISE:
        raise UsageError(f"unknown normalisation {normalise!r}", hint="use share, count or score")
    themes = load_themes(conn, codebook)
    # the genre's documents only, and the kinds counted in the denominator (a passage of
    # another kind carries no theme, so --all-kinds lowers the shares)
    index = corpus_index(conn, genre=corpus_genre(conn, genre), kinds=_kinds(all_kinds))
    column = "probability" if normalise == "score" else "assigned"
    sums = _doc_theme_sums(conn, themes, index, column)
    if normalise == "count":
        values = sums
    else:
        denom = np.maximum(index.passages, 1).astype(np.float64)[:, None]
        values = sums / denom
    notes = [] if themes.has_labels else ["no theme labels in the database yet: run the classifier"]
    return Matrix(
        kind="themes", measure=normalise, rows=index.municipalities, cols=list(themes.ids),
        values=values, row_name="municipality", labels=dict(themes.labels),
        support=index.passages.copy(), codebook=themes.codebook, notes=notes,
    )


def _cosine_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    unit = x / safe[:, None]
    sim = unit @ unit.T
    return np.clip(sim, -1.0, 1.0)


def municipality_mean_vectors(
    conn: sqlite3.Connection, model: str, index: CorpusIndex,
    vectors: tuple[list[str], list[str], np.ndarray] | None = None,
    centre: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(mean passage embedding per municipality, passages with a vector per municipality).

    With ``centre`` the corpus' mean passage vector is subtracted first: e5 vectors share a
    large common direction (raw municipality means are 0.94-0.99 alike whatever they say), and
    a passage close to that mean (generic wording) then weighs little in its municipality's
    mean, so what a municipality says that others do not decides its position.
    Summed as one sparse (municipalities × passages) float32 indicator product, which never
    copies the 10⁵ × d matrix (numpy's reduceat, or a float64 upcast, was 3-5x slower)."""
    from scipy import sparse

    _, docs, mat = vectors if vectors is not None else load_vectors(conn, model)
    n = len(index.municipalities)
    if mat.size == 0:
        return np.zeros((n, 0)), np.zeros(n, dtype=np.int64)
    keep = np.fromiter((d in index.doc_row for d in docs), dtype=bool, count=len(docs))
    if not keep.all():  # documents outside the index (another genre)
        docs = [d for d, k in zip(docs, keep) if k]
        mat = mat[keep]
    rows = np.fromiter((index.doc_row[d] for d in docs), dtype=np.int64, count=len(docs))
    indicator = sparse.csr_matrix(
        (np.ones(len(docs), dtype=np.float32), (rows, np.arange(len(docs)))),
        shape=(n, len(docs)))
    sums = np.asarray(indicator @ mat, dtype=np.float64)
    counts = np.bincount(rows, minlength=n).astype(np.int64)
    if centre and len(docs):
        corpus_mean = sums.sum(axis=0) / len(docs)
        sums = sums - counts[:, None] * corpus_mean[None, :]
    means = np.zeros_like(sums)
    present = counts > 0
    means[present] = sums[present] / counts[present][:, None]
    return means, counts


def cosine_rows(x: np.ndarray) -> np.ndarray:
    """Row-by-row cosine similarity; all-zero rows get 0."""
    if x.size == 0:
        return np.zeros((x.shape[0], x.shape[0]))
    return _cosine_rows(x)


def similarity_matrix(
    conn: sqlite3.Connection,
    *,
    basis: str = "themes",
    model: str | None = None,
    codebook: str | Path | None = None,
    vectors: tuple[list[str], list[str], np.ndarray] | None = None,
    genre: str | None = None,
    all_kinds: bool = False,
) -> Matrix:
    """Municipality × municipality cosine similarity of theme-share profiles (``themes``) or of
    mean passage embeddings (``embeddings``, centred on the corpus mean: see
    ``municipality_mean_vectors``). Rows without data get 0 everywhere."""
    if basis not in BASES:
        raise UsageError(f"unknown basis {basis!r}", hint="use themes or embeddings")
    notes: list[str] = []
    if basis == "themes":
        tm = theme_matrix(conn, codebook=codebook, normalise="share", genre=genre,
                          all_kinds=all_kinds)
        rows, support, used_model, cb = tm.rows, tm.support, None, tm.codebook
        profile = tm.values
        notes += tm.notes
    else:
        index = corpus_index(conn, genre=genre, kinds=_kinds(all_kinds))
        used_model = resolve_model(conn, model)
        rows, cb = index.municipalities, None
        if used_model is None:
            profile = np.zeros((len(rows), 0))
            support = np.zeros(len(rows), dtype=np.int64)
            notes.append("no embeddings in the database yet: run `stratcompare embed`")
        else:
            if vectors is None:
                vectors = load_vectors(conn, used_model, kinds=_kinds(all_kinds))
            profile, support = municipality_mean_vectors(conn, used_model, index, vectors)
    sim = _cosine_rows(profile) if profile.size else np.zeros((len(rows), len(rows)))
    return Matrix(
        kind="similarity", measure="cosine", rows=list(rows), cols=list(rows), values=sim,
        row_name="municipality", support=support, codebook=cb, model=used_model, basis=basis,
        notes=notes,
    )


MASK_THEMES = 62   # theme sets fit in one signed 64-bit SQLite integer


def _cooccurrence_masks(conn, themes: ThemeSet, live: str) -> np.ndarray:
    """Each passage's assigned themes as a bit mask, counted per distinct mask in SQL (a few
    hundred rows come back, not 10⁵), then expanded: cooc = Bᵀ·diag(n)·B."""
    case = "CASE theme " + " ".join(
        f"WHEN ? THEN {1 << j}" for j in range(len(themes.ids))) + " ELSE 0 END"
    rows = conn.execute(
        f"""SELECT mask, COUNT(*) FROM (
                SELECT SUM({case}) AS mask FROM passage_themes NOT INDEXED
                WHERE codebook = ? AND assigned = 1 {live} GROUP BY passage_id)
            GROUP BY mask""",
        (*themes.ids, themes.codebook),
    ).fetchall()
    k = len(themes.ids)
    if not rows:
        return np.zeros((k, k))
    masks = np.array([r[0] for r in rows], dtype=np.int64)
    counts = np.array([r[1] for r in rows], dtype=np.float64)
    bits = ((masks[:, None] >> np.arange(k)[None, :]) & 1).astype(np.float64)
    return bits.T @ (bits * counts[:, None])


def _cooccurrence_join(conn, themes: ThemeSet, live: str) -> np.ndarray:
    """Self-join of the assigned (passage, theme) rows; for codebooks too big for a bit mask."""
    k = len(themes.ids)
    values = np.zeros((k, k))
    col = {t: j for j, t in enumerate(themes.ids)}
    rows = conn.execute(
        f"""WITH a AS MATERIALIZED (
                SELECT passage_id, theme FROM passage_themes NOT INDEXED
                WHERE codebook = ? AND assigned = 1 {live})
            SELECT a.theme, b.theme, COUNT(*) FROM a JOIN a AS b ON b.passage_id = a.passage_id
            GROUP BY a.theme, b.theme""",
        (themes.codebook,),
    ).fetchall()
    for a, b, n in rows:   # at most k² rows
        values[col[a], col[b]] = n
    return values


def cooccurrence_matrix(
    conn: sqlite3.Connection, *, codebook: str | Path | None = None, genre: str | None = None
) -> Matrix:
    """Theme × theme: number of passages carrying both themes (MAXQDA's code relations); the
    diagonal is the number of passages carrying the theme at all."""
    themes = load_themes(conn, codebook)
    k = len(themes.ids)
    values = np.zeros((k, k))
    notes: list[str] = []
    if themes.has_labels and k:
        live = _live_filter(conn, "passage_id")
        if live:
            live = f"AND passage_id IN (SELECT id FROM passages WHERE document_id IN ({LIVE_DOCS}))"
        if genre:
            # a literal, not a parameter: the genre was checked against GENRES by the caller
            live += (" AND passage_id IN (SELECT p.id FROM passages p JOIN documents d ON "
                     f"d.id = p.document_id WHERE d.genre = '{corpus_genre(conn, genre)}')")
        values = (_cooccurrence_masks(conn, themes, live) if k <= MASK_THEMES
                  else _cooccurrence_join(conn, themes, live))
    else:
        notes.append("no theme labels in the database yet: run the classifier")
    return Matrix(
        kind="cooccurrence", measure="count", rows=list(themes.ids), cols=list(themes.ids),
        values=values, row_name="theme", labels=dict(themes.labels), codebook=themes.codebook,
        notes=notes,
    )


def _kinds(all_kinds: bool):
    return None if all_kinds else SUBSTANTIVE_KINDS




def matrix(conn: sqlite3.Connection, kind: str, **kwargs) -> Matrix:
    """Dispatch by name (the CLI's ``--matrix``)."""
    if kwargs.get("genre"):
        kwargs["genre"] = corpus_genre(conn, kwargs["genre"])
    if kind == "themes":
        return theme_matrix(conn, **{k: v for k, v in kwargs.items()
                                     if k in ("codebook", "normalise", "genre", "all_kinds")})
    if kind == "similarity":
        return similarity_matrix(conn, **{k: v for k, v in kwargs.items()
                                          if k in ("basis", "model", "codebook", "genre",
                                                   "all_kinds")})
    if kind == "cooccurrence":
        return cooccurrence_matrix(conn, **{k: v for k, v in kwargs.items()
                                            if k in ("codebook", "genre")})
    raise UsageError(f"unknown matrix {kind!r}", hint="use themes, similarity or cooccurrence")


__all__ = ["theme_matrix", "similarity_matrix", "cooccurrence_matrix", "matrix", "cosine_rows"]
