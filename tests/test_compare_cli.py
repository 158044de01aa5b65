"""CLI: stratcompare compare / report through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from stratcompare.cli import app
from synth_store import add_document, add_embedding, add_passage, add_theme
from stratcompare.store import Store

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.db"
    store = Store.open(path)
    c = store.conn
    add_document(c, "dk", "Køge", title="Køge strategi", year=2024)
    add_document(c, "dh", "Herning", title="Herningmodellen", year=2019)
    rows = [("k1", "dk", "Housing First giver hjemløse borgere en bolig med bostøtte.", 3,
             {"housing_first": 0.9}, [1, 0, 0]),
            ("k2", "dk", "Budgettet skal styres tæt, og udgifterne skal ned.", 4,
             {"economic_steering": 0.8}, [0, 1, 0]),
            ("h1", "dh", "Unge hjemløse skal tilbydes egen bolig og bostøtte tidligt.", 1,
             {"housing_first": 0.85, "early_intervention": 0.7}, [1, 0.2, 0])]
    for i, (pid, doc, text, page, themes, vec) in enumerate(rows):
        add_passage(c, pid, doc, text, seq=i, page=page)
        for t, p in themes.items():
            add_theme(c, pid, t, p)
        add_embedding(c, pid, vec)
    store.close()
    return path


def invoke(*args):
    return runner.invoke(app, [*args])


def test_csv_layout(db):
    r = invoke("compare", "--db", str(db), "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0][0] == "municipality" and rows[0][1:3] == ["housing_first", "early_intervention"]
    assert len(rows[0]) == 17                      # municipality + 16 codebook themes
    by = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert set(by) == {"Køge", "Herning"}
    assert float(by["Køge"]["housing_first"]) == pytest.approx(0.5)
    assert float(by["Herning"]["early_intervention"]) == pytest.approx(1.0)


def test_json_is_a_list_of_records(db):
    r = invoke("compare", "--db", str(db), "--format", "json", "--normalise", "count")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert isinstance(data, list) and data[0]["municipality"] == "Herning"
    assert data[1]["housing_first"] == 1 and data[1]["economic_steering"] == 1


def test_table_is_readable_and_fits(db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = invoke("compare", "--db", str(db))
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "Køge" in r.stdout and "50%" in r.stdout
    assert "housing_first" in r.stdout            # in the legend of short column codes


def test_similarity_and_cooccurrence(db):
    r = invoke("compare", "--db", str(db), "--matrix", "similarity", "--basis", "embeddings",
               "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data[0]["municipality"] == "Herning" and data[0]["Herning"] == pytest.approx(1.0)
    r = invoke("compare", "--db", str(db), "--matrix", "cooccurrence", "--format", "md")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("| theme | housing_first")
    line = next(x for x in r.stdout.splitlines() if x.startswith("| housing_first "))
    assert line.split("|")[2:4] == [" 2 ", " 1 "]


def test_cell_drilldown(db):
    r = invoke("compare", "--db", str(db), "--cell", "koge:housing_first", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(d["passage_id"], d["page"], d["municipality"]) for d in data] == [("k1", 3, "Køge")]
    assert "Housing First" in data[0]["text"] and data[0]["document"] == "Køge strategi"
    r = invoke("compare", "--db", str(db), "--cell", "Køge:Herning", "--matrix", "similarity",
               "--basis", "embeddings", "--format", "json", "--limit", "1")
    assert r.exit_code == 0, r.output
    pair = json.loads(r.stdout)[0]
    assert (pair["a_passage_id"], pair["b_passage_id"]) == ("k1", "h1")
    r = invoke("compare", "--db", str(db), "--cell", "Køge:housing_first")
    assert r.exit_code == 0 and "s." not in r.stdout and "3" in r.stdout   # table view


def test_xlsx(db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "m.xlsx"
    r = invoke("compare", "--db", str(db), "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    ws = load_workbook(out)["themes"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["municipality", "housing_first"]
    r = invoke("compare", "--db", str(db), "--format", "xlsx")
    assert r.exit_code == 2 and "-o" in r.output


def test_errors_are_one_line(db, tmp_path):
    r = invoke("compare", "--db", str(db), "--cell", "Roskilde:housing_first")
    assert r.exit_code == 18
    assert r.output.strip().count("\n") == 0 and "Roskilde" in r.output and "Køge" in r.output
    r = invoke("compare", "--db", str(tmp_path / "missing.db"))
    assert r.exit_code == 18 and "Traceback" not in r.output
    bare = tmp_path / "bare.db"
    store = Store.open(bare)
    add_document(store.conn, "d", "Odense")
    store.close()
    r = invoke("compare", "--db", str(bare))
    assert r.exit_code == 18 and "classify" in r.output


def test_report_command(db, tmp_path):
    out = tmp_path / "report.html"
    r = invoke("report", "--db", str(db), "-o", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "Herningmodellen" in html and "<svg" in html


def test_help_ends_with_example():
    for cmd in ("compare", "report"):
        r = invoke(cmd, "--help")
        assert r.exit_code == 0
        assert r.output.strip().splitlines()[-1].strip().startswith("Example: stratcompare")
