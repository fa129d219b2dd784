"""The web app's warm worker processes: the pool the server hands its tasks to, and what runs in
those processes — a document through the one render path (`render_in_worker`, the one place
this package calls it) and a document's page previews.

Workers import WeasyPrint once and keep their font configuration warm; each is replaced after
`recycle_after` documents (a long-lived process must not grow), and one that takes longer than
the time limit, or dies, is replaced too: that task fails with RenderFailed, the others are
served.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import Message, UserError
from ..inputs.project import Project
from ..request import BuildRequest
from .document_cache import write_quick
from .forkserver import SERVER_PID

log = logging.getLogger("leafletgen.web")


class RenderFailed(Exception):
    """The document could not be made: the worker died or ran out of time (a message for staff)."""


# ---- In the worker processes ----------------------------------------------------------------------

def init_worker(root: str, warm: bool, memory_mb: int) -> None:
    """A new worker: WeasyPrint imported, its font configuration made (the main job's worker
    initialiser), and with `warm`, one document rendered in every language, so that the first
    document a member of staff asks of this worker does not pay for loading fonts, hyphenation
    patterns, catalogs and stylesheets. A recycled worker warms up before it takes any request;
    the others serve meanwhile.

    The worker takes on the limits per document (limits.py) in `prepare_process`, with the
    server's memory limit per document, `memory_mb`: forked from the fork server, this process has
    not seen the command line's --memory-limit. The time limit comes with each task."""
    from dataclasses import replace

    from ..run import limits
    from ..batch.worker import prepare_process
    from .forkserver import die_with_parent

    die_with_parent()      # the fork server (or, spawned, the server itself)
    limits.configure(replace(limits.current(), memory_mb=memory_mb))
    prepare_process()
    # On a computer's first start the fonts' static instances are not made yet: every worker
    # would make all of them while warming (a minute and more, the same work in each), so the
    # first start makes them once, shared out over the workers (RenderPool.start), and the
    # workers warm up with the documents they are asked for.
    from ..typeset.fonts import missing_instances

    if warm and not missing_instances():
        project = Project(Path(root))
        leaflets = project.leaflet_ids()
        for lang in project.languages() if leaflets else ():
            try:
                render_in_worker(root, BuildRequest(leaflets[0], lang, allow_draft=True))
            except Exception:  # a broken input: the request that needs it will say so
                log.debug("warming %s failed", lang, exc_info=True)


def render_limited(root: str, request: BuildRequest, seconds: float) -> dict:
    """`render_in_worker` under the limits per document (limits.py; the worker took them on when
    it started), with `seconds` of wall time: a document over a limit is a message, and the worker
    goes on serving (one that does not return is killed by the server's own wait)."""
    from ..run import limits

    limits.retime(seconds)
    try:
        return render_in_worker(root, request)
    except limits.DocumentOverLimit as exc:
        return {"ok": False, "timeout": exc.kind == "time", "errors": [exc.message]}


def render_in_worker(root: str, request: BuildRequest) -> dict:
    """The adapter to the one render path: a request in; PDF bytes, HTML, warnings, facts out."""
    from ..markup.inline import plain_text
    from ..render import render_document

    from ..run.limits import DocumentOverLimit

    project = Project(Path(root))
    try:
        document = render_document(project, request)
    except DocumentOverLimit:
        raise            # render_limited says so
    except UserError as exc:
        return {"ok": False, "errors": list(exc.problems)}     # Problems keep their (field, code, params)
    return {"ok": True, "pdf": document.pdf, "html": document.html, "warnings": document.warnings,
            "title": plain_text(document.leaflet.title), "version": document.leaflet.version,
            "draft": document.draft,
            "pages": page_count(document.pdf), "pid": os.getpid(), "inputs": document.inputs}


def page_count(pdf: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def write_page_images(pdf_path: str, width: int, targets: list[str]) -> int:
    """Worker task: every page of a cached PDF as a PNG `width` pixels wide, written to `targets`
    (PDFium is not thread-safe: it runs only in worker processes, never in the server's threads)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_path)
    try:
        for index, target in enumerate(targets):
            page = document[index]
            bitmap = page.render(scale=width / page.get_width())
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG")
            page.close()
            write_quick(Path(target), buffer.getvalue())
    finally:
        document.close()
    return len(targets)


def worker_pid() -> int:
    return os.getpid()


# ---- The pool, in the server ----------------------------------------------------------------------

class RenderPool:
    """`workers` warm processes; a task is handed to the pool only when a worker is free for it."""

    def __init__(self, root: Path, workers: int, recycle_after: int, warm: bool, memory_mb: int):
        self.root = root
        self.memory_mb = memory_mb
        self.workers = max(1, workers)
        self.recycle_after = recycle_after
        self.warm = warm
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.workers)

    def _context(self):
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            # Workers fork from a server that has imported WeasyPrint already: a recycled worker
            # is warm in a fraction of a second. The fork server ends with this process.
            os.environ[SERVER_PID] = str(os.getpid())
            context.set_forkserver_preload(["leafletgen.web.forkserver", "leafletgen.render",
                                            "leafletgen.batch.worker", "weasyprint"])
            return context
        return multiprocessing.get_context("spawn")   # Windows

    def executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=self._context(), initializer=init_worker,
                    initargs=(str(self.root), self.warm, self.memory_mb),
                    max_tasks_per_child=self.recycle_after)
            return self._executor

    def start_fork_server(self) -> None:
        """Start the fork server now, from this thread, which must live as long as the server (its
        main thread): Linux ends a process whose parent *thread* ends (PR_SET_PDEATHSIG, which
        the fork server asks for), so started from a thread that ends, such as a warm-up thread,
        it and every worker would die with that thread."""
        self.executor()
        if "forkserver" in multiprocessing.get_all_start_methods():    # what _context chose
            from multiprocessing import forkserver

            forkserver.ensure_running()

    def start(self) -> None:
        """Start the workers now (and warm them), not at the first request."""
        from ..typeset.fonts import font_faces, missing_instances
        from ..batch.worker import make_instance_job

        executor = self.executor()
        # Static instances of variable fonts not yet made on this machine: once, in parallel,
        # before a document needs them (the main job does the same).
        faces = font_faces()
        for future in [executor.submit(make_instance_job, faces.index(face)) for face in missing_instances()]:
            future.result()
        for future in [executor.submit(worker_pid) for _ in range(self.workers)]:
            future.result()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is not broken:
                return
            self._executor = None
        processes = list((getattr(broken, "_processes", None) or {}).values())
        broken.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join(timeout=5)

    def close(self) -> None:
        """Stop the workers now, also one still warming up or rendering (the server is stopping):
        SIGTERM, on which a worker removes its font folder and ends at once."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        executor.shutdown(wait=True)

    def run(self, time_limit: float, function, *args):
        """`function(*args)` in a worker, within the time limit. A task that overruns has its
        pool replaced (the standard pool cannot stop one worker alone) and fails with
        RenderFailed; a task whose worker died, or that was in the pool replaced because of
        another, is tried once more in the new pool, and fails only if that dies too."""
        for attempt in (1, 2):
            executor = self.executor()
            # At most one task per worker is handed to the pool: the others wait here, so the
            # clock below runs while a worker has the task, not while it queues behind others.
            with self._slots:
                try:
                    task = executor.submit(function, *args)
                    # The worker stops a document at the time limit itself; this is for a worker
                    # that hangs where it cannot (inside a C library), with room for a recycled
                    # worker's warm-up.
                    return task.result(timeout=2 * time_limit + 30 if time_limit else None)
                except FutureTimeout:
                    self._replace(executor)
                    raise RenderFailed(Message("over_time", f"took longer than {time_limit:g} s to make; it "
                                                            "was stopped", seconds=f"{time_limit:g}")) from None
                except BrokenProcessPool:
                    self._replace(executor)
                    if attempt == 2:
                        raise RenderFailed(Message("render_crashed", "the process making it stopped (out of "
                                                   "memory, or a crash in a library); the other documents "
                                                   "are not affected")) from None
        raise AssertionError("unreachable")
