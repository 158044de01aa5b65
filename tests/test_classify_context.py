"""Genre (and kind) as context of the theme model: features, offsets, persistence, pass-through."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from stratcompare.classify import ThemeClassifier, classify_passages, label_matrix, load_labels
from stratcompare.classify.labels import label_genres, normal_genre
from stratcompare.errors import ModelError

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "corpus" / "labels"
HOUSING = "Vi arbejder efter Housing First, så hjemløse borgere hurtigt får egen bolig med bostøtte."


@pytest.fixture(scope="module")
def genre_data(codebook):
    """Each themed passage twice: once from a strategy with its themes, once from minutes where
    only every fourth copy keeps them — the genre alone tells the two copies apart."""
    recs = [r for r in load_labels(LABELS, codebook.theme_ids) if r.themes][::4]
    texts, themes, genres = [], [], []
    for i, r in enumerate(recs):
        texts += [r.text, r.text]
        themes += [r.themes, r.themes if i % 4 == 0 else []]
        genres += ["strategy", "minutes"]
    ids = [f"g{i}" for i in range(len(texts))]
    groups = [f"m{i // 2 % 7}" for i in range(len(texts))]
    return texts, label_matrix(themes, codebook.theme_ids), ids, groups, genres


@pytest.fixture(scope="module")
def genre_model(codebook, encoder, genre_data):
    texts, Y, ids, groups, genres = genre_data
    return ThemeClassifier(codebook, encoder=encoder, seed=3, genre_feature=True).fit(
        texts, Y, ids=ids, groups=groups, genres=genres)


def test_genre_feature_is_learnt_and_unknown_genre_is_neutral(genre_model):
    texts = [HOUSING] * 3
    p = genre_model.predict_proba(texts, genres=["strategy", "minutes", None])
    # summed over themes (a saturated theme can sit at 1.0 whatever the genre)
    assert p[0].sum() > p[2].sum() > p[1].sum()
    # the neutral encoding is the training share of each genre (half strategy, half minutes)
    assert np.allclose(genre_model.genre_neutral, [0.5, 0.5, 0.0, 0.0])
    # an unknown genre name is neutral too, and no genres at all is the same as all unknown
    assert np.allclose(genre_model.predict_proba(texts[:1], genres=["brochure"]), p[2:3])
    assert np.allclose(genre_model.predict_proba(texts[:1]), p[2:3])


def test_genre_model_is_deterministic_and_round_trips(tmp_path, codebook, encoder, genre_data, genre_model):
    texts, Y, ids, groups, genres = genre_data
    again = ThemeClassifier(codebook, encoder=encoder, seed=3, genre_feature=True).fit(
        texts, Y, ids=ids, groups=groups, genres=genres)
    assert np.array_equal(genre_model.coef, again.coef)
    assert np.array_equal(genre_model.thresholds, again.thresholds)
    d = genre_model.save(tmp_path / "m")
    meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
    assert meta["format_version"] == 2 and meta["context"]["genre_feature"] is True
    loaded = ThemeClassifier.load(d, encoder=encoder)
    assert loaded.genre_feature and not loaded.kind_feature
    g = ["strategy", "minutes", "news", None]
    probe = [HOUSING, HOUSING, "Budgettet skal overholdes.", "Indhold"]
    assert np.allclose(genre_model.predict_proba(probe, genres=g), loaded.predict_proba(probe, genres=g), atol=1e-3)
    assert np.array_equal(genre_model.predict(probe, genres=g), loaded.predict(probe, genres=g))


def test_version_1_models_load_and_unknown_versions_say_so(tmp_path, codebook, encoder, genre_data):
    texts, Y, ids, groups, _ = genre_data
    plain = ThemeClassifier(codebook, encoder=encoder, seed=3).fit(texts, Y, ids=ids, groups=groups)
    d = plain.save(tmp_path / "v1")
    meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
    del meta["context"]
    meta["format_version"] = 1          # as written before the context settings existed
    (d / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    old = ThemeClassifier.load(d, encoder=encoder)
    assert not (old.genre_feature or old.kind_feature or old.genre_offsets)
    probe = [HOUSING, "Indhold"]
    assert np.allclose(old.predict_proba(probe, genres=["minutes", None]), plain.predict_proba(probe), atol=1e-3)
    meta["format_version"] = 99
    (d / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="version 99"):
        ThemeClassifier.load(d, encoder=encoder)


def test_genre_offsets_raise_the_bar_for_minutes(codebook, encoder, genre_data):
    texts, Y, ids, groups, genres = genre_data
    m = ThemeClassifier(codebook, encoder=encoder, seed=3, genre_offsets=True).fit(
        texts, Y, ids=ids, groups=groups, genres=genres)
    assert set(m.offsets) == {"strategy", "minutes"}
    assert m.offsets["minutes"] > m.offsets["strategy"]
    P = m.predict_proba([HOUSING] * 2, genres=["strategy", "minutes"])
    assert np.array_equal(P[0], P[1])   # offsets move thresholds, not probabilities
    T = m._row_thresholds(2, ["minutes", None])
    assert np.allclose(T[1], m.thresholds)
    assert np.allclose(T[0], np.clip(m.thresholds + m.offsets["minutes"], 0.01, 0.99))


def test_kind_feature_uses_substantive_kinds_only(codebook, encoder, genre_data):
    texts, Y, ids, groups, genres = genre_data
    kinds = ["list" if i % 3 == 0 else "content" for i in range(len(texts))]
    m = ThemeClassifier(codebook, encoder=encoder, seed=3, genre_feature=True, kind_feature=True).fit(
        texts, Y, ids=ids, groups=groups, genres=genres, kinds=kinds)
    ctx = m._context(3, ["news", None, "minutes"], ["table", "heading", "list"])
    assert ctx.shape == (3, 7)
    assert np.allclose(ctx[0], [0, 0, 1, 0, 0, 0, 1])
    assert np.allclose(ctx[1, 4:], m.kind_neutral)   # heading is not a context kind: neutral
    with pytest.raises(Exception, match="kinds has"):
        m.fit(texts, Y, ids=ids, groups=groups, genres=genres, kinds=kinds[:-1])


def test_classify_passages_passes_the_documents_genre(tmp_path, genre_model):
    from stratcompare.store.schema import MIGRATIONS

    conn = sqlite3.connect(tmp_path / "t.db")
    for _, sql in MIGRATIONS:
        conn.executescript(sql)
    for doc, genre in (("d1", "strategy"), ("d2", "minutes"), ("d3", None)):
        conn.execute("INSERT INTO documents(id, path, source_key, kind, status, ingested_at, genre) "
                     "VALUES (?, ?, ?, 'text', 'ok', '2024-01-01', ?)", (doc, f"/{doc}.txt", f"/{doc}.txt", genre))
        conn.execute("INSERT INTO passages(id, document_id, seq, raw_text, text) VALUES (?, ?, 1, ?, ?)",
                     (f"p-{doc}", doc, HOUSING, HOUSING))
    conn.commit()
    assert classify_passages(conn, model=genre_model) == 3
    prob = dict(conn.execute("SELECT passage_id, SUM(probability) FROM passage_themes GROUP BY passage_id"))
    assert prob["p-d1"] > prob["p-d3"] > prob["p-d2"]


def test_label_genres_from_labels_else_the_detected_document(tmp_path):
    lab = tmp_path / "labels.jsonl"
    rows = [{"id": "a", "text": "x", "themes": [], "genre": "policy", "source": "nowhere.pdf"},
            {"id": "b", "text": "y", "themes": [], "source": "holstebro-investeringsmodel.txt"},
            {"id": "c", "text": "z", "themes": [], "source": "written", "written": True},
            {"id": "d", "text": "w", "themes": [], "source": "missing.txt"}]
    lab.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    data = load_labels(lab)
    assert label_genres(data) == ["strategy", None, None, None]
    assert label_genres(data, REPO / "corpus") == ["strategy", "strategy", None, None]
    assert normal_genre("Referat") == "minutes" and normal_genre("brochure") is None


def test_passages_jsonl_keeps_genre_and_kind(tmp_path):
    from stratcompare.classify.api import read_passages_jsonl

    p = tmp_path / "in.jsonl"
    p.write_text('{"id": 1, "text": "a", "genre": "nyhed", "kind": "list"}\n{"id": 2, "text": "b"}\n',
                 encoding="utf-8")
    assert read_passages_jsonl(p) == [{"id": "1", "text": "a", "genre": "news", "kind": "list"},
                                      {"id": "2", "text": "b", "genre": None, "kind": None}]


def test_train_command_passes_the_context_options(tmp_path):
    """`stratcompare train --genre-feature --genre-offsets` is a thin shell over `train(...)`:
    the saved model carries the options; without them it carries none."""
    from typer.testing import CliRunner

    from stratcompare.cli import app

    labels = tmp_path / "labels"
    labels.mkdir()
    recs = [json.loads(line) for line in (LABELS / "real_pages.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()][:160]
    (labels / "l.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n",
                                    encoding="utf-8")
    runner = CliRunner()
    for flags, expected in (([], False), (["--genre-feature", "--genre-offsets"], True)):
        out = tmp_path / ("with" if flags else "without")
        res = runner.invoke(app, ["train", "--labels", str(labels), "--out", str(out),
                                  "--encoder", "hashing", *flags])
        assert res.exit_code == 0, res.output
        model = ThemeClassifier.load(out)
        assert model.genre_feature is expected and model.genre_offsets is expected
        assert model.kind_feature is False
