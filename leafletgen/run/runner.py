"""The one process runner: worker processes that render under the limits per document.

The main job's pool (batch.pool), the web app's workers (web.workers) and the render child of a
process without limits of its own (render_child.py: `build`, `check`, a Dask worker) are each a
`Runner`:

- its workers are forked from a warm template process (template.py), or from this process when
  it has none (a Dask worker runs threads and is daemonic: neither a template nor
  multiprocessing's children can be made from it);
- a worker takes the limits per document on when it starts, and ends with its parent however the
  parent ends (process.py);
- it answers one call at a time; a call given `seconds` that has not answered by then is killed
  (its own timer stops Python code at the limit; this is for a C library that does not return);
- it is recycled after `recycle_after` calls (a process that has rendered hundreds of documents
  has grown), after a call over a limit, and when it died: a new worker takes its place;
- Ctrl-C reaches every process of the terminal's group: workers ignore it, and the parent ends
  them once (`stop`).

From any thread, `call` takes an idle worker and waits for its reply; from one thread, `send`
gives a call to the idle worker the caller chose and `replies` says which calls have ended (the
main job's pool, which keeps each worker to its language).
"""

from __future__ import annotations

import os
import signal
import threading
import time
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe, wait
from typing import NamedTuple

from . import process
from .limits import MAX_DOCUMENTS_PER_WORKER, DocumentOverLimit, Limits
from .template import Template

STOP_SECONDS = 5     # how long a stopped worker may take to end before it is killed
POLL_SECONDS = 0.5   # how often a waiting caller looks at its deadline


class Reply(NamedTuple):
    """How a call ended: "ok" (value: its result), "raised" (value: the UserError or MachineError
    it raised), "bug" (value: type name, message, traceback), "died" (the worker ended without a
    word: killed for memory, a crash in a C library; with its `exitcode` when it was forked here,
    and whether it had `started`) or "killed" (past its `seconds`). `records`: what it logged."""

    kind: str
    value: object = None
    records: tuple = ()
    exitcode: int | None = None
    started: bool = True

    @property
    def answered(self) -> bool:
        """The worker answered: "ok", "raised" or "bug" (the others are the caller's to word)."""
        return self.kind in ("ok", "raised", "bug")

    def result(self) -> object:
        """An answered call's value, or what it raised; a "bug" as ChildFailed whose cause is the
        worker's traceback (for --debug, as concurrent.futures does)."""
        if self.kind == "raised":
            raise self.value
        if self.kind == "bug":
            raise ChildFailed(*self.value) from _WorkerTraceback(self.value[2])
        return self.value


class WorkersFailed(RuntimeError):
    """Every worker started died before it could do anything."""


class ChildFailed(Exception):
    """A bug inside a worker: its exception's type name, message and traceback."""

    def __init__(self, kind: str, message: str, trace: str):
        super().__init__(f"{kind}: {message}")
        self.kind, self.message, self.trace = kind, message, trace


class _WorkerTraceback(Exception):
    def __init__(self, trace: str):
        super().__init__(f'\n"""\n{trace}"""')


@dataclass(eq=False)
class Worker:
    pid: int
    connection: Connection
    forked_here: bool = False
    started: bool = False        # it said it is ready
    calls: int = 0
    busy: bool = False
    deadline: float | None = None
    killed: bool = False
    task: object = None          # what its caller last asked of it (the pool's job)

    def signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass


class Runner:
    """`size` workers with `limits`, forked from `template` (None: from this process). `root`
    and `languages`: the documents the template warms up for before it forks a later worker (a
    recycled one, one that replaces a worker that died); the first ones are forked at once and
    each warms the languages it meets, in parallel (None: every language, warmed between forks);
    `check()` is called while a worker is awaited (it may raise: a Ctrl-C)."""

    def __init__(self, size: int, limits: Limits, template: Template | None = None,
                 recycle_after: int = MAX_DOCUMENTS_PER_WORKER, forward_logs: bool = False,
                 root=None, languages: tuple[str, ...] | None = None, check=lambda: None):
        self.size, self.limits, self.template = max(1, size), limits, template
        self.recycle_after, self.forward_logs, self.check = recycle_after, forward_logs, check
        self.request = (limits, forward_logs, None if root is None else str(root), languages)
        self.workers: list[Worker] = []
        self.ever_started = False
        self.failed_starts = 0          # workers that died before they were ready
        self.stopping = False
        self._lock = threading.Condition()
        _RUNNERS.add(self)

    # ---- Workers --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers now, not at the first call; back once each has said it is ready."""
        with self._lock:
            self._fill()
            while not self.stopping and (waiting := [w for w in self.workers if not w.started]):
                if waiting[0].connection.poll(POLL_SECONDS):
                    reply = self._receive(waiting[0])
                    if reply is not None:            # it died starting: replaced
                        self._ended(waiting[0], reply)
                else:
                    self._check()

    def _check(self) -> None:
        """Called while a worker is awaited: the caller's check (a Ctrl-C), and the runner
        stopped meanwhile (from another thread: the server stopping while its workers start)."""
        if self.stopping:
            raise WorkersFailed("the runner was stopped")
        self.check()

    def _fill(self) -> None:
        while len(self.workers) < self.size and not self.stopping:
            if self.template is not None:
                # A run's first workers (none has said it is ready yet) are not kept waiting.
                pid, connection = self.template.fork(self.request + (self.ever_started, dict(os.environ)),
                                                     self._check)
                self.workers.append(Worker(pid, connection))
                continue
            ours, theirs = Pipe()
            parent, pid = os.getpid(), os.fork()
            if pid == 0:
                ours.close()
                process.become_worker(parent, self.limits, None)
                process.serve(theirs, self.forward_logs)
            theirs.close()
            self.workers.append(Worker(pid, ours, forked_here=True))

    def _ended(self, worker: Worker, reply: Reply) -> None:
        """A call has ended (or a worker, between calls): the worker is free, or recycled (its
        share done, a call over a limit) or replaced (it died, or was killed)."""
        worker.busy, worker.deadline = False, None
        worker.calls += 1
        gone = reply.kind in ("died", "killed")
        if gone and not reply.started:
            self.failed_starts += 1
            if not self.ever_started and self.failed_starts >= 2 * self.size:
                self._remove(worker)
                raise WorkersFailed("the worker processes stopped before doing any work")
        if gone or worker.calls >= self.recycle_after or isinstance(reply.value, DocumentOverLimit):
            self._remove(worker)
            self._fill()

    def _remove(self, worker: Worker) -> None:
        self.workers.remove(worker)
        try:
            worker.connection.send(None)     # stop (it may have ended already)
        except OSError:
            pass
        worker.connection.close()
        if worker.forked_here:
            _REAP.append(worker.pid)
        _reap(block=False)

    # ---- Calls ----------------------------------------------------------------------------------

    def call(self, function, *args, seconds: float | None = None) -> Reply:
        """`function(*args)` in an idle worker (waiting for one), from any thread."""
        with self._lock:
            while True:
                self._fill()
                idle = [worker for worker in self.idle() if not self._ended_meanwhile(worker)]
                if idle or self.stopping:
                    break
                self._lock.wait(POLL_SECONDS)
            if not idle:
                return Reply("died", started=False)
            worker = idle[0]
            self.send(worker, None, function, *args, seconds=seconds)
        while True:
            timeout = POLL_SECONDS if worker.deadline is None else \
                max(0.0, min(POLL_SECONDS, worker.deadline - time.monotonic()))
            if worker.connection.poll(timeout):
                if (reply := self._receive(worker)) is not None:
                    break
            elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                self._kill(worker)
        with self._lock:
            if not self.stopping:
                self._ended(worker, reply)
            self._lock.notify()
        return reply

    def _ended_meanwhile(self, worker: Worker) -> bool:
        """Whether an idle worker has ended since its last call (killed, or its parent thread
        ended: see process.die_with_parent); it is replaced then."""
        while worker.connection.poll(0):
            if (reply := self._receive(worker)) is not None:
                self._ended(worker, reply)
                return True
        return False

    def idle(self) -> list[Worker]:
        return [w for w in self.workers if not w.busy]

    def busy(self) -> bool:
        return any(w.busy for w in self.workers)

    def send(self, worker: Worker, task, function, *args, seconds: float | None = None) -> None:
        """`function(*args)` to the idle `worker`; `task` is the caller's note of what it asked."""
        worker.busy, worker.killed, worker.task = True, False, task
        worker.deadline = time.monotonic() + seconds if seconds else None
        try:
            worker.connection.send((function, args))
        except OSError:
            pass   # it has ended: its reply says so

    def replies(self, timeout: float) -> list[tuple[Worker, Reply]]:
        """The calls that ended within `timeout` seconds (answered, died or killed), each with its
        worker (whose `task` says which it was); an idle worker that ended is replaced."""
        now = time.monotonic()
        for worker in self.workers:
            if worker.deadline is not None and now >= worker.deadline:
                self._kill(worker)
        handles = {w.connection: w for w in self.workers}
        ended = []
        for handle in wait(list(handles), timeout=timeout):
            worker = handles[handle]
            if (reply := self._receive(worker)) is None:
                continue
            if worker.busy:
                ended.append((worker, reply))
            self._ended(worker, reply)
        return ended

    def _receive(self, worker: Worker) -> Reply | None:
        """The worker's next message as a Reply (None: it said it is ready)."""
        try:
            message = worker.connection.recv()
        except (EOFError, OSError):
            if worker.killed:
                return Reply("killed", started=worker.started)
            exitcode = None
            if worker.forked_here:
                exitcode, worker.forked_here = _reap_now(worker.pid), False
            return Reply("died", exitcode=exitcode, started=worker.started)
        if message[0] == "ready":
            worker.started = self.ever_started = True
            return None
        return Reply(message[0], message[1], tuple(message[2]))

    def _kill(self, worker: Worker) -> None:
        worker.killed, worker.deadline = True, None
        worker.signal(signal.SIGKILL)

    # ---- The end --------------------------------------------------------------------------------

    def close(self) -> None:
        """No more calls: each worker told to end, given STOP_SECONDS, then killed."""
        self._finish(stop_now=False)

    def stop(self) -> None:
        """End every worker now, also one in the middle of a call (Ctrl-C, SIGTERM, the server
        stopping): DEATH_SIGNAL, on which it removes its font folder and ends."""
        self._finish(stop_now=True)

    def _finish(self, stop_now: bool) -> None:
        self.stopping = True      # a thread starting workers under the lock gives up (_check)
        with self._lock:
            workers, self.workers = list(self.workers), []
            self._lock.notify_all()
        for worker in workers:
            if stop_now:
                worker.signal(process.DEATH_SIGNAL)
            else:
                try:
                    worker.connection.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + STOP_SECONDS
        for worker in workers:
            try:
                while worker.connection.poll(max(0.0, deadline - time.monotonic())):
                    worker.connection.recv()
                worker.signal(signal.SIGKILL)        # still there at the deadline
            except (EOFError, OSError):
                pass
            worker.connection.close()
            if worker.forked_here:
                _reap_now(worker.pid)
        _reap(block=True)
        if self.template is not None and not self.template.shared:
            self.template.close()


_RUNNERS: weakref.WeakSet[Runner] = weakref.WeakSet()
_REAP: list[int] = []            # ended workers forked here, not yet reaped


def _reap_now(pid: int) -> int | None:
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


def _reap(block: bool) -> None:
    for pid in list(_REAP):
        try:
            done = os.waitpid(pid, 0 if block else os.WNOHANG)[0]
        except ChildProcessError:
            done = pid
        if done:
            _REAP.remove(pid)


def _forget_after_fork() -> None:
    """In a process forked from this one: its runners' workers are not its own; closing their
    connections lets each worker see its parent's end close when its parent ends."""
    for runner in list(_RUNNERS):
        for worker in runner.workers:
            worker.connection.close()
        runner.workers = []
    _RUNNERS.clear()
    _REAP.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
