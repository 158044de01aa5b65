"""Segmentation: paragraphs, headings folded into what follows, long paragraphs split, offsets."""

from dataclasses import dataclass, field

from stratcompare.segment import is_heading, segment_pages
from stratcompare.segment.passages import MAX_CHARS


@dataclass
class P:
    number: int
    text: str
    headings: list = field(default_factory=list)


def test_heading_is_folded_into_following_paragraph_and_becomes_section():
    text = ("Samskabelsesstrategi\n\nSamskabelse er, når kommune og borgere går sammen om at "
            "udvikle initiativer.\n\nVi ønsker at involvere civilsamfundet.")
    segs = segment_pages([P(1, text)])
    assert len(segs) == 2
    assert segs[0].text.startswith("Samskabelsesstrategi\nSamskabelse er")
    assert segs[0].section == "Samskabelsesstrategi"
    assert segs[1].section == "Samskabelsesstrategi"
    assert segs[1].text == "Vi ønsker at involvere civilsamfundet."


def test_offsets_point_into_page_text():
    text = "Indledning\n\nFørste afsnit om tidlig indsats.\n\nAndet afsnit om økonomi."
    for s in segment_pages([P(3, text)]):
        assert s.page == 3
        assert text[s.char_start:s.char_end].split() == s.text.split()


def test_list_items_become_separate_passages_with_lead_in_folded():
    text = ("Konkrete initiativer:\n- Analyse af kapacitetsbehov på voksenområdet\n"
            "- Boliger til målgruppen, billige ungdomsboliger\n- Klagedrevet innovation")
    segs = segment_pages([P(1, text)])
    assert [s.text.splitlines()[-1][:10] for s in segs] == ["- Analyse ", "- Boliger ", "- Klagedre"]
    assert segs[0].text.startswith("Konkrete initiativer:")


def test_long_paragraph_is_split_at_sentence_ends():
    sentence = "Kommunen vil styrke den tidlige indsats for børn og unge i udsatte positioner. "
    text = sentence * 60
    segs = segment_pages([P(1, text)])
    assert len(segs) > 1
    assert all(len(s.text) <= MAX_CHARS for s in segs)
    assert all(s.text.endswith(".") for s in segs)
    assert " ".join(s.text for s in segs).split() == text.split()


def test_sequence_runs_across_pages_and_section_carries_over():
    segs = segment_pages([P(1, "Organisering\n\nStyregruppen mødes hver måned."),
                          P(2, "Der følges op på målene hvert år.")])
    assert [s.seq for s in segs] == [0, 1]
    assert [s.page for s in segs] == [1, 2]
    assert segs[1].section == "Organisering"


def test_heading_rules():
    assert is_heading("Strategiens formål")
    assert is_heading("Konkrete initiativer:")
    assert not is_heading("Dette er en hel sætning om indsatsen.")
    assert not is_heading("- Housing first")
    assert not is_heading("Indledning.....\t3")
    assert not is_heading("vi arbejder allerede med")


def test_heading_only_document_still_yields_text():
    segs = segment_pages([P(1, "Forebyggelsesstrategi")])
    assert [s.text for s in segs] == ["Forebyggelsesstrategi"]


def test_trailing_adoption_notice_is_kept_as_its_own_passage():
    segs = segment_pages([P(1, "Opfølgning\n\nDer følges op årligt.\n\nGodkendt i Byrådet den 29. maj 2024")])
    assert segs[-1].text == "Godkendt i Byrådet den 29. maj 2024"


def test_paragraph_broken_by_page_break_is_continued():
    segs = segment_pages([P(1, "Samarbejdet styrkes på tværs af forvaltningsområderne,"),
                          P(2, "og arbejdet er forankret i en styregruppe.\n\nNyt afsnit.")])
    assert segs[0].text == ("Samarbejdet styrkes på tværs af forvaltningsområderne, og arbejdet "
                            "er forankret i en styregruppe.")
    assert segs[0].page == 1 and segs[1].text == "Nyt afsnit." and segs[1].page == 2


def test_heading_at_page_bottom_joins_paragraph_on_next_page():
    segs = segment_pages([P(1, "Første afsnit.\n\nSamskabelse"), P(2, "Vi samarbejder med frivillige.")])
    assert segs[1].text == "Samskabelse\nVi samarbejder med frivillige."
    assert segs[1].page == 2 and segs[1].section == "Samskabelse"


def test_lead_in_sentence_is_folded_but_not_a_section():
    text = ("Samskabelsesstrategi\n\nVi ønsker derfor at arbejde med, at\n\n"
            "Køge Kommune samarbejder med frivillige om netværk.")
    segs = segment_pages([P(1, text)])
    assert segs[0].section == "Samskabelsesstrategi"
    assert segs[0].text.endswith("med, at\nKøge Kommune samarbejder med frivillige om netværk.")
