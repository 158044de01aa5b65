"""Ingestion: files in, pages with provenance out, stored as passages in the corpus."""

from stratcompare.ingest.pipeline import FileResult, IngestReport, ingest_paths

__all__ = ["ingest_paths", "IngestReport", "FileResult"]
