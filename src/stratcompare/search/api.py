"""Hybrid search over the corpus: BM25 on lemmas + dense cosine, fused, with a codebook-theme boost.

Fusion (tuned on the tune half of tests/fixtures/relevance/field_queries.json, see
docs/benchmarks.md "## Search on real documents"): the top 100 of each list are pooled, every
candidate gets its exact cosine, the cosine is min-max scaled over the pool and BM25 is divided
by the pool's best, and the blend

    score = 1.0 * cosine_scaled + 0.8 * bm25_scaled + 0.2 * theme + 0.3 * place

adds the stored probability of a theme the query's words point to (codebook ``terms``) and a
boost for passages from a municipality or year the query names.  The best 30 are then re-ranked
by ``+ 0.3 * coverage``, the rarity-weighted share of the query's words in the passage text
(``_coverage_rerank``).  With ``FusionParams(synonyms=True)`` (off by default: it lost recall on
the held-out queries) a query naming a concept of the Danish social-area thesaurus
(``synonyms.py``) also searches the concept's other wordings: a second BM25 query added at half
weight, and a synonym counts half a word in the coverage.  Plain reciprocal rank fusion scored
lower on the judged queries (kept as ``method="rrf"``).  Each hit then gets a calibrated match
strength (``strength.py``); repeated texts are shown once.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import asdict, dataclass, field

import numpy as np

from stratcompare.embed import get_encoder
from stratcompare.embed.storage import embed_passages
from stratcompare.errors import NotFoundError, UsageError
from stratcompare.store.db import like_prefix
from stratcompare.search.fts import index_version, lexical_search, sync_fts
from stratcompare.search.index import dense_corpus, has_column, mark, unchanged_since
from stratcompare.search.lemmas import lemma, query_lemmas, query_terms
from stratcompare.search.querylang import analyse_query
from stratcompare.search import strength, synonyms
from stratcompare.search.strength import (WEAK_MESSAGE, coverage, query_groups, rarity_weights, rendering_groups,
                                          strength_of, weak_below)
from stratcompare.search.themes import query_themes, theme_weights

try:  # the passage kinds of schema migration 4 (older checkouts: every passage is content)
    from stratcompare.segment import SUBSTANTIVE_KINDS
except ImportError:  # pragma: no cover
    SUBSTANTIVE_KINDS = ("content", "list", "table")

MODES = ("hybrid", "dense", "lexical")


@dataclass
class FusionParams:
    """Weights of the hybrid score (defaults = tuned values)."""

    dense: float = 1.0
    lexical: float = 0.8
    theme: float = 0.2
    pool: int = 100  # candidates taken from each list
    method: str = "blend"  # "blend" (scaled scores) or "rrf" (reciprocal rank fusion)
    rrf_k: int = 60
    prefix: bool = True  # lexical: long query lemmas also match as word prefixes (compounds)
    place: float = 0.3  # hybrid: boost for passages from a municipality / year the query names
    max_df: float = 0.25  # lexical: drop query lemmas found in more than this share of passages
    coverage: float = 0.3  # hybrid: + this x the query's rarity-weighted word coverage of the passage text ...
    depth: int = 30  # ... for the best this many fused candidates (a re-ranking; see _coverage_rerank)
    synonyms: bool = False  # expand the query with the thesaurus's other wordings (search.synonyms; off: it lost on the test half) ...
    synonym_weight: float = 0.5  # ... their BM25 counts this much of the user's own words' ...
    synonym_credit: float = 0.5  # ... and a synonym counts this much of a word in the coverage re-ranking
    synonym_parts: bool = False  # ... a query compound's parts may name a group too


FUSION = FusionParams()


@dataclass
class Hit:
    passage_id: str
    municipality: str | None
    document: str | None
    document_id: str
    year: str | None
    page: int | None
    section: str | None
    score: float
    text: str
    highlighted: str = ""
    rank: int = 0
    details: dict = field(default_factory=dict)
    strength: float | None = None  # calibrated 0..1 chance that the passage is a match (see strength.py)
    weak: bool = False  # strength below the "no strong match" threshold
    also_in: list[dict] = field(default_factory=list)  # the same text in other documents/versions

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("details")
        return d


@dataclass
class SearchResult:
    """The hits and what to tell the user about them."""

    hits: list[Hit]
    weak: bool = False  # even the best hit is weak (or there is none)
    message: str | None = None  # WEAK_MESSAGE when weak
    hint: str | None = None  # e.g. "the corpus is Danish; try Danish words"
    query_used: str = ""  # the query as searched (English queries get Danish words added)

    def to_dict(self) -> dict:
        return {"weak": self.weak, "message": self.message, "hint": self.hint, "query_used": self.query_used,
                "hits": [h.to_dict() for h in self.hits]}


# --- keeping the indexes in step -------------------------------------------------------------
def _fingerprint(conn: sqlite3.Connection) -> str:
    """Changes with every insert, delete or update of a passage, from any process: the revision
    counter that schema migration 5's triggers keep in ``meta`` (count/max(rowid) stay the same
    when a document is replaced by an edit with as many passages)."""
    rev = _meta_get(conn, "passages_revision")
    if rev is not None:
        return f"rev:{rev}"
    n, mx = conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM passages").fetchone()
    return f"{n}:{mx}"


_VECTORS_SEEN: dict[str, str | None] = {}


def _forget_stale_vectors(conn: sqlite3.Connection) -> None:
    """Drop this process's cached dense matrices when any process changed ``embeddings``."""
    from stratcompare.search.index import clear_cache

    db = conn.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(conn)}"
    rev = _meta_get(conn, "embeddings_revision")
    if rev is None or _VECTORS_SEEN.get(db) != rev:
        clear_cache()
        _VECTORS_SEEN[db] = rev


def _meta_get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _meta_set(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
    conn.commit()


def ensure_fts(conn: sqlite3.Connection) -> None:
    """Sync the full-text index if passages were added/removed since the last sync."""
    if unchanged_since(conn, "fts"):
        return
    fp = f"{_fingerprint(conn)}|{index_version()}"  # a new index version re-indexes old databases
    if _meta_get(conn, "fts_synced") != fp:
        sync_fts(conn)
        _meta_set(conn, "fts_synced", fp)
    mark(conn, "fts")


def embedded_key(encoder) -> str:
    """The meta key that says the corpus is embedded by ``encoder`` (its model and, where it
    has one, its vector version: fp32 or the int8 recipe)."""
    version = getattr(encoder, "vector_version", None)
    return f"embedded:{encoder.model_id}" + (f"@{version}" if version else "")


def ensure_embeddings(conn: sqlite3.Connection, encoder, progress: bool = False) -> None:
    """Embed passages that lack a vector for this model (once; later calls are one query).

    The key carries the encoder's vector version (fp32, or the int8 recipe), so a database
    embedded by an older runtime of the same model is re-embedded on the first search, not read
    with stale vectors until the next ``embed``."""
    key = embedded_key(encoder)
    if unchanged_since(conn, key):
        return
    fp = _fingerprint(conn)
    if _meta_get(conn, key) != fp:
        embed_passages(conn, encoder, progress=progress)
        _meta_set(conn, key, fp)
    _forget_stale_vectors(conn)
    mark(conn, key)


# --- filters ------------------------------------------------------------------------------
def _resolve_municipality(conn: sqlite3.Connection, name: str | None) -> str | None:
    """The stored spelling of ``name`` (case-insensitive, Unicode-aware); unknown names are an error."""
    if not name:
        return None
    from stratcompare.metadata.municipalities import match_municipality  # the one resolver

    known = [r[0] for r in conn.execute("SELECT DISTINCT municipality FROM documents WHERE municipality IS NOT NULL")]
    return match_municipality(name, known)


def undated_documents(conn: sqlite3.Connection, *, municipality: str | None = None,
                      genre: str | None = None) -> int:
    """Documents (of this municipality/genre) with no known year: a year filter leaves them out,
    and a user reading "no hits for 2019" should know how many were not looked at."""
    sql = "SELECT count(*) FROM documents WHERE year_start IS NULL AND status != 'failed'"
    args: list = []
    if municipality:
        sql += " AND municipality = ?"
        args.append(municipality)
    if genre and has_column(conn, "documents", "genre"):
        sql += " AND genre = ?"
        args.append(genre)
    return conn.execute(sql, args).fetchone()[0]


def _sql_filter(municipality, exclude_municipality, theme, year, genre=None) -> tuple[str, tuple]:
    where, params = [], []
    if genre:
        where.append("d.genre = ?")
        params.append(genre)
    if municipality:
        where.append("d.municipality = ?")
        params.append(municipality)
    if exclude_municipality:
        where.append("(d.municipality IS NULL OR d.municipality != ?)")
        params.append(exclude_municipality)
    if theme:
        where.append("p.id IN (SELECT passage_id FROM passage_themes WHERE theme = ? AND assigned = 1)")
        params.append(theme)
    if year is not None:
        where.append("d.year_start <= ? AND coalesce(d.year_end, d.year_start) >= ?")
        params += [year, year]
    return " AND ".join(where), tuple(params)


def _mask(conn, corpus, municipality, exclude_municipality, theme, year, genre=None, kinds=None) -> np.ndarray | None:
    n = len(corpus.ids)
    mask = np.ones(n, dtype=bool)
    if kinds is not None:
        km = corpus.kind_mask(tuple(kinds))
        if km is not None:
            mask &= km
    if genre and corpus.genre is not None:
        mask &= corpus.genre == genre
    if municipality:
        mask &= corpus.municipality == municipality
    if exclude_municipality:
        mask &= corpus.municipality != exclude_municipality
    if year is not None:
        ye = np.where(np.isnan(corpus.year_end), corpus.year_start, corpus.year_end)
        with np.errstate(invalid="ignore"):
            mask &= (corpus.year_start <= year) & (ye >= year)
    if theme:
        rows = [corpus.row_of[r[0]] for r in conn.execute(
            "SELECT passage_id FROM passage_themes WHERE theme = ? AND assigned = 1", (theme,)) if r[0] in corpus.row_of]
        tm = np.zeros(n, dtype=bool)
        tm[rows] = True
        mask &= tm
    return None if mask.all() else mask


# --- the searches -------------------------------------------------------------------------
def search(conn: sqlite3.Connection, query: str, **kwargs) -> list[Hit]:
    """The ``top_k`` passages for ``query`` (best first); see ``search_result`` for the options."""
    return search_result(conn, query, **kwargs).hits


def search_result(
    conn: sqlite3.Connection,
    query: str,
    *,
    top_k: int = 10,
    mode: str = "hybrid",
    municipality: str | None = None,
    exclude_municipality: str | None = None,
    theme: str | None = None,
    year: int | None = None,
    genre: str | None = None,
    kinds: tuple[str, ...] | None = SUBSTANTIVE_KINDS,
    per_document: int | None = None,
    dedup: bool = True,
    translate: bool = True,
    encoder=None,
    params: FusionParams | None = None,
    progress: bool = False,
) -> SearchResult:
    """The ``top_k`` passages for ``query``, each with a calibrated match strength.

    ``kinds``: passage kinds to search (default: the substantive ones; None = all kinds).
    ``genre``: only documents of this genre (strategy, minutes, news, other).
    ``dedup``: the same text in several documents (versions, minutes that repeat an agenda item)
    is shown once, the other places listed in ``Hit.also_in``.  ``per_document``: at most this
    many hits from one document.  ``translate``: add Danish words to an English query.
    """
    if mode not in MODES:
        raise UsageError(f"unknown search mode {mode!r}", hint="use hybrid, dense or lexical")
    if not query or not query.strip():
        raise UsageError("empty query", hint='give words to search for, e.g. "housing first for unge"')
    if per_document is not None and per_document < 1:
        raise UsageError("--per-document must be at least 1", hint="e.g. --per-document 2")
    if top_k <= 0:
        return SearchResult([], query_used=query)
    p = params or FUSION
    municipality = _resolve_municipality(conn, municipality)
    if exclude_municipality:
        try:
            exclude_municipality = _resolve_municipality(conn, exclude_municipality)
        except UsageError:
            exclude_municipality = None  # excluding a municipality that is not there excludes nothing
    if genre:
        from stratcompare.metadata.genre import resolve_genre

        genre = resolve_genre(genre)
    if genre and not has_column(conn, "documents", "genre"):
        raise UsageError("this corpus has no document genres", hint="re-ingest it with this version to detect them")
    if kinds is not None and not has_column(conn, "passages", "kind"):
        kinds = None  # a database from before passage kinds: every passage counts
    lang = analyse_query(query)
    q_text = lang.expanded if translate else query
    filters = (municipality, exclude_municipality, theme, year, genre)
    # an English query's Danish words are a translation already: the thesaurus expands Danish queries
    expand = p.synonyms and mode != "dense" and not (translate and lang.english)
    expansion = synonyms.expand(q_text, p.synonym_parts) if expand else synonyms.Expansion()
    # the per-document cap and the kind filter (lexical candidates) drop many candidates, dedup a few
    wide = 3 * top_k + 20
    k_fetch = wide if per_document is not None else (top_k + 10 if dedup else top_k)
    k_lex = wide if kinds is not None else k_fetch
    scored: list[tuple[str, float, dict]] = []

    lex: list[tuple[str, float]] = []
    pending = None
    if mode in ("hybrid", "lexical"):
        ensure_fts(conn)
        where, wparams = _sql_filter(*filters)
        k_lex = k_lex if mode == "lexical" else max(p.pool, k_lex)
        args = (q_text, k_lex, where, wparams)
        kwargs = {"prefix": p.prefix, "max_df": p.max_df}
        if expansion.phrases:
            kwargs.update(extra=tuple(expansion.phrases), extra_weight=p.synonym_weight)
        path = _db_file(conn)
        if mode == "hybrid" and path:
            # BM25 runs in SQLite and the dense product in BLAS, both without the GIL: overlap them
            # (a second read connection; WAL lets it read while this one is open).
            pending = _pool().submit(_lexical_on_own_connection, path, args, kwargs)
        else:
            lex = lexical_search(conn, *args, **kwargs)
        if mode == "lexical":
            lex = _keep_kinds(conn, lex, kinds, None)
            scored = [(pid, s, {"bm25": s}) for pid, s in lex]
    if mode in ("hybrid", "dense"):
        encoder = encoder or get_encoder()
        ensure_embeddings(conn, encoder, progress=progress)
        corpus = dense_corpus(conn, encoder.model_id)
        q = encoder.encode_queries([q_text])[0]
        mask = _mask(conn, corpus, *filters, kinds=kinds)
        rows, cos = corpus.index.search(q, k_fetch if mode == "dense" else max(p.pool, k_fetch), mask)
        if mode == "dense":
            scored = [(corpus.ids[r], float(c), {"cosine": float(c)}) for r, c in zip(rows, cos)]
        else:
            if pending is not None:
                lex = pending.result()
            lex = _keep_kinds(conn, lex, kinds, corpus)
            scored = _fuse(conn, q_text, corpus, q, rows, cos, lex, p)
    rerank = mode == "hybrid" and p.method == "blend" and p.coverage > 0
    scored = scored[:max(k_fetch, p.depth) if rerank else k_fetch]
    hits = _hits(conn, [s[0] for s in scored], [s[1] for s in scored], [s[2] for s in scored], q_text, mark_words=False)
    if rerank:
        cov_groups = (synonyms.coverage_groups(query_groups(q_text), expansion, p.synonym_credit)
                      if expansion.alternatives and p.synonym_credit > 0 else None)
        hits = _coverage_rerank(conn, hits, q_text, p.coverage, cov_groups)[:k_fetch]
    hits = _diversify(conn, hits, dedup, per_document)[:top_k]
    whole, parts = query_terms(q_text)
    wanted = set(whole) | set(parts)  # "strategi for hjemløse" is marked for "hjemløsestrategi"
    for i, h in enumerate(hits):
        h.rank = i + 1
        h.highlighted = highlight(h.text, q_text, wanted=wanted)
    # an English query is rated by the Danish words it was given: its English words never occur
    groups = rendering_groups(lang.renderings) if translate and lang.english and lang.renderings else None
    _rate(hits, q_text, mode, getattr(encoder, "model_id", None), conn if mode != "dense" else None, groups)
    weak = not hits or bool(hits[0].weak)
    return SearchResult(hits, weak=weak, message=WEAK_MESSAGE if weak else None, hint=lang.hint, query_used=q_text)


def _coverage_rerank(conn, hits: list[Hit], query: str, weight: float, groups=None) -> list[Hit]:
    """Re-rank the best fused candidates by ``score + weight x coverage``: the rarity-weighted share
    of the query's words found in the passage's own text (``strength.coverage``, without the
    section and title the full-text index adds).  BM25 rewards a passage for one rare query word
    found often, and the dense cosine for being on the topic; coverage rewards a passage that holds
    all of the query's concepts (coordination-level matching).  On the tune half it lifted hybrid
    recall@10 0.688 -> 0.700 (held out, leave one query out: 0.681 -> 0.705; docs/benchmarks.md
    "Recall, session 5").  ``groups``: the query's word groups with their thesaurus synonyms
    (``synonyms.coverage_groups``): the re-ranking then counts a synonym at its credit
    (``details["synonym_coverage"]``), while ``details["query_coverage"]`` (the strength's input)
    stays the share of the query's own words."""
    if not hits:
        return hits
    plain = query_groups(query)
    weights = rarity_weights(conn, plain) if strength.RARITY else None  # a synonym adds no weight of its own
    for h in hits:
        cov, plain = coverage(query, h.text, plain, weights)
        h.details["query_coverage"] = cov
        if groups:
            cov, groups = coverage(query, h.text, groups, weights)
            h.details["synonym_coverage"] = cov
        h.score = round(h.score + weight * cov, 6)
    return sorted(hits, key=lambda h: -h.score)


def _keep_kinds(conn, lex: list[tuple[str, float]], kinds, corpus) -> list[tuple[str, float]]:
    """Lexical candidates of the wanted kinds (the FTS index holds every kind)."""
    if kinds is None or not lex:
        return lex
    wanted = set(kinds)
    if corpus is not None and corpus.kind is not None:
        known = {pid: corpus.kind[corpus.row_of[pid]] for pid, _ in lex if pid in corpus.row_of}
    else:
        known = {}
    missing = [pid for pid, _ in lex if pid not in known]
    for i in range(0, len(missing), 800):
        part = missing[i : i + 800]
        known.update(conn.execute(f"SELECT id, kind FROM passages WHERE id IN ({','.join('?' * len(part))})", part))
    return [(pid, s) for pid, s in lex if (known.get(pid) or "content") in wanted]


_NON_WORD = re.compile(r"[\W_]+")


def _dedup_key(text: str) -> str:
    """Passages whose letters and digits agree (case, spacing and punctuation aside) are the same text."""
    return _NON_WORD.sub("", text.casefold())


def _diversify(conn, hits: list[Hit], dedup: bool, per_document: int | None) -> list[Hit]:
    """Show repeated texts once (with "also in") and cap the hits per document."""
    out: list[Hit] = []
    first: dict[str, Hit] = {}
    per_doc: dict[str, int] = {}
    for h in hits:
        if dedup:
            key = _dedup_key(h.text)
            if len(key) >= 40 and key in first:
                first[key].also_in.append({"passage_id": h.passage_id, "document": h.document,
                                           "document_id": h.document_id, "municipality": h.municipality, "page": h.page})
                continue
            first.setdefault(key, h)
        if per_document is not None:
            if per_doc.get(h.document_id, 0) >= per_document:
                continue
            per_doc[h.document_id] = per_doc.get(h.document_id, 0) + 1
        out.append(h)
    return out


def _rate(hits: list[Hit], query: str, mode: str, model_id: str | None, conn=None, groups=None) -> None:
    """Attach the calibrated match strength and the weak flag to each hit (``conn``: weigh the
    query's words by their rarity in the full-text index, see ``strength.rarity_weights``;
    ``groups``: the query's word groups if not its own words).  The strength counts the query's own
    words only, not their thesaurus synonyms: with them the tune half's weak threshold rested on
    one query (docs/benchmarks.md, "Recall, session 6: query thesaurus")."""
    if not hits:
        return
    own = groups is None  # the query's own words: the re-ranking's coverage (same words, same weights) is reused
    groups = groups or query_groups(query)
    weights = rarity_weights(conn, groups) if conn is not None and strength.RARITY else None
    for h in hits:
        cov = h.details.get("query_coverage") if own and conn is not None else None
        if cov is None:
            cov, groups = coverage(query, h.text, groups, weights)
        h.details["coverage"] = cov
        h.strength = strength_of(mode, h.details.get("cosine"), cov, model_id)
        h.weak = h.strength < weak_below(mode, model_id)


_EXECUTOR = None
BM25_THREADS = 4   # concurrent searches (the web app) each get their BM25 query run at once


def _pool():
    global _EXECUTOR
    if _EXECUTOR is None:
        from concurrent.futures import ThreadPoolExecutor

        _EXECUTOR = ThreadPoolExecutor(max_workers=BM25_THREADS, thread_name_prefix="stratcompare-bm25")
    return _EXECUTOR


def _db_file(conn: sqlite3.Connection) -> str | None:
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    return path or None


_LOCAL = threading.local()


def _lexical_on_own_connection(path: str, args: tuple, kwargs: dict) -> list[tuple[str, float]]:
    """BM25 search on the worker thread's own read-only connection (BM25 only reads: the
    index was brought up to date on the caller's connection), cached per thread and file."""
    import os
    from urllib.parse import quote

    st = os.stat(path)
    ident = (st.st_dev, st.st_ino)
    conns = getattr(_LOCAL, "conns", None)
    if conns is None:
        conns = _LOCAL.conns = {}
    cached = conns.get(path)
    if cached is None or cached[1] != ident:  # new, or the file was replaced
        if cached is not None:
            cached[0].close()
        conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=60)
        conn.execute("PRAGMA busy_timeout = 60000")
        cached = conns[path] = (conn, ident)
    return lexical_search(cached[0], *args, **kwargs)


def _fuse(conn, query, corpus, q, rows, cos, lex, p: FusionParams) -> list[tuple[str, float, dict]]:
    """Blend min-max-scaled cosine, best-scaled BM25 and the theme boost over the pooled candidates."""
    pool: dict[str, float] = {corpus.ids[r]: float(c) for r, c in zip(rows, cos)}
    matrix = getattr(corpus.index, "matrix", None)
    for pid, _ in lex:
        if pid not in pool and pid in corpus.row_of and matrix is not None:
            pool[pid] = float(matrix[corpus.row_of[pid]] @ q)
    bm25 = dict(lex)
    for pid in bm25:
        pool.setdefault(pid, float("nan"))  # passage without a vector: lexical evidence only
    if not pool:
        return []
    cvals = np.array([v for v in pool.values() if v == v], dtype=float)
    lo, hi = (cvals.min(), cvals.max()) if len(cvals) else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    bmax = max(bm25.values()) if bm25 else 1.0
    themes = query_themes(query) if p.theme else []
    tw = theme_weights(conn, themes, list(pool)) if themes else {}
    out = []
    if p.method == "rrf":
        drank = {pid: i for i, pid in enumerate(sorted((x for x in pool if pool[x] == pool[x]), key=lambda x: -pool[x]))}
        lrank = {pid: i for i, (pid, _) in enumerate(lex)}
        for pid, c in pool.items():
            t = tw.get(pid, 0.0)
            score = (p.dense / (p.rrf_k + drank[pid] + 1) if pid in drank else 0.0) + \
                (p.lexical / (p.rrf_k + lrank[pid] + 1) if pid in lrank else 0.0) + p.theme * t / p.rrf_k
            out.append((pid, score, {"cosine": None if c != c else c, "bm25": bm25.get(pid), "theme": t}))
        out.sort(key=lambda x: -x[1])
        return out
    places, years = _named_places(query, corpus), _named_years(query)
    for pid, c in pool.items():
        d = 0.0 if c != c else (c - lo) / span
        lx = bm25.get(pid, 0.0) / bmax if bmax > 0 else 0.0
        t = tw.get(pid, 0.0)
        score = p.dense * d + p.lexical * lx + p.theme * t
        row = corpus.row_of.get(pid)
        if row is not None and (places or years):
            score += p.place * _place_match(corpus, row, places, years)
        out.append((pid, score, {"cosine": None if c != c else c, "bm25": bm25.get(pid), "theme": t}))
    out.sort(key=lambda x: -x[1])
    return out


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _named_places(query: str, corpus) -> set[str]:
    """Stored municipality names the query mentions ("hjemløsestrategi Tårnby" -> {"Tårnby"})."""
    names = getattr(corpus, "_places", None)
    if names is None:
        names = {str(m).casefold(): m for m in set(corpus.municipality.tolist()) if m}
        corpus._places = names
    low = query.casefold()
    return {m for k, m in names.items() if re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", low)}


def _named_years(query: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(query)]


def _place_match(corpus, row: int, places: set[str], years: list[int]) -> float:
    """1 when the passage's document is from every named municipality/covers a named year, else the share."""
    want, got = 0, 0
    if places:
        want += 1
        got += corpus.municipality[row] in places
    if years:
        want += 1
        ys, ye = corpus.year_start[row], corpus.year_end[row]
        ye = ys if ye != ye else ye
        got += any(ys <= y <= ye for y in years) if ys == ys else 0
    return got / want


def similar(
    conn: sqlite3.Connection,
    passage_id: str,
    *,
    top_k: int = 10,
    other_municipalities: bool = True,
    encoder=None,
    kinds: tuple[str, ...] | None = SUBSTANTIVE_KINDS,
) -> list[Hit]:
    """Passages that resemble ``passage_id`` (by default only from other municipalities, and
    only substantive ones: a minutes' formality resembles other formalities, not initiatives).
    ``kinds=None`` takes every kind."""
    row = conn.execute(
        "SELECT p.id, p.text, d.municipality, d.id FROM passages p JOIN documents d ON d.id = p.document_id "
        "WHERE p.id = ? OR p.id LIKE ? || '%' ESCAPE '\\' ORDER BY p.id LIMIT 2",
        (passage_id, like_prefix(passage_id)),  # an id prefix is literal: "%" is no wildcard
    ).fetchall()
    if not row or (len(row) > 1 and row[0][0] != passage_id):
        hint = "the id prefix is ambiguous" if row else "see ids with `stratcompare search ... --format json`"
        raise NotFoundError(f"no passage {passage_id!r}", hint=hint)
    pid, text, muni, doc_id = row[0]
    encoder = encoder or get_encoder()
    ensure_embeddings(conn, encoder)
    corpus = dense_corpus(conn, encoder.model_id)
    if pid in corpus.row_of:
        q = corpus.index.matrix[corpus.row_of[pid]] if hasattr(corpus.index, "matrix") else encoder.encode_passages([text])[0]
    else:
        q = encoder.encode_passages([text])[0]
    mask = np.ones(len(corpus.ids), dtype=bool)
    if pid in corpus.row_of:
        mask[corpus.row_of[pid]] = False
    if other_municipalities and muni:
        mask &= corpus.municipality != muni
    elif other_municipalities:
        mask &= corpus.document_id != doc_id
    km = corpus.kind_mask(tuple(kinds)) if kinds is not None else None  # None: kinds not stored
    if km is not None:
        mask &= km
    rows, cos = corpus.index.search(q, top_k, mask)
    return _hits(conn, [corpus.ids[r] for r in rows], [float(c) for c in cos], [{} for _ in rows], text)


# --- presentation -------------------------------------------------------------------------
_MARK_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


def highlight(text: str, query: str, mark: tuple[str, str] = ("«", "»"), wanted: set[str] | None = None) -> str:
    """``text`` with the words whose lemma is one of the query's content lemmas (or, for lemmas of
    5+ letters, starts with one or, in a word of 7+ letters, holds one, as in compounds) marked.
    Words are found with a regular expression: the spaCy tokenizer costs ~2 ms per passage."""
    wanted = set(query_lemmas(query)) if wanted is None else wanted
    if not wanted:
        return text
    initials = {w[0] for w in wanted}
    prefixes = [w for w in wanted if len(w) >= 5]  # as the lexical search matches them (compounds)
    # one alternation instead of a loop over the prefixes per word: match = starts with one, search = holds one
    pre = re.compile("|".join(map(re.escape, sorted(prefixes)))) if prefixes else None
    out, last = [], 0
    for m in _MARK_WORD.finditer(text):
        w, s, e = m.group(), m.start(), m.end()
        low = w.lower()
        # a lemma keeps its word's first letter (Danish inflects at the end): skip the rest cheaply
        if low[0].isalpha() and low[0] not in initials and len(low) < 7:  # 7+: may be a compound
            continue
        if low in wanted or (pre is not None and (pre.match(low) or (len(low) >= 7 and pre.search(low)))) \
                or lemma(w) in wanted:  # a compound with a query word inside (7+ letters)
            out += [text[last:s], mark[0], w, mark[1]]
            last = e
    out.append(text[last:])
    return "".join(out)


def _hits(conn, ids: list[str], scores: list[float], details: list[dict], query: str, mark_words: bool = True) -> list[Hit]:
    if not ids:
        return []
    q = (
        "SELECT p.id, d.municipality, d.title, d.id, d.year_start, d.year_end, p.page, p.section, p.text "
        f"FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id IN ({','.join('?' * len(ids))})"
    )
    rows = {r[0]: r for r in conn.execute(q, ids)}
    hits = []
    wanted = set(query_lemmas(query))
    for i, (pid, score, det) in enumerate(zip(ids, scores, details)):
        r = rows.get(pid)
        if r is None:
            continue
        ys, ye = r[4], r[5]
        year = None if ys is None else (str(ys) if ye in (None, ys) else f"{ys}-{ye}")
        hits.append(Hit(
            passage_id=pid, municipality=r[1], document=r[2], document_id=r[3], year=year, page=r[6],
            section=r[7], score=round(float(score), 6), text=r[8],
            highlighted=highlight(r[8], query, wanted=wanted) if mark_words else "",
            rank=i + 1, details=det,
        ))
    return hits
