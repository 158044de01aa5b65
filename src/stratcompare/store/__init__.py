"""The SQLite corpus store."""

from stratcompare.store.db import DocumentRecord, PageRecord, PassageRecord, Store
from stratcompare.store.schema import SCHEMA_VERSION

__all__ = ["Store", "DocumentRecord", "PageRecord", "PassageRecord", "SCHEMA_VERSION"]
