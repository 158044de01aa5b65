"""Plain text and Markdown: decode safely, split pages on form feeds, clean like PDF pages."""

from __future__ import annotations

import re
from pathlib import Path

from stratcompare.errors import UndecodableTextError
from stratcompare.ingest.extracted import ExtractedDocument, Page

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def decode_bytes(data: bytes, path: str | Path) -> str:
    """UTF-8 (with or without BOM), else a confident detection (Latin-1/cp1252 exports are common
    in municipal archives), else a one-line error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        # UTF-16 with BOM is fine; other NUL-laden bytes are binary, not text
        for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
            if data.startswith(bom):
                try:
                    return data[2:].decode(enc)
                except UnicodeDecodeError:
                    break
        raise UndecodableTextError("binary data, not text", path,
                                   hint="check what the file really is with `file`; iconv cannot help")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UndecodableTextError("not UTF-8 and the encoding could not be detected", path)
    text = str(best)
    if _looks_mojibake(text):
        raise UndecodableTextError(
            f"not UTF-8; detected {best.encoding} but the result is not plausible text", path
        )
    return text


def _looks_mojibake(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0x80 <= ord(ch) < 0xA0)
    return bad / len(sample) > 0.01


def read_text(path: Path, data: bytes) -> ExtractedDocument:
    """The whole text in memory; ``ingest.longtext`` reads files over ``STREAM_BYTES`` part by
    part instead."""
    text = decode_bytes(data, path).replace("\r\n", "\n").replace("\r", "\n")
    headings: list[str] = []
    if path.suffix.lower() == ".md":
        text, headings = _strip_markdown(text)
    raw_pages = text.split("\f") if "\f" in text else [text]
    del text
    warnings: list[str] = []
    if any(len(p) > PAGE_CHARS for p in raw_pages):
        n_before = len(raw_pages)
        raw_pages = [part for p in raw_pages for part in _cut(p, PAGE_CHARS)]
        warnings.append(f"a page longer than {PAGE_CHARS:,} characters (no page break) was stored as "
                        f"consecutive pages of at most that size ({n_before} -> {len(raw_pages)} pages)")
    cleaned = clean_raw_pages(raw_pages)
    pages = [
        Page(number=i + 1, raw_text=raw, text=clean, method="text",
             status="ok" if clean.strip() else "missing_text",
             headings=[h for h in headings if h in clean])
        for i, (raw, clean) in enumerate(zip(raw_pages, cleaned))
    ]
    return ExtractedDocument(path=str(path), kind="text", pages=pages,
                             title=None, warnings=warnings)


# The cleaner holds ~20 bytes per character of a page (lines, words, candidates): a 50 MB text
# with no page break peaked at 1.09 GB.  Longer pages are cleaned in parts of this size, cut at a
# paragraph break (else a line break, else a space), and joined again: memory stays flat.
PART_CHARS = 200_000
# SQLite builds a row in memory (~3 bytes per character of a page's raw + clean text), so a page
# without any break longer than this (~300 printed pages) is stored as several pages.
PAGE_CHARS = 1_000_000


def clean_raw_pages(raw_pages: list[str]) -> list[str]:
    """Clean the pages of one text together (running lines, hyphens across pages); a page
    over ``PART_CHARS`` is cleaned alone, in parts."""
    from stratcompare.ingest.layout import clean_page_texts

    if not any(len(p) > PART_CHARS for p in raw_pages):
        return clean_page_texts(raw_pages)
    cleaned = [_clean_long(p) if len(p) > PART_CHARS else None for p in raw_pages]
    short = iter(clean_page_texts([p for p, c in zip(raw_pages, cleaned) if c is None]))
    return [c if c is not None else next(short) for c in cleaned]


def _cut(text: str, size: int) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, cut at a paragraph break, else a line
    break, else a space (in the second half of the piece), else hard."""
    parts, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            for sep in ("\n\n", "\n", " "):
                cut = text.rfind(sep, start + size // 2, end)
                if cut > start:
                    end = cut + len(sep)
                    break
        parts.append(text[start:end])
        start = end
    return parts or [text]


def _clean_long(page: str) -> str:
    from stratcompare.ingest.layout import clean_page_texts

    parts = [clean_page_texts([part])[0] for part in _cut(page, PART_CHARS)]
    return "\n\n".join(p for p in parts if p.strip())


def _strip_markdown(text: str) -> tuple[str, list[str]]:
    headings, out = [], []
    for line in text.split("\n"):
        m = _MD_HEADING.match(line)
        if m:
            headings.append(m.group(1))
            out.extend(["", m.group(1), ""])
            continue
        line = _MD_LINK.sub(r"\1", _MD_EMPHASIS.sub(r"\2", line))
        out.append(line)
    return "\n".join(out), headings
