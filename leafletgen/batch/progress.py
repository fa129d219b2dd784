"""Progress of the main job: a bar on a terminal (rich), one plain line per document otherwise."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)


class PlainProgress:
    """One line per finished document: readable in a log file or a CI run."""

    def __init__(self, out=None, write=None):
        self._write = write or (lambda line: print(line, file=out, flush=True))

    def start(self, total: int, workers: int) -> None:
        pass

    def advance(self, label: str, ok: bool) -> None:
        self._write(f"{'built' if ok else 'failed'} {label}")

    def close(self) -> None:
        pass


class BarProgress:
    """A progress bar with count, rate and time left; failures are printed above it."""

    def __init__(self, out):
        self.out = out
        self.progress = None
        self.task = None

    def start(self, total: int, workers: int) -> None:
        self.progress = Progress(
            TextColumn("building"), BarColumn(), MofNCompleteColumn(),
            TextColumn(f"· {workers} worker(s) ·"), TimeElapsedColumn(), TextColumn("left"),
            TimeRemainingColumn(), console=Console(file=self.out), transient=True)
        self.task = self.progress.add_task("build", total=total)
        self.progress.start()

    def advance(self, label: str, ok: bool) -> None:
        if self.progress is None:
            return
        if not ok:
            self.progress.console.print(f"failed {label}", markup=False, highlight=False)
        self.progress.advance(self.task)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def make_progress(out):
    """A bar when `out` is a terminal, plain lines otherwise; nothing shown when `out` is None."""
    if out is None:
        return PlainProgress(write=lambda line: None)
    isatty = getattr(out, "isatty", None)
    if isatty is not None and isatty():
        return BarProgress(out)
    return PlainProgress(out)
