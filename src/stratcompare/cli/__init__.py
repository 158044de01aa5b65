"""Command-line interface: ``stratcompare COMMAND``.  Each command module registers on ``app``."""

from __future__ import annotations

from stratcompare.cli.app import app

# Command modules register themselves on import (one line per module).
from stratcompare.cli import ingest_cmd  # noqa: E402,F401
from stratcompare.cli import inspect_cmd  # noqa: E402,F401
from stratcompare.cli import repair_cmd  # noqa: E402,F401
from stratcompare.cli import search_cmd  # noqa: E402,F401
from stratcompare.cli import themes_cmd  # noqa: E402,F401
from stratcompare.cli import compare_cmd  # noqa: E402,F401
from stratcompare.cli import run_cmd  # noqa: E402,F401
from stratcompare.cli import serve_cmd  # noqa: E402,F401


def main() -> None:
    app()
