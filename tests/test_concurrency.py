"""Ingest, classify, embed and search as separate processes on one database, with edits in
between, for a bounded time (issue 10).  What must hold afterwards: see docs/reliability.md."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PY = sys.executable
RUN_SECONDS = float(os.environ.get("STRATCOMPARE_CONCURRENCY_SECONDS", "20"))

MUNIS = ["Køge", "Herning", "Hjørring", "Holstebro", "Aarhus", "Odense"]
TOPICS = ["bolig til hjemløse", "beskæftigelse for unge", "misbrugsbehandling", "psykiatri",
          "handicap og botilbud", "tidlig indsats i dagtilbud", "anbragte børn i plejefamilier"]


def _doc(muni: str, n: int, token: str, rng: random.Random) -> str:
    paras = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        extra = f" Initiativet hedder {token}." if i == n // 2 else ""
        paras.append(f"{muni} Kommune styrker indsatsen for {topic}. Borgerne får hjælp tidligt, "
                     f"og vi samarbejder med civilsamfundet om varige løsninger nr. {i}.{extra}")
    return f"Strategi for {muni} Kommune 2024-2027\n\n" + "\n\n".join(paras) + "\n"


def _ingest(folder: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "stratcompare", "ingest", str(folder), "--db", str(db), "-q",
                           "--no-repair"], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_ingest_classify_embed_search_at_once(tmp_path):
    rng = random.Random(7)
    folder, db, stop = tmp_path / "docs", tmp_path / "c.db", tmp_path / "stop"
    folder.mkdir()
    latest: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for k, muni in enumerate(MUNIS):
        name = f"doc{k}.txt"
        sizes[name] = rng.randint(4, 12)
        latest[name] = f"startord{k}x"
        (folder / name).write_text(_doc(muni, sizes[name], latest[name], rng), encoding="utf-8")
    first = _ingest(folder, db)
    assert first.returncode == 0, first.stderr

    roles = {}
    for role in ("classify", "embed", "search"):
        out = tmp_path / f"{role}.json"
        roles[role] = (subprocess.Popen([PY, str(TESTS / "concurrency_roles.py"), role, str(db), str(stop),
                                         str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
                       out)
    edits = ingests = 0
    ingest_errors = []
    deadline = time.monotonic() + RUN_SECONDS
    try:
        while time.monotonic() < deadline:
            # edit one or two files: half keep their passage count (the stale-index case)
            for _ in range(rng.randint(1, 2)):
                k = rng.randrange(len(MUNIS))
                name = f"doc{k}.txt"
                if rng.random() < 0.5:
                    sizes[name] = rng.randint(4, 12)
                latest[name] = f"redigeret{edits}q{k}"
                (folder / name).write_text(_doc(MUNIS[k], sizes[name], latest[name], rng), encoding="utf-8")
                edits += 1
            res = _ingest(folder, db)
            ingests += 1
            if res.returncode != 0:
                ingest_errors.append(res.stderr[-500:])
    finally:
        stop.write_text(json.dumps(latest))
    results = {}
    for role, (proc, out) in roles.items():
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (role, err[-2000:])
        results[role] = json.loads(out.read_text())
    assert not ingest_errors, ingest_errors[:2]
    for role, r in results.items():
        assert not r["errors"], (role, r["errors"][:2])
        assert r["runs"] >= 1, role
    assert edits >= 4 and ingests >= 3
    print(f"\nconcurrency: {RUN_SECONDS:.0f} s, {edits} edits, {ingests} ingest runs, "
          + ", ".join(f"{role} {r['runs']} runs" for role, r in results.items()))

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # no label rows for passages that are gone
    assert conn.execute("SELECT count(*) FROM passage_themes t LEFT JOIN passages p ON p.id = t.passage_id "
                        "WHERE p.id IS NULL").fetchone()[0] == 0
    # each classify run wrote all or nothing: a passage has every theme of the codebook or none
    n_themes = conn.execute("SELECT count(DISTINCT theme) FROM passage_themes").fetchone()[0]
    per_passage = {r[0] for r in conn.execute(
        "SELECT count(*) FROM passage_themes GROUP BY passage_id, codebook")}
    assert per_passage <= {n_themes}, per_passage
    # the theme totals the matrices read agree with the labels
    bad_totals = conn.execute(
        "SELECT count(*) FROM (SELECT p.document_id, t.codebook, t.theme, count(*) n, sum(t.assigned) a "
        "FROM passage_themes t JOIN passages p ON p.id = t.passage_id GROUP BY 1, 2, 3) x "
        "LEFT JOIN document_theme_totals d ON d.document_id = x.document_id AND d.codebook = x.codebook "
        "AND d.theme = x.theme WHERE d.passages IS NOT x.n OR d.assigned IS NOT x.a").fetchone()[0]
    assert bad_totals == 0
    # the long-running search process found every file's latest edit, lexically and hybrid
    missed = {n: f for n, f in results["search"]["found"].items() if not all(f.values())}
    assert not missed, missed
    conn.close()

    # after the writers stop, one classify and one embed bring every live passage up to date
    for args in (["classify", "--encoder", "hashing"], ["embed", "--model", "hashing"]):
        res = subprocess.run([PY, "-m", "stratcompare", *args, "--db", str(db)], capture_output=True,
                             text=True, timeout=120)
        assert res.returncode == 0, res.stderr
    conn = sqlite3.connect(db)
    unlabelled = conn.execute(
        "SELECT count(*) FROM passages p WHERE p.kind IN ('content', 'list', 'table') AND NOT EXISTS "
        "(SELECT 1 FROM passage_themes t WHERE t.passage_id = p.id)").fetchone()[0]
    assert unlabelled == 0
    stale = [pid for pid, text, h in conn.execute(
        "SELECT p.id, p.text, e.text_hash FROM passages p LEFT JOIN embeddings e "
        "ON e.passage_id = p.id AND e.model = 'hashing'")
        if h != hashlib.sha1(text.encode("utf-8")).hexdigest()]
    assert not stale
    conn.close()
