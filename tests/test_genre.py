"""Document genre (stratcompare.metadata.genre): cue families, confidence, the data file, and
accuracy on every real document of corpus/real/."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from stratcompare.metadata.genre import GENRES, detect_genre, genre_scores

BENCH = Path(__file__).resolve().parent.parent / "bench"

MINUTES = """Referat
onsdag den 6. juni 2018 kl. 14:15
Mødested Multisalen/rådhuset
Fraværende Charlotte Lomholdt
1. Godkendelse af dagsorden
Indstilling
Direktøren indstiller, at dagsordenen godkendes.
Beslutning i Handicaprådet den 06-06-2018
Godkendt."""

NEWS = """Byrådet har på byrådsmødet 28. marts 2023 godkendt en ny socialpolitik, som gælder fra
2023-2026.
- Det er en god dag for borgerne, siger formanden for Socialudvalget.
Borgermødet i januar samlede 80 borgere, som fortalte om deres ønsker."""

STRATEGY = """Handicappolitik 2024-2027
Vi vil skabe et samfund, hvor alle kan deltage. Politikken har fire indsatsområder.
Målsætninger: Flere i job, bedre tilgængelighed.
Vi vil styrke samarbejdet med civilsamfundet."""

SERVICE = """Har du et fysisk eller psykisk handicap, kan Rådgiverteamet tilbyde råd og vejledning.
Du kan kontakte os i telefontiden. Hvem kan få hjælp? Tilbuddet henvender sig til voksne."""


# Synthetic documents laid out as Danish municipal notes, agenda items and quality standards are
# (not copied from the corpus): the genre definitions of issue 9 make notes and quality
# standards "other" (they describe a case or a service and set no policy).
NOTE = """Center for Sundhed og Ældre
Hovedgaden 7
9999 Byen
Telefon 11 22 33 44
NOTAT
Dato: 12. november 2012
Sagsnr.: 2012-12345
Sagsbehandler: Anne Hansen
Direkte tlf.: 11 22 33 55
Vedr.: Prioritering af midler til kronisk syge borgere
Formålet med dette notat er at beskrive, hvordan midlerne foreslås fordelt mellem indsatserne.
Forvaltningen foreslår en handleplan for hverdagsrehabilitering."""

AGENDA_ITEM = """Handleplan for demensområdet 2013-2016
Sagsnr.: 12/27845
Sagsfremstilling
Forvaltningen har udarbejdet en handleplan for demensområdet. Vi vil styrke indsatsen.
Indstilling
Direktøren indstiller, at handleplanen godkendes.
Beslutning i Social- og Sundhedsudvalget den 04-12-2012
Godkendt."""

QUALITY_STANDARD = """Kvalitetsstandard for behandling af stofmisbrug 2013
Lovgrundlag: Servicelovens § 101
Hvem kan få hjælp? Borgere over 18 år med et stofmisbrug.
Målsætning: Vi vil hjælpe borgeren til et liv uden misbrug."""


@pytest.mark.parametrize(("title", "text", "expected"), [
    ("Prioritering af midler", NOTE, "other"),
    ("Handleplan for demensområdet 2013-2016", AGENDA_ITEM, "minutes"),
    ("Kvalitetsstandard for behandling af stofmisbrug 2013", QUALITY_STANDARD, "other"),
    (None, QUALITY_STANDARD, "other"),
])
def test_notes_agenda_items_and_quality_standards(title, text, expected):
    assert detect_genre(title, text, "pdf", "x.pdf")[0] == expected


def test_a_note_header_is_what_makes_a_note_other():
    body = NOTE.split("NOTAT\n", 1)[1]
    assert genre_scores("Prioritering af midler", NOTE)["other"] \
        > genre_scores("Prioritering af midler", body.replace("Vedr.:", "Om"))["other"] + 4


def test_every_cue_has_a_reason_and_compiles():
    path = resources.files("stratcompare") / "data" / "lang" / "da" / "genre.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert len(data["cue"]) >= 15
    for cue in data["cue"]:
        assert cue["genre"] in GENRES and cue["where"] in ("title", "text", "head", "filename")
        assert len(cue["why"]) > 15
        re.compile(cue["pattern"])


@pytest.mark.parametrize(("title", "text", "filename", "expected"), [
    ("Referat", MINUTES, "referat-2018.txt", "minutes"),
    ("Handicaprådet", MINUTES, "x.pdf", "minutes"),  # the text alone is enough
    ("Ny socialpolitik med fokus på et godt hverdagsliv", NEWS, "x.html", "news"),
    ("Handicappolitik 2024-2027", STRATEGY, "x.html", "strategy"),
    ("Voksenrådgivning", SERVICE, "x.html", "other"),
    ("Notat", "Formålet med notatet er at beskrive fordelingen af midlerne.", "n.pdf", "other"),
])
def test_cue_families(title, text, filename, expected):
    genre, confidence = detect_genre(title, text, None, filename)
    assert genre == expected
    assert 0.0 < confidence <= 1.0


def test_a_headline_about_a_new_policy_is_news_not_the_policy():
    assert detect_genre("Ny handicappolitik vedtaget", NEWS)[0] == "news"
    assert detect_genre("Handicappolitik", STRATEGY)[0] == "strategy"


def test_a_missing_or_placeholder_title_falls_back_to_the_first_line():
    text = "Referat\nonsdag den 6. juni 2018\nIndstilling\nGodkendt."
    assert genre_scores(None, text)["minutes"] == genre_scores("Referat", text)["minutes"]
    assert genre_scores("Microsoft Word - 1552822.docx", text)["minutes"] \
        == genre_scores("Referat", text)["minutes"]
    assert genre_scores("Handicaprådet", text)["minutes"] < genre_scores(None, text)["minutes"]


@pytest.mark.parametrize("title", ["1552822.docx", "Bilag 3", "12345", "Document1", "Slide 1"])
def test_a_file_name_or_number_as_title_falls_back_to_the_first_line(title):
    text = "Referat\nonsdag den 6. juni 2018\nIndstilling\nGodkendt."
    assert genre_scores(title, text)["minutes"] == genre_scores("Referat", text)["minutes"]


def test_no_cues_is_other_with_low_confidence():
    genre, confidence = detect_genre(None, "Lorem ipsum dolor sit amet.")
    assert genre == "other" and confidence <= 0.5
    strong = detect_genre("Referat", MINUTES, None, "referat.pdf")[1]
    assert strong > 0.7 > confidence


def test_scores_are_additive_per_cue():
    scores = genre_scores("Referat", MINUTES, None, "referat.pdf")
    assert scores["minutes"] > 10 > scores["strategy"]
    assert genre_scores("", "")["minutes"] == 0


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    import kinds as bench_kinds  # bench/kinds.py

    return bench_kinds


def test_every_real_document_has_an_expected_genre(bench):
    rows = bench.genre_results()
    assert len(rows) == 87 + 18
    assert {r.expected for r in rows} == set(GENRES)


def test_an_agenda_item_titled_by_its_topic_is_minutes():
    text = ("Sagsfremstilling\nKvalitetsstandarderne for stof- og "
            "alkoholbehandling beskriver, hvilken behandling borgerne kan få, og hvor hurtigt. "
            "Standarderne er revideret efter de nye regler om behandlingsgaranti.")
    for title in ("3. Kvalitetsstandarder for stof- og alkoholbehandling 2012-2013",
                  "Punkt 5: Forslag til Handicappolitik 2024-2028"):
        assert detect_genre(title, text)[0] == "minutes", title
    # counter-examples: the standard and the policy themselves
    standard = ("Kvalitetsstandarden beskriver, hvilken behandling borgerne kan få, og hvor "
                "hurtigt. Målgruppe: borgere over 18 år med et misbrug.")
    assert detect_genre("Kvalitetsstandarder for stof- og alkoholbehandling 2013",
                        standard)[0] == "other"
    assert detect_genre("Handicappolitik 2024-2028",
                        "Vi vil skabe et samfund, hvor alle kan deltage. Målet er ...")[0] \
        == "strategy"


@pytest.mark.parametrize(("title", "noun", "genre"), [
    ("Evaluering af handicappolitikken 2019-2022", "Evaluering", "other"),
    ("Handleplan 2025-2026 for Sundhedspolitikken", "Handleplan", "strategy"),
    ("Udsatterådets beretning for 2023", "beretning", "other"),
    ("Familie-, børne- og læringspolitik 2023-2026", "læringspolitik", "strategy"),
    ("Ringsted Kommunes Politik for voksne med særlige behov", "Politik", "strategy"),
    ("Børne- og ungesyn", "ungesyn", "strategy"),
    ("Tilsynsrapport – Bostedet Lærkevang", "Tilsynsrapport", "other"),
    ("Mødenotat", "Mødenotat", "minutes"),  # the longest noun wins over "notat"
    ("Tilsyn med plejecentrene", "Tilsyn", "other"),  # not the "-syn" of a policy
    ("Supervision af medarbejdere", "Supervision", "other"),  # not the "vision" of a policy
    ("Spørgsmål og svar om ældreloven", "Spørgsmål", "other"),
    ("Lokal samarbejdsaftale om borgere med psykisk sygdom", "samarbejdsaftale", "strategy"),
    # terms of reference set a working group's task, not the policy it prepares (session 7)
    ("Kommissorium for arbejdsgruppe om ny ældrepolitik", "Kommissorium", "other"),
])
def test_the_title_head_noun(title, noun, genre):
    from stratcompare.metadata.genre import title_head_noun

    assert title_head_noun(title) == (noun, genre)


@pytest.mark.parametrize("title", [
    "Stor opbakning til borgermødet om den nye handicappolitik",  # the noun is too far in
    "Socialområdet", "Planlægning af året",  # no kind noun at a word's end
    "Aftale om leje af lokaler",  # an agreement that is no plan
    "Ansvar og roller",  # "ansvar" ends like "svar" but names no kind
    "Borgermøde om ældrepolitikken",  # the kind noun follows a preposition: the topic
    "3. Evaluering af rygestopkurser",  # an agenda item: decided by the item rule
])
def test_no_head_noun(title):
    from stratcompare.metadata.genre import genre_scores, title_head_noun

    if title[0].isdigit():
        assert genre_scores(title, "")["other"] == 0  # agenda items get no head noun score
    else:
        assert title_head_noun(title) is None


def test_the_head_noun_decides_which_kind_noun_of_the_title_counts():
    text = ("Politikkens fire indsatsområder er fulgt op. Vi vil fortsat arbejde med "
            "tilgængelighed. Målet er nået for beskæftigelse.")
    assert detect_genre("Evaluering af handicappolitikken 2019-2022", text)[0] == "other"
    assert detect_genre("Handleplan for evaluering af indsatserne", text)[0] == "strategy"
    # counter-example: with no kind noun at the head the policy noun still counts
    assert detect_genre("Fjordviks nye og ambitiøse handicappolitik", text)[0] == "strategy"
    assert detect_genre("Mødenotat", "Mødenotat\nHandicaprådet\nTil stede: A, B\nAfbud: C\n"
                        "1. Godkendelse af dagsorden")[0] == "minutes"


def test_a_plan_chapter_that_sets_the_direction_is_a_strategy():
    text = ("Socialområdet rummer en bred vifte af tilbud til børn, unge og voksne. Arbejdet "
            "tilrettelægges ud fra en række pejlemærker, der danner ramme om og giver retning "
            "for tilbuddene på området.")
    assert detect_genre("Socialområdet", text)[0] == "strategy"
    # counter-example: a description of services without the purpose sentence stays other
    plain = text.split(" Arbejdet")[0] + " Tilbuddene ligger i Fjordvik og i Kildeby."
    assert detect_genre("Socialområdet", plain)[0] == "other"


def test_denne_politik_is_the_document_itself_but_den_nye_politik_is_not():
    text = "Med denne politik vil Byrådet skabe bedre rammer for et godt liv med handicap."
    news = "Byrådet har vedtaget den nye politik, der skal skabe bedre rammer for et godt liv."
    assert genre_scores("Det gode liv", text)["strategy"] \
        > genre_scores("Det gode liv", news)["strategy"] + 0.9


def test_a_page_that_talks_to_the_reader_again_and_again_is_a_service_page():
    service = ("Har du brug for hjælp, kan du søge om støtte. Vi ser på din situation, og du "
               "får svar inden for fire uger. Du kan også ringe til os.")
    assert detect_genre("Socialpsykiatri", service)[0] == "other"
    assert genre_scores("Socialpsykiatri", service)["other"] >= 2.0
    # counter-example: one or two "du" in a policy count for nothing
    policy = ("Vi vil skabe et samfund, hvor du kan deltage. Politikken har fire "
              "indsatsområder, og målet er, at flere kommer i job. Vi vil styrke fællesskabet.")
    assert genre_scores("Handicappolitik", policy)["other"] == 0
    assert detect_genre("Handicappolitik", policy)[0] == "strategy"


@pytest.mark.parametrize(("title", "headline"), [
    ("Handicappolitikken er sendt i høring", True),
    ("Flere unge skal i job eller uddannelse", True),
    ("Handicap- og psykiatripolitik vedtaget", True),
    ("Handicappolitik 2024-2027", False),
    ("Politik for voksne med særlige behov", False),
    ("Hvad er en kvalitetsstandard?", False),  # a question is a service page's title
    ("Har du brug for hjælp", False),
    ("Vision 2030 – Kildeby vokser sammen", False),
    ("Sådan vil vi forebygge rusmidler blandt unge", False),  # the municipality speaking
    ("Kommunen vil forebygge rusmidler blandt unge", True),
])
def test_a_title_that_is_a_clause_is_a_headline(title, headline):
    from stratcompare.metadata.genre import _rules

    assert bool(_rules().headline.match(title)) is headline


def test_news_about_a_draft_policy_is_news_but_the_policy_is_a_policy():
    news = ("Kildeby Kommune har udarbejdet et udkast til en ny handicappolitik for 2025-2028. "
            "Nu kan alle borgere komme med bemærkninger. Temaerne blev valgt efter et "
            "borgermøde, hvor 100 borgere deltog. Høringsfristen er den 1. april 2025.")
    assert detect_genre("Handicappolitikken er sendt i høring", news)[0] == "news"
    policy = ("Handicappolitikken sætter retningen for de næste fire år. Vi vil fjerne "
              "barrierer i byrum og bygninger. Politikken har fire temaer.")
    assert detect_genre("Handicappolitik 2025-2028", policy)[0] == "strategy"


def test_a_plan_named_on_its_cover_or_built_of_plan_headings_is_a_strategy():
    cover = ("Det gode voksenliv\n1 Det gode voksenliv Mølleby Kommunes plan for det "
             "specialiserede voksenområde 2024-2027\nEt godt voksenliv handler om et hjem.")
    assert detect_genre("Det gode voksenliv", cover)[0] == "strategy"
    plan = ("Sundhed og trivsel\nByrådet ønsker, at det er let at leve sundt.\nMål\n"
            "Byrådet vil:"
            "\n- udbygge stinettet\nRedegørelse\nSundhedsprofilen viser, at mange er inaktive.")
    assert detect_genre("Sundhed og trivsel", plan)[0] == "strategy"  # a plan's "Redegørelse"
    statement = ("Center for Sundhed\nRedegørelse om træning og aktivitet\n"
                 "Seniorrådet har spurgt.")
    assert genre_scores(None, statement)["other"] >= 2.0  # a document naming itself one
    chapter = ("Sundhed og trivsel\nKommunen vil gøre det let at leve sundt.\nMål\n"
               "- flere børn cykler til skole\nRetningslinjer\nStier skal forbinde byerne.")
    assert detect_genre("Sundhed og trivsel", chapter)[0] == "strategy"
    # counter-examples: "en plan" for one citizen and a "Målgruppe" heading are a service's
    service = ("Socialpædagogisk støtte\nStøtten gives til voksne med nedsat funktionsevne. "
               "Borgeren og medarbejderen laver sammen en plan.\nMålgruppe\nVoksne over 18 år.")
    assert detect_genre("Socialpædagogisk støtte", service)[0] == "other"


def test_a_dateline_in_capitals_opens_a_newspaper_article():
    article = ("LANGELAND: Kommunen har fået 1,1 million til ekstra sundhedspleje.\n"
               "Pengene kommer fra en pulje, som regeringen afsatte.")
    label = "BESLUTNING: Godkendt.\nUdvalget tog orienteringen til efterretning."
    assert genre_scores(None, article)["news"] >= genre_scores(None, label)["news"] + 2.5
    town = article.replace("LANGELAND:", "Langeland:")  # a plain word is no dateline
    assert genre_scores(None, article)["news"] == genre_scores(None, town)["news"] + 2.5


@pytest.mark.parametrize("stamp", ["Publiceret 08-03-2024", "08.03.2024", "8/3-2024"])
def test_a_date_stamp_line_opens_a_news_item(stamp):
    text = f"Styrket indsats for børn\n{stamp}\nDen 1. marts var 50 aktører samlet."
    assert genre_scores(None, text)["news"] >= 2.5
    # counter-example: a labelled meeting date is no news stamp
    assert genre_scores(None, "Styrket indsats\nMødedato: 08-03-2024\nX")["news"] == 0


def test_service_description_headings_make_a_service_page():
    text = ("Socialpædagogisk støtte\nFormålet er, at borgeren klarer sig selv. Målet er "
            "færre timer.\nMålgruppe\nVoksne med nedsat funktionsevne.\nVisitation\n"
            "Borgeren søger hos Myndighed.\nKlagevejledning\nKlager sendes til Ankestyrelsen.")
    assert genre_scores("Socialpædagogisk støtte", text)["other"] >= 3.0
    assert detect_genre("Socialpædagogisk støtte", text)[0] == "other"
    # counter-example: the words inside a policy's sentence are no headings
    policy = ("Politikkens målgruppe er alle borgere. Vi vil styrke visitationen og "
              "klagevejledningen.")
    assert genre_scores("Handicappolitik", policy)["other"] == 0


def test_a_papers_section_head_marks_news():
    page = "Page 3 - Ugeavisen uge 8\n19. FEBRUAR 2019    NYHEDER    BYEN 3\nDet er for ambitiøst"
    assert genre_scores(None, page)["news"] >= genre_scores(None, page.replace("NYHEDER", ""))[
        "news"] + 1.5


def test_a_press_contact_an_action_table_and_citizens_questions():
    release = "Mølleby åbner akutpladser\nPladserne åbner 1. december.\nYderligere oplysninger:\nX"
    assert genre_scores(None, release)["news"] >= 1.5
    plan = ("Indsatser for unge\nUdvalget har prioriteret seks indsatser.\n"
            "Indsats | Ansvarlig | Tidsplan\n- Mentorordning | Jobcenter | 2024")
    assert detect_genre("Indsatser for unge", plan)[0] == "strategy"
    faq = ("Hjemmehjælp\nHvor hurtigt kommer hjælpen? Som regel samme dag.\n"
           "Hvad koster hjælpen? Den er gratis.")
    assert detect_genre("Hjemmehjælp", faq)[0] == "other"
    # counter-examples: the words in prose, a question inside a paragraph
    prose = ("Indsatser for unge\nHver indsats har en ansvarlig leder og en tidsplan. Hvad "
             "virker? Det vil vi måle. Yderligere oplysninger følger i budgettet.")
    assert genre_scores("Indsatser for unge", prose) == dict.fromkeys(GENRES, 0.0)


def test_a_rhetorical_question_heading_is_no_citizens_question():
    """A strategy or a presentation asks questions of no one ('Hvad bringer fremtiden?'); a
    service page asks what the reader can get, what it costs, how to apply."""
    slides = ("Herningmodellen\nMålgruppen er børn og unge i en udsat position.\n"
              "Hvad bringer fremtiden?\nFlere børn i familiepleje.\nHvad gør svenskerne?\nDe "
              "satser på netværket.\nHvordan finder man niveauet? Det er et brændende spørgsmål.")
    assert genre_scores("Herningmodellen", slides)["other"] == 0
    service = ("Hjemmehjælp\nHvad kan jeg få hjælp til? Rengøring og indkøb.\n"
               "Hvordan søger du? Ring til visitationen.")
    assert genre_scores("Hjemmehjælp", service)["other"] >= 1.4


def test_a_contents_list_naming_a_vision_and_goals_is_a_policys():
    text = "Ildsjæle gør forskellen\nTranskript\n2 Indhold Forord... 1 Vision... 3 Mål... 3"
    assert genre_scores("Ildsjæle gør forskellen", text)["strategy"] >= 1.0
    report = "Årets gang\n2 Indhold Forord... 1 Økonomi... 3 Aktiviteter... 5"
    assert genre_scores("Årets gang", report)["strategy"] == 0


def test_genres_of_the_invented_dev_set(bench):
    """tests/fixtures/kinds_dev: invented documents of all four genres (39 before session 5,
    96 with its batches)."""
    _, genres, _, _ = bench.dev_results()
    assert len(genres) >= 70 and {r.expected for r in genres} == {"strategy", "minutes",
                                                                    "news", "other"}
    right, total = bench.accuracy(genres)
    assert right / total >= 0.95, [r.where for r in genres if not r.ok]


def test_genre_accuracy_does_not_regress(bench):
    right, total = bench.accuracy(bench.genre_results())
    assert right / total >= 0.92  # measured 0.943 in session 5 (tune 46/46, test 53/59)


@pytest.mark.xfail(strict=True, reason="below the issue-9 target of 95 % over all real documents: "
                   "99/105 (94.3 %; tune 46/46, test 53/59 = 89.8 %) after the fourth round, "
                   "session 5, 2026-11-28 (see docs/benchmarks.md)")
def test_genre_accuracy_meets_the_target(bench):
    right, total = bench.accuracy(bench.genre_results())
    assert right / total >= bench.TARGET_GENRE


# Noisy-batch rules (dev batch b15, session 5): cases a cut, noisy page shows.
def test_a_publication_stamp_with_its_time_opens_a_news_item():
    body = "Et bredt flertal står bag budgettet.\nPengene går til psykiatrien."
    stamped = "Offentliggjort: 27.11.2023 kl. 10.42\n" + body
    assert genre_scores("Budget", stamped)["news"] >= genre_scores("Budget", body)["news"] + 2.5
    # counter-examples: an update stamp is no publication date, a meeting system's start field
    # (seconds and no 'kl.') no dateline
    for line in ("Senest opdateret 06.02.2025", "11-03-2024 16:00:00"):
        assert genre_scores("Budget", line + "\n" + body)["news"] == \
            genre_scores("Budget", body)["news"], line


def test_a_headline_giving_an_amount_more_is_news_not_the_budget_agreement():
    text = "Pengene skal bruges til flere pladser i bostøtten."
    assert genre_scores("Budgetaftale: 14 millioner mere til psykiatri og udsatte", "")[
        "news"] >= 3.0
    assert detect_genre("Budgetaftale: 14 millioner mere til psykiatri og udsatte",
                        "Offentliggjort: 27.11.2023 kl. 10.42\n" + text
                        + "\n– Det er en god dag, siger borgmester Ib Lauritsen.")[0] == "news"
    # counter-example: the agreement itself, and an amount that is no headline's "more"
    assert detect_genre("Budgetaftale 2024-2027", "Vi vil styrke psykiatrien. " + text)[0] \
        == "strategy"
    assert genre_scores("14 millioner borgere i Norden", "")["news"] == 0


def test_a_title_opening_with_an_action_noun_and_a_preposition_names_its_topic():
    for title in ("Opfølgning på misbrugspolitikken", "Høring om ældrepolitikken",
                  "Godkendelse af handleplanen for demens"):
        assert genre_scores(title, "")["strategy"] == 0, title
    # counter-examples: the kind noun is the head, or is named after a dash
    for title in ("Plan for rusmiddelområdet", "Strategi for socialt udsatte borgere",
                  "Forebyggelse af ensomhed – strategi 2024-2027"):
        assert genre_scores(title, "")["strategy"] >= 4, title


def test_a_decision_heading_without_a_preposition_is_minutes():
    item = "Beslutning Socialudvalget den 02-09-2025\nTaget til efterretning."
    base = genre_scores(None, "Taget til efterretning.")["minutes"]
    assert genre_scores(None, item)["minutes"] >= base + 1.5 + 1.5
    # counter-example: a decision told in prose
    prose = "Byrådet traf en beslutning om lukning af caféen den 1. maj."
    assert genre_scores(None, prose)["minutes"] == 0


def test_terms_of_reference_for_a_policy_are_no_policy():
    """Session 7 (blind batch b17): a 'kommissorium' for the group that prepares a policy."""
    text = ("Baggrund\nÆldrepolitik 2020-2024 udløber ved årets udgang. Udvalget har besluttet "
            "at nedsætte en arbejdsgruppe, som skal komme med et forslag til en ny ældrepolitik.")
    assert detect_genre("Kommissorium for arbejdsgruppe om ny ældrepolitik", text)[0] == "other"
    # counter-example: the policy the group prepares is a strategy
    assert detect_genre("Ældrepolitik 2025-2028", text)[0] == "strategy"


HEARING_LETTER = """Social og Sundhed
Rådhusvej 2
9999 Byen

Sagsnr.: 24/21377

Til høringsparterne

Høring over udkast til Psykiatripolitik 2025-2029

Social- og Sundhedsudvalget godkendte på sit møde den 26. november 2024 at sende udkast til
Psykiatripolitik 2025-2029 i offentlig høring. Politikken skal afløse den nuværende politik.

Høringsfristen er mandag den 13. januar 2025 kl. 12.00.

Høringsparter:
Handicaprådet
Udsatterådet

Med venlig hilsen
Anne Krogh
Centerchef"""


def test_a_letter_to_the_hearing_parties_is_a_letter():
    """Session 7 (dev batch b12): the letter that sends a draft out is other, not news."""
    title = "Høring over forslag til Psykiatripolitik 2025-2029"
    assert detect_genre(title, HEARING_LETTER)[0] == "other"
    # counter-examples: news of a hearing stays news, and without the letter's address line and
    # list of parties the same text is not called a letter by this cue
    news = ("Birkested, 3. april 2024. Socialudvalget sender nu et udkast til en ny strategi for "
            "udsatte borgere i høring. - Vi har lært, at en bolig alene ikke er nok, siger "
            "formanden. Alle kan sende et høringssvar. Høringsfristen er den 15. maj 2024.")
    assert detect_genre("Ny strategi for udsatte borgere sendt i høring", news)[0] == "news"
    bare = HEARING_LETTER.replace("Til høringsparterne", "").replace("Høringsparter:", "")
    assert genre_scores(title, bare)["other"] < genre_scores(title, HEARING_LETTER)["other"]


def test_a_news_sections_date_line_opens_a_news_item():
    """Session 7 (blind batch b20): "Aktuelt | 03.10.2024" over a budget agreement's headline."""
    page = ("Forside / Aktuelt / Bred aftale om budget 2025-2028\n\nAktuelt | 03.10.2024\n\n"
            "Bred aftale om budget 2025-2028\n\nAlle partier står bag budgetaftalen for "
            "2025-2028. – Vi har fundet plads til velfærden, siger borgmester Henning "
            "Lauritsen.")
    assert detect_genre("Bred aftale om budget 2025-2028", page)[0] == "news"
    # counter-examples: the agreement itself (no news date line, no quote) is a strategy, and
    # a menu line naming the section without a date is no date line
    agreement = ("Budgetaftale 2025-2028\n\nAftalen er indgået mellem alle partier. Vi vil "
                 "styrke ældreplejen og bygge en ny skole.")
    assert detect_genre("Bred aftale om budget 2025-2028", agreement)[0] == "strategy"
    assert genre_scores("Sagen", "Aktuelt | Kontakt | Selvbetjening\n\nTekst.")["news"] == 0


def test_a_date_ending_a_period_is_no_dateline():
    """Session 7 (blind batch b20): a project page's "Projektperiode: 1. august 2023 – 31. juli
    2026" ends in a date but is no news dateline."""
    page = ("Projekt Nye Veje\n\nNye Veje er et projekt for borgere på kontanthjælp.\n\n"
            "Projektperiode: 1. august 2023 – 31. juli 2026\nFinansiering: 3,8 mio. kr.")
    assert genre_scores("Projekt Nye Veje - om projektet", page)["news"] == 0
    assert detect_genre("Projekt Nye Veje - om projektet", page)[0] == "other"
    # counter-examples: a date line of its own, or after a byline's comma, is still a dateline
    for line in ("3. marts 2024", "Af Jens Holm, 3. marts 2024"):
        assert genre_scores("Sagen", f"Sagen\n{line}\n\nTekst.")["news"] > 0, line


NEWSLETTER = """Nyhedsbrev fra Sundhed og Ældre · Byen Kommune · marts 2024
Kan du ikke se nyhedsbrevet? Åbn det i din browser

I dette nummer:
Klippekortet bliver til en fast ugentlig time
Nye åbningstider i Træningscentret

Klippekortet bliver til en fast ugentlig time

Fra 1. april får borgere i hjemmeplejen ikke længere et klippekort, men en fast ugentlig
time, som de selv bestemmer over.

– Det er en lille ting, men den betyder meget, siger Grethe Bisgaard, formand for Ældrerådet.

Nye åbningstider i Træningscentret

Træningscentret har fra marts åbent til kl. 19. Se åbningstider for holdene på hjemmesiden.

Du modtager dette nyhedsbrev, fordi du har tilmeldt dig på byen.dk.
Afmeld nyhedsbrevet · Skift dine indstillinger"""


def test_an_e_mail_newsletter_is_news():
    """Session 7 (blind batch b20): a newsletter's frame marks news items, whose "du" is the
    subscriber."""
    assert detect_genre("Nyhedsbrev fra Sundhed og Ældre - marts 2024", NEWSLETTER)[0] == "news"
    # counter-example: a service page's sign-up box ("Tilmeld dig vores nyhedsbrev") is no
    # newsletter frame
    page = ("Hjemmehjælp\n\nDu kan søge om hjemmehjælp, hvis du har brug for det. Du ringer til "
            "os, og vi kommer på besøg hos dig. Dine åbningstider står nedenfor.\n\n"
            "Tilmeld dig vores nyhedsbrev")
    assert genre_scores("Hjemmehjælp", page)["news"] == 0


def test_a_kind_and_year_with_a_slogan_is_no_headline():
    """Session 7 (blind batch b20): "Vision 2035 – Svaneholt vil mere" is a vision titled with
    its slogan, not news."""
    text = ("Byrådets vision\n\nI 2035 er Svaneholt kendt som en kommune, hvor man kan leve hele "
            "livet.\n\nVi vil:\n• bygge 1.500 nye boliger\n\nVedtaget i Byrådet 20.06.2024.")
    assert detect_genre("Vision 2035 – Svaneholt vil mere", text)[0] == "strategy"
    for title in ("Vision 2035 – Svaneholt vil mere", "Vision 2035 Svaneholt vil mere"):
        scores = genre_scores(title, "")  # the second as a PDF's title joins the cover lines
        assert scores["strategy"] > 0 and scores["news"] == 0, title
    # counter-examples: a headline whose first part names no kind, and one with no year after
    # its kind noun, stay headlines
    for headline in ("Budget 2025 – Byrådet skal spare på ældreområdet",
                     "Ny handicappolitik: Byrådet vil have flere i job",
                     "Handicappolitik 2024 er vedtaget"):
        assert genre_scores(headline, "")["news"] > 0, headline
