"""Drill-down: the passages behind one matrix cell, so every number can be checked by reading.

Cell keys: ``"Køge:housing_first"`` (municipality × theme), ``"Køge:Herning"`` (similarity: the
most similar passage pairs), ``"housing_first:early_intervention"`` (co-occurrence).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from stratcompare.compare.corpus import LIVE_DOCS, CorpusIndex, corpus_index, in_clause
from stratcompare.compare.embeddings import load_vectors, resolve_model
from stratcompare.compare.names import match_name
from stratcompare.compare.themes import ThemeSet, load_themes
from stratcompare.errors import NotFoundError, UsageError
from stratcompare.segment import SUBSTANTIVE_KINDS


@dataclass
class PassageRef:
    passage_id: str
    municipality: str
    document_id: str
    document: str | None
    year: str | None
    page: int | None
    section: str | None
    text: str
    probability: float | None = None
    themes: list[str] = field(default_factory=list)

    def record(self) -> dict:
        return asdict(self)


@dataclass
class PassagePair:
    a: PassageRef
    b: PassageRef
    similarity: float
    shared_themes: list[str] = field(default_factory=list)

    def record(self) -> dict:
        rec = {"similarity": round(self.similarity, 4), "shared_themes": self.shared_themes}
        for side, ref in (("a", self.a), ("b", self.b)):
            for k, v in ref.record().items():
                if k != "themes":
                    rec[f"{side}_{k}"] = v
        return rec


@dataclass
class CellPassages:
    cell: str
    kind: str                 # themes | similarity | cooccurrence
    row: str
    col: str
    count: int                # passages (or pairs) behind the cell in total
    total: int | None = None  # denominator of a share (the municipality's passages)
    passages: list[PassageRef] = field(default_factory=list)
    pairs: list[PassagePair] = field(default_factory=list)
    basis: str | None = None

    def records(self) -> list[dict]:
        if self.kind == "similarity":
            return [p.record() for p in self.pairs]
        return [p.record() for p in self.passages]


_PASSAGE_COLUMNS = """ps.id, ps.document_id, d.title, d.year_start, d.year_end, ps.page,
    ps.section, ps.text"""


def _year(ys, ye) -> str | None:
    if ys is None:
        return None
    return str(ys) if ye in (None, ys) else f"{ys}-{ye}"


def _ref(row, index: CorpusIndex, probability: float | None = None) -> PassageRef:
    return PassageRef(
        passage_id=row[0], municipality=index.municipalities[index.doc_row[row[1]]],
        document_id=row[1], document=row[2], year=_year(row[3], row[4]), page=row[5],
        section=row[6], text=row[7], probability=probability,
    )


def _resolve_theme(name: str, themes: ThemeSet) -> str | None:
    code = re.fullmatch(r"[Tt](\d+)", name.strip())   # a wide matrix's column code: T1 …
    if code and 1 <= int(code.group(1)) <= len(themes.ids):
        return themes.ids[int(code.group(1)) - 1]
    hits = match_name(name, themes.ids)
    if not hits:
        by_label = {lab: t for t, lab in themes.labels.items()}
        by_label.update({lab: t for t, lab in themes.labels_en.items()})
        hits = [by_label[h] for h in match_name(name, list(by_label))]
    return hits[0] if len(set(hits)) == 1 else None


def attach_themes(conn, refs: list[PassageRef], themes: ThemeSet) -> None:
    """Fill each ref's assigned themes (one query for the whole list)."""
    if not refs or not themes.has_labels:
        return
    by_id: dict[str, list[PassageRef]] = {}
    for r in refs:
        by_id.setdefault(r.passage_id, []).append(r)
    ids = list(by_id)
    for start in range(0, len(ids), 900):
        clause, params = in_clause(ids[start:start + 900])
        for pid, theme in conn.execute(
            f"""SELECT passage_id, theme FROM passage_themes WHERE codebook = ? AND assigned = 1
                AND passage_id IN {clause} ORDER BY probability DESC""",
            [themes.codebook, *params],
        ):
            for ref in by_id[pid]:
                ref.themes.append(theme)


def theme_cell(conn, index: CorpusIndex, themes: ThemeSet, row: int, theme: str,
               limit: int | None, assigned_only: bool = True) -> CellPassages:
    """Passages of one municipality carrying ``theme`` (their number is the count, divided by
    ``total`` the share); ``assigned_only=False`` lists every scored passage, whose summed
    probabilities over ``total`` give the score."""
    docs = index.docs_of(row)
    name = index.municipalities[row]
    refs: list[PassageRef] = []
    if docs and themes.has_labels:
        clause, params = in_clause(docs)
        assigned = "AND pt.assigned = 1" if assigned_only else "AND pt.probability > 0"
        sql = f"""SELECT {_PASSAGE_COLUMNS}, pt.probability FROM passage_themes pt
                  JOIN passages ps ON ps.id = pt.passage_id JOIN documents d ON d.id = ps.document_id
                  WHERE pt.codebook = ? AND pt.theme = ? {assigned}
                  AND ps.document_id IN {clause}
                  ORDER BY pt.probability DESC, d.title, ps.seq"""
        rows = conn.execute(sql, [themes.codebook, theme, *params]).fetchall()
        refs = [_ref(r, index, r[8]) for r in rows]
    count = len(refs)
    if limit is not None:
        refs = refs[:limit]
    attach_themes(conn, refs, themes)
    return CellPassages(cell=f"{name}:{theme}", kind="themes", row=name, col=theme, count=count,
                        total=int(index.passages[row]), passages=refs)


def cooccurrence_cell(conn, index: CorpusIndex, themes: ThemeSet, a: str, b: str,
                      limit: int | None) -> CellPassages:
    refs: list[PassageRef] = []
    if themes.has_labels:
        rows = conn.execute(
            f"""SELECT {_PASSAGE_COLUMNS}, MIN(x.probability, y.probability) AS p
                FROM passage_themes x
                JOIN passage_themes y ON y.passage_id = x.passage_id AND y.codebook = x.codebook
                JOIN passages ps ON ps.id = x.passage_id JOIN documents d ON d.id = ps.document_id
                WHERE x.codebook = ? AND x.theme = ? AND x.assigned = 1
                  AND y.theme = ? AND y.assigned = 1 AND d.id IN ({LIVE_DOCS})
                ORDER BY p DESC, d.title, ps.seq""",
            (themes.codebook, a, b),
        ).fetchall()
        refs = [_ref(r, index, r[8]) for r in rows]
    count = len(refs)
    if limit is not None:
        refs = refs[:limit]
    attach_themes(conn, refs, themes)
    return CellPassages(cell=f"{a}:{b}", kind="cooccurrence", row=a, col=b, count=count,
                        passages=refs)


def fetch_refs(conn, index: CorpusIndex, ids: list[str]) -> dict[str, PassageRef]:
    out: dict[str, PassageRef] = {}
    for start in range(0, len(ids), 900):
        clause, params = in_clause(ids[start:start + 900])
        for r in conn.execute(
            f"""SELECT {_PASSAGE_COLUMNS} FROM passages ps JOIN documents d ON d.id = ps.document_id
                WHERE ps.id IN {clause}""", params):
            out[r[0]] = _ref(r, index)
    return out


def top_pairs(sim: np.ndarray, k: int) -> list[tuple[int, int]]:
    """Indices of the k largest entries of a 2-D array, largest first."""
    flat = sim.ravel()
    k = min(k, flat.size)
    if k <= 0:
        return []
    part = np.argpartition(-flat, k - 1)[:k]
    part = part[np.argsort(-flat[part], kind="stable")]
    return [tuple(int(x) for x in np.unravel_index(i, sim.shape)) for i in part]


def _theme_vectors(conn, themes: ThemeSet, ids: list[str]) -> np.ndarray:
    """Passages × themes probability matrix (assigned themes only) for the given passages."""
    pos = {p: i for i, p in enumerate(ids)}
    col = {t: j for j, t in enumerate(themes.ids)}
    out = np.zeros((len(ids), len(themes.ids)))
    for start in range(0, len(ids), 900):
        clause, params = in_clause(ids[start:start + 900])
        for pid, theme, prob in conn.execute(
            f"""SELECT passage_id, theme, probability FROM passage_themes
                WHERE codebook = ? AND assigned = 1 AND passage_id IN {clause}""",
            [themes.codebook, *params]):
            out[pos[pid], col[theme]] = prob
    return out


def similarity_cell(conn, index: CorpusIndex, themes: ThemeSet, r1: int, r2: int,
                    limit: int | None, model: str | None, basis: str | None) -> CellPassages:
    """The most similar passage pairs between two municipalities: by embedding cosine when
    embeddings exist (or basis="embeddings"), else by shared theme probabilities."""
    m1, m2 = index.municipalities[r1], index.municipalities[r2]
    d1, d2 = index.docs_of(r1), index.docs_of(r2)
    k = limit or 10
    used = resolve_model(conn, model) if basis != "themes" else None
    if basis == "embeddings" and used is None:
        raise NotFoundError("no embeddings in the database", hint="run `stratcompare embed` first")
    if used is not None:
        ids1, _, a = load_vectors(conn, used, d1)
        ids2, _, b = load_vectors(conn, used, d2)
        how = "embeddings"
    else:
        ids1 = [r[0] for r in conn.execute(
            f"SELECT id FROM passages WHERE document_id IN {in_clause(d1)[0]} ORDER BY id", d1)]
        ids2 = [r[0] for r in conn.execute(
            f"SELECT id FROM passages WHERE document_id IN {in_clause(d2)[0]} ORDER BY id", d2)]
        a, b = _unit_rows(_theme_vectors(conn, themes, ids1)), _unit_rows(
            _theme_vectors(conn, themes, ids2))
        how = "themes"
    pairs_idx = _best_pairs(a, b, k, same=r1 == r2)
    refs = fetch_refs(conn, index, sorted({ids1[i] for i, _, _ in pairs_idx}
                                           | {ids2[j] for _, j, _ in pairs_idx}))
    attach_themes(conn, list(refs.values()), themes)
    pairs = []
    for i, j, v in pairs_idx:
        a_ref, b_ref = refs[ids1[i]], refs[ids2[j]]
        shared = [t for t in a_ref.themes if t in b_ref.themes]
        pairs.append(PassagePair(a_ref, b_ref, v, shared))
    return CellPassages(cell=f"{m1}:{m2}", kind="similarity", row=m1, col=m2,
                        count=len(pairs), pairs=pairs, basis=how)


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1) if x.size else np.zeros(len(x))
    return x / np.where(norms > 0, norms, 1.0)[:, None] if x.size else x


def _best_pairs(a: np.ndarray, b: np.ndarray, k: int, same: bool,
                block: int = 2048) -> list[tuple[int, int, float]]:
    """The k most similar (row of a, row of b) pairs by dot product, computed in row blocks so
    two large municipalities never need a full n × m matrix; ``same``: a is b, skip i >= j."""
    if a.size == 0 or b.size == 0:
        return []
    found: list[tuple[float, int, int]] = []
    for start in range(0, len(a), block):
        sim = a[start:start + block] @ b.T
        if same:
            rows = np.arange(start, start + sim.shape[0])[:, None]
            sim[rows >= np.arange(len(b))[None, :]] = -np.inf
        for i, j in top_pairs(sim, k):
            v = float(sim[i, j])
            if np.isfinite(v) and v > 0:
                found.append((v, start + i, j))
    found.sort(key=lambda t: -t[0])
    return [(i, j, v) for v, i, j in found[:k]]


def _short(names: list[str], n: int = 12) -> str:
    return ", ".join(names[:n]) + (f", … ({len(names)} in all)" if len(names) > n else "")


def _did_you_mean(name: str, options: list[str]) -> str:
    """"did you mean 'Gentofte'? " for a typo; a list of 35 names hides the one meant."""
    import difflib

    from stratcompare.compare.names import fold

    folded = {fold(o): o for o in options}
    close = difflib.get_close_matches(fold(name), list(folded), n=1, cutoff=0.75)
    return f"did you mean {folded[close[0]]!r}? " if close else ""


def cell_passages(
    conn: sqlite3.Connection,
    cell: str,
    *,
    codebook: str | Path | None = None,
    model: str | None = None,
    basis: str | None = None,
    limit: int | None = None,
    normalise: str | None = None,
    genre: str | None = None,
    all_kinds: bool = False,
) -> CellPassages:
    """The passages behind a cell. ``"Køge:housing_first"`` → the municipality's passages
    carrying the theme (their count is the matrix's count, ``count/total`` its share; with
    ``normalise="score"`` every passage with a probability, whose sum/total is the score);
    ``"Køge:Herning"`` → the most similar passage pairs; ``"theme_a:theme_b"`` → passages
    carrying both. Names are matched case/diacritic-insensitively ("koge" finds Køge)."""
    if ":" not in cell:
        raise UsageError(f"cell {cell!r} is not ROW:COLUMN",
                         hint='e.g. --cell "Køge:housing_first"')
    left, right = (s.strip() for s in cell.split(":", 1))
    from stratcompare.compare.corpus import corpus_genre

    # the same denominator as the matrix: every kind with --all-kinds
    index = corpus_index(conn, genre=corpus_genre(conn, genre),
                         kinds=None if all_kinds else SUBSTANTIVE_KINDS)
    themes = load_themes(conn, codebook)

    def muni(name: str) -> int | None:
        if name.isdigit() and 1 <= int(name) <= len(index.municipalities):
            return int(name) - 1   # the similarity matrix's row and column numbers
        hits = match_name(name, index.municipalities)
        return index.municipalities.index(hits[0]) if len(hits) == 1 else None

    lm, rm = muni(left), muni(right)
    lt, rt = _resolve_theme(left, themes), _resolve_theme(right, themes)
    assigned_only = normalise != "score"
    if lm is not None and rt is not None:
        return theme_cell(conn, index, themes, lm, rt, limit, assigned_only)
    if lt is not None and rm is not None:
        return theme_cell(conn, index, themes, rm, lt, limit, assigned_only)
    if lt is not None and rt is not None:
        return cooccurrence_cell(conn, index, themes, lt, rt, limit)
    if lm is not None and rm is not None:
        return similarity_cell(conn, index, themes, lm, rm, limit, model, basis)
    unknown = [s for s, m, t in ((left, lm, lt), (right, rm, rt)) if m is None and t is None]
    for name in unknown:
        if match_name(name, index.municipalities):   # ambiguous municipality
            index.resolve(name)
        raise NotFoundError(
            f"no municipality or theme {name!r} in the corpus",
            hint=_did_you_mean(name, index.municipalities + list(themes.ids))
            + "municipalities: " + (_short(index.municipalities) or "none")
            + "; themes: " + (_short(themes.ids) or "none"),
        )
    raise NotFoundError(f"cell {cell!r} does not name a matrix cell",
                        hint="use MUNICIPALITY:THEME, MUNICIPALITY:MUNICIPALITY or THEME:THEME")
