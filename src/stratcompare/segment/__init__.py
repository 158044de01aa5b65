"""Segmentation: page text -> paragraph-sized passages."""

from stratcompare.segment.passages import Segment, is_heading, segment_pages

__all__ = ["Segment", "segment_pages", "is_heading"]
