"""A worker process's life: it ends with its parent, takes the limits on, and answers calls.

A worker is forked (from the warm template process, template.py, or from the process that needs
it, runner.py) and then runs `serve`: a call `(function, args)` in, a reply out, one at a time,
until it is told to stop, its parent's end of the connection closes, or a call went over a limit
(what that left half-done is not trusted with another). A reply is plain data:

    ("ok", value, records)    the function's result
    ("raised", exc, records)  a UserError or MachineError (DocumentOverLimit included): the caller's
                              to report
    ("bug", (type name, message, traceback), records)

`records` are the WARNING (and worse) log records of the call, when the runner asked for them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import pickle
import signal
import sys
import threading
import time
import traceback

from ..errors import MachineError, UserError
from . import limits

DEATH_SIGNAL = signal.SIGTERM   # what a worker gets when its parent ends, however it ends
PR_SET_PDEATHSIG = 1            # from <linux/prctl.h>
PARENT_WATCH_SECONDS = 1.0      # the fallback's polling interval (no prctl: not Linux)
_ENDING = False                 # end() has begun: a DEATH_SIGNAL now waits for it to finish


def die_with_parent(parent_pid: int) -> None:
    """End this process (DEATH_SIGNAL) when `parent_pid` ends, even by SIGKILL. The kernel sends
    it (PR_SET_PDEATHSIG) when the thread that forked this process ends: the parent must fork it
    from a thread that lives as long as the parent does (a template process has only one)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, DEATH_SIGNAL, 0, 0, 0) == 0
    except (OSError, AttributeError):   # not Linux
        armed = False
    if os.getppid() != parent_pid:      # the parent died before the signal was armed
        os._exit(1)
    if armed:
        return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def end_on_signal(signum, frame) -> None:
    """DEATH_SIGNAL (the parent ending, or stopping its workers): this process ends at once (its
    temporary files carry its pid; the next run removes them). A process already ending goes on
    ending: a template whose parent is killed sees its connection close and the signal come at
    nearly the same time, and the signal must not cut its cleanup short."""
    if not _ENDING:
        end(128 + signum)


def end(code: int) -> None:
    """End this process now, its WeasyPrint font folder removed (no atexit: a fork's parent's);
    a process that has not imported WeasyPrint yet (a template still warming up) has none."""
    global _ENDING
    _ENDING = True
    try:
        pdf = sys.modules.get(f"{__package__.rpartition('.')[0]}.typeset.pdf")
        if pdf is not None:
            pdf.cleanup_font_config()
    finally:
        os._exit(code)


def become_worker(parent_pid: int, worker_limits: limits.Limits, environ: dict | None) -> None:
    """This freshly forked process as a worker: it ends with its parent, is quiet on Ctrl-C (the
    terminal sends it to the whole process group: the parent stops its workers), ends at once on
    DEATH_SIGNAL, has the parent's environment and takes the limits per document on (the fonts it
    adds go to a font folder of its own: typeset/pdf.py sees to that in every fork)."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(DEATH_SIGNAL, end_on_signal)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)   # a template reaps its children; a worker waits for its own
    if environ is not None and environ != os.environ:
        os.environ.clear()
        os.environ.update(environ)
    limits.enter(worker_limits)


def serve(connection, forward_logs: bool) -> None:
    """Answer calls until told to stop (None), the parent's end closes, or a call went over a
    limit. Never returns: the process ends here, its font folder removed."""
    code = 0
    try:
        connection.send(("ready", os.getpid()))
        while True:
            try:
                data = connection.recv_bytes()
            except (EOFError, OSError):
                break                                     # the parent has gone
            try:
                call = pickle.loads(data)
            except Exception as exc:  # noqa: BLE001 - a function this process cannot find
                call = (_raise, (exc,))
            if call is None:
                break
            function, args = call
            reply = answer(function, args, forward_logs)
            try:
                connection.send(reply)
            except Exception as exc:  # noqa: BLE001 - a result that does not pickle is a bug
                connection.send(("bug", (type(exc).__name__, str(exc), traceback.format_exc()), []))
            if reply[0] == "raised" and isinstance(reply[1], limits.DocumentOverLimit):
                break
    except BaseException:    # noqa: BLE001 - a worker never unwinds into its parent's code
        code = 1
    finally:
        end(code)


def _raise(exc: Exception):
    raise exc


def answer(function, args, forward_logs: bool) -> tuple:
    """One call, as a reply (see the module's description)."""
    records: list[logging.LogRecord] = []
    collect = _Collect(records) if forward_logs else None
    if collect is not None:
        logging.getLogger().addHandler(collect)
    try:
        return "ok", function(*args), records
    except (UserError, MachineError) as exc:
        return "raised", exc, records
    except Exception as exc:  # noqa: BLE001 - the caller decides what a bug is worth
        return "bug", (type(exc).__name__, str(exc), traceback.format_exc()), records
    finally:
        if collect is not None:
            logging.getLogger().removeHandler(collect)


class _Collect(logging.Handler):
    """Log records of a call (WARNING and up), made plain so that they pickle."""

    def __init__(self, records: list):
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record):
        self.records.append(logging.makeLogRecord({
            "name": record.name, "levelno": record.levelno, "levelname": record.levelname,
            "msg": record.getMessage(), "args": None, "pathname": record.pathname,
            "lineno": record.lineno, "created": record.created}))


def resident_kib() -> int:
    """This process's resident memory now, in KiB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0
