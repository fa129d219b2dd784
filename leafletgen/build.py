"""One document, built: rendered (render.render_document), then written (the last stage).

`write_document` writes a rendered document's PDF and HTML atomically into the output folder,
with the fonts its HTML links. `build` is the two together, as `generate.py build` runs them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from .atomic_write import copy_if_changed, write_atomic
from .batch.concepts import CONCEPT_SUFFIX, record, record_path
from .errors import STRICT_ERROR
from .typeset.fonts import font_dirs
from .inputs.project import Project
from .render import ASSETS_DIR, BuildRequest, Document, render_document
from .typeset.variants import DEFAULT_VARIANT, output_stem


def output_paths(out_dir: Path, practice_id: str, lang: str, leaflet_id: str,
                 variant: str = DEFAULT_VARIANT, bilingual: bool = False) -> tuple[Path, Path]:
    """output/<practice>/<lang>/<leaflet-id>[-variant][-bilingual].pdf and .html"""
    stem = output_stem(leaflet_id, variant, bilingual)
    folder = out_dir / practice_id / lang
    return folder / f"{stem}.pdf", folder / f"{stem}.html"


def document_paths(out_dir: Path, request: BuildRequest, concept: bool = False) -> tuple[Path, Path]:
    """Where a document's PDF and HTML go: output/<request.key>.pdf and .html; a draft's (`concept`)
    output/<request.key>-concept.pdf and .html, never the final name."""
    pdf, html = output_paths(out_dir, request.practice_id, request.lang, request.leaflet,
                             request.variant, request.side_by_side)
    if concept:
        return concept_path(pdf), concept_path(html)
    return pdf, html


def concept_path(final: Path) -> Path:
    """The draft's file beside a final one: <stem>-concept.pdf for <stem>.pdf."""
    return final.with_name(f"{final.stem}{CONCEPT_SUFFIX}{final.suffix}")


def withheld(document: Document, strict: bool) -> list[str]:
    """Why the document is not written, one line per warning: with --strict (`strict`) a
    document with warnings is not written. Empty: write it."""
    if not strict:
        return []
    return [f"{document.request.key}: {warning} (not written: {STRICT_ERROR})"
            for warning in document.warnings]


def write_document(out_dir: Path, document: Document) -> tuple[Path, Path]:
    """The last stage: PDF and HTML written atomically, fonts for the HTML copied alongside once.
    Only the document's request, PDF and HTML are read: a batch.worker.Rendered does as well."""
    # A draft (an incomplete translation, Dutch filling in) is never written under the final name.
    concept = bool(getattr(document, "draft", False))
    pdf_path, html_path = document_paths(out_dir, document.request, concept)
    write_atomic(pdf_path, document.pdf)
    for font in font_dirs():
        for path in sorted(font.glob("*.ttf")):
            if f"/{quote(path.name)}" in document.html:
                copy_if_changed(path, out_dir / ASSETS_DIR / "fonts" / path.name)
    write_atomic(html_path, document.html)
    if concept:
        # What it was made from, so the main job can tell when it has gone stale.
        write_atomic(record_path(pdf_path), record(document.inputs))
    else:
        # The final version replaces a draft of it: no concept is left beside a final name.
        for final in (pdf_path, html_path):
            concept_path(final).unlink(missing_ok=True)
        record_path(concept_path(pdf_path)).unlink(missing_ok=True)
    return pdf_path, html_path


def build(project: Project, request: BuildRequest, out_dir: Path,
          strict: bool = False) -> tuple[Document, Path | None, Path | None]:
    """Render, then write. With `strict`, a document with warnings is not written (paths None)."""
    document = render_document(project, request)
    if withheld(document, strict):
        return document, None, None
    pdf_path, html_path = write_document(out_dir, document)
    return document, pdf_path, html_path
