"""What each page shows, as plain data: the HTML pages render it, the JSON API returns it.

Each function takes the app's ``WebState`` and checked parameters and calls the same Python API
the CLI calls (search, similar, theme/similarity/co-occurrence matrices, cell_passages).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from stratcompare.compare import cell_passages, cooccurrence_matrix, load_themes, similarity_matrix, theme_matrix
from stratcompare.compare.corpus import corpus_index
from stratcompare.compare.embeddings import stored_models
from stratcompare.errors import NotFoundError, UsageError
from stratcompare.web import queries as Q
from stratcompare.web.params import MAX_QUERY, MAX_RESULTS, YEAR_RANGE, BadParameter, Params


@dataclass
class WebState:
    """Everything loaded once at start-up."""

    conns: Q.Connections
    cache: Q.Cache
    encoder: object | None
    model_id: str | None
    mode: str = "hybrid"
    index_key: str | None = None       # search.api.embedded_key of the encoder
    token: str | None = None
    notes: list[str] = field(default_factory=list)
    results: Q.Cache | None = None     # search results and passage pages, by their parameters


# --- facts shared by many pages (cached until the database changes) ------------------------
def themes(st: WebState):
    return st.cache.get(("themes",), lambda: load_themes(st.conns.get()))


def municipalities(st: WebState) -> list[str]:
    return st.cache.get(("municipalities",), lambda: list(corpus_index(st.conns.get()).municipalities))


def genres_present(st: WebState) -> list[str]:
    def compute():
        conn = st.conns.get()
        if not Q.has_column(conn, "documents", "genre"):
            return []
        return [r[0] for r in conn.execute("SELECT DISTINCT genre FROM documents WHERE genre IS NOT NULL ORDER BY genre")]
    return st.cache.get(("genres",), compute)


def kinds_present(st: WebState) -> list[str]:
    def compute():
        conn = st.conns.get()
        if not Q.has_column(conn, "passages", "kind"):
            return []
        have = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM passages")}
        return [k for k in Q.KINDS if k in have] + sorted(k for k in have if k and k not in Q.KINDS)
    return st.cache.get(("kinds",), compute)


def matrix_cached(st: WebState, kind: str, normalise: str = "share", basis: str = "themes"):
    def compute():
        conn = st.conns.get()
        if kind == "themes":
            return theme_matrix(conn, normalise=normalise)
        if kind == "similarity":
            return similarity_matrix(conn, basis=basis)
        return cooccurrence_matrix(conn)
    return st.cache.get(("matrix", kind, normalise, basis), compute)


def has_embeddings(st: WebState) -> bool:
    return st.cache.get(("has_embeddings",), lambda: bool(stored_models(st.conns.get())))


# --- search ---------------------------------------------------------------------------------
def search_filters(st: WebState, p: Params) -> Q.SearchFilters:
    flt = Q.SearchFilters(
        q=p.text("q", MAX_QUERY, "") or "",
        municipality=p.choice("municipality", municipalities(st)),
        theme=p.choice("theme", themes(st).ids),
        genre=p.choice("genre", Q.GENRES),
        kind=p.choice("kind", Q.KINDS),
        year_from=p.integer("year_from", *YEAR_RANGE),
        year_to=p.integer("year_to", *YEAR_RANGE),
        n=p.integer("n", 1, MAX_RESULTS, 20),
    )
    if flt.year_from and flt.year_to and flt.year_from > flt.year_to:
        raise BadParameter("year_from is after year_to", key="year_order", param="year_to",
                           year_from=flt.year_from, year_to=flt.year_to)
    return flt


def index_status(st: WebState) -> Q.IndexStatus:
    model = st.model_id if st.mode != "lexical" else None
    return st.cache.get(("index_status", model), lambda: Q.index_status(st.conns.get(), model))


def _with_index(st: WebState, fn):
    """Run a search-API call read-only.  Normally on this thread's own connection, side by side
    with other requests; when the index is behind (the search API would try to bring it up to
    date), one request at a time on one connection that is told to use the index as it is."""
    status = index_status(st)
    model = st.model_id if st.mode != "lexical" else None
    key = st.index_key if model else None
    guard = st.cache.get(("needs_guard", model), lambda: Q.needs_guard(st.conns.get(), model, key))
    if not guard:
        try:
            return fn(st.conns.get()), status
        except sqlite3.OperationalError as exc:
            if not Q.index_is_readonly_error(exc):
                raise
    with st.conns.search_lock:
        conn = st.conns.search()
        Q.prepare_search(conn, model, key)
        try:
            return fn(conn), status
        except sqlite3.OperationalError as exc:
            if not Q.index_is_readonly_error(exc):
                raise
            # the search API still wanted to write (its bookkeeping changed): use the index as it is
            from stratcompare.search.index import mark
            mark(conn, "fts")
            if model:
                mark(conn, key or f"embedded:{model}")
            return fn(conn), Q.IndexStatus(False, False, st.model_id)


def hit_record(h, themes_by_id: dict) -> dict:
    rec = h.to_dict()
    rec["themes"] = themes_by_id.get(h.passage_id, [])
    rec["marked"] = Q.marked_segments(h.highlighted or h.text)
    for k in ("strength", "weak"):
        if hasattr(h, k):
            rec[k] = getattr(h, k)
    return rec


def search_view(st: WebState, flt: Q.SearchFilters, fresh: bool = False) -> dict:
    """The hits for the page's filters; the same URL again (the CSV download, a shared link, the
    back button) is answered from a cache until the database changes (``fresh``: search anew,
    for a request sent with ``Cache-Control: no-cache``)."""
    if not flt.q or st.results is None or fresh:
        return _search_view(st, flt)
    key = ("search", st.mode, tuple(sorted(vars(flt).items())))
    return st.results.get(key, lambda: _search_view(st, flt))


def _search_view(st: WebState, flt: Q.SearchFilters) -> dict:
    out = {"query": flt.q, "filters": {k: v for k, v in vars(flt).items()}, "hits": [], "weak": False,
           "index_current": True, "index_missing": None, "hint": None, "hint_key": None, "hint_words": [],
           "query_used": None, "undated": 0}
    if not flt.q:
        return out
    enc = st.encoder
    if isinstance(enc, Q.QueryVectors):
        enc.prepare(flt.q)              # encode outside the search lock
    try:
        res, status = _with_index(st, lambda conn: Q.run_search(conn, flt, encoder=enc, mode=st.mode))
    except UsageError as exc:
        raise BadParameter(str(exc), key="search", param="q") from None
    conn = st.conns.get()
    hits = res.hits
    by_id = Q.themes_of(conn, [h.passage_id for h in hits])
    out["hits"] = [hit_record(h, by_id) for h in hits]
    if res.weak is not None:
        out["weak"] = bool(res.weak) and bool(hits)
    else:
        out["weak"] = Q.weak_result(hits, st.model_id if st.mode != "lexical" else None) if hits else False
    out["index_current"] = status.current
    # only the word index missing (as `stratcompare run` leaves a database): every passage is still
    # found by meaning, so the page says that rather than "new passages are missing"
    out["index_missing"] = (None if status.current else
                            "words" if status.embeddings_current and st.mode != "lexical" and status.model
                            else "passages")
    out["hint"] = res.hint
    out["hint_key"], out["hint_words"] = _hint_key(flt.q, res.hint)
    out["undated"] = 0
    if flt.year_from is not None or flt.year_to is not None:  # said: a year range skips these
        from stratcompare.search.api import undated_documents

        out["undated"] = undated_documents(conn, municipality=flt.municipality, genre=flt.genre)
    if res.query_used and res.query_used.strip() != flt.q.strip():
        out["query_used"] = res.query_used
    return out


def _hint_key(q: str, hint: str | None) -> tuple[str | None, list[str]]:
    """The search API's hint in words a page can say in its own language: ("english_query",
    the Danish words added) for its "the corpus is Danish" hint; else (None, [])."""
    if not hint:
        return None, []
    try:
        from stratcompare.search.querylang import HINT, analyse_query
    except ImportError:  # pragma: no cover
        return None, []
    if not hint.startswith(HINT):
        return None, []
    return "english_query", list(analyse_query(q).added)


# --- passage / document ---------------------------------------------------------------------
def passage_view(st: WebState, pid: str, similar_k: int = 10, fresh: bool = False) -> dict:
    if st.results is None or fresh:
        return _passage_view(st, pid, similar_k)
    return st.results.get(("passage", pid, similar_k), lambda: _passage_view(st, pid, similar_k))


def _passage_view(st: WebState, pid: str, similar_k: int = 10) -> dict:
    conn = st.conns.get()
    p = Q.passage(conn, pid)
    p["similar"] = []
    p["similar_available"] = st.encoder is not None   # a server in lexical mode has no vectors to compare
    p["index_current"] = True
    if st.encoder is not None:
        from stratcompare.search import similar

        hits, status = _with_index(st, lambda c: similar(c, pid, top_k=similar_k, other_municipalities=True,
                                                         encoder=st.encoder))
        by_id = Q.themes_of(conn, [h.passage_id for h in hits])
        p["similar"] = [{"municipality": m, "hits": [hit_record(h, by_id) for h in hs]}
                        for m, hs in Q.group_by_municipality(hits)]
        p["index_current"] = status.embeddings_current   # similar passages need only the vectors
    return p


def document_view(st: WebState, doc_id: str) -> dict:
    return Q.document(st.conns.get(), doc_id)


# --- municipality / theme -------------------------------------------------------------------
def municipality_view(st: WebState, name: str) -> dict:
    request_name = name
    names = municipalities(st)
    if name not in names:  # /municipality/koebenhavn or /silkeborg: the CLI's -m resolver
        from stratcompare.errors import StratcompareError
        from stratcompare.metadata.municipalities import match_municipality

        try:
            name = match_municipality(name, names)
        except StratcompareError:
            name = None
        if name not in names:
            raise NotFoundError(f"no municipality {request_name!r} in the corpus")
    return st.cache.get(("municipality", name), lambda: _municipality_view(st, name))


def _municipality_view(st: WebState, name: str) -> dict:
    conn = st.conns.get()
    ts = themes(st)
    tm = matrix_cached(st, "themes")
    row = tm.rows.index(name)
    avg = Q.corpus_average(tm.values, tm.support)
    profile = [{"theme": t, "share": float(tm.values[row, j]), "average": float(avg[j])}
               for j, t in enumerate(tm.cols)]
    basis = "embeddings" if has_embeddings(st) else "themes"
    sm = matrix_cached(st, "similarity", basis=basis)
    similar_rows = []
    if name in sm.rows:
        i = sm.rows.index(name)
        order = np.argsort(-sm.values[i], kind="stable")
        similar_rows = [{"municipality": sm.rows[j], "similarity": float(sm.values[i, j])}
                        for j in order if j != i and sm.values[i, j] > 0][:8]
    docs = Q.documents_of(conn, name)
    strongest = Q.strongest_passages(conn, [d["id"] for d in docs])
    return {"municipality": name, "passages": int(tm.support[row]) if tm.support is not None else None,
            "profile": profile, "has_themes": ts.has_labels, "similar": similar_rows,
            "similarity_basis": basis, "documents": docs,
            "strongest": [{"theme": t, "passages": strongest[t]} for t in tm.cols if t in strongest]}


def theme_view(st: WebState, theme: str) -> dict:
    ts = themes(st)
    if theme not in ts.ids:
        raise NotFoundError(f"no theme {theme!r} in the codebook")
    return st.cache.get(("theme", theme), lambda: _theme_view(st, theme))


def _theme_view(st: WebState, theme: str) -> dict:
    ts = themes(st)
    tm = matrix_cached(st, "themes")
    j = tm.cols.index(theme)
    ranked = sorted(((tm.rows[i], float(tm.values[i, j]), int(tm.support[i]) if tm.support is not None else None)
                     for i in range(len(tm.rows))), key=lambda r: -r[1])
    cb = Q.codebook_theme(theme)
    return {
        "theme": theme, "label_da": ts.labels.get(theme, theme), "label_en": ts.labels_en.get(theme, theme),
        "definition": getattr(cb, "definition", None), "include": getattr(cb, "include", None),
        "exclude": getattr(cb, "exclude", None), "terms": list(getattr(cb, "terms", ()) or ()),
        "ranked": [{"municipality": m, "share": s, "passages": n} for m, s, n in ranked if s > 0],
        "examples": Q.theme_examples(st.conns.get(), theme),
        "reliability": Q.reliability(theme), "has_themes": ts.has_labels,
    }


# --- compare --------------------------------------------------------------------------------
MATRICES = ("themes", "similarity", "cooccurrence")
NORMALISE = ("share", "count", "score")
BASES = ("themes", "embeddings")


def matrix_params(p: Params) -> dict:
    return {"matrix": p.choice("matrix", MATRICES, "themes"),
            "normalise": p.choice("normalise", NORMALISE, "share"),
            "basis": p.choice("basis", BASES, "themes")}


def matrix_view(st: WebState, mp: dict) -> dict:
    m = matrix_cached(st, mp["matrix"], mp["normalise"], mp["basis"])
    vals = np.asarray(m.values, dtype=float)
    scale = vals.copy()
    if m.kind == "similarity" and scale.size:
        np.fill_diagonal(scale, 0.0)   # the diagonal is always 1: leave it out of the colour scale
    top = float(scale.max()) if scale.size else 0.0
    bins = np.zeros_like(vals, dtype=int) if top <= 0 else np.clip(np.ceil(vals / top * 8), 0, 8).astype(int)
    return {"kind": m.kind, "measure": m.measure, "rows": list(m.rows), "cols": list(m.cols),
            "values": vals.round(4).tolist(), "bins": bins.tolist(), "labels": dict(m.labels),
            "notes": list(m.notes), "note_keys": [note_key(n) for n in m.notes], "basis": m.basis,
            "records": m.records(), "row_name": m.row_name}


def note_key(note: str) -> str | None:
    """The compare API's notes a page can say in its own language (i18n ``note_<key>``)."""
    if note.startswith("no theme labels"):
        return "no_labels"
    if note.startswith("no embeddings"):
        return "no_embeddings"
    return None


def cell_view(st: WebState, mp: dict, cell: str, limit: int = 50) -> dict:
    if ":" not in cell:
        raise BadParameter("cell must be ROW:COLUMN, e.g. Køge:housing_first", key="cell_format", param="cell")
    row, col = cell.split(":", 1)
    m = matrix_cached(st, mp["matrix"], mp["normalise"], mp["basis"])
    if row not in m.rows or col not in m.cols:
        raise NotFoundError(f"no cell {cell!r} in the {mp['matrix']} matrix")
    kwargs = {"limit": limit}
    if mp["matrix"] == "themes":
        kwargs["normalise"] = mp["normalise"]
    if mp["matrix"] == "similarity":
        kwargs["basis"] = mp["basis"]
    cp = cell_passages(st.conns.get(), cell, **kwargs)
    return {"cell": cp.cell, "kind": cp.kind, "row": cp.row, "col": cp.col, "count": cp.count,
            "total": cp.total, "basis": cp.basis,
            "passages": [r.record() for r in cp.passages],
            "pairs": [{"similarity": pr.similarity, "shared_themes": pr.shared_themes,
                       "a": pr.a.record(), "b": pr.b.record()} for pr in cp.pairs]}
