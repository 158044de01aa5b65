"""Theme classifier: determinism, safe persistence, no-theme passages, zero-shot, store, CLI."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stratcompare.classify import (
    Codebook, ThemeClassifier, classify_passages, label_matrix, load_labels,
)
from stratcompare.classify.model import fingerprint
from stratcompare.embed import get_encoder

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "corpus" / "labels"

NO_THEME = [
    "Indholdsfortegnelse",
    "Strategiens formål",
    "Med venlig hilsen Jens Hansen, formand for Socialudvalget",
    "Godkendt i Byrådet den 3. maj 2021",
    "Målgruppe: Børn og unge 0-18 år",
    "Side 7 af 20",
]

TWO_THEMES = '''
id = "mini"
version = "1"
language = "da"

[[themes]]
id = "bolig"
label_da = "Bolig og hjemløshed"
definition = "Boliger til hjemløse og borgere i udsatte positioner, bostøtte i eget hjem."
terms = ["hjemløs*", "bolig*", "bostøtte*", "housing first"]
examples = ["Vi skaffer billige boliger til hjemløse borgere.", "Borgeren får bostøtte i sin egen bolig."]

[[themes]]
id = "job"
label_da = "Job og uddannelse"
definition = "Uddannelse, beskæftigelse og veje til arbejdsmarkedet."
terms = ["job*", "uddannelse*", "beskæftigelse*", "arbejdsmarked*"]
examples = ["Flere unge skal i uddannelse eller job.", "Jobcentret hjælper borgere tættere på arbejdsmarkedet."]
'''


@pytest.fixture(scope="module")
def data(codebook):
    recs = load_labels(LABELS, codebook.theme_ids)
    recs = recs[::3]  # a third of the labels keeps the test fast
    return [r.text for r in recs], label_matrix([r.themes for r in recs], codebook.theme_ids), [r.id for r in recs]


@pytest.fixture(scope="module")
def model(codebook, encoder, data):
    texts, Y, ids = data
    return ThemeClassifier(codebook, encoder=encoder, seed=7).fit(texts, Y, ids=ids)


def test_labels_in_repo_are_valid_and_cover_every_theme(codebook):
    recs = load_labels(LABELS, codebook.theme_ids)
    assert len(recs) >= 300
    Y = label_matrix([r.themes for r in recs], codebook.theme_ids)
    assert Y.sum(axis=0).min() >= 10
    assert sum(1 for r in recs if not r.themes) >= 50
    assert all(r.written == (r.source == "written") for r in recs)


def test_fit_is_deterministic_with_a_seed(codebook, encoder, data, model):
    texts, Y, ids = data
    again = ThemeClassifier(codebook, encoder=encoder, seed=7).fit(texts, Y, ids=ids)
    assert np.array_equal(model.coef, again.coef)
    assert np.array_equal(model.thresholds, again.thresholds)
    assert np.array_equal(model.blend, again.blend)
    probe = ["Vi vil bekæmpe hjemløshed med Housing First.", "Styregruppen følger op på målene."]
    assert np.array_equal(model.predict_proba(probe), again.predict_proba(probe))


def test_save_load_round_trip_without_pickle(tmp_path, codebook, encoder, model):
    d = model.save(tmp_path / "m")
    assert sorted(p.name for p in d.iterdir()) == ["codebook.toml", "model.json", "model.npz"]
    # .npz members are plain .npy arrays; loading with allow_pickle=False must work.
    with zipfile.ZipFile(d / "model.npz") as z:
        assert all(n.endswith(".npy") for n in z.namelist())
    arrays = dict(np.load(d / "model.npz", allow_pickle=False))
    assert all(a.dtype != object for a in arrays.values())
    json.loads((d / "model.json").read_text())
    loaded = ThemeClassifier.load(d, encoder=encoder)
    probe = ["Flere anbragte børn skal bo i plejefamilier.", "Budgettet skal overholdes.", "Indhold"]
    assert np.allclose(model.predict_proba(probe), loaded.predict_proba(probe), atol=1e-3)
    assert np.array_equal(model.predict(probe), loaded.predict(probe))
    assert fingerprint(arrays) == fingerprint(dict(np.load(loaded.save(tmp_path / "m2") / "model.npz")))


def test_load_refuses_other_encoder_and_codebook(tmp_path, encoder, model):
    from stratcompare.errors import ModelError

    d = model.save(tmp_path / "m")
    with pytest.raises(ModelError, match="needs encoder"):
        ThemeClassifier.load(d, encoder=get_encoder("hashing-256"))
    mini = tmp_path / "mini.toml"
    mini.write_text(TWO_THEMES, encoding="utf-8")
    with pytest.raises(ModelError, match="trained for codebook"):
        ThemeClassifier.load(d, codebook=Codebook.load(mini), encoder=encoder)


def test_no_theme_passages_get_no_theme(model, codebook, encoder):
    assert not model.predict(NO_THEME).any()
    zs = ThemeClassifier.zero_shot(codebook, encoder=encoder)
    assert not zs.predict(NO_THEME).any()


def test_output_has_scores_and_evidence(model):
    text = ("Vi arbejder efter Housing First, så unge hjemløse hurtigt får en billig bolig "
            "med bostøtte i eget hjem.")
    out = model.classify([{"id": "p1", "text": text}])[0]
    assert out["id"] == "p1"
    assert "housing_first" in out["themes"]
    assert set(out["scores"]) == set(model.theme_ids)
    ev = out["evidence"]["housing_first"]
    assert "housing first" in ev["terms"] and "hjemløs*" in ev["terms"]
    assert ev["examples"] and all("id" in e and "snippet" in e for e in ev["examples"])
    assert set(out["evidence"]) == set(out["themes"])


def test_zero_shot_custom_two_theme_codebook(tmp_path, encoder):
    p = tmp_path / "mini.toml"
    p.write_text(TWO_THEMES, encoding="utf-8")
    cb = Codebook.load(p)
    zs = ThemeClassifier.zero_shot(cb, encoder=encoder)
    recs = [
        {"id": "a", "text": "Kommunen vil skaffe flere boliger, så ingen hjemløse sover på gaden."},
        {"id": "b", "text": "Unge på kontanthjælp skal hurtigt i uddannelse eller job."},
        {"id": "c", "text": "Indholdsfortegnelse"},
    ]
    out = {r["id"]: r for r in zs.classify(recs)}
    assert out["a"]["themes"] == ["bolig"]
    assert out["b"]["themes"] == ["job"]
    assert out["c"]["themes"] == []
    assert out["a"]["evidence"]["bolig"]["examples"][0]["id"].startswith("codebook:bolig#")
    # Corpus calibration only ever raises thresholds.
    cal = ThemeClassifier.zero_shot(cb, encoder=encoder, corpus_texts=[r["text"] for r in recs] * 3)
    assert (cal.thresholds >= zs.thresholds).all()


def _db(tmp_path) -> sqlite3.Connection:
    from stratcompare.store.schema import MIGRATIONS

    conn = sqlite3.connect(tmp_path / "t.db")
    for _, sql in MIGRATIONS:
        conn.executescript(sql)
    conn.execute("INSERT INTO documents(id, path, source_key, kind, status, ingested_at) "
                 "VALUES ('d1', '/x.txt', '/x.txt', 'text', 'ok', '2024-01-01')")
    rows = [("p1", 1, "Flere anbragte børn skal bo i plejefamilier frem for på døgninstitution."),
            ("p2", 2, "Indholdsfortegnelse")]
    conn.executemany("INSERT INTO passages(id, document_id, seq, raw_text, text) VALUES (?, 'd1', ?, ?, ?)",
                     [(i, s, t, t) for i, s, t in rows])
    conn.commit()
    return conn


def test_classify_passages_writes_and_replaces_store_rows(tmp_path, model):
    conn = _db(tmp_path)
    assert classify_passages(conn, model=model) == 2
    assert classify_passages(conn, model=model) == 2  # replaces, never duplicates
    rows = conn.execute("SELECT passage_id, codebook, theme, probability, assigned, evidence, model "
                        "FROM passage_themes").fetchall()
    assert len(rows) == 2 * len(model.theme_ids)
    assert {r[1] for r in rows} == {"stratcompare-social@1.0"}
    assigned = {(r[0], r[2]) for r in rows if r[4] == 1}
    assert ("p1", "placements_family") in assigned
    assert not [a for a in assigned if a[0] == "p2"]
    ev = [json.loads(r[5]) for r in rows if r[0] == "p1" and r[2] == "placements_family"][0]
    assert "plejefamilie*" in ev["terms"]
    assert rows[0][6] == "blend:hashing"


def test_classify_cli_on_jsonl(tmp_path, model):
    from stratcompare.cli import app

    mdir = model.save(tmp_path / "model")
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "x1", "text": "Vi vil forebygge hjemløshed blandt unge med Housing First og billige boliger."},
        {"id": "x2", "text": "Forord"},
    ]) + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["classify", "--input", str(inp), "--model-dir", str(mdir), "--encoder", "hashing"])
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["x1", "x2"]
    assert "housing_first" in out[0]["themes"] and out[1]["themes"] == []
    csv_out = tmp_path / "o.csv"
    res = runner.invoke(app, ["classify", "-i", str(inp), "--model-dir", str(mdir), "--encoder", "hashing",
                              "--format", "csv", "-o", str(csv_out)])
    assert res.exit_code == 0, res.output
    header = csv_out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["id", "themes", "housing_first"]


def test_cli_errors_are_one_line(tmp_path):
    from stratcompare.cli import app

    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nversion = "1"\nlanguage = "da"\nthemes = []\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["themes", "--codebook", str(bad)])
    assert res.exit_code == 15
    err = res.stderr.strip()
    assert err.startswith("Error: ") and str(bad) in err and "\n" not in err


def test_themes_cli_lists_codebook():
    from stratcompare.cli import app

    res = CliRunner().invoke(app, ["themes", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 16 and rows[0]["id"] == "housing_first"


def test_zero_shot_theme_without_examples_is_calibrated(tmp_path, encoder):
    text = TWO_THEMES.replace(
        'examples = ["Flere unge skal i uddannelse eller job.", "Jobcentret hjælper borgere tættere på arbejdsmarkedet."]\n', "")
    p = tmp_path / "noex.toml"
    p.write_text(text, encoding="utf-8")
    cb = Codebook.load(p)
    assert cb.theme("job").examples == ()
    zs = ThemeClassifier.zero_shot(cb, encoder=encoder)
    assert np.isfinite(zs.zeroshot.centre).all() and (zs.zeroshot.scale > 0).all()
    out = zs.classify([{"id": "b", "text": "Flere unge skal have et job eller en uddannelse, og jobcentret hjælper."},
                       {"id": "c", "text": "Forord"}])
    assert "job" in out[0]["themes"] and out[1]["themes"] == []
    assert out[0]["evidence"]["job"]["examples"] == []


def test_classify_passages_reuses_stored_embeddings(tmp_path, model):
    from stratcompare.embed.storage import text_hash

    conn = _db(tmp_path)
    text = conn.execute("SELECT text FROM passages WHERE id = 'p1'").fetchone()[0]
    vec = model.encoder.encode_passages([text])[0]
    conn.execute("INSERT INTO embeddings(passage_id, model, text_hash, dim, vector) VALUES ('p1', ?, ?, ?, ?)",
                 (model.encoder_name, text_hash(text), int(model.encoder.dim), vec.astype("<f4").tobytes()))
    conn.commit()
    calls = []

    class Counting:
        model_id, dim = model.encoder.model_id, model.encoder.dim

        def encode_passages(self, texts, **kw):
            calls.append(list(texts))
            return model.encoder.encode_passages(texts)

        encode_queries = encode_passages

    m2 = ThemeClassifier.load(model.save(tmp_path / "m"), encoder=Counting())
    calls.clear()
    classify_passages(conn, model=m2)
    assert calls and all(text not in c for c in calls)
