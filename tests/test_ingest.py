"""Ingestion end to end: formats, idempotence, replacement, bad input, crash safety, concurrency."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stratcompare.ingest import ingest_paths
from stratcompare.store import Store

KOEGE_TEXT = (
    "Køge Kommune\n\nStrategi for det specialiserede voksenområde 2024-2027\n\n"
    "Vi skal skabe sammenhæng i borgernes forløb. Det gælder særligt for de borgere, der har "
    "komplekse forløb med mange indsatser fra flere forskellige afdelinger.\n\n"
    "Samskabelse\n\nKøge Kommune samarbejder med lokalsamfundet og frivillige om netværk og "
    "fællesskab for og med borgerne.\n"
)


def _write(path: Path, text: str, encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _docs(db):
    with Store.open(db) as s:
        return s.documents()


def test_text_file_is_ingested_with_passages_municipality_and_years(tmp_path, db):
    f = _write(tmp_path / "koege.txt", KOEGE_TEXT)
    report = ingest_paths([f], db=db)
    assert report.exit_code == 0, report.results
    [doc] = _docs(db)
    assert doc["municipality"] == "Køge"
    assert doc["municipality_confidence"] > 0.5
    assert (doc["year_start"], doc["year_end"]) == (2024, 2027)
    assert doc["status"] == "ok"
    with Store.open(db) as s:
        passages = list(s.passages())
    # headings are folded into the paragraph they introduce
    assert len(passages) == 2
    assert passages[0]["text"].startswith("Køge Kommune\nStrategi for det specialiserede")
    assert passages[1]["section"] == "Samskabelse"
    assert passages[1]["text"].startswith("Samskabelse\nKøge Kommune samarbejder")


def test_reingest_unchanged_is_a_noop_and_changed_file_replaces(tmp_path, db):
    f = _write(tmp_path / "koege.txt", KOEGE_TEXT)
    ingest_paths([f], db=db)
    doc_id_before = _docs(db)[0]["id"]
    ids_before = [p["id"] for p in Store.open(db).passages()]
    again = ingest_paths([f], db=db)
    assert [r.status for r in again.results] == ["unchanged"]
    assert [p["id"] for p in Store.open(db).passages()] == ids_before
    _write(f, KOEGE_TEXT + "\nNy paragraf om tidlig indsats for børn og unge.\n")
    changed = ingest_paths([f], db=db)
    assert [r.status for r in changed.results] == ["replaced"]
    docs = _docs(db)
    assert len(docs) == 1 and docs[0]["id"] != doc_id_before
    assert len(list(Store.open(db).passages())) == 3


def test_same_content_under_two_paths_is_stored_once(tmp_path, db):
    a = _write(tmp_path / "a.txt", KOEGE_TEXT)
    b = _write(tmp_path / "sub" / "b.txt", KOEGE_TEXT)
    report = ingest_paths([tmp_path], db=db)
    assert sorted(r.status for r in report.results) == ["duplicate", "ingested"]
    assert len(_docs(db)) == 1
    assert report.exit_code == 0
    del a, b


def test_html_main_text_only(tmp_path, db):
    html = """<html><head><title>Forebyggelse | Hjørring Kommune</title>
    <script>var x = "<p>not text</p>";</script><style>p{}</style></head><body>
    <nav><ul><li>Borger</li><li>Erhverv</li></ul></nav>
    <main><h1>Forebyggelsesstrategi 2023-2027</h1>
    <p>Hjørring Kommune har igangsat en ambitiøs forebyggelsesstrategi.</p>
    <h2>Strategiens formål</h2><p>Formålet er at styrke børns og voksnes evne til at
    håndtere deres liv &amp; engagere sig.</p><ul><li>Psykiatriteam for børn og unge</li></ul></main>
    <footer>Springvandspladsen 5, 9800 Hjørring</footer></body></html>"""
    f = _write(tmp_path / "side.html", html)
    assert ingest_paths([f], db=db).exit_code == 0
    texts = [p["text"] for p in Store.open(db).passages()]
    joined = "\n".join(texts)
    assert "not text" not in joined and "Borger" not in joined and "Springvand" not in joined
    assert "håndtere deres liv & engagere sig" in joined.replace("\n", " ")
    # a one-item list after a paragraph stays with it (no 5-word fragment passages)
    assert "- Psykiatriteam for børn og unge" in joined
    [doc] = _docs(db)
    assert doc["municipality"] == "Hjørring" and doc["title"].startswith("Forebyggelse")


def test_jsonl_keeps_ids_and_groups_documents(tmp_path, db):
    recs = [
        {"id": "kbh-1", "text": "Housing First er bærende for vores hjemløseindsats.",
         "municipality": "Københavns Kommune", "document": "hjemløsestrategi", "page": 2},
        {"id": "kbh-2", "text": "Vi vil bygge billige boliger til unge.",
         "municipality": "Københavns Kommune", "document": "hjemløsestrategi", "page": 3},
        {"id": "aar-1", "text": "Tidlig indsats i dagtilbud.", "municipality": "Århus",
         "document": "børnestrategi"},
    ]
    f = _write(tmp_path / "p.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in recs))
    report = ingest_paths([f], db=db)
    assert report.exit_code == 0
    with Store.open(db) as s:
        ps = {p["id"]: p for p in s.passages()}
        docs = s.documents()
    assert set(ps) == {"kbh-1", "kbh-2", "aar-1"}
    assert ps["kbh-2"]["page"] == 3
    assert sorted(d["municipality"] for d in docs) == ["Aarhus", "København"]
    assert [r.status for r in ingest_paths([f], db=db).results] == ["unchanged"]


@pytest.mark.parametrize(
    "name, content, kind",
    [
        ("empty.pdf", b"", "empty-file"),
        ("empty.txt", b"", "empty-file"),
        ("fake.pdf", b"<html>not a pdf</html>" * 10, "not-a-pdf"),
        ("latin1-binary.txt", bytes(range(256)) * 20, "undecodable-text"),
        ("bad.jsonl", b'{"id": 1, "text": "ok", "municipality": "Koege"}\n{broken\n', "invalid-jsonl"),
        ("noid.jsonl", b'{"text": "no id"}\n', "invalid-jsonl"),
        ("slides.pptx", b"PK\x03\x04 zip", "unsupported-format"),
    ],
)
def test_bad_input_one_line_error_and_batch_continues(tmp_path, db, name, content, kind):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = _write(tmp_path / "good.txt", KOEGE_TEXT)
    report = ingest_paths([bad, good], db=db)
    by_path = {Path(r.path).name: r for r in report.results}
    assert by_path["good.txt"].status == "ingested"
    failed = by_path[name]
    assert failed.status == "failed" and failed.error_kind == kind
    assert name in failed.error and "\n" not in failed.error
    assert report.exit_code != 0
    docs = _docs(db)
    assert any(d["status"] == "ok" for d in docs)
    assert any(d["status"] == "failed" and d["error"] for d in docs)


def test_latin1_text_is_detected_and_decoded(tmp_path, db):
    f = _write(tmp_path / "latin1.txt", KOEGE_TEXT * 3, encoding="latin-1")
    assert ingest_paths([f], db=db).exit_code == 0
    assert "sammenhæng" in next(Store.open(db).passages())["text"] + "".join(
        p["text"] for p in Store.open(db).passages())


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path, db):
    f = _write(tmp_path / "secret.txt", KOEGE_TEXT)
    f.chmod(0)
    r = ingest_paths([f], db=db).results[0]
    assert r.error_kind == "unreadable-file" and "secret.txt" in r.error


def test_missing_path_is_reported(tmp_path, db):
    r = ingest_paths([tmp_path / "nope.pdf"], db=db).results[0]
    assert r.status == "failed" and r.error_kind == "unreadable-file" and "nope.pdf" in r.error


def test_a_bad_new_version_never_destroys_the_stored_one(tmp_path, db):
    f = _write(tmp_path / "doc.txt", KOEGE_TEXT)
    ingest_paths([f], db=db)
    f.write_bytes(b"")
    r = ingest_paths([f], db=db).results[0]
    assert r.status == "failed"
    docs = _docs(db)
    assert [d["status"] for d in docs] == ["ok"] and docs[0]["passages"] == 2


def _run_ingest(args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    env.pop("STRATCOMPARE_DB", None)
    return subprocess.run([sys.executable, "-m", "stratcompare", "ingest", "-q", *args],
                          capture_output=True, text=True, env=env, timeout=300)


PER_DOC = 3  # passages per generated batch file


def _many_files(tmp_path, n=6):
    folder = tmp_path / "batch"
    for i in range(n):
        _write(folder / f"doc{i}.txt", KOEGE_TEXT + f"\n\nAfsnit nummer {i} handler om indsatsen for borgere med komplekse behov.\n")
    return folder


def test_process_killed_mid_document_leaves_db_consistent_and_rerun_completes(tmp_path, db):
    folder = _many_files(tmp_path)
    proc = _run_ingest([str(folder), "--db", str(db)], {"STRATCOMPARE_FAULT": "commit-exit:doc3.txt"})
    assert proc.returncode == 86  # killed inside doc3's transaction
    with Store.open(db) as s:
        assert s.integrity_check() == []
        docs = s.documents()
        names = sorted(Path(d["path"]).name for d in docs)
        assert names == ["doc0.txt", "doc1.txt", "doc2.txt"]  # nothing of doc3 is visible
        assert {d["passages"] for d in docs} == {PER_DOC}
    proc = _run_ingest([str(folder), "--db", str(db)])
    assert proc.returncode == 0, proc.stderr
    docs = _docs(db)
    assert len(docs) == 6 and {d["passages"] for d in docs} == {PER_DOC}


def test_worker_killed_reports_file_and_rerun_completes(tmp_path, db):
    folder = _many_files(tmp_path, 4)
    proc = _run_ingest([str(folder), "--db", str(db), "--jobs", "2"],
                       {"STRATCOMPARE_FAULT": "worker-exit:doc2.txt"})
    assert proc.returncode != 0
    assert "worker process died" in proc.stderr
    with Store.open(db) as s:
        assert s.integrity_check() == []
        assert {d["passages"] for d in s.documents()} <= {0, PER_DOC}
    assert _run_ingest([str(folder), "--db", str(db), "--jobs", "2"]).returncode == 0
    ok = [d for d in _docs(db) if d["status"] == "ok"]
    assert len(ok) == 4


def test_two_processes_on_one_database(tmp_path, db):
    a = _many_files(tmp_path / "a", 5)
    b = _many_files(tmp_path / "b", 5)
    for f in b.iterdir():  # different content from a/
        f.write_text(f.read_text() + "\nEkstra tekst fra B.\n", encoding="utf-8")
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-m", "stratcompare", "ingest", "-q", str(folder),
                               "--db", str(db)], env=env, stderr=subprocess.PIPE, text=True)
             for folder in (a, b)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with Store.open(db) as s:
        assert s.integrity_check() == []
        assert len(s.documents()) == 10


def test_jobs_gives_same_result_as_serial(tmp_path):
    folder = _many_files(tmp_path, 4)
    serial, parallel = tmp_path / "s.db", tmp_path / "p.db"
    ingest_paths([folder], db=serial)
    ingest_paths([folder], db=parallel, jobs=2)
    strip = lambda db: [(p["id"], p["text"]) for p in Store.open(db).passages()]  # noqa: E731
    assert strip(serial) == strip(parallel)


def test_force_rereads_unchanged_files(tmp_path, db):
    f = _write(tmp_path / "koege.txt", KOEGE_TEXT)
    ingest_paths([f], db=db)
    again = ingest_paths([f], db=db, force=True)
    assert [r.status for r in again.results] == ["replaced"]
    assert len(_docs(db)) == 1


@pytest.mark.parametrize("kind", ["encrypted-pdf", "corrupt-pdf", "too-large"])
def test_bad_pdfs_fail_alone_and_good_version_survives(tmp_path, db, kind):
    import pdfgen

    good = _write(tmp_path / "good.txt", KOEGE_TEXT)
    bad = tmp_path / "strategi.pdf"
    pdfgen.make_text_pdf(bad, ["Køge Kommune strategi. " * 40] * 6, running_header="Køge Kommune")
    ingest_paths([bad, good], db=db)  # a good first version of strategi.pdf is stored
    if kind == "encrypted-pdf":
        pdfgen.make_encrypted_pdf(bad)
    elif kind == "corrupt-pdf":
        pdfgen.make_truncated_pdf(bad)
    report = ingest_paths([bad, good], db=db, max_pages=1)
    [r] = [r for r in report.results if r.path.endswith("strategi.pdf")]
    if kind == "too-large":  # unchanged content is not re-read; force it against the cap
        report = ingest_paths([bad], db=db, max_pages=1, force=True)
        [r] = report.results
    assert r.status == "failed" and r.error_kind == kind and "strategi.pdf" in r.error
    docs = {Path(d["path"]).name: d for d in _docs(db)}
    assert docs["strategi.pdf"]["status"] == "ok" and docs["strategi.pdf"]["passages"] > 0
    assert docs["good.txt"]["status"] == "ok"


def test_without_tesseract_scanned_pages_are_marked_and_user_told(tmp_path, db, monkeypatch):
    import pdfgen
    from stratcompare.ingest import ocr

    scan = tmp_path / "scan.pdf"
    pdfgen.make_scanned_pdf(scan, ["Køge Kommune vil styrke den tidlige indsats."], dpi=100)
    monkeypatch.setattr(ocr, "tesseract_status", lambda lang="dan": (
        False, "Tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-dan"))
    report = ingest_paths([scan], db=db)
    [r] = report.results
    assert r.status == "ingested" and report.exit_code == 0
    assert any("tesseract-ocr-dan" in w for w in r.warnings)
    [doc] = _docs(db)
    assert doc["status"] == "partial" and doc["pages_missing_text"] == doc["pages"] == 1
    with Store.open(db) as s:
        assert [p["status"] for p in s.pages(doc["id"])] == ["missing_text"]


def test_globs_markdown_and_stable_ids(tmp_path, db):
    _write(tmp_path / "docs" / "a.md", "# Strategi for Køge Kommune\n\nVi vil **styrke** den "
           "[tidlige indsats](https://example.org) for børn.\n")
    _write(tmp_path / "docs" / "sub" / "b.txt", KOEGE_TEXT)
    _write(tmp_path / "docs" / "skip.csv", "a,b\n")
    report = ingest_paths([str(tmp_path / "docs" / "**" / "*")], db=db)
    assert sorted(Path(r.path).name for r in report.results) == ["a.md", "b.txt"]
    with Store.open(db) as s:
        md = [p for p in s.passages() if p["document_path"].endswith("a.md")]
        ids = sorted(p["id"] for p in s.passages())
    assert md[0]["text"] == ("Strategi for Køge Kommune\nVi vil styrke den tidlige indsats "
                             "for børn.")
    ingest_paths([tmp_path / "docs"], db=db, force=True)
    with Store.open(db) as s:
        assert sorted(p["id"] for p in s.passages()) == ids  # same content, same ids


def test_unchanged_file_reports_what_is_stored_for_it(tmp_path):
    """A rerun lists an unchanged file with its stored municipality, pages and passages, not
    with zeros that read as if the corpus had lost them."""
    doc = _write(tmp_path / "koege.txt", "Køge Kommune\n\nHousing First giver hjemløse borgere "
                 "en bolig med bostøtte.\n\nVi styrker den tidlige indsats for børn og unge.\n")
    db = tmp_path / "c.db"
    first = ingest_paths([str(doc)], db=db).results[0]
    again = ingest_paths([str(doc)], db=db).results[0]
    assert first.status == "ingested" and again.status == "unchanged"
    assert first.passages > 0 and first.municipality == "Køge"
    assert (again.municipality, again.pages, again.passages) == (first.municipality, first.pages,
                                                                  first.passages)


def test_content_stored_meanwhile_by_another_run_is_not_replaced(tmp_path, monkeypatch):
    """Two overlapping ingests of one folder: the second finds, when it comes to store a file,
    that the first has just stored the same content.  It must not replace it (that dropped the
    document's themes and vectors, and reported every file as 'replaced'); --force still does."""
    from stratcompare.ingest import pipeline

    doc = _write(tmp_path / "koege.txt", "Køge Kommune\n\nHousing First giver hjemløse borgere "
                 "en bolig med bostøtte.\n")
    db = tmp_path / "c.db"
    assert ingest_paths([str(doc)], db=db).results[0].status == "ingested"
    with Store.open(db) as store:
        pid = store.conn.execute("SELECT id FROM passages LIMIT 1").fetchone()[0]
        store.conn.execute("INSERT INTO passage_themes (passage_id, codebook, theme, probability, "
                           "assigned, evidence, model) VALUES (?, 'cb', 'housing_first', 0.9, 1, "
                           "'{}', 'm')", (pid,))
    real_precheck = pipeline._precheck

    def precheck_before_the_other_run_stored_it(store, cand):
        result, digest = real_precheck(store, cand)
        return (None, digest) if result is not None and result.status == "unchanged" else (result, digest)

    monkeypatch.setattr(pipeline, "_precheck", precheck_before_the_other_run_stored_it)
    again = ingest_paths([str(doc)], db=db).results[0]
    assert again.status == "unchanged" and again.passages > 0
    with Store.open(db) as store:
        assert store.conn.execute("SELECT count(*) FROM passage_themes").fetchone()[0] == 1
    assert ingest_paths([str(doc)], db=db, force=True).results[0].status == "replaced"
