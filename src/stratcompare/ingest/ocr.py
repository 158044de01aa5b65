"""OCR for PDF pages without a usable text layer: render with PDFium, read with Tesseract.

We call the `tesseract` CLI directly (image on stdin, TSV on stdout) rather than through
pytesseract's temp files: it is the same engine, one process per page, and the TSV gives line
boxes so that running headers/footers of scans are found like those of born-digital pages.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import statistics
import subprocess
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from stratcompare.config import word_list
from stratcompare.ingest.layout import PageLines, is_known_word

DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-dan"
BAND = 0.10  # top/bottom share of the page image where running headers/footers live
TIMEOUT = 180  # seconds per page
NATIVE_MIN, NATIVE_MAX = 150, 600  # scan resolutions OCR'd as they are, without resampling
HEADING_HEIGHT = 1.35  # a scanned line this much taller than the median line is a heading
# Largest page bitmap handed to Tesseract (greyscale bytes).  Tesseract needs ~10 bytes per pixel:
# 25 MP keeps a poster page near 300 MB where a 10,000-pt page at 72 dpi (100 MP) took 1.05 GB.
# A4 at 300 dpi is 8.7 MP and A3 17.4 MP, so ordinary pages are never scaled down.
MAX_PIXELS = 25_000_000


class OCRFailed(RuntimeError):
    """Tesseract ran but failed on one page; the page is stored as missing text."""


@lru_cache(maxsize=8)
def tesseract_status(lang: str = "dan") -> tuple[bool, str]:
    """(available, reason). The reason names the Debian packages to install when missing."""
    exe = shutil.which("tesseract")
    if exe is None:
        return False, f"Tesseract is not installed: apt-get install {_packages(lang)}"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return False, (f"Tesseract does not run ({exc}): "
                       f"apt-get install --reinstall {_packages(lang)}")
    langs = {ln.strip() for ln in (out.stdout + out.stderr).splitlines()}
    missing = [code for code in lang.split("+") if code not in langs]
    if missing:
        return False, (f"Tesseract has no {'+'.join(missing)} model: apt-get install "
                       + " ".join(f"tesseract-ocr-{m}" for m in missing))
    return True, "ok"


def _packages(lang: str) -> str:
    return "tesseract-ocr " + " ".join(f"tesseract-ocr-{code}" for code in lang.split("+"))


def ocr_available(lang: str = "dan") -> bool:
    return tesseract_status(lang)[0]


def render_page(page: pdfium.PdfPage, dpi: int = 300) -> bytes:
    """The page as a greyscale PGM image (cheap to encode, read by Tesseract from stdin)."""
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    try:
        image = bitmap.to_pil()
        buf = io.BytesIO()
        image.convert("L").save(buf, format="PPM")
        return buf.getvalue()
    finally:
        bitmap.close()


def ocr_image(image: bytes, lang: str = "dan", dpi: int = 300) -> PageLines:
    """Run Tesseract on one image; lines in Tesseract's reading order, "" between paragraphs."""
    exe = shutil.which("tesseract") or "tesseract"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # parallel workers: one thread per process
    try:
        proc = subprocess.run(
            [exe, "stdin", "stdout", "-l", lang, "--dpi", str(dpi), "--psm", "3", "tsv"],
            input=image, capture_output=True, timeout=TIMEOUT, env=env,
        )
    except subprocess.TimeoutExpired:
        raise OCRFailed(f"Tesseract took over {TIMEOUT} s") from None
    except OSError as exc:
        raise OCRFailed(f"cannot run Tesseract ({exc})") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OCRFailed(f"Tesseract exited with {proc.returncode}: {msg[-1] if msg else ''}")
    return parse_tsv(proc.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> PageLines:
    """Tesseract TSV (word rows) -> lines with paragraph gaps and top/bottom band counts."""
    rows = tsv.splitlines()
    if not rows:
        return PageLines([], 0, 0)
    header = rows[0].split("\t")
    col = {name: k for k, name in enumerate(header)}
    height = 0
    lines: dict[tuple[int, int, int], list] = {}
    order: list[tuple[int, int, int]] = []
    for row in rows[1:]:
        f = row.split("\t")
        if len(f) < len(header):
            continue
        level = int(f[col["level"]])
        if level == 1:
            height = max(height, int(f[col["height"]]))
        if level != 5 or not f[col["text"]].strip():
            continue
        key = (int(f[col["block_num"]]), int(f[col["par_num"]]), int(f[col["line_num"]]))
        top = int(f[col["top"]])
        bottom = top + int(f[col["height"]])
        if key not in lines:
            lines[key] = [[], top, bottom, []]
            order.append(key)
        entry = lines[key]
        entry[0].append(f[col["text"]])
        entry[1] = min(entry[1], top)
        entry[2] = max(entry[2], bottom)
        entry[3].append(bottom - top)
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    sizes: list[float] = []  # median word height per line (-1 for paragraph gaps)
    prev_par: tuple[int, int] | None = None
    for key in order:
        words, top, bottom, heights = lines[key]
        if prev_par is not None and key[:2] != prev_par:
            texts.append("")
            spans.append((-1, -1))
            sizes.append(-1)
        texts.append(" ".join(words))
        spans.append((top, bottom))
        sizes.append(statistics.median(heights))
        prev_par = key[:2]
    real = [i for i, s in enumerate(spans) if s[0] >= 0]
    height = height or (max(spans[i][1] for i in real) if real else 0)
    # band lines by geometry (Tesseract may order a footer block before a second column)
    by_top = sorted(real, key=lambda i: spans[i][0])
    top = [i for i in by_top[:3] if spans[i][0] <= BAND * height]
    bottom = [i for i in by_top[::-1][:3] if spans[i][1] >= (1 - BAND) * height]
    return PageLines(texts, len(top), len(bottom), _tall_lines(texts, sizes), set(top + bottom))


def _tall_lines(texts: list[str], sizes: list[float]) -> set[int]:
    """Headings of a scan: short lines whose words stand clearly taller than the body's.

    Word heights vary with ascenders and descenders (body lines differ by up to ~25%), so
    only lines over HEADING_HEIGHT times the page's median count."""
    real = [h for h in sizes if h > 0]
    if len(real) < 3:
        return set()
    body = statistics.median(real)
    return {i for i, (t, h) in enumerate(zip(texts, sizes))
            if h >= HEADING_HEIGHT * body and len(t) < 120 and not t.rstrip().endswith((".", ","))}


def scan_dpi(page: pdfium.PdfPage) -> float | None:
    """Resolution of the largest image on the page (a scan is one page-sized image)."""
    best: tuple[float, float] | None = None
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            meta = obj.get_metadata()
            left, bottom, right, top = obj.get_bounds()
            area = (right - left) * (top - bottom)
            if meta.horizontal_dpi > 0 and (best is None or area > best[0]):
                best = (area, float(meta.horizontal_dpi))
    except (pdfium.PdfiumError, ValueError, TypeError, AttributeError):
        return None
    return best[1] if best else None


def render_dpi(page: pdfium.PdfPage, dpi: int = 300) -> int:
    """Render scans at their own resolution when it is usable (150-600 dpi): resampling a
    150-dpi scan to 300 dpi doubled Tesseract's word errors in our measurements."""
    native = scan_dpi(page)
    if native is not None and NATIVE_MIN <= round(native) <= NATIVE_MAX:
        dpi = int(round(native))
    width, height = page.get_size()  # points
    pixels = width * height * (dpi / 72) ** 2
    if pixels > MAX_PIXELS:  # posters and maps: keep the bitmap within memory, whatever the dpi
        return max(int(dpi * (MAX_PIXELS / pixels) ** 0.5), 1)
    return max(dpi, 72)


_SPECK_PERIOD = re.compile(r"(?<![.\w])([^\W\d_]{2,})\.(\s+)(?=[a-zæøå])")
_SECTION = re.compile(r"(^|[\s(])[$&8]\s?(?=\d{1,3}\b)")


def _abbreviations() -> frozenset[str]:
    return word_list("abbreviations_da.txt")


def fix_scan_artifacts(text: str) -> str:
    """Undo two regular Tesseract misreads of Danish scans.

    A speck after a word reads as a period: "og. de" -> "og de" (a period followed by a
    lowercase word that is not an abbreviation cannot end a sentence).  The section sign is
    read as "$", "&" or "8" before a paragraph number: "$ 107" -> "§ 107".
    """
    def period(m: re.Match[str]) -> str:
        word = m.group(1)
        if word.lower() in _abbreviations() or not is_known_word(word):
            return m.group(0)
        return word + m.group(2)

    text = _SPECK_PERIOD.sub(period, text)
    return _SECTION.sub(lambda m: m.group(1) + "§ ", text)


def ocr_page(page: pdfium.PdfPage, lang: str = "dan", dpi: int = 300) -> PageLines:
    """OCR one PDF page: at the scan's own resolution, else rendered at `dpi`."""
    try:
        use = render_dpi(page, dpi)
        image = render_page(page, use)
    except (pdfium.PdfiumError, ValueError, OSError) as exc:
        raise OCRFailed(f"cannot render the page ({exc})") from None
    page_lines = ocr_image(image, lang=lang, dpi=use)
    del image  # the bitmap can be tens of MB: free it before parsing
    width, height = page.get_size()
    if use < NATIVE_MIN and width * height * (NATIVE_MIN / 72) ** 2 > MAX_PIXELS:  # capped, and it shows
        page_lines.note = (f"rendered for OCR at {use} dpi only (the page is {width:.0f} x {height:.0f} pt; "
                           f"bitmaps are capped at {MAX_PIXELS // 1_000_000} megapixels to bound memory), "
                           "so small text may be missed")
    if lang.split("+")[0] == "dan" and page_lines.lines:
        page_lines.lines = fix_scan_artifacts("\n".join(page_lines.lines)).split("\n")
    return page_lines


# --- re-OCR: a damaged text layer over a page image -------------------------------------------
REOCR_MODES = ("auto", "always", "never")
REOCR_COVER = 0.5     # the page's largest image covers at least this share: the scan is there
REOCR_DAMAGE = 0.05   # auto: re-OCR a text layer whose estimated damage reaches this
REOCR_MARGIN = 0.01   # the new text must score better than the layer by this much


def text_damage(text: str) -> float:
    """Estimated share of OCR-damaged words of ``text`` (the repairer's estimate), raised for
    long text without æ/ø/å at a Danish rate (an English OCR model writes hardly any)."""
    from stratcompare.repair import get_repairer
    from stratcompare.repair.repairer import danish_share, ocr_like

    res = get_repairer().repair(text)
    damage = res.damage
    share, letters = danish_share(text)
    if letters >= 200 and ocr_like(text):
        damage = max(damage, 0.1)
    return damage


def reocr_page(page: pdfium.PdfPage, layer_text: str, mode: str, image_cover: float,
               lang: str = "dan", dpi: int = 300) -> PageLines | None:
    """Tesseract ``lang`` on the page image when the text layer looks damaged (``auto``) or
    always (``always``); the OCR lines if they score better than the layer, else None.

    Many municipal PDFs carry the scan plus a text layer an English OCR model made; reading the
    image again in Danish gets æ/ø/å right where repair can only guess."""
    if mode == "never" or image_cover < REOCR_COVER or not ocr_available(lang):
        return None
    old = text_damage(layer_text) if layer_text.strip() else 1.0
    if mode == "auto" and old < REOCR_DAMAGE:
        return None
    try:
        lines = ocr_page(page, lang=lang, dpi=dpi)
    except OCRFailed:
        return None  # keep the text layer
    new_text = "\n".join(lines.lines)
    if not new_text.strip():
        return None
    new = text_damage(new_text)
    if new + REOCR_MARGIN > old:
        return None
    return lines
