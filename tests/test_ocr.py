"""OCR of scanned pages: Tesseract detection, TSV parsing, and quality on 150-dpi scans."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import pdfgen
from stratcompare.repair.evaluate import word_error_rate
from stratcompare.ingest import ocr as ocr_mod
from stratcompare.ingest.ocr import parse_tsv, tesseract_status
from stratcompare.ingest.pdf import extract_pdf

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
PACKAGES = "tesseract-ocr tesseract-ocr-dan"

needs_tesseract = pytest.mark.skipif(
    not ocr_mod.ocr_available("dan"), reason=f"needs Debian packages {PACKAGES}"
)


wer = word_error_rate


def paragraphs(seed: str, words: int) -> list[str]:
    """Whole prose paragraphs of a seed text, about `words` words in all."""
    text = next(SEEDS.glob(f"{seed}_*.txt")).read_text("utf-8")
    out, count = [], 0
    for p in (" ".join(p.split()) for p in text.split("\n\n")):
        if not p or "....." in p or len(p.split()) < 6:
            continue
        out.append(p)
        count += len(p.split())
        if count >= words:
            break
    return out


@pytest.fixture
def fresh_status():
    tesseract_status.cache_clear()
    yield
    tesseract_status.cache_clear()


def test_status_names_packages_when_tesseract_missing(monkeypatch, fresh_status):
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: None)
    ok, reason = tesseract_status("dan")
    assert not ok and f"apt-get install {PACKAGES}" in reason
    assert not ocr_mod.ocr_available("dan")


def test_status_names_language_pack_when_dan_missing(monkeypatch, fresh_status):
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: "/usr/bin/tesseract")

    def fake_run(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 0, 'List of available languages (2):\neng\nosd\n', "")

    monkeypatch.setattr(ocr_mod.subprocess, "run", fake_run)
    ok, reason = tesseract_status("dan")
    assert not ok and "apt-get install tesseract-ocr-dan" in reason


TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _word(block, par, line, word, left, top, text):
    return f"5\t1\t{block}\t{par}\t{line}\t{word}\t{left}\t{top}\t60\t30\t95\t{text}"


def test_parse_tsv_lines_paragraphs_and_bands():
    rows = [
        TSV_HEADER,
        "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t",
        _word(1, 1, 1, 1, 200, 100, "Køge"), _word(1, 1, 1, 2, 300, 100, "Kommune"),
        _word(2, 1, 1, 1, 200, 800, "Vi"), _word(2, 1, 1, 2, 300, 800, "vil"),
        _word(2, 1, 2, 1, 200, 850, "styrke"),
        _word(2, 2, 1, 1, 200, 1000, "Nyt"), _word(2, 2, 1, 2, 300, 1000, "afsnit."),
        _word(3, 1, 1, 1, 1200, 3400, "Side"), _word(3, 1, 1, 2, 1300, 3400, "3"),
    ]
    page = parse_tsv("\n".join(rows) + "\n")
    assert page.lines == ["Køge Kommune", "", "Vi vil", "styrke", "", "Nyt afsnit.", "", "Side 3"]
    assert (page.top_band, page.bottom_band) == (1, 1) and page.band == {0, 7}
    assert page.headings == set()


def test_parse_tsv_tall_line_is_a_heading():
    def word(block, line, left, top, text, height):
        return f"5\t1\t{block}\t1\t{line}\t1\t{left}\t{top}\t60\t{height}\t95\t{text}"

    rows = [TSV_HEADER, word(1, 1, 200, 300, "Økonomi", 48)]
    rows += [word(2, k, 200, 400 + 40 * k, f"linje{k} tekst", 30 + k % 3) for k in range(1, 8)]
    page = parse_tsv("\n".join(rows))
    assert page.lines[0] == "Økonomi" and page.headings == {0}


def test_parse_tsv_empty():
    assert parse_tsv("").lines == []
    assert parse_tsv(TSV_HEADER + "\n").lines == []


@needs_tesseract
@pytest.mark.tesseract
def test_scanned_page_within_three_percent_word_error(tmp_path):
    paras = paragraphs("001", 200)
    path = tmp_path / "scan.pdf"
    title = "Strategier for indsatsen"
    pdfgen.make_scanned_pdf(path, paras, 150, page_numbers=False, title=title)
    doc = extract_pdf(path)
    assert doc.kind == "scanned_pdf" and len(doc.pages) == 1
    page = doc.pages[0]
    assert (page.method, page.status) == ("ocr", "ok")
    assert wer(" ".join([title, *paras]), page.text) < 0.03
    assert doc.title == title and page.headings == [title]
    assert doc.warnings == []


@needs_tesseract
@pytest.mark.tesseract
@pytest.mark.slow
def test_scanned_document_headers_removed_and_quality(tmp_path):
    paras = paragraphs("000", 1500)
    path = tmp_path / "scan.pdf"
    header = "Hjørring Kommune · Forebyggelsesstrategi 2023-2027"
    pdfgen.make_scanned_pdf(path, paras, 150, running_header=header)
    pages: list[int] = []
    doc = extract_pdf(path, progress=pages.append)
    assert len(doc.pages) >= 3 and pages == [1] * len(doc.pages)
    assert all(p.method == "ocr" for p in doc.pages)
    text = "\n\n".join(p.text for p in doc.pages)
    assert "Forebyggelsesstrategi 2023-2027" not in text
    assert "Side " not in text
    assert wer(" ".join(paras), text) < 0.03


def test_scan_artifacts_fixed():
    from stratcompare.ingest.ocr import fix_scan_artifacts

    assert fix_scan_artifacts("vi og. de gik") == "vi og de gik"
    assert fix_scan_artifacts("jf. $ 107 og (& 85)") == "jf. § 107 og (§ 85)"
    # abbreviations, sentence ends and plain numbers stay
    kept = "ca. tre f.eks. to, fx. en. Derfor er 8 borgere glade."
    assert fix_scan_artifacts(kept) == kept


def test_render_dpi_native_configured_and_capped(tmp_path):
    import pypdfium2
    from reportlab.pdfgen import canvas

    from stratcompare.ingest.ocr import render_dpi

    scan = tmp_path / "scan.pdf"
    pdfgen.make_scanned_pdf(scan, ["Kort tekst på en side."], 200, noise=False)
    plain = tmp_path / "plain.pdf"
    c = canvas.Canvas(str(plain), pagesize=(595, 842))
    c.showPage()
    c.save()
    poster = tmp_path / "poster.pdf"
    c = canvas.Canvas(str(poster), pagesize=(3370, 4768))  # A0
    c.showPage()
    c.save()
    assert render_dpi(pypdfium2.PdfDocument(str(scan))[0], 300) == 200  # the scan's own
    assert render_dpi(pypdfium2.PdfDocument(str(plain))[0], 300) == 300  # no image: as asked
    capped = render_dpi(pypdfium2.PdfDocument(str(poster))[0], 300)
    assert capped < 300 and 3370 * 4768 * (capped / 72) ** 2 <= ocr_mod.MAX_PIXELS


# --- re-OCR: an English-model text layer over the page image (issue 14) -----------------------
def _ocr_pairs():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "ocr_pairs.py"
    spec = importlib.util.spec_from_file_location("ocr_pairs", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@needs_tesseract
@pytest.mark.tesseract
def test_reocr_replaces_a_damaged_english_layer(tmp_path):
    """A page image with an invisible `tesseract -l eng` layer (as many municipal scans):
    auto re-reads it in Danish and keeps that text; never keeps the damaged layer."""
    text = "\n\n".join(paragraphs("001", 160))
    path = tmp_path / "eng_layer.pdf"
    layer = _ocr_pairs().make_eng_layer_pdf(path, text, dpi=200)
    assert wer(text, layer) > 0.08  # the English model really did damage it
    kept = extract_pdf(path, reocr="never").pages[0]
    assert kept.method == "text" and wer(text, kept.text) > 0.08
    redo = extract_pdf(path).pages[0]
    assert redo.method == "reocr"
    assert wer(text, redo.text) <= 0.03


@needs_tesseract
@pytest.mark.tesseract
def test_reocr_leaves_a_good_layer_and_text_without_image(tmp_path):
    """Born-digital text (no page image, sound Danish) is never re-read, even with always."""
    path = tmp_path / "born_digital.pdf"
    pdfgen.make_text_pdf(path, paragraphs("001", 120))
    for mode in ("auto", "always"):
        assert extract_pdf(path, reocr=mode).pages[0].method == "text"


def test_reocr_mode_is_checked(tmp_path):
    from stratcompare.errors import UsageError
    from stratcompare.ingest import ingest_paths

    with pytest.raises(UsageError):
        ingest_paths([tmp_path], db=tmp_path / "x.db", reocr="sometimes")


def test_reocr_cli_option_checked(tmp_path):
    from typer.testing import CliRunner

    from stratcompare.cli import app

    f = tmp_path / "a.txt"
    f.write_text("Strategi for børn og unge.", encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(f), "--db", str(tmp_path / "c.db"),
                                   "--reocr", "sometimes"])
    assert res.exit_code == 2
    assert "reocr" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["ingest", str(f), "--db", str(tmp_path / "c.db"),
                                   "--reocr", "never", "-q"])
    assert res.exit_code == 0
