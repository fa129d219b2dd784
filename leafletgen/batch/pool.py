"""The worker processes of the main job, and which document each builds next.

`WorkerPool` is a runner (run/runner.py) of `size` workers forked from a warm template process
(run/template.py), each building one document at a time (batch.worker.build_document: the one
render path, then its files written), so the pool always knows which document a worker builds:

- a worker that dies (killed for memory, a crash inside a C library) takes only its own document
  with it: another worker builds that document once more; a document that kills its worker a
  second time is reported failed, and the others are built;
- a worker still busy GRACE seconds past the time limit (deaf to its own timer inside a C
  library) is killed, and its document reported failed;
- workers are recycled after `max_documents` documents and end with the main process however it
  ends; a Ctrl-C or SIGTERM of the main job stops them at once (`stop`).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..atomic_write import remove_stale_parts
from ..request import BuildRequest
from ..run import limits as limits_module
from ..run.limits import GRACE, MAX_DOCUMENTS_PER_WORKER, Limits
from ..run.runner import Reply, Runner, Worker
from ..run.signals import POLL_SECONDS
from ..run.template import Template
from .outcome import Outcome, worker_died
from .worker import build_document, failed

ATTEMPTS = 2          # a document whose worker dies is built once more, then reported failed


class JobQueue:
    """Which document a worker builds next: another one in the language it has been building.

    A worker's first document in a language costs more than the next ones: the language's
    catalogs are parsed in that process then. So a worker keeps to its language while documents
    of it are left, then takes the largest language nobody is building, and only at the end helps
    with another worker's. Two workers and nine languages: each meets about five languages, not
    all nine.
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

    def clear(self) -> None:
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


@dataclass
class WorkerPool:
    size: int
    root: Path
    out_dir: Path
    strict: bool = False
    max_documents: int = MAX_DOCUMENTS_PER_WORKER
    check_stop: Callable[[], None] = lambda: None   # raises a Ctrl-C or SIGTERM received meanwhile
    limits: Limits = field(default_factory=limits_module.current)   # per document (limits.py)
    languages: tuple[str, ...] | None = None    # of the documents (warmed for a recycled worker)
    attempts: Counter = field(default_factory=Counter)

    def __enter__(self) -> "WorkerPool":
        # The main process has one thread: the template is forked from it.
        self.runner = Runner(self.size, self.limits, Template(), self.max_documents, root=self.root,
                             languages=self.languages, check=self.check_stop)
        try:
            self.runner.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.runner.close()
        else:   # Ctrl-C, SIGTERM or a bug: do not wait for the documents in flight
            self.stop()

    def stop(self) -> None:
        """End every worker now, and remove the files they left half-written."""
        self.runner.stop()
        remove_stale_parts(self.out_dir)

    def build(self, jobs: list[BuildRequest],
              on_result: Callable[[BuildRequest, Outcome], None]) -> list[BuildRequest]:
        """Every job, one per idle worker (see JobQueue); `on_result` hears of each once. After an
        outcome marked fatal (the output cannot be written) no job is started any more: those
        are returned."""
        queue = JobQueue(jobs)
        while len(queue) or self.runner.busy():
            for worker in self.runner.idle():
                self._give_next(worker, queue, worker.task.lang if worker.task else None)
            self.check_stop()   # Ctrl-C or SIGTERM, raised here, between waits
            for worker, reply in self.runner.replies(POLL_SECONDS):
                job = worker.task
                outcome = self._outcome(job, reply, queue)
                if outcome is None:
                    continue
                queue.done(job)
                if outcome.fatal:
                    # The output cannot be written: those running finish (or fail the same way).
                    queue.clear()
                # Given before the result is handled: the worker that just finished takes the
                # next job of its language (a recycled worker's successor, any).
                self._give_next(self._idle(worker), queue, job.lang)
                on_result(job, outcome)
        return queue.left

    def _idle(self, worker: Worker) -> Worker | None:
        if worker in self.runner.workers and not worker.busy:
            return worker
        return next(iter(self.runner.idle()), None)

    def _give_next(self, worker: Worker | None, queue: JobQueue, lang: str | None) -> None:
        job = queue.take(lang) if worker is not None else None
        if job is not None:
            self.runner.send(worker, job, build_document, str(self.root), str(self.out_dir), job,
                             self.strict, seconds=self.limits.seconds + GRACE if self.limits.seconds else None)

    def _outcome(self, job: BuildRequest, reply: Reply, queue: JobQueue) -> Outcome | None:
        """What the reply says of the job: its outcome, or None when it is to be built again."""
        if reply.kind == "ok":
            return reply.value
        if reply.kind in ("raised", "bug"):
            return failed(job, reply.value if reply.kind == "raised" else RuntimeError(": ".join(reply.value[:2])))
        remove_stale_parts(self.out_dir)     # what the ended worker was writing
        if reply.kind == "killed":
            # Past the time limit and deaf to its own timer (busy inside a C library). Building
            # it again would take as long: it fails, the others go on.
            return Outcome(job.key, ok=False, errors=[self.limits.too_slow(job.key)])
        if reply.started:
            self.attempts[job.key] += 1
            if self.attempts[job.key] >= ATTEMPTS:
                return worker_died(job.key)
        queue.again(job)     # it died starting, not its document's fault; or its first death
        return None
