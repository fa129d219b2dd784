"""The main job's documents on a Dask cluster: `generate.py --cluster tcp://HOST:PORT`.

Everything but the rendering stays in this process: the plan, the manifest, the progress, the
writing of every file, the index. What crosses to a worker is plain data:

- each input a document is made of (the templates, a leaflet, a practice, a leaflet's catalogs
  in one language) as a bundle of its files (batch.bundles), submitted once per run as a small
  task named by its content. The scheduler keeps it, so a lost worker loses no input (it is
  made again elsewhere), and a worker fetches it once, when its first document needs it;
- per document, the request, and what the worker checks its own installation against: this
  machine's leafletgen, libraries, Python, Pango and zlib (`machine_identity`) and the hash of
  the font files of the document's languages. Fonts are the worker's own, from the font
  packages installed with leafletgen; a worker that would not make the same bytes is refused.

A worker lays the bundles out in a private read-only temporary project folder
(bundles.ProjectCopy), renders through the one render path (batch.worker.render_outputs: the
same loaders, sandbox and limits as a local run) and sends the outputs back (PDF bytes, HTML,
thumbnail, warnings); this process writes them with batch.worker.write_outputs, atomically, as
the local pool's workers do. The task writes nothing but its own copy of the inputs and returns
the same bytes for the same request, so Dask may run it again when a worker is lost.

Dask is the optional extra `cluster` (`pip install -e '.[cluster]'`): it is imported here only,
when a run has documents to build on a cluster, never on the base install's code path.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import logging
import os
import platform
import tempfile
import threading
import time
import zlib
from collections import OrderedDict, deque
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from .. import __version__
from ..run import limits, render_child
from ..errors import UserError
from ..typeset.font_instances import make_instance
from ..typeset.fonts import missing_instances, page_families
from ..inputs.project import SOURCE_LANGUAGE, Project
from ..request import BuildRequest
from .bundles import Bundle, ProjectCopy, pack
from .manifest import Hasher, library_versions, tool_digest
from .outcome import Outcome, worker_died
from .plan import Plan, fonts_digest
from .scheduler import extra_missing
from .worker import Rendered, failed, render_outputs, write_outputs

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
_COPIES: OrderedDict[str, ProjectCopy] = OrderedDict()   # a run's id → its inputs' folder
KEEP_RUNS = 2            # runs whose inputs a worker keeps laid out (several clients may share it)
_IDENTITY: dict = {}
_FONTS: dict[tuple[str, ...], str] = {}
COPY_PREFIX = "leafletgen-inputs-"


def bundle_task(bundle: Bundle) -> Bundle:
    """An input, held by the cluster: its bytes are in the task, so the scheduler can make it
    again on another worker should the one holding it be lost."""
    return bundle


def render_task(spec: dict, *bundles: Bundle) -> Rendered | Outcome:
    """One document, on a worker: its inputs laid out, rendered through the one render path,
    under the run's limits per document (the worker has none of its own, so render_document
    renders in a forked child that takes them on, kept from one document to the next).

    One document at a time per process (the render's caches belong to the process; start
    workers with `--nthreads 1`). Raises WorkerMismatch when this worker would not make the
    bytes the client's machine makes."""
    with _LOCK:
        limits.configure(spec["limits"])
        render_child.keep_child()    # one warm child with the limits, for this worker's life
        check_machine(spec)
        copy = _copy_for(spec["run"])
        for bundle in bundles:
            copy.add(bundle)
        return render_outputs(Project(copy.root), spec["request"], spec["strict"])


def check_machine(spec: dict) -> None:
    if not _IDENTITY:
        _IDENTITY.update(machine_identity())
    said = differences(_IDENTITY, spec["identity"])
    if not said:
        families = tuple(spec["families"])
        if families not in _FONTS:
            _FONTS[families] = fonts_digest(Hasher(), families)
        if _FONTS[families] != spec["fonts"]:
            said = f"other font files for {', '.join(families)} (the font packages differ)"
    if said:
        raise WorkerMismatch(said)


def _copy_for(run: str) -> ProjectCopy:
    copy = _COPIES.get(run)
    if copy is not None:
        _COPIES.move_to_end(run)
        return copy
    if not _COPIES:
        _remove_stale_copies()
        atexit.register(_remove_copies)
    while len(_COPIES) >= KEEP_RUNS:
        _COPIES.popitem(last=False)[1].remove()
    copy = _COPIES[run] = ProjectCopy(prefix=f"{COPY_PREFIX}{os.getpid()}-")
    return copy


def _remove_copies() -> None:
    while _COPIES:
        _COPIES.popitem()[1].remove()


def _remove_stale_copies() -> None:
    """Input folders of worker processes that were killed before they could remove them."""
    for path in Path(tempfile.gettempdir()).glob(f"{COPY_PREFIX}*-*"):
        pid = path.name[len(COPY_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            ProjectCopy.remove_folder(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        families = {family for job in jobs for family in page_families(
            job.lang, SOURCE_LANGUAGE if job.side_by_side else None)}
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
        self.bundles: dict[str, object] = {}       # input name → its future
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
                    self._submit()
                    for future in self._finished():
                        if self._collect(future).fatal:
                            return list(self.running.values()) + list(self.todo)
                return []
            finally:
                if self.running:
                    self.client.cancel(list(self.running))

    def _submit(self) -> None:
        if time.monotonic() - self.threads_asked > THREADS_EVERY_SECONDS:
            self.threads = self._threads_now()
        while self.todo and len(self.running) < WINDOW_PER_THREAD * self.threads:
            job = self.todo.popleft()
            families = page_families(job.lang, SOURCE_LANGUAGE if job.side_by_side else None)
            spec = {"run": self.id, "request": job, "strict": self.strict,
                    "identity": self.identity, "families": families,
                    "fonts": self.plan.wanted[job.key]["deps"]["fonts"],
                    "limits": limits.current()}
            inputs = [self._bundle(name) for name in self.plan.needs[job.key]]
            key = "leafletgen-document-" + hashlib.sha256(f"{self.id} {job.key}".encode()).hexdigest()
            self.running[self.client.submit(render_task, spec, *inputs, key=key)] = job

    def _bundle(self, name: str):
        """The future of the input `name`, submitted the first time a document needs it."""
        if name not in self.bundles:
            bundle = pack(self.project.root, name, self.plan.inputs[name])
            self.bundles[name] = self.client.submit(bundle_task, bundle, key=bundle.key)
        return self.bundles[name]

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
