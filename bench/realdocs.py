"""The real documents of corpus/real/ (and the bundled HTML page) as the pipeline extracts them.

Shared by bench/kinds.py and tests/test_kinds.py / tests/test_genre.py / tests/test_years_real.py:
one place that knows where the files and their SOURCES.tsv rows are, and which part
(tune/test) a municipality belongs to.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

REAL = REPO / "corpus" / "real"
PAGES = REAL / "pages"
PDFS = REAL / "pdfs"
HTML_PAGE = REPO / "corpus" / "hjoerring-forebyggelsesstrategi.html"
LABELS = REAL / "kinds_labels.jsonl"
GENRE_YEARS = REAL / "genre_years.tsv"

# SOURCES.tsv genres -> the four document genres of issue 9
GENRE_MAP = {"policy": "strategy", "plan": "strategy", "strategy": "strategy",
             "minutes": "minutes", "news": "news", "other": "other"}


@dataclass
class RealDoc:
    file: str                       # file name under corpus/real/pages|pdfs (or the bundled page)
    path: Path
    municipality: str
    part: str                       # tune | test
    title: str
    pages: list[str] = field(default_factory=list)
    source_kind: str = "text"       # text | pdf | html
    extracted: object = None


def _tsv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@lru_cache(maxsize=1)
def split() -> dict[str, str]:
    return {r["municipality"]: r["part"] for r in _tsv(REAL / "split.tsv")}


@lru_cache(maxsize=1)
def page_sources() -> dict[str, dict[str, str]]:
    return {r["file"]: r for r in _tsv(PAGES / "SOURCES.tsv")}


@lru_cache(maxsize=1)
def pdf_sources() -> dict[str, dict[str, str]]:
    return {r["file"]: r for r in _tsv(PDFS / "SOURCES.tsv")}


@lru_cache(maxsize=1)
def expected_genre_years() -> dict[str, dict[str, str]]:
    """corpus/real/genre_years.tsv: file -> {genre, year, reason}."""
    if not GENRE_YEARS.exists():
        return {}
    return {r["file"]: r for r in _tsv(GENRE_YEARS)}


def part_of(municipality: str) -> str:
    return split().get(municipality, "tune")  # the bundled Hjørring page is tuning material


def _extract(path: Path):
    from stratcompare.ingest.htmlfile import read_html
    from stratcompare.ingest.pdf import extract_pdf
    from stratcompare.ingest.textfile import read_text

    if path.suffix.lower() == ".pdf":
        return extract_pdf(path, ocr=False, max_pages=None, max_mb=None), "pdf"
    data = path.read_bytes()
    if path.suffix.lower() in (".html", ".htm"):
        return read_html(path, data), "html"
    return read_text(path, data), "text"


def load(path: Path, municipality: str) -> RealDoc:
    from stratcompare.ingest.pipeline import _title

    extracted, kind = _extract(path)
    return RealDoc(path.name, path, municipality, part_of(municipality), _title(extracted, path),
                   [p.text or "" for p in extracted.pages], kind, extracted)


@lru_cache(maxsize=1)
def all_docs() -> tuple[RealDoc, ...]:
    docs = [load(PAGES / f, r["municipality"]) for f, r in page_sources().items()]
    docs += [load(PDFS / f, r["municipality"]) for f, r in pdf_sources().items()]
    docs.append(load(HTML_PAGE, "Hjørring"))
    return tuple(docs)


def doc_by_file() -> dict[str, RealDoc]:
    return {d.file: d for d in all_docs()}
