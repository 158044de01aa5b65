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
            with pdfplumber.open(pdf) as doc:
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
    elif variant == "extract_pdf":
        from stratcompare.ingest.pdf import extract_pdf

        def work() -> int:
            return len(extract_pdf(pdf).pages)
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
            report = ingest_paths([pdf], db=os.path.join(tmpdir, "bench.db"), **kwargs)
            results = getattr(report, "results", [])
            failed = [r for r in results if getattr(r, "status", "") == "failed"]
            if failed:
                raise SystemExit(f"ingest failed: {failed}")
            import pypdfium2 as pdfium

            return len(pdfium.PdfDocument(pdf))
    else:
        raise SystemExit(f"unknown variant {variant}")
    base = _rss_mb()
    t0 = time.perf_counter()
    pages = work()
    seconds = time.perf_counter() - t0
    return {"pages": pages, "seconds": seconds, "peak_rss_mb": _rss_mb(), "base_rss_mb": base}


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
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "PDF"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_variant(*args.child)))
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


if __name__ == "__main__":
    main()
