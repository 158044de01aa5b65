"""``search``, ``similar`` and ``embed``: find initiatives across the corpus."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from stratcompare.cli.app import DbOption, Format, FormatOption, OutputOption, app, output_file, run
from stratcompare.cli.output import render

TABLE_COLUMNS = ["rank", "strength", "municipality", "document", "genre", "year", "page", "kind",
                 "passage_id", "text"]
RECORD_COLUMNS = ["rank", "passage_id", "municipality", "document", "document_id", "genre", "year",
                  "page", "section", "kind", "score", "strength", "weak", "also_in", "text",
                  "highlighted"]
SIMILAR_COLUMNS = ["rank", "similarity", "passage_id", "municipality", "document", "document_id",
                   "genre", "year", "page", "section", "kind", "also_in", "text", "highlighted"]


class Mode(str, Enum):
    hybrid = "hybrid"
    dense = "dense"
    lexical = "lexical"


ModelOption = typer.Option(
    None, "--model", envvar="STRATCOMPARE_MODEL", show_default=False,
    help="Embedding model: e5-small (default, offline), hashing (fast, lower quality), or a "
         "sentence-transformers folder / hub name (hub names need internet).",
)


def _snippet(marked: str, width: int = 110) -> str:
    """Table view: the passage around its first highlighted word."""
    text = " ".join(marked.split())
    at = text.find("«")
    start = max(0, at - 30) if at > 0 else 0
    if start:   # begin at a word, not inside one ("…otivationsstøtte")
        space = text.find(" ", start, at)
        start = space + 1 if space != -1 else at
    end = start + width
    if end < len(text):   # and end after a word
        space = text.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    out = ("…" if start else "") + text[start:end].rstrip(" ,;:")
    return out + ("…" if end < len(text) else "")


def _check_theme(conn, theme: Optional[str]) -> Optional[str]:
    """The theme id for ``--theme``: an id, a label ("Housing First og bolig") or the compare
    table's column code ("T1"), as ``compare --cell`` takes them."""
    from stratcompare.errors import UsageError

    if not theme:
        return None

    def stored(t: str) -> bool:
        return conn.execute("SELECT 1 FROM passage_themes WHERE theme = ? LIMIT 1", (t,)).fetchone() is not None

    if stored(theme):
        return theme
    from stratcompare.compare.cells import _resolve_theme
    from stratcompare.compare.themes import load_themes
    from stratcompare.errors import StratcompareError

    try:
        resolved = _resolve_theme(theme, load_themes(conn))
    except StratcompareError:   # no codebook to resolve with: the id check below says what is known
        resolved = None
    if resolved and stored(resolved):
        return resolved
    known = [r[0] for r in conn.execute("SELECT DISTINCT theme FROM passage_themes ORDER BY theme")]
    hint = ("known: " + ", ".join(known)) if known else "no passage has themes yet; run the classifier first"
    raise UsageError(f"no passage carries theme {theme!r}", hint=hint)


def _municipalities(conn, municipality, exclude):
    """``-m``/``-x`` through the one municipality resolver (as ``ingest`` and ``passages`` do).
    Excluding a real municipality that has no documents excludes nothing; a typo is refused."""
    from stratcompare.cli.inspect_cmd import corpus_municipality
    from stratcompare.errors import UsageError

    if municipality:
        municipality = corpus_municipality(conn, municipality)
    if exclude:
        try:
            exclude = corpus_municipality(conn, exclude)
        except UsageError as exc:
            if "unknown" in exc.detail:
                raise
    return municipality, exclude


def search_records(db, query, top_k, municipality, exclude_municipality, theme, year, mode, model, **options) -> list[dict]:
    """The API behind ``stratcompare search``: one dict per hit."""
    return search_report(db, query, top_k, municipality, exclude_municipality, theme, year, mode, model, **options)["hits"]


def search_report(db, query, top_k, municipality, exclude_municipality, theme, year, mode, model,
                  genre=None, all_kinds=False, per_document=None) -> dict:
    """Hits plus the verdict: {"hits", "weak", "message", "hint", "query_used"}."""
    from stratcompare.embed import get_encoder
    from stratcompare.search.api import SUBSTANTIVE_KINDS, search_result
    from stratcompare.store import Store

    from stratcompare.cli.inspect_cmd import require_passages

    with Store.open(db, create=False) as store:
        require_passages(store.conn, store.path)
        if genre:   # a database without genres, or a genre no document has: said, not "no hits"
            from stratcompare.compare.corpus import corpus_genre

            genre = corpus_genre(store.conn, genre)
        theme = _check_theme(store.conn, theme)
        municipality, exclude_municipality = _municipalities(store.conn, municipality, exclude_municipality)
        encoder = get_encoder(model) if mode != "lexical" else None
        result = search_result(store.conn, query, top_k=top_k, mode=mode, municipality=municipality,
                               exclude_municipality=exclude_municipality, theme=theme, year=year, genre=genre,
                               kinds=None if all_kinds else SUBSTANTIVE_KINDS, per_document=per_document,
                               encoder=encoder, progress=True)
        report = result.to_dict()
        _add_genre_kind(store.conn, report["hits"])
        if year is not None:
            from stratcompare.search.api import undated_documents

            n = undated_documents(store.conn, municipality=municipality, genre=genre)
            if n:
                report["note"] = (f"{n} document{'s' if n != 1 else ''} without a known year "
                                  f"{'are' if n != 1 else 'is'} left out by --year")
    return report


def _add_genre_kind(conn, hits: list[dict]) -> None:
    """Each hit's document genre and passage kind: a researcher weighs a line of minutes
    differently from a strategy's, and a heading from a paragraph."""
    ids = [h["passage_id"] for h in hits]
    if not ids:
        return
    rows = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT p.id, d.genre, p.kind FROM passages p JOIN documents d ON d.id = p.document_id "
        f"WHERE p.id IN ({','.join('?' * len(ids))})", ids)}
    for h in hits:
        h["genre"], h["kind"] = rows.get(h["passage_id"], (None, None))


def similar_records(db, passage_id, top_k, other_municipalities, model, all_kinds=False) -> list[dict]:
    from stratcompare.embed import get_encoder
    from stratcompare.search import similar
    from stratcompare.search.api import SUBSTANTIVE_KINDS
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        hits = [h.to_dict() for h in similar(
            store.conn, passage_id, top_k=top_k, other_municipalities=other_municipalities,
            encoder=get_encoder(model), kinds=None if all_kinds else SUBSTANTIVE_KINDS)]
        _add_genre_kind(store.conn, hits)
    return hits


def embed_corpus(db, model) -> dict:
    """Compute missing or outdated embeddings (and sync the full-text index)."""
    from stratcompare.embed import embed_passages, get_encoder
    from stratcompare.search import sync_fts
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        encoder = get_encoder(model)
        n = embed_passages(store.conn, encoder, progress=True)
        indexed, removed = sync_fts(store.conn)
        total = store.conn.execute("SELECT count(*) FROM embeddings WHERE model = ?", (encoder.model_id,)).fetchone()[0]
    return {"model": encoder.model_id, "dim": encoder.dim, "embedded": n, "stored": total,
            "fts_indexed": indexed, "fts_removed": removed}


def _render_hits(records: list[dict], format: Format, similarity: bool = False, out=None) -> None:
    """``similarity``: the table's second column is the cosine similarity (``similar`` has no
    match strength, which is a query's)."""
    if format == Format.table:
        if not records:
            typer.echo("No matching passages.", err=True)
            return
        rows = [{**r, "text": _snippet(r["highlighted"] or r["text"]) + _also(r)} for r in records]
        columns = TABLE_COLUMNS
        if similarity:
            rows = [{**r, "similarity": f"{r['score']:.3f}"} for r in rows]
            columns = ["similarity" if c == "strength" else c for c in TABLE_COLUMNS]
        render(rows, format, columns=columns, max_width=None, out=out)
    elif similarity:   # no query, so no match strength: the cosine, named as in the table
        records = [{**{k: v for k, v in r.items() if k not in ("strength", "weak")},
                    "similarity": r["score"]} for r in records]
        render(records, format, columns=SIMILAR_COLUMNS, out=out)
    else:
        render(records, format, columns=RECORD_COLUMNS, out=out)


def _also(record: dict) -> str:
    """ " (also in: Minutes 4.12.2012)" for a text that other documents repeat."""
    others = record.get("also_in") or []
    if not others:
        return ""
    names = list(dict.fromkeys(o.get("document") or o.get("document_id") for o in others))
    return " (also in: " + "; ".join(names[:3]) + ("…" if len(names) > 3 else "") + ")"


def _render_report(report: dict, format: Format, out=None) -> None:
    """The hits, preceded by the hint and, when the best hit is weak, the warning (in a table
    written with -o, its first line, as on the screen)."""
    import sys

    if report.get("hint"):
        typer.echo("Hint: " + report["hint"], err=True)
    if report.get("note"):
        typer.echo("Note: " + report["note"], err=True)
    if report.get("weak") and report.get("hits"):
        if format == Format.table:
            (out or sys.stdout).write(report["message"] + "\n")
        else:
            typer.echo(report["message"], err=True)
    _render_hits(report["hits"], format, out=out)


@app.command(epilog='Example: stratcompare search "housing first for unge" -x Køge -k 5')
def search(
    query: str = typer.Argument(..., help="What to look for, in plain Danish."),
    db: Optional[Path] = DbOption,
    top_k: int = typer.Option(10, "--top-k", "-k", min=1, help="Number of hits."),
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m", help="Only this municipality."),
    exclude_municipality: Optional[str] = typer.Option(None, "--exclude-municipality", "-x",
                                                       help="Leave this municipality out."),
    theme: Optional[str] = typer.Option(None, "--theme", "-t", help="Only passages labelled with this theme id."),
    year: Optional[int] = typer.Option(None, "--year", "-y", help="Only documents whose period covers this year."),
    mode: Mode = typer.Option(Mode.hybrid, "--mode", help="hybrid (best), dense (meaning) or lexical (words)."),
    genre: Optional[str] = typer.Option(None, "--genre", "-g",
                                        help="Only documents of this genre: strategy, minutes, news or other."),
    all_kinds: bool = typer.Option(False, "--all-kinds",
                                   help="Also headings, contents lists, boilerplate and minutes' formalities."),
    per_document: Optional[int] = typer.Option(None, "--per-document", min=1,
                                               help="At most this many hits from one document."),
    model: Optional[str] = ModelOption,
    format: Format = FormatOption,
    output: Optional[Path] = OutputOption,
) -> None:
    """Search passages by meaning and words; query words are «marked» in the table view.

    Each hit has a match strength (0-1, calibrated on judged queries); when even the best is
    weak, the list starts with "no strong matches; closest passages:".  The same text in two
    documents is shown once ("also in ...")."""
    report = run(search_report, db, query, top_k, municipality, exclude_municipality, theme, year,
                 mode.value, model, genre, all_kinds, per_document)
    with output_file(output) as out:
        _render_report(report, format, out=out)


@app.command(epilog="Example: stratcompare similar 3c490f70608d-0003 --top-k 5")
def similar(
    passage_id: str = typer.Argument(..., help="A passage id (from search or `stratcompare passages`)."),
    db: Optional[Path] = DbOption,
    top_k: int = typer.Option(10, "--top-k", "-k", min=1),
    other_municipalities: bool = typer.Option(
        True, "--other-municipalities/--any-municipality",
        help="Only passages from other municipalities (default) or from anywhere."),
    all_kinds: bool = typer.Option(False, "--all-kinds",
                                   help="Also headings, contents lists, boilerplate and minutes' formalities."),
    model: Optional[str] = ModelOption,
    format: Format = FormatOption,
    output: Optional[Path] = OutputOption,
) -> None:
    """Initiatives elsewhere that resemble this passage, most similar first (similarity: the
    cosine of the two passages' embeddings, 0-1; words they share are marked «»).  Like search,
    it looks among text and lists only unless --all-kinds."""
    records = run(similar_records, db, passage_id, top_k, other_municipalities, model, all_kinds)
    with output_file(output) as out:
        _render_hits(records, format, similarity=True, out=out)


@app.command(epilog="Example: stratcompare embed --db stratcompare.db")
def embed(
    db: Optional[Path] = DbOption,
    model: Optional[str] = ModelOption,
    format: Format = FormatOption,
) -> None:
    """Compute embeddings for new or changed passages (and refresh the full-text index)."""
    record = run(embed_corpus, db, model)
    render([record], format)
