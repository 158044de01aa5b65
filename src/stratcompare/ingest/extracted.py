"""Data classes handed from the format readers (pdf, ocr, text) to the ingest pipeline.

They carry both the raw and the cleaned text of every page so that later stages can
store both and show the user what the extractor saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    number: int  # 1-based
    raw_text: str  # text as extracted (after reading order, before clean-up)
    text: str  # cleaned text: paragraphs separated by "\n\n"; "" if no usable text
    method: str  # "text" | "ocr" | "none"
    status: str  # "ok" | "missing_text" | "cid_garbage" | "damaged" (content unreadable; stored in part)
    headings: list[str] = field(default_factory=list)  # lines judged to be headings
    tables: list = field(default_factory=list)  # ingest.tables.Table: rows of cells, page, bbox


@dataclass
class ExtractedDocument:
    path: str
    kind: str  # "pdf" | "scanned_pdf" (most pages OCR'd or missing text)
    pages: list[Page]
    title: str | None  # PDF metadata title or the largest-font line of page 1
    warnings: list[str]
