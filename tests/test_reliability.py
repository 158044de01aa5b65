"""Issue 10: nothing lost under concurrency and edits, and every failure a one-line error.

Each test reproduces one defect found by the reliability probe (docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stratcompare.classify import Codebook, ThemeClassifier, classify_passages
from stratcompare.cli import app
from stratcompare.embed import get_encoder
from stratcompare.errors import CodebookError, ModelError, StoreError, UsageError
from stratcompare.ingest import ingest_paths
from stratcompare.store import DocumentRecord, PageRecord, PassageRecord, Store

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable

PARA = ("{muni} Kommune vil styrke indsatsen for {topic}. Borgerne skal have hjælp tidligt, "
        "og vi samarbejder med civilsamfundet om at skabe varige løsninger for {topic}.")


def _text(muni: str, topics: list[str]) -> str:
    return f"Strategi for {muni} Kommune\n\n" + "\n\n".join(PARA.format(muni=muni, topic=t) for t in topics) + "\n"


def _bundle(doc_id: str, path: str, texts: list[str], municipality: str = "Køge"):
    doc = DocumentRecord(id=doc_id, path=path, source_key=path, kind="text",
                         municipality=municipality, pages=1, status="ok")
    pages = [PageRecord(1, "text", "ok", "raw", "clean")]
    passages = [PassageRecord(f"{doc_id[:12]}-{i:04d}", i, 1, None, 0, 5, t, t, len(t.split()))
                for i, t in enumerate(texts)]
    return doc, pages, passages


@pytest.fixture(scope="module")
def zs_model():
    return ThemeClassifier.zero_shot(Codebook.load(), encoder=get_encoder("hashing"))


def _two_doc_store(tmp_path) -> Store:
    store = Store.open(tmp_path / "c.db")
    store.replace_source("/c/a.txt", [_bundle("a" * 16, "/c/a.txt", [
        "Housing First: hjemløse borgere får en bolig og bostøtte.",
        "Flere unge skal i job eller uddannelse."])])
    store.replace_source("/c/b.txt", [_bundle("b" * 16, "/c/b.txt", [
        "Børn i mistrivsel opspores tidligt.",
        "Anbragte børn skal bo i plejefamilier."])], )
    return store


# --- 1. classify is one transaction and survives passages vanishing under it -------------------
class _RacingModel:
    """A model whose first classify call lets another process replace document b meanwhile."""

    def __init__(self, model, db_path):
        self.model, self.db_path, self.fired = model, db_path, False

    def __getattr__(self, name):
        return getattr(self.model, name)

    def classify(self, records):
        if not self.fired:
            self.fired = True
            other = Store.open(self.db_path)
            other.replace_source("/c/b.txt", [_bundle("c" * 16, "/c/b.txt", [
                "Børn i mistrivsel opspores tidligt af sundhedsplejen.", "Nyt afsnit."])])
            other.close()
        return self.model.classify(records)


def test_classify_skips_passages_that_vanished_between_read_and_write(tmp_path, zs_model):
    store = _two_doc_store(tmp_path)
    racing = _RacingModel(zs_model, store.path)
    racing.model.encoder = get_encoder("hashing")
    n = classify_passages(store.conn, model=racing)  # no IntegrityError
    assert racing.fired
    assert n == 2  # only document a's passages still exist
    conn = store.conn
    orphans = conn.execute("SELECT count(*) FROM passage_themes WHERE passage_id NOT IN "
                           "(SELECT id FROM passages)").fetchone()[0]
    assert orphans == 0
    assert store.integrity_check() == []
    # the next run labels the new version
    classify_passages(conn, model=zs_model)
    unlabelled = conn.execute("SELECT count(*) FROM passages WHERE id NOT IN "
                              "(SELECT passage_id FROM passage_themes)").fetchone()[0]
    assert unlabelled == 0


def test_classify_write_is_all_or_nothing(tmp_path, zs_model):
    store = _two_doc_store(tmp_path)
    conn = store.conn
    classify_passages(conn, model=zs_model)
    before = conn.execute("SELECT count(*) FROM passage_themes").fetchone()[0]
    assert before == 4 * len(zs_model.theme_ids)
    # the write of the second run fails half-way (disk full, a bug, a kill …)
    conn.execute("CREATE TEMP TRIGGER boom BEFORE INSERT ON passage_themes "
                 f"WHEN new.passage_id = '{'b' * 12}-0001' BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises((StoreError, sqlite3.DatabaseError)):
        classify_passages(conn, model=zs_model)
    conn.execute("DROP TRIGGER temp.boom")
    assert not conn.in_transaction
    after = conn.execute("SELECT count(*) FROM passage_themes").fetchone()[0]
    assert after == before  # the old coding is intact, not deleted and half re-inserted


# --- 2. search sees an edited document with the same number of passages -----------------------
def test_search_sees_an_edited_document_with_the_same_passage_count(tmp_path):
    from stratcompare.search import search

    src = tmp_path / "docs"
    src.mkdir()
    (src / "a.txt").write_text(_text("Køge", ["bolig", "beskæftigelse"]), encoding="utf-8")
    db = tmp_path / "c.db"
    ingest_paths([src], db=db, repair=False)
    (src / "b.txt").write_text(_text("Herning", ["misbrug", "psykiatri"]), encoding="utf-8")
    ingest_paths([src], db=db, repair=False)
    enc = get_encoder("hashing")
    with Store.open(db) as store:
        assert search(store.conn, "psykiatri", mode="lexical")
        assert search(store.conn, "psykiatri", mode="hybrid", encoder=enc)
    # edit the most recently ingested file: same number of passages, a new word
    (src / "b.txt").write_text(_text("Herning", ["misbrug", "værestedsordningen"]), encoding="utf-8")
    rep = ingest_paths([src], db=db, repair=False)
    assert rep.count("replaced") == 1
    with Store.open(db) as store:
        for mode in ("lexical", "hybrid", "dense"):
            hits = search(store.conn, "værestedsordningen", mode=mode, encoder=enc, top_k=3)
            assert any("værestedsordningen" in h.text for h in hits), mode
            assert all("psykiatri" not in h.text for h in hits), mode


# --- 3. a symlink loop on the command line is one error, the batch goes on ---------------------
def test_symlink_loop_is_one_error_and_the_rest_is_stored(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    good = tmp_path / "good.txt"
    good.write_text(_text("Køge", ["bolig"]), encoding="utf-8")
    db = tmp_path / "c.db"
    rep = ingest_paths([str(loop), str(good)], db=db, repair=False)
    assert rep.count("ingested") == 1
    assert len(rep.failed) == 1 and "loop" in rep.failed[0].error
    res = CliRunner().invoke(app, ["ingest", str(loop), str(tmp_path / "good2.txt"), "--db", str(db)])
    assert res.exit_code != 0 and "Traceback" not in res.output
    assert "symbolic link" in res.output or "loop" in res.output


def test_symlink_loop_inside_a_folder_is_a_warning_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "loop.txt").symlink_to(folder / "loop.txt")       # points at itself
    (folder / "a.md").symlink_to(folder / "b.md")               # a -> b -> a
    (folder / "b.md").symlink_to(folder / "a.md")
    (folder / "good.txt").write_text(_text("Køge", ["bolig"]), encoding="utf-8")
    db = tmp_path / "c.db"
    rep = ingest_paths([str(folder)], db=db, repair=False)
    assert rep.count("ingested") == 1 and rep.exit_code == 0 and not rep.failed
    skipped = {Path(r.path).name: r for r in rep.results if r.status == "skipped"}
    assert set(skipped) == {"loop.txt", "a.md", "b.md"}   # before: not reported at all
    assert all("symbolic link loop" in r.warnings[0] for r in skipped.values())
    res = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "d.db")])
    assert res.exit_code == 0, res.output
    warned = [ln for ln in res.output.splitlines() if ln.startswith("Warning:") and "loop" in ln]
    assert len(warned) == 3 and any(str(folder / "loop.txt") in ln for ln in warned)
    # a folder holding nothing but a loop: the warning, and "nothing to ingest" for the folder
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "x.txt").symlink_to(lonely / "x.txt")
    rep = ingest_paths([str(lonely)], db=tmp_path / "e.db")
    assert [r.status for r in rep.results] == ["skipped", "failed"] and rep.exit_code == 12


# --- 5. model folders that would run code are refused before any library loads them ------------
def _marker_folder(tmp_path, kind: str) -> tuple[Path, Path]:
    folder = tmp_path / f"model-{kind}"
    folder.mkdir()
    marker = tmp_path / f"ran-{kind}"
    (folder / "config.json").write_text(json.dumps({"model_type": "bert"}))
    if kind == "custom":
        (folder / "modules.json").write_text(json.dumps(
            [{"idx": 0, "name": "0", "path": "", "type": "evil_module.Evil"}]))
        (folder / "evil_module.py").write_text(f"open({str(marker)!r}, 'w').write('x')\nclass Evil: pass\n")
    else:
        import pickle

        class Evil:
            def __reduce__(self):
                return (open, (str(marker), "w"))

        (folder / "pytorch_model.bin").write_bytes(pickle.dumps(Evil()))
        (folder / "modules.json").write_text(json.dumps(
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]))
    return folder, marker


@pytest.mark.parametrize("kind", ["custom", "pickle"])
def test_unsafe_model_folder_is_refused_before_loading(tmp_path, monkeypatch, kind):
    import sentence_transformers

    calls = []
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer",
                        lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(RuntimeError("loaded")))
    folder, marker = _marker_folder(tmp_path, kind)
    from stratcompare.embed.st_encoder import SentenceTransformerEncoder

    with pytest.raises(ModelError) as err:
        SentenceTransformerEncoder("x", str(folder))
    assert err.value.exit_code == 16
    assert not calls, "the folder reached the library"
    assert not marker.exists()
    assert ("pickle" if kind == "pickle" else "code") in str(err.value)


@pytest.mark.parametrize("kind", ["custom", "pickle"])
def test_unsafe_model_folder_cli_exit_16(tmp_path, kind):
    folder, marker = _marker_folder(tmp_path, kind)
    store = _two_doc_store(tmp_path)
    store.close()
    res = CliRunner().invoke(app, ["search", "bolig", "--db", str(tmp_path / "c.db"), "--model", str(folder)])
    assert res.exit_code == 16, res.output
    assert res.output.count("\n") == 1 and "Traceback" not in res.output
    assert not marker.exists()


def test_dependency_floors_refuse_model_code():
    from packaging.version import Version

    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]

    def floor(name):
        spec = next(d for d in deps if d.split(">")[0].split("<")[0].split("=")[0].strip() == name)
        lo = [p for p in spec[len(name):].split(",") if p.strip().startswith(">=")]
        return Version(lo[0].strip()[2:])

    assert floor("sentence-transformers") >= Version("6.0")  # no local custom modules without trust
    assert floor("torch") >= Version("2.6")  # torch.load weights_only by default
    assert floor("transformers") >= Version("5.0")  # refuses torch.load under torch < 2.6
    assert any(d.replace(" ", "").endswith("<=2.13.0") or "2.13.0" in d for d in deps if d.startswith("torch"))


# --- 7. the smaller ones ------------------------------------------------------------------------
def test_nested_codebook_and_endless_file_are_codebook_errors(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(CodebookError):
        Codebook.load(deep)
    with pytest.raises(CodebookError, match="large"):
        Codebook.load("/dev/zero")
    res = CliRunner().invoke(app, ["themes", "--codebook", "/dev/zero"])
    assert res.exit_code == 15 and "Traceback" not in res.output


def test_deeply_nested_jsonl_is_invalid_jsonl(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text('{"id": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + ', "municipality": "Køge"}\n')
    rep = ingest_paths([f], db=tmp_path / "c.db", repair=False)
    assert rep.exit_code == 13, rep.failed[0].error


def test_jsonl_municipality_must_be_one_of_the_98(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x1", "text": "Housing First for unge.",
                               "municipality": "<b>Hjem</b>"}) + "\n")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "g1", "text": "Housing First for unge.",
                                "municipality": "Koebenhavn"}) + "\n")
    db = tmp_path / "c.db"
    rep = ingest_paths([bad, good], db=db, repair=False)
    assert rep.exit_code == 13
    assert "municipality" in rep.failed[0].error
    with Store.open(db) as store:
        munis = {d["municipality"] for d in store.documents() if d["status"] != "failed"}
    assert munis == {"København"}


@pytest.fixture()
def corpus_db(tmp_path):
    db = tmp_path / "c.db"
    with Store.open(db) as store:
        store.replace_source("/c/k.txt", [_bundle("d" * 16, "/c/k.txt", ["Bolig først."], "København")])
        store.replace_source("/c/h.txt", [_bundle("e" * 16, "/c/h.txt", ["Job først."], "Herning")])
    return db


def test_passages_document_wildcards_are_literal(corpus_db):
    r = CliRunner().invoke(app, ["passages", "--db", str(corpus_db), "--document", "%"])
    assert r.exit_code != 0 or r.output.strip() == ""
    r = CliRunner().invoke(app, ["passages", "--db", str(corpus_db), "--document", "_"])
    assert r.exit_code != 0 or r.output.strip() == ""
    r = CliRunner().invoke(app, ["passages", "--db", str(corpus_db), "--document", "ddd"])
    assert r.exit_code == 0 and r.output.count("\n") == 1


def test_one_municipality_resolver_everywhere(corpus_db):
    run = CliRunner().invoke
    r = run(app, ["passages", "--db", str(corpus_db), "-m", "Koebenhavn"])
    assert r.exit_code == 0 and "København" in r.output
    r = run(app, ["search", "bolig", "--db", str(corpus_db), "-m", "Koebenhavn", "--mode", "lexical"])
    assert r.exit_code == 0 and "København" in r.output, r.output
    for cmd in (["passages"], ["search", "bolig", "--mode", "lexical"]):
        r = run(app, [*cmd, "--db", str(corpus_db), "-m", "Koebenhvn"])
        assert r.exit_code == 2, r.output
        assert "did you mean 'København'" in r.output and r.output.count("\n") == 1
    # a real municipality with no documents: refused, saying which ones there are
    r = run(app, ["passages", "--db", str(corpus_db), "-m", "Hjørring"])
    assert r.exit_code == 2 and "Herning" in r.output


def test_read_only_database_is_exit_17(tmp_path):
    """A database the user may not write (the probe's case).  Root ignores file modes, so make the
    file immutable instead (``chattr +i``), which refuses writes to root too."""
    store = _two_doc_store(tmp_path)
    store.close()
    db = tmp_path / "c.db"
    doc = tmp_path / "new.txt"
    doc.write_text(_text("Køge", ["bolig"]), encoding="utf-8")
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        for args in (["ingest", str(doc)], ["classify", "--encoder", "hashing"]):
            out = subprocess.run([PY, "-m", "stratcompare", *args, "--db", str(db)],
                                 capture_output=True, text=True, timeout=120)
            assert out.returncode == 17, (args, out.returncode, out.stderr[-2000:])
            assert "Traceback" not in out.stderr
            errors = [ln for ln in out.stderr.splitlines() if ln.startswith("Error")]
            assert len(errors) == 1 and "read-only" in errors[0], out.stderr
    finally:
        subprocess.run(["chattr", "-i", str(db)])


# --- 9 (issue 9 item 6). nothing ingestible is said, a missing path creates no database ---------
def test_folder_with_nothing_ingestible_fails_with_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.docx").write_bytes(b"PK\x03\x04")
    db = tmp_path / "c.db"
    res = CliRunner().invoke(app, ["ingest", str(empty), "--db", str(db)])
    assert res.exit_code != 0
    errors = [ln for ln in res.output.splitlines() if ln.startswith("Error")]
    assert len(errors) == 1 and "nothing to ingest" in errors[0]
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "nope" / "*.pdf"), "--db", str(db)])
    assert res.exit_code != 0 and "nothing to ingest" in res.output


def test_missing_path_creates_no_database(tmp_path):
    db = tmp_path / "c.db"
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "nope.pdf"), "--db", str(db)])
    assert res.exit_code == 9
    assert not db.exists()
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "nope"), "--db", str(db)])
    assert res.exit_code != 0 and not db.exists()


# --- 4. Ctrl-C and kill -9 with --jobs ----------------------------------------------------------
def _slow_batch(folder: Path, n: int = 40) -> None:
    folder.mkdir()
    topics = ["bolig", "beskæftigelse", "misbrug", "psykiatri", "handicap", "forebyggelse"]
    for i in range(n):
        body = "\n\n".join(PARA.format(muni="Køge", topic=f"{topics[j % 6]} {i} {j}") for j in range(1500))
        (folder / f"doc{i:02d}.txt").write_text(f"Strategi {i} for Køge Kommune\n\n{body}\n", encoding="utf-8")


def _children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(p.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_docs(db: Path, n: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                c = sqlite3.connect(db, timeout=5)
                got = c.execute("SELECT count(*) FROM documents WHERE status != 'failed'").fetchone()[0]
                c.close()
                if got >= n:
                    return got
            except sqlite3.OperationalError:
                pass
        time.sleep(0.2)
    return -1


def _terminal_sigint() -> None:
    """The child gets Ctrl-C as a terminal's foreground command does, even when the test run was
    started in the background (a non-interactive shell's `cmd &` ignores SIGINT, and children
    inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_with_jobs_stops_promptly_and_keeps_committed_work(tmp_path):
    _slow_batch(tmp_path / "docs")
    db = tmp_path / "c.db"
    proc = subprocess.Popen([PY, "-m", "stratcompare", "ingest", str(tmp_path / "docs"), "--db", str(db),
                             "--jobs", "2", "--no-repair", "-q"], stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_terminal_sigint)
    assert _wait_docs(db, 2, 120) >= 2, "no document committed in time"
    workers = _children(proc.pid)
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole foreground group
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("ingest --jobs 2 did not stop within 15 s of Ctrl-C")
    took = time.monotonic() - t0
    err = proc.stderr.read()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert took < 5, f"took {took:.1f} s to stop"  # the rest of the batch took ~10 s more
    print(f"\nctrl-c with --jobs 2: stopped in {took:.2f} s")
    kept = _wait_docs(db, 1, 5)
    assert 2 <= kept < 40
    time.sleep(1)
    assert not [w for w in workers if _alive(w)]
    c = sqlite3.connect(db)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_kill_9_of_the_parent_ends_its_workers(tmp_path):
    _slow_batch(tmp_path / "docs", n=20)
    db = tmp_path / "c.db"
    proc = subprocess.Popen([PY, "-m", "stratcompare", "ingest", str(tmp_path / "docs"), "--db", str(db),
                             "--jobs", "2", "--no-repair", "-q"], stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [w for w in _children(proc.pid) if _alive(w)]
        time.sleep(0.2)
    assert workers, "no worker started"
    time.sleep(1.0)
    workers = [w for w in _children(proc.pid) if _alive(w)]
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and [w for w in workers if _alive(w)]:
        time.sleep(0.2)
    alive = [w for w in workers if _alive(w)]
    print(f"\nkill -9 of the parent: {len(workers)} workers gone after {time.monotonic() - deadline + 10:.2f} s")
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive, "workers outlived their parent"


# --- the same race in the search indexes: another process synced or ingested meanwhile ---------
def test_fts_sync_tolerates_another_process_syncing_meanwhile(tmp_path, monkeypatch):
    import stratcompare.search.fts as fts

    store = _two_doc_store(tmp_path)
    other = Store.open(store.path)
    real_hash, fired = fts.text_hash, []

    def racing_hash(text):
        if not fired:
            fired.append(1)
            monkeypatch.setattr(fts, "text_hash", real_hash)
            fts.sync_fts(other.conn)  # the other process indexes everything first
            monkeypatch.setattr(fts, "text_hash", racing_hash)
        return real_hash(text)

    monkeypatch.setattr(fts, "text_hash", racing_hash)
    fts.sync_fts(store.conn)  # no UNIQUE constraint error
    assert fired
    n = store.conn.execute("SELECT count(*) FROM passage_fts_map").fetchone()[0]
    assert n == store.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    other.close()


def test_embed_skips_passages_replaced_meanwhile(tmp_path):
    from stratcompare.embed.storage import embed_passages

    store = _two_doc_store(tmp_path)
    enc = get_encoder("hashing")

    class Racing:
        model_id, dim, fired = enc.model_id, enc.dim, False

        def encode_passages(self, texts, batch_size=32, show_progress=False):
            if not Racing.fired:
                Racing.fired = True
                other = Store.open(store.path)
                other.replace_source("/c/b.txt", [_bundle("f" * 16, "/c/b.txt", ["Nyt afsnit om bolig."])])
                other.close()
            return enc.encode_passages(texts)

    embed_passages(store.conn, Racing(), progress=False)  # no FOREIGN KEY error
    assert store.integrity_check() == []
    assert embed_passages(store.conn, enc, progress=False) == 1  # the new passage, next time


# --- 8. memory: huge pages are rendered at a capped size, with a warning --------------------------
def _poster_pdf(path: Path, points: int = 10_000) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(points, points))
    c.rect(100, 100, points - 200, points - 200, fill=1)  # something to render, no text layer
    c.showPage()
    c.save()


def test_huge_page_is_rendered_within_the_pixel_cap_with_a_warning(tmp_path, monkeypatch):
    import pypdfium2 as pdfium

    from stratcompare.ingest import ocr
    from stratcompare.ingest.layout import PageLines

    pdf = tmp_path / "poster.pdf"
    _poster_pdf(pdf)
    page = pdfium.PdfDocument(str(pdf))[0]
    dpi = ocr.render_dpi(page)
    w, h = page.get_size()
    assert w * h * (dpi / 72) ** 2 <= ocr.MAX_PIXELS
    sizes = []
    monkeypatch.setattr(ocr, "ocr_image", lambda image, lang="dan", dpi=300: sizes.append(len(image)) or PageLines([], 0, 0))
    lines = ocr.ocr_page(page)
    assert sizes and sizes[0] <= ocr.MAX_PIXELS * 1.01 + 100  # greyscale PGM: one byte a pixel
    assert "capped" in lines.note
    # an A4 page is not scaled down and gets no note
    a4 = tmp_path / "a4.pdf"
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(a4), pagesize=(595, 842))
    c.rect(50, 50, 400, 600, fill=1)
    c.showPage()
    c.save()
    a4_page = pdfium.PdfDocument(str(a4))[0]
    assert ocr.render_dpi(a4_page) == 300
    assert not getattr(ocr.ocr_page(a4_page), "note", None)


def test_a_long_one_line_text_is_cleaned_in_bounded_parts(tmp_path, monkeypatch):
    import stratcompare.ingest.layout as layout
    from stratcompare.ingest.textfile import PART_CHARS, read_text

    seen = []
    real = layout.clean_page_texts

    def spy(pages):
        seen.append(max((len(p) for p in pages), default=0))
        return real(pages)

    monkeypatch.setattr(layout, "clean_page_texts", spy)
    sentence = "Køge Kommune giver hjemløse borgere en bolig og bostøtte i eget hjem. "
    text = sentence * (3 * PART_CHARS // len(sentence))  # ~600,000 characters, no line break
    f = tmp_path / "one-line.txt"
    f.write_text(text, encoding="utf-8")
    doc = read_text(f, f.read_bytes())
    assert max(seen) <= PART_CHARS  # the cleaner never holds the whole line
    assert len(doc.pages) == 1  # provenance unchanged: still page 1
    assert doc.pages[0].text.count("hjemløse") == text.count("hjemløse")  # nothing lost


def test_a_page_over_a_million_characters_is_stored_as_several_pages(tmp_path):
    from stratcompare.ingest.textfile import PAGE_CHARS, read_text

    sentence = "Herning Kommune styrker den tidlige indsats for udsatte børn og unge. "
    text = sentence * (int(2.5 * PAGE_CHARS) // len(sentence))
    f = tmp_path / "one-line.txt"
    f.write_text(text, encoding="utf-8")
    doc = read_text(f, f.read_bytes())
    assert len(doc.pages) == 3 and all(len(p.raw_text) <= PAGE_CHARS for p in doc.pages)
    assert sum(p.text.count("tidlige") for p in doc.pages) == text.count("tidlige")
    assert any("stored as" in w for w in doc.warnings)


def test_run_on_nothing_ingestible_makes_no_database(tmp_path):
    db = tmp_path / "c.db"
    res = CliRunner().invoke(app, ["run", str(tmp_path / "nope"), "--db", str(db), "--report",
                                   str(tmp_path / "r.html"), "--model", "hashing"])
    assert res.exit_code == 9, res.output
    assert not db.exists() and not (tmp_path / "r.html").exists()
    assert "Traceback" not in res.output


def test_similar_id_prefix_wildcards_are_literal(corpus_db, tmp_path):
    one = tmp_path / "one.db"
    with Store.open(one) as store:  # one passage: "%" as a wildcard would pick it
        store.replace_source("/c/k.txt", [_bundle("d" * 16, "/c/k.txt", ["Bolig først."], "København")])
    r = CliRunner().invoke(app, ["similar", "%", "--db", str(one), "--model", "hashing"])
    assert r.exit_code == 18 and "no passage" in r.output
    r = CliRunner().invoke(app, ["similar", "dddd", "--db", str(corpus_db), "--model", "hashing",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
