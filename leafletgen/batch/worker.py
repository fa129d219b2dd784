"""A worker process of the main job: documents in, outcomes out, until it is recycled.

Each worker imports WeasyPrint once, keeps one FontConfiguration, one image cache and the
parsed stylesheets for all its documents (leafletgen.typeset.pdf), and removes the temporary font
folder WeasyPrint makes when it ends. It ends with the main process, however that ends: the
kernel sends it SIGTERM when its parent dies (Linux's PR_SET_PDEATHSIG), and where that is not
available a thread watches the parent's pid.

A document never raises here: a failure comes back as lines to report, so one bad document
does not stop the others.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing.util
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import weasyprint  # noqa: F401  (the 0.7 s import: paid once, before the workers fork)

from ..run import limits
from ..typeset import pdf
from ..atomic_write import write_atomic
from ..build import withheld, write_document
from ..errors import MachineError, UserError
from ..typeset.font_instances import make_instance
from ..typeset.fonts import font_faces
from ..inputs.project import Project
from ..request import BuildRequest
from ..markup.inline import plain_text
from ..render import render_document
from .outcome import IndexEntry, Outcome

PR_SET_PDEATHSIG = 1           # from <linux/prctl.h>
PARENT_WATCH_SECONDS = 1.0     # the fallback's polling interval


def die_with_parent(parent_pid: int) -> None:
    """End this process when `parent_pid` ends, even by SIGKILL (no chance to stop its children)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):   # not Linux
        armed = False
    if os.getppid() != parent_pid:      # the parent died before the signal was armed
        os._exit(1)
    if armed:
        return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def prepare_process(parent_pid: int | None = None) -> None:
    """Make this process a worker: it ends with its parent, stays quiet on Ctrl-C (the parent
    stops the pool), ends at once on SIGTERM, has its own WeasyPrint font configuration, removed
    when it ends, and takes on the limits per document (limits.py: its memory is limited from
    now on, and render_document renders here, under the time limit)."""
    limits.enter(limits.current())
    if parent_pid is not None:
        die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group: the parent stops the pool, workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM (the parent stopping the pool, or dying): the font folder is removed, the process
    # ends at once; the temporary files it leaves carry its pid and the next run removes them.
    signal.signal(signal.SIGTERM, _end_on_sigterm)
    pdf.forget_inherited_font_config()
    pdf.font_config()
    # A pool's worker may leave through os._exit: atexit does not run, multiprocessing's finalizers do.
    multiprocessing.util.Finalize(None, pdf.cleanup_font_config, exitpriority=10)


def _end_on_sigterm(signum, frame) -> None:
    pdf.cleanup_font_config()
    os._exit(128 + signum)


def serve(connection, parent_pid: int, root: str, out_dir: str, strict: bool, max_documents: int) -> None:
    """The worker's life: ("document", request) or ("font", index) in, an answer out, until
    `max_documents` documents are done (then it ends, and the pool starts a fresh one: a
    process that has rendered hundreds of documents has grown), or ("stop", None)."""
    prepare_process(parent_pid)
    project, out = Project(Path(root)), Path(out_dir)
    documents = 0
    try:
        connection.send(("ready", os.getpid()))
        while documents < max_documents:
            try:
                kind, payload = connection.recv()
            except EOFError:
                break
            if kind == "stop":
                break
            if kind == "font":
                connection.send(("font", make_instance_job(payload)))
                continue
            outcome = run_document(project, out, payload, strict)
            connection.send(("document", outcome))
            documents += 1
            if outcome.over_limit:
                # Stopped by its timer or out of memory somewhere inside a library: whatever that
                # left half-done in this process is not trusted with another document.
                break
    finally:
        pdf.cleanup_font_config()
        connection.close()


@dataclass(frozen=True)
class Rendered:
    """A document rendered, as plain data: what the process that renders hands to the one that
    writes. In the local pool that is the worker itself (files are written in parallel); on a
    cluster the machine that rendered it sends it back, and the main process writes it."""

    request: BuildRequest
    pdf: bytes
    html: str
    thumbnail: bytes | None
    warnings: list[str]
    title: str              # plain text, in the document's language
    practice: str           # the practice's id
    practice_name: str
    review: dict = field(default_factory=dict)   # review.index_fields: the translation's review
    inputs: dict = field(default_factory=dict)   # what it was made from: its bundle's parts
    fit: dict | None = None  # the copy-fitting setting chosen (typeset.fit_memory), for the manifest
    seconds: float = 0.0    # rendering it took
    pid: int = 0            # the process that rendered it
    rss_kib: int = 0        # that process's resident memory afterwards


def run_document(project: Project, out_dir: Path, request: BuildRequest, strict: bool) -> Outcome:
    """Render one document, then write it (the last stage, here in the worker so that files are
    written in parallel). What the manifest, the index and the summary need comes back."""
    return write_outputs(out_dir, render_outputs(project, request, strict), project.rel)


def render_outputs(project: Project, request: BuildRequest, strict: bool) -> Rendered | Outcome:
    """The document rendered (nothing written), or why it failed."""
    return rendered_outputs(request, strict, lambda: render_document(project, request), project.rel)


def rendered_outputs(request: BuildRequest, strict: bool, render, shown=str) -> Rendered | Outcome:
    """`render()`'s document as plain data, or why it failed (paths as `shown` gives them)."""
    started = time.perf_counter()
    try:
        document = render()
        refusal = withheld(document, strict)
        if refusal:
            return Outcome(request.key, ok=False, errors=refusal)
        return Rendered(request, document.pdf, document.html, document.thumbnail,
                        document.warnings, plain_text(document.leaflet.title),
                        document.practice.id, document.practice.name or "—",
                        dict(document.review), dict(document.inputs), document.remembered_fit,
                        round(time.perf_counter() - started, 4), os.getpid(), resident_kib())
    except Exception as exc:
        return failed(request, exc, shown)


def write_outputs(out_dir: Path, rendered: Rendered | Outcome, shown=str) -> Outcome:
    """The last stage: a rendered document's files written atomically into `out_dir` (a failure
    is passed on as it is). What the manifest, the index and the summary need comes back; a
    folder that cannot be written is named as `shown` gives it."""
    if isinstance(rendered, Outcome):
        return rendered
    started = time.perf_counter()
    request = rendered.request
    try:
        pdf_path, html_path = write_document(out_dir, rendered)
        thumbnail = request.thumbnail_name
        if thumbnail:
            write_atomic(out_dir / thumbnail, rendered.thumbnail)
        entry = index_entry(rendered, out_dir, pdf_path, html_path, thumbnail or None)
        files = {"pdf": entry.pdf, "html": entry.html, "thumbnail": thumbnail or None}
        sizes = {kind: os.stat(out_dir / name).st_size for kind, name in files.items() if name}
    except Exception as exc:
        return failed(request, exc, shown)
    return Outcome(request.key, ok=True, warnings=rendered.warnings, files=files, sizes=sizes,
                   entry=asdict(entry), inputs=rendered.inputs, fit=rendered.fit,
                   seconds=round(rendered.seconds + time.perf_counter() - started, 4),
                   pid=rendered.pid, rss_kib=rendered.rss_kib)


def failed(request: BuildRequest, exc: Exception, shown=str) -> Outcome:
    """A document's failure: the user's problems as they are; a machine's fault stops the job
    (paths as `shown` gives them); anything else is a bug, but it stays this document's failure."""
    if isinstance(exc, limits.DocumentOverLimit):
        return Outcome(request.key, ok=False, errors=exc.lines, over_limit=True)
    if isinstance(exc, UserError):
        return Outcome(request.key, ok=False, errors=exc.lines)
    if isinstance(exc, MachineError):
        # The output cannot be written (disk full, no permission, read-only): not this
        # document's fault, and the next one would fail the same way: the main job stops.
        return Outcome(request.key, ok=False, errors=[exc.line(shown)], fatal=True)
    return Outcome(request.key, ok=False, errors=[
        f"internal error building {request.key}: {type(exc).__name__}: {exc} (a bug in "
        "leafletgen; build it alone with `build --debug` for the traceback)"])


def index_entry(rendered: Rendered, out_dir: Path, pdf: Path, html: Path,
                thumbnail: str | None) -> IndexEntry:
    """How output/index.html lists a document written to `pdf` and `html`."""
    request = rendered.request
    return IndexEntry(
        leaflet=request.leaflet, title=rendered.title, lang=request.lang,
        practice=rendered.practice, practice_name=rendered.practice_name,
        variant=request.variant, bilingual=request.bilingual,
        pdf=pdf.relative_to(out_dir).as_posix(), html=html.relative_to(out_dir).as_posix(),
        thumbnail=thumbnail, **rendered.review)


def make_instance_job(face_index: int) -> str:
    """The static instance of one variable font face (font_files.make_instance), made in a worker."""
    return str(make_instance(font_faces()[face_index]))


def resident_kib() -> int:
    """This process's resident memory now, in KiB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


__all__ = ["serve", "run_document", "render_outputs", "rendered_outputs", "write_outputs", "Rendered",
           "prepare_process", "die_with_parent", "make_instance_job", "resident_kib"]
