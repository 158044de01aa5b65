"""A built wheel carries the trained models, so ``pip install .`` works without a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_carries_models_and_works_without_checkout(tmp_path):
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                         check=False, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    wheel = next(tmp_path.glob("stratcompare-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for rel in ("themes/model.json", "themes/model.npz", "themes/codebook.toml",
                    "lexicon/meta.json", "lexicon/words.txt.gz"):
            src = REPO / "models" / rel
            assert z.read(f"stratcompare/data/models/{rel}") == src.read_bytes(), rel
        assert "stratcompare/data/codebook.toml" in names
        assert "stratcompare/data/municipalities.toml" in names
        assert not any("__pycache__" in n for n in names)

    # Installed from the wheel (not the checkout), the loaders find the packaged copies.
    target = tmp_path / "site"
    res = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                         check=False, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    probe = (
        "import stratcompare, stratcompare.classify.api as a, stratcompare.repair.lexicon as lx\n"
        "print(stratcompare.__file__)\n"
        "print(a.default_model_dir())\n"
        "print(lx.lexicon_dir())\n"
        "from stratcompare.repair import repair_text\n"
        "print(repair_text('Hjgrring').text)\n"
    )
    res = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(target)}, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    pkg, model_dir, lexicon_dir, repaired = res.stdout.split()
    assert pkg.startswith(str(target))
    assert model_dir == str(target / "stratcompare" / "data" / "models" / "themes")
    assert lexicon_dir == str(target / "stratcompare" / "data" / "models" / "lexicon")
    assert repaired == "Hjørring"
