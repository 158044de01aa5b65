"""Progress of long computations (embedding, classifying, a first search's index sync).

The Python API takes ``progress``: ``None``/``False`` (silent), ``True`` (report on stderr) or a
callback ``progress(stage, done, total)`` called after every batch with counts of passages.
On a terminal ``True`` shows a rich bar with rate and ETA; otherwise (a log file, a pipe, a
notebook's captured stderr) it prints one line every ``interval`` seconds, e.g.
``embedding: 1200/5000 passages, 35/s, ETA 1m48s`` — a bar redrawn into a log is unreadable,
and silence for minutes looks like a hang.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO, Union

ProgressCallback = Callable[[str, int, int], None]
ProgressArg = Union[bool, None, ProgressCallback]

INTERVAL = 10.0  # seconds between one-line messages when stderr is not a terminal


def fmt_duration(seconds: float) -> str:
    """``1m48s``, ``2h03m``, ``7s``: short enough for a one-line message."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def progress_line(stage: str, done: int, total: int, elapsed: float, unit: str = "passages") -> str:
    """The non-terminal message: counts, rate and ETA (rate and ETA once something is done)."""
    line = f"{stage}: {done}/{total} {unit}"
    if done > 0 and elapsed > 0:
        rate = done / elapsed
        line += f", {rate:.0f}/s" if rate >= 10 else f", {rate:.1f}/s"
        if done < total:
            line += f", ETA {fmt_duration((total - done) / rate)}"
        else:
            line += f", done in {fmt_duration(elapsed)}"
    return line


class LineReporter:
    """One line every ``interval`` seconds (and a last one if any was printed)."""

    def __init__(self, stream: TextIO, interval: float = INTERVAL, clock: Callable[[], float] = time.monotonic,
                 unit: str = "passages"):
        self.stream, self.interval, self.clock, self.unit = stream, interval, clock, unit
        self._start: dict[str, float] = {}
        self._last: dict[str, float] = {}
        self._state: dict[str, tuple[int, int]] = {}
        self._shown: dict[str, tuple[int, int]] = {}
        self.printed = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage not in self._start:
            self._start[stage] = self._last[stage] = now
        self._state[stage] = (done, total)
        if now - self._last[stage] >= self.interval:
            self._emit(stage, now)

    def _emit(self, stage: str, now: float) -> None:
        done, total = self._state[stage]
        print(progress_line(stage, done, total, now - self._start[stage], self.unit), file=self.stream, flush=True)
        self._last[stage] = now
        self._shown[stage] = (done, total)
        self.printed += 1

    def close(self) -> None:
        """The final count of a stage that printed progress (so a log ends with "done in ...")."""
        for stage in list(self._shown):
            if self._shown[stage] != self._state[stage]:
                self._emit(stage, self.clock())


class BarReporter:
    """A rich progress bar on the terminal (removed when done): one task per stage."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(file=stream), transient=True,
        )
        self._tasks: dict[str, int] = {}
        self._t0: dict[str, float] = {}
        self._bar.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=total, rate="")
            self._t0[stage] = time.monotonic()
        elapsed = time.monotonic() - self._t0[stage]
        rate = f"{done / elapsed:.0f}/s" if done and elapsed > 0 else ""
        self._bar.update(self._tasks[stage], completed=done, total=total, rate=rate)

    def close(self) -> None:
        self._bar.stop()


class _Callback:
    def __init__(self, fn: ProgressCallback):
        self.fn = fn

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.fn(stage, done, total)

    def close(self) -> None:
        pass


class _Silent:
    def __call__(self, stage: str, done: int, total: int) -> None:
        pass

    def close(self) -> None:
        pass


def reporter(progress: ProgressArg, stream: TextIO | None = None, interval: float | None = None):
    """The reporter for an API's ``progress`` argument; call it ``(stage, done, total)`` and
    ``close()`` it at the end (a bar is removed, a log gets its last line)."""
    if progress is None or progress is False:
        return _Silent()
    if callable(progress):
        return _Callback(progress)
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return BarReporter(stream)
    return LineReporter(stream, interval=INTERVAL if interval is None else interval)
