"""Segmentation: page text -> paragraph-sized passages, each with a kind.

Kinds say what a passage is, so that the analyses can leave out what is not policy text:
``content`` and ``list`` (and ``table``) carry the substance; ``heading``, ``toc``,
``procedure`` (minutes' formalities) and ``boilerplate`` (navigation, contact, cookie lines)
are kept in the corpus for provenance but get no themes and no search hits by default.
"""

from stratcompare.segment.passages import Segment, is_heading, segment_pages

KINDS = ("content", "list", "table", "heading", "toc", "procedure", "boilerplate")
SUBSTANTIVE_KINDS = ("content", "list", "table")

# Bump when the way passages are cut, or kinds, genre or years are given, changes: ingest re-reads
# files whose stored documents were made with an older version (documents.pipeline).
SEGMENTER_VERSION = 6  # 6: sessions 6-7 kind, shape, genre and year rules; 5: web furniture, minutes wordings, genre head nouns, years

__all__ = ["Segment", "segment_pages", "is_heading", "KINDS", "SUBSTANTIVE_KINDS",
           "SEGMENTER_VERSION", "kinds_filter"]


def kinds_filter(kinds=None, all_kinds: bool = False):
    """The kinds a command should read: None (= every kind) with ``all_kinds``, the given
    ones, else the substantive kinds.  Unknown names raise UsageError."""
    if all_kinds:
        return None
    if not kinds:
        return SUBSTANTIVE_KINDS
    from stratcompare.errors import UsageError

    wanted = tuple(k.strip().lower() for k in kinds for k in str(k).split(",") if k.strip())
    bad = [k for k in wanted if k not in KINDS]
    if bad:
        raise UsageError(f"unknown passage kind '{bad[0]}'", hint="one of: " + ", ".join(KINDS))
    return wanted
