"""Build the bundled demo corpus from the five seed texts.

Why: the project ships a small, realistic corpus (born-digital PDFs with hyphenation and
running headers, an OCR-damaged PDF, a scanned image-only PDF, plain text and a web page) so
that ingest, repair and comparison can be exercised end to end without network access.

Usage (from the repository root):

    python corpus/build.py --seeds ../shared/seeds --out corpus/

It also copies the seed texts to tests/fixtures/seeds/ (gold text for word-error-rate tests).
Output is deterministic: running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import pdfgen  # noqa: E402  (tests/ is put on sys.path above)

METADATA_FIELDS = ["file", "municipality", "title", "year", "adopted", "kind", "source_seed", "notes"]
MUNICIPALITY_SEP = ";"

KOEGE_HEADER = "Køge Kommune · Strategier for indsatsen"
KOEGE_CHAPTERS = [
    "Indledning",
    "Kapacitets- og resursestrategi",
    "Samskabelsesstrategi",
    "Sammenhængs- og sagsbehandlingsstrategi",
    "Fælles faglige og økonomiske strategier",
]


def seed_file(seeds: Path, number: int) -> Path:
    """The seed text whose name starts with the three-digit ``number``."""
    hits = sorted(seeds.glob(f"{number:03d}_*.txt"))
    if not hits:
        raise SystemExit(f"error: {seeds}: no seed {number:03d}_*.txt")
    return hits[0]


def blocks(text: str) -> list[str]:
    """Blank-line separated blocks, trailing whitespace removed, empty ones dropped."""
    out = []
    for b in re.split(r"\n[ \t\u00a0]*\n", text):
        b = "\n".join(ln.rstrip() for ln in b.split("\n")).strip("\n")
        if b.strip():
            out.append(b)
    return out


# --------------------------------------------------------------------------- Køge (seed 001)


def koege_paragraphs(text: str) -> list:
    """Seed 001 as make_text_pdf items: cover, contents page, chapters on new pages."""
    bs = blocks(text)
    items: list = []
    cover_title, cover_sub = bs[0].strip(), bs[1].strip()
    items += [f"# {cover_sub}", "\f"]
    for b in bs[2:]:
        s = b.strip()
        if s == "Indhold":
            items.append(f"# {s}")
        elif s == "Strategi for børne- og voksenspecialområdet":
            items += ["\f", f"# {s}"]
        elif s in KOEGE_CHAPTERS:
            if s != "Indledning":
                items.append("\f")
            items.append(f"# {s}")
        else:
            items.append(b)
    return [cover_title, items]


def herning_paragraphs(text: str) -> list:
    """Seed 004: related-documents list in one column, slide transcript in two columns."""
    items: list = []
    for b in blocks(text):
        s = b.strip()
        if s.startswith("Relaterede dokumenter"):
            head, _, rest = s.partition("\n")
            items += [f"# {head}", rest]
        elif s == "Transkript:":
            items += [pdfgen.PageBreak(columns=2), f"# {s}"]
        else:
            items.append(b)
    return items


# --------------------------------------------------------------------------- Hjørring web page (seed 000)

HJ_H2 = {
    "Strategiens målgruppe",
    "Strategiens formål",
    "Strategiens fokus",
    "Strategiens tre spor",
    "Realisering af strategien",
    "Opfølgning og evaluering",
}
HJ_LINK_PREFIXES = ("Se animationsvideo", "Se med i videoen", "Læs detaljeret", "Gå til", "Formålspapir om")


HADERSLEV_START = "Møde i Haderslev Kommune den 14. september 2018"


def split_seed_003(text: str) -> tuple[str, str]:
    """Seed 003 = Holstebro notes + the start of Haderslev meeting notes: two documents."""
    i = text.index(HADERSLEV_START)
    return text[:i].rstrip() + "\n", text[i:].strip() + "\n"


def _slug(s: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
    return re.sub(r"[^a-z0-9]+", "-", s.lower().translate(table)).strip("-")


def hjoerring_html(text: str) -> str:
    """Seed 000 as a municipal web page with menu, breadcrumbs, cookie banner and footer."""
    bs = blocks(text)
    e = html.escape
    title = bs[0].strip()
    body: list[str] = [f"<h1>{e(title)}</h1>"]
    i = 1
    in_toc = False
    while i < len(bs):
        s = bs[i].strip()
        i += 1
        if s == "Indhold":
            body.append('<nav class="toc" aria-label="Indhold"><h2>Indhold</h2><ul>')
            in_toc = True
            continue
        if in_toc:
            body.append(f'<li><a href="#{_slug(s)}">{e(s)}</a></li>')
            if s == "Opfølgning og evaluering":
                body.append("</ul></nav>")
                in_toc = False
            continue
        if s in HJ_H2 or s == "Organisering og samarbejde":
            level = "h3" if s == "Organisering og samarbejde" else "h2"
            body.append(f'<{level} id="{_slug(s)}">{e(s)}</{level}>')
        elif s.startswith(HJ_LINK_PREFIXES):
            cls = "accordion-toggle" if s.startswith("Læs detaljeret") else "link"
            body.append(f'<p><a class="{cls}" href="#">{e(s)}</a></p>')
        elif "\n" in s and s.lstrip().startswith("•"):
            items = [ln.strip().lstrip("•").strip() for ln in s.split("\n") if ln.strip()]
            body.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in items) + "</ul>")
        elif "\n" in s:
            body.append("<p>" + "<br>\n".join(e(ln.strip()) for ln in s.split("\n")) + "</p>")
        elif len(s) <= 90 and not s.endswith((".", ":", "?", "!")):
            body.append(f"<h3>{e(s)}</h3>")
        else:
            body.append(f"<p>{e(s)}</p>")
    main = "\n      ".join(body)
    return f"""<!DOCTYPE html>
<html lang="da">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{e(title)} | Hjørring Kommune</title>
  <meta name="description" content="Hjørring Kommune har igangsat en forebyggelsesstrategi for det specialiserede socialområde.">
  <link rel="stylesheet" href="/dist/css/main.css">
  <style>.cookie-banner{{position:fixed;bottom:0}} .skip-link{{position:absolute;left:-999px}}</style>
  <script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body class="page-article">
  <a class="skip-link" href="#main">Gå til indhold</a>
  <div class="cookie-banner" role="dialog">
    <p>Hjørring Kommune bruger cookies til statistik og til at forbedre hjemmesiden. Du kan til enhver tid ændre dit samtykke.</p>
    <button type="button">Accepter alle</button> <button type="button">Kun nødvendige</button>
  </div>
  <header class="site-header">
    <a class="logo" href="/"><img src="/dist/img/logo.svg" alt="Hjørring Kommune"></a>
    <form class="search" action="/soeg"><input type="search" name="q" placeholder="Søg på hjoerring.dk"><button>Søg</button></form>
    <nav class="main-menu" aria-label="Hovedmenu">
      <ul>
        <li><a href="/borger">Borger</a></li>
        <li><a href="/erhverv">Erhverv</a></li>
        <li><a href="/politik">Politik og indflydelse</a></li>
        <li><a href="/om-kommunen">Om kommunen</a></li>
        <li><a href="/kontakt">Kontakt</a></li>
        <li><a href="/selvbetjening">Selvbetjening</a></li>
      </ul>
    </nav>
  </header>
  <nav class="breadcrumb" aria-label="Brødkrummer">
    <ol><li><a href="/">Forside</a></li><li><a href="/om-kommunen">Om kommunen</a></li><li><a href="/om-kommunen/politikker-og-strategier">Politikker og strategier</a></li><li>{e(title)}</li></ol>
  </nav>
  <main id="main">
    <article>
      {main}
    </article>
    <aside class="related">
      <h2>Se også</h2>
      <ul><li><a href="/politikker">Politikker og strategier</a></li><li><a href="/byraadet">Byrådet</a></li></ul>
    </aside>
    <p class="updated">Senest opdateret: 12. juni 2024</p>
  </main>
  <footer class="site-footer">
    <p>Hjørring Kommune · Springvandspladsen 5 · 9800 Hjørring</p>
    <p>Telefon: 72 33 33 33 · <a href="mailto:post@hjoerring.dk">post@hjoerring.dk</a></p>
    <ul><li><a href="/tilgaengelighed">Tilgængelighedserklæring</a></li><li><a href="/cookies">Cookies</a></li><li><a href="/persondata">Persondatapolitik</a></li></ul>
  </footer>
  <script src="/dist/js/main.js"></script>
</body>
</html>
"""


# --------------------------------------------------------------------------- metadata


def metadata_rows(seed_names: dict[int, str]) -> list[dict[str, str]]:
    """Ground truth for the corpus (municipalities joined with ';')."""
    return [
        {
            "file": "hjoerring-forebyggelsesstrategi.html",
            "municipality": "Hjørring",
            "title": "Forebyggelsesstrategi for det specialiserede socialområde",
            "year": "2023-2027",
            "adopted": "",
            "kind": "html",
            "source_seed": seed_names[0],
            "notes": "municipal web page; menu, breadcrumbs, cookie banner and footer are boilerplate",
        },
        {
            "file": "koege-strategier-for-indsatsen.pdf",
            "municipality": "Køge",
            "title": "Det specialiserede børne- og voksenområde – Strategier for indsatsen",
            "year": "",
            "adopted": "",
            "kind": "pdf",
            "source_seed": seed_names[1],
            "notes": "born-digital; running header, page numbers, hyphenated line ends, "
            "dot-leader contents; year not stated in the text",
        },
        {
            "file": "hjoerring-formaalspapir-2024.pdf",
            "municipality": "Hjørring",
            "title": "Formålspapir vedr. Hjørring Kommunes Forebyggelsesstrategi for det "
            "specialiserede socialområde",
            "year": "2024",
            "adopted": "2024-05-29",
            "kind": "pdf",
            "source_seed": seed_names[2],
            "notes": "OCR-damaged text layer kept exactly as in the seed (æ/ø/å misread), "
            "hard line breaks; approved by the city council 29 May 2024",
        },
        {
            "file": "holstebro-investeringsmodel.txt",
            "municipality": "Holstebro",
            "title": "Hvad betyder investeringsmodellen for Holstebro Kommune",
            "year": "2018",
            "adopted": "",
            "kind": "text",
            "source_seed": seed_names[3],
            "notes": "plain UTF-8 text with hyphenation remnants (gen-nemsnitlig, so-ciale); "
            "the Holstebro part of seed 003 (everything before the Haderslev meeting notes)",
        },
        {
            "file": "herning-herningmodellen.pdf",
            "municipality": "Herning",
            "title": "Herningmodellen",
            "year": "2016",
            "adopted": "",
            "kind": "pdf",
            "source_seed": seed_names[4],
            "notes": "born-digital; related-documents list in one column, slide transcript "
            "in two columns from 'Transkript:' on",
        },
        {
            "file": "scanned/haderslev-moede-2018-scan.pdf",
            "municipality": "Haderslev",
            "title": "Møde i Haderslev Kommune den 14. september 2018",
            "year": "2018",
            "adopted": "",
            "kind": "scanned_pdf",
            "source_seed": seed_names[3],
            "notes": "image-only scan (150 dpi, grey JPEG, no text layer) of the Haderslev "
            "meeting notes that end seed 003; no text of it appears in another corpus file",
        },
    ]


README = """# Bundled corpus

A small demo corpus of Danish municipal social-policy strategies, built from five public
texts published by the municipalities named below (Hjørring, Køge, Holstebro, Haderslev,
Herning).  Nothing here is an original file as published: only the text was kept, and the
layout (PDF pages, web page, scan) was re-created by `corpus/build.py`.

Licence note: the texts were published by the municipalities for public information.  They are
included only as test and demonstration material for this project; the rights stay with the
municipalities (Danish Copyright Act § 9 frees laws, decisions and similar official documents,
but strategy papers and slide notes may not fall under it).  The project's own licence (MIT)
covers `build.py` and the generated layout, not the texts.  Ask the municipality before
reusing a text elsewhere.

Ground truth is in `metadata.csv` (UTF-8, comma-separated, header row).  Columns:
`file` (relative to `corpus/`), `municipality` (several joined with `;`), `title`, `year`
(a single year or a range such as `2023-2027`; empty when the text states none), `adopted`
(ISO date when the text or its source states one), `kind` (`pdf` | `scanned_pdf` | `text` |
`html`), `source_seed` (seed text it was made from; copies in `tests/fixtures/seeds/`),
`notes`.

## Files

{table}

## How it was generated

    python corpus/build.py --seeds ../shared/seeds --out corpus/

The script uses `tests/pdfgen.py` (reportlab with `invariant=1`, pypdfium2 + Pillow for the
scan, fixed random seeds), so running it again gives byte-identical files.  It also copies the
seed texts to `tests/fixtures/seeds/`.  Seed 003 holds two documents — notes on Holstebro's
investment model and the start of meeting notes from Haderslev — so it is split in two: the
Holstebro part as text, the Haderslev part as the scanned PDF.  No text appears twice in the
corpus, so comparisons count every passage once.
"""


def write_readme(out: Path, rows: list[dict[str, str]]) -> None:
    lines = ["| file | municipality | kind | what it is |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['file']}` | {r['municipality']} | {r['kind']} | {r['title']} — {r['notes']} |")
    (out / "README.md").write_text(README.format(table="\n".join(lines)), encoding="utf-8")


# --------------------------------------------------------------------------- main


def build(seeds: Path, out: Path, fixtures: Path | None) -> list[Path]:
    """Write every corpus file; returns the paths written."""
    nums = range(5)
    paths = {n: seed_file(seeds, n) for n in nums}
    texts = {n: paths[n].read_text(encoding="utf-8") for n in nums}
    out.mkdir(parents=True, exist_ok=True)
    (out / "scanned").mkdir(exist_ok=True)
    written: list[Path] = []

    p = out / "hjoerring-formaalspapir-2024.pdf"
    pdfgen.make_hardwrapped_pdf(p, texts[2])
    written.append(p)

    p = out / "koege-strategier-for-indsatsen.pdf"
    cover_title, items = koege_paragraphs(texts[1])
    pdfgen.make_text_pdf(
        p, items, title=cover_title, running_header=KOEGE_HEADER, author="Køge Kommune"
    )
    written.append(p)

    p = out / "herning-herningmodellen.pdf"
    pdfgen.make_text_pdf(
        p,
        herning_paragraphs(texts[4]),
        title="Herningmodellen",
        running_header="Herning Kommune · Børn og Unge · Herningmodellen",
        page_label="{n}",
        author="Herning Kommune",
    )
    written.append(p)

    holstebro, haderslev = split_seed_003(texts[3])
    p = out / "holstebro-investeringsmodel.txt"
    p.write_text(holstebro, encoding="utf-8")
    written.append(p)

    p = out / "hjoerring-forebyggelsesstrategi.html"
    p.write_text(hjoerring_html(texts[0]), encoding="utf-8")
    written.append(p)

    p = out / "scanned" / "haderslev-moede-2018-scan.pdf"
    heading, *body = blocks(haderslev)
    pdfgen.make_scanned_pdf(
        p,
        ["# " + heading, *body],
        dpi=150,
        font_size=11,
    )
    written.append(p)

    rows = metadata_rows({n: paths[n].name for n in nums})
    with open(out / "metadata.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=METADATA_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    write_readme(out, rows)
    written += [out / "metadata.csv", out / "README.md"]

    if fixtures is not None:
        fixtures.mkdir(parents=True, exist_ok=True)
        for n in nums:
            shutil.copyfile(paths[n], fixtures / paths[n].name)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=Path, required=True, help="folder with the seed .txt files")
    ap.add_argument("--out", type=Path, default=REPO / "corpus", help="output folder (corpus/)")
    ap.add_argument(
        "--fixtures",
        type=Path,
        default=REPO / "tests" / "fixtures" / "seeds",
        help="where to copy the seed texts for tests ('' to skip)",
    )
    args = ap.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"error: {args.seeds}: not a folder", file=sys.stderr)
        return 2
    fixtures = args.fixtures if str(args.fixtures) not in ("", ".") else None
    for p in build(args.seeds, args.out, fixtures):
        print(f"{p.stat().st_size:>9}  {p}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
