"""Tables in PDFs: found on tabular pages only, cells recovered, kept out of the running text,
rendered as `table` passages.  PDFs are built with reportlab (tests/pdfgen.py) so the cells
are known."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

import pdfgen
from stratcompare.ingest import tables as tables_mod
from stratcompare.ingest.pdf import extract_pdf
from stratcompare.ingest.tables import Table, looks_like_header, tidy_rows
from stratcompare.segment.tables import render_row, table_segments

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def cell_accuracy(found: list[list[str]], truth: list[list[str]]) -> float:
    """Share of the truth's cells found with the same text at the same row and column."""
    total = sum(len(r) for r in truth)
    hits = sum(1 for i, row in enumerate(truth) for j, cell in enumerate(row)
               if i < len(found) and j < len(found[i]) and found[i][j] == cell)
    return hits / total


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("tables") / "tables.pdf"
    truth = pdfgen.make_table_pdf(path)
    return extract_pdf(path, ocr=False), truth


def test_every_built_table_recovered_cell_for_cell(built):
    doc, truth = built
    for t in truth:
        page = doc.pages[t["page"] - 1]
        assert len(page.tables) == 1, t["name"]
        assert cell_accuracy(page.tables[0].rows, t["rows"]) == 1.0, t["name"]
        assert page.status == "ok"
    assert [p.tables[0].ruled for p in doc.pages] == [True, True, True, True, False, False]


def test_table_text_leaves_the_running_text(built):
    doc, truth = built
    for t in truth:
        text = doc.pages[t["page"] - 1].text
        assert " ".join(pdfgen.TABLE_TEXT_BEFORE.split()) in " ".join(text.split())
        assert " ".join(pdfgen.TABLE_TEXT_AFTER.split()) in " ".join(text.split())
        for row in t["rows"][1:]:
            assert row[0] not in text, (t["name"], row[0])
            assert row[0] not in doc.pages[t["page"] - 1].raw_text


def test_text_only_pdfs_get_no_tables_and_never_open_pdfplumber(tmp_path, monkeypatch):
    paras = [" ".join(p.split()) for seed in sorted(SEEDS.glob("*.txt"))[:2]
             for p in seed.read_text("utf-8").split("\n\n") if len(p.split()) >= 8]
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    pdfgen.make_text_pdf(one, paras, running_header="Køge Kommune")
    pdfgen.make_two_column_pdf(two, paras, running_header="Køge Kommune")

    def no_plumber(self, index):
        raise AssertionError(f"pdfplumber opened for page {index + 1} of a text-only PDF")

    monkeypatch.setattr(tables_mod.TableFinder, "_plumber_page", no_plumber)
    for path in (one, two):
        doc = extract_pdf(path, ocr=False)
        assert len(doc.pages) >= 2
        assert all(p.tables == [] for p in doc.pages)


def _toc_and_lettered_list_pdf(path: Path) -> None:
    """Page 1: a Word-style numbered contents list (number, title, page number as three
    pieces).  Page 2: a decision list whose letters sit in a ruled two-column grid."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(85, 760, "INDHOLDSFORTEGNELSE")
    c.setFont("Helvetica", 10)
    entries = ["Meddelelser", "Bygningsvedligeholdelse 2013 - anlægsbevilling",
               "Kvalitetsstandarder for stof- og alkoholbehandling", "Takstreduktion på aflastning",
               "Evaluering af rygestopkurser"]
    for k, title in enumerate(entries):
        y = 730 - 18 * k
        c.drawString(85, y, f"{k + 1}.")
        c.drawString(106, y, title)
        c.drawRightString(515, y, str(3 + 2 * k))
    c.showPage()
    c.setFont("Helvetica", 10)
    c.drawString(85, 760, "Indstilling")
    items = ["Kvalitetsstandarderne godkendes.", "Takstreduktionen træder i kraft 1. januar.",
             "Sagen genoptages på næste møde."]
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.5)
    top = 740
    for k, text in enumerate(items):
        y = top - 22 * k
        c.rect(85, y - 22, 30, 22)
        c.rect(115, y - 22, 400, 22)
        c.drawString(90, y - 15, f"{'ABC'[k]})")
        c.drawString(120, y - 15, text)
    c.showPage()
    c.save()


def test_contents_list_and_lettered_grid_are_not_tables(tmp_path):
    path = tmp_path / "toc.pdf"
    _toc_and_lettered_list_pdf(path)
    doc = extract_pdf(path, ocr=False)
    assert [len(p.tables) for p in doc.pages] == [0, 0]
    assert "Kvalitetsstandarder for stof- og alkoholbehandling" in doc.pages[0].text
    assert "Takstreduktionen træder i kraft 1. januar." in doc.pages[1].text


def test_a_table_running_over_two_pages_carries_its_header(tmp_path):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    rows = [["Initiativ", "Ansvarlig", "Frist"]] + [
        [f"Indsats nummer {k} for udsatte borgere", f"Team {k % 4 + 1}", f"{2025 + k % 3}"]
        for k in range(1, 71)]
    path = tmp_path / "long.pdf"
    table = RLTable(rows, colWidths=[260, 120, 80])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold")]))
    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10)
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(
        [Paragraph("Handleplanen for perioden ses herunder.", body), table])
    doc = extract_pdf(path, ocr=False)
    parts = [t for p in doc.pages for t in p.tables]
    assert len(parts) >= 2
    assert parts[0].rows[0] == rows[0]
    assert parts[1].header == rows[0]  # the second page's rows get the names of the first's
    got = [r for t in parts for r in t.rows]
    assert got == rows
    segs = [s for p in doc.pages for s in table_segments(p, 0)]
    assert all(s.cells[0] == rows[0] for s in segs)
    assert segs[-1].text.splitlines()[-1] == "Initiativ: Indsats nummer 70 for udsatte borgere; " \
                                            "Ansvarlig: Team 3; Frist: 2026"


def test_pdfplumber_failure_is_a_warning_not_an_error(tmp_path, monkeypatch):
    path = tmp_path / "t.pdf"
    pdfgen.make_table_pdf(path, names=["key_figures"])
    import pdfplumber

    def broken(*args, **kwargs):
        raise ValueError("bad xref")

    monkeypatch.setattr(pdfplumber, "open", broken)
    doc = extract_pdf(path, ocr=False)
    assert doc.pages[0].tables == []
    assert "Borgere i botilbud" in doc.pages[0].text  # the table's text stays in the page
    assert any("tables not read" in w for w in doc.warnings)


# --- rendering ---------------------------------------------------------------------------------
def _page(*tables: Table) -> SimpleNamespace:
    return SimpleNamespace(number=4, tables=list(tables))


def test_rows_rendered_with_header_names_or_bars():
    head = ["Område", "Budget", "Forbrug"]
    assert render_row(["Botilbud", "312,4", ""], head) == "Område: Botilbud; Budget: 312,4"
    assert render_row(["Botilbud", "312,4", "318,9"], None) == "Botilbud | 312,4 | 318,9"
    rows = [head, ["Botilbud", "312,4", "318,9"], ["Anbringelser", "201,7", "209,2"]]
    segs = table_segments(_page(Table(4, (0, 0, 1, 1), rows, True, caption="Budget 2024")), 7)
    assert len(segs) == 1
    s = segs[0]
    assert (s.seq, s.page, s.kind, s.section, s.char_start, s.char_end) == \
        (7, 4, "table", "Budget 2024", None, None)
    assert s.cells == rows
    assert s.text == ("Område: Botilbud; Budget: 312,4; Forbrug: 318,9\n"
                      "Område: Anbringelser; Budget: 201,7; Forbrug: 209,2")


def test_first_row_of_figures_is_not_a_header():
    rows = [["Sygeplejeklinik", "200.000 kr."], ["Aktivt Hverdagsliv", "500.000 kr."]]
    assert not looks_like_header(rows)
    segs = table_segments(_page(Table(4, (0, 0, 1, 1), rows, True)), 0)
    assert segs[0].text == "Sygeplejeklinik | 200.000 kr.\nAktivt Hverdagsliv | 500.000 kr."
    assert segs[0].cells == rows


def test_long_table_split_between_rows_repeating_the_header():
    head = ["Initiativ", "Ansvarlig"]
    body = [[f"Initiativ nummer {k} om bostøtte og udslusning af borgere", "Socialafdelingen"]
            for k in range(60)]
    segs = table_segments(_page(Table(4, (0, 0, 1, 1), [head] + body, True)), 10)
    assert len(segs) >= 3
    assert [s.seq for s in segs] == list(range(10, 10 + len(segs)))
    assert all(s.cells[0] == head for s in segs)
    assert all(len(s.text) <= 1500 for s in segs)
    assert [r for s in segs for r in s.cells[1:]] == body


def test_tidy_rows_drops_empty_rows_and_columns_and_joins_cell_lines():
    raw = [[None, "Tids-\npunkt", "", "Punkt"], ["", "", None, ""], ["", "12.00", "", "Velkomst\nog kaffe"]]
    assert tidy_rows(raw) == [["Tidspunkt", "Punkt"], ["12.00", "Velkomst og kaffe"]]


@pytest.mark.parametrize("rotation", [90, 270])
def test_table_on_a_rotated_landscape_page(tmp_path, rotation):
    path = tmp_path / f"rot{rotation}.pdf"
    rows = pdfgen.make_rotated_table_pdf(path, rotation)
    doc = extract_pdf(path, ocr=False)
    page = doc.pages[0]
    assert len(page.tables) == 1
    assert page.tables[0].rows == rows
    assert "Voksne med sindslidelse" not in page.text
    assert pdfgen.TABLE_TEXT_AFTER[:40] in page.text


def test_caption_or_callers_section_and_a_page_that_is_all_table(tmp_path):
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    rows = [["Område", "Budget", "Forbrug"], ["Botilbud", "312,4", "318,9"],
            ["Anbringelser", "201,7", "209,2"], ["I alt", "514,1", "528,1"]]
    path = tmp_path / "only.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    table = RLTable(rows, colWidths=[200, 100, 100])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    table.wrapOn(c, 400, 400)
    table.drawOn(c, 80, 600)
    c.showPage()
    c.save()
    doc = extract_pdf(path, ocr=False)
    page = doc.pages[0]
    assert page.status == "ok" and page.text == "" and page.tables[0].rows == rows
    assert [s.section for s in table_segments(page, 0, section="Økonomi")] == ["Økonomi"]
    page.tables[0].caption = "Tabel 2. Budget"
    assert [s.section for s in table_segments(page, 0, section="Økonomi")] == ["Tabel 2. Budget"]


@pytest.mark.parametrize("style", ["rules_under_header_and_last_row", "zebra_rows",
                                   "rule_under_every_row", "outer_box_only"])
def test_tables_drawn_in_common_styles(tmp_path, style):
    """Ruled only horizontally, shaded rows, a box around: found, cell for cell, as text."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    rows = [["Område", "Budget 2024", "Forbrug 2024", "Afvigelse"],
            ["Botilbud for voksne", "312,4", "318,9", "-6,5"],
            ["Forebyggende foranstaltninger", "88,1", "84,6", "3,5"],
            ["Anbringelser", "201,7", "209,2", "-7,5"],
            ["I alt", "602,2", "612,7", "-10,5"]]
    lines = {
        "rules_under_header_and_last_row": [("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
                                            ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                                            ("LINEBELOW", (0, -1), (-1, -1), 1, colors.black)],
        "zebra_rows": [("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.lightgrey, colors.white])],
        "rule_under_every_row": [("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.grey)],
        "outer_box_only": [("BOX", (0, 0), (-1, -1), 1, colors.black)],
    }[style]
    table = RLTable(rows, colWidths=[180, 90, 90, 80], hAlign="LEFT")
    table.setStyle(TableStyle(lines + [("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold")]))
    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=13)
    path = tmp_path / f"{style}.pdf"
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(
        [Paragraph(pdfgen.TABLE_TEXT_BEFORE, body), table,
         Paragraph(pdfgen.TABLE_TEXT_AFTER, body)])
    page = extract_pdf(path, ocr=False).pages[0]
    assert [t.rows for t in page.tables] == [rows]
    assert "Anbringelser" not in page.text
    assert pdfgen.TABLE_TEXT_AFTER[:40] in page.text
