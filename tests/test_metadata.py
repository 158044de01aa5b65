"""Municipality and year detection (stratcompare.metadata) on the seed texts and unit cases.

Seed fixtures are copies in tests/fixtures/metadata/ (000 and 001 are excerpts).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratcompare.errors import UsageError
from stratcompare.metadata import (
    all_municipalities,
    detect_municipality,
    detect_years,
    municipality_by_code,
    normalise_municipality,
    resolve_municipality,
)

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


def seed(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- the data file ---------------------------------------------------------------------------
def test_data_file_has_98_unique_municipalities_with_unique_codes():
    ms = all_municipalities()
    assert len(ms) == 98
    assert len({m.name for m in ms}) == 98
    assert len({m.official for m in ms}) == 98
    assert len({m.code for m in ms}) == 98
    assert all(100 <= m.code <= 999 for m in ms)
    assert Counter(m.region for m in ms) == {
        "Hovedstaden": 29, "Sjælland": 17, "Syddanmark": 22, "Midtjylland": 19, "Nordjylland": 11,
    }
    assert all(m.official.endswith(("Kommune", "Regionskommune")) for m in ms)


@pytest.mark.parametrize(
    ("code", "name"),
    [(101, "København"), (147, "Frederiksberg"), (400, "Bornholm"), (259, "Køge"),
     (657, "Herning"), (661, "Holstebro"), (510, "Haderslev"), (751, "Aarhus"),
     (860, "Hjørring"), (492, "Ærø"), (825, "Læsø"), (563, "Fanø"), (169, "Høje-Taastrup"),
     (173, "Lyngby-Taarbæk"), (851, "Aalborg"), (461, "Odense")],
)
def test_known_codes(code, name):
    m = municipality_by_code(code)
    assert m is not None and m.name == name


def test_official_names_and_no_christiansoe():
    by_name = {m.name: m for m in all_municipalities()}
    assert by_name["København"].official == "Københavns Kommune"
    assert by_name["Bornholm"].official == "Bornholms Regionskommune"
    assert "Christiansø" not in by_name
    assert normalise_municipality("Christiansø") is None


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("Århus", "Aarhus"), ("aarhus", "Aarhus"), ("Kbh", "København"),
     ("Københavns Kommune", "København"), ("Høje Taastrup", "Høje-Taastrup"),
     ("Lyngby", "Lyngby-Taarbæk"), ("lyngby taarbæk", "Lyngby-Taarbæk"),
     ("Brønderslev-Dronninglund", "Brønderslev"), ("Ikast Brande", "Ikast-Brande"),
     ("Ringkøbing Skjern", "Ringkøbing-Skjern"), ("Vesthimmerland", "Vesthimmerlands"),
     ("Fåborg-Midtfyn", "Faaborg-Midtfyn"), ("Lolland Kommune", "Lolland"),
     ("Hjørring Kommunes", "Hjørring"), ("Koege", "Køge"), ("Hjoerring", "Hjørring"),
     ("Bornholms Regionskommune", "Bornholm"), ("Frederiksberg", "Frederiksberg"),
     ("Åbenrå", "Aabenraa"), ("860", "Hjørring")],
)
def test_normalise_variants(written, canonical):
    assert normalise_municipality(written) == canonical


def test_resolve_unknown_name_is_a_one_line_usage_error():
    with pytest.raises(UsageError) as info:
        resolve_municipality("Hjöring x")
    message = str(info.value)
    assert "\n" not in message and "Hjørring" in message
    assert resolve_municipality("Herning").code == 657


# --- municipality detection on the seeds -----------------------------------------------------
def test_seed000_hjoerring_web_page():
    guess = detect_municipality([seed("seed000_hjoerring_web_excerpt.txt")])
    assert guess.name == "Hjørring"
    assert guess.confidence > 0.9
    assert any("Hjørring Kommune" in e for e in guess.evidence)


def test_seed001_koege():
    guess = detect_municipality([seed("seed001_koege_excerpt.txt")])
    assert guess.name == "Køge"
    assert guess.confidence > 0.9


def test_seed002_ocr_damaged_hjoerring():
    text = seed("seed002_hjoerring_formaalspapir_ocr.txt")
    assert "Hjørring" not in text  # the fixture really is damaged
    guess = detect_municipality([text])
    assert guess.name == "Hjørring"
    assert guess.confidence > 0.9
    assert any("Hjgrring Kommunes" in e for e in guess.evidence)


def test_seed003_holstebro_first_haderslev_runner_up():
    guess = detect_municipality([seed("seed003_holstebro_haderslev.txt")])
    assert guess.name == "Holstebro"
    names = [name for name, _ in guess.candidates]
    assert names[:2] == ["Holstebro", "Haderslev"]
    # two municipalities compete: lower confidence than a one-municipality document
    assert 0.45 < guess.confidence < 0.8


def test_seed004_herning_beats_the_municipalities_it_mentions():
    text = seed("seed004_herning.txt")
    guess = detect_municipality([text])
    assert guess.name == "Herning"
    mentioned = {name for name, _ in guess.candidates}
    others = {"Odense", "Odder", "Stevns", "Fanø", "Hvidovre", "Aarhus", "Frederiksberg"}
    assert others <= mentioned
    scores = dict(guess.candidates)
    assert scores["Herning"] > 3 * max(s for n, s in scores.items() if n != "Herning")
    assert guess.confidence > 0.8


def test_confidence_is_lower_when_two_compete():
    single = detect_municipality(["Holstebro Kommune har lavet en strategi."])
    pair = detect_municipality(["Holstebro Kommune og Haderslev Kommune har lavet en strategi."])
    assert single.name == "Holstebro"
    assert pair.name in ("Holstebro", "Haderslev")
    assert pair.confidence < single.confidence


# --- unit cases --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Københavns Kommune har vedtaget en ny socialstrategi.", "København"),
        ("Socialstrategi for Aarhus Kommune", "Aarhus"),
        ("Socialstrategi for Århus Kommune", "Aarhus"),
        ("Høje-Taastrup Kommune", "Høje-Taastrup"),
        ("Høje Taastrup Kommune", "Høje-Taastrup"),
        ("Lyngby-Taarbæk Kommune", "Lyngby-Taarbæk"),
        ("Bornholms Regionskommune", "Bornholm"),
        ("Byrådet i Vejle har besluttet at gå nye veje.", "Vejle"),
        ("Hjørring Kommunes Byråd", "Hjørring"),
        ("Ringkøbing-Skjern Kommunes handicappolitik", "Ringkøbing-Skjern"),
        ("Vesthimmerlands Kommune", "Vesthimmerlands"),
        ("Nordfyns Kommune", "Nordfyns"),
        ("HJØRRING KOMMUNE", "Hjørring"),
        ("Mariager Fjord Kommune", "Mariagerfjord"),
        # OCR damage
        ("Hjgrring Kommunes Forebyggelsesstrategi", "Hjørring"),
        ("Strategi for Kgge Kommune", "Køge"),
        ("@rø Kommune", "Ærø"),
        ("Zrø Kommunes plan", "Ærø"),
        ("Helsingpr Kommune", "Helsingør"),
        ("Naestved Kommune", "Næstved"),
        ("Tarnby Kommune", "Tårnby"),
        ("Hjgrring-modellen er vores model", "Hjørring"),
        # bare names and compounds
        ("Herningmodellen", "Herning"),
        ("Strategi for Frederiksberg", "Frederiksberg"),
        ("Erfaringer fra Lolland", "Lolland"),
    ],
)
def test_unit_detection(text, expected):
    assert detect_municipality([text]).name == expected


@pytest.mark.parametrize(
    "text",
    [
        "Denne strategi nævner ingen kommune ved navn. Borgerne er i centrum.",
        "Vejledning om vejleder-funktionen.",  # Vejle is not in "vejledning"
        "Vejen til et godt liv går gennem fællesskaber.",  # Vejen the road, not the municipality
        "Ergoterapi og fysioterapi. Are you ready?",  # no fuzzy Ærø in ordinary words
        "",
    ],
)
def test_no_municipality(text):
    guess = detect_municipality([text])
    assert guess.name is None
    assert guess.confidence == 0.0


def test_empty_document():
    guess = detect_municipality([])
    assert (guess.name, guess.confidence, guess.candidates) == (None, 0.0, [])


def test_street_names_are_weak_evidence():
    street = detect_municipality(["Kontoret ligger på Kalundborgvej 12."])
    model = detect_municipality(["Vi arbejder efter Herningmodellen."])
    assert dict(street.candidates)["Kalundborg"] < dict(model.candidates)["Herning"]
    assert street.name is None


def test_title_and_first_page_outweigh_later_pages():
    filler = "Borgerne skal have den rette hjælp. " * 200
    pages = ["Strategi for det specialiserede socialområde i Viborg Kommune. " + filler]
    pages += [filler + "Vi har ladet os inspirere af Randers Kommune og Randers Kommune."] * 3
    assert detect_municipality(pages).name == "Viborg"
    titled = detect_municipality(pages[1:], title="Viborg Kommune – Socialstrategi")
    assert titled.name == "Viborg"


def test_filename_counts_a_little():
    assert detect_municipality([], filename="corpus/hjoerring-formaalspapir-2024.pdf").name == (
        "Hjørring"
    )
    assert detect_municipality([], filename="/x/koege_strategi.pdf").name == "Køge"
    # ... but not more than the text
    guess = detect_municipality(["Aalborg Kommune: Strategi"], filename="hjoerring.pdf")
    assert guess.name == "Aalborg"
    assert [n for n, _ in guess.candidates] == ["Aalborg", "Hjørring"]


def test_hyphenated_pair_counts_both():
    names = {n for n, _ in detect_municipality(["Holstebro-Struer samarbejdet"]).candidates}
    assert names == {"Holstebro", "Struer"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=4), st.none() | st.text(max_size=60))
def test_detection_never_fails_and_confidence_is_bounded(pages, title):
    guess = detect_municipality(pages, title=title, filename=title)
    assert 0.0 <= guess.confidence <= 1.0
    assert (guess.name is None) == (guess.confidence == 0.0)
    years = detect_years(pages, title=title)
    assert (years.start is None) == (years.end is None)
    if years.start is not None:
        assert 1990 <= years.start <= years.end <= 2100


# --- years -------------------------------------------------------------------------------------
def test_seed000_years_are_the_merged_budget_periods():
    info = detect_years([seed("seed000_hjoerring_web_excerpt.txt")])
    assert (info.start, info.end, info.adopted) == (2023, 2027, None)


def test_seed001_has_no_year():
    info = detect_years([seed("seed001_koege_excerpt.txt")])
    assert (info.start, info.end, info.adopted) == (None, None, None)


def test_seed002_approval_paper_is_dated_by_its_approval():
    info = detect_years([seed("seed002_hjoerring_formaalspapir_ocr.txt")])
    assert info.adopted == "2024-05-29"
    assert (info.start, info.end) == (2024, 2024)
    assert info.basis == "adopted"


def test_seed003_year_2018():
    info = detect_years([seed("seed003_holstebro_haderslev.txt")])
    assert (info.start, info.end) == (2018, 2018)


def test_seed004_most_frequent_year():
    info = detect_years([seed("seed004_herning.txt")])
    assert (info.start, info.end) == (2016, 2016)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Forebyggelsesstrategi 2023-2026", (2023, 2026)),
        ("Strategi for perioden 2024 – 2027.", (2024, 2027)),
        ("Handicappolitik 2023-27", (2023, 2027)),
        ("Indsatsen indgår i budget 2023 — 2026.", (2023, 2026)),
        ("Skoleåret 2023/24", (2023, 2024)),
        ("Politikken gælder 2020 til 2024", (2020, 2024)),
        ("Mødet blev holdt den 14. september 2018 i Haderslev.", (2018, 2018)),
        ("Status marts 2019", (2019, 2019)),
        ("Udgifterne steg i 2019, i 2021 og igen i 2021.", (2021, 2021)),
        ("Der er 2500 borgere og 1.2020 kr. og 12345 sager", None),
    ],
)
def test_year_formats(text, period):
    info = detect_years([text])
    assert ((info.start, info.end) if info.start else None) == period


@pytest.mark.parametrize(
    ("text", "adopted"),
    [
        ("Godkendt i Byrådet den 29. maj 2024", "2024-05-29"),
        ("Godkendt i Byradet den 29. maj 2024", "2024-05-29"),
        ("Vedtaget af Kommunalbestyrelsen d. 12. juni 2023.", "2023-06-12"),
        ("Endeligt vedtaget 03.02.2021", "2021-02-03"),
        ("Mødet den 14. september 2018", None),
        # the day it takes effect is no adoption date, even right after one
        ("Vedtaget af Byrådet den 18. december 2024 – gældende fra 1. januar 2025", "2024-12-18"),
        ("Strategien blev godkendt. Næste møde er den 3. maj 2025.", None),
    ],
)
def test_adoption_dates(text, adopted):
    assert detect_years([text]).adopted == adopted


def test_strategy_range_beats_adoption_year_and_title_range_beats_all():
    text = "Handicappolitik 2021-2025\n\nVedtaget af Byrådet den 15. juni 2021."
    info = detect_years([text])
    assert (info.start, info.end, info.adopted) == (2021, 2025, "2021-06-15")
    body = ["Se politikken 2019-2022 og budget 2024-2027."]
    titled = detect_years(body, title="Strategi 2024-2028")
    assert (titled.start, titled.end) == (2024, 2028)


def test_late_ranges_do_not_count_as_the_period():
    filler = "Vi arbejder med borgerne i centrum. " * 200
    info = detect_years(["Strategi fra 2020.", filler + "Tidligere politik 2010-2014."])
    assert (info.start, info.end) == (2020, 2020)


def test_genre_none_keeps_the_period_rules_and_adds_the_document_date():
    text = "Referat 4. juni 2025\n\nHandicappolitik 2021-2025 blev drøftet."
    plain = detect_years([text])
    assert (plain.start, plain.end, plain.basis) == (2021, 2025, "first-pages-range")
    assert plain.dated == "2025-06-04" and plain.year == 2021
    minutes = detect_years([text], genre="minutes")
    assert (minutes.start, minutes.end, minutes.basis, minutes.year) == (2025, 2025, "dated", 2025)
    strategy = detect_years([text], genre="strategy")
    assert (strategy.start, strategy.end) == (plain.start, plain.end)


def test_the_one_year_prefers_a_title_range_then_the_adoption():
    adopted = detect_years(["Politik for kultur 2009-2012. Godkendt af byrådet den 30. april 2008."])
    assert (adopted.start, adopted.year) == (2009, 2008)
    titled = detect_years(["Godkendt af byrådet den 30. april 2008."], title="Politik 2009-2012")
    assert titled.year == 2009
    assert detect_years(["Ingen årstal her."]).year is None


# --- speed -------------------------------------------------------------------------------------
def test_detection_on_a_100_page_document_is_fast():
    text = "".join(seed(n) for n in sorted(p.name for p in FIXTURES.glob("*.txt")))
    pages = [text[i : i + 3000] for i in range(0, len(text), 3000)]
    pages = (pages * 10)[:100]
    detect_municipality(pages[:2])  # compile patterns once
    detect_years(pages[:2])
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        detect_municipality(pages, title="Strategi", filename="strategi.pdf")
        detect_years(pages, title="Strategi")
        best = min(best, time.perf_counter() - t0)
    # typically ~15 ms on this machine; the bound leaves room for a loaded CI runner
    assert best < 0.2
