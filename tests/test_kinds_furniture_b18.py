"""Furniture of municipal web pages, page-flip viewers and brochures found by the blind batch b18
(session 6) gets the kind boilerplate; text that only shares some of its words stays content.

Every example here is invented for the test (none is copied from the dev batch or the real
documents)."""

import pytest

from stratcompare.segment.kinds import classify_kind


@pytest.mark.parametrize("text, genre", [
    # top menus of a municipal site or an institution's sub-site
    ("Borger Erhverv Politik og demokrati Job i kommunen", "other"),
    ("Om os Arrangementer Kalender Kontakt os", "other"),
    ("Log ind Kontakt Søg", "news"),
    # footer links run together without separators
    ("Privatlivspolitik Tilgængelighedserklæring Om hjemmesiden", "other"),
    # captions ending in their credit, on one line or two
    ("Borgmesteren klipper snoren til det nye dagcenter. Foto: Anders Krog", "news"),
    ("Frivillige i haven ved Solgården.\nPressefoto: Solgården", "news"),
    # running heads and feet with a page number
    ("Sundhedspolitik 2026-2029 | 12", "strategy"),
    ("4 · VESTBY UGEAVIS", "news"),
    ("ONSDAG 3. APRIL 2024 VESTBY UGEAVIS 11", "news"),
    ("Page 4", "strategy"),
    ("Side 6-7", "strategy"),
    # document-sharing and page-flip viewers
    ("Published on Mar 3, 2023\nFollow this publisher", "strategy"),
    ("Størrelse: px\nStarte visningen fra siden:\nDownload \"Referat Byrådet Mødedato: 4. maj\"",
     "minutes"),
    ("Read more\nIssuu converts static files into: digital portfolios, online yearbooks and more.",
     "strategy"),
    # signatures 'Name, title' on one line each
    ("Lise Holm Berg, borgmester\nOle Vinther, formand for Socialudvalget", "strategy"),
    # contact boxes: several opening-hour ranges, a secure-mail line
    ("Kontakt\nBorgerservice\nTlf. 44 55 66 77\nMandag-onsdag kl. 10-15, torsdag kl. 10-17\n"
     "Send en sikker besked via borger.dk", "other"),
    # an in-page menu whose entries are questions
    ("På siden\nHvad er en plejefamilie?\nHvordan bliver man godkendt?\nKontakt", "other"),
    # feedback, portal buttons, link boxes and news lists
    ("Hvordan var din oplevelse?", "other"),
    ("Print Hent som PDF Abonnér på udvalget", "minutes"),
    ("Mest besøgte\nTandpleje for børn\nParkeringskort\nPas og kørekort", "other"),
    ("Nyheder fra området\n02.05.2025 Nyt samværshus åbner i Vestby\n"
     "28.04.2025 Ændrede åbningstider i påsken", "other"),
    ("Forrige punkt: 3. Godkendelse af budget Næste punkt: 5. Eventuelt", "minutes"),
    ("Ældre og sundhed | 4. februar 2025", "news"),
    # teaser tiles: link titles with one-line descriptions
    ("Hjælpemidler\nLæs om kørestole, rollatorer og andre hjælpemidler\nMadservice\n"
     "Få hjælp til mad, hvis du ikke selv kan lave den", "other"),
    # a source note, colophon and date stamps
    ("2 Kilde: Danmarks Statistik, 2023.", "strategy"),
    ("Udgivet maj 2025 af Vestby Kommune, Børn og Unge", "strategy"),
    ("Oktober 2025", "strategy"),
    # a note's letterhead: the municipality over its unit
    ("Vestby Kommune\nBørn og Familie", "other"),
])
def test_b18_furniture_is_boilerplate(text, genre):
    assert classify_kind(text, genre=genre) == "boilerplate"


@pytest.mark.parametrize("text, genre, position", [
    # a sentence about the menu's topics is text
    ("Borgere, erhverv og politikere skal kunne finde job i kommunen på en nem måde.",
     "strategy", 0.5),
    # a photographer in a sentence is no credit
    ("Foto og film er en del af værestedets aktiviteter, og brugerne udstiller hvert år.",
     "other", 0.5),
    # a numbered heading without a year or capitals is a heading's text, not a running foot
    ("3 · Bolig og hverdagsliv", "strategy", 0.5),
    # a name in a sentence with a title is a quote's attribution inside text
    ("Det siger Lise Holm Berg, borgmester, efter mødet i Byrådet i går aftes.", "news", 0.5),
    # opening hours told in a sentence are the service's substance
    ("Dagcentret har åbent mandag til torsdag, og om fredagen holder vi lukket for at planlægge "
     "næste uges aktiviteter sammen med brugerne.", "other", 0.5),
    # a list of service features without link wording stays text
    ("Vi tilbyder samtaler om hverdagen og hjælp til at komme i gang med en aktivitet.",
     "other", 0.5),
    # a dated sentence with a full stop is text, not a news link
    ("12.03.2025 blev det besluttet at udvide åbningstiden på varmestuen.", "other", 0.5),
    # a month and year in the middle of a document is left alone
    ("Juni 2024", "strategy", 0.5),
    # the municipality over a title is a cover, not a letterhead
    ("Vestby Kommune\nPolitik for borgere med handicap og deres pårørende", "other", 0.0),
    # a service page's short heading starting like a teaser stays a heading
    ("Få hjælp til at stoppe med at ryge", "other", 0.5),
    # a table row with one year and a count is no running foot
    ("Borgere i hjemløshed 2024 | 74", "strategy", 0.5),
    # a source named in a sentence is text
    ("Kilden til tallene er den nationale sundhedsprofil, som viser en stigning siden 2017.",
     "strategy", 0.5),
])
def test_text_sharing_furniture_words_stays_text(text, genre, position):
    assert classify_kind(text, genre=genre, position=position) in ("content", "heading")
