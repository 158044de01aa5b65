"""Relevance on the bundled corpus with the default e5 encoder (slow: ingest + OCR + embeddings).

Targets from the issue: recall@10 >= 0.8 and MRR >= 0.85 for the default (hybrid) mode, which
must beat dense and lexical.  Measured without theme labels (no classifier run), so this is the
floor; with stored themes the boost adds to it (docs/benchmarks.md, "## Search").
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
JUDGMENTS = REPO / "tests" / "fixtures" / "relevance" / "judgments.json"
CORPUS = REPO / "corpus"

pytestmark = pytest.mark.slow


def test_judgments_are_well_formed():
    from stratcompare.search.evaluate import load_judgments

    judged = load_judgments(JUDGMENTS)
    assert len(judged) >= 25
    assert len({q.id for q in judged}) == len(judged)
    assert all(q.items and all(it["contains"].strip() for it in q.items) for q in judged)


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    if not (CORPUS / "koege-strategier-for-indsatsen.pdf").exists():
        pytest.skip("the bundled corpus/ is not in this checkout")
    from stratcompare.ingest.pipeline import ingest_paths
    from stratcompare.store import Store

    db = tmp_path_factory.mktemp("rel") / "corpus.db"
    report = ingest_paths([str(CORPUS)], db=db)
    assert not report.failed
    store = Store.open(db)
    yield store
    store.close()


def test_every_judged_item_exists_in_the_ingested_corpus(corpus_store):
    from stratcompare.search.evaluate import load_judgments, resolve

    judged = load_judgments(JUDGMENTS)
    missing = [(q.id, it["contains"]) for q in judged
               for it, ids in zip(q.items, resolve(corpus_store.conn, [q])[q.id]) if not ids]
    assert not missing


def test_hybrid_meets_targets_and_beats_both_halves(corpus_store):
    from stratcompare.embed import get_encoder
    from stratcompare.search import search
    from stratcompare.search.evaluate import evaluate, load_judgments

    conn = corpus_store.conn
    judged = load_judgments(JUDGMENTS)
    enc = get_encoder()
    res = {
        mode: evaluate(conn, judged, lambda q: [h.passage_id for h in search(conn, q, mode=mode, encoder=enc)])
        for mode in ("dense", "lexical", "hybrid")
    }
    h = res["hybrid"]
    assert h["recall@10"] >= 0.8 and h["mrr"] >= 0.85, h
    for other in ("dense", "lexical"):
        assert h["recall@10"] + h["mrr"] > res[other]["recall@10"] + res[other]["mrr"], (other, res[other])


FIELD = REPO / "tests" / "fixtures" / "relevance" / "field_queries.json"
REAL = REPO / "corpus" / "real"


@pytest.fixture(scope="module")
def field_store(tmp_path_factory):
    if not (REAL / "pages").is_dir():
        pytest.skip("corpus/real is not in this checkout")
    from stratcompare.ingest.pipeline import ingest_paths
    from stratcompare.store import Store

    db = tmp_path_factory.mktemp("field") / "field.db"
    inputs = [str(p) for d in ("pages", "pdfs") for p in sorted((REAL / d).iterdir()) if p.suffix in (".txt", ".pdf")]
    report = ingest_paths(inputs + [str(CORPUS)], db=db)
    assert not report.failed
    store = Store.open(db)
    yield store
    store.close()


def test_field_judgments_resolve_after_ingest(field_store):
    from stratcompare.search.evaluate import load_judgments, resolve

    judged = load_judgments(FIELD)
    found = resolve(field_store.conn, judged)
    missing = [(q.id, it["contains"]) for q in judged for it, ids in zip(q.items, found[q.id]) if not ids]
    assert not missing


def test_compound_splitting_raises_lexical_relevance_on_the_tune_half(field_store, monkeypatch):
    from stratcompare.search import fts
    from stratcompare.search.api import search
    from stratcompare.search.evaluate import evaluate, load_judgments
    from stratcompare.search.index import clear_cache

    conn = field_store.conn
    tune = [q for q in load_judgments(FIELD) if q.part == "tune" and q.items]
    res = {}
    for on in (False, True):
        monkeypatch.setattr(fts, "COMPOUNDS", on)
        clear_cache()
        res[on] = evaluate(conn, tune, lambda q: [h.passage_id for h in search(conn, q, mode="lexical")])
    assert res[True]["recall@10"] > res[False]["recall@10"] and res[True]["mrr"] > res[False]["mrr"], res


def test_weak_verdict_on_the_tune_half_lexical(field_store):
    """The shipped strength map (coverage weighted by rarity, lexical mode) says "no strong matches"
    mostly for queries without a relevant passage (fitted there: precision 0.9+, recall 0.87)."""
    from stratcompare.search.api import search_result
    from stratcompare.search.evaluate import load_judgments, weak_match

    conn = field_store.conn
    tune = [q for q in load_judgments(FIELD) if q.part == "tune"]
    flags = {q.id: search_result(conn, q.query, mode="lexical").weak for q in tune}
    wm = weak_match(flags, tune)
    assert wm["none_queries"] >= 10
    assert wm["precision"] >= 0.8 and wm["recall"] >= 0.6, wm
