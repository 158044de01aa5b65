"""Labelled passages (JSONL ``{"id", "text", "themes"}``): loading and validation.

Training, evaluation and agreement all read codings from the same format, so bad lines are
reported once, here, with file and line number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from stratcompare.errors import InvalidJSONLError, NotFoundError


@dataclass
class LabelledPassage:
    id: str
    text: str
    themes: list[str]
    municipality: str | None = None
    source: str | None = None
    written: bool = False
    extra: dict = field(default_factory=dict)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        # "*.todo.jsonl": passages cut for coding that are not coded yet
        files = sorted(f for f in path.glob("*.jsonl") if not f.name.endswith(".todo.jsonl"))
        if not files:
            raise NotFoundError("no *.jsonl files in this folder", path=path)
        return files
    if not path.exists():
        raise NotFoundError("labels file not found", path=path)
    return [path]


def read_jsonl(path: str | Path, require_text: bool = True, require_themes: bool = True) -> list[dict]:
    """Records of one JSONL file or of every *.jsonl in a folder; one-line errors for bad lines."""
    out: list[dict] = []
    seen: set[str] = set()
    for f in _files(Path(path)):
        try:
            lines = f.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise InvalidJSONLError("file is not UTF-8", path=f) from None
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidJSONLError(f"line {n}: not valid JSON ({exc.msg})", path=f,
                                        hint='each line must be a JSON object like {"id": ..., "text": ..., "themes": [...]}') from None
            if not isinstance(rec, dict) or "id" not in rec:
                raise InvalidJSONLError(f"line {n}: a JSON object with an \"id\" is required", path=f)
            rec["id"] = str(rec["id"])
            if require_text and not isinstance(rec.get("text"), str):
                raise InvalidJSONLError(f"line {n}: \"text\" must be a string", path=f)
            if require_themes:
                th = rec.get("themes")
                if not isinstance(th, list) or not all(isinstance(t, str) for t in th):
                    raise InvalidJSONLError(f"line {n}: \"themes\" must be a list of theme ids", path=f,
                                            hint='use [] for a passage with no theme')
            if rec["id"] in seen:
                raise InvalidJSONLError(f"line {n}: duplicate id {rec['id']!r}", path=f)
            seen.add(rec["id"])
            out.append(rec)
    if not out:
        raise InvalidJSONLError("no records", path=path)
    return out


def load_labels(path: str | Path, theme_ids: Sequence[str] | None = None) -> list[LabelledPassage]:
    """Labelled passages; themes not in ``theme_ids`` are an error (they would be silently lost)."""
    recs = read_jsonl(path)
    known = set(theme_ids) if theme_ids is not None else None
    out = []
    for r in recs:
        if known is not None:
            bad = [t for t in r["themes"] if t not in known]
            if bad:
                raise InvalidJSONLError(f"record {r['id']!r}: theme {bad[0]!r} is not in the codebook", path=path,
                                        hint="check the spelling or pass the matching --codebook")
        out.append(LabelledPassage(
            id=r["id"], text=r["text"], themes=sorted(set(r["themes"])), municipality=r.get("municipality"),
            source=r.get("source"), written=bool(r.get("written", False)),
            extra={k: r[k] for k in ("genre", "kind") if k in r},
        ))
    return out


def normal_genre(name) -> str | None:
    """A genre name as given in a label or a passages file ("policy" means strategy); None
    for a missing or unknown one (the model then uses its neutral encoding)."""
    if not isinstance(name, str) or not name.strip():
        return None
    from stratcompare.errors import UsageError
    from stratcompare.metadata.genre import resolve_genre

    try:
        return resolve_genre(name)
    except UsageError:
        return None


def detected_genres(paths: Iterable[str | Path]) -> dict[str, str]:
    """The genre ingest detects for each document file (resolved path -> genre), from a scratch
    database: the same detector, title and text that ``documents.genre`` gets at ingest."""
    import tempfile

    from stratcompare.ingest import ingest_paths
    from stratcompare.store import Store

    files = sorted({str(Path(f).resolve()) for f in paths if Path(f).is_file()})
    if not files:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "genres.db"
        ingest_paths(files, db=db, repair=False, ocr=False)
        with Store.open(db) as store:
            rows = store.conn.execute("SELECT path, genre FROM documents").fetchall()
    return {str(Path(p).resolve()): g for p, g in rows if g}


def label_genres(data: Sequence[LabelledPassage], root: str | Path | None = None) -> list[str | None]:
    """Each labelled passage's document genre: the label's own ``genre``, else the genre ingest
    detects for its ``source`` file (looked up under ``root``, the folder the sources are
    relative to, e.g. ``corpus/``), else None (written passages, missing files)."""
    out = [normal_genre(d.extra.get("genre")) for d in data]
    if root is None:
        return out
    root = Path(root)
    want = {d.source: root / d.source for d, g in zip(data, out)
            if g is None and d.source and not d.written and (root / d.source).is_file()}
    found = detected_genres(want.values()) if want else {}
    for i, d in enumerate(data):
        if out[i] is None and d.source in want:
            out[i] = found.get(str(want[d.source].resolve()))
    return out


def label_matrix(themes: Iterable[Sequence[str]], theme_ids: Sequence[str]) -> np.ndarray:
    """(n, k) 0/1 int matrix of theme memberships."""
    index = {t: j for j, t in enumerate(theme_ids)}
    rows = list(themes)
    y = np.zeros((len(rows), len(theme_ids)), dtype=np.int8)
    for i, th in enumerate(rows):
        for t in th:
            if t in index:
                y[i, index[t]] = 1
    return y
