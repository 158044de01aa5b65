"""Passage kinds (stratcompare.segment.kinds): one test per rule family, the context rules of
refine_kinds, the data file, and accuracy over the hand-labelled real passages."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from stratcompare.segment import Segment
from stratcompare.segment.kinds import (KINDS, classify_kind, load_rules, logical_lines,
                                        refine_kinds)

BENCH = Path(__file__).resolve().parent.parent / "bench"


def kind(text: str, genre: str | None = "minutes", **kw) -> str:
    return classify_kind(text, genre=genre, **kw)


# --- the data file -----------------------------------------------------------------------------
def test_every_rule_has_a_reason_a_known_kind_and_compiles():
    path = resources.files("stratcompare") / "data" / "lang" / "da" / "kinds.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = data["whole"] + data["line"]
    assert len(rules) >= 30
    for rule in rules:
        assert rule["kind"] in KINDS
        assert len(rule["why"]) > 15, rule["pattern"]
        re.compile(rule["pattern"])
    assert load_rules().share == data["settings"]["share"]


# --- procedure: decisions, attendance, formulas ------------------------------------------------
@pytest.mark.parametrize("text", [
    "Vedtaget.", "Godkendt.", "Anbefales.", "Taget til efterretning.",
    "Indstillingen godkendt", "Dagsordenen blev godkendt.", "Punktet genoptages.",
    "Beslutning\nGodkendt.",
])
def test_decisions_are_procedure(text):
    assert kind(text) == "procedure"


@pytest.mark.parametrize("text", [
    "Fraværende:\nGitte Eskesen",
    "Afbud fra Runa Dorph-Petersen. I stedet deltager stedfortræder Dorte Høj.",
    "Medlemmer\nJesper Mathiesen (A) Ole Bjerregaard (V) Steen Fris (C)",
    "Rikke Mølsted deltager under dette punkt og vil fortælle mere om indsatsen.",
])
def test_attendance_is_procedure(text):
    assert kind(text) == "procedure"


@pytest.mark.parametrize("text", [
    "Sagsnr.: 330-2014-92115 Dok.nr.: 330-2017-345829 Åbent\nKompetence: Handicapudvalget",
    "Bilag\n2012-209267 - Kvalitetsstandarder for stof- og alkoholmisbrug 2013",
    "Økonomiske konsekvenser\nSagen har ingen økonomiske konsekvenser.",
    "Indstilling\nDirektionen indstiller,\n- at udvalget tager orienteringen til efterretning.",
    "Forslaget sendes i offentlig høring. Høringsfristen er den 30. oktober.",
    "Dagsorden. Forum: Handicaprådet Tid: 14. marts 2018, kl Sted: Mødelokale 915",
])
def test_case_formalities_are_procedure(text):
    assert kind(text) == "procedure"


def test_adoption_notice_is_procedure_in_any_genre():
    text = "Socialplanen 2023-2026\nSocialplanen blev godkendt af kommunalbestyrelsen d. 16. august 2023."
    assert kind(text, genre="strategy") == "procedure"
    assert kind("Godkendt i Byradet den 29. maj 2024", genre="strategy",
                structural="heading") == "procedure"  # OCR'd "Byrådet"


def test_imperative_recommendation_only_counts_in_minutes():
    text = "1. Godkende forslag til en ny sagsbehandlingsfrist vedrørende husvilde."
    assert kind(text, genre="minutes") == "procedure"
    assert kind(text, genre="strategy") == "content"


# --- the substance rule ------------------------------------------------------------------------
def test_sagsfremstilling_body_is_content():
    body = ("Sagsfremstilling\nI Frederikssund Kommune kan der ansøges om tilskud via puljen én "
            "gang årligt. Forud for ansøgningsfristen har udvalget afholdt det årlige dialogmøde "
            "med de frivillige sociale foreninger, hvor kriterierne blev drøftet.")
    assert kind(body, section="10Beslutning om tilskud til frivilligt socialt arbejde") == "content"


def test_short_passage_under_beslutning_is_procedure_but_long_prose_is_content():
    assert kind("Materialet sendes videre til udvalget.", section="Beslutning") == "procedure"
    prose = ("Claus Sigesmundsen orienterede om organisering og fokusområder i Rødovre. Der er "
             "særligt fokus på synlighed i rådet. Der er arbejdet med indsatser vedrørende "
             "akutboliger og tandpleje for udsatte borgere, og der er et samarbejde med "
             "udsatterådet i Hillerød, hvor erfaringer udveksles.")
    assert kind(prose, section="Beslutning") == "content"
    assert kind("Materialet sendes videre til udvalget.", section="Beslutning",
                genre="strategy") == "content"


# --- boilerplate -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Gå til indhold\nHjørring Kommune bruger cookies til statistik og til at forbedre hjemmesiden.",
    "Læs mere om strategien", "Del på Facebook", "Senest opdateret: 12. juni 2024",
    "Forside › Borger › Handicap", "Tlf.: 24 44 45 94", "E-mail: brydehuset@balk.dk",
    "Du kan læse hele den nye socialpolitik her", "Fold alle punkter",
    "Hør Claus Højrup, formand for udvalget, fortælle om strategiens formål.",
])
def test_page_furniture_is_boilerplate(text):
    assert kind(text, genre="strategy") == "boilerplate"


def test_a_link_line_under_a_paragraph_does_not_make_it_boilerplate():
    text = ("Politikken sætter retning for, hvordan mennesker med handicap får mulighed for at "
            "leve et så almindeligt liv som muligt, med rettigheder og muligheder som alle "
            "andre.\nLæs mere om politikkens fundament.")
    assert kind(text, genre="strategy") == "content"


def test_formal_line_with_a_print_button_is_procedure_in_minutes():
    assert kind("Beslutning\nDagsordenen blev godkendt.\nKopier link til punktet - Print") \
        == "procedure"
    assert kind("Referat\nListe med dato, udvalg og sted til download.") == "boilerplate"


# --- letterheads, contact blocks, signatures, news furniture (synthetic, not from the corpus) ----
@pytest.mark.parametrize("text, genre", [
    ("Center for Sundhed og Ældre\nHovedgaden 7\n9999 Byen\nTelefon 11 22 33 44\n"
     "www.byen.dk\nCVR 12345678", "other"),
    ("Social og Sundhed\nTorvet 2\n9999 Byen\nDirekte tlf. 11 22 33 55\nanne.hansen@byen.dk",
     "other"),
    ("Med venlig hilsen\nAnne Hansen\nSundhedschef", "other"),
    ("På udvalgets vegne\nPer Jensen\nformand", "minutes"),
    ("Kontaktperson: Anne Hansen, tlf. 11 22 33 44", "news"),
    ("Hovedgaden 7 · 9999 Byen · Tlf. 1122 3344 · www.byen.dk", "other"),
    ("Tlf. 11 22 33 44\nwww.byen.dk", "news"),
    ("Page 3 - Lokalavisen uge 8-9\n19. FEBRUAR - 4. MARTS 2019 NYHEDER 9999 BYEN 3", "news"),
])
def test_letterheads_contact_blocks_and_signatures_are_boilerplate(text, genre):
    assert kind(text, genre=genre, position=0.0) == "boilerplate"


@pytest.mark.parametrize("text", [
    "Åbningstider\nMandag-fredag kl. 9-15\nTorsdag kl. 9-17", "Mandag - torsdag: 8.00-15.00",
    "Redaktør: Anne Hansen", "Lyt til siden", "Log ind med MitID",
    "Del artikel", "Nyhed", "12. marts 2024", "Publiceret 12. marts 2024",
    "Af Anne Hansen, journalist", "Emner: Handicap, Social", "Byens Kommune",
])
def test_news_page_furniture_is_boilerplate(text):
    assert kind(text, genre="news", position=0.0) == "boilerplate"


def test_a_date_line_is_the_meeting_header_in_minutes_and_furniture_elsewhere():
    assert kind("04.12.2012", genre="minutes") == "procedure"
    assert kind("04.12.2012", genre="other") == "boilerplate"


def test_a_municipality_name_is_letterhead_only_at_the_edge_of_a_document():
    assert kind("Byens Kommune", genre="other", position=0.0) == "boilerplate"
    assert kind("Byens Kommune", genre="other", position=0.5) == "content"
    slide = ("HVAD BETYDER DET FOR\nByens Kommune\nHVAD BETYDER DET FOR\nBorgerne Organiseringen\n"
             "Borgeren følges på vej over i almenområdet.")
    assert kind(slide, genre="strategy", position=0.0) == "content"  # lends no kind to lines


@pytest.mark.parametrize("text", [
    "Direktionen indstiller, at udvalget godkender kvalitetsstandarderne for 2013.",
    "Forvaltningen indstiller, at udvalget anbefaler Økonomiudvalget og Byrådet at godkende "
    "budgettet.",
    "Udvalget godkendte indstillingen.",
    "Personalemæssige konsekvenser\nIngen.",
    "Sundheds- og Forebyggelsesudvalget 04.12.2012, pkt. 3",
    "Dato: 12. november 2012\nSagsnr.: 2012-12345\nSagsbehandler: Anne Hansen",
    "Et flertal bestående af A og V anbefaler indstillingen. C og O stemte imod.",
    "Beslutning: Godkendt.", "Sagen udsættes.", "Sagen afgøres i: Udvalget for plan",
    "Sagen forelægges Sundhedsudvalget til orientering.", "Til beslutning",
])
def test_common_minutes_system_formulas_are_procedure(text):
    assert kind(text, genre="minutes") == "procedure"


def test_memo_header_fields_are_procedure_in_notes_but_not_in_strategies():
    memo = "Til: Social- og Sundhedsudvalget\nFra: Center for Sundhed\nEmne: Takstreduktion"
    assert kind(memo, genre="other", position=0.5) == "procedure"
    assert kind(memo, genre="strategy", position=0.5) == "content"


@pytest.mark.parametrize("text, genre", [
    ("Du kan kontakte Rådgivningen på telefon 11 22 33 44 alle hverdage mellem kl. 9 og 12, hvor "
     "en socialrådgiver hjælper dig med at søge om støtte.", "other"),
    ("Udvalget besluttede i 2019 at styrke indsatsen for hjemløse unge gennem en ny boligstrategi "
     "med fokus på Housing First, som nu evalueres i samarbejde med de frivillige.", "minutes"),
    ("Budget 2013 2014 2015 2016", "strategy"),
    ("I 2012 2013 blev der brugt 4.820 kr. på indsatsen.", "strategy"),
])
def test_text_with_a_phone_number_or_years_is_not_furniture(text, genre):
    assert kind(text, genre=genre, position=0.5) == "content"


@pytest.mark.parametrize("text, genre, position, expected", [
    ("Sundheds- og Forebyggelsesudvalget - Åbent referat - 04.12.2012 - Side 3", "minutes", 0.5,
     "boilerplate"),
    ("Sundhedsudvalget Åbent referat Dato 04.12.2012 Side 3", "minutes", 0.5, "boilerplate"),
    ("Social- og Sundhedsudvalget - Referat", "minutes", 0.5, "content"),  # a title, no date
    ("Byens Kommune Side 1 af 15", "other", 0.5, "boilerplate"),
    ("Udskrevet den 05.12.2012 kl. 10:14", "other", 0.5, "boilerplate"),
    ("Hovedgade 7", "other", 0.0, "boilerplate"),
    ("Hovedgade 7", "other", 0.5, "content"),
    ("Aktivitetscenter på Solvej 6", "other", 0.0, "content"),
    ("Anne Hansen\nSundhedschef", "other", 1.0, "boilerplate"),
    ("Anne Hansen\nSundhedschef", "other", 0.5, "content"),
])
def test_running_heads_footers_addresses_and_sender_blocks(text, genre, position, expected):
    assert kind(text, genre=genre, position=position) == expected


@pytest.mark.parametrize("text", [
    "Indstilling\nDirektionen indstiller,\n1. at kvalitetsstandarderne godkendes\n"
    "2. at udgiften finansieres af puljen til kronisk syge",
    "Direktionen indstiller,\n1. at udgiften finansieres af puljen til kronisk syge\n"
    "2. at arbejdet fortsætter",
])
def test_a_passage_opening_with_the_recommendation_formula_is_procedure(text):
    assert kind(text, genre="minutes", position=0.5) == "procedure"


def _paged(texts: list[tuple[int, str, str]]) -> list[Segment]:
    return [Segment(seq=i, page=p, section=None, char_start=0, char_end=len(t), text=t, kind=k)
            for i, (p, t, k) in enumerate(texts)]


def test_a_line_opening_several_pages_is_a_running_head():
    head = "Sundhedsudvalget - referat - {}. december 2012"
    segs = _paged([
        (1, head.format(4), "heading"),
        (1, "Kommunen vil styrke forebyggelsen for borgere med kronisk sygdom i hele kommunen.",
         "content"),
        (2, head.format(4) + "\nSide 2", "content"),
        (2, "Indsatsen evalueres efter et år, og resultaterne forelægges udvalget.", "content"),
        (3, head.format(4), "heading"),
        (3, "Målgruppe", "heading"),
    ])
    refine_kinds(segs, genre="other")
    assert [s.kind for s in segs] == ["boilerplate", "content", "boilerplate", "content",
                                      "boilerplate", "heading"]


def test_a_running_head_does_not_swallow_the_list_under_it():
    segs = _paged([
        (1, "Lokalt engagement\nVi vil:\n- sætte fokus på engagementet\n- skabe rum for "
            "forskelle", "list"),
        (2, "Lokalt engagement\nForeningerne er kittet i lokalsamfundet, og de frivillige bærer "
            "en stor del af kulturlivet i kommunen.", "content"),
    ])
    refine_kinds(segs, genre="strategy")
    assert [s.kind for s in segs] == ["list", "content"]


def test_a_heading_repeated_inside_pages_is_not_a_running_head():
    segs = _paged([
        (1, "Kvalitetsstandard for praktisk hjælp", "heading"),
        (1, "Hvad er formålet med indsatsen?", "heading"),
        (1, "Formålet er at borgeren kan klare sig selv i eget hjem så længe som muligt.",
         "content"),
        (2, "Kvalitetsstandard for madservice", "heading"),
        (2, "Hvad er formålet med indsatsen?", "heading"),
        (2, "Formålet er at borgeren får sund og varieret mad, også når det er svært at lave selv.",
         "content"),
    ])
    refine_kinds(segs, genre="other")
    assert [s.kind for s in segs].count("boilerplate") == 0


# --- toc, structure kept ---------------------------------------------------------------------
def test_dot_leaders_and_agenda_lists_are_toc():
    assert kind("715. Kulturkommune 2017. Politiske fokusområder..........2") == "toc"
    agenda = "Dagsorden\n- Godkendelse af dagsorden\n- Tilskud til frivilligt arbejde\n- Eventuelt"
    assert kind(agenda, structural="list") == "toc"
    run_on = "102. Forlængelse af kontrakt 103. Orientering om statistik 104. Gensidig orientering"
    assert kind(run_on) == "toc"


def test_structural_kinds_are_kept_when_no_rule_fires():
    assert kind("Mål for børn og unge", genre="strategy", structural="heading") == "heading"
    assert kind("Rows | 1", structural="table") == "table"
    assert kind("• Tidlig indsats\n• Barnets stemme", genre="strategy", structural="list") == "list"
    prose = "Vi vil styrke fællesskabet, så alle børn og unge trives i skolen og i fritiden."
    assert kind(prose, genre="strategy") == "content"
    assert kind("   ", genre="strategy") == "content"


# --- refine_kinds: context -------------------------------------------------------------------
def _segments(texts: list[tuple[str, str]], section: str = "5. Tilskud") -> list[Segment]:
    return [Segment(seq=i, page=1, section=section, char_start=0, char_end=len(t), text=t,
                    kind=k) for i, (t, k) in enumerate(texts)]


def test_follow_up_lines_fall_under_the_last_formal_heading():
    segs = _segments([
        ("Beslutning i Udvalget for plan den 10-04-2013\nDer indkaldes til et ekstraordinært møde.",
         "content"),
        ("Grundstrukturen i oplægget foreslås suppleret med eksperimenter.", "content"),
        ("Sagsfremstilling\nUdvalget arbejder nu med mål og handlinger for kulturkommunen.",
         "content"),
        ("Kulturen skal være drivkraft for bosætning og turisme i hele kommunen.", "content"),
    ])
    refine_kinds(segs, genre="minutes")
    assert [s.kind for s in segs] == ["procedure", "procedure", "content", "content"]


def test_meeting_header_lines_between_formalities_and_agenda_runs():
    segs = _segments([
        ("Ekstraordinært PUK\nTorsdag den 20. juni 2013 Kl. 10:30", "heading"),
        ("Kaløvig Kursuscenter", "heading"),
        ("Følle Strand", "heading"),
        ("Medlemmer\nJesper Mathiesen (A) Ole Bjerregaard (V)", "content"),
        ("66. Godkendelse af dagsorden", "heading"),
        ("67. Udvalgsmøde på Lyngparken", "heading"),
        ("68. Muligheder for støtte til demensramte", "heading"),
        ("Strategien skal styrke den tidlige indsats for børn og unge i hele kommunen.",
         "content"),
    ], section=None)
    refine_kinds(segs, genre="minutes")
    assert [s.kind for s in segs] == ["procedure"] * 4 + ["toc"] * 3 + ["content"]


def test_refine_kinds_outside_minutes_leaves_agenda_like_headings_alone():
    segs = _segments([("1. Indledning", "heading"), ("2. Vision", "heading"),
                      ("3. Mål", "heading")], section=None)
    refine_kinds(segs, genre="strategy")
    assert [s.kind for s in segs] == ["heading"] * 3


# --- accuracy over the hand labels -----------------------------------------------------------
@pytest.fixture(scope="module")
def kinds_bench():
    sys.path.insert(0, str(BENCH))
    import kinds as bench  # bench/kinds.py

    return bench


@pytest.fixture(scope="module")
def results(kinds_bench):
    return kinds_bench.kind_results()


def test_labels_are_spread_over_all_kinds_and_parts(kinds_bench):
    labels = kinds_bench.load_labels()
    assert len(labels) >= 350
    counts = {k: sum(r["kind"] == k for r in labels) for k in KINDS}
    assert all(counts[k] > 0 for k in KINDS), counts
    # (boilerplate was 33; the mechanical re-cut of the labels onto segmenter v3 dropped six
    # test-part ones whose passage changed by more than a fifth, see docs/benchmarks.md)
    assert counts["procedure"] >= 30 and counts["boilerplate"] >= 25
    assert {r["part"] for r in labels} == {"tune", "test"}
    split = kinds_bench.realdocs.split()
    assert all(r["part"] == split.get(r["municipality"], "tune") for r in labels)


def test_kind_accuracy_overall_meets_the_target(kinds_bench, results):
    right, total = kinds_bench.accuracy(results)
    assert right / total >= kinds_bench.TARGET_KIND_OVERALL


def test_kind_accuracy_per_kind_does_not_regress(kinds_bench, results):
    per = kinds_bench.per_kind(results)
    floors = {"content": 0.95, "list": 0.9, "table": 1.0, "procedure": 0.83, "heading": 0.7,
              "toc": 0.8, "boilerplate": 0.7}  # measured 2026-11-28, third round (proc 88/103
    # = 0.854, boil 20/27 = 0.741; before it 0.825 and 0.741)
    for k, floor in floors.items():
        right, total = per[k]
        assert right / total >= floor, (k, right, total)


@pytest.mark.xfail(strict=True, reason="below the issue-9 target on the test part: boilerplate "
                   "12/19 (63.2 %); procedure 44/53 (83.0 %), also after session 7's shape rules "
                   "and furniture rules from the blind batch b20 (test overall 93.0 -> 93.2 %; "
                   "dev20 87.7 -> 92.6 %); also after the session-6 furniture "
                   "rules from the blind batch b18 and the model retrained on dev ... dev18 (dev18: "
                   "boilerplate 77.9 % first look, 98.8 % after; test overall 92.7 -> 93.0 %); "
                   "with the kinds model (prose@0.85, session 5; rules alone 39/53 = 73.6 %, boilerplate the same 12/19) - before it: "
                   "procedure 39/53 "
                   "(73.6 %), boilerplate 12/19 (63.2 %) after the fourth round (session 5; 40/53 "
                   "and 12/19 after the third; unchanged after the three rounds from the blind "
                   "batches b12-b14, whose first looks were procedure 71-82 %, boilerplate "
                   "67-75 %); the tune part holds few letterhead/running-head examples (see "
                   "docs/benchmarks.md)")
def test_procedure_and_boilerplate_meet_the_target(kinds_bench, results):
    per = kinds_bench.per_kind(results)
    for k in ("procedure", "boilerplate"):
        right, total = per[k]
        assert right / total >= kinds_bench.TARGET_KIND_FORMAL, (k, right, total)


# --- third round (2026-11-28 session 4): rules from the invented dev set --------------------
def test_a_proposal_inside_prose_is_content_but_the_recommendation_formula_is_procedure():
    prose = ("Aflastningstilbuddet har haft lav belægning i 2023. Forvaltningen foreslår at sænke "
             "taksten med 8 procent fra 1. juli og at tilbyde de ledige pladser til nabokommunerne.")
    assert kind(prose, genre="other") == "content"
    assert kind("Politikken lægger vægt på et selvstændigt liv. Forvaltningen foreslår, at der "
                "hvert år udarbejdes en handleplan, og at Handicaprådet inddrages.") == "content"
    assert kind("Forvaltningen indstiller, at kvalitetsstandarden godkendes.") == "procedure"
    assert kind("Social- og Sundhedsudvalget anbefaler, at planen godkendes.") == "procedure"


@pytest.mark.parametrize("text", [
    "Ældreudvalget godkendte indstillingen.",
    "Handleplanen er godkendt i Social- og Beskæftigelsesudvalget den 14. januar 2025.",
    "Beslutning: Høringssvaret sendes til forvaltningen inden fristen den 20. maj 2024.",
    "Beslutning Sundheds- og Omsorgsudvalget 13-11-2012\nTaget til orientering.",
    "Økonomiudvalgets anbefaling\nØkonomiudvalget anbefaler udvalgets indstilling.",
    "13. Spørgetid for borgerne\nBeslutning\nDer var ingen spørgsmål fra borgerne.",
    "Underskriftsblad\nAnne Holm (A), formand\nLars Bech (V)",
    "Udvalgsmedlemmer: Rikke Sand (A), Torben Ejby (V), Maja Krogh (Ø)",
    "Handicaprådet har haft standarden i høring og har ingen bemærkninger.",
    "Handicaprådet afgiver høringssvar som beskrevet ovenfor.",
    "Referat af møde i Ældrerådet\nOnsdag den 8. maj 2024 kl. 9.30-12.00 i mødelokale 1, "
    "Skovby Rådhus\nTilstede: Inge Bach (formand), Poul Dahl, Grethe Malm\nAfbud: Niels Holt",
    "181. Plan for styrket indsats mod ensomhed\nSag nr.: 22/18277\nSagsbehandler: Henriette "
    "Kjær\nBeslutningsproces: SSU - ØU - BR",
])
def test_more_minutes_formulas_of_the_common_systems(text):
    genre = "strategy" if text.startswith("Handleplanen") else "minutes"
    assert kind(text, genre=genre) == "procedure"


def test_a_formal_sounding_sentence_in_a_strategy_is_not_a_decision():
    assert kind("Udvalget godkendte i 2019 en plan for flere pladser, og den er nu gennemført, så "
                "ventetiden til botilbud er faldet fra 14 til 7 måneder.", genre="strategy") \
        == "content"


def test_colophons_and_press_release_sender_blocks_are_boilerplate():
    colophon = ("Redaktion: Sundhed og Omsorg, Bakkeby Kommune\nGrafisk design: Kommunikation\n"
                "Tryk: Trykkeriet Nord, oplag 500\nISBN: 978-87-99999-12-3")
    assert kind(colophon, genre="strategy", position=1.0) == "boilerplate"
    about = ("Om Skovby Kommune\nSkovby Kommune har 48.000 indbyggere. Læs mere på "
             "www.skovby.dk")
    assert kind(about, genre="news", position=1.0) == "boilerplate"
    # counter-examples: a sentence about layout, and the same block in the middle of a text
    assert kind("Layoutet af byens rum skal indbyde til bevægelse for alle aldre.",
                genre="strategy") == "content"
    assert kind("Om Skovby Kommune kan man sige, at den har mange aktive foreninger, og at de "
                "frivillige bærer en stor del af kulturlivet.", genre="news",
                position=0.5) == "content"


def test_a_sentence_wrapped_over_lines_is_read_as_one():
    wrapped = "Handleplanen er godkendt i Social- og\nBeskæftigelsesudvalget den 14. januar 2025."
    assert kind(wrapped, genre="strategy") == "procedure"
    assert logical_lines(wrapped) == [" ".join(wrapped.split())]
    # a label stays a line of its own, and so do list items and names
    assert logical_lines("Indstilling\nat forslaget godkendes") == ["Indstilling",
                                                                     "at forslaget godkendes"]
    assert len(logical_lines("Vi vil arbejde for at\n- flere får job\n- færre er ensomme")) == 3
    assert kind("Indstilling\nat forslaget godkendes") == "procedure"


def test_a_field_block_run_together_by_the_pdf_reader_is_read_field_by_field():
    block = ("Onsdag den 8. maj 2024 kl. 9.30-12.00 i mødelokale 1, Skovby Rådhus Tilstede: Inge "
             "Bach (formand), Poul Erik Dahl, Grethe Malm, Vagn Sørensen Afbud: Niels Holt")
    assert logical_lines(block)[1:] == [
        "Tilstede: Inge Bach (formand), Poul Erik Dahl, Grethe Malm, Vagn Sørensen",
        "Afbud: Niels Holt"]
    assert kind("Referat af møde i Ældrerådet\n" + block) == "procedure"
    colophon = ("Redaktion: Sundhed og Omsorg, Bakkeby Kommune Grafisk design: Kommunikation Tryk: "
                "Trykkeriet Nord, oplag 500")
    assert kind(colophon, genre="strategy", position=1.0) == "boilerplate"
    assert kind("Beslutning Sundheds- og Omsorgsudvalget 13-11-2012 Taget til orientering.") \
        == "procedure"
    header = ("Sundheds- og Forebyggelsesudvalget Åbent referat Mødedato 04.12.2012 "
              "Mødetidspunkt 13:00 Mødested Rådhuset, mødelokale 1 Fraværende Lone Berg")
    assert len(logical_lines(header)) == 5
    assert kind(header) == "procedure"
    # a colon in prose, or a label word in lower case, splits nothing
    prose = "Rådet har én klar anbefaling til udvalget om tid: flere hold i de små byer."
    assert logical_lines(prose) == [prose]
    assert kind(prose) == "content"


def test_the_dev_set_read_back_from_pdfs(kinds_bench):
    rows = kinds_bench.dev_pdf_results()
    right, total = kinds_bench.accuracy(rows)
    assert total >= 210 and right / total >= 0.9  # measured 211/221 = 0.955 (2026-11-28)


def test_a_minutes_running_head_is_furniture_in_any_genre():
    head = "Social- og Handicapudvalget - Åbent referat - 05.03.2013 - Side 1"
    for genre in ("minutes", "other", None):
        assert kind(head, genre=genre) == "boilerplate", genre
    assert kind("Udvalget fik et referat af mødet med Ældrerådet den 5. marts 2013.",
                genre="other") == "content"


@pytest.mark.parametrize("text", [
    "Der indstilles, at planen godkendes.", "Det anbefales, at Byrådet godkender forslaget.",
    "Sagen har ingen bevillingsmæssige konsekvenser.", "Et enigt udvalg anbefaler indstillingen.",
    "Formanden orienterede om dialogmødet med Handicaprådet.", "O tager forbehold.",
    "Venstre tager forbehold til byrådsbehandlingen.", "Ad 1: Godkendt.",
    "Underskrevet af udvalgets medlemmer.", "Godkendt. Lise Bank (V) var fraværende.",
])
def test_variants_of_minutes_formulas(text):
    assert kind(text) == "procedure"


@pytest.mark.parametrize("text", [
    "Cookieindstillinger", "Skriv til os via Digital Post", "Find vej", "Hop til indhold",
    "Spring over navigation", "Fotograf: Jens Hansen", "Telefontid: Man.-tors. kl. 9-15",
    "Byens Kommune · Torvet 1 · 9999 Byen · Tlf. 12 34 56 78", "Download pdf (2,3 MB)",
    "Hent politikken som pdf", "Har du spørgsmål, er du velkommen til at kontakte os.",
    "Følg os på Facebook", "Sidens indhold er ansvarlig: Social og Sundhed",
])
def test_variants_of_web_and_page_furniture(text):
    assert kind(text, genre="other", position=0.5) == "boilerplate"


@pytest.mark.parametrize("text", [
    "Kommunen vil give borgere med handicap et tilbud tæt på hjemmet, og vi tager forbehold for "
    "de økonomiske rammer i 2026.",
    "Det anbefales i den nationale strategi, at kommunerne arbejder med tidlig opsporing af "
    "ensomhed blandt ældre.",
    "Borgere, der var fraværende fra arbejdsmarkedet i mere end et år, får en fast kontaktperson "
    "i jobcentret, som hjælper med en plan.",
    "Sundhed · Trivsel · Fællesskab",
    "Borgerne kan følge os på vej mod målet gennem de årlige statusrapporter og dialogmøder.",
])
def test_the_same_words_in_substance_stay_content(text):
    for genre in ("strategy", "minutes", "news"):
        assert kind(text, genre=genre, position=0.5) == "content", genre


def test_a_notes_own_advice_is_content_but_the_same_formula_in_minutes_is_procedure():
    advice = ("Forvaltningen anbefaler, at den nye kontrakt deler kommunen i tre områder med hver "
              "sin vognmand, og at borgerne højst må vente 20 minutter på at blive hentet.")
    assert kind(advice, genre="other") == "content"
    assert kind(advice, genre="minutes") == "procedure"
    assert kind("Kirsten Juhl\nVisitator", genre="other", position=1.0) == "boilerplate"


def test_a_case_header_glued_onto_a_notes_first_paragraph_does_not_make_it_procedure():
    text = ("Dato: 7. januar 2013\nSagsnr.: 13/00412\nNOTAT Kørsel til aktivitetscentre\n"
            "Kommunen visiterer i dag 140 borgere til kørsel til aktivitetscentrene. Kørslen udføres "
            "af to vognmænd, og kontrakten udløber til sommer, så en ny aftale skal på plads.")
    assert kind(text, genre="other") == "content"
    assert kind("Dato: 7. januar 2013\nSagsnr.: 13/00412\nSagsbehandler: Kirsten Juhl",
                genre="other") == "procedure"


def test_dot_leaders_win_over_an_agenda_heading():
    assert kind("1. Godkendelse af dagsorden........................................ 1") == "toc"


def test_a_running_head_carried_onto_the_previous_page_is_still_one():
    head = "Sønderhede Kommune | Byrådet | 24-11-2022"
    segs = _paged([
        (1, "Kommunen vil styrke indsatsen mod ensomhed blandt ældre borgere i hele kommunen.",
         "content"),
        (2, head, "heading"),
        (2, "Planen samler de indsatser, som kommunen og foreningerne har, og foreslår nye.",
         "content"),
        (2, "Godkendt.\n" + head, "content"),
        (3, "Fællesspisningen kan begynde i foråret, mens besøgsvennerne kræver frivillige.",
         "content"),
    ])
    refine_kinds(segs, genre="minutes")
    assert segs[1].kind == "boilerplate"
    assert [s.kind for s in segs][2] == "content"


def test_a_cover_page_is_no_running_head():
    segs = _paged([
        (1, "Handicappolitik 2024-2028\nEt liv med muligheder\nNørreå Kommune", "heading"),
        (2, "Med denne politik sætter Byrådet retning for et samfund for alle borgere.",
         "content"),
    ])
    refine_kinds(segs, genre="strategy")
    assert segs[0].kind == "heading"


def test_a_numbered_attachment_after_a_closing_label_is_procedure():
    segs = _paged([
        (1, "Beslutning\nUdvalget besluttede at oprette to nye hold.\nBilag", "content"),
        (1, "1. Høringssvar fra Ældrerådet", "heading"),
        (1, "2. Oversigt over ventelister, september 2023", "content"),
    ])
    for seg, section in zip(segs, ("5. Høringssvar", "1. Høringssvar fra Ældrerådet",
                                   "2. Oversigt over ventelister")):
        seg.section = section
    refine_kinds(segs, genre="minutes")
    assert [s.kind for s in segs] == ["procedure", "procedure", "procedure"]
    # counter-example: the same numbered line after a passage that closes with prose
    segs = _paged([(1, "Udvalget drøftede sagen og besluttede at oprette to nye hold.",
                    "content"), (1, "1. Høringssvar fra Ældrerådet", "heading")])
    refine_kinds(segs, genre="minutes")
    assert segs[1].kind == "heading"


def test_an_item_title_over_its_case_header_is_procedure_even_under_a_running_head():
    assert kind("3 : Opfølgning på udmøntning af Ældrepolitik\nSagsnr: 25-018298\n"
                "Sagsfremstilling") == "procedure"
    assert kind("3. Kvalitetsstandard for praktisk hjælp 2024\nSagsnr.: 27.12.00-G01-2-24\n"
                "Sagsfremstilling\nKvalitetsstandarden beskriver, hvilken hjælp borgere kan få "
                "til rengøring og tøjvask. Forvaltningen foreslår, at rengøring fremover gives "
                "hver anden uge, og at borgere tilbydes et rehabiliterende forløb først.") \
        == "content"


def test_a_substance_passage_cut_mid_sentence_stays_content():
    assert kind("4. Kvalitetsstandarder for støtte 2013\nSagsnr.: 13/2231\nSagsfremstilling\n"
                "Kvalitetsstandarden for socialpædagogisk støtte efter servicelovens") == "content"


@pytest.fixture(scope="module")
def dev(kinds_bench):
    return kinds_bench.dev_results()


def test_the_dev_set_parses_into_labelled_pages(kinds_bench):
    docs = kinds_bench.dev_docs()
    assert len(docs) >= 30
    for doc in docs:
        assert doc.labels and doc.genre in ("strategy", "minutes", "news", "other")
        for page, start, end, label, text in doc.labels:
            assert doc.pages[page - 1].text[start:end] == text


def test_kind_accuracy_on_the_invented_dev_set(kinds_bench, dev):
    kinds = dev[0]
    parts = {r.part for r in kinds}
    assert {"dev", "dev2", "dev3", "dev4", "dev5", "dev7", "dev8", "dev9"} <= parts  # dev6: genre
    right, total = kinds_bench.accuracy(kinds)
    assert total >= 260 and right / total >= 0.93  # measured 265/273 = 0.971 (2026-11-28)
    per = kinds_bench.per_kind(kinds)
    for k in ("procedure", "boilerplate", "content"):
        assert per[k][0] / per[k][1] >= 0.9, (k, per[k])
    # dev7 (b7_*, web furniture and other minutes wordings): first look 78/85, after the fourth
    # round 83/85 (the two misses are passages the segmenter glues from two labels)
    b7 = [r for r in kinds if r.part == "dev7"]
    assert len(b7) >= 80 and kinds_bench.accuracy(b7)[0] / len(b7) >= 0.95
    # dev8 and dev9 (written after the b7 rules): first looks 33/38 and 20/23, then 36/38, 23/23
    b89 = [r for r in kinds if r.part in ("dev8", "dev9")]
    assert len(b89) >= 55 and kinds_bench.accuracy(b89)[0] / len(b89) >= 0.93
    # dev12 (b12_*, written blind to the rules, session 5): first look 125/153 (81.7 %), after
    # the rules of its round 143/153 (the misses: passages the segmenter glues from two labels,
    # a cover title and a contents page cut as prose)
    b12 = [r for r in kinds if r.part == "dev12"]
    assert len(b12) >= 140 and kinds_bench.accuracy(b12)[0] / len(b12) >= 0.9
    # dev13 (b13_*, written after the b12 rules, before its own): first look 40/50, then 48/50
    # dev14 (b14_*, written after the b13 rules): first look 21/26, then 26/26
    b13 = [r for r in kinds if r.part in ("dev13", "dev14")]
    assert len(b13) >= 70 and kinds_bench.accuracy(b13)[0] / len(b13) >= 0.9


# --- synthetic PDFs laid out like a municipal note and an agenda item (whole ingest path) ------
def _draw_pdf(path: Path, pages: list[list[tuple[float, float, str, int]]]) -> None:
    """Each page: (x, y-from-top, text, font size) strings; bold when size >= 12."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for page in pages:
        for x, y, text, size in page:
            c.setFont("Helvetica-Bold" if size >= 12 else "Helvetica", size)
            c.drawString(x, A4[1] - y, text)
        c.showPage()
    c.save()


_BODY = ["Formålet med dette notat er at beskrive, hvordan de afsatte midler til borgere med",
         "kronisk sygdom foreslås fordelt mellem de forebyggende indsatser i det kommende år.",
         "Forvaltningen har vurderet indsatserne ud fra erfaringerne fra de seneste to år."]


def _ingest_like(path: Path):
    from stratcompare.ingest.pdf import extract_pdf
    from stratcompare.ingest.pipeline import _title
    from stratcompare.metadata import detect_years
    from stratcompare.metadata.genre import detect_genre
    from stratcompare.segment import segment_pages

    ex = extract_pdf(path, ocr=False, max_pages=None, max_mb=None)
    title = _title(ex, path)
    genre = detect_genre(title, "\n\n".join(p.text for p in ex.pages[:3]), ex.kind, path.name)[0]
    segs = segment_pages(ex.pages, genre=genre)
    refine_kinds(segs, genre=genre)
    return genre, detect_years([p.text for p in ex.pages], title=title, genre=genre), segs


def test_a_note_pdf_with_letterhead_and_signature(tmp_path):
    page1 = [(60, 90, "NOTAT", 16), (60, 120, "Prioritering af midler til kronisk syge", 12)]
    page1 += [(60, 150 + 14 * i, line, 10) for i, line in enumerate(_BODY)]
    page2 = [(60, 90 + 14 * i, line, 10) for i, line in enumerate(_BODY)]
    page2 += [(60, 160, "Med venlig hilsen", 10), (60, 190, "Anne Hansen", 10),
              (60, 204, "Sundhedschef", 10)]
    letterhead = ["Center for Sundhed og Ældre", "Hovedgaden 7", "9999 Byen",
                  "Telefon 11 22 33 44", "www.byen.dk"]
    page2 += [(60, 760 + 11 * i, line, 8) for i, line in enumerate(letterhead)]
    path = tmp_path / "notat.pdf"
    _draw_pdf(path, [page1, page2])
    genre, years, segs = _ingest_like(path)
    assert genre == "other"
    kinds = {s.text.split("\n")[0][:20]: s.kind for s in segs}
    assert all(s.kind == "content" for s in segs if s.text.startswith("Formålet"))
    assert any(s.kind == "boilerplate" and "Sundhedschef" in s.text for s in segs), kinds
    assert any(s.kind == "boilerplate" and "Telefon" in s.text for s in segs), kinds


def test_an_agenda_item_pdf_keeps_its_text_and_marks_its_formalities(tmp_path):
    lines = [("3. Kvalitetsstandarder for behandling 2013", 12), ("Åben sag", 10),
             ("Sagsnr.: 2012-209267    Dok.nr.: 2012-345829", 10),
             ("Kompetence: Sundhedsudvalget", 10), ("Sagsfremstilling", 12), *((b, 10) for b in _BODY),
             ("", 10), ("Indstilling", 12), ("Direktionen indstiller,", 10),
             ("1. at kvalitetsstandarderne for 2013 godkendes", 10),
             ("2. at standarderne offentliggøres på kommunens hjemmeside", 10),
             ("Beslutning i Sundhedsudvalget den 04.12.2012", 12), ("Godkendt.", 10),
             ("Fraværende: Anne Hansen (A)", 10)]
    head = "Sundhedsudvalget - Åbent referat - 04.12.2012 - Side {}"
    page1 = [(60, 40, head.format(1), 8)] + [(60, 80 + 16 * i, t, size)
                                             for i, (t, size) in enumerate(lines) if t]
    page2 = [(60, 40, head.format(2), 8)] + [(60, 80 + 16 * i, b, 10) for i, b in enumerate(_BODY)]
    path = tmp_path / "punkt.pdf"
    _draw_pdf(path, [page1, page2])
    genre, years, segs = _ingest_like(path)
    assert genre == "minutes"
    # the meeting date stood only in the running head ("... 04.12.2012 - Side 1"), which the page
    # cleaner now removes (the two pages' heads differ only by their number), and in "Beslutning i
    # ... den 04.12.2012", which the years rules do not read as the meeting date: they take the
    # title's 2013 (segmentation helper, issue 9; left to the years rules)
    assert years.year in (2012, 2013)
    # (page 1's item text; page 2's filler text after the decision is no longer glued onto the
    # decision block by the segmenter, and falls under "Beslutning" as the item's last heading)
    body = [s for s in segs if "Forvaltningen har vurderet" in s.text and s.page == 1]
    assert body and all(s.kind == "content" for s in body)  # case header glued on: still text
    # the "Indstilling" label now leads the recommendation and its items (it was glued above)
    formal = [s.kind for s in segs if s.text.startswith("Indstilling\nDirektionen indstiller,\n"
                                                        "1. at kvalitetsstandarderne")]
    assert formal == ["procedure"]
    heads = [s for s in segs if s.text.strip() == head.format(1)]
    assert all(s.kind == "boilerplate" for s in heads)


# --- fourth round (session 5): rules from the dev batch b7 (web furniture, minutes wordings) ----
def test_share_words_in_a_sentence_are_content():
    text = ("Vi vil dele erfaringerne fra projektet på Facebook og LinkedIn, så andre kommuner "
            "kan bruge dem i deres arbejde med unge hjemløse.")
    assert kind(text, genre="strategy") == "content"


def test_a_question_heading_with_prose_under_it_is_not_a_feedback_widget():
    text = ("Hvem kan få hjælp?\nDu kan få hjælp, hvis din funktionsevne er varigt nedsat, og "
            "hjælpen i væsentlig grad kan lette din hverdag.")
    assert kind(text, genre="other") == "content"
    # and a heading "Sprog" in a day-care policy is no language selector
    assert kind("Sprog\nBørn skal møde et rigt sprogmiljø i alle dagtilbud, hvor de voksne "
                "taler med dem om det, de oplever.", genre="strategy") == "content"


def test_a_contact_sentence_is_boilerplate_but_a_policy_on_contact_is_content():
    assert kind("Spørgsmål til ydelserne kan rettes til Visitationen på telefon 55 66 77 88.",
                genre="other") == "boilerplate"
    policy = ("Borgere i hjemløshed skal kunne kontakte kommunen døgnet rundt. Derfor åbner vi "
              "i 2025 en fælles telefonlinje, og vi ringer selv borgerne op, hvis en aftale "
              "bliver aflyst. Henvendelser via Digital Post skal besvares inden for fem hverdage.")
    assert kind(policy, genre="strategy") == "content"


def test_a_how_to_apply_paragraph_with_the_contact_box_glued_under_it_stays_content():
    text = ("Sådan søger du\nDu søger digitalt via kommunens hjemmeside. Har du ikke digital post, "
            "kan du ringe til Hjælpemiddelteamet og få hjælp til at søge om det, du har brug for.\n"
            "Hjælpemiddelteamet\nTelefon 44 55 66 77\nTelefontid mandag-fredag kl. 8-12")
    assert kind(text, genre="other") == "content"
    # the contact box alone is still furniture
    assert kind("Hjælpemiddelteamet\nTelefon 44 55 66 77\nTelefontid mandag-fredag kl. 8-12",
                genre="other") == "boilerplate"


def test_a_link_list_cut_from_its_label_is_boilerplate_but_a_list_after_prose_is_not():
    segs = _segments([("Klagevejledning\nEr du uenig i afgørelsen, kan du klage til "
                       "Ankestyrelsen inden fire uger.\nLæs mere om", "content"),
                      ("Hjælpemidler på borger.dk\nForbrugsgoder og boligindretning", "content"),
                      ("Politikken har tre mål:\nFlere i job\nFærre på herberg", "content"),
                      ("Flere i job\nFærre på herberg\nBedre boliger", "content")], section=None)
    refine_kinds(segs, genre="other")
    # (the goals under "Politikken har tre mål:" are a list without bullets: session 7's shape
    # rule; the point here is that neither is furniture)
    assert [s.kind for s in segs] == ["content", "boilerplate", "list", "content"]


def test_a_leaders_signature_under_a_foreword_is_boilerplate_anywhere_but_attendance_in_minutes():
    assert kind("Hanne Vestergaard\nBorgmester", genre="strategy", position=0.4) == "boilerplate"
    assert kind("Hanne Vestergaard\nBorgmester", genre="minutes", position=0.4) != "boilerplate"
    # a heading that names a role is not a signature
    assert kind("Borgmesterens forord", genre="strategy", position=0.4) == "content"


def test_compound_committee_outcomes_and_previous_decisions_are_procedure():
    assert kind("Tidligere beslutninger\nSocial- og Sundhedsudvalget godkendte den 4. december "
                "2024 at sende udkastet i høring.") == "procedure"
    assert kind("Protokollat\nEnhedslisten kan ikke tiltræde strategien, da den ikke afsætter "
                "nye midler til botilbud.") == "procedure"
    # the same words in a policy's history are not minutes
    assert kind("Social- og Sundhedsudvalget godkendte i 2024 en ny model for rehabilitering, "
                "hvor alle nye borgere i hjemmeplejen får et forløb på op til tolv uger, før der "
                "visiteres til varig hjælp.", genre="strategy") == "content"


def test_recommendation_items_under_the_formula_are_procedure_whatever_their_verb():
    text = ("Direktionen indstiller, at:\n1. at der arbejdes videre med en model for fælles "
            "visitation på tværs af børne- og voksenområdet, som beskrevet i sagen,\n"
            "2. at modellen evalueres efter et år, og at resultatet forelægges udvalget, "
            "så udvalget kan tage stilling til, om den skal gøres permanent.")
    assert kind(text) == "procedure"
    # "at"-clauses in prose stay prose
    prose = ("Forvaltningen har undersøgt, hvordan visitationen kan samles. Undersøgelsen viser, "
             "at der er store forskelle mellem områderne,\nat borgerne oplever lange ventetider, "
             "og at mange sager skifter sagsbehandler undervejs, hvilket gør forløbene længere.")
    assert kind(prose) == "content"


def test_a_report_recommends_as_substance_but_minutes_recommend_as_formula():
    text = ("Anbefalinger\nTilsynet anbefaler, at\n- bostedet dokumenterer de pædagogiske mål\n"
            "- medarbejderne får et kursus i medicinhåndtering")
    assert kind(text, genre="other", structural="list") == "list"
    assert kind("Forvaltningen anbefaler,\nat orienteringen tages til efterretning.") == "procedure"


def test_a_resume_that_states_the_case_is_content_but_one_that_names_the_presenter_is_not():
    assert kind("10Beslutning om tilskud til frivilligt socialt arbejde 2025\nResume\nMed denne "
                "sag skal udvalget træffe beslutning om fordelingen af §18-puljen for 2025.") \
        == "content"
    assert kind("Sagsresumé\nMed denne sag skal udvalget fordele 1,4 mio. kr. fra puljen til "
                "frivilligt socialt arbejde.") == "content"
    assert kind("7. Orientering om demensindsatsen\nResume\nDemenskoordinator Lone Bech deltager "
                "under punktet og orienterer om status.\nBeslutning\nTaget til efterretning.") \
        == "procedure"
    # without the résumé heading the formula is still the item's formula
    assert kind("Med denne sag skal udvalget træffe beslutning om fordelingen af puljen.") \
        == "procedure"


def test_supervision_report_fields_are_procedure():
    text = ("Tilsynsrapport – Bostedet Lærkevang\nTilsynsbesøg: 3. oktober 2023 Rapportdato: 20. "
            "oktober 2023 Tilsynsførende: Mette Holm og Lars Bech")
    assert kind(text, genre="other") == "procedure"


def test_a_letterhead_with_a_bare_street_word_is_boilerplate_at_the_start_only():
    head = "Havbjerg Kommune\nSundhed og Omsorg\nTorvet 3\n8899 Havbjerg"
    assert kind(head, genre="other", position=0.0) == "boilerplate"
    assert kind("Torvet 3", genre="other", position=0.5) == "content"


def test_an_agendas_cover_block_is_no_contents_but_its_item_list_is():
    cover = ("Dagsorden\nÆldrerådet\nOnsdag den 2. april 2025 kl. 9.30\nMødelokale 4, Bakkeby "
             "Rådhus\nIkke til stede: Grethe Holm")
    assert kind(cover) == "procedure"
    items = ("Dagsorden\n1. Godkendelse af dagsorden\n2. Høring om serviceniveau for rengøring\n"
             "3. Eventuelt")
    assert kind(items) == "toc"


def test_a_proposal_told_under_the_case_summary_is_content_but_the_recommendation_is_not():
    text = ("Sagen i kort form\nForvaltningen foreslår, at rengøring i hjemmeplejen fremover gives "
            "hver tredje uge i stedet for hver anden uge, og at borgere med særlige behov fortsat "
            "kan få hjælp hver anden uge.")
    assert kind(text) == "content"
    assert kind("Indstilling\nForvaltningen foreslår, at Ældrerådet afgiver høringssvar.") \
        == "procedure"


def test_a_foreword_signed_by_two_is_boilerplate_outside_minutes():
    text = "Karen Lund\nBorgmester\nOle Vinter\nFormand for Ældrerådet"
    assert kind(text, genre="strategy", position=0.3) == "boilerplate"
    assert kind(text, genre="minutes", position=0.3) != "boilerplate"
    # a chair's task told in prose is content
    assert kind("Formanden for Ældrerådet deltager i styregruppen for politikken og sikrer, at "
                "rådets forslag bliver behandlet.", genre="strategy", position=0.3) == "content"


def test_project_fields_from_a_two_column_table_are_procedure_but_prose_about_the_project_is_not():
    text = ("Projektbeskrivelse\nTidlig opsporing af underernæring hos ældre\nProjektnavn\tTidlig "
            "opsporing af underernæring\nProjektejer\tCenter for Sundhed og Omsorg\nTovholder\tLise "
            "Winther, klinisk diætist\nProjektperiode\t1. marts 2013 - 28. februar 2015")
    assert kind(text, genre="other") == "procedure"
    assert kind("Projektperioden er forlænget til 2015, fordi rekrutteringen af diætister tog "
                "længere tid end ventet.", genre="other") == "content"


def test_a_letters_dateline_footer_and_download_link_are_boilerplate():
    assert kind("Skovby, den 9. september 2024", genre="other", position=0.2) == "boilerplate"
    assert kind("Lyngdal Kommune - Kvalitetsstandard for praktisk hjælp 2014 - Side 1",
                genre="other", position=0.5) == "boilerplate"
    assert kind("Ansøgningsskema (pdf)", genre="other", position=0.5) == "boilerplate"
    # a sentence that names a page or a date is prose
    assert kind("Skovby Kommune har siden den 9. september 2024 tilbudt alle pårørende en fast "
                "kontaktperson, som beskrevet på side 4.", genre="other") == "content"


def test_a_council_describing_its_hearing_work_is_content_but_a_hearing_outcome_in_minutes_is_not():
    text = ("Rådets opgaver\nRådet afgiver høringssvar til politikker, budgetter og "
            "kvalitetsstandarder, og det kan selv tage emner op.")
    assert kind(text, genre="other") == "content"
    assert kind("Handicaprådet har haft standarden i høring og har ingen bemærkninger.") \
        == "procedure"


@pytest.mark.parametrize("text", ["Tidlig indsats", "Tidlig opsporing af mistrivsel",
                                  "Stedet hvor vi mødes", "Datoen for evalueringen",
                                  "Bilagt ansøgning"])
def test_headings_that_begin_like_a_header_label_stay_headings(text):
    # "Tid:", "Sted:", "Dato:", "Bilag" are labels; "Tidlig indsats" is a policy heading
    for genre in ("strategy", "minutes"):
        assert kind(text, genre=genre, structural="heading", position=0.5) == "heading"
    assert kind("Tid: kl. 16.00-18.00") == "procedure"


@pytest.mark.parametrize("text", [
    "Beslutning (Social- og Sundhedsudvalget, 12.03.2025)\nGodkendt.",
    "Anbefalingen blev fulgt.",
    "Fremmødte:\nAnne Holm\nJens Bro",
    "Mødet blev ledet af næstformand Jens Bro.",
    "Økonomiudvalget den 5. marts 2025:\nAnbefales.",
    "Byrådet 26.03.2025:\nGodkendt.",
    "Tiltrådt af Økonomiudvalget den 5. marts 2025.",
    "Pkt. 4 Eventuelt",
    "Punkt 3: Meddelelser fra formanden",
    "Høringsparter:\nHandicaprådet\nÆldrerådet",
    "Orientering taget til efterretning.",
    "Ingen bemærkninger til dagsordenen.",
    "Medlemmer af udvalget:\nAnne Holm (A), formand\nJens Bro (V)",
    # session 5, blind batches b12-b14: how an item came, went on and how the meeting ran
    "Høringsmaterialet var udsendt med dagsordenen.", "Punktet var sat på af Lene Bach.",
    "Forvaltningen undersøger sagen og vender tilbage på næste møde.",
    "Pkt. 3 Anlægsbudget 2026-2029 - første drøftelse\nSagen blev behandlet sammen med pkt. 2.",
    "Punkt 1: Velkomst\nFormanden bød velkommen, særligt til rådets nye medlem Svend Aage Bøg.",
    "Punkt 2: Nyt fra kommunen\nÆldrechef Kirsten Dahl deltog under punktet.",
])
def test_other_systems_wordings_of_formalities_are_procedure(text):
    assert kind(text) == "procedure"


def test_a_committee_and_date_without_den_or_colon_is_no_decision_heading():
    # the running head of an exported agenda item, not "Økonomiudvalget den 5. marts 2025:"
    assert kind("Ældreudvalget 05.09.2023\nSagen drejer sig om en ny model for hjemmeplejen, "
                "hvor borgerne selv kan vælge tidspunktet for hjælpen inden for et tidsrum.") \
        == "content"


@pytest.mark.parametrize("text", [
    # share bars, language selectors, in-page menus, feedback widgets (b7)
    "Del denne side: Facebook LinkedIn Mail Print", "Del: Facebook, LinkedIn, X, E-mail",
    "Vælg sprog\nEnglish\nPolski\nУкраїнська",
    "På denne side\nHvem kan få hjælpemidler\nSådan søger du\nKlagevejledning",
    "Fandt du det, du søgte?\nJa\nNej", "Var siden nyttig?\nJa Nej",
    # the probe list's wordings
    "Se dagsorden og referat", "Åbningstider i dag: 8-15", "Printvenlig version",
    "Tekststørrelse", "Mere om emnet", "Klik for at læse mere", "Skriv til Borgerservice",
    "Du kan også kontakte os på 72 36 36 36 eller via Digital Post.",
    "Besøgsadresse: Rådhustorvet 1, 7760 Egebæk", "Hovedindhold", "Vis kort", "Kort nyt",
    "Udgivet 12. marts 2025", "Tidligere nyheder", "Seneste nyheder", "Annonce", "2 af 5",
])
def test_other_cms_furniture_is_boilerplate(text):
    assert kind(text, genre="other", position=0.5) == "boilerplate"


def test_contact_and_news_words_in_prose_stay_content():
    for text in ("Borgerne skal kunne skrive til kommunen på deres eget sprog, og vi vil svare "
                 "inden for fem hverdage.",
                 "Seneste nyheder om ventetider viser, at flere borgere får hjælp til tiden, men "
                 "der er stadig lang ventetid på genoptræning.",
                 "Du kan kontakte din kontaktperson, når du har brug for hjælp til at forstå "
                 "breve fra kommunen eller fra andre myndigheder."):
        assert kind(text, genre="other", position=0.5) == "content"


def test_a_link_to_the_agenda_and_marked_attachments():
    assert kind("Læs dagsordenen for Byrådets møde den 28. maj 2025\nKontakt\nUdvalgsformand "
                "Marianne Kjær", genre="news", structural="heading") == "boilerplate"
    assert kind("2. Budget for udvidet åbningstid (Åben)", structural="heading") == "procedure"
    # reading the agenda told in a sentence, and a bracket in prose, are text
    assert kind("Læs dagsordenen grundigt, før du møder op, så du kan stille spørgsmål til de "
                "punkter, der optager dig mest.", genre="news") == "content"
    assert kind("Værestedet holder åbent hele sommeren, også i juli (åben)",
                genre="news") == "content"


def test_one_sentence_counts_under_a_resume_but_not_under_sagsfremstilling():
    header = "4. Kvalitetsstandarder 2013\nSagsnr.: 12/4411\nDok.nr.: 12/4411-3\nSagsbehandler: Anne Bo\n"
    assert kind(header + "Resume\nStandarderne for hjemmeplejen revideres med nye tider for "
                "rengøring.") == "content"
    # under "Sagsfremstilling" a case header with one short sentence stays the case header
    # (the tune labels' convention: 25 words of prose make the item text)
    assert kind(header + "Sagsfremstilling\nStandarderne for hjemmeplejen revideres med nye "
                "tider for rengøring.") == "procedure"


@pytest.mark.parametrize("text", [
    "Punkt 5 - Godkendelse af referat",
    "Udvalg: Socialudvalget\nMødedato: 03.04.2025\nMødetid: 16:00 - 18:00",
    "Sagen blev sendt tilbage til forvaltningen.",
    "For stemte: A, F og Ø (6)\nImod stemte: V og O (3)",
    "Øvrige deltagere: Centerchef Per Lund", "Gæster: Anne Holm, Ældresagen",
    "Behandlingsforløb: Socialudvalget 3. april 2025, Økonomiudvalget 10. april 2025, Byrådet "
    "24. april 2025",
    "Referatet blev oplæst og godkendt.", "Sagen er til orientering.",
    "Udvalget orienteres om status på projektet.",
])
def test_web_minutes_systems_wordings_are_procedure(text):
    assert kind(text) == "procedure"


@pytest.mark.parametrize("text", [
    "Deltagere i projektet får en fast kontaktperson og et forløb på op til et år.",
    "Til stede i alle klubber er en voksen, som de unge kender.",
    "Bilag 1 viser, at udgifterne er steget mest på botilbudsområdet.",
    "Afbud fra borgere til aftaler koster kommunen mange timer om året, så vi vil sende "
    "påmindelser via sms.",
])
def test_attendance_and_attachment_words_opening_a_policy_sentence_are_content(text):
    assert kind(text, genre="strategy", position=0.5) == "content"
    # outside minutes the label form still counts
    assert kind("Deltagere: Anne Holm, Jens Bro, Mia Friis", genre="other") == "procedure"


def test_meeting_logistics_are_procedure_in_minutes_only():
    text = ("67. Udvalgsmøde på Lyngbo\nUdvalgsmøde på Lyngbo\nSagsfremstilling\nUdvalgets møde den "
            "15. maj afholdes på Plejecentret Lyngbo, Lyngvej 1. Mødet vil starte med et oplæg og en "
            "rundvisning i centret.\nRetsgrundlag\nIngen\nØkonomi\nIngen")
    assert kind(text) == "procedure"
    # a case told under Sagsfremstilling is still content
    assert kind("Sagsfremstilling\nPlejecentret Lyngbo har i 2024 haft 12 ledige boliger i gennemsnit, "
                "og forvaltningen foreslår derfor at omdanne en afdeling til aflastningspladser for "
                "borgere, der udskrives fra sygehuset.") == "content"
    # a policy telling about its dialogue meetings is prose
    assert kind("Udvalgets møde med borgerne afholdes hvert år i foråret, hvor alle kan komme med "
                "forslag til næste års handleplan.", genre="strategy") == "content"


def test_document_control_fields_of_a_standard_are_procedure_but_its_text_is_not():
    for text in ("Ikrafttræden: 1. maj 2025", "Revideret: april 2025",
                 "Ansvarlig for revision: Visitationen", "Version 2.1 - april 2025"):
        assert kind(text, genre="other", position=0.5) == "procedure", text
    assert kind("Versionen af standarden fra 2023 gav ikke borgerne ret til at vælge leverandør, "
                "det gør den nye.", genre="other", position=0.5) == "content"
    assert kind("Revideret udgave af planen indeholder nye mål for 2026.", genre="strategy") \
        == "content"


# --- session 5: rules from a dev batch written blind to the rules (b12_*) ----------------------
def test_a_closed_item_is_procedure_but_a_closed_service_is_not():
    assert kind("Sagen er lukket jf. forvaltningslovens regler om tavshedspligt.") == "procedure"
    assert kind("Punkt 125. Købsaftale vedrørende ejendom - lukket punkt",
                structural="heading") == "procedure"
    assert kind("Botilbuddet Engbo blev lukket i 2023, og de 12 beboere flyttede til nye boliger "
                "i Vestbyen.") == "content"


def test_an_item_printed_alone_names_its_meeting_but_an_excerpt_of_answers_is_text():
    assert kind("Strandå Kommune\nSocial- og Beskæftigelsesudvalget\n"
                "Dagsordenspunkt til mødet den 12-02-2025", position=0.0) == "procedure"
    assert kind("Udskrift af beslutningsprotokol for Byrådets møde den 24. juni 2025",
                genre="other") == "procedure"
    assert kind("Uddrag af borgernes svar viser, at de fleste er tilfredse med hjælpen.",
                genre="other") == "content"


def test_hearing_letters_formalities_are_procedure_but_what_the_parties_said_is_not():
    assert kind("Høringsparter:\nHandicaprådet\nÆldrerådet\nDH Vesterbjerg", genre="other",
                position=0.5) == "procedure"
    assert kind("Ældrerådet har behandlet forslaget på sit møde den 24. april 2025 og afgiver "
                "hermed følgende høringssvar.", genre="other", position=0.5) == "procedure"
    assert kind("Udvalget besluttede at sende forslaget til politik i høring.",
                genre="other", position=0.5) == "procedure"
    assert kind("Høringsparterne var enige om, at politikken skal have flere konkrete mål.",
                genre="other", position=0.5) == "content"
    assert kind("Rådet afgiver høringssvar på alle sager, der handler om ældre borgere.",
                genre="other", position=0.5) == "content"
    # a news lead that a draft was sent out is the news (past tense, dev6 b6_18)
    assert kind("Byrådet har sendt et udkast til en ny handicappolitik i høring.",
                genre="news", position=0.5) == "content"


def test_follow_up_words_in_a_policy_stay_content():
    assert kind("Forvaltningen vender tilbage til borgeren inden for fem hverdage efter det "
                "første møde.", genre="strategy", position=0.5) == "content"
    assert kind("Materialet er udsendt til alle plejecentre, så medarbejderne kan bruge det i "
                "hverdagen.", genre="strategy", position=0.5) == "content"


@pytest.mark.parametrize("text", [
    "Kære høringspart",
    "Ældrerådet ser frem til at følge det videre arbejde og står gerne til rådighed for en "
    "uddybning af høringssvaret.",
    "Nyhed · 14. oktober 2025\nDel Print",
    "Få nyheder fra Ålykke Kommune\nTilmeld nyhedsbrev",
    "Mere fra Byrådet\nBudget 2026 sendt til første behandling\nNy formand for Ældrerådet",
    "Kolofon\nUdgivet af Hedelund Kommune, Social og Sundhed, juni 2025",
    "Om hjemmesiden · Tilgængelighedserklæring · Behandling af personoplysninger",
    "Tillad alle\nTillad kun nødvendige",
    "Borger Erhverv Politik Job",
    "Søg støtte i eget hjem\nLog på med MitID",
])
def test_more_web_and_letter_furniture_is_boilerplate(text):
    assert kind(text, genre="news" if "Nyhed" in text else "other", position=0.5) \
        == "boilerplate"


def test_prose_with_the_furniture_words_stays_content():
    for text in ("Medarbejderne står til rådighed for borgerne hele døgnet på alle botilbud.",
                 "Søg om støtte, hvis du har brug for hjælp. Du logger på med MitID og kan "
                 "derefter følge din sag.",
                 "Mere fra os alle kræver, at vi arbejder sammen om de udsatte borgere."):
        assert kind(text, genre="other", position=0.5) == "content", text
    assert kind("Print referat", position=0.5) == "boilerplate"


def test_an_economy_or_legal_section_in_sentences_is_content_but_its_formula_is_not():
    assert kind("Økonomi\nStrategien finansieres inden for den eksisterende ramme og med 3,2 mio. "
                "kr. fra budgetaftalen for 2026. Driften af boligerne koster 1,1 mio. kr. om "
                "året.") == "content"
    assert kind("Retsgrundlag\nKommunen har efter servicelovens § 101 pligt til at tilbyde "
                "behandling for rusmiddelproblemer senest 14 dage efter henvendelsen.") \
        == "content"
    assert kind("Økonomi\nUdgiften afholdes inden for udvalgets ramme.") == "procedure"
    assert kind("Lovgrundlag\nIngen bemærkninger.") == "procedure"
    assert kind("Økonomi\nIngen.") == "procedure"


def test_a_one_line_resume_states_the_case_whatever_formula_ends_it():
    assert kind("Resumé\nSocial- og Sundhedsudvalget har udarbejdet et katalog med forslag til "
                "besparelser på 6,5 mio. kr. på ældreområdet i 2015. Ældrerådet skal afgive "
                "høringssvar.") == "content"
    assert kind("Resumé\nÆldrerådet skal afgive høringssvar.") == "procedure"


def test_a_heading_after_a_button_is_no_link_list():
    segs = _segments([("Søg støtte i eget hjem\nLog på med MitID", "content"),
                      ("Hvis du er uenig i afgørelsen", "content"),
                      ("Du kan klage over afgørelsen inden fire uger efter, at du har modtaget "
                       "den.", "content")], section=None)
    refine_kinds(segs, genre="other")
    # (the clause alone is a heading by session 7's shape rule; the point: no furniture)
    assert [s.kind for s in segs] == ["boilerplate", "heading", "content"]
    # after a real links label the short lines are its links
    segs = _segments([("Vi hjælper dig gerne videre, hvis du har spørgsmål.\nLæs også", "content"),
                      ("Botilbud\nLedsageordning", "content")], section=None)
    refine_kinds(segs, genre="other")
    assert segs[1].kind == "boilerplate"


def test_a_letterhead_with_postcode_and_web_address_is_boilerplate_at_the_start():
    head = ("Vesterbjerg Kommune\nSocial og Sundhed\nHandicap og Psykiatri\nStoregade 12\n"
            "6630 Vesterbjerg\nwww.vesterbjerg.dk")
    assert kind(head, genre="other", position=0.0) == "boilerplate"


def test_a_title_over_formalities_of_one_kind_takes_their_kind_but_a_cover_title_does_not():
    assert kind("Nyt værested for unge åbner i Ålykke\nNyhed · 14. oktober 2025\nDel Print",
                genre="news", position=0.1) == "boilerplate"
    assert kind("Ældrepolitik 2024-2028\nVedtaget af Byrådet den 29. januar 2024.",
                genre="strategy", position=0.5) == "procedure"
    assert kind("Strategi for socialt udsatte 2023-2027\nNørreå Kommune", genre="strategy",
                position=0.0, structural="heading") == "heading"
    # a title over prose is the prose's
    assert kind("Nyt værested for unge\nFra 1. november får unge med psykisk sårbarhed et nyt "
                "sted at mødes.", genre="news", position=0.1) == "content"


# --- session 5: rules from the batch written after them (b13_*) --------------------------------
def test_other_decision_and_closing_wordings_are_procedure():
    assert kind("Beslutningens indhold\nUdvalget anbefaler planen. Sagen sendes videre til "
                "Økonomiudvalget og Byrådet.") == "procedure"
    assert kind("44. Eventuelt\nIntet.\nProtokollen er godkendt af udvalgets medlemmer.\n"
                "Ida Kornum, formand") == "procedure"
    assert kind("Referatet godkendes på næste møde.") == "procedure"
    assert kind("Referatet af borgermødet viser, at mange ønsker flere aktiviteter om aftenen.",
                genre="strategy", position=0.5) == "content"


def test_a_thanks_for_the_hearing_alone_is_procedure_but_not_with_a_view_after_it():
    assert kind("Handicaprådet takker for muligheden for at afgive høringssvar til udkastet, som "
                "rådet har drøftet på sit møde den 12. august 2025.", genre="other",
                position=0.5) == "procedure"
    assert kind("Ældrerådet takker for muligheden for at afgive høringssvar til udkastet til "
                "Ældrepolitik 2024-2028. Rådet finder, at politikken har en god og tydelig vision.",
                genre="other", position=0.5) == "content"


@pytest.mark.parametrize("text", [
    "Foto: Kragholm Kommune. Billedtekst: Bostøttemedarbejder Jonas Brix på besøg hos en af de "
    "unge.",
    "Tags: Socialområdet, Unge, Bolig\nDel på Facebook | Del på LinkedIn | Send som mail",
    "Udgivet: Kragholm Kommune, september 2025\nTryk: Kragholm Tryk\nFotos: Lars Bom\n"
    "Planen kan hentes på kragholm.dk/psykiatriplan",
    "Rådet uddyber gerne sine bemærkninger, hvis udvalget ønsker det.",
    "Borgerservice har åbent mandag-fredag kl. 10-14",
])
def test_credits_share_bars_colophons_and_opening_hours_in_other_wordings_are_boilerplate(text):
    assert kind(text, genre="other", position=0.5) == "boilerplate"


def test_an_address_line_with_the_municipality_is_a_footer_at_the_end_only():
    footer = ("Kragholm Kommune, Rådhuspladsen 4, 9700 Kragholm\n"
              "Borgerservice har åbent mandag-fredag kl. 10-14")
    assert kind(footer, genre="news", position=1.0) == "boilerplate"
    assert kind("Det nye sundhedshus på Rådhuspladsen 4 i 9700 Kragholm samler genoptræning, "
                "hjemmesygepleje og rådgivning under ét tag fra næste år.", genre="news",
                position=1.0) == "content"


# --- session 5: rules from the batch written after the b13 rules (b14_*) -----------------------
def test_welcome_and_together_in_prose_stay_content():
    assert kind("Borgmesteren bød velkommen til de nye borgere i kommunen ved et arrangement på "
                "rådhuset, hvor foreningerne præsenterede sig.", genre="news",
                position=0.5) == "content"
    assert kind("Sagen blev behandlet sammen med borgeren og hendes pårørende, så alle kendte "
                "planen for udskrivningen.", genre="other", position=0.5) == "content"


def test_a_cover_approval_without_den_and_press_release_furniture():
    assert kind("Handleplan mod ensomhed 2025\nEgeskov Kommune\nGodkendt i Social- og "
                "Sundhedsudvalget 3. februar 2025\nDokumentnummer: 2025-014433",
                genre="strategy", position=0.0) == "procedure"
    assert kind("PRESSEMEDDELELSE\nEgeskov, 2. oktober 2025\nMå ikke offentliggøres før torsdag "
                "den 2. oktober kl. 12.00", genre="news", position=0.0) == "boilerplate"
    assert kind("Til redaktionen\n###", genre="news", position=0.9) == "boilerplate"
    # a plan approved with a date inside a sentence about what it does stays content
    assert kind("Planen blev godkendt i Social- og Sundhedsudvalget 3. februar 2025 og giver "
                "fire nye spisefællesskaber, 60 besøgsvenner og en ungegruppe på biblioteket i "
                "løbet af året.", genre="strategy", position=0.5) == "content"
