"""What a worker of the main job does with one document: render it through the one render path,
then write its files (here, so that files are written in parallel), and say what came of it.

The worker processes themselves are the runner's (run/runner.py, batch/pool.py). A document never
raises here: a failure comes back as lines to report, so one bad document does not stop the
others.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..run import limits
from ..atomic_write import write_atomic
from ..build import withheld, write_document
from ..errors import MachineError, UserError
from ..inputs.project import Project
from ..request import BuildRequest
from ..markup.inline import plain_text
from ..render import render_document
from ..run.process import resident_kib
from .outcome import IndexEntry, Outcome

_PROJECTS: dict[str, Project] = {}


def build_document(root: str, out_dir: str, request: BuildRequest, strict: bool) -> Outcome:
    """A pool worker's task: the document rendered and written into `out_dir` (run_document)."""
    project = _PROJECTS.get(root)
    if project is None:
        project = _PROJECTS[root] = Project(Path(root))
    return run_document(project, Path(out_dir), request, strict)


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


__all__ = ["build_document", "run_document", "render_outputs", "rendered_outputs", "write_outputs",
           "Rendered"]
