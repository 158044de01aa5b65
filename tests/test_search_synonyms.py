"""Query expansion with the Danish social-area thesaurus (search.synonyms): an everyday word finds
a passage that uses only the official term, the user's own word still ranks first, a word in no
group changes nothing, and FusionParams(synonyms=False) switches it off (hashing encoder, fast)."""

from __future__ import annotations

import pytest

from stratcompare.search import fts
from stratcompare.search.api import FusionParams, ensure_fts, search
from stratcompare.search.strength import coverage, query_groups
from stratcompare.search.synonyms import coverage_groups, expand, groups
from synth_text import SynthDocument, SynthPassage, build_store

OWN = "Unge der tager stoffer, får hurtig hjælp af kommunens ungeteam."
OFFICIAL = "Borgere med rusmiddelproblemer tilbydes behandling i kommunens rådgivningscenter."
OTHERS = ["Budgettet for ældreområdet er lagt for de kommende fire år.",
          "Kommunen driver fire plejecentre og et aktivitetscenter.",
          "Skolerne får nye legepladser i løbet af året.",
          "Vejene ryddes for sne, når der er glat om morgenen.",
          "Hjemmeplejen besøger borgere i eget hjem hver dag."]
OFF = FusionParams(synonyms=False)
ON = FusionParams(synonyms=True)  # off by default (docs/benchmarks.md, 'query thesaurus')


@pytest.fixture()
def store(tmp_path):
    s = build_store(tmp_path / "s.db", [SynthDocument("Roskilde", "Social plan", 2023, None,
                                                      [SynthPassage(1, None, t) for t in [OWN, OFFICIAL] + OTHERS],
                                                      path="/c/plan.txt")])
    yield s
    s.close()


def test_groups_load_and_tie_everyday_to_official_words():
    gs = groups()
    assert len(gs) >= 100 and all(len(terms) >= 2 for _, terms in gs)
    assert "husvild" in expand("hjemløse unge").words
    assert "funktionsnedsættelse" in expand("handicappede børn").words
    assert "rusmidler" in expand("stoffer").words
    # a several-word wording is one phrase of index terms, compound parts where the index has them
    assert "socialpædagogisk social pædagogisk støtte" in expand("bostøtte").phrases


def test_everyday_query_finds_an_official_term_passage(store, encoder):
    without = [h.text for h in search(store.conn, "stoffer", mode="lexical", encoder=encoder, params=OFF)]
    assert OFFICIAL not in without
    with_ = [h.text for h in search(store.conn, "stoffer", mode="lexical", encoder=encoder, params=ON)]
    assert OFFICIAL in with_


def test_own_word_ranks_above_a_synonym_only_match(store, encoder):
    for mode in ("lexical", "hybrid"):
        texts = [h.text for h in search(store.conn, "stoffer", mode=mode, encoder=encoder, params=ON)]
        assert OWN in texts and OFFICIAL in texts
        assert texts.index(OWN) < texts.index(OFFICIAL), mode


def test_word_in_no_group_changes_nothing(store, encoder):
    q = "snerydning på vejene"
    assert not expand(q)
    for mode in ("lexical", "hybrid"):
        on = [(h.passage_id, h.score, h.strength) for h in search(store.conn, q, mode=mode, encoder=encoder, params=ON)]
        off = [(h.passage_id, h.score, h.strength) for h in search(store.conn, q, mode=mode, encoder=encoder, params=OFF)]
        assert on == off and on


def test_switch_and_english_queries(store, encoder):
    # switched off, the hybrid coverage of the official passage counts no synonym
    hits = {h.text: h for h in search(store.conn, "stoffer", mode="hybrid", encoder=encoder, params=OFF)}
    assert OFFICIAL not in hits or "synonym_coverage" not in hits[OFFICIAL].details
    hits = {h.text: h for h in search(store.conn, "stoffer", mode="hybrid", encoder=encoder, params=ON)}
    assert hits[OFFICIAL].details["synonym_coverage"] > 0.0
    # the match strength reads the share of the query's own words, not their synonyms
    assert hits[OFFICIAL].details["query_coverage"] == hits[OFFICIAL].details["coverage"] == 0.0
    # an English query's Danish words are a translation already: not expanded
    on = [h.passage_id for h in search(store.conn, "drugs", mode="lexical", encoder=encoder, params=ON)]
    off = [h.passage_id for h in search(store.conn, "drugs", mode="lexical", encoder=encoder, params=OFF)]
    assert on == off


def test_longest_term_wins_and_paragraphs_only_trigger():
    # "frivilligt socialt arbejde" is the voluntary-work concept, not a query about "arbejde" (job)
    words = expand("tilskud til frivilligt socialt arbejde").words
    assert "beskæftigelse" not in words and "frivillige sociale organisationer" in words
    # "§ 85" names the support-at-home group; the bare number is never searched for
    e = expand("støtte efter § 85")
    assert "støtte i eget hjem" in e.words and all(p.strip() != "85" for p in e.phrases)
    assert not expand("85 borgere")


def test_synonym_counts_at_reduced_credit_in_coverage():
    q = "stoffer"
    plain = query_groups(q)
    expanded = coverage_groups(plain, expand(q), 0.5)
    assert coverage(q, OFFICIAL, plain)[0] == 0.0
    assert coverage(q, OFFICIAL, expanded)[0] == pytest.approx(0.5)
    assert coverage(q, OWN, expanded)[0] == 1.0  # the user's own word counts in full


def test_synonym_query_adds_at_reduced_weight(store):
    conn = store.conn
    ensure_fts(conn)
    own = dict(fts.lexical_search(conn, "stoffer", 10))
    syn = dict(fts.lexical_search(conn, "rusmidler", 10))
    both = dict(fts.lexical_search(conn, "stoffer", 10, extra=("rusmiddel",), extra_weight=0.5))
    pid_own = next(iter(own))
    pid_syn = next(p for p in syn if p not in own)
    assert both[pid_own] == pytest.approx(own[pid_own])  # holds no synonym: its own score
    assert both[pid_syn] == pytest.approx(0.5 * syn[pid_syn])  # holds only the synonym: half of it
    # no extra phrase (or weight 0): the query of before
    assert fts.lexical_search(conn, "stoffer", 10, extra=(), extra_weight=0.5) == list(own.items())
    assert fts.lexical_search(conn, "stoffer", 10, extra=("rusmiddel",), extra_weight=0.0) == list(own.items())
