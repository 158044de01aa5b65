"""PDF extraction: reading order, clean-up quality, scanned pages, bad input.

Fixtures are generated with tests/pdfgen.py (reportlab); the source text put into a PDF is
the reference the extracted text is scored against (word error rate).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

import pdfgen
from stratcompare.repair.evaluate import word_error_rate
from stratcompare import errors
from stratcompare.ingest import ocr as ocr_mod
from stratcompare.ingest import pdf as pdf_mod
from stratcompare.ingest.extracted import ExtractedDocument
from stratcompare.ingest.layout import PageLines
from stratcompare.ingest.pdf import extract_pdf

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
HEADER = "Køge Kommune · Strategier for indsatsen 2023-2026"


wer = word_error_rate


def seed_paragraphs(name: str, limit: int | None = None) -> list[str]:
    """Prose paragraphs of a seed text (tables of contents left out), whitespace-normalised."""
    text = next(SEEDS.glob(f"{name}_*.txt")).read_text("utf-8")
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    paras = [p for p in paras if p and "....." not in p]
    return paras[:limit]


def full_text(doc: ExtractedDocument) -> str:
    return "\n\n".join(p.text for p in doc.pages)


# --- born-digital quality ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def koege_pdf(tmp_path_factory) -> tuple[Path, list[str]]:
    paras = seed_paragraphs("001")
    path = tmp_path_factory.mktemp("pdf") / "koege.pdf"
    pdfgen.make_text_pdf(path, paras, running_header=HEADER, hyphen_share=0.8,
                         title="Strategier for indsatsen")
    return path, paras


def test_born_digital_within_one_percent_word_error(koege_pdf):
    path, paras = koege_pdf
    doc = extract_pdf(path)
    assert doc.kind == "pdf" and len(doc.pages) >= 3
    assert all(p.method == "text" and p.status == "ok" for p in doc.pages)
    assert wer(" ".join(paras), full_text(doc)) < 0.01


def test_no_header_or_footer_lines_left(koege_pdf):
    path, _ = koege_pdf
    doc = extract_pdf(path)
    for page in doc.pages:
        assert HEADER in page.raw_text  # it was there ...
        assert "Køge Kommune · Strategier" not in page.text  # ... and is gone
        assert not re.search(r"\bSide \d+\b", page.text)
        assert not any(re.fullmatch(r"\d{1,3}", line.strip()) for line in page.text.split("\n"))


def test_title_and_progress(koege_pdf):
    path, _ = koege_pdf
    calls: list[int] = []
    doc = extract_pdf(path, progress=calls.append)
    assert doc.title == "Strategier for indsatsen"
    assert calls == [1] * len(doc.pages)


def test_hyphenated_words_joined_real_hyphens_kept(tmp_path):
    special = ("Sundheds-, Ældre- og Handicapudvalget har drøftet Hjørring-modellen for 0-6 "
               "årsområdet i perioden 2023-2026, og den gennemsnitlige udgift er faldet.")
    paras = [f"{p} {special}" for p in seed_paragraphs("001")[4:16]]
    path = tmp_path / "hyph.pdf"
    pdfgen.make_text_pdf(path, paras, hyphen_share=1.0, running_header="Hjørring Kommune")
    raw = "\n".join(p.raw_text for p in extract_pdf(path).pages)
    assert len(re.findall(r"[a-zæøå]-\n[a-zæøå]", raw)) >= 5, "fixture lacks line-end hyphenation"
    text = full_text(extract_pdf(path))
    assert wer(" ".join(paras), text) < 0.01
    assert text.count("Sundheds-, Ældre- og Handicapudvalget") == 12
    assert text.count("Hjørring-modellen") == 12
    assert text.count("0-6 årsområdet") == 12 and text.count("2023-2026") == 12


def test_headings_detected(tmp_path):
    paras = ["# Indledning", seed_paragraphs("001")[5], "# Økonomi og styring", seed_paragraphs("001")[6]]
    path = tmp_path / "head.pdf"
    pdfgen.make_text_pdf(path, paras)
    page = extract_pdf(path).pages[0]
    assert page.headings == ["Indledning", "Økonomi og styring"]
    assert "Indledning\n\n" in page.text and "\n\nØkonomi og styring\n\n" in page.text


# --- reading order -------------------------------------------------------------------------------
def _order_ok(text: str, markers: list[str]) -> bool:
    """Every marker found, each after the previous one."""
    pos = 0
    for marker in markers:
        pos = text.find(marker, pos)
        if pos < 0:
            return False
        pos += len(marker)
    return True


def test_two_column_reading_order(tmp_path):
    paras = seed_paragraphs("000")
    path = tmp_path / "two.pdf"
    pdfgen.make_two_column_pdf(path, paras, running_header=HEADER, lines=28)
    doc = extract_pdf(path)
    assert len(doc.pages) >= 3
    text = full_text(doc)
    markers = [" ".join(p.lstrip("•- ").split()[:4]) for p in paras if len(p.split()) >= 8]
    assert _order_ok(re.sub(r"\s+", " ", text), markers)
    assert wer(" ".join(paras), text) < 0.01


@pytest.mark.parametrize("per_char_objects", [False, True])
def test_two_columns_drawn_line_by_line_across_the_page(tmp_path, monkeypatch, per_char_objects):
    """Content-stream order left1,right1,left2,... must not leak into the text order.

    per_char_objects: the fallback for PDFium builds without FPDFText_GetTextObject."""
    if per_char_objects:
        monkeypatch.setattr(pdf_mod, "_get_text_object", lambda textpage, index: index)
    path = tmp_path / "interleaved.pdf"
    left = [f"venstre linje {i} om tidlig indsats" for i in range(30)]
    right = [f"højre linje {i} om samarbejde og økonomi" for i in range(30)]
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    c.setFont("Helvetica", 10)
    for i, (a, b) in enumerate(zip(left, right)):
        y = height - 80 - i * 14
        c.drawString(60, y, a)
        c.drawString(width / 2 + 20, y, b)
    c.showPage()
    c.save()
    raw = extract_pdf(path).pages[0].raw_text.split("\n")
    assert raw == left + right


def test_footer_page_number_inside_the_gutter_is_removed(tmp_path):
    """A bare page number left of the gutter's middle reads as the end of the left column."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    path = tmp_path / "gutter.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    left = [f"venstre {i} tekst i spalten om den tidlige indsats" for i in range(20)]
    gap_middle = (60 + max(stringWidth(t, "Helvetica", 10) for t in left) + width / 2 + 30) / 2
    for page in range(1, 4):
        c.setFont("Helvetica", 10)
        for i in range(20):
            y = height - 80 - i * 14
            c.drawString(60, y, left[i])
            c.drawString(width / 2 + 30, y, f"højre {page}.{i} tekst i spalten")
        c.drawString(gap_middle - 9, 30, str(page))
        c.showPage()
    c.save()
    doc = extract_pdf(path)
    for page in doc.pages:
        raw = page.raw_text.split("\n")
        assert raw.index(str(page.number)) < raw.index(f"højre {page.number}.0 tekst i spalten")
        assert not any(ln.strip().isdigit() for ln in page.text.split("\n"))


def test_full_width_heading_above_two_columns(tmp_path):
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    c.setFont("Helvetica-Bold", 16)
    c.drawString(60, height - 60, "Strategi for det specialiserede socialområde i kommunen")
    c.setFont("Helvetica", 10)
    for i in range(25):
        y = height - 100 - i * 14
        c.drawString(60, y, f"venstre {i} tekst i spalten")
        c.drawString(width / 2 + 20, y, f"højre {i} tekst i spalten")
    c.showPage()
    c.save()
    page = extract_pdf(path).pages[0]
    lines = [ln for ln in page.raw_text.split("\n") if ln]
    assert lines[0].startswith("Strategi for det")
    assert lines[1] == "venstre 0 tekst i spalten" and lines[26] == "højre 0 tekst i spalten"
    assert page.headings == ["Strategi for det specialiserede socialområde i kommunen"]


# --- characters ----------------------------------------------------------------------------------
def test_ligatures_expanded(tmp_path):
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.is_file():
        pytest.skip("needs Debian package fonts-dejavu-core")
    if "LigDejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("LigDejaVu", str(font)))
    path = tmp_path / "lig.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("LigDejaVu", 11)
    c.drawString(60, 700, "Den ﬁnansielle ramme og ﬂere ﬀ-ord er aﬂøst.")
    c.showPage()
    c.save()
    assert extract_pdf(path).pages[0].text == "Den finansielle ramme og flere ff-ord er afløst."


def test_unmapped_glyphs_marked_not_dropped(tmp_path):
    """pdfgen's cid PDF: PDFium recovers ASCII from the font; æ/ø stay unmapped (U+FFFD)."""
    path = tmp_path / "cid.pdf"
    pdfgen.make_cid_garbage_pdf(path)
    page = extract_pdf(path, ocr=False).pages[0]
    assert page.status == "ok"  # a couple of unmapped letters do not make the page garbage
    assert "Strategi for det specialiserede" in page.text
    assert not re.search(r"[\x00-\x08\x0b\x0e-\x1f]", page.text)
    assert "\ufffd" in page.text


def _unmapped_font_pdf(path: Path) -> None:
    """One page drawn in a Type3 font whose glyph names (/g1.../g8) map to no Unicode: the
    glyphs render, but the text layer is noise (PDFium flags every char as a map error)."""
    import random

    rng = random.Random(1)
    lines = ["".join(chr(65 + rng.randrange(8)) if rng.random() > 0.15 else " " for _ in range(40))
             for _ in range(30)]
    content = ("BT /F1 12 Tf 14 TL 60 780 Td\n" + "\n".join(f"({ln}) Tj T*" for ln in lines)
               + "\nET").encode()
    glyph = b"500 0 0 0 400 700 d1\n0 0 400 700 re f"
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
           b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        5: ("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 500 700] "
            "/FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << "
            + " ".join(f"/g{i} {10 + i} 0 R" for i in range(1, 9))
            + " >> /Encoding << /Type /Encoding /Differences [32 /space 65 "
            + " ".join(f"/g{i}" for i in range(1, 9))
            + "] >> /FirstChar 32 /LastChar 72 /Widths ["
            + " ".join(["250"] + ["0"] * 32 + ["500"] * 8) + "] >>").encode(),
    }
    for i in range(1, 9):
        objs[10 + i] = b"<< /Length %d >>\nstream\n" % len(glyph) + glyph + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = len(out)
        out += b"%d 0 obj\n" % k + objs[k] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (max(objs) + 1)
    for k in range(1, max(objs) + 1):
        out += b"%010d 00000 n \n" % offsets[k] if k in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (max(objs) + 1, xref)
    path.write_bytes(bytes(out))


def test_unmapped_font_flagged_as_garbage(tmp_path):
    path = tmp_path / "type3.pdf"
    _unmapped_font_pdf(path)
    doc = extract_pdf(path, ocr=False)
    page = doc.pages[0]
    assert (page.status, page.method, page.text, page.raw_text) == ("cid_garbage", "none", "", "")
    assert doc.warnings[0].startswith("page 1 has (cid:N) garbage in the text layer")


def _garbage_layer(page):
    lines = [pdf_mod.Line("(cid:3)(cid:17)(cid:42)(cid:8) (cid:5)(cid:9)", 60, 700, 690, 692, 10, 0)]
    return pdf_mod.TextLayer(lines, 40, 0.0)


def test_cid_garbage_flagged_without_ocr(tmp_path, monkeypatch):
    path = tmp_path / "g.pdf"
    pdfgen.make_text_pdf(path, seed_paragraphs("001", 3), page_numbers=False)
    monkeypatch.setattr(pdf_mod, "read_text_layer", _garbage_layer)
    doc = extract_pdf(path, ocr=False)
    page = doc.pages[0]
    assert (page.status, page.method, page.text, page.raw_text) == ("cid_garbage", "none", "", "")
    assert any("(cid:N)" in w for w in doc.warnings)


def test_cid_garbage_page_is_ocrd(tmp_path, monkeypatch):
    path = tmp_path / "g.pdf"
    pdfgen.make_text_pdf(path, seed_paragraphs("001", 3), page_numbers=False)
    monkeypatch.setattr(pdf_mod, "read_text_layer", _garbage_layer)
    monkeypatch.setattr(ocr_mod, "tesseract_status", lambda lang="dan": (True, "ok"))
    seen = []

    def fake_ocr(page, lang="dan", dpi=300):
        seen.append((lang, dpi))
        return PageLines(["Tekst læst med OCR fra siden."], 0, 0)

    monkeypatch.setattr(ocr_mod, "ocr_page", fake_ocr)
    doc = extract_pdf(path, ocr_lang="dan", dpi=200)
    page = doc.pages[0]
    assert (page.method, page.status, page.text) == ("ocr", "ok", "Tekst læst med OCR fra siden.")
    assert seen == [("dan", 200)]
    assert doc.kind == "scanned_pdf"


def test_blank_page_is_neither_ocrd_nor_missing(tmp_path, monkeypatch):
    path = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    c.drawString(60, 700, "Første side med tekst om den tidlige indsats.")
    c.showPage()
    c.showPage()  # an empty separator page
    c.save()

    def no_ocr(*args, **kwargs):
        raise AssertionError("a blank page must not be OCR'd")

    monkeypatch.setattr(ocr_mod, "ocr_page", no_ocr)
    doc = extract_pdf(path)
    assert [(p.method, p.status, p.text) for p in doc.pages][1] == ("none", "ok", "")
    assert doc.kind == "pdf" and doc.warnings == []


# --- scanned pages without Tesseract ---------------------------------------------------------------
@pytest.fixture(scope="module")
def scanned_pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "scan.pdf"
    pdfgen.make_scanned_pdf(path, seed_paragraphs("000", 40), 150, max_pages=2)
    return path


def test_scanned_pdf_without_tesseract(scanned_pdf, monkeypatch):
    monkeypatch.setattr(ocr_mod.shutil, "which", lambda name: None)
    ocr_mod.tesseract_status.cache_clear()
    try:
        doc = extract_pdf(scanned_pdf)
    finally:
        ocr_mod.tesseract_status.cache_clear()
    assert doc.kind == "scanned_pdf"
    assert all((p.method, p.status, p.text) == ("none", "missing_text", "") for p in doc.pages)
    assert doc.warnings == ["pages 1-2 have no usable text layer and Tesseract is not installed: "
                            "apt-get install tesseract-ocr tesseract-ocr-dan"]


def test_scanned_pdf_with_ocr_off(scanned_pdf):
    doc = extract_pdf(scanned_pdf, ocr=False)
    assert [p.status for p in doc.pages] == ["missing_text", "missing_text"]
    assert "OCR is off" in doc.warnings[0]


def test_scan_with_a_stamped_text_line_is_still_ocrd(tmp_path, monkeypatch):
    """A page-sized image under a few characters of real text (a stamped page number)."""
    import io

    import pypdfium2
    from reportlab.lib.utils import ImageReader

    src = tmp_path / "src.pdf"
    pdfgen.make_text_pdf(src, seed_paragraphs("001", 8), page_numbers=False)
    image = pypdfium2.PdfDocument(str(src))[0].render(scale=150 / 72, grayscale=True).to_pil()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    buf.seek(0)
    path = tmp_path / "stamped.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
    c.setFont("Helvetica", 9)
    c.drawString(A4[0] / 2, 30, "Side 1")
    c.showPage()
    c.save()
    monkeypatch.setattr(ocr_mod, "tesseract_status", lambda lang="dan": (True, "ok"))
    monkeypatch.setattr(ocr_mod, "ocr_page",
                        lambda page, lang="dan", dpi=300: PageLines(["Tekst fra scanningen."], 0, 0))
    page = extract_pdf(path).pages[0]
    assert (page.method, page.status, page.text) == ("ocr", "ok", "Tekst fra scanningen.")


# --- bad input -------------------------------------------------------------------------------------
def _raises(exc_type, path, **kwargs):
    with pytest.raises(exc_type) as info:
        extract_pdf(path, **kwargs)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert "0 bytes" in _raises(errors.EmptyFileError, path)


def test_not_a_pdf(tmp_path):
    path = tmp_path / "page.pdf"
    path.write_text("<html><body>Ikke en PDF</body></html>", "utf-8")
    assert "not a PDF" in _raises(errors.NotAPDFError, path)


def test_encrypted(tmp_path):
    path = tmp_path / "locked.pdf"
    pdfgen.make_encrypted_pdf(path)
    assert "password" in _raises(errors.EncryptedPDFError, path)


def test_truncated(tmp_path):
    path = tmp_path / "cut.pdf"
    pdfgen.make_truncated_pdf(path)
    assert "truncated" in _raises(errors.CorruptPDFError, path)


def test_damaged(tmp_path):
    path = tmp_path / "damaged.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n")
    assert "damaged" in _raises(errors.CorruptPDFError, path)


def test_missing_and_unreadable(tmp_path):
    _raises(errors.UnreadableFileError, tmp_path / "nowhere.pdf")
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    _raises(errors.UnreadableFileError, folder)


def test_unreadable_permissions(tmp_path):
    path = tmp_path / "secret.pdf"
    pdfgen.make_text_pdf(path, ["Hemmelig tekst."])
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions do not stop reading")
        _raises(errors.UnreadableFileError, path)
    finally:
        path.chmod(0o644)


def test_too_large(koege_pdf):
    path, _ = koege_pdf
    assert "page cap" in _raises(errors.TooLargeError, path, max_pages=2)
    assert "MB cap" in _raises(errors.TooLargeError, path, max_mb=0.001)
    assert extract_pdf(path, max_pages=100, max_mb=50).pages


def test_library_errors_do_not_escape(koege_pdf, monkeypatch):
    import pypdfium2

    def broken(page):
        raise pypdfium2.PdfiumError("Failed to load text page")

    monkeypatch.setattr(pdf_mod, "read_text_layer", broken)
    _raises(errors.CorruptPDFError, koege_pdf[0])


# --- a memo/letter page: a narrow letterhead column beside the body ---------------------------
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("head_size", [8.0, 10.0])
def test_letterhead_column_is_read_apart_from_the_body(tmp_path, side, head_size):
    """The column's lines share baselines with the body's; read line by line they would land
    inside the body's sentences ("... kronisk Dato: 12. november 2012 sygdom ...")."""
    path = tmp_path / "memo.pdf"
    pdfgen.make_memo_pdf(path, side=side, head_size=head_size)
    text = extract_pdf(path).pages[0].text
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    body = " ".join(pdfgen.MEMO_BODY.split())
    for line in pdfgen.MEMO_LETTERHEAD:
        assert line in paras                      # each letterhead line whole, as its own block
    # the letterhead is read as one block before the body, whose sentences run unbroken
    n = len(pdfgen.MEMO_LETTERHEAD)
    assert paras[:n] == list(pdfgen.MEMO_LETTERHEAD), paras
    assert " ".join(paras[n:]) == f"Notat om kronisk sygdom {body} {body}"


def test_a_short_list_column_in_a_two_column_page_is_no_letterhead(tmp_path):
    """Counter-example: short lines in one column of a two-column page stay in column order."""
    path = tmp_path / "cols.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    c.setFont("Helvetica", 10)
    c.drawString(60, height - 60, "En indledning der løber over hele sidens bredde og fortæller om "
                 "strategiens formål og baggrund")
    items = ["Målgruppe", "Formål", "Fokus", "Tre spor", "Organisering", "Opfølgning"]
    right = [f"højre linje {i} om samarbejde og økonomi i kommunen" for i in range(6)]
    for i, (a, b) in enumerate(zip(items, right)):
        y = height - 90 - i * 14
        c.drawString(60, y, a)
        c.drawString(width / 2 + 20, y, b)
    c.showPage()
    c.save()
    lines = [ln for ln in extract_pdf(path).pages[0].raw_text.split("\n") if ln.strip()]
    assert lines[1:7] == items and lines[7:] == right


def test_a_form_of_field_names_and_values_keeps_its_pairs(tmp_path):
    """Counter-example: field names in a left column with their values beside them (a minutes
    header) are pairs read line by line, not a letterhead column."""
    path = tmp_path / "form.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    fields = [("Mødedato:", "04.12.2012 kl. 16.00"), ("Mødested:", "Rådhuset, mødelokale 2"),
              ("Udvalg:", "Sundheds- og Forebyggelsesudvalget i Ballerup Kommune"),
              ("Medlemmer:", "Anne Hansen (A), Bo Jensen (V), Carl Nielsen (F), Dorte Berg (O)")]
    c.setFont("Helvetica", 10)
    for i, (name, value) in enumerate(fields):
        y = height - 80 - i * 14
        c.drawString(60, y, name)
        c.drawString(160, y, value)
    c.drawString(60, height - 160, "Udvalget behandlede sagerne på dagsordenen og traf beslutning om "
                 "kvalitetsstandarderne for 2013.")
    c.showPage()
    c.save()
    lines = extract_pdf(path).pages[0].raw_text.split("\n")
    for name, value in fields:
        assert f"{name} {value}" in lines


# --- a letterhead column whose last field falls between two body baselines -------------------
def _memo_with_field_between_baselines(path, side: str = "right") -> None:
    """A memo: a letterhead column (8.5 pt, 11 pt pitch) beside a body (10.5 pt, 14 pt pitch)
    whose first paragraph ends in a short line; the column's last field ("Sagsbehandler: ...")
    sits between two body baselines, so nothing shares its baseline."""
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    col_x, body_x = (400, 70) if side == "right" else (62, 222)
    head = ["Center for Sundhed og Ældre", "Myndighed", "Torvegade 2", "6990 Havbjerg",
            "Tlf. 70 80 90 00", "www.havbjerg.dk", "Dato: 7. januar 2013", "Sagsnr.: 13/00412",
            "Sagsbehandler: Kirsten Juhl"]
    c.setFont("Helvetica", 8.5)
    for i, ln in enumerate(head):
        c.drawString(col_x, 762 - 11 * i, ln)
    c.setFont("Helvetica", 10.5)
    body = ["Kommunen visiterer i dag 140 borgere til kørsel til",
            "aktivitetscentrene. Kørslen udføres af to vognmænd, og",
            "kontrakten udløber til sommer. Mange borgere venter",
            "længe om eftermiddagen, fordi bilerne kører flere ture",
            "efter hinanden."]
    y = 734.7   # the last short line "efter hinanden." 4 pt under the column's last field
    for ln in body:
        c.drawString(body_x, y, ln)
        y -= 14.2
    y -= 9
    for ln in ["Forvaltningen anbefaler en ny kontrakt med tre områder og en",
               "vognmand i hvert, så borgerne højst venter tyve minutter."]:
        c.drawString(body_x, y, ln)
        y -= 14.2
    c.showPage()
    c.save()


def test_letterhead_column_keeps_its_last_field_between_body_baselines(tmp_path):
    path = tmp_path / "memo.pdf"
    _memo_with_field_between_baselines(path)
    paras = [" ".join(p.split()) for p in extract_pdf(path).pages[0].text.split("\n\n")]
    assert "Sagsbehandler: Kirsten Juhl" in paras, paras
    assert any(p.endswith("efter hinanden.") for p in paras), paras


def test_a_short_last_body_line_under_a_left_column_stays_in_the_body(tmp_path):
    """Counter-example: under a left-hand letterhead column the body's short last line (body
    size, body pitch, nothing beside it) is no column line."""
    path = tmp_path / "memo.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    c.setFont("Helvetica", 8.5)
    head = ["Center for Sundhed", "Torvegade 2", "6990 Havbjerg", "Dato: 7. januar 2013",
            "Sagsnr.: 13/00412"]
    for i, ln in enumerate(head):
        c.drawString(62, 762 - 14.2 * i, ln)
    c.setFont("Helvetica", 10.5)
    y = 762
    for ln in ["Kommunen visiterer i dag 140 borgere til kørsel til",
               "aktivitetscentrene. Kørslen udføres af to vognmænd, og",
               "kontrakten udløber til sommer. Mange borgere venter",
               "længe om eftermiddagen, fordi bilerne kører flere ture"]:
        c.drawString(222, y, ln)
        y -= 14.2
    c.drawString(222, y, "efter hinanden, og flere melder fra på grund af ventetiden")
    y -= 14.2
    c.drawString(62, y, "hver uge.")
    c.showPage()
    c.save()
    text = " ".join(extract_pdf(path).pages[0].text.split())
    assert "ventetiden hver uge." in text, text
