"""The main job in one call: ingest -> classify -> embed -> report.

Each step is the same API function its own command uses; this only strings them together so
a new user gets from a folder of strategies to a comparison report with one command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from stratcompare.embed.progress import ProgressArg
from stratcompare.ingest import IngestReport, ingest_paths
from stratcompare.store import Store


@dataclass
class RunSummary:
    ingest: IngestReport
    classified: int = 0
    embedded: int = 0
    report: str | None = None
    notes: list[str] = field(default_factory=list)


def run_all(
    paths: Sequence[str | Path],
    *,
    db: str | Path | None = None,
    report: str | Path | None = "report.html",
    jobs: int = 1,
    ocr: bool = True,
    repair: bool = True,
    model: str | None = None,
    codebook: str | Path | None = None,
    progress: Callable[[str, int], None] | None = None,
    log: Callable[[str], None] = lambda msg: None,
    step_progress: ProgressArg = True,
) -> RunSummary:
    """``progress`` gets ingest's events; ``step_progress`` the embedding and classifying counts
    (True: a bar on a terminal, a line every 10 s otherwise; or a callback (stage, done, total))."""
    log("Ingesting …")
    ingest = ingest_paths(paths, db=db, jobs=jobs, ocr=ocr, repair=repair, progress=progress)
    summary = RunSummary(ingest=ingest)
    if not Path(ingest.db).exists():  # nothing could be stored (missing paths, empty folders)
        return summary

    from stratcompare.embed import embed_passages, get_encoder

    encoder = get_encoder(model)
    with Store.open(db) as store:
        log(f"Embedding passages with {encoder.model_id} …")
        summary.embedded = embed_passages(store.conn, encoder, progress=step_progress)

        from stratcompare.classify import classify_passages

        log("Classifying passages into themes …")
        summary.classified = classify_passages(store.conn, codebook=codebook, encoder=encoder,
                                               progress=step_progress)

        from stratcompare.search.api import ensure_fts

        log("Indexing words for search …")  # `serve` only reads: without it the web's search
        ensure_fts(store.conn)              # would run on meaning alone, without its word half

        if report:
            from stratcompare.report import build_report

            log("Writing the report …")
            build_report(store.conn, Path(report), codebook=codebook, model=encoder.model_id)
            summary.report = str(report)
    return summary
