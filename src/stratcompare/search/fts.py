"""The lexical half: an FTS5 (BM25) index over lemmatised passage text, kept in step with passages.

Each word is indexed as its lemma plus, for a compound, its parts' lemmas (``lemmas.index_terms``),
and each passage row also holds its section heading and document title.  A query ORs its lemmas
and their compound parts: a passage with the query's whole compound matches the whole term (rare,
so heavy in BM25) and every part, one that only shares the parts matches fewer terms, so the
whole-word match counts more.  ``WHOLE_WEIGHT`` > 1 repeats each whole lemma in the query (FTS5's
bm25 sums over the query's phrases) for a stronger preference.
"""

from __future__ import annotations

import sqlite3

from stratcompare.embed.storage import text_hash
from stratcompare.errors import StoreError
from stratcompare.search.index import change_token
from stratcompare.search.lemmas import index_terms, query_terms

COMPOUNDS = True  # index and query compound parts (False = the plain lemma index, for comparisons)
CONTEXT = True  # also index each passage's section heading and document title
PART_MAX_DF = 0.1  # query compound parts found in more than this share of passages are dropped (speed) ...
PART_DF_MIN_PASSAGES = 1000  # ... once the index holds this many passages
WHOLE_WEIGHT = 1  # repeat each query lemma this often (2 did not help on the tune half and costs BM25 time)


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


def fts_query(terms: list[str], prefix: bool = False, parts: list[str] = (), whole_weight: int = 1) -> str | None:
    """An FTS5 MATCH expression: the lemmas OR-ed (BM25 ranks by how many match, and how rare),
    each lemma ``whole_weight`` times, then the compound parts once."""
    if not terms and not parts:
        return None
    quoted = ['"' + t.replace('"', '""') + '"' + ("*" if prefix and len(t) >= 5 else "") for t in terms]
    quoted = [q for q in quoted for _ in range(max(1, whole_weight))]
    quoted += ['"' + t.replace('"', '""') + '"' for t in parts]
    return " OR ".join(quoted)


def lexical_search(
    conn: sqlite3.Connection, query: str, k: int, where: str = "", params: tuple = (), prefix: bool = False,
    max_df: float = 1.0, whole_weight: int | None = None, part_max_df: float | None = None,
) -> list[tuple[str, float]]:
    """Top ``k`` (passage_id, bm25 score; higher is better) for ``query`` under an SQL filter."""
    whole, parts = query_terms(query, COMPOUNDS)
    kept = set(select_terms(conn, whole, max_df, parts, PART_MAX_DF if part_max_df is None else part_max_df))
    whole, parts = [t for t in whole if t in kept], [t for t in parts if t in kept]
    match = fts_query(whole, prefix=prefix, parts=parts,
                      whole_weight=WHOLE_WEIGHT if whole_weight is None else whole_weight)
    if match is None:
        return []
    if not where:
        # rank inside the FTS table first and look up the passage ids of the top k only: joining
        # the map before the sort looked up every matching row (15,600 a query at 10^5 passages)
        sql = ("SELECT m.passage_id, f.score FROM (SELECT rowid, -bm25(passage_fts) AS score FROM passage_fts "
               "WHERE passage_fts MATCH ? ORDER BY bm25(passage_fts), rowid LIMIT ?) f "
               "JOIN passage_fts_map m ON m.rowid = f.rowid ORDER BY f.score DESC, f.rowid")
        return [(r[0], float(r[1])) for r in conn.execute(sql, (match, k))]
    sql = (
        "SELECT m.passage_id, -bm25(passage_fts) AS score FROM passage_fts "
        "JOIN passage_fts_map m ON m.rowid = passage_fts.rowid "
        "JOIN passages p ON p.id = m.passage_id JOIN documents d ON d.id = p.document_id "
        f"WHERE passage_fts MATCH ? AND {where} ORDER BY bm25(passage_fts) LIMIT ?"
    )
    return [(r[0], float(r[1])) for r in conn.execute(sql, (match, *params, k))]
