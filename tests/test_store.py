"""The SQLite store: migrations, atomic replacement, failures never clobber good data."""

import sqlite3

import pytest

from stratcompare.errors import NotFoundError, StoreError
from stratcompare.store import DocumentRecord, PageRecord, PassageRecord, Store
from stratcompare.store.schema import MIGRATIONS


def _bundle(doc_id="a" * 16, path="/x/doc.pdf", n=3, municipality="Køge"):
    doc = DocumentRecord(id=doc_id, path=path, source_key=path, kind="pdf",
                         municipality=municipality, pages=1, status="ok")
    pages = [PageRecord(1, "text", "ok", "raw", "clean")]
    passages = [PassageRecord(f"{doc_id[:12]}-{i:04d}", i, 1, None, 0, 5, f"t{i}", f"t{i}", 1)
                for i in range(n)]
    return doc, pages, passages


def test_open_creates_versioned_schema_in_wal_mode(tmp_path):
    store = Store.open(tmp_path / "c.db")
    latest = max(v for v, _ in MIGRATIONS)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == latest
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    Store.open(tmp_path / "c.db").close()  # reopening migrates nothing and does not fail


def test_open_missing_without_create_is_a_clear_error(tmp_path):
    with pytest.raises(NotFoundError, match="no corpus database"):
        Store.open(tmp_path / "nope.db", create=False)


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "c.db"
    conn = sqlite3.connect(p)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(p)


def test_not_a_database_is_a_store_error(tmp_path):
    p = tmp_path / "c.db"
    p.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        Store.open(p)


def test_replace_source_replaces_old_version_atomically(tmp_path):
    store = Store.open(tmp_path / "c.db")
    store.replace_source("/x/doc.pdf", [_bundle("a" * 16, n=3)])
    store.replace_source("/x/doc.pdf", [_bundle("b" * 16, n=2)])
    assert [d["id"] for d in store.documents()] == ["b" * 16]
    assert len(list(store.passages())) == 2
    assert store.integrity_check() == []


def test_failure_inside_transaction_rolls_back_everything(tmp_path):
    store = Store.open(tmp_path / "c.db")
    store.replace_source("/x/doc.pdf", [_bundle("a" * 16, n=3)])

    def boom():
        raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        store.replace_source("/x/doc.pdf", [_bundle("b" * 16, n=5)], before_commit=boom)
    assert [d["id"] for d in store.documents()] == ["a" * 16]
    assert len(list(store.passages())) == 3


def test_record_failure_keeps_good_version(tmp_path):
    store = Store.open(tmp_path / "c.db")
    store.replace_source("/x/doc.pdf", [_bundle()])
    store.record_failure("/x/doc.pdf", "pdf", "corrupt")
    docs = store.documents()
    assert [d["status"] for d in docs] == ["ok"]
    store.record_failure("/x/other.pdf", "pdf", "/x/other.pdf: corrupt")
    assert {d["status"] for d in store.documents()} == {"ok", "failed"}


def test_deleting_a_document_cascades(tmp_path):
    store = Store.open(tmp_path / "c.db")
    store.replace_source("/x/doc.pdf", [_bundle()])
    store.conn.execute("INSERT INTO passage_themes VALUES (?,?,?,?,?,?,?)",
                       ("aaaaaaaaaaaa-0000", "cb@1", "housing_first", 0.9, 1, None, None))
    assert store.delete_document("a" * 16)
    for table in ("pages", "passages", "passage_themes"):
        assert store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_passages_filter_by_municipality_and_document_prefix(tmp_path):
    store = Store.open(tmp_path / "c.db")
    store.replace_source("/x/a.pdf", [_bundle("a" * 16, "/x/a.pdf", 2, "Køge")])
    store.replace_source("/x/b.pdf", [_bundle("b" * 16, "/x/b.pdf", 3, "Herning")])
    assert len(list(store.passages(municipality="herning"))) == 3
    assert len(list(store.passages(document_id="aaaa"))) == 2
    assert store.document("bbbb")["passages"] == 3


def test_document_theme_totals_follow_passage_themes(tmp_path):
    store = Store.open(tmp_path / "c.db")
    store.replace_source("/x/doc.pdf", [_bundle(n=3)])
    ins = "INSERT INTO passage_themes VALUES (?,?,?,?,?,?,?)"
    pids = [p["id"] for p in store.passages()]
    for pid, prob in zip(pids, (0.9, 0.2, 0.7)):
        store.conn.execute(ins, (pid, "cb@1", "housing_first", prob, int(prob > 0.5), None, None))

    def totals():
        return store.conn.execute(
            "SELECT passages, assigned, ROUND(probability_sum, 6) FROM document_theme_totals "
            "WHERE codebook = 'cb@1' AND theme = 'housing_first'").fetchone()

    assert tuple(totals()) == (3, 2, 1.8)
    store.conn.execute("UPDATE passage_themes SET assigned = 1, probability = 0.6 "
                       "WHERE passage_id = ?", (pids[1],))
    assert tuple(totals()) == (3, 3, 2.2)
    store.conn.execute("DELETE FROM passage_themes WHERE passage_id = ?", (pids[0],))
    assert tuple(totals()) == (2, 2, 1.3)
    store.delete_document("a" * 16)
    assert store.conn.execute("SELECT COUNT(*) FROM document_theme_totals").fetchone()[0] == 0


def test_many_processes_creating_one_database_at_once(tmp_path):
    """Switching a new file to WAL takes an exclusive lock that SQLite does not wait for;
    opening must retry instead of failing with 'database is locked'."""
    import subprocess
    import sys

    code = ("import sys; from stratcompare.store import Store; "
            "Store.open(sys.argv[1]).close()")
    for round_ in range(4):
        path = tmp_path / f"new{round_}.db"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(path)],
                                  stderr=subprocess.PIPE, text=True) for _ in range(6)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
        with Store.open(path) as s:
            assert s.integrity_check() == []
