"""Limits per document: the wall time and the memory of the process that renders it.

A practice's template can loop (two nested `range(100000)` loops are ten billion iterations), a
catalog or leaflet can be made to parse slowly, and WeasyPrint lays out whatever HTML it is given
(a table of a million rows). So a document is always rendered in a process that carries limits:

- **memory**: the process's address space may grow by `memory_mb` at most from when it takes the
  limits on (RLIMIT_AS set to what it has then plus that much: what a forked process inherits
  counts in its address space; a worker's use is measured in benchmarks/RESULTS.md). An
  allocation beyond it fails (MemoryError), or the process dies; either way that document is reported, the others are
  built, and the machine is not exhausted.
- **wall time**: `seconds` for the whole of one document. Inside the process a timer (SIGALRM)
  stops Python code at the limit (a template's loop); the process that started it kills it
  `GRACE` seconds later if it is still busy (a long computation inside a C library cannot be
  interrupted otherwise).

Where the limits apply: the one render path (render_document) renders in-process only in a
process that has taken the limits on (`enter`: the main job's pool workers and the web app's);
anywhere else (`build`, `check`, a Dask worker, a test, a script) it renders in a forked child
that takes them on (render_child.py). A limit on the main process itself would not do: the
address-space limit would constrain the reporting and writing that follow, a MemoryError could
surface anywhere, and a timer cannot interrupt C code; a child can always be killed.

`--time-limit SECONDS` and `--memory-limit MB` (or LEAFLETGEN_TIME_LIMIT, LEAFLETGEN_MEMORY_LIMIT)
change them; 0 turns a limit off.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import Message, UserError

DEFAULT_SECONDS = 60
DEFAULT_MEMORY_MB = 1024
# The largest limits taken (0 is none): larger ones overflow the timer and the address-space
# limit, and no document needs a day or a terabyte.
MAX_SECONDS = 86_400
MAX_MEMORY_MB = 1_048_576
# Documents a rendering process (a pool worker, a kept render child) renders before it is
# replaced. A worker grows from about 111 MB to 130–140 MB over 450 documents and keeps growing;
# a fresh one costs about 0.1 s (it is forked from a process that has imported WeasyPrint
# already). benchmarks/RESULTS.md has the figures.
MAX_DOCUMENTS_PER_WORKER = 100
GRACE = 10                  # seconds after the limit before a process still busy is killed
# What one document may write: the shipped leaflet is 0.1 MB of PDF, one at the leaflet size
# limit (158 pages) 0.4 MB; a template that prints a million table rows within the limits above
# must still not fill the disk.
OUTPUT_MAX_BYTES = 64 * 1024 * 1024


class DocumentOverLimit(UserError):
    """A document took longer, or needed more memory, than its limit: reported like bad input
    (one line, that document failed, the others built)."""

    def __init__(self, message: str, kind: str = "time"):
        super().__init__(message)
        self.message = message
        self.kind = kind              # "time" or "memory"

    def __reduce__(self):
        return (type(self), (self.message, self.kind))


@dataclass(frozen=True)
class Limits:
    seconds: float = DEFAULT_SECONDS      # 0: none
    memory_mb: int = DEFAULT_MEMORY_MB    # 0: none

    @classmethod
    def from_settings(cls, seconds: float | None = None, memory_mb: int | None = None) -> "Limits":
        """The command's options, else LEAFLETGEN_TIME_LIMIT / LEAFLETGEN_MEMORY_LIMIT, else the
        defaults."""
        if seconds is None:
            seconds = _setting("LEAFLETGEN_TIME_LIMIT", "seconds", DEFAULT_SECONDS, MAX_SECONDS)
        if memory_mb is None:
            memory_mb = int(_setting("LEAFLETGEN_MEMORY_LIMIT", "MB", DEFAULT_MEMORY_MB, MAX_MEMORY_MB))
        return cls(float(seconds), int(memory_mb))

    def too_slow(self, what: str) -> str:
        return Message("over_time", f"{what}: took longer than {self.seconds:g} s to render, the time "
                                    "limit; not written (a template that loops? --time-limit changes the limit)",
                       seconds=f"{self.seconds:g}")

    def too_big(self, what: str) -> str:
        return Message("over_memory", f"{what}: needed more than {self.memory_mb} MB of memory to render, "
                                      "the limit; not written (--memory-limit changes the limit)",
                       memory_mb=self.memory_mb)


def _setting(name: str, unit: str, default: float, largest: float) -> float:
    """The environment variable `name` as a limit (unset or empty: `default`). Anything else is
    refused, not read as the default: a typo in a service's Environment= line would go unseen."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= largest:       # also NaN
        raise UserError(f"{name}: {text!r} is not a number of {unit} from 0 (no limit) to {largest:,}; set "
                        "it to one, or unset it for the default")
    return value


_CONFIGURED: Limits | None = None


def configure(limits: Limits) -> None:
    """The limits of this run (the command line's options), for every document rendered from now
    on, in this process and in the workers it starts."""
    global _CONFIGURED
    _CONFIGURED = limits


def configure_from(args) -> None:
    """The limits of a command line's --time-limit and --memory-limit (see `configure`)."""
    configure(Limits.from_settings(getattr(args, "time_limit", None), getattr(args, "memory_limit", None)))


def current() -> Limits:
    """The limits a document is rendered under: configured, else from the environment."""
    return _CONFIGURED or Limits.from_settings()


RENDERING_COMMANDS = ("build", "check", "serve")


def add_options(parser, commands: dict):
    """--time-limit and --memory-limit on the main job's parser and on the commands that render
    (`commands`: the sub-parsers by name; their default is argparse.SUPPRESS, so that they do
    not overwrite the main parser's value). Returns `parser`."""
    import argparse

    for target, default in [(parser, None)] + [(commands[name], argparse.SUPPRESS)
                                               for name in RENDERING_COMMANDS if name in commands]:
        target.add_argument("--time-limit", type=_option(MAX_SECONDS), metavar="SECONDS", default=default,
                            help="stop a document that takes longer than this to render (default: "
                                 f"$LEAFLETGEN_TIME_LIMIT or {DEFAULT_SECONDS}; 0: no limit)")
        target.add_argument("--memory-limit", type=_option(MAX_MEMORY_MB), metavar="MB", default=default,
                            help="stop a document whose rendering needs more memory (default: "
                                 f"$LEAFLETGEN_MEMORY_LIMIT or {DEFAULT_MEMORY_MB}; 0: no limit)")
    return parser


def _option(largest: float):
    """An option's type: a number from 0 (no limit) to `largest`."""
    import argparse

    def number(value: str) -> float:
        try:
            found = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
        if not 0 <= found <= largest:      # also NaN
            raise argparse.ArgumentTypeError(f"must be from 0 (no limit) to {largest:,}")
        return found
    return number


# ---- In the process that renders ------------------------------------------------------------------

_ENTERED: Limits | None = None


def enter(limits: Limits) -> None:
    """Take `limits` on for the rest of this process's life (a worker calls it when it starts):
    from now on the process may grow by `memory_mb` at most (its address space as it is now, the
    libraries and what it inherited from its parent, plus that much), and render_document renders
    here, under the time limit."""
    global _ENTERED
    if limits.memory_mb:
        import resource

        wanted = _address_space() + limits.memory_mb * 1024 * 1024
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        if soft == resource.RLIM_INFINITY or wanted < soft:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    _ENTERED = limits


@contextmanager
def worker(limits: Limits):
    """This process as a worker with `limits` for a while (a test of what a worker keeps between
    documents); afterwards as it was."""
    import resource

    global _ENTERED
    previous, before = _ENTERED, resource.getrlimit(resource.RLIMIT_AS)
    enter(limits)
    try:
        yield
    finally:
        _ENTERED = previous
        resource.setrlimit(resource.RLIMIT_AS, before)


def _address_space() -> int:
    """This process's address space now, in bytes (VmSize; 0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def retime(seconds: float) -> None:
    """The time limit of every document this process renders from now on (a web worker is told
    it with each task: staff settings may change it); the memory limit it took on stays as it is."""
    global _ENTERED
    if _ENTERED is None:
        raise RuntimeError("retime() in a process that took no limits on (limits.enter)")
    _ENTERED = Limits(float(seconds), _ENTERED.memory_mb)


def entered() -> Limits | None:
    """The limits this process took on (None: it has none, so it must not render in-process)."""
    return _ENTERED


class _Expired(BaseException):
    """The timer's interruption: a BaseException, like KeyboardInterrupt, so that a library's
    `except Exception` (which logs and goes on) cannot swallow it and render on past the limit."""


@contextmanager
def time_limit(limits: Limits, what: str):
    """Stop the Python code inside at `limits.seconds` (SIGALRM): DocumentOverLimit. Only the
    main thread receives signals; elsewhere the parent's kill is the limit."""
    if not limits.seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limits.seconds)
    try:
        yield
    except _Expired:
        raise DocumentOverLimit(limits.too_slow(what)) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def memory_limit(limits: Limits, what: str):
    """A MemoryError inside (an allocation over the address-space limit) as DocumentOverLimit."""
    try:
        yield
    except MemoryError:
        raise DocumentOverLimit(limits.too_big(what), "memory") from None
