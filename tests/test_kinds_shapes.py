"""Headings and lists by their shape (session 7): a question or clause standing alone, a
document's title block, a lead-in over lines without bullets, lines that open with one word
and a number; and dash "items" of quoted speech that are prose.  Each rule has counter-examples
that keep their kind.

Every example here is invented for the test (none is copied from the dev batches or the real
documents)."""

import pytest

from stratcompare.segment import Segment
from stratcompare.segment.kinds import by_shape, classify_kind, refine_kinds


@pytest.mark.parametrize("text", [
    "Hvem kan få en ledsager?",
    "Hvad koster et ophold på aflastningshjemmet?",
    "Hvordan klager jeg over en afgørelse om hjælpemidler?",
    "Hvis du flytter til en anden kommune",
    "Når dit barn skal starte i skole",
    "Sådan får du en handicapparkering",
])
def test_a_question_or_clause_alone_is_a_heading(text):
    assert classify_kind(text, genre="other", position=0.4) == "heading"


@pytest.mark.parametrize("text, genre, kind", [
    # the question with its answer in the same passage is text
    ("Hvem kan få en ledsager?\nDu kan få en ledsager, hvis du ikke selv kan færdes ude.",
     "other", "content"),
    # a long question is a sentence of prose, not a heading
    ("Hvordan sikrer vi, at alle borgere med handicap kan tage del i kommunens tilbud "
     "om kultur og fritid?", "strategy", "content"),
    # a clause with its full stop or its main clause is a sentence
    ("Hvis du flytter, skal du give besked til kommunen.", "other", "content"),
    ("Når dit barn skal starte i skole.", "other", "content"),
    # a clause longer than a heading
    ("Hvis du har brug for hjælp til at komme til og fra lægen eller hospitalet i weekenden",
     "other", "content"),
    # a feedback question stays furniture
    ("Var siden nyttig?", "other", "boilerplate"),
    # a line that opens with no subordinating word and has no question mark
    ("Tryghed i hverdagen", "strategy", "content"),
])
def test_text_shaped_otherwise_keeps_its_kind(text, genre, kind):
    assert classify_kind(text, genre=genre, position=0.5) == kind


@pytest.mark.parametrize("text", [
    "Målgruppen er:\nBorgere over 18 år med en sindslidelse\nBorgere med et misbrug\n"
    "Borgere uden egen bolig",
    "Tilbud om samvær\nVi tilbyder:\nspisefællesskab hver tirsdag\nudflugter i sommerferien",
    "Opfølgning på målene\nMål 1: Flere unge i uddannelse – nået\nMål 2: Færre anbringelser "
    "– i gang\nMål 3: Kortere ventetid – ikke nået",
])
def test_items_without_bullets_are_a_list(text):
    assert by_shape(text) == "list"
    assert classify_kind(text, genre="strategy", position=0.5) == "list"


@pytest.mark.parametrize("text", [
    # a sentence wrapped over short lines after a colon
    "Formålet er klart:\nat give borgerne en bedre hverdag,\nhvor de kan klare mere\n"
    "selv i deres eget hjem.",
    # lines ending in a function word are a wrapped sentence
    "Vi vil:\nsamarbejde tæt med de frivillige og\nforeningerne i lokalområdet om",
    # an address block under a colon is no list
    "Henvendelse:\nSocialafdelingen\nTorvet 4\n6700 Nordby",
    # two lines opening with a word and a number are not enough, nor different words
    "Status\nMål 1: Flere unge i uddannelse – nået\nMål 2: Færre anbringelser – i gang",
    "Status\nMål 1: Flere unge i uddannelse\nIndsats 2: Mentorordning\nSpor 3: Bolig",
    # one lead-in over a single line
    "Det gælder for:\nAlle borgere over 65 år",
])
def test_lines_that_are_no_list_stay_text(text):
    assert by_shape(text) == "content"


QUOTE = ("- Vi har ventet længe på de penge, og nu kan vi endelig komme i gang med at hjælpe "
         "de borgere, der har det sværest, og som ikke har fået den hjælp, de har brug for. "
         "Det er en stor dag for os, siger formanden for udvalget, Lise Holm.\n"
         "- Vi håber, at projektet kan blive en fast del af vores indsats, når perioden er "
         "slut, og at flere borgere kan få glæde af det i de kommende år, end vi havde regnet "
         "med, da vi søgte puljen sidste år.")


def test_quoted_speech_behind_dashes_is_prose():
    assert by_shape(QUOTE, "list") == "content"
    lead = "Formanden siger:\n" + QUOTE.replace(", siger formanden for udvalget, Lise Holm", "")
    assert by_shape(lead, "list") == "content"


def test_a_list_of_long_items_without_a_speaker_stays_a_list():
    text = QUOTE.replace(", siger formanden for udvalget, Lise Holm", "")
    assert by_shape("Vi arbejder allerede med:\n" + text, "list") == "list"
    assert by_shape("Vi vil:\n- styrke samarbejdet\n- følge op hvert år", "list") == "list"


def _segments(*texts, kinds=None):
    return [Segment(i, 1, None, 0, len(t), t, kind=(kinds or {}).get(i, "content"))
            for i, t in enumerate(texts)]


PROSE = ("Med denne politik sætter kommunalbestyrelsen retningen for de næste fire år. "
         "Politikken er skrevet sammen med Handicaprådet og mere end 200 borgere.")


@pytest.mark.parametrize("title", [
    "Et liv med muligheder 2025-2029\nNordby Kommunes handicappolitik",
    "NOTAT\nUdgifter til botilbud i 2025",
    "Ældrestrategi\nTryg, aktiv og en del af fællesskabet\nNordby Kommune",
])
def test_a_documents_title_block_is_a_heading(title):
    segs = _segments("Gå til indhold", title, PROSE)
    refine_kinds(segs, genre="strategy", model=False)
    assert [s.kind for s in segs] == ["boilerplate", "heading", "content"]
    segs = _segments(title, PROSE)
    refine_kinds(segs, genre="strategy")  # with the package's model
    assert segs[0].kind == "heading"


@pytest.mark.parametrize("first, genre", [
    # a headline over its first sentence
    ("Nyt værested åbner i Nordby\nDet nye værested åbner 1. marts på Havnevej.", "news"),
    # four short lines are more than a title block
    ("Et liv med muligheder\nHandicappolitik\n2025-2029\nNordby Kommune", "strategy"),
    # a lead-in line ends in a colon
    ("Politikken i korte træk\nDen bygger på tre spor:", "strategy"),
    # in minutes the first lines are the meeting's header, not a title
    ("Social- og Sundhedsudvalget\nMødelokale 3", "minutes"),
])
def test_other_first_passages_are_no_title_block(first, genre):
    segs = _segments(first, PROSE)
    refine_kinds(segs, genre=genre, model=False)
    assert segs[0].kind != "heading"


def test_only_the_first_text_passage_can_be_the_title_block():
    segs = _segments(PROSE, "Et liv med muligheder 2025-2029\nNordby Kommunes handicappolitik")
    refine_kinds(segs, genre="strategy", model=False)
    assert segs[1].kind == "content"


@pytest.mark.parametrize("text", [
    "Fokusområder\n— Tidlig indsats for børn og unge\n— Bolig til alle\n— Job og uddannelse",
    "Vi vil:\no styrke samarbejdet med foreningerne\no give alle en fast kontaktperson",
    "Tre spor\n→ Forebyggelse\n→ Behandling\n→ Opfølgning",
    "Planen rummer:\n(1) flere skæve boliger\n(2) en udvidet bostøtte\n(3) en gadeplansindsats",
    "Vi vil: • styrke samarbejdet mellem skoler og dagtilbud • give alle familier en fast "
    "kontaktperson • følge op på indsatsen hvert år",
    "Indsatser\n• Tidlig indsats • Bolig til alle • Job og uddannelse",
])
def test_items_under_other_marks_or_run_together_are_a_list(text):
    assert by_shape(text) == "list"


@pytest.mark.parametrize("text", [
    # one marked line is no list; lines with different marks are none either
    "Fokusområder\n— Tidlig indsats for børn og unge",
    "Noter\n→ Se bilag 2\n* Tallene er foreløbige",
    # a quotation mark opens quoted lines, not items
    "»Vi skal lytte mere til borgerne«\n»Det er vores ansvar«",
    # bullets run together after a sentence, or with long parts, are text
    "Vi har arbejdet med tre spor i 2024 • det første er forebyggelse • det andet behandling",
    "Vi vil: • styrke samarbejdet mellem skoler og dagtilbud, så ingen børn falder igennem, "
    "og så alle familier får den hjælp de har brug for hurtigt • følge op",
    # a formal label over its entries, and names under a label, are no list
    "Bilag:\nUdkast til plan for psykisk sundhed 2026-2029\nHøringsliste",
    "Deltagere:\nAnne Holm\nBo Berg",
    "Kontaktperson:\nAnne Holm\nKonsulent",
])
def test_lines_with_marks_that_are_no_list_stay_text(text):
    assert by_shape(text) == "content"


def test_contents_word_over_a_lead_in_is_no_table_of_contents():
    from dataclasses import dataclass

    from stratcompare.segment.passages import is_toc, segment_pages

    @dataclass
    class Page:
        number: int
        text: str

    text = ("Hjælpen\n\nIndhold\nHjælpen kan for eksempel omfatte:\n- rengøring hver anden uge\n"
            "- indkøb en gang om ugen\n- tøjvask")
    segs = segment_pages([Page(1, text)], genre="other")
    refine_kinds(segs, genre="other")
    lead = next(s for s in segs if "omfatte:" in s.text)
    assert lead.kind == "list" and "- tøjvask" in lead.text  # the lead-in stays with its list
    assert not is_toc("Indhold\nHjælpen kan for eksempel omfatte:")
    # chapter names under "Indhold" are still a table of contents
    assert is_toc("Indhold Forord Vision Mål Opfølgning")
    assert classify_kind("Indhold\nForord 3\nVision 4\nMål 5\nOpfølgning 9",
                         genre="strategy") == "toc"


def test_a_numbered_list_under_a_low_numbered_agenda_item_stays_one_list():
    from dataclasses import dataclass

    from stratcompare.segment.passages import segment_pages

    @dataclass
    class Page:
        number: int
        text: str

    text = ("1. Godkendelse af dagsorden\n\nBeslutning\nGodkendt.\n\n2. Plan for bostøtte\n\n"
            "Sagsfremstilling\nForvaltningen foreslår følgende tiltag:\n\n1. Flere pladser\n"
            "2. En ny mentorordning for unge\n3. Et styrket samarbejde med jobcentret\n"
            "4. Flere skæve boliger\n\nBeslutning\nGodkendt.\n\n3. Eventuelt\n\nBeslutning\nIntet.")
    segs = segment_pages([Page(1, text)], genre="minutes")
    lst = next(s for s in segs if "følgende tiltag:" in s.text)
    assert lst.kind == "list" and "4. Flere skæve boliger" in lst.text
    assert [s.section for s in segs if s.text.startswith("3. ")] == ["3. Eventuelt"]
    # a real next item right after a list point of its own number minus one is still an item
    text2 = ("2. Plan for bostøtte\n\nForvaltningen foreslår:\n1. Flere pladser\n"
             "2. En ny mentorordning\n\n3. Eventuelt\n\nBeslutning\nIntet.")
    segs = segment_pages([Page(1, text2)], genre="minutes")
    assert any(s.section == "3. Eventuelt" for s in segs)


def test_a_heading_found_by_its_shape_names_the_passages_after_it():
    """A question standing alone becomes the section of its answer (as a cut heading does),
    up to the next heading; the title block and minutes keep their sections."""
    texts = ["Hvad skal jeg gøre, hvis jeg er bekymret?",
             "Er du bekymret for et barn, skal du kontakte Familierådgivningen på 12 34 56 78. "
             "Du kan også sende en underretning digitalt.",
             "Rådgiverne svarer hverdage fra 8 til 15.",
             "Hvem kan søge?", PROSE]
    segs = [Segment(i, 1, "Bekymring og beredskab", 0, len(t), t) for i, t in enumerate(texts)]
    refine_kinds(segs, genre="other", model=False)
    assert [s.kind for s in segs] == ["heading", "content", "content", "heading", "content"]
    assert [s.section for s in segs] == [
        "Hvad skal jeg gøre, hvis jeg er bekymret?", "Hvad skal jeg gøre, hvis jeg er bekymret?",
        "Hvad skal jeg gøre, hvis jeg er bekymret?", "Hvem kan søge?", "Hvem kan søge?"]
    # a passage of another section (the segmenter cut a heading before it) is not renamed
    segs = [Segment(0, 1, "A", 0, 10, "Hvem kan søge?"), Segment(1, 1, "B", 0, 10, PROSE)]
    refine_kinds(segs, genre="other", model=False)
    assert segs[1].section == "B"
    # the title block names nothing; nor does a question in minutes
    segs = _segments("Et liv med muligheder 2025-2029\nNordby Kommunes handicappolitik", PROSE)
    refine_kinds(segs, genre="strategy", model=False)
    assert segs[0].kind == "heading" and segs[1].section is None
    segs = [Segment(0, 1, "3. Orientering", 0, 10, "Hvem kan søge?"),
            Segment(1, 1, "3. Orientering", 0, 10, PROSE)]
    refine_kinds(segs, genre="minutes", model=False)
    assert segs[1].section == "3. Orientering"
