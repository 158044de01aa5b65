"""The BM25 query ranks inside the FTS table and looks up passage ids for the top k only: the same
hits, scores and order as ranking the joined rows, with and without filters."""

from __future__ import annotations

import pytest

from stratcompare.search import sync_fts
from stratcompare.search import fts
from stratcompare.search.index import clear_cache
from stratcompare.search.lemmas import query_terms
from synth_text import build_store, synthetic_documents

QUERIES = ["bostøtte til hjemløse unge", "tidlig opsporing af mistrivsel", "frivillige foreninger",
           "anbringelser i familiepleje", "socialpsykiatri", "rusmiddelbehandling for unge"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    clear_cache()
    s = build_store(tmp_path_factory.mktemp("lex") / "l.db",
                    synthetic_documents(1200, per_document=100, seed=7, realistic_vocabulary=True))
    sync_fts(s.conn)
    yield s
    s.close()


def joined(conn, query, k, where="", params=()):
    """The reference: every matching row joined to its passage, then ranked (the query before)."""
    whole, parts = query_terms(query, fts.COMPOUNDS)
    kept = set(fts.select_terms(conn, whole, 0.25, parts, fts.PART_MAX_DF))
    match = fts.fts_query([t for t in whole if t in kept], prefix=True, parts=[t for t in parts if t in kept])
    sql = ("SELECT m.passage_id, -bm25(passage_fts) FROM passage_fts JOIN passage_fts_map m ON m.rowid = passage_fts.rowid "
           "JOIN passages p ON p.id = m.passage_id JOIN documents d ON d.id = p.document_id "
           "WHERE passage_fts MATCH ? " + (f"AND {where} " if where else "") + "ORDER BY bm25(passage_fts), passage_fts.rowid LIMIT ?")
    return [(r[0], float(r[1])) for r in conn.execute(sql, (match, *params, k))]


@pytest.mark.parametrize("query", QUERIES)
def test_same_hits_scores_and_order_as_the_joined_query(store, query):
    conn = store.conn
    got = fts.lexical_search(conn, query, 30, prefix=True, max_df=0.25)
    want = joined(conn, query, 30)
    assert len(got) == 30  # the small store has enough matches: the top k is really cut
    assert [p for p, _ in got] == [p for p, _ in want]
    assert [s for _, s in got] == pytest.approx([s for _, s in want])
    assert all(a >= b for (_, a), (_, b) in zip(got, got[1:]))  # best first


def test_filtered_query_keeps_the_filter(store):
    conn = store.conn
    muni = conn.execute("SELECT municipality FROM documents ORDER BY id LIMIT 1").fetchone()[0]
    got = fts.lexical_search(conn, "hjemløse unge", 20, "d.municipality = ?", (muni,), prefix=True, max_df=0.25)
    assert got and got == joined(conn, "hjemløse unge", 20, "d.municipality = ?", (muni,))
    allowed = {r[0] for r in conn.execute(
        "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.municipality = ?", (muni,))}
    assert {p for p, _ in got} <= allowed


def test_a_deleted_passage_is_never_returned(store, tmp_path):
    conn = store.conn
    first = fts.lexical_search(conn, "socialpsykiatri", 5, prefix=True, max_df=0.25)
    victim = first[0][0]
    conn.execute("DELETE FROM passages WHERE id = ?", (victim,))  # the trigger drops its index rows
    conn.commit()
    after = fts.lexical_search(conn, "socialpsykiatri", 5, prefix=True, max_df=0.25)
    assert victim not in {p for p, _ in after} and len(after) == 5
