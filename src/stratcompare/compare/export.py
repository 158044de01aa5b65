"""Matrices and drill-down records as terminal tables, Markdown and Excel.

CSV/JSON go through ``stratcompare.cli.output.render`` (one row per matrix row, first column the
row name, one column per theme/municipality id); every CSV cell passes ``csv_safe``.  The
terminal table is for reading: when the ids make it wider than the terminal it switches to short
column codes with a legend, and wraps columns into blocks that fit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from stratcompare.compare.matrix import Matrix
from stratcompare.errors import MissingDependencyError, UsageError


def format_value(m: Matrix, v: float) -> str:
    if m.measure == "count":
        return str(int(round(v)))
    if m.measure == "share":
        return f"{100 * v:.0f}%" if v else "·"
    return f"{v:.2f}"


def _grid(header: list[str], rows: list[list[str]], first_left: bool = True) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.ljust(w) if (i == 0 and first_left) else c.rjust(w)
                 for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip()

    return [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def matrix_table(m: Matrix, width: int = 100) -> str:
    """The matrix for a terminal of ``width`` columns."""
    cells = [[format_value(m, v) for v in row] for row in m.values]
    row_w = max([len(m.row_name)] + [len(r) for r in m.rows])
    val_w = max([1] + [len(c) for row in cells for c in row])
    full = row_w + sum(max(len(c), val_w) + 2 for c in m.cols)
    legend: list[str] = []
    rows = list(m.rows)
    if full <= width:
        cols = list(m.cols)
    else:
        prefix = "T" if m.kind != "similarity" else ""
        cols = [f"{prefix}{j + 1}" for j in range(len(m.cols))]
        if m.kind == "similarity":
            rows = [f"{i + 1:>2} {r}" for i, r in enumerate(m.rows)]
        else:
            legend = [f"  {code:>4} = {c}" + (f"  ({m.label(c)})" if m.label(c) != c else "")
                      for code, c in zip(cols, m.cols)]
        if m.kind == "cooccurrence":
            rows = [f"{code} {r}" for code, r in zip(cols, m.rows)]
    row_w = max([len(m.row_name)] + [len(r) for r in rows])
    col_w = max([val_w] + [len(c) for c in cols]) + 2
    per_block = max(1, (width - row_w) // col_w)
    out: list[str] = []
    for start in range(0, max(1, len(cols)), per_block):
        stop = min(len(cols), start + per_block)
        header = [m.row_name] + cols[start:stop]
        body = [[rows[i]] + cells[i][start:stop] for i in range(len(rows))]
        if out:
            out.append("")
        out += _grid(header, body)
    if legend:
        out += ["", "Columns:"] + legend
    return "\n".join(out) + "\n"


def records_markdown(records: list[dict], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or (records[0].keys() if records else []))

    def esc(v) -> str:
        if v is None:
            return ""
        if isinstance(v, float):
            v = f"{v:.4g}"
        if isinstance(v, (list, tuple)):
            v = ", ".join(map(str, v))
        return " ".join(str(v).split()).replace("|", "\\|")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(esc(r.get(c)) for c in columns) + " |" for r in records]
    return "\n".join(lines) + "\n"


def write_xlsx(path: str | Path | None, sheets: list[tuple[str, list[str], list[dict]]],
               heat: bool = True) -> None:
    """One worksheet per (name, columns, records); numeric cells get a colour scale."""
    if path is None or str(path) == "-":
        raise UsageError("xlsx output needs a file", hint="add -o FILE.xlsx")
    try:
        from openpyxl import Workbook
        from openpyxl.formatting.rule import ColorScaleRule
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise MissingDependencyError("xlsx output needs openpyxl", hint="pip install openpyxl")
    wb = Workbook()
    wb.remove(wb.active)
    for name, columns, records in sheets:
        ws = wb.create_sheet(title=name[:31])
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for rec in records:
            ws.append([_xl(rec.get(c)) for c in columns])
            for cell in ws[ws.max_row]:   # a passage reading "=…" is text, never a formula
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        ws.freeze_panes = "B2"
        ws.column_dimensions["A"].width = max(12, min(40, max(
            [len(str(r.get(columns[0], ""))) for r in records] + [10]) + 2))
        numeric = [j for j, c in enumerate(columns[1:], start=2)
                   if records and all(isinstance(r.get(c), (int, float)) for r in records)]
        if heat and numeric and len(numeric) == len(columns) - 1 and records:
            rng = (f"B2:{get_column_letter(len(columns))}{len(records) + 1}")
            ws.conditional_formatting.add(rng, ColorScaleRule(
                start_type="min", start_color="FFFFFF", end_type="max", end_color="3B6FB6"))
    try:   # like csv and the report: make the folder, and say in one line what went wrong
        if isinstance(path, (str, Path)):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    except OSError as exc:
        from stratcompare.errors import UnreadableFileError

        raise UnreadableFileError(f"cannot write the output: {exc.strerror or exc}", path,
                                  hint="check the folder exists and is writable") from None


def _xl(v):
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    if isinstance(v, dict):
        return str(v)
    return v


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# ("=HYPERLINK(…)", "+cmd|…", "-2+3+cmd|…", "@SUM(…)"; tab and CR start DDE payloads too).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*%?")


def csv_safe(value):
    """A text cell a spreadsheet would run as a formula, with a leading apostrophe (OWASP's
    advice; Excel and LibreOffice then show the text as typed).  Only such cells change:
    numbers, also as text ("-3", "+4,5", "-12%"), and all other text stay exactly as they are,
    so pandas reads the CSV as before; JSON and JSONL output is never altered."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
