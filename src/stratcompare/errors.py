"""One exception class per failure kind, each with its own exit code (OCRmyPDF's style).

Every message names the file (where there is one), says what is wrong, and tells the user
what to do next.  The CLI prints ``str(exc)`` on one line and exits with ``exc.exit_code``;
nothing ever reaches the user as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class StratcompareError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with; ``kind`` is a short slug."""

    exit_code = 10
    kind = "error"
    hint = ""

    def __init__(self, message: str, path: str | Path | None = None, hint: str | None = None):
        self.path = str(path) if path is not None else None
        self.detail = message
        if hint is not None:
            self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.detail}{hint}".replace("\n", " ")


# --- input files -------------------------------------------------------------------------
class InputFileError(StratcompareError):
    """Something is wrong with one input file; a batch records it and goes on."""

    exit_code = 3
    kind = "bad-input"


class EmptyFileError(InputFileError):
    exit_code = 4
    kind = "empty-file"
    hint = "the file is zero bytes; download it again"


class CorruptPDFError(InputFileError):
    exit_code = 5
    kind = "corrupt-pdf"
    hint = "the PDF is truncated or damaged; download it again or repair it with qpdf"


class EncryptedPDFError(InputFileError):
    exit_code = 6
    kind = "encrypted-pdf"
    hint = "remove the password (e.g. qpdf --decrypt) and ingest the decrypted copy"


class NotAPDFError(InputFileError):
    exit_code = 7
    kind = "not-a-pdf"
    hint = "the file is named .pdf but is not a PDF; check what it really is with `file`"


class UndecodableTextError(InputFileError):
    exit_code = 8
    kind = "undecodable-text"
    hint = "convert the file to UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)"


class UnreadableFileError(InputFileError):
    exit_code = 9
    kind = "unreadable-file"
    hint = "check that the file exists and that you may read it"


class TooLargeError(InputFileError):
    exit_code = 11
    kind = "too-large"
    hint = "raise --max-pages / --max-mb if the file is genuine"


class UnsupportedFormatError(InputFileError):
    exit_code = 12
    kind = "unsupported-format"
    hint = "supported: .pdf .txt .md .html .htm .jsonl"


class NothingToIngestError(InputFileError):
    """A folder or glob named on the command line that holds no file stratcompare can read."""

    exit_code = 12
    kind = "nothing-to-ingest"
    hint = "supported: .pdf .txt .md .html .htm .jsonl; check the path, the glob's quoting and .stratcompareignore"


class InvalidJSONLError(InputFileError):
    exit_code = 13
    kind = "invalid-jsonl"
    hint = 'each line must be a JSON object with "id", "text" and "municipality"'


# --- environment and configuration -------------------------------------------------------
class MissingDependencyError(StratcompareError):
    exit_code = 14
    kind = "missing-dependency"


class CodebookError(StratcompareError):
    exit_code = 15
    kind = "invalid-codebook"
    hint = "see `stratcompare themes --help` for the codebook format"


class ModelError(StratcompareError):
    exit_code = 16
    kind = "model"


class StoreError(StratcompareError):
    exit_code = 17
    kind = "database"


class NotFoundError(StratcompareError):
    exit_code = 18
    kind = "not-found"


class UsageError(StratcompareError):
    exit_code = 2
    kind = "usage"


class BatchFailedError(StratcompareError):
    """Raised at the end of a batch in which at least one file failed."""

    exit_code = 1
    kind = "batch-failed"

