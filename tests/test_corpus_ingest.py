"""The bundled corpus, ingested: municipality, years and kind match corpus/metadata.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import CORPUS, needs_tesseract, tesseract_available
from stratcompare.ingest import ingest_paths
from stratcompare.store import Store


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("corpus") / "c.db"
    report = ingest_paths([CORPUS], db=db, ocr=tesseract_available())
    assert report.exit_code == 0, [r.error for r in report.failed]
    return db


def _truth():
    with open(CORPUS / "metadata.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_ignore_file_keeps_readme_and_labels_out(corpus_db):
    with Store.open(corpus_db) as s:
        paths = {Path(d["path"]).relative_to(CORPUS).as_posix() for d in s.documents()}
    assert paths == {row["file"] for row in _truth()}


@pytest.mark.parametrize("row", _truth(), ids=lambda r: r["file"])
def test_metadata_matches_ground_truth(corpus_db, row):
    with Store.open(corpus_db) as s:
        [doc] = [d for d in s.documents() if d["path"] == str(CORPUS / row["file"])]
    assert doc["municipality"] == row["municipality"].split(";")[0]
    assert doc["municipality_confidence"] >= 0.6
    expected_kind = row["kind"]
    assert doc["kind"] == expected_kind
    if row["year"]:
        years = [int(y) for y in row["year"].split("-")]
        assert (doc["year_start"], doc["year_end"]) == (years[0], years[-1])
    if row["adopted"]:
        assert doc["adopted"] == row["adopted"]
    if expected_kind == "scanned_pdf" and not tesseract_available():
        assert doc["pages_missing_text"] == doc["pages"] and doc["status"] == "partial"
    else:
        assert doc["status"] == "ok" and doc["passages"] >= 3


def test_ocr_damaged_pdf_is_repaired_but_raw_text_kept(corpus_db):
    with Store.open(corpus_db) as s:
        [doc] = [d for d in s.documents() if d["path"].endswith("formaalspapir-2024.pdf")]
        assert doc["ocr_damage"] > 0.08 and doc["words_repaired"] > 50
        ps = list(s.passages(document_id=doc["id"]))
    text = " ".join(p["text"] for p in ps)
    raw = " ".join(p["raw_text"] for p in ps)
    assert "Hjgrring" in raw and "Hjgrring" not in text and "Hjørring" in text
    assert "Godkendt i Byrådet den 29. maj 2024" in text
    assert doc["title"].startswith("Formålspapir vedr. Hjørring Kommunes")


def test_clean_documents_are_barely_touched_by_repair(corpus_db):
    with Store.open(corpus_db) as s:
        for d in s.documents():
            if d["path"].endswith(("koege-strategier-for-indsatsen.pdf", ".html")):
                assert d["words_repaired"] <= 0.003 * d["words"] + 1, d["path"]
                assert d["ocr_damage"] < 0.02


@needs_tesseract
def test_scanned_pdf_is_ocred(corpus_db):
    with Store.open(corpus_db) as s:
        [doc] = [d for d in s.documents() if d["kind"] == "scanned_pdf"]
        pages = s.pages(doc["id"])
        text = " ".join(p["text"] for p in s.passages(document_id=doc["id"]))
    assert all(p["method"] == "ocr" for p in pages)
    assert "ressourcebevidst tilgang" in text and "Socialstyrelsen" in text


def test_passages_have_page_provenance(corpus_db):
    with Store.open(corpus_db) as s:
        for d in s.documents():
            pages = {p["number"]: p["text"] for p in s.pages(d["id"])}
            for p in s.passages(document_id=d["id"]):
                assert p["page"] in pages
                raw = s.passage(p["id"])["raw_text"]
                start, end = p["char_start"], p["char_end"]
                # offsets index the cleaned page text; that slice is (part of) the passage —
                # all of it, unless a heading or paragraph continues across a page break
                piece = " ".join(pages[p["page"]][start:end].split())
                assert piece and piece in " ".join(raw.split())
