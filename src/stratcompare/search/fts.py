"""The lexical half: an FTS5 (BM25) index over lemmatised passage text, kept in step with passages.

Each word is indexed as its lemma plus, for a compound, its parts' lemmas (``lemmas.index_terms``),
and each passage row also holds its section heading and document title.  A query ORs its lemmas
and their compound parts: a passage with the query's whole compound matches the whole term (rare,
so heavy in BM25) and every part, one that only shares the parts matches fewer terms, so the
whole-word match counts more.  ``WHOLE_WEIGHT`` > 1 repeats each whole lemma in the query (FTS5's
bm25 sums over the query's phrases) for a stronger preference.

Ranking costs FTS5 about a microsecond per matching row (bm25 reads each row's positions and
length), and compound parts make common words match many rows ("social" is part of every
"socialområde").  ``top_rows`` therefore ranks in two steps when some phrases are common
("max-score"): the rows that hold a rarer phrase are ranked in full, and the rows holding only
common phrases are skipped when even their best possible score stays below the k-th hit — the
same hits, scores and order as ranking every row, for about half the rows.
"""

from __future__ import annotations

import math
import sqlite3

from stratcompare.embed.storage import text_hash
from stratcompare.errors import StoreError
from stratcompare.search.index import change_token
from stratcompare.search.lemmas import index_terms, query_terms

COMPOUNDS = True  # index and query compound parts (False = the plain lemma index, for comparisons)
CONTEXT = True  # also index each passage's section heading and document title
PART_MAX_DF = 0.1  # query compound parts found in more than this share of passages are dropped (speed) ...
PART_DF_MIN_PASSAGES = 1000  # ... once the index holds this many passages
EXTRA_MAX_DF = 0.05  # thesaurus wordings (``synonyms``) in more than this share of passages are dropped (speed; tune: 0.1 alike)
WHOLE_WEIGHT = 1  # repeat each query lemma this often (2 did not help on the tune half and costs BM25 time)
K1 = 1.2  # FTS5's bm25 constant k1 (fts5_aux.c): a phrase adds at most idf × (k1 + 1) to a row's score
SPLIT_BUDGET = 9.0  # max-score: the common phrases set aside may add at most this much to a score ...
SPLIT_MIN_SHARE = 0.02  # ... each is in at least this share of the rows ...
SPLIT_MIN_ROWS = 2000  # ... and together they are in this many rows (fewer: one plain query is as fast)


def index_version() -> str:
    """Names what the index holds; part of each row's text hash, so a change re-indexes every row."""
    if not COMPOUNDS:
        return "lemmas+context" if CONTEXT else "lemmas"
    return "lemmas+compounds+context-1" if CONTEXT else "lemmas+compounds-1"


def _hash(text: str) -> str:
    v = index_version()
    return text_hash(text) if v == "lemmas" else text_hash(v + "\n" + text)  # "lemmas": old databases stay valid


def _begin(conn: sqlite3.Connection) -> None:
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")


def sync_fts(conn: sqlite3.Connection, batch: int = 2000) -> tuple[int, int]:
    """Index passages that are new or whose text changed; drop rows of deleted passages.

    Returns (indexed, removed).  Cheap when nothing changed: one join over the map.
    """
    try:
        stale = conn.execute(
            "SELECT m.rowid FROM passage_fts_map m LEFT JOIN passages p ON p.id = m.passage_id WHERE p.id IS NULL"
        ).fetchall()
        rows = conn.execute(
            "SELECT p.id, p.text || CASE WHEN ? THEN char(10) || coalesce(p.section, '') || char(10) || "
            "coalesce(d.title, '') ELSE '' END, m.rowid, m.text_hash FROM passages p "
            "JOIN documents d ON d.id = p.document_id "
            "LEFT JOIN passage_fts_map m ON m.passage_id = p.id ORDER BY p.rowid", (int(CONTEXT),)
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise StoreError(f"no full-text index: {exc}", hint="open the database with stratcompare.store.Store.open to migrate it") from None
    removed = [r[0] for r in stale]
    todo = []
    for pid, text, rowid, old_hash in rows:
        h = _hash(text or "")
        if old_hash != h:
            todo.append((pid, text or "", rowid, h))
    if removed:
        _begin(conn)
        conn.executemany("DELETE FROM passage_fts WHERE rowid = ?", [(r,) for r in removed])
        conn.executemany("DELETE FROM passage_fts_map WHERE rowid = ?", [(r,) for r in removed])
        conn.commit()
    for start in range(0, len(todo), batch):
        _begin(conn)
        for pid, text, rowid, h in todo[start : start + batch]:
            # re-read under the write lock: another process (search, embed) may have synced it
            cur_row = conn.execute("SELECT rowid, text_hash FROM passage_fts_map WHERE passage_id = ?",
                                   (pid,)).fetchone()
            if cur_row is not None and cur_row[1] == h:
                continue
            rowid = cur_row[0] if cur_row is not None else None
            if rowid is not None:
                conn.execute("DELETE FROM passage_fts WHERE rowid = ?", (rowid,))
                conn.execute("DELETE FROM passage_fts_map WHERE rowid = ?", (rowid,))
            cur = conn.execute("INSERT INTO passage_fts_map(passage_id, text_hash) VALUES (?, ?)", (pid, h))
            conn.execute("INSERT INTO passage_fts(rowid, lemmas) VALUES (?, ?)", (cur.lastrowid, " ".join(index_terms(text, COMPOUNDS))))
        conn.commit()
    return len(todo), len(removed)


_COUNTS: dict[str, tuple[tuple, int]] = {}
_DF: dict[str, tuple[tuple, dict[str, int]]] = {}


def _file_token(conn: sqlite3.Connection) -> tuple | None:
    """The database file and its WAL's size and mtime: changes with every commit from any
    connection, and is the same for every connection to the file (the BM25 threads' and the
    caller's share the cached counts).  None for in-memory databases (never cached)."""
    tok = change_token(conn)
    return None if tok is None else (tok[0], *tok[4:])


def _indexed_count(conn: sqlite3.Connection) -> int:
    """Number of indexed passages, cached until the database changes (count(*) scans the table)."""
    tok = _file_token(conn)
    if tok is not None:
        hit = _COUNTS.get(tok[0])
        if hit is not None and hit[0] == tok:  # nothing committed since
            return hit[1]
    n = conn.execute("SELECT count(*) FROM passage_fts_map").fetchone()[0]
    if tok is not None:
        _COUNTS[tok[0]] = (tok, n)
    return n


def _doc_freqs(conn: sqlite3.Connection, terms: list[str]) -> tuple[int, dict[str, int]]:
    """(indexed passages, passages containing each term) from an fts5vocab view (per connection),
    cached per database file until it changes (the match-strength weights ask for the same terms)."""
    n = _indexed_count(conn)
    tok = _file_token(conn)
    cache: dict[str, int] = {}
    if tok is not None:
        hit = _DF.get(tok[0])
        if hit is not None and hit[0] == tok:
            cache = hit[1]
        else:
            _DF[tok[0]] = (tok, cache)
    if len(cache) > 50_000:
        cache.clear()
    df: dict[str, int] = {}
    for t in terms:
        v = cache.get(t)
        if v is None:
            conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passage_fts_vocab USING fts5vocab(main, passage_fts, 'row')")
            row = conn.execute("SELECT doc FROM temp.passage_fts_vocab WHERE term = ?", (t,)).fetchone()
            v = cache[t] = row[0] if row else 0
        df[t] = v
    return n, df


def select_terms(conn: sqlite3.Connection, terms: list[str], max_df: float, parts: list[str] = (),
                 part_max_df: float = 1.0) -> list[str]:
    """Drop query lemmas found in more than ``max_df`` of all passages ("kommune", "indsats"):
    they barely move BM25 but make it scan most of the index; compound parts go above the lower
    ``part_max_df`` (a common part such as "plan" or "støtte" adds little next to its compound).
    The rarest term always stays."""
    terms = list(terms) + [p for p in parts if p not in terms]
    if (max_df >= 1.0 and part_max_df >= 1.0) or len(terms) < 2:
        return terms
    n, df = _doc_freqs(conn, terms)
    if n == 0:
        return terms
    part_set = set(parts) if n >= PART_DF_MIN_PASSAGES else set()  # small corpora: speed is no issue
    keep = [t for t in terms if df[t] <= (part_max_df if t in part_set else max_df) * n]
    return keep or [min(terms, key=lambda t: df[t])]


def select_extra(conn: sqlite3.Connection, extra: list[str], max_df: float, part_max_df: float) -> list[str]:
    """The thesaurus phrases worth searching: a one-word phrase found in more than ``EXTRA_MAX_DF``
    (and ``part_max_df``) of the passages, once the index holds ``PART_DF_MIN_PASSAGES`` (else
    ``max_df``), is dropped as common compound parts are ("arbejde" for "job"): common wordings
    cost BM25 time and say little; a several-word phrase (no vocabulary entry) stays."""
    single = [t for t in extra if " " not in t]
    if not single:
        return extra
    n, df = _doc_freqs(conn, single)
    if n == 0:
        return extra
    cut = (min(part_max_df, EXTRA_MAX_DF) if n >= PART_DF_MIN_PASSAGES else max_df) * n
    return [t for t in extra if " " in t or df[t] <= cut]


def _quote(term: str, prefix: bool = False) -> str:
    return '"' + term.replace('"', '""') + '"' + ("*" if prefix and len(term) >= 5 else "")


def query_phrases(terms: list[str], prefix: bool = False, parts: list[str] = (),
                  whole_weight: int = 1) -> list[tuple[str, str]]:
    """(FTS5 phrase, its term) for each lemma, ``whole_weight`` times, then each compound part once."""
    out = [(_quote(t, prefix), t) for t in terms for _ in range(max(1, whole_weight))]
    return out + [(_quote(t), t) for t in parts]


def fts_query(terms: list[str], prefix: bool = False, parts: list[str] = (), whole_weight: int = 1) -> str | None:
    """An FTS5 MATCH expression: the lemmas OR-ed (BM25 ranks by how many match, and how rare),
    each lemma ``whole_weight`` times, then the compound parts once."""
    phrases = query_phrases(terms, prefix, parts, whole_weight)
    return " OR ".join(p for p, _ in phrases) if phrases else None


_RANKED = ("SELECT rowid, -bm25(passage_fts) AS score FROM passage_fts WHERE passage_fts MATCH ? "
           "ORDER BY bm25(passage_fts), rowid LIMIT ?")


def _fts_rows(conn: sqlite3.Connection) -> int:
    """Rows in the FTS table as bm25 counts them: the first varint of FTS5's averages record
    (rowid 1 of passage_fts_data), read the way fts5 writes it (SQLite's big-endian varint)."""
    row = conn.execute("SELECT block FROM passage_fts_data WHERE id = 1").fetchone()
    b = row[0] if row else b""
    v = 0
    for i in range(min(len(b), 9)):
        if i == 8:
            return (v << 8) | b[i]
        v = (v << 7) | (b[i] & 0x7F)
        if not b[i] & 0x80:
            return v
    return v


def phrase_bound(rows: int, df: int) -> float:
    """The most one phrase can add to any row's bm25: idf × (k1 + 1), as its term-frequency factor
    f(k1+1)/(f + k1(1 - b + b·len/avglen)) stays below k1 + 1.  ``df`` (rows holding the exact term)
    is at most the rows the phrase matches (a prefix matches more), so idf(df) is at least its idf."""
    idf = max(math.log((rows - df + 0.5) / (df + 0.5)), 1e-6) if rows > 0 else 1e-6
    return (K1 + 1) * idf * (1 + 1e-9) + 1e-9


def _ranked(conn: sqlite3.Connection, match: str, k: int) -> list[tuple[int, float]]:
    return [(r[0], float(r[1])) for r in conn.execute(_RANKED, (match, k))]


def rare_first(conn: sqlite3.Connection, phrases: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """``phrases`` ordered by how many rows hold their term, rarest first (stable), and those counts.
    bm25 adds the phrases' shares in this order, so a query that keeps it (``top_rows``' split
    queries put the common phrases last) gives every row the very same float score."""
    _, df = _doc_freqs(conn, list(dict.fromkeys(t for _, t in phrases)))
    return sorted(phrases, key=lambda p: df[p[1]]), df


def top_rows(conn: sqlite3.Connection, phrases: list[tuple[str, str]], k: int) -> tuple[list[tuple[int, float]], str]:
    """The ``k`` best (FTS rowid, -bm25) rows for the OR of ``phrases`` (best first, ties by rowid)
    and how they were found: "full" (one query over every matching row), "split" or "retry".

    Max-score: the commonest phrases C (each in ≥ ``SPLIT_MIN_SHARE`` of the rows, their bounds
    summing to ≤ ``SPLIT_BUDGET``) are set aside; the rows holding one of the others R are ranked
    with every phrase, as "(R) AND (C)" and "(R) NOT (C)" (FTS5's bm25 sums per phrase with an idf
    of its own, so each row gets the score the full query gives it).  A row holding only C phrases
    scores below the sum of their bounds; if the k-th ranked row scores above that sum, no such row
    can enter the top k and the answer is exact.  If not, C shrinks to the phrases whose bounds stay
    below that k-th score (a larger R only raises it, so the retry is exact) or, if none, one full
    query is run."""
    if not phrases:
        return [], "full"
    phrases, df = rare_first(conn, phrases)
    full = " OR ".join(p for p, _ in phrases)
    texts = list(dict.fromkeys(p for p, _ in phrases))  # rarest first; a repeated phrase stays together
    if len(texts) < 2:
        return _ranked(conn, full, k), "full"
    term_of = dict(phrases)
    rows = _fts_rows(conn)
    bound = {t: sum(p == t for p, _ in phrases) * phrase_bound(rows, df[term_of[t]]) for t in texts}
    common, total, held = [], 0.0, 0  # C: a tail of the rarest-first order, so R's phrases come first
    for t in reversed(texts[1:]):  # the rarest phrase always stays in R
        if df[term_of[t]] < SPLIT_MIN_SHARE * rows or total + bound[t] > SPLIT_BUDGET:
            break
        common.append(t)
        total += bound[t]
        held += df[term_of[t]]
    if not common or held < SPLIT_MIN_ROWS:
        return _ranked(conn, full, k), "full"
    for how in ("split", "retry"):  # the retry cannot fail (see above): two rounds at most
        if not common:
            break
        r = " OR ".join(p for p, _ in phrases if p not in common)
        c = " OR ".join(p for p, _ in phrases if p in common)
        top = sorted(_ranked(conn, f"({r}) AND ({c})", k) + _ranked(conn, f"({r}) NOT ({c})", k),
                     key=lambda x: (-x[1], x[0]))[:k]
        if len(top) < k:  # fewer than k rows hold an R phrase: rows with only C phrases fill the list
            break
        if top[-1][1] > total:
            return top, how
        kth, keep, total = top[-1][1], [], 0.0
        for t in common:  # commonest first, so what is kept is still a tail
            if total + bound[t] >= kth:
                break
            keep.append(t)
            total += bound[t]
        common = keep
    return _ranked(conn, full, k), "full"


def lexical_search(
    conn: sqlite3.Connection, query: str, k: int, where: str = "", params: tuple = (), prefix: bool = False,
    max_df: float = 1.0, whole_weight: int | None = None, part_max_df: float | None = None,
    extra: tuple[str, ...] | list[str] = (), extra_weight: float = 0.5,
) -> list[tuple[str, float]]:
    """Top ``k`` (passage_id, bm25 score; higher is better) for ``query`` under an SQL filter.

    ``extra``: thesaurus phrases (``synonyms.expand``), searched as a second query whose bm25 is
    added at ``extra_weight`` to the query's own: bm25 sums over phrases, so this is the score of
    one query with the wordings weighed down, which FTS5 cannot do in one query (repeating the
    user's phrases instead cost more time).  A row in one top ``k`` but not the other gets only
    that part.  A query without extra phrases is searched exactly as before."""
    whole, parts = query_terms(query, COMPOUNDS)
    part_df = PART_MAX_DF if part_max_df is None else part_max_df
    kept = set(select_terms(conn, whole, max_df, parts, part_df))
    whole, parts = [t for t in whole if t in kept], [t for t in parts if t in kept]
    phrases = query_phrases(whole, prefix, parts, WHOLE_WEIGHT if whole_weight is None else whole_weight)
    hits = _search_phrases(conn, phrases, k, where, params) if phrases else []
    extra = [t for t in dict.fromkeys(extra) if t not in kept]
    if extra and extra_weight > 0:
        extra = select_extra(conn, extra, max_df, part_df)
        syn = _search_phrases(conn, [(_quote(t, prefix and " " not in t), t) for t in extra], k, where, params) \
            if extra else []
        if syn:
            merged = dict(hits)
            for pid, sc in syn:
                merged[pid] = merged.get(pid, 0.0) + extra_weight * sc
            hits = sorted(merged.items(), key=lambda x: -x[1])[:k]
    return hits


def _search_phrases(conn: sqlite3.Connection, phrases: list[tuple[str, str]], k: int, where: str,
                    params: tuple) -> list[tuple[str, float]]:
    """Top ``k`` (passage_id, -bm25) for the OR of ``phrases`` under an SQL filter."""
    if not where:
        # rank inside the FTS table (skipping rows that cannot reach the top k, see top_rows) and look
        # up the passage ids of the top k only: joining the map first looked up every matching row
        top, _ = top_rows(conn, phrases, k)
        if not top:
            return []
        ids = dict(conn.execute(f"SELECT rowid, passage_id FROM passage_fts_map WHERE rowid IN "
                                f"({','.join('?' * len(top))})", [r for r, _ in top]))
        return [(ids[r], s) for r, s in top if r in ids]
    match = " OR ".join(p for p, _ in rare_first(conn, phrases)[0])  # the same scores as top_rows gives
    sql = (
        "SELECT m.passage_id, -bm25(passage_fts) AS score FROM passage_fts "
        "JOIN passage_fts_map m ON m.rowid = passage_fts.rowid "
        "JOIN passages p ON p.id = m.passage_id JOIN documents d ON d.id = p.document_id "
        f"WHERE passage_fts MATCH ? AND {where} ORDER BY bm25(passage_fts) LIMIT ?"
    )
    return [(r[0], float(r[1])) for r in conn.execute(sql, (match, *params, k))]
