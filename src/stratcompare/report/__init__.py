"""The self-contained HTML report (``stratcompare report``)."""

from stratcompare.report.build import build_report

__all__ = ["build_report"]
