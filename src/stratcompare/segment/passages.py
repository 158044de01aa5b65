"""Cut cleaned page text into paragraph-sized passages with page, section and offsets.

A passage is the unit that gets themes, embeddings and search hits, so it should read as one
initiative or argument: one paragraph or list item, its heading(s) folded in, very long
paragraphs split at sentence ends.  Offsets index the page's cleaned text so every passage can
be traced back to its page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

MAX_CHARS = 1500          # split paragraphs longer than this ...
TARGET_CHARS = 900        # ... into chunks of about this size
HEADING_MAX_WORDS = 14

_PARA_SPLIT = re.compile(r"\n[ \t]*\n+")
_BULLET = re.compile(r"^(?:[-–•▪●◦*]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-ZÆØÅ0-9\"“‘(])")
_TOC_LINE = re.compile(r"(\.{3,}|…{2,}|\t)\s*\d+\s*$")


@dataclass
class Segment:
    seq: int
    page: int
    section: str | None
    char_start: int
    char_end: int
    text: str
    kind: str = "content"          # content | list | heading | toc (structural); refined later
    cells: list | None = None      # rows of cells, for table passages only


@dataclass
class _Block:
    page: int
    start: int
    end: int
    text: str
    heading: bool


def is_heading(text: str, known: Sequence[str] = ()) -> bool:
    """A short single line that names what follows (or a line the extractor marked as heading)."""
    t = text.strip()
    if not t or "\n" in t:
        return False
    if t in known:
        return True
    if _BULLET.match(t) or _TOC_LINE.search(t):
        return False
    words = t.split()
    if len(words) > HEADING_MAX_WORDS or len(t) > 120:
        return False
    if t[-1] in ".;,!?":
        return False
    if is_lead_in(t):
        # "Konkrete initiativer:", "Vi ønsker derfor at arbejde med, at"
        return len(words) <= 10 and (t.endswith(":") or t[0].isupper())
    first = t[0]
    return first.isupper() or first.isdigit()


_LEAD_IN_END = {"at", "og", "med", "som", "for", "i", "til", "af", "om", "på", "der", "eller",
                "men", "fx", "bl.a.", "herunder", "blandt", "via", "mod", "ved", "de", "den", "det"}


def is_lead_in(text: str) -> bool:
    """A line that introduces what follows without naming a section: it ends in a colon or
    breaks off on a function word ("Vi ønsker derfor at arbejde med, at")."""
    t = text.strip()
    return t.endswith(":") or (t.split()[-1].lower() in _LEAD_IN_END if t else False)


def _blocks(page_number: int, text: str, headings: Sequence[str]) -> list[_Block]:
    blocks: list[_Block] = []
    pos = 0
    for m in list(_PARA_SPLIT.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        _add_paragraph(blocks, page_number, pos, chunk, headings)
        if m:
            pos = m.end()
    return blocks


def _add_paragraph(blocks, page_number, offset, chunk, headings):
    """One paragraph, split further where list items start on their own lines."""
    lines = chunk.split("\n")
    starts, acc = [], 0
    for line in lines:
        starts.append(acc)
        acc += len(line) + 1
    cut_points = [0]
    for i in range(1, len(lines)):
        line = lines[i]
        if _BULLET.match(line) and not line[:1].isspace():
            cut_points.append(i)
        elif is_heading(lines[i - 1], headings) and not is_heading(line, headings):
            cut_points.append(i)
    cut_points.append(len(lines))
    for a, b in zip(cut_points, cut_points[1:]):
        piece = "\n".join(lines[a:b])
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if not body:
            continue
        start = offset + starts[a] + lead
        blocks.append(_Block(page_number, start, start + len(body), body,
                             is_heading(body, headings)))


def _split_long(block: _Block) -> list[_Block]:
    if len(block.text) <= MAX_CHARS:
        return [block]
    pieces, cur_start = [], 0
    bounds = [m.end() for m in _SENTENCE_END.finditer(block.text)] + [len(block.text)]
    last_cut = 0
    for b in bounds:
        if b - cur_start >= TARGET_CHARS or b == len(block.text):
            cut = b if b - cur_start <= MAX_CHARS or last_cut <= cur_start else last_cut
            pieces.append((cur_start, cut))
            cur_start = cut
        last_cut = b
    if cur_start < len(block.text):
        pieces.append((cur_start, len(block.text)))
    out = []
    for a, b in pieces:
        # a run with no sentence end at all: hard-cut at whitespace
        while b - a > MAX_CHARS * 1.5:
            cut = block.text.rfind(" ", a, a + TARGET_CHARS) if " " in block.text[a:a + TARGET_CHARS] else a + TARGET_CHARS
            out.append((a, cut))
            a = cut
        out.append((a, b))
    result = []
    for a, b in out:
        seg = block.text[a:b]
        lead = len(seg) - len(seg.lstrip())
        seg = seg.strip()
        if seg:
            s = block.start + a + lead
            result.append(_Block(block.page, s, s + len(seg), seg, False))
    return result


def segment_pages(pages: Sequence, *, genre: str | None = None) -> list[Segment]:
    """``pages``: objects with ``number``, ``text`` and optionally ``headings``.

    No text is dropped: headings are folded into the paragraph that follows them (also across
    a page break); a paragraph cut by a page break is continued in the passage where it
    started (offsets then cover its first page); trailing headings (e.g. an adoption notice)
    become passages of their own.
    """
    segments: list[Segment] = []
    section: str | None = None
    pending: list[_Block] = []  # heading lines waiting for the paragraph they introduce
    last_page = None

    for page in pages:
        headings = list(getattr(page, "headings", None) or [])
        for block in _blocks(page.number, page.text or "", headings):
            if block.heading:
                pending.append(block)
                if not is_lead_in(block.text):
                    section = block.text.strip()
                continue
            parts = _split_long(block)
            if (not pending and segments and block.page != last_page
                    and _continues(segments[-1].text, block.text)):
                prev = segments[-1]
                prev.text = prev.text + " " + parts[0].text
                parts = parts[1:]
            for i, part in enumerate(parts):
                if i == 0 and pending:
                    same_page = [h for h in pending if h.page == part.page]
                    start = same_page[0].start if same_page else part.start
                    text = "\n".join(h.text for h in pending) + "\n" + part.text
                    segments.append(Segment(len(segments), part.page, section, start, part.end, text))
                else:
                    segments.append(Segment(len(segments), part.page, section, part.start,
                                            part.end, part.text))
            pending = []
            last_page = block.page
    for h in pending:
        segments.append(Segment(len(segments), h.page, section, h.start, h.end, h.text))
    return segments


def _continues(prev_text: str, next_text: str) -> bool:
    """A paragraph broken by a page break: no sentence end before, lowercase start after."""
    tail = prev_text.rstrip()
    return bool(tail) and tail[-1] not in ".!?:;\"”)" and next_text[:1].islower()
