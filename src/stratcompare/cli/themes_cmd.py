"""``themes``, ``classify``, ``train``, ``evaluate``, ``agreement``: the theme codebook commands."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from stratcompare.cli.app import (DbOption, Format, FormatOption, OutputOption, app, open_output,
                                  output_file, run)
from stratcompare.cli.output import render

CodebookOption = typer.Option(
    None, "--codebook", "-c", help="Codebook TOML file (default: the built-in codebook v1).", show_default=False,
)
ModelDirOption = typer.Option(
    None, "--model-dir", help="Trained theme model folder (default: models/themes; zero-shot if none fits).",
    show_default=False,
)
EncoderOption = typer.Option(
    None, "--encoder", help="Embedding model (default: the trained model's, else e5-small; 'hashing' is fast).",
    show_default=False,
)


class ClassifyFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


def _encoder(name: Optional[str]):
    if not name:
        return None
    from stratcompare.embed import get_encoder

    return get_encoder(name)


def _themes(codebook: Optional[Path]) -> list[dict]:
    from stratcompare.classify import Codebook

    cb = Codebook.load(codebook)
    return [{"id": t.id, "label_da": t.label_da, "label_en": t.label_en, "definition": t.definition,
             "terms": list(t.terms), "examples": len(t.examples), "codebook": cb.key} for t in cb.themes]


@app.command("themes", epilog="Example: stratcompare themes --codebook src/stratcompare/data/codebook.toml --format json")
def themes_cmd(
    codebook: Optional[Path] = CodebookOption,
    fmt: Format = FormatOption,
    output: Optional[Path] = OutputOption,
) -> None:
    """List the themes of the codebook (validated; errors name the file and key).

    A codebook is a TOML file with top-level id, version, language and [[themes]] tables with
    id, label_da, label_en, definition, include, exclude, terms ("hjemløs*": * at either end
    only) and examples.
    """
    rows = run(_themes, codebook)
    cols = ["id", "label_da", "label_en", "definition"] if fmt == Format.table else None
    with output_file(output) as out:
        render(rows, fmt, cols, out=out)


def _classify(db, input_path, codebook, model_dir, encoder) -> tuple[int, list[dict] | None, list[str]]:
    from stratcompare.classify import classify_passages, get_model, read_passages_jsonl

    model = get_model(codebook, model_dir, _encoder(encoder))
    if not model.supervised:
        typer.echo(f"note: no trained model for {model.codebook.key} with encoder {model.encoder_name}; "
                   "classifying zero-shot from the codebook", err=True)
    if input_path is not None:
        return 0, model.classify(read_passages_jsonl(input_path)), model.theme_ids
    from stratcompare.store import Store

    with Store.open(db, create=False) as store:
        n = classify_passages(store.conn, model=model, progress=True)
    return n, None, model.theme_ids


@app.command("classify", epilog="Example: stratcompare classify --input corpus/labels/written.jsonl --format csv -o themes.csv")
def classify_cmd(
    db: Optional[Path] = DbOption,
    input_path: Optional[Path] = typer.Option(
        None, "--input", "-i", help='JSONL of {"id", "text"} to classify instead of the database.', show_default=False),
    codebook: Optional[Path] = CodebookOption,
    model_dir: Optional[Path] = ModelDirOption,
    encoder: Optional[str] = EncoderOption,
    fmt: ClassifyFormat = typer.Option(ClassifyFormat.jsonl, "--format", "-f", help="Output format for --input."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout.", show_default=False),
) -> None:
    """Assign codebook themes to passages, with scores and evidence (matched terms, nearest examples).

    With --db (default) every stored passage is classified and saved in the passage_themes table
    (earlier results for the same codebook id@version are replaced).  With --input a JSONL file
    is classified and printed: {"id", "themes", "scores", "evidence"} per passage.  A codebook
    without a trained model is classified zero-shot from its definitions, terms and examples.
    """
    n, results, theme_ids = run(_classify, db, input_path, codebook, model_dir, encoder)
    if results is None:
        typer.echo(f"classified {n} passages", err=True)
        return
    out = open_output(output)
    try:
        if fmt == ClassifyFormat.csv:
            rows = [{"id": r["id"], "themes": r["themes"], **r["scores"]} for r in results]
            render(rows, "csv", ["id", "themes", *theme_ids], out=out)
        else:
            render(results, "jsonl", out=out)
    finally:
        if out is not None and output is not None:
            out.close()


def _train(labels, codebook, out, encoder, seed, genre_feature=False, kind_feature=False,
           genre_offsets=False):
    from stratcompare.classify import train

    model = train(labels, codebook=codebook, out=out, encoder=_encoder(encoder), seed=seed,
                  genre_feature=genre_feature, kind_feature=kind_feature,
                  genre_offsets=genre_offsets)
    return model


@app.command("train", epilog="Example: stratcompare train --labels corpus/labels --out my-model/")
def train_cmd(
    labels: Path = typer.Option(..., "--labels", "-l", help="Labelled JSONL file or folder of *.jsonl ({id, text, themes})."),
    codebook: Optional[Path] = CodebookOption,
    out: Optional[Path] = typer.Option(None, "--out", help="Model folder to write (default: models/themes).", show_default=False),
    encoder: Optional[str] = EncoderOption,
    seed: int = typer.Option(0, "--seed", help="Random seed (same data + seed = same model)."),
    genre_feature: bool = typer.Option(False, "--genre-feature",
                                       help="Use the document genre (strategy/minutes/news/other) as a feature."),
    kind_feature: bool = typer.Option(False, "--kind-feature",
                                      help="Use the passage kind (content/list/table) as a feature."),
    genre_offsets: bool = typer.Option(False, "--genre-offsets",
                                       help="Learn one threshold offset per genre inside the training folds."),
) -> None:
    """Train the theme classifier from hand-labelled passages and save it (JSON + .npz, no pickle).

    Per-theme thresholds and the blend with the zero-shot score are tuned by 5-fold
    cross-validation; the cross-validated scores are printed and stored in model.json.
    A label's genre is its "genre" field, else the genre ingest detects for its source file;
    the shipped model uses none of the context options (they did not help in
    docs/benchmarks.md's grouped cross-validation).
    """
    model = run(_train, labels, codebook, out, encoder, seed, genre_feature, kind_feature,
                genre_offsets)
    rows = [{"theme": r["theme"], "precision": r["precision"], "recall": r["recall"], "f1": r["f1"],
             "support": r["support"]} for r in model.cv_scores]
    typer.echo(f"trained on {model.info['n_train']} passages; mean supervised blend weight {float(model.blend.mean()):.2f}", err=True)
    render(rows, "table")


@app.command("evaluate", epilog="Example: stratcompare evaluate --labels corpus/labels/corpus.jsonl --format csv")
def evaluate_cmd(
    labels: Path = typer.Option(..., "--labels", "-l", help="Gold-labelled JSONL file or folder."),
    codebook: Optional[Path] = CodebookOption,
    model_dir: Optional[Path] = ModelDirOption,
    encoder: Optional[str] = EncoderOption,
    fmt: Format = FormatOption,
    output: Optional[Path] = OutputOption,
) -> None:
    """Score the classifier against gold labels: per-theme precision, recall, F1, support; macro and micro.

    Evaluating on the passages the model was trained on overstates its quality; use held-out
    labels (bench/themes.py does grouped cross-validation by municipality).
    """
    from stratcompare.classify import evaluate

    rows = run(evaluate, labels, codebook=codebook, model_dir=model_dir, encoder=_encoder(encoder))
    with output_file(output) as out:
        render(rows, fmt, ["theme", "precision", "recall", "f1", "support", "predicted"], out=out)


@app.command("agreement", epilog="Example: stratcompare agreement corpus/labels/corpus.jsonl corpus/agreement/second_coder.jsonl")
def agreement_cmd(
    coding_a: Path = typer.Argument(..., help="First coding (JSONL with id and themes)."),
    coding_b: Path = typer.Argument(..., help="Second coding, matched by id."),
    codebook: Optional[Path] = CodebookOption,
    fmt: Format = FormatOption,
    output: Optional[Path] = OutputOption,
) -> None:
    """Inter-coder agreement per theme: Cohen's kappa and % agreement over passages both coded.
    """
    from stratcompare.classify import coding_agreement

    rows = run(coding_agreement, coding_a, coding_b, codebook=codebook)
    with output_file(output) as out:
        render(rows, fmt, ["theme", "kappa", "agreement", "coder_a", "coder_b", "n"], out=out)
