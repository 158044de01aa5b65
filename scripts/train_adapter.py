"""Train the theme LoRA adapter of e5-small and save it as adapter.safetensors + adapter.json.

Usage: python scripts/train_adapter.py [--labels corpus/labels] [--out models/themes] [--seed 0]
                                       [--top-layers 2] [--rank 8] [--epochs 2] [--lr 1e-3]
Same labels + settings + seed give the same adapter (its hash is in the encoder's model id,
printed at the end).  Run it niced on a shared machine: it trains on the CPU for minutes.
Example: python scripts/train_adapter.py --labels corpus/labels --out /tmp/adapter
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from stratcompare.classify.adapter_train import AdapterConfig, train_adapter_from_labels  # noqa: E402
from stratcompare.errors import StratcompareError  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="Example: python scripts/train_adapter.py --labels corpus/labels --out /tmp/adapter")
    d = AdapterConfig()
    ap.add_argument("--labels", default=str(REPO / "corpus" / "labels"))
    ap.add_argument("--codebook", default=None)
    ap.add_argument("--out", default=str(REPO / "models" / "themes"))
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--top-layers", type=int, default=d.top_layers)
    ap.add_argument("--rank", type=int, default=d.rank)
    ap.add_argument("--epochs", type=int, default=d.epochs)
    ap.add_argument("--lr", type=float, default=d.lr)
    ap.add_argument("--max-len", type=int, default=d.max_seq_length)
    ap.add_argument("--threads", type=int, default=d.threads)
    args = ap.parse_args()
    cfg = AdapterConfig(rank=args.rank, alpha=2.0 * args.rank, top_layers=args.top_layers, epochs=args.epochs,
                        lr=args.lr, max_seq_length=args.max_len, seed=args.seed, threads=args.threads)
    t0 = time.perf_counter()
    try:
        meta = train_adapter_from_labels(args.labels, args.out, codebook=args.codebook, config=cfg,
                                         log=lambda m: print(m, file=sys.stderr, flush=True))
    except StratcompareError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    print(f"{meta['model_id']}: {meta['n_train']} passages, {time.perf_counter() - t0:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
