"""Read a long plain-text or Markdown file as raw pages, holding one page at a time.

The same pages as ``textfile.read_text`` — decoded, line ends made ``\\n``, Markdown stripped,
split at form feeds, pages over ``PAGE_CHARS`` cut — but from the file in blocks of
``READ_BYTES``, so the memory needed does not grow with the file.  Two passes: the first only
checks the encoding over the whole file (so a bad byte at 40 MB fails the file before anything
is cut, as the in-memory reader does), the second yields the pages.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from stratcompare.errors import UndecodableTextError, UnreadableFileError
from stratcompare.ingest.textfile import PAGE_CHARS, _cut, _looks_mojibake, _strip_markdown

READ_BYTES = 1 << 20
# A Markdown line is stripped whole; a "line" longer than this (no line break at all) is
# stripped in pieces of this size (emphasis or a link across a piece boundary stays as written).
MD_LINE_CHARS = 2 * PAGE_CHARS
# Non-UTF-8 files: the encoding is detected from the first this many bytes (the in-memory reader
# looks at the whole file; the two agree on ordinary exports, which use one encoding throughout).
SNIFF_BYTES = 1 << 20


@dataclass
class PageStream:
    """What the reader learnt on the way, for the document's warnings and headings."""

    pages_before_cut: int = 0     # pages between form feeds
    pages: int = 0                # pages yielded (after cutting pages over PAGE_CHARS)
    headings: list[str] = field(default_factory=list)   # Markdown headings read so far

    @property
    def warning(self) -> str | None:
        if self.pages == self.pages_before_cut:
            return None
        return (f"a page longer than {PAGE_CHARS:,} characters (no page break) was stored as "
                f"consecutive pages of at most that size ({self.pages_before_cut} -> "
                f"{self.pages} pages)")


def encoding_of(path: Path) -> tuple[str, int]:
    """(codec name, bytes to skip) for the whole file, or UndecodableTextError — the decisions
    of ``textfile.decode_bytes``, made without holding the file."""
    head = _read_head(path, SNIFF_BYTES)
    skip = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if _decodes(path, "utf-8", skip):
        return "utf-8", skip
    head = head[skip:]
    if b"\x00" in head[:4096]:
        for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
            if head.startswith(bom):
                if _decodes(path, enc, skip + 2):
                    return enc, skip + 2
                break
        raise UndecodableTextError("binary data, not text", path)
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None or best.encoding is None:
        raise UndecodableTextError("not UTF-8 and the encoding could not be detected", path)
    if _looks_mojibake(str(best)) or not _decodes(path, best.encoding, skip):
        raise UndecodableTextError(
            f"not UTF-8; detected {best.encoding} but the result is not plausible text", path
        )
    return best.encoding, skip


def iter_raw_pages(path: Path, markdown: bool, stream: PageStream) -> Iterator[str]:
    """Yield the raw pages of the file, each at most ``PAGE_CHARS`` characters."""
    encoding, skip = encoding_of(path)
    page = ""
    for piece in _text_pieces(path, encoding, skip, markdown, stream):
        page += piece
        while True:
            ff = page.find("\f")
            if ff >= 0:
                stream.pages_before_cut += 1
                for part in _cut(page[:ff], PAGE_CHARS):
                    stream.pages += 1
                    yield part
                page = page[ff + 1:]
            elif len(page) > PAGE_CHARS:
                # the page goes on past this point: cut off its first piece as _cut would
                first = _cut(page[:PAGE_CHARS + 1], PAGE_CHARS)[0]
                stream.pages += 1
                yield first
                page = page[len(first):]
            else:
                break
    stream.pages_before_cut += 1
    for part in _cut(page, PAGE_CHARS):
        stream.pages += 1
        yield part


def _text_pieces(path: Path, encoding: str, skip: int, markdown: bool,
                 stream: PageStream) -> Iterator[str]:
    """Decoded text in pieces: ``\\r\\n`` and ``\\r`` made ``\\n``; Markdown stripped by whole
    lines."""
    decoder = codecs.getincrementaldecoder(encoding)()
    held = ""     # a trailing "\r" (its "\n" may come in the next block) / an unfinished md line
    with _open(path) as fh:
        fh.seek(skip)
        while True:
            block = fh.read(READ_BYTES)
            final = not block
            text = held + decoder.decode(block, final=final)
            held = ""
            if not final and text.endswith("\r"):
                text, held = text[:-1], "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if markdown:
                cut = text.rfind("\n") + 1
                if not final and cut == 0 and len(text) > MD_LINE_CHARS:
                    cut = MD_LINE_CHARS
                if not final:
                    text, held = text[:cut], text[cut:] + held
                if text:
                    text, headings = _strip_markdown(text)
                    stream.headings.extend(headings)
            if text:
                yield text
            if final:
                return


def _decodes(path: Path, encoding: str, skip: int) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with _open(path) as fh:
            fh.seek(skip)
            for block in iter(lambda: fh.read(READ_BYTES), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_head(path: Path, n: int) -> bytes:
    with _open(path) as fh:
        return fh.read(n)


def _open(path: Path):
    try:
        return open(path, "rb")
    except PermissionError:
        raise UnreadableFileError("permission denied", path) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read ({exc.strerror or exc})", path) from None
