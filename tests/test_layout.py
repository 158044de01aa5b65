"""Page-text clean-up: running lines, page numbers, hyphenation, reflow, characters."""

from __future__ import annotations

import pytest

from stratcompare.ingest.layout import (
    PageLines,
    clean_page_texts,
    clean_pages,
    garbage_share,
    is_page_number,
    join_hyphenation,
    normalize_chars,
    reflow,
)

BODY = [
    "Kommunen vil styrke den tidlige indsats for børn og unge i udsatte positioner og deres familier.",
    "Vi arbejder med sammenhængende forløb på tværs af skole, sundhed og det specialiserede område.",
    "Udgifterne på det specialiserede socialområde skal bringes i balance inden udgangen af perioden.",
    "Borgerne skal opleve, at de bliver mødt af fagpersoner, der kender deres situation og behov.",
]


def _pages(n: int) -> list[str]:
    return [
        f"Køge Kommune · Strategier for indsatsen 2023-2026\n{BODY[i]}\n{BODY[-1 - i]}\nSide {i + 1} af {n}"
        for i in range(n)
    ]


def test_running_header_and_page_numbers_removed():
    cleaned = clean_page_texts(_pages(4))
    for i, text in enumerate(cleaned):
        assert "Køge Kommune · Strategier" not in text
        assert "Side" not in text
        assert BODY[i] in text and BODY[-1 - i] in text


def test_header_varying_only_in_digits_is_removed():
    pages = [f"Strategi {2020 + i} - kapitel {i}\n{BODY[i % 4]}\n{BODY[(i + 2) % 4]}" for i in range(4)]
    for text in clean_page_texts(pages):
        assert "Strategi" not in text and "kapitel" not in text


def test_two_page_document_keeps_first_lines_but_loses_page_numbers():
    pages = ["Indledning\n" + BODY[0] + "\n1", "Indledning\n" + BODY[1] + "\n- 2 -"]
    cleaned = clean_page_texts(pages)
    assert cleaned[0].startswith("Indledning") and cleaned[1].startswith("Indledning")
    assert not cleaned[0].rstrip().endswith("1") and "- 2 -" not in cleaned[1]


def test_two_page_document_running_header_set_apart():
    pages = [f"Køge Kommune · Strategier for indsatsen\n\n{BODY[0]}\n{BODY[1]}",
             f"Køge Kommune - Strategier for indsatsen\n\n{BODY[2]}\n{BODY[3]}"]
    cleaned = clean_page_texts(pages)
    assert cleaned[0].startswith(BODY[0][:20]) and cleaned[1].startswith(BODY[2][:20])
    # the same opening line without a gap after it is body text and stays
    pages = [p.replace("indsatsen\n\n", "indsatsen\n") for p in pages]
    assert all(t.startswith("Køge Kommune") for t in clean_page_texts(pages))


@pytest.mark.parametrize("line", ["3", "Side 3", "side 3 af 12", "3/12", "- 3 -", "(3)", "Page 7"])
def test_page_number_patterns(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["2023", "2023-2026", "3 mål for indsatsen", "Side om side"])
def test_not_page_numbers(line):
    assert not is_page_number(line)


def test_body_line_repeated_outside_bands_is_kept():
    pages = [f"Overskrift {chr(65 + i)}\n{BODY[0]}\nFælles tekst i midten af siden.\n{BODY[1]}\n{BODY[2]}\nslut {chr(97 + i)}"
             for i in range(4)]
    for text in clean_page_texts(pages):
        assert "Fælles tekst i midten af siden." in text


def test_line_end_hyphenation_joined():
    assert join_hyphenation("den gen-\nnemsnitlige udgift") == "den gennemsnitlige\nudgift"
    assert join_hyphenation("det so-\nciale område") == "det sociale\nområde"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sundheds-\nog Ældreudvalget", "Sundheds-\nog Ældreudvalget"),
        ("Sundheds-, Ældre- og Handicapudvalget", "Sundheds-, Ældre- og Handicapudvalget"),
        ("Hjørring-\nmodellen virker", "Hjørring-modellen\nvirker"),
        ("0-\n6 årsområdet", "0-6\nårsområdet"),
        ("perioden 2023-\n2026", "perioden 2023-2026"),
        ("ikke-\nvestlige borgere", "ikke-vestlige\nborgere"),
        ("Nord-\nJylland", "Nord-Jylland"),
        ("SKOLEDISTRIK-\nTER", "SKOLEDISTRIKTER"),
        ("NORD-\nJylland", "NORD-Jylland"),
    ],
)
def test_real_hyphens_kept(text, expected):
    assert join_hyphenation(text) == expected


def test_inline_hyphenation_remnants():
    text = "En gen-nemsnitlig borger på det so-ciale område, ikke-vestlige og e-mail."
    assert join_hyphenation(text) == (
        "En gennemsnitlig borger på det sociale område, ikke-vestlige og e-mail."
    )
    assert join_hyphenation("0-6 årsområdet 2023-2026") == "0-6 årsområdet 2023-2026"


def test_reflow_joins_wrapped_lines_and_keeps_paragraphs():
    lines = [
        "Kommunen vil styrke den tidlige indsats for børn og",
        "unge i udsatte positioner, og vi vil arbejde med",
        "sammenhængende forløb.",
        "Næste afsnit begynder her med en lang linje tekst som",
        "fortsætter på linjen under og slutter her.",
    ]
    assert reflow(lines) == (
        "Kommunen vil styrke den tidlige indsats for børn og unge i udsatte positioner, og vi vil "
        "arbejde med sammenhængende forløb.\n\nNæste afsnit begynder her med en lang linje tekst "
        "som fortsætter på linjen under og slutter her."
    )


def test_reflow_bullets_and_headings():
    lines = ["Indsatser", "", "Vi vil gøre følgende:", "- styrke den tidlige", "  indsats", "• samarbejde",
             "1. første mål", "2. andet mål"]
    out = reflow(lines, headings={0})
    assert out == ("Indsatser\n\nVi vil gøre følgende:\n- styrke den tidlige indsats\n• samarbejde\n"
                   "1. første mål\n2. andet mål")


def test_known_heading_stays_separate():
    page = PageLines(["Økonomi", "Udgifterne skal bringes i balance og", "styres tæt."], 0, 0, {0})
    assert clean_pages([page]) == ["Økonomi\n\nUdgifterne skal bringes i balance og styres tæt."]


def test_characters_normalized():
    assert normalize_chars("ﬁnansiering ﬂere ﬀ ﬃ ﬄ ﬅ ﬆ") == "finansiering flere ff ffi ffl st st"
    assert normalize_chars("so\u00adciale\u00a0område") == "sociale område"
    assert normalize_chars("Hjo\u0308rring") == "Hjörring"  # NFC
    assert normalize_chars("abc (cid:12)(cid:7) def") == "abc  def"


def test_garbage_share():
    assert garbage_share("(cid:3)(cid:4)(cid:5) x") > 0.9
    assert garbage_share("helt almindelig dansk tekst") == 0.0
    assert garbage_share("") == 0.0
    assert garbage_share("\x01\x02\x03 ab") == pytest.approx(0.6)


def test_clean_page_texts_is_per_page_and_total():
    texts = clean_page_texts(["", "   \n", BODY[0]])
    assert texts == ["", "", BODY[0]]


def test_word_hyphenated_across_a_page_break():
    pages = [f"Hjørring Kommune\n{BODY[0]}\nDet handler om omkostnin-\nSide 1",
             f"Hjørring Kommune\ngerne på lang sigt.\n{BODY[1]}\nSide 2",
             f"Hjørring Kommune\n{BODY[2]}\nSide 3"]
    cleaned = clean_page_texts(pages)
    assert cleaned[0].endswith("Det handler om omkostningerne")
    assert cleaned[1].startswith("på lang sigt.")
    assert not any("Hjørring Kommune" in t or "Side" in t for t in cleaned)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORD = st.from_regex(r"[A-Za-zæøåÆØÅ]{1,12}[.,:]?", fullmatch=True)
_LINE = st.lists(_WORD, min_size=0, max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=40))
def test_clean_up_never_loses_or_invents_words(lines):
    """Without digits, hyphens or bullets nothing may be removed: reflow only moves breaks."""
    text = "\n".join(lines)
    (cleaned,) = clean_page_texts([text])
    assert cleaned.split() == text.split()
    assert "\n\n\n" not in cleaned and cleaned == cleaned.strip()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_clean_up_total_on_any_text(text):
    pages = text.split("\f")
    cleaned = clean_page_texts(pages)
    assert len(cleaned) == len(pages)
    assert all(isinstance(t, str) for t in cleaned)


def test_two_page_running_header_differing_only_by_its_page_number():
    head = "Sundhedsudvalget - Åbent referat - 04.12.2012 - Side {}"
    pages = [f"{head.format(1)}\n\n{BODY[0]}\n{BODY[1]}", f"{head.format(2)}\n\n{BODY[2]}\n{BODY[3]}"]
    cleaned = clean_page_texts(pages)
    assert cleaned[0].startswith(BODY[0][:20]) and cleaned[1].startswith(BODY[2][:20])
    # counter-example: two opening lines that differ in a word are body text and stay
    pages[1] = pages[1].replace("Åbent referat", "Lukket referat")
    assert all(t.startswith("Sundhedsudvalget") for t in clean_page_texts(pages))


def test_two_page_running_footer_above_its_page_number_without_a_gap():
    """A short page's footer can sit right under its text (no paragraph gap): the same line
    above a page number on both pages is still a running footer, and the page number goes too."""
    foot = "Havbjerg Kommune - Kvalitetsstandard 2024 - Madservice"
    pages = [f"{BODY[0]}\n{BODY[1]}\n\n{foot}\nSide 1",
             f"{BODY[2]}\nGodkendt af udvalget den 4. december 2023.\n{foot}\nSide 2"]
    cleaned = clean_page_texts(pages)
    assert all("Havbjerg Kommune" not in t and "Side" not in t for t in cleaned), cleaned
    assert cleaned[1].rstrip().endswith("4. december 2023.")
    # counter-example: the same last line without a page number beyond it, run on from the
    # text, is body text and stays
    pages = [p.rsplit("\nSide", 1)[0].replace("\n\n", "\n") for p in pages]
    assert all(t.rstrip().endswith("Madservice") for t in clean_page_texts(pages))


def test_contents_lines_ending_in_page_numbers_are_not_joined():
    lines = ["Indhold", "Tema 2: Arbejde og uddannelse i hele kommunen 6",
             "Tema 3: Fællesskaber og frivillighed i lokalsamfundene 7",
             "Tema 4: Tilgængelighed i de kommunale bygninger 8"]
    assert reflow(lines).split("\n\n")[1:] == lines[1:]
    # counter-example: a wrapped sentence whose line ends in a number still runs on
    text = ["Kommunen har i dag oprettet pladser til borgere i alt 6",
            "nye pladser kommer til i løbet af året på plejecentret i byen."]
    assert reflow(text) == " ".join(text)
