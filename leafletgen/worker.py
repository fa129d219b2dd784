"""The pool side of the main job: one worker process renders many documents.

Each worker imports WeasyPrint once (in its initializer), keeps one FontConfiguration and one
image cache for all its documents (leafletgen.pdf), and removes the temporary font folder
WeasyPrint makes when the worker exits. A job never raises: a failure comes back as lines to
report, so one bad document does not stop the others.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from pathlib import Path

_STATE: dict = {}


def init_worker(root: str, out_dir: str, in_pool: bool = True, strict: bool = False) -> None:
    """Import WeasyPrint and make the shared FontConfiguration, once per process."""
    from . import pdf
    from .project import Project

    _STATE.clear()
    _STATE.update(project=Project(Path(root)), out_dir=Path(out_dir), strict=strict)
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


def run_job(request) -> dict:
    """Render and write one document. Returns what the manifest and the summary need."""
    from .build import withheld, write_document
    from .errors import UserError
    from .index import IndexEntry
    from .atomic_write import write_atomic
    from .render import render_document

    started = time.perf_counter()
    project, out_dir = _STATE["project"], _STATE["out_dir"]
    result = {"key": request.key, "ok": False, "errors": [], "warnings": []}
    thumbnail = request.thumbnail_name
    try:
        document = render_document(project, request)
        refusal = withheld(document, _STATE["strict"])
        if refusal:
            result["errors"] = refusal
            return result
        pdf_path, html_path = write_document(out_dir, document)
        entry = IndexEntry.from_document(document, out_dir, pdf_path, html_path)
        if thumbnail:
            write_atomic(out_dir / thumbnail, document.thumbnail)
            entry = IndexEntry(**{**asdict(entry), "thumbnail": thumbnail})
    except UserError as exc:
        result["errors"] = exc.lines
        return result
    except Exception as exc:  # a bug, but it stays this document's failure
        result["errors"] = [f"internal error building {request.key}: {type(exc).__name__}: {exc} "
                            "(a bug in leafletgen; build it alone with `build --debug` for the traceback)"]
        return result
    result.update(ok=True, warnings=document.warnings, entry=asdict(entry),
                  pdf=entry.pdf, html=entry.html, thumbnail=thumbnail or None,
                  pdf_size=os.stat(pdf_path).st_size, html_size=os.stat(html_path).st_size,
                  thumbnail_size=os.stat(out_dir / thumbnail).st_size if thumbnail else None,
                  seconds=round(time.perf_counter() - started, 4), pid=os.getpid())
    return result


def make_instance_job(face_index: int) -> str:
    """Pool task: the static instance of one variable font face (see fonts.make_instance)."""
    from .fonts import font_faces, make_instance

    return str(make_instance(font_faces()[face_index]))
