"""Tables in born-digital PDFs: a cheap look per page, pdfplumber's table finder where it pays.

Why: key-figure, budget and action-plan tables come out of a text layer as run-on text
("Borgere i botilbud 412 398 405 380"), useless for search and themes.  pdfplumber's table
finder recovers rows and cells well, but it parses the whole page with pdfminer — tens of
times slower than the PDFium text the extractor reads.  So each page is first judged from what
PDFium already has: ruling lines and cell boxes among its path objects, or text lines cut into
three or more aligned pieces.  Only pages that pass are handed to pdfplumber, and the text of a
table that is kept is taken out of the page's running text so it is not stored twice.

Coordinates in `Table.bbox` are pdfplumber's: (x0, top, x1, bottom) in points from the page's
top-left corner.
"""

from __future__ import annotations

import ctypes
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from stratcompare.config import data_path
from stratcompare.ingest.layout import join_line_hyphens, normalize_chars


def _rules() -> dict:
    with data_path("lang", "da", "tables.toml").open("rb") as fh:
        return tomllib.load(fh)


_DATA = _rules()  # thresholds and patterns, each explained in the data file
_LOOK = _DATA["look"]
RULE_THICK = float(_LOOK["rule_thick"])
RULE_LONG = float(_LOOK["rule_long"])
BOX_MAX_SEGMENTS = int(_LOOK["box_max_segments"])
MIN_CELL_ROWS = int(_LOOK["min_cell_rows"])
ALIGN_TOL = float(_LOOK["align_tol"])
MAX_WRAPPED = int(_LOOK["max_wrapped"])
PAD = float(_LOOK["pad"])
CONTINUE_BAND = float(_LOOK["continue_band"])
_PAT = {k: re.compile(v, re.I) for k, v in _DATA["patterns"].items()}
_NUMERIC, _PAGE_NO, _LIST_MARKER, _LEADERS, _YEAR = (
    _PAT["numeric"], _PAT["page_number"], _PAT["list_marker"], _PAT["leaders"], _PAT["year"])

# pdfplumber settings: ruled tables from lines and cell boxes, unruled from word positions
RULED_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "intersection_tolerance": 3, "snap_tolerance": 3}
# (unruled: columns cut where the text pieces' starts line up, rows from the text lines)
UNRULED_SETTINGS = {"vertical_strategy": "explicit", "horizontal_strategy": "text",
                    "text_x_tolerance": 2, "snap_tolerance": 2}


@dataclass
class Table:
    """One table as read from a page: rows of cell strings ("" for an empty cell)."""

    page: int  # 1-based
    bbox: tuple[float, float, float, float]  # (x0, top, x1, bottom), pdfplumber coordinates
    rows: list[list[str]]
    ruled: bool  # found from drawn lines (else from aligned text)
    header_bold: bool = False  # the first row is set in a bold font
    caption: str | None = None  # the short line just above the table, if any
    header: list[str] | None = None  # header row carried over when the table continues
    page_height: float = 842.0  # pt, to tell a table that runs to the page's foot


# --- the cheap look ------------------------------------------------------------------------------
@dataclass
class _Rules:
    h: int = 0
    v: int = 0
    boxes: int = 0
    xs: list[float] = field(default_factory=list)  # x of every vertical edge

    def columns(self) -> int:
        """Distinct x positions of vertical edges, less one: the most columns they can bound
        (a stack of one-column text boxes has two edges, left and right)."""
        edges = 0
        last = None
        for x in sorted(self.xs):
            if last is None or x - last > ALIGN_TOL:
                edges += 1
            last = x
        return edges - 1

    @property
    def ruled(self) -> bool:
        return self.h + 2 * self.boxes >= 3 and self.v + 2 * self.boxes >= 2 \
            and self.columns() >= 2


def count_rules(page: pdfium.PdfPage) -> _Rules:
    """Ruling lines and rectangles among the page's top-level path objects (C calls only;
    curves such as a vector logo are skipped by their segment count)."""
    rules = _Rules()
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(v) for v in (l, b, r, t)]
    try:
        n = pdfium_c.FPDFPage_CountObjects(page.raw)
        for i in range(n):
            obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
            if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
                continue
            if not pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
                continue
            w, h = r.value - l.value, t.value - b.value
            if h <= RULE_THICK and w >= RULE_LONG:
                rules.h += 1
            elif w <= RULE_THICK and h >= RULE_LONG:
                rules.v += 1
                rules.xs.append((l.value + r.value) / 2)
            elif w >= RULE_LONG and h >= 6 and \
                    pdfium_c.FPDFPath_CountSegments(obj) <= BOX_MAX_SEGMENTS:
                rules.boxes += 1
                rules.xs += [l.value, r.value]
    except (AttributeError, TypeError, ValueError):
        return _Rules()
    return rules


def _rows_of(segs: Sequence[Any]) -> list[list[Any]]:
    """Text pieces grouped into lines by baseline, top to bottom, each left to right."""
    rows: list[list[Any]] = []
    for s in sorted(segs, key=lambda s: -s.base):
        if rows and abs(rows[-1][0].base - s.base) < 0.5 * rows[-1][0].size:
            rows[-1].append(s)
        else:
            rows.append([s])
    for row in rows:
        row.sort(key=lambda s: s.x0)
    return rows


def _cell_row(row: list[Any]) -> bool:
    """A line cut into 3+ pieces, or 2 where the last is a figure (not a page number).  A
    leading list marker does not count as a piece: "1. | Meddelelser | 3" is a contents line."""
    if len(row) < 2:
        return False  # most lines: checked first, as this runs on every line of every page
    pieces = row[1:] if _LIST_MARKER.match(row[0].text.strip()) else row
    if len(pieces) < 2:
        return False
    if len(pieces) == 2:
        last = pieces[1].text.strip()
        if not _NUMERIC.match(last) or _PAGE_NO.match(last):
            return False
    return not any(_LEADERS.search(s.text) for s in row)


def _aligned(rows: list[list[Any]]) -> bool:
    """Some column edge (a piece's start, or a right-aligned figure's end) recurs in at least
    MIN_CELL_ROWS rows."""
    starts = sorted(s.x0 for row in rows for s in row[1:])
    ends = sorted(row[-1].x1 for row in rows)
    for xs in (starts, ends):
        for i in range(len(xs) - MIN_CELL_ROWS + 1):
            if xs[i + MIN_CELL_ROWS - 1] - xs[i] <= ALIGN_TOL:
                return True
    return False


@dataclass
class Region:
    """A run of aligned cell rows: its PDF-space box, the most pieces one of its lines has
    (more columns than that means a piece was cut) and x positions between its columns."""

    left: float
    bottom: float
    right: float
    top: float
    most: int
    cuts: list[float]


def _column_cuts(cell_rows: list[list[Any]], pieces: list[Any]) -> list[float]:
    """x just left of each column start shared by two or more cell rows, where no piece of the
    region crosses (a right-aligned figure's start moves with its width: the leftmost counts)."""
    starts = sorted(s.x0 for row in cell_rows for s in row[1:])
    groups: list[list[float]] = []
    for x in starts:
        if groups and x - groups[-1][-1] <= ALIGN_TOL:
            groups[-1].append(x)
        else:
            groups.append([x])
    cuts: list[float] = []
    for group in groups:
        if len(group) < 2:
            continue
        x = group[0] - 1.0
        if any(s.x0 < x < s.x1 for s in pieces):
            continue
        if not cuts or x - cuts[-1] > ALIGN_TOL:
            cuts.append(x)
    return cuts


def _wrapped(row: list[Any], run: list[list[Any]]) -> bool:
    """A line right under the run (line spacing, no paragraph gap) whose pieces all start
    where a column of the run's cell rows starts."""
    if run[-1][0].base - row[0].base > 1.6 * row[0].size:
        return False
    starts = [s.x0 for r in run if _cell_row(r) for s in r]
    return all(any(abs(p.x0 - x) <= ALIGN_TOL for x in starts) for p in row)


def unruled_regions(segs: Sequence[Any]) -> list[Region]:
    """Runs of aligned cell rows (with the lines of cells wrapped between them)."""
    rows = _rows_of(segs)
    out: list[Region] = []
    run: list[list[Any]] = []
    misses = 0

    def flush() -> None:
        cells = [r for r in run if _cell_row(r)]
        if len(cells) >= MIN_CELL_ROWS and _aligned(cells):
            pieces = [s for r in run for s in r]
            cuts = _column_cuts(cells, pieces)
            if cuts:
                out.append(Region(min(s.x0 for s in pieces), min(s.bottom for s in pieces),
                                  max(s.x1 for s in pieces), max(s.top for s in pieces),
                                  max(len(r) for r in run), cuts))

    for row in rows:
        if _cell_row(row):
            run.append(row)
            misses = 0
        elif run and misses < MAX_WRAPPED and _wrapped(row, run):
            run.append(row)  # a cell's text wrapped onto the next line
            misses += 1
        elif run:
            flush()
            run, misses = [], 0
    if run:
        flush()
    return out


# --- reading and checking a table ------------------------------------------------------------------
def clean_cell(value: str | None) -> str:
    """pdfplumber's cell text as one line: hyphenated line ends joined, spaces unified."""
    if not value:
        return ""
    lines = [ln.strip() for ln in normalize_chars(value).split("\n") if ln.strip()]
    return " ".join(" ".join(join_line_hyphens(lines)).split())


def tidy_rows(rows: list[list[str | None]]) -> list[list[str]]:
    """Cells cleaned; rows and columns that are empty throughout dropped."""
    grid = [[clean_cell(c) for c in row] for row in rows]
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]
    keep = [j for j in range(width) if any(row[j] for row in grid)]
    return [[row[j] for j in keep] for row in grid]


def merge_wrapped(rows: list[list[str]]) -> list[list[str]]:
    """Without ruling lines every text line is a row: a line that leaves the first or the last
    column empty while other rows fill more cells is a cell's text wrapped onto the next line,
    and joins the row above it."""
    if len(rows) < 2:
        return rows
    full = max(sum(1 for c in row if c) for row in rows)
    out = [list(rows[0])]
    for row in rows[1:]:
        filled = sum(1 for c in row if c)
        if filled < full and (not row[0] or not row[-1]):
            out[-1] = [f"{a} {b}".strip() for a, b in zip(out[-1], row)]
        else:
            out.append(list(row))
    return out


def is_table(rows: list[list[str]]) -> bool:
    """At least two columns and two rows that fill two cells; not a list drawn in a grid
    (every first cell a list marker), not a one-column text box."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    if sum(1 for row in rows if sum(1 for c in row if c) >= 2) < 2:
        return False
    firsts = [row[0] for row in rows if row[0]]
    if firsts and all(_LIST_MARKER.match(c) for c in firsts) and len(rows[0]) == 2:
        return False
    return True


def split_title(rows: list[list[str]]) -> tuple[str | None, list[list[str]]]:
    """A first row with one short filled cell over a wider table ("PROGRAM:") is its title
    (a long one is more likely a cell's text run on from the previous page)."""
    if len(rows) >= 3 and len(rows[0]) >= 2 and sum(1 for c in rows[0] if c) == 1:
        title = next(c for c in rows[0] if c).rstrip(":").strip()
        if title and len(title) <= 60 and len(title.split()) <= 8 and title[-1] not in ".,;":
            return title, rows[1:]
    return None, rows


def _first_row_bold(page: Any, table: Any) -> bool:
    try:
        rows = table.rows
        if not rows:
            return False
        x0, top, x1, bottom = rows[0].bbox
        chars = [c for c in page.chars if x0 <= c["x0"] and c["x1"] <= x1 + 1
                 and top <= c["top"] and c["bottom"] <= bottom + 1 and c["text"].strip()]
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    if not chars:
        return False
    bold = sum(1 for c in chars if "bold" in str(c.get("fontname", "")).lower())
    return bold > 0.6 * len(chars)


# --- per document -----------------------------------------------------------------------------------
@dataclass
class TableFinder:
    """Finds the tables of one PDF page by page while the extractor reads it.

    `find(page, index, pieces)` looks at the page, runs pdfplumber if the page looks tabular,
    records the tables and returns the text pieces that lie outside them (None: no table).
    pdfplumber opens the file only when a first page needs it.
    """

    path: Path
    tables: dict[int, list[Table]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pages_checked: int = 0  # pages handed to pdfplumber
    _pdf: Any = None
    _failed: bool = False

    def _plumber_page(self, index: int) -> Any:
        if self._failed:
            return None
        try:
            if self._pdf is None:
                import pdfplumber

                self._pdf = pdfplumber.open(str(self.path))
            return self._pdf.pages[index]
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds; tables are extra
            self._failed = True
            self.warnings.append(f"tables not read (pdfplumber: {type(exc).__name__})")
            return None

    def find(self, page: pdfium.PdfPage, index: int, segs: list[Any]) -> list[Any] | None:
        if not segs:
            return None
        try:
            rotation = page.get_rotation() % 360
            mediabox = page.get_mediabox()
        except (pdfium.PdfiumError, AttributeError, TypeError):
            return None
        if rotation not in (0, 90, 180, 270):
            return None
        rules = count_rules(page)
        # aligned text is judged on upright pages only (PDFium's lines run across them)
        regions = [] if rules.ruled or rotation else unruled_regions(segs)
        if not rules.ruled and not regions:
            return None
        plumber = self._plumber_page(index)
        if plumber is None:
            return None
        self.pages_checked += 1
        number = index + 1
        try:
            found = self._read(plumber, number, rules.ruled, regions)
        except Exception as exc:  # noqa: BLE001 - a table is extra, never a reason to fail
            self.warnings.append(f"page {number}: tables not read ({type(exc).__name__})")
            found = []
        finally:
            plumber.close()
        if not found:
            return None
        self.tables[number] = found
        w, h = mediabox[2] - mediabox[0], mediabox[3] - mediabox[1]
        boxes = [page_box(t.bbox, rotation, w, h) for t in found]
        kept = [s for s in segs if not any(_inside(s, box) for box in boxes)]
        if not rotation:
            for t in found:
                t.caption = t.caption or _caption(kept, t, h)
        return kept

    def _read(self, plumber: Any, number: int, ruled: bool,
              regions: list[Region]) -> list[Table]:
        out: list[Table] = []
        height = float(plumber.height)
        if ruled:
            for t in plumber.find_tables(RULED_SETTINGS):
                title, rows = split_title(tidy_rows(t.extract()))
                if is_table(rows):
                    out.append(Table(number, tuple(t.bbox), rows, True,
                                     not title and _first_row_bold(plumber, t), title,
                                     page_height=height))
            return out
        for reg in regions:
            box = (max(0.0, reg.left - PAD), max(0.0, height - reg.top - PAD),
                   min(float(plumber.width), reg.right + PAD),
                   min(height, height - reg.bottom + PAD))
            crop = plumber.crop(box)
            settings = dict(UNRULED_SETTINGS,
                            explicit_vertical_lines=[box[0]] + reg.cuts + [box[2]])
            for t in crop.find_tables(settings):
                title, rows = split_title(merge_wrapped(tidy_rows(t.extract())))
                if is_table(rows) and len(rows[0]) <= reg.most:  # else words were cut apart
                    out.append(Table(number, tuple(t.bbox), rows, False,
                                     not title and _first_row_bold(crop, t), title,
                                     page_height=height))
        return out

    def discard(self, number: int) -> None:
        """The page's text turned out unusable (scan, garbage): its tables go too."""
        self.tables.pop(number, None)

    def finish(self) -> dict[int, list[Table]]:
        """Close pdfplumber; mark tables that run on from the previous page (same columns,
        ending low and starting high) with that table's header row."""
        if self._pdf is not None:
            try:
                self._pdf.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
            self._pdf = None
        for number in sorted(self.tables):
            prev = self.tables.get(number - 1)
            here = self.tables[number]
            if not prev or not here:
                continue
            last, first = prev[-1], here[0]
            if len(last.rows[0]) != len(first.rows[0]) or first.rows[0] == last.rows[0]:
                continue
            if first.caption:
                continue
            head = last.header or (last.rows[0] if last.header_bold or
                                   looks_like_header(last.rows) else None)
            if head is not None and _starts_high(first) and _ends_low(last):
                first.header = head
        return self.tables


def page_box(bbox: tuple[float, float, float, float], rotation: int, w: float,
             h: float) -> tuple[float, float, float, float]:
    """pdfplumber's (x0, top, x1, bottom), measured on the page as displayed, as PDFium's
    (left, bottom, right, top) in the unrotated page (w x h) the text pieces are placed in."""
    x0, top, x1, bottom = bbox
    if rotation == 90:
        return top, x0, bottom, x1
    if rotation == 180:
        return w - x1, top, w - x0, bottom
    if rotation == 270:
        return w - bottom, h - x1, w - top, h - x0
    return x0, h - bottom, x1, h - top


def _inside(seg: Any, box: tuple[float, float, float, float]) -> bool:
    x = (seg.x0 + seg.x1) / 2
    y = seg.base + 0.3 * seg.size
    return box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1


def _caption(segs: list[Any], table: Table, top_y: float) -> str | None:
    """The short unpunctuated line right above the table (within two lines), if any."""
    table_top = top_y - table.bbox[1]
    above = [s for s in segs if 0 <= s.bottom - table_top < 2.5 * s.size
             and s.x1 > table.bbox[0] and s.x0 < table.bbox[2]]
    if not above:
        return None
    low = min(above, key=lambda s: s.base)
    text = " ".join(normalize_chars(low.text).split())
    if not text or len(text) > 100 or text[-1] in ".,;":
        return None
    return text


def _starts_high(table: Table) -> bool:
    return table.bbox[1] < CONTINUE_BAND * table.page_height


def _ends_low(table: Table) -> bool:
    return table.bbox[3] > (1 - CONTINUE_BAND) * table.page_height


def looks_like_header(rows: list[list[str]]) -> bool:
    """The first row names the columns: every cell filled, short and not a figure, and the
    rows below differ from it (figures, or longer text in some column)."""
    if len(rows) < 2:
        return False
    head = rows[0]
    if not all(head) or any(len(c) > 60 or len(c.split()) > 8 for c in head):
        return False
    if any(_NUMERIC.match(c) and not _YEAR.match(c) for c in head):
        return False
    body = rows[1:]
    for j in range(len(head)):
        col = [row[j] for row in body if row[j]]
        if col and sum(1 for c in col if _NUMERIC.match(c)) > len(col) / 2:
            return True
        if col and max(len(c) for c in col) > 1.5 * len(head[j]) + 10:
            return True
    return False
