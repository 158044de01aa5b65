"""The theme LoRA adapter: injection, merge, seeded training, safetensors roundtrip, encoder.

Fast tests use a tiny random BERT and a word-level tokenizer built here (no e5 conversion);
the slow test trains a small adapter on the real e5-small and loads it as an Encoder.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from stratcompare.classify.adapter_train import AdapterConfig, TopStack, _batches, fit_adapter  # noqa: E402
from stratcompare.embed.adapter import (  # noqa: E402
    ID_PREFIX, META_FILE, WEIGHTS_FILE, adapter_hash, load_adapter, merge_lora, save_adapter,
)
from stratcompare.errors import ModelError  # noqa: E402

TEXTS = [
    "borgeren bor i egen bolig med støtte",
    "hjemløse får en bolig først og støtte bagefter",
    "tidlig indsats forebygger problemer hos børn",
    "vi sætter tidligt ind over for unge i mistrivsel",
    "mødet blev hævet klokken ti",
    "referatet blev godkendt uden bemærkninger",
    "bolig og støtte til borgere uden bolig",
    "forebyggelse og tidlig opsporing i skolen",
]
Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [0, 0], [0, 0], [1, 0], [0, 1]], dtype=np.int8)


def _tiny():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    words = sorted({w for t in TEXTS for w in ("passage: " + t).split()})
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, **{w: i + 4 for i, w in enumerate(words)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]",
                                   cls_token="[CLS]", sep_token="[SEP]")
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64)
    bert = BertModel(cfg).eval()
    return bert, fast


def _pooled(bert, tok, texts):
    enc = tok(["passage: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.no_grad():
        h = bert(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                 token_type_ids=torch.zeros_like(enc["input_ids"])).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy()


def _stack(top=2):
    bert, tok = _tiny()
    base = copy.deepcopy(bert)
    return TopStack(top_layers=top, rank=4, alpha=8.0, bert=bert, tokenizer=tok, infer_max_len=32), base, tok


def test_fresh_adapter_is_the_base_and_merging_gives_the_same_vectors():
    stack, base, tok = _stack()
    plain = _pooled(base, tok, TEXTS)
    stack.reset(0)
    # B = 0: the base model (lower states are cached as float16, hence the tolerance)
    assert np.abs(stack.encode(TEXTS) - plain).max() < 2e-4
    rng = np.random.default_rng(1)
    state = {k: (rng.normal(size=v.shape) * 0.2).astype(np.float32) for k, v in stack.state().items()}
    stack.load_state(state)
    adapted = stack.encode(TEXTS)
    assert np.abs(adapted - plain).max() > 1e-3
    merged = copy.deepcopy(base)
    merge_lora(merged, state, scale=8.0 / 4)
    assert np.abs(_pooled(merged, tok, TEXTS) - adapted).max() < 1e-4
    # only the top two layers and their six linear maps carry tensors
    layers = {int(k.split(".")[2]) for k in state}
    assert layers == {1, 2} and len(state) == 2 * 6 * 2


def test_training_is_seeded_and_moves_the_vectors():
    cfg = AdapterConfig(rank=4, alpha=8.0, top_layers=2, epochs=3, lr=1e-2, head_lr=5e-2, batch_size=4, seed=0)
    stack, base, tok = _stack()
    a = fit_adapter(stack, TEXTS, Y, cfg)
    again = fit_adapter(stack, TEXTS, Y, cfg)
    other = fit_adapter(stack, TEXTS, Y, AdapterConfig(**{**cfg.__dict__, "seed": 1}))
    assert adapter_hash(a) == adapter_hash(again)
    assert adapter_hash(a) != adapter_hash(other)
    stack.load_state(a)
    assert np.abs(stack.encode(TEXTS) - _pooled(base, tok, TEXTS)).max() > 1e-3
    assert all(np.abs(v).max() > 0 for k, v in a.items() if k.endswith("lora_B"))


def test_batches_cover_every_passage_once():
    lengths = np.array([5, 40, 3, 17, 9, 9, 30, 2, 11, 6, 8])
    out = _batches(lengths, 3, np.random.default_rng(0))
    assert sorted(np.concatenate(out).tolist()) == list(range(len(lengths)))
    assert max(len(b) for b in out) == 3


def test_save_load_roundtrip_and_tampering(tmp_path):
    rng = np.random.default_rng(0)
    state = {"encoder.layer.11.attention.self.query.lora_A": rng.normal(size=(8, 384)).astype(np.float32),
             "encoder.layer.11.attention.self.query.lora_B": rng.normal(size=(384, 8)).astype(np.float32)}
    save_adapter(tmp_path, state, {"base": "e5-small", "rank": 8, "alpha": 16.0})
    back, meta = load_adapter(tmp_path)
    assert set(back) == set(state) and all(np.array_equal(back[k], state[k]) for k in state)
    assert meta["model_id"] == ID_PREFIX + adapter_hash(state) and meta["rank"] == 8
    assert (tmp_path / WEIGHTS_FILE).stat().st_size < 30_000
    bad = json.loads((tmp_path / META_FILE).read_text())
    bad["hash"] = "00000000"
    (tmp_path / META_FILE).write_text(json.dumps(bad))
    with pytest.raises(ModelError, match="hash"):
        load_adapter(tmp_path)
    with pytest.raises(ModelError, match="no encoder adapter"):
        load_adapter(tmp_path / "missing")


def test_unknown_adapter_id_is_a_model_error(tmp_path, monkeypatch):
    from stratcompare.embed.adapter import encoder_for_id

    monkeypatch.setenv("STRATCOMPARE_ADAPTER", str(tmp_path))
    with pytest.raises(ModelError, match="not found"):
        encoder_for_id(ID_PREFIX + "zzzzzzzz")


@pytest.mark.slow
def test_real_e5_adapter_trains_saves_and_loads_as_an_encoder(tmp_path):
    from stratcompare.classify.adapter_train import train_adapter
    from stratcompare.embed import Encoder
    from stratcompare.embed.adapter import AdapterEncoder

    texts = ["Borgere i hjemløshed tilbydes en bolig først og derefter støtte.",
             "Vi vil sætte tidligt ind, før problemerne vokser.",
             "Mødet blev hævet kl. 17.30.",
             "Housing first er grundprincippet i vores hjemløsestrategi.",
             "Tidlig opsporing af mistrivsel i dagtilbud og skole.",
             "Referatet blev godkendt."]
    Yr = np.array([[1, 0], [0, 1], [0, 0], [1, 0], [0, 1], [0, 0]])
    cfg = AdapterConfig(top_layers=2, epochs=1, batch_size=3, lr=2e-3, seed=0)
    stack = TopStack(top_layers=2)
    state, meta = train_adapter(texts, Yr, out=tmp_path, config=cfg, stack=stack)
    enc = AdapterEncoder(tmp_path)
    assert isinstance(enc, Encoder)
    assert enc.model_id == meta["model_id"] and enc.model_id.startswith(ID_PREFIX) and enc.dim == 384
    v = enc.encode_passages(texts)
    assert np.abs(v - stack.encode(texts)).max() < 1e-4  # merged weights == LoRA path
    stack.reset(0)  # B = 0: the plain e5-small on the same (PyTorch) path
    plain = stack.encode(texts)
    assert np.abs(v - plain).max() > 1e-4  # the adapter changes the vectors
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    assert (tmp_path / WEIGHTS_FILE).stat().st_size < 2_000_000
