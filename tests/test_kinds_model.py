"""The statistical model beside the kind rules: the package's ``segment/kinds_model.py`` (features,
numpy model, the hook at the end of ``refine_kinds``) and bench/kinds_model.py, which fits it
(docs/benchmarks.md "a statistical model beside the rules", "the model candidate adopted").
Fast tests: toy models fitted on small invented passages (features, the .npz round trip without
pickles, numpy against scikit-learn), and the shipped model file on invented passages."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from stratcompare.segment import Segment, kinds_model as pkg
from stratcompare.segment.kinds import classify_kind, refine_kinds

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def km():
    sys.path.insert(0, str(BENCH))
    import kinds_model  # bench/kinds_model.py

    return kinds_model


# invented passages: decision formulas in several wordings against plain policy prose
PROCEDURE = ["Beslutning: Indstillingen blev godkendt.", "Beslutning i Byrådet: Godkendt.",
             "Beslutning: Anbefales godkendt.", "Indstillingen blev godkendt som foreslået.",
             "Beslutning: Udvalget godkendte indstillingen.", "Beslutning: Taget til efterretning.",
             "Sagen blev taget til efterretning.", "Fraværende: Ingen.", "Afbud: Jens Hansen.",
             "Beslutning: Godkendt med bemærkning om økonomi."]
BOILERPLATE = ["Del på Facebook | Del på LinkedIn", "Side 2 af 9",
               "Kontakt os på telefon 12 34 56 78",
               "Læs mere på kommunens hjemmeside", "Cookies: Tillad alle", "Side 3 af 9",
               "Udskriv siden", "Del siden | Print", "Kontakt: Borgerservice, telefon 87 65 43 21",
               "Sidst opdateret 3. marts 2025"]
CONTENT = ["Kommunen vil styrke indsatsen for borgere med psykiske vanskeligheder gennem tidlig "
           "og sammenhængende hjælp.", "Vi ønsker et godt ældreliv, hvor den enkelte kan klare "
           "sig selv længst muligt.", "Målet er, at flere unge gennemfører en uddannelse.",
           "Borgere med handicap skal have lige muligheder for at deltage i fællesskabet.",
           "Indsatsen bygger på samarbejde mellem kommune, region og frivillige.",
           "Vi vil forebygge ensomhed blandt ældre gennem aktiviteter i lokalsamfundet.",
           "Sundhed handler om trivsel, fællesskab og en god hverdag.",
           "Kommunen vil arbejde for flere boliger til borgere i hjemløshed.",
           "Strategien gælder for hele voksenområdet og revideres hvert fjerde år.",
           "Medarbejderne skal have de rette kompetencer til at møde borgerne."]


@pytest.fixture(scope="module")
def trained(km):
    # one genre and place for all, so the words decide (not a genre the toy set ties to a kind)
    items = [km.Item(t, "content", "content", "minutes", 0.5, kind, "x", "dev")
             for texts, kind in ((PROCEDURE, "procedure"), (BOILERPLATE, "boilerplate"),
                                 (CONTENT, "content")) for t in texts]
    return km.Fit(C=4.0, threshold=0.5).fit(items)


def test_features_are_the_same_for_the_same_passage_and_differ_for_another(km, trained):
    m = trained.pkg
    a = m.features("Beslutning: Godkendt.", "content", "minutes", 0.5)
    assert a == m.features("Beslutning: Godkendt.", "content", "minutes", 0.5)
    assert a != m.features("Beslutning: Godkendt.", "content", "strategy", 0.5)
    assert " be" in km.char_terms("Beslutning") and "beslutning godkendt" in km.word_terms(
        "Beslutning: Godkendt.")
    assert max(a) < m.n_features


def test_model_round_trips_through_npz_without_pickles(km, trained, tmp_path):
    path = tmp_path / "m.npz"
    trained.pkg.save(path)
    with np.load(path, allow_pickle=False) as z:  # arrays only: loading needs no pickle
        assert all(z[k].dtype != object for k in z.files)
    back = pkg.KindModel.load(path)
    text = "Beslutningens indhold: Indstillingen godkendt."
    p1, p2 = trained.pkg.proba(text, "content", "minutes", 0.5), back.proba(text, "content",
                                                                             "minutes", 0.5)
    assert p1.keys() == p2.keys()
    assert all(abs(p1[k] - p2[k]) < 1e-4 for k in p1)
    assert abs(sum(p2.values()) - 1) < 1e-6


def test_numpy_probabilities_match_scikit_learn(trained):
    items = [trained_item for trained_item in _items_for(trained, ["Afbud: Ingen.",
                                                                   "Vi vil styrke fællesskabet."])]
    classes, proba = trained.proba(items)
    for it, row in zip(items, proba):
        mine = trained.pkg.proba(it.text, it.structural, it.genre, it.position)
        assert all(abs(mine[c] - row[i]) < 1e-6 for i, c in enumerate(classes))


def _items_for(trained, texts):
    import kinds_model as km

    return [km.Item(t, "content", "content", "minutes", 0.5, "content", "x", "dev") for t in texts]


def test_model_adds_a_formality_the_rules_miss_and_keeps_the_rules_verdicts(trained):
    text = "Beslutningens indhold: Indstillingen blev godkendt."  # no rule wording of this
    rule = classify_kind(text, genre="minutes", position=0.5)
    assert rule == "content"  # the rules miss it ...
    assert trained.pkg.added_formality(text, rule, "content", "minutes", 0.5) == "procedure"
    # ... prose stays content, and a verdict the rules gave stands (toc is never overruled)
    assert trained.pkg.added_formality(CONTENT[0], "content", "content", "minutes", 0.5) is None
    assert trained.pkg.added_formality(text, "toc", "toc", "minutes", 0.5) is None
    # prose@t: a heading stays a heading, whether the rules or the segmenter said so
    assert trained.pkg.added_formality(text, "heading", "heading", "minutes", 0.5) is None
    assert trained.pkg.added_formality(text, "content", "heading", "minutes", 0.5) is None


def test_with_model_wraps_refine_kinds_as_bench_kinds_model_option(km, trained, tmp_path):
    path = tmp_path / "m.npz"
    trained.pkg.save(path)
    refine = km.with_model(refine_kinds, path)
    texts = ("Vi vil styrke indsatsen for borgere med handicap gennem tidlig hjælp.",
             "Beslutningens indhold: Indstillingen blev godkendt.")

    def cut():
        return [Segment(seq=i, text=t, page=1, char_start=0, char_end=len(t), section=None,
                        kind="content") for i, t in enumerate(texts)]

    segs, plain = cut(), cut()
    refine_kinds(plain, genre="minutes", model=False)
    refine(segs, genre="minutes")
    assert [s.kind for s in plain] == ["content", "content"]
    assert [s.kind for s in segs] == ["content", "procedure"]


# --- the package's model file (data/lang/da/kinds_model.npz, bench/kinds_model.py --train) ---

MISSED = "Beslutningens indhold: Indstillingen blev godkendt."  # invented; no rule has this wording
POLICY = ("Kommunen vil styrke indsatsen for borgere med psykiske vanskeligheder gennem tidlig "
          "og sammenhængende hjælp.")


def _cut(texts):
    return [Segment(seq=i, text=t, page=1, char_start=0, char_end=len(t), section=None,
                    kind="content") for i, t in enumerate(texts)]


def test_the_bench_fits_the_package_model_with_the_package_features(km):
    # one copy: the bench imports the package's feature code and model, it has none of its own
    assert km.word_terms is pkg.word_terms and km.char_terms is pkg.char_terms
    assert km.KindModel is pkg.KindModel
    assert not hasattr(km, "dense_features") or km.dense_features is pkg.dense_features
    assert km.PACKAGE_MODEL.resolve() == Path(pkg.__file__).resolve().parent.parent.joinpath(
        *pkg.MODEL_FILE).resolve()


def test_the_shipped_model_is_small_safe_and_prose_at_0_85():
    path = Path(pkg.__file__).resolve().parent.parent.joinpath(*pkg.MODEL_FILE)
    assert path.is_file() and path.stat().st_size <= 5 * 2**20
    with np.load(path, allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)
    m = pkg.load_model()
    assert m is pkg.load_model()  # read once
    assert m.threshold == 0.85 and m.may_change == ("content", "list")
    assert {"content", "procedure", "boilerplate"} <= set(m.classes)
    assert m.coef.shape == (len(m.classes), m.n_features)
    p = m.proba(MISSED, "content", "minutes", 0.5)
    assert abs(sum(p.values()) - 1) < 1e-6


def test_the_hook_catches_a_formality_the_rules_miss_and_leaves_prose_alone():
    assert classify_kind(MISSED, genre="minutes", position=0.5) == "content"  # the rules miss it
    segs, plain = _cut([POLICY, MISSED]), _cut([POLICY, MISSED])
    refine_kinds(segs, genre="minutes")
    refine_kinds(plain, genre="minutes", model=False)  # switched off: the rules alone
    assert [s.kind for s in plain] == ["content", "content"]
    assert [s.kind for s in segs] == ["content", "procedure"]


def test_a_policy_passage_stays_content_in_every_genre():
    for genre in ("strategy", "news", "minutes", "other", None):
        segs = _cut([POLICY, "Vi ønsker et godt ældreliv, hvor den enkelte kan klare sig selv."])
        refine_kinds(segs, genre=genre)
        assert [s.kind for s in segs] == ["content", "content"], genre


def test_a_heading_is_never_turned_formal_by_the_model():
    segs, plain = _cut([POLICY, MISSED]), _cut([POLICY, MISSED])
    segs[1].kind = plain[1].kind = "heading"  # as the segmenter cut it
    refine_kinds(segs, genre="minutes")
    refine_kinds(plain, genre="minutes", model=False)
    assert [s.kind for s in segs] == [s.kind for s in plain]
    assert segs[1].kind != "procedure"


def test_without_the_model_file_the_rules_stand_alone(monkeypatch):
    monkeypatch.setattr(pkg, "MODEL_FILE", ("data", "lang", "da", "no_such_model.npz"))
    pkg.load_model.cache_clear()
    try:
        assert pkg.load_model() is None
        segs = _cut([POLICY, MISSED])
        refine_kinds(segs, genre="minutes")
        assert [s.kind for s in segs] == ["content", "content"]
    finally:
        monkeypatch.undo()
        pkg.load_model.cache_clear()
    assert pkg.load_model() is not None
