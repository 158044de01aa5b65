"""Peak memory of ingesting hostile inputs (issue 10, item 8), measured with /usr/bin/time -v.

    python bench/reliability.py [--mb 50] [--points 10000] [--out results.json]
    python bench/reliability.py --only one-line-text --sweep 10,25,50,100

Cases (generated into a temporary folder, nothing read from outside the repository):
  one-line-text   a text file of --mb MB with no line break (words of the bundled corpus)
  huge-image-page a PDF whose one page is --points x --points pt, an image with no text layer
                  (OCR'd with Tesseract; skipped when Tesseract is missing)
  corpus-text     a normal document from corpus/, for scale

``--sweep`` runs the one-line text at each of several sizes (MB): flat memory means the peak
does not grow with the input.

Prints one line per case: peak RSS (MB) of the ingest process and of its largest child (the
Tesseract run for image pages), wall seconds, exit code and warnings.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def one_line_text(path: Path, mb: float) -> None:
    words = (REPO / "corpus" / "holstebro-investeringsmodel.txt").read_text(encoding="utf-8").split()
    chunk = (" ".join(words) + " ").encode("utf-8")
    target = int(mb * 1024 * 1024)
    with open(path, "wb") as fh:
        written = 0
        while written < target:
            part = chunk[: target - written]
            fh.write(part)
            written += len(part)


def huge_image_pdf(path: Path, points: int) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from PIL import Image, ImageDraw

    img = Image.new("L", (800, 800), 255)
    draw = ImageDraw.Draw(img)
    for y in range(40, 760, 40):
        draw.text((40, y), "Housing First i Køge Kommune " * 3, fill=0)
    c = canvas.Canvas(str(path), pagesize=(points, points))
    c.drawImage(ImageReader(img), 0, 0, width=points, height=points)
    c.showPage()
    c.save()


def measure(args: list[str]) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *args], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith(("Warning", "Error"))]
    return {"peak_rss_mb": round(int(m.group(1)) / 1024, 1) if m else None, "seconds": round(wall, 1),
            "exit": proc.returncode, "messages": warnings[:3]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--sweep", help="comma-separated sizes in MB for the one-line text")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--only", choices=["one-line-text", "huge-image-page", "corpus-text"])
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sc-bench-rel-"))
    results = {}
    try:
        cases = {}
        if a.only in (None, "one-line-text"):
            sizes = [float(x) for x in a.sweep.split(",")] if a.sweep else [a.mb]
            for mb in sizes:
                f = tmp / f"one-line-{mb:g}mb.txt"
                one_line_text(f, mb)
                name = "one-line-text" if not a.sweep else f"one-line-{mb:g}mb"
                cases[name] = (f, ["--no-repair", "--max-mb", str(mb * 2)])
        if a.only in (None, "huge-image-page") and shutil.which("tesseract"):
            f = tmp / "poster.pdf"
            huge_image_pdf(f, a.points)
            cases["huge-image-page"] = (f, [])
        if a.only in (None, "corpus-text"):
            cases["corpus-text"] = (REPO / "corpus" / "holstebro-investeringsmodel.txt", [])
        for name, (f, extra) in cases.items():
            db = tmp / f"{name}.db"
            r = measure([sys.executable, "-m", "stratcompare", "ingest", str(f), "--db", str(db), *extra])
            r["input_mb"] = round(f.stat().st_size / 1048576, 1)
            results[name] = r
            if f.parent == tmp:  # free the disk as we go (a sweep writes several inputs)
                f.unlink()
            db.unlink(missing_ok=True)
            print(f"{name:16} input {r['input_mb']:7.1f} MB  peak RSS {r['peak_rss_mb']:7.1f} MB  "
                  f"{r['seconds']:6.1f} s  exit {r['exit']}  {' | '.join(r['messages'])}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if a.out:
        a.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
