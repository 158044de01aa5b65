"""Page-text clean-up shared by every format: what a page's raw lines need before segmenting.

Raw page text from PDFs (and text files made from PDFs) carries layout debris: running
headers and footers, page numbers, words split at line ends, hard-wrapped lines, ligature
glyphs, soft hyphens and `(cid:N)` tokens.  ``clean_pages`` removes it and returns one text
per page with paragraphs separated by a blank line.  The PDF reader passes the lines it found
in the top/bottom bands of each page and the lines it knows are headings; for plain text the
first/last lines of each page stand in for the bands (``clean_page_texts``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from stratcompare.config import word_list

# --- characters ------------------------------------------------------------------------------
_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
_SPACES = {"\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ",
           "\u2003": " ", "\u3000": " ", "\t": " "}
_DROP = {"\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\ufffe": "-"}
_PUA_BULLETS = {chr(c): "•" for c in (0xF0B7, 0xF0A7, 0xF0D8, 0xF076, 0xF0FC, 0xF06E, 0xF0A8)}
_CHAR_MAP = str.maketrans({**_LIGATURES, **_SPACES, **_DROP, **_PUA_BULLETS})
_CID = re.compile(r"\(cid:\d+\)")
_MULTISPACE = re.compile(r" {2,}")


def normalize_chars(text: str) -> str:
    """Expand ligatures, drop soft hyphens and zero-width marks, unify spaces, NFC.

    `(cid:N)` tokens go; other unmappable glyphs (control codes, private use) become U+FFFD so
    that a reader (and the OCR repair) sees where a letter is missing.
    """
    text = _BAD_CHAR.sub("\ufffd", _CID.sub("", text.translate(_CHAR_MAP)))
    return unicodedata.normalize("NFC", text)


def garbage_share(text: str) -> float:
    """Share of non-space characters that are `(cid:N)` tokens or unmappable glyphs.

    pdfminer writes `(cid:N)` for glyphs without a Unicode mapping; PDFium yields U+FFFD,
    control characters or private-use code points instead.  Either way the text is noise.
    """
    visible = len(text) - len(_WHITESPACE.findall(text))
    if visible <= 0:
        return 0.0
    bad = sum(len(m) for m in _CID.findall(text))
    bad += len(_BAD_CHAR.findall(_CID.sub("", text))) + text.count("\ufffd")
    return bad / visible


_WHITESPACE = re.compile(r"\s")
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


# --- page model --------------------------------------------------------------------------------
@dataclass
class PageLines:
    """One page's lines in reading order ("" marks a paragraph gap).

    ``top_band``/``bottom_band``: how many leading/trailing non-blank lines lie where running
    headers/footers live; ``band``: the indexes of those lines when the reader knows them from
    geometry (a footer can sit mid-way in two-column reading order); ``headings``: indexes of
    lines known to be headings (font evidence).
    """

    lines: list[str]
    top_band: int = 3
    bottom_band: int = 3
    headings: set[int] = field(default_factory=set)
    band: set[int] | None = None


# --- running headers / footers -----------------------------------------------------------------
_PAGE_NUMBER = re.compile(
    r"^(?:(?:side|s\.|page|p\.|sida)\s*)?[-–—(\[]?\s*\d{1,3}\s*[-–—)\]]?"
    r"(?:\s*(?:/|af|of|av)\s*\d{1,3})?\.?$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
MIN_REPEATS = 3  # a band line must recur on this many pages to count as a running line


def is_page_number(line: str) -> bool:
    """'3', 'Side 3', '3/12', '- 3 -', 'side 3 af 12' (numbers up to 999, so years stay)."""
    return bool(_PAGE_NUMBER.match(line.strip()))


_NOT_WORD = re.compile(r"[\W_]+")


def _running_key(line: str) -> str:
    """Letters and digits only, each digit run as "0": "Side 3" ~ "Side 4", and OCR'd headers
    that vary in punctuation and spacing still match."""
    return _NOT_WORD.sub("", _DIGITS.sub("0", line.lower()))


def _band_indexes(page: PageLines) -> list[int]:
    if page.band is not None:
        return sorted(i for i in page.band if 0 <= i < len(page.lines) and page.lines[i].strip())
    nonblank = [i for i, ln in enumerate(page.lines) if ln.strip()]
    top = nonblank[: max(page.top_band, 0)]
    bottom = nonblank[len(nonblank) - max(page.bottom_band, 0):] if page.bottom_band > 0 else []
    return sorted(set(top) | set(bottom))


def running_line_indexes(pages: list[PageLines]) -> list[set[int]]:
    """Per page, the indexes of band lines that are page numbers or repeat across pages.

    Repetition is counted up to digits ("Side 3" ~ "Side 4") and needs MIN_REPEATS pages, so a
    two-page document only loses its page numbers, never a real first line.
    """
    bands = [_band_indexes(p) for p in pages]
    counts: Counter[str] = Counter()
    for page, band in zip(pages, bands):
        counts.update({_running_key(page.lines[i]) for i in band})
    out: list[set[int]] = []
    for page, band in zip(pages, bands):
        drop = set()
        for i in band:
            line = page.lines[i]
            key = _running_key(line)
            if is_page_number(line) or (len(key) > 1 and counts[key] >= MIN_REPEATS):
                drop.add(i)
        out.append(drop)
    if len(pages) == 2:
        _two_page_running_lines(pages, out)
    return out


def _two_page_running_lines(pages: list[PageLines], drops: list[set[int]]) -> None:
    """Two pages cannot show repetition, so only a line that opens (or closes) both pages,
    reads the same, has at least three words and stands apart (a paragraph gap after/before
    it on both pages, or a page number beyond it on both) counts as a running header (footer).
    "Reads the same" is up to digits, as for longer documents: "... 04.12.2012 - Side 1" and
    "... - Side 2" are one running line."""
    ends = []
    for page in pages:
        nonblank = [i for i, ln in enumerate(page.lines) if ln.strip()]
        if len(nonblank) < 2:
            return
        ends.append(nonblank)
    for pick, gap in ((0, 1), (-1, -1)):
        idx, numbered, beyond = [], True, []
        for page, nb in zip(pages, ends):
            # the page number standing beyond it ("... - Ledsagelse" + "Side 2") is looked past
            k = pick if pick == 0 else len(nb) - 1
            step = 1 if pick == 0 else -1
            n_numbers = 0
            while 0 <= k + step < len(nb) and is_page_number(page.lines[nb[k]]):
                k += step
                n_numbers += 1
            numbered = numbered and n_numbers == 1
            idx.append(nb[k])
            beyond.append(nb[:k] if pick == 0 else nb[k + 1:])
        lines = [p.lines[i] for p, i in zip(pages, idx)]
        key = _running_key(lines[0])
        if (len(lines[0].split()) < 3 or key != _running_key(lines[1])
                or any(i in p.headings for p, i in zip(pages, idx))):
            continue
        apart = all(0 <= i + gap < len(p.lines) and not p.lines[i + gap].strip()
                    for p, i in zip(pages, idx))
        # a line beside a page number on both pages is a running line even when the reader saw
        # no paragraph gap before it (the footer sits right under a short page's text)
        if apart or numbered:
            for drop, i, numbers in zip(drops, idx, beyond):
                drop.add(i)
                drop.update(numbers)     # its page number goes with it


# --- hyphenation -------------------------------------------------------------------------------
NAME_PART_ZIPF = 2.0  # both halves of "Name-word" must be this common to keep the hyphen
_LETTER = r"A-Za-zÆØÅæøåÄÖÜäöüÉéÈèÁáÓóÍíÚú"
_CONNECTORS = {"og", "eller", "samt", "&", "til", "som", "el.", "og/eller", "or", "and"}
_LINE_END_WORD = re.compile(rf"([{_LETTER}0-9]+)-$")
_INLINE = re.compile(r"(?<![\w-])([a-zæøå]{2,})-([a-zæøå]{2,})(?![\w-])")


def _hyphen_keep_prefixes() -> frozenset[str]:
    return word_list("hyphen_keep_prefixes.txt")


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """wordfreq's Danish Zipf frequency of the lowercased word (0 = unknown)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "da")


def is_known_word(word: str) -> bool:
    """True when wordfreq's Danish list knows the word."""
    return zipf(word) > 0


def _join_decision(left: str, right: str) -> str | None:
    """How to glue `left-` + `right` split at a line end.

    Returns "join" (drop hyphen), "hyphen" (keep hyphen, no space) or None (keep the line
    break: "Sundheds-" + "og" stays "Sundheds- og" after reflow).
    """
    if right.lower() in _CONNECTORS or not right[:1].isalnum():
        return None
    if left.isupper() and len(left) > 1 and right.rstrip(".,;:!?)").isupper() and len(right) > 1:
        return _join_decision(left.lower(), right.lower())  # SKOLEDISTRIK- TER
    if left[-1:].isdigit() or right[:1].isdigit() or right[:1].isupper():
        return "hyphen"
    word = right.rstrip(".,;:!?)»”\"'")
    if not word.isalpha() or not left.isalpha():
        return "hyphen"
    if is_known_word(left + word):
        return "join"
    if left.lower() in _hyphen_keep_prefixes() or len(left) == 1:
        return "hyphen"  # ikke-vestlige, e-mail
    if left[:1].isupper() and zipf(left) >= NAME_PART_ZIPF and zipf(word) >= NAME_PART_ZIPF:
        return "hyphen"  # Hjørring-modellen (but Zee-berg -> Zeeberg)
    return "join"


def join_line_hyphens(lines: list[str]) -> list[str]:
    """Join words hyphenated across line ends, moving the tail of the word up a line.

    The rest of the lower line stays where it is so that a short last line still reads as the
    end of a paragraph to the reflow step.
    """
    out = list(lines)
    i = 0
    while i < len(out):
        line = out[i].rstrip()
        m = _LINE_END_WORD.search(line) if line.endswith("-") else None
        j = i + 1
        if m and j < len(out) and out[j].strip():
            nxt = out[j].lstrip()
            right, _, rest = nxt.partition(" ")
            decision = _join_decision(m.group(1), right)
            if decision is not None:
                glue = "" if decision == "join" else "-"
                out[i] = line[:-1] + glue + right
                out[j] = rest
                if not rest.strip():
                    del out[j]
                continue  # the joined word may itself end in a hyphen
        i += 1
    return out


def join_inline_hyphens(text: str) -> str:
    """Undo hyphenation remnants inside a line ("gen-nemsnitlig", "so-ciale").

    Conservative: both parts lowercase and the joined word must be a known Danish word, so
    "ikke-vestlige" and "e-mail" keep their hyphens.
    """

    def fix(m: re.Match[str]) -> str:
        left, right = m.group(1), m.group(2)
        if right in _CONNECTORS or left in _hyphen_keep_prefixes():
            return m.group(0)
        return left + right if is_known_word(left + right) else m.group(0)

    return _INLINE.sub(fix, text) if "-" in text else text


def join_hyphenation(text: str) -> str:
    """Join line-end hyphenation and in-line hyphenation remnants in free text."""
    return join_inline_hyphens("\n".join(join_line_hyphens(text.split("\n"))))


# --- reflow ------------------------------------------------------------------------------------
_BULLET = re.compile(r"^(?:[-–•▪●◦*·■□➢✓]|\d{1,2}[.)]|[a-zA-Z][)])\s+")
_SENTENCE_END = re.compile(r"[.!?:;]['\"”»)]?$")
SHORT_LINE = 0.7  # a line shorter than this share of the page's typical line ends a paragraph


def _typical_length(lines: list[str]) -> int:
    lengths = sorted(len(ln) for ln in lines if ln.strip())
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.8))]


def _starts_lower(line: str) -> bool:
    for ch in line:
        if ch.isalpha():
            return ch.islower()
        if ch.isdigit():
            return False
        if ch not in "([\"'«„“":
            return ch in ",;)"
    return False


def reflow(lines: list[str], headings: set[int] | None = None) -> str:
    """Hard-wrapped lines -> paragraphs separated by "\\n\\n"; list items on their own lines."""
    headings = headings or set()
    typical = _typical_length([ln for i, ln in enumerate(lines) if i not in headings])
    paragraphs: list[list[str]] = []  # each paragraph: list of items (lines joined by "\n")
    current: list[str] | None = None
    prev = ""
    for i, raw in enumerate(lines):
        line = _MULTISPACE.sub(" ", raw.strip())
        if not line:
            current = None
            prev = ""
            continue
        if i in headings:
            paragraphs.append([line])
            current = None
            prev = ""
            continue
        if current is not None and _BULLET.match(line):
            current.append(line)
        elif current is not None and _continues(prev, line, typical):
            current[-1] = f"{current[-1]} {line}"
        else:
            current = [line]
            paragraphs.append(current)
        prev = line
    return "\n\n".join("\n".join(items) for items in paragraphs)


_ENTRY_END = re.compile(r"[^\W\d_]\s+\d{1,3}$")   # "Tema 2: Arbejde og uddannelse 6"


def _continues(prev: str, line: str, typical: int) -> bool:
    if _starts_lower(line):
        return True
    if _BULLET.match(prev) and len(prev) < SHORT_LINE * typical:
        return False
    if _ENTRY_END.search(prev) and _ENTRY_END.search(line):
        return False    # contents lines ending in their page numbers, one entry a line
    return len(prev) >= SHORT_LINE * typical and not prev.endswith(("..", "…"))


# --- whole pages -------------------------------------------------------------------------------
def clean_pages(pages: list[PageLines]) -> list[str]:
    """Clean every page of one document together (running lines need the whole document)."""
    normalized = [
        PageLines(normalize_chars("\n".join(p.lines)).split("\n") if p.lines else [],
                  p.top_band, p.bottom_band, set(p.headings), p.band)
        for p in pages
    ]
    drops = running_line_indexes(normalized)
    kept_pages: list[tuple[list[str], set[int]]] = []
    for page, drop in zip(normalized, drops):
        kept: list[str] = []
        heads: set[int] = set()
        for i, line in enumerate(page.lines):
            if i in drop:
                continue
            if i in page.headings:
                heads.add(len(kept))
            kept.append(line)
        kept_pages.append((kept, heads))
    _join_across_pages(kept_pages)
    out = []
    for kept, heads in kept_pages:
        kept, heads = _join_hyphens_keep_headings(kept, heads)
        out.append(join_inline_hyphens(reflow(kept, heads)))
    return out


def _join_across_pages(pages: list[tuple[list[str], set[int]]]) -> None:
    """A word hyphenated at the foot of a page ("omkostnin-") takes its tail from the next page."""
    for (lines, _), (nxt, nxt_heads) in zip(pages, pages[1:]):
        last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), None)
        first = next((i for i, ln in enumerate(nxt) if ln.strip()), None)
        if last is None or first is None or first in nxt_heads:
            continue
        end = lines[last].rstrip()
        m = _LINE_END_WORD.search(end) if end.endswith("-") else None
        tail = nxt[first].strip()
        if not m or not tail[:1].islower():
            continue
        right, _, rest = tail.partition(" ")
        decision = _join_decision(m.group(1), right)
        if decision is None:
            continue
        lines[last] = lines[last].rstrip()[:-1] + ("" if decision == "join" else "-") + right
        nxt[first] = rest


def _join_hyphens_keep_headings(lines: list[str], heads: set[int]) -> tuple[list[str], set[int]]:
    if not any(ln.rstrip().endswith("-") for ln in lines):
        return lines, heads
    if not heads:
        return join_line_hyphens(lines), heads
    # join within runs between headings so that heading indexes stay valid
    out: list[str] = []
    new_heads: set[int] = set()
    run: list[str] = []
    for i, line in enumerate(lines):
        if i in heads:
            out.extend(join_line_hyphens(run))
            run = []
            new_heads.add(len(out))
            out.append(line)
        else:
            run.append(line)
    out.extend(join_line_hyphens(run))
    return out, new_heads


def clean_page_texts(page_texts: list[str]) -> list[str]:
    """Clean plain-text pages (e.g. a .txt split at form feeds) with the same rules as PDFs."""
    pages = [PageLines(t.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 2, 2)
             for t in page_texts]
    return clean_pages(pages)
