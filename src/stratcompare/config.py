"""Where things live: the database, the model cache.  Environment variables override defaults."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

DEFAULT_DB = "stratcompare.db"


def db_path(explicit: str | Path | None = None) -> Path:
    """``--db`` wins, then ``STRATCOMPARE_DB``, then ``./stratcompare.db``."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("STRATCOMPARE_DB") or DEFAULT_DB)


def cache_dir() -> Path:
    """Converted models and other derived artefacts (``STRATCOMPARE_CACHE`` overrides)."""
    env = os.environ.get("STRATCOMPARE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stratcompare"


def data_path(*parts: str) -> Path:
    """A file shipped inside the package's ``data/`` folder."""
    return Path(__file__).parent.joinpath("data", *parts)


def repo_models_dir() -> Path:
    """``models/`` of a source checkout; packaged copies live under ``data/models``."""
    return Path(__file__).resolve().parents[2] / "models"


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """A lower-cased word list from ``data/<name>``: one entry per line, ``#`` starts a comment."""
    lines = data_path(name).read_text(encoding="utf-8").splitlines()
    words = (ln.split("#")[0].strip().lower() for ln in lines)
    return frozenset(w for w in words if w)
