"""The Danish spaCy pipeline both the classifier and search use: a blank ``da`` model with the
lookup lemmatizer of spacy-lookups-data, built once per process.

spaCy imports thinc, and thinc imports torch when it is installed (about a second and a half
of start-up, for nothing: a blank pipeline with a lookup table never runs a network).  Torch is
hidden during that import unless something already loaded it, so ``stratcompare search``
starts without paying for it; torch stays importable for whoever needs it afterwards.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from stratcompare.errors import MissingDependencyError


def _import_spacy():
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail fast
    try:
        import spacy
    except ImportError:
        raise MissingDependencyError("spaCy is not installed",
                                     hint="pip install spacy spacy-lookups-data") from None
    finally:
        if hide and sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy


@lru_cache(maxsize=1)
def danish_nlp():
    """spaCy blank Danish with the lookup lemmatizer, initialised."""
    spacy = _import_spacy()
    try:
        nlp = spacy.blank("da")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except Exception as exc:  # missing spacy-lookups-data raises a ValueError deep inside spaCy
        raise MissingDependencyError(
            f"no Danish lemma table: {exc}".splitlines()[0], hint="pip install spacy-lookups-data"
        ) from None
    return nlp
