"""``stratcompare repair``: repair Danish OCR errors in any UTF-8 text file or stdin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from stratcompare.cli.app import app, open_output, run
from stratcompare.errors import UndecodableTextError, UnreadableFileError

CONTEXT = 30  # characters of context either side in --diff


def _read(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if p.is_dir():
            raise UnreadableFileError("this is a folder, not a text file", path=p,
                                      hint="give one text file; `stratcompare ingest` reads folders")
        if not p.is_file():
            raise UnreadableFileError("no such file", path=p)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise UnreadableFileError(f"cannot read the file ({exc.strerror})", path=p) from None
        name = str(p)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UndecodableTextError("the text is not UTF-8", path=name) from None


def _one_line(s: str) -> str:
    return s.replace("\n", "⏎").replace("\t", " ")


def _repair(path: str, out: Optional[Path], diff: bool, explain: bool) -> None:
    from stratcompare.repair import repair_text

    text = _read(path)
    result = repair_text(text)
    fh = open_output(out)
    try:
        if diff or explain:
            for c in result.corrections:
                line = text.count("\n", 0, c.start) + 1
                if diff:
                    left = _one_line(text[max(0, c.start - CONTEXT):c.start])
                    right = _one_line(text[c.end:c.end + CONTEXT])
                    fh.write(f"{line}:{c.start}: …{left}[-{c.original}-]{{+{c.replacement}+}}"
                             f"{right}…\n")
                if explain:
                    cands = ", ".join(f"{w} ({s:+.2f})" for w, s in c.candidates)
                    fh.write(f"{line}:{c.start}: {c.original} -> {c.replacement}  "
                             f"[{c.kind}, score {c.score:+.2f}]  candidates: {cands}\n")
            fh.write(f"# {result.changed} of {result.words} words changed; "
                     f"estimated OCR damage {result.damage:.1%}\n")
        else:
            fh.write(result.text)
    finally:
        if fh is not sys.stdout:
            fh.close()


@app.command("repair", epilog="Example: stratcompare repair scan.txt --diff")
def repair_cmd(
    file: str = typer.Argument("-", help="UTF-8 text file to repair, or - for stdin."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Write the repaired text here (default stdout)."),
    diff: bool = typer.Option(False, "--diff", help="Show each change in context instead."),
    explain: bool = typer.Option(False, "--explain",
                                 help="List each correction with its candidates and scores."),
) -> None:
    """Repair Danish OCR errors (ø read as g/@, å as a, æ as ae/z, l as I, ...) in a text.

    Whitespace and line breaks are kept exactly; names, numbers, URLs and e-mail addresses
    are left alone.

    """
    run(_repair, file, output, diff, explain)
