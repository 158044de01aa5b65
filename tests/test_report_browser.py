"""The report in a real headless browser (Debian's chromium): renders, no console errors, and
the screenshot shows the heatmap."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="needs Debian's chromium package (apt-get install chromium)"),
]


def _render(html_file: Path, tmp_path: Path, size=(1280, 2000)) -> tuple[Path, list[str]]:
    """Screenshot the page; return the PNG and the page's console messages."""
    png = tmp_path / (html_file.stem + ".png")
    profile = tmp_path / (html_file.stem + "-profile")
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={png}",
         f"--window-size={size[0]},{size[1]}", "--enable-logging=stderr", "--v=0",
         html_file.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert png.exists() and png.stat().st_size > 0
    console = [line for line in proc.stderr.splitlines()
               if re.search(r":CONSOLE[:(]|Uncaught|Failed to load resource", line)]
    return png, console


def _coloured_box(png: Path):
    """Count clearly coloured (saturated, not white/grey/black text) pixels and their bounding box."""
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(png).convert("RGB")).astype(np.int16)
    spread = img.max(axis=2) - img.min(axis=2)       # 0 for white, grey and black
    mask = spread > 60
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return 0, None, 0
    box = (xs.min(), ys.min(), xs.max(), ys.max())
    colours = {tuple(c // 32) for c in img[mask][:: max(1, int(mask.sum()) // 5000)]}
    return int(mask.sum()), box, len(colours)


def test_console_detection_works(tmp_path):
    """Control: a page that logs an error must be caught by the same check."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>console.error("boom"); nope();</script></body></html>')
    _, console = _render(bad, tmp_path, size=(400, 300))
    assert any("boom" in line for line in console)
    assert any("Uncaught" in line for line in console)


def test_report_renders_with_heatmap(tmp_path):
    from test_report import _store  # the report tests' corpus

    from stratcompare.report import build_report

    store = _store(tmp_path / "r.db")
    html = build_report(store.conn, tmp_path / "report.html")
    store.close()
    png, console = _render(html, tmp_path)
    assert console == [], console
    n, box, colours = _coloured_box(png)
    assert box is not None
    x0, y0, x1, y1 = box
    # the theme heatmap (viridis) sits near the top of the page: a large, many-coloured block
    assert n > 40_000, n
    assert x1 - x0 > 300 and y1 - y0 > 150, box
    assert y0 < 1000, box
    assert colours >= 8, colours

    # control: the same corpus without themes/embeddings has no heatmap, so hardly any colour
    bare_store = _store(tmp_path / "bare.db", themes=False, embeddings=False)
    bare = build_report(bare_store.conn, tmp_path / "bare.html")
    bare_store.close()
    png2, console2 = _render(bare, tmp_path)
    assert console2 == [], console2
    n2, _, _ = _coloured_box(png2)
    assert n2 < n / 20, (n2, n)
