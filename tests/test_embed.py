"""Embedding API and storage, with the fast hashing encoder."""

from __future__ import annotations

import numpy as np
import pytest

from stratcompare.embed import embed_passages, get_encoder, load_matrix, text_hash
from stratcompare.errors import ModelError
from synth_text import SynthDocument, SynthPassage, build_store


def _docs():
    return [
        SynthDocument("Køge", "Strategi A", 2020, 2024, [
            SynthPassage(1, "Bolig", "Housing First giver hjemløse unge en bolig med bostøtte."),
            SynthPassage(2, "Børn", "Tidlig opsporing af børn i mistrivsel i skoler og dagtilbud."),
        ], path="/x/a.txt"),
        SynthDocument("Herning", "Strategi B", 2021, None, [
            SynthPassage(1, None, "Flere borgere skal i job eller uddannelse."),
        ], path="/x/b.txt"),
    ]


@pytest.fixture()
def store(tmp_path):
    s = build_store(tmp_path / "c.db", _docs())
    yield s
    s.close()


def test_hashing_encoder_is_normalised_and_deterministic():
    enc = get_encoder("hashing")
    assert enc.model_id == "hashing" and enc.dim == 1024
    a = enc.encode_passages(["Housing First til hjemløse", "økonomisk styring", ""])
    assert a.dtype == np.float32 and a.shape == (3, 1024)
    np.testing.assert_allclose(np.linalg.norm(a[:2], axis=1), 1.0, rtol=1e-5)
    assert np.linalg.norm(a[2]) == 0.0  # empty text: zero vector, not NaN
    b = get_encoder("hashing").encode_queries(["Housing First til hjemløse"])
    np.testing.assert_allclose(a[0], b[0], rtol=1e-6)
    # similar spelling scores higher than unrelated text
    q = enc.encode_queries(["hjemløse unge"])[0]
    assert a[0] @ q > a[1] @ q
    assert enc.encode_passages([]).shape == (0, 1024)


def test_hashing_dim_variant_and_bad_name():
    assert get_encoder("hashing-256").dim == 256
    with pytest.raises(ModelError):
        get_encoder("hashing-abc")


def test_unloadable_model_is_a_one_line_model_error(tmp_path):
    (tmp_path / "notamodel").mkdir()
    with pytest.raises(ModelError) as e:
        get_encoder(str(tmp_path / "notamodel"))
    assert "\n" not in str(e.value)


def test_embed_passages_once_then_only_changed(store):
    enc = get_encoder("hashing")
    conn = store.conn
    assert embed_passages(conn, enc, progress=False) == 3
    assert embed_passages(conn, enc, progress=False) == 0
    ids, m = load_matrix(conn, "hashing")
    assert len(ids) == 3 and m.shape == (3, 1024) and m.dtype == np.float32
    np.testing.assert_allclose(m, enc.encode_passages([r[0] for r in conn.execute(
        "SELECT text FROM passages ORDER BY rowid")]), rtol=1e-6)
    # change one text: only that passage is recomputed, and its hash follows the text
    pid = ids[0]
    conn.execute("UPDATE passages SET text = 'Nyt indhold om rusmiddelbehandling' WHERE id = ?", (pid,))
    conn.commit()
    assert embed_passages(conn, enc, progress=False) == 1
    h = conn.execute("SELECT text_hash FROM embeddings WHERE passage_id = ?", (pid,)).fetchone()[0]
    assert h == text_hash("Nyt indhold om rusmiddelbehandling")
    # another model is stored beside, not over
    assert embed_passages(conn, get_encoder("hashing-256"), progress=False) == 3
    assert conn.execute("SELECT count(*) FROM embeddings").fetchone()[0] == 6


def test_load_matrix_subset_order_and_missing(store):
    enc = get_encoder("hashing")
    embed_passages(store.conn, enc, progress=False)
    ids, _ = load_matrix(store.conn, "hashing")
    sub_ids, sub = load_matrix(store.conn, "hashing", [ids[2], "nope", ids[0]])
    assert sub_ids == [ids[2], ids[0]] and sub.shape == (2, 1024)
    assert load_matrix(store.conn, "other")[0] == []


def test_deleted_document_drops_its_embeddings(store):
    embed_passages(store.conn, get_encoder("hashing"), progress=False)
    doc = store.conn.execute("SELECT id FROM documents WHERE municipality = 'Herning'").fetchone()[0]
    store.delete_document(doc)
    assert len(load_matrix(store.conn, "hashing")[0]) == 2


class _Versioned:
    """The hashing encoder under a given ``vector_version`` (as e5-small's runtimes carry one)."""

    def __init__(self, version: str, scale: float = 1.0):
        self.inner, self.vector_version, self.scale = get_encoder("hashing"), version, scale
        self.model_id, self.dim = self.inner.model_id, self.inner.dim
        self.encoded = 0

    def encode_passages(self, texts, batch_size: int = 32, show_progress: bool = False):
        self.encoded += len(texts)
        return self.inner.encode_passages(texts) * self.scale

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts) * self.scale


def _version(conn, model="hashing"):
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (f"vectors:{model}",)).fetchone()
    return row and row[0]


def test_vectors_of_another_version_are_replaced_not_mixed(store):
    conn = store.conn
    old = _Versioned("int8:int8", scale=-1.0)  # a recognisably different vector per text
    assert embed_passages(conn, old, progress=False) == 3 and _version(conn) == "int8:int8"
    assert embed_passages(conn, _Versioned("int8:int8"), progress=False) == 0  # same version: reused
    new = _Versioned("int8:int8-ffnout32")
    assert embed_passages(conn, new, progress=False) == 3  # every passage again, none kept
    assert new.encoded == 3 and _version(conn) == "int8:int8-ffnout32"
    ids, m = load_matrix(conn, "hashing")
    texts = [r[0] for r in conn.execute("SELECT text FROM passages ORDER BY rowid")]
    np.testing.assert_allclose(m, get_encoder("hashing").encode_passages(texts), rtol=1e-6)
    assert embed_passages(conn, new, progress=False) == 0


def test_vectors_stored_before_versions_were_recorded_are_replaced(store):
    conn = store.conn
    assert embed_passages(conn, get_encoder("hashing"), progress=False) == 3  # no version: none recorded
    assert _version(conn) is None
    enc = _Versioned("fp32")
    assert embed_passages(conn, enc, progress=False) == 3 and _version(conn) == "fp32"
    # an encoder without a version leaves the record and the vectors alone
    assert embed_passages(conn, get_encoder("hashing"), progress=False) == 0 and _version(conn) == "fp32"


def test_unrecorded_vectors_count_as_the_encoders_legacy_version(store):
    """e5-small's runtimes say which version the vectors stored before versions were recorded
    were (the int8 default of that time): kept when that is the current version, else replaced."""
    conn = store.conn
    assert embed_passages(conn, get_encoder("hashing"), progress=False) == 3
    same = _Versioned("int8:int8")
    same.unrecorded_version = "int8:int8"
    assert embed_passages(conn, same, progress=False) == 0 and _version(conn) == "int8:int8"
    conn.execute("DELETE FROM meta WHERE key = 'vectors:hashing'")
    newer = _Versioned("int8:int8-ffnout32")
    newer.unrecorded_version = "int8:int8"
    assert embed_passages(conn, newer, progress=False) == 3 and _version(conn) == "int8:int8-ffnout32"


def test_first_search_reembeds_vectors_of_another_version(store):
    """A database embedded by an older runtime of the same model is brought up to date by the
    first search, not searched with the old vectors until the next `embed`."""
    from stratcompare.search.api import embedded_key, ensure_embeddings

    conn = store.conn
    old = _Versioned("int8:int8", scale=-1.0)
    ensure_embeddings(conn, old)
    assert old.encoded == 3 and _version(conn) == "int8:int8"
    ensure_embeddings(conn, _Versioned("int8:int8"))          # same version: nothing to do
    new = _Versioned("int8:int8-ffnout32")
    assert embedded_key(new) != embedded_key(old)
    ensure_embeddings(conn, new)
    assert new.encoded == 3 and _version(conn) == "int8:int8-ffnout32"
    ensure_embeddings(conn, new)
    assert new.encoded == 3                                     # and only once
