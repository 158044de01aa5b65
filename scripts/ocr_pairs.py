#!/usr/bin/env python
"""Learn the OCR channel (how Tesseract's English model misreads Danish) from aligned pairs.

Real Danish text is rendered to page images (PIL, several fonts, 150/200/300 dpi), read back
with ``tesseract -l eng``, aligned to the source word by word and then character by character,
and the edits are counted:

  * substitutions / insertions / deletions of up to 3 characters on either side
    (true "ø" read as "g", true "å" read as "a", true "æ" read as "ae", a dropped "å" ...);
  * splits (one true word read as two) and merges (two true words read as one);
  * word-level confusions (true "får" read as the valid word "far").

Only the **tune** part of ``corpus/real/split.tsv`` is used for learning (``--part tune``);
``--part test`` only renders and reads the test part for ``bench/ocr_repair.py``.

Outputs (``learn``):
  src/stratcompare/data/repair/channel.tsv   ocr <TAB> true <TAB> cost <TAB> count <TAB> n(true)
                                             cost = -log10 P(ocr | true), the inverse rules the
                                             repairer applies
  src/stratcompare/data/repair/channel_words.tsv  ocr word <TAB> true word <TAB> count <TAB> n(ocr
                                             word read correctly)
  src/stratcompare/data/repair/channel_meta.json  sources, fonts, dpi, counts, split/merge rates

Usage:
  nice -n 10 python scripts/ocr_pairs.py ocr --part tune --fonts dejavu-serif --dpi 150 200 300
  python scripts/ocr_pairs.py learn
  nice -n 10 python scripts/ocr_pairs.py ocr --part test --fonts dejavu-serif --dpi 150 200 300
The OCR output is cached (``--cache``, default ``$TMPDIR/stratcompare_ocr_pairs``; the test part's is written
to tests/fixtures/ocr/ so the bench runs without Tesseract).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "corpus" / "real" / "pages"
SPLIT = ROOT / "corpus" / "real" / "split.tsv"
DATA = ROOT / "src" / "stratcompare" / "data" / "repair"
FIX = ROOT / "tests" / "fixtures" / "ocr"
sys.path.insert(0, str(ROOT / "src"))
FONTS = {
    "dejavu-serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "dejavu-sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "liberation-serif": "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "liberation-sans": "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "carlito": "/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
}
MAX_SEG = 3          # longest edit segment counted (characters, either side)
MIN_COUNT = 2        # rules seen fewer times are not kept
MAX_COST = 3.5       # rules rarer than 10^-3.5 are not kept (they only slow the search down)


# ------------------------------------------------------------------ sources
def split_parts() -> dict[str, str]:
    """municipality -> tune | test (corpus/real/split.tsv, fixed before any tuning)."""
    out = {}
    for line in SPLIT.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("municipality\t") or not line.strip():
            continue
        m, part = line.split("\t")
        out[m] = part
    return out


def part_files(part: str) -> list[Path]:
    """The real pages of one part, in SOURCES.tsv order."""
    parts = split_parts()
    with (PAGES / "SOURCES.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [PAGES / r["file"] for r in rows if parts.get(r["municipality"]) == part]


def part_text(part: str) -> str:
    """All pages of one part joined by blank lines (the rendered and gold text)."""
    return "\n\n".join(p.read_text(encoding="utf-8").strip() for p in part_files(part)) + "\n"


# ------------------------------------------------------------------ render + OCR
def render_pages(text: str, dpi: int = 200, pt: float = 11.0, font: str = FONTS["dejavu-serif"]):
    """Lay ``text`` out on A4 pages (wrapping at spaces only) and return PIL images."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    margin = int(0.8 * dpi)
    fnt = ImageFont.truetype(font, int(pt * dpi / 72))
    line_h = int(fnt.size * 1.45)
    probe = ImageDraw.Draw(Image.new("L", (10, 10)))
    lines: list[str] = []
    for para in text.split("\n"):
        words, cur = para.split(" "), ""
        for w in words:
            trial = f"{cur} {w}" if cur else w
            if probe.textlength(trial, font=fnt) <= width - 2 * margin:
                cur = trial
            else:
                lines.append(cur)
                cur = w
        lines.append(cur)
    per_page = (height - 2 * margin) // line_h
    pages = []
    for i in range(0, len(lines), per_page):
        img = Image.new("L", (width, height), 255)
        d = ImageDraw.Draw(img)
        for k, line in enumerate(lines[i:i + per_page]):
            d.text((margin, margin + k * line_h), line, font=fnt, fill=0)
        pages.append(img)
    return pages


def tesseract(images, lang: str = "eng", dpi: int = 200) -> str:
    """OCR page images with ``tesseract -l LANG`` (niced, one thread); pages joined by newlines."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, page in enumerate(images):
            png = Path(tmp) / f"p{n}.png"
            page.save(png, dpi=(dpi, dpi))
            res = subprocess.run(["nice", "-n", "10", "tesseract", str(png), "stdout", "-l", lang],
                                 capture_output=True, text=True, check=True, env=env)
            out.append(res.stdout)
    return "\n".join(out)


def cache_path(part: str, font: str, dpi: int, cache: Path) -> Path:
    if part == "test" or font == "dejavu-serif":  # the benchmark's sets live in the fixtures
        return FIX / f"real{part}_{font}_{dpi}dpi_tesseract_eng.txt"
    return cache / f"{part}_{font}_{dpi}dpi_tesseract_eng.txt"


def run_ocr(part: str, fonts: list[str], dpis: list[int], cache: Path) -> None:
    text = part_text(part)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    cache.mkdir(parents=True, exist_ok=True)
    for font in fonts:
        for dpi in dpis:
            path = cache_path(part, font, dpi, cache)
            stamp = path.with_suffix(".sha1")
            if path.exists() and stamp.exists() and stamp.read_text().strip() == digest:
                print(f"cached {path.name}", file=sys.stderr)
                continue
            pages = render_pages(text, dpi=dpi, font=FONTS[font])
            print(f"OCR {part} {font} {dpi} dpi: {len(pages)} pages", file=sys.stderr)
            path.write_text(tesseract(pages, "eng", dpi), encoding="utf-8")
            stamp.write_text(digest + "\n")


def make_eng_layer_pdf(path: Path, text: str, dpi: int = 200,
                       font: str = FONTS["dejavu-serif"]) -> str:
    """A PDF like many municipal scans: each page is the rendered image of ``text`` with an
    invisible text layer that ``tesseract -l eng`` read from it.  Returns the layer's text."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("LayerFont", FONTS["dejavu-sans"]))
    pages = render_pages(text, dpi=dpi, font=font)
    c = canvas.Canvas(str(path), invariant=1)
    layers = []
    for img in pages:
        layer = tesseract([img], "eng", dpi)
        layers.append(layer)
        w, h = img.width * 72 / dpi, img.height * 72 / dpi
        c.setPageSize((w, h))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        buf.seek(0)
        c.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
        t = c.beginText()
        t.setTextRenderMode(3)  # invisible, as OCR layers are
        t.setFont("LayerFont", 11)
        t.setLeading(11 * 1.45)
        t.setTextOrigin(0.8 * 72, h - 0.8 * 72 - 11)
        for line in layer.splitlines():
            t.textLine(line)
        c.drawText(t)
        c.showPage()
    c.save()
    return "\n".join(layers)


# ------------------------------------------------------------------ alignment
def char_distance(a: str, b: str) -> int:
    from stratcompare.repair.evaluate import edit_distance

    return edit_distance(a, b)


def char_edits(true: str, ocr: str) -> list[tuple[str, str]]:
    """Levenshtein alignment of two words, adjacent edits grouped: [(true_seg, ocr_seg)]."""
    n, m = len(true), len(ocr)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (true[i - 1] != ocr[j - 1]))
    ops = []
    i, j = n, m
    while i or j:
        if i and j and d[i][j] == d[i - 1][j - 1] + (true[i - 1] != ocr[j - 1]):
            ops.append((true[i - 1], ocr[j - 1]))
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            ops.append((true[i - 1], ""))
            i -= 1
        else:
            ops.append(("", ocr[j - 1]))
            j -= 1
    ops.reverse()
    segs, cur_t, cur_o = [], "", ""
    for t, o in ops:
        if t == o:
            if cur_t or cur_o:
                segs.append((cur_t, cur_o))
                cur_t = cur_o = ""
        else:
            cur_t += t
            cur_o += o
    if cur_t or cur_o:
        segs.append((cur_t, cur_o))
    return segs


def align_words(src: list[str], ocr: list[str]) -> list[tuple[list[str], list[str]]]:
    """Word alignment: equal runs from difflib, gaps by a small DP with 1:1, 1:2, 2:1 moves."""
    out: list[tuple[list[str], list[str]]] = []
    sm = difflib.SequenceMatcher(None, src, ocr, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out.extend(([src[k]], [ocr[j1 + k - i1]]) for k in range(i1, i2))
            continue
        if i2 - i1 > 60 or j2 - j1 > 60:
            continue  # a lost paragraph: nothing to learn from
        out.extend(_align_gap(src[i1:i2], ocr[j1:j2]))
    return out


def _align_gap(a: list[str], b: list[str]) -> list[tuple[list[str], list[str]]]:
    def cost(x: str, y: str) -> float:
        return char_distance(x, y) / max(len(x), len(y), 1)

    n, m = len(a), len(b)
    inf = float("inf")
    d = [[inf] * (m + 1) for _ in range(n + 1)]
    back: dict = {}
    d[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if d[i][j] == inf:
                continue
            moves = [(1, 0, 1.0), (0, 1, 1.0)]
            if i < n and j < m:
                moves.append((1, 1, cost(a[i], b[j])))
            if i < n and j + 1 < m:
                moves.append((1, 2, cost(a[i], b[j] + b[j + 1]) + 0.2))
            if i + 1 < n and j < m:
                moves.append((2, 1, cost(a[i] + a[i + 1], b[j]) + 0.2))
            for di, dj, c in moves:
                ni, nj = i + di, j + dj
                if ni <= n and nj <= m and d[i][j] + c < d[ni][nj]:
                    d[ni][nj] = d[i][j] + c
                    back[(ni, nj)] = (i, j)
    pairs = []
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj = back[(i, j)]
        pairs.append((a[pi:i], b[pj:j]))
        i, j = pi, pj
    pairs.reverse()
    return [p for p in pairs if p[0] and p[1] and
            char_distance(" ".join(p[0]), " ".join(p[1])) <= max(2, len(" ".join(p[0])) // 2)]


EDGE = ".,;:!?()[]{}\"'`´’‘”“„«»–—•·"


def learn(texts: list[tuple[str, str]]) -> dict:
    """Count edits over aligned (source, OCR) texts."""
    seg_counts: Counter = Counter()
    word_conf: Counter = Counter()
    word_ok: Counter = Counter()
    splits = merges = words = 0
    aligned_src: list[str] = []
    for src_text, ocr_text in texts:
        src = [w.strip(EDGE) for w in src_text.split()]
        ocr = [w.strip(EDGE) for w in ocr_text.split()]
        src = [w for w in src if w]
        ocr = [w for w in ocr if w]
        for s, o in align_words(src, ocr):
            words += len(s)
            if len(s) == 1 and len(o) == 2:
                splits += 1
            elif len(s) == 2 and len(o) == 1:
                merges += 1
            true, read = " ".join(s), " ".join(o)
            aligned_src.append(true)
            if len(s) == 1 and len(o) == 1:
                if true == read:
                    word_ok[read.lower()] += 1
                else:
                    word_conf[(read.lower(), true.lower())] += 1
            if true == read:
                continue
            for t, r in char_edits(true, read):
                if len(t) <= MAX_SEG and len(r) <= MAX_SEG and " " not in t + r:
                    seg_counts[(t, r)] += 1
    # denominators: how often each true segment occurs in the aligned source words
    joined = "\n".join(aligned_src)
    n_true: dict[str, int] = {}
    for t, _ in seg_counts:
        if t and t not in n_true:
            n_true[t] = joined.count(t)
    n_gaps = sum(len(w) + 1 for w in aligned_src)   # places an insertion can happen
    rules = []
    for (t, r), c in seg_counts.items():
        if c < MIN_COUNT:
            continue
        denom = n_true.get(t, n_gaps) if t else n_gaps
        p = c / (denom + 1)
        cost = -math.log10(p)
        if cost > MAX_COST:
            continue
        rules.append((r, t, round(cost, 2), c, denom))
    rules.sort(key=lambda x: (x[2], x[0], x[1]))
    return {"rules": rules, "word_conf": word_conf, "word_ok": word_ok,
            "splits": splits, "merges": merges, "words": words}


def write_tables(res: dict, sources: list[str]) -> None:
    def show(s: str) -> str:
        return s if s else "_"

    lines = ["# Learnt OCR channel: how `tesseract -l eng` reads Danish (scripts/ocr_pairs.py learn).",
             "# ocr <TAB> true <TAB> cost = -log10 P(ocr|true) <TAB> count <TAB> n(true segment);",
             "# '_' = empty (a dropped or inserted letter).  Tune part only; see channel_meta.json."]
    lines += [f"{show(r)}\t{show(t)}\t{c}\t{n}\t{d}" for r, t, c, n, d in res["rules"]]
    (DATA / "channel.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    wl = ["# Word-level confusions seen when aligning (tune part): ocr word <TAB> true word <TAB>",
          "# times read so <TAB> times the ocr word was itself the true word (read correctly)."]
    for (o, t), c in sorted(res["word_conf"].items(), key=lambda x: (-x[1], x[0])):
        if c >= 2 and o.isalpha():
            wl.append(f"{o}\t{t}\t{c}\t{res['word_ok'].get(o, 0)}")
    (DATA / "channel_words.tsv").write_text("\n".join(wl) + "\n", encoding="utf-8")
    meta = {"generator": "scripts/ocr_pairs.py", "sources": sources,
            "words_aligned": res["words"], "splits": res["splits"], "merges": res["merges"],
            "split_rate": round(res["splits"] / max(1, res["words"]), 5),
            "merge_rate": round(res["merges"] / max(1, res["words"]), 5),
            "rules": len(res["rules"]), "min_count": MIN_COUNT, "max_cost": MAX_COST}
    (DATA / "channel_meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("ocr", help="render and read back one part")
    o.add_argument("--part", choices=["tune", "test"], required=True)
    o.add_argument("--fonts", nargs="+", default=["dejavu-serif"], choices=sorted(FONTS))
    o.add_argument("--dpi", nargs="+", type=int, default=[150, 200, 300])
    o.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "stratcompare_ocr_pairs")
    lp = sub.add_parser("learn", help="align the cached tune-part OCR and write the tables")
    lp.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "stratcompare_ocr_pairs")
    args = ap.parse_args()
    if args.cmd == "ocr":
        run_ocr(args.part, args.fonts, args.dpi, args.cache)
        return 0
    src = part_text("tune")
    texts, sources = [], []
    for path in sorted([*args.cache.glob("tune_*_tesseract_eng.txt"),
                        *FIX.glob("realtune_*_tesseract_eng.txt")]):
        texts.append((src, path.read_text(encoding="utf-8")))
        sources.append(path.name.replace("_tesseract_eng.txt", "").replace("realtune_", "tune_"))
    if not texts:
        raise SystemExit("no cached tune-part OCR: run `scripts/ocr_pairs.py ocr --part tune` first")
    res = learn(texts)
    write_tables(res, sources)
    print(f"{len(res['rules'])} rules from {res['words']} aligned words "
          f"({res['splits']} splits, {res['merges']} merges)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
