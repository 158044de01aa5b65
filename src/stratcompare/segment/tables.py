"""Table passages: a page's tables as `table` segments that keep their cells.

Why: search and themes read text, a reader reads rows.  Each row is rendered as one line —
"Header: value; Header: value" when the first row names the columns, else the cells joined
with " | " — and the cells themselves ride along as JSON-ready rows.  A long table is split
between rows, each part repeating the header row, so a part stays passage-sized.
"""

from __future__ import annotations

from typing import Any

from stratcompare.ingest.tables import looks_like_header
from stratcompare.segment.passages import Segment

MAX_CHARS = 1500  # a part of a table is cut before it grows past this (as for paragraphs)


def render_row(row: list[str], header: list[str] | None) -> str:
    """One row as a readable line; empty cells are left out."""
    if header is not None:
        parts = []
        for name, value in zip(header, row):
            if value:
                parts.append(f"{name}: {value}" if name and name != value else value)
        return "; ".join(parts)
    return " | ".join(c for c in row if c)


def _header_of(table: Any) -> tuple[list[str] | None, list[list[str]]]:
    """(header row or None, body rows).  A header carried over from the previous page's part
    of the table counts too."""
    rows = [list(r) for r in table.rows]
    carried = getattr(table, "header", None)
    if carried is not None and len(carried) == len(rows[0]):
        return list(carried), rows
    bold = getattr(table, "header_bold", False) and len(rows) >= 2 and all(rows[0])
    if bold or looks_like_header(rows):
        return rows[0], rows[1:]
    return None, rows


def table_segments(page: Any, start_seq: int, section: str | None = None) -> list[Segment]:
    """One `table` Segment per table on `page` (more for a long one), numbered from start_seq.

    A segment's `section` is the table's caption (the short line above it) when it has one,
    else `section` (the caller's: say, the section of the passage before it); char offsets are
    None because the table's text is not part of the page's running text.
    """
    default_section = section
    out: list[Segment] = []
    seq = start_seq
    for table in getattr(page, "tables", None) or []:
        if not table.rows:
            continue
        header, body = _header_of(table)
        if not body:
            continue
        section = getattr(table, "caption", None) or default_section
        part: list[list[str]] = []
        lines: list[str] = []
        size = 0

        def flush() -> None:
            nonlocal seq
            cells = ([header] if header else []) + part
            out.append(Segment(seq=seq, page=page.number, section=section, char_start=None,
                               char_end=None, text="\n".join(lines), kind="table",
                               cells=[list(r) for r in cells]))
            seq += 1

        for row in body:
            line = render_row(row, header)
            if not line:
                continue
            if part and size + len(line) + 1 > MAX_CHARS:
                flush()
                part, lines, size = [], [], 0
            part.append(row)
            lines.append(line)
            size += len(line) + 1
        if part:
            flush()
    return out
