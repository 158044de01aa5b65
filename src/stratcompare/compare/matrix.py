"""The result type every comparison returns: a labelled 2-D array whose cells can be drilled into."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Matrix:
    """``values[i, j]`` is the cell ``f"{rows[i]}:{cols[j]}"``; pass that key to
    ``cell_passages`` to list the passages behind the number."""

    kind: str                     # themes | similarity | cooccurrence
    measure: str                  # share | count | score | cosine
    rows: list[str]
    cols: list[str]
    values: np.ndarray            # float64, shape (len(rows), len(cols))
    row_name: str = "municipality"
    labels: dict[str, str] = field(default_factory=dict)   # display labels (themes)
    support: np.ndarray | None = None   # passages behind each row
    codebook: str | None = None
    model: str | None = None
    basis: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.values.size == 0 or not np.any(self.values)

    def cell(self, i: int, j: int) -> str:
        return f"{self.rows[i]}:{self.cols[j]}"

    def value(self, row: str, col: str) -> float:
        return float(self.values[self.rows.index(row), self.cols.index(col)])

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def records(self, digits: int | None = 4) -> list[dict]:
        """One dict per row: ``{row_name: row, col1: v, …}`` (counts as ints)."""
        out = []
        integral = self.measure == "count"
        for i, r in enumerate(self.rows):
            rec: dict = {self.row_name: r}
            for j, c in enumerate(self.cols):
                v = float(self.values[i, j])
                rec[c] = int(round(v)) if integral else (round(v, digits) if digits else v)
            out.append(rec)
        return out
