"""Which municipality a document is from and which years it covers.

``detect_municipality(pages, title=, filename=)`` and ``detect_years(pages, title=)`` work on
raw or OCR-damaged page text; ``normalise_municipality`` maps any spelling of a name to the
canonical one stored in the corpus.
"""

from stratcompare.metadata.municipalities import (
    Municipality,
    all_municipalities,
    municipality_by_code,
    normalise_municipality,
    resolve_municipality,
)
from stratcompare.metadata.municipality import MunicipalityGuess, detect_municipality
from stratcompare.metadata.years import YearInfo, detect_years

__all__ = [
    "Municipality",
    "MunicipalityGuess",
    "YearInfo",
    "all_municipalities",
    "detect_municipality",
    "detect_years",
    "municipality_by_code",
    "normalise_municipality",
    "resolve_municipality",
]
