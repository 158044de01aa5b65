"""Render lists of records as table, json, jsonl or csv (the shared ``--format`` flag).

JSON output is a plain list of records so ``jq`` and ``pandas.read_json`` read it directly.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import IO, Iterable, Sequence


def _cell(value, width: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.3f}"
    elif isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def render(
    records: Iterable[dict],
    fmt: str = "table",
    columns: Sequence[str] | None = None,
    out: IO[str] | None = None,
    max_width: int | None = 60,
) -> None:
    out = out or sys.stdout
    fmt = getattr(fmt, "value", fmt)
    records = list(records)
    if columns is None:
        columns = list(records[0].keys()) if records else []
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "jsonl":
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        w = csv.writer(out)
        w.writerow(columns)
        for r in records:
            w.writerow([_csv_value(r.get(c)) for c in columns])
    elif fmt == "table":
        rows = [[_cell(r.get(c), max_width) for c in columns] for r in records]
        widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(columns)]
        line = "  ".join(c.ljust(w) for c, w in zip(columns, widths))
        out.write(line.rstrip() + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for row in rows:
            out.write("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() + "\n")
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _csv_value(value):
    from stratcompare.compare.export import csv_safe   # = + - @ cells: text, not formulas

    if isinstance(value, (list, tuple)):
        return csv_safe(";".join(str(v) for v in value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else csv_safe(value)

