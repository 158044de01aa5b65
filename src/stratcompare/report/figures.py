"""Heatmaps as inline SVG (matplotlib, Agg backend): no files, no network, crisp when zoomed."""

from __future__ import annotations

import io
import itertools
import re

import numpy as np

_salt = itertools.count()


def _mpl_text(s: str) -> str:
    """Keep matplotlib from reading "$…$" in a label as mathtext."""
    return str(s).replace("$", r"\$")


def heatmap_svg(
    values: np.ndarray,
    rows: list[str],
    cols: list[str],
    *,
    title: str = "",
    value_label: str = "",
    percent: bool = False,
    integers: bool = False,
    vmin: float | None = None,
    vmax: float | None = None,
    annotate: bool | None = None,
) -> str:
    """An SVG heatmap sized to its matrix; cell values printed when the matrix is small."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    n_rows, n_cols = values.shape
    if annotate is None:
        annotate = n_rows * n_cols <= 400
    width = min(16.0, max(4.5, 2.6 + 0.42 * n_cols))
    height = min(30.0, max(2.6, 1.6 + 0.24 * n_rows + 0.05 * max((len(c) for c in cols), default=0)))
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"sc{next(_salt)}",
                                "font.size": 8}):
        fig, ax = plt.subplots(figsize=(width, height))
        shown = values * 100 if percent else values
        im = ax.imshow(shown, aspect="auto", cmap="viridis", interpolation="nearest",
                       vmin=None if vmin is None else (vmin * 100 if percent else vmin),
                       vmax=None if vmax is None else (vmax * 100 if percent else vmax))
        ax.set_xticks(range(n_cols), [_mpl_text(c) for c in cols], rotation=55, ha="right",
                      rotation_mode="anchor")
        ax.set_yticks(range(n_rows), [_mpl_text(r) for r in rows])
        ax.tick_params(length=0)
        if title:
            ax.set_title(_mpl_text(title), fontsize=10, loc="left")
        cbar = fig.colorbar(im, ax=ax, fraction=0.035, pad=0.02)
        if value_label:
            cbar.set_label(_mpl_text(value_label))
        if annotate and values.size:
            hi = float(np.nanmax(shown)) if np.isfinite(shown).any() else 0.0
            lo = float(np.nanmin(shown)) if np.isfinite(shown).any() else 0.0
            mid = lo + (hi - lo) * 0.6
            for i in range(n_rows):
                for j in range(n_cols):
                    v = shown[i, j]
                    text = f"{v:.0f}" if (integers or percent) else f"{v:.2f}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=7,
                            color="black" if v > mid else "white")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
    return svg
