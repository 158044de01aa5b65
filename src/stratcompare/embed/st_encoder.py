"""Encoders backed by sentence-transformers: the converted e5-small, or any model the user names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from stratcompare.errors import MissingDependencyError, ModelError


class SentenceTransformerEncoder:
    """Wraps ``SentenceTransformer``; uses the model's "query"/"passage" prompts when it has them."""

    def __init__(self, model_id: str, path_or_name: str, offline: bool = True):
        self.model_id = model_id
        if offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if Path(str(path_or_name)).is_dir():
            check_model_folder(Path(str(path_or_name)))  # before any library reads it
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:  # pragma: no cover - environment problem
            raise MissingDependencyError(
                "sentence-transformers is not installed", hint="pip install sentence-transformers, or use --model hashing"
            ) from None
        try:
            self._model = _quietly(SentenceTransformer, str(path_or_name), device="cpu")
        except Exception as exc:  # any loading failure becomes one line
            is_dir = Path(str(path_or_name)).is_dir()
            hint = (
                "the folder is not a sentence-transformers model" if is_dir else
                "a hub model name only works with internet access; otherwise pass a local model "
                "folder, or use the default e5-small or --model hashing"
            )
            raise ModelError(f"cannot load model {path_or_name!r}: {type(exc).__name__}: {exc}".splitlines()[0],
                             hint=hint) from None
        getter = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:
            dim = int(self._model.encode(["x"]).shape[1])
        self.dim = int(dim)
        prompts = getattr(self._model, "prompts", {}) or {}
        self._q_prompt = "query" if "query" in prompts else None
        self._p_prompt = "passage" if "passage" in prompts else None

    def _encode(self, texts: Sequence[str], prompt_name: str | None, batch_size: int, show_progress: bool) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            texts, prompt_name=prompt_name, batch_size=batch_size, show_progress_bar=show_progress,
            normalize_embeddings=True, convert_to_numpy=True,
        )
        return np.ascontiguousarray(out, dtype=np.float32)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._p_prompt, batch_size, show_progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if len(texts) > 4:
            return self._encode(texts, self._q_prompt, 32, False)
        # One short query is latency-bound: a single intra-op thread avoids the fork/join
        # overhead that dominates (and thrashes on a busy 2-core machine).
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self._encode(texts, self._q_prompt, 32, False)
        finally:
            torch.set_num_threads(before)


# Files whose loading can run code: Python modules, and pickles (torch.load of a .bin/.pt unpickles).
_CODE_SUFFIXES = {".py", ".pyc", ".so"}
_PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".joblib"}
_MAX_FILES = 10_000


def check_model_folder(folder: Path) -> None:
    """Refuse a model folder that could run code when loaded (exit 16), whatever the installed
    sentence-transformers/transformers/torch would do: custom Python modules, a ``modules.json``
    or ``config.json`` that names code outside sentence-transformers (``auto_map``), or pickled
    weights (``pytorch_model.bin`` and the like).  Safe formats only: safetensors, JSON, tokenizer
    files."""
    import json

    def refuse(what: str, hint: str) -> ModelError:
        return ModelError(f"refusing model folder: {what}", path=folder, hint=hint)

    files = []
    for i, f in enumerate(folder.rglob("*")):
        if i > _MAX_FILES:
            raise refuse(f"more than {_MAX_FILES} files", "point --model at the model folder itself")
        if f.is_file() or f.is_symlink():
            files.append(f)
    for f in files:
        rel = f.relative_to(folder)
        if f.suffix.lower() in _CODE_SUFFIXES:
            raise refuse(f"it holds Python code ({rel}), which loading would run",
                         "use a model without custom code, or --model hashing / the default e5-small")
        if f.suffix.lower() in _PICKLE_SUFFIXES:
            raise refuse(f"it holds a pickle-format file ({rel}), which can run code when loaded",
                         "convert the weights to model.safetensors and remove the pickle")
    for f in files:
        if f.name not in ("modules.json", "config.json"):
            continue
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise refuse(f"{f.relative_to(folder)} is not readable JSON ({exc})", "is it a model folder?") from None
        if f.name == "modules.json":
            entries = data if isinstance(data, list) else []
            for m in entries:
                kind = str(m.get("type", "")) if isinstance(m, dict) else ""
                if not kind.startswith("sentence_transformers."):
                    raise refuse(f"modules.json names custom code ({kind or m!r})",
                                 "only sentence_transformers.* modules are loaded")
        elif isinstance(data, dict) and (data.get("auto_map") or data.get("trust_remote_code")):
            raise refuse(f"{f.relative_to(folder)} asks for custom code (auto_map)",
                         "use a model whose architecture transformers ships")


def _quietly(factory, *args, **kwargs):
    """Load without transformers' per-weight "Loading weights" bar and info logs: the user
    sees stratcompare's own progress, not a library's."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover
        return factory(*args, **kwargs)
    was = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        return factory(*args, **kwargs)
    finally:
        hf_logging.set_verbosity(level)
        if was:
            hf_logging.enable_progress_bar()
