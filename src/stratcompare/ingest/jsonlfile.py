"""JSONL of pre-segmented passages: ``{"id", "text", "municipality", "document"?, "page"?}``.

Ids are kept as passage ids; records are grouped into one document per ``document`` value
(default: the file name), so provenance survives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from stratcompare.errors import InvalidJSONLError
from stratcompare.ingest.textfile import decode_bytes


@dataclass
class GivenPassage:
    id: str
    text: str
    page: int | None
    section: str | None


@dataclass
class PresegmentedDocument:
    name: str
    municipality: str | None
    title: str | None
    year: str | None
    passages: list[GivenPassage] = field(default_factory=list)


def read_jsonl(path: Path, data: bytes, check_municipality: bool = True) -> list[PresegmentedDocument]:
    """Group the records into documents.  A ``municipality`` must be one of the 98 (any spelling
    the resolver accepts; stored canonical): an unknown one — a typo, or HTML scraped into the
    field — fails the file with exit 13 and a suggestion, rather than becoming a 99th municipality.
    ``check_municipality=False`` when ``--municipality`` overrides the records' values anyway."""
    text = decode_bytes(data, path)
    groups: dict[str, PresegmentedDocument] = {}
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidJSONLError(f"line {lineno}: not valid JSON ({exc.msg})", path) from None
        except RecursionError:
            raise InvalidJSONLError(f"line {lineno}: JSON nested too deeply", path) from None
        if not isinstance(rec, dict):
            raise InvalidJSONLError(f"line {lineno}: not a JSON object", path)
        for key in ("id", "text"):
            if rec.get(key) in (None, ""):
                raise InvalidJSONLError(f'line {lineno}: missing "{key}"', path)
        pid = str(rec["id"])
        if pid in seen:
            raise InvalidJSONLError(f'line {lineno}: duplicate id "{pid}"', path)
        seen.add(pid)
        if not isinstance(rec["text"], str):
            raise InvalidJSONLError(f'line {lineno}: "text" must be a string', path)
        page = rec.get("page")
        if page is not None and not (isinstance(page, int) or str(page).isdigit()):
            raise InvalidJSONLError(f'line {lineno}: "page" must be a whole number', path)
        name = str(rec.get("document") or path.stem)
        muni = rec.get("municipality")
        if muni not in (None, "") and check_municipality:
            muni = _municipality(muni, lineno, path)
        elif not check_municipality:
            muni = None
        doc = groups.setdefault(
            name, PresegmentedDocument(name=name, municipality=muni, title=rec.get("title") or name,
                                       year=str(rec["year"]) if rec.get("year") else None))
        if muni and doc.municipality and muni != doc.municipality:
            raise InvalidJSONLError(
                f'line {lineno}: document "{name}" has two municipalities '
                f'("{doc.municipality}", "{muni}")', path)
        doc.municipality = doc.municipality or muni
        doc.passages.append(GivenPassage(id=pid, text=rec["text"],
                                         page=int(page) if page is not None else None,
                                         section=rec.get("section")))
    if not groups:
        raise InvalidJSONLError("no records", path)
    return list(groups.values())


def _municipality(value, lineno: int, path: Path) -> str:
    from stratcompare.errors import UsageError
    from stratcompare.metadata.municipalities import resolve_municipality

    if not isinstance(value, str):
        raise InvalidJSONLError(f'line {lineno}: "municipality" must be a string', path)
    try:
        return resolve_municipality(value).name
    except UsageError as exc:
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise InvalidJSONLError(f"line {lineno}: unknown municipality {shown!r}", path,
                                hint=f"{exc.hint}; or pass --municipality to set it for the file") from None
