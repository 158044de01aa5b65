"""Deterministic generators for realistic test PDFs (born-digital, hard-wrapped, scanned, broken).

Why: real municipal strategies arrive as multi-page PDFs with running headers, page numbers,
words hyphenated across line ends, two-column slide pages, OCR'd text layers, image-only scans
and the occasional encrypted or truncated file.  The ingester must cope with all of these, so
tests build such files here instead of shipping opaque binaries.

Everything is deterministic: reportlab runs with ``invariant=1`` and random choices use fixed
seeds, so regenerating a file gives the same bytes.

Paragraph mini-markup accepted by :func:`make_text_pdf`:

* ``"# Heading"``        -> a bold section heading;
* ``"\\f"`` or ``PageBreak(columns=2)`` -> start a new page (optionally switching column count);
* ``"\\n"`` inside an item -> forced line break (lists, tables of contents); a tab in a line
  right-aligns the part after it (dot-leader tables of contents);
* a line starting with ``"- "`` (optionally indented) -> bullet with a hanging indent.
"""

from __future__ import annotations

import io
import random
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

__all__ = [
    "PageBreak",
    "hyphenation_points",
    "make_text_pdf",
    "make_two_column_pdf",
    "make_hardwrapped_pdf",
    "make_scanned_pdf",
    "make_encrypted_pdf",
    "make_truncated_pdf",
    "make_cid_garbage_pdf",
    "make_table_pdf",
    "make_rotated_table_pdf",
]

PAGE_W, PAGE_H = A4
MARGIN_X = 62.0
MARGIN_TOP = 64.0
MARGIN_BOTTOM = 64.0
GUTTER = 24.0
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
HEADER_SIZE = 8.0
DEFAULT_SEED = 20240529

_VOWELS = set("aeiouyæøåéáóúíAEIOUYÆØÅÉÁÓÚÍ")
_WORD_RE = re.compile(r"^([^\wæøåÆØÅ]*)([A-Za-zæøåÆØÅéáóúíÉÁÓÚÍ]+)(.*)$")


@dataclass(frozen=True)
class PageBreak:
    """Explicit page break in a paragraph list; ``columns`` switches the layout from here on."""

    columns: int | None = None


# --------------------------------------------------------------------------- hyphenation


def hyphenation_points(word: str, min_side: int = 3) -> list[int]:
    """Danish-ish syllable breaks in a purely alphabetic word (indices where a hyphen may go).

    Breaks before a single consonant between vowels (``mø-der``) and between two consonants
    after a vowel (``gen-nem``), keeping at least ``min_side`` letters on each side.
    """
    points: list[int] = []
    n = len(word)
    for i in range(min_side, n - min_side + 1):
        prev, cur, nxt = word[i - 1], word[i], word[i + 1] if i + 1 < n else ""
        if prev in _VOWELS and cur not in _VOWELS and nxt and nxt in _VOWELS:
            points.append(i)  # V-CV
        elif (
            prev not in _VOWELS
            and cur not in _VOWELS
            and i >= 2
            and word[i - 2] in _VOWELS
            and nxt
            and nxt in _VOWELS
        ):
            points.append(i)  # VC-CV
    return points


def _split_for_width(
    token: str, avail: float, font: str, size: float, rng: random.Random, share: float
) -> tuple[str, str] | None:
    """Split ``token`` so ``head + '-'`` fits in ``avail`` points; None when no break fits."""
    m = _WORD_RE.match(token)
    if not m or len(m.group(2)) < 7 or "-" in token:
        return None
    if rng.random() > share:
        return None
    lead, word, tail = m.groups()
    for i in reversed(hyphenation_points(word)):
        head = lead + word[:i] + "-"
        if stringWidth(head, font, size) <= avail:
            return head, word[i:] + tail
    return None


# --------------------------------------------------------------------------- layout model


@dataclass
class _Line:
    text: str
    font: str
    size: float
    indent: float = 0.0
    right: str = ""  # right-aligned part (after a tab)
    space_before: float = 0.0
    keep_with_next: bool = False


def _wrap_line(
    text: str,
    width: float,
    font: str,
    size: float,
    hyphenate: bool,
    rng: random.Random,
    share: float,
) -> list[_Line]:
    """Word-wrap one logical line, hyphenating words at line ends when asked."""
    if "\t" in text:
        left, right = text.split("\t", 1)
        return [_Line(left.rstrip(), font, size, right=right.strip())]
    m = re.match(r"^(\s*)([-•]\s+)(.*)$", text)
    indent = 0.0
    hang = 0.0
    if m:
        level = len(m.group(1).expandtabs(4))
        indent = 14.0 * (1 + (1 if level else 0))
        bullet = m.group(2)
        hang = stringWidth(bullet, font, size)
        words = [bullet.strip()] + m.group(3).split()
        # keep the bullet glued to the first word
        words = [words[0] + " " + words[1]] + words[2:] if len(words) > 1 else words
    else:
        words = text.split()
    lines: list[_Line] = []
    cur: list[str] = []
    cur_indent = indent
    space = stringWidth(" ", font, size)
    queue = list(words)
    while queue:
        w = queue.pop(0)
        avail = width - cur_indent
        used = stringWidth(" ".join(cur), font, size) if cur else 0.0
        need = stringWidth(w, font, size) + (space if cur else 0.0)
        if used + need <= avail:
            cur.append(w)
            continue
        if not cur:  # a single word wider than the line: hard-break it
            cut = max(1, int(len(w) * avail / max(need, 1.0)) - 1)
            lines.append(_Line(w[:cut], font, size, indent=cur_indent))
            queue.insert(0, w[cut:])
            cur_indent = indent + hang
            continue
        split = (
            _split_for_width(w, avail - used - space, font, size, rng, share) if hyphenate else None
        )
        if split:
            cur.append(split[0])
            queue.insert(0, split[1])
        else:
            queue.insert(0, w)
        lines.append(_Line(" ".join(cur), font, size, indent=cur_indent))
        cur, cur_indent = [], indent + hang
    if cur:
        lines.append(_Line(" ".join(cur), font, size, indent=cur_indent))
    return lines or [_Line("", font, size)]


def _normalise_items(paragraphs_or_pages: Sequence) -> list:
    """Flatten a list of pages (lists) into paragraphs with PageBreak markers between pages."""
    items: list = []
    if paragraphs_or_pages and all(isinstance(p, (list, tuple)) for p in paragraphs_or_pages):
        for i, page in enumerate(paragraphs_or_pages):
            if i:
                items.append(PageBreak())
            items.extend(page)
        return items
    for p in paragraphs_or_pages:
        if isinstance(p, str) and p == "\f":
            items.append(PageBreak())
        else:
            items.append(p)
    return items


class _Writer:
    """Places lines into columns and pages, drawing headers and footers on page starts."""

    def __init__(
        self,
        c: rl_canvas.Canvas,
        *,
        running_header: str | None,
        page_numbers: bool,
        page_label: str,
        columns: int,
        lines: int | None,
        leading: float,
    ) -> None:
        self.c = c
        self.running_header = running_header
        self.page_numbers = page_numbers
        self.page_label = page_label
        self.columns = columns
        self.max_lines = lines
        self.leading = leading
        self.page = 0
        self.col = 0
        self.y = 0.0
        self.lines_in_col = 0
        self.started = False

    # geometry
    @property
    def col_width(self) -> float:
        return (PAGE_W - 2 * MARGIN_X - GUTTER * (self.columns - 1)) / self.columns

    def col_x(self) -> float:
        return MARGIN_X + self.col * (self.col_width + GUTTER)

    def top_y(self) -> float:
        return PAGE_H - MARGIN_TOP

    def new_page(self) -> None:
        if self.started:
            self.c.showPage()
        self.started = True
        self.page += 1
        self.col = 0
        self.y = self.top_y()
        self.lines_in_col = 0
        if self.running_header:
            self.c.setFont(FONT, HEADER_SIZE)
            self.c.drawString(MARGIN_X, PAGE_H - 36, self.running_header)
            self.c.setLineWidth(0.4)
            self.c.line(MARGIN_X, PAGE_H - 40, PAGE_W - MARGIN_X, PAGE_H - 40)
        if self.page_numbers:
            self.c.setFont(FONT, HEADER_SIZE + 1)
            self.c.drawCentredString(PAGE_W / 2, 34, self.page_label.format(n=self.page))

    def next_column(self) -> None:
        if self.col + 1 < self.columns:
            self.col += 1
            self.y = self.top_y()
            self.lines_in_col = 0
        else:
            self.new_page()

    def fits(self, height: float) -> bool:
        if self.max_lines is not None and self.lines_in_col >= self.max_lines:
            return False
        return self.y - height >= MARGIN_BOTTOM

    def place(self, line: _Line, keep_lines: int = 1) -> None:
        if not self.started:
            self.new_page()
        lead = max(self.leading, line.size * 1.3)
        gap = line.space_before if self.lines_in_col else 0.0
        if not self.fits(gap + lead * keep_lines):
            self.next_column()
            gap = 0.0
        self.y -= gap + lead
        x = self.col_x()
        self.c.setFont(line.font, line.size)
        text, dx = line.text, 0.0
        if text.startswith("• "):  # Helvetica's bullet code extracts badly: draw a dot instead
            r = line.size * 0.17
            self.c.circle(x + line.indent + r, self.y + line.size * 0.32, r, stroke=0, fill=1)
            dx, text = stringWidth("• ", line.font, line.size), text[2:]
        if text:
            self.c.drawString(x + line.indent + dx, self.y, text)
        if line.right:
            self.c.drawRightString(x + self.col_width, self.y, line.right)
        self.lines_in_col += 1

    def gap(self, height: float) -> None:
        if self.started and self.lines_in_col:
            self.y -= height


def make_text_pdf(
    path: str | Path,
    paragraphs_or_pages: Sequence,
    *,
    title: str | None = None,
    running_header: str | None = None,
    page_numbers: bool = True,
    hyphenate: bool = True,
    columns: int = 1,
    font_size: float = 10,
    lines: int | None = None,
    page_label: str = "Side {n}",
    hyphen_share: float = 0.5,
    author: str | None = None,
    seed: int = DEFAULT_SEED,
) -> None:
    """Write a born-digital multi-page PDF of word-wrapped paragraphs.

    ``paragraphs_or_pages`` is a list of paragraph strings (see module docstring for markup) or
    a list of pages, each a list of paragraphs.  ``lines`` caps the lines per column (forces
    earlier page breaks); ``hyphen_share`` is the chance that a line-end word which can be split
    is split ("gen-" / "nemsnitlig").  ``title`` is drawn big on page 1 and stored as PDF title.
    """
    rng = random.Random(seed)
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    if title or running_header:
        c.setTitle(title or running_header or "")
    if author:
        c.setAuthor(author)
    c.setCreator("stratcompare tests/pdfgen.py")
    w = _Writer(
        c,
        running_header=running_header,
        page_numbers=page_numbers,
        page_label=page_label,
        columns=columns,
        lines=lines,
        leading=font_size * 1.35,
    )
    if title:
        for tl in _wrap_line(title, PAGE_W - 2 * MARGIN_X, FONT_BOLD, font_size + 8, False, rng, 0):
            w.place(tl)
        w.gap(font_size * 1.5)
    for item in _normalise_items(paragraphs_or_pages):
        if isinstance(item, PageBreak):
            if item.columns:
                w.columns = item.columns
            if w.started:
                w.new_page()
            continue
        text = str(item)
        if text.startswith("# "):
            heading = _wrap_line(text[2:].strip(), w.col_width, FONT_BOLD, font_size + 2, False, rng, 0)
            for i, hl in enumerate(heading):
                hl.space_before = font_size * 0.9 if i == 0 else 0.0
                w.place(hl, keep_lines=len(heading) - i + 2)
            continue
        if not text.strip():
            w.gap(font_size * 0.8)
            continue
        first = True
        for logical in text.split("\n"):
            if not logical.strip():
                w.gap(font_size * 0.8)
                continue
            wrapped = _wrap_line(logical, w.col_width, FONT, font_size, hyphenate, rng, hyphen_share)
            for ln in wrapped:
                if first:
                    ln.space_before = font_size * 0.6
                    first = False
                w.place(ln)
    if not w.started:
        w.new_page()
    c.showPage()
    c.save()


def make_two_column_pdf(path: str | Path, paragraphs: Sequence, **kwargs) -> None:
    """Convenience: :func:`make_text_pdf` with a two-column layout (left column read first)."""
    kwargs.setdefault("columns", 2)
    make_text_pdf(path, paragraphs, **kwargs)


# --------------------------------------------------------------------------- hard-wrapped


def make_hardwrapped_pdf(
    path: str | Path,
    text: str,
    *,
    font_size: float | None = None,
    lines_per_page: int | None = None,
    title: str | None = None,
) -> None:
    """Write ``text`` with one PDF text line per input line (blank lines kept as vertical gaps).

    Used for OCR'd documents whose text layer must carry the exact damaged lines.  The font
    shrinks (never below 7 pt) so that the longest line fits the page width.
    """
    src_lines = text.split("\n")
    if src_lines and src_lines[-1] == "":
        src_lines.pop()
    width = PAGE_W - 2 * 50.0
    longest = max((stringWidth(ln, FONT, 10) for ln in src_lines), default=1.0)
    size = font_size or max(7.0, min(10.0, 10.0 * width / max(longest, 1.0)))
    leading = size * 1.32
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    if title:
        c.setTitle(title)
    c.setCreator("stratcompare tests/pdfgen.py")
    y = PAGE_H - 60.0
    count = 0
    started = False
    for ln in src_lines:
        if not started or y - leading < 56.0 or (lines_per_page and count >= lines_per_page):
            if started:
                c.showPage()
            started = True
            y = PAGE_H - 60.0
            count = 0
            if not ln.strip():
                continue  # a blank line at a page top is just the page break
        y -= leading
        count += 1
        if ln.strip():
            c.setFont(FONT, size)
            c.drawString(50.0, y, ln)
    c.showPage()
    c.save()


# --------------------------------------------------------------------------- scanned


def make_scanned_pdf(
    path: str | Path,
    source_pdf_or_text: str | Path | Sequence,
    dpi: int = 150,
    *,
    noise: bool = True,
    quality: int = 55,
    max_pages: int | None = None,
    seed: int = DEFAULT_SEED,
    **text_kwargs,
) -> None:
    """Write an image-only PDF (no text layer): each page rendered to a grey JPEG.

    ``source_pdf_or_text`` is a PDF path, or text / paragraphs laid out with
    :func:`make_text_pdf` first (``text_kwargs`` go there).  ``noise`` adds a faint paper tone,
    speckles and a small skew so OCR sees something like a real scan.
    """
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    if isinstance(source_pdf_or_text, Path) or (
        isinstance(source_pdf_or_text, str)
        and source_pdf_or_text.lower().endswith(".pdf")
        and Path(source_pdf_or_text).is_file()
    ):
        pdf_bytes = Path(source_pdf_or_text).read_bytes()
    else:
        paras = (
            [p for p in str(source_pdf_or_text).split("\n\n")]
            if isinstance(source_pdf_or_text, str)
            else list(source_pdf_or_text)
        )
        with tempfile.TemporaryDirectory() as td:
            tmp = Path(td) / "src.pdf"
            make_text_pdf(tmp, paras, **text_kwargs)
            pdf_bytes = tmp.read_bytes()

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        n = len(doc) if max_pages is None else min(len(doc), max_pages)
        c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
        c.setCreator("Scanner")
        for i in range(n):
            page = doc[i]
            pw, ph = page.get_size()
            img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            if noise:
                img = img.rotate(
                    float(rng.uniform(-0.4, 0.4)), resample=Image.BICUBIC, fillcolor=255
                )
                a = np.asarray(img, dtype=np.int16)
                a = np.minimum(a, 246)  # paper is never pure white
                speck = rng.random(a.shape) < 0.0008
                a[speck] = rng.integers(60, 160, int(speck.sum()))
                img = Image.fromarray(a.clip(0, 255).astype(np.uint8), mode="L")
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=quality, optimize=True)
            buf.seek(0)
            c.setPageSize((pw, ph))
            c.drawImage(ImageReader(buf), 0, 0, width=pw, height=ph)
            c.showPage()
        c.save()
    finally:
        doc.close()


# --------------------------------------------------------------------------- broken inputs


def make_encrypted_pdf(path: str | Path, user_password: str = "hemmelig") -> None:
    """Write a small PDF that needs a user password to open (reportlab standard encryption)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption(user_password, ownerPassword="ejer-" + user_password, strength=128)
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=enc)
    c.setFont(FONT, 11)
    c.drawString(MARGIN_X, PAGE_H - 100, "Fortrolig: Strategi for det specialiserede socialområde")
    c.showPage()
    c.save()


def make_truncated_pdf(path: str | Path, keep: float = 0.5) -> None:
    """Write a valid multi-page PDF and cut it to ``keep`` of its bytes (no xref, no trailer)."""
    buf_path = Path(path)
    paras = [
        "# Indledning",
        "Kommunen vil styrke den tidlige indsats for børn og unge i udsatte positioner. " * 12,
        "\f",
        "# Økonomi",
        "Udgifterne på det specialiserede socialområde skal bringes i balance. " * 12,
    ]
    make_text_pdf(buf_path, paras, running_header="Afkortet dokument")
    data = buf_path.read_bytes()
    buf_path.write_bytes(data[: max(16, int(len(data) * keep))])


def make_cid_garbage_pdf(path: str | Path, text: str | None = None) -> None:
    """Write a PDF whose glyphs render fine but whose text extracts as ``(cid:N)`` codes.

    Embeds a DejaVuSans subset (simple TrueType font with a private encoding) and blanks out
    its ``/ToUnicode`` entry in place (same byte length, so the xref stays valid) -- the common
    real-world fault of PDFs produced by some layout programs.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font_file = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font_file.is_file():
        raise FileNotFoundError(f"{font_file} (Debian package fonts-dejavu-core) is needed")
    if "PdfgenDejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("PdfgenDejaVu", str(font_file)))
    text = text or (
        "Strategi for det specialiserede socialområde. Vi vil styrke den tidlige og "
        "forebyggende indsats for børn, unge og familier."
    )
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=0)
    c.setFont("PdfgenDejaVu", 11)
    y = PAGE_H - 100
    for ln in _wrap_line(text, PAGE_W - 2 * MARGIN_X, "PdfgenDejaVu", 11, False, random.Random(0), 0):
        c.drawString(MARGIN_X, y, ln.text)
        y -= 15
    c.showPage()
    c.save()
    data = Path(path).read_bytes()
    data = re.sub(rb"/ToUnicode \d+ 0 R", lambda m: b" " * len(m.group(0)), data)
    Path(path).write_bytes(data)


# --------------------------------------------------------------------------- tables
def _table_specs() -> list[dict]:
    """The tables of :func:`make_table_pdf`: kind, rows (the truth), ruling style, page size."""
    key_figures = [
        ["Nøgletal", "2021", "2022", "2023", "Mål 2026"],
        ["Borgere i botilbud", "412", "398", "405", "380"],
        ["Unge i efterværn", "57", "63", "71", "90"],
        ["Ventetid på udredning (uger)", "14", "12", "11", "8"],
        ["Andel i uddannelse eller job", "41 %", "44 %", "47 %", "55 %"],
        ["Tilsynsbesøg pr. år", "96", "102", "110", "120"],
    ]
    budget = [
        ["Område", "Budget 2024 (mio. kr.)", "Forbrug 2024 (mio. kr.)", "Afvigelse"],
        ["Botilbud for voksne", "312,4", "318,9", "-6,5"],
        ["Forebyggende foranstaltninger", "88,1", "84,6", "3,5"],
        ["Anbringelser", "201,7", "209,2", "-7,5"],
        ["Socialpsykiatri", "64,0", "61,3", "2,7"],
        ["Misbrugsbehandling", "22,8", "23,1", "-0,3"],
        ["I alt", "689,0", "697,1", "-8,1"],
    ]
    action_plan = [
        ["Initiativ", "Ansvarlig", "Frist"],
        ["Housing First-team for unge hjemløse etableres med to bostøtter og en koordinator",
         "Socialafdelingen", "1. kvartal 2025"],
        ["Fælles indgang for borgere med samtidig misbrug og psykisk sygdom",
         "Psykiatri og Handicap i samarbejde med regionen", "Juni 2025"],
        ["Udslusningsboliger til borgere fra forsorgshjem", "Boligsocialt team", "2026"],
        ["Kompetenceløft i recovery-orienteret praksis for alle medarbejdere på botilbud",
         "HR og Myndighed", "Løbende 2025-2026"],
        ["Evaluering af strategien med inddragelse af brugerrådet", "Direktionen", "December 2026"],
    ]
    landscape = [
        ["Indsats", "Målgruppe", "Antal pladser", "Takst pr. døgn", "Leverandør", "Status"],
        ["Akutpladser", "Voksne med sindslidelse", "8", "2.450 kr.", "Kommunal", "I drift"],
        ["Skæve boliger", "Hjemløse", "12", "610 kr.", "Boligforening", "Under opførelse"],
        ["Bostøtte (§ 85)", "Unge 18-30 år", "45", "1.120 kr.", "Kommunal", "I drift"],
        ["Aflastning", "Børn med handicap", "6", "3.900 kr.", "Privat", "Udbud 2025"],
        ["Dagtilbud", "Voksne med autisme", "20", "1.480 kr.", "Selvejende", "I drift"],
    ]
    unruled = [
        ["Målgruppe", "Borgere", "Andel", "Udvikling"],
        ["Hjemløse", "124", "0,3 %", "stigende"],
        ["Udsatte unge", "310", "1,9 %", "uændret"],
        ["Borgere med misbrug", "560", "1,4 %", "faldende"],
        ["Psykisk sårbare", "1.240", "3,1 %", "stigende"],
    ]
    return [
        {"name": "key_figures", "rows": key_figures, "style": "grid"},
        {"name": "budget", "rows": budget, "style": "grid_shaded"},
        {"name": "action_plan", "rows": action_plan, "style": "grid"},
        {"name": "landscape", "rows": landscape, "style": "grid", "landscape": True},
        {"name": "unruled", "rows": unruled, "style": "none"},
        {"name": "action_plan_unruled", "rows": action_plan, "style": "none"},
    ]


TABLE_TEXT_BEFORE = ("Kommunen har de seneste år arbejdet målrettet med at styrke indsatsen for "
                     "borgere i udsatte positioner. Tabellen herunder viser udviklingen.")
TABLE_TEXT_AFTER = ("Tallene viser, at der fortsat er behov for en samlet og helhedsorienteret "
                    "indsats, hvor borgeren er i centrum og indsatserne hænger sammen.")


def _table_flowables(spec: dict, width: float) -> list:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11)
    head = ParagraphStyle("head", fontName=FONT_BOLD, fontSize=12, leading=15, spaceAfter=6)
    rows = spec["rows"]
    bold = ParagraphStyle("cellhead", parent=cell, fontName=FONT_BOLD)
    wrap = spec["name"] in ("action_plan", "budget", "action_plan_unruled")  # cells as paragraphs: text wraps in them
    data = [[Paragraph(c, bold if r == 0 else cell) if wrap else c for c in row]
            for r, row in enumerate(rows)]
    ncol = len(rows[0])
    first = 0.40 * width if ncol > 2 else 0.5 * width
    col_widths = [first] + [(width - first) / (ncol - 1)] * (ncol - 1)
    if spec.get("landscape"):
        col_widths = [width / ncol] * ncol
    table = Table(data, colWidths=col_widths, hAlign="LEFT")
    style = [("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("FONTNAME", (0, 1), (-1, -1), FONT),
             ("FONTSIZE", (0, 0), (-1, -1), 9), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if spec["style"] in ("grid", "grid_shaded"):
        style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    if spec["style"] == "grid_shaded":
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey))
    if spec["style"] == "none":
        style.append(("LEFTPADDING", (0, 0), (-1, -1), 0))
    table.setStyle(TableStyle(style))
    title = {"key_figures": "Nøgletal for området", "budget": "Budget og forbrug",
             "action_plan": "Handleplan", "landscape": "Tilbud og pladser",
             "unruled": "Målgrupper i tal", "action_plan_unruled": "Indsatser"}[spec["name"]]
    return [Paragraph(title, head), Paragraph(TABLE_TEXT_BEFORE, body), Spacer(1, 8), table,
            Spacer(1, 8), Paragraph(TABLE_TEXT_AFTER, body)]


def make_table_pdf(path: str | Path, names: Sequence[str] | None = None) -> list[dict]:
    """Born-digital PDF with one table per page (key figures, budget, action plan, a landscape
    page, two tables without ruling lines: figures, and an action plan whose cells wrap), each
    between two paragraphs.  Returns the truth:
    ``[{"name", "page", "rows"}]`` in page order."""
    import pypdfium2 as pdfium
    from reportlab.lib.pagesizes import landscape
    from reportlab.platypus import SimpleDocTemplate

    specs = [s for s in _table_specs() if names is None or s["name"] in names]
    out = pdfium.PdfDocument.new()
    truth: list[dict] = []
    with tempfile.TemporaryDirectory() as td:
        for i, spec in enumerate(specs):
            size = landscape(A4) if spec.get("landscape") else A4
            part = Path(td) / f"part{i}.pdf"
            doc = SimpleDocTemplate(str(part), pagesize=size, leftMargin=MARGIN_X,
                                    rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                                    bottomMargin=MARGIN_BOTTOM, invariant=1)
            doc.build(_table_flowables(spec, size[0] - 2 * MARGIN_X))
            src = pdfium.PdfDocument(str(part))
            out.import_pages(src)
            src.close()
            truth.append({"name": spec["name"], "page": i + 1, "rows": spec["rows"]})
        out.save(str(path))
    out.close()
    return truth


def make_rotated_table_pdf(path: str | Path, rotation: int = 90) -> list[list[str]]:
    """A portrait page with /Rotate 90 or 270 whose content is drawn turned, so that it is
    displayed as a landscape page with a ruled table between two lines of text (as a scanner
    driver or a print-to-PDF of a landscape section writes it).  Returns the table's rows."""
    import pypdfium2 as pdfium
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    rows = next(s for s in _table_specs() if s["name"] == "landscape")["rows"]
    w, h = A4
    with tempfile.TemporaryDirectory() as td:
        flat = Path(td) / "flat.pdf"
        c = rl_canvas.Canvas(str(flat), pagesize=A4, invariant=1)
        if rotation == 90:  # shown turned clockwise: draw turned counter-clockwise
            c.translate(w, 0)
            c.rotate(90)
        else:
            c.translate(0, h)
            c.rotate(-90)
        c.setFont(FONT, 10)
        c.drawString(MARGIN_X, w - 55, TABLE_TEXT_BEFORE[:70])
        table = Table(rows, colWidths=[(h - 2 * MARGIN_X) / len(rows[0])] * len(rows[0]))
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                                   ("FONTSIZE", (0, 0), (-1, -1), 9)]))
        _, th = table.wrapOn(c, h - 2 * MARGIN_X, w)
        table.drawOn(c, MARGIN_X, w - 80 - th)
        c.drawString(MARGIN_X, w - 100 - th, TABLE_TEXT_AFTER[:70])
        c.showPage()
        c.save()
        doc = pdfium.PdfDocument(str(flat))
        doc[0].set_rotation(rotation)
        doc.save(str(path))
        doc.close()
    return rows


# --------------------------------------------------------------------------- memo with letterhead


MEMO_BODY = (
    "Formålet med dette notat er at beskrive, hvordan de afsatte midler til borgere med "
    "kronisk sygdom foreslås fordelt mellem de forebyggende indsatser i det kommende år. "
    "Forvaltningen har vurderet indsatserne ud fra erfaringerne fra de seneste to år, og "
    "den samlede vurdering er, at rehabiliteringen bør styrkes i samarbejde med borgerne. "
    "Indsatserne skal tilrettelægges, så borgerne oplever en sammenhængende behandling."
)
MEMO_LETTERHEAD = ("Center for Sundhed og Ældre", "Hovedgaden 7", "9999 Byen",
                   "Dato: 12. november 2012", "Sagsnr.: 2012-1234", "Sagsbehandler: ABC")


def make_memo_pdf(path: str | Path, body: str = MEMO_BODY, letterhead: Sequence[str] =
                  MEMO_LETTERHEAD, side: str = "right", title: str = "Notat om kronisk sygdom",
                  pages: int = 1, head_size: float = 8.0, repeat: int = 2) -> None:
    """A note/letter page: a title and a body of wrapped lines beside a narrow column of short
    letterhead lines (right-hand by default, ``side="left"`` for a left margin column), drawn on
    the same baselines as the body so that a naive reader interleaves them; once the column
    ends the body runs the full width.  ``head_size`` is the letterhead's font size, ``repeat``
    how many times the body paragraph is drawn.  Later pages (``pages`` > 1) carry the body
    alone."""
    c = rl_canvas.Canvas(str(path), pagesize=A4, invariant=1)
    col_w = 130.0
    if side == "right":
        body_x, body_w, col_x = MARGIN_X, PAGE_W - 2 * MARGIN_X - col_w - 30, PAGE_W - MARGIN_X - col_w
    else:
        col_x, body_x = MARGIN_X, MARGIN_X + col_w + 30
        body_w = PAGE_W - body_x - MARGIN_X
    for n in range(pages):
        y = PAGE_H - MARGIN_TOP
        if n == 0:
            c.setFont(FONT_BOLD, 14)
            c.drawString(body_x, y, title)
            y -= 30
        c.setFont(FONT, 10)
        start_y = y
        col_end = start_y - 14 * len(letterhead) if n == 0 else PAGE_H
        for para in range(repeat):
            words, line = body.split(), ""
            for w in words:
                beside = y > col_end   # narrow beside the letterhead, full width below it
                x = body_x if beside else MARGIN_X
                w_max = body_w if beside else PAGE_W - 2 * MARGIN_X
                trial = f"{line} {w}".strip()
                if stringWidth(trial, FONT, 10) > w_max and line:
                    c.drawString(x, y, line)
                    y -= 14
                    line = w
                else:
                    line = trial
            c.drawString(body_x if y > col_end else MARGIN_X, y, line)
            y -= 24
        if n == 0:
            c.setFont(FONT, head_size)
            cy = start_y
            for ln in letterhead:
                c.drawString(col_x, cy, ln)
                cy -= 14
        c.showPage()
    c.save()
