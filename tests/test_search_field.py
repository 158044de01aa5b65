"""Search as staff use it: compounds, passage kinds, genres, duplicates, per-document caps,
match strength, the weak-match warning and the English-query hint (hashing encoder, fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stratcompare.embed import get_encoder
from stratcompare.errors import UsageError
from stratcompare.search import fts
from stratcompare.search.api import FusionParams, search, search_result
from stratcompare.search.evaluate import evaluate, load_judgments, weak_match
from stratcompare.search.index import clear_cache
from stratcompare.search.querylang import analyse_query
from stratcompare.search.strength import coverage
from synth_text import SynthDocument, SynthPassage, build_store

FIELD = Path(__file__).resolve().parent / "fixtures" / "relevance" / "field_queries.json"

STRATEGY = "Kommunens hjemløsestrategi bygger på tre kerneelementer og et nyt hjemløseteam."
PARTS_ONLY = "Vi har vedtaget en strategi for hjemløse borgere med fokus på egen bolig."
HEADING = "Hjemløsestrategi"
FOSTER = "Flere børn skal anbringes i netværksplejefamilier frem for på institution."
REPEATED = "Kvalitetsstandarder for stof- og alkoholbehandling revideres ved udgangen af 2013 af udvalget."
OTHER = "Budgettet for ældreområdet er lagt for de kommende fire år med plads til investeringer."


def docs():
    return [
        SynthDocument("Roskilde", "Hjemløsestrategi", 2023, None, [
            SynthPassage(1, None, HEADING), SynthPassage(1, None, STRATEGY), SynthPassage(2, None, PARTS_ONLY),
            SynthPassage(3, None, FOSTER),
        ], path="/c/roskilde.txt"),
        SynthDocument("Ballerup", "Referat 4.12.2012", 2012, None, [
            SynthPassage(1, None, REPEATED), SynthPassage(2, None, OTHER),
        ], path="/c/referat.txt"),
        SynthDocument("Ballerup", "Dagsordenspunkt 3", 2012, None, [SynthPassage(1, None, REPEATED)],
                      path="/c/punkt3.txt"),
    ]


@pytest.fixture()
def store(tmp_path):
    s = build_store(tmp_path / "s.db", docs())
    s.conn.execute("UPDATE passages SET kind = 'heading' WHERE text = ?", (HEADING,))
    s.conn.execute("UPDATE documents SET genre = CASE WHEN title LIKE 'Hjem%' THEN 'strategy' ELSE 'minutes' END")
    s.conn.commit()
    yield s
    s.close()


@pytest.fixture(scope="module")
def enc():
    return get_encoder("hashing")


def texts(hits):
    return [h.text for h in hits]


ALL_TERMS = FusionParams(max_df=1.0)  # a 7-passage store: keep terms found in many of its passages


@pytest.fixture()
def no_context(monkeypatch):
    """Index passage text only (the document title "Hjemløsestrategi" would match every passage)."""
    monkeypatch.setattr(fts, "CONTEXT", False)
    clear_cache()


def test_compound_query_finds_the_parts_and_the_whole_word_ranks_first(store, no_context):
    hits = search(store.conn, "hjemløsestrategi", mode="lexical", params=ALL_TERMS)
    assert texts(hits)[:2] == [STRATEGY, PARTS_ONLY]  # the parts-only passage is found, below the whole word
    assert FOSTER in texts(search(store.conn, "plejefamilie", mode="lexical", params=ALL_TERMS))  # a tail part
    assert FOSTER in texts(search(store.conn, "netværkspleje", mode="lexical", params=ALL_TERMS))  # heads


def test_without_compounds_the_parts_only_passage_is_missed_and_the_index_is_rebuilt(store, monkeypatch, no_context):
    monkeypatch.setattr(fts, "COMPOUNDS", False)
    clear_cache()
    assert PARTS_ONLY not in texts(search(store.conn, "hjemløsestrategi", mode="lexical", params=ALL_TERMS))
    monkeypatch.setattr(fts, "COMPOUNDS", True)
    clear_cache()  # a new index version: ensure_fts re-indexes every passage
    assert PARTS_ONLY in texts(search(store.conn, "hjemløsestrategi", mode="lexical", params=ALL_TERMS))


def test_the_document_title_and_section_are_indexed_with_each_passage(store, monkeypatch):
    q = "hjemløsestrategi"
    assert FOSTER in texts(search(store.conn, q, mode="lexical", params=ALL_TERMS))  # title "Hjemløsestrategi"
    monkeypatch.setattr(fts, "CONTEXT", False)
    clear_cache()
    assert FOSTER not in texts(search(store.conn, q, mode="lexical", params=ALL_TERMS))


def test_headings_are_left_out_unless_asked_for(store, enc):
    for mode in ("lexical", "dense", "hybrid"):
        assert HEADING not in texts(search(store.conn, "hjemløsestrategi", mode=mode, encoder=enc))
        assert HEADING in texts(search(store.conn, "hjemløsestrategi", mode=mode, encoder=enc, kinds=None))
    only = search(store.conn, "hjemløsestrategi", mode="lexical", kinds=("heading",))
    assert texts(only) == [HEADING]


def test_genre_filter(store, enc):
    hits = search(store.conn, "kvalitetsstandarder budget strategi", mode="hybrid", encoder=enc, genre="minutes")
    assert hits and all(h.document.startswith(("Referat", "Dagsorden")) for h in hits)
    with pytest.raises(UsageError):
        search(store.conn, "budget", mode="lexical", genre="roman")


def test_repeated_text_is_shown_once_with_also_in(store, enc):
    hits = search(store.conn, "kvalitetsstandarder alkoholbehandling", mode="hybrid", encoder=enc)
    same = [h for h in hits if h.text == REPEATED]
    assert len(same) == 1 and len(same[0].also_in) == 1
    assert same[0].also_in[0]["document"] != same[0].document
    both = search(store.conn, "kvalitetsstandarder alkoholbehandling", mode="hybrid", encoder=enc, dedup=False)
    assert sum(h.text == REPEATED for h in both) == 2


def test_per_document_cap(store, enc):
    hits = search(store.conn, "hjemløse strategi bolig børn", mode="hybrid", encoder=enc, per_document=1)
    docs_seen = [h.document_id for h in hits]
    assert len(docs_seen) == len(set(docs_seen))
    assert len(search(store.conn, "hjemløse strategi bolig børn", mode="hybrid", encoder=enc)) > len(hits)
    with pytest.raises(UsageError):
        search(store.conn, "bolig", mode="lexical", per_document=0)


def test_strength_is_a_probability_and_nonsense_is_weak(store, enc):
    good = search_result(store.conn, "hjemløsestrategi hjemløseteam", mode="hybrid", encoder=enc)
    assert all(0.0 <= h.strength <= 1.0 for h in good.hits)
    assert not good.weak and good.message is None
    bad = search_result(store.conn, "snerydning vindmøller", mode="hybrid", encoder=enc)
    assert bad.weak and bad.message == "no strong matches; closest passages:"
    assert bad.hits and bad.hits[0].strength < good.hits[0].strength


def test_english_query_gets_a_hint_and_danish_words(store, enc):
    res = search_result(store.conn, "homelessness strategy", mode="hybrid", encoder=enc)
    assert res.hint and "Danish" in res.hint
    assert "hjemløse" in res.query_used.split()
    assert STRATEGY in texts(res.hits[:2])
    assert search_result(store.conn, "hjemløse unge", mode="lexical").hint is None
    assert not analyse_query("housing first").english  # a loan phrase Danish texts use as is
    assert not analyse_query("budget 2023 Morsø").english


@pytest.mark.parametrize("query", ["housing first for young homeless",
                                   "support for people with disabilities in their own home"])
def test_english_queries_around_a_loan_phrase_or_everyday_words_get_the_hint(query):
    """A phrase both languages use ("housing first") tells neither: the other words decide."""
    lang = analyse_query(query)
    assert lang.english and lang.hint and lang.added, lang


@pytest.mark.parametrize("query", ["housing first for unge", "housing first Aarhus 2024",
                                   "støtte i eget hjem"])
def test_danish_queries_with_a_loan_phrase_stay_danish(query):
    assert not analyse_query(query).english


def test_coverage_counts_compound_parts():
    assert coverage("hjemløsestrategi", STRATEGY)[0] == 1.0
    assert coverage("hjemløsestrategi", PARTS_ONLY)[0] == 1.0  # both parts present
    assert coverage("hjemløsestrategi", OTHER)[0] == 0.0
    assert 0.0 < coverage("hjemløsestrategi budget", PARTS_ONLY)[0] < 1.0


def test_field_relevance_set_is_well_formed():
    judged = load_judgments(FIELD)
    with_items = [q for q in judged if q.items]
    assert len(with_items) >= 60 and len(judged) - len(with_items) >= 10
    for part in ("tune", "test"):  # enough queries without a relevant passage for a precision per half
        assert sum(1 for q in judged if q.part == part and not q.items) >= 10, part
    assert len({q.id for q in judged}) == len(judged)
    assert {q.part for q in judged} == {"tune", "test"}
    assert all(it["contains"].strip() and it["grade"] in (1, 2) for q in with_items for it in q.items)
    assert all(any(it["grade"] == 2 for it in q.items) for q in with_items)
    assert sum(q.meta.get("lang") == "en" for q in judged) >= 5


def test_evaluate_grades_and_caps(store):
    conn = store.conn
    pid = {t: conn.execute("SELECT id FROM passages WHERE text = ?", (t,)).fetchone()[0] for t in (STRATEGY, PARTS_ONLY)}
    data = {"queries": [{"id": "a", "query": "x", "relevant": [
        {"file": "roskilde.txt", "contains": "kerneelementer", "grade": 2},
        {"file": "roskilde.txt", "contains": "egen bolig", "grade": 1}]}]}
    path = Path(conn.execute("PRAGMA database_list").fetchone()[2]).with_suffix(".json")
    path.write_text(json.dumps(data), encoding="utf-8")
    judged = load_judgments(path)
    perfect = evaluate(conn, judged, lambda q: [pid[STRATEGY], pid[PARTS_ONLY]])
    assert perfect["recall@10"] == 1.0 and perfect["mrr"] == 1.0 and perfect["ndcg@10"] == pytest.approx(1.0)
    swapped = evaluate(conn, judged, lambda q: [pid[PARTS_ONLY], pid[STRATEGY]])
    assert swapped["mrr"] == 1.0 and swapped["ndcg@10"] < 1.0
    half = evaluate(conn, judged, lambda q: ["nothing", pid[PARTS_ONLY]], k=1)
    assert half["recall@1"] == 0.0 and half["mrr"] == 0.5
    wm = weak_match({"a": True, "n1": True, "n2": False}, judged + [type(judged[0])("n1", "y", []),
                                                                    type(judged[0])("n2", "z", [])])
    assert wm["precision"] == 0.5 and wm["recall"] == 0.5


def test_a_named_municipality_or_year_lifts_its_documents(store, enc):
    q = "kvalitetsstandarder for alkoholbehandling Roskilde"
    plain = search(store.conn, q, mode="hybrid", encoder=enc, params=FusionParams(place=0.0))
    assert plain[0].municipality == "Ballerup"
    lifted = search(store.conn, q, mode="hybrid", encoder=enc, params=FusionParams(place=5.0))
    assert lifted[0].municipality == "Roskilde"
    by_year = search(store.conn, "kvalitetsstandarder 2023", mode="hybrid", encoder=enc, params=FusionParams(place=5.0))
    assert by_year[0].year == "2023"


def test_cli_weak_warning_hint_and_options(tmp_path):
    from typer.testing import CliRunner

    from stratcompare.cli import app

    db = tmp_path / "cli.db"
    s = build_store(db, docs())
    s.conn.execute("UPDATE passages SET kind = 'heading' WHERE text = ?", (HEADING,))
    s.conn.execute("UPDATE documents SET genre = 'minutes' WHERE title LIKE 'Referat%'")
    s.conn.commit()
    s.close()
    run = CliRunner().invoke
    env = {"STRATCOMPARE_MODEL": "hashing"}
    weak = run(app, ["search", "snerydning vindmøller", "--db", str(db)], env=env)
    assert weak.exit_code == 0 and "no strong matches; closest passages:" in weak.output
    en = run(app, ["search", "homelessness strategy", "--db", str(db)], env=env)
    assert "the corpus is Danish" in en.output
    rows = json.loads(run(app, ["search", "kvalitetsstandarder alkoholbehandling", "--db", str(db), "--format", "json"],
                          env=env).stdout)
    assert {"strength", "weak", "also_in"} <= set(rows[0]) and rows[0]["also_in"]
    table = run(app, ["search", "kvalitetsstandarder alkoholbehandling", "--db", str(db)], env=env)
    assert "also in:" in table.output
    capped = json.loads(run(app, ["search", "hjemløse strategi bolig", "--db", str(db), "--format", "json",
                                  "--per-document", "1"], env=env).stdout)
    assert len({r["document_id"] for r in capped}) == len(capped)
    minutes = json.loads(run(app, ["search", "budget", "--db", str(db), "--format", "json", "--genre", "minutes"],
                             env=env).stdout)
    assert minutes and all(r["document"].startswith("Referat") for r in minutes)
    heads = json.loads(run(app, ["search", "hjemløsestrategi", "--db", str(db), "--format", "json", "--all-kinds",
                                 "--mode", "lexical"], env=env).stdout)
    assert HEADING in [r["text"] for r in heads]
    bad = run(app, ["search", "budget", "--db", str(db), "--genre", "roman"], env=env)
    assert bad.exit_code != 0 and "Error" in bad.output and "Traceback" not in bad.output


def test_coverage_weighs_rare_words_more():
    text = "Kommunen har vedtaget en ny plan for hele kommunen."
    plain = coverage("snerydning kommune", text)[0]
    assert plain == 0.5
    weighted = coverage("snerydning kommune", text, weights=[6.0, 0.5])[0]  # "kommune" is common, "snerydning" rare
    assert weighted < 0.1
    assert coverage("snerydning kommune", text, weights=[1.0, 1.0])[0] == plain


def test_rarity_weights_come_from_the_index(store, no_context):
    from stratcompare.search.api import ensure_fts
    from stratcompare.search.strength import query_groups, rarity_weights

    ensure_fts(store.conn)
    groups = query_groups("budget snerydning")  # "budget" is in one of the 7 passages, "snerydning" in none
    w = rarity_weights(store.conn, groups)
    assert w is not None and len(w) == 2 and w[1] > w[0] > 0


def test_an_english_query_is_rated_by_its_danish_words(store, enc):
    res = search_result(store.conn, "homelessness strategy", mode="hybrid", encoder=enc)
    top = next(h for h in res.hits if h.text == STRATEGY)
    assert top.details["coverage"] == 1.0  # "hjemløshed hjemløse strategi" are in it; the English words never are
    assert not res.weak


def test_cached_document_frequencies_follow_changes(store, no_context):
    from stratcompare.search.api import ensure_fts
    from stratcompare.search.fts import _doc_freqs

    conn = store.conn
    ensure_fts(conn)
    assert _doc_freqs(conn, ["snerydning", "budget"])[1] == {"snerydning": 0, "budget": 1}
    conn.execute("UPDATE passages SET text = text || ' Snerydning koster.' WHERE text = ?", (OTHER,))
    conn.commit()
    clear_cache()
    ensure_fts(conn)  # re-indexes the changed passage
    assert _doc_freqs(conn, ["snerydning"])[1] == {"snerydning": 1}


def test_lemma_lookups_are_cached_and_case_blind():
    from stratcompare.search.lemmas import _lemma_lower, lemma

    first = lemma("Anbringelserne")
    before = _lemma_lower.cache_info().hits
    assert lemma("anbringelserne") == first == lemma("ANBRINGELSERNE")
    assert _lemma_lower.cache_info().hits >= before + 2
    assert lemma("og") == "og"  # stop words stay as they are
