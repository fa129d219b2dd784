"""The main job's documents on a Dask cluster: `generate.py --cluster tcp://HOST:PORT`.

Everything but the rendering stays in this process: the plan, the manifest, the progress, the
writing of every file, the index, and the first stage of each document: its bundle
(inputs.bundle.load_bundle), every file it is made of read once here and hashed. What crosses
to a worker is plain data:

- each file a bundle read, submitted once per run as a small task named by its content's
  digest. The scheduler keeps it, so a lost worker loses no input (it is made again elsewhere),
  and a worker fetches it once, when its first document needs it;
- per document, the bundle's record of its reading (`Bundle.wire`: which file is which bytes,
  what each folder held), the request, and what the worker checks its own installation
  against: this machine's leafletgen, libraries, Python, Pango and zlib (`machine_identity`)
  and the hash of the font files of the document's languages. Fonts are the worker's own, from
  the font packages installed with leafletgen; a worker that would not make the same bytes is
  refused.

A worker makes the same bundle again from those bytes alone (inputs.bundle.replay: no folder,
nothing read from its disk, its digest checked against the one sent), renders it through the
one render path under the run's limits and sends the outputs back (PDF bytes, HTML, thumbnail,
warnings); this process writes them with batch.worker.write_outputs, atomically, as the local
pool's workers do, and records them under the bundle's digest. The task writes nothing and
returns the same bytes for the same request, so Dask may run it again when a worker is lost.

Dask is the optional extra `cluster` (`pip install -e '.[cluster]'`): it is imported here only,
when a run has documents to build on a cluster, never on the base install's code path.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import platform
import threading
import time
import zlib
from collections import deque
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from .. import __version__
from ..run import limits, render_child
from ..errors import UserError
from ..typeset.font_instances import make_instance
from ..typeset.fonts import missing_instances, package_file_digest
from ..inputs.bundle import load_bundle
from ..inputs.digest import Hasher, document_families, fonts_digest
from ..inputs.project import Project
from ..render import render_replayed
from ..request import BuildRequest
from .manifest import library_versions, tool_digest
from .outcome import Outcome, worker_died
from .plan import Plan
from .scheduler import extra_missing
from .worker import Rendered, failed, rendered_outputs, write_outputs

CONNECT_SECONDS = 20     # to reach the scheduler
WORKER_WAIT_SECONDS = 60  # for a first worker, and for one to come back when all are gone
WINDOW_PER_THREAD = 3    # documents handed to the scheduler per worker thread, at most
THREADS_EVERY_SECONDS = 5.0   # how often the number of worker threads is asked again
POLL_SECONDS = 0.2       # how long a Ctrl-C may wait to be noticed


class WorkerMismatch(Exception):
    """A worker whose installation would not make the bytes this machine makes."""


# ---- This machine and the workers -----------------------------------------------------------------

def dask_distributed():
    """dask.distributed, imported now (it is an optional extra)."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise UserError(extra_missing() or "Dask's distributed scheduler cannot be imported") from None


def machine_identity() -> dict[str, str]:
    """Besides a document's inputs, what decides its bytes: leafletgen's version, source and
    libraries (the manifest's tool digest), Python, and the C libraries WeasyPrint lays text out
    with (Pango) and compresses with (zlib)."""
    from ..typeset import engine  # noqa: F401  (imports WeasyPrint first)
    from weasyprint.text.ffi import pango

    return {"leafletgen": __version__, "tool": tool_digest(Hasher()),
            "libraries": library_versions(), "python": platform.python_version(),
            "pango": str(pango.pango_version()), "zlib": zlib.ZLIB_RUNTIME_VERSION}


def differences(theirs: dict, ours: dict) -> str:
    """How a worker's identity differs from ours, in words ("" when it does not)."""
    if theirs == ours:
        return ""
    said = []
    if theirs.get("leafletgen") != ours["leafletgen"]:
        said.append(f"leafletgen {theirs.get('leafletgen')} (here {ours['leafletgen']})")
    mine = dict(item.split("=", 1) for item in ours["libraries"].split())
    for item in str(theirs.get("libraries", "")).split():
        name, _, version = item.partition("=")
        if name in mine and mine[name] != version:
            said.append(f"{name} {version} (here {mine[name]})")
    for name, label in (("python", "Python"), ("pango", "Pango"), ("zlib", "zlib")):
        if theirs.get(name) != ours[name]:
            said.append(f"{label} {theirs.get(name)} (here {ours[name]})")
    if not said:
        said.append(f"leafletgen {ours['leafletgen']} with other source files than here")
    return ", ".join(said)


# ---- On a worker ----------------------------------------------------------------------------------

_LOCK = threading.Lock()
_IDENTITY: dict = {}
_FONTS: dict[tuple[str, ...], str] = {}


def file_task(data: bytes) -> bytes:
    """A file of the run's inputs, held by the cluster: its bytes are in the task, so the
    scheduler can make it again on another worker should the one holding it be lost."""
    return data


def render_task(spec: dict, files: dict[str, bytes]) -> Rendered | Outcome:
    """One document, on a worker: its bundle made again from `files` (its files' bytes by
    digest), rendered through the one render path, under the run's limits per document (the
    worker has none of its own, so render_document renders in a forked child that takes them
    on, kept from one document to the next).

    One document at a time per process (start workers with `--nthreads 1`). Raises
    WorkerMismatch when this worker would not make the bytes the client's machine makes."""
    with _LOCK:
        limits.configure(spec["limits"])
        render_child.keep_child()    # one warm child with the limits, for this worker's life
        check_machine(spec)
        return rendered_outputs(spec["request"], spec["strict"],
                                lambda: render_replayed(spec["wire"], files))


def check_machine(spec: dict) -> None:
    if not _IDENTITY:
        _IDENTITY.update(machine_identity())
    said = differences(_IDENTITY, spec["identity"])
    if not said:
        families = tuple(spec["families"])
        if families not in _FONTS:
            _FONTS[families] = fonts_digest(package_file_digest, families)
        if _FONTS[families] != spec["fonts"]:
            said = f"other font files for {', '.join(families)} (the font packages differ)"
    if said:
        raise WorkerMismatch(said)


# ---- In the main process --------------------------------------------------------------------------

def build_documents(address: str, project: Project, out_dir: Path, plan: Plan, strict: bool,
                    start: Callable[[int, int], None],
                    on_result: Callable[[BuildRequest, Outcome], None],
                    check_stop: Callable[[], None] = lambda: None) -> list[BuildRequest]:
    """The plan's jobs rendered on the cluster at `address`, written here as their outputs come
    back; `start(documents, worker threads)` once the cluster is ready, `on_result` for each.
    Returns the jobs not built because the output could not be written (a fatal outcome)."""
    distributed = dask_distributed()
    identity = machine_identity()
    fonts = _FontInstances(plan.jobs)
    with _quiet(distributed), _connected(distributed, address) as client:
        threads = _workers_ready(client, address, identity)
        start(len(plan.jobs), threads)
        return _Run(distributed, client, address, project, out_dir, plan, strict, identity, fonts,
                    on_result, check_stop, threads).run()


@contextmanager
def _connected(distributed, address: str):
    try:
        client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UserError(f"cannot reach the Dask scheduler at {address} ({exc}); start one with "
                        "`dask scheduler` and give the address it prints") from None
    try:
        yield client
    finally:
        client.close()


@contextmanager
def _quiet(distributed):
    """Dask's own log lines (a worker lost, keys rescheduled) are not the user's business: what
    matters reaches the summary. Its errors are still shown."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _workers_ready(client, address: str, identity: dict) -> int:
    """Worker threads once at least one worker is there, and every worker is one that makes our
    bytes; UserError otherwise."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        raise UserError(f"no Dask worker is connected to the scheduler at {address}; start one "
                        f"with `dask worker {address} --nthreads 1`") from None
    answers = client.run(machine_identity, on_error="return")
    problems = []
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            problems.append(f"worker {worker} cannot run leafletgen ({type(answer).__name__}: "
                            f"{answer}); install leafletgen {__version__} there")
        elif differences(answer, identity):
            problems.append(f"worker {worker} would not build the same files as this machine: "
                            f"{differences(answer, identity)}; install the same leafletgen and "
                            "libraries on every worker")
    if problems:
        raise UserError(problems)
    return max(1, sum(client.nthreads().values()))


class _FontInstances:
    """The static font instances the HTML outputs link, made here (output/assets/fonts/ is
    written here), in a thread while the cluster renders; waited for before the first write."""

    def __init__(self, jobs: list[BuildRequest]):
        families = {family for job in jobs for family in document_families(job)}
        self.faces = missing_instances(tuple(sorted(families)))
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._make, name="font-instances", daemon=True)
        if self.faces:
            self.thread.start()

    def _make(self) -> None:
        try:
            for face in self.faces:
                make_instance(face)
        except BaseException as exc:   # raised in the main thread by wait()
            self.error = exc

    def wait(self) -> None:
        if self.faces:
            self.thread.join()
            self.faces = []
            if self.error is not None:
                raise self.error


class _Run:
    """One run's documents through the cluster: a window of them submitted at a time, each
    written as it comes back."""

    def __init__(self, distributed, client, address, project, out_dir, plan, strict, identity,
                 fonts, on_result, check_stop, threads):
        self.distributed, self.client, self.address = distributed, client, address
        self.project, self.out_dir, self.plan, self.strict = project, out_dir, plan, strict
        self.identity, self.fonts, self.on_result, self.check_stop = identity, fonts, on_result, check_stop
        self.threads, self.threads_asked = threads, time.monotonic()
        self.id = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
        self.files: dict[str, object] = {}         # a file's digest → its future
        self.running: dict[object, BuildRequest] = {}
        # Grouped by language: a worker's next document is then mostly in a language it has
        # loaded (catalogs, hyphenation patterns, fonts).
        self.todo = deque(sorted(plan.jobs, key=lambda job: job.lang))

    def run(self) -> list[BuildRequest]:
        """Every job; the jobs not built because the output cannot be written (no space left, no
        permission): once one document says so, nothing more is started or written."""
        # as_current: dask's wait() asks for "the" client; this one is not made the default.
        with self.client.as_current():
            try:
                while self.todo or self.running:
                    self.check_stop()
                    if self._submit().fatal:
                        return list(self.running.values()) + list(self.todo)
                    for future in self._finished():
                        if self._collect(future).fatal:
                            return list(self.running.values()) + list(self.todo)
                return []
            finally:
                if self.running:
                    self.client.cancel(list(self.running))

    def _submit(self) -> Outcome:
        """Documents handed to the cluster while it has room; a failure of a document's first
        stage, here, is its outcome (the last one: fatal when the output cannot be written)."""
        outcome = Outcome("", ok=True)
        if time.monotonic() - self.threads_asked > THREADS_EVERY_SECONDS:
            self.threads = self._threads_now()
        while self.todo and len(self.running) < WINDOW_PER_THREAD * self.threads:
            job = self.todo.popleft()
            try:
                bundle = load_bundle(self.project, job)     # stage 1, here: read once, hashed
            except Exception as exc:     # its inputs are bad: reported as a render would be
                outcome = failed(job, exc, self.project.rel)
                self.on_result(job, outcome)
                if outcome.fatal:
                    return outcome
                continue
            wire, blobs = bundle.wire()
            spec = {"run": self.id, "request": job, "strict": self.strict, "wire": wire,
                    "identity": self.identity, "families": document_families(job),
                    "fonts": bundle.parts["fonts"], "limits": limits.current()}
            files = {digest: self._file(digest, data) for digest, data in blobs.items()}
            key = "leafletgen-document-" + hashlib.sha256(f"{self.id} {job.key}".encode()).hexdigest()
            self.running[self.client.submit(render_task, spec, files, key=key)] = job
        return outcome

    def _file(self, digest: str, data: bytes):
        """The future of a file's bytes, submitted the first time a document needs it."""
        if digest not in self.files:
            self.files[digest] = self.client.submit(file_task, data, key=f"leafletgen-file-{digest}")
        return self.files[digest]

    def _threads_now(self) -> int:
        """Worker threads now; when every worker is gone, wait a while for one to come back."""
        self.threads_asked = time.monotonic()
        deadline = time.monotonic() + WORKER_WAIT_SECONDS
        while True:
            threads = sum(self.client.nthreads().values())
            if threads:
                return threads
            if time.monotonic() > deadline:
                raise UserError(f"every Dask worker of {self.address} is gone, and none came back "
                                f"in {WORKER_WAIT_SECONDS} s; the documents built so far are kept: "
                                "run again to build the rest")
            self.check_stop()
            time.sleep(POLL_SECONDS)

    def _finished(self) -> list:
        try:
            done, _ = self.distributed.wait(list(self.running), timeout=POLL_SECONDS,
                                            return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        return list(done)

    def _collect(self, future) -> Outcome:
        job = self.running.pop(future)
        if future.status == "finished":
            rendered = future.result()
            if isinstance(rendered, Rendered):
                self.fonts.wait()
            outcome = write_outputs(self.out_dir, rendered, self.project.rel)
        else:
            outcome = self._failure(job, future)
        future.release()
        self.on_result(job, outcome)
        return outcome

    def _failure(self, job: BuildRequest, future) -> Outcome:
        if self.client.status not in ("running", "connecting"):
            raise UserError(f"lost the connection to the Dask scheduler at {self.address}; the "
                            "documents built so far are kept: run again to build the rest")
        try:
            exc = future.exception()
        except Exception as cancelled:   # cancelled: the scheduler forgot it
            exc = cancelled
        if isinstance(exc, WorkerMismatch):
            raise UserError(f"a worker of {self.address} would not build the same files as this "
                            f"machine: {exc}; install the same leafletgen and libraries on every "
                            "worker")
        if isinstance(exc, self.distributed.KilledWorker):
            return worker_died(job.key)
        return failed(job, exc, self.project.rel)
