"""CLI end to end (typer's CliRunner): ingest, documents, passages, show, errors, help texts."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from stratcompare.cli import app

runner = CliRunner()

TEXT = ("Herning Kommune\n\nStrategi for udsatte børn og unge 2016-2019\n\n"
        "Vi vil styrke den tidlige indsats og samarbejdet med skoler og dagtilbud.\n\n"
        "Anbringelser\n\nFlere børn skal anbringes i netværkspleje frem for på institution.\n")


@pytest.fixture
def ingested(tmp_path):
    f = tmp_path / "herning.txt"
    f.write_text(TEXT, encoding="utf-8")
    db = tmp_path / "c.db"
    result = runner.invoke(app, ["ingest", str(f), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def test_ingest_prints_summary(tmp_path):
    f = tmp_path / "herning.txt"
    f.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(f), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 0
    assert "1 ingested" in result.output and "Herning" in result.output


def test_documents_formats(ingested):
    out = runner.invoke(app, ["documents", "--db", str(ingested), "--format", "json"])
    assert out.exit_code == 0
    records = json.loads(out.stdout)
    assert isinstance(records, list) and records[0]["municipality"] == "Herning"
    assert records[0]["year"] == "2016-2019" and records[0]["passages"] == 2
    out = runner.invoke(app, ["documents", "--db", str(ingested), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows[0]["municipality"] == "Herning"
    out = runner.invoke(app, ["documents", "--db", str(ingested)])
    assert "Herning" in out.stdout and "confidence" in out.stdout


def test_passages_jsonl_and_show(ingested):
    out = runner.invoke(app, ["passages", "--db", str(ingested), "--municipality", "herning"])
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [p["section"] for p in lines][-1] == "Anbringelser"
    assert {"id", "document_id", "document_path", "municipality", "page", "section", "text"} <= set(lines[0])
    pid = lines[1]["id"]
    out = runner.invoke(app, ["show", pid, "--db", str(ingested)])
    assert out.exit_code == 0 and "netværkspleje" in out.stdout and "page: 1" in out.stdout
    doc_id = lines[0]["document_id"]
    out = runner.invoke(app, ["show", doc_id[:8], "--db", str(ingested), "--format", "json"])
    assert json.loads(out.stdout)[0]["type"] == "document"


def test_show_unknown_id_is_one_line_error(ingested):
    out = runner.invoke(app, ["show", "nope", "--db", str(ingested)])
    assert out.exit_code == 18
    assert out.stderr.strip().count("\n") == 0 and "nope" in out.stderr


def test_missing_database_is_a_clear_error(tmp_path):
    out = runner.invoke(app, ["documents", "--db", str(tmp_path / "none.db")])
    assert out.exit_code == 18 and "stratcompare ingest" in out.stderr


def test_bad_file_exits_nonzero_with_one_line_and_keeps_going(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    (tmp_path / "ok.txt").write_text(TEXT, encoding="utf-8")
    out = runner.invoke(app, ["ingest", str(tmp_path), "--db", str(tmp_path / "c.db")])
    assert out.exit_code == 5  # CorruptPDFError
    errors = [ln for ln in out.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and "broken.pdf" in errors[0]
    assert "Traceback" not in out.output
    assert "1 ingested" in out.stderr and "1 failed" in out.stderr


def test_municipality_override(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text(TEXT, encoding="utf-8")
    db = tmp_path / "c.db"
    runner.invoke(app, ["ingest", str(f), "--db", str(db), "--municipality", "Aarhus"])
    out = runner.invoke(app, ["documents", "--db", str(db), "--format", "json"])
    [doc] = json.loads(out.stdout)
    assert doc["municipality"] == "Aarhus" and doc["confidence"] == 1.0


def test_env_var_selects_database(tmp_path, monkeypatch):
    f = tmp_path / "x.txt"
    f.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("STRATCOMPARE_DB", str(tmp_path / "env.db"))
    assert runner.invoke(app, ["ingest", str(f)]).exit_code == 0
    assert (tmp_path / "env.db").exists()


@pytest.mark.parametrize("command", ["ingest", "documents", "passages", "show"])
def test_help_ends_with_example(command):
    out = runner.invoke(app, [command, "--help"])
    assert out.exit_code == 0
    assert out.stdout.strip().splitlines()[-1].strip().startswith("Example: stratcompare")


def test_unknown_municipality_override_is_refused_with_suggestion(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text(TEXT, encoding="utf-8")
    out = runner.invoke(app, ["ingest", str(f), "--db", str(tmp_path / "c.db"), "-m", "Hjørrinq"])
    assert out.exit_code == 2 and "Hjørrinq" in out.stderr and "Hjørring" in out.stderr
    assert not (tmp_path / "c.db").exists() or "x.txt" not in out.stdout
