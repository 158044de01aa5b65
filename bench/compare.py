"""Benchmark the comparison matrices on a synthetic store of 98 municipalities.

Usage: python bench/compare.py [--passages 100000] [--dim 384] [--repeat 3] [--report]
Builds the store once under /tmp (reused when it exists with the same size), then times each
matrix (best of --repeat) and prints a table. Target: every matrix for 98 municipalities in
≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the store generator

from stratcompare.compare import cell_passages, cooccurrence_matrix, similarity_matrix, theme_matrix
from synth_store import build_synthetic  # noqa: E402
from stratcompare.store import Store


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=100_000)
    ap.add_argument("--municipalities", type=int, default=98)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--db", default=None)
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs per operation")
    ap.add_argument("--report", action="store_true", help="also time build_report (one run)")
    args = ap.parse_args()
    path = Path(args.db or f"/tmp/stratcompare-bench-compare-{args.passages}-{args.dim}.db")
    fresh = not path.exists()
    store = Store.open(path)
    conn = store.conn
    if fresh:
        t0 = time.perf_counter()
        build_synthetic(conn, municipalities=args.municipalities, passages=args.passages,
                        dim=args.dim)
        print(f"built synthetic store in {time.perf_counter() - t0:.1f} s: {path}")
    n_pt = conn.execute("SELECT COUNT(*) FROM passage_themes").fetchone()[0]
    n_p = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    n_m = len(theme_matrix(conn).rows)
    print(f"{n_m} municipalities, {n_p} passages, {n_pt} passage_themes rows, "
          f"embeddings dim {args.dim}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    timings = {
        "theme matrix (share)": lambda: theme_matrix(conn, normalise="share"),
        "theme matrix (count)": lambda: theme_matrix(conn, normalise="count"),
        "theme matrix (score)": lambda: theme_matrix(conn, normalise="score"),
        "similarity (themes)": lambda: similarity_matrix(conn, basis="themes"),
        "co-occurrence": lambda: cooccurrence_matrix(conn),
        "cell Kommune 000:housing_first": lambda: cell_passages(
            conn, "Kommune 000:housing_first", limit=20),
    }
    if args.dim:
        timings["similarity (embeddings)"] = lambda: similarity_matrix(conn, basis="embeddings")
        timings["cell Kommune 000:Kommune 001"] = lambda: cell_passages(
            conn, "Kommune 000:Kommune 001", limit=10)
    print(f"{'operation':34s} {f'best of {args.repeat}':>10s}")
    for name, fn in timings.items():
        s = _best(fn, args.repeat)
        flag = "" if s <= 1.0 else "  (over 1 s)"
        print(f"{name:34s} {s * 1000:8.0f} ms{flag}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if args.report:
        from stratcompare.report import build_report

        out = path.with_suffix(".html")
        t0 = time.perf_counter()
        build_report(conn, out)
        print(f"{'report (HTML, one run)':34s} {(time.perf_counter() - t0) * 1000:8.0f} ms"
              f"  -> {out} ({out.stat().st_size / 1e6:.1f} MB)")
    store.close()


if __name__ == "__main__":
    main()
