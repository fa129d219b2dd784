"""How the command line's output reaches the terminal: a reader that may stop early, and the
commands named the way the user runs the tool."""

from __future__ import annotations

import os
from pathlib import Path

CHECKOUT = "python generate.py"       # in a checkout of the repository (the README's commands)
INSTALLED = "leafletgen"              # the installed command (`pip install leafletgen`)


def invoked_as(program: str) -> str:
    """The command the user typed, from `sys.argv[0]`: the installed `leafletgen` script, or
    `python generate.py` (also for tests and `python -m`)."""
    return INSTALLED if Path(program).name == INSTALLED else CHECKOUT


class AsTyped:
    """A stream whose messages name commands the way the user runs the tool: "`python generate.py
    translations status`" reads "`leafletgen translations status`" to someone who installed it.
    Only what is printed changes; files the tool writes never depend on how it was started."""

    def __init__(self, stream, name: str):
        self.stream = stream
        self.name = name

    def write(self, text: str) -> int:
        self.stream.write(text.replace(CHECKOUT, self.name).replace("generate.py", self.name))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


class ReaderGone:
    """Standard output whose reader may stop early (`generate.py list | head -3`).

    Once the pipe is closed, the rest of the output is dropped and the work goes on: a build is
    not stopped half-way because nobody reads its log any more, and it is not an internal error.
    """

    def __init__(self, stream):
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.gone = True

    def isatty(self) -> bool:
        return self.stream.isatty()

    def silence(self) -> None:
        """After main: point the real stdout at /dev/null, so Python's own flush at exit does
        not report the closed pipe either (the recipe of Python's signal documentation)."""
        if self.gone:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())
                os.close(devnull)
            except (OSError, ValueError, AttributeError):
                pass
