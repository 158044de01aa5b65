"""`stratcompare repair` through typer's CliRunner."""

from __future__ import annotations

from typer.testing import CliRunner

from stratcompare.cli import app

runner = CliRunner()
DAMAGED = "Hjgrring Kommunes Byrad har besluttet en strategi pa omradet.\n"


def test_repair_file_to_stdout(tmp_path):
    f = tmp_path / "scan.txt"
    f.write_text(DAMAGED, encoding="utf-8")
    res = runner.invoke(app, ["repair", str(f)])
    assert res.exit_code == 0, res.output
    assert res.output == "Hjørring Kommunes Byråd har besluttet en strategi på området.\n"


def test_repair_stdin_to_file(tmp_path):
    out = tmp_path / "out.txt"
    res = runner.invoke(app, ["repair", "-", "-o", str(out)], input=DAMAGED)
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("Hjørring Kommunes Byråd")


def test_repair_diff_and_explain(tmp_path):
    f = tmp_path / "scan.txt"
    f.write_text(DAMAGED, encoding="utf-8")
    res = runner.invoke(app, ["repair", str(f), "--diff"])
    assert res.exit_code == 0
    assert "[-Hjgrring-]{+Hjørring+}" in res.output
    assert "4 of 9 words changed" in res.output
    res = runner.invoke(app, ["repair", str(f), "--explain"])
    assert res.exit_code == 0
    assert "pa -> på" in res.output and "realword" in res.output
    assert "candidates: Hjørring" in res.output


def test_repair_errors_are_one_line(tmp_path):
    res = runner.invoke(app, ["repair", str(tmp_path / "missing.txt")])
    assert res.exit_code == 9
    assert "Error:" in res.output and "no such file" in res.output
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Hjørring".encode("latin-1"))
    res = runner.invoke(app, ["repair", str(bad)])
    assert res.exit_code == 8
    assert "not UTF-8" in res.output
    assert "Traceback" not in res.output


def test_repair_help_has_example():
    res = runner.invoke(app, ["repair", "--help"])
    assert res.exit_code == 0
    assert "Example: stratcompare repair scan.txt --diff" in res.output


def test_repair_of_a_folder_says_it_is_a_folder(tmp_path):
    res = runner.invoke(app, ["repair", str(tmp_path)])
    assert res.exit_code == 9
    line = res.output.strip()
    assert line.startswith(f"Error: {tmp_path}: ") and "folder" in line and "\n" not in line
    assert "no such file" not in line   # it exists: saying otherwise sends the user hunting
