"""Theme codebook and multi-label passage classifier (results go to ``passage_themes``)."""

from stratcompare.classify.api import (
    classify_passages, classify_records, coding_agreement, default_model_dir, evaluate, get_model,
    read_passages_jsonl, train,
)
from stratcompare.classify.codebook import Codebook, Theme
from stratcompare.classify.labels import LabelledPassage, label_matrix, load_labels
from stratcompare.classify.metrics import agreement, cohen_kappa, theme_scores
from stratcompare.classify.model import ThemeClassifier

__all__ = [
    "Codebook", "Theme", "ThemeClassifier", "LabelledPassage", "load_labels", "label_matrix",
    "classify_passages", "classify_records", "coding_agreement", "default_model_dir", "evaluate",
    "get_model", "read_passages_jsonl", "train", "agreement", "cohen_kappa", "theme_scores",
]
