"""No command encodes a stored passage text twice: classify stores the vectors it computes and
embed, search, similar, compare and report read them (issue: embeddings computed once)."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from conftest import CORPUS
from stratcompare.cli import app
from stratcompare.store import Store

runner = CliRunner()


class CountingEncoder:
    """The hashing encoder, counting every passage text it is asked to encode."""

    def __init__(self, inner):
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
        self.counts: Counter = Counter()

    def encode_passages(self, texts, batch_size: int = 32, show_progress: bool = False):
        self.counts.update(texts)
        return self.inner.encode_passages(texts, batch_size=batch_size)

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)


@pytest.fixture
def counting(monkeypatch):
    import stratcompare.embed as embed

    enc = CountingEncoder(embed.get_encoder("hashing"))
    monkeypatch.setitem(embed._CACHE, "hashing", enc)
    return enc


def _invoke(*args):
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, (args, out.output)
    return out


def test_every_command_reuses_stored_vectors(tmp_path, counting):
    db = str(tmp_path / "c.db")
    files = [str(CORPUS / "holstebro-investeringsmodel.txt"),
             str(CORPUS / "hjoerring-forebyggelsesstrategi.html"),
             str(CORPUS / "herning-herningmodellen.pdf")]
    _invoke("ingest", *files, "--db", db, "--no-ocr")
    # a second copy of one text under another name: its passages share texts with the first
    dup = tmp_path / "holstebro-kopi.txt"
    dup.write_text((CORPUS / "holstebro-investeringsmodel.txt").read_text(encoding="utf-8")
                   + "\n\nEt nyt afsnit om bostøtte til unge hjemløse.\n", encoding="utf-8")
    _invoke("ingest", str(dup), "--db", db)

    _invoke("classify", "--db", db, "--encoder", "hashing")
    with Store.open(db) as store:
        texts = [r[0] for r in store.conn.execute("SELECT text FROM passages")]
        stored = store.conn.execute(
            "SELECT COUNT(*) FROM embeddings WHERE model = 'hashing'").fetchone()[0]
    assert stored == len(texts), "classify must store the vectors it computes"

    _invoke("embed", "--db", db, "--model", "hashing")
    _invoke("search", "bostøtte til unge hjemløse", "--db", db, "--model", "hashing")
    with Store.open(db) as store:
        pid = store.conn.execute("SELECT id FROM passages WHERE kind = 'content' LIMIT 1").fetchone()[0]
    _invoke("similar", pid, "--db", db, "--model", "hashing")
    _invoke("compare", "--db", db, "--matrix", "similarity", "--basis", "embeddings")
    _invoke("report", "--db", db, "-o", str(tmp_path / "r.html"))
    _invoke("classify", "--db", db, "--encoder", "hashing")

    passage_texts = set(texts)
    twice = {t: n for t, n in counting.counts.items() if t in passage_texts and n > 1}
    assert not twice, f"{len(twice)} passage texts encoded more than once, e.g. {next(iter(twice))[:80]!r}"
    # the repeated text of the second copy was copied from the stored vector, not encoded again
    assert counting.counts, "the encoder was never used: the test would prove nothing"
