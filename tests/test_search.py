"""Search API over small generated stores, with the hashing encoder (fast)."""

from __future__ import annotations

import numpy as np
import pytest

from stratcompare.embed import get_encoder
from stratcompare.errors import NotFoundError, UsageError
from stratcompare.search import ExactIndex, FusionParams, highlight, search, similar, sync_fts
from synth_text import SynthDocument, SynthPassage, build_store

HOUSING_KOEGE = "Housing First betyder, at hjemløse borgere først får en bolig og derefter bostøtte."
HOUSING_HERNING = "Unge i hjemløshed skal hurtigt tilbydes egen bolig med en fast bostøttemedarbejder."
JOBS = "Flere borgere på kanten af arbejdsmarkedet skal i job, praktik eller uddannelse."
CHILDREN = "Vi opsporer børn i mistrivsel tidligt og styrker forebyggende rådgivning til familierne."
ECONOMY = "Budgettet på det specialiserede socialområde er under pres, og udgifterne skal styres."


def docs():
    return [
        SynthDocument("Køge", "Strategier for indsatsen", 2022, 2025, [
            SynthPassage(3, "Bolig", HOUSING_KOEGE),
            SynthPassage(4, "Økonomi", ECONOMY),
        ], path="/c/koege.txt"),
        SynthDocument("Herning", "Herningmodellen", 2019, None, [
            SynthPassage(1, "Unge", HOUSING_HERNING),
            SynthPassage(2, "Børn", CHILDREN),
        ], path="/c/herning.txt"),
        SynthDocument("Hjørring", "Forebyggelsesstrategi", 2023, 2027, [
            SynthPassage(7, None, JOBS),
        ], path="/c/hjoerring.txt"),
    ]


@pytest.fixture()
def store(tmp_path):
    s = build_store(tmp_path / "s.db", docs())
    yield s
    s.close()


@pytest.fixture(scope="module")
def enc():
    return get_encoder("hashing")


def pid_of(conn, text):
    return conn.execute("SELECT id FROM passages WHERE text = ?", (text,)).fetchone()[0]


def test_sync_fts_indexes_once_and_follows_changes(store):
    conn = store.conn
    assert sync_fts(conn) == (5, 0)
    assert sync_fts(conn) == (0, 0)
    pid = pid_of(conn, JOBS)
    conn.execute("UPDATE passages SET text = 'Rusmiddelbehandling for unge misbrugere' WHERE id = ?", (pid,))
    conn.commit()
    assert sync_fts(conn) == (1, 0)
    hits = search(conn, "misbrugere", mode="lexical")
    assert [h.passage_id for h in hits] == [pid]
    # deleting a document removes its rows from the index (trigger), nothing stale is left
    doc = conn.execute("SELECT id FROM documents WHERE municipality = 'Herning'").fetchone()[0]
    store.delete_document(doc)
    assert conn.execute("SELECT count(*) FROM passage_fts_map").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM passage_fts").fetchone()[0] == 3
    assert sync_fts(conn) == (0, 0)


def test_lexical_matches_inflected_forms_and_compounds(store):
    # "boliger" / "hjemløse" are lemmatised to bolig / hjemløs on both sides
    exact = search(store.conn, "boliger til hjemløse", mode="lexical", params=FusionParams(prefix=False, max_df=1.0))
    assert exact[0].text == HOUSING_KOEGE  # bolig + hjemløs; Herning has bolig only
    assert {h.text for h in exact} == {HOUSING_KOEGE, HOUSING_HERNING}
    assert all(h.score > 0 for h in exact)
    # with prefix matching (the default) "hjemløs" also finds the compound-like "hjemløshed"
    only_h = search(store.conn, "hjemløse", mode="lexical", params=FusionParams(prefix=False))
    assert [h.text for h in only_h] == [HOUSING_KOEGE]
    pref = search(store.conn, "hjemløse", mode="lexical")
    assert {h.text for h in pref} == {HOUSING_KOEGE, HOUSING_HERNING}


def test_very_common_query_words_are_dropped_but_never_all(store):
    from stratcompare.search.fts import select_terms

    sync_fts(store.conn)
    # "bolig" is in 2 of 5 passages (> 25 %), "hjemløs" in 1: only the rarer one is searched
    assert select_terms(store.conn, ["bolig", "hjemløs"], 0.25) == ["hjemløs"]
    assert select_terms(store.conn, ["bolig", "hjemløs"], 1.0) == ["bolig", "hjemløs"]
    assert select_terms(store.conn, ["bolig", "bostøtte"], 0.1) == ["bostøtte"]  # rarest stays


def test_dense_and_hybrid_rank_the_topic_first(store, enc):
    for mode in ("dense", "hybrid"):
        hits = search(store.conn, "hjemløse unge og bolig med bostøtte", mode=mode, encoder=enc, top_k=3)
        assert {hits[0].text, hits[1].text} == {HOUSING_KOEGE, HOUSING_HERNING}, mode
        assert hits[0].score >= hits[1].score >= hits[2].score
        assert [h.rank for h in hits] == [1, 2, 3]


def test_hit_fields(store, enc):
    h = search(store.conn, "Housing First", encoder=enc, top_k=1)[0]
    assert h.municipality == "Køge" and h.document == "Strategier for indsatsen" and h.page == 3
    assert h.section == "Bolig" and h.year == "2022-2025" and h.document_id
    assert "«Housing» «First»" in h.highlighted
    d = h.to_dict()
    assert {"passage_id", "municipality", "document", "page", "score", "text"} <= set(d)


def test_filters(store, enc):
    conn = store.conn
    q = "bolig til hjemløse"
    for mode in ("dense", "lexical", "hybrid"):
        only = search(conn, q, mode=mode, encoder=enc, municipality="herning")
        assert only and {h.municipality for h in only} == {"Herning"}, mode
        ex = search(conn, q, mode=mode, encoder=enc, exclude_municipality="Køge")
        assert "Køge" not in {h.municipality for h in ex}, mode
        yr = search(conn, q, mode=mode, encoder=enc, year=2026)
        assert {h.municipality for h in yr} <= {"Hjørring"}, mode  # only 2023-2027 covers 2026
        assert yr or mode == "lexical"  # the Hjørring passage shares no word with the query
    herning_pid = pid_of(conn, HOUSING_HERNING)
    conn.execute("INSERT INTO passage_themes VALUES (?, 'cb@1', 'housing_first', 0.9, 1, NULL, NULL)", (herning_pid,))
    conn.commit()
    for mode in ("dense", "lexical", "hybrid"):
        th = search(conn, q, mode=mode, encoder=enc, theme="housing_first")
        assert [h.passage_id for h in th] == [herning_pid], mode


def test_theme_boost_lifts_labelled_passages(store, enc):
    conn = store.conn
    target = pid_of(conn, HOUSING_HERNING)
    conn.execute("INSERT INTO passage_themes VALUES (?, 'cb@1', 'housing_first', 1.0, 1, NULL, NULL)", (target,))
    conn.commit()
    q = "Housing First"
    base = search(conn, q, encoder=enc, params=FusionParams(theme=0.0))
    boosted = search(conn, q, encoder=enc, params=FusionParams(theme=5.0))
    assert base[0].passage_id != target and boosted[0].passage_id == target


def test_similar_prefers_other_municipalities(store, enc):
    conn = store.conn
    src = pid_of(conn, HOUSING_KOEGE)
    hits = similar(conn, src, encoder=enc)
    assert hits[0].text == HOUSING_HERNING
    assert src not in {h.passage_id for h in hits} and "Køge" not in {h.municipality for h in hits}
    anywhere = similar(conn, src, encoder=enc, other_municipalities=False)
    assert src not in {h.passage_id for h in anywhere} and "Køge" in {h.municipality for h in anywhere}
    with pytest.raises(NotFoundError):
        similar(conn, "no-such-passage", encoder=enc)


def test_bad_input_is_a_usage_error(store, enc):
    with pytest.raises(UsageError, match="known: Herning, Hjørring, Køge"):
        search(store.conn, "bolig", encoder=enc, municipality="Atlantis")
    assert search(store.conn, "bolig", encoder=enc, municipality="KØGE")[0].municipality == "Køge"
    with pytest.raises(UsageError):
        search(store.conn, "   ", encoder=enc)
    with pytest.raises(UsageError):
        search(store.conn, "bolig", mode="fuzzy", encoder=enc)
    assert search(store.conn, "og i på", mode="lexical") == []  # only stop words


def test_new_passages_are_found_without_manual_reindexing(store, enc):
    from synth_text import write_documents

    search(store.conn, "bolig", encoder=enc)
    write_documents(store, [SynthDocument("Vejle", "Ny plan", 2024, 2026, [
        SynthPassage(1, None, "Vejle etablerer skæve boliger til hjemløse med misbrug.")], path="/c/vejle.txt")])
    for mode in ("lexical", "dense", "hybrid"):
        hits = search(store.conn, "skæve boliger", mode=mode, encoder=enc, top_k=1)
        assert hits[0].municipality == "Vejle", mode


def test_exact_index_matches_brute_force():
    rng = np.random.default_rng(0)
    m = rng.normal(size=(500, 16)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    idx = ExactIndex(16)
    idx.add(m[:200])
    idx.add(m[200:])
    q = m[7]
    rows, scores = idx.search(q, 5)
    assert rows[0] == 7 and np.all(np.diff(scores) <= 0)
    np.testing.assert_array_equal(rows, np.argsort(-(m @ q))[:5])
    mask = np.zeros(500, dtype=bool)
    mask[[3, 9, 400]] = True
    rows, _ = idx.search(q, 10, mask)
    assert sorted(rows.tolist()) == [3, 9, 400]
    assert len(idx.search(q, 5, np.zeros(500, dtype=bool))[0]) == 0
    with pytest.raises(ValueError):
        idx.add(np.zeros((2, 3), dtype=np.float32))


def test_highlight_marks_lemma_matches():
    assert highlight("Boligerne til de hjemløse.", "bolig hjemløs") == "«Boligerne» til de «hjemløse»."
    assert highlight("Ingen træf her.", "bolig") == "Ingen træf her."
    # 5+ letter lemmas also mark compounds, as the lexical search matches them
    assert highlight("Budgetopfølgning hver måned.", "budget") == "«Budgetopfølgning» hver måned."
    assert highlight("Bofællesskab og bolde.", "bold") == "Bofællesskab og «bolde»."
