"""Page furniture that the segmenter now cuts apart (a running line ending in its page number,
a row of site links) gets the kind boilerplate; the same marks inside text do not."""

import pytest

from stratcompare.segment.kinds import classify_kind


@pytest.mark.parametrize("text, genre", [
    ("Handicaprådet 03-09-2025 Side 3 af 4", "minutes"),
    ("Byrådet 26-02-2019 Side 14", "minutes"),
    ("Byens Kommune · Høring over handicappolitik · Side 2", "other"),
    ("Om rådet · Mødeplan 2025 · Tilgængelighedserklæring · Cookies · Kontakt", "other"),
])
def test_running_lines_and_link_rows_are_boilerplate(text, genre):
    assert classify_kind(text, genre=genre) == "boilerplate"


@pytest.mark.parametrize("text, genre", [
    ("Indsatsen er beskrevet i handleplanen, se side 12", "strategy"),
    ("Vi arbejder videre med indsatsen på side 4", "strategy"),
    ("Tryghed · Trivsel · Fællesskab", "strategy"),  # a slogan of three words is no link row
])
def test_page_references_and_slogans_stay_text(text, genre):
    assert classify_kind(text, genre=genre) == "content"
