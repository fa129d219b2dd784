"""The web app's worker processes: the runner (run/runner.py) the server hands its tasks to,
its workers forked from this process's warm template (run/template.py), and what runs in those
processes — a document through the one render path (`render_in_worker`, the one place this
package calls it) and a document's page previews.

A task past the time limit, or whose worker dies, fails with RenderFailed (a task whose worker
died is tried once more); the other tasks are served. Workers are recycled after their share of
documents, forked warm from the template again.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from dataclasses import replace
from pathlib import Path

from ..errors import Message, UserError
from ..inputs.project import Project
from ..request import BuildRequest
from ..run import limits, template
from ..run.limits import GRACE, MAX_DOCUMENTS_PER_WORKER
from ..run.runner import Runner
from .document_cache import write_quick

log = logging.getLogger("leafletgen.web")


class RenderFailed(Exception):
    """The document could not be made: the worker died or ran out of time (a message for staff)."""


# ---- In the worker processes ----------------------------------------------------------------------

def render_limited(root: str, request: BuildRequest, seconds: float) -> dict:
    """`render_in_worker` under the limits per document (limits.py; the worker took them on when
    it started), with `seconds` of wall time: a document over a limit is a message, and the worker
    goes on serving (one that does not return is killed by the runner)."""
    limits.retime(seconds)
    try:
        return render_in_worker(root, request)
    except limits.DocumentOverLimit as exc:
        return {"ok": False, "timeout": exc.kind == "time", "errors": [exc.message]}


def render_in_worker(root: str, request: BuildRequest) -> dict:
    """The adapter to the one render path: a request in; PDF bytes, HTML, warnings, facts out."""
    from ..markup.inline import plain_text
    from ..render import render_document

    project = Project(Path(root))
    try:
        document = render_document(project, request)
    except limits.DocumentOverLimit:
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


# ---- The pool, in the server ----------------------------------------------------------------------

class RenderPool:
    """`workers` warm processes, each with the limits per document (the memory limit `memory_mb`
    taken on when it starts; the time limit given with each task)."""

    def __init__(self, root: Path, workers: int, recycle_after: int = MAX_DOCUMENTS_PER_WORKER,
                 memory_mb: int | None = None):
        worker_limits = limits.current()
        if memory_mb is not None:
            worker_limits = replace(worker_limits, memory_mb=memory_mb)
        self.root, self.workers, self.recycle_after = root, max(1, workers), recycle_after
        self.limits = worker_limits
        self._runner: Runner | None = None
        self._closed = False
        self._lock = threading.Lock()

    def runner(self) -> Runner:
        with self._lock:
            if self._closed:
                raise RenderFailed(Message("render_crashed", "the app is stopping"))
            if self._runner is None:
                self._runner = Runner(self.workers, self.limits, template.shared(), self.recycle_after,
                                      root=self.root)
            return self._runner

    def start(self) -> None:
        """Start the workers now (the template warms first), not at the first request."""
        self.runner().start()

    def close(self) -> None:
        """Stop the workers now, also one rendering (the server is stopping)."""
        with self._lock:
            runner, self._runner, self._closed = self._runner, None, True
        if runner is not None:
            runner.stop()

    def run(self, time_limit: float, function, *args):
        """`function(*args)` in a worker, within the time limit: its result, or the UserError it
        raised. RenderFailed when it overran (its worker killed and replaced) or its worker died
        twice."""
        for _attempt in (1, 2):
            reply = self.runner().call(function, *args, seconds=time_limit + GRACE if time_limit else None)
            if reply.answered:
                return reply.result()
            if reply.kind == "killed":
                raise RenderFailed(Message("over_time", f"took longer than {time_limit:g} s to make; it "
                                                        "was stopped", seconds=f"{time_limit:g}"))
        raise RenderFailed(Message("render_crashed", "the process making it stopped (out of memory, or a "
                                   "crash in a library); the other documents are not affected"))
