"""A worker process of the main job: documents in, outcomes out, until it is recycled.

Each worker imports WeasyPrint once, keeps one FontConfiguration, one image cache and the
parsed stylesheets for all its documents (leafletgen.pdf), and removes the temporary font
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
from dataclasses import asdict
from pathlib import Path

import weasyprint  # noqa: F401  (the 0.7 s import: paid once, before the workers fork)

from .. import pdf
from ..atomic_write import write_atomic
from ..build import withheld, write_document
from ..errors import MachineError, UserError
from ..font_files import make_instance
from ..fonts import font_faces
from ..project import Project
from ..request import BuildRequest
from ..inline import plain_text
from ..render import Document, render_document
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
    stops the pool), ends at once on SIGTERM, and has its own WeasyPrint font configuration,
    removed when it ends."""
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
            connection.send(("document", run_document(project, out, payload, strict)))
            documents += 1
    finally:
        pdf.cleanup_font_config()
        connection.close()


def run_document(project: Project, out_dir: Path, request: BuildRequest, strict: bool) -> Outcome:
    """Render one document, then write it (the last stage, here in the worker so that files are
    written in parallel). What the manifest, the index and the summary need comes back."""
    started = time.perf_counter()
    try:
        document = render_document(project, request)
        refusal = withheld(document, strict)
        if refusal:
            return Outcome(request.key, ok=False, errors=refusal)
        pdf_path, html_path = write_document(out_dir, document)
        thumbnail = request.thumbnail_name
        if thumbnail:
            write_atomic(out_dir / thumbnail, document.thumbnail)
        entry = index_entry(document, out_dir, pdf_path, html_path, thumbnail or None)
    except UserError as exc:
        return Outcome(request.key, ok=False, errors=exc.lines)
    except MachineError as exc:
        # The output cannot be written (disk full, no permission, read-only): not this
        # document's fault, and the next one would fail the same way: the main job stops.
        return Outcome(request.key, ok=False, errors=[exc.line(project.rel)], fatal=True)
    except Exception as exc:  # a bug, but it stays this document's failure
        return Outcome(request.key, ok=False, errors=[
            f"internal error building {request.key}: {type(exc).__name__}: {exc} (a bug in "
            "leafletgen; build it alone with `build --debug` for the traceback)"])
    files = {"pdf": entry.pdf, "html": entry.html, "thumbnail": thumbnail or None}
    sizes = {kind: os.stat(out_dir / name).st_size for kind, name in files.items() if name}
    return Outcome(request.key, ok=True, warnings=document.warnings, files=files, sizes=sizes,
                   entry=asdict(entry), seconds=round(time.perf_counter() - started, 4),
                   pid=os.getpid(), rss_kib=resident_kib())


def index_entry(document: Document, out_dir: Path, pdf: Path, html: Path,
                thumbnail: str | None) -> IndexEntry:
    """How output/index.html lists a document written to `pdf` and `html`."""
    request = document.request
    return IndexEntry(
        leaflet=request.leaflet, title=plain_text(document.leaflet.title), lang=request.lang,
        practice=document.practice.id, practice_name=document.practice.name or "—",
        variant=request.variant, bilingual=request.bilingual,
        pdf=pdf.relative_to(out_dir).as_posix(), html=html.relative_to(out_dir).as_posix(),
        thumbnail=thumbnail, **document.review)


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


__all__ = ["serve", "run_document", "prepare_process", "die_with_parent", "make_instance_job",
           "resident_kib"]
