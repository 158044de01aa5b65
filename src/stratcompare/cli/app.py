"""The Typer application and the options every command shares.

Commands live in sibling modules (one per command or command group) and register themselves
on ``app``; each is a thin shell over a function of the Python API.
"""

from __future__ import annotations

import sqlite3
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from stratcompare.errors import StratcompareError

app = typer.Typer(
    name="stratcompare",
    help="Read Danish municipal social-policy strategies and make them comparable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


# Shared option definitions: use these so every command spells them the same way.
DbOption = typer.Option(
    None, "--db", envvar="STRATCOMPARE_DB",
    help="SQLite corpus file (default ./stratcompare.db).", show_default=False,
)
FormatOption = typer.Option(Format.table, "--format", "-f", help="Output format.")
OutputOption = typer.Option(None, "--output", "-o", show_default=False,
                            help="Write to this file instead of the screen (folders are made).")


def fail(exc: StratcompareError) -> "typer.Exit":
    """Print a one-line error to stderr and return the Exit to raise."""
    typer.echo(f"Error: {exc}", err=True)
    return typer.Exit(code=exc.exit_code)


def run(fn, *args, **kwargs):
    """Call an API function; turn its StratcompareError into a one-line message + exit code."""
    try:
        return fn(*args, **kwargs)
    except StratcompareError as exc:
        raise fail(exc) from None
    except sqlite3.DatabaseError as exc:  # a write path that did not say it itself (read-only db …)
        from stratcompare.store.db import describe_db_error

        raise fail(describe_db_error(exc, "database error", _db_of(fn, args, kwargs))) from None
    except KeyboardInterrupt:
        typer.echo("Interrupted; everything committed so far is kept.", err=True)
        raise typer.Exit(code=130) from None


def _db_of(fn, args, kwargs) -> Optional[Path]:
    """The database file a failed call worked on, so its error line can name it."""
    import inspect

    from stratcompare.config import db_path

    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
    except (TypeError, ValueError):
        return None
    for value in bound.values():
        conn = getattr(value, "conn", value)
        if isinstance(conn, sqlite3.Connection):
            try:
                return Path(conn.execute("PRAGMA database_list").fetchone()[2])
            except (sqlite3.Error, TypeError, IndexError):
                return None
    if "db" in bound and (bound["db"] is None or isinstance(bound["db"], (str, Path))):
        return db_path(bound["db"])
    return None


def open_output(path: Optional[Path]):
    """stdout, or the file given with -o."""
    if path is None or str(path) == "-":
        return sys.stdout
    try:  # like `report -o`: make the folder, and say in one line why the file cannot be written
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        from stratcompare.errors import UnreadableFileError

        raise fail(UnreadableFileError(f"cannot write the output: {exc.strerror or exc}", path,
                                       hint="check the folder exists and is writable")) from None


class output_file:
    """``with output_file(path) as out``: stdout, or the ``-o`` file, closed afterwards."""

    def __init__(self, path: Optional[Path]):
        self.path = path
        self.fh = None

    def __enter__(self):
        self.fh = open_output(self.path)
        return self.fh

    def __exit__(self, *exc):
        if self.fh is not sys.stdout:
            self.fh.close()
        return False
