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
            "udvikle initiativer.\n\nVi ønsker at involvere civilsamfundet i arbejdet med "
            "de nye initiativer.")
    segs = segment_pages([P(1, text)])
    assert len(segs) == 2
    assert segs[0].text.startswith("Samskabelsesstrategi\nSamskabelse er")
    assert segs[0].section == "Samskabelsesstrategi"
    assert segs[1].section == "Samskabelsesstrategi"
    assert segs[1].text == "Vi ønsker at involvere civilsamfundet i arbejdet med de nye initiativer."


def test_offsets_point_into_page_text():
    text = "Indledning\n\nFørste afsnit om tidlig indsats.\n\nAndet afsnit om økonomi."
    for s in segment_pages([P(3, text)]):
        assert s.page == 3
        assert text[s.char_start:s.char_end].split() == s.text.split()


def test_list_stays_with_its_lead_in_as_one_list_passage():
    # (was: each item its own passage -- the fragmenting issue 9 removes)
    text = ("Konkrete initiativer:\n- Analyse af kapacitetsbehov på voksenområdet\n"
            "- Boliger til målgruppen, billige ungdomsboliger\n- Klagedrevet innovation")
    segs = segment_pages([P(1, text)])
    assert len(segs) == 1 and segs[0].kind == "list"
    assert segs[0].text == text


def test_long_paragraph_is_split_at_sentence_ends():
    sentence = "Kommunen vil styrke den tidlige indsats for børn og unge i udsatte positioner. "
    text = sentence * 60
    segs = segment_pages([P(1, text)])
    assert len(segs) > 1
    assert all(len(s.text) <= MAX_CHARS for s in segs)
    assert all(s.text.endswith(".") for s in segs)
    assert " ".join(s.text for s in segs).split() == text.split()


def test_sequence_runs_across_pages_and_section_carries_over():
    segs = segment_pages([P(1, "Organisering\n\nStyregruppen mødes hver måned i rådhusets mødelokale."),
                          P(2, "Der følges op på målene for indsatsen hvert år.")])
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
                          P(2, "og arbejdet er forankret i en styregruppe.\n\n"
                               "Et nyt afsnit om noget helt andet begynder her.")])
    assert segs[0].text == ("Samarbejdet styrkes på tværs af forvaltningsområderne, og arbejdet "
                            "er forankret i en styregruppe.")
    assert segs[0].page == 1 and segs[1].page == 2
    assert segs[1].text == "Et nyt afsnit om noget helt andet begynder her."


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


# --- issue 9: passages a reader would cut ---------------------------------------------------
ITEM = "- arbejde for at styrke det lokale foreningsliv og de frivilliges muligheder i kommunen"


def test_lead_in_paragraph_and_items_across_blank_lines_form_one_list():
    text = ("Socialudvalget ønsker at styrke tillid og samarbejde på socialområdet.\n\n"
            "Derfor vil vi:\n\n• Tage udgangspunkt i borgerens egne ønsker\n\n"
            "• Styrke samarbejdet med pårørende\n\n• Følge implementeringen af kodekset")
    segs = segment_pages([P(1, text)])
    assert [s.kind for s in segs] == ["content", "list"]
    assert segs[1].text.startswith("Derfor vil vi:\n• Tage udgangspunkt")
    assert segs[1].text.endswith("• Følge implementeringen af kodekset")


def test_paragraph_ending_in_colon_is_the_lead_in_of_the_list_after_it():
    text = ("Handicappolitikken har fem overordnede indsatsområder og en række konkrete "
            "initiativer på hvert af disse fem indsatsområder:\n\n1. Bedre dialog\n"
            "2. En del af fællesskabet\n3. Sundhed for alle")
    [seg] = segment_pages([P(1, text)])
    assert seg.kind == "list" and seg.text.startswith("Handicappolitikken har fem")
    assert seg.text.endswith("3. Sundhed for alle")


def test_long_list_splits_at_item_boundaries_and_repeats_the_lead_in():
    items = [f"{ITEM} (nr. {i})" for i in range(40)]
    text = "Vi vil:\n" + "\n".join(items)
    segs = segment_pages([P(1, text)])
    assert len(segs) > 1 and all(s.kind == "list" for s in segs)
    assert all(s.text.startswith("Vi vil:\n- arbejde") for s in segs)
    assert all(len(s.text) <= MAX_CHARS for s in segs)
    got = [ln for s in segs for ln in s.text.split("\n") if ln != "Vi vil:"]
    assert got == items  # every item once, in order, never cut inside


def test_heading_followed_by_heading_or_at_the_end_stands_alone_as_heading():
    text = ("Indledning\n\nPolitikken gælder for alle borgere med handicap i kommunen.\n\n"
            "Handicappolitik\n\nIndsatsområder\n\nKommunen arbejder for et godt liv for "
            "borgere med handicap.\n\nKontakt")
    segs = segment_pages([P(1, text)])
    assert [(s.kind, s.text) for s in segs[1:]] == [
        ("heading", "Handicappolitik"),
        ("content", "Indsatsområder\nKommunen arbejder for et godt liv for borgere med handicap."),
        ("heading", "Kontakt")]
    assert segs[1].section == "Handicappolitik" and segs[2].section == "Indsatsområder"


def test_the_title_block_a_document_opens_with_stays_with_its_first_paragraph():
    text = ("Køge Kommune\n\nStrategi for det specialiserede voksenområde 2024-2027\n\n"
            "Vi skal skabe sammenhæng i borgernes forløb med mange indsatser.")
    [seg] = segment_pages([P(1, text)])
    assert seg.text.startswith("Køge Kommune\nStrategi for det specialiserede")
    assert seg.section == "Strategi for det specialiserede voksenområde 2024-2027"


def test_noise_lines_are_dropped_and_never_a_passage():
    text = ("Vision\n\nKommunen vil skabe gode rammer for frivillige.\n\n•\n\n.\n\n(3)\n\n"
            "Side 4 af 12\n\n- 5 -\n\nVi samarbejder med foreninger og borgere om netværk.")
    segs = segment_pages([P(1, text)])
    joined = "\n".join(s.text for s in segs)
    for junk in ("(3)", "Side 4", "- 5 -", "\n.\n", "•"):
        assert junk not in joined
    assert "frivillige" in joined and "netværk" in joined


def test_date_url_nav_and_signature_lines_attach_to_a_neighbour():
    text = ("Ny politik vedtaget\n\n21. jun. 2023\n\nByrådet har vedtaget en ny socialpolitik "
            "for de kommende år.\n\nLæs mere på: www.kommune.dk/socialpolitik\n\n"
            "https://www.kommune.dk/politik\n\nBorgmester Anne Hansen")
    segs = segment_pages([P(1, text)])
    assert len(segs) == 1
    assert segs[0].text.startswith("Ny politik vedtaget\n21. jun. 2023\nByrådet har")
    assert segs[0].text.endswith("Borgmester Anne Hansen")


def test_short_fragment_merges_into_the_passage_before_it_in_the_same_section():
    text = ("Vision\n\nKommunen vil skabe gode rammer for de frivillige foreninger.\n\n"
            "Det er vigtigt.\n\nMål\n\nFlere frivillige i foreningerne i hele kommunen.")
    segs = segment_pages([P(1, text)])
    assert segs[0].text.endswith("foreninger.\nDet er vigtigt.")
    assert segs[1].section == "Mål"
    assert all(len(s.text.split()) > 5 for s in segs)


def test_words_are_never_lost():
    text = ("Vision\n\nGodt.\n\n•\n\nKort.\n\nKommunen vil skabe gode rammer.\n\n3\n\n"
            "Se mere her\n\n- Rammer\n\nDe fysiske rammer er vigtige for foreningerne.")
    segs = segment_pages([P(1, text)])
    words = [w for s in segs for w in s.text.replace("•", " ").split()]
    expected = [w for w in text.split() if w not in ("•", "3")]
    assert sorted(words) == sorted(expected)


def test_toc_lines_are_grouped_into_one_toc_passage():
    text = ("Indhold\n\nIndledning ........ 3\nVision ........ 4\nIndsatser ........ 6\n\n"
            "Indledning\n\nPolitikken gælder for alle borgere over 18 år i kommunen.")
    segs = segment_pages([P(1, text)])
    assert segs[0].kind == "toc"
    assert segs[0].text == "Indhold\nIndledning ........ 3\nVision ........ 4\nIndsatser ........ 6"
    assert segs[1].kind == "content" and segs[1].section == "Indledning"


def test_run_on_toc_of_a_transcript_is_a_toc_passage():
    text = ("Indhold Forord... 1 Ildsjæle gør forskellen... 2 Vision... 3 Mål... 3 "
            "Organisering... 8\n\nForord\n\nMed strategien har kommunen lagt et nyt fokus.")
    segs = segment_pages([P(1, text)])
    assert segs[0].kind == "toc" and segs[1].kind == "content"


def test_page_numbers_glued_into_transcript_text_are_unglued():
    text = ("1 Politik for voksne med særlige behov\n\n2 Indledning Målgruppen spænder bredt og "
            "politikken gælder for alle borgerne 3 Indsatsområder Vi vil styrke den tidlige "
            "indsats for borgerne 4 Opfølgning Byrådet følger op hvert år.")
    segs = segment_pages([P(1, text)])
    joined = "\n".join(s.text for s in segs)
    assert " 3 " not in joined and " 4 " not in joined and not joined.startswith("1 ")
    assert any(s.text.startswith("Indsatsområder Vi vil") for s in segs)
    assert any(s.text.startswith("Opfølgning Byrådet") for s in segs)
    for s in segs:   # the offsets still point at (part of) the passage
        piece = " ".join(text[s.char_start:s.char_end].split())
        assert piece and piece in " ".join(s.text.split())


def test_a_count_before_a_capitalised_word_is_not_a_page_number():
    text = "Kommunen har vedtaget FN s 17 Verdensmål som ramme for sine 16 strategier i alt."
    [seg] = segment_pages([P(1, text)])
    assert seg.text == text


def test_minutes_agenda_items_are_sections_and_no_passage_spans_two_items():
    text = ("Referat\n\nPunkt 1: Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n\n"
            "2. Kvalitetsstandarder for stof- og alkoholbehandling 2012-2013\n\nSagsfremstilling\n\n"
            "Byrådet skal godkende kvalitetsstandarderne for behandlingen hvert år.\n\n"
            "Beslutning\n\nAnbefales.\n\nSag nr. 3 Meddelelser\n\nUdvalget orienterede om "
            "konferencer og møder i det kommende år.")
    segs = segment_pages([P(1, text)], genre="minutes")
    sections = [s.section for s in segs if s.kind != "heading"]
    assert sections == ["Punkt 1: Godkendelse af dagsorden",
                        "2. Kvalitetsstandarder for stof- og alkoholbehandling 2012-2013",
                        "Sag nr. 3 Meddelelser"]
    assert "Anbefales." in segs[-2].text and "Sagsfremstilling" in segs[-2].text
    # without the genre the same lines are ordinary headings/list items
    plain = segment_pages([P(1, text)])
    assert "Sag nr. 3 Meddelelser" not in [s.section for s in plain if s.section == "Beslutning"]


def test_minutes_labels_do_not_become_sections():
    text = ("1. Godkendelse af dagsorden\n\nSagsfremstilling\n\nUdvalget skal godkende "
            "dagsordenen for mødet i dag.\n\nBeslutning\n\nDagsordenen blev godkendt uden "
            "bemærkninger fra medlemmerne.")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert {s.section for s in segs} == {"1. Godkendelse af dagsorden"}
    assert all(s.kind != "heading" for s in segs)


def test_a_lone_short_bullet_before_prose_is_a_subheading():
    text = ("Indsatsområderne er:\n\n- Rammer\n\nDe fysiske rammer for politikken har særlig "
            "fokus i de kommende år.")
    segs = segment_pages([P(1, text)])
    assert segs[-1].text.endswith("- Rammer\nDe fysiske rammer for politikken har særlig fokus i de "
                                  "kommende år.")
    assert segs[-1].section == "Rammer"


def test_minutes_agenda_items_run_together_in_one_paragraph_are_cut_apart():
    text = ("Deltagere: Anne Hansen, Bo Jensen 1. Godkendelse af referat og dagsorden "
            "2. Valg af formand og næstformand Sagsfremstilling: Rådet vælger en formand for "
            "perioden. 3. Pjece om den gode praksis Sagsfremstilling: Pjecen er et redskab til "
            "vejledning og inspiration for rådene.")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert [s.section for s in segs[1:]] == ["1. Godkendelse af referat og dagsorden",
                                            "2. Valg af formand og næstformand",
                                            "3. Pjece om den gode praksis"]
    assert segs[2].text.startswith("2. Valg af formand") and "3. Pjece" not in segs[2].text
    # a numbered sentence in ordinary text is left alone
    assert len(segment_pages([P(1, text)])) == 1


def test_a_document_opening_with_a_title_block_never_makes_it_a_content_passage():
    # folded into the first paragraph when that continues the same section ...
    text = ("Socialudvalgets arbejdsgrundlag\n\nFokusområder 2022-2025.\n\n"
            "Arbejdsgrundlaget beskriver tre fokusområder for arbejdet med voksne borgere.")
    segs = segment_pages([P(1, text)])
    assert len(segs) == 1 and segs[0].text.startswith("Socialudvalgets arbejdsgrundlag\n"
                                                      "Fokusområder 2022-2025.\nArbejdsgrundlaget")
    # ... else it is a heading passage (a title page)
    text = "Politik for\n\nKultur og Fritid -\n\nLokalt engagement.\n\nForord\n\n" + \
        "Kultur giver puls og liv og bidrager til, at et område er et godt sted at bo."
    segs = segment_pages([P(1, text)])
    assert segs[0].kind == "heading" and segs[0].text.endswith("Lokalt engagement.")
    assert segs[1].kind == "content" and segs[1].section == "Forord"


def test_a_politicians_office_line_joins_the_quote_it_signs():
    text = ("Vision\n\nStrategien handler om at sætte mennesket i centrum, og vi vil gøre noget "
            "ved det.\n\nClaus Hansen,\n\nformand for Sundheds- og Handicapudvalget.")
    [seg] = segment_pages([P(1, text)])
    assert seg.text.endswith("Claus Hansen,\nformand for Sundheds- og Handicapudvalget.")


def test_many_fragments_are_merged_in_linear_time():
    import time

    text = "Indsatser\n\n" + "\n\n".join(f"Punkt{i} kort." for i in range(4000))
    t0 = time.perf_counter()
    segs = segment_pages([P(1, text)])
    assert time.perf_counter() - t0 < 5.0   # was quadratic: minutes for this page
    assert all(len(s.text) <= MAX_CHARS + 200 for s in segs)
    assert sum(s.text.count("kort.") for s in segs) == 4000


def test_a_page_text_cut_off_mid_paragraph_joins_the_passage_before():
    text = ("Fællesskab\n\nEn central målsætning er, at alle børn og unge skal deltage i "
            "positive fællesskaber.\n\nPå temamødet deltog derfor også en bred kreds af")
    [seg] = segment_pages([P(1, text)])
    assert seg.text.endswith("fællesskaber.\nPå temamødet deltog derfor også en bred kreds af")


def test_a_paragraph_ending_in_blandt_andet_is_the_lead_in_of_its_list():
    text = ("Flere initiativer kommer direkte fra borgermøderne. Det gælder blandt andet.\n\n"
            "• Etablering af akut- og aflastningsboliger lokalt\n• Flere lokale botilbud")
    [seg] = segment_pages([P(1, text)])
    assert seg.kind == "list" and seg.text.startswith("Flere initiativer")


def test_a_sentence_closing_a_quotation_is_no_heading():
    assert not is_heading("Byrådet er opmærksom på en vis medfinansiering.”")
    assert not is_heading("Vi vil være flere!)")
    assert is_heading("”Godt fra start”")


def test_in_minutes_a_numbered_line_after_a_lead_in_is_a_list_item_not_an_agenda_item():
    text = ("2. Sagsbehandlingsfrister på det sociale område\n\nIndstilling\n\n"
            "Administrationen indstiller, at udvalget anbefaler, at:\n\n"
            "1. Godkende forslag til en ny sagsbehandlingsfrist for husvilde\n\n"
            "Beslutning\n\nAnbefales af et enigt udvalg uden bemærkninger.")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert {s.section for s in segs} == {"2. Sagsbehandlingsfrister på det sociale område"}
    assert any(s.kind == "list" and "anbefaler, at:\n1. Godkende" in s.text for s in segs)


def test_in_minutes_the_line_after_a_decision_label_is_text_not_a_section():
    text = ("Referat\n\nPitstop, Ishøj Søvej 1\n\nResume\n\nLederen orienterer om det sidste halve "
            "års udvikling af tilbuddet.\n\nBeslutning\n\nTaget til efterretning\n\nResume\n\n"
            "Socialtilsynet har udarbejdet en tilsynsrapport for misbrugsbehandlingen.")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert {s.section for s in segs} == {"Pitstop, Ishøj Søvej 1"}
    assert any(s.text.endswith("Beslutning\nTaget til efterretning") for s in segs)


# --- issue 9, second round: labels lead, formalities close, greetings, statements ---------------
_ITEM = ("3. Kvalitetsstandarder for behandling 2013\n\nSagsfremstilling\n\nForvaltningen har "
         "vurderet indsatserne ud fra erfaringerne fra de seneste to år og foreslår en ny "
         "fordeling af midlerne mellem de forebyggende indsatser.\n\n")


def test_a_minutes_label_starts_its_passage_and_is_not_glued_onto_the_text_above():
    text = _ITEM + ("Indstilling\n\nDirektionen indstiller,\n1. at standarderne godkendes\n"
                    "2. at standarderne offentliggøres\n\nBeslutning i Sundhedsudvalget den "
                    "04.12.2012\n\nGodkendt.")
    segs = segment_pages([P(1, text)], genre="minutes")
    prose = [s for s in segs if "Forvaltningen har vurderet" in s.text]
    assert len(prose) == 1 and "Indstilling" not in prose[0].text
    [rec] = [s for s in segs if "Indstilling" in s.text]
    assert rec.text.startswith("Indstilling\nDirektionen indstiller,\n1. at standarderne")
    assert rec.kind == "list"           # a comma lead-in stays with its numbered items
    [dec] = [s for s in segs if "Beslutning" in s.text]
    assert dec.text.startswith("Beslutning") and "Forvaltningen" not in dec.text


def test_a_short_decision_joins_a_short_formality_block_before_it_not_a_long_text():
    long_text = " ".join(["Forvaltningen har vurderet indsatserne grundigt."] * 10)
    text = ("Punkt 4: Meddelelser\n\nØkonomi\n\nIngen bemærkninger til sagen.\n\nBeslutning\n\n"
            "Godkendt.\n\nPunkt 5: Budget\n\nSagsfremstilling\n\n" + long_text +
            "\n\nBeslutning\n\nGodkendt.\n\nPunkt 6: Eventuelt\n\nIngen punkter blev behandlet.")
    segs = segment_pages([P(1, text)], genre="minutes")
    item4 = [s.text for s in segs if s.section == "Punkt 4: Meddelelser"]
    assert item4 == ["Punkt 4: Meddelelser\nØkonomi\nIngen bemærkninger til sagen.\n"
                     "Beslutning\nGodkendt."]
    item5 = [s.text for s in segs if s.section == "Punkt 5: Budget"]
    assert item5[-1] == "Beslutning\nGodkendt." and "Beslutning" not in item5[0]


def test_next_page_text_does_not_join_a_decision_block_or_cross_an_agenda_item():
    page1 = _ITEM + "Beslutning i Sundhedsudvalget\n\nGodkendt.\n\nFraværende: Anne Hansen (A)"
    page2 = "og udvalget bad om en ny sag om den videre fordeling af midlerne til næste møde."
    segs = segment_pages([P(1, page1), P(2, page2)], genre="minutes")
    [dec] = [s for s in segs if "Beslutning" in s.text]
    assert dec.text == "Beslutning i Sundhedsudvalget\nGodkendt.\nFraværende: Anne Hansen (A)"
    assert any(s.page == 2 and s.text == page2 for s in segs)
    # a field line left at the page end closes the block above it, it leads nothing
    page2 = "Udvalget bad om en ny sag om den videre fordeling af midlerne til næste møde."
    segs = segment_pages([P(1, page1), P(2, page2)], genre="minutes")
    assert [s.text for s in segs if s.page == 2] == [page2]
    # across an agenda item: the new item's text never continues the old item's passage
    page1 = _ITEM.replace("midlerne mellem de forebyggende indsatser.", "midlerne mellem de")
    page2 = "4. Meddelelser\n\nforebyggende indsatser nævnes ikke her, men i næste punkt om budget."
    segs = segment_pages([P(1, page1), P(2, page2)], genre="minutes")
    assert all("næste punkt" not in s.text for s in segs if s.page == 1)


def test_the_greeting_goes_with_the_signature_not_with_the_paragraph_above():
    text = ("Vi ser frem til et godt samarbejde om den nye politik i de kommende år.\n\n"
            "Med venlig hilsen\n\nAnne Hansen\nSundhedschef")
    segs = segment_pages([P(1, text)])
    assert segs[0].text == "Vi ser frem til et godt samarbejde om den nye politik i de kommende år."
    assert segs[-1].text.startswith("Med venlig hilsen\nAnne Hansen")


def test_a_statement_without_its_full_stop_is_no_heading_but_a_goal_heading_is():
    statement = "Vi har et recovery-understøttende og rehabiliterende perspektiv"
    assert not is_heading(statement)
    assert not is_heading("Borgeren er ekspert i eget liv og kender sine egne behov bedst")
    # goal headings with a modal verb, short headings, field lines and relative clauses stay
    assert is_heading("Vi vil styrke den offentlige samtale")
    assert is_heading("Flere borgere skal mestre eget liv")
    assert is_heading("Borgeren i centrum")
    assert is_heading("Eksempler på situationer, der er så alvorlige at du skal handle")
    assert is_heading("Juni 2012: Kultur-kick: appen går i luften for alle borgere")
    text = (f"Grundlæggende principper\n\n{statement}\n\nDet betyder, at vi tager udgangspunkt "
            "i borgerens egne mål.\n\nVi arbejder helhedsorienteret og på tværs af fagområder")
    segs = segment_pages([P(1, text)])
    assert any(statement in s.text and s.kind == "content" for s in segs)
    assert all(s.kind != "heading" for s in segs)


def test_a_documents_title_line_may_be_a_headline_sentence():
    text = ("Kommunen får tilsagn om 952.000 kroner til udsatte borgere\n\n"
            "Femten udsatte borgere bliver en del af projektet, som kommunen har fået penge til.")
    [seg] = segment_pages([P(1, text)])
    assert seg.section == "Kommunen får tilsagn om 952.000 kroner til udsatte borgere"


def test_statements_completing_an_open_lead_in_are_its_list_items():
    goals = ["Kommunen prioriterer den tidlige indsats og forebyggelsen",
             "Kommunen sætter klare mål og måler på effekten af indsatserne",
             "Kommunen tilbyder indsatser ud fra borgerens egne ressourcer"]
    text = ("Vi ønsker derfor at arbejde med, at\n\n" + "\n\n".join(goals) +
            "\n\nKonkrete initiativer:\n\n- Analyse af kapacitetsbehov på voksenområdet.")
    segs = segment_pages([P(1, text)])
    assert segs[0].kind == "list"
    assert segs[0].text == "Vi ønsker derfor at arbejde med, at\n" + "\n".join(goals)
    # counter-example: a title broken over lines on a function word is no lead-in
    title = "Politik for\n\nKultur og Fritid i hele kommunen\n\nLokalt engagement i alle byer og landsbyer"
    assert all(s.kind != "list" for s in segment_pages([P(1, title)]))


# --- wrapped lines, agenda numbers, running heads, cover pages (segmenter v4) -----------------
def test_wrapped_line_after_a_heading_like_first_line_stays_in_its_paragraph():
    text = ("Sagsfremstilling\nKommunalbestyrelsen vedtog i maj 2022, at kommunens\n"
            "ældrepolitik skulle revideres. Arbejdet er sket sammen med Ældrerådet.\n\n"
            "Status på arbejdet\nDer er holdt fire møder med borgere og pårørende.")
    segs = segment_pages([P(1, text)], genre="minutes")
    first = next(s for s in segs if "Kommunalbestyrelsen" in s.text)
    assert "ældrepolitik skulle revideres" in first.text
    assert "Sagsfremstilling" in first.text
    # counter-example: a heading followed by a capitalised line is still a heading
    status = next(s for s in segs if "Der er holdt" in s.text)
    assert status.text.startswith("Status på arbejdet\nDer er holdt")


def test_wrapped_paragraph_sign_or_number_is_no_agenda_item_and_no_new_paragraph():
    text = ("3. Kvalitetsstandard for madservice 2025\n\n"
            "Sagsfremstilling\nStandarden beskriver den hjælp, borgere kan få efter servicelovens\n"
            "§ 83 til indkøb og mad. Hjælpen gives efter en vurdering, jf. servicelovens §\n"
            "83. Forvaltningen foreslår, at standarden godkendes uændret.\n\n"
            "4. Orientering om budget\n\nBeslutning\nTaget til efterretning.")
    segs = segment_pages([P(1, text)], genre="minutes")
    body = next(s for s in segs if "Standarden beskriver" in s.text)
    assert "§ 83 til indkøb" in body.text and "83. Forvaltningen foreslår" in body.text
    assert body.section == "3. Kvalitetsstandard for madservice 2025"
    # counter-example: a real next item after a finished sentence still opens a section
    assert any(s.section == "4. Orientering om budget" for s in segs)


def test_numbered_point_inside_an_item_is_no_new_agenda_item():
    text = ("2. Forslag til sundhedspolitik\n\nIndstilling\nForvaltningen indstiller, at\n"
            "1. forslaget sendes i høring i fire uger\n"
            "2. Ældrerådet inddrages i arbejdet med den første\nhandleplan.\n\n"
            "Beslutning\nAnbefales.\n\n3. Meddelelser\n\nIntet.")
    segs = segment_pages([P(1, text)], genre="minutes")
    rec = next(s for s in segs if "forslaget sendes" in s.text)
    assert "2. Ældrerådet inddrages i arbejdet med den første\nhandleplan." in rec.text
    assert rec.kind == "list"
    assert {s.section for s in segs} == {"2. Forslag til sundhedspolitik", "3. Meddelelser"}


def test_agenda_title_repeated_on_the_next_page_is_still_a_title():
    page1 = "2. Forslag til sundhedspolitik\n\nSagsfremstilling\nForslaget er lavet med borgerne."
    page2 = ("2. Forslag til sundhedspolitik\n\nIndstilling\nForvaltningen indstiller, at "
             "forslaget godkendes.")
    segs = segment_pages([P(1, page1), P(2, page2)], genre="minutes")
    assert all(s.section == "2. Forslag til sundhedspolitik" for s in segs)
    assert any(s.page == 2 and s.text.startswith("2. Forslag til sundhedspolitik") for s in segs)


def test_last_contents_line_and_next_running_head_stay_apart():
    page1 = ("Dagsorden\n\nIndhold\n\n12. Godkendelse af dagsorden\n\n13. Status på botilbud\n\n"
             "14. Lukket punkt: Personalesag")
    page2 = ("Skovby Kommune Socialudvalget 02-02-2025 Side 2 af 4\n\n"
             "12. Godkendelse af dagsorden\n\nBeslutning\nGodkendt.")
    segs = segment_pages([P(1, page1), P(2, page2)], genre="minutes")
    toc = next(s for s in segs if s.kind == "toc")
    assert toc.text.endswith("14. Lukket punkt: Personalesag")
    head = next(s for s in segs if "Side 2 af 4" in s.text or "02-02-2025" in s.text)
    assert "Lukket punkt" not in head.text and head.page == 2


def test_numbered_contents_lines_are_not_taken_for_glued_page_numbers():
    text = ("Indholdsfortegnelse\n1 Meddelelser\n2 Budgetopfølgning for ældreområdet\n"
            "3 Kvalitetsstandard for hjemmepleje")
    segs = segment_pages([P(1, text)], genre="minutes")
    joined = "\n".join(s.text for s in segs)
    assert "1 Meddelelser" in joined and "2 Budgetopfølgning" in joined
    # counter-example: a page number glued between words of a transcript is still dropped
    glued = ("Indledning\n\nKommunen vil hjælpe borgerne 3 Indsatsområder handler om bolig. "
             "Det gælder alle 4 Mål for arbejdet er sat af byrådet.")
    out = "\n".join(s.text for s in segment_pages([P(1, glued)]))
    assert " 3 Indsatsområder" not in out and " 4 Mål" not in out


def test_a_question_line_leads_the_answer_after_it():
    text = ("Hvad er ydelsens formål?\n\nHjælpen skal gøre borgeren i stand til at klare "
            "hverdagen selv.\n\nHvem kan få ydelsen?\n\nBorgere, der har brug for hjælp efter "
            "et sygehusophold, kan få den.")
    segs = segment_pages([P(1, text)])
    assert [s.text.split("\n")[0] for s in segs] == ["Hvad er ydelsens formål?",
                                                     "Hvem kan få ydelsen?"]


def test_a_cover_page_title_is_a_heading_passage_of_its_own():
    cover = "Havbjerg Kommune\nSundhedspolitik 2025-2028\nSunde liv - hele livet"
    body = "Indledning\n\nSundhedspolitikken sætter retning for arbejdet med borgernes sundhed."
    segs = segment_pages([P(1, cover), P(2, body)])
    assert segs[0].kind == "heading" and segs[0].text == cover
    assert segs[1].text.startswith("Indledning\nSundhedspolitikken")
    # counter-example: with text on the same page it is no cover page (the title-block rules
    # decide, as before: here a passage of its own, not a heading)
    segs = segment_pages([P(1, cover + "\n\nPolitikken gælder for alle borgere i kommunen.")])
    assert segs[0].text == cover and segs[0].kind == "content"


def test_contents_without_dot_leaders_one_entry_a_paragraph_is_a_toc():
    text = ("Indhold\n\nForord 3\n\nVision 4\n\nTema 1: Bolig 5\n\nTema 2: Arbejde 6\n\n"
            "Forord\n\nMed denne politik sætter byrådet retning for arbejdet med handicap.")
    segs = segment_pages([P(1, text)])
    assert segs[0].kind == "toc" and segs[0].text.endswith("Tema 2: Arbejde 6")
    # counter-example: headings whose numbers go down are no contents
    text = ("Indhold\n\nMål 12\n\nTema 3\n\nSpor 2\n\n"
            "Med denne politik sætter byrådet retning for arbejdet med handicap.")
    assert not any(s.kind == "toc" for s in segment_pages([P(1, text)]))


def test_a_dated_notice_on_a_cover_page_is_not_part_of_the_title():
    cover = "Strategi for hjemløse 2024-2027\nLyngdal Kommune\n\nVedtaget af Byrådet den 12. juni 2024"
    body = "Vores mål\n\nIngen unge under 25 år skal være hjemløse i kommunen, når strategien udløber."
    segs = segment_pages([P(1, cover), P(2, body)])
    assert segs[0].kind == "heading" and "Vedtaget" not in segs[0].text
    assert any(s.text == "Vedtaget af Byrådet den 12. juni 2024" and s.page == 1 for s in segs)
    assert segs[-1].text.startswith("Vores mål\nIngen unge")
    # counter-example: a bare date on the cover is no passage of its own (issue 9: no passage
    # is only a date line); it stays in the cover's heading
    for date in ("12. juni 2024", "Vedtaget 12. juni 2024"):
        segs = segment_pages([P(1, "Strategi for hjemløse 2024-2027\n\n" + date), P(2, body)])
        assert segs[0].kind == "heading" and segs[0].text.endswith(date) and len(segs) == 2


def test_item_word_before_an_agenda_number_stays_in_the_title():
    # "Ad 3. Eventuelt" / "Punkt 3. Høring": a run of numbered items must not cut between the
    # item word and its number (the word used to close the previous item's passage)
    text = ("Ad 1. Godkendelse af dagsorden\nDagsordenen blev godkendt.\n\n"
            "Ad 2. Høring over Psykiatriplan 2025-2028\nRådet drøftede udkastet til høringssvar "
            "og er enigt i planens mål.\n\n"
            "Ad 3. Eventuelt\nPeter Holst orienterede om, at flere kørestolsbrugere har oplevet "
            "ventetid på kørsel.")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert [s.text.split("\n")[0] for s in segs] == [
        "Ad 1. Godkendelse af dagsorden", "Ad 2. Høring over Psykiatriplan 2025-2028",
        "Ad 3. Eventuelt"]
    assert not any(s.text.rstrip().endswith("Ad") for s in segs)
    assert segs[1].section == "Ad 2. Høring over Psykiatriplan 2025-2028"
    punkt = text.replace("Ad ", "Punkt ")
    segs = segment_pages([P(1, punkt)], genre="minutes")
    assert [s.section for s in segs][-1] == "Punkt 3. Eventuelt"
    assert not any(s.text.rstrip().endswith("Punkt") for s in segs)


def test_a_word_ad_in_prose_before_a_number_is_no_item_word():
    # counter-example: only the item word at the start of its line moves the cut
    text = ("1. Godkendelse af dagsorden\nGodkendt.\n\n2. Budget\nSagen blev behandlet i "
            "grad 2. Udvalget godkendte budgettet.\n\n3. Eventuelt\nIntet.")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert any("grad" in s.text and s.section == "2. Budget" for s in segs)


def test_a_running_footer_is_no_part_of_the_last_items_short_answer():
    # "6. Eventuelt / Intet til referat." and the page's footer: two passages, not one
    text = ("5. Næste møde\nNæste møde afholdes onsdag den 29. oktober 2025 kl. 16.00 i "
            "Sundhedshuset.\n\n6. Eventuelt\nIntet til referat.\n\n"
            "Handicaprådet 03-09-2025 Side 3 af 4")
    segs = segment_pages([P(1, text)], genre="minutes")
    texts = [" ".join(s.text.split()) for s in segs]
    assert "6. Eventuelt Intet til referat." in texts
    assert "Handicaprådet 03-09-2025 Side 3 af 4" in texts


def test_a_running_footer_is_not_the_text_of_an_item_title_waiting_above_it():
    # "4. Eventuelt" + "Beslutning" wait for text; the footer under them is not that text
    text = ("3. Orientering fra formanden\nFormanden orienterede om budgettet for 2015.\n\n"
            "4. Eventuelt\nBeslutning\n\nÆldrerådet 6. maj 2014 Side 5")
    segs = segment_pages([P(1, text)], genre="minutes")
    footer = [s for s in segs if "Side 5" in s.text]
    assert len(footer) == 1 and footer[0].text == "Ældrerådet 6. maj 2014 Side 5"
    assert any(s.text.startswith("4. Eventuelt") for s in segs)


def test_a_formal_line_at_a_page_end_does_not_take_the_next_pages_running_line():
    pages = [P(1, "Høringsfristen er mandag den 5. maj 2025 kl. 12.00.\n\n"
                  "Bilag: Forslag til Handicappolitik 2025-2029"),
             P(2, "Vesterbjerg Kommune · Høring over forslag til Handicappolitik · Side 2")]
    segs = segment_pages(pages, genre="other")
    assert any(s.page == 2 and s.text.startswith("Vesterbjerg Kommune ·") for s in segs)
    assert not any("Bilag" in s.text and "Side 2" in s.text for s in segs)


_OPENING = ("Ældrerådet har behandlet forslaget på sit møde den 24. april 2025 og finder det "
            "positivt, at politikken har et klart fokus på selvbestemmelse.")


def test_a_breadcrumb_stands_apart_and_the_title_still_leads_the_text():
    text = ("Forside / Politik / Råd og nævn / Ældrerådet / Høringssvar\n\n"
            "Høringssvar fra Ældrerådet om handicappolitikken\n\n" + _OPENING)
    segs = segment_pages([P(1, text)], genre="other")
    assert segs[0].text == "Forside / Politik / Råd og nævn / Ældrerådet / Høringssvar"
    assert segs[1].text.startswith("Høringssvar fra Ældrerådet om handicappolitikken\nÆldrerådet")


def test_a_row_of_site_links_takes_its_link_labels_but_not_the_answer_above():
    text = ("3. Meddelelser\nArne Falk orienterede om åbent hus på Torvet den 3. marts.\n\n"
            "4. Eventuelt\n\nIntet.\n\n"
            "Om Handicaprådet\nMødeplan 2025\nTilgængelighedserklæring · Cookies · Kontakt")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert segs[-1].text == ("Om Handicaprådet\nMødeplan 2025\n"
                             "Tilgængelighedserklæring · Cookies · Kontakt")
    assert " ".join(segs[-2].text.split()) == "4. Eventuelt Intet."


def test_page_references_and_table_rows_are_no_page_furniture():
    # counter-examples: a sentence's "se side 4", a reference ", side 12", a table row of cells
    text = ("Indsatserne er beskrevet i handleplanen, se side 4\n"
            "og de følges op hvert år af udvalget.\n\n"
            "Målene står i bilaget, side 12\n\n"
            "Indsats | Ansvarlig | Tidsplan")
    segs = segment_pages([P(1, text)])
    assert any(s.text.startswith("Indsatserne er beskrevet") and "følges op" in s.text
               for s in segs)
    from stratcompare.segment.passages import _furniture_line
    assert not any(_furniture_line(ln) for ln in (
        "Indsatserne er beskrevet i handleplanen, se side 4", "Målene står i bilaget, side 12",
        "Indsats | Ansvarlig | Tidsplan", "Bolig og job · 2025"))
    assert _furniture_line("Handicappolitik 2024-2027 · Side 4")


def test_an_in_page_menu_label_is_no_contents_title():
    from stratcompare.segment.passages import is_toc
    assert not is_toc("Indhold på siden")
    assert is_toc("Indhold Forord Vision Temaer Opfølgning")


def test_a_back_pages_address_block_is_no_cut_off_sentence():
    # the adoption notice ends page 4; the back page holds only the address: two passages
    pages = [P(1, "Handicappolitik 2024-2027\n\nFjeldby er en kommune, hvor mennesker med "
                  "handicap er en naturlig del af fællesskabet, og hvor alle kan deltage.\n\n"
                  "Handicappolitikken er vedtaget af Byrådet den 30. januar 2024."),
             P(2, "Fjeldby Kommune\nTorvet 1\n7400 Fjeldby\nwww.fjeldby.dk")]
    segs = segment_pages(pages, genre="strategy")
    assert segs[-1].text == "Fjeldby Kommune\nTorvet 1\n7400 Fjeldby\nwww.fjeldby.dk"
    assert segs[-2].text == "Handicappolitikken er vedtaget af Byrådet den 30. januar 2024."


def test_a_cut_off_last_sentence_still_joins_the_passage_before_it():
    # counter-example: a page text stored up to a size, ending mid-sentence
    text = ("Vi vil styrke den tidlige indsats for børn og unge med handicap, så flere får "
            "hjælp i tide og kan blive i deres skole.\n\nDet gør vi sammen med en bred kreds af")
    segs = segment_pages([P(1, text)])
    assert len(segs) == 1 and segs[0].text.endswith("bred kreds af")


def test_an_attachment_numbered_one_past_its_list_is_no_agenda_item():
    # item 3's "Bilag" lists 1-4; the next item is also numbered 4: the list keeps its last point
    text = ("3. Hjemløsestrategi 2026-2029\nSagsfremstilling\nStrategien er revideret efter "
            "høringen og sendes nu til endelig godkendelse i Byrådet.\n\n"
            "Bilag\n1. Hjemløsestrategi 2026-2029 (endelig udgave)\n"
            "2. Høringssvar fra Handicaprådet\n3. Høringssvar fra Udsatterådet\n"
            "4. Høringssvar fra Ældrerådet\n\n"
            "4. Takster for midlertidige botilbud 2026\n\nSagsnr.: 27.24.00-S00-1-25\n\n"
            "Taksterne for kommunens midlertidige botilbud stiger fra 2026 med 4,1 procent.")
    segs = segment_pages([P(1, text)], genre="minutes")
    bilag = [s for s in segs if s.text.startswith("Bilag")]
    assert len(bilag) == 1 and bilag[0].text.endswith("4. Høringssvar fra Ældrerådet")
    assert bilag[0].kind != "toc"
    assert any(s.section == "4. Takster for midlertidige botilbud 2026" for s in segs)


def test_the_next_item_after_a_numbered_list_is_still_an_item():
    # counter-example: the list under item 3 stops at 3, and item 4 has its own text
    text = ("3. Hjemløsestrategi 2026-2029\nStrategien sendes til endelig godkendelse.\n\n"
            "Bilag\n1. Hjemløsestrategi 2026-2029 (endelig udgave)\n"
            "2. Høringssvar fra Handicaprådet\n3. Høringssvar fra Udsatterådet\n\n"
            "4. Takster for midlertidige botilbud 2026\n\nSagsnr.: 27.24.00-S00-1-25\n\n"
            "Taksterne for kommunens midlertidige botilbud stiger fra 2026 med 4,1 procent.")
    segs = segment_pages([P(1, text)], genre="minutes")
    assert any(s.section == "4. Takster for midlertidige botilbud 2026" for s in segs)
    assert not any("Takster" in s.text and "Udsatterådet" in s.text for s in segs)


def test_a_wrapped_breadcrumb_or_footer_is_one_furniture_line_again():
    # a PDF wrapped the breadcrumb after a separator and the footer inside a number
    text = ("Forside / Politik / Råd og nævn / Ældrerådet /\nHøringssvar\n\n" + _OPENING
            + "\n\nFjeldby Kommune · Torvet 1 · 7400 Fjeldby · CVR 29 18\n91 44")
    segs = segment_pages([P(1, text)], genre="other")
    assert segs[0].text == "Forside / Politik / Råd og nævn / Ældrerådet / Høringssvar"
    assert segs[-1].text == "Fjeldby Kommune · Torvet 1 · 7400 Fjeldby · CVR 29 18 91 44"
    for s in segs:   # (the joined line keeps its offsets: a line break became a space)
        assert text[s.char_start:s.char_end].split() == s.text.split()


def test_a_heading_under_a_line_ending_in_a_dash_is_no_wrapped_furniture():
    # counter-example: only a joined text that is furniture is joined
    text = ("Sundhedspolitik 2024 -\nEt sundt liv for alle\n\nVi vil gøre det lettere at leve "
            "sundt i hele kommunen, og vi vil gøre det sammen med borgerne.")
    segs = segment_pages([P(1, text)])
    assert "Sundhedspolitik 2024 -\nEt sundt liv for alle" in segs[0].text
