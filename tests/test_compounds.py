"""The Danish compound splitter: splits policy compounds at the right joint, leaves words alone."""

from __future__ import annotations

import pytest

from stratcompare.search.compounds import analyse, split


@pytest.mark.parametrize("word, expected", [
    ("anbringelsesgrundlag", "anbringelse|s|grundlag"),
    ("netværksplejefamilie", "netværk|s|pleje|familie"),
    ("hjemløsestrategi", "hjemløse|strategi"),
    ("ungeindsats", "unge|indsats"),
    ("bostøttetilbud", "bo|støtte|tilbud"),
    ("handicappolitik", "handicap|politik"),
    ("misbrugsbehandling", "misbrug|s|behandling"),
    ("udsatteråd", "udsatte|råd"),
    ("sundhedspleje", "sundhed|s|pleje"),
    ("forebyggelsesstrategi", "forebyggelse|s|strategi"),
    ("Kvalitetsstandarder", "kvalitet|s|standarder"),
])
def test_splits_policy_compounds(word, expected):
    assert analyse(word) == expected


@pytest.mark.parametrize("word", [
    "kommune", "borger", "handicap", "samarbejde", "forældre", "overgang", "tilbud", "indsats",
    "anbringelse", "forebyggelse", "udvikling", "tilgængelighed", "fællesskab", "ligeværdighed",
    "implementering", "sygdom",
    # names: Rødovre is not rød|ovre, Frederikssund not frederik|s|sund
    "Rødovre", "Frederikssund", "Brønderslev", "Vordingborg", "Holstebro",
    # short, non-alphabetic
    "ungeråd"[:5], "§18-puljen", "2019",
])
def test_leaves_words_and_names_whole(word):
    assert split(word) == []
    assert analyse(word) == word.lower()


def test_inflected_last_part_and_parts_without_links():
    assert split("netværksplejefamilierne") == ["netværk", "pleje", "familierne"]
    assert split("tilbuddet") == []
    assert split("aflastningstilbuddet") == ["aflastning", "tilbuddet"]


def test_unknown_letters_do_not_split():
    assert split("xqzvbnmtrlk") == []
    assert split("strategixqz") == []
