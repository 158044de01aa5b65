"""The shipped model in models/themes: consistent with the packaged codebook, safe format, sane output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stratcompare.classify import Codebook

MODEL = Path(__file__).resolve().parents[1] / "models" / "themes"


def test_shipped_model_matches_packaged_codebook():
    meta = json.loads((MODEL / "model.json").read_text(encoding="utf-8"))
    cb = Codebook.load()
    assert meta["codebook"] == cb.key
    assert meta["theme_ids"] == cb.theme_ids
    assert Codebook.load(MODEL / "codebook.toml") == cb  # the copy is the packaged codebook
    assert meta["supervised"] is True and meta["info"]["n_train"] >= 300
    arrays = np.load(MODEL / "model.npz", allow_pickle=False)
    assert arrays["coef"].shape[1] == len(cb.themes)
    assert (MODEL / "MODEL_CARD.md").exists()


@pytest.mark.slow
def test_shipped_model_classifies_with_e5():
    from stratcompare.classify import get_model

    model = get_model()
    assert model.supervised and model.encoder_name == "e5-small"
    out = {r["id"]: r for r in model.classify([
        {"id": "h", "text": "Vi arbejder efter Housing First, så hjemløse borgere hurtigt får egen bolig med bostøtte."},
        {"id": "p", "text": "Flere børn skal anbringes i plejefamilie eller netværk frem for på døgninstitution."},
        {"id": "t", "text": "Indholdsfortegnelse"},
        {"id": "s", "text": "Med venlig hilsen Karen Holm, formand for Socialudvalget"},
    ])}
    assert "housing_first" in out["h"]["themes"]
    assert "placements_family" in out["p"]["themes"]
    assert out["t"]["themes"] == [] and out["s"]["themes"] == []
