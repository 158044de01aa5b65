"""report: a self-contained, escaped HTML file that works with and without themes/embeddings."""

from __future__ import annotations

import re

import numpy as np
import pytest

from synth_store import add_document, add_embedding, add_passage, add_theme
from stratcompare.report import build_report
from stratcompare.store import Store

XSS = "<script>alert(1)</script>"

# (municipality, text, themes with probabilities, embedding direction)
PASSAGES = [
    ("Køge", "Vi vil give unge hjemløse en egen bolig efter Housing First-princippet med "
             "bostøtte i hjemmet.", {"housing_first": 0.92}, 0),
    ("Køge", "Tidlig opsporing i dagtilbud og skoler skal sikre, at børn i mistrivsel får hjælp "
             "hurtigt.", {"early_intervention": 0.88}, 1),
    ("Køge", f"Frivillige foreninger inviteres ind i samarbejdet {XSS} om nye fællesskaber for "
             "borgerne.", {"co_creation": 0.81}, 2),
    ("Herning", "Borgere i hjemløshed skal hurtigt i egen bolig, og kommunen følger Housing First "
                "med fleksibel bostøtte.", {"housing_first": 0.9, "early_intervention": 0.55}, 0),
    ("Herning", "Vi investerer i forebyggelse, så problemerne ikke vokser sig store, og vi sætter "
                "tidligt ind.", {"early_intervention": 0.83}, 1),
    ("Aarhus", "Kommunen indgår partnerskaber med civilsamfundet og boligselskaberne om "
               "lokale indsatser i boligområderne.", {"co_creation": 0.86}, 2),
    ("Aarhus", "Psykisk sårbare unge skal have let adgang til samtaler med en psykolog uden "
               "ventetid og visitation.", {"mental_health": 0.9}, 3),
]


def _store(path, *, themes=True, embeddings=True):
    store = Store.open(path)
    conn = store.conn
    docs = {}
    for i, (muni, text, labels, direction) in enumerate(PASSAGES):
        if muni not in docs:
            docs[muni] = f"doc{len(docs)}"
            title = f"{muni} socialpolitik {XSS}" if muni == "Køge" else f"{muni} strategi"
            add_document(conn, docs[muni], muni, title=title, year=2024, pages=12,
                         ocr_damage=0.031 if muni == "Herning" else None)
        pid = f"p{i}"
        add_passage(conn, pid, docs[muni], text, seq=i, page=2 + i,
                    section="Indsatser" if muni != "Køge" else f"Afsnit {XSS}")
        if themes:
            for theme, p in labels.items():
                add_theme(conn, pid, theme, p)
        if embeddings:
            v = np.full(8, 0.05)
            v[direction] = 1.0
            v[4 + i % 4] += 0.1 * (i % 3)     # near, not identical, within a direction
            add_embedding(conn, pid, v)
    add_document(conn, "bad", None, title="broken.pdf", status="failed")
    return store


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("report")
    store = _store(tmp_path / "r.db")
    out = build_report(store.conn, tmp_path / "out" / "report.html")
    store.close()
    return out.read_text(encoding="utf-8")


def test_report_content(full_report):
    html = full_report
    assert html.startswith("<!DOCTYPE html>")
    for anchor_id in ("overview", "themes", "similarity", "cooccurrence", "corpus",
                      "top-themes", "municipalities", "similar"):
        assert f'id="{anchor_id}"' in html
    assert html.count("<svg") >= 4            # themes, 2 × similarity, co-occurrence
    for name in ("Køge", "Herning", "Aarhus"):
        assert name in html
    assert "Housing First og bolig" in html       # codebook label
    assert "3.1%" in html                          # OCR damage column
    assert "s. 2" in html                          # page numbers with passages
    # share table: Herning has 2 passages, 2 of them early_intervention -> 100% (2)
    assert "100% (2)" in html
    # similar initiatives: the two Housing First passages of Køge and Herning are paired
    similar = html[html.index('id="similar"'):]
    assert "Køge ↔ Herning" in similar or "Herning ↔ Køge" in similar
    assert "Aarhus ↔ Aarhus" not in similar and "Køge ↔ Køge" not in similar


def test_report_escapes_document_text(full_report):
    html = full_report
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()


def test_report_is_self_contained(full_report):
    html = full_report
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "<link" not in html.lower() and "@import" not in html


def test_report_without_themes_or_embeddings(tmp_path):
    store = _store(tmp_path / "bare.db", themes=False, embeddings=False)
    html = build_report(store.conn, tmp_path / "bare.html").read_text(encoding="utf-8")
    store.close()
    assert "Ingen temaer endnu" in html
    assert "Ingen embeddings" in html
    assert "<svg" not in html
    assert "Køge" in html and XSS not in html


def test_report_on_empty_database(tmp_path):
    store = Store.open(tmp_path / "empty.db")
    html = build_report(store.conn, tmp_path / "empty.html").read_text(encoding="utf-8")
    store.close()
    assert "ingen dokumenter" in html.lower()


def test_report_themes_but_no_embeddings(tmp_path):
    store = _store(tmp_path / "t.db", embeddings=False)
    html = build_report(store.conn, tmp_path / "t.html").read_text(encoding="utf-8")
    store.close()
    assert 'id="theme-heatmap"' in html
    assert "Ingen embeddings i databasen" in html


def test_every_listed_passage_shows_its_themes(full_report):
    top = full_report[full_report.index('id="top-themes"'):full_report.index('id="municipalities"')]
    cards = top.split('<div class="passage">')[1:]
    assert len(cards) == 8         # 7 passages, the Herning one under two themes
    assert all('class="tag"' in card for card in cards)


def test_hostile_municipality_name_in_figures(tmp_path):
    """Names end up in SVG labels too: escaped there, and "$…$" is not read as mathtext."""
    store = Store.open(tmp_path / "x.db")
    c = store.conn
    add_document(c, "d1", f"{XSS} & $x$ Kommune")
    add_document(c, "d2", "Køge")
    for i, doc in enumerate(["d1", "d2", "d1"]):
        add_passage(c, f"p{i}", doc, "Unge hjemløse får egen bolig med bostøtte i eget hjem.",
                    seq=i)
        add_theme(c, f"p{i}", "housing_first", 0.9)
    html = build_report(c, tmp_path / "x.html").read_text(encoding="utf-8")
    store.close()
    assert "<script" not in html.lower() and "&lt;script&gt;" in html
    assert html.count("<svg") >= 2


def test_documents_without_a_municipality_are_not_counted_as_one(tmp_path):
    """The overview counts municipalities; the '(unknown)' row of undetected documents is none."""
    store = Store.open(tmp_path / "u.db")
    add_document(store.conn, "dk", "Køge", title="Køge strategi", year=2024)
    add_document(store.conn, "dx", None, title="Uden kommune", year=2024)
    add_passage(store.conn, "k1", "dk", "Housing First giver hjemløse borgere en bolig.", seq=0)
    add_passage(store.conn, "x1", "dx", "Tidlig indsats for børn og unge i udsatte positioner.", seq=0)
    html = build_report(store.conn, tmp_path / "u.html").read_text(encoding="utf-8")
    store.close()
    assert "1 kommuner ·" in html and "<b>1</b><span>kommuner</span>" in html
