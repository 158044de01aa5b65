"""Tiny HTML builders. Everything that comes from a document goes through ``esc``."""

from __future__ import annotations

import html
from typing import Iterable, Sequence


def esc(value) -> str:
    """HTML-escape any value (None → empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def anchor(*parts: str) -> str:
    """A safe id for in-page links (ASCII letters, digits, dashes)."""
    from stratcompare.compare.names import fold

    return "-".join(fold(p) or "x" for p in parts)


def table(columns: Sequence[str], rows: Iterable[Sequence], numeric: Sequence[int] = (),
          row_classes: Sequence[str] | None = None) -> str:
    """A data table; cells are escaped unless wrapped in ``Raw``."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(row_classes[i])}"' if row_classes and row_classes[i] else ""
        cells = "".join(
            f'<td class="num">{_cell(v)}</td>' if j in numeric else f"<td>{_cell(v)}</td>"
            for j, v in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


class Raw(str):
    """Markup we built ourselves; ``table`` does not escape it."""


def _cell(v) -> str:
    return str(v) if isinstance(v, Raw) else esc(v)


def section(anchor_id: str, title: str, *content: str) -> str:
    return f'<section id="{esc(anchor_id)}"><h2>{esc(title)}</h2>{"".join(content)}</section>'


def _code_spans(text: str) -> str:
    """Escape, then show `backticked` commands as <code>."""
    parts = esc(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def note(text: str) -> str:
    return f'<p class="note">{_code_spans(text)}</p>'


def empty(text: str) -> str:
    return f'<p class="empty">{_code_spans(text)}</p>'


def shorten(text: str, limit: int = 900) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
