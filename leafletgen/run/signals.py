"""Ctrl-C and SIGTERM while the process pool runs: recorded, then raised where it is safe.

Python runs a signal handler in the main thread between two bytecodes, wherever that thread is.
An exception raised there from inside `concurrent.futures` (taking a future's lock in
`wait()`, `Condition.__enter__`, `submit()`) can leave that lock held: the pool's manager
thread then blocks on it for ever, and the process hangs at exit, where Python joins that
thread. So while the pool runs, SIGINT and SIGTERM are only recorded, and the pool's loop,
which waits with a short timeout, raises them from its own code (`check()`), holding no lock.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(BaseException):
    """SIGTERM, raised where the program is (the CLI's handler), so that `finally` blocks run."""

POLL_SECONDS = 0.1   # how long a stop may wait to be noticed; a document takes about 0.2 s


@contextmanager
def deferred_stop_signals():
    """Yield `check()`, which raises what a recorded signal's previous handler would have raised
    (KeyboardInterrupt, the CLI's Terminated) or, for a default handler, ends the process as the
    signal would have. Outside the main thread signals cannot be handled: `check` does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    received: list[int] = []

    def record(signum, frame):
        received.append(signum)

    previous = {}
    try:
        for signum in STOP_SIGNALS:
            previous[signum] = signal.signal(signum, record)

        def check() -> None:
            if not received:
                return
            signum = received[0]
            received.clear()
            _restore(previous)
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)
            # SIG_IGN: the signal is ignored, as it would have been.

        yield check
    finally:
        _restore(previous)


def _restore(previous: dict) -> None:
    for signum, handler in previous.items():
        if handler is not None:
            signal.signal(signum, handler)
