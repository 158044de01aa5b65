"""Batch ingestion: files -> extracted pages -> passages -> repair -> metadata -> store.

Workers (``jobs``) do the CPU work and return plain records; only the parent process writes,
one transaction per file, so a crash, a killed worker or Ctrl-C never leaves half a document,
and a rerun picks up where the batch stopped (unchanged files are skipped by content hash).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from stratcompare.errors import (
    CorruptPDFError,
    EmptyFileError,
    InvalidJSONLError,
    NothingToIngestError,
    StratcompareError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from stratcompare.ingest.discover import Candidate, discover, kind_of
from stratcompare.segment import SEGMENTER_VERSION
from stratcompare.store import DocumentRecord, PageRecord, PassageRecord, Store
from stratcompare.store.spool import Spool
from stratcompare.store.spool import remove_stale as remove_stale_spools

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class IngestOptions:
    municipality: str | None = None
    ocr: bool = True
    repair: bool = True
    max_pages: int | None = 2000
    max_mb: float | None = 200.0
    genre: str | None = None    # override: strategy | minutes | news | other
    reocr: str = "auto"         # re-OCR a damaged text layer over a page image: auto|always|never


@dataclass
class FileResult:
    path: str
    status: str                 # ingested | replaced | unchanged | duplicate | skipped | failed
    documents: int = 0
    pages: int = 0
    passages: int = 0
    municipality: str | None = None
    error: str | None = None
    error_kind: str | None = None
    exit_code: int = 0
    warnings: list[str] = field(default_factory=list)
    damaged_pages: int = 0      # pages of a damaged PDF that could not be read (stored in part)

    @property
    def outcome(self) -> str:
        """The status a user sees: 'partial' for a file stored without its damaged pages."""
        return "partial" if self.damaged_pages and self.status in ("ingested", "replaced") \
            else self.status


@dataclass
class IngestReport:
    db: str
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def partial(self) -> list[FileResult]:
        """Files stored without some pages (damaged PDFs): not a clean success."""
        return [r for r in self.results if r.outcome == "partial"]

    @property
    def exit_code(self) -> int:
        codes = {r.exit_code for r in self.failed}
        if self.partial:
            codes.add(CorruptPDFError.exit_code)
        if not codes:
            return 0
        return codes.pop() if len(codes) == 1 else 1


@dataclass
class _Bundle:
    doc: DocumentRecord
    pages: list[PageRecord] | Spool     # a long text's pages and passages are in a spool file
    passages: list[PassageRecord]

    @property
    def n_passages(self) -> int:
        return self.pages.passages if isinstance(self.pages, Spool) else len(self.passages)

    def discard(self) -> None:
        if isinstance(self.pages, Spool):
            self.pages.discard()


@dataclass
class _Outcome:
    """What a worker sends back: bundles, or a one-line failure (exceptions don't cross processes
    cleanly)."""

    path: str
    bundles: list[_Bundle] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None
    exit_code: int = 0
    kind: str = ""


Progress = Callable[[str, int], None]   # (event, amount): "file" | "pages" | "start:<path>"


def ingest_paths(
    paths: Sequence[str | Path],
    *,
    db: str | Path | None = None,
    municipality: str | None = None,
    jobs: int = 1,
    ocr: bool = True,
    repair: bool = True,
    max_pages: int | None = 2000,
    max_mb: float | None = 200.0,
    force: bool = False,
    progress: Progress | None = None,
    genre: str | None = None,
    reocr: str = "auto",
) -> IngestReport:
    """Ingest files, folders (recursively) or globs into the corpus database.

    Returns a report with one result per file; never raises for a bad input file.
    """
    if municipality:
        from stratcompare.metadata import resolve_municipality

        municipality = resolve_municipality(municipality).name  # unknown name: UsageError
    if genre:
        from stratcompare.metadata.genre import resolve_genre

        genre = resolve_genre(genre)  # unknown genre: UsageError
    if reocr not in ("auto", "always", "never"):
        from stratcompare.errors import UsageError

        raise UsageError(f"unknown --reocr mode {reocr!r}", hint="one of: auto, always, never")
    options = IngestOptions(municipality=municipality, ocr=ocr, repair=repair,
                            max_pages=max_pages, max_mb=max_mb, genre=genre, reocr=reocr)
    candidates = discover(list(paths))
    if not any(c.storable for c in candidates):
        # nothing here could be stored (missing paths, empty folders, symlink loops): say so per
        # path and leave no database file behind
        from stratcompare.config import db_path

        report = IngestReport(db=str(db_path(db)))
        for cand in candidates:
            report.results.append(_precheck(None, cand)[0])
            _tick(progress, "file", 1)
        return report
    store = Store.open(db)
    report = IngestReport(db=str(store.path))
    remove_stale_spools()   # leftovers of a killed ingest (they can be large)
    try:
        todo: list[tuple[Candidate, str, IngestOptions]] = []
        first_seen: dict[str, str] = {}
        overridden: set[str] = set()  # unchanged files read again: stored even if the same content
        for cand in candidates:
            result, digest = _precheck(store, cand)
            if result is not None and result.status == "unchanged" and (
                    force or _override_differs(store, str(cand.path), options)):
                result = None  # re-read it (after upgrading stratcompare, or for a new -m/--genre)
                overridden.add(str(cand.path))
            if result is None and digest in first_seen:
                result = FileResult(str(cand.path), "duplicate",
                                    warnings=[f"same content as {first_seen[digest]}"])
            first_seen.setdefault(digest, str(cand.path))
            if result is not None:
                report.results.append(result)
                if result.status == "failed" and cand.problem is None:
                    store.record_failure(str(cand.path), kind_of(cand.path) or "unknown",
                                         result.error or "")
                _tick(progress, "file", 1)
            else:
                todo.append((cand, digest, _kept_overrides(store, str(cand.path), options)))
        if progress:
            progress("total", len(todo) + len(report.results))
        outcomes = _run(todo, jobs, progress)
        try:
            for outcome in outcomes:
                report.results.append(_store_outcome(store, outcome, force or outcome.path in overridden))
                _tick(progress, "file", 1)
        finally:
            outcomes.close()  # on Ctrl-C: stop the workers now, not when the generator is collected
    finally:
        store.close()
    return report


def _tick(progress: Progress | None, event: str, n: int) -> None:
    if progress:
        progress(event, n)


def _precheck(store: Store | None, cand: Candidate) -> tuple[FileResult | None, str]:
    """Cheap checks in the parent: missing, unreadable, empty, unsupported, unchanged."""
    path = str(cand.path)
    try:
        if cand.missing:
            raise UnreadableFileError("no such file or folder", path)
        if cand.problem == "loop" and not cand.explicit:
            # found in a folder or by a glob: say so on one line, and go on with the batch
            return FileResult(path, "skipped", warnings=[
                "symbolic link loop (the link points back at itself): skipped"]), ""
        if cand.problem == "loop":
            raise UnreadableFileError("symbolic link loop (the link points back at itself)", path,
                                      hint="point the link at a real file, or remove it")
        if cand.problem == "dangling":
            raise UnreadableFileError(f"broken symbolic link (its target {os.readlink(path)} does "
                                      "not exist)", path, hint="point the link at a real file, or remove it")
        if cand.problem == "empty":
            raise NothingToIngestError("nothing to ingest: no readable documents here", path)
        if kind_of(cand.path) is None:
            raise UnsupportedFormatError(f"unsupported file type '{cand.path.suffix or '(none)'}'", path)
        digest = _file_digest(cand.path)
    except StratcompareError as exc:
        return _failed(path, exc), ""
    stored = store.stored_version(path)
    if stored and all(r["status"] != "failed" for r in stored) and any(
        r["id"].startswith(digest) for r in stored
    ) and all(r["pipeline"] >= SEGMENTER_VERSION for r in stored):
        return _unchanged(store, path, len(stored)), digest
    other = store.document_by_id(digest)
    if other is not None and other["path"] != path and other["status"] != "failed":
        return FileResult(path, "duplicate", warnings=[f"same content as {other['path']}"]), digest
    return None, digest


def _override_differs(store: Store, path: str, options: IngestOptions) -> bool:
    """An unchanged file given a municipality or genre other than the one stored: the user's
    override must take effect (the genre also decides how minutes are cut), so it is read again."""
    if not (options.municipality or options.genre):
        return False
    rows = store.conn.execute("SELECT municipality, genre FROM documents WHERE path = ?", (path,)).fetchall()
    return any((options.municipality and r[0] != options.municipality)
               or (options.genre and r[1] != options.genre) for r in rows)


def _kept_overrides(store: Store, path: str, options: IngestOptions) -> IngestOptions:
    """A file read again keeps the municipality and genre a user once gave it (-m, --genre)
    unless this run gives others: a new version of a file whose text names no municipality
    must not lose the one the user set."""
    rows = store.conn.execute(
        "SELECT municipality, municipality_source, genre, genre_source FROM documents "
        "WHERE path = ? AND status != 'failed'", (path,)).fetchall()
    if not rows:
        return options
    kept = {}
    munis = {r[0] for r in rows if r[1] == "override"}
    if options.municipality is None and len(munis) == 1 and all(r[1] == "override" for r in rows):
        kept["municipality"] = munis.pop()
    genres = {r[2] for r in rows if r[3] == "override"}
    if options.genre is None and len(genres) == 1 and all(r[3] == "override" for r in rows):
        kept["genre"] = genres.pop()
    return replace(options, **kept) if kept else options


def _unchanged(store: Store, path: str, n_docs: int) -> FileResult:
    """An unchanged file with what is stored for it (a rerun that shows 0 pages, 0 passages and
    no municipality reads as if the corpus had lost them)."""
    row = store.conn.execute(
        "SELECT group_concat(DISTINCT d.municipality), total(d.pages), "
        "(SELECT count(*) FROM passages p JOIN documents e ON e.id = p.document_id WHERE e.path = ?) "
        "FROM documents d WHERE d.path = ?", (path, path)).fetchone()
    munis = ", ".join(sorted(set(row[0].split(",")))) if row[0] else None
    return FileResult(path, "unchanged", documents=n_docs, pages=int(row[1]), passages=int(row[2]),
                      municipality=munis)


def _file_digest(path: Path) -> str:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):   # a pipe or device: reading it could wait for ever
            raise UnreadableFileError("not a regular file (a pipe, socket or device)", path,
                                      hint="copy the data into a file and ingest that")
        size = st.st_size
        if size == 0:
            raise EmptyFileError("empty file (0 bytes)", path)
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except PermissionError:
        raise UnreadableFileError("permission denied", path) from None
    except IsADirectoryError:
        raise UnreadableFileError("is a folder, not a file", path) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read ({exc.strerror or exc})", path) from None
    return h.hexdigest()[:16]


def _failed(path: str, exc: StratcompareError) -> FileResult:
    return FileResult(path, "failed", error=str(exc), error_kind=exc.kind, exit_code=exc.exit_code)


def _run(todo, jobs: int, progress: Progress | None):
    if jobs <= 1 or len(todo) <= 1:
        for cand, digest, opts in todo:
            if progress:
                progress("start:" + cand.path.name, 0)
            yield process_file(str(cand.path), digest, opts,
                               lambda n: _tick(progress, "pages", n))
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(os.getpid(),))
    try:
        pending = {pool.submit(process_file, str(c.path), d, o, None): c for c, d, o in todo}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                cand = pending.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    outcome = _Outcome(str(cand.path), error=f"{cand.path}: a worker process died "
                                       "while reading this file (out of memory or killed); run "
                                       "ingest again to retry", error_kind="worker-died",
                                       exit_code=1)
                except Exception as exc:  # noqa: BLE001 - one file must not stop the batch
                    outcome = _Outcome(str(cand.path), error=f"{cand.path}: internal error: "
                                       f"{type(exc).__name__}: {exc}", error_kind="internal",
                                       exit_code=10)
                if outcome.bundles:
                    _tick(progress, "pages", sum(b.doc.pages for b in outcome.bundles))
                yield outcome
    except BaseException:
        # Ctrl-C (or the caller stopped consuming): do not wait for the files in flight — stop
        # the workers now; every file stored so far was committed in its own transaction.
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
    for proc in processes:
        try:
            proc.join(timeout=2)
        except (OSError, ValueError, AssertionError):
            pass


def _worker_init(parent: int) -> None:
    """In each worker: leave Ctrl-C to the parent (which stops the batch), and die with the
    parent — ``kill -9`` of ``stratcompare ingest`` must not leave ~200 MB workers behind."""
    import signal
    import threading
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # Linux: the kernel sends SIGKILL when the parent goes
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:  # elsewhere (and as a fallback): poll the parent once a second
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="stratcompare-parent-watch", daemon=True).start()


def _store_outcome(store: Store, outcome: _Outcome, force: bool = False) -> FileResult:
    if outcome.error:
        store.record_failure(outcome.path, outcome.kind or "unknown", outcome.error)
        return FileResult(outcome.path, "failed", error=outcome.error,
                          error_kind=outcome.error_kind, exit_code=outcome.exit_code)
    try:
        if not force and _stored_meanwhile(store, outcome):
            return _unchanged(store, outcome.path, len(outcome.bundles))
        damaged = sum(_damaged_pages(b) for b in outcome.bundles)
        if damaged and not force and _stored_whole(store, outcome.path):
            # a damaged new copy must not replace a whole stored version (nothing stored is lost)
            note = next((w for b in outcome.bundles for w in b.doc.warnings
                         if w.startswith("stored ")), f"{damaged} pages could not be read")
            return FileResult(outcome.path, "failed", error=(
                f"{outcome.path}: the new copy is damaged ({note.split(' (')[0]}); kept the "
                "version stored before (download the file again, or --force to store the "
                "readable pages)"), error_kind=CorruptPDFError.kind,
                exit_code=CorruptPDFError.exit_code)
        replaced = bool(store.stored_version(outcome.path))
        try:
            _check_passage_ids(store, outcome)
        except InvalidJSONLError as exc:
            store.record_failure(outcome.path, outcome.kind, str(exc))
            return _failed(outcome.path, exc)
        store.replace_source(
            outcome.path,
            [(b.doc, b.pages, b.passages) for b in outcome.bundles],
            before_commit=_fault_hook(outcome.path),
        )
    finally:
        for b in outcome.bundles:
            b.discard()   # a spool file is not needed once copied (or if the write failed)
    docs = outcome.bundles
    warnings = [w for b in docs for w in b.doc.warnings]
    munis = sorted({b.doc.municipality for b in docs if b.doc.municipality})
    return FileResult(
        outcome.path, "replaced" if replaced else "ingested", documents=len(docs),
        pages=sum(b.doc.pages for b in docs), passages=sum(b.n_passages for b in docs),
        municipality=", ".join(munis) or None, warnings=warnings, damaged_pages=damaged,
    )


def _damaged_pages(bundle: _Bundle) -> int:
    pages = bundle.pages if isinstance(bundle.pages, list) else []
    return sum(1 for p in pages if p.status == "damaged")


def _stored_whole(store: Store, path: str) -> bool:
    """A good version of this path is stored, none of whose pages is damaged."""
    stored = store.stored_version(path)
    if not stored or any(r["status"] == "failed" for r in stored):
        return False
    ids = [r["id"] for r in stored]
    return not store.conn.execute(
        f"SELECT 1 FROM pages WHERE status = 'damaged' AND document_id IN "
        f"({','.join('?' * len(ids))}) LIMIT 1", ids).fetchone()


def _stored_meanwhile(store: Store, outcome: _Outcome) -> bool:
    """Another run stored this very content while this one read it (two overlapping ingests of
    one folder): replacing it again would only drop its themes and vectors."""
    stored = store.stored_version(outcome.path)
    return bool(stored) and sorted(r["id"] for r in stored) == sorted(
        b.doc.id for b in outcome.bundles) and all(
        r["status"] != "failed" and (r["pipeline"] or 0) >= SEGMENTER_VERSION for r in stored)


def _check_passage_ids(store: Store, outcome: _Outcome) -> None:
    """User-given JSONL ids must not collide with passages of other files."""
    if outcome.kind != "jsonl":
        return
    ids = [p.id for b in outcome.bundles for p in b.passages]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        row = store.conn.execute(
            "SELECT p.id, d.path FROM passages p JOIN documents d ON d.id = p.document_id "
            f"WHERE p.id IN ({','.join('?' * len(chunk))}) AND d.path != ? LIMIT 1",
            (*chunk, outcome.path),
        ).fetchone()
        if row:
            raise InvalidJSONLError(f'passage id "{row["id"]}" is already used by {row["path"]}',
                                    outcome.path)


def _fault_hook(path: str):
    """Fault injection for the crash-safety tests: STRATCOMPARE_FAULT=commit-exit:<file name>
    kills the process inside that file's transaction, before it commits."""
    fault = os.environ.get("STRATCOMPARE_FAULT", "")
    if fault.startswith("commit-exit:") and Path(path).name == fault.split(":", 1)[1]:
        return lambda: os._exit(86)
    return None


# --- the per-file work (runs in a worker process when jobs > 1) ------------------------------
def process_file(path: str, digest: str, options: IngestOptions,
                 on_pages: Callable[[int], None] | None = None) -> _Outcome:
    kind = kind_of(Path(path)) or "unknown"
    fault = os.environ.get("STRATCOMPARE_FAULT", "")
    if fault == "worker-exit:" + Path(path).name:
        os._exit(87)
    try:
        return _Outcome(path, bundles=_process(Path(path), digest, kind, options, on_pages),
                        kind=kind)
    except StratcompareError as exc:
        return _Outcome(path, error=str(exc), error_kind=exc.kind, exit_code=exc.exit_code,
                        kind=kind)
    except MemoryError:
        return _Outcome(path, error=f"{path}: out of memory while reading this file",
                        error_kind="memory", exit_code=10, kind=kind)
    except Exception as exc:  # noqa: BLE001 - a library bug on one file must not stop the batch
        return _Outcome(path, error=f"{path}: could not be read: {type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "),
                        error_kind="internal", exit_code=10, kind=kind)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError:
        raise UnreadableFileError("permission denied", path) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read ({exc.strerror or exc})", path) from None


def _process(path: Path, digest: str, kind: str, options: IngestOptions,
             on_pages) -> list[_Bundle]:
    size = path.stat().st_size
    if kind == "jsonl":
        from stratcompare.ingest.jsonlfile import read_jsonl

        docs = read_jsonl(path, _read_bytes(path), check_municipality=not options.municipality)
        return [_bundle_from_jsonl(path, digest, size, d, options) for d in docs]
    if kind == "pdf":
        from stratcompare.ingest.pdf import extract_pdf

        extracted = extract_pdf(path, ocr=options.ocr, max_pages=options.max_pages,
                                max_mb=options.max_mb, progress=on_pages, reocr=options.reocr)
    else:
        if options.max_mb and size > options.max_mb * 1024 * 1024:
            from stratcompare.errors import TooLargeError

            raise TooLargeError(f"file is {size / 1048576:.0f} MB, over the "
                                f"{options.max_mb:g} MB cap", path)
        from stratcompare.ingest.longtext import is_long_text, long_text_bundle

        if is_long_text(kind, size):  # read part by part: memory does not grow with the file
            return [long_text_bundle(path, digest, size, options, on_pages)]
        data = _read_bytes(path)
        if kind == "html":
            from stratcompare.ingest.htmlfile import read_html

            extracted = read_html(path, data)
        else:
            from stratcompare.ingest.textfile import read_text

            extracted = read_text(path, data)
        del data  # a big text's bytes are not needed past the reader (peak memory)
        if not any((p.raw_text or "").strip() for p in extracted.pages):
            # like a 0-byte file: an error, nothing stored (was a document with 0 passages)
            if kind == "html":
                raise EmptyFileError("no text in the HTML page", path, hint="the page holds no "
                                     "readable text, perhaps it is built by JavaScript: save it "
                                     "from a browser as shown")
            raise EmptyFileError("no text: the file holds only spaces and line breaks", path,
                                 hint="nothing to store; check that it was saved with its content")
        if on_pages:
            on_pages(len(extracted.pages))
    return [_bundle_from_extracted(path, digest, size, extracted, options)]


def _bundle_from_extracted(path: Path, digest: str, size: int, extracted, options) -> _Bundle:
    segments, genre = _segments(extracted, path, options)
    texts, damage, changed = _repair([s.text for s in segments], options.repair)
    sections = _repaired_sections(segments, options.repair)
    passages = [
        PassageRecord(id=f"{digest[:12]}-{s.seq:04d}", seq=s.seq, page=s.page,
                      section=sections.get(s.section),
                      char_start=s.char_start, char_end=s.char_end, raw_text=s.text, text=t,
                      words=_words(t), kind=s.kind, cells=s.cells)
        for s, t in zip(segments, texts)
    ]
    pages = [PageRecord(p.number, p.method, p.status, p.raw_text, p.text) for p in extracted.pages]
    missing = [p.number for p in extracted.pages if p.status != "ok"]
    warnings = list(extracted.warnings)
    if not passages:
        warnings.append("no text could be extracted")
    doc = DocumentRecord(
        id=digest, path=str(path), source_key=str(path), kind=extracted.kind,
        title=_title(extracted, path), pages=len(pages), pages_missing_text=len(missing),
        words=sum(p.words for p in passages), ocr_damage=damage, words_repaired=changed,
        status="partial" if missing or not passages else "ok", warnings=warnings,
        size_bytes=size, genre=genre[0], genre_confidence=genre[1], genre_source=genre[2],
        pipeline=SEGMENTER_VERSION,
    )
    if options.repair and doc.title:
        from stratcompare.repair import repair_text

        doc.title = repair_text(doc.title).text
    _describe(doc, texts, segments, options, filename=path.name)
    return _Bundle(doc, pages, passages)


def _segments(extracted, path: Path, options: IngestOptions):
    """Genre first (minutes are cut by agenda item), then passages, their kinds, and the
    tables the PDF reader found, in page order."""
    from stratcompare.segment import segment_pages
    from stratcompare.segment.kinds import refine_kinds

    genre = _genre(_title(extracted, path),  # the title the document is stored with
                   "\n\n".join(p.text or "" for p in extracted.pages[:3]),
                   extracted.kind, path.name, options)
    segments = segment_pages(extracted.pages, genre=genre[0])
    refine_kinds(segments, genre=genre[0])
    if any(getattr(p, "tables", None) for p in extracted.pages):
        segments = _with_tables(segments, extracted.pages)
    return segments, genre


def _with_tables(segments, pages):
    """Put each page's table passages after that page's text passages; renumber seq."""
    from stratcompare.segment.tables import table_segments

    by_page: dict[int, list] = {}
    for s in segments:
        by_page.setdefault(s.page, []).append(s)
    out: list = []
    for page in pages:
        out.extend(by_page.pop(page.number, []))
        if getattr(page, "tables", None):
            for t in table_segments(page, start_seq=len(out)):
                if t.section is None and out:
                    t.section = out[-1].section
                out.append(t)
    for rest in by_page.values():
        out.extend(rest)
    for i, s in enumerate(out):
        s.seq = i
    return out


def _genre(title, text, source_kind, filename, options) -> tuple[str, float, str]:
    if options.genre:
        return options.genre, 1.0, "override"
    from stratcompare.metadata.genre import detect_genre

    name, confidence = detect_genre(title, text, source_kind=source_kind, filename=filename)
    return name, round(float(confidence), 3), "detected"


def _bundle_from_jsonl(path: Path, digest: str, size: int, given, options) -> _Bundle:
    doc_id = f"{digest}-{hashlib.sha256(given.name.encode()).hexdigest()[:6]}"
    texts, damage, changed = _repair([p.text for p in given.passages], options.repair)
    kinds = _jsonl_kinds(given, options)
    passages = [
        PassageRecord(id=p.id, seq=i, page=p.page, section=p.section, char_start=None,
                      char_end=None, raw_text=p.text, text=t, words=_words(t), kind=k)
        for i, (p, t, k) in enumerate(zip(given.passages, texts, kinds[0]))
    ]
    page_numbers = sorted({p.page for p in given.passages if p.page is not None})
    doc = DocumentRecord(
        id=doc_id, path=str(path), source_key=f"{path}#{given.name}", kind="jsonl",
        title=given.title, pages=len(page_numbers), words=sum(p.words for p in passages),
        ocr_damage=damage, words_repaired=changed, status="ok", size_bytes=size,
        genre=kinds[1][0], genre_confidence=kinds[1][1], genre_source=kinds[1][2],
        pipeline=SEGMENTER_VERSION,
    )
    if given.municipality and not options.municipality:
        from stratcompare.metadata import normalise_municipality

        doc.municipality = normalise_municipality(given.municipality) or given.municipality
        doc.municipality_confidence, doc.municipality_source = 1.0, "jsonl"
    _describe(doc, texts, None, options, filename=path.name, detect_municipality=not doc.municipality)
    if given.year:
        _set_years_from_text(doc, given.year)
    return _Bundle(doc, [], passages)


def _jsonl_kinds(given, options):
    """Pre-segmented passages keep their cut; their kinds and the group's genre are judged
    from the text like any other document's."""
    from stratcompare.segment import Segment
    from stratcompare.segment.kinds import refine_kinds

    text = "\n\n".join(p.text for p in given.passages[:40])
    genre = _genre(given.title, text, "jsonl", None, options)
    segs = [Segment(i, p.page or 1, p.section, 0, len(p.text), p.text)
            for i, p in enumerate(given.passages)]
    refine_kinds(segs, genre=genre[0])
    return [s.kind for s in segs], genre


def _repair(texts: list[str], enabled: bool) -> tuple[list[str], float | None, int]:
    if not enabled or not texts:
        return texts, None, 0
    from stratcompare.repair import repair_text

    out, damaged, words, changed = [], 0.0, 0, 0
    for t in texts:
        r = repair_text(t)
        out.append(r.text)
        damaged += r.damage * r.words
        words += r.words
        changed += r.changed
    return out, (damaged / words if words else 0.0), changed


def _repaired_sections(segments, enabled: bool) -> dict:
    names = {s.section for s in segments if s.section}
    if not enabled:
        return {n: n for n in names}
    from stratcompare.repair import repair_text

    return {n: repair_text(n).text for n in names}


def _describe(doc: DocumentRecord, texts: list[str], segments, options: IngestOptions,
              filename: str, detect_municipality: bool = True) -> None:
    """Municipality (unless overridden) and the years the document covers."""
    from stratcompare.metadata import detect_municipality as detect, detect_years

    pages = _texts_by_page(texts, segments)
    if options.municipality:  # already resolved to the canonical name by ingest_paths
        doc.municipality = options.municipality
        doc.municipality_confidence, doc.municipality_source = 1.0, "override"
    elif detect_municipality:
        guess = detect(pages, title=doc.title, filename=filename)
        if guess.name:
            doc.municipality = guess.name
            doc.municipality_confidence = round(float(guess.confidence), 3)
            doc.municipality_source = "detected"
        else:
            doc.warnings.append("municipality not recognised: pass --municipality")
    years = detect_years(pages, title=doc.title, genre=doc.genre)
    doc.year_start, doc.year_end, doc.adopted = years.start, years.end, years.adopted
    doc.dated = years.dated


def _set_years_from_text(doc: DocumentRecord, year: str) -> None:
    found = [int(y) for y in re.findall(r"(?:19|20)\d\d", year)]
    if found:
        doc.year_start, doc.year_end = min(found), max(found)


def _texts_by_page(texts: list[str], segments) -> list[str]:
    if not segments:
        return ["\n\n".join(texts)]
    pages: dict[int, list[str]] = {}
    for s, t in zip(segments, texts):
        pages.setdefault(s.page, []).append(t)
    return ["\n\n".join(pages[k]) for k in sorted(pages)]


def _title(extracted, path: Path) -> str:
    """PDF/HTML title, else the first heading, else the first real line, else the file name."""
    title = " ".join((extracted.title or "").split())
    if len(title) >= 4 and not title.lower().startswith(("microsoft word", "untitled", "slide")):
        return title[:200]
    for page in extracted.pages:
        if page.headings:
            return page.headings[0][:200]
    from stratcompare.segment.passages import is_lead_in

    lines = [ln.strip() for page in extracted.pages[:2] for ln in (page.text or "").split("\n")]
    lines = [ln for ln in lines if len(ln) >= 4 and not _BULLET_START.match(ln)]
    for i, line in enumerate(lines):
        if is_lead_in(line) and not line.endswith(":") and i + 1 < len(lines):
            return f"{line} {lines[i + 1]}"[:200]  # "HVAD BETYDER DET FOR" + "Holstebro Kommune"
        return line[:200]
    return path.stem.replace("_", " ").replace("-", " ")


_BULLET_START = re.compile(r"^([-–•▪●*]|\d+[.)])\s")


def _words(text: str) -> int:
    return len(_WORD.findall(text))
