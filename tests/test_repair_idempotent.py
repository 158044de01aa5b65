"""Issue 10 item 6: repair must not change correct text, and repairing repaired text is a no-op.

The clean word list is collected at test time from the real pages' **test** part
(corpus/real/split.tsv): texts neither the lexicon nor the context model was built from.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratcompare.repair import repair_text

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "corpus" / "real" / "pages"
FIX = Path(__file__).parent / "fixtures" / "ocr"
EDGE = ".,;:!?()[]\"'”“–»«"
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
ABBREV = re.compile(r"(?:[^\W\d_]{1,4}\.)+[^\W\d_]{1,4}\.?|[^\W\d_]{1,4}\.")


def part_files(part: str) -> list[Path]:
    split = {}
    for line in (ROOT / "corpus/real/split.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "municipality\t")):
            m, p = line.split("\t")
            split[m] = p
    with (PAGES / "SOURCES.tsv").open(encoding="utf-8") as fh:
        return [PAGES / r["file"] for r in csv.DictReader(fh, delimiter="\t")
                if split.get(r["municipality"]) == part]


@lru_cache(maxsize=2)
def clean_items(part: str = "test") -> tuple[str, ...]:
    """Distinct words, hyphenated compounds and abbreviations of one part's pages.  A page's
    last word (the pages were cut at a length) and the halves of a source hyphenation split
    ("hæn- ger") are not correct words and are left out."""
    items: set[str] = set()
    for path in part_files(part):
        toks = path.read_text(encoding="utf-8").split()[:-1]
        for i, raw in enumerate(toks):
            if raw.endswith("-") or (i and toks[i - 1].endswith("-") and toks[i - 1][:-1].isalpha()):
                continue
            w = raw.strip(EDGE.replace(".", ""))
            if ABBREV.fullmatch(w) and len(w) <= 12:
                items.add(w)
                continue
            w = w.strip(".")
            if WORD.fullmatch(w):
                items.add(w)
    return tuple(sorted(items))


def test_issue_examples_stay():
    for text in ("Det besluttede by-rådet i går.", "en mål-sti for alle", "en piksel-bred streg",
                 "Han er fd formand.", "Vi taler imd om det.", "Det er i md.", "fd", "imd",
                 "jf. § 3 mv. og bl.a. m.fl. ca. evt. inkl. pga. vedr."):
        assert repair_text(text).text == text


def test_clean_word_list_from_the_test_part_unchanged():
    """>= 2,000 correct words, compounds and abbreviations; <= 0.1 % changed, each alone and
    in a sentence."""
    items = clean_items("test")
    assert len(items) >= 2000
    assert sum("-" in w for w in items) >= 10 and sum("." in w for w in items) >= 5
    changed = [w for w in items
               if repair_text(w).text != w
               or repair_text(f"Det er {w} nu.").text != f"Det er {w} nu."]
    assert len(changed) / len(items) <= 0.001, changed


def test_clean_pages_of_the_test_part_unchanged():
    """The test part's pages as running text (>= 5,000 words): <= 0.1 % of words changed."""
    words = changed = 0
    for path in part_files("test"):
        text = path.read_text(encoding="utf-8")
        res = repair_text(text)
        words += res.words
        changed += res.changed
    assert words >= 5000
    assert changed / words <= 0.001


DAMAGED = (FIX / "realtune_dejavu-serif_150dpi_tesseract_eng.txt").read_text(encoding="utf-8")
DAMAGED_LINES = [ln for ln in DAMAGED.splitlines() if len(ln.split()) >= 3]
GLYPHS = st.sampled_from(["@", "|", "0", "4", "-", "ae", "ee", "g", "e", "a", "A", "* ", "\n"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(DAMAGED_LINES), min_size=1, max_size=8),
       st.sampled_from([" ", "\n", "\n\n"]))
def test_repair_of_repaired_ocr_text_is_a_no_op(lines, sep):
    once = repair_text(sep.join(lines)).text
    twice = repair_text(once)
    assert twice.text == once, [(c.original, c.replacement) for c in twice.corrections]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(DAMAGED_LINES), st.integers(0, 60), GLYPHS),
                min_size=1, max_size=4))
def test_repair_is_idempotent_on_mangled_text(parts):
    """Lines with an OCR-like glyph pushed in anywhere (mid-word, at a line start)."""
    text = " ".join(ln[:k] + g + ln[k:] for ln, k, g in parts)
    once = repair_text(text).text
    assert repair_text(once).text == once


@pytest.mark.parametrize("word", ["by-rådet", "mål-sti", "piksel-bred", "fd", "imd",
                                  "Faaborg-Midtfyn", "børne-", "bl.a.", "f.eks.", "jf."])
def test_single_items_stay(word):
    assert repair_text(word).text == word
    assert repair_text(f"Det er {word} nu.").text == f"Det er {word} nu."
