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


# --- web: search with an encoder that has a vector version (e5-small's int8 / fp32 runtimes) ---
class _VersionedHashing:
    """The hashing encoder with a ``vector_version``, as e5-small's runtimes have one."""

    vector_version = "test-v1"

    def __init__(self):
        from stratcompare.embed import get_encoder

        self._enc = get_encoder("hashing")
        self.model_id, self.dim = self._enc.model_id, self._enc.dim

    def encode_passages(self, texts, *args, **kwargs):
        return self._enc.encode_passages(texts, *args, **kwargs)

    def encode_queries(self, texts, *args, **kwargs):
        return self._enc.encode_queries(texts, *args, **kwargs)


def test_query_vectors_keep_the_encoders_vector_version():
    from stratcompare.search.api import embedded_key
    from stratcompare.web.queries import QueryVectors

    enc = _VersionedHashing()
    assert embedded_key(QueryVectors(enc)) == embedded_key(enc) == "embedded:hashing@test-v1"


def test_web_search_with_a_versioned_encoder_is_not_a_500(tmp_path, monkeypatch):
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient

    import stratcompare.embed as embed_mod
    from stratcompare.ingest import ingest_paths
    from stratcompare.search import ensure_embeddings, ensure_fts
    from stratcompare.web import create_app

    src = tmp_path / "docs"
    src.mkdir()
    (src / "koege.txt").write_text(
        "Køge Kommune\n\nHousing First giver hjemløse borgere en bolig med bostøtte i eget hjem.\n\n"
        "Vi vil styrke den tidlige indsats for børn og unge i udsatte positioner.\n", encoding="utf-8")
    db = tmp_path / "web.db"
    assert ingest_paths([str(src)], db=db, ocr=False).exit_code == 0
    enc = _VersionedHashing()
    with Store.open(db) as store:   # the bookkeeping `stratcompare search`/`embed` leave behind
        ensure_fts(store.conn)
        ensure_embeddings(store.conn, enc)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    monkeypatch.setattr(embed_mod, "get_encoder", lambda name=None: enc)
    with TestClient(create_app(db, model="hashing"), raise_server_exceptions=False) as client:
        api = client.get("/api/search", params={"q": "hjemløse bolig", "n": 3})
        page = client.get("/", params={"q": "hjemløse bolig"})
    assert api.status_code == 200, api.text
    assert api.json()["hits"], api.text
    assert page.status_code == 200 and "Traceback" not in page.text


# --- --db somewhere it cannot be -----------------------------------------------------------
def _doc(tmp_path):
    src = tmp_path / "koege.txt"
    src.write_text("Køge Kommune\n\nHousing First giver hjemløse borgere en bolig.\n", encoding="utf-8")
    return src


@pytest.mark.parametrize("where, cause", [
    ("folder", "this is a folder"),                       # --db names a directory
    ("afile/sub/x.db", "cannot make the database's folder"),  # its folder cannot be made
    ("afile/x.db", "cannot create the database"),         # its 'folder' is a file
])
def test_db_in_an_impossible_place_is_one_line_error(tmp_path, where, cause):
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("x")
    db = tmp_path / where
    result = runner.invoke(app, ["ingest", str(_doc(tmp_path)), "--db", str(db)])
    assert result.exit_code == 17, result.output
    _one_line_error(result, str(db))
    assert cause in result.output
    assert (tmp_path / "afile").read_text() == "x"   # nothing it was pointed at is touched


# --- passages --document with an id that is not there ----------------------------------------
def test_passages_of_an_unknown_document_is_not_found(db):
    result = runner.invoke(app, ["passages", "--db", str(db), "--document", "nope"])
    assert result.exit_code == 18, result.output
    assert "no document 'nope'" in result.output and "stratcompare documents" in result.output
    ok = runner.invoke(app, ["passages", "--db", str(db), "--document", "d"])   # a prefix of "dk"
    assert ok.exit_code == 0 and '"k1"' in ok.stdout


def test_passages_matching_nothing_says_so_on_stderr(db):
    result = runner.invoke(app, ["passages", "--db", str(db), "--kind", "table"])
    assert result.exit_code == 0
    assert result.stdout == "" and "No passages match" in result.stderr


# --- odd files named directly: a broken symlink, a named pipe --------------------------------
def test_broken_symlink_and_pipe_are_named_and_the_batch_goes_on(tmp_path):
    import os

    good = _doc(tmp_path)
    link = tmp_path / "plan.txt"
    link.symlink_to(tmp_path / "gone" / "plan.txt")
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    db = tmp_path / "odd.db"
    result = runner.invoke(app, ["ingest", str(link), str(pipe), str(good), "--db", str(db)])
    assert result.exit_code == 9, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert len(errors) == 2 and "Traceback" not in result.output
    # the link itself is named (not its missing target), with the cause
    assert errors[0].startswith(f"Error: {link}: broken symbolic link"), errors
    assert errors[1].startswith(f"Error: {pipe}: not a regular file"), errors
    with Store.open(db, create=False) as store:
        assert store.conn.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0] == 1


def test_db_in_a_read_only_place_says_so(db, monkeypatch):
    """A database on a read-only share: SQLite only says 'unable to open database file'; the
    line must name the cause (read-only), not ask whether it is an SQLite file."""
    import os

    import stratcompare.store.db as store_db

    real_connect = sqlite3.connect

    def connect_on_read_only_mount(target, *args, **kwargs):
        if str(target) == str(db):
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(target, *args, **kwargs)

    real_access = os.access
    monkeypatch.setattr(store_db.sqlite3, "connect", connect_on_read_only_mount)
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK
                        else real_access(p, mode, **kw))
    result = runner.invoke(app, ["documents", "--db", str(db)])
    assert result.exit_code == 17, result.output
    _one_line_error(result, str(db))
    assert "read-only" in result.output and "SQLite file" not in result.output


# --- serve on a port that is taken -----------------------------------------------------------
def test_serve_on_a_busy_port_is_one_line_error_before_loading_anything(db, monkeypatch):
    import socket

    import stratcompare.web as web_pkg

    def must_not_load(*args, **kwargs):
        raise AssertionError("the app was built although the port is taken")

    monkeypatch.setattr(web_pkg, "create_app", must_not_load)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--db", str(db), "--port", str(port), "--mode", "lexical"])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"port {port}" in lines[0] and "already in use" in lines[0], lines


def test_show_with_an_ambiguous_prefix_says_so(tmp_path):
    path = tmp_path / "two.db"
    store = Store.open(path)
    add_document(store.conn, "ab12", "Køge", title="Køge strategi", year=2024)
    add_document(store.conn, "ab34", "Køge", title="Køge plan", year=2023)
    store.close()
    result = runner.invoke(app, ["show", "ab", "--db", str(path)])
    assert result.exit_code == 2, result.output
    assert "ambiguous" in result.output and "ab12" in result.output and "no document" not in result.output
    one = runner.invoke(app, ["show", "ab3", "--db", str(path)])
    assert one.exit_code == 0 and "Køge plan" in one.output


def test_classify_input_missing_is_called_a_passages_file(tmp_path):
    missing = tmp_path / "passages.jsonl"
    result = runner.invoke(app, ["classify", "--input", str(missing), "--encoder", "hashing"])
    assert result.exit_code == 18, result.output
    _one_line_error(result, str(missing))
    assert "passages file not found" in result.output and "labels" not in result.output


def test_xlsx_keeps_text_that_starts_with_equals_as_text(tmp_path):
    """Document text such as '=HYPERLINK(…)' must not become a live formula in the workbook
    that policy staff open (compare --cell … -f xlsx, the web's XLSX download)."""
    openpyxl = pytest.importorskip("openpyxl")
    from stratcompare.compare.export import write_xlsx

    text = '=HYPERLINK("http://example.invalid","Klik her")'
    out = tmp_path / "cell.xlsx"
    write_xlsx(out, [("passages", ["municipality", "text", "n"],
                      [{"municipality": "Køge", "text": text, "n": 3}])], heat=False)
    row = list(openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=False))[0]
    assert row[1].value == text and row[1].data_type == "s"
    assert row[2].value == 3 and row[2].data_type == "n"


def test_binary_named_txt_gets_a_hint_that_fits(tmp_path):
    """An image saved as .html/.txt is not text in another encoding: no iconv advice."""
    src = tmp_path / "scan.txt"
    src.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = runner.invoke(app, ["ingest", str(src), "--db", str(tmp_path / "b.db")])
    assert result.exit_code == 8, result.output
    line = next(ln for ln in result.output.splitlines() if ln.startswith("Error: "))
    assert line.startswith(f"Error: {src}: binary data, not text") and "iconv -f" not in line
