"""Fixes found by trying the tool as a new user: each problem a one-line error, never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stratcompare.cli import app
from stratcompare.store import Store
from synth_store import add_document, add_passage, add_theme

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "u.db"
    store = Store.open(path)
    add_document(store.conn, "dk", "Køge", title="Køge strategi", year=2024)
    add_passage(store.conn, "k1", "dk", "Housing First giver hjemløse borgere en bolig.", seq=0)
    add_theme(store.conn, "k1", "housing_first", 0.9)
    store.close()
    return path


def _one_line_error(result, path_part: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("Error: "), result.output
    assert path_part in lines[-1] and "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["compare", "--format", "csv"],
    ["compare", "--cell", "Køge:housing_first", "--format", "csv"],
])
def test_output_into_unwritable_place_is_one_line_error(db, tmp_path, args):
    blocker = tmp_path / "afile"
    blocker.write_text("x")  # a file where a folder is needed: no one (not even root) can write there
    out = blocker / "out.csv"
    result = runner.invoke(app, [*args, "--db", str(db), "-o", str(out)])
    assert result.exit_code == 9, result.output
    _one_line_error(result, str(out))


def test_repair_output_into_unwritable_place_is_one_line_error(tmp_path):
    src = tmp_path / "scan.txt"
    src.write_text("Hjgrring Kommunes gkonomi\n", encoding="utf-8")
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    out = blocker / "r.txt"
    result = runner.invoke(app, ["repair", str(src), "-o", str(out)])
    assert result.exit_code == 9, result.output
    _one_line_error(result, str(out))


def test_output_folder_is_made_like_report(db, tmp_path):
    out = tmp_path / "new" / "sub" / "m.csv"
    result = runner.invoke(app, ["compare", "--db", str(db), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("municipality,")
