"""Compare municipalities: theme matrices, similarity, co-occurrence, and drill-down to passages.

Pure functions over an open corpus connection; each returns a labelled ``Matrix`` whose cells
``cell_passages`` turns back into the passages behind the number.
"""

from stratcompare.compare.cells import CellPassages, PassagePair, PassageRef, cell_passages
from stratcompare.compare.matrices import (
    BASES, NORMALISE, cooccurrence_matrix, matrix, similarity_matrix, theme_matrix,
)
from stratcompare.compare.matrix import Matrix
from stratcompare.compare.names import fold, main_municipality
from stratcompare.compare.themes import ThemeSet, load_themes

__all__ = [
    "Matrix", "CellPassages", "PassageRef", "PassagePair", "ThemeSet",
    "theme_matrix", "similarity_matrix", "cooccurrence_matrix", "matrix", "cell_passages",
    "load_themes", "fold", "main_municipality", "NORMALISE", "BASES",
]
