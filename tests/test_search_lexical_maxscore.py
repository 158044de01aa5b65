"""The two-step (max-score) BM25 ranking of ``fts.top_rows`` gives the very same rows, scores and
order as one query that ranks every matching row — also when its first split has to be retried —
and the bound that makes it exact matters: without it the answers differ."""

from __future__ import annotations

import pytest

from stratcompare.search import fts, sync_fts
from stratcompare.search.index import clear_cache
from stratcompare.search.lemmas import query_terms
from synth_text import build_store, synthetic_documents

QUERIES = ["bostøtte til hjemløse unge", "tidlig opsporing af mistrivsel", "frivillige foreninger",
           "anbringelser i familiepleje", "rusmiddelbehandling for unge", "økonomisk styring af budgettet",
           "effektmåling af indsatserne", "recovery og borgerinddragelse", "retssikkerhed på handicapområdet",
           "den mindst indgribende indsats", "samskabelse med civilsamfundet", "beskæftigelse og uddannelse",
           "psykisk sårbare voksne med misbrug", "unge der flytter hjemmefra", "ledelse og organisering af data",
           "hjælp til borgerne i kommunen", "hvad gør kommunen for børn og unge"]


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    clear_cache()
    s = build_store(tmp_path_factory.mktemp("maxscore") / "m.db",
                    synthetic_documents(3000, per_document=150, seed=11, realistic_vocabulary=True))
    sync_fts(s.conn)
    yield s.conn
    s.close()


def phrases(conn, query):
    """The query's phrases as lexical_search builds them (common words dropped, prefixes on)."""
    whole, parts = query_terms(query, fts.COMPOUNDS)
    kept = set(fts.select_terms(conn, whole, 0.25, parts, fts.PART_MAX_DF))
    return fts.query_phrases([t for t in whole if t in kept], True, [t for t in parts if t in kept])


def every_row(conn, ph, k):
    """The reference: one query ranking every matching row."""
    match = " OR ".join(p for p, _ in fts.rare_first(conn, ph)[0])
    return [(r[0], float(r[1])) for r in conn.execute(
        "SELECT rowid, -bm25(passage_fts) FROM passage_fts WHERE passage_fts MATCH ? "
        "ORDER BY bm25(passage_fts), rowid LIMIT ?", (match, k))]


@pytest.mark.parametrize("budget", [fts.SPLIT_BUDGET, 4.0, 30.0])
def test_same_rows_scores_and_order_as_ranking_every_row(conn, monkeypatch, budget):
    monkeypatch.setattr(fts, "SPLIT_MIN_ROWS", 0)  # the small store: split whenever a phrase is common
    monkeypatch.setattr(fts, "SPLIT_BUDGET", budget)
    plans = []
    for query in QUERIES:
        ph = phrases(conn, query)
        for k in (5, 30, 100):
            got, how = fts.top_rows(conn, ph, k)
            want = every_row(conn, ph, k)
            assert got == want, (query, k, how)  # rowids, float scores (bit for bit) and order
            plans.append(how)
    assert sum(how != "full" for how in plans) >= 10  # the two-step path is what is being compared
    if budget > fts.SPLIT_BUDGET:
        assert "retry" in plans  # a first split too greedy for the k-th score is narrowed


def test_the_bound_is_what_makes_it_exact(conn, monkeypatch):
    """A mutation: pretend a row holding only common phrases scores nothing (no bound) — then some
    top k lists lose rows that only hold common words.  The test above would fail like this."""
    monkeypatch.setattr(fts, "SPLIT_MIN_ROWS", 0)
    monkeypatch.setattr(fts, "SPLIT_BUDGET", 30.0)
    monkeypatch.setattr(fts, "phrase_bound", lambda rows, df: 0.0)
    differ = sum(fts.top_rows(conn, phrases(conn, q), k)[0] != every_row(conn, phrases(conn, q), k)
                 for q in QUERIES for k in (30, 100))
    assert differ >= 1


def test_scores_as_before_the_rare_first_order(conn, monkeypatch):
    """Ordering the phrases rarest first changes no hit: the same rows and order, scores within
    float rounding, as the query in the user's word order (the ranking before this change)."""
    monkeypatch.setattr(fts, "SPLIT_MIN_ROWS", 0)
    for query in QUERIES:
        ph = phrases(conn, query)
        old = [(r[0], float(r[1])) for r in conn.execute(
            "SELECT rowid, -bm25(passage_fts) FROM passage_fts WHERE passage_fts MATCH ? "
            "ORDER BY bm25(passage_fts), rowid LIMIT 30", (" OR ".join(p for p, _ in ph),))]
        got, _ = fts.top_rows(conn, ph, 30)
        assert [r for r, _ in got] == [r for r, _ in old]
        assert [s for _, s in got] == pytest.approx([s for _, s in old], rel=1e-12)


def test_lexical_search_with_the_split_returns_passages_as_before(conn, monkeypatch):
    monkeypatch.setattr(fts, "SPLIT_MIN_ROWS", 0)
    for query in QUERIES[:6]:
        got = fts.lexical_search(conn, query, 20, prefix=True, max_df=0.25)
        ids = dict(conn.execute("SELECT rowid, passage_id FROM passage_fts_map"))
        assert got == [(ids[r], s) for r, s in every_row(conn, phrases(conn, query), 20)]


def test_row_count_read_from_the_index_as_bm25_counts_it(conn):
    assert fts._fts_rows(conn) == conn.execute("SELECT count(*) FROM passage_fts_map").fetchone()[0] == 3000


def test_phrase_bound_is_above_any_single_phrase_score(conn):
    """No row's score for one phrase reaches its bound (bm25's share of a phrase < idf × (k1 + 1))."""
    rows = fts._fts_rows(conn)
    for term in ("unge", "borger", "indsats", "hjemløs", "kommune"):
        df = fts._doc_freqs(conn, [term])[1][term]
        best = conn.execute("SELECT -bm25(passage_fts) FROM passage_fts WHERE passage_fts MATCH ? "
                            "ORDER BY bm25(passage_fts) LIMIT 1", (f'"{term}"',)).fetchone()[0]
        assert df > 0 and 0 < best < fts.phrase_bound(rows, df)
