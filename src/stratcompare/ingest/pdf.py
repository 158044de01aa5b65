"""PDF text extraction: PDFium text layer in reading order, OCR for pages without one.

Why PDFium and not pdfplumber: PDFium (pypdfium2) hands over a page's text in one call and
char boxes on demand, which is tens of times faster than pdfminer's layout analysis.  We only
ask for the boxes we need — the first/last char of each PDFium line and the chars where one
text object (show operator) ends and the next begins — to cut lines into segments, find a
column gap, and put segments back in reading order.  Pages are closed as soon as they are
read, so memory stays flat in the page count.
"""

from __future__ import annotations

import ctypes
import os
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from stratcompare.errors import (
    CorruptPDFError,
    EmptyFileError,
    EncryptedPDFError,
    NotAPDFError,
    TooLargeError,
    UnreadableFileError,
)
from stratcompare.ingest import ocr as ocr_mod
from stratcompare.ingest.extracted import ExtractedDocument, Page
from stratcompare.ingest.layout import PageLines, clean_pages, garbage_share, normalize_chars
from stratcompare.ingest.tables import TableFinder

BAND = 0.10  # top/bottom share of the page where running headers and footers live
GARBAGE = 0.30  # share of unmappable glyphs above which a page's text layer is noise
SPARSE_CHARS = 200  # a page with less text than this under a page-sized image is a scan
SCAN_COVER = 0.5  # share of the page an image must cover to count as a scan
TAIL_BYTES = 32768  # where the %%EOF marker must be (junk after it is tolerated up to this)
_LINE_BREAK = re.compile(r"\r\n|[\r\n\ufffe]")
if hasattr(pdfium_c, "FPDFText_GetTextObject"):
    # with a plain address as result: no pointer object per call
    _get_text_object = ctypes.cast(
        pdfium_c.FPDFText_GetTextObject,
        ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int),
    )
else:  # older PDFium: treat every char as its own object (slower, same result)
    def _get_text_object(textpage: object, index: int) -> int:
        return index
_WHITESPACE = re.compile(r"\s")


@dataclass
class Segment:
    """A run of characters on one baseline without a wide gap (one column's part of a line)."""

    text: str
    x0: float
    x1: float
    base: float  # baseline y (PDF space, y grows upwards)
    size: float
    idx: int  # PDFium index of the first char (font lookups)

    @property
    def top(self) -> float:
        return self.base + 0.8 * self.size

    @property
    def bottom(self) -> float:
        return self.base - 0.25 * self.size


@dataclass
class Line:
    text: str
    x0: float
    top: float
    bottom: float
    base: float
    size: float
    idx: int  # first char of the line (font lookups)
    bold: bool = False  # set only for heading candidates and a sample of body lines
    candidate: bool = False  # short and unpunctuated: may be a heading
    new_block: bool = False  # first line of a block read apart (a letterhead column)


@dataclass
class TextLayer:
    lines: list[Line]
    visible_chars: int
    unicode_errors: float  # sampled share of glyphs PDFium could not map to Unicode
    body_bold: bool = False
    segments: list[Segment] = field(default_factory=list)  # the pieces the lines were made of


def _without_tables(layer: TextLayer, kept: list[Segment]) -> TextLayer:
    """The layer put in order again from the pieces left once tables are taken out (font
    weights carried over from the lines as first read)."""
    bold = {ln.idx: ln.bold for ln in layer.lines}
    lines = _reading_order(kept)
    for ln in lines:
        ln.candidate = _heading_candidate(ln)
        ln.bold = bold.get(ln.idx, False)
    return TextLayer(lines, layer.visible_chars, layer.unicode_errors, layer.body_bold, kept)


# --- opening -------------------------------------------------------------------------------------
def _check_file(path: Path, max_mb: float | None) -> None:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UnreadableFileError("not a regular file", path)
        with path.open("rb") as fh:
            head = fh.read(1024)
            tail = b""
            if size > 1024:
                fh.seek(max(0, size - TAIL_BYTES))
                tail = fh.read()
    except FileNotFoundError:
        raise UnreadableFileError("file not found", path) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read ({exc.strerror or exc})", path) from None
    if size == 0:
        raise EmptyFileError("empty file (0 bytes)", path)
    if b"%PDF-" not in head:
        raise NotAPDFError(f"not a PDF (starts with {head[:8]!r})", path)
    if max_mb is not None and size > max_mb * 1024 * 1024:
        raise TooLargeError(f"file is {size / 1048576:.1f} MB, over the {max_mb:g} MB cap", path)
    if size > 1024 and b"%%EOF" not in tail and b"%%EOF" not in head:
        raise CorruptPDFError("truncated PDF (no %%EOF end marker)", path)


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedPDFError("encrypted PDF (needs a password)", path) from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedPDFError("PDF uses an unsupported security handler", path) from None
        if code == pdfium_c.FPDF_ERR_FILE:
            raise UnreadableFileError("cannot open the file", path) from None
        raise CorruptPDFError(f"damaged PDF ({exc})", path) from None


def _title(doc: pdfium.PdfDocument) -> str | None:
    try:
        title = (doc.get_metadata_dict().get("Title") or "").strip()
    except (pdfium.PdfiumError, ValueError, UnicodeError):
        return None
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title)
    title = re.sub(r"\.(?:docx?|pptx?|indd|pdf)$", "", title, flags=re.IGNORECASE).strip()
    title = " ".join(normalize_chars(title).split())
    if not title or title.lower() in {"untitled", "uden titel", "titel", "title", "pdf"}:
        return None
    return title


# --- text layer --------------------------------------------------------------------------------
class _Chars:
    """Cached char boxes / font info of one text page via PDFium's C API."""

    def __init__(self, textpage: pdfium.PdfTextPage):
        self.raw = textpage.raw
        self._l, self._r, self._b, self._t = (ctypes.c_double() for _ in range(4))
        self._refs = tuple(ctypes.byref(v) for v in (self._l, self._r, self._b, self._t))
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self._x_ref, self._y_ref = ctypes.byref(self._x), ctypes.byref(self._y)
        self._font = ctypes.create_string_buffer(128)
        self._flags = ctypes.c_int()
        self._boxes: dict[int, tuple[float, float, float, float]] = {}
        self._objs: dict[int, int | None] = {}

    def textobj(self, i: int) -> int | None:
        """Address of the text object (show operator) that drew char i (None: generated)."""
        got = self._objs.get(i, -1)
        if got == -1:
            got = _get_text_object(self.raw, i)
            self._objs[i] = got
        return got

    def object_starts(self, lo: int, hi: int) -> list[int]:
        """Indexes in (lo, hi] where a new text object begins, found by bisection."""
        out: list[int] = []

        def search(lo: int, hi: int, obj_lo: int | None, obj_hi: int | None) -> None:
            if obj_lo == obj_hi:
                return
            if hi - lo == 1:
                out.append(hi)
                return
            mid = (lo + hi) // 2
            obj_mid = self.textobj(mid)
            search(lo, mid, obj_lo, obj_mid)
            search(mid, hi, obj_mid, obj_hi)

        search(lo, hi, self.textobj(lo), self.textobj(hi))
        return out

    def box(self, i: int) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) of char i."""
        got = self._boxes.get(i)
        if got is None:
            pdfium_c.FPDFText_GetCharBox(self.raw, i, *self._refs)
            got = (self._l.value, self._r.value, self._b.value, self._t.value)
            self._boxes[i] = got
        return got

    def origin(self, i: int) -> tuple[float, float]:
        """(x, baseline y) where char i's glyph is placed."""
        pdfium_c.FPDFText_GetCharOrigin(self.raw, i, self._x_ref, self._y_ref)
        return self._x.value, self._y.value

    def baseline(self, i: int) -> float:
        return self.origin(i)[1]

    def size(self, i: int) -> float:
        return float(pdfium_c.FPDFText_GetFontSize(self.raw, i))

    def bold(self, i: int) -> bool:
        if pdfium_c.FPDFText_GetFontWeight(self.raw, i) >= 600:
            return True
        n = pdfium_c.FPDFText_GetFontInfo(self.raw, i, self._font, 128, ctypes.byref(self._flags))
        name = self._font.value.decode("latin-1", "replace") if n else ""
        force_bold = bool(self._flags.value & (1 << 18))
        return "bold" in name.lower() or "black" in name.lower() or force_bold

    def map_error_share(self, text: str, samples: int = 40) -> float:
        step = max(1, len(text) // samples)
        idx = [i for i in range(0, len(text), step) if not text[i].isspace()]
        if not idx:
            return 0.0
        bad = sum(1 for i in idx if pdfium_c.FPDFText_HasUnicodeMapError(self.raw, i) == 1)
        return bad / len(idx)


def _page_text(textpage: pdfium.PdfTextPage, n: int) -> str:
    text = textpage.get_text_range(0, n)
    if len(text) == n:
        return text
    # surrogate pairs or dropped chars: rebuild char by char so indexes match PDFium's
    return "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 0xFFFD) for i in range(n))


def _segments(text: str, chars: _Chars) -> list[Segment]:
    """Cut PDFium's lines at line breaks, hyphen marks and gaps wider than ~0.8 em."""
    segs: list[Segment] = []
    start = 0
    for m in _LINE_BREAK.finditer(text):
        _split_line(text, start, m.start(), m.group(0) == "\ufffe", chars, segs)
        start = m.end()
    _split_line(text, start, len(text), False, chars, segs)
    return segs


def _split_line(text: str, a: int, b: int, hyphen: bool, chars: _Chars,
                segs: list[Segment]) -> None:
    """One PDFium line -> segments.  A column gap can only hide where one text object (one
    show operator) ends and the next begins, so a line drawn by a single object is taken
    whole, and in other lines only the object boundaries (found by bisection) are measured."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a >= b:
        return
    if b - a > 2 and chars.textobj(a) != chars.textobj(b - 1):
        start = a
        for t in chars.object_starts(a, b - 1):
            s, e = t, t  # widen to the space run around the object boundary
            while s > start and text[s - 1] == " ":
                s -= 1
            while e < b and text[e] == " ":
                e += 1
            if s <= start or e >= b:
                continue
            size = chars.size(s - 1) or 10.0
            # baselines, not glyph boxes: a hyphen and a comma do not overlap vertically
            same_line = abs(chars.baseline(s - 1) - chars.baseline(e)) < 0.5 * size
            gap = chars.box(e)[0] - chars.box(s - 1)[1]
            if same_line and -0.5 * size < gap < 0.8 * size:
                continue
            _emit(text, start, s, False, chars, segs)
            start = e
        a = start
    _emit(text, a, b, hyphen, chars, segs)


def _emit(text: str, a: int, b: int, hyphen: bool, chars: _Chars, segs: list[Segment]) -> None:
    while b > a and text[b - 1].isspace():
        b -= 1
    if a >= b:
        return
    x0, base = chars.origin(a)
    size = chars.size(a) or 10.0
    segs.append(Segment(text[a:b] + ("-" if hyphen else ""), x0, chars.box(b - 1)[1], base,
                        size, a))


def _column_gap(segs: list[Segment]) -> float | None:
    """x of a vertical gap between two text columns, or None for single-column pages.

    Only narrow segments (under 60% of the text width) vote: full-width headings, headers and
    intro paragraphs cross the gap and would hide it.
    """
    if len(segs) < 8:
        return None
    left = min(s.x0 for s in segs)
    right = max(s.x1 for s in segs)
    width = right - left
    if width <= 0:
        return None
    top = max(s.top for s in segs)
    bottom = min(s.bottom for s in segs)
    band = BAND * (top - bottom)
    narrow = [s for s in segs if s.x1 - s.x0 < 0.6 * width
              and s.bottom > bottom + band and s.top < top - band]  # not headers/footers
    if len(narrow) < 8:
        return None
    bins = int(width) + 2
    cover = [0] * (bins + 1)
    for s in narrow:
        cover[max(0, int(s.x0 - left))] += 1
        cover[min(bins, int(s.x1 - left) + 1)] -= 1
    run = 0
    for i in range(bins):
        run += cover[i]
        cover[i] = run
    lo, hi = int(0.25 * width), int(0.75 * width)
    allowed = len(narrow) // 40  # a stray caption or page number may sit in the gap
    best: tuple[int, int] | None = None
    i = lo
    while i < hi:
        if cover[i] <= allowed:
            j = i
            while j < bins and cover[j] <= allowed:
                j += 1
            if best is None or j - i > best[1] - best[0]:
                best = (i, j)
            i = j
        else:
            i += 1
    if best is None or best[1] - best[0] < 4:
        return None
    gap = left + (best[0] + best[1]) / 2
    chars_left = sum(len(s.text) for s in narrow if s.x1 <= gap)
    chars_right = sum(len(s.text) for s in narrow if s.x0 >= gap)
    lines_left = sum(1 for s in narrow if s.x1 <= gap)
    lines_right = sum(1 for s in narrow if s.x0 >= gap)
    total = chars_left + chars_right
    if min(lines_left, lines_right) < 3 or min(chars_left, chars_right) < 0.1 * total:
        return None
    return gap


def _lines(segs: list[Segment]) -> list[Line]:
    """Group segments into lines (same baseline band), left to right."""
    out: list[Line] = []
    group: list[Segment] = []
    for s in sorted(segs, key=lambda s: -s.base):
        if group and s.base < group[0].base - 0.5 * group[0].size:
            out.append(_make_line(group))
            group = []
        group.append(s)
    if group:
        out.append(_make_line(group))
    return out


def _make_line(group: list[Segment]) -> Line:
    group.sort(key=lambda s: s.x0)
    first = max(group, key=lambda s: len(s.text))
    return Line(" ".join(s.text for s in group), group[0].x0, max(s.top for s in group),
                min(s.bottom for s in group), group[0].base, first.size, group[0].idx)


SIDE_WIDTH = 0.35  # a letterhead column's lines are at most this share of the text width


def _side_column(segs: list[Segment]) -> list[Segment]:
    """The pieces of a narrow column of short lines beside the body (a memo's or letter's
    letterhead: address, "Dato: ...", "Sagsnr.: ..."), or [].  They share baselines with the
    body lines, so read line by line they would interleave with the body's sentences."""
    if len(segs) < 6:
        return []
    left = min(s.x0 for s in segs)
    width = max(s.x1 for s in segs) - left
    if width <= 0:
        return []
    for side in ("right", "left"):
        if side == "right":
            col = [s for s in segs if s.x0 >= left + 0.6 * width
                   and s.x1 - s.x0 <= SIDE_WIDTH * width]
        else:
            col = [s for s in segs if s.x1 <= left + 0.4 * width and s.x0 <= left + 2
                   and s.x1 - s.x0 <= SIDE_WIDTH * width]
        col = _longest_run(col)
        while len(col) > 3 and not any(o is not col[-1] and abs(o.base - col[-1].base) < 2
                                       for o in segs) and not _column_step(col, segs):
            col.pop()   # a paragraph's short last line under the column, nothing beside it
        if len({round(s.base) for s in col}) < 3:
            continue
        hi, lo = max(s.top for s in col), min(s.bottom for s in col)
        ids = {id(s) for s in col}
        beside = [s for s in segs if id(s) not in ids and s.bottom < hi and s.top > lo]
        if len({round(s.base) for s in beside}) < 3:
            continue
        if side == "right":   # the body ends left of the column everywhere beside it
            edge = min(s.x0 for s in col)
            clear = all(s.x1 < edge - 0.5 * s.size for s in beside)
        else:
            edge = max(s.x1 for s in col)
            clear = all(s.x0 > edge + 0.5 * s.size for s in beside)
        if sum(s.text.rstrip().endswith(":") for s in col) * 2 >= len(col):
            continue   # field names of a form ("Mødedato:" | "04.12.2012"): pairs, no column
        short = sum(len(s.text) for s in col) / len(col) <= 45
        body_w = statistics.median(s.x1 - s.x0 for s in beside)
        col_w = statistics.median(s.x1 - s.x0 for s in col)
        # ... and unlike a text column it is set smaller than the body, or the body runs on
        # under (over) it across the column's place
        smaller = statistics.median(s.size for s in col) <= 0.9 * statistics.median(
            s.size for s in beside)
        runs_under = any((s.top <= lo or s.bottom >= hi)
                         and (s.x1 > edge if side == "right" else s.x0 < edge)
                         for s in segs if id(s) not in ids)
        # the body beside is the page's main text, wider than a column of a two-column page
        main = max(s.x1 for s in beside) - min(s.x0 for s in beside) >= 0.55 * width
        if clear and short and main and body_w >= 1.5 * col_w and (smaller or runs_under):
            return col
    return []


def _column_step(col: list[Segment], segs: list[Segment]) -> bool:
    """The column's last piece follows the one above it at the column's own line pitch and
    size, in a column set on a pitch of its own (most of its lines share no baseline with the
    body): "Sagsbehandler: ..." under "Sagsnr.: ..." while the body's baselines fall between
    is the column's last line, not a paragraph's short last line."""
    shared = sum(any(o is not s and abs(o.base - s.base) < 2 for o in segs) for s in col[:-1])
    if shared * 2 >= len(col) - 1:
        return False     # the column shares the body's baselines: "nothing beside" tells
    steps = [a.base - b.base for a, b in zip(col, col[1:])]
    pitch = statistics.median(steps[:-1]) if len(steps) > 1 else 0
    last, above = col[-1], col[-2]
    return (pitch > 0 and abs(steps[-1] - pitch) <= 0.1 * pitch
            and abs(last.size - above.size) < 0.5 and abs(last.x0 - above.x0) < 2)


def _longest_run(col: list[Segment]) -> list[Segment]:
    """The longest run of pieces stacked one under the other without a gap of more than two
    lines (a paragraph's short last line elsewhere on the page is no part of the column)."""
    runs: list[list[Segment]] = []
    for s in sorted(col, key=lambda s: -s.base):
        if runs and runs[-1][-1].base - s.base <= 2.5 * max(s.size, runs[-1][-1].size):
            runs[-1].append(s)
        else:
            runs.append([s])
    return max(runs, key=len) if runs else []


def _reading_order(segs: list[Segment]) -> list[Line]:
    """Top to bottom; inside a two-column block the left column first, then the right; a
    letterhead column beside the body is read as a block of its own, before the body when it
    starts in the upper half of the page's text, else after it."""
    side = _side_column(segs)
    if side:
        ids = {id(s) for s in side}
        body = _reading_order([s for s in segs if id(s) not in ids])
        col = _lines(side)
        top, bottom = max(s.top for s in segs), min(s.bottom for s in segs)
        before = col[0].top >= (top + bottom) / 2
        col[0].new_block = True
        if before and body:
            body[0].new_block = True
        return col + body if before else body + col
    gap = _column_gap(segs)
    if gap is None:
        return _lines(segs)
    out: list[Line] = []
    block_l: list[Segment] = []
    block_r: list[Segment] = []
    span: list[Segment] = []

    def flush_block() -> None:
        out.extend(_lines(block_l))
        out.extend(_lines(block_r))
        block_l.clear()
        block_r.clear()

    for s in sorted(segs, key=lambda s: -s.base):
        if s.x1 <= gap:
            if span:
                out.extend(_lines(span))
                span.clear()
            block_l.append(s)
        elif s.x0 >= gap:
            if span:
                out.extend(_lines(span))
                span.clear()
            block_r.append(s)
        else:
            if block_l or block_r:
                flush_block()
            span.append(s)
    flush_block()
    out.extend(_lines(span))
    return out


def read_text_layer(page: pdfium.PdfPage) -> TextLayer:
    """The page's text layer as lines in reading order, with font size and weight."""
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        if n <= 0:
            return TextLayer([], 0, 0.0)
        text = _page_text(textpage, n)
        chars = _Chars(textpage)
        visible = len(text) - len(_WHITESPACE.findall(text))
        errors = chars.map_error_share(text) if visible else 0.0
        segs = _segments(text, chars)
        lines = _reading_order(segs)
        body_bold = _mark_bold(lines, chars)
        return TextLayer(lines, visible, errors, body_bold, segs)
    finally:
        textpage.close()


def _heading_candidate(line: Line) -> bool:
    return len(line.text) < 120 and not line.text.rstrip().endswith((".", ",", ";"))


def _mark_bold(lines: list[Line], chars: _Chars) -> bool:
    """Font weight costs two C calls per line: ask only for possible headings and a sample of
    body lines.  Returns whether the body text itself is bold (then bold marks nothing)."""
    candidates, others = [], []
    for ln in lines:
        ln.candidate = _heading_candidate(ln)
        (candidates if ln.candidate else others).append(ln)
    sample = others[:: max(1, len(others) // 8)]
    for ln in candidates + sample:
        ln.bold = chars.bold(ln.idx)
    return bool(sample) and sum(ln.bold for ln in sample) > len(sample) / 2


def _is_blank(page: pdfium.PdfPage) -> bool:
    """No page objects at all (text drawn as outlines would be paths, and gets OCR'd)."""
    try:
        return pdfium_c.FPDFPage_CountObjects(page.raw) == 0
    except (AttributeError, TypeError, ValueError):
        return False


def _image_cover(page: pdfium.PdfPage, page_area: float) -> float:
    """Share of the page covered by its largest image (a scan: about 1)."""
    best = 0.0
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            best = max(best, (right - left) * (top - bottom))
    except (pdfium.PdfiumError, ValueError, TypeError, AttributeError):
        return 0.0
    return best / page_area if page_area > 0 else 0.0


def _page_lines(layer: TextLayer, page_top: float,
                page_bottom: float) -> tuple[PageLines, list[str]]:
    """Lines with paragraph gaps ("") from vertical spacing, band counts and headings."""
    lines = layer.lines
    height = page_top - page_bottom
    sizes = [ln.size for ln in lines for _ in range(max(1, len(ln.text) // 20))]
    body = statistics.median(sizes) if sizes else 10.0
    pitches = [a.base - b.base for a, b in zip(lines, lines[1:]) if 0 < a.base - b.base < 3 * body]
    pitch = statistics.median(pitches) if pitches else 1.2 * body
    texts: list[str] = []
    heads: set[int] = set()
    heading_texts: list[str] = []
    position: dict[int, int] = {}  # line number -> index in texts
    body_bold = layer.body_bold
    for k, ln in enumerate(lines):
        if k and texts and texts[-1]:
            step = lines[k - 1].base - ln.base
            # paragraph space (a jump back up = next column: no break), or a block read apart
            if step > 1.3 * pitch or ln.new_block:
                texts.append("")
        is_head = ln.candidate and (ln.size >= 1.15 * body or (ln.bold and not body_bold))
        prev = lines[k - 1] if k else None
        if (is_head and prev is not None and len(texts) - 1 in heads and texts[-1]
                and abs(prev.size - ln.size) < 0.5 and prev.bold == ln.bold):
            texts[-1] = f"{texts[-1]} {ln.text}"  # a heading wrapped over two lines
            heading_texts[-1] = texts[-1]
            position[k] = len(texts) - 1
            continue
        if is_head:
            heads.add(len(texts))
            heading_texts.append(ln.text)
        position[k] = len(texts)
        texts.append(ln.text)
    # band lines by geometry: in two-column order a footer can come mid-way
    by_height = sorted(range(len(lines)), key=lambda k: -lines[k].top)
    top = [k for k in by_height[:3] if lines[k].top >= page_top - BAND * height]
    bottom = [k for k in by_height[::-1][:3] if lines[k].bottom <= page_bottom + BAND * height]
    band = {position[k] for k in top + bottom}
    return PageLines(texts, len(top), len(bottom), heads, band), heading_texts


# --- the document ------------------------------------------------------------------------------
def _ranges(numbers: list[int]) -> str:
    """[3, 4, 7] -> "pages 3-4, 7 have"; [2] -> "page 2 has"."""
    parts: list[str] = []
    for n in numbers:
        if parts and n == int(parts[-1].split("-")[-1]) + 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    if len(numbers) == 1:
        return f"page {parts[0]} has"
    return f"pages {', '.join(parts)} have"


def extract_pdf(
    path: str | os.PathLike[str],
    *,
    ocr: bool = True,
    max_pages: int | None = None,
    max_mb: float | None = None,
    ocr_lang: str = "dan",
    progress: Callable[[int], None] | None = None,
    dpi: int = 300,
    reocr: str = "auto",
) -> ExtractedDocument:
    """Extract a PDF's pages: text layer where usable, Tesseract OCR where not.

    Raises one `stratcompare.errors` class per bad-input kind; library exceptions never escape.
    `progress(1)` is called once per finished page.
    """
    path = Path(path)
    _check_file(path, max_mb)
    doc = _open(path)
    try:
        n_pages = len(doc)
        if max_pages is not None and n_pages > max_pages:
            raise TooLargeError(f"{n_pages} pages, over the {max_pages}-page cap", path)
        return _extract(doc, path, n_pages, ocr, ocr_lang, progress, dpi, reocr)
    except pdfium.PdfiumError as exc:
        raise CorruptPDFError(f"damaged PDF ({exc})", path) from None
    except (ValueError, RuntimeError, UnicodeError) as exc:  # PDFium/pypdfium2 on odd input
        raise CorruptPDFError(f"cannot read the PDF ({type(exc).__name__}: {exc})", path) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read ({exc.strerror or exc})", path) from None
    except MemoryError:
        raise TooLargeError("PDF too large to process in memory", path) from None
    finally:
        doc.close()


def _extract(doc: pdfium.PdfDocument, path: Path, n_pages: int, ocr: bool, ocr_lang: str,
             progress: Callable[[int], None] | None, dpi: int,
             reocr: str = "auto") -> ExtractedDocument:
    title = _title(doc)
    page_lines: list[PageLines] = []
    meta: list[dict] = []
    no_text: list[int] = []  # needed OCR but could not get it
    cid_pages: list[int] = []
    ocr_failed: list[str] = []
    ocr_notes: list[str] = []
    first_line_title: str | None = None
    ocr_state: tuple[bool, str] | None = None
    tables = TableFinder(path)
    streams = _ContentStreams(path)
    damaged: list[int] = []  # pages whose objects or content cannot be read (a damaged file)
    for i in range(n_pages):
        number = i + 1
        try:
            page = doc[i]
        except pdfium.PdfiumError:  # the page's own object is damaged: keep the other pages
            damaged.append(number)
            page_lines.append(PageLines([], 0, 0))
            meta.append({"number": number, "method": "none", "status": "damaged", "headings": []})
            if progress is not None:
                progress(1)
            continue
        try:
            left, bottom, right, top = page.get_bbox()
            layer = read_text_layer(page)
            if layer.visible_chars == 0 and _is_blank(page) and streams.damaged(i):
                # PDFium drew nothing because the page's content could not be decoded: not a
                # blank page but lost text, which the user must be told about
                damaged.append(number)
                tables.discard(number)
                page_lines.append(PageLines([], 0, 0))
                meta.append({"number": number, "method": "none", "status": "damaged",
                             "headings": []})
                if progress is not None:
                    progress(1)
                continue
            kept = tables.find(page, i, layer.segments)
            if kept is not None:
                layer = _without_tables(layer, kept)
            garbage = layer.unicode_errors > GARBAGE or garbage_share(
                "\n".join(ln.text for ln in layer.lines)) > GARBAGE
            # a scan with a stamped page number or a born-digital header is still a scan
            empty = layer.visible_chars == 0 or (
                layer.visible_chars < SPARSE_CHARS
                and _image_cover(page, (right - left) * (top - bottom)) > SCAN_COVER)
            status, method = "ok", "text"
            if layer.visible_chars == 0 and _is_blank(page):
                empty = False  # an empty page: nothing to read, nothing missing
                method = "none"
            if garbage:
                status = "cid_garbage"
                cid_pages.append(number)
            if garbage or empty:
                tables.discard(number)
                lines = PageLines([], 0, 0)
                heads: list[str] = []
                method = "none"
                if status == "ok":
                    status = "missing_text"
                if ocr:
                    if ocr_state is None:
                        ocr_state = ocr_mod.tesseract_status(ocr_lang)
                    if ocr_state[0]:
                        try:
                            lines = ocr_mod.ocr_page(page, lang=ocr_lang, dpi=dpi)
                            if getattr(lines, "note", None):  # e.g. a poster rendered at capped size
                                ocr_notes.append(f"page {number}: {lines.note}")
                            method = "ocr"
                            found = any(ln.strip() for ln in lines.lines)
                            status = "ok" if found else "missing_text"
                            heads = [lines.lines[k] for k in sorted(lines.headings)]
                            if number == 1:
                                first_line_title = _first_heading(lines)
                        except ocr_mod.OCRFailed as exc:
                            ocr_failed.append(f"page {number}: {exc}")
                if method != "ocr" or status != "ok":
                    no_text.append(number)
            else:
                lines, heads = _page_lines(layer, top, bottom)
                if ocr and reocr != "never":  # the scan is there: read it in Danish (issue 14)
                    redo = ocr_mod.reocr_page(page, "\n".join(lines.lines), reocr, _image_cover(
                        page, (right - left) * (top - bottom)), lang=ocr_lang, dpi=dpi)
                    if redo is not None:
                        lines, method = redo, "reocr"
                        heads = [redo.lines[k] for k in sorted(redo.headings)]
                if number == 1:
                    first_line_title = _largest_line(layer.lines)
        finally:
            page.close()
        page_lines.append(lines)
        meta.append({"number": number, "method": method, "status": status, "headings": heads})
        if progress is not None:
            progress(1)
    streams.close()
    if damaged and len(damaged) == n_pages:
        raise CorruptPDFError(f"damaged PDF: none of its {n_pages} pages could be read", path)
    found = tables.finish()
    cleaned = clean_pages(page_lines)
    pages = [
        Page(number=m["number"], raw_text="\n".join(pl.lines), text=text, method=m["method"],
             status=_final_status(m, text, found.get(m["number"])),
             headings=_headings_in(m["headings"], text), tables=found.get(m["number"], []))
        for m, pl, text in zip(meta, page_lines, cleaned)
    ]
    warnings = _warnings(no_text, cid_pages, ocr_failed, ocr, ocr_state) + tables.warnings + ocr_notes
    if damaged:
        warnings.insert(0, damaged_pages_note(n_pages, damaged))
    not_born_digital = [p for p in pages if p.method == "ocr" or (
        p.method == "none" and p.status not in ("ok", "damaged"))]
    scanned = len(not_born_digital) > n_pages / 2
    return ExtractedDocument(path=str(path), kind="scanned_pdf" if scanned else "pdf", pages=pages,
                             title=title or first_line_title, warnings=warnings)


def damaged_pages_note(n_pages: int, damaged: list[int]) -> str:
    """The one line a user sees for a PDF stored in part: "stored 4 of 15 pages; pages 5–15
    could not be read (...)"."""
    ranges = _ranges(damaged).rsplit(" ", 1)[0].replace("-", "–")  # "pages 5–15"
    return (f"stored {n_pages - len(damaged)} of {n_pages} pages; {ranges} could not be read "
            "(the PDF is damaged; download it again or repair it with qpdf)")


class _ContentStreams:
    """A second reader (pdfminer) asked only about pages PDFium found empty: is the page's
    content missing or undecodable?  PDFium shows such a page as blank without a word, so a
    download damaged in the middle would otherwise be stored in part, silently."""

    def __init__(self, path: Path):
        self.path = path
        self._pages: list | None = None
        self._fh = None

    def damaged(self, index: int) -> bool:
        import logging

        quiet = logging.getLogger("pdfminer")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)  # pdfminer warns on stderr about what we report here
        try:
            page = self._page(index)
            if page is None:
                return False  # pdfminer cannot tell: trust PDFium (a blank page)
            return _contents_damaged(page)
        except Exception:  # noqa: BLE001 - pdfminer raises many kinds; undecidable = not damaged
            return False
        finally:
            quiet.setLevel(level)

    def _page(self, index: int):
        if self._pages is None:
            from pdfminer.pdfdocument import PDFDocument
            from pdfminer.pdfpage import PDFPage
            from pdfminer.pdfparser import PDFParser

            self._pages = []
            self._fh = open(self.path, "rb")
            self._pages = list(PDFPage.create_pages(PDFDocument(PDFParser(self._fh))))
        return self._pages[index] if index < len(self._pages) else None

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _contents_damaged(page) -> bool:
    """A content stream that is declared but missing, or whose bytes do not decode (a blank
    page's empty stream, compressed or not, decodes fine)."""
    from pdfminer import settings
    from pdfminer.pdftypes import PDFStream, resolve1

    declared = page.attrs.get("Contents") if isinstance(page.attrs, dict) else None
    if declared is None:
        return False  # no content at all: a genuinely blank page
    refs = resolve1(declared)
    refs = refs if isinstance(refs, list) else [declared]
    for ref in refs:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream):
            return True
        if stream.data is not None or not (stream.rawdata or b"").strip():
            continue
        strict, settings.STRICT = settings.STRICT, True  # raise on bad bytes, do not guess
        try:
            stream.decode()
        except Exception:  # noqa: BLE001 - zlib, ASCII85, ... each raise their own kind
            return True
        finally:
            settings.STRICT = strict
    return False


def _final_status(meta: dict, text: str, tables: list | None = None) -> str:
    """A text page whose clean-up left nothing (only a header, say) has missing text; a
    blank page (method "none", status "ok") and a page that is all table are fine."""
    if meta["status"] == "ok" and meta["method"] != "none" and not text.strip() and not tables:
        return "missing_text"
    return meta["status"]


def _largest_line(lines: list[Line]) -> str | None:
    """Page 1's title: the run of lines in its largest font, if larger than the body text."""
    if not lines:
        return None
    biggest = max(ln.size for ln in lines)
    if biggest < 1.15 * statistics.median(ln.size for ln in lines):
        return None
    start = next(i for i, ln in enumerate(lines) if ln.size >= biggest - 0.5)
    run = []
    for ln in lines[start:]:
        if ln.size < biggest - 0.5:
            break
        run.append(ln.text.strip())
    title = " ".join(normalize_chars(" ".join(run)).split())
    return title or None


def _first_heading(page: PageLines) -> str | None:
    """An OCR'd first page's title: its first line set clearly taller than the body."""
    for i in sorted(page.headings):
        return " ".join(normalize_chars(page.lines[i]).split()) or None
    return None


def _headings_in(headings: list[str], text: str) -> list[str]:
    """Headings as they read in the cleaned text (running headers removed there drop out)."""
    out = []
    for h in headings:
        h = " ".join(normalize_chars(h).split())
        if h and h in text:
            out.append(h)
    return out


def _warnings(no_text: list[int], cid_pages: list[int], ocr_failed: list[str], ocr: bool,
              ocr_state: tuple[bool, str] | None) -> list[str]:
    out: list[str] = []
    failed = {int(msg.split(":")[0].split()[-1]) for msg in ocr_failed}
    if cid_pages:
        out.append(f"{_ranges(cid_pages)} (cid:N) garbage in the text layer (fonts without a "
                   "Unicode map); that text was not stored")
    missing = [n for n in no_text if n not in failed]
    if missing:
        if not ocr:
            out.append(f"{_ranges(missing)} no usable text layer and OCR is off (--no-ocr)")
        elif ocr_state is not None and not ocr_state[0]:
            out.append(f"{_ranges(missing)} no usable text layer and {ocr_state[1]}")
        else:
            out.append(f"{_ranges(missing)} no usable text layer and OCR found no text")
    out.extend(f"OCR failed on {msg}" for msg in ocr_failed)
    return out
