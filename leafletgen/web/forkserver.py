"""Imported (preloaded) by the process the web app's workers are forked from: it ends when the
server ends, however the server ends (a `kill -9` included), and so do the workers (each asks for
the same when it starts, see workers.init_worker). Without this, a server killed hard leaves
its fork server and workers running, about 150 MB each, with nobody to serve.

It acts only in a direct child of the server whose process id the server put in the environment
before starting the fork server; imported anywhere else it does nothing.
"""

from __future__ import annotations

import os
import signal
import sys

SERVER_PID = "LEAFLETGEN_WEB_SERVER_PID"


def die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent ends (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)          # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def _in_fork_server() -> bool:
    try:
        return os.getppid() == int(os.environ.get(SERVER_PID, "0"))
    except ValueError:
        return False


def _child_dies_with_fork_server(fork_server: int) -> None:
    """Right after the fork server forks a worker, before any of the worker's own code runs: a
    worker armed only later (in its initialiser) that lost its fork server in between stayed
    alive for ever, holding its pipes (and so the resource tracker) open."""
    die_with_parent()
    if os.getppid() != fork_server:   # the fork server ended before prctl took effect
        os._exit(0)


if _in_fork_server():
    die_with_parent()
    if os.getppid() != int(os.environ[SERVER_PID]):   # the server ended before prctl took effect
        os._exit(0)
    _fork_server = os.getpid()
    os.register_at_fork(after_in_child=lambda: _child_dies_with_fork_server(_fork_server))
