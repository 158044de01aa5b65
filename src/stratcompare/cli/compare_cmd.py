"""``stratcompare compare`` and ``stratcompare report``: thin shells over
:mod:`stratcompare.compare` and :func:`stratcompare.report.build_report`."""

from __future__ import annotations

import shutil
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from stratcompare.cli.app import DbOption, app, fail, output_file, run
from stratcompare.cli.output import render
from stratcompare.errors import NotFoundError


class MatrixKind(str, Enum):
    themes = "themes"
    similarity = "similarity"
    cooccurrence = "cooccurrence"


class Normalise(str, Enum):
    share = "share"
    count = "count"
    score = "score"


class Basis(str, Enum):
    themes = "themes"
    embeddings = "embeddings"


class CompareFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"
    xlsx = "xlsx"


CodebookOption = typer.Option(
    None, "--codebook", help="Codebook TOML file or stored codebook id (default: the bundled one).")
GenreOption = typer.Option(None, "--genre",
                           help="Only documents of this genre: strategy, minutes, news, other.")
ModelOption = typer.Option(
    None, "--model", help="Embedding model id stored in the database (default: the most used).")

_CELL_COLUMNS = ["municipality", "document", "genre", "year", "page", "section", "kind",
                 "probability", "themes", "text"]
_PAIR_COLUMNS = ["similarity", "a_municipality", "a_document", "a_page", "a_text",
                 "b_municipality", "b_document", "b_page", "b_text", "shared_themes"]


def _open(db: Optional[Path]):
    from stratcompare.store import Store

    return run(Store.open, db, create=False)


@app.command(
    epilog='Example: stratcompare compare --format csv -o themes.csv',
)
def compare(
    db: Optional[Path] = DbOption,
    matrix: MatrixKind = typer.Option(MatrixKind.themes, "--matrix", "-m",
                                      help="municipality × theme, municipality × municipality "
                                           "similarity, or theme × theme co-occurrence."),
    normalise: Normalise = typer.Option(
        Normalise.share, "--normalise", "-n",
        help="themes matrix: share of the municipality's passages, count of passages, or "
             "score = mean theme probability."),
    basis: Basis = typer.Option(Basis.themes, "--basis",
                                help="similarity matrix: cosine of theme profiles or of mean "
                                     "passage embeddings."),
    model: Optional[str] = ModelOption,
    codebook: Optional[str] = CodebookOption,
    fmt: CompareFormat = typer.Option(CompareFormat.table, "--format", "-f",
                                      help="Output format (xlsx needs -o)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file."),
    cell: Optional[str] = typer.Option(
        None, "--cell",
        help='List the passages behind one cell: "Køge:housing_first", "Køge:Herning" '
             '(most similar passage pairs) or "housing_first:early_intervention".'),
    limit: Optional[int] = typer.Option(None, "--limit", min=1,
                                        help="--cell: at most this many passages (pairs: 10)."),
    genre: Optional[str] = GenreOption,
    all_kinds: bool = typer.Option(False, "--all-kinds",
                                   help="Count headings, contents lines, minutes' formalities "
                                        "and boilerplate too (default: substantive passages)."),
) -> None:
    """Compare municipalities: theme matrix, similarity matrix, theme co-occurrence.

    Every number can be traced to passages with --cell ROW:COLUMN, e.g.
    --cell "Køge:housing_first".  CSV has one row per municipality (first column
    `municipality`, then one column per theme id); JSON is a plain list of records.
    """
    from stratcompare import compare as api

    from stratcompare.cli.inspect_cmd import require_passages

    store = _open(db)
    try:
        run(require_passages, store.conn, store.path)
        if cell:
            result = run(api.cell_passages, store.conn, cell, codebook=codebook, model=model,
                         basis=basis.value if matrix == MatrixKind.similarity else None,
                         limit=limit, normalise=normalise.value, genre=genre,
                         all_kinds=all_kinds)
            _emit_cell(result, fmt, output, store.conn)
            return
        m = run(api.matrix, store.conn, matrix.value, normalise=normalise.value,
                basis=basis.value, model=model, codebook=codebook, genre=genre,
                all_kinds=all_kinds)
        if m.notes:
            err = NotFoundError(
                m.notes[0], path=str(store.path),
                hint="run `stratcompare embed` first" if "embedding" in m.notes[0]
                else "run `stratcompare classify` first")
            raise fail(err)
        _emit_matrix(m, fmt, output)
    finally:
        store.close()


def _describe(m) -> str:
    what = {
        ("themes", "share"): "share of each municipality's passages carrying the theme",
        ("themes", "count"): "number of each municipality's passages carrying the theme",
        ("themes", "score"): "mean theme probability over each municipality's passages",
        ("cooccurrence", "count"): "passages carrying both themes (diagonal: the theme at all)",
    }.get((m.kind, m.measure), f"cosine similarity of {m.basis}")
    extra = f"; codebook {m.codebook}" if m.codebook else ""
    extra += f"; model {m.model}" if m.model else ""
    return f"{m.kind} matrix: {what}{extra}. Drill down with --cell \"ROW:COLUMN\"."


def _emit_matrix(m, fmt: CompareFormat, output: Optional[Path]) -> None:
    from stratcompare.compare.export import matrix_table, records_markdown, write_xlsx

    records = m.records()
    columns = [m.row_name] + list(m.cols)
    if fmt == CompareFormat.xlsx:
        sheets = [(m.kind, columns, records)]
        if m.kind != "similarity" and m.labels:
            sheets.append(("themes", ["theme", "label"],
                           [{"theme": t, "label": m.label(t)} for t in m.cols]))
        run(write_xlsx, output, sheets)
        typer.echo(f"Wrote {output}", err=True)
        return
    with output_file(output) as out:
        if fmt == CompareFormat.table:
            width = shutil.get_terminal_size((100, 24)).columns
            out.write(matrix_table(m, width=width))
            typer.echo(_describe(m), err=True)
        elif fmt == CompareFormat.md:
            out.write(records_markdown(records, columns))
        else:
            render(records, fmt.value, columns=columns, out=out)


def _emit_cell(result, fmt: CompareFormat, output: Optional[Path], conn=None) -> None:
    from stratcompare.compare.export import records_markdown, write_xlsx

    records = result.records()
    if result.kind != "similarity" and conn is not None:
        from stratcompare.cli.search_cmd import _add_genre_kind

        _add_genre_kind(conn, records)   # a minutes' line weighs unlike a strategy's
    columns = _PAIR_COLUMNS if result.kind == "similarity" else _CELL_COLUMNS
    if result.kind != "similarity":
        columns = columns + ["passage_id", "document_id"]
    else:
        columns = columns + ["a_passage_id", "b_passage_id", "a_document_id", "b_document_id"]
    if fmt == CompareFormat.xlsx:
        run(write_xlsx, output, [("passages", columns, records)], heat=False)
        typer.echo(f"Wrote {output}", err=True)
        return
    with output_file(output) as out:
        if fmt == CompareFormat.table:
            shown = [c for c in columns
                     if not c.endswith(("passage_id", "document_id", "year", "section"))]
            render(records, "table", columns=shown, out=out,
                   max_width=40 if result.kind == "similarity" else 60)
        elif fmt == CompareFormat.md:
            out.write(records_markdown(records, columns))
        else:
            render(records, fmt.value, columns=columns, out=out)
    if result.kind == "themes":
        share = f" ({100 * result.count / result.total:.0f}% of {_n(result.total, 'passage')})" \
            if result.total else ""
        typer.echo(f"{result.cell}: {_n(result.count, 'passage')}{share}", err=True)
    elif result.kind == "cooccurrence":
        verb = "carries" if result.count == 1 else "carry"
        typer.echo(f"{result.cell}: {_n(result.count, 'passage')} {verb} both themes", err=True)
    else:
        typer.echo(f"{result.cell}: {result.count} most similar passage pairs "
                   f"(by {result.basis})", err=True)


def _n(count: int, noun: str) -> str:
    """'1 passage', '2 passages'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@app.command(epilog="Example: stratcompare report --db stratcompare.db -o report.html")
def report(
    db: Optional[Path] = DbOption,
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    model: Optional[str] = ModelOption,
    codebook: Optional[str] = CodebookOption,
    genre: Optional[str] = GenreOption,
) -> None:
    """Write one self-contained HTML report: corpus overview, heatmaps of the theme,
    similarity and co-occurrence matrices, top passages per theme and municipality, and similar
    initiatives across municipalities.  Opens offline in any browser.
    """
    from stratcompare.report import build_report

    store = _open(db)
    try:
        path = run(build_report, store.conn, output, codebook=codebook, model=model, genre=genre)
    finally:
        store.close()
    size = Path(path).stat().st_size
    typer.echo(f"Wrote {path} ({size / 1024:.0f} KB)", err=True)
