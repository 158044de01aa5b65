"""Which themes a matrix has, in what order, and what they are called.

The one place that reads the codebook for compare/report: columns follow the codebook's theme
order (so a CSV keeps the same columns whether or not a theme occurs), labels come from it, and
the codebook id picks which rows of ``passage_themes`` count when several codebooks are stored.
"""

from __future__ import annotations

import sqlite3
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from stratcompare.config import data_path
from stratcompare.errors import CodebookError, NotFoundError


@dataclass
class ThemeSet:
    codebook: str | None                 # the passage_themes.codebook value in use ("id@version")
    ids: list[str]                       # column order
    labels: dict[str, str] = field(default_factory=dict)   # id -> Danish label
    labels_en: dict[str, str] = field(default_factory=dict)
    has_labels: bool = False             # any passage_themes rows for this codebook?

    def label(self, theme: str) -> str:
        return self.labels.get(theme) or theme


_NO_CODEBOOK_HINT = ("check the path, or give a stored codebook id such as "
                     "stratcompare-social; leave out --codebook for the bundled one")


def _read_codebook_file(path: Path) -> dict:
    """Codebook id, version and themes (id, label_da, label_en) from a TOML file — validated by
    the classifier's ``Codebook`` loader, or parsed directly where that module is absent."""
    try:
        from stratcompare.classify.codebook import Codebook
    except ImportError:  # pragma: no cover - the classifier ships with the package
        Codebook = None
    if Codebook is not None:
        if not path.exists():
            raise NotFoundError("codebook file not found", path, hint=_NO_CODEBOOK_HINT)
        cb = Codebook.load(path)
        return {"id": cb.id, "version": cb.version,
                "themes": [{"id": t.id, "label_da": t.label_da, "label_en": t.label_en}
                           for t in cb.themes]}
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise NotFoundError("codebook file not found", path, hint=_NO_CODEBOOK_HINT) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CodebookError(f"cannot read the codebook: {exc}", path) from None
    themes = data.get("themes")
    if not isinstance(themes, list) or not all(isinstance(t, dict) and "id" in t for t in themes):
        raise CodebookError("the codebook has no [[themes]] entries with an id", path)
    return data


def _distinct(conn: sqlite3.Connection, column: str, where: str = "", params=()) -> list[str]:
    """DISTINCT values of an indexed column by hopping through the index (a "loose index
    scan": one O(log n) probe per value instead of reading 10⁶ rows)."""
    out: list[str] = []
    cond = f"{where} AND " if where else ""
    value = conn.execute(f"SELECT MIN({column}) FROM passage_themes WHERE {where or '1'}",
                         params).fetchone()[0]
    while value is not None:
        out.append(value)
        value = conn.execute(
            f"SELECT MIN({column}) FROM passage_themes WHERE {cond}{column} > ?",
            (*params, value)).fetchone()[0]
    return out


def _stored_codebooks(conn: sqlite3.Connection) -> list[str]:
    """Stored codebook ids, the most used first."""
    ids = _distinct(conn, "codebook")
    if len(ids) > 1:
        n = {c: conn.execute("SELECT COUNT(*) FROM passage_themes WHERE codebook = ?",
                             (c,)).fetchone()[0] for c in ids}
        ids.sort(key=lambda c: (-n[c], c))
    return ids


def load_themes(conn: sqlite3.Connection, codebook=None) -> ThemeSet:
    """Resolve ``codebook`` — None (the bundled codebook / the most used stored one), a TOML
    path, a ``stratcompare.classify.Codebook``, or a stored codebook id ("id@version" or just
    "id") — into a ThemeSet."""
    file_data: dict | None = None
    wanted: str | None = None
    if hasattr(codebook, "themes") and hasattr(codebook, "version"):   # a classify.Codebook
        file_data = {"id": codebook.id, "version": codebook.version,
                     "themes": [{"id": t.id, "label_da": t.label_da, "label_en": t.label_en}
                                for t in codebook.themes]}
    elif codebook is not None and (str(codebook).endswith(".toml") or Path(codebook).is_file()):
        file_data = _read_codebook_file(Path(codebook))
    elif codebook is not None:
        wanted = str(codebook)
    else:
        bundled = data_path("codebook.toml")
        if bundled.is_file():
            file_data = _read_codebook_file(bundled)

    stored_ids = _stored_codebooks(conn)
    chosen: str | None = None
    if wanted is not None:
        matches = [c for c in stored_ids if c == wanted or c.split("@")[0] == wanted]
        if not matches:
            raise NotFoundError(
                f"no theme labels for codebook {wanted!r} in the database",
                hint="stored codebooks: " + (", ".join(stored_ids) or "none — classify first"),
            )
        chosen = matches[0]
    elif file_data is not None:
        full = f"{file_data.get('id')}@{file_data.get('version')}"
        matches = [c for c in stored_ids if c == full] or [
            c for c in stored_ids if c.split("@")[0] == str(file_data.get("id"))]
        if not matches and stored_ids and codebook is not None:
            raise NotFoundError(
                f"no theme labels for codebook {full!r} in the database",
                path=getattr(codebook, "path", None) or str(codebook),
                hint="classify with this codebook first; stored: " + ", ".join(stored_ids))
        chosen = matches[0] if matches else (stored_ids[0] if stored_ids else full)
        if not matches and stored_ids:
            file_data = None   # the stored labels come from another codebook: don't mislabel
    elif stored_ids:
        chosen = stored_ids[0]

    ids: list[str] = []
    labels: dict[str, str] = {}
    labels_en: dict[str, str] = {}
    if file_data is not None:
        for t in file_data["themes"]:
            ids.append(str(t["id"]))
            labels[str(t["id"])] = str(t.get("label_da") or t.get("label_en") or t["id"])
            labels_en[str(t["id"])] = str(t.get("label_en") or t.get("label_da") or t["id"])
    has_labels = chosen in stored_ids
    if has_labels:
        extra = _distinct(conn, "theme", "codebook = ?", (chosen,))
        ids += [t for t in extra if t not in labels]
    return ThemeSet(codebook=chosen, ids=ids, labels=labels, labels_en=labels_en,
                    has_labels=has_labels)


def bundled_theme_ids() -> list[str]:
    """Theme ids of the codebook shipped with the package (for synthetic stores and defaults)."""
    return [str(t["id"]) for t in _read_codebook_file(data_path("codebook.toml"))["themes"]]
