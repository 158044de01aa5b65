"""Fixes found by trying the tool as a new user: each problem a one-line error, never a traceback."""

from __future__ import annotations

import sqlite3

import pytest
import typer
from typer.testing import CliRunner

from stratcompare.cli import app
from stratcompare.cli.app import run as cli_run
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


def _raise_malformed(*_args, **_kwargs):
    raise sqlite3.DatabaseError("database disk image is malformed")


def test_damaged_db_error_names_the_file_given_a_connection(db, capsys):
    def query(conn):
        _raise_malformed()

    store = Store.open(db, create=False)
    try:
        with pytest.raises(typer.Exit) as info:
            cli_run(query, store.conn)
    finally:
        store.close()
    err = capsys.readouterr().err.strip()
    assert info.value.exit_code == 17
    assert err.startswith(f"Error: {db}: ") and "damaged" in err and "\n" not in err, err


def test_damaged_db_error_names_the_file_given_a_db_option(tmp_path, monkeypatch, capsys):
    def search_like(db, query):
        _raise_malformed()

    monkeypatch.setenv("STRATCOMPARE_DB", str(tmp_path / "env.db"))
    with pytest.raises(typer.Exit):
        cli_run(search_like, None, "hjemløse")
    assert f"{tmp_path / 'env.db'}:" in capsys.readouterr().err
    with pytest.raises(typer.Exit):
        cli_run(search_like, tmp_path / "given.db", "hjemløse")
    assert f"{tmp_path / 'given.db'}:" in capsys.readouterr().err


def test_damaged_db_file_through_the_cli(db, tmp_path):
    """A file whose pages after the schema are overwritten: the command that trips over it says
    which file is damaged, in one line (exit 17), wherever the damage is met."""
    import os

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    size = os.path.getsize(db)
    with open(db, "r+b") as fh:  # keep page 1 (the schema), garble every other page
        fh.seek(page)
        fh.write(bytes((i * 7 + 3) % 251 for i in range(size - page)))
    for args in (["documents"], ["passages"], ["search", "hjemløse", "--mode", "lexical"]):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 17, (args, result.output)
        _one_line_error(result, str(db))
