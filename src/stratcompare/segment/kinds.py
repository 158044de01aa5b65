"""Passage kinds beyond structure: which passages are minutes' formalities or page furniture.

The segmenter guesses a structural kind (content, list, heading, toc, table). Themes, search and
the matrices should not count "Godkendt.", attendance lines, "Læs mere" or cookie banners as
policy text, so ``refine_kinds`` marks those ``procedure`` or ``boilerplate``. The rules live in
``data/lang/da/kinds.toml`` (one ``why`` per rule); the order of decision is:

1. ``table`` and ``toc`` stay what they are; a ``heading`` stays a heading unless a whole-passage
   rule calls it boilerplate ("Læs mere", "Senest opdateret ...");
2. a passage holding a substance heading ("Sagsfremstilling", "Resume") with prose under it
   keeps its structural kind, whatever formal lines precede it (a case header glued on);
   then whole-passage rules (a bare decision "Vedtaget.", a cookie banner);
3. line rules: the words of lines that match a procedure or boilerplate rule are counted, and a
   kind holding at least ``share`` of the passage's words wins (ties go to procedure);
4. in minutes, a passage under a formal section ("Indstilling", "Beslutning ...") is procedure
   unless it is long prose — the substance rule: the body of "Sagsfremstilling" stays content;
5. otherwise the structural kind.

The genre is a feature (some rules only fire in minutes), so is the position in the document
(rules marked ``edge`` only fire near its start or end), and so is the rest of the document:
``refine_kinds`` finds running heads and footers the PDF reader left in (a short line that opens
or closes a page on two or more pages of the same document) and counts them as boilerplate lines.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

__all__ = ["KINDS", "classify_kind", "refine_kinds", "load_rules", "subsection", "furniture_key",
           "running_lines", "logical_lines"]

KINDS = ("content", "list", "heading", "toc", "procedure", "boilerplate", "table")
_KEEP = ("table", "toc")
_COUNTED = ("procedure", "boilerplate", "toc")
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"\w{3,}[.!?]$")


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    why: str
    max_words: int | None = None
    genres: tuple[str, ...] = ()
    edge: bool = False
    min_hits: int = 1
    not_genres: tuple[str, ...] = ()
    no_prose: bool = False
    summary: bool = False  # under "Resume"/"Sagsresumé" this formula opens the résumé: prose

    def applies(self, text: str, words: int, genre: str | None, at_edge: bool) -> bool:
        if self.max_words is not None and words > self.max_words:
            return False
        if self.genres and genre not in self.genres:
            return False
        if self.not_genres and genre in self.not_genres:
            return False
        if self.edge and not at_edge:
            return False
        if self.min_hits > 1:
            return sum(1 for _ in zip(range(self.min_hits), self.pattern.finditer(text))) \
                >= self.min_hits
        return self.pattern.search(text) is not None


@dataclass(frozen=True, slots=True)
class Rules:
    whole: tuple[Rule, ...]
    line: tuple[Rule, ...]
    section_procedure: re.Pattern[str]
    section_substance: re.Pattern[str]
    section_summary: re.Pattern[str]
    share: float
    short_line_words: int
    section_prose_words: int
    edge_share: float
    carry_words: int
    minutes_procedure_share: float
    furniture_max_words: int
    furniture_min_pages: int
    field_split: re.Pattern[str]
    summary_sentence_words: int
    item_words: int
    link_list_words: int
    section_informative: re.Pattern[str]
    informative_prose_words: int
    title_words: int
    shapes: "Shapes"


@dataclass(frozen=True, slots=True)
class Shapes:
    """Limits of the shape rules (``[shapes]`` in kinds.toml): headings and lists by form."""
    question_heading_words: int
    clause_heading_words: int
    clause_openers: re.Pattern[str]
    title_block_lines: int
    title_block_line_words: int
    unmarked_item_words: int
    unmarked_min_items: int
    numbered_min_items: int
    prose_item_words: int
    speech: re.Pattern[str]
    item_mark: re.Pattern[str]
    inline_bullet: re.Pattern[str]
    inline_item_words: int
    section_name_chars: int


def _shapes(data: dict) -> Shapes:
    return Shapes(int(data["question_heading_words"]), int(data["clause_heading_words"]),
                  re.compile(data["clause_openers"], re.IGNORECASE),
                  int(data["title_block_lines"]), int(data["title_block_line_words"]),
                  int(data["unmarked_item_words"]), int(data["unmarked_min_items"]),
                  int(data["numbered_min_items"]), int(data["prose_item_words"]),
                  re.compile(data["speech"], re.IGNORECASE), re.compile(data["item_mark"]),
                  re.compile(data["inline_bullet"]), int(data["inline_item_words"]),
                  int(data["section_name_chars"]))


def _rule(entry: dict) -> Rule:
    kind = entry["kind"]
    if kind not in KINDS:
        raise ValueError(f"kinds.toml: unknown kind {kind!r}")
    if not entry.get("why"):
        raise ValueError(f"kinds.toml: rule {entry['pattern']!r} has no 'why'")
    return Rule(kind, re.compile(entry["pattern"], re.IGNORECASE), entry["why"],
                entry.get("max_words"), tuple(entry.get("genres", ())), bool(entry.get("edge")),
                int(entry.get("min_hits", 1)), tuple(entry.get("not_genres", ())),
                bool(entry.get("no_prose")), bool(entry.get("summary")))


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The rules of ``data/lang/da/kinds.toml`` (read once)."""
    _package_lines.cache_clear()  # lines split with rules read before are stale
    path = resources.files("stratcompare") / "data" / "lang" / "da" / "kinds.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    s = data["settings"]
    return Rules(
        tuple(_rule(e) for e in data.get("whole", [])),
        tuple(_rule(e) for e in data.get("line", [])),
        re.compile(data["sections"]["procedure"], re.IGNORECASE),
        re.compile(data["sections"]["substance"], re.IGNORECASE),
        re.compile(data["sections"]["summary"], re.IGNORECASE),
        float(s["share"]), int(s["short_line_words"]), int(s["section_prose_words"]),
        float(s["edge_share"]), int(s["carry_words"]),
        float(s["minutes_procedure_share"]),
        int(s["furniture_max_words"]), int(s["furniture_min_pages"]),
        re.compile(r"\s+(?=(?:" + data["fields"]["split_before"] + r")\s*:\s*\S|"
                   + data["fields"]["split_before_bare"] + r"\s*\S)"),
        int(s["summary_sentence_words"]), int(s["item_words"]), int(s["link_list_words"]),
        re.compile(data["sections"]["informative"], re.IGNORECASE),
        int(s["informative_prose_words"]), int(s["title_words"]), _shapes(data["shapes"]),
    )


def _words(text: str) -> int:
    return len(_WORD.findall(text))


_CONTINUES_LOWER = re.compile(r"^[a-zæøå(]")
_OPEN_SENTENCE = re.compile(r"[a-zæøå]{2,}$")  # a passage that stops mid-sentence
_OPEN_END = re.compile(r"(?i)(\b(og|eller|i|af|på|til|for|med|om|den|det|de|at|som|fra|ved|efter|"
                       r"under|mellem|samt)|[-–,])$")
_REC_ITEM = re.compile(r"^(\(?[a-z\d]{1,2}[.)]\s*|[-–•·▪]\s*)?at\s", re.IGNORECASE)
_ITEM_START = re.compile(r"^([-–•·▪*]|\(?[a-z\d]{1,3}[.)])\s")
_ABBREVIATION_END = re.compile(r"(?i)\b(kr|mio|mia|pct|ca|bl\.a|f\.eks|jf|nr|stk|mv|m\.v|o\.l|"
                               r"inkl|ekskl|evt|vedr|ift|mht|dvs|etc)\.$")


def logical_lines(text: str, rules: Rules | None = None) -> list[str]:
    """The passage's lines with a sentence that a PDF wrapped over several lines joined again.

    A line continues the one before when that one is prose (four or more words, no closing
    punctuation, no label) and the next starts in lower case ("... skulle" + "fornyes.") or the
    first ends in a word that cannot end a sentence ("godkendt i Social- og" +
    "Beskæftigelsesudvalget den ..."), also after an abbreviation's full stop ("... 18,6 mio.
    kr." + "årligt. ..."). Line rules are anchored at a line's start, so without
    this a wrapped decision or adoption notice is missed; labels, list items and names (a line
    in upper case after a complete one) stay lines of their own. The other way round, a line
    holding several fields ("Dato: ... Sagsnr.: ...") is split before each field label.
    """
    if rules is None or rules is load_rules():
        return list(_package_lines(text))  # one passage is read several times per decision
    return _logical_lines(text, rules)


@lru_cache(maxsize=4096)
def _package_lines(text: str) -> tuple[str, ...]:
    """``logical_lines`` with the package's rules, remembered per text."""
    return tuple(_logical_lines(text, load_rules()))


def _logical_lines(text: str, rules: Rules) -> list[str]:
    out: list[str] = []
    for line in (ln for ln in (_clean(raw) for raw in text.splitlines()) if ln):
        if out and not _ITEM_START.match(line):
            prev = out[-1]
            formal = (rules.section_procedure.search(prev)
                      or rules.section_substance.search(prev))
            joinable = (_words(prev) >= 4 and not prev.endswith((".", ":", ";", "!", "?"))
                        and not formal)
            if joinable and (_CONTINUES_LOWER.match(line) or _OPEN_END.search(prev)):
                out[-1] = f"{prev} {line}"
                continue
            if (_ABBREVIATION_END.search(prev) and _words(prev) >= 4 and not formal
                    and _CONTINUES_LOWER.match(line)):
                # "... 18,6 mio. kr." + "årligt. ...": the full stop was an abbreviation's
                out[-1] = f"{prev} {line}"
                continue
        out.append(line)
    # a field block the PDF reader ran together: one field a line again
    return [part for line in out for part in rules.field_split.split(line) if part]


def _clean(line: str) -> str:
    return " ".join(line.replace("\u00a0", " ").split()).strip(" *|")


def _line_rule(line: str, rules: Rules, genre: str | None, at_edge: bool) -> Rule | None:
    """The first line rule a line matches; a line longer than ``short_line_words`` only matches
    rules that set their own ``max_words`` (formulas that run long, like attendance sentences)."""
    words = _words(line)
    if words == 0:
        return None
    for rule in rules.line:
        if rule.max_words is None and words > rules.short_line_words:
            continue
        if rule.applies(line, words, genre, at_edge):
            return rule
    return None


def _line_kind(line: str, rules: Rules, genre: str | None, at_edge: bool) -> str | None:
    """A line's formality kind (``_line_rule``'s kind)."""
    rule = _line_rule(line, rules, genre, at_edge)
    return rule.kind if rule else None


def _at_edge(position: float | None, rules: Rules) -> bool:
    return position is None or position <= rules.edge_share or position >= 1 - rules.edge_share


def classify_kind(text: str, *, section: str | None = None, genre: str | None = None,
                  position: float | None = None, structural: str = "content",
                  furniture: frozenset[str] = frozenset()) -> str:
    """The kind of one passage; ``position`` is its place in the document, 0 (start) to 1.

    ``section`` may be the passage's section or the formal heading it falls under inside its
    agenda item ("Beslutning", "Sagsfremstilling"); ``refine_kinds`` passes the latter.
    ``furniture`` holds the keys (``furniture_key``) of the document's running lines.
    A passage no formality rule claims may still be a heading or a list by its shape
    (``by_shape``).
    """
    kind = _formal_kind(text, section, genre, position, structural, furniture)
    if kind == structural and kind in ("content", "list"):
        return by_shape(text, kind)
    return kind


_NUMBERED_LINE = re.compile(r"^(?-i:[A-ZÆØÅ])([\wæøå-]+)\s+\d{1,2}\s*[.:)]?\s+\S")
_CONTACT = re.compile(r"@|www\.|\.dk\b|\d{2} ?\d{2} ?\d{2} ?\d{2}|\b\d{4} (?-i:[A-ZÆØÅ])")
_FUNCTION_END = re.compile(r"(?i)\b(og|eller|i|af|på|til|for|med|om|den|det|de|at|som|fra|ved|"
                           r"efter|under|mellem|samt|en|et|der|har|er|kan|skal|vil)$")


def by_shape(text: str, kind: str = "content") -> str:
    """A content or list passage's kind by its shape (``[shapes]`` in kinds.toml): one question
    line or one subordinate clause alone is a heading ("Hvad kan du få hjælp til?", "Hvis du er
    uenig i afgørelsen"); a lead-in over short lines without bullets, or lines opening with
    one word and a number ("Initiativ 3: ..."), is a list; dash "items" as long as paragraphs
    that tell who speaks (quoted speech in news: "- ..., siger formanden") are prose."""
    sh = load_rules().shapes
    lines = [ln for ln in (_clean(raw) for raw in text.splitlines()) if ln]
    if not lines:
        return kind
    if kind == "list":
        items = [ln for ln in lines if _ITEM_START.match(ln)]
        if (items and sum(_words(ln) for ln in items) >= sh.prose_item_words * len(items)
                and any(sh.speech.search(ln) for ln in lines)):
            return "content"
        return kind
    if kind != "content":
        return kind
    if len(lines) == 1:
        line = lines[0]
        if line[:1].isupper() and (line.endswith("?") or sh.clause_openers.search(line)):
            words = _words(line)
            if line.endswith("?") and words <= sh.question_heading_words:
                return "heading"
            if (words <= sh.clause_heading_words
                    and not line.endswith((".", "!", ";", ",", ":"))):
                return "heading"
        return "list" if _inline_list(lines, sh) else kind
    if (_unmarked_list(lines, sh) or _numbered_lines(lines, sh) or _marked_lines(lines, sh)
            or _inline_list(lines, sh)):
        return "list"
    return kind


def _short_head(line: str) -> bool:
    """A heading line over a list: short, no sentence, no colon."""
    return _words(line) <= 10 and not line.endswith((".", "!", "?", ":", ";", ","))


def _unmarked_list(lines: list[str], sh: Shapes) -> bool:
    """A lead-in ending in a colon (under at most one heading line) over short item lines that
    are no wrapped sentence: none ends in a function word or a colon, and not only the last
    ends a sentence; no contact details (an address block under "Kontakt:" is no list), no
    formal label as the lead-in ("Bilag:" over its attachments)."""
    lead = next((i for i, ln in enumerate(lines[:2]) if ln.endswith(":")), None)
    if lead is None or (lead == 1 and not _short_head(lines[0])):
        return False
    rules = load_rules()
    if (rules.section_procedure.search(lines[lead])
            or _line_rule(lines[lead], rules, None, True) is not None):
        return False  # "Bilag:", "Deltagere:", "Kontaktperson:": a formal label's entries
    items = lines[lead + 1:]
    if len(items) < sh.unmarked_min_items:
        return False
    ends = [ln.endswith((".", "!", "?")) for ln in items]
    if ends[-1] and not any(ends[:-1]):
        return False  # a sentence wrapped over lines ends only on its last line
    return all(1 <= _words(ln) <= sh.unmarked_item_words and not ln.endswith(":")
               and not _FUNCTION_END.search(ln) and not _CONTACT.search(ln) for ln in items)


def _marked_lines(lines: list[str], sh: Shapes) -> bool:
    """Two or more lines (under at most one heading or lead-in line) that all open with the
    same mark the segmenter takes for no bullet ("— ...", "→ ...", Word's "o ...")."""
    body = lines[1:] if lines and not sh.item_mark.match(lines[0]) and (
        _short_head(lines[0]) or lines[0].endswith(":")) else lines
    first = sh.item_mark.match(body[0]) if len(body) >= 2 else None
    if first is None:
        return False
    return all((m := sh.item_mark.match(ln)) and m.group(1) == first.group(1)
               for ln in body[1:])


def _inline_list(lines: list[str], sh: Shapes) -> bool:
    """A lead-in (or nothing) and two or more bullets run together on one line, under at most
    one heading line: "Vi vil: • styrke ... • give ... • følge op ..."."""
    body = lines[1:] if len(lines) == 2 and _short_head(lines[0]) else lines
    if len(body) != 1:
        return False
    parts = sh.inline_bullet.split(" " + body[0] + " ")
    lead, items = parts[0].strip(), [p.strip() for p in parts[1:]]
    return (len(items) >= 2 and (not lead or lead.endswith(":"))
            and all(1 <= _words(p) <= sh.inline_item_words for p in items))


def _numbered_lines(lines: list[str], sh: Shapes) -> bool:
    """Three or more lines (under at most one heading line) that each open with the same word
    and a number ("Initiativ 3: ...", "Mål 2: ..."): the entries of a list."""
    body = lines[1:] if lines and _short_head(lines[0]) and not _NUMBERED_LINE.match(lines[0]) \
        else lines
    first = _NUMBERED_LINE.match(body[0]) if len(body) >= sh.numbered_min_items else None
    if first is None:
        return False
    head = first.group(1).lower()
    return all((m := _NUMBERED_LINE.match(ln)) and m.group(1).lower() == head
               and _words(ln) <= 2 * sh.unmarked_item_words for ln in body)


def _formal_kind(text: str, section: str | None, genre: str | None, position: float | None,
                 structural: str, furniture: frozenset[str]) -> str:
    """``classify_kind`` before the shape rules: the formality rules, else ``structural``."""
    rules = load_rules()
    if structural in _KEEP:
        return structural
    flat = _clean(text)
    words = _words(flat)
    if words == 0:
        return structural
    edge = _at_edge(position, rules)
    body, sentence = _substance_body(text, rules, genre, edge)
    if (body >= rules.short_line_words or sentence
            or (body >= 6 and _OPEN_SENTENCE.search(text.rstrip()))):
        # case header + "Sagsfremstilling"/"Resume" + its prose (a sentence of it, or the start
        # of a sentence the next passage goes on with): the prose is the point
        return structural
    prose = [ln for ln in logical_lines(text, rules)
             if _words(ln) >= 15 and ln.endswith((".", "!", "?"))]
    for rule in rules.whole:
        if rule.no_prose and any(not rule.pattern.search(ln) for ln in prose):
            continue  # a sentence of prose that is not itself what the rule looks for
        if rule.applies(flat, words, genre, edge) or (
                rule.kind == "toc" and rule.applies(text.strip(), words, genre, edge)):
            return rule.kind

    counts = dict.fromkeys(_COUNTED, 0)
    by_place = 0  # words of lines known only by their place: running lines, edge rules
    carry: str | None = None  # a "Fraværende:" line lends its kind to the names under it
    lines = logical_lines(text, rules)
    plain: list[str] = []  # lines that are no formality
    for line in lines:
        rule = _line_rule(line, rules, genre, edge)
        kind = rule.kind if rule else None
        if not kind and furniture and furniture_key(line) in furniture:
            counts["boilerplate"] += _words(line)  # a running line lends nothing to the next
            by_place += _words(line)
            carry = None
            continue
        if kind:
            counts[kind] += _words(line)
            by_place += _words(line) if rule.edge else 0
            # a label ("Fraværende:", "indstiller,", "Bilag") lends its kind to the short lines
            # under it; a letterhead line known only by its place ("Byens Kommune") does not
            # a feedback question lends its kind to its answer buttons ("Var siden nyttig?" +
            # "Ja" + "Nej")
            carry = kind if (line.endswith((":", ",")) or (_words(line) <= 3 and not rule.edge)
                             or (kind == "boilerplate" and line.endswith("?"))) else None
        elif (carry and _words(line) <= rules.carry_words
              and (not _SENTENCE_END.search(line)
                   or (carry == "boilerplate" and line.endswith("?")))):
            # an in-page menu's or links box's entries may be questions ("På siden" +
            # "Hvem kan få BPA?"): under a furniture label a short question is an entry too
            counts[carry] += _words(line)
        elif (carry == "procedure" and _REC_ITEM.match(line)
              and _words(line) <= rules.item_words):
            counts[carry] += _words(line)  # "indstiller, at:" + "1. at ... ." + "2. at ... ."

        else:
            carry = None
            plain.append(line)
    if (genre == "minutes" and len(plain) == 1 and counts["procedure"]
            and _ITEM_TITLE.match(plain[0])):
        return "procedure"  # an item's title over its case header ("Sagsnr.: ...") only
    best = max(_COUNTED, key=lambda k: (counts[k], k == "procedure"))
    formal = counts["procedure"] + counts["boilerplate"]
    if (structural != "heading" and len(lines) >= 2 and plain == lines[:1] and best != "toc"
            and counts[best] == formal + counts["toc"] > 0
            and _words(lines[0]) <= rules.title_words and not _SENTENCE_END.search(lines[0])):
        return best  # a page's title over formalities of one kind only ("... / Nyhed · 14.
        # oktober 2025 / Del Print", "<policy> / Godkendt af Byrådet den ..."): they decide;
        # a cover's title over the municipality's name stays a heading
    if (structural != "heading" and (position or not by_place) and len(lines) >= 2
            and plain == lines[-1:] and best != "toc"
            and counts[best] == formal + counts["toc"] > 0
            and _words(lines[-1]) <= rules.title_words and not _SENTENCE_END.search(lines[-1])):
        return best  # the same the other way round: a running head the page's heading was
        # glued under ("Handicappolitik 2025-28 5 / Tema 1: Bolig og hverdagsliv"); in the
        # document's first passage not by place alone: a colophon may repeat its title line
        # (a "running line"), and the municipality over a title is a cover, no letterhead
    if (genre == "minutes" and counts["procedure"] >= rules.minutes_procedure_share * formal
            and formal >= rules.share * words):
        return "procedure"  # "Godkendt." + "Kopier link - Print": the formality is the point
    if counts[best] and counts[best] >= rules.share * words:
        return best
    if structural == "heading" or genre != "minutes":
        return structural
    head = lines[0] if lines else ""
    if rules.section_substance.search(head):
        return structural  # the substance rule: Sagsfremstilling/Baggrund text is content
    under = head if rules.section_procedure.search(head) else _clean(section or "")
    if (under and rules.section_informative.search(under)
            and sum(_words(ln) for ln in plain if _SENTENCE_END.search(ln))
            >= rules.informative_prose_words):
        return structural  # what the case costs or what the law says: substance, not formula
    if under and rules.section_procedure.search(under) and words <= rules.section_prose_words:
        return "procedure"
    return structural


def _substance_body(text: str, rules: Rules, genre: str | None,
                    edge: bool) -> tuple[int, bool]:
    """Words of prose under a substance heading ("Sagsfremstilling", "Resume") inside the
    passage, and whether a résumé heading ("Resume", "Sagsresumé", "Sagen i kort form") has a
    whole sentence of ``summary_sentence_words`` or more under it (a résumé is short by design;
    under "Sagsfremstilling" the word count decides): a case header glued to the start of an
    item's text does not make it a formality. Lines that are formalities themselves ("X
    orienterer om ...") are not prose; a résumé's opening formula ("Med denne sag skal udvalget
    træffe beslutning om ...") is, under its heading."""
    lines = logical_lines(text, rules)
    for i, line in enumerate(lines):
        if rules.section_substance.search(line):
            prose = []
            for ln in lines[i + 1:]:
                if rules.section_procedure.search(ln):
                    continue
                rule = _line_rule(ln, rules, genre, edge)
                if rule is None or rule.summary or _free_sentence(ln, rules, genre, edge):
                    prose.append(ln)
            sentence = bool(rules.section_summary.search(line)) and any(
                _summary_sentence(ln, rules) for ln in prose)
            return sum(_words(ln) for ln in prose), sentence
    return 0, False


_SENTENCE_SPLIT = re.compile(r"(?<=\w[.!?])\s+(?=[A-ZÆØÅ\"»“-])")


def sentences(line: str) -> list[str]:
    """A line cut into its sentences ("... i 2015. Ældrerådet skal ..."); "6,5 mio. kr. på"
    stays one (the next word is in lower case)."""
    return [s for s in _SENTENCE_SPLIT.split(line) if s]


def _free_sentence(line: str, rules: Rules, genre: str | None, edge: bool) -> bool:
    """Whether a line a rule matched also holds a sentence of ``summary_sentence_words`` or
    more that no rule matches: a résumé written on one line ("Udvalget har udarbejdet et
    katalog med besparelser på 6,5 mio. kr. Ældrerådet skal afgive høringssvar.") states the
    case in its first sentence, whatever formula ends it."""
    parts = sentences(line)
    return len(parts) > 1 and any(
        _summary_sentence(p, rules) and _line_rule(p, rules, genre, edge) is None for p in parts)


def _summary_sentence(text: str, rules: Rules) -> bool:
    """A whole sentence long enough to state a case (``summary_sentence_words``)."""
    return _words(text) >= rules.summary_sentence_words and text.endswith((".", "!", "?"))


def _last_heading(text: str) -> str | None:
    """The last formal or substance heading line inside a passage (after its first line): the
    context its following passages fall under."""
    rules = load_rules()
    lines = [ln for ln in (_clean(raw) for raw in text.splitlines()) if ln][1:]
    for line in reversed(lines):
        if rules.section_procedure.search(line) or rules.section_substance.search(line):
            return line
    return None


def _ends_in_label(text: str, rules: Rules) -> bool:
    """Whether a passage's last line is a formal label with nothing under it ("Bilag",
    "Fraværende:"): what the next short passages hold belongs to that label, even when the
    segmenter took a numbered attachment ("1. Høringssvar fra ...") for an agenda item."""
    lines = [ln for ln in (_clean(raw) for raw in text.splitlines()) if ln]
    return len(lines) > 1 and bool(rules.section_procedure.search(lines[-1]))


def _ends_in_links_label(text: str, rules: Rules, genre: str | None) -> bool:
    """Whether a passage's last line is a furniture label with nothing under it ("Læs mere om",
    "Se også", "Relaterede links"): the segmenter may keep the label with the paragraph above
    and cut the link list under it apart."""
    lines = logical_lines(text, rules)
    if len(lines) < 2:
        return False
    last = lines[-1]
    if last.endswith((".", "!")) or (_words(last) > 3 and not last.endswith(":")):
        return False  # a label is short or ends in a colon, as the carry rule has it; a
        # button ("Log på med MitID") labels nothing under it
    rule = _line_rule(last, rules, genre, False)
    return rule is not None and rule.kind == "boilerplate"


def _link_list(text: str, rules: Rules) -> bool:
    """A passage of short lines only, none a sentence: link titles, buttons."""
    lines = [ln for ln in (_clean(raw) for raw in text.splitlines()) if ln]
    return bool(lines) and all(_words(ln) <= rules.link_list_words
                               and not _SENTENCE_END.search(ln) for ln in lines)


def subsection(text: str) -> str | None:
    """The formal heading a passage opens with ("Beslutning ...", "Sagsfremstilling"), if any."""
    rules = load_rules()
    for raw in text.splitlines():
        line = _clean(raw)
        if line:
            if _NUMBERED.match(line):
                return None  # an agenda item's title, not a heading inside the item
            if rules.section_procedure.search(line) or rules.section_substance.search(line):
                return line
            return None
    return None


def refine_kinds(segments: Iterable, *, genre: str | None = None, model=True) -> None:
    """Set ``seg.kind`` on each segment (in place), from its text, section, genre and place.

    Inside an agenda item a passage without a heading of its own falls under the last formal
    heading seen ("Beslutning ..." -> its follow-up lines are the decision), also one seen
    inside an earlier passage ("Fraværende: ... Sagsfremstilling" -> the prose after it is
    the item's text). In minutes, a short
    line between two formalities is one too (the place and time lines of a meeting header), and
    a run of three or more numbered one-line passages is the agenda's list of items (toc).

    Last, ``kinds_model`` may turn a content/list passage (not cut as a heading) into a
    formality the rules missed; ``model=False`` gives the rules alone, a ``KindModel`` uses
    that model, and without the package's model file the rules stand alone.
    """
    segments = list(segments)
    structural = [getattr(seg, "kind", None) or "content" for seg in segments]
    n = len(segments)
    furniture = running_lines(segments)
    rules = load_rules()
    under: str | None = None
    last_section: object = object()
    dangling = False  # the passage before ended in a formal label with nothing under it
    before_shape: dict[int, str] = {}  # passages the shape rules changed: the rules' kind
    links = False  # ... or in a furniture label ("Læs mere om", "Se også")
    for i, seg in enumerate(segments):
        if seg.section != last_section:
            under, last_section = None, seg.section
        own = subsection(seg.text)
        if own:
            under = own
        elif getattr(seg, "kind", None) == "heading":
            under = None  # a new heading opens a new context
        position = i / (n - 1) if n > 1 else 0.0
        struct = getattr(seg, "kind", None) or "content"
        formal = _formal_kind(seg.text, under or seg.section, genre, position, struct, furniture)
        seg.kind = by_shape(seg.text, formal) if (
            formal == struct and formal in ("content", "list")) else formal
        if seg.kind != formal:
            before_shape[i] = formal
        if (dangling and not own and seg.kind in ("heading", "content", "list")
                and _words(seg.text) <= rules.carry_words):
            seg.kind = "procedure"  # "Bilag" + "1. Høringssvar fra Ældrerådet" cut as an item
        else:
            dangling = False
        if (links and seg.kind in ("heading", "content", "list")
                and _link_list(seg.text, rules)):
            seg.kind = "boilerplate"  # "... Læs mere om" + "Hjælpemidler på borger.dk" ...
        links = _ends_in_links_label(seg.text, rules, genre)
        under = _last_heading(seg.text) or under  # "Fraværende: ... Sagsfremstilling ..."
        if genre == "minutes":
            dangling = dangling or _ends_in_label(seg.text, rules)
    title = _title_block(segments, structural) if genre != "minutes" else None
    if title is not None:
        before_shape[title] = "content"
    if genre == "minutes":
        _smooth_minutes(segments)
    if model is not False:
        from stratcompare.segment.kinds_model import add_formalities

        # the model judges the rules' own verdict: where it adds a formality, that wins over
        # a heading or list the shape rules saw; where it adds none, the shape stands
        shaped = {i: segments[i].kind for i, kind in before_shape.items()
                  if segments[i].kind in ("heading", "list", "content")}
        for i in shaped:
            segments[i].kind = before_shape[i]
        add_formalities(segments, structural, genre, None if model is True else model)
        for i, kind in shaped.items():
            if segments[i].kind == before_shape[i]:
                segments[i].kind = kind
    if genre != "minutes":
        _name_sections(segments, structural, title)


def _name_sections(segments: list, structural: list[str], title: int | None) -> None:
    """A heading the kind rules found (a question or clause standing alone, "Hvad kan du få
    hjælp til?") names what follows it, as a heading the segmenter cut does: the passages after
    it in the same section, up to the next heading, take it as their ``section`` (shown with
    each hit and indexed with it for search).  Not the document's title block (the title is
    stored apart), not in minutes (agenda items are their sections)."""
    longest = load_rules().shapes.section_name_chars
    for i, seg in enumerate(segments):
        if seg.kind != "heading" or structural[i] == "heading" or i == title:
            continue
        name = " ".join(seg.text.split())
        if not name or len(name) > longest:
            continue
        old = seg.section
        seg.section = name
        for nxt, struct in zip(segments[i + 1:], structural[i + 1:]):
            if struct == "heading" or nxt.kind == "heading" or nxt.section != old:
                break
            nxt.section = name


def _title_block(segments: list, structural: list[str]) -> int | None:
    """The document's first text passage (before it only furniture, formalities and headings)
    that is 2-3 short lines with no sentence, colon or comma at a line's end is its title block
    ("Det gode liv med handicap 2024-2028" / "Fjordvik Kommunes handicappolitik", "NOTAT" /
    "<title>"), a heading the segmenter took for text; a title may end in a question."""
    sh = load_rules().shapes
    for i, (seg, struct) in enumerate(zip(segments, structural)):
        if seg.kind in ("boilerplate", "procedure", "heading", "toc"):
            continue
        if seg.kind == "content" and struct == "content":
            lines = [ln for ln in (_clean(raw) for raw in seg.text.splitlines()) if ln]
            if (2 <= len(lines) <= sh.title_block_lines
                    and all(1 <= _words(ln) <= sh.title_block_line_words
                            and (ln[:1].isupper() or ln[:1].isdigit())
                            and not ln.endswith((".", "!", ":", ";", ","))
                            and not re.search(r"[.!?]\s", ln) for ln in lines)
                    and not any(ln.endswith("?") for ln in lines[:-1])
                    and not all(re.search(r"\s\d{1,3}$", ln) for ln in lines)):  # contents
                seg.kind = "heading"
                return i
        return None
    return None


_NUMBERED = re.compile(r"^\d{1,3}\s*[.:]?\s*[A-ZÆØÅa-zæøå]")
_ITEM_TITLE = re.compile(r"^((punkt|pkt\.?|sag)\s*(nr\.?)?\s*)?\d{1,3}\s*[.:]?\s*\S", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_NOT_KEY = re.compile(r"[^\w0]+")


def furniture_key(line: str) -> str:
    """A line up to case, punctuation and numbers: "Side 3 af 9" ~ "Side 4 af 9"."""
    return _NOT_KEY.sub(" ", _DIGITS.sub("0", line.lower())).strip()


def running_lines(segments: list) -> frozenset[str]:
    """Keys of the lines that open or close a page at ``furniture_min_pages`` or more page edges.

    A line that recurs at the top or bottom of several pages of one document is a running head
    or footer (committee name and date, the municipality's name, a document title), whatever
    its words; the PDF reader drops most of them, this catches those left in its text. Only
    the first two lines of a page's first passage and the last two of its last passage count,
    so a heading repeated inside the pages ("Målgruppe" in each quality standard) is not one.
    """
    rules = load_rules()
    first: dict[int, object] = {}
    last: dict[int, object] = {}
    for seg in segments:
        page = getattr(seg, "page", None)
        if page is None or getattr(seg, "kind", None) == "table":
            continue
        first.setdefault(page, seg)
        last[page] = seg
    if len(first) < rules.furniture_min_pages:
        return frozenset()
    pages_of: dict[str, set[tuple[int, str]]] = {}
    for page in first:
        head = [ln for ln in (_clean(x) for x in first[page].text.splitlines()) if ln][:2]
        tail = [ln for ln in (_clean(x) for x in last[page].text.splitlines()) if ln][-2:]
        # page edges, not pages: the segmenter may carry the next page's running head onto
        # the end of this page's last passage, so one page can show it at both its edges
        if first[page] is last[page]:
            head, tail = [*dict.fromkeys([*head, *tail])], []  # one passage: one edge
        for edge, lines in (("head", head), ("tail", tail)):
            for line in lines:
                if (2 <= _words(line) <= rules.furniture_max_words
                        and not _SENTENCE_END.search(line)):
                    pages_of.setdefault(furniture_key(line), set()).add((page, edge))
    return frozenset(k for k, pages in pages_of.items()
                     if len(pages) >= rules.furniture_min_pages and k)


def _one_line(seg) -> bool:
    text = seg.text.strip()
    return "\n" not in text and _words(text) <= 15


def _smooth_minutes(segments: list) -> None:
    numbered = [seg.kind in ("heading", "content", "procedure") and _one_line(seg)
                and bool(_NUMBERED.match(seg.text.strip())) for seg in segments]
    i = 0
    while i < len(segments):
        j = i
        while j < len(segments) and numbered[j]:
            j += 1
        if j - i >= 3:
            for seg in segments[i:j]:
                seg.kind = "toc"
        i = max(j, i + 1)
    short = [seg.kind in ("heading", "content") and _words(seg.text) <= 5
             and not _SENTENCE_END.search(seg.text.strip()) for seg in segments]
    i = 1
    while i < len(segments) - 1:
        j = i
        while j < len(segments) - 1 and short[j]:
            j += 1
        if j > i and segments[i - 1].kind == "procedure" and segments[j].kind == "procedure":
            for seg in segments[i:j]:
                seg.kind = "procedure"
        i = j + 1
