"""The coverage re-ranking of hybrid search: a passage holding all of the query's words overtakes
one that is closer in the dense space but holds only some of them (the hashing encoder of
conftest, fast)."""

from __future__ import annotations

import pytest

from stratcompare.search.api import FusionParams, search
from synth_text import SynthDocument, SynthPassage, build_store

SOME = "Bostøtte i eget hjem. Bostøtte i eget hjem gives til borgere i eget hjem."
ALL = "Unge hjemløse får bostøtte, så de kan blive boende i egen bolig."
OTHERS = ["Budgettet for ældreområdet er lagt for de kommende fire år.",
          "Kommunen driver fire plejecentre og et aktivitetscenter.",
          "Skolerne får nye legepladser i løbet af året.",
          "Hjemmeplejen besøger borgere i eget hjem hver dag."]
QUERY = "bostøtte i eget hjem for unge hjemløse"


@pytest.fixture()
def store(tmp_path):
    s = build_store(tmp_path / "s.db", [SynthDocument("Roskilde", "Boligsocial plan", 2023, None,
                                                      [SynthPassage(1, None, t) for t in [SOME, ALL] + OTHERS],
                                                      path="/c/plan.txt")])
    yield s
    s.close()


def test_full_coverage_overtakes_a_closer_passage(store, encoder):
    # dense alone (BM25 weight 0) puts the passage that repeats "bostøtte i eget hjem" first
    plain = search(store.conn, QUERY, mode="hybrid", encoder=encoder, params=FusionParams(lexical=0.0, coverage=0.0))
    assert plain[0].text == SOME
    reranked = search(store.conn, QUERY, mode="hybrid", encoder=encoder, params=FusionParams(lexical=0.0, coverage=1.0))
    assert reranked[0].text == ALL
    assert reranked[0].details["query_coverage"] > reranked[1].details["query_coverage"]
    # the score shown is the re-ranked one, best first
    assert [h.score for h in reranked] == sorted((h.score for h in reranked), reverse=True)


def test_only_hybrid_blend_is_reranked(store, encoder):
    for mode in ("dense", "lexical"):
        hits = search(store.conn, QUERY, mode=mode, encoder=encoder, params=FusionParams(coverage=1.0))
        assert "query_coverage" not in hits[0].details
    rrf = search(store.conn, QUERY, mode="hybrid", encoder=encoder, params=FusionParams(method="rrf", coverage=1.0))
    assert "query_coverage" not in rrf[0].details


def test_strength_reuses_the_coverage_of_a_danish_query(store, encoder):
    hits = search(store.conn, QUERY, mode="hybrid", encoder=encoder)
    assert hits and all(h.details["coverage"] == h.details["query_coverage"] for h in hits)
    assert hits[0].strength is not None and 0.0 <= hits[0].strength <= 1.0
