"""Ingestion benchmark: pages/second and peak memory of PDF text extraction, same run.

Generates a two-column PDF with running headers, page numbers and line-end hyphenation
(tests/pdfgen.py) at 50 and 200 pages, then runs each variant in its own subprocess so
that peak RSS is that variant's alone:

* ``pdfplumber``      raw ``page.extract_text()`` over ``pdf.pages`` (no clean-up)
* ``pdfplumber+close`` the same with ``page.close()`` after each page (flat memory)
* ``pypdfium2``       raw ``textpage.get_text_range()`` (no order/header/hyphen fixes)
* ``extract_pdf``     stratcompare's extractor: reading order, headers, hyphenation, reflow
* ``ingest_paths``    full stratcompare ingestion into a fresh SQLite file, no OCR repair and
                      no embeddings (skipped with a note when the API is missing)

Usage:  python bench/ingest.py [--pages 50,200] [--variants ...] [--markdown]

``--tables`` measures what the table finder (stratcompare.ingest.tables) costs instead, all
ratios from the same run: a text-only two-column PDF (``--text-pages``, 133), a table-heavy
PDF (the five built tables of tests/pdfgen.make_table_pdf repeated, one table a page) and the
real PDFs in corpus/real/pdfs, each read by pdfplumber ``extract_text`` (+ ``page.close()``),
by ``extract_pdf`` with and without the table finder, and by ``ingest_paths``.  It also prints
the cell accuracy on the built tables and the tables found per real PDF (tune/test part).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
VARIANTS = ["pdfplumber", "pdfplumber+close", "pypdfium2", "extract_pdf", "ingest_paths"]
HEADER = "Køge Kommune · Det specialiserede børne- og voksenområde · Strategier 2023-2026"


def make_pdf(path: Path, pages: int) -> None:
    """A `pages`-page two-column PDF from the bundled seed texts (repeated as needed)."""
    sys.path.insert(0, str(TESTS))
    import pdfgen
    import pypdfium2 as pdfium

    paras: list[str] = []
    for seed in sorted((TESTS / "fixtures" / "seeds").glob("*.txt")):
        text = seed.read_text("utf-8")
        paras += [" ".join(p.split()) for p in text.split("\n\n") if len(p.split()) >= 8]
    words_per_page = 750
    need = pages * words_per_page
    have = sum(len(p.split()) for p in paras)
    big = paras * (need // max(have, 1) + 2)
    tmp = path.with_suffix(".full.pdf")
    pdfgen.make_two_column_pdf(tmp, big, running_header=HEADER, hyphen_share=0.6)
    src = pdfium.PdfDocument(str(tmp))
    if len(src) < pages:
        raise SystemExit(f"generated only {len(src)} pages, need {pages}")
    out = pdfium.PdfDocument.new()
    out.import_pages(src, list(range(pages)))
    out.save(str(path))
    out.close()
    src.close()
    tmp.unlink()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_variant(variant: str, pdf: str) -> dict:
    """Child-process body: import, note baseline peak RSS, run, report time and peak RSS."""
    if variant in ("pdfplumber", "pdfplumber+close"):
        import pdfplumber

        close_pages = variant == "pdfplumber+close"

        def work() -> int:
            n = 0
            for one in pdf.split(os.pathsep):
                with pdfplumber.open(one) as doc:
                    for page in doc.pages:
                        page.extract_text()
                        if close_pages:
                            page.close()  # drops the page's cached objects: memory stays flat
                        n += 1
            return n
    elif variant == "pypdfium2":
        import pypdfium2 as pdfium

        def work() -> int:
            doc = pdfium.PdfDocument(pdf)
            n = len(doc)
            for i in range(n):
                page = doc[i]
                textpage = page.get_textpage()
                textpage.get_text_range()
                textpage.close()
                page.close()
            doc.close()
            return n
    elif variant in ("extract_pdf", "extract_pdf-notables"):
        from stratcompare.ingest import tables as tables_mod
        from stratcompare.ingest.pdf import extract_pdf

        if variant == "extract_pdf-notables":
            tables_mod.TableFinder.find = lambda self, page, index, segs: None
        checked = [0]
        plumber_page = tables_mod.TableFinder._plumber_page

        def counting(self, index):
            checked[0] += 1
            return plumber_page(self, index)

        tables_mod.TableFinder._plumber_page = counting
        found = [0]

        def work() -> int:
            n = 0
            for one in pdf.split(os.pathsep):
                doc = extract_pdf(one, ocr=False)
                n += len(doc.pages)
                found[0] += sum(len(p.tables) for p in doc.pages)
            return n
    elif variant == "ingest_paths":
        try:
            from stratcompare.ingest import ingest_paths
        except ImportError:
            return {"skipped": "stratcompare.ingest.ingest_paths not available yet"}
        kwargs = {"repair": False}
        if "embed" in inspect.signature(ingest_paths).parameters:
            kwargs["embed"] = False
        tmpdir = tempfile.mkdtemp()

        def work() -> int:
            files = pdf.split(os.pathsep)
            report = ingest_paths(files, db=os.path.join(tmpdir, "bench.db"), **kwargs)
            results = getattr(report, "results", [])
            failed = [r for r in results if getattr(r, "status", "") == "failed"]
            if failed:
                raise SystemExit(f"ingest failed: {failed}")
            import pypdfium2 as pdfium

            return sum(len(pdfium.PdfDocument(one)) for one in files)
    else:
        raise SystemExit(f"unknown variant {variant}")
    base = _rss_mb()
    t0 = time.perf_counter()
    pages = work()
    seconds = time.perf_counter() - t0
    out = {"pages": pages, "seconds": seconds, "peak_rss_mb": _rss_mb(), "base_rss_mb": base}
    if variant.startswith("extract_pdf"):
        out.update(tables=found[0], pdfplumber_pages=checked[0])
    return out


def measure(variant: str, pdf: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    proc = subprocess.run([sys.executable, __file__, "--child", variant, str(pdf)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", default="50,200", help="page counts to measure (comma list)")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--tables", action="store_true", help="table-finder cost and accuracy")
    ap.add_argument("--text-pages", type=int, default=133, help="text-only PDF size (--tables)")
    ap.add_argument("--table-pages", type=int, default=50, help="table PDF size (--tables)")
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "PDF"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_variant(*args.child)))
        return
    if args.tables:
        tables_main(args.text_pages, args.table_pages)
        return
    sizes = [int(x) for x in args.pages.split(",")]
    variants = args.variants.split(",")
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as td:
        pdfs = {}
        for n in sizes:
            pdfs[n] = Path(td) / f"bench-{n}.pdf"
            t0 = time.perf_counter()
            make_pdf(pdfs[n], n)
            print(f"generated {n}-page two-column PDF ({pdfs[n].stat().st_size / 1e6:.1f} MB) "
                  f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        for variant in variants:
            for n in sizes:
                results[variant, n] = r = measure(variant, pdfs[n])
                print(f"{variant:>13} {n:>4} pages: {r}", file=sys.stderr)
    big = max(sizes)
    base = results.get(("pdfplumber", big), {})
    base_rate = base["pages"] / base["seconds"] if "seconds" in base else None
    print(f"| variant | pages/s ({big} pages) | × pdfplumber | "
          + " | ".join(f"peak RSS MB @{n} (Δ over imports)" for n in sizes) + " |")
    print("|---|---:|---:|" + "---:|" * len(sizes))
    for variant in variants:
        r = results[variant, big]
        if "skipped" in r or "error" in r:
            print(f"| {variant} | {r.get('skipped') or r.get('error')} | | " + " | " * (len(sizes) - 1) + " |")
            continue
        rate = r["pages"] / r["seconds"]
        ratio = f"{rate / base_rate:.1f}×" if base_rate else "–"
        mems = []
        for n in sizes:
            m = results[variant, n]
            mems.append(f"{m['peak_rss_mb']:.0f} (+{m['peak_rss_mb'] - m['base_rss_mb']:.0f})"
                        if "peak_rss_mb" in m else "–")
        print(f"| {variant} | {rate:.1f} | {ratio} | " + " | ".join(mems) + " |")


TABLE_VARIANTS = ["pdfplumber+close", "extract_pdf", "extract_pdf-notables", "ingest_paths"]


def make_table_heavy_pdf(path: Path, pages: int) -> list[dict]:
    """tests/pdfgen.make_table_pdf's five one-table pages, repeated to `pages` pages."""
    sys.path.insert(0, str(TESTS))
    import pdfgen
    import pypdfium2 as pdfium

    one = path.with_suffix(".one.pdf")
    truth = pdfgen.make_table_pdf(one)
    src = pdfium.PdfDocument(str(one))
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        out.import_pages(src, list(range(min(len(src), pages - len(out)))))
    out.save(str(path))
    out.close()
    src.close()
    one.unlink()
    return truth


def cell_accuracy(found: list[list[str]], truth: list[list[str]]) -> float:
    total = sum(len(r) for r in truth)
    hits = sum(1 for i, row in enumerate(truth) for j, cell in enumerate(row)
               if i < len(found) and j < len(found[i]) and found[i][j] == cell)
    return hits / total


def table_quality() -> None:
    """Cell accuracy on the built tables; tables found per real PDF, by tune/test part."""
    sys.path.insert(0, str(TESTS))
    sys.path.insert(0, str(REPO / "src"))
    import pdfgen
    from stratcompare.ingest.pdf import extract_pdf
    from stratcompare.segment.tables import table_segments

    print("\n| built table | pages | tables found | cells right |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as td:
        path = Path(td) / "t.pdf"
        truth = pdfgen.make_table_pdf(path)
        doc = extract_pdf(path, ocr=False)
        built = [(t["name"], doc.pages[t["page"] - 1].tables, t["rows"]) for t in truth]
        for rotation in (90, 270):
            rpath = Path(td) / f"r{rotation}.pdf"
            rows = pdfgen.make_rotated_table_pdf(rpath, rotation)
            built.append((f"rotated {rotation}", extract_pdf(rpath, ocr=False).pages[0].tables,
                          rows))
        for name, found, rows in built:
            acc = cell_accuracy(found[0].rows, rows) if found else 0.0
            print(f"| {name} | 1 | {len(found)} | {acc:.1%} |")
    parts = {}
    split = REPO / "corpus" / "real" / "split.tsv"
    for line in split.read_text("utf-8").splitlines():
        if line and not line.startswith(("#", "municipality")):
            name, part = line.split("\t")[:2]
            parts[name] = part
    print("\n| real PDF | part | pages | tables | table passages (rows x columns, first row) |")
    print("|---|---|---:|---:|---|")
    for pdf in sorted((REPO / "corpus" / "real" / "pdfs").glob("*.pdf")):
        doc = extract_pdf(pdf, ocr=False)
        segs = [s for p in doc.pages for s in table_segments(p, 0)]
        shown = "; ".join(f"p{s.page} {len(s.cells)}x{len(s.cells[0])} "
                          f"«{s.text.splitlines()[0][:60]}»" for s in segs)
        municipality = pdf.name.split("_")[1]
        print(f"| {pdf.name[:45]} | {parts.get(municipality, '?')} | {len(doc.pages)} | "
              f"{sum(len(p.tables) for p in doc.pages)} | {shown} |")


def tables_main(text_pages: int, table_pages: int) -> None:
    real = sorted((REPO / "corpus" / "real" / "pdfs").glob("*.pdf"))
    with tempfile.TemporaryDirectory() as td:
        text_pdf = Path(td) / "text.pdf"
        make_pdf(text_pdf, text_pages)
        table_pdf = Path(td) / "tables.pdf"
        make_table_heavy_pdf(table_pdf, table_pages)
        inputs = [(f"text-only two-column, {text_pages} p", str(text_pdf)),
                  (f"table-heavy (one table a page), {table_pages} p", str(table_pdf)),
                  (f"real PDFs ({len(real)} files)", os.pathsep.join(str(p) for p in real))]
        results = {}
        for label, pdf in inputs:
            for variant in TABLE_VARIANTS:
                results[label, variant] = r = measure(variant, pdf)
                print(f"{label:>40} {variant:>20}: {r}", file=sys.stderr)
    print("| PDF | pages | pdfplumber s | extract_pdf s (×pdfplumber) | without table finder s "
          "(×) | ingest_paths s (×) | pages given to pdfplumber | tables |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, _ in inputs:
        base = results[label, "pdfplumber+close"]
        cells = []
        for variant in TABLE_VARIANTS[1:]:
            r = results[label, variant]
            if "seconds" not in r:
                cells.append(r.get("skipped") or r.get("error") or "–")
                continue
            ratio = r["seconds"] / base["seconds"] if "seconds" in base else float("nan")
            cells.append(f"{r['seconds']:.2f} ({ratio:.2f}×)")
        ex = results[label, "extract_pdf"]
        print(f"| {label} | {base.get('pages', '–')} | {base.get('seconds', float('nan')):.2f} | "
              + " | ".join(cells)
              + f" | {ex.get('pdfplumber_pages', '–')} | {ex.get('tables', '–')} |")
    table_quality()


if __name__ == "__main__":
    main()
