"""Progress of long computations: callbacks with sensible counts, periodic lines off a terminal."""

from __future__ import annotations

import io
import re

import pytest

from stratcompare.embed import embed_passages, get_encoder
from stratcompare.embed.progress import BarReporter, LineReporter, fmt_duration, progress_line, reporter
from synth_text import SynthDocument, SynthPassage, build_store

LINE = re.compile(r"^embedding: \d+/\d+ passages(, [\d.]+/s(, ETA \w+| , done in \w+|, done in \w+)?)?$")


def _docs(n: int = 150):
    words = ["bolig", "bostøtte", "hjemløse", "unge", "skole", "job", "psykiatri", "familie", "indsats"]
    passages = [SynthPassage(i + 1, None, f"Passage {i}: " + " ".join(words[(i + k) % len(words)] for k in range(3 + i % 7)))
                for i in range(n)]
    return [SynthDocument("Køge", "Strategi", 2020, 2024, passages, path="/x/a.txt")]


@pytest.fixture()
def store(tmp_path):
    s = build_store(tmp_path / "c.db", _docs())
    yield s
    s.close()


def test_duration_format():
    assert fmt_duration(7) == "7s"
    assert fmt_duration(108) == "1m48s"
    assert fmt_duration(7380) == "2h03m"


def test_progress_line_has_rate_and_eta():
    assert progress_line("embedding", 1200, 5000, 1200 / 35) == "embedding: 1200/5000 passages, 35/s, ETA 1m49s"
    assert progress_line("embedding", 0, 5000, 3.0) == "embedding: 0/5000 passages"
    assert progress_line("embedding", 10, 10, 4.0).endswith("done in 4s")


def test_line_reporter_prints_every_interval_then_a_last_line():
    now = [0.0]
    out = io.StringIO()
    rep = LineReporter(out, interval=10.0, clock=lambda: now[0])
    for step in range(0, 5001, 100):  # 100 passages a second for 50 s
        now[0] = step / 100
        rep("embedding", step, 5000)
    rep.close()
    lines = out.getvalue().splitlines()
    assert 5 <= len(lines) <= 6, lines  # every 10 s of 50 s, and the final count
    assert all(LINE.match(ln) for ln in lines), lines
    assert lines[0] == "embedding: 1000/5000 passages, 100/s, ETA 40s"
    assert lines[-1] == "embedding: 5000/5000 passages, 100/s, done in 50s"


def test_short_job_prints_nothing():
    out = io.StringIO()
    rep = LineReporter(out, interval=10.0, clock=lambda: 0.0)
    rep("embedding", 0, 10)
    rep("embedding", 10, 10)
    rep.close()
    assert out.getvalue() == ""


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_reporter_kind_follows_the_stream():
    assert isinstance(reporter(True, stream=io.StringIO()), LineReporter)
    bar = reporter(True, stream=_Tty())
    assert isinstance(bar, BarReporter)
    bar("embedding", 5, 10)
    bar.close()
    calls = []
    cb = reporter(lambda *a: calls.append(a))
    cb("embedding", 1, 2)
    assert calls == [("embedding", 1, 2)]
    reporter(None)("embedding", 1, 2)  # silent, no error


def test_embed_passages_calls_back_with_counts(store):
    calls = []
    n = embed_passages(store.conn, get_encoder("hashing"), progress=lambda *a: calls.append(a), batch_size=64)
    assert n == 150
    assert calls[0] == ("embedding", 0, 150) and calls[-1] == ("embedding", 150, 150)
    done = [c[1] for c in calls]
    assert done == sorted(done) and len(calls) == 1 + 3  # a start, then one per batch of 64
    calls.clear()
    assert embed_passages(store.conn, get_encoder("hashing"), progress=lambda *a: calls.append(a)) == 0
    assert calls == []  # nothing to do, nothing reported


def test_classify_reports_embedding_then_classifying(store):
    from stratcompare.classify import classify_passages

    calls = []
    n = classify_passages(store.conn, encoder=get_encoder("hashing"), progress=lambda *a: calls.append(a))
    stages = list(dict.fromkeys(c[0] for c in calls))
    assert stages == ["embedding", "classifying"]
    last = {s: c for c in calls for s in [c[0]]}
    assert last["embedding"] == ("embedding", 150, 150)
    assert last["classifying"] == ("classifying", n, n) and n == 150


def test_embed_off_a_terminal_writes_lines_not_a_bar(store, capsys, monkeypatch):
    import stratcompare.embed.progress as progress

    monkeypatch.setattr(progress, "INTERVAL", 0.0)  # every batch
    embed_passages(store.conn, get_encoder("hashing"), progress=True)
    err = capsys.readouterr().err.splitlines()
    assert err and all(LINE.match(ln) for ln in err), err
    assert err[-1].startswith("embedding: 150/150 passages")


def test_first_search_reports_its_embedding(store):
    from stratcompare.search.api import search_result

    calls = []
    search_result(store.conn, "bostøtte til hjemløse", encoder=get_encoder("hashing"), mode="dense",
                  progress=lambda *a: calls.append(a))
    assert calls and calls[-1] == ("embedding", 150, 150)
    calls.clear()
    search_result(store.conn, "job", encoder=get_encoder("hashing"), mode="dense", progress=lambda *a: calls.append(a))
    assert calls == []  # the corpus is embedded: nothing to report
