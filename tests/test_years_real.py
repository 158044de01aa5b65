"""Years a reader would give (stratcompare.metadata.years with genre=): the document's own date,
the period, goal years, and accuracy against corpus/real/ SOURCES.tsv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stratcompare.metadata import detect_years

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.mark.parametrize(("head", "iso"), [
    ("Referat: 12. november 2025 kl. 08:00\nMødelokale 6", "2025-11-12"),
    ("Dagsorden • 4. juni 2025 kl. 14.30", "2025-06-04"),
    ("Sundheds- og Forebyggelsesudvalget\nÅbent referat\nMødedato: 04.12.2012", "2012-12-04"),
    ("STARTTIDSPUNKT\n5/29/2019 5:00:00 PM", "2019-05-29"),  # month first
    ("Dato: |\n03-03-2021 15:00:00 |", "2021-03-03"),
    ("Ny kræfter i udsatterådet\n23/01-2019\nEn gruppe borgere", "2019-01-23"),
    ("Økonomiudvalget – protokol\nMødet tirsdag den 9/4 2024 kl. 15.00", "2024-04-09"),
])
def test_the_document_date_comes_from_the_head(head, iso):
    body = "\n\nMed Budget 2019 blev det besluttet. Puljen fra 2016-2018 er brugt. " * 3
    info = detect_years([head + body], genre="minutes")
    assert info.dated == iso
    assert info.year == int(iso[:4])
    assert (info.start, info.end) == (info.year, info.year)


LETTERHEAD = ("Center for Sundhed og Ældre\nHovedgaden 7\n9999 Byen\nTelefon 11 22 33 44\n"
              "www.byen.dk\nCVR 12345678\nNOTAT\n")


@pytest.mark.parametrize(("label", "iso"), [
    ("Dato: 4. december 2012", "2012-12-04"),
    ("Mødedato: 04.12.2012", "2012-12-04"),
    ("Publiceret den 8. marts 2024", "2024-03-08"),
])
def test_a_labelled_date_below_a_long_letterhead_is_the_documents_own(label, iso):
    padding = "Baggrunden for sagen er beskrevet i budgetaftalen for 2011. " * 6
    text = LETTERHEAD + padding + "\n" + label + "\nSagsnr.: 2012-12345\n" \
        + "Tilbuddet blev etableret den 1. januar 2009."
    assert len(LETTERHEAD + padding) > 400  # past the head the unlabelled rule looks at
    info = detect_years([text], genre="other")
    assert info.dated == iso and info.year == int(iso[:4])


def test_a_labelled_date_wins_over_an_earlier_unlabelled_one():
    text = "Tilbuddet åbnede 1. januar 2009.\nDato: 4. december 2012\nSagsnr.: 12/345"
    assert detect_years([text], genre="other").dated == "2012-12-04"
    assert detect_years(["Tilbuddet åbnede 1. januar 2009.\nSagsnr.: 12/345"],
                        genre="other").dated == "2009-01-01"


def test_a_note_without_a_date_at_its_top_takes_its_first_full_date_not_a_goal_year():
    text = ("Kulturkommune 2017\n\n" + "Kommunen har sat fokus på kulturen frem mod 2017. " * 12
            + "Temamødet blev afholdt den 20. september 2012 for byrådet. Kulturhovedstad 2017.")
    assert detect_years([text], title="Kulturkommune 2017", genre="other").year == 2012
    assert detect_years([text], title="Kulturkommune 2017", genre=None).year == 2017


def test_a_year_in_the_title_is_not_overridden_by_a_date_in_the_text():
    text = ("Kvalitetsstandarder 2013\n" + "Standarderne beskriver behandlingen. " * 30
            + "Godkendt af udvalget den 4. december 2012.")
    assert detect_years([text], title="Kvalitetsstandarder 2013", genre="other").year == 2013


def test_a_meeting_is_dated_by_its_day_not_by_the_periods_it_discusses():
    text = ("Social og sundheds møde den 14. august 2025\nReferat\n"
            "De tre indsatsområder for 2025 blev vedtaget den 10.10.2024. "
            "Handicappolitikken 2023-2026 blev godkendt af Byrådet den 31. marts 2023.")
    old = detect_years([text])
    new = detect_years([text], genre="minutes")
    assert (new.start, new.end, new.year) == (2025, 2025, 2025)
    assert old.basis != "dated"  # genre=None keeps the period rules


def test_news_keeps_a_policy_period_that_starts_at_its_date_but_not_older_years():
    text = ("Ny socialpolitik\nPubliceret 28-03-2023\nByrådet har godkendt en socialpolitik, som "
            "gælder fra 2023-2026.")
    info = detect_years([text], genre="news")
    assert (info.start, info.end, info.year) == (2023, 2026, 2023)
    older = ("Handleplan vedtaget\n02.04.2020\nNordfyns Kommune har siden 2015-2018 arbejdet for "
             "de unge, og målet er, at alle er i uddannelse inden 2030.")
    info = detect_years([older], genre="news")
    assert (info.start, info.end, info.year) == (2020, 2020, 2020)


def test_an_undated_news_item_is_of_the_latest_year_it_names():
    text = ("Handicaprådet har gjort status\nHandicappolitikken 2019-2022 er udløbet, og i 2023 "
            "har rådet holdt tre dialogmøder om en ny politik. Målet er flere i job inden 2030.")
    info = detect_years([text], title="Handicaprådet har gjort status", genre="news")
    assert (info.year, info.basis) == (2023, "latest")  # not the old period, not the goal
    policy = ("Byrådet har godkendt en ny socialpolitik, som gælder fra 2023-2026. Den afløser "
              "socialpolitikken fra 2013 og handicappolitikken fra 2015.")
    info = detect_years([policy], title="Ny socialpolitik", genre="news")
    assert (info.start, info.end, info.year) == (2023, 2026, 2023)  # the period it reports
    # counter-example: a strategy keeps its period's start
    assert detect_years([text], title="Handicappolitik", genre="strategy").year == 2019


def test_goal_years_are_not_the_period():
    text = ("Strategien sætter retning for arbejdet. I 2019 blev den første plan vedtaget, og i "
            "2019 kom en evaluering. Målet er at halvere hjemløsheden frem mod 2030, "
            "inden 2030, senest 2030 og frem til 2030.")
    info = detect_years([text], genre="strategy")
    assert (info.start, info.end) == (2019, 2019)


@pytest.mark.parametrize(("title", "text", "period"), [
    ("Socialpsykiatriplan 2015-18", "Planen bygger på 2012 og 2013.", (2015, 2018)),
    ("Socialpolitik", "Politikken gælder for perioden 2024 til 2027.", (2024, 2027)),
    ("Handicappolitik", "Handicappolitik 2019–2021 for alle borgere.", (2019, 2021)),
])
def test_strategy_periods(title, text, period):
    info = detect_years([text], title=title, genre="strategy")
    assert (info.start, info.end) == period
    assert info.year == period[0]


def test_a_strategy_dated_by_its_adoption():
    info = detect_years(["Vedtaget i Byrådet den 25. marts 2009. Handicappolitik."],
                        genre="strategy")
    assert (info.adopted, info.year) == ("2009-03-25", 2009)


def test_a_year_under_the_letterhead_is_the_title_year_when_the_stored_title_has_none():
    page = ("Egebæk Kommune\nSundhed og Omsorg\nKvalitetsstandard 2013\nGenoptræning efter "
            "sundhedslovens § 140\n\n" + "Genoptræningen skal hjælpe borgeren til at genvinde "
            "de færdigheder, der er gået tabt under en sygdom eller indlæggelse. " * 5)
    last = "Klager sendes til kommunen. Godkendt af Sundheds- og Ældreudvalget den 11. december 2012."
    assert detect_years([page, last], title="Kvalitetsstandard", genre="other").year == 2013
    # counter-examples: a year deep in the text is no title year; a stored title's year wins
    plain = page.replace("Kvalitetsstandard 2013", "Kvalitetsstandard")
    assert detect_years([plain, last + " Gælder for 2013."], title="Kvalitetsstandard",
                        genre="other").year == 2012
    assert detect_years([page, last], title="Kvalitetsstandard 2014", genre="other").year == 2014


def test_day_slash_month_space_year_is_a_date_but_a_code_is_not():
    assert detect_years(["Mødet den 9/4 2024 i Byrådssalen."], genre="minutes").dated \
        == "2024-04-09"
    # counter-examples: a case number or a number before a year is no date
    for text in ("Skema 2/14 2024 er udfyldt.", "Vi fik 1,9/4 2024.", "Vi fik 2.9/4 2024."):
        assert detect_years([text], genre="minutes").dated is None, text


@pytest.mark.parametrize(("sentence", "year"), [
    ("Synet blev vedtaget af Byrådet i juni 2022 og afløser børnepolitikken fra 2016.", 2022),
    ("Politikken er godkendt i 2019 og bygger på dialogmøder fra 2016.", 2019),
    ("Vedtaget: marts 2023. Siden 2016 har mange børn fået hjælp.", 2023),
    ("Byrådet vedtog i december 2019 en ny politik, der afløser politikken fra 2016.", 2019),
    ("Planen blev godkendt af Sundhedsudvalget i foråret 2021 og bygger på 2016.", 2021),
])
def test_an_adoption_by_month_or_year_dates_a_strategy(sentence, year):
    text = sentence + " Siden 2016 har vi arbejdet med tidlig indsats, og i 2016 kom loven."
    info = detect_years([text], title="Børne- og ungesyn", genre="strategy")
    assert (info.basis, info.year) == ("adopted", year)


def test_a_past_tense_adoption_verb_with_a_full_date_is_the_adoption():
    text = ("Byrådet vedtog den 24. juni 2020 kommunens ældrepolitik. Den afløser politikken "
            "fra 2014. Siden 2014 er antallet af ældre steget, og i 2014 boede de fleste hjemme.")
    info = detect_years([text], title="Ældrepolitik", genre="strategy")
    assert (info.adopted, info.year) == ("2020-06-24", 2020)
    # counter-example: the same verb with a goal is no adoption
    goal = text.replace("vedtog den 24. juni 2020", "vedtog et mål for 2030")
    assert detect_years([goal], title="Ældrepolitik", genre="strategy").year == 2014


def test_a_future_adoption_or_a_goal_is_no_adoption():
    for text in ("Politikken skal vedtages i 2025. Siden 2016 og i 2016 har vi arbejdet.",
                 "Målet er vedtaget: inden 2030 skal alle i job. Siden 2016 og i 2016 kom loven."):
        info = detect_years([text], genre="strategy")
        assert info.basis == "mentions" and info.year == 2016, text


def test_a_title_year_beats_a_range_of_another_document_in_the_text():
    text = ("Ældreplanen bygger videre på Ældrepolitik 2019-2022 og på den nye ældrelov. "
            "Antallet af ældre stiger frem mod 2035.")
    info = detect_years([text], title="Ældreplan 2025 og frem", genre="strategy")
    assert info.year == 2025
    assert (info.start, info.end, info.basis) == (2025, 2025, "title-year")  # what ingest stores
    # counter-example: a title year inside the text's range keeps the range's start
    inside = detect_years(["Politikken gælder for 2019-2022."], title="Handicappolitik 2020",
                          genre="strategy")
    assert inside.year == 2019 and inside.basis == "first-pages-range"


def test_a_revision_year_on_the_cover_beats_counted_first_adoptions():
    page = ("Psykiatripolitik\nRevideret udgave 2021\n\nI 2017 vedtog Byrådet den første "
            "psykiatripolitik. Siden 2017 er der sket meget.")
    assert detect_years([page], title="Psykiatripolitik", genre="strategy").year == 2021
    plain = page.replace("Revideret udgave 2021", "Mølleby Kommune") + " Revideret i 2021."
    assert detect_years([plain], title="Psykiatripolitik", genre="strategy").year == 2017


def test_a_wrapped_sentence_is_no_cover_line():
    page = ("Ældrepolitik\n\nByrådet vedtog den 24. juni 2020 Kildeby Kommunes ældrepolitik.\n"
            "Politikken afløser ældrepolitikken fra 2014 og er blevet til efter\n"
            "dialogmøder med Ældrerådet i 2019.")
    assert detect_years([page], title="Ældrepolitik", genre="strategy").year == 2020
    # counter-example: a title block of short lines keeps its year
    cover = "Psykiatripolitik\nRevideret udgave 2021\n\n" + page.split("\n\n", 1)[1].replace(
        "Byrådet vedtog den 24. juni 2020", "Byrådet vedtog i sin tid")
    assert detect_years([cover], title="Psykiatripolitik", genre="strategy").year == 2021


def test_an_adoption_wrapped_over_lines_is_still_an_adoption():
    text = ("Demensplanen blev godkendt af Sundheds- og\nÆldreudvalget i foråret\n2021. Den "
            "bygger på planen fra 2017 og på tal fra 2017.")
    assert detect_years([text], title="Demensplan", genre="strategy").year == 2021
    apart = text.replace("Sundheds- og\n", "Sundheds- og\n\n")  # a blank line parts them
    assert detect_years([apart], title="Demensplan", genre="strategy").year == 2017


def test_an_agenda_items_decision_heading_dates_it():
    item = ("Punkt 6: Tilskud til værested\nSagsnr.: 24/08812\nSagsfremstilling\nVærestedet "
            "søger tilskud i 2025-2027. " + "Brugerne ønsker længere åbningstid. " * 12
            + "\nBeslutning i Sundheds- og Forebyggelsesudvalget den 10. december 2024\nGodkendt.")
    assert detect_years([item], genre="minutes").year == 2024
    # counter-example: a date in the case text is no decision heading
    told = item.replace("\nBeslutning i Sundheds- og Forebyggelsesudvalget den",
                        "\nSagen blev drøftet på et møde med brugerne den")
    assert detect_years([told], genre="minutes").year == 2025


def test_a_month_line_under_the_title_dates_a_report():
    page = ("Analyse af udgifterne på voksenområdet\nJuni 2024\n\nUdgifterne steg fra 2021 "
            "til 2023. I 2023 boede 61 borgere i tilbud uden for kommunen mod 48 i 2021.")
    info = detect_years([page], title="Analyse af udgifterne på voksenområdet", genre="other")
    assert info.year == 2024 and info.basis == "dated"
    # counter-example: a month inside a sentence is no date line
    prose = page.replace("Juni 2024", "Analysen er skrevet i juni 2024 af forvaltningen.")
    assert detect_years([prose], title="Analyse", genre="other").year != 2024


def test_other_documents_title_year_and_look_back_ranges():
    report = ("Udsatterådets beretning for 2023\nRådet har i 2023 holdt seks møder.\n"
              "Beretningen blev godkendt på rådets møde den 15. januar 2024.")
    assert detect_years([report], title="Udsatterådets beretning for 2023",
                        genre="other").year == 2023
    assert detect_years([report], title="Udsatterådets beretning for 2023",
                        genre="minutes").year == 2024  # a meeting keeps its day
    note = "Notat\nDato: 14. januar 2025\nVentetiden har i 2024 været 47 dage."
    assert detect_years([note], title="Ventetid på plejeboliger i 2024", genre="other").year \
        == 2025  # "i 2024" is when the topic happened; the note is dated
    evaluation = "Evaluering\nDato: 15. marts 2023\nPolitikken udløb ved årsskiftet."
    assert detect_years([evaluation], title="Evaluering af handicappolitikken 2019-2022",
                        genre="other").year == 2023
    standard = "Kvalitetsstandard\nDato: 10. december 2023\nStandarden gælder i to år."
    assert detect_years([standard], title="Kvalitetsstandard for ledsagelse 2024-2025",
                        genre="other").year == 2024


def test_a_strategy_adopted_the_year_before_its_period_is_of_its_first_year():
    page = ("Strategi for udsatte borgere\n\nStrategien gælder for perioden 2025 til 2028. Den "
            "blev vedtaget af Kommunalbestyrelsen den 25. september 2024. Ved tællingen i 2022 "
            "var 41 borgere hjemløse.")
    info = detect_years([page], title="Strategi for udsatte borgere", genre="strategy")
    assert (info.year, info.start, info.end, info.adopted) == (2025, 2025, 2028, "2024-09-25")
    # counter-examples: an older period the text cites, and a later action plan two years on,
    # leave the adoption year
    older = page.replace("Strategien gælder for perioden 2025 til 2028",
                         "Strategien afløser strategien for 2019-2022")
    assert detect_years([older], title="Strategi for udsatte borgere", genre="strategy").year \
        == 2024
    later = page.replace("Strategien gælder for perioden 2025 til 2028",
                         "En handleplan for 2026-2027 følger")
    assert detect_years([later], title="Strategi for udsatte borgere", genre="strategy").year \
        == 2024


def test_a_policy_is_of_the_year_it_takes_effect_on_its_cover():
    cover = ("Politik for voksne med særlige behov – revideret udgave\n\nGældende fra 1. januar "
             "2022\nFørste udgave vedtaget af Byrådet i 2016. Revideret af udvalget den 8. "
             "november 2021.\n\nSiden 2016 er der kommet flere borgere med komplekse behov.")
    info = detect_years([cover], title="Politik for voksne med særlige behov", genre="strategy")
    assert (info.year, info.basis) == (2022, "effective")
    both = detect_years(["Værdighedspolitik\nVedtaget af Byrådet den 18. december 2024 – "
                         "gældende fra 1. januar 2025"], title="Værdighedspolitik",
                        genre="strategy")
    assert (both.year, both.adopted) == (2025, "2024-12-18")  # the start is no adoption date
    # counter-examples: a law that takes effect, told in the text below the head, and an
    # effective day before the adoption
    law = ("Demenspolitik\n\nPolitikken blev vedtaget af Byrådet den 3. maj 2024. "
           + "Vi vil styrke indsatsen for borgere med demens og deres pårørende. " * 8
           + "Den nye ældrelov træder i kraft 1. juli 2025.")
    assert detect_years([law], title="Demenspolitik", genre="strategy").year == 2024
    before = "Demenspolitik\nGældende fra 1. januar 2023\nVedtaget af Byrådet den 3. maj 2024."
    assert detect_years([before], title="Demenspolitik", genre="strategy").year == 2024


def test_a_report_is_of_the_year_its_title_names_beside_a_plans_range():
    page = "Center for Voksne, januar 2025\n\nHandleplanen har 11 initiativer."
    title = "Statusrapport 2024 – Handleplan for psykisk sundhed 2023-2026"
    assert detect_years([page], title=title, genre="other").year == 2024
    # a title with the plan's range only is of the report's own date, within the plan's period
    # too (session 7: the year column of corpus/real dates "other" by its own date; this
    # asserted the range's start before); counter-example: undated, it keeps the range's start
    assert detect_years([page], title="Status på handleplan for psykisk sundhed 2023-2026",
                        genre="other").year == 2025
    undated = "Handleplanen har 11 initiativer. Fire er gennemført."
    assert detect_years([undated], title="Status på handleplan for psykisk sundhed 2023-2026",
                        genre="other").year == 2023


def test_a_month_closing_a_line_under_the_title_dates_a_look_back():
    page = ("Evaluering af misbrugsindsatsen 2021-2023\nUdarbejdet af Social og Sundhed, "
            "Vesterlund Kommune, maj 2024\n\nAndelen steg fra 54 procent i 2021 til 63 procent "
            "i 2023.")
    title = "Evaluering af misbrugsindsatsen 2021-2023"
    assert detect_years([page], title=title, genre="other").year == 2024
    # counter-examples: a month inside a sentence is no date line; a period that is not over
    # yet is not looked back at
    prose = page.replace("Udarbejdet af Social og Sundhed, Vesterlund Kommune, maj 2024",
                         "Evalueringen blev skrevet i maj 2024")
    assert detect_years([prose], title=title, genre="other").year == 2021
    running = page.replace("2021-2023", "2021-2025")
    assert detect_years([running], title=title.replace("2023", "2025"), genre="other").year \
        == 2021


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    import kinds as bench_kinds  # bench/kinds.py

    return bench_kinds


def test_a_service_page_is_of_its_update_stamp_not_of_a_cited_policy():
    """Noisy batch b15: a service page's only own date is its update stamp."""
    page = ("Bostøtte\n\nDu kan få bostøtte efter servicelovens § 85. Det er i tråd med "
            "kommunens Handicap- og psykiatripolitik 2022-2025.\n\n"
            + "Du søger ved at udfylde skemaet på borger.dk eller ved at ringe til os. " * 6
            + "\n\nKontakt\nTelefon 97 33 12 00"
            "\n\nSidst opdateret: 12. august 2024")
    info = detect_years([page], title="Bostøtte", genre="other")
    assert (info.year, info.basis) == (2024, "updated")
    # counter-examples: a strategy page updated later is of its period; an "other" page with
    # a title year keeps it; news keeps its publication day
    strategy = page.replace("Det er i tråd med kommunens", "Vores")
    assert detect_years([strategy], title="Handicappolitik", genre="strategy").year == 2022
    assert detect_years([page], title="Kvalitetsstandard 2025", genre="other").year == 2025
    news = "Nyheder\nPubliceret 3. marts 2023\n\n" + page
    assert detect_years([news], title="Ny bostøtte", genre="news").year == 2023


def test_a_notes_title_range_after_a_plans_name_is_the_plans_period():
    """Noisy batch b15: a hearing response or a note dated before the period of the plan its
    title names is of its own date, not of that coming plan's period."""
    body = ("Ældrerådet i Byen\n\nDato: 28. november 2025\n\nRådet takker for muligheden for "
            "at give høringssvar. Antallet af borgere over 80 år stiger frem mod 2035.")
    for title in ("Høringssvar vedr. Ældrepolitik 2026-2029",
                  "Status på Handleplan for ensomhed 2026-2029"):
        assert detect_years([body], title=title, genre="other").year == 2025, title
    # a status within the plan's period is of its own date too (session 7; it asserted the
    # period's start before); counter-examples: a quality standard's own period, and a plan
    # named in another part of the title than its range
    assert detect_years([body], title="Status på Handleplan for ensomhed 2024-2027",
                        genre="other").year == 2025
    assert detect_years([body], title="Kvalitetsstandard for madservice 2026-2027",
                        genre="other").year == 2026
    assert detect_years([body], title="Ældrepolitik: høringssvar 2026-2029",
                        genre="other").year == 2026


def test_a_budget_notes_title_range_is_the_budgets_period():
    """Session 7: a note about a coming budget ("Budgetnotat - Socialområdet, budget
    2026-2029") is written in the year before the budget years; it is of its own date."""
    body = ("Højby Kommune\nØkonomi og Analyse\n\nNotat\nDato: 2. september 2025\n\nNotatet "
            "beskriver udfordringerne i budget 2026-2029. Regnskab 2024 viste et merforbrug.")
    assert detect_years([body], title="Budgetnotat - Socialområdet, budget 2026-2029",
                        genre="other").year == 2025
    # counter-examples: the budget itself keeps its first year, and a range not introduced as
    # a budget's (a quality standard's own period) keeps its start
    assert detect_years([body], title="Budget 2026-2029", genre="other").year == 2026
    assert detect_years([body], title="Kvalitetsstandard for ledsagelse 2026-2029",
                        genre="other").year == 2026


def test_a_reports_making_line_dates_it_like_a_month_line():
    """Session 7: "Rapporten er udarbejdet af …, i efteråret 2024" (``made_words``) is an
    evaluation's own time, over the start of the strategy period its title names."""
    page = ("Midtvejsevaluering af Rusmiddelstrategi 2022-2026\n\nRapporten er udarbejdet af "
            "Center for Sundhed, Byen Kommune, i efteråret 2024.\n\nSammenfatning\nVentetiden "
            "er faldet fra 21 dage i 2021 til 9 dage i 2023.")
    title = "Midtvejsevaluering af Rusmiddelstrategi 2022-2026"
    assert detect_years([page], title=title, genre="other").year == 2024
    udgivet = page.replace("Rapporten er udarbejdet af Center for Sundhed, Byen Kommune, i "
                           "efteråret 2024.", "Udgivet december 2024")
    assert detect_years([udgivet], title=title, genre="other").year == 2024
    # counter-examples: without the making line it keeps the range's start; a sentence that
    # is no colophon ("blev skrevet i") is no date line; a strategy keeps its period
    bare = page.replace("Rapporten er udarbejdet af Center for Sundhed, Byen Kommune, i "
                        "efteråret 2024.", "Rapporten ser på halvdelen af perioden.")
    assert detect_years([bare], title=title, genre="other").year == 2022
    prose = page.replace("Rapporten er udarbejdet af", "Rapporten blev skrevet af")
    assert detect_years([prose], title=title, genre="other").year == 2022
    assert detect_years([page], title="Rusmiddelstrategi 2022-2026", genre="strategy").year \
        == 2022


@pytest.mark.parametrize(("head", "iso"), [
    ("Mødereferat\nStyregruppen for Housing First\nDato: 14.06.23\nTid: 13.00", "2023-06-14"),
    ("Socialudvalget\nReferat\nMødedato: 03.04.24\nTid: 16:00-18:10", "2024-04-03"),
    ("Referat\nMødet den 3/4-24 kl. 15", "2024-04-03"),
    ("PRESSEMEDDELELSE\n\nBirkested, 03.04.24. Udvalget sender strategien i høring.",
     "2024-04-03"),
    ("Handicaprådets referat\nMøde tirsdag 03.10.23 kl. 16.30-18.30", "2023-10-03"),
])
def test_a_two_digit_year_date_where_a_date_is_expected(head, iso):
    """Session 7: meeting systems, notes and press releases print "14.06.23"."""
    body = "\n\nStatus på Hjemløsestrategi 2022-2025: to af fem mål er nået. " * 2
    info = detect_years([head + body], title="Mødereferat", genre="minutes")
    assert (info.dated, info.year) == (iso, int(iso[:4]))


def test_a_two_digit_year_date_in_a_minutes_title():
    """Session 7 (blind batch b20): "Handicaprådets referat 03.10.23" as the stored title."""
    page = "Ad 2. Høring: Budget 2024-2027, Social og Sundhed\nRådet afgiver høringssvar."
    info = detect_years([page], title="Handicaprådets referat 03.10.23", genre="minutes")
    assert (info.dated, info.year) == ("2023-10-03", 2023)
    # counter-example: a journal number in a title is no date
    info = detect_years([page], title="Handicaprådet, sag 03.10.23", genre="minutes")
    assert info.dated is None


@pytest.mark.parametrize("text", [
    "KLE: 27.12.04\nEmne: Botilbud",  # a journal number, no date label
    "Næste møde\n23.08.23 kl. 13.00",  # an unlabelled short number
    "Se afsnit 3.2.14 i vejledningen.",  # a section number
    "Ring på tlf. 23.45.67.89 mellem kl. 10.00-12.30.",  # a phone number and times
    "Sagsnr. 24/1234 og 3/4-24",  # case numbers
    "Dato: 31.13.23",  # no such month
])
def test_numbers_that_look_like_short_dates_are_not_dates(text):
    assert detect_years([text], genre="minutes").dated is None, text


def test_a_period_til_og_med():
    """Session 7: "for årene 2025 til og med 2028" is a period."""
    page = ("Rusmiddelpolitik\n\nRusmiddelpolitikken gælder for årene 2025 til og med 2028. Den "
            "afløser politikken fra 2017.\n\nI 2023 var 310 borgere i behandling.")
    info = detect_years([page], title="Rusmiddelpolitik", genre="strategy")
    assert (info.start, info.end, info.year) == (2025, 2028, 2025)
    # counter-example: "til og med" before a day is no range of years
    day = "Høringen løber fra 2025 til og med 15. maj. Politikken fra 2017 gælder."
    assert detect_years([day], title="Rusmiddelpolitik", genre="strategy").basis != \
        "first-pages-range"


def test_a_page_of_minutes_opening_with_an_earlier_bodys_decision():
    """Session 7: an item passes its bodies in order; the meeting is the latest labelled date."""
    page = ("kan forvaltningen tilbyde flere pladser i aflastning.\n\n"
            "Beslutning i Social- og Sundhedsudvalget den 04.12.2024\nAnbefales.\n\n"
            "Beslutning i Økonomiudvalget den 15.01.2025\nAnbefales.\n\nBeslutning\nGodkendt."
            "\n\nSundhedsaftalen 2024-2027 blev godkendt af Kommunalbestyrelsen den 27.06.2024."
            "\n\nKommunalbestyrelsens møde den 29. januar 2025 - side 6")
    assert detect_years([page], title="Kommunalbestyrelsen - Referat", genre="minutes").year \
        == 2025
    # counter-examples: a meeting date on top stays the date, and the next meeting is none
    head = ("Socialudvalget\nMødedato: 3. december 2024\n\n1. Godkendelse af dagsorden\n"
            "Godkendt.\n\nNæste møde den 14. januar 2025.")
    assert detect_years([head], title="Referat", genre="minutes").dated == "2024-12-03"
    nxt = ("Beslutning i Ældrerådet den 3. december 2024\nGodkendt.\n\n"
           "Næste møde den 14. januar 2025 kl. 10.")
    assert detect_years([nxt], title="Referat", genre="minutes").dated == "2024-12-03"


def test_minutes_whose_date_line_has_no_year_take_their_titles():
    page = ("Referat fra Handicaprådets møde\n\nTorsdag d. 7. marts kl. 16.00-18.00\n\n"
            "2. Evaluering af Handicappolitik 2021-2024\nTre af politikkens otte mål er nået."
            "\n\n3. Budget 2025\nFormanden orienterede om budgetprocessen.")
    title = "Referat fra Handicaprådets møde marts 2024"
    assert detect_years([page], title=title, genre="minutes").year == 2024
    # counter-examples: with no year in the title the body decides as before; a dated meeting
    # keeps its day over a title year
    assert detect_years([page], title="Referat fra Handicaprådets møde",
                        genre="minutes").year == 2021
    dated = page.replace("Torsdag d. 7. marts", "Mødedato: 7. marts 2025")
    assert detect_years([dated], title=title, genre="minutes").year == 2025


@pytest.mark.parametrize(("title", "year"), [
    ("Handleplan 2025 – Sundhedspolitik 2023-2027", 2025),  # a yearly plan under a policy
    ("Handleplan 2025: Sundhedspolitik 2023-2027", 2025),
    ("Sundhedspolitik 2023-2027", 2023),  # counter-examples: the policy itself,
    ("Vision 2030 – Sundhedsstrategi 2023-2026", 2023),  # a vision year is a goal,
    ("Handleplan 2029 – Sundhedspolitik 2023-2027", 2023),  # not a year of the period,
    ("Sundhedspolitik 2023-2027 – handleplan 2025", 2023),  # the period comes first,
    ("Handleplan 2025 – initiativer 2023-2027", 2023),  # no strategy named before the range
])
def test_a_yearly_action_plan_under_a_policy_is_of_its_year(title, year):
    """Session 7: "Handleplan 2025 – Sundhedspolitik 2023-2027" is the plan for 2025."""
    page = "Initiativer i 2025\n\nInitiativerne finansieres inden for rammen i budget 2025."
    assert detect_years([page], title=title, genre="strategy").year == year


def test_an_update_stamp_beats_a_coming_law_on_a_service_page():
    """Session 7: a service page's labelled update stamp is its date, not a day its text names."""
    page = ("Hjemmehjælp\n\nHvis du har svært ved at klare dig selv, kan du søge om "
            "hjemmehjælp efter servicelovens § 83.\n\nNy ældrelov\nFra 1. juli 2025 ændres "
            "reglerne, når den nye ældrelov træder i kraft.\n\nKontakt Visitationen\nTelefon "
            "58 44 20 00\n\nSiden er senest ændret 03.06.2024")
    info = detect_years([page], title="Hjemmehjælp", genre="other")
    assert (info.year, info.basis) == (2024, "updated")
    # also when the coming law's day stands further down, past the page's head
    long = page.replace("Ny ældrelov", "Du får svar senest fire uger efter besøget. " * 12)
    assert detect_years([long], title="Hjemmehjælp", genre="other").year == 2024
    # counter-examples: without a stamp the first date of the opening text is still taken,
    # a labelled own date ("Dato: …") beats the stamp, and news keeps its day
    bare = page.rsplit("\n\nSiden", 1)[0]
    assert detect_years([bare], title="Hjemmehjælp", genre="other").year == 2025
    note = "Dato: 2. maj 2023\n\n" + page
    assert detect_years([note], title="Hjemmehjælp", genre="other").year == 2023
    assert detect_years([page], title="Ny ældrelov", genre="news").year == 2025


def test_a_strategys_period_is_not_widened_by_an_overlapping_cited_range():
    """Session 7: the range a strategy repeats is its period; a longer one it cites once (a
    national ten-year plan) is not merged into it."""
    head = "Strategi for socialpsykiatrien 2023 – 2026 | Byen Kommune | {}"
    page = (head.format(4) + "\nborgere, der venter for længe.\n\nDen nationale 10-årsplan for "
            "psykiatri og mental sundhed (2022-2032) og Psykiatriaftalen fra 2020 sætter nye "
            "rammer.\n\n" + head.format(5) + "\nTre strategiske spor.")
    info = detect_years([page], title="Strategi for socialpsykiatrien", genre="strategy")
    assert (info.start, info.end, info.year) == (2023, 2026, 2023)
    # counter-example: budget periods of a rolling budget are still merged
    budget = ("Strategien er finansieret i budgetforliget for 2023-2026 og videreført i "
              "budgetforliget for 2024-2027.")
    info = detect_years([budget], title="Strategi", genre="strategy")
    assert (info.start, info.end) == (2023, 2027)


def test_an_others_title_year_beats_its_month_line():
    """Session 7 (blind batch b20): "Årsrapport 2024" published "Marts 2025" is the report for
    2024, as a title year beats the day it was approved ("Ydelseskatalog 2024")."""
    page = ("Byen Kommune\n\nÅrsrapport 2024\nBorgerrådgiveren\n\nMarts 2025\n\n"
            "Borgerrådgiveren modtog i 2024 i alt 412 henvendelser mod 380 i 2023.")
    assert detect_years([page], title="Årsrapport 2024 - Borgerrådgiveren",
                        genre="other").year == 2024
    # counter-examples: a title year that tells when the topic happened ("i 2024") leaves the
    # month line; a note without a title year keeps it; news keeps its month line
    when = page.replace("Årsrapport 2024\n", "Ventetid på plejeboliger i 2024\n")
    assert detect_years([when], title="Ventetid på plejeboliger i 2024", genre="other").year \
        == 2025
    assert detect_years([page], title="Borgerrådgiverens beretning", genre="other").year == 2025
    assert detect_years([page], title="Årsrapport 2024 - Borgerrådgiveren",
                        genre="news").year == 2025


def test_a_strategy_taking_effect_after_the_period_it_replaces():
    """Session 7 (blind batch b20): "gældende fra 1. januar 2025 … afløser Socialstrategien
    2020-2024": the range is the replaced strategy's; the new one starts in 2025."""
    page = ("Byen Kommune\nSocial og Handicap\n\nStrategisk ramme for socialområdet\n\nDen "
            "strategiske ramme er gældende fra 1. januar 2025 og sætter retning for støtten. "
            "Den afløser Socialstrategien 2020-2024 og skal ses sammen med budgetaftalen for "
            "2025-2028.")
    info = detect_years([page], title="Strategisk ramme for socialområdet", genre="strategy")
    assert (info.year, info.basis) == (2025, "effective")
    # counter-examples: a period that holds the start stays the period; an effective day told
    # below the head of page 1 (a law) does not count
    inside = page.replace("Socialstrategien 2020-2024", "perioden 2025-2028 og")
    assert detect_years([inside], title="Strategisk ramme", genre="strategy").basis == \
        "first-pages-range"
    later = page.replace("Den strategiske ramme er gældende fra 1. januar 2025 og sætter retning "
                         "for støtten. ", "") + " Ny lov " * 80 + "gælder fra 1. januar 2025."
    assert detect_years([later], title="Strategisk ramme", genre="strategy").year == 2020


def test_a_period_told_by_its_days():
    """Session 7 (general Danish date writing, probed with invented lines): "fra 1. januar 2024
    til 31. december 2027" and "01.01.2024 - 31.12.2027" are periods."""
    page = ("Handicappolitik\n\nPolitikken gælder fra 1. januar 2024 til 31. december 2027.\n\n"
            "Politikken afløser Handicappolitik 2019-2023. I 2022 havde 400 borgere bostøtte.")
    info = detect_years([page], title="Handicappolitik", genre="strategy")
    assert (info.start, info.end, info.year) == (2024, 2027, 2024)
    numeric = page.replace("1. januar 2024 til 31. december 2027", "01.01.2024 - 31.12.2027")
    assert detect_years([numeric], title="Handicappolitik", genre="strategy").year == 2024
    # counter-examples: two days of one year are no period ("Høringsperiode: 1. juli 2024 til
    # 30. august 2024" dates a hearing notice), and a meeting's day stays its date
    hearing = ("Nyheder\nHøringsperiode: 1. juli 2024 til 30. august 2024\n\n"
               "Alle kan sende høringssvar til forslaget til Handicappolitik 2025-2028.")
    info = detect_years([hearing], title="Høring om handicappolitik", genre="news")
    assert info.year == 2024
    meeting = "Mødedato: 4. december 2024 - kl. 16.00\n\nPunkt 1. Budget 2025-2028."
    assert detect_years([meeting], title="Referat", genre="minutes").dated == "2024-12-04"


def test_years_of_the_invented_dev_set(bench):
    """tests/fixtures/kinds_dev: invented documents with a year a reader would give (36 before
    session 5, 83 with its batches, 212 with b11-b18, 272 with b19-b20).  Session 7 (rules
    re-written one at a time from b17 and b20, each kept only when the test part's years did not
    fall): 269/272 = 98.9 %; the floor is 0.96, leaving room for a new blind batch's first look."""
    _, _, years, _ = bench.dev_results()
    assert len(years) >= 270
    right, total = bench.accuracy(years)
    assert right / total >= 0.96, [r.where for r in years if not r.ok]


def test_year_accuracy_does_not_regress(bench):
    rows = bench.year_results()
    assert len(rows) >= 60
    right, total = bench.accuracy(rows)
    assert right / total >= 0.85  # measured 56/64 = 0.875 on 2026-11-28 (tune 35/36, test 21/28)


@pytest.mark.xfail(strict=True, reason="below the issue-9 target of 95 %: 56/64 over all real "
                   "documents (tune 35/36, test 21/28 = 75.0 %) after the fourth round, session 5, "
                   "2026-11-28 (see docs/benchmarks.md)")
def test_year_accuracy_meets_the_target(bench):
    right, total = bench.accuracy(bench.year_results())
    assert right / total >= bench.TARGET_YEAR
