"""Rendering under the limits per document for a process that has none of its own.

`build`, `check`, a Dask worker, a test or a script has not taken the limits on (limits.py says
why it must not), so render_document hands its work to a child that has: `run_in_child`, a
runner (runner.py) of one worker forked from this process.

By default the child renders one document and ends. A caller that renders many documents keeps
one child for all of them (`kept_child()`: `check`; `keep_child()`: a Dask worker, for its life),
so that what a render keeps warm (fonts, hyphenation patterns, parsed stylesheets, compiled
templates) stays warm; the runner replaces it after a document over a limit, when it died, and
after its share of documents, as it does every worker.
"""

from __future__ import annotations

import atexit
import logging
import signal
import threading
from contextlib import contextmanager

from .garbage import frozen_after_first_document
from .limits import GRACE, DocumentOverLimit, Limits, memory_limit, time_limit
from .runner import ChildFailed, Runner

__all__ = ["ChildFailed", "kept_child", "keep_child", "run_in_child"]

_LOCK = threading.Lock()
_KEEP = 0                      # > 0: the child is kept between documents
_RUNNER: Runner | None = None


@contextmanager
def kept_child():
    """One child for every document rendered inside (ended afterwards)."""
    global _KEEP
    with _LOCK:
        _KEEP += 1
    try:
        yield
    finally:
        with _LOCK:
            _KEEP -= 1
            if not _KEEP:
                _stop()


def keep_child() -> None:
    """One child for every document from now on, for the life of this process (a Dask worker)."""
    global _KEEP
    with _LOCK:
        _KEEP = max(_KEEP, 1)


def run_in_child(limits: Limits, what: str, function, *args, **kwargs):
    """`function(*args, **kwargs)` in a child that has taken `limits` on; its result, or the
    exception it raised (a UserError stays a UserError; what it logged is logged here). Over a
    limit: DocumentOverLimit."""
    global _RUNNER
    with _LOCK:
        if _RUNNER is not None and _RUNNER.limits != limits:
            _stop()
        if _RUNNER is None:
            _RUNNER = Runner(1, limits, forward_logs=True)
        try:
            reply = _RUNNER.call(within_limits, what, function, args, kwargs,
                                 seconds=limits.seconds + GRACE if limits.seconds else None)
        finally:
            if not _KEEP:
                _stop()
    for record in reply.records:      # what the child logged (WeasyPrint's warnings), logged here
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
    if reply.answered:
        return reply.result()
    if reply.kind == "killed":
        raise DocumentOverLimit(limits.too_slow(what))
    # Died without a word: killed by the kernel for memory, or a crash inside a C library.
    if limits.memory_mb and reply.exitcode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT,
                                               -signal.SIGBUS):
        raise DocumentOverLimit(limits.too_big(what), "memory")
    raise ChildFailed("ChildDied", f"the process rendering {what} ended with status {reply.exitcode}", "")


def within_limits(what: str, function, args: tuple, kwargs: dict):
    """`function` under the limits this process took on (a render child, or a worker that renders
    in-process): the time limit's timer, a MemoryError as DocumentOverLimit; after the process's
    first document, outside its limits (it is not the document's), what lives frozen."""
    from .limits import entered

    here = entered()
    with frozen_after_first_document(), time_limit(here, what), memory_limit(here, what):
        return function(*args, **kwargs)


def _stop() -> None:
    global _RUNNER
    runner, _RUNNER = _RUNNER, None
    if runner is not None:
        runner.close()


atexit.register(_stop)
