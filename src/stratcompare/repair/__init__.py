"""Danish OCR-error repair: ``repair_text(text) -> RepairResult``.

The lexicon loads once per process (``get_repairer()`` is cached); see docs/repair.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from stratcompare.repair.repairer import Repairer
from stratcompare.repair.types import Correction, RepairResult

__all__ = ["repair_text", "RepairResult", "Correction", "get_repairer", "Repairer"]


@lru_cache(maxsize=1)
def get_repairer() -> Repairer:
    """The process-wide repairer (loads models/lexicon on first use)."""
    return Repairer()


def repair_text(text: str, extra_vocabulary: Iterable[str] | None = None) -> RepairResult:
    """Repair OCR errors in Danish ``text``; whitespace and newlines are kept as they are.

    ``extra_vocabulary``: words of the corpus itself that must count as valid (added to the
    shared repairer for the rest of the process).
    """
    rep = get_repairer()
    if extra_vocabulary:
        rep.add_vocabulary(extra_vocabulary)
    return rep.repair(text)
