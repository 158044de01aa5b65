"""Upgrading: a database made before passage kinds and genres (schema 3, passages cut by the old
segmenter) is migrated on open, and the next ingest re-cuts every document, one transaction per
document, without a manual step and without losing anything stored."""

from __future__ import annotations

import sqlite3

from conftest import CORPUS
from stratcompare.ingest import ingest_paths
from stratcompare.segment import SEGMENTER_VERSION
from stratcompare.store import Store
from stratcompare.store.db import _split_sql
from stratcompare.store.schema import MIGRATIONS

FILES = [CORPUS / "holstebro-investeringsmodel.txt", CORPUS / "hjoerring-forebyggelsesstrategi.html"]


def _old_database(path) -> None:
    """Schema 3 as an older stratcompare left it, with one document (the unchanged file's
    content hash as its id) cut the old way."""
    from stratcompare.ingest.pipeline import _file_digest

    digest = _file_digest(FILES[0])
    conn = sqlite3.connect(path)
    for version, sql in MIGRATIONS:
        if version > 3:
            break
        for statement in _split_sql(sql):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.execute(
        "INSERT INTO documents (id, path, source_key, kind, municipality, status, warnings, "
        "ingested_at, pages) VALUES (?, ?, ?, 'text', 'Holstebro', 'ok', '[]', "
        "'2025-01-01T00:00:00+00:00', 1)", (digest, str(FILES[0]), str(FILES[0])))
    conn.executemany(
        "INSERT INTO passages (id, document_id, seq, page, raw_text, text, words) "
        "VALUES (?, ?, ?, 1, ?, ?, 1)",
        [(f"{digest[:12]}-{i:04d}", digest, i, t, t) for i, t in enumerate([".", "• Misbrug", "(3)"])])
    conn.commit()
    conn.close()


def test_old_database_is_migrated_and_recut_on_next_ingest(tmp_path):
    db = tmp_path / "old.db"
    _old_database(db)
    with Store.open(db) as store:   # migrations 4+ run here
        row = store.conn.execute("SELECT pipeline, genre FROM documents").fetchone()
        assert tuple(row) == (0, None)
        kinds = {r[0] for r in store.conn.execute("SELECT kind FROM passages")}
        assert kinds == {"content"}  # old passages keep their text until re-cut
    report = ingest_paths([str(f) for f in FILES], db=db, repair=False)
    assert report.exit_code == 0
    statuses = {r.path: r.status for r in report.results}
    assert statuses[str(FILES[0])] == "replaced"      # re-cut although the file is unchanged
    with Store.open(db) as store:
        docs = store.documents()
        assert {d["pipeline"] for d in docs} == {SEGMENTER_VERSION}
        assert all(d["genre"] for d in docs)
        texts = [p["text"] for p in store.passages()]
        assert "." not in texts and "(3)" not in texts   # the old fragments are gone
        assert not store.integrity_check()
    # and a second ingest leaves everything as it is
    again = ingest_paths([str(f) for f in FILES], db=db, repair=False)
    assert {r.status for r in again.results} == {"unchanged"}
