"""Rendering under the limits per document for a process that has none of its own.

`build`, `check`, a Dask worker, a test or a script has not taken the limits on (limits.py says
why it must not), so render_document hands its work to a forked child that has: `run_in_child`.

By default the child renders one document and ends (a fork costs a few milliseconds; WeasyPrint
is imported before it). A caller that renders many documents keeps one child for all of them
(`kept_child()`: `check`; `keep_child()`: a Dask worker, for its life), so that what a render
keeps warm (fonts, hyphenation patterns, parsed stylesheets, compiled templates) stays warm: a
fresh child per document costs about twice the CPU time. A kept child is replaced after a
document over a limit (what that left half-done is not trusted), when it died, and after
`limits.MAX_DOCUMENTS_PER_WORKER` documents, as the main job's workers are. It
ends when this process ends: its end of the pipe closes (no other process holds it: a process
forked from this one closes its copy at once).

It is a plain os.fork, not multiprocessing.Process: the caller may itself be a daemonic process
(a Dask worker), which multiprocessing refuses children.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import signal
import threading
import time
import traceback
from contextlib import contextmanager
from multiprocessing.connection import Pipe

from ..errors import MachineError, UserError
from .limits import (GRACE, MAX_DOCUMENTS_PER_WORKER, DocumentOverLimit, Limits, enter, memory_limit,
                     time_limit)

_CHUNK = 1 << 24


class ChildFailed(Exception):
    """A bug inside the child: its exception type, message and traceback, for the CLI to report."""

    def __init__(self, kind: str, message: str, trace: str):
        super().__init__(f"{kind}: {message}")
        self.kind, self.message, self.trace = kind, message, trace


class _ChildTraceback(Exception):
    def __init__(self, trace: str):
        super().__init__(f'\n"""\n{trace}"""')


# ---- In this process -----------------------------------------------------------------------------

_LOCK = threading.Lock()
_KEEP = 0                      # > 0: the child is kept between documents
_CHILD: "_Child | None" = None


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
    global _CHILD
    with _LOCK:
        if _CHILD is not None and (_CHILD.limits != limits or not _CHILD.alive()):
            _stop()
        if _CHILD is None:
            _CHILD = _Child(limits)
        child = _CHILD
        try:
            status, payload = child.call(what, function, args, kwargs)
        except BaseException:
            _stop()         # interrupted between question and answer: its next answer is this one's
            raise
        exitcode = None
        if status not in ("ok", "raised") or isinstance(payload[0], DocumentOverLimit) \
                or not _KEEP or child.documents >= MAX_DOCUMENTS_PER_WORKER:
            exitcode = _stop()
    return _outcome(status, payload, exitcode, limits, what)


def _stop() -> int | None:
    """End the child (if any); its exit code."""
    global _CHILD
    child, _CHILD = _CHILD, None
    return child.stop() if child is not None else None


def _forget_after_fork() -> None:
    """In a process forked from this one: not our child; close our copy of its pipe, so that the
    child sees its end close when this process ends."""
    global _CHILD, _KEEP, _LOCK
    _LOCK = threading.Lock()
    if _CHILD is not None:
        _CHILD.connection.close()
    _CHILD, _KEEP = None, 0


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(lambda: _stop())


class _Child:
    """One forked child that has taken `limits` on and renders what it is sent, one at a time."""

    def __init__(self, limits: Limits):
        self.limits, self.documents = limits, 0
        ours, theirs = Pipe(duplex=True)
        pid = os.fork()
        if pid == 0:                                   # the child: never returns
            try:
                ours.close()
                _serve(theirs, limits)
            finally:
                os._exit(0)
        theirs.close()
        self.pid, self.connection = pid, ours

    def call(self, what: str, function, args, kwargs) -> tuple[str, object]:
        self.documents += 1
        try:
            self.connection.send((what, function, args, kwargs))
        except (OSError, EOFError):
            return "died", None
        return self._wait(what)

    def _wait(self, what: str) -> tuple[str, object]:
        """What the child sent back; ("killed", None) past the limit and its grace; ("died",
        None)."""
        seconds = self.limits.seconds
        deadline = time.monotonic() + seconds + GRACE if seconds else None
        while True:
            wait = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
            if self.connection.poll(wait):
                try:
                    return _receive(self.connection)
                except (EOFError, OSError):
                    return "died", None
            if not self.alive() and not self.connection.poll(0):
                return "died", None
            if deadline is not None and time.monotonic() >= deadline:
                return "killed", None

    def alive(self) -> bool:
        """Still running (not yet exited)? Reaps nothing."""
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def stop(self) -> int | None:
        """Close the pipe (a waiting child ends), kill it if it is busy, reap it: its exit code
        (-N: killed by signal N)."""
        self.connection.close()
        deadline = time.monotonic() + 2
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)


def _outcome(status: str, payload, exitcode, limits: Limits, what: str):
    if status in ("ok", "raised"):
        payload, records = payload
        for record in records:      # what the child logged (WeasyPrint's warnings), logged here
            logging.getLogger(record.name).handle(record)
        if status == "ok":
            return payload
        raise payload
    if status == "bug":
        # The child's traceback as the cause, for --debug (as concurrent.futures does).
        raise ChildFailed(*payload) from _ChildTraceback(payload[2])
    if status == "killed":
        raise DocumentOverLimit(limits.too_slow(what))
    # Died without a word: killed by the kernel for memory, or a crash inside a C library.
    if limits.memory_mb and exitcode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        raise DocumentOverLimit(limits.too_big(what), "memory")
    raise ChildFailed("ChildDied", f"the process rendering {what} ended with status {exitcode}", "")


def _receive(connection):
    chunks = []
    while True:
        chunk = connection.recv_bytes()
        if not chunk:
            break
        chunks.append(chunk)
    return pickle.loads(b"".join(chunks))


# ---- In the child --------------------------------------------------------------------------------

def _serve(connection, limits: Limits) -> None:
    """Render what the parent sends until it closes the pipe, or until a document went over a
    limit (what that left half-done is not trusted with another)."""
    # Ctrl-C reaches the whole process group: the parent reports it; the child just ends.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    enter(limits)
    while True:
        try:
            what, function, args, kwargs = connection.recv()
        except (EOFError, OSError):
            return                                     # the parent has gone
        result = _call(limits, what, function, args, kwargs)
        data = _pickled(result)
        for start in range(0, len(data), _CHUNK):
            connection.send_bytes(data[start:start + _CHUNK])
        connection.send_bytes(b"")
        if result[0] == "raised" and isinstance(result[1][0], DocumentOverLimit):
            return


def _call(limits: Limits, what: str, function, args, kwargs) -> tuple[str, object]:
    records: list[logging.LogRecord] = []
    collect = _Collect(records)
    logging.getLogger().addHandler(collect)
    try:
        with time_limit(limits, what), memory_limit(limits, what):
            return "ok", (function(*args, **kwargs), records)
    except DocumentOverLimit as exc:
        return "raised", (exc, records)
    except MemoryError:
        return "raised", (DocumentOverLimit(limits.too_big(what), "memory"), records)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which decides
        if isinstance(exc, (UserError, MachineError)):
            return "raised", (exc, records)
        return "bug", (type(exc).__name__, str(exc), traceback.format_exc())
    finally:
        logging.getLogger().removeHandler(collect)


def _pickled(result) -> bytes:
    try:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        return pickle.dumps(("bug", (type(exc).__name__, str(exc), traceback.format_exc())))


class _Collect(logging.Handler):
    """Log records of the child (WARNING and up), made plain so that they pickle."""

    def __init__(self, records: list):
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record):
        self.records.append(logging.makeLogRecord({
            "name": record.name, "levelno": record.levelno, "levelname": record.levelname,
            "msg": record.getMessage(), "args": None, "pathname": record.pathname,
            "lineno": record.lineno, "created": record.created}))
