"""evaluate / agreement numbers on tiny examples computed by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from stratcompare.classify import coding_agreement, cohen_kappa, evaluate, theme_scores
from stratcompare.errors import InvalidJSONLError


def by_theme(rows):
    return {r["theme"]: r for r in rows}


def test_theme_scores_hand_computed():
    y_true = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0], [0, 1, 0]])
    y_pred = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 0]])
    r = by_theme(theme_scores(y_true, y_pred, ["a", "b", "c"]))
    # a: tp=1 fp=1 fn=1
    assert (r["a"]["precision"], r["a"]["recall"], r["a"]["f1"], r["a"]["support"]) == (0.5, 0.5, 0.5, 2)
    # b: tp=2
    assert (r["b"]["precision"], r["b"]["recall"], r["b"]["f1"]) == (1.0, 1.0, 1.0)
    # c: never in the gold labels, one false positive: 0 everywhere, left out of macro
    assert (r["c"]["precision"], r["c"]["f1"], r["c"]["support"], r["c"]["predicted"]) == (0.0, 0.0, 0, 1)
    assert r["macro"]["f1"] == pytest.approx(0.75)
    # micro: tp=3 fp=2 fn=1 -> P=0.6 R=0.75 F=2/3
    assert r["micro"]["precision"] == pytest.approx(0.6)
    assert r["micro"]["recall"] == pytest.approx(0.75)
    assert r["micro"]["f1"] == pytest.approx(2 / 3)


def test_cohen_kappa_hand_computed():
    a = [1, 1, 0, 0, 1, 0, 1, 0, 0, 0]
    b = [1, 0, 0, 0, 1, 0, 1, 1, 0, 0]
    # po = 0.8; pa = pb = 0.4; pe = 0.16 + 0.36 = 0.52; kappa = 0.28 / 0.48
    assert cohen_kappa(a, b) == pytest.approx(0.28 / 0.48)
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) == 1.0
    assert cohen_kappa([1, 0], [0, 1]) == pytest.approx(-1.0)


def _write(path, recs):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    return path


A = [1, 1, 0, 0, 1, 0, 1, 0, 0, 0]
B = [1, 0, 0, 0, 1, 0, 1, 1, 0, 0]


def _codings(tmp_path):
    a = _write(tmp_path / "a.jsonl", [
        {"id": f"p{i}", "themes": (["housing_first"] if x else []) + (["mental_health"] if i == 0 else [])}
        for i, x in enumerate(A)])
    # coder B in another order, with one extra passage that A did not code (ignored)
    recs = [{"id": f"p{i}", "themes": (["housing_first"] if x else []) + (["mental_health"] if i == 0 else [])}
            for i, x in enumerate(B)]
    b = _write(tmp_path / "b.jsonl", list(reversed(recs)) + [{"id": "extra", "themes": ["housing_first"]}])
    return a, b


def test_agreement_api_matches_by_id(tmp_path):
    a, b = _codings(tmp_path)
    r = by_theme(coding_agreement(a, b))
    assert r["housing_first"]["kappa"] == pytest.approx(0.28 / 0.48)
    assert r["housing_first"]["agreement"] == pytest.approx(0.8)
    assert r["housing_first"]["n"] == 10
    assert r["mental_health"]["kappa"] == 1.0 and r["mental_health"]["agreement"] == 1.0
    assert r["mean"]["kappa"] == pytest.approx((0.28 / 0.48 + 1.0) / 2)


def test_agreement_cli(tmp_path):
    from stratcompare.cli import app

    a, b = _codings(tmp_path)
    res = CliRunner().invoke(app, ["agreement", str(a), str(b), "--format", "json"])
    assert res.exit_code == 0, res.output
    r = by_theme(json.loads(res.stdout))
    assert r["housing_first"]["kappa"] == pytest.approx(0.5833, abs=1e-3)
    assert r["housing_first"]["coder_a"] == 4 and r["housing_first"]["coder_b"] == 4


def test_agreement_without_shared_ids_is_an_error(tmp_path):
    a = _write(tmp_path / "a.jsonl", [{"id": "x", "themes": []}])
    b = _write(tmp_path / "b.jsonl", [{"id": "y", "themes": []}])
    with pytest.raises(InvalidJSONLError, match="share no ids"):
        coding_agreement(a, b)


class LookupModel:
    """A stand-in model whose predictions are fixed, so evaluate's numbers are known."""

    theme_ids = ["housing_first", "mental_health"]

    def __init__(self, preds):
        self.preds = preds

    def predict(self, texts):
        return np.array([self.preds[t] for t in texts], dtype=bool)


def test_evaluate_hand_computed(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", [
        {"id": "1", "text": "t1", "themes": ["housing_first"]},
        {"id": "2", "text": "t2", "themes": ["housing_first", "mental_health"]},
        {"id": "3", "text": "t3", "themes": []},
        {"id": "4", "text": "t4", "themes": ["mental_health"]},
    ])
    model = LookupModel({"t1": [1, 0], "t2": [0, 1], "t3": [1, 0], "t4": [0, 0]})
    r = by_theme(evaluate(gold, model=model))
    assert (r["housing_first"]["precision"], r["housing_first"]["recall"]) == (0.5, 0.5)
    assert (r["mental_health"]["precision"], r["mental_health"]["recall"]) == (1.0, 0.5)
    assert r["mental_health"]["f1"] == pytest.approx(2 / 3)
    assert r["macro"]["f1"] == pytest.approx((0.5 + 2 / 3) / 2)
    # micro: tp=2 fp=1 fn=2 -> P=2/3 R=1/2 F=4/7
    assert r["micro"]["f1"] == pytest.approx(4 / 7)


def test_evaluate_rejects_unknown_theme(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", [{"id": "1", "text": "t", "themes": ["no_such_theme"]}])
    with pytest.raises(InvalidJSONLError, match="not in the codebook"):
        evaluate(gold, model=LookupModel({}))


def test_evaluate_cli_zero_shot_custom_codebook(tmp_path):
    from stratcompare.cli import app

    cb = tmp_path / "cb.toml"
    cb.write_text('id = "m"\nversion = "1"\nlanguage = "da"\n[[themes]]\nid = "bolig"\nlabel_da = "Bolig"\n'
                  'definition = "Boliger og hjemløshed."\nterms = ["bolig*", "hjemløs*"]\n'
                  'examples = ["Vi skaffer boliger til hjemløse."]\n', encoding="utf-8")
    gold = _write(tmp_path / "gold.jsonl", [
        {"id": "1", "text": "Flere billige boliger til hjemløse unge i kommunen.", "themes": ["bolig"]},
        {"id": "2", "text": "Indhold", "themes": []},
    ])
    res = CliRunner().invoke(app, ["evaluate", "--labels", str(gold), "--codebook", str(cb),
                                   "--encoder", "hashing", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["theme"] for r in rows] == ["bolig", "macro", "micro"]
    assert rows[0]["support"] == 1
