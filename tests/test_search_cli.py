"""CLI: stratcompare search / similar / embed through typer's CliRunner (hashing encoder)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from stratcompare.cli import app
from synth_text import SynthDocument, SynthPassage, build_store

runner = CliRunner()


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "cli.db"
    build_store(path, [
        SynthDocument("Køge", "Strategier", 2022, 2025, [
            SynthPassage(3, "Bolig", "Housing First giver hjemløse borgere en bolig med bostøtte."),
            SynthPassage(4, None, "Budgettet skal styres tæt, og udgifterne skal ned."),
        ], path="/c/k.txt"),
        SynthDocument("Herning", "Herningmodellen", 2019, None, [
            SynthPassage(1, None, "Unge hjemløse skal tilbydes egen bolig og bostøtte."),
        ], path="/c/h.txt"),
    ]).close()
    return path


def invoke(*args):
    return runner.invoke(app, [*args], env={"STRATCOMPARE_MODEL": "hashing"})


def test_search_json_carries_the_contract_fields(db):
    r = invoke("search", "hjemløse og bolig", "--db", str(db), "--format", "json", "--top-k", "2")
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)
    assert len(hits) == 2
    for h in hits:
        assert {"passage_id", "municipality", "document", "page", "score", "text"} <= set(h)
    assert {h["municipality"] for h in hits} == {"Køge", "Herning"}


def test_search_table_marks_query_words_and_filters(db):
    r = invoke("search", "bostøtte", "--db", str(db), "--exclude-municipality", "Køge", "--mode", "lexical")
    assert r.exit_code == 0, r.output
    assert "Herning" in r.stdout and "Køge" not in r.stdout and "«bostøtte»" in r.stdout


def test_search_csv_and_jsonl(db):
    r = invoke("search", "budget", "--db", str(db), "--format", "csv", "--mode", "dense", "-k", "3")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert r.exit_code == 0 and len(rows) == 3 and "passage_id" in rows[0]
    r = invoke("search", "budget", "--db", str(db), "--format", "jsonl", "--municipality", "Køge")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert lines and all(x["municipality"] == "Køge" for x in lines)


def test_similar_and_embed(db):
    r = invoke("embed", "--db", str(db), "--format", "json")
    assert r.exit_code == 0, r.output
    rec = json.loads(r.stdout)[0]
    assert rec["model"] == "hashing" and rec["embedded"] == 3 and rec["stored"] == 3
    assert json.loads(invoke("embed", "--db", str(db), "--format", "json").stdout)[0]["embedded"] == 0
    hits = json.loads(invoke("search", "Housing First", "--db", str(db), "-f", "json").stdout)
    src = hits[0]["passage_id"]
    r = invoke("similar", src, "--db", str(db), "--format", "json")
    assert r.exit_code == 0, r.output
    assert [h["municipality"] for h in json.loads(r.stdout)] == ["Herning"]


def test_errors_are_one_line_with_exit_codes(db, tmp_path):
    r = invoke("search", "bolig", "--db", str(tmp_path / "missing.db"))
    assert r.exit_code == 18 and r.stderr.startswith("Error:") and len(r.stderr.strip().splitlines()) == 1
    r = invoke("search", "bolig", "--db", str(db), "--theme", "housing_first")
    assert r.exit_code == 2 and "no passage has themes yet" in r.stderr
    r = invoke("similar", "nope", "--db", str(db))
    assert r.exit_code == 18
    r = runner.invoke(app, ["search", "bolig", "--db", str(db), "--model", str(tmp_path)])
    assert r.exit_code == 16 and "Traceback" not in r.output


@pytest.mark.parametrize("cmd", ["search", "similar", "embed"])
def test_help_ends_with_an_example(cmd):
    r = runner.invoke(app, [cmd, "--help"])
    assert r.exit_code == 0
    assert r.stdout.strip().splitlines()[-1].strip().startswith("Example: stratcompare " + cmd)


def test_similar_table_shows_the_similarity(db):
    """`similar` has no query, so no match strength: its table shows the cosine instead of an
    empty strength column."""
    hits = json.loads(invoke("search", "Housing First", "--db", str(db), "-f", "json").stdout)
    src = hits[0]["passage_id"]
    score = json.loads(invoke("similar", src, "--db", str(db), "-f", "json").stdout)[0]["score"]
    r = invoke("similar", src, "--db", str(db))
    assert r.exit_code == 0, r.output
    header, _rule, first = r.stdout.splitlines()[:3]
    assert header.split()[:2] == ["rank", "similarity"]
    assert first.split()[1] == f"{score:.3f}"
