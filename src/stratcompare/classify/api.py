"""Python API behind the CLI: classify stored passages, train, evaluate, agreement."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Sequence

import numpy as np

from stratcompare.classify.codebook import Codebook
from stratcompare.classify.labels import label_genres, label_matrix, load_labels, normal_genre, read_jsonl
from stratcompare.classify.metrics import agreement, theme_scores
from stratcompare.classify.model import ThemeClassifier
from stratcompare.config import data_path, repo_models_dir
from stratcompare.errors import InvalidJSONLError, ModelError, NotFoundError, StoreError, UsageError


def default_model_dir() -> Path | None:
    """``models/themes`` of a checkout, else the packaged copy; None if neither exists."""
    for d in (repo_models_dir() / "themes", data_path("models", "themes")):
        if (d / "model.json").exists():
            return d
    return None


def _as_codebook(codebook: Codebook | str | Path | None) -> Codebook:
    if isinstance(codebook, Codebook):
        return codebook
    return Codebook.load(codebook)


def get_model(codebook: Codebook | str | Path | None = None, model_dir: str | Path | None = None,
              encoder=None) -> ThemeClassifier:
    """The trained model for ``codebook``, or a zero-shot model when there is none.

    A user's own codebook (no trained model) falls back to zero-shot; an explicit
    ``model_dir`` that does not fit the codebook is an error.
    """
    cb = None if codebook is None else _as_codebook(codebook)
    if model_dir is not None:
        return ThemeClassifier.load(model_dir, codebook=cb, encoder=encoder)
    d = default_model_dir()
    default_cb = Codebook.load()
    if d is not None and (cb is None or (cb.key == default_cb.key and cb.theme_ids == default_cb.theme_ids)):
        try:
            return ThemeClassifier.load(d, codebook=cb, encoder=encoder)
        except ModelError as exc:
            if "needs encoder" not in str(exc):
                raise
    return ThemeClassifier.zero_shot(cb or default_cb, encoder=encoder)


class _StoredFirst:
    """Encoder wrapper: vectors already in the ``embeddings`` table are reused, not recomputed."""

    def __init__(self, encoder, stored: dict[str, np.ndarray]):
        self.encoder, self.stored = encoder, stored
        self.model_id, self.dim = encoder.model_id, encoder.dim

    def encode_passages(self, texts, batch_size: int = 32, show_progress: bool = False):
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t not in self.stored]
        for i, t in enumerate(texts):
            if t in self.stored:
                out[i] = self.stored[t]
        if todo:
            out[todo] = self.encoder.encode_passages([texts[i] for i in todo])
        return out

    def encode_queries(self, texts):
        return self.encoder.encode_queries(texts)


def _stored_vectors(conn: sqlite3.Connection, model_id: str, dim: int) -> dict[str, np.ndarray]:
    from stratcompare.embed.storage import text_hash

    try:
        rows = conn.execute(
            "SELECT p.text, e.text_hash, e.vector FROM embeddings e JOIN passages p ON p.id = e.passage_id "
            "WHERE e.model = ? AND e.dim = ?", (model_id, dim)).fetchall()
    except sqlite3.OperationalError:
        return {}
    return {t: np.frombuffer(v, dtype="<f4") for t, h, v in rows if t is not None and text_hash(t) == h}


def classify_records(records: Sequence[dict], model: ThemeClassifier) -> list[dict]:
    return model.classify(list(records))


def read_passages_jsonl(path: str | Path) -> list[dict]:
    """Passages to classify; an optional "genre" (document genre) and "kind" are kept for the
    model's context features."""
    if not Path(path).exists():   # read_jsonl would call it a labels file
        raise NotFoundError("passages file not found", path=path,
                            hint='give a JSONL file of {"id", "text"} lines')
    recs = read_jsonl(path, require_text=True, require_themes=False)
    return [{"id": r["id"], "text": r["text"], "genre": normal_genre(r.get("genre")),
             "kind": r.get("kind") if isinstance(r.get("kind"), str) else None} for r in recs]


def classify_passages(conn: sqlite3.Connection, codebook: Codebook | str | Path | None = None,
                      model_dir: str | Path | None = None, encoder=None, batch_size: int = 256,
                      model: ThemeClassifier | None = None, progress=None) -> int:
    """Classify every stored substantive passage (``SUBSTANTIVE_KINDS``) and write
    ``passage_themes``; returns passages classified.

    ``progress``: True (bar or periodic line on stderr), None, or a callback
    ``progress(stage, done, total)`` with stage "embedding" (missing vectors) then "classifying".

    Rows of the same codebook (``id@version``) are replaced in one transaction, so compare and
    report never see a half-written coding.
    """
    model = model or get_model(codebook, model_dir, encoder)
    try:
        # headings, contents lines, minutes' formalities and boilerplate get no themes
        from stratcompare.segment import SUBSTANTIVE_KINDS

        # the document's genre and the passage's kind are context features of the model
        rows = conn.execute(
            "SELECT p.id, p.text, d.genre, p.kind FROM passages p LEFT JOIN documents d "
            "ON d.id = p.document_id WHERE p.kind IN (%s) ORDER BY p.document_id, p.seq"
            % ",".join("?" * len(SUBSTANTIVE_KINDS)), SUBSTANTIVE_KINDS).fetchall()
    except sqlite3.OperationalError as exc:
        raise StoreError(f"cannot read passages: {exc}", hint="run `stratcompare ingest` first") from None
    # One embedding per passage text and model: compute what is missing into the embeddings
    # table (search, similar and compare read the same vectors), then read them back.
    from stratcompare.embed import embed_passages

    from stratcompare.embed.progress import reporter

    base = model.encoder.encoder if isinstance(model.encoder, _StoredFirst) else model.encoder
    embed_passages(conn, base, progress=progress)
    report = reporter(progress)
    stored = _stored_vectors(conn, model.encoder_name, int(model.encoder.dim))
    if stored and not isinstance(model.encoder, _StoredFirst):
        model.encoder = _StoredFirst(model.encoder, stored)
    results = []
    try:
        report("classifying", 0, len(rows))
        for start in range(0, len(rows), batch_size):
            chunk = [{"id": r[0], "text": r[1], "genre": r[2], "kind": r[3]}
                     for r in rows[start:start + batch_size]]
            results.extend(model.classify(chunk))
            report("classifying", len(results), len(rows))
    finally:
        report.close()
    key = model.codebook.key
    out_rows = []
    for res in results:
        for j, t in enumerate(model.theme_ids):
            assigned = t in res["themes"]
            ev = res["evidence"].get(t)
            out_rows.append((res["id"], key, t, float(res["scores"][t]), int(assigned),
                             json.dumps(ev, ensure_ascii=False) if ev else None, model.model_id))
    return _write_themes(conn, key, out_rows)


def _write_themes(conn: sqlite3.Connection, key: str, out_rows: list[tuple]) -> int:
    """Replace the codebook's rows in ONE transaction (``BEGIN IMMEDIATE`` … ``COMMIT``).

    ``Store.open`` connects with ``isolation_level=None``, where ``with conn:`` opens no
    transaction: the DELETE would commit alone and a failure later leave most passages without
    labels.  Passages an ingest replaced since they were read are skipped (their ids are re-read
    under the write lock), so a concurrent ingest costs their labels until the next run, never a
    foreign-key error.  Returns the number of passages written.
    """
    if conn.in_transaction:  # a caller's pending implicit transaction (legacy isolation level)
        conn.commit()
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _store_error(exc) from None
    try:
        live = {r[0] for r in conn.execute("SELECT id FROM passages")}
        rows = [r for r in out_rows if r[0] in live]
        conn.execute("DELETE FROM passage_themes WHERE codebook = ?", (key,))
        conn.executemany(
            "INSERT INTO passage_themes(passage_id, codebook, theme, probability, assigned, evidence, model) "
            "VALUES (?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")
    except BaseException as exc:  # KeyboardInterrupt too: the old coding stays whole
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise _store_error(exc) from None
        raise
    return len({r[0] for r in rows})


def _store_error(exc: sqlite3.DatabaseError) -> StoreError:
    from stratcompare.store.db import describe_db_error

    return describe_db_error(exc, "cannot write passage_themes")


def train(labels: str | Path, codebook: Codebook | str | Path | None = None, out: str | Path | None = None,
          encoder=None, encoder_name: str | None = None, seed: int = 0,
          sentences: bool = False, genre_feature: bool = False, kind_feature: bool = False,
          genre_offsets: bool = False) -> ThemeClassifier:
    """Train on labelled JSONL (file or folder) and save to ``out`` (default models/themes).

    Blend weights and thresholds are chosen on out-of-fold predictions grouped by
    municipality (written passages form one group), so they are tuned for municipalities the
    model has not seen.  With the context settings, a label's genre is its "genre" field, else
    the genre ingest detects for its source document (sources are relative to the labels
    folder's parent); a label's kind is its "kind" field, else the kind rules' verdict."""
    cb = _as_codebook(codebook)
    data = load_labels(labels, cb.theme_ids)
    texts = [d.text for d in data]
    Y = label_matrix([d.themes for d in data], cb.theme_ids)
    model = ThemeClassifier(cb, encoder=encoder, encoder_name=encoder_name, seed=seed,
                            sentences=sentences, genre_feature=genre_feature,
                            kind_feature=kind_feature, genre_offsets=genre_offsets)
    genres = kinds = None
    if genre_feature or kind_feature or genre_offsets:
        lp = Path(labels)
        genres = label_genres(data, (lp if lp.is_dir() else lp.parent).parent)
    if kind_feature:
        from stratcompare.segment.kinds import classify_kind

        kinds = [d.extra.get("kind") or classify_kind(d.text, genre=g) for d, g in zip(data, genres)]
    model.fit(texts, Y, ids=[d.id for d in data],
              groups=[d.municipality or "written" for d in data], genres=genres, kinds=kinds)
    model.info["labels"] = Path(labels).name
    model.info["written"] = sum(d.written for d in data)
    if out is None:
        out = repo_models_dir() / "themes"
    model.save(out)
    return model


def evaluate(labels: str | Path, codebook: Codebook | str | Path | None = None,
             model_dir: str | Path | None = None, encoder=None,
             model: ThemeClassifier | None = None) -> list[dict]:
    """Per-theme precision/recall/F1/support of the model against gold labels (+ macro, micro)."""
    model = model or get_model(codebook, model_dir, encoder)
    data = load_labels(labels, model.theme_ids)
    Y = label_matrix([d.themes for d in data], model.theme_ids)
    ctx = {}
    if any(getattr(model, k, False) for k in ("genre_feature", "kind_feature", "genre_offsets")):
        ctx = {"genres": [normal_genre(d.extra.get("genre")) for d in data],
               "kinds": [d.extra.get("kind") for d in data]}
    pred = model.predict([d.text for d in data], **ctx)
    return theme_scores(Y, pred, model.theme_ids)


def coding_agreement(a: str | Path, b: str | Path, codebook: Codebook | str | Path | None = None) -> list[dict]:
    """Per-theme Cohen's kappa and % agreement between two codings, matched by id."""
    ra = {r["id"]: r for r in read_jsonl(a, require_text=False)}
    rb = {r["id"]: r for r in read_jsonl(b, require_text=False)}
    ids = [i for i in ra if i in rb]
    if not ids:
        raise InvalidJSONLError("the two codings share no ids", path=b, hint="records are matched by their \"id\"")
    if codebook is not None:
        theme_ids = _as_codebook(codebook).theme_ids
    else:
        seen: dict[str, None] = {}
        for i in ids:
            for t in list(ra[i]["themes"]) + list(rb[i]["themes"]):
                seen.setdefault(t, None)
        default = Codebook.load().theme_ids
        theme_ids = [t for t in default if t in seen] + sorted(t for t in seen if t not in default)
        if not theme_ids:
            raise UsageError("neither coding assigns any theme; nothing to compare")
    ya = label_matrix([ra[i]["themes"] for i in ids], theme_ids)
    yb = label_matrix([rb[i]["themes"] for i in ids], theme_ids)
    return agreement(ya, yb, theme_ids)
