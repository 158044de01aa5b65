"""``stratcompare run``: the main job — ingest, embed, classify, report — in one command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from stratcompare.cli.app import DbOption, app, run
from stratcompare.cli.output import render


@app.command(
    "run",
    epilog="Example: stratcompare run corpus/ --db stratcompare.db --report report.html",
)
def run_command(
    paths: List[str] = typer.Argument(..., help="Files, folders or globs to ingest."),
    db: Optional[Path] = DbOption,
    report: Path = typer.Option(Path("report.html"), "--report", "-o", help="HTML report to write."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, max=64),
    ocr: bool = typer.Option(True, "--ocr/--no-ocr"),
    repair: bool = typer.Option(True, "--repair/--no-repair"),
    model: Optional[str] = typer.Option(None, "--model", help="Embedding model (default e5-small)."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", help="Your own codebook (TOML)."),
) -> None:
    """Ingest documents, embed and classify their passages, and write the comparison report.

    Prints what was ingested (one row per document) and where the report is.  Safe to rerun:
    unchanged files, passages and embeddings are not processed again.
    """
    from stratcompare.cli.inspect_cmd import list_documents
    from stratcompare.workflow import run_all

    summary = run(run_all, paths, db=db, report=report, jobs=jobs, ocr=ocr, repair=repair,
                  model=model, codebook=codebook, log=lambda m: typer.echo(m, err=True))
    for r in summary.ingest.failed:
        typer.echo(f"Error: {r.error}", err=True)
    for r in summary.ingest.results:  # damaged pages left out, OCR notes …: said as ingest says them
        for w in r.warnings if r.status in ("ingested", "replaced", "skipped") else ():
            typer.echo(f"Warning: {r.path}: {w}", err=True)
    if not Path(summary.ingest.db).exists():  # nothing ingestible: said above, no database made
        raise typer.Exit(summary.ingest.exit_code)
    docs = run(list_documents, db)
    typer.echo(f"\nDocuments in {summary.ingest.db}:")
    render(docs, "table", columns=["municipality", "confidence", "title", "genre", "year", "kind",
                                   "pages", "passages", "ocr_damage", "status"], max_width=60)
    typer.echo("\nThemes (share of each municipality's passages; drill down with "
               "`stratcompare compare --cell \"MUNICIPALITY:THEME\"`):")
    typer.echo(run(_theme_table, summary.ingest.db))
    ing = summary.ingest
    typer.echo(
        f"\n{ing.count('ingested') + ing.count('replaced') - len(ing.partial)} files ingested, "
        + (f"{len(ing.partial)} partial (damaged pages left out), " if ing.partial else "")
        + f"{ing.count('unchanged')} unchanged, {len(ing.failed)} failed; "
        f"{summary.embedded} passages embedded, {summary.classified} classified."
    )
    if summary.report:
        typer.echo(f"Report: {Path(summary.report).resolve()}")
    sys.stdout.flush()
    raise typer.Exit(ing.exit_code)


def _theme_table(db) -> str:
    from stratcompare.compare import theme_matrix
    from stratcompare.compare.export import matrix_table
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        return matrix_table(theme_matrix(store.conn))
