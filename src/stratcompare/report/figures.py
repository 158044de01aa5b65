"""Heatmaps as inline SVG (matplotlib, Agg backend): no files, no network, crisp when zoomed."""

from __future__ import annotations

import io
import itertools
import re

import numpy as np

_salt = itertools.count()
FONT_PT = 8


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
    # fixed margins from the label lengths: tight_layout would draw every figure twice
    char = 0.62 * FONT_PT / 72                         # inches per character, roughly
    longest_col = max((len(c) for c in cols), default=1)
    left = 0.25 + char * max(max((len(r) for r in rows), default=1),
                             0.57 * longest_col)          # the first column label leans left
    bottom = 0.3 + char * 0.82 * longest_col               # column labels at 55°
    top, right = (0.45 if title else 0.15), 1.25
    area_w = min(12.0, max(2.5, 0.42 * n_cols))
    area_h = min(24.0, max(1.2, 0.24 * n_rows))
    fig_w, fig_h = left + area_w + right, bottom + area_h + top
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"sc{next(_salt)}",
                                "font.size": FONT_PT}):
        fig = plt.figure(figsize=(fig_w, fig_h))
        ax = fig.add_axes((left / fig_w, bottom / fig_h, area_w / fig_w, area_h / fig_h))
        cax = fig.add_axes(((left + area_w + 0.15) / fig_w, bottom / fig_h, 0.18 / fig_w,
                            area_h / fig_h))
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
        cbar = fig.colorbar(im, cax=cax)
        if value_label:
            cbar.set_label(_mpl_text(value_label))
        if annotate and values.size:
            rgba = im.cmap(im.norm(shown))                 # text colour by cell brightness
            luminance = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
            for i in range(n_rows):
                for j in range(n_cols):
                    v = shown[i, j]
                    text = f"{v:.0f}" if (integers or percent) else f"{v:.2f}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=7,
                            color="black" if luminance[i, j] > 0.5 else "white")
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, flags=re.S)
    return svg
