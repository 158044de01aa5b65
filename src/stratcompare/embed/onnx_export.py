"""Export the converted e5-small (a BERT encoder) to ONNX, fused for ONNX Runtime, and quantise it.

The graph is traced from a small BERT written here in the classic form (additive -10000 mask,
erf GELU, explicit head reshapes) rather than from transformers' BertModel: ONNX Runtime's
transformer optimiser recognises this form and fuses each layer into one Attention, BiasGelu
and two SkipLayerNormalization nodes (transformers 5's mask code defeats the attention fusion),
which is what makes int8 pay off.  Mean pooling and L2 normalisation are part of the graph,
so the runtime only tokenises.  Build-time only: imports torch, safetensors, onnx.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from pathlib import Path


def _bert(folder: Path):
    import torch
    from safetensors.torch import load_file

    cfg = json.loads((folder / "config.json").read_text())
    sd = load_file(str(folder / "model.safetensors"))
    H, NH, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd = H // NH

    def linear(p):
        w = sd[p + ".weight"]
        m = torch.nn.Linear(w.shape[1], w.shape[0])
        m.weight.data, m.bias.data = w, sd[p + ".bias"]
        return m

    def norm(p):
        m = torch.nn.LayerNorm(H, eps=eps)
        m.weight.data, m.bias.data = sd[p + ".weight"], sd[p + ".bias"]
        return m

    class Layer(torch.nn.Module):
        def __init__(self, i: int):
            super().__init__()
            p = f"encoder.layer.{i}."
            self.q, self.k, self.v = (linear(p + "attention.self." + n) for n in ("query", "key", "value"))
            self.ao, self.aln = linear(p + "attention.output.dense"), norm(p + "attention.output.LayerNorm")
            self.fi, self.fo = linear(p + "intermediate.dense"), linear(p + "output.dense")
            self.oln = norm(p + "output.LayerNorm")

        def heads(self, x):
            return x.view(x.size()[:-1] + (NH, hd)).permute(0, 2, 1, 3)

        def forward(self, x, ext):
            q, k, v = self.heads(self.q(x)), self.heads(self.k(x)), self.heads(self.v(x))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + ext
            ctx = torch.matmul(torch.nn.functional.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
            x = self.aln(self.ao(ctx.view(ctx.size()[:-2] + (H,))) + x)
            h = self.fi(x)
            h = h * 0.5 * (1.0 + torch.erf(h / math.sqrt(2.0)))
            return self.oln(self.fo(h) + x)

    class Bert(torch.nn.Module):
        def __init__(self):
            super().__init__()
            emb = "embeddings."
            self.word = torch.nn.Embedding.from_pretrained(sd[emb + "word_embeddings.weight"])
            self.pos = torch.nn.Embedding.from_pretrained(sd[emb + "position_embeddings.weight"])
            self.typ = torch.nn.Embedding.from_pretrained(sd[emb + "token_type_embeddings.weight"])
            self.eln = norm(emb + "LayerNorm")
            self.layers = torch.nn.ModuleList(Layer(i) for i in range(cfg["num_hidden_layers"]))
            self.register_buffer("position_ids", torch.arange(cfg["max_position_embeddings"]).expand((1, -1)))

        def forward(self, input_ids, attention_mask):
            x = self.word(input_ids) + self.typ(torch.zeros_like(input_ids)) + self.pos(self.position_ids[:, : input_ids.size(1)])
            x = self.eln(x)
            ext = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
            for layer in self.layers:
                x = layer(x, ext)
            mask = attention_mask.unsqueeze(-1).to(x.dtype)
            mean = (x * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    return Bert().eval(), cfg


def export_fp32(torch_folder: Path, out: Path) -> dict:
    """Trace, export (opset 17, dynamic batch and length) and fuse; returns the fusion counts."""
    import torch
    from onnxruntime.transformers.optimizer import optimize_model

    model, cfg = _bert(Path(torch_folder))
    ids = torch.tensor([[0, 1000, 2000, 3000, 2], [0, 1000, 2000, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
    raw = Path(out).with_suffix(".raw.onnx")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (ids, mask), str(raw), input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
        )
    with _quiet_logs():
        fused = optimize_model(str(raw), model_type="bert", num_heads=cfg["num_attention_heads"],
                               hidden_size=cfg["hidden_size"])
        fused.save_model_to_file(str(out))
    raw.unlink()
    stats = {k: v for k, v in fused.get_fused_operator_statistics().items() if v}
    return stats


# Dynamic int8 recipes, each with the principle behind it (bench/embed.py --recipes measures them
# side by side; onnx_encoder.INT8_RECIPE is the one built for e5-small).
INT8_RECIPES = {
    # every MatMul and Attention per output channel, the embedding tables uint8 (the first default)
    "int8": {},
    # the 12 feed-forward output projections stay fp32: their input is the GELU output, whose
    # outlier channels make the per-batch activation scale coarsest there
    "int8-ffnout32": {"fp32": "ffn_out"},
    # the last layer stays fp32: its error reaches the pooled vector with no later layer to damp it
    "int8-last32": {"fp32": "last"},
    # 7-bit weights: no int16 overflow in the u8 x s8 kernels of CPUs without VNNI (ORT's advice)
    "int8-rr": {"reduce_range": True},
    # one scale per weight tensor instead of per output channel: the plain recipe, for reference
    "int8-tensor": {"per_channel": False},
}


def fp32_nodes(model_path: Path, keep: str | None) -> list[str]:
    """Names of the nodes a recipe keeps in fp32 in the fused graph exported above (``/layers.N/fo/
    MatMul`` is layer N's feed-forward output, ``Attention_N`` its fused attention).  Fails loudly
    when the graph no longer has them, so a changed export cannot silently quantise everything."""
    import re

    import onnx

    if not keep:
        return []
    graph = onnx.load(str(model_path), load_external_data=False).graph
    nodes = {n.name: n for n in graph.node}
    n_layers = 1 + max(int(m.group(1)) for name in nodes if (m := re.match(r"/layers\.(\d+)/", name)))
    if keep == "ffn_out":
        want = [f"/layers.{i}/fo/MatMul" for i in range(n_layers)]
    elif keep == "last":
        last = n_layers - 1
        want = [f"Attention_{last}"] + [f"/layers.{last}/{p}/MatMul" for p in ("ao", "fi", "fo")]
        att = nodes.get(want[0])
        if att is not None and not att.input[0].startswith(f"/layers.{last - 1}/"):
            raise RuntimeError(f"{want[0]} is not layer {last}'s attention (input {att.input[0]})")
    else:
        raise ValueError(f"unknown fp32 node group {keep!r}")
    missing = [w for w in want if w not in nodes]
    if missing:
        raise RuntimeError(f"the exported graph lacks {missing}: update fp32_nodes for the new export")
    return want


def quantize_int8(src: Path, out: Path, recipe: str = "int8") -> None:
    """Dynamic int8 by ``INT8_RECIPES[recipe]``: weights of MatMul and the fused Attention per output
    channel (unless the recipe says per tensor), activations quantised per batch at run time; the
    fused embedding tables in uint8 (the 250k x 384 word table is most of the file: 118 MB instead
    of 407 MB, and the model loads ~3x faster, at the same cosine to fp32 on real passages)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    r = INT8_RECIPES[recipe]
    with _quiet_logs():
        quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8,
                         per_channel=r.get("per_channel", True), reduce_range=r.get("reduce_range", False),
                         nodes_to_exclude=fp32_nodes(Path(src), r.get("fp32")),
                         op_types_to_quantize=["MatMul", "Attention", "EmbedLayerNormalization"],
                         extra_options={"DefaultTensorType": 1})  # 1 = FLOAT, for shapes it cannot infer


class _quiet_logs:
    """The optimiser and quantiser log advice at WARNING/INFO on the root logger."""

    def __enter__(self):
        self.level = logging.getLogger().level
        logging.getLogger().setLevel(logging.ERROR)

    def __exit__(self, *exc):
        logging.getLogger().setLevel(self.level)
