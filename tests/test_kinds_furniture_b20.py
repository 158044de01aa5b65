"""Furniture, formalities and headings found by the blind batch b20 (session 7): page footers
with a document number or print stamp, a newspaper site's menu, paywall and 'Mest læste' box,
a minutes portal's item navigation, a newsletter's frame and contents, a report's colophon, a
site banner, 'giver en status'/'orienterede fra' and 'Velkomst' in minutes, a running head
glued over a page's heading, and a wrapped line after an abbreviation.

Every example here is invented for the test (none is copied from the dev batches or the real
documents); each rule has counter-examples that keep their kind."""

import pytest

from stratcompare.segment import Segment
from stratcompare.segment.kinds import classify_kind, logical_lines, refine_kinds


@pytest.mark.parametrize("text, genre, position", [
    ("Dok.nr. 25/4410-7 – side 2 af 4", "other", 0.5),
    ("Sagsnr. 25/1234 - Side 1 af 3", "minutes", 0.5),
    ("Udskrevet den 03.04.2025 kl. 10:12 Side 2 af 3", "minutes", 0.9),
    ("Artiklen er forbeholdt abonnenter. Log ind eller køb adgang for 1 kr. i en måned.",
     "news", 0.5),
    ("NORDBY POSTEN\nNyheder Sport Kultur Debat E-avis", "news", 0.0),
    ("« Forrige punkt   Næste punkt »", "minutes", 0.1),
    ("Mest læste\nNy skole åbner i august\nByfesten flytter til havnen", "news", 0.9),
    ("Kan du ikke se nyhedsbrevet? Åbn det i din browser", "news", 0.0),
    ("Udarbejdet af Social og Sundhed, Nordby Kommune, i samarbejde med Ældrerådet.\n"
     "Forsidefoto: Colourbox", "other", 1.0),
    ("Nordby Kommune – Politik og dagsordener", "minutes", 0.0),
])
def test_b20_furniture_is_boilerplate(text, genre, position):
    assert classify_kind(text, genre=genre, position=position) == "boilerplate"


@pytest.mark.parametrize("text, genre, position, kind", [
    # a case header without a page count stays the case's formality
    ("Sagsnr.: 25/1234", "minutes", 0.5, "procedure"),
    # a decision with the page's footer is still the decision
    ("Beslutning\nGodkendt.\nSide 3 af 9", "minutes", 0.5, "procedure"),
    # subscriptions as the matter of a news item
    ("Borgere med abonnement på madservice kan fra marts vælge mellem tre retter hver dag, "
     "og prisen er uændret.", "news", 0.5, "content"),
    # a heading naming two or three of a menu's words is no menu
    ("Kultur, sport og fritid for alle", "strategy", 0.5, "content"),
    # who made a plan, told in its text, is text; a colophon line only at the edge
    ("Planen er udarbejdet af en arbejdsgruppe med borgere, medarbejdere og politikere, som "
     "har mødtes seks gange i løbet af 2024.", "strategy", 0.95, "content"),
    ("Udarbejdet af Social og Sundhed i samarbejde med Ældrerådet", "other", 0.5, "content"),
    # the municipality's name over a section, in the middle of a page, is no banner
    ("Nordby Kommune – Politik og dagsordener", "other", 0.5, "content"),
])
def test_text_sharing_b20_furniture_words_keeps_its_kind(text, genre, position, kind):
    assert classify_kind(text, genre=genre, position=position) == kind


@pytest.mark.parametrize("text", [
    "Resume\nForvaltningen giver en status på indsatsen for unge ledige for 1. halvår.",
    "Anne Berg orienterede fra mødet i Det Centrale Handicapråd den 3. marts.",
    "1. Velkomst ved formanden Lise Holm",
    "2. Velkomst og præsentationsrunde",
])
def test_b20_minutes_formalities_are_procedure(text):
    assert classify_kind(text, genre="minutes", position=0.5) == "procedure"


@pytest.mark.parametrize("text, genre", [
    # a strategy's own account of its follow-up is substance
    ("Vi giver en status på indsatsen hvert år i en rapport til kommunalbestyrelsen, så alle "
     "kan følge med i, om vi når målene.", "strategy"),
    ("Velkommen til Nordby Kommunes nye handicappolitik", "strategy"),
])
def test_the_same_words_outside_minutes_are_no_formality(text, genre):
    assert classify_kind(text, genre=genre, position=0.5) not in ("procedure", "boilerplate")


def test_a_newsletters_contents_are_a_toc():
    text = ("Kan du ikke se nyhedsbrevet? Åbn det i din browser\nI dette nummer:\n"
            "Nyt aktivitetshus åbner i Nordby\nSommerens udflugter\nHusk tilmelding")
    assert classify_kind(text, genre="news", position=0.0) == "toc"


def _seg(i, page, text, kind="content"):
    return Segment(i, page, None, 0, len(text), text, kind=kind)


PROSE = ("Alle skal have en bolig, der passer til deres behov, og hjælp til at blive boende i "
         "den. Det kræver et tæt samarbejde mellem forvaltningerne og boligselskaberne.")


def test_a_running_head_glued_over_a_pages_heading_is_furniture():
    segs = [_seg(0, 1, "Et liv med muligheder\nHandicappolitik 2025-2029"), _seg(1, 1, PROSE),
            _seg(2, 2, "Handicappolitik 2025-2029 4\nTema 1: Bolig"), _seg(3, 2, PROSE),
            _seg(4, 3, "Handicappolitik 2025-2029 5\nTema 2: Job"), _seg(5, 3, PROSE)]
    refine_kinds(segs, genre="strategy", model=False)
    assert [s.kind for s in segs] == ["heading", "content", "boilerplate", "content",
                                      "boilerplate", "content"]


def test_a_title_its_colophon_repeats_stays_the_title():
    segs = [_seg(0, 1, "Handicappolitik 2025-2029\nEt liv med muligheder"),
            _seg(1, 2, "Handicappolitik 2025-2029\nUdgivet af Nordby Kommune, maj 2025"),
            _seg(2, 2, PROSE), _seg(3, 3, PROSE)]
    refine_kinds(segs, genre="strategy", model=False)
    assert segs[0].kind == "heading"


def test_a_line_wrapped_after_an_abbreviation_is_one_line():
    assert logical_lines("Udgiften er 2,4 mio. kr.\nårligt i fire år.") == [
        "Udgiften er 2,4 mio. kr. årligt i fire år."]
    assert logical_lines("Prisen for en måned er 40 kr.\nBorgeren betaler selv.") == [
        "Prisen for en måned er 40 kr.", "Borgeren betaler selv."]
    economy = ("Økonomi\nIndsatsen koster 2,4 mio. kr.\nårligt, som finansieres af puljen til "
               "socialt udsatte, der blev afsat i budgetaftalen for 2025.")
    assert classify_kind(economy, genre="minutes", position=0.5) == "content"
