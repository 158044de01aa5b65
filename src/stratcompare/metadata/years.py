"""Which years a strategy document covers, and when it was adopted.

A strategy states its period near the top ("Forebyggelsesstrategi 2023-2027", "budgetforliget
for 2023-2026"), often with an adoption line ("Godkendt i Byrådet den 29. maj 2024").  The
covered period is chosen in this order:

1. a range in the title;
2. a strategy range on the first pages (first ``PROMINENT_CHARS`` characters) that is not a
   budget period ("Handicappolitik 2021-2025"; the same range's mentions weighed together, an
   overlapping range it cites not merged in -- session 7);
3. the adoption year ("Godkendt i Byrådet den 29. maj 2024" -> 2024);
4. budget ranges on the first pages, overlapping ones merged: strategies tied to rolling
   budgets name several ("budgetforliget for 2023-2026 ... 2024-2027" -> 2023-2027);
5. a single year in the title;
6. otherwise the most frequent year anywhere (a range mentions both its years); ties go to
   the later year.

So the Hjørring web page (seed 000), which only names its budget periods, covers 2023-2027,
while the approval paper for the same strategy (seed 002) is dated by its approval: 2024,
with ``adopted`` = 2024-05-29.  This matches ``corpus/metadata.csv``.

Minutes, news items and notes are dated, not periods: ``dated`` is the first full date in the
title, else the first date labelled as the document's on its first pages ("Mødedato:
04.12.2012", "Dato: 4. december 2012", "Publiceret 08-03-2024"), else the first full date in the
head of the first page ("Referat: 12. november 2025"); a dated genre with none of these and
nothing better than counted mentions takes the first full date of its opening text.  With ``genre="minutes"`` (or ``"news"``/``"other"``) that date is the
document's year and its period (a news item keeps a range from its first pages that does not
start before it: "gælder fra 2023-2026").  ``year`` is the one year a reader would give the
document: the date of a meeting or news item, else the start of a range in the title, else the
one year the title names ("Kvalitetsstandarder 2013"; when the stored title names no year, a
year in the short lines that open page 1, as a PDF's stored title is often bare), else the adoption
year, else the start of the period.  Years introduced as goals ("inden 2025",
"frem mod 2030") never count as mentions.  ``genre=None`` keeps the period rules above.

Title years before body years (session 5): an adoption named by month, season or year only
("vedtaget af Byrådet i juni 2022", "godkendt i foråret 2021") or told with a past-tense verb
("Byrådet vedtog den 24. juni 2020"; the words in ``data/lang/da/years.toml``) is an adoption
(step 3); a year the title (or a cover line such as
"Revideret udgave 2021") names beats counted mentions and a range from the first pages that
does not hold it (the range of an older document the text cites); an ``other`` document's title
year beats its approval day ("Årsberetning 2023", "Ydelseskatalog 2024"), its own date beats a
title range that ended before it ("Evaluering af handicappolitikken 2019-2022", dated 2023);
a dated genre with no day takes a month-and-year line under its title ("Juni 2024"); an
agenda item is dated by its decision heading ("Beslutning i Socialudvalget den 10. december
2024"); an undated news item by the latest year it names.  Cover lines are read from the title
and letterhead blocks of page 1, never from a paragraph wrapped over lines.

Written blind to these rules (dev batch b11, session 5): a strategy adopted the year before the
period its first pages name is of the period's first year (as with a title range); a strategy
without a period is of the year its head says it takes effect ("Gældende fra 1. januar 2022",
``effective_words`` in ``years.toml``), not of a first adoption, and that day is no adoption
date; an ``other`` document's one title year beats a plan range its title also names
("Statusrapport 2024 – Handleplan … 2023-2026"); a month closing a line under the title
("Udarbejdet af …, maj 2024") dates a report like a month line does.

Noisy, cut pages (dev batch b15, session 5): an ``other`` page with no dated line, month line or
title year is of its update stamp ("Sidst opdateret: 12. august 2024", ``updated_words`` in
``years.toml``), not of the period of a policy it cites.  An ``other`` document dated before the
range its title names after a strategy's name ("Høringssvar vedr. Ældrepolitik 2026-2029", dated
November 2025; ``strategy_nouns``) is of its own date, not of that coming plan's period.

Session 7 (the year column of corpus/real dates ``other`` documents by their own date): an
``other`` document whose title range is a cited plan's ("Status på Handleplan for ensomhed
2023-2026", dated 2025) or a budget's ("Budgetnotat - Socialområdet, budget 2026-2029") is of
its own date wherever that falls, within the period too; undated, it keeps the range's start.
A report's making line ("Rapporten er udarbejdet af …, i efteråret 2024", "Udgivet december
2024"; ``made_words``) dates it as a month line does.  A numeric date with a two-digit year
("Dato: 14.06.23", "Birkested, 03.04.24", "den 3/4-24") counts where a date is expected (after
a date label or "den", or as a dateline), not elsewhere (journal numbers "KLE 27.12.04"); "for
årene 2025 til og med 2028" is a period.  A page of minutes opening with an earlier body's
decision ("Beslutning i Socialudvalget den 04.12.2024", …) is of its latest labelled date (an
item passes its bodies in order), and "næste møde den …" is no own date; minutes with no dated
line take the year their title names ("Referat fra Handicaprådets møde marts 2024").  A
yearly action plan under a policy ("Handleplan 2025 – Sundhedspolitik 2023-2027") is of its own
year, not the policy's start.  An ``other`` page's update stamp beats a date its text merely
names ("Fra 1. juli 2025 ændres reglerne" above "Siden er senest ændret 03.06.2024").

Blind batch b20 (session 7): a two-digit-year date after a weekday or a minutes word on its line
("Møde tirsdag 03.10.23", "Handicaprådets referat 03.10.23"); an ``other`` document's title
year of its own coverage beats its month line as it beats its day ("Årsrapport 2024" published
"Marts 2025"); a strategy "gældende fra 1. januar 2025" whose first pages name only a range
that ended before that (the strategy it replaces: "afløser Socialstrategien 2020-2024") is of
its start.  From general Danish date writing (invented probes, no dev miss): a period told by
its days ("fra 1. januar 2024 til 31. december 2027", "01.01.2024 - 31.12.2027") is a range.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from stratcompare.metadata.municipalities import detection_config

__all__ = ["YearInfo", "detect_years"]

MIN_YEAR = 1990
MAX_YEAR = 2100
MAX_SPAN = 15  # a "range" longer than this is two unrelated years
PROMINENT_CHARS = 4000
TITLE_WEIGHT = 6.0
DATE_WEIGHT = 1.5  # a full date ("14. september 2018") is better evidence than a bare year
BUDGET_WINDOW = 30  # characters before a range searched for the word "budget"
HEAD_CHARS = 400  # the document's own date is in the title or the first characters of page 1
LABELLED_CHARS = 3000  # a date labelled as the document's ("Mødedato: ...") counts this far in
FIRST_DATE_CHARS = 1500  # without one, a dated genre takes the first full date this far in
DATED_GENRES = ("minutes", "news", "other")  # genres dated by a day, not by a period

_Y = r"(?:19|20)\d\d"
_DASH = r"(?:-|‐|‑|–|—|/|\s+til(?:\s+og\s+med)?\s+)"  # "for årene 2025 til og med 2028"
# One cheap scan finds every 4-digit year; the context around each decides what it is.
_CANDIDATE = re.compile(_Y)
_RANGE_TAIL = re.compile(rf"\s*{_DASH}\s*({_Y}|\d\d)(?![\w/-]|[.,]\d)")
_ISO_TAIL = re.compile(r"-(\d\d)-(\d\d)(?!\d)")
# "04.12.2012", "23/01-2019", and "9/4 2024" (day/month, a space, the year)
_NUMERIC_HEAD = re.compile(r"(?<![\w./,])(\d{1,2})(?:[./-](\d{1,2})[./-]|/(\d{1,2})\s)$")
# "Dato: 14.06.23", "Birkested, 03.04.24", "d. 3/4-24": a numeric date with a two-digit year,
# as meeting systems, notes and press releases often print it (day first; with dots both parts
# have two digits).  Taken only where a date is expected (_SHORT_DATE_LEAD), since journal
# numbers look the same ("KLE 27.12.04", "Sagsnr. 3/4-24").
_SHORT_DATE = re.compile(r"(?<![\w./,-])(?:(\d\d)\.(\d\d)\.|(\d{1,2})[/-](\d{1,2})[/-])(\d\d)"
                         r"(?![\w/-]|[.,]\d)")
# ... after a date label, a weekday, "den"/"d." or a minutes word ("Møde tirsdag 03.10.23",
# "Handicaprådets referat 03.10.23"), or as a dateline: a place name and a comma opening a line
# ("Birkested, 03.04.24. Socialudvalget sender …")
_SHORT_DATE_LEAD = re.compile(
    r"(?:\b(?:dato|mødedato|mødedag|publiceret|offentliggjort|udgivet|udsendt|opdateret|"
    r"ændret|revideret)\s*:?\s*|(?<!næste\s)\b(?:referat|dagsorden|møde|mødet|mandag|tirsdag|"
    r"onsdag|torsdag|fredag|lørdag|søndag|den|d\.)[ \t]*:?[ \t]*|"
    r"(?:^|\n)\s*[A-ZÆØÅ][\wæøå-]+(?:\s[A-ZÆØÅ][\wæøå-]+)?,\s*)$", re.IGNORECASE)
_BEFORE_BAD = re.compile(r"[\w.,/-]")
_AFTER_BAD = re.compile(r"[\w/-]|[.,]\d")
_BUDGET = re.compile(r"budget", re.IGNORECASE)
_GOAL = re.compile(r"(?:\binden|\bsenest|\bfrem\s+mod|\bfrem\s+til|\bfør|\binden\s+udgangen\s+af|"
                   r"\bi\s+løbet\s+af|\bvision|\bmålet\s+for|\bmål\s+for|\bi\s+år)\s*$",
                   re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÆØÅ]|\n\s*\n")
# A date introduced as the document's own: "Mødedato: 04.12.2012", "Dato: 4. december 2012",
# "Publiceret den 8. marts 2024", "Referat fra mødet den ..." (not "Senest opdateret").
_OWN_DATE = re.compile(
    r"\b(?:dato|mødedato|mødedag|mødetidspunkt|"
    r"(?<!næste\s)møde(?:t)?\s+(?:den|afholdt(?:\s+den)?)|"
    r"publiceret|offentliggjort|udgivet|udsendt|referat|dagsorden)\s*:?\s*"
    r"(?:(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\s*,?\s*)?(?:den\s+|d\.\s*)?$",
    re.IGNORECASE)

# An agenda item cut from the minutes carries its meeting's date in the decision heading:
# "Beslutning i Socialudvalget den 10. december 2024", "Beslutning Sundheds- og
# Forebyggelsesudvalget 04-12-2012" (the committee name may be long, so a wider window).
_DECISION_DATE = re.compile(
    r"(?:^|\n)\s*beslutning(?:\s+(?:i|for))?\s+[^\n.]{3,70}?\s*(?:den\s+|d\.\s*)?$",
    re.IGNORECASE)


@dataclass(slots=True)
class YearInfo:
    """Covered period (``end == start`` for one year; both None if no year), adoption date."""

    start: int | None
    end: int | None
    adopted: str | None = None  # ISO date
    evidence: list[str] = field(default_factory=list)
    basis: str = "none"  # title-range, first-pages-range, adopted, budget-range, title-year,
    # dated, latest (undated news), updated (an "other" page's update stamp), mentions or none
    dated: str | None = None  # ISO date of the document itself (meeting, news item, note)
    year: int | None = None   # the one year a reader would give the document (module docstring)


@dataclass(slots=True)
class _Mention:
    kind: str  # "range" | "date" | "year"
    start: int
    end: int
    weight: float
    prominent: bool
    in_title: bool
    text: str
    where: str
    date: dt.date | None = None
    budget: bool = False  # a range introduced as a budget period ("budget 2023-2026")
    goal: bool = False  # a year introduced as a goal ("inden 2025", "frem mod 2030")
    at: int = 0  # offset in the document (title: 0)
    own: bool = False  # a date labelled as the document's own ("Mødedato: 04.12.2012")
    month_line: bool = False  # a month and year alone on a line ("Juni 2024"), or closing a
    # line after a comma or dash ("Center for Voksne, januar 2025")
    effective: bool = False  # the day or year the document takes effect ("Gældende fra ...")
    updated: bool = False  # a page's update stamp ("Senest opdateret 06.02.2025")
    decision: bool = False  # a decision heading's date ("Beslutning i Byrådet den 18.12.2024")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[str, int],
                              re.Pattern[str]]:
    """Month-name date heads ending just before a year, the adoption words, and an adoption
    by month or year only."""
    cfg = detection_config()["years"]
    month_of: dict[str, int] = {}
    for number, names in enumerate(cfg["months"], start=1):
        for name in names:
            month_of[name] = number
    months = "|".join(sorted(map(re.escape, month_of), key=len, reverse=True))
    day_month = re.compile(rf"(?<![\w.])(\d{{1,2}})\.?\s*({months})\.?,?\s+$", re.IGNORECASE)
    month_only = re.compile(rf"(?<!\w)({months})\.?\s+$", re.IGNORECASE)
    extra = _year_words()
    words = "|".join(
        re.escape(w).replace(r"\ ", r"\s+")
        for w in sorted([*cfg["adoption_words"], *extra["adoption_verbs"]], key=len, reverse=True)
    )
    adoption = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    # an adoption named by month, season or year only: "vedtaget af Byrådet i juni 2022",
    # "godkendt i foråret 2021", "Byrådet vedtog i december 2019", "Vedtaget: marts 2023" --
    # past forms only ("skal vedtages i 2025" is a plan)
    past = "|".join(re.escape(w).replace(r"\ ", r"\s+")
                    for w in [*cfg["adoption_words"], *extra["adoption_verbs"]]
                    if w.endswith(("t", "og", "te", "de")))
    parts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in extra["year_parts"])
    adopted_year = re.compile(
        rf"\b(?:{past})\b(?:(?:[^.!?\n\d]|\n(?!\s*\n)){{0,50}}?\s+i|\s*:)?\s+"
        rf"(?:(?:{months}|{parts})\.?\s+)?$",
        re.IGNORECASE)
    return day_month, month_only, adoption, month_of, adopted_year


@lru_cache(maxsize=1)
def _date_to() -> re.Pattern[str]:
    """The second day of a period told by its days, right after the first: " til 31. december
    2027", " - 31.12.2027"; group 1 is its year."""
    cfg = detection_config()["years"]
    months = "|".join(sorted((re.escape(n) for names in cfg["months"] for n in names),
                             key=len, reverse=True))
    return re.compile(rf"\s*(?:-|–|—|til(?:\s+og\s+med)?)\s*(?:den\s+|d\.\s*)?"
                      rf"(?:\d{{1,2}}\.?\s*(?:{months})\.?\s+|\d{{1,2}}[./-]\d{{1,2}}[./-])"
                      rf"({_Y})(?![\w/-]|[.,]\d)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _made_year() -> re.Pattern[str]:
    """A report's making told by month, season or year (``made_words`` in years.toml):
    "Udarbejdet af Center for Sundhed, i efteråret 2024", "Udgivet december 2024"."""
    cfg = detection_config()["years"]
    months = "|".join(sorted((re.escape(n) for names in cfg["months"] for n in names),
                             key=len, reverse=True))
    extra = _year_words()
    made = "|".join(re.escape(w) for w in extra["made_words"])
    parts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in extra["year_parts"])
    return re.compile(rf"\b(?:{made})\b(?:(?:[^.!?\n\d]|\n(?!\s*\n)){{0,70}}?\s+i|\s*:)?\s+"
                      rf"(?:(?:{months}|{parts})\.?\s+)?$", re.IGNORECASE)


@lru_cache(maxsize=None)
def _words_before_date(key: str) -> re.Pattern[str]:
    """The words of ``years.toml``'s list ``key`` ending just before a date: the day or year a
    document takes effect ("Gældende fra 1. januar 2022", ``effective_words``) or a page's
    update stamp ("Senest opdateret: 12. august 2024", ``updated_words``)."""
    words = "|".join(re.escape(w).replace(r"\ ", r"\s+")
                     for w in sorted(_year_words()[key], key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\s*:?\s*(?:den\s+|d\.\s*|pr\.\s*)?$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _year_words() -> dict:
    """Past-tense adoption verbs and parts of a year (data/lang/da/years.toml)."""
    path = resources.files("stratcompare") / "data" / "lang" / "da" / "years.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _short_year(yy: str) -> int:
    """The century of a two-digit year: "23" -> 2023, "98" -> 1998."""
    return (2000 if int(yy) < 50 else 1900) + int(yy)


def _plausible(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def _position_weight(offset: int) -> float:
    return 1.0 + 3.0 * math.exp(-offset / 3000.0)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _scan(text: str, where: str, offset: int, in_title: bool) -> tuple[list[_Mention], list[str]]:
    """All year mentions in one page (or the title), plus adoption dates found there (an
    adoption by month or year only as the bare year, "2022")."""
    day_month, month_only, adoption, month_of, adopted_year = _patterns()
    found: list[_Mention] = []
    adopted: list[str] = []
    skip_until = -1
    shorts = [c for c in _SHORT_DATE.finditer(text)
              if _SHORT_DATE_LEAD.search(text[max(0, c.start() - 40):c.start()])]
    for cand in sorted([*_CANDIDATE.finditer(text), *shorts], key=lambda c: c.start()):
        ys, ye = cand.span()
        if ys < skip_until:
            continue
        is_short = cand.re is _SHORT_DATE
        year = _short_year(cand.group(5)) if is_short else int(cand.group(0))
        before = text[max(0, ys - 24) : ys]
        kind, first, last, start, end, date = "", year, year, ys, ye, None
        weight = DATE_WEIGHT
        month_line = False  # "Juni 2024" on a line of its own (a report's or brochure's date)
        if is_short:  # "Dato: 14.06.23": day, month and the year's last two digits
            kind = "date"
            date = _make_date(year, int(cand.group(2) or cand.group(4)),
                              int(cand.group(1) or cand.group(3)))
        elif (m := day_month.search(before)) is not None:
            kind, start = "date", ys - len(before) + m.start()
            date = _make_date(year, month_of[m.group(2).lower()], int(m.group(1)))
        elif (m := _NUMERIC_HEAD.search(before)) is not None:
            kind, start = "date", ys - len(before) + m.start()
            if m.group(3):  # "9/4 2024" is day/month only
                date = _make_date(year, int(m.group(3)), int(m.group(1)))
            else:
                date = (_make_date(year, int(m.group(2)), int(m.group(1)))
                        or _make_date(year, int(m.group(1)), int(m.group(2))))  # 5/29/2019
        elif (m := month_only.search(before)) is not None:
            kind, start = "year", ys - len(before) + m.start()
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", ye)
            lead = text[line_start:start].strip()
            month_line = ((not lead or lead.endswith((",", "·", "|", "–", "—", "-")))
                          and not text[ye:len(text) if line_end < 0 else line_end].strip())
        else:
            if ys and _BEFORE_BAD.match(text, ys - 1):
                continue  # part of a longer number, an amount or a hyphenated code
            if (m := _ISO_TAIL.match(text, ye)) is not None:
                kind, end = "date", m.end()
                date = _make_date(year, int(m.group(1)), int(m.group(2)))
            elif (m := _RANGE_TAIL.match(text, ye)) is not None:
                tail = m.group(1)
                last = int(tail) if len(tail) == 4 else year // 100 * 100 + int(tail)
                if year < last <= year + MAX_SPAN:
                    kind, end, weight = "range", m.end(), 1.0
                else:  # "2016-2010": a typo or a code; keep only the first year
                    kind, last, weight = "year", year, 1.0
            if not kind:
                if _AFTER_BAD.match(text, ye):
                    continue
                kind, weight = "year", 1.0
        if kind == "date" and date is None:
            continue
        if kind == "date" and (m := _date_to().match(text, end)) is not None \
                and year < int(m.group(1)) <= year + MAX_SPAN:
            # "gælder fra 1. januar 2024 til 31. december 2027": a period told by its days
            kind, last, end, date, weight = "range", int(m.group(1)), m.end(), None, 1.0
        if not (_plausible(first) and _plausible(last)):
            continue
        skip_until = end
        at = offset + start
        budget = kind == "range" and bool(_BUDGET.search(text, max(0, start - BUDGET_WINDOW),
                                                         start))
        goal = kind == "year" and bool(_GOAL.search(text[max(0, start - 30):start]))
        decision = date is not None and bool(_DECISION_DATE.search(text[max(0, start - 90):start]))
        own = date is not None and (decision or bool(
            _OWN_DATE.search(text[max(0, start - 40):start])))
        effective = kind != "range" and bool(
            _words_before_date("effective_words").search(text[max(0, start - 40):start]))
        updated = date is not None and bool(
            _words_before_date("updated_words").search(text[max(0, start - 30):start]))
        if kind == "year" and not goal and _made_year().search(text[max(0, start - 90):start]):
            month_line = True  # "Rapporten er udarbejdet af …, i efteråret 2024": its date line
        found.append(_Mention(
            kind, first, last,
            (TITLE_WEIGHT if in_title else _position_weight(at)) * weight,
            in_title or at < PROMINENT_CHARS, in_title,
            " ".join(text[start:end].split()), where, date, budget, goal, at, own, month_line,
            effective, updated, decision,
        ))
        if kind == "year" and not goal and adopted_year.search(text[max(0, start - 80):start]):
            adopted.append(str(year))
        if date is not None and not effective:  # "vedtaget ... – gældende fra 1. januar 2025"
            window = text[max(0, start - 80) : start]
            hits = list(adoption.finditer(window))
            if hits and not _SENTENCE_BREAK.search(window, hits[-1].end()):
                adopted.append(date.isoformat())
    return found, adopted


def _merge(ranges: list[_Mention]) -> list[tuple[int, int, float, list[_Mention]]]:
    """Clusters of overlapping ranges: (start, end, total weight, members), best first."""
    clusters: list[tuple[int, int, float, list[_Mention]]] = []
    for r in sorted(ranges, key=lambda r: (r.start, r.end)):
        if clusters and r.start <= clusters[-1][1]:
            s, e, w, members = clusters[-1]
            clusters[-1] = (s, max(e, r.end), w + r.weight, [*members, r])
        else:
            clusters.append((r.start, r.end, r.weight, [r]))
    return sorted(clusters, key=lambda c: (-c[2], c[0]))


def _same(ranges: list[_Mention]) -> list[tuple[int, int, float, list[_Mention]]]:
    """Groups of the same range: (start, end, total weight, members), best first.  Unlike
    budget periods, a strategy's period is not merged with an overlapping one: a page's running
    head "Strategi … 2023 – 2026" is not widened by the "10-årsplan (2022-2032)" it cites."""
    groups: dict[tuple[int, int], list[_Mention]] = defaultdict(list)
    for r in ranges:
        groups[(r.start, r.end)].append(r)
    return sorted(((s, e, sum(m.weight for m in ms), ms) for (s, e), ms in groups.items()),
                  key=lambda c: (-c[2], c[0]))


def _cite(m: _Mention) -> str:
    return f"{m.text!r} ({m.where})"


def _dated(mentions: list[_Mention]) -> _Mention | None:
    """The document's own date: the first full date in the title, else the first one labelled
    as the document's ("Mødedato: ...", "Dato: ...") on its first pages, else the first full
    date in the head of page 1."""
    dates = [m for m in mentions if m.kind == "date" and m.date is not None]
    in_title = [m for m in dates if m.in_title]
    if in_title:
        return in_title[0]
    own = [m for m in dates if not m.in_title and m.own and m.at < LABELLED_CHARS]
    if own:
        first = min(own, key=lambda m: m.at)
        if first.decision:
            # a page of minutes opening with an earlier body's decision ("Beslutning i
            # Socialudvalget den 04.12.2024", then Økonomiudvalget's, then the council's): an
            # item passes its bodies in order, so the meeting is the latest labelled date
            return max(own, key=lambda m: (m.date, -m.at))
        return first
    head = [m for m in dates if not m.in_title and m.at < HEAD_CHARS]
    return min(head, key=lambda m: m.at) if head else None


def _first_date(mentions: list[_Mention]) -> _Mention | None:
    """A dated genre without a date at its top: the first full date of its opening text (a
    note's "temamødet den 20. september 2012"), which is when it was written more often than
    any bare year it mentions."""
    dates = [m for m in mentions if m.kind == "date" and m.date is not None
             and not m.in_title and m.at < FIRST_DATE_CHARS]
    return min(dates, key=lambda m: m.at) if dates else None


def detect_years(pages: list[str], *, title: str | None = None,
                 genre: str | None = None) -> YearInfo:
    """The period a document covers, its adoption date, its own date and its one year.

    ``genre`` (strategy | minutes | news | other, or None) decides whether the document is dated
    by a day (minutes, news, notes) or by the period it covers (see the module docstring).
    """
    mentions: list[_Mention] = []
    adopted_dates: list[str] = []
    if title:
        found, adopted = _scan(title, "title", 0, True)
        mentions += found
        adopted_dates += adopted
    offset = 0
    for number, page in enumerate(pages, start=1):
        if page:
            found, adopted = _scan(page, f"page {number}", offset, False)
            mentions += found
            adopted_dates += adopted
            offset += len(page)

    info = _period(mentions, adopted_dates)
    dated = _dated(mentions)
    stamp = _update_stamp(mentions) if genre == "other" else None
    if dated is not None and stamp is not None and not (dated.own or dated.in_title):
        dated = None  # a page's labelled update stamp over a date its opening text merely names
    if (dated is None and genre in DATED_GENRES and info.basis in ("mentions", "none")
            and stamp is None):
        # not over a year in the title ("Kvalitetsstandarder 2013"), nor over a page's own
        # update stamp (a service page's "Fra 1. juli 2025 ændres reglerne" is a coming law)
        dated = _first_date(mentions)
    info.dated = dated.date.isoformat() if dated is not None and dated.date else None
    if genre in DATED_GENRES and dated is not None and info.basis != "title-range":
        day_year = dated.date.year
        keep_range = (genre == "news" and info.basis == "first-pages-range"
                      and info.start is not None and info.start >= day_year)
        if not keep_range:
            info.start = info.end = day_year
            info.basis = "dated"
            info.evidence = [_cite(dated), *info.evidence[:2]]
    title_year = _title_year(mentions)
    cover_month = False  # the title year is a cover's month line ("Juni 2024"), no title
    if title_year is None and not any(m.in_title for m in mentions):
        first = _first_line_mentions(pages)
        title_year = _title_year(first)  # "Kvalitetsstandard 2013" on top
        cover_month = any(m.month_line and m.start == title_year for m in first)
    covers = (genre == "other" and title_year is not None and not cover_month
              and not _WHEN_YEAR.search(_year_context(title, pages, title_year)))
    if genre in DATED_GENRES and not info.dated and not covers:
        # (an "other" document's title year of its own coverage -- "Årsrapport 2024" over
        # "Marts 2025" on its cover -- beats its month line, as it beats its day below)
        month = _month_line(mentions)
        if month is not None and info.basis != "title-range":
            # a report or analysis dated "Juni 2024" under its title, its figures from older years
            info.start = info.end = month.start
            info.basis, info.evidence = "dated", [_cite(month), *info.evidence[:2]]
            info.year = month.start
            return info
    effective = _effective_start(mentions, info) if genre == "strategy" else None
    own_month = _month_line(mentions) if genre == "other" and not info.dated else None
    own_year = int(info.dated[:4]) if info.dated else own_month.start if own_month else None
    if (genre == "other" and own_year is None and title_year is None
            and info.basis in ("first-pages-range", "budget-range", "mentions", "none")
            and (stamp := _update_stamp(mentions)) is not None):
        # a service page whose only own date is "Sidst opdateret: 12. august 2024", citing
        # "Handicap- og psykiatripolitik 2022-2025": the stamp is the page's date
        info.start = info.end = info.year = stamp.start
        info.basis, info.evidence = "updated", [_cite(stamp), *info.evidence[:2]]
        return info
    if covers:
        # "Årsberetning 2023", "Ydelseskatalog 2024", "Kvalitetsstandarder 2013", "beretning
        # for 2023": the period the document covers, not the day it was approved -- but "i 2024"
        # ("Ventetid på plejeboliger i 2024") is when its topic happened, and the note is dated;
        # also over a range the title names besides ("Statusrapport 2024 – Handleplan
        # 2023-2026": the plan's period is what the report is about, 2024 what it covers)
        _to_title_year(info, title_year)
    elif (genre == "other" and info.basis == "title-range" and own_year is not None
            and info.end is not None and info.end < own_year):
        # "Evaluering af handicappolitikken 2019-2022", dated 2023 (or "…, maj 2024" under
        # its title): a look back at a period
        info.year = own_year
    elif (genre == "other" and info.basis == "title-range" and own_year is not None
            and (_title_range_is_cited(title, info.start)
                 or _title_range_is_cited_budget(title, mentions))):
        # "Høringssvar vedr. Ældrepolitik 2026-2029" dated November 2025, "Status på Handleplan
        # for ensomhed 2023-2026" dated February 2025, "Budgetnotat - Socialområdet, budget
        # 2026-2029" dated September 2025: the range is the period of the plan or budget the
        # document is about, and a note, status or hearing response is of its own date --
        # before, within or after that period (the year column of corpus/real: "other" by its
        # own date; docs/benchmarks.md, session 7)
        info.year = own_year
    elif effective is not None and title_year is None:
        # "Gældende fra 1. januar 2022" on a revised policy's cover: its start, as a period's
        # first year is, not the first adoption ("Første udgave vedtaget i 2016")
        info.start = info.end = info.year = effective.start
        info.basis, info.evidence = "effective", [_cite(effective), *info.evidence[:2]]
    elif genre == "other" and info.basis == "title-range":
        info.year = info.start  # "Kvalitetsstandard 2024-2025", approved in December 2023
    elif genre in DATED_GENRES and info.dated:
        info.year = int(info.dated[:4])
    elif (genre == "minutes" and title_year is not None
            and info.basis in ("first-pages-range", "budget-range", "adopted", "mentions")):
        # "Referat fra Handicaprådets møde marts 2024" over "Torsdag d. 7. marts" and the
        # "Handicappolitik 2021-2024" an item evaluates: minutes are of their meeting, which
        # their title names when their date line leaves the year out
        _to_title_year(info, title_year)
    elif genre == "news" and info.basis in ("first-pages-range", "budget-range", "mentions"):
        # an undated news item tells of its own time and looks back: its year is the latest
        # year it names, not counting goals ("inden 2030") and the ends of periods
        latest = max((m.start for m in mentions if m.prominent and not m.goal), default=None)
        info.year = latest if latest is not None else info.start
        if latest is not None and info.start != latest:
            info.start = info.end = latest
            info.basis, info.evidence = "latest", [f"latest year {latest}", *info.evidence[:2]]
    elif (title_year is not None and info.basis in ("first-pages-range", "budget-range", "mentions")
            and not (info.start is not None and info.end is not None
                     and info.start <= title_year <= info.end)):
        # "Ældreplan 2025 og frem" citing "Ældrepolitik 2019-2022"; a cover's "Revideret udgave
        # 2021" over the first adoption the text tells of: the title's year is the document's
        _to_title_year(info, title_year)
    elif (genre == "strategy" and info.basis == "first-pages-range" and info.adopted
            and info.start == int(info.adopted[:4]) + 1):
        # "gælder for perioden 2025 til 2028 … vedtaget den 25. september 2024": adopted in
        # the autumn before its period, as a title range is, the strategy is of its first year
        info.year = info.start
    elif (genre == "strategy" and info.basis == "title-range" and title_year is not None
            and info.start is not None and info.end is not None
            and info.start <= title_year <= info.end
            and _year_heads_cited_range(title, title_year, info.start)):
        # "Handleplan 2025 – Sundhedspolitik 2023-2027": a yearly action plan under a policy is
        # of its own year; the policy's period after the dash is what it carries out
        _to_title_year(info, title_year)
    elif info.basis == "title-range" or not info.adopted:
        info.year = info.start
    elif title_year is not None:
        info.year = title_year  # "Kvalitetsstandarder 2013", adopted in December 2012
    else:
        info.year = int(info.adopted[:4])
    return info


def _effective_start(mentions: list[_Mention], info: YearInfo) -> _Mention | None:
    """A strategy's "Gældende fra <day or year>" in its title or the head of page 1, when no
    period (range) was found, or only one that ended before it (the period of the strategy it
    replaces: "gældende fra 1. januar 2025 … afløser Socialstrategien 2020-2024"), and it does
    not come before the adoption (a law's start the text tells of is no cover line)."""
    if info.basis not in ("adopted", "budget-range", "mentions", "none", "first-pages-range"):
        return None
    found = [m for m in mentions if m.effective and (m.in_title or m.at < HEAD_CHARS)]
    if not found:
        return None
    first = min(found, key=lambda m: (not m.in_title, m.at))
    if info.basis == "first-pages-range" and (info.end is None or first.start <= info.end):
        return None  # a period the strategy takes effect in is its own
    adopted = int(info.adopted[:4]) if info.adopted else info.start if info.basis == "adopted" \
        else None
    return first if adopted is None or first.start >= adopted else None


def _to_title_year(info: YearInfo, year: int) -> None:
    """The document covers the one year its title names (also as the stored period, so that
    what ingest stores agrees with the year a reader gives)."""
    if (info.start, info.end) != (year, year):
        info.evidence = [f"title year {year}", *info.evidence[:2]]
    info.start = info.end = info.year = year
    info.basis = "title-year"


FIRST_LINES = 6  # the displayed title is among the first lines of page 1 (under a letterhead)
FIRST_LINE_WORDS = 12  # ... and is a short line


def _first_line_mentions(pages: list[str]) -> list[_Mention]:
    """Bare years and ranges (not dates) of the first short lines of page 1, read as a title: a
    PDF's stored title is often a bare "Kvalitetsstandard" while the page opens, under its
    letterhead, "Kvalitetsstandard 2013"."""
    found: list[_Mention] = []
    for line in _title_block_lines(pages[0] if pages else "")[:FIRST_LINES]:
        if len(line.split()) <= FIRST_LINE_WORDS and not line.endswith("."):  # not a sentence
            found += [m for m in _scan(line, "first lines", 0, True)[0]
                      if m.kind in ("year", "range")]
    return found


def _title_block_lines(page: str) -> list[str]:
    """The first lines of a page, block by block (blocks part at blank lines), leaving out the
    blocks that are a paragraph wrapped over lines -- a block ending in a full stop, or whose
    next line goes on in lower case -- so that "Ældrepolitik 2018 og bygger på" of a wrapped
    sentence is not read as a cover line, while a letterhead or title block is."""
    out: list[str] = []
    seen = 0  # lines of the page looked at, kept or not: only its first FIRST_LINES count
    for block in re.split(r"\n\s*\n", page):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        wrapped = any(b[:1].islower() for b in lines[1:])
        if lines and not wrapped and not lines[-1].endswith("."):
            out += lines[: FIRST_LINES - seen]
        seen += len(lines)
        if seen >= FIRST_LINES:
            break
    return out


# a year introduced as the time of what the title tells ("i 2024", "siden 2019"), not as the
# period the document covers ("Årsberetning 2023", "for 2023")
_WHEN_YEAR = re.compile(r"\b(i|fra|siden|til|inden|efter|før|frem mod|pr\.)\s*$", re.IGNORECASE)


def _year_context(title: str | None, pages: list[str], year: int) -> str:
    """The words before ``year`` in the title, else in the first lines of page 1."""
    for source in (title or "", *(pages[0].splitlines()[:FIRST_LINES] if pages else [])):
        at = source.find(str(year))
        if at >= 0:
            return source[max(0, at - 20):at]
    return ""


def _month_line(mentions: list[_Mention]) -> _Mention | None:
    """A month and year alone on a line near the top of page 1 ("Juni 2024"): the date of a
    report, an analysis or a brochure that names no day."""
    lines = [m for m in mentions if m.month_line and not m.in_title and m.at < HEAD_CHARS]
    return min(lines, key=lambda m: m.at) if lines else None


@lru_cache(maxsize=1)
def _strategy_noun() -> re.Pattern[str]:
    """A title word ending in a strategy kind noun (``strategy_nouns`` in years.toml), optionally
    inflected, followed by nothing but the rest of the title's part up to a range."""
    nouns = "|".join(map(re.escape, _year_words()["strategy_nouns"]))
    return re.compile(rf"\w*(?:{nouns})(?:en|ken|er|erne|s|ens|kens)?\b[^–—:|]*$",
                      re.IGNORECASE)


def _title_range_is_cited(title: str | None, start: int | None) -> bool:
    """The title's range follows a strategy's name in the same part of the title ("Status på
    Handleplan for ensomhed 2023-2026"): it is that plan's period."""
    if not title or start is None or (at := title.find(str(start))) < 0:
        return False
    return bool(_strategy_noun().search(title[:at]))


_TITLE_PARTS = re.compile(r"\s[-–—|]\s|[–—:|]")


def _year_heads_cited_range(title: str | None, year: int, start: int) -> bool:
    """The title's bare ``year`` stands in its first part and its range (from ``start``) after a
    dash or colon, after a strategy's name: "Handleplan 2025 – Sundhedspolitik 2023-2027"."""
    if not title:
        return False
    at_year, at_range = title.find(str(year)), title.find(str(start))
    if not 0 <= at_year < at_range:
        return False
    return bool(_TITLE_PARTS.search(title[at_year:at_range])) and _title_range_is_cited(title,
                                                                                      start)


def _title_range_is_cited_budget(title: str | None, mentions: list[_Mention]) -> bool:
    """The title's range is a budget's years and the title is about that budget ("Budgetnotat
    - Socialområdet, budget 2026-2029"), not the budget itself ("Budget 2026-2029")."""
    first = next((m for m in mentions if m.in_title and m.kind == "range"), None)
    if first is None or not first.budget or not title:
        return False
    at = title.find(str(first.start))
    return at > 0 and not re.fullmatch(r"\s*(?:vedtaget\s+)?budget\w*\s*", title[:at],
                                       re.IGNORECASE)


def _update_stamp(mentions: list[_Mention]) -> _Mention | None:
    """The first update stamp of the document ("Senest opdateret 06.02.2025")."""
    stamps = [m for m in mentions if m.updated and not m.in_title]
    return min(stamps, key=lambda m: m.at) if stamps else None


def _title_year(mentions: list[_Mention]) -> int | None:
    """The one year the title names, unless it is a goal year ("Kulturkommune 2017" when the
    text says "frem mod 2017") or the title names several."""
    goals = {m.start for m in mentions if m.goal}
    years = {m.start for m in mentions if m.in_title and m.kind == "year"}
    return years.pop() if len(years) == 1 and not years & goals else None


def _period(mentions: list[_Mention], adopted_dates: list[str]) -> YearInfo:
    """The covered period by the order of the module docstring (steps 1-6)."""
    full = [a for a in adopted_dates if len(a) == 10]
    adopted_iso = max(full) if full else None
    adopted_note = [f"adopted {adopted_iso}"] if adopted_iso else []
    adopted_years = [int(a) for a in adopted_dates if len(a) == 4]  # "vedtaget i juni 2022"
    ranges = [m for m in mentions if m.kind == "range"]

    title_ranges = [m for m in ranges if m.in_title]
    if title_ranges:
        best = title_ranges[0]
        return YearInfo(best.start, best.end, adopted_iso, [_cite(best), *adopted_note],
                        "title-range")
    prominent = [m for m in ranges if m.prominent]
    strategy = _same([m for m in prominent if not m.budget])
    if strategy:
        start, end, _, members = strategy[0]
        return YearInfo(start, end, adopted_iso,
                        [*(_cite(m) for m in members[:4]), *adopted_note], "first-pages-range")
    if adopted_iso:
        year = int(adopted_iso[:4])
        return YearInfo(year, year, adopted_iso, adopted_note, "adopted")
    if adopted_years:
        year = max(adopted_years)
        return YearInfo(year, year, None, [f"adopted in {year}"], "adopted")
    budget = _merge([m for m in prominent if m.budget])
    if budget:
        start, end, _, members = budget[0]
        return YearInfo(start, end, None, [_cite(m) for m in members[:4]], "budget-range")
    goal_years = {m.start for m in mentions if m.goal}  # "Kulturkommune 2017" + "frem mod 2017"
    title_years = [m for m in mentions if m.in_title and m.kind in ("year", "date")
                   and not (m.kind == "year" and m.start in goal_years)]
    if title_years:
        best = title_years[0]
        return YearInfo(best.start, best.end, None, [_cite(best)], "title-year")

    cites: dict[int, list[_Mention]] = defaultdict(list)
    counted = [m for m in mentions if not m.goal] or mentions
    for m in counted:  # a range mentions both its years
        for year in {m.start, m.end}:
            cites[year].append(m)
    if not cites:
        return YearInfo(None, None, None, [], "none")
    year = max(cites, key=lambda y: (len(cites[y]), y))
    members = sorted(cites[year], key=lambda m: -m.weight)
    evidence = [_cite(m) for m in members[:3]]
    if len(members) > 3:
        evidence.append(f"... {len(members)} mentions in all")
    return YearInfo(year, year, None, evidence, "mentions")
