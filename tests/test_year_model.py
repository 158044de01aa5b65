"""The learned year chooser experiment (bench/year_model.py; not adopted into the package, see
docs/benchmarks.md, "Years: a learned chooser beside the rules (session 6)"): it must stay
runnable on top of ``metadata.years``' scan, fit deterministically and keep its gate."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def ym():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("year_model_bench", BENCH / "year_model.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _feature(cands, year, name, ym):
    cand = next(c for c in cands if c.year == year)
    return cand.x[ym.FEATURES.index(name)]


def test_candidates_hold_short_dates_and_the_roles_of_a_period(ym):
    from stratcompare.metadata import detect_years

    text = ("Referat\nDato: 14.06.23\n\nRusmiddelpolitik for årene 2025 til og med 2028 blev "
            "drøftet. Målet er nået inden 2030.")
    info = detect_years([text], genre="minutes")
    cands = ym.candidates([text], None, "minutes", info)
    years = [c.year for c in cands]
    assert 2023 in years  # a two-digit-year date the rules' scan does not read
    assert _feature(cands, 2023, "own", ym) == 1.0  # "Dato:" labels it as the document's
    # "for årene 2025 til og med 2028" is one period to the rules' scan (session 7): its years
    # are the range's start and end, not two years told apart by "til og med" cues
    assert _feature(cands, 2025, "range_start", ym) == 1.0
    assert _feature(cands, 2028, "range_end", ym) == 1.0
    assert _feature(cands, 2025, "cue_plan", ym) == 1.0  # "Rusmiddelpolitik" names the plan
    assert _feature(cands, 2030, "goal_any", ym) == 1.0
    assert _feature(cands, 2030, "minutes:goal_any", ym) == 1.0  # crossed with the genre
    assert _feature(cands, 2030, "news:goal_any", ym) == 0.0
    assert all(len(c.x) == len(ym.FEATURES) for c in cands)


def _toy_docs(ym):
    """Minutes whose own year is the labelled meeting date, among older and goal years."""
    from stratcompare.metadata import detect_years

    docs = []
    for i, (own, old) in enumerate([(2024, 2019), (2021, 2016), (2023, 2018), (2025, 2020),
                                    (2022, 2017), (2020, 2015)]):
        text = (f"Handicappolitik {old}-{old + 3} blev evalueret i {old + 2}.\n"
                f"Mødedato: 3. april {own}\nSagen blev behandlet.")
        info = detect_years([text], genre="minutes")
        docs.append(ym._doc(f"toy{i}", f"dev:toy{i % 3}", own, [text], None, "minutes"))
        assert info.year == own
    return docs


def test_fitting_is_deterministic_and_learns_a_preference(ym):
    docs = _toy_docs(ym)
    w1, w2 = ym.fit(docs, 1.0), ym.fit(docs, 1.0)
    assert np.array_equal(w1, w2)
    for d in docs:
        z = d.X @ w1
        assert d.years[int(np.argmax(z))] == d.expected


def test_the_gate_keeps_the_rules_unless_the_model_is_sure(ym):
    docs = _toy_docs(ym)
    d = docs[0]
    wrong = ym.Doc(d.name, d.fold, d.expected, d.years[0], d.basis, d.years, d.X)  # rules: 2019
    w = ym.fit(docs, 1.0)
    assert ym.decide(wrong, w, 0.5) == d.expected  # the model overrides a wrong rule
    assert ym.decide(wrong, w, 1.01) == wrong.rules  # above any probability: the rules stand
    assert ym.decide(wrong, np.zeros_like(w), 0.5) == wrong.rules  # an unsure model (uniform)


def test_a_batch_figure_prints_counts_only(ym, capsys):
    assert ym.batch_figure("b14_", None) == 0
    out = capsys.readouterr().out
    assert out.startswith("b14_*: years, rules alone ")
    assert ".txt" not in out
