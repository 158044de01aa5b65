"""Issue 10, item 8: a long text is ingested part by part, with memory that does not grow with
the file, the same passages as when it is read whole, and still one transaction per document."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from stratcompare.ingest import longtext
from stratcompare.ingest import pipeline as pl
from stratcompare.ingest.textfile import read_text

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "holstebro-investeringsmodel.txt"
TOPICS = ["forebyggelse", "beskæftigelse", "bolig", "sundhed", "uddannelse", "trivsel",
          "ældreomsorg", "handicap"]


def _report(path: Path, pages: int, seed: int = 7) -> None:
    """A long report split at form feeds: a running header and a page number on every page, a
    heading per page, paragraphs of whole sentences, now and then a list."""
    rng = random.Random(seed)
    vocab = sorted({w for w in SEED.read_text(encoding="utf-8").split()
                    if w.isalpha() and len(w) > 4})

    def sentence() -> str:
        return (f"Kommunen {rng.choice(['styrker', 'udvikler', 'prioriterer'])} indsatsen for "
                f"{rng.choice(TOPICS)} sammen med borgere og "
                f"{rng.choice(['foreninger', 'virksomheder', 'pårørende'])}, så flere får et godt "
                "hverdagsliv.")

    out = []
    for n in range(1, pages + 1):
        lines = ["Holstebro Kommune · Socialstrategi 2030", "",
                 " ".join(rng.sample(vocab, 3)).capitalize(), ""]
        if n == 1:
            lines += ["Socialstrategien for Holstebro Kommune er vedtaget af byrådet den 12. marts "
                      "2024 og gælder for perioden 2024-2030.", ""]
        for _ in range(rng.randint(1, 4)):
            lines += [" ".join(sentence() for _ in range(rng.randint(2, 6))), ""]
        if rng.random() < 0.3:
            lines += ["Vi vil blandt andet:", "",
                      *[f"- arbejde med {rng.choice(TOPICS)}" for _ in range(3)], ""]
        lines += [" ".join(sentence() for _ in range(rng.randint(2, 6))), "", f"Side {n}"]
        out.append("\n".join(lines))
    path.write_text("\f".join(out) + "\n", encoding="utf-8")


def _one_line(path: Path, chars: int) -> None:
    words = SEED.read_text(encoding="utf-8").split()
    chunk = " ".join(words) + " "
    path.write_text((chunk * (chars // len(chunk) + 1))[:chars], encoding="utf-8")


def _both(path: Path, repair: bool = True):
    """The document read whole (before) and part by part, as (doc, pages, passages) rows."""
    opts = pl.IngestOptions(repair=repair)
    size = path.stat().st_size
    whole = pl._bundle_from_extracted(path, "d" * 16, size, read_text(path, path.read_bytes()), opts)
    parted = longtext.long_text_bundle(path, "d" * 16, size, opts)
    try:
        conn = sqlite3.connect(parted.pages.path)
        pages = conn.execute("SELECT number, method, status, raw_text, text FROM pages "
                             "ORDER BY number").fetchall()
        passages = conn.execute("SELECT id, seq, page, section, char_start, char_end, raw_text, "
                                "text, words, kind FROM passages ORDER BY seq").fetchall()
        conn.close()
    finally:
        parted.discard()
    rows = (
        [(p.number, p.method, p.status, p.raw_text, p.text) for p in whole.pages],
        [(p.id, p.seq, p.page, p.section, p.char_start, p.char_end, p.raw_text, p.text, p.words,
          p.kind) for p in whole.passages],
    )
    return (whole.doc, *rows), (parted.doc, pages, passages)


def test_streamed_report_has_the_same_pages_passages_and_metadata(tmp_path, monkeypatch):
    f = tmp_path / "report.txt"
    _report(f, 120)                                   # ~200,000 characters
    monkeypatch.setattr(longtext, "PART_CHARS", 15_000)   # -> about a dozen parts
    (doc_a, pages_a, pass_a), (doc_b, pages_b, pass_b) = _both(f)
    assert len(pages_a) == 120 and len(pass_a) > 300
    assert pages_b == pages_a
    assert pass_b == pass_a                          # ids, order, pages, offsets, sections, kinds
    assert vars(doc_b) == vars(doc_a)                # title, genre, municipality, years, totals
    assert (doc_a.municipality, doc_a.year_start, doc_a.year_end) == ("Holstebro", 2024, 2030)


def test_streamed_one_line_text_keeps_pages_and_every_word(tmp_path):
    f = tmp_path / "one-line.txt"
    _one_line(f, 3_600_000)                          # four pages of <= 1,000,000 characters
    (doc_a, pages_a, pass_a), (doc_b, pages_b, pass_b) = _both(f, repair=False)
    assert len(pages_a) == 4 and pages_b == pages_a
    words = [" ".join(p[7] for p in rows).split() for rows in (pass_a, pass_b)]
    assert words[1] == words[0]                      # nothing lost, nothing twice, same order
    # the parts are cut apart at their edges only: a paragraph broken by a page break is not
    # joined across a part's edge (one or two passages there), everything else is the same
    differ = [i for i, (a, b) in enumerate(zip(pass_a, pass_b)) if a != b]
    assert len(pass_b) - len(pass_a) in (0, 1) and len(differ) <= 3 * 2
    assert doc_b.warnings == doc_a.warnings and any("stored as" in w for w in doc_b.warnings)


def test_markdown_and_crlf_stream_like_the_whole_file(tmp_path, monkeypatch):
    import stratcompare.ingest.textstream as ts

    monkeypatch.setattr(ts, "READ_BYTES", 4096)      # many blocks: "\r\n" and lines cut apart
    monkeypatch.setattr(longtext, "PART_CHARS", 15_000)
    f = tmp_path / "report.md"
    _report(tmp_path / "r.txt", 60)
    text = (tmp_path / "r.txt").read_text(encoding="utf-8")
    text = text.replace("Holstebro Kommune · Socialstrategi 2030\n", "# Holstebro Kommune\n", 1)
    text = text.replace("Vi vil blandt andet:", "## Vi vil **blandt andet** [her](http://x):")
    f.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    (doc_a, pages_a, pass_a), (doc_b, pages_b, pass_b) = _both(f)
    assert pages_b == pages_a and pass_b == pass_a and vars(doc_b) == vars(doc_a)
    assert doc_a.title == "Holstebro Kommune"


def test_latin1_long_text_streams_and_binary_fails_on_one_line(tmp_path, monkeypatch):
    from stratcompare.errors import UndecodableTextError

    monkeypatch.setattr(longtext, "PART_CHARS", 15_000)
    f = tmp_path / "latin1.txt"
    _report(tmp_path / "r.txt", 40)
    f.write_bytes((tmp_path / "r.txt").read_text(encoding="utf-8").replace("·", "-")
                  .encode("cp1252"))
    (doc_a, pages_a, pass_a), (doc_b, pages_b, pass_b) = _both(f)
    assert pages_b == pages_a and pass_b == pass_a
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"\x00\x01\xff" * 1000)
    with pytest.raises(UndecodableTextError):
        longtext.long_text_bundle(bad, "e" * 16, bad.stat().st_size, pl.IngestOptions())


# A child process: ingest one file with the long-text path's sizes scaled down (pages of
# 100,000 characters, parts of ``part_chars``: a few MB then show what 100 MB would with the
# real sizes), print the peak RSS.  argv: file db stream_bytes part_chars
# (VmHWM, not getrusage: a child's ru_maxrss counts the parent's pages it was forked with.)
_CHILD = """
import sys
from stratcompare.ingest import longtext, textfile, textstream
longtext.STREAM_BYTES, longtext.PART_CHARS = int(sys.argv[3]), int(sys.argv[4])
textfile.PAGE_CHARS = textstream.PAGE_CHARS = 100_000
from stratcompare.ingest import ingest_paths
rep = ingest_paths([sys.argv[1]], db=sys.argv[2], repair=False)
r = rep.results[0]
hwm = [ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
print(r.status, r.pages, r.passages, hwm[0] if hwm else 0)
"""


def _child(f: Path, db: Path, stream_bytes: int, part_chars: int, env=None):
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(f), str(db), str(stream_bytes),
                           str(part_chars)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})
    return proc


def _peak_mb(tmp_path: Path, mb: float, stream_bytes: int) -> float:
    f = tmp_path / f"one-line-{mb:g}.txt"
    _one_line(f, int(mb * 1_000_000))
    proc = _child(f, tmp_path / f"m{mb:g}-{stream_bytes}.db", stream_bytes, 200_000)
    assert proc.returncode == 0, proc.stderr
    status, _, _, rss_kb = proc.stdout.split()
    assert status == "ingested"
    return int(rss_kb) / 1024


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_peak_memory_does_not_grow_with_a_long_text(tmp_path):
    """Peak RSS of ingesting a 2 MB and a 10 MB one-line text (sizes scaled down, see _CHILD):
    streamed, the larger file may cost at most 10 MB more (measured: +0.7 MB); read whole, the
    path every file took before, it costs ~9 bytes per extra input byte (measured: +76 MB), so
    the check fails on the code before the change."""
    flat = _peak_mb(tmp_path, 10, 100_000) - _peak_mb(tmp_path, 2, 100_000)
    whole = _peak_mb(tmp_path, 10, 1 << 40) - _peak_mb(tmp_path, 2, 1 << 40)
    print(f"peak growth 2 -> 10 MB: streamed {flat:.1f} MB, read whole {whole:.1f} MB")
    assert whole > 40, "the measurement does not see memory grow with the input"
    assert flat < 10


def test_streamed_document_is_stored_in_one_transaction(tmp_path):
    """A long text goes through a spool file; a crash before the commit leaves the old version
    whole, and a rerun stores the new one.  No spool file is left behind."""
    spools = tmp_path / "tmp"
    spools.mkdir()
    f = tmp_path / "report.txt"
    db = tmp_path / "c.db"
    _report(f, 80)
    env = {"TMPDIR": str(spools)}
    first = _child(f, db, 50_000, 20_000, env)
    assert first.returncode == 0, first.stderr
    status, pages, passages, _ = first.stdout.split()
    assert (status, pages) == ("ingested", "80") and int(passages) > 200
    conn = sqlite3.connect(db)
    old = conn.execute("SELECT id, text FROM passages ORDER BY document_id, seq").fetchall()
    conn.close()
    assert len(old) == int(passages)

    _report(f, 90, seed=8)                           # an edit; then die inside the transaction
    crash = _child(f, db, 50_000, 20_000, {**env, "STRATCOMPARE_FAULT": "commit-exit:report.txt"})
    assert crash.returncode == 86, crash.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT id, text FROM passages ORDER BY document_id, seq").fetchall() == old
    assert conn.execute("SELECT pages FROM documents").fetchall() == [(80,)]
    conn.close()

    again = _child(f, db, 50_000, 20_000, env)
    assert again.returncode == 0 and again.stdout.split()[:2] == ["replaced", "90"], again.stderr
    conn = sqlite3.connect(db)
    doc = conn.execute("SELECT pages, words, warnings FROM documents").fetchone()
    assert doc[0] == 90 and doc[1] == conn.execute("SELECT sum(words) FROM passages").fetchone()[0]
    assert json.loads(doc[2]) == []
    assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 90
    conn.close()
    # the crashed run (os._exit) may leave its spool in TMPDIR; the completed runs leave none
    assert len(list(spools.iterdir())) <= 1


def test_stale_spools_of_a_killed_ingest_are_removed(tmp_path):
    """A spool whose ingest is gone (kill -9 before the write) is deleted by the next ingest;
    a running ingest's spool, and a fresh one, are left alone."""
    import subprocess
    import sys
    import time

    from stratcompare.store.spool import PREFIX, Spool, remove_stale

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    old = time.time() - 3600
    dead = tmp_path / f"{PREFIX}{gone.pid}-abc.db"
    dead_young = tmp_path / f"{PREFIX}{gone.pid}-new.db"
    mine = tmp_path / f"{PREFIX}{os.getpid()}-def.db"
    other = tmp_path / "stratcompare.db"
    for p in (dead, dead_young, mine, other):
        p.write_bytes(b"x")
    for p in (dead, mine, other):
        os.utime(p, (old, old))
    assert remove_stale(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (dead_young, mine, other))
    spool = Spool()   # named after this process (its owner), so never stale while we run
    try:
        assert spool.path.name.startswith(f"{PREFIX}{os.getpid()}-")
    finally:
        spool.discard()
