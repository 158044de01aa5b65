"""Cut cleaned page text into the passages a reader would cut, with page, section, offsets, kind.

A passage is the unit that gets themes, embeddings and search hits, so it should read as one
initiative or argument: a paragraph with its heading(s) folded in, a list together with its
lead-in ("Vi vil:"), in minutes never more than one agenda item.  Very long paragraphs split at
sentence ends, long lists at item boundaries (each part repeats the lead-in as context).
Layout debris (bare page numbers, stray bullets) is dropped; dates, links, signatures,
navigation lines and other fragments of a few words join a neighbour instead of standing alone.

Offsets index the page's cleaned text: ``text[char_start:char_end]`` is a contiguous part of
the passage (its whole text unless a lead-in is repeated, a heading comes from another page or
noise was dropped inside it), so every passage can be traced back to its page.

Pipeline: page text -> typed blocks (paragraph, heading, list item, toc, noise, marker, agenda
item, minutes label) -> units built in reading order (headings folded forward, lists with their
lead-in, agenda items as sections) -> fragments merged into a neighbour of the same section ->
Segments with offsets.  The line rules (noise, markers, agenda items, minutes labels, lead-in
and list lead words, sentence verbs, toc titles, count words) live in
``data/lang/da/segment_*.txt``, each with a line saying why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from stratcompare.config import data_path

MAX_CHARS = 1500          # split paragraphs and lists longer than this ...
TARGET_CHARS = 900        # ... into chunks of about this size
HEADING_MAX_WORDS = 14
SHORT_WORDS = 5           # a passage of this many words or fewer is a fragment: merge it
FORMAL_WORDS = 40         # a label-led minutes passage up to this size is a formality block

_PARA_SPLIT = re.compile(r"\n[ \t]*\n+")
_BULLET = re.compile(r"^\s*(?:[-–•▪●◦○■□➢➤►✓✔*]|\d{1,2}[.)]|[a-zæøå][.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-ZÆØÅ0-9\"“‘(])")
_TOC_LINE = re.compile(r"(\.{3,}|…{2,}|\t)\s*\d+\s*$")
_TOC_LEADER = re.compile(r"(?:\.{2,}|…+)\s*\d{1,3}\b")
_WORD = re.compile(r"\w+")
# a paragraph that starts with its page number (PDF transcripts): "3 Forord ...", "3 3 Indledning"
_LEADING_NUMBER = re.compile(r"^(\d{1,3})(?:\s+\1)?\s+(?=[^\W\d])")
# a page number glued between two words: "... borgerne 3 Indsatsområder ..."
_INLINE_NUMBER = re.compile(r"(?<=[^\W\d_]|[.,;:!?)\"”])\s(\d{1,3})\s(?=[A-ZÆØÅ][a-zæøå])")


@dataclass
class Segment:
    seq: int
    page: int
    section: str | None
    char_start: int
    char_end: int
    text: str
    kind: str = "content"          # content | list | heading | toc (structural); refined later
    cells: list | None = None      # rows of cells, for table passages only


# --- language data -----------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _rule_lines(name: str) -> tuple[str, ...]:
    """Non-comment lines of ``data/lang/da/<name>`` (a ``#`` line is the rule's reason)."""
    text = data_path("lang", "da", name).read_text(encoding="utf-8")
    return tuple(ln.rstrip("\n") for ln in text.splitlines()
                 if ln.strip() and not ln.lstrip().startswith("#"))


@lru_cache(maxsize=None)
def _words(name: str) -> frozenset[str]:
    return frozenset(ln.strip().lower() for ln in _rule_lines(name))


@lru_cache(maxsize=None)
def _noise_rules() -> re.Pattern:
    """All noise rules as one pattern (one match call per line)."""
    return re.compile("|".join(f"(?:{r.strip()})" for r in _rule_lines("segment_noise.txt")),
                      re.I)


@lru_cache(maxsize=None)
def _marker_rules() -> tuple[re.Pattern, dict[str, str]]:
    """All marker rules as one pattern with a named group per rule, and group -> kind."""
    parts, kinds = [], {}
    for i, ln in enumerate(_rule_lines("segment_markers.txt")):
        kind, rx = ln.split("\t", 1)
        parts.append(f"(?P<r{i}>{rx.strip()})")
        kinds[f"r{i}"] = kind.strip()
    return re.compile("|".join(parts), re.I), kinds


@lru_cache(maxsize=None)
def _agenda_rules() -> tuple[re.Pattern, ...]:
    return tuple(re.compile(r.strip(), re.I) for r in _rule_lines("segment_agenda.txt"))


def is_noise(line: str) -> bool:
    """Layout debris with no words a reader needs: punctuation, a bullet or a page number alone."""
    t = line.strip()
    return not t or _noise_rules().fullmatch(t) is not None


def marker_kind(line: str) -> str | None:
    """``date``, ``url``, ``nav`` or ``signature`` for a line that belongs to a neighbour."""
    t = line.strip().lstrip("•-–* ").strip()
    if not t or len(t) > 120:
        return None
    rx, kinds = _marker_rules()
    m = rx.fullmatch(t)
    return kinds[m.lastgroup] if m and m.lastgroup else None


def is_agenda_item(line: str) -> bool:
    """An agenda-item title in minutes: "Punkt 5: ...", "5. Godkendelse af ...", "1 : ..."."""
    t = line.strip()
    if "\n" in t or not t or len(t) > 200 or t.endswith((":", ",")):
        return False
    if len(t.split()) < 2 or len(t.split()) > 25:
        return False
    if t[0].isdigit() and t.endswith("."):
        return False    # "1. Godkende forslag til ... frist." is a numbered sentence, not a title
    return any(r.match(t) for r in _agenda_rules())


def is_minutes_label(line: str) -> bool:
    """A standing sub-heading of an agenda item ("Sagsfremstilling", "Beslutning", "Sagsnr.: 12")."""
    t = line.strip()
    if not t or "\n" in t or len(t.split()) > 10:
        return False
    low = t.lower()
    for label in _words("segment_minutes_labels.txt"):
        if low.startswith(label):
            nxt = t[len(label):len(label) + 1]
            if not nxt or not nxt.islower():
                return True
    return False


def _text_label(line: str) -> bool:
    low = line.strip().lower()
    return any(low.startswith(w) for w in _words("segment_minutes_text_labels.txt"))


def is_toc(text: str) -> bool:
    """A table-of-contents line (dot leaders + page number) or a run-on contents block."""
    t = text.strip()
    if not t:
        return False
    if _has_leader(t):
        if all(_TOC_LINE.search(ln) for ln in t.split("\n") if ln.strip()):
            return True
        if len(_TOC_LEADER.findall(t)) >= 3:
            return True
    first = t.split(None, 1)[0].rstrip(":").lower()
    if first in _words("segment_toc_titles.txt") and len(t.split()) > 2:
        rest = t.split(None, 1)[1]
        if rest.lower().startswith("på "):
            return False   # "Indhold på siden": the label of a web page's in-page menu
        # chapter names run on, no sentence in between; a line ending in a colon is a lead-in
        # ("Indhold" as a service's contents + "Støtten kan fx omfatte hjælp til:"), no toc
        return ". " not in rest and not rest.rstrip().endswith((".", ":"))
    return False


def _has_leader(t: str) -> bool:
    return ".." in t or "…" in t or "\t" in t


def is_heading(text: str, known: Sequence[str] = (), sentences: bool = True) -> bool:
    """A short single line that names what follows (or a line the extractor marked as heading).
    A statement without its full stop is no heading (``sentences=False`` skips that test)."""
    t = text.strip()
    if not t or "\n" in t:
        return False
    if t in known:
        return True
    if _BULLET.match(t) or (_has_leader(t) and _TOC_LINE.search(t)):
        return False
    words = t.split()
    if len(words) > HEADING_MAX_WORDS or len(t) > 120:
        return False
    if t.rstrip("\"”’»)]")[-1:] in (".", ";", ",", "!", "?"):
        return False        # a sentence (also one closing a quotation: 'medfinansiering.”')
    if is_lead_in(t):
        # "Konkrete initiativer:", "Vi ønsker derfor at arbejde med, at"
        return len(words) <= 10 and (t.endswith(":") or t[0].isupper())
    if is_noise(t) or marker_kind(t):
        return False
    if sentences and _sentence_form(t):
        return False
    first = t.lstrip("\"“”‘’«»(")[:1]
    return first.isupper() or first.isdigit()


def _sentence_form(text: str) -> bool:
    """A statement, not a heading: six or more words whose first finite verb is a full verb
    ("Vi har et recovery-understøttende og rehabiliterende perspektiv").  A modal first verb
    makes a goal heading ("Vi vil styrke den offentlige samtale"); a verb right after a comma or
    "der"/"som" belongs to a relative clause ("Eksempler på situationer, der er ...")."""
    words = text.split()
    if len(words) < 6:
        return False
    verbs = _words("segment_sentence_verbs.txt")
    modals = _words("segment_goal_modals.txt")
    low = [w.lower().strip(",.;:!?\"”“'()–-") for w in words]
    for i in range(1, len(words)):
        if words[i - 1].endswith(":"):
            return False   # "Juni 2012: Kultur-kick: ... går i luften": an entry, a field
        if low[i] not in verbs:
            continue
        if low[i] in modals:
            return False
        if words[i - 1].endswith(",") or low[i - 1] in ("der", "som"):
            continue
        return True
    return False


def is_lead_in(text: str) -> bool:
    """A line that introduces what follows without naming a section: it ends in a colon or
    breaks off on a function word ("Vi ønsker derfor at arbejde med, at")."""
    t = text.strip()
    if not t:
        return False
    return t.endswith(":") or t.split()[-1].lower() in _words("segment_lead_in_words.txt")


def _n_words(text: str) -> int:
    return len(_WORD.findall(text))


# --- blocks: typed pieces of page text ---------------------------------------------------------
@dataclass
class _Block:
    page: int
    start: int
    end: int
    text: str
    type: str = "para"      # para | heading | label | item | toc | noise | marker | agenda
    furniture: bool = False  # page furniture (running line, link row, breadcrumb): stands alone
    demoted: bool = False    # an agenda-like line read as a list point or text


def _typed(block: _Block, headings: Sequence[str], minutes: bool) -> _Block:
    t = block.text
    if is_noise(t):
        block.type = "noise"
    elif is_toc(t):
        block.type = "toc"
    elif minutes and "\n" not in t and is_agenda_item(t):
        block.type = "agenda"
    elif "\n" not in t and marker_kind(t):
        block.type = "marker"
    elif _BULLET.match(t):
        block.type = "item"
    elif is_heading(t, headings):
        block.type = "label" if minutes and is_minutes_label(t) else "heading"
    else:
        block.type = "para"
    return block


def _page_blocks(page_number: int, text: str, headings: Sequence[str],
                 cuts: Sequence[tuple[int, int]], minutes: bool) -> list[_Block]:
    """Paragraphs (blank-line separated), cut further at list items, after heading lines, around
    noise/marker/toc/agenda lines and at glued page numbers (``cuts``: spans to drop)."""
    spans: list[tuple[int, int, bool]] = []   # (start, end, text runs on past a cut)
    pos = 0
    for m in list(_PARA_SPLIT.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        spans.append((pos, end, False))
        if m:
            pos = m.end()
    # glued page numbers: cut the paragraph there and drop the number
    for a, b in sorted(cuts):
        for i, (s, e, cont) in enumerate(spans):
            if s <= a and b <= e:
                spans[i:i + 1] = [(s, a, s != a), (b, e, cont)]
                break
    blocks: list[_Block] = []
    for s, e, cont in spans:
        n = len(blocks)
        _add_paragraph(blocks, page_number, s, text[s:e], headings, minutes)
        if cont and len(blocks) > n and blocks[-1].type == "heading":
            blocks[-1].type = "para"   # text that ran on past a page number is no heading
    if blocks and blocks[-1].type == "heading" and _cut_sentence(blocks[-1].text) \
            and blocks[-1].text not in headings:
        blocks[-1].type = "para"       # a sentence cut off at the end of the page
    return blocks


def _cut_sentence(text: str) -> bool:
    """A line of six or more words with a finite verb: a sentence, not a heading."""
    words = text.split()
    verbs = _words("segment_sentence_verbs.txt")
    return len(words) >= 6 and any(w.lower() in verbs for w in words[1:])


def _line_type(line: str, headings: Sequence[str], minutes: bool) -> str:
    t = line.strip()
    if not t:
        return "blank"
    if is_noise(t):
        return "noise"
    if _has_leader(t) and _TOC_LINE.search(t):
        return "toc"
    if minutes and is_agenda_item(t):
        return "agenda"
    if marker_kind(t):
        return "marker"
    if _BULLET.match(t):
        return "item"
    if is_heading(t, headings):
        return "label" if minutes and is_minutes_label(t) else "heading"
    return "text"


def _open_end(line: str, number: bool = False) -> bool:
    """A line of text that stops on a word a sentence cannot end on ("... efter servicelovens",
    "... og"; ``segment_open_end_words.txt``), or with ``number`` on a word a number follows
    ("... servicelovens §", "... stk."; ``segment_number_words.txt``): the next line continues it."""
    words = line.split()
    if not words:
        return False
    last = words[-1].lower()
    if number:
        return last in _words("segment_number_words.txt")
    if last in _words("segment_open_end_words.txt"):
        return True
    return any(w.startswith("-") and len(w) > 2 and last.endswith(w[1:])
               for w in _words("segment_open_end_words.txt"))


def _wraps_on(line: str, nxt: str) -> bool:
    """A line that looks like a heading but whose sentence a PDF wrapped onto the next line: it
    has four or more words, no closing punctuation, and the next line goes on in lower case or,
    after a word that cannot end a sentence, with a paragraph sign or a number."""
    t, n = line.strip(), nxt.strip()
    if not t or not n or _n_words(t) < 4 or t[-1] in ".:;!?" or is_minutes_label(t):
        return False
    if re.match(r"[a-zæøå]+[,.;]?(?:\s|$)", n) and not marker_kind(n):
        return True      # (a lower-case word, not an e-mail address or a link)
    return (n[:1] == "§" and _open_end(t)) or (n[:1].isdigit() and _open_end(t, number=True))


# page furniture: a running head or footer ending in its page marker ("Handicaprådet
# 03-09-2025 Side 3 af 4", "Vesterbjerg Kommune · Høring over … · Side 2"), a row of site links
# ("Tilgængelighedserklæring · Cookies · Kontakt") or a breadcrumb ("Forside / Politik / Råd og
# nævn"): a line block that belongs to the page, not to the text or formality it touches
_PAGE_MARK_END = re.compile(r"(?:^|(?<=\s))(?:Side|SIDE|S\.)\s*\d{1,3}(?:\s*(?:af|/)\s*\d{1,3})?$")
_LINK_SEP = re.compile(r"\s+·\s+")
_CRUMB_SEP = re.compile(r"\s+[/>›»]\s+")
FURNITURE_WORDS = 16      # a furniture line is at most this long
_SEPARATORS = "·/>›»|-–"
_FURNITURE_HINT = re.compile(r"[·/>›»]|S(?:ide|IDE|\.)\s*\d")


def _furniture_line(line: str) -> bool:
    """A running line with its page marker at the end, a row of three or more short links, or
    a breadcrumb of three or more short steps (see ``_PAGE_MARK_END``)."""
    t = line.strip()
    if not _FURNITURE_HINT.search(t):
        return False     # (most lines: no marker word and no separator -- decided at once)
    words = t.split()
    if not 2 <= len(words) <= FURNITURE_WORDS or t.endswith((".", ":", ",", ";")):
        return False
    mark = _PAGE_MARK_END.search(t)
    if mark and mark.start() > 0:
        before = t[:mark.start()].split()[-1]
        # the words before the marker are a name, a date or a separator, not a sentence's
        # "... se side 4" / "..., side 4"
        return not (before[:1].islower() or before.endswith(","))
    for sep in (_LINK_SEP, _CRUMB_SEP):
        parts = sep.split(t)
        if len(parts) >= 3 and all(1 <= len(p.split()) <= 5 for p in parts):
            return True
    return False


def _add_paragraph(blocks, page_number, offset, chunk, headings, minutes):
    lines = chunk.split("\n")
    starts, acc = [], 0
    for line in lines:
        starts.append(acc)
        acc += len(line) + 1
    types = [_line_type(ln, headings, minutes) for ln in lines]
    for i in range(len(lines)):
        prev_line = lines[i - 1] if i else ""
        if (i and types[i] in ("agenda", "item") and types[i - 1] == "text"
                and lines[i].lstrip()[:1].isdigit() and _open_end(prev_line, number=True)):
            types[i] = "text"    # "... efter servicelovens §" + "83. Forvaltningen ...": wrapped
        if (i + 1 < len(lines) and types[i] in ("heading", "label")
                and lines[i].strip() not in headings and _wraps_on(lines[i], lines[i + 1])):
            types[i] = "text"    # "Byrådet besluttede i juni 2023, at kommunens" + "handicap..."
    hint = [bool(_FURNITURE_HINT.search(ln)) for ln in lines]   # (most lines have none)
    furniture = any(hint)
    glued = [False] * len(lines) if furniture else None
    i = 0 if furniture else len(lines)
    while i < len(lines):
        if not any(hint[i:i + 3]):
            i += 1
            continue
        # a furniture line a PDF wrapped: the first part ends in a separator ("Forside / Politik
        # /" + "Ældrerådet"), the rest goes on in lower case ("… · Behandling" + "af
        # personoplysninger") or holds no letter; the lines are judged together
        j = i
        while j + 1 < len(lines) and j - i < 2 and types[j + 1] in ("text", "heading",
                                                                     "label") and (
                lines[j].rstrip()[-1:] in _SEPARATORS or lines[j + 1].lstrip()[:1].islower()
                or not re.search(r"[^\W\d_]", lines[j + 1])):   # ("… CVR 29 18" + "91 44")
            j += 1
        if j > i and all(t in ("text", "heading", "label") for t in types[i:j + 1]) \
                and _furniture_line(" ".join(ln.strip() for ln in lines[i:j + 1])):
            types[i:j + 1] = ["furniture"] * (j + 1 - i)
            for k in range(i + 1, j + 1):
                glued[k] = True   # one line again: the break a PDF put in becomes a space
        i = j + 1 if j > i and types[i] == "furniture" else i + 1
    for i, line in enumerate(lines if furniture else ()):
        if hint[i] and types[i] in ("text", "heading", "label") and _furniture_line(line):
            types[i] = "furniture"   # stands apart from the lines around it
            k = i   # a link row or breadcrumb takes the 1-3-word lines above it (link labels,
            # the site's name "Lindholt Kommune"); a page-marked running line takes none
            while (k > 0 and not _PAGE_MARK_END.search(line.strip()) and types[k - 1] in
                   ("text", "heading") and 1 <= len(lines[k - 1].split()) <= 3
                   and lines[k - 1].rstrip()[-1:] not in ".:!?,"):
                k -= 1
                types[k] = "furniture"
    cut_points = [0]
    for i in range(1, len(lines)):
        prev, cur = types[i - 1], types[i]
        if (cur == "furniture") != (prev == "furniture"):
            cut_points.append(i)
        elif cur in ("item", "noise", "marker", "agenda", "toc") or prev in ("noise", "marker",
                                                                            "agenda", "toc"):
            # a run of toc lines stays one block; every other such line stands alone
            if not (cur == "toc" and prev == "toc"):
                cut_points.append(i)
        elif prev in ("heading", "label") and cur not in ("heading", "label"):
            cut_points.append(i)
        elif prev == "item" and cur == "heading" and minutes:
            cut_points.append(i)
    cut_points.append(len(lines))
    for a, b in zip(cut_points, cut_points[1:]):
        piece = "\n".join(lines[a:b]) if not (furniture and any(glued[a:b])) else "".join(
            (" " if glued[k] else "\n") + lines[k] if k > a else lines[k] for k in range(a, b))
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if not body:
            continue
        start = offset + starts[a] + lead
        block = _Block(page_number, start, start + len(body), body)
        if furniture and all(t == "furniture" for t in types[a:b] if t != "blank"):
            block.furniture = True
        else:
            _typed(block, headings, minutes)
        blocks.append(block)


# --- page numbers glued into the text (PDF transcripts) ----------------------------------------
def _page_number_cuts(pages: Sequence) -> dict[int, list[tuple[int, int]]]:
    """Spans of page numbers that can be told from the text: numbers that start a paragraph or
    sit between two words and continue a page sequence (n, n+1, ...) found in the same
    document.  Returns spans to drop, per page number."""
    cands: list[tuple[int, int, int, int]] = []   # (page, start, end, value)
    stop = _words("segment_number_words.txt")
    for page in pages:
        text = page.text or ""
        pos = 0
        for m in list(_PARA_SPLIT.finditer(text)) + [None]:
            end = m.start() if m else len(text)
            para = text[pos:end]
            lead = _LEADING_NUMBER.match(para.lstrip())
            if lead:
                off = pos + len(para) - len(para.lstrip())
                cands.append((page.number, off, off + lead.end(), int(lead.group(1))))
            for im in _INLINE_NUMBER.finditer(para if not is_toc(para) else ""):
                if para[max(0, im.start() - 2):im.start()] in ("..", "…") or \
                        para[im.start() - 1:im.start()] == "…":
                    continue   # a dot leader: the number is a toc entry's page
                before = para[:im.start()].split()
                prev_word = before[-1].lower().rstrip(".:") if before else ""
                if prev_word in stop or before and before[-1].lower() in stop:
                    continue
                if _numbered_line(para, im.start(1), int(im.group(1))):
                    continue   # "1 Meddelelser" + "2 Værdighedsprojekt": numbered lines
                cands.append((page.number, pos + im.start(), pos + im.end(), int(im.group(1))))
            if m:
                pos = m.end()
    # keep candidates that chain: value v after v-1 (or v again, "3 3") earlier in the document
    keep: set[int] = set()
    seen: dict[int, list[int]] = {}
    for i, (_, _, _, v) in enumerate(cands):
        if v - 1 in seen:
            keep.add(i)
            keep.update(seen[v - 1])
        seen.setdefault(v, []).append(i)
    cuts: dict[int, list[tuple[int, int]]] = {}
    for i in sorted(keep):
        pg, a, b, _ = cands[i]
        cuts.setdefault(pg, []).append((a, b))
    return cuts


def _numbered_line(para: str, pos: int, value: int) -> bool:
    """The number at ``pos`` opens a line ("1 Meddelelser") and the line before or after opens
    with the number before or after it: a numbered list or contents, never page numbers (a page
    number is not followed by the next one a line later)."""
    line_start = para.rfind("\n", 0, pos) + 1
    if para[line_start:pos].strip():
        return False
    prev_start = para.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else -1
    next_start = para.find("\n", pos)
    near = []
    if prev_start >= 0:
        near.append((para[prev_start:line_start], value - 1))
    if next_start >= 0:
        near.append((para[next_start + 1:], value + 1))
    return any(re.match(rf"\s*{v}\s*[.:)]?\s+\S", text) for text, v in near)


# --- agenda items run together in one paragraph (minutes transcripts) -------------------------
_INLINE_AGENDA = re.compile(r"(?:(?<=\s)|^)(\d{1,3})\.\s+(?=[A-ZÆØÅ][a-zæøå])")
# the word an agenda number may follow on its title line ("Ad 3.", "Punkt 3.", "Pkt. 3.")
_ITEM_WORDS = ("ad", "punkt", "pkt", "dagsordenspunkt")
_ITEM_WORD = re.compile(r"(?i)[ \t]*(?:ad|punkt|pkt\.?|dagsordenspunkt)[ \t]+")


def _inline_agenda_cuts(pages: Sequence) -> dict[int, list[tuple[int, int]]]:
    """Where numbered agenda items run on inside a paragraph ("... dagsorden 2. Valg af
    formand ... 3. Valg til ..."): numbers that continue a sequence of at least three (1, 2, 3)
    in reading order.  Returns zero-width cuts (nothing dropped), per page number."""
    cands: list[tuple[int, int, int]] = []   # (page, position, value)
    for page in pages:
        text = page.text or ""
        for m in _INLINE_AGENDA.finditer(text):
            # "Ad 3. Eventuelt", "Punkt 3. Høring": the item word before the number is part of
            # the title, so the cut goes before it (never between "Ad" and "3.")
            line = text.rfind("\n", 0, m.start()) + 1
            lead = text[line:m.start()]
            at = line + len(lead) - len(lead.lstrip()) if _ITEM_WORD.fullmatch(lead) else m.start()
            cands.append((page.number, at, int(m.group(1))))
    chain_len = [1] * len(cands)
    prev_of: list[int | None] = [None] * len(cands)
    last: dict[int, int] = {}     # value -> index of its latest candidate
    for i, (_, _, v) in enumerate(cands):
        j = last.get(v - 1)
        if j is not None:
            chain_len[i], prev_of[i] = chain_len[j] + 1, j
        last[v] = i
    keep: set[int] = set()
    for i in range(len(cands)):
        if chain_len[i] >= 3:
            j: int | None = i
            while j is not None:
                keep.add(j)
                j = prev_of[j]
    cuts: dict[int, list[tuple[int, int]]] = {}
    for i in sorted(keep):
        pg, pos, _ = cands[i]
        cuts.setdefault(pg, []).append((pos, pos))
    return cuts


def _agenda_title(text: str) -> str:
    """The title of an agenda item that runs on into its text: up to the first standing label
    ("Sagsfremstilling:", "Dato:") or sentence end, at most 15 words."""
    line = text.strip().split("\n")[0]
    words = line.split()
    out: list[str] = []
    # (an item word before the number, "Ad 3." / "Punkt 3.", does not count as a title word)
    first = 2 if words and words[0].lower().rstrip(".") in _ITEM_WORDS else 1
    for i, w in enumerate(words):
        if i > first and w[:1].isupper() and is_minutes_label(w.rstrip(":")):
            break
        out.append(w)
        nxt = words[i + 1] if i + 1 < len(words) else ""
        # a full stop ends the title only before a capital ("vedr. klagesager" runs on)
        if len(out) >= 15 or (i > first and w.endswith((".", ":")) and not w[:-1].isdigit()
                              and nxt[:1].isupper()):
            break
    return " ".join(out).rstrip(":")


# --- units: passages under construction --------------------------------------------------------
@dataclass
class _Unit:
    kind: str
    section: str | None
    pieces: list[_Block] = field(default_factory=list)   # in reading order
    context: list[str] = field(default_factory=list)     # repeated lead-in lines, text only
    heads: int = 0          # leading pieces that are folded headings / markers
    furniture: bool = False  # page furniture (running line, link row, breadcrumb): stands alone

    @property
    def text(self) -> str:
        parts = list(self.context)
        out = "\n".join(parts)
        for p in self.pieces:
            sep = getattr(p, "joiner", "\n")
            out = (out + sep + p.text) if out else p.text
        return out

    @property
    def body(self) -> list[_Block]:
        return self.pieces[self.heads:] or self.pieces


def _join(block: _Block, joiner: str) -> _Block:
    b = _Block(block.page, block.start, block.end, block.text, block.type)
    b.joiner = joiner  # type: ignore[attr-defined]
    return b


def _split_long(block: _Block) -> list[_Block]:
    if len(block.text) <= MAX_CHARS:
        return [block]
    pieces, cur_start = [], 0
    bounds = [m.end() for m in _SENTENCE_END.finditer(block.text)] + [len(block.text)]
    last_cut = 0
    for b in bounds:
        if b - cur_start >= TARGET_CHARS or b == len(block.text):
            cut = b if b - cur_start <= MAX_CHARS or last_cut <= cur_start else last_cut
            pieces.append((cur_start, cut))
            cur_start = cut
        last_cut = b
    if cur_start < len(block.text):
        pieces.append((cur_start, len(block.text)))
    out = []
    for a, b in pieces:
        # a run with no sentence end at all: hard-cut at whitespace
        while b - a > MAX_CHARS:
            window = block.text[a:a + TARGET_CHARS]
            cut = a + window.rfind(" ") if " " in window.strip() else a + TARGET_CHARS
            if cut <= a:
                cut = a + TARGET_CHARS
            out.append((a, cut))
            a = cut
        out.append((a, b))
    result = []
    for a, b in out:
        seg = block.text[a:b]
        lead = len(seg) - len(seg.lstrip())
        seg = seg.strip()
        if seg:
            s = block.start + a + lead
            result.append(_Block(block.page, s, s + len(seg), seg, block.type))
    return result


def _lead_context(text: str) -> str:
    """The line of a lead-in to repeat on each part of a long list: its last line, or its last
    sentence when that line is long."""
    last = text.strip().split("\n")[-1]
    if len(last) > 200:
        sentences = _SENTENCE_END.split(last)
        last = sentences[-1] if sentences else last
    return last


class _Builder:
    """Walks the typed blocks of a document and builds units."""

    def __init__(self, minutes: bool):
        self.minutes = minutes
        self.units: list[_Unit] = []
        self.section: str | None = None
        self.pending: list[_Block] = []      # headings/markers waiting for what they introduce
        self.in_agenda = False               # minutes: an agenda item has been seen
        self.item_no: int | None = None      # number of the current agenda item, if it has one

    # -- helpers
    def _emit(self, kind: str, body: list[_Block], context: Sequence[str] = ()) -> _Unit:
        started = any(not u.furniture for u in self.units)   # (a breadcrumb starts nothing)
        if (not started and self.pending and body and not self.minutes
                and self.pending[0].page < body[0].page):
            # a cover page: the document's first page holds only its title lines -- they are a
            # heading passage of their own, not the lead of the next page's text
            cover = [b for b in self.pending if b.page == self.pending[0].page]
            self.pending = self.pending[len(cover):]
            dated = next((k for k, b in enumerate(cover) if _FULL_DATE.search(b.text)), None)
            title, notice = (cover, []) if dated is None else (cover[:dated], cover[dated:])
            if _n_words(" ".join(b.text for b in notice)) <= SHORT_WORDS:
                title, notice = cover, []   # a bare date ("12. juni 2024") is the cover's
            if title:
                self.units.append(_Unit("heading", _section_name(title[-1]), title,
                                        heads=len(title)))
            if notice:    # "Vedtaget af Byrådet den 20. juni 2023" under the title: a notice
                self.units.append(_Unit("content", None, notice))
        # headings that introduce only the next heading stand alone, as one heading passage
        marks = [i for i, b in enumerate(self.pending) if self._sets_section(b)]
        # (a minutes' header -- committee, date, place -- and the title block a document opens
        # with stay with what follows)
        if len(marks) > 1 and not self.minutes and started:
            run, self.pending = self.pending[:marks[-1]], self.pending[marks[-1]:]
            self.units.append(_Unit("heading", _section_name(run[marks[-2]]), run,
                                    heads=len(run)))
        unit = _Unit(kind, self.section, list(self.pending) + list(body), list(context),
                     heads=len(self.pending))
        self.pending = []
        self.units.append(unit)
        return unit

    def _sets_section(self, b: _Block) -> bool:
        return b.type == "agenda" or (b.type == "heading" and getattr(b, "section", False))

    def page_break(self) -> None:
        """Minutes field lines waiting at the end of a page ("Fraværende: Anne Hansen (A)")
        close the formality block before them; they do not lead the next page's text."""
        prev = self.units[-1] if self.units else None
        if (self.minutes and self.pending and prev is not None and prev.kind in ("content", "list")
                and not prev.furniture and prev.section == self.section
                and all(p.type == "label" for p in self.pending)
                and _field_line(self.pending[-1].text)):
            prev.pieces.extend(self.pending)
            self.pending = []

    def flush_pending(self) -> None:
        """Headings/lines left waiting when a new agenda item or the end comes: section headings
        stand alone as a heading passage; lines that name nothing (labels, lead-ins, markers)
        join the passage before them."""
        if not self.pending:
            return
        prev = self.units[-1] if self.units else None
        if not any(self._sets_section(b) for b in self.pending) and prev is not None \
                and prev.kind in ("content", "list") and not prev.furniture \
                and not (self.minutes and self.pending[0].page > prev.pieces[-1].page):
            prev.pieces.extend(self.pending)
        else:
            marks = [i for i, b in enumerate(self.pending) if self._sets_section(b)]
            name = _section_name(self.pending[marks[-1]]) if marks else self.section
            self.units.append(_Unit("heading", name, list(self.pending),
                                    heads=len(self.pending)))
        self.pending = []

    # -- block handlers
    def heading(self, b: _Block) -> None:
        sets_section = not is_lead_in(b.text) and not (self.minutes and self.in_agenda)
        if self.pending and self.pending[-1].text.rstrip().endswith(":") \
                and not getattr(b, "subheading", False):
            sets_section = False   # what a lead-in ("Fraværende:") introduces names nothing
        b.section = sets_section  # type: ignore[attr-defined]
        self.pending.append(b)
        if sets_section:
            self.section = _section_name(b)

    def label(self, b: _Block) -> None:
        """A standing sub-heading of minutes: folded into what follows, never a section."""
        self.pending.append(b)

    def agenda(self, b: _Block) -> None:
        self.flush_pending()
        self.in_agenda = True
        self.item_no = _agenda_number(b.text)
        self.section = _section_name(b)
        self.pending.append(b)

    def agenda_inline(self, b: _Block) -> None:
        """An agenda item whose text runs on in the same paragraph: its title is the section."""
        self.flush_pending()
        self.in_agenda = True
        self.item_no = _agenda_number(b.text)
        self.section = _agenda_title(b.text)
        self.para(b, new_page=False)

    def agenda_overview(self, run: list[_Block]) -> None:
        """Consecutive agenda titles with nothing between: the meeting's list of contents."""
        self._emit("toc", run)

    def marker(self, b: _Block) -> None:
        prev = self.units[-1] if self.units else None
        if marker_kind(b.text) == "greeting":
            self.pending.append(b)     # "Med venlig hilsen" goes with the signature below
            return
        if (not self.pending and prev is not None and prev.section == self.section
                and prev.kind in ("content", "list") and not prev.furniture):
            prev.pieces.append(b)
        else:
            self.pending.append(b)

    def toc(self, blocks: list[_Block]) -> None:
        self._emit("toc", blocks)

    def furniture(self, b: _Block) -> None:
        """Page furniture stands alone: it neither takes the headings waiting for the next text
        (an item title, "Beslutning") nor joins the passage before it.  Only a row of links takes
        the link labels just above it ("Om Handicaprådet" / "Mødeplan 2025" / "Cookies · …")."""
        take = 0
        if not _PAGE_MARK_END.search(b.text.split("\n")[-1].strip()):
            while take < len(self.pending) and _link_label(self.pending[-1 - take], b):
                take += 1
        pieces = self.pending[len(self.pending) - take:] + [b]
        self.pending = self.pending[:len(self.pending) - take]
        self.units.append(_Unit("content", self.section, pieces, heads=0, furniture=True))

    def para(self, b: _Block, new_page: bool) -> None:
        if b.furniture:
            self.furniture(b)
            return
        # (a paragraph broken by a page break goes on past the running lines between)
        prev = next((u for u in reversed(self.units) if not u.furniture), None)
        if (new_page and not self.pending and prev is not None and prev.kind == "content"
                and prev.section == self.section and not _formal_end(prev)
                and _continues(prev.text, b.text)):
            parts = _split_long(b)
            prev.pieces.append(_join(parts[0], " "))
            for part in parts[1:]:
                self._emit("content", [part])
            return
        for part in _split_long(b):
            self._emit("content", [part])

    def items(self, run: list[_Block]) -> None:
        """A list: stays with its lead-in (the paragraph before it when that introduces it, or
        a lead-in line among the pending headings); long lists split at item boundaries."""
        prev = self.units[-1] if self.units else None
        if (not self.pending and prev is not None and prev.kind == "content"
                and prev.section == self.section and _introduces_list(prev.body[-1].text)):
            self.units.pop()
            self.pending = prev.pieces      # the lead-in paragraph (and its headings) leads
        items: list[_Block] = []
        for it in run:
            items.extend(_split_long(it))
        head_text = "\n".join(p.text for p in self.pending)
        led = bool(self.pending) and _introduces_list(self.pending[-1].text)
        lead_line = _lead_context(self.pending[-1].text) if led else ""
        total = len(head_text) + sum(len(i.text) + 1 for i in items)
        if total <= MAX_CHARS:
            # one bullet with nothing introducing it reads as a paragraph
            self._emit("content" if len(run) == 1 and not led else "list", items)
            return
        n = math.ceil(total / MAX_CHARS)
        target = total / n
        parts: list[list[_Block]] = [[]]
        size = len(head_text)
        for it in items:
            if parts[-1] and size + len(it.text) > min(MAX_CHARS, target * 1.15):
                parts.append([])
                size = len(lead_line)
            parts[-1].append(it)
            size += len(it.text) + 1
        for i, part in enumerate(parts):
            self._emit("list", part, context=[lead_line] if i and lead_line else ())


_AGENDA_NUMBER = re.compile(r"(?i)^\s*(?:(?:punkt|pkt\.?|dagsordenspunkt|ad\s|"
                            r"sag(?:\s+nr\.?)?)\s*)?"
                            r"(\d{1,3})(?!\d)")


def _link_label(p: _Block, row: _Block) -> bool:
    """Heading lines of one to three words each right above a row of links on the same page."""
    return p.type == "heading" and p.page == row.page and all(
        1 <= len(ln.split()) <= 3 and ln.rstrip()[-1:] not in ".:!?"
        for ln in p.text.strip().split("\n"))


def _agenda_number(text: str) -> int | None:
    m = _AGENDA_NUMBER.match(text)
    return int(m.group(1)) if m else None


def _not_next_item(b: _Block, bld: "_Builder", before: Sequence[_Block]) -> bool:
    """An agenda-like line inside an agenda item's list -- after a list item, a lead-in or a
    standing label ("Indstilling", "Bilag") -- whose number does not go up from the item's own
    ("2. Handicaprådet inddrages ..." in item 2, "1. Høringssvar fra ..." under item 4's
    "Bilag").  (Item numbers restart after a list of contents the segmenter did not see as
    one, so a lower number alone proves nothing; the item's title repeated on its next page is
    still a title.)"""
    if not bld.in_agenda or bld.item_no is None:
        return False
    prev = next((x for x in reversed(before) if x.type != "noise"), None)
    n = _agenda_number(b.text)
    if prev is not None and prev.demoted and n is not None \
            and _agenda_number(prev.text) == n - 1 and n <= bld.item_no:
        return True      # the next point of a numbered list already read as the item's own
    if prev is None or not (prev.type in ("item", "label") or _introduces_list(prev.text)):
        return False
    if n is None or n > bld.item_no:
        return False
    return not (n == bld.item_no and " ".join(b.text.split()) == bld.section)


def _one_past_the_list(blocks: list[_Block], i: int) -> bool:
    """An agenda-like line numbered one past the numbered list point before it, followed by an
    agenda line of the same number: item numbers do not repeat, so the first of the two is the
    list's last point (an attachment list "1. …" - "4. …" under item 3, then item "4. …").
    Also when the line runs on in the list point's paragraph (no blank line between) and a
    later agenda line has its number or a lower one: items are numbered upwards, so under item
    2 the list "1. … / 2. … / 3. … / 4. …" goes on before the real item "3. …" (session 7)."""
    b = blocks[i]
    n = _agenda_number(b.text)
    prev = next((x for x in reversed(blocks[:i]) if x.type != "noise"), None)
    nxt = next((x for x in blocks[i + 1:] if x.type != "noise"), None)
    if not (n is not None and prev is not None and prev.demoted
            and _agenda_number(prev.text) == n - 1):
        return False
    if nxt is not None and nxt.type == "agenda" and _agenda_number(nxt.text) == n:
        return True
    return (prev.page == b.page and b.start - prev.end <= 1
            and any(x.type == "agenda" and (m := _agenda_number(x.text)) is not None and m <= n
                    for x in blocks[i + 1:]))


def _demote_agenda(blocks: list[_Block], i: int) -> None:
    """Make the agenda-like block ``blocks[i]`` a list item (after an item or a lead-in) or
    text, and give it back its wrapped line ("... den første" + "handleplan.")."""
    b = blocks[i]
    b.demoted = True
    before = next((x for x in reversed(blocks[:i]) if x.type != "noise"), None)
    b.type = "item" if _BULLET.match(b.text) and before is not None and (
        before.type == "item" or _introduces_list(before.text)) else "para"
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    if (nxt is not None and nxt.page == b.page and nxt.type == "para"
            and nxt.text[:1].islower() and nxt.start - b.end <= 1):
        b.text, b.end = b.text + "\n" + nxt.text, nxt.end
        del blocks[i + 1]


_FULL_DATE = re.compile(r"(?i)\b\d{1,2}\.\s*(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)"
                        r"[a-z]*\.?\s+\d{4}\b|\b\d{1,2}[.-]\d{1,2}[.-]\d{4}\b")


def _field_line(text: str) -> bool:
    """A label with its value on the same line ("Fraværende: Anne Hansen (A)")."""
    head, sep, value = text.partition(":")
    return bool(sep) and bool(value.strip())


def _section_name(b: _Block) -> str:
    return _BULLET.sub("", b.text).strip() if b.type != "agenda" else b.text.strip()


def _introduces_list(text: str) -> bool:
    """A paragraph that leads into the list after it: a lead-in, or a last sentence ending
    "... blandt andet." / "... følgende."."""
    if is_lead_in(text) or text.rstrip().endswith(","):
        return True     # ("Direktionen indstiller," + "1. at ...": the sentence runs on)
    words = text.rstrip().split()
    return bool(words) and words[-1].lower().rstrip(".") in _words("segment_list_lead_words.txt")


def _continues(prev_text: str, next_text: str) -> bool:
    """A paragraph broken by a page break: no sentence end before, lowercase start after."""
    tail = prev_text.rstrip()
    return bool(tail) and tail[-1] not in ".!?:;\"”)" and next_text[:1].islower()


def _short_subheading(blocks: list[_Block], i: int) -> bool:
    """A lone short bullet followed by prose ("- Rammer" + paragraph) names what follows."""
    b = blocks[i]
    if b.type != "item" or _n_words(b.text) > SHORT_WORDS or b.text.rstrip()[-1:] in ".;,":
        return False
    prev = next((x for x in reversed(blocks[:i]) if x.type != "noise"), None)
    nxt = next((x for x in blocks[i + 1:] if x.type != "noise"), None)
    return (nxt is not None and nxt.type == "para" and (prev is None or prev.type != "item"))


def _runs_on(b: _Block) -> bool:
    """An agenda item cut out of a run-on paragraph that carries text after its title."""
    if not getattr(b, "agenda_start", False):
        return False
    whole, title = " ".join(b.text.split()), _agenda_title(b.text)
    if "\n" not in b.text.strip() and is_agenda_item(b.text) and whole.startswith(title) \
            and len(whole[len(title):].split()) <= 2:
        return False     # a bare one-line title ("48. Lukket punkt: Personalesag")
    return title != whole


LEAD_ITEM_WORDS = 40      # a line completing an open lead-in is an item up to this size


def _lead_in_items(blocks: list[_Block]) -> None:
    """A lead-in that breaks off on a function word ("Vi ønsker derfor at arbejde med, at")
    followed by one-line statements without bullets ("Køge Kommune prioriterer den tidlige
    indsats"): each line completes the lead-in's sentence, so the lines are its list items."""
    for i, b in enumerate(blocks):
        t = b.text.strip()
        if "\n" in t or t.endswith(":") or not is_lead_in(t) or b.type not in ("heading", "para"):
            continue
        if _n_words(t) < 5 or not _has_verb(t):
            continue     # a title broken over lines ("Politik for" / "Kultur og Fritid")
        run = []
        for nxt in blocks[i + 1:]:
            u = nxt.text.strip()
            if nxt.type == "noise":
                continue
            if (nxt.type not in ("para", "heading") or "\n" in u or is_lead_in(u)
                    or nxt.furniture
                    or not 6 <= _n_words(u) <= LEAD_ITEM_WORDS or not u[:1].isupper()
                    or getattr(nxt, "agenda_start", False)):
                break
            run.append(nxt)
        if len(run) >= 2:
            for it in run:
                it.type = "item"


def _has_verb(text: str) -> bool:
    verbs = _words("segment_sentence_verbs.txt")
    return any(w.lower().strip(",.;:") in verbs for w in text.split())


_ENTRY = re.compile(r"^\S.{1,80}?[^\W\d_][)\]:]?\s+(\d{1,3})$")   # "Tema 1: Bolig 5"
MIN_ENTRIES = 3


def _contents_runs(blocks: list[_Block]) -> None:
    """A contents list without dot leaders that a PDF set one entry a paragraph ("Indhold",
    "Forord 3", "Vision 4", "Tema 1: Bolig 5"): a contents title followed by three or more
    one-line entries ending in page numbers that do not go down is a toc, not headings."""
    titles = _words("segment_toc_titles.txt")
    for i, b in enumerate(blocks):
        if b.type not in ("heading", "para") or b.text.strip().rstrip(":").lower() not in titles:
            continue
        run, last = [], 0
        for nxt in blocks[i + 1:]:
            if nxt.type == "noise":
                continue
            m = _ENTRY.match(nxt.text.strip()) if "\n" not in nxt.text.strip() else None
            if nxt.type not in ("heading", "para") or not m or int(m.group(1)) < last \
                    or nxt.furniture:
                break
            last = int(m.group(1))
            run.append(nxt)
        if len(run) >= MIN_ENTRIES:
            for x in [b] + run:
                x.type = "toc"


def _build(blocks: list[_Block], minutes: bool) -> list[_Unit]:
    bld = _Builder(minutes)
    _lead_in_items(blocks)
    _contents_runs(blocks)
    i, last_page = 0, None
    while i < len(blocks):
        b = blocks[i]
        if b.type == "noise":
            i += 1
            continue
        if last_page is not None and b.page != last_page:
            bld.page_break()
        if minutes and getattr(b, "agenda_start", False):
            # an agenda item cut out of a run-on paragraph: its title is the section
            if _runs_on(b):
                bld.agenda_inline(b)
                last_page = b.page
                i += 1
                continue
            b.type = "agenda"          # a bare title: as any agenda line (overview runs)
        if b.type == "agenda" and b.text[:1].isdigit():
            before = next((x for x in reversed(blocks[:i]) if x.type != "noise"), None)
            if before is not None and is_lead_in(before.text):
                # "... anbefaler, at:" + "1. Godkende ...": a numbered list, not an agenda item
                b.type = "item" if _BULLET.match(b.text) else "para"
        if minutes and b.type == "agenda" and _one_past_the_list(blocks, i):
            # "Bilag" + "1. …" … "4. Høringssvar fra Ældrerådet" + "4. Takster …": the point
            # one past a numbered list under item 3, followed by the real item of that number
            _demote_agenda(blocks, i)
        if minutes and b.type == "agenda" and _not_next_item(b, bld, blocks[:i]):
            # "2. Handicaprådet inddrages ..." under item 2's recommendation: a numbered point
            # of the item's text, not a new item (items are numbered upwards)
            _demote_agenda(blocks, i)
        if minutes and b.type == "heading":
            before = next((x for x in reversed(blocks[:i]) if x.type != "noise"), None)
            if before is not None and (before.text.rstrip().endswith(":") or (
                    before.type == "label" and _text_label(before.text))):
                # "Beslutning" + "Taget til efterretning": the label's text, not a section
                b.type = "para"
        if b.type == "item" and _short_subheading(blocks, i):
            b.type = "heading"      # (the bullet stays in the text: it is the author's)
            b.subheading = True  # type: ignore[attr-defined]
        if b.type == "agenda":
            run = [b]
            j = i + 1
            while j < len(blocks) and (blocks[j].type == "noise" or (
                    blocks[j].type == "agenda" and not _runs_on(blocks[j]))):
                if blocks[j].type == "agenda":
                    run.append(blocks[j])
                j += 1
            if len(run) > 2:   # (two in a row: an item without text, then the next item)
                bld.agenda_overview(run)
                i = j - 1
            else:
                bld.agenda(b)
        elif b.type == "heading":
            bld.heading(b)
        elif b.type == "label":
            bld.label(b)
        elif b.type == "marker":
            bld.marker(b)
        elif b.type in ("toc", "item"):
            run = [b]
            while i + 1 < len(blocks) and (blocks[i + 1].type in (b.type, "noise") or (
                    b.type == "item" and minutes and blocks[i + 1].type == "agenda"
                    and _BULLET.match(blocks[i + 1].text)
                    and (_not_next_item(blocks[i + 1], bld, blocks[:i + 1])
                         or _one_past_the_list(blocks, i + 1)))):
                if blocks[i + 1].type == "agenda":
                    _demote_agenda(blocks, i + 1)    # "1. at ..." + "2. at ..." in item 2
                i += 1
                if blocks[i].type == b.type:
                    run.append(blocks[i])
            (bld.toc if b.type == "toc" else bld.items)(run)
        else:
            bld.para(b, new_page=last_page is not None and b.page != last_page)
        last_page = b.page
        i += 1
    bld.flush_pending()
    return bld.units


# --- fragments: merge passages of a few words into a neighbour ---------------------------------
def _is_fragment(u: _Unit) -> bool:
    if u.kind not in ("content", "list") or u.furniture:
        return False
    if u.pieces[0].type == "marker" and marker_kind(u.pieces[0].text) == "greeting" and \
            len(u.pieces) > 1:
        return False    # "Med venlig hilsen" + name (+ title): a signature block of its own
    if all(p.type == "marker" for p in u.pieces):
        return True
    # words of its own: attached dates, links and signatures do not make a passage
    own = " ".join(p.text for p in u.pieces if p.type != "marker")
    return _n_words(own) <= SHORT_WORDS


def _question(u: _Unit) -> bool:
    """A one-line question standing alone ("Hvem kan få ydelsen?"): it asks what the next
    paragraph answers (quality standards, FAQ pages), so it leads that paragraph."""
    t = u.text.strip()
    return t.endswith("?") and "\n" not in t


def _is_title(u: _Unit) -> bool:
    """Headings over one short line ("Arbejdsgrundlag" + "Fokusområder 2022-2025."): a title
    block that reads best with the paragraph it introduces."""
    body = u.pieces[u.heads:]
    if not (u.kind == "content" and u.heads > 0 and len(body) == 1):
        return False

    words = body[0].text.split()
    verbs = _words("segment_sentence_verbs.txt")
    return (len(words) <= 6 and "\n" not in body[0].text and _n_words(u.text) <= 20
            and not any(w.lower().strip(",.") in verbs for w in words))


def _mergeable(a: _Unit, b: _Unit) -> bool:
    return a.section == b.section and a.kind in ("content", "list") and \
        not a.furniture and not b.furniture and \
        len(a.text) + len(b.text) <= MAX_CHARS + 200


def _merge_fragments(units: list[_Unit]) -> list[_Unit]:
    """One pass (linear): a fragment joins the passage before it in its section (or the one
    after, when it introduces that one); after a merge the grown neighbour is looked at again."""
    i = 0
    while i < len(units):
        u = units[i]
        prev = units[i - 1] if i > 0 else None
        nxt = units[i + 1] if i + 1 < len(units) else None
        if _is_fragment(u):
            forward = is_lead_in(u.pieces[-1].text) or u.heads == len(u.pieces) or \
                _question(u)
            order = [(nxt, "next"), (prev, "prev")] if forward else \
                [(prev, "prev"), (nxt, "next")]
            if u.pieces[0].type == "label":
                # a standing minutes label ("Indstilling") starts a passage: it leads the next
                # passage of its item, or joins a short formality block before it, never the
                # end of a passage of text
                formal = prev is not None and _n_words(prev.text) <= FORMAL_WORDS and \
                    any(p.type == "label" for p in prev.pieces)
                order = [(nxt, "next")] if forward else []
                order += [(prev, "prev")] if formal else []
                order += [] if forward else [(nxt, "next")]
        elif _is_title(u):
            order = [(nxt, "next")]
            if u.pieces[0].type == "label" and (nxt is None or nxt.pieces[0].type != "label"):
                order = []   # "Beslutning" + "Godkendt." leads no text, only more formalities
        else:
            i += 1
            continue
        for other, where in order:
            if other is None or not _mergeable(other, u):
                continue
            if where == "prev":
                other.pieces.extend(u.pieces)
            else:
                other.pieces[0:0] = u.pieces
                other.heads += len(u.pieces)
                other.context = []
            del units[i]
            i = i - 1 if where == "prev" else i
            break
        else:
            i += 1
    return units


def _title_like(u: _Unit) -> bool:
    """A block of title lines: short, no line holding a sentence that runs on."""
    if u.kind != "content" or _n_words(u.text) > 25:
        return False
    if any(len(p.text.split()) > 8 for p in u.pieces[u.heads:]):
        return False         # the body is a line of text, not a subtitle
    verbs = _words("segment_sentence_verbs.txt")
    for ln in (ln.strip() for ln in u.text.split("\n") if ln.strip()):
        words = ln.split()
        if len(words) > 20 or re.search(r"[.!?]\s+\S", ln):
            return False
        if len(words) > 4 and (ln.endswith(".") or any(w.lower() in verbs for w in words)):
            return False     # a sentence, not a title line
    return True


def _document_title(units: list[_Unit], minutes: bool) -> list[_Unit]:
    """The title block a document opens with ("Politik for / Kultur og Fritid - / Lokalt
    engagement."): folded into the first passage when that continues the same section, else
    a heading passage -- never a content passage of its own (it would be a junk search hit)."""
    if minutes or len(units) < 2:
        return units
    i = 0
    while i < len(units) and (units[i].kind == "heading" or units[i].furniture):
        i += 1    # (a breadcrumb above the title is no part of it)
    if i + 1 < len(units) and _cover_title(units[i], units[i + 1]):
        units[i].kind = "heading"
        return units
    if i + 1 >= len(units) or not _title_like(units[i]):
        return units
    u, nxt = units[i], units[i + 1]
    if nxt.kind in ("content", "list") and nxt.section == u.section and \
            len(u.text) + len(nxt.text) <= MAX_CHARS + 200:
        nxt.pieces[0:0] = u.pieces
        nxt.heads += len(u.pieces)
        nxt.context = []
        del units[i]
    else:
        u.kind = "heading"
    return units


def _cover_title(u: _Unit, nxt: _Unit) -> bool:
    """A cover page: the document's first page holds only a few short title lines ("Bakkeby
    Kommune / Ældrepolitik 2025-2029 / Et godt ældreliv - hele livet") and the text starts on a
    later page.  The block is the document's title, a heading passage of its own."""
    if u.kind != "content" or _n_words(u.text) > 25 or nxt.pieces[0].page == u.pieces[-1].page:
        return False
    if u.pieces[0].page != u.pieces[-1].page:
        return False
    lines = [ln.strip() for ln in u.text.split("\n") if ln.strip()]
    return all(len(ln.split()) <= 8 and not re.search(r"[.!?]$|[.!?]\s+\S", ln)
               and not _FULL_DATE.search(ln) for ln in lines)   # (a dated notice is no title)


def _formal_end(u: _Unit) -> bool:
    """A passage that ends in a minutes field or marker line ("Fraværende: ...", a date): a
    formality block, which no text from elsewhere continues."""
    return u.pieces[-1].type in ("label", "marker")


def _cut_off_end(units: list[_Unit]) -> list[_Unit]:
    """A document cut off mid-paragraph (a page text stored up to a size, "… bred kreds af"):
    a short unfinished last passage joins the passage before it in its section."""
    if len(units) >= 2:
        u, prev = units[-1], units[-2]
        tail = u.text.rstrip()
        lines = [ln for ln in tail.split("\n") if ln.strip()]
        block = len(lines) >= 3 and all(len(ln.split()) <= 4 for ln in lines)
        if (u.kind == "content" and u.heads == 0 and _n_words(tail) <= 15
                and tail[-1:] not in ".!?:;\"”)»" and _mergeable(prev, u)
                and not _formal_end(prev) and not _formal_end(u) and not block):
            # (an address block ending in its web address -- "Fjeldby Kommune / Torvet 1 /
            # 7400 Fjeldby / www.fjeldby.dk" on a back page -- is no cut-off sentence)
            prev.pieces.extend(u.pieces)
            del units[-1]
    return units


# --- assembling Segments -----------------------------------------------------------------------
def _offsets(unit: _Unit, page_texts: dict[int, str]) -> tuple[int, int, int]:
    """Page of the passage (its first body piece) and the widest contiguous span on that page
    around it whose text appears in the passage."""
    body = unit.body
    anchor = body[0]
    idx = unit.pieces.index(anchor)
    page = anchor.page
    text = page_texts.get(page, "")
    lo = hi = idx
    while lo > 0:
        p = unit.pieces[lo - 1]
        if p.page != page or p.end > unit.pieces[lo].start or \
                text[p.end:unit.pieces[lo].start].strip():
            break
        lo -= 1
    while hi + 1 < len(unit.pieces):
        p = unit.pieces[hi + 1]
        if p.page != page or p.start < unit.pieces[hi].end or \
                text[unit.pieces[hi].end:p.start].strip():
            break
        hi += 1
    return page, unit.pieces[lo].start, unit.pieces[hi].end


def segment_pages(pages: Sequence, *, genre: str | None = None) -> list[Segment]:
    """``pages``: objects with ``number``, ``text`` and optionally ``headings``.

    ``genre="minutes"`` makes agenda items sections: no passage spans two items.  Words are
    never dropped: only punctuation, bare page numbers and page markers are left out; headings
    are folded into what they introduce (also across a page break); a paragraph cut by a page
    break is continued in the passage where it started; a heading that introduces nothing
    becomes a passage of kind ``heading``.
    """
    minutes = (genre or "").lower() == "minutes"
    cuts = _page_number_cuts(pages)
    agenda_cuts = _inline_agenda_cuts(pages) if minutes else {}
    for number, spans in agenda_cuts.items():
        cuts.setdefault(number, []).extend(spans)
    blocks: list[_Block] = []
    page_texts: dict[int, str] = {}
    for page in pages:
        text = page.text or ""
        page_texts[page.number] = text
        headings = list(getattr(page, "headings", None) or [])
        if not blocks and text.strip():
            first = text.strip().split("\n")[0].strip()
            if is_heading(first, headings, sentences=False):
                headings.append(first)   # a document's title line may be a sentence (news)
        new = _page_blocks(page.number, text, headings, cuts.get(page.number, []), minutes)
        starts = {a for a, b in agenda_cuts.get(page.number, [])}
        for blk in new:
            if blk.start in starts:
                blk.agenda_start = True  # type: ignore[attr-defined]
        blocks.extend(new)
    units = _cut_off_end(_document_title(_merge_fragments(_build(blocks, minutes)), minutes))
    segments: list[Segment] = []
    for unit in units:
        page, start, end = _offsets(unit, page_texts)
        segments.append(Segment(len(segments), page, unit.section, start, end, unit.text,
                                kind=unit.kind))
    return segments
