"""The warm template process: the process workers are forked from.

A template makes the static font instances this machine has not got yet and warms what the
package ships (warm.py), kept out of the cycle collector's walks (garbage.py); then it forks a
worker for each request, so that every worker starts warm, in milliseconds (a recycled one with
the run's languages warmed too). It reads nothing of a content folder: what a worker makes of
one (a practice's stylesheet, templates, catalogs) is the worker's own, kept by the digest of the
bytes it was made from.

It is forked from the process that needs workers while that process has one thread (a fork of a
threaded process may inherit a lock another thread held): the main job's pool forks one for its
run; the web app forks one for the process (`shared`) before its server starts threads. It has
one thread itself, so its workers can ask the kernel to end them with it. It ends when its
control connection closes (the process that started it ends, however it ends, or closes it), or
on process.DEATH_SIGNAL.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import socket
import struct
import threading
import time
from multiprocessing.connection import Connection

from . import garbage, process

REQUEST_MAX_BYTES = 1 << 20
STOP_SECONDS = 10     # how long an ended template may take to end before it is killed
POLL_SECONDS = 0.2    # how often a caller waiting for the template may stop waiting (Ctrl-C)


class TemplateGone(RuntimeError):
    """The template process ended and could not be started again."""


class Template:
    """The parent's handle on a template process (forked on `start` or the first `fork`)."""

    def __init__(self, shared: bool = False):
        self.shared = shared
        self.pid = 0
        self.control: socket.socket | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Fork the template now (it warms up meanwhile; the first `fork` waits for it)."""
        with self._lock:
            if self.control is None:
                ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                parent = os.getpid()
                self.pid = os.fork()
                if self.pid == 0:
                    ours.close()
                    main(theirs, parent)
                theirs.close()
                self.control = ours

    def fork(self, request: tuple, check=lambda: None) -> tuple[int, Connection]:
        """A worker forked from the template: its pid and the connection to it. `request` is
        (limits, forward_logs, project root, languages, warm first, environment): what the worker
        takes on (process.become_worker, serve), and what the template warms for (warm.py): with
        `warm first`, before this worker is forked; without, not for this worker (one of a run's
        first workers: they warm what they meet, in parallel, while the template would keep all
        of them waiting), but before a later fork that asks for it.
        While the template warms up, `check()` is called now and then (it may raise: a Ctrl-C;
        the template is then ended). A template that ended is forked again, once."""
        for _attempt in (1, 2):
            self.start()
            with self._lock:
                # Made after the template's fork: a template forked holding a copy of the
                # worker's end would keep the connection open after the worker ended, and the
                # runner would wait for its end, then kill it, every time.
                ours, theirs = socket.socketpair()
                try:
                    answer = self._ask(pickle.dumps(request), theirs, check)
                    if len(answer) == 8:
                        return struct.unpack("q", answer)[0], Connection(ours.detach())
                    self._end()
                finally:
                    theirs.close()
                    ours.close()
        raise TemplateGone("the template process the workers are forked from has ended")

    def _ask(self, data: bytes, theirs: socket.socket, check) -> bytes:
        """Send one request; the template's answer (b"": it has ended)."""
        try:
            socket.send_fds(self.control, [data], [theirs.fileno()])
            while not select.select([self.control], [], [], POLL_SECONDS)[0]:
                try:
                    check()
                except BaseException:
                    self._end()      # else its answer would be read by the next request
                    raise
            return self.control.recv(8)
        except OSError:
            return b""

    def close(self) -> None:
        """End the template (its workers end with it)."""
        with self._lock:
            self._end()

    def _end(self) -> None:
        control, self.control = self.control, None
        if control is None:
            return
        control.close()
        # It may be warming up, not reading its connection: it ends now, its font folder removed.
        _signal(self.pid, process.DEATH_SIGNAL)
        deadline = time.monotonic() + STOP_SECONDS
        while not _reaped(self.pid):
            if time.monotonic() > deadline:
                _signal(self.pid, signal.SIGKILL)
            time.sleep(0.01)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _reaped(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


_SHARED = Template(shared=True)


def shared() -> Template:
    """This process's template for every runner that wants one (forked now if need be: call it
    first while this process has one thread)."""
    _SHARED.start()
    return _SHARED


def _forget_after_fork() -> None:
    """In a process forked from this one: the template is not its own (its connection closed,
    so that the template sees its parent's end close when its parent ends)."""
    global _SHARED
    if _SHARED.control is not None:
        _SHARED.control.close()
    _SHARED = Template(shared=True)


os.register_at_fork(after_in_child=_forget_after_fork)


# ---- In the template process ------------------------------------------------------------------

def main(control: socket.socket, parent: int) -> None:
    """The template's life: warm up, then fork a worker per request until the control connection
    closes. Never returns."""
    template = os.getpid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)           # Ctrl-C: the parent stops its workers
    signal.signal(process.DEATH_SIGNAL, process.end_on_signal)
    process.die_with_parent(parent)
    from . import warm

    warm.warm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)           # the kernel reaps its workers
    warmed, later = set(), []   # languages warmed, or to warm between requests
    while True:
        while later and not select.select([control], [], [], 0)[0]:
            warm.warm_languages(later.pop(0))
        try:
            data, fds, _, _ = socket.recv_fds(control, REQUEST_MAX_BYTES, 1)
        except InterruptedError:
            continue
        except OSError:
            break
        if not data or not fds:
            break
        limits, forward_logs, root, languages, warm_first, environ = pickle.loads(data)
        todo = [lang for lang in languages or warm.packaged_languages() if lang not in warmed]
        if root is not None and todo:
            if not languages:     # any language: this worker is not kept waiting for all of them
                warmed.update(todo)
                later += [(lang,) for lang in todo]
            elif warm_first:      # before this worker is forked
                warmed.update(todo)
                warm.warm_languages(todo)
        garbage.freeze_warm_objects()     # what it warmed: not walked again, pages kept shared
        pid = os.fork()
        if pid == 0:
            control.close()
            process.become_worker(template, limits, environ)
            process.serve(Connection(fds[0]), forward_logs)
        os.close(fds[0])
        control.send(struct.pack("q", pid))
    process.end(0)
