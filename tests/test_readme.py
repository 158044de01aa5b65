"""The README's promises: two set-up commands, CI runs the test one, every command documented."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from conftest import REPO
from stratcompare.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [ln for b in blocks for ln in b.splitlines() if ln.strip() and not ln.startswith("#")]


def test_exactly_two_setup_commands():
    cmds = _setup_commands()
    assert len(cmds) == 2
    assert "stratcompare run corpus/" in cmds[0] and "report" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _setup_commands()[1] in ci


def test_every_command_is_documented_in_usage():
    usage = README.split("## Usage", 1)[1]
    out = CliRunner().invoke(app, ["--help"])
    commands = re.findall(r"^[│ ]+([a-z][a-z-]+)\s{2,}", out.stdout, re.M)
    assert len(commands) >= 8, out.stdout
    for command in commands:
        assert f"stratcompare {command}" in usage, command


def test_every_command_help_ends_with_a_runnable_example():
    out = CliRunner().invoke(app, ["--help"])
    commands = re.findall(r"^[│ ]+([a-z][a-z-]+)\s{2,}", out.stdout, re.M)
    for command in commands:
        help_text = CliRunner().invoke(app, [command, "--help"]).stdout.strip()
        last_paragraph = " ".join(help_text.split("\n\n")[-1].split())  # epilogs may wrap
        assert last_paragraph.startswith("Example: stratcompare " + command), command
