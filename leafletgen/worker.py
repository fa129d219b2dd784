"""The pool side of the main job: one worker process renders many documents.

Each worker imports WeasyPrint once (in its initializer), keeps one FontConfiguration and one
image cache for all its documents (leafletgen.pdf), and removes the temporary font folder
WeasyPrint makes when the worker exits. A job never raises: a failure comes back as lines to
report, so one bad document does not stop the others.
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

THUMBNAIL_WIDTH = 240   # pixels


@dataclass(frozen=True)
class Job:
    key: str                 # the manifest key: <practice>/<lang>/<stem>
    leaflet: str
    lang: str
    practice: str
    variant: str
    bilingual: bool
    thumbnail: str = ""      # where to write the first page's PNG (relative to out), or ""
    strict: bool = False     # --strict: a document with warnings is not written, and fails


_STATE: dict = {}


def init_worker(root: str, out_dir: str, in_pool: bool = True) -> None:
    """Import WeasyPrint and make the shared FontConfiguration, once per process."""
    from . import pdf
    from .project import Project

    _STATE.clear()
    _STATE.update(project=Project(Path(root)), out_dir=Path(out_dir), leaflets={}, practices={})
    if in_pool:
        import signal
        # Ctrl-C reaches the whole process group: the parent stops the pool, workers stay quiet.
        # SIGTERM (from the parent stopping the pool) ends a worker at once; the temporary files
        # it leaves carry its PID and are removed by the next run.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        pdf.forget_inherited_font_config()
        import multiprocessing.util
        # Pool workers leave through os._exit: atexit does not run, multiprocessing's finalizers do.
        multiprocessing.util.Finalize(None, pdf.cleanup_font_config, exitpriority=10)
    import weasyprint  # noqa: F401  (the 0.7 s import, paid once per worker)
    pdf.font_config()


def _inputs(job: Job):
    from .content import load_leaflet
    from .practice import load_practice

    project = _STATE["project"]
    leaflets, practices = _STATE["leaflets"], _STATE["practices"]
    if job.leaflet not in leaflets:
        leaflets[job.leaflet] = load_leaflet(project, job.leaflet)
    if job.practice not in practices:
        practices[job.practice] = load_practice(project, job.practice)
    return leaflets[job.leaflet], practices[job.practice]


def run_job(job: Job) -> dict:
    """Render and write one document. Returns what the manifest and the summary need."""
    from .build import BuildRequest, render_document, write_document
    from .errors import MachineError, UserError
    from .index import IndexEntry
    from .output import write_atomic

    started = time.perf_counter()
    project, out_dir = _STATE["project"], _STATE["out_dir"]
    result = {"key": job.key, "ok": False, "errors": [], "warnings": []}
    try:
        leaflet, practice = _inputs(job)
        request = BuildRequest(job.leaflet, job.lang, job.practice, job.variant, job.bilingual)
        document = render_document(project, request, leaflet, practice)
        if job.strict and document.warnings:
            result["errors"] = [f"{job.key}: {warning} (not written: warnings are errors with "
                                "--strict)" for warning in document.warnings]
            return result
        pdf_path, html_path = write_document(out_dir, document)
        entry = IndexEntry.from_document(document, out_dir, pdf_path, html_path)
        if job.thumbnail:
            write_atomic(out_dir / job.thumbnail, thumbnail_png(document.pdf))
            entry = IndexEntry(**{**asdict(entry), "thumbnail": job.thumbnail})
    except UserError as exc:
        result["errors"] = exc.lines
        return result
    except MachineError as exc:
        # The output cannot be written (disk full, no permission, read-only): not this
        # document's fault, and the next one would fail the same way: the main job stops.
        result["errors"] = [exc.line(project.rel)]
        result["fatal"] = True
        return result
    except Exception as exc:  # a bug, but it stays this document's failure
        result["errors"] = [f"internal error building {job.key}: {type(exc).__name__}: {exc} "
                            "(a bug in leafletgen; build it alone with `build --debug` for the traceback)"]
        return result
    result.update(ok=True, warnings=document.warnings, entry=asdict(entry),
                  pdf=entry.pdf, html=entry.html, thumbnail=job.thumbnail or None,
                  pdf_size=os.stat(pdf_path).st_size, html_size=os.stat(html_path).st_size,
                  thumbnail_size=os.stat(out_dir / job.thumbnail).st_size if job.thumbnail else None,
                  seconds=round(time.perf_counter() - started, 4), pid=os.getpid())
    return result


def make_instance_job(face_index: int) -> str:
    """Pool task: the static instance of one variable font face (see fonts.make_instance)."""
    from .fonts import font_faces, make_instance

    return str(make_instance(font_faces()[face_index]))


def thumbnail_png(pdf: bytes, width: int = THUMBNAIL_WIDTH) -> bytes:
    """The first page as a PNG `width` pixels wide (pypdfium2, PDFium's renderer)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        bitmap = page.render(scale=width / page.get_width())
        image = bitmap.to_pil()
        buffer = io.BytesIO()
        # Pillow's default compression: optimize=True took five times as long (27 ms against
        # 5.5 ms for a leaflet's first page) and made the file larger, not smaller.
        image.save(buffer, format="PNG")
        page.close()
    finally:
        document.close()
    return buffer.getvalue()
