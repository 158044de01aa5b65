"""``documents``, ``passages``, ``show``: look at what the corpus holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from stratcompare.cli.app import DbOption, Format, FormatOption, OutputOption, app, output_file, run
from stratcompare.cli.output import render
from stratcompare.errors import NotFoundError
from stratcompare.cli.app import fail as _fail

DOCUMENT_COLUMNS = ["id", "path", "municipality", "confidence", "title", "genre", "year", "pages",
                    "passages", "status", "ocr_damage", "words_repaired", "error"]
PASSAGE_COLUMNS = ["id", "document_id", "document_path", "municipality", "genre", "page", "section",
                   "kind", "text"]


def list_documents(db: Optional[Path] = None) -> list[dict]:
    """One record per document (the API behind ``stratcompare documents``)."""
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        docs = store.documents()
    return [
        {"id": d["id"], "path": d["path"], "municipality": d["municipality"],
         "confidence": d["municipality_confidence"], "title": d["title"],
         "genre": d.get("genre"), "genre_confidence": d.get("genre_confidence"), "year": d["year"],
         "adopted": d["adopted"], "dated": d.get("dated"), "kind": d["kind"], "pages": d["pages"],
         "pages_missing_text": d["pages_missing_text"], "passages": d["passages"],
         "words": d["words"], "ocr_damage": d["ocr_damage"], "words_repaired": d["words_repaired"],
         "status": d["status"], "error": d["error"], "warnings": d["warnings"]}
        for d in docs
    ]


def list_passages(db: Optional[Path] = None, document: Optional[str] = None,
                  municipality: Optional[str] = None, kinds: Optional[list[str]] = None,
                  genre: Optional[str] = None) -> list[dict]:
    """Passages in document order; every kind unless ``kinds`` names some."""
    from stratcompare.segment import kinds_filter
    from stratcompare.store import Store
    from stratcompare.store.db import like_prefix

    wanted = kinds_filter(kinds) if kinds else None
    if genre:
        from stratcompare.metadata.genre import resolve_genre

        genre = resolve_genre(genre)
    with Store.open(db, create=False) as store:
        require_passages(store.conn, store.path)
        if genre:   # a database without genres, or a genre no document has: said, not silence
            from stratcompare.compare.corpus import corpus_genre

            genre = corpus_genre(store.conn, genre)
        if municipality:  # the one resolver: Koebenhavn works, a typo gets a suggestion (exit 2)
            municipality = corpus_municipality(store.conn, municipality)
        if document and not store.conn.execute(  # a mistyped id is an error, not silence
                "SELECT 1 FROM documents WHERE id = ? OR id LIKE ? || '%' ESCAPE '\\' LIMIT 1",
                (document, like_prefix(document))).fetchone():
            raise NotFoundError(f"no document {document!r}",
                                hint="list ids with `stratcompare documents`")
        return [
            {"id": p["id"], "document_id": p["document_id"], "document_path": p["document_path"],
             "municipality": p["municipality"], "genre": p["genre"], "page": p["page"],
             "section": p["section"], "kind": p["kind"], "text": p["text"],
             **({"cells": json.loads(p["cells"])} if p["cells"] else {})}
            for p in store.passages(document_id=document, municipality=municipality,
                                    kinds=wanted, genre=genre)
        ]


def require_passages(conn, path) -> None:
    """A database with no documents (a new or empty file) is said as such, with what to do,
    rather than as "no matching passages" or "run the classifier"."""
    import shlex

    if not conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone():
        raise NotFoundError("the database holds no documents yet", path,
                            hint="ingest documents first: stratcompare ingest FOLDER --db "
                                 + shlex.quote(str(path)))


def corpus_municipality(conn, name: str) -> str:
    """The stored spelling of a user-typed municipality filter (see ``match_municipality``)."""
    from stratcompare.metadata.municipalities import match_municipality

    present = [r[0] for r in conn.execute("SELECT DISTINCT municipality FROM documents")]
    return match_municipality(name, present)


def show_item(db: Optional[Path], item_id: str) -> dict:
    """A passage (with its document) or a document (with its pages' status)."""
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        passage = store.passage(item_id)
        if passage:
            themes = [dict(r) for r in store.conn.execute(
                "SELECT theme, probability FROM passage_themes WHERE passage_id = ? AND assigned = 1 "
                "ORDER BY probability DESC", (item_id,))]
            passage["themes"] = [t["theme"] for t in themes]
            passage["theme_probabilities"] = {t["theme"]: round(t["probability"], 3) for t in themes}
            doc = store.conn.execute(   # a researcher reads a line of minutes unlike a strategy's
                "SELECT genre, year_start, year_end FROM documents WHERE id = ?",
                (passage["document_id"],)).fetchone()
            if doc:
                passage["genre"] = doc["genre"]
                passage["year"] = _years(doc["year_start"], doc["year_end"])
            if passage.get("cells") and isinstance(passage["cells"], str):
                passage["cells"] = json.loads(passage["cells"])
            return {"type": "passage", **passage}
        doc = store.document(item_id)
        if doc:
            doc["pages_detail"] = [
                {k: v for k, v in p.items() if k in ("number", "method", "status")}
                for p in store.pages(doc["id"])
            ]
            return {"type": "document", **doc}
        if item_id:   # a short prefix of several document ids: say so, not "no such id"
            from stratcompare.errors import UsageError
            from stratcompare.store.db import like_prefix

            ids = [r[0] for r in store.conn.execute(
                "SELECT id FROM documents WHERE id LIKE ? || '%' ESCAPE '\\' ORDER BY id LIMIT 3",
                (like_prefix(item_id),))]
            if len(ids) > 1:
                raise UsageError(f"id '{item_id}' is ambiguous: several documents start with it",
                                 hint="give more of the id, e.g. " + " or ".join(ids[:2]))
    raise NotFoundError(f"no document or passage with id '{item_id}'", hint="list ids with "
                        "`stratcompare documents` or `stratcompare passages`")


@app.command(epilog="Example: stratcompare documents --format csv > documents.csv")
def documents(db: Optional[Path] = DbOption, format: Format = FormatOption,
              output: Optional[Path] = OutputOption) -> None:
    """List the documents in the corpus: municipality (+confidence), title, year, pages, status."""
    records = run(list_documents, db)
    if not records:
        from stratcompare.config import db_path

        typer.echo(f"No documents in {db_path(db)} yet; add some with "
                   f"`stratcompare ingest FOLDER --db {_quote(db_path(db))}`.", err=True)
    old = run(older_documents, db) if records else 0
    if old:
        from stratcompare.config import db_path

        typer.echo(f"Note: {old} of {len(records)} documents were read by an older version of "
                   "stratcompare (genres, passage kinds and years may be missing); run "
                   f"`stratcompare ingest` on their files again with --db {_quote(db_path(db))} "
                   "to re-read them.", err=True)
    cols = DOCUMENT_COLUMNS if format == Format.table else None
    with output_file(output) as out:
        render(records, format, columns=cols, max_width=50, out=out)


def older_documents(db: Optional[Path] = None) -> int:
    """Documents cut by an older segmenter (``documents.pipeline``): ingest re-reads them."""
    from stratcompare.segment import SEGMENTER_VERSION
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        return store.conn.execute("SELECT COUNT(*) FROM documents WHERE pipeline < ? AND "
                                  "status != 'failed'", (SEGMENTER_VERSION,)).fetchone()[0]


@app.command(epilog="Example: stratcompare passages -m Køge --kind content,list | head")
def passages(
    db: Optional[Path] = DbOption,
    document: Optional[str] = typer.Option(None, "--document", "-d", help="Document id (or prefix)."),
    municipality: Optional[str] = typer.Option(
        None, "--municipality", "-m", help="Only this municipality (any spelling, e.g. Koebenhavn)."),
    kind: Optional[list[str]] = typer.Option(
        None, "--kind", "-k", help="Only these kinds (content, list, table, heading, toc, "
        "procedure, boilerplate); repeat or comma-separate. Default: every kind."),
    genre: Optional[str] = typer.Option(None, "--genre", help="Only documents of this genre "
                                        "(strategy, minutes, news, other)."),
    all_kinds: bool = typer.Option(False, "--all-kinds", help="Every kind (the default here; "
                                   "the word other commands use to include every kind)."),
    format: Format = typer.Option(Format.jsonl, "--format", "-f", help="Output format."),
    output: Optional[Path] = OutputOption,
) -> None:
    """List passages in document order: id, document, municipality, page, section, kind, text."""
    from stratcompare.errors import UsageError

    if all_kinds and kind:
        raise _fail(UsageError("--all-kinds and --kind contradict each other",
                               hint="give one of them"))
    records = run(list_passages, db, document, municipality, kind, genre)
    if not records:
        typer.echo("No passages match these filters.", err=True)
    with output_file(output) as out:
        render(records, format, columns=PASSAGE_COLUMNS, max_width=80, out=out)


@app.command(epilog="Example: stratcompare show 3c490f70608d-0003")
def show(
    item_id: str = typer.Argument(..., help="A passage id or a document id (prefix allowed)."),
    db: Optional[Path] = DbOption,
    format: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Show one passage (text, page, section, themes) or one document (metadata, pages)."""
    item = run(show_item, db, item_id)
    if format == Format.table:
        for line in _show_lines(item):
            typer.echo(line)
    else:
        render([item], format)


def _quote(path) -> str:
    import shlex

    return shlex.quote(str(path))


def _years(start, end) -> Optional[str]:
    if start is None:
        return None
    return str(start) if end in (None, start) else f"{start}-{end}"


def _show_lines(item: dict) -> list[str]:
    """``key: value`` lines a person reads: themes with their probability, a table's rows as
    rows, lists as text."""
    lines = []
    probs = item.get("theme_probabilities") or {}
    for key, value in item.items():
        if key == "theme_probabilities" or (key == "raw_text" and value == item.get("text")):
            continue
        if key == "themes":
            value = ", ".join(f"{t} ({probs[t]:.2f})" if t in probs else t for t in value) or "none"
        elif key == "cells":
            if not value:
                continue
            lines.append("cells:")
            lines += ["  " + " | ".join(" ".join(str(c or "").split()) for c in row) for row in value]
            continue
        elif key == "pages_detail":   # one line per page: how it was read and whether it could be
            lines.append("pages_detail:")
            lines += [f"  page {p.get('number')}: {p.get('method') or '-'}, {p.get('status')}"
                      for p in value]
            continue
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items()) or "none"
        elif isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value) or "none"
        elif value is None:
            value = ""
        lines.append(f"{key}: {value}")
    return lines
