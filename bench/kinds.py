"""Passage kinds, document genre and years on the real documents of corpus/real/.

* Kinds: every hand-labelled passage of corpus/real/kinds_labels.jsonl is classified with
  ``classify_kind`` from its text, section, structural kind, place in the document and the
  genre detected for its source document; accuracy overall and per kind.
* Genre: ``detect_genre`` on every real document (87 pages, 18 PDFs), called as ingest calls
  it (stored title, first 3 pages); expected genre from
  pages/SOURCES.tsv (policy/plan/strategy -> strategy) and corpus/real/genre_years.tsv (PDFs).
* Years: ``detect_years(..., genre=detected)``'s ``year`` against the year SOURCES.tsv (or
  genre_years.tsv) gives.

Every figure is given for the ``tune`` and ``test`` municipalities of corpus/real/split.tsv
separately; rules were tuned on ``tune`` only.

The development set (``--dev``): tests/fixtures/kinds_dev/, invented documents written by the
team (its README says how), judged the same way: ``segment_pages`` + ``refine_kinds`` with the
detected genre; each passage the segmenter cuts is expected to have the kind of the label that
covers most of its characters, a heading label only when nothing else is in the passage (a
heading folded into the text under it is that passage's title; a page marker the segmenter drops
is no passage); genre and year of each document.

Usage:  python bench/kinds.py [--errors tune|test|all|dev] [--markdown] [--dev] [--year-reach]
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import realdocs  # noqa: E402

from stratcompare.metadata import detect_years  # noqa: E402
from stratcompare.metadata.genre import detect_genre  # noqa: E402
from stratcompare.segment import segment_pages  # noqa: E402
from stratcompare.segment.kinds import KINDS, classify_kind, refine_kinds  # noqa: E402

TARGET_KIND_OVERALL = 0.90
TARGET_KIND_FORMAL = 0.80  # procedure and boilerplate
TARGET_GENRE = 0.95
TARGET_YEAR = 0.95


@dataclass
class Outcome:
    part: str
    expected: str
    got: str
    where: str  # file (and text for kinds)

    @property
    def ok(self) -> bool:
        return self.expected == self.got


GENRE_PAGES = 3  # ingest (pipeline._segments) decides the genre from the first 3 pages


@lru_cache(maxsize=1)
def detected_genres() -> dict[str, str]:
    """file -> detected genre, for every real document and the bundled HTML page, as ingest
    calls ``detect_genre``: the stored title and the first ``GENRE_PAGES`` pages."""
    return {d.file: detect_genre(d.title, "\n\n".join(d.pages[:GENRE_PAGES]), d.source_kind,
                                 d.file)[0]
            for d in realdocs.all_docs()}


def load_labels() -> list[dict]:
    with realdocs.LABELS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _norm(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=1)
def refined() -> dict[tuple[str, str], str]:
    """(file, passage text) -> kind, as ingest decides it: segment_pages + refine_kinds."""
    out = {}
    genres = detected_genres()
    for d in realdocs.all_docs():
        segments = segment_pages(d.extracted.pages, genre=genres[d.file])
        refine_kinds(segments, genre=genres[d.file])
        for seg in segments:
            out.setdefault((d.file, _norm(seg.text)), seg.kind)
    return out


def kind_results() -> list[Outcome]:
    """Labels found among today's passages are judged in place (with their neighbours);
    a label the segmenter no longer cuts the same way is classified on its own."""
    genres = detected_genres()
    in_place = refined()
    out = []
    for row in load_labels():
        got = in_place.get((row["source"], _norm(row["text"])))
        if got is None:
            got = classify_kind(row["text"], section=row.get("section"),
                                genre=genres.get(row["source"]), position=row.get("position"),
                                structural=row.get("structural") or "content")
        out.append(Outcome(row["part"], row["kind"], got,
                           f"{row['source']}: {' '.join(row['text'].split())[:140]}"))
    return out


def expected_genre(file: str) -> str | None:
    pages = realdocs.page_sources()
    if file in pages:
        return realdocs.GENRE_MAP[pages[file]["genre"]]
    row = realdocs.expected_genre_years().get(file)
    return row["genre"] if row else None


def expected_year(file: str) -> int | None:
    row = realdocs.page_sources().get(file) or realdocs.expected_genre_years().get(file)
    return int(row["year"]) if row and row.get("year") else None


def genre_results() -> list[Outcome]:
    genres = detected_genres()
    return [Outcome(d.part, exp, genres[d.file], d.file) for d in realdocs.all_docs()
            if (exp := expected_genre(d.file)) is not None]


def year_results() -> list[Outcome]:
    genres = detected_genres()
    out = []
    for d in realdocs.all_docs():
        exp = expected_year(d.file)
        if exp is None:
            continue
        info = detect_years(d.pages, title=d.title, genre=genres[d.file])
        out.append(Outcome(d.part, str(exp), str(info.year), f"{d.file} ({info.basis})"))
    return out


_RANGE_END = r"\d{4}\s*[-–/]\s*"  # "2023-24": a range that ends in the year's last two digits


def year_reach() -> dict[str, Counter]:
    """Per part, aggregate counts only: documents with an expected year, those whose text or
    stored title holds it ("2024", or a range ending in "-24"), those the detector gets right,
    and right with the expected genre given — how far a detector that reads the text can go."""
    genres = detected_genres()
    out: dict[str, Counter] = defaultdict(Counter)
    for d in realdocs.all_docs():
        exp = expected_year(d.file)
        if exp is None:
            continue
        text = "\n".join(d.pages) + "\n" + (d.title or "")
        held = str(exp) in text or bool(re.search(_RANGE_END + str(exp)[2:] + r"\b", text))
        given = expected_genre(d.file) or genres[d.file]
        c = out[d.part]
        c["documents"] += 1
        c["year in text or title"] += held
        c["right"] += detect_years(d.pages, title=d.title, genre=genres[d.file]).year == exp
        c["right, genre given"] += detect_years(d.pages, title=d.title, genre=given).year == exp
    return out


def accuracy(rows: list[Outcome]) -> tuple[int, int]:
    return sum(r.ok for r in rows), len(rows)


def per_kind(rows: list[Outcome]) -> dict[str, tuple[int, int]]:
    """Recall per expected kind: (right, labelled)."""
    right, total = Counter(), Counter()
    for r in rows:
        total[r.expected] += 1
        right[r.expected] += r.ok
    return {k: (right[k], total[k]) for k in KINDS if total[k]}


def _pct(hit: tuple[int, int]) -> str:
    n, d = hit
    return f"{100 * n / d:.1f} % ({n}/{d})" if d else "n/a"


def report(markdown: bool = False, parts: tuple[str, ...] = ("tune", "test")) -> str:
    kinds, genres, years = kind_results(), genre_results(), year_results()
    lines = []
    by_part = defaultdict(list)
    for r in kinds:
        by_part[r.part].append(r)
    header = "| part | overall | " + " | ".join(KINDS) + " |"
    lines += ["Passage kinds (recall per labelled kind):", "", header,
              "|" + "---|" * (len(KINDS) + 2)]
    for part in parts:
        rows = by_part[part]
        pk = per_kind(rows)
        lines.append(f"| {part} | {_pct(accuracy(rows))} | "
                     + " | ".join(_pct(pk[k]) if k in pk else "–" for k in KINDS) + " |")
    in_place = refined()
    matched = sum((r["source"], _norm(r["text"])) in in_place for r in load_labels())
    lines += ["", f"Labels judged in place (segment_pages + refine_kinds): {matched} of "
              f"{len(kinds)}; the rest were cut differently when labelled and are classified "
              "alone (classify_kind)."]
    lines += ["", "| part | genre accuracy | year accuracy |", "|---|---|---|"]
    for part in parts:
        g = [r for r in genres if r.part == part]
        y = [r for r in years if r.part == part]
        lines.append(f"| {part} | {_pct(accuracy(g))} | {_pct(accuracy(y))} |")
    text = "\n".join(lines)
    return text if markdown else text.replace("|", " ").replace(" ---", "")


def errors(part: str) -> str:
    out = []
    for name, rows in (("kind", kind_results()), ("genre", genre_results()),
                       ("year", year_results())):
        for r in rows:
            if not r.ok and part in ("all", r.part):
                out.append(f"{name:5} {r.part:4} expected {r.expected:11} got {r.got:11} {r.where}")
    return "\n".join(out)


DEV = realdocs.REPO / "tests" / "fixtures" / "kinds_dev"
_DEV_LABEL = re.compile(r"^@(\w+)([+>]?)\s*$")


@dataclass
class DevPage:
    number: int
    text: str
    headings: tuple = ()


@dataclass
class DevDoc:
    file: str
    title: str
    genre: str
    year: int | None
    pages: list[DevPage]
    labels: list[tuple[int, int, int, str, str]]  # page, start, end, kind, text
    raw: list[str] = field(default_factory=list)   # each label's lines as written (tabs kept)
    side: set[int] = field(default_factory=set)    # labels set in a right-hand column (PDF)


def parse_dev(path: Path, wrap: int = 0) -> DevDoc:
    """One dev document (format in tests/fixtures/kinds_dev/README.md); ``wrap`` > 0 re-wraps
    every line at that width, as a PDF's text layer breaks a sentence over lines."""
    head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
    meta = dict((k.strip(), v.strip()) for k, _, v in
                (ln.partition(":") for ln in head.splitlines() if ":" in ln))
    pages: list[list[tuple[str, bool, list[str]]]] = [[]]
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        if line.strip() == "~~~page":
            pages.append([])
        elif m := _DEV_LABEL.match(line):
            if m.group(1) not in KINDS:
                raise ValueError(f"{path.name}: unknown kind {m.group(1)!r}")
            pages[-1].append((m.group(1), m.group(2), []))
        elif pages[-1]:
            pages[-1][-1][2].append(line)
    out_pages, labels, raw, side = [], [], [], set()
    for number, passages in enumerate((p for p in pages if p), start=1):
        text = ""
        for kind, mark, lines in passages:
            glued = mark == "+"
            if mark == ">":
                side.add(len(labels))
            raw.append("\n".join(lines).strip("\n"))
            lines = [" ".join(ln.split("\t")) for ln in lines]  # a two-column row read as text
            if wrap:
                lines = [w for ln in lines for w in (textwrap.wrap(ln, wrap) or [ln])]
            body_text = "\n".join(lines).strip("\n")
            if text:
                text += "\n" if glued else "\n\n"
            labels.append((number, len(text), len(text) + len(body_text), kind, body_text))
            text += body_text
        out_pages.append(DevPage(number, text))
    title = meta.get("title", "")
    if len(title) < 4 or title.lower().startswith(("microsoft word", "untitled", "slide")):
        title = next((ln.strip() for p in out_pages for ln in p.text.splitlines()
                      if len(ln.strip()) >= 4), "")  # as ingest's _title does for text
    year = meta.get("year", "")
    return DevDoc(path.name, title, meta["genre"], int(year) if year else None, out_pages,
                  labels, raw, side)


DEV_WRAP = 0  # set by --wrap


@lru_cache(maxsize=1)
def dev_docs() -> tuple[DevDoc, ...]:
    return tuple(parse_dev(p, DEV_WRAP) for p in sorted(DEV.glob("*.txt")))


def dev_part(file: str) -> str:
    """``dev`` = the first batch (rules were changed while looking at it); ``dev2`` = files
    ``b2_*``, written after the first round, ``dev3`` = ``b3_*`` (older PDF layouts), written
    after the second; each was measured once before any rule was changed for it."""
    return {"b2_": "dev2", "b3_": "dev3", "b4_": "dev4", "b5_": "dev5", "b6_": "dev6",
            "b7_": "dev7", "b8_": "dev8", "b9_": "dev9"}.get(
                file[:3], f"dev{m.group(1)}" if (m := re.match(r"b(\d\d)_", file)) else "dev")


def dev_genre(doc: DevDoc) -> str:
    return detect_genre(doc.title, "\n\n".join(p.text for p in doc.pages[:GENRE_PAGES]),
                        "pdf", None)[0]


def dev_label(doc: DevDoc, seg) -> tuple[list[int], int | None]:
    """The labels a passage overlaps, and the one whose kind it should have: the label covering
    most of its characters (None when it overlaps none)."""
    hits = [(min(end, seg.char_end) - max(start, seg.char_start), i)
            for i, (page, start, end, kind, text) in enumerate(doc.labels)
            if page == seg.page and min(end, seg.char_end) > max(start, seg.char_start)]
    if not hits:
        return [], None
    # a heading folded into the passage under it is its title: the body decides
    body = [h for h in hits if doc.labels[h[1]][3] != "heading"] or hits
    return [i for _, i in hits], max(body)[1]


def dev_results() -> tuple[list[Outcome], list[Outcome], list[Outcome], int]:
    """(kinds, genres, years, labels dropped by the segmenter) on the dev set."""
    kinds, genres, years, dropped = [], [], [], 0
    for doc in dev_docs():
        part = dev_part(doc.file)
        genre = dev_genre(doc)
        genres.append(Outcome(part, doc.genre, genre, doc.file))
        if doc.year is not None:
            info = detect_years([p.text for p in doc.pages], title=doc.title, genre=genre)
            years.append(Outcome(part, str(doc.year), str(info.year),
                                 f"{doc.file} ({info.basis})"))
        segments = segment_pages(doc.pages, genre=genre)
        refine_kinds(segments, genre=genre)
        used = set()
        for seg in segments:
            if seg.kind == "table":
                continue
            hits, best = dev_label(doc, seg)
            if best is None:
                continue
            used.update(hits)
            kinds.append(Outcome(part, doc.labels[best][3], seg.kind,
                                 f"{doc.file}: {' '.join(seg.text.split())[:140]}"))
        dropped += len(doc.labels) - len(used)
    return kinds, genres, years, dropped


def render_dev_pdf(doc: DevDoc, path: Path) -> None:
    """Lay a dev document out as a born-digital PDF: a short boilerplate passage that opens a
    page is set as a small running head at its top, one that closes a page as a footer at its
    bottom, headings and item labels in bold, a passage marked ``@kind>`` as a letterhead
    column at the right, a line with a tab as a two-column header row, other lines wrapped at
    the text width (as Word would)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    width, height = A4
    left, top, bottom = 70.0, 80.0, 70.0
    for page in doc.pages:
        idx = [i for i, lab in enumerate(doc.labels) if lab[0] == page.number]
        side = [i for i in idx if i in doc.side]
        right = 370.0 if side else width - 70.0  # the body runs beside a letterhead column
        ys = top
        for i in side:  # letterhead column at the right, small type
            c.setFont("Helvetica", 8.5)
            for ln in doc.raw[i].splitlines():
                c.drawString(400, height - ys, ln.strip())
                ys += 11
            ys += 6
        y = top
        body = [i for i in idx if i not in doc.side]
        for n, i in enumerate(body):
            kind, text = doc.labels[i][3], doc.raw[i]
            short = len(text.split()) <= 14 and "\n" not in text.strip()
            if kind == "boilerplate" and short and n == 0:
                c.setFont("Helvetica", 8)
                c.drawString(left, height - 40, text.strip())
                continue
            if kind == "boilerplate" and short and n == len(body) - 1:
                c.setFont("Helvetica", 8)
                c.drawString(left, 40, text.strip())
                continue
            for raw in text.splitlines():
                font, size = ("Helvetica-Bold", 12) if kind == "heading" else ("Helvetica", 10.5)
                if _PDF_LABEL.match(raw.strip()):
                    font = "Helvetica-Bold"  # item labels are set in bold by the systems
                if "\t" in raw:  # a header table row: label left, value in a second column
                    label, _, value = raw.partition("\t")
                    c.setFont("Helvetica", size)
                    c.drawString(left, height - y, label.strip())
                    c.drawString(left + 110, height - y, value.strip())
                    y += size * 1.35
                    continue
                words, line = raw.split(), ""
                lines = []
                for w in words:
                    cand = f"{line} {w}".strip()
                    if stringWidth(cand, font, size) > right - left and line:
                        lines.append(line)
                        line = w
                    else:
                        line = cand
                lines.append(line)
                for ln in lines:
                    if y > height - bottom:
                        c.showPage()
                        y = top
                    c.setFont(font, size)
                    c.drawString(left, height - y, ln)
                    y += size * 1.35
            y += 9
        c.showPage()
    c.save()


_PDF_LABEL = re.compile(r"(?i)^(sagsfremstilling|indstilling|beslutning\b.*|bilag|økonomi\b.*|"
                        r"resum[eé]|baggrund|høring|lovgrundlag|sagens kerne|vurdering|"
                        r"beslutningstema|kompetence)$")


_DISTINCT = re.compile(r"\w{4,}")


def dev_pdf_results() -> list[Outcome]:
    """Kinds on the dev set laid out as PDFs (``render_dev_pdf``) and read back the way ingest
    reads a PDF (reader, page cleaner, title, genre, segmenter, kinds); each passage is expected
    to have the kind of the label it shares most words with (heading labels only when no other
    label shares any)."""
    import tempfile
    from collections import Counter as Bag

    from stratcompare.ingest.pdf import extract_pdf
    from stratcompare.ingest.pipeline import _title

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in dev_docs():
            path = Path(tmp) / (Path(doc.file).stem + ".pdf")
            render_dev_pdf(doc, path)
            ex = extract_pdf(path, ocr=False, max_pages=None, max_mb=None)
            title = _title(ex, path)
            genre = detect_genre(title, "\n\n".join(p.text or "" for p in ex.pages[:GENRE_PAGES]),
                                 "pdf", None)[0]
            segments = segment_pages(ex.pages, genre=genre)
            refine_kinds(segments, genre=genre)
            bags = [Bag(w.lower() for w in _DISTINCT.findall(lab[4])) for lab in doc.labels]
            for seg in segments:
                if seg.kind == "table":
                    continue
                words = Bag(w.lower() for w in _DISTINCT.findall(seg.text))
                # (shared words, -label index): on a tie the earlier label (a contents line
                # before the item heading it names)
                scores = [(sum((words & bag).values()), -i) for i, bag in enumerate(bags)]
                body = [x for x in scores if x[0] and doc.labels[-x[1]][3] != "heading"]
                best = max(body or [x for x in scores if x[0]] or [(0, 1)])
                if best[1] > 0:
                    continue
                out.append(Outcome(dev_part(doc.file) + "-pdf", doc.labels[-best[1]][3], seg.kind,
                                   f"{doc.file}: {' '.join(seg.text.split())[:140]}"))
    return out


def dev_report(markdown: bool = False) -> str:
    kinds, genres, years, dropped = dev_results()
    lines = ["Development set (tests/fixtures/kinds_dev, invented documents):", "",
             "| part | overall | " + " | ".join(KINDS) + " | genre | years |",
             "|" + "---|" * (len(KINDS) + 4)]
    parts = sorted({r.part for r in kinds + genres + years}, key=lambda p: int(p[3:] or 1))
    for part in parts:
        k = [r for r in kinds if r.part == part]
        pk = per_kind(k)
        lines.append(f"| {part} | {_pct(accuracy(k))} | "
                     + " | ".join(_pct(pk[x]) if x in pk else "–" for x in KINDS)
                     + f" | {_pct(accuracy([r for r in genres if r.part == part]))}"
                     + f" | {_pct(accuracy([r for r in years if r.part == part]))} |")
    lines += ["", f"Labels in no passage (dropped by the segmenter, such as page markers): "
              f"{dropped}."]
    text = "\n".join(lines)
    return text if markdown else text.replace("|", " ").replace(" ---", "")


def dev_errors() -> str:
    kinds, genres, years, _ = dev_results()
    return "\n".join(f"{name:5} {r.part:4} expected {r.expected:11} got {r.got:11} {r.where}"
                     for name, rows in (("kind", kinds), ("genre", genres), ("year", years))
                     for r in rows if not r.ok)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", choices=("tune", "test", "all", "dev"),
                    help="list the misses of a part")
    ap.add_argument("--markdown", action="store_true", help="print tables as markdown")
    ap.add_argument("--dev", action="store_true",
                    help="only the development set of tests/fixtures/kinds_dev")
    ap.add_argument("--part", choices=("tune", "test"),
                    help="print one part only (tune while rules are being changed)")
    ap.add_argument("--pdf", action="store_true",
                    help="with --dev: lay the dev texts out as PDFs and read them as ingest does")
    ap.add_argument("--wrap", type=int, default=0,
                    help="with --dev: re-wrap the dev texts at this width (PDF-like lines)")
    ap.add_argument("--year-reach", action="store_true",
                    help="per part, how many expected years the texts hold at all (counts only)")
    ap.add_argument("--model", metavar="NPZ",
                    help="the rules plus this model file (bench/kinds_model.py --train NPZ) "
                         "instead of the package's")
    ap.add_argument("--rules-only", action="store_true",
                    help="the rules alone, without the package's model (refine_kinds model=False)")
    args = ap.parse_args(argv)
    global refine_kinds
    if args.model:
        import kinds_model
        refine_kinds = kinds_model.with_model(refine_kinds, args.model)
    elif args.rules_only:
        refine_kinds = functools.partial(refine_kinds, model=False)
    if args.year_reach:
        for part, c in sorted(year_reach().items()):
            print(f"{part:5} " + ", ".join(f"{k} {v}" for k, v in c.items()))
        return 0
    global DEV_WRAP
    DEV_WRAP = args.wrap
    if args.pdf:
        rows = dev_pdf_results()
        for part in sorted({r.part for r in rows}):
            sub = [r for r in rows if r.part == part]
            pk = per_kind(sub)
            print(f"{part:9} {_pct(accuracy(sub))}  "
                  + "  ".join(f"{k} {_pct(pk[k])}" for k in KINDS if k in pk))
        if args.errors:
            print("\n".join(f"kind  {r.part:9} expected {r.expected:11} got {r.got:11} {r.where}"
                            for r in rows if not r.ok))
        return 0
    if args.dev or args.errors == "dev":
        print(dev_report(args.markdown))
        if args.errors:
            print()
            print(dev_errors())
        return 0
    print(report(args.markdown, (args.part,) if args.part else ("tune", "test")))
    if args.errors:
        print()
        print(errors(args.errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
