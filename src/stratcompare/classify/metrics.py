"""Per-theme precision/recall/F1 and inter-coder agreement (Cohen's kappa), computed by hand.

Written out (not sklearn.metrics) so that edge cases researchers meet — a theme nobody used,
perfect agreement — give defined, documented values instead of warnings.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def theme_scores(y_true: np.ndarray, y_pred: np.ndarray, theme_ids: Sequence[str]) -> list[dict]:
    """One row per theme plus ``macro`` and ``micro`` rows.

    Macro averages themes with support > 0 (a theme absent from the gold labels has no recall).
    """
    y_true = np.asarray(y_true).astype(bool)
    y_pred = np.asarray(y_pred).astype(bool)
    rows = []
    tps = fps = fns = 0
    for j, t in enumerate(theme_ids):
        tp = int(np.sum(y_true[:, j] & y_pred[:, j]))
        fp = int(np.sum(~y_true[:, j] & y_pred[:, j]))
        fn = int(np.sum(y_true[:, j] & ~y_pred[:, j]))
        p, r, f = _prf(tp, fp, fn)
        rows.append({"theme": t, "precision": p, "recall": r, "f1": f, "support": tp + fn, "predicted": tp + fp})
        tps, fps, fns = tps + tp, fps + fp, fns + fn
    present = [r for r in rows if r["support"] > 0]
    n = len(present) or 1
    rows.append({
        "theme": "macro", "precision": sum(r["precision"] for r in present) / n,
        "recall": sum(r["recall"] for r in present) / n, "f1": sum(r["f1"] for r in present) / n,
        "support": sum(r["support"] for r in rows), "predicted": sum(r["predicted"] for r in rows),
    })
    p, r, f = _prf(tps, fps, fns)
    rows.append({"theme": "micro", "precision": p, "recall": r, "f1": f, "support": tps + fns, "predicted": tps + fps})
    return rows


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa for two binary codings; 1.0 when both coders agree on a constant coding."""
    a = np.asarray(a).astype(bool)
    b = np.asarray(b).astype(bool)
    n = len(a)
    if n == 0:
        return float("nan")
    po = float(np.mean(a == b))
    pa, pb = float(np.mean(a)), float(np.mean(b))
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def agreement(y_a: np.ndarray, y_b: np.ndarray, theme_ids: Sequence[str]) -> list[dict]:
    """Per theme: kappa, % agreement, and how often each coder used the theme; then a mean row."""
    rows = []
    for j, t in enumerate(theme_ids):
        a, b = y_a[:, j], y_b[:, j]
        rows.append({
            "theme": t, "kappa": cohen_kappa(a, b), "agreement": float(np.mean(a == b)) if len(a) else float("nan"),
            "coder_a": int(np.sum(a)), "coder_b": int(np.sum(b)), "n": int(len(a)),
        })
    used = [r for r in rows if r["coder_a"] or r["coder_b"]] or rows
    rows.append({
        "theme": "mean", "kappa": float(np.mean([r["kappa"] for r in used])),
        "agreement": float(np.mean([r["agreement"] for r in rows])),
        "coder_a": sum(r["coder_a"] for r in rows), "coder_b": sum(r["coder_b"] for r in rows),
        "n": int(y_a.shape[0]),
    })
    return rows
