"""Shared fixtures.  Tests read only what the repo holds (tests/fixtures/, corpus/) or make files."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
CORPUS = REPO / "corpus"
SEEDS = TESTS / "fixtures" / "seeds"

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # `import pdfgen`


def tesseract_available() -> bool:
    import subprocess

    if not shutil.which("tesseract"):
        return False
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "dan" in (out.stdout + out.stderr).split()


needs_tesseract = pytest.mark.skipif(
    not tesseract_available(),
    reason="needs Debian packages tesseract-ocr tesseract-ocr-dan (apt-get install tesseract-ocr tesseract-ocr-dan)",
)


@pytest.fixture(scope="module")
def encoder():
    """The hashing encoder: no model, deterministic (the theme tests' default)."""
    from stratcompare.embed import get_encoder

    return get_encoder("hashing")


@pytest.fixture(scope="module")
def codebook():
    """The codebook shipped with the package."""
    from stratcompare.classify import Codebook

    return Codebook.load()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "corpus.db"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test reads a user's STRATCOMPARE_DB; faults are off unless a test sets them."""
    monkeypatch.delenv("STRATCOMPARE_DB", raising=False)
    monkeypatch.delenv("STRATCOMPARE_FAULT", raising=False)
