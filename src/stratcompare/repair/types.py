"""Result types of the repairer (the contract other modules rely on)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Correction:
    """One replaced span; ``start``/``end`` are offsets into the INPUT text."""

    start: int
    end: int
    original: str
    replacement: str
    score: float
    candidates: tuple[tuple[str, float], ...] = ()
    kind: str = "ocr"  # ocr | realword | split | join


@dataclass
class RepairResult:
    """Repaired text plus what was changed and how damaged the input looked."""

    text: str
    corrections: list[Correction] = field(default_factory=list)
    words: int = 0
    changed: int = 0
    damage: float = 0.0
