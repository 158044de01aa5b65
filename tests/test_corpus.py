"""Checks on the bundled corpus (corpus/) and on the PDF generators in tests/pdfgen.py.

Why: other tests and the demo rely on these files having exactly the properties they were made
for (OCR errors kept, no text layer in the scan, hyphenated line ends, running headers).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pdfgen  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SEEDS = REPO / "tests" / "fixtures" / "seeds"
KINDS = {"pdf", "scanned_pdf", "text", "html"}
HYPHEN_END = re.compile(r"[A-Za-zæøåÆØÅ]{3}-$")


def _rows() -> list[dict[str, str]]:
    with open(CORPUS / "metadata.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _page_lines(path: Path) -> list[list[str]]:
    with pdfplumber.open(path) as pdf:
        return [(p.extract_text() or "").split("\n") for p in pdf.pages]


def _hyphenated_line_ends(pages: list[list[str]]) -> list[tuple[str, str]]:
    out = []
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            if HYPHEN_END.search(a) and b[:1].islower():
                out.append((a, b))
    return out


# --------------------------------------------------------------------------- metadata


def test_metadata_lists_exactly_the_corpus_files():
    rows = _rows()
    listed = {r["file"] for r in rows}
    assert len(listed) == len(rows), "duplicate file in metadata.csv"
    from stratcompare.ingest.discover import discover

    # what `stratcompare ingest corpus/` would read (corpus/.stratcompareignore applies)
    on_disk = {c.path.relative_to(CORPUS.resolve()).as_posix() for c in discover([CORPUS])}
    assert listed == on_disk


def test_metadata_fields_are_well_formed():
    for r in _rows():
        assert r["kind"] in KINDS, r
        assert r["municipality"] and "," not in r["municipality"], r
        assert r["title"], r
        assert re.fullmatch(r"(\d{4}(-\d{4})?)?", r["year"]), r
        assert re.fullmatch(r"(\d{4}-\d{2}-\d{2})?", r["adopted"]), r
        assert (SEEDS / r["source_seed"]).is_file(), r
        if r["kind"] in ("pdf", "scanned_pdf"):
            assert r["file"].endswith(".pdf")
    by_file = {r["file"]: r for r in _rows()}
    assert by_file["hjoerring-formaalspapir-2024.pdf"]["adopted"] == "2024-05-29"
    assert by_file["holstebro-investeringsmodel.txt"]["municipality"] == "Holstebro"
    assert by_file["scanned/haderslev-moede-2018-scan.pdf"]["municipality"] == "Haderslev"


def test_corpus_is_small():
    real = CORPUS / "real"
    bundled = sum(p.stat().st_size for p in CORPUS.rglob("*")
                  if p.is_file() and real not in p.parents)
    assert bundled < 3_000_000
    # the real documents from other municipalities (page texts and PDFs, copied as published)
    assert sum(p.stat().st_size for p in real.rglob("*") if p.is_file()) < 2_500_000
    assert (CORPUS / "scanned" / "haderslev-moede-2018-scan.pdf").stat().st_size < 1_500_000


def test_no_text_appears_in_two_corpus_documents():
    """Comparisons count passages, so a text in two documents would count twice: each seed is
    used by one document, except seed 003, whose two parts (Holstebro, Haderslev) are split."""
    from collections import Counter

    uses = Counter(r["source_seed"] for r in _rows())
    [(split_seed, n)] = [(k, v) for k, v in uses.items() if v > 1]
    assert n == 2 and split_seed.startswith("003_")
    hol = (CORPUS / "holstebro-investeringsmodel.txt").read_text(encoding="utf-8")
    seed = (SEEDS / split_seed).read_text(encoding="utf-8")
    rest = seed[len(hol.rstrip()):]
    assert seed.startswith(hol.rstrip()) and rest.strip().startswith("Møde i Haderslev")


def test_no_document_duplicates_a_seed_file_except_the_text_one():
    seeds = {p.read_bytes() for p in SEEDS.glob("*.txt")}
    docs = [r["file"] for r in _rows() if r["kind"] != "text"]
    for d in docs:
        assert (CORPUS / d).read_bytes() not in seeds


# --------------------------------------------------------------------------- corpus PDFs


def test_scanned_pdf_has_pages_but_no_text_layer():
    with pdfplumber.open(CORPUS / "scanned" / "haderslev-moede-2018-scan.pdf") as pdf:
        assert len(pdf.pages) >= 1
        assert sum(len(p.chars) for p in pdf.pages) == 0
        assert all(p.images for p in pdf.pages)


def test_koege_pdf_layout():
    pages = _page_lines(CORPUS / "koege-strategier-for-indsatsen.pdf")
    assert len(pages) >= 3
    for i, lines in enumerate(pages, start=1):
        assert lines[0] == "Køge Kommune · Strategier for indsatsen"
        assert lines[-1] == f"Side {i}"
    assert len(_hyphenated_line_ends(pages)) >= 5
    text = "\n".join("\n".join(p) for p in pages)
    assert "Indledning..... 3" in text  # dot-leader contents line kept
    for heading in ("Samskabelsesstrategi", "Fælles faglige og økonomiske strategier"):
        assert heading in text


def test_koege_hyphenation_keeps_three_letters_each_side():
    pages = _page_lines(CORPUS / "koege-strategier-for-indsatsen.pdf")
    for a, b in _hyphenated_line_ends(pages):
        tail = re.match(r"[a-zæøå]+", b)
        assert tail and len(tail.group(0)) >= 3, (a, b)


def test_hjoerring_pdf_keeps_ocr_errors_and_lines():
    pages = _page_lines(CORPUS / "hjoerring-formaalspapir-2024.pdf")
    assert len(pages) == 2
    text = "\n".join("\n".join(p) for p in pages)
    for damaged in ("Hjgrring", "gkonomi", "Igbende", "@konomi", "steerkt"):
        assert damaged in text
    seed = (SEEDS / "002_d31c9a5bb8d7e7ac.txt").read_text(encoding="utf-8")
    want = [ln for ln in seed.split("\n") if ln.strip()]
    got = [ln for p in pages for ln in p if ln.strip()]
    assert got == want


def test_herning_pdf_has_a_two_column_page():
    with pdfplumber.open(CORPUS / "herning-herningmodellen.pdf") as pdf:
        mid = float(pdf.pages[0].width) / 2
        two_col = [
            p
            for p in pdf.pages
            if any(c["x1"] < mid - 5 for c in p.chars if c["size"] < 11)
            and any(c["x0"] > mid + 5 for c in p.chars if c["size"] < 11)
        ]
        assert two_col


def test_text_and_html_documents_are_utf8_with_the_right_content():
    txt = (CORPUS / "holstebro-investeringsmodel.txt").read_text(encoding="utf-8")
    assert "gen-nemsnitlig" in txt and "Holstebro" in txt and "Møde i Haderslev" not in txt
    page = (CORPUS / "hjoerring-forebyggelsesstrategi.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>" in page and "<h1>" in page and "<footer" in page
    assert "Springvandspladsen 5" in page
    assert page.count("<h2") >= 5


# --------------------------------------------------------------------------- pdfgen


def test_make_text_pdf_is_deterministic(tmp_path):
    paras = ["# Overskrift", "Kommunen arbejder med tidlig forebyggende indsats. " * 40]
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    pdfgen.make_text_pdf(a, paras, running_header="Test")
    pdfgen.make_text_pdf(b, paras, running_header="Test")
    assert a.read_bytes() == b.read_bytes()


def test_two_column_pdf_reads_left_column_first(tmp_path):
    words = [f"ord{i:03d}" for i in range(700)]
    path = tmp_path / "two.pdf"
    pdfgen.make_two_column_pdf(path, [" ".join(words)], page_numbers=False, hyphenate=False)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        mid = float(page.width) / 2
        # pdfplumber keeps content-stream order in .chars
        stream = "".join(c["text"] for c in page.chars)
        left = [c for c in page.chars if c["x1"] < mid]
        right = [c for c in page.chars if c["x0"] > mid]
        assert left and right
        first_right = page.chars.index(right[0])
        assert all(page.chars.index(c) < first_right for c in left)
    tokens = re.findall(r"ord\d{3}", stream)
    assert tokens == words[: len(tokens)]


def test_hyphenation_points_are_syllable_like():
    assert 3 in pdfgen.hyphenation_points("gennemsnitlig")  # gen-nemsnitlig
    for word in ("gennemsnitlig", "forebyggelse", "socialområdet"):
        for i in pdfgen.hyphenation_points(word):
            assert 3 <= i <= len(word) - 3
    assert pdfgen.hyphenation_points("kort") == []


def test_hardwrapped_pdf_reproduces_lines(tmp_path):
    text = "Forste linje med tekst\nanden linje\n\nefter et mellemrum | med tegn @\n" * 40
    path = tmp_path / "hw.pdf"
    pdfgen.make_hardwrapped_pdf(path, text)
    got = [ln for p in _page_lines(path) for ln in p]
    assert got == [ln for ln in text.split("\n") if ln.strip()]
    assert len(_page_lines(path)) >= 2


def test_scanned_pdf_from_text_has_no_chars(tmp_path):
    path = tmp_path / "scan.pdf"
    pdfgen.make_scanned_pdf(path, "Forebyggelse og tidlig indsats.\n\nEt andet afsnit.", dpi=72)
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 1
        assert len(pdf.pages[0].chars) == 0


@pytest.mark.parametrize("maker", [pdfgen.make_encrypted_pdf, pdfgen.make_truncated_pdf])
def test_bad_pdfs_make_pdfplumber_fail(tmp_path, maker):
    path = tmp_path / "bad.pdf"
    maker(path)
    assert path.stat().st_size > 0
    with pytest.raises(Exception):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()


def test_cid_garbage_pdf_extracts_cid_codes(tmp_path):
    path = tmp_path / "cid.pdf"
    pdfgen.make_cid_garbage_pdf(path)
    with pdfplumber.open(path) as pdf:
        text = pdf.pages[0].extract_text()
    assert re.search(r"\(cid:\d+\)", text)
    assert "område" not in text


def _has_tesseract_dan() -> bool:
    if shutil.which("tesseract") is None:
        return False
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "dan" in langs.stdout.split()


@pytest.mark.slow
@pytest.mark.tesseract
@pytest.mark.skipif(not _has_tesseract_dan(), reason="needs tesseract-ocr with Danish (dan)")
def test_scanned_corpus_page_is_readable_by_tesseract(tmp_path):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(CORPUS / "scanned" / "haderslev-moede-2018-scan.pdf"))
    try:
        img = doc[0].render(scale=150 / 72, grayscale=True).to_pil()
    finally:
        doc.close()
    png = tmp_path / "p1.png"
    img.save(png)
    out = subprocess.run(
        ["tesseract", str(png), "-", "-l", "dan"], capture_output=True, text=True, check=True
    ).stdout
    assert "Møde i Haderslev Kommune" in out
    assert "ressourcebevidst tilgang" in out
