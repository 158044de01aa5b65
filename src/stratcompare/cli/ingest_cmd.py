"""``stratcompare ingest``: a thin shell over :func:`stratcompare.ingest.ingest_paths`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from stratcompare.cli.app import DbOption, Format, app, run
from stratcompare.cli.output import render


@app.command(
    epilog="Example: stratcompare ingest corpus/ --db stratcompare.db --jobs 2",
)
def ingest(
    paths: List[str] = typer.Argument(..., help="Files, folders (searched recursively) or globs."),
    db: Optional[Path] = DbOption,
    municipality: Optional[str] = typer.Option(
        None, "--municipality", "-m", help="Set the municipality of every document (no detection; kept when a file is read again)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, max=64, help="Parallel worker processes."),
    ocr: bool = typer.Option(True, "--ocr/--no-ocr", help="OCR pages that have no text layer."),
    repair: bool = typer.Option(True, "--repair/--no-repair", help="Repair Danish OCR errors."),
    max_pages: int = typer.Option(2000, "--max-pages", min=1, help="Refuse PDFs with more pages."),
    max_mb: float = typer.Option(200.0, "--max-mb", min=0.001, help="Refuse files larger than this."),
    force: bool = typer.Option(False, "--force", help="Re-read files even when unchanged."),
    genre: Optional[str] = typer.Option(
        None, "--genre", help="Set the genre of every document: strategy, minutes, news, other "
        "(no detection; kept when a file is read again)."),
    reocr: str = typer.Option(
        "auto", "--reocr", help="Read a PDF page's image again with Danish OCR: auto (when its "
        "text layer looks damaged), always, never."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary table."),
    format: Format = typer.Option(
        Format.table, "--format", "-f", help="table: a summary on stderr; json, jsonl or csv: "
        "one record per file on stdout (path, status, error, pages, passages, ...)."),
) -> None:
    """Ingest strategy documents (PDF, scanned PDF, .txt/.md, .html, .jsonl) into the corpus.

    Unchanged files are skipped; changed files replace their old version; a bad file is
    reported on one line and the batch goes on.  A damaged PDF of which only some pages could
    be read is stored with those pages and listed as 'partial'.  Exits non-zero when any file
    failed or was stored in part.  --format json gives one record per file, status one of
    ingested, replaced, unchanged, duplicate, skipped, partial, failed.
    """
    from stratcompare.ingest import ingest_paths

    machine = format != Format.table
    with _progress(quiet) as progress:
        report = run(ingest_paths, paths, db=db, municipality=municipality, jobs=jobs, ocr=ocr,
                     repair=repair, max_pages=max_pages, max_mb=max_mb, force=force,
                     progress=progress, genre=genre, reocr=reocr)
    for r in report.failed:
        typer.echo(f"Error: {r.error}", err=True)
    for r in report.results:
        for w in r.warnings if r.status in ("ingested", "replaced", "skipped") else ():
            typer.echo(f"Warning: {r.path}: {w}", err=True)
    if machine:
        render([file_record(r) for r in report.results], format)
    if not quiet:
        rows = [
            {"file": _short(r.path), "status": r.outcome, "municipality": r.municipality,
             "pages": r.pages, "passages": r.passages,
             "note": r.error_kind if r.status == "failed" else "; ".join(r.warnings)}
            for r in report.results
        ]
        if not machine:
            render(rows, "table", out=sys.stderr, max_width=70)
        partial = len(report.partial)
        replaced = sum(1 for r in report.results if r.outcome == "replaced")
        typer.echo(
            f"{report.count('ingested') + report.count('replaced') - partial} ingested "
            f"({replaced} replaced), "
            + (f"{partial} partial (damaged pages left out), " if partial else "")
            + f"{report.count('unchanged')} unchanged, "
            f"{report.count('duplicate')} duplicate, {len(report.failed)} failed -> "
            f"{report.db if Path(report.db).exists() else 'no database written'}",
            err=True,
        )
    raise typer.Exit(report.exit_code)


def file_record(r) -> dict:
    """One file's outcome as a plain record (``ingest --format json``)."""
    return {"path": r.path, "status": r.outcome, "error": r.error, "error_kind": r.error_kind,
            "pages": r.pages, "passages": r.passages, "damaged_pages": r.damaged_pages,
            "municipality": r.municipality, "warnings": r.warnings}


def _short(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


class _progress:
    """A files + pages progress bar on stderr (rich), silent when quiet or not a terminal."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), transient=True)
        self.bar.start()
        self.files = self.bar.add_task("files", total=None)
        self.pages = self.bar.add_task("pages", total=None)
        return self.update

    def update(self, event: str, n: int) -> None:
        if event == "total":
            self.bar.update(self.files, total=n)
        elif event == "file":
            self.bar.advance(self.files, n)
        elif event == "pages":
            self.bar.advance(self.pages, n)
        elif event.startswith("start:"):
            self.bar.update(self.files, description=f"files ({event[6:][:30]})")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
