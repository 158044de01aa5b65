"""Property: clean Danish text (real clean words and sentences, shuffled) comes back unchanged."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratcompare.repair import repair_text

FIX = Path(__file__).parent / "fixtures" / "ocr"
CLEAN = "\n".join((FIX / n).read_text(encoding="utf-8")
                  for n in ("koege_001_clean.txt", "own_danish_gold.txt", "holstebro_003_gold.txt"))
# words of running text, edge punctuation stripped; sentences as they stand
WORDS = sorted({w.strip(".,;:!?()”“\"'–-") for w in CLEAN.split()} - {""})
SENTENCES = [s.strip() for s in re.split(r"(?<=[.!?])\s+", CLEAN) if len(s.split()) >= 4]
SEPARATORS = st.sampled_from([" ", " ", " ", ", ", "\n", "  ", " – "])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(WORDS), SEPARATORS), min_size=1, max_size=40))
def test_shuffled_clean_words_unchanged(pairs):
    text = "Det er " + "".join(w + sep for w, sep in pairs)
    assert repair_text(text).text == text


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6),
       st.sampled_from([" ", "\n", "\n\n"]))
def test_shuffled_clean_sentences_unchanged(sentences, sep):
    text = sep.join(sentences)
    assert repair_text(text).text == text


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4))
def test_repair_is_idempotent(sentences):
    once = repair_text(" ".join(sentences)).text
    assert repair_text(once).text == once
