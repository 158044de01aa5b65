"""Ingest a long text part by part, so that memory does not grow with the file (issue 10, item 8).

A text file over ``STREAM_BYTES`` is read as pages (``textstream``), and the pages are taken in
parts of about ``PART_CHARS`` characters: each part is cleaned, cut into passages, given kinds,
repaired and written to a spool file (``store.spool``), then dropped before the next part is
read.  The parent copies the spool into the corpus in the document's one transaction, so a crash
still leaves the old version whole.  Before, every copy of the text (raw and clean pages,
passages, the cutter's working set) was held at once: about 8 bytes per input byte.

What differs from reading the file whole, on purpose:
- Metadata comes from the first part: the title and genre (its first three pages, exactly what
  the in-memory path reads), the municipality and the years (the in-memory path reads every
  page).  Markdown pages know the headings read up to their part.
- The parts are independent at their edges: running headers and footers are found within a
  part (a part holds many pages), a paragraph or a hyphenated word broken at a part's edge is
  not joined, and glued page numbers are chained within a part.  A passage's section carries
  over from the part before.  Ordinary documents are far below ``STREAM_BYTES`` and never take
  this path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

# Text files larger than this are read part by part (about 1,500 printed pages: no strategy or
# minutes we have seen comes near it, so ordinary documents are read whole, as before).
STREAM_BYTES = 4 << 20
# Pages are taken in parts of this many characters or more (see _parts): the cutter's working
# set is ~10 bytes per character of a part.
PART_CHARS = 1_000_000
GENRE_PAGES = 3   # the genre is judged from the title and the first three pages


def is_long_text(kind: str, size: int) -> bool:
    return kind == "text" and size > STREAM_BYTES


def long_text_bundle(path: Path, digest: str, size: int, options,
                     on_pages: Callable[[int], None] | None = None):
    """The document of a long text file, its pages and passages in a spool (see the module
    docstring for what is detected from the first part only)."""
    from stratcompare.ingest import pipeline as pl
    from stratcompare.ingest.extracted import ExtractedDocument, Page
    from stratcompare.ingest.textfile import clean_raw_pages
    from stratcompare.ingest.textstream import PageStream, iter_raw_pages
    from stratcompare.segment import SEGMENTER_VERSION, segment_pages
    from stratcompare.segment.kinds import refine_kinds
    from stratcompare.store import DocumentRecord, PageRecord, PassageRecord
    from stratcompare.store.spool import Spool

    stream = PageStream()
    raw_pages = iter_raw_pages(path, path.suffix.lower() == ".md", stream)
    spool = Spool()
    try:
        first: tuple | None = None      # (title, genre, texts, segments) of the first part
        repair = _RepairTotals(options.repair)
        n_pages = missing = words = seq = 0
        section = None
        for raw in _parts(raw_pages):
            cleaned = clean_raw_pages(raw)
            pages = [Page(number=n_pages + i + 1, raw_text=r, text=c, method="text",
                          status="ok" if c.strip() else "missing_text",
                          headings=[h for h in stream.headings if h in c])
                     for i, (r, c) in enumerate(zip(raw, cleaned))]
            del raw, cleaned
            n_pages += len(pages)
            missing += sum(p.status != "ok" for p in pages)
            if first is None:
                title = pl._title(ExtractedDocument(str(path), "text", pages, None, []), path)
                genre = pl._genre(title, "\n\n".join(p.text or "" for p in pages[:GENRE_PAGES]),
                                  "text", path.name, options)
            segments = segment_pages(pages, genre=genre[0])
            refine_kinds(segments, genre=genre[0])
            for s in segments:
                s.seq += seq
                if s.section is None:
                    s.section = section   # the heading in force where the part began
            seq += len(segments)
            if segments:
                section = segments[-1].section
            texts = repair.run([s.text for s in segments])
            sections = pl._repaired_sections(segments, options.repair)
            passages = [
                PassageRecord(id=f"{digest[:12]}-{s.seq:04d}", seq=s.seq, page=s.page,
                              section=sections.get(s.section), char_start=s.char_start,
                              char_end=s.char_end, raw_text=s.text, text=t, words=pl._words(t),
                              kind=s.kind, cells=s.cells)
                for s, t in zip(segments, texts)
            ]
            words += sum(p.words for p in passages)
            spool.add([PageRecord(p.number, p.method, p.status, p.raw_text, p.text)
                       for p in pages], passages)
            if first is None:
                first = (title, genre, texts, segments)
            if on_pages:
                on_pages(len(pages))
            del pages, segments, texts, passages   # before the next part is read
        spool.close()
        title, genre, texts, segments = first
        warnings = [stream.warning] if stream.warning else []
        if not spool.passages:
            warnings.append("no text could be extracted")
        doc = DocumentRecord(
            id=digest, path=str(path), source_key=str(path), kind="text", title=title,
            pages=n_pages, pages_missing_text=missing, words=words, ocr_damage=repair.damage,
            words_repaired=repair.changed,
            status="partial" if missing or not spool.passages else "ok", warnings=warnings,
            size_bytes=size, genre=genre[0], genre_confidence=genre[1], genre_source=genre[2],
            pipeline=SEGMENTER_VERSION,
        )
        if options.repair and doc.title:
            from stratcompare.repair import repair_text

            doc.title = repair_text(doc.title).text
        pl._describe(doc, texts, segments, options, filename=path.name)
    except BaseException:
        spool.discard()
        raise
    return pl._Bundle(doc, spool, [])


def _parts(raw_pages: Iterable[str]) -> Iterator[list[str]]:
    """Raw pages in groups of at least ``PART_CHARS`` characters (and at most about twice that
    plus a page): a part is handed on only once the pages after it make a part too, so the
    last part is never a short tail (running lines need a few pages to repeat on).  The first
    part has at least ``GENRE_PAGES`` pages, or all there are."""
    buffered: list[str] = []
    chars, first = 0, True
    for raw in raw_pages:
        buffered.append(raw)
        chars += len(raw)
        if chars < 2 * PART_CHARS:
            continue
        taken, n = 0, 0
        while n < len(buffered) and (taken < PART_CHARS or (first and n < GENRE_PAGES)):
            taken += len(buffered[n])
            n += 1
        if n < len(buffered):
            part, buffered = buffered[:n], buffered[n:]
            chars -= taken
            first = False
            yield part
            del part
    yield buffered


class _RepairTotals:
    """OCR repair passage by passage, with the document's totals summed in the same order as
    ``pipeline._repair`` (so the damage share comes out the same)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.damaged, self.words, self.changed, self.any = 0.0, 0, 0, False

    def run(self, texts: list[str]) -> list[str]:
        self.any = self.any or bool(texts)
        if not self.enabled or not texts:
            return texts
        from stratcompare.repair import repair_text

        out = []
        for t in texts:
            r = repair_text(t)
            out.append(r.text)
            self.damaged += r.damage * r.words
            self.words += r.words
            self.changed += r.changed
        return out

    @property
    def damage(self) -> float | None:
        if not self.enabled or not self.any:
            return None
        return self.damaged / self.words if self.words else 0.0
