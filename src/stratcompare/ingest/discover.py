"""Turn the PATH arguments (files, folders, globs) into the list of files to ingest."""

from __future__ import annotations

import fnmatch
import glob
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".stratcompareignore"

SUPPORTED = {".pdf": "pdf", ".txt": "text", ".md": "text", ".html": "html", ".htm": "html",
             ".jsonl": "jsonl"}


@dataclass
class Candidate:
    path: Path
    explicit: bool          # named directly (an unsupported explicit file is an error)
    missing: bool = False
    problem: str | None = None  # "loop" (symlink loop) | "empty" (folder/glob with nothing to read)
    # (a loop named on the command line fails that path; one found in a folder or by a glob is
    # a warning: the user did not ask for it by name)

    @property
    def storable(self) -> bool:
        """Could this candidate put anything in the database?  (Else no db file is created.)"""
        return not self.missing and self.problem is None


def kind_of(path: Path) -> str | None:
    return SUPPORTED.get(path.suffix.lower())


def discover(paths: list[str | Path]) -> list[Candidate]:
    """Files named directly are always returned (so bad ones get reported); folders are walked
    recursively for supported files, skipping hidden ones; globs are expanded."""
    seen: set[Path] = set()
    out: list[Candidate] = []

    def add(p: Path, explicit: bool, missing: bool = False, problem: str | None = None):
        key = p.absolute()
        if not missing and problem is None and p.is_symlink() and not p.exists() and not _is_loop(p):
            problem = "dangling"   # resolving it would name its missing target, not the link
        if not missing and problem is None:
            try:
                key = p.resolve()
            except (RuntimeError, OSError):  # a symlink loop: report this path, go on with the rest
                problem = "loop"
        if key not in seen:
            seen.add(key)
            out.append(Candidate(key, explicit, missing, problem))

    for raw in paths:
        p = Path(raw).expanduser()
        before = len(seen)
        if p.is_dir():
            ignore = _ignore_patterns(p)
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if any(part.startswith(".") for part in rel) or _ignored(rel, ignore):
                    continue
                if f.is_file() and kind_of(f):
                    before -= _found(f, seen)
                    add(f, False)
                elif _is_loop(f):
                    before += int(f.absolute() not in seen)  # reported, but the folder has
                    add(f, False, problem="loop")            # nothing to read for it
            if len(seen) == before:
                add(p, True, problem="empty")
        elif p.exists() or p.is_symlink():
            add(p, True)
        elif any(ch in str(raw) for ch in "*?["):
            for match in sorted(glob.glob(str(raw), recursive=True)):
                m = Path(match)
                if m.is_file() and kind_of(m):
                    before -= _found(m, seen)
                    add(m, False)
                elif _is_loop(m):
                    before += int(m.absolute() not in seen)
                    add(m, False, problem="loop")
                elif m.is_dir():
                    for c in discover([m]):
                        if c.problem == "loop":
                            before += int(c.path not in seen)
                            add(c.path, False, problem="loop")
                        elif c.problem != "empty":
                            before -= _found(c.path, seen)
                            add(c.path, False, c.missing, c.problem)
            if len(seen) == before:
                add(p, True, problem="empty")
        else:
            add(p, True, missing=True)
    return out


def _is_loop(path: Path) -> bool:
    """A symbolic link that leads back to itself (``is_file`` and ``is_dir`` just say no)."""
    if not path.is_symlink():
        return False
    try:
        path.resolve(strict=True)
    except RuntimeError:   # Python < 3.13: "Symlink loop from ..."
        return True
    except OSError as exc:
        import errno

        return exc.errno == errno.ELOOP
    return False


def _found(path: Path, seen: set[Path]) -> int:
    """1 if ``path`` was already found by an earlier argument (so this one is not "empty")."""
    try:
        return int(path.resolve() in seen)
    except (RuntimeError, OSError):
        return 0


def _ignore_patterns(folder: Path) -> list[str]:
    """Glob patterns from ``<folder>/.stratcompareignore`` (one per line, ``#`` comments,
    ``name/`` for a folder) — for READMEs, label files and the like beside the documents."""
    f = folder / IGNORE_FILE
    if not f.is_file():
        return []
    lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def _ignored(rel: tuple[str, ...], patterns: list[str]) -> bool:
    path = "/".join(rel)
    for pat in patterns:
        if pat.endswith("/"):
            if any(fnmatch.fnmatch(part, pat[:-1]) for part in rel[:-1]) or \
                    path.startswith(pat):
                return True
        elif fnmatch.fnmatch(path, pat) or fnmatch.fnmatch(rel[-1], pat):
            return True
    return False
