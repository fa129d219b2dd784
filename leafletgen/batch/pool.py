"""The worker processes of the main job, and which document each builds next.

`WorkerPool` runs `size` worker processes (batch.worker.serve), each with its own pipe and one
document at a time, so the pool always knows which document a worker is building:

- a worker that dies (killed for memory, a crash inside a C library) takes only its own document
  with it: the pool starts another worker and builds that document once more; a document that
  kills its worker a second time is reported failed, and the others are built;
- a worker is recycled after `max_documents` documents: it ends and a fresh one takes its place
  (a process that has rendered hundreds of documents has grown: fonts, images, caches);
- the workers end when the main process ends, however it ends (see worker.die_with_parent), and
  a Ctrl-C or SIGTERM of the main job stops them at once (`stop`).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable

from ..run import limits as limits_module
from ..atomic_write import remove_stale_parts
from ..run.limits import GRACE, MAX_DOCUMENTS_PER_WORKER, Limits
from ..request import BuildRequest
from ..run.signals import POLL_SECONDS
from .outcome import Outcome, worker_died
from .worker import serve

STOP_SECONDS = 5      # how long a stopped worker may take to end before it is killed
ATTEMPTS = 2          # a document whose worker dies is built once more, then reported failed


class JobQueue:
    """Which document a worker builds next: another one in the language it has been building.

    A worker's first document in a language costs 0.05–0.2 s more than the next ones: the
    language's catalogs, hyphenation patterns, fonts and Babel's locale data are loaded in that
    process then. So a worker keeps to its language while documents of it are left, then takes
    the largest language nobody is building, and only at the end helps with another worker's.
    Two workers and nine languages: each loads about five languages, not all nine.
    """

    def __init__(self, jobs: list[BuildRequest]):
        self.groups: dict[str, deque[BuildRequest]] = {}
        for job in jobs:
            self.groups.setdefault(job.lang, deque()).append(job)
        self.busy: Counter[str] = Counter()   # language → its documents being built now
        self.halted = False                   # no job is started any more (see clear)
        self.left: list[BuildRequest] = []    # jobs not started because of that

    def __len__(self) -> int:
        return sum(len(group) for group in self.groups.values())

    def take(self, previous: str | None = None) -> BuildRequest | None:
        """The next job for a worker that last built a document in `previous` (None: a new one)."""
        if previous is None or not self.groups.get(previous):
            waiting = [lang for lang, group in self.groups.items() if group]
            if not waiting:
                return None
            previous = max(waiting, key=lambda lang: (self.busy[lang] == 0, len(self.groups[lang])))
        self.busy[previous] += 1
        return self.groups[previous].popleft()

    def done(self, job: BuildRequest) -> None:
        if self.busy[job.lang] > 0:
            self.busy[job.lang] -= 1

    def clear(self) -> list[BuildRequest]:
        """Every job not yet taken, removed: none is started any more (`left` has them)."""
        self.halted = True
        self.left += [job for group in self.groups.values() for job in group]
        self.groups.clear()

    def again(self, job: BuildRequest) -> None:
        """A job to build once more, first of its language (unless the queue is halted)."""
        self.done(job)
        if self.halted:
            self.left.append(job)
        else:
            self.groups.setdefault(job.lang, deque()).appendleft(job)


@dataclass(eq=False)
class Worker:
    process: multiprocessing.process.BaseProcess
    connection: object
    task: tuple | None = None     # what it is doing: ("document", request) or ("font", index)
    since: float = 0.0            # when it was given its task (time.monotonic)
    overdue: bool = False         # killed: its document went past the time limit
    lang: str | None = None       # the language of its last document
    ready: bool = False           # it has started (imported, font configuration made)
    documents: int = 0
    finishing: bool = False       # it has built its share and is ending by itself


@dataclass
class WorkerPool:
    size: int
    root: Path
    out_dir: Path
    strict: bool = False
    max_documents: int = MAX_DOCUMENTS_PER_WORKER
    check_stop: Callable[[], None] = lambda: None   # raises a Ctrl-C or SIGTERM received meanwhile
    limits: Limits = field(default_factory=limits_module.current)   # per document (limits.py)
    workers: list[Worker] = field(default_factory=list)
    attempts: Counter = field(default_factory=Counter)
    started: int = 0              # workers started, all told
    ever_ready: bool = False      # a worker has started properly
    failed_starts: int = 0        # workers that died before they were ready

    def __post_init__(self):
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def __enter__(self) -> "WorkerPool":
        for _ in range(self.size):
            self._start_worker()
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.close()
        else:   # Ctrl-C, SIGTERM or a bug: do not wait for the documents in flight
            self.stop()

    # ---- Tasks -------------------------------------------------------------------------------

    def make_fonts(self, faces: list[int]) -> None:
        """Static instances of variable fonts, made in parallel before any document needs them."""
        todo = deque(faces)
        while todo or self._busy():
            for worker in self._idle():
                if todo:
                    self._give(worker, ("font", todo.popleft()))
            for worker, message in self._next_messages():
                if message is None:
                    self._replace(worker, again=True)
                    if worker.task is not None:
                        raise RuntimeError(f"a worker process died making the font instance "
                                           f"{worker.task[1]}")
                elif message[0] == "font":
                    worker.task = None

    def build(self, jobs: list[BuildRequest],
              on_result: Callable[[BuildRequest, Outcome], None]) -> list[BuildRequest]:
        """Every job, one per idle worker (see JobQueue); `on_result` hears of each once. After an
        outcome marked fatal (the output cannot be written) no job is started any more: those
        are returned."""
        queue = JobQueue(jobs)
        while len(queue) or self._busy():
            for worker in self._idle():
                self._give_next(worker, queue)
            for worker, message in self._next_messages():
                if message is None:
                    self._lost(worker, queue, on_result)
                elif message[0] == "document":
                    job = worker.task[1]
                    worker.task, worker.lang = None, job.lang
                    worker.documents += 1
                    worker.finishing = worker.documents >= self.max_documents or message[1].over_limit
                    queue.done(job)
                    if message[1].fatal:
                        # The output cannot be written: those running finish (or fail the same way).
                        queue.clear()
                    # Given before the result is handled: the worker that just finished takes the
                    # next job of its language.
                    if not worker.finishing:
                        self._give_next(worker, queue)
                    on_result(job, message[1])
        return queue.left

    def _give_next(self, worker: Worker, queue: JobQueue) -> None:
        job = queue.take(worker.lang)
        if job is not None:
            self._give(worker, ("document", job))

    def _lost(self, worker: Worker, queue: JobQueue, on_result) -> None:
        """A worker ended: recycled (expected), killed for its document's time, or died, with or
        without a document."""
        task = worker.task
        if worker.overdue and task is not None:
            # Past the time limit and deaf to its own timer (busy inside a C library): killed.
            # Building it again would take as long: it fails, the others go on.
            self._replace(worker, again=True)
            remove_stale_parts(self.out_dir)
            queue.done(task[1])
            on_result(task[1], Outcome(task[1].key, ok=False,
                                       errors=[self.limits.too_slow(task[1].key)]))
            return
        if not worker.ready:
            # It died starting: not its document's fault. Should no worker ever start, starting
            # more would do the same.
            self.failed_starts += 1
            if not self.ever_ready and self.failed_starts >= 2 * self.size:
                self.stop()
                raise RuntimeError("the worker processes stopped before building any document")
            if task is not None:
                queue.again(task[1])
            self._replace(worker, again=True)
            return
        self._replace(worker, again=bool(len(queue)) or task is not None)
        if task is None:
            return
        remove_stale_parts(self.out_dir)   # what the dead worker was writing
        job = task[1]
        self.attempts[job.key] += 1
        if self.attempts[job.key] >= ATTEMPTS:
            queue.done(job)
            on_result(job, worker_died(job.key))
        else:
            queue.again(job)

    # ---- Processes ---------------------------------------------------------------------------

    def _start_worker(self) -> Worker:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=serve, name=f"leafletgen-worker-{self.started + 1}", daemon=True,
            args=(theirs, os.getpid(), str(self.root), str(self.out_dir), self.strict,
                  self.max_documents))
        process.start()
        theirs.close()
        self.started += 1
        worker = Worker(process, ours)
        self.workers.append(worker)
        return worker

    def _replace(self, worker: Worker, again: bool) -> None:
        """`worker` has ended: reap it, and start another in its place if there is work left."""
        self.workers.remove(worker)
        worker.connection.close()
        worker.process.join(STOP_SECONDS)
        if again:
            self._start_worker()

    def _give(self, worker: Worker, task: tuple) -> None:
        worker.task = task
        worker.since = time.monotonic()
        worker.connection.send(task)

    def _kill_overdue(self) -> None:
        """A worker still on one document GRACE seconds past the time limit is killed (its own
        timer stops Python code at the limit; this is for a C library that does not return)."""
        if not self.limits.seconds:
            return
        now = time.monotonic()
        for worker in self.workers:
            if worker.task is not None and worker.task[0] == "document" and not worker.overdue \
                    and now > worker.since + self.limits.seconds + GRACE:
                worker.overdue = True
                worker.process.kill()

    def _idle(self) -> list[Worker]:
        return [w for w in self.workers if w.task is None and not w.finishing]

    def _busy(self) -> bool:
        return any(w.task is not None for w in self.workers)

    def _next_messages(self) -> list[tuple[Worker, tuple | None]]:
        """What workers said, once some did; None for a worker that ended (its pipe closed)."""
        while True:
            self.check_stop()   # Ctrl-C or SIGTERM, raised here, between waits
            by_handle = {w.connection: w for w in self.workers}
            by_handle.update({w.process.sentinel: w for w in self.workers})
            self._kill_overdue()
            ready = wait(list(by_handle), timeout=POLL_SECONDS)
            if ready:
                break
        messages = []
        for worker in dict.fromkeys(by_handle[handle] for handle in ready):
            try:
                while worker.connection.poll():
                    message = worker.connection.recv()
                    if message[0] == "ready":
                        worker.ready = self.ever_ready = True
                    else:
                        messages.append((worker, message))
                if not worker.process.is_alive():
                    messages.append((worker, None))
            except (EOFError, OSError):
                messages.append((worker, None))
        return messages

    def close(self) -> None:
        """No more work: each worker is told to end. (Closing its pipe is not enough: a worker
        forked later holds a copy of this end of every earlier worker's pipe.)"""
        for worker in self.workers:
            try:
                worker.connection.send(("stop", None))
            except OSError:
                pass   # it has ended already
        self._wait_for_workers()

    def stop(self) -> None:
        """End every worker now (SIGTERM, then SIGKILL), and remove the files they left half-written."""
        for worker in self.workers:
            worker.process.terminate()
        self._wait_for_workers()
        remove_stale_parts(self.out_dir)

    def _wait_for_workers(self) -> None:
        """Each worker told to end: given STOP_SECONDS, then killed; reaped; its pipe closed."""
        for worker in self.workers:
            worker.process.join(STOP_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()
        self.workers.clear()
