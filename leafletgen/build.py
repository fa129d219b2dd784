"""One document: load → validate → translate → render HTML → render PDF → write.

`render_document` is the pure middle (inputs in, bytes out); `build` adds the first stage
(reading the inputs) and the last (writing the files).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from .catalogcheck import check_catalogs
from .content import load_leaflet
from .errors import Problem, UserError
from .fonts import font_dirs
from .html import RenderOptions, page_stylesheets, render_html
from .hyphenation import preload as preload_hyphenation
from .i18n import (SOURCE_LANGUAGE, TEMPLATE_DOMAIN, catalog_path, check_language, load_catalog,
                   template_translations, text_direction, translate_leaflet)
from .model import Leaflet, Practice
from .output import copy_if_changed, write_atomic
from .fit import FitSettings, fit
from .pdf import FETCH_MAX_BYTES, lay_out, write_pdf
from .practice import DEFAULT_PRACTICE_ID, load_practice
from .project import Project
from .variants import DEFAULT_VARIANT, VARIANTS, output_stem
from .checks import LayoutFacts, document_findings
from .impose import impose_booklet
from .layout import LayoutReport, measure as measure_layout
from .qr import qr_context
from .review import document_review, index_fields

ASSETS_DIR = "assets"


@dataclass(frozen=True)
class BuildRequest:
    leaflet: str
    lang: str = SOURCE_LANGUAGE
    practice: str | None = None
    variant: str = DEFAULT_VARIANT
    bilingual: bool = False
    allow_draft: bool = False


@dataclass
class Document:
    """A rendered leaflet: what gets written, and what was noticed on the way."""

    request: BuildRequest
    leaflet: Leaflet
    practice: Practice
    pdf: bytes
    html: str
    warnings: list[str] = field(default_factory=list)
    facts: LayoutFacts | None = None     # what the layout used: colours, text sizes (checks.py)
    layout: LayoutReport | None = None   # pages and their fill, broken words, logo size (layout.py)
    fit: FitSettings | None = None       # how copy-fitting set it (fit.py)
    layouts: int = 1                     # layouts it took to fit
    review: dict = field(default_factory=dict)   # review.index_fields: the translation's review

    @property
    def draft(self) -> bool:
        return self.leaflet.is_draft


def output_paths(out_dir: Path, practice_id: str, lang: str, leaflet_id: str,
                 variant: str = DEFAULT_VARIANT, bilingual: bool = False) -> tuple[Path, Path]:
    """output/<practice>/<lang>/<leaflet-id>[-variant][-bilingual].pdf and .html"""
    stem = output_stem(leaflet_id, variant, bilingual)
    folder = out_dir / practice_id / lang
    return folder / f"{stem}.pdf", folder / f"{stem}.html"


def translate(project: Project, leaflet: Leaflet, lang: str, allow_draft: bool) -> Leaflet:
    """The leaflet in `lang`; an incomplete catalog is refused unless `allow_draft`."""
    if lang == SOURCE_LANGUAGE:
        return leaflet
    from .translations import missing_template_strings

    catalog = load_catalog(project, leaflet.id, lang)
    translated = translate_leaflet(leaflet, catalog, lang)
    # The template strings (footer, "page 1 of 2", …) count too: Dutch labels in a Turkish
    # leaflet are as unfinished as a Dutch paragraph.
    labels = missing_template_strings(project, lang)
    if (translated.missing or labels) and not allow_draft:
        file = project.rel(catalog_path(project, leaflet.id, lang))
        labels_file = project.rel(catalog_path(project, TEMPLATE_DOMAIN, lang))
        total = len(leaflet.units())
        problems: list[Problem | str] = []
        if translated.missing:
            problems.append(Problem(
                file, f"translation incomplete: {len(translated.missing)} of {total} units missing or "
                      f"fuzzy; translate them (or build with --allow-draft for a marked DRAFT)"))
            problems += [Problem(file, f"untranslated: {_short(text)!r}") for text in translated.missing]
        if labels:
            problems.append(Problem(
                labels_file, f"template strings incomplete: {len(labels)} missing or fuzzy; "
                             "translate them (or build with --allow-draft for a marked DRAFT)"))
            problems += [Problem(labels_file, f"untranslated: {_short(text)!r}") for text in labels]
        raise UserError(problems)
    if labels:
        translated = replace(translated, missing=translated.missing + tuple(labels))
    return translated


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def allowed_roots(project: Project, practice: Practice) -> tuple[Path, ...]:
    """What WeasyPrint may read: templates, leaflet images, font packages, the practice's own
    folder (practices/<id>/) and its logo file, that file only (a logo may lie directly in
    practices/, beside every other practice's profile). A root may be a file: only it is allowed.
    """
    roots = [project.templates_dir, project.leaflets_dir, *font_dirs()]
    if practice.id != DEFAULT_PRACTICE_ID and (project.practices_dir / practice.id).is_dir():
        roots.append(project.practices_dir / practice.id)
    if practice.logo is not None:
        roots.append(practice.logo)
    return tuple(roots)


def pdf_stylesheets(project: Project, practice: Practice, font_css: str,
                    stylesheet: str) -> tuple[tuple[str, tuple[Path, ...]], ...]:
    """The stylesheets for render_pdf, each with what it may read while parsed. The @font-face
    rules and our leaflet.css need no practice's files: every practice shares one parsed copy
    per worker (pdf.compiled_stylesheet is keyed by text and roots). A practice's own leaflet.css
    may read its folder, as its templates may."""
    common = (project.templates_dir, project.leaflets_dir, *font_dirs())
    own = practice.template_dir is not None and (practice.template_dir / "leaflet.css").is_file()
    return ((font_css, common), (stylesheet, allowed_roots(project, practice) if own else common))


@contextmanager
def practice_template_errors(project: Project, practice: Practice):
    """An error in a practice's own template (practices/<id>/templates/) is the user's to fix:
    reported with its file and line, like any other input. One in ours stays a bug."""
    import jinja2

    try:
        yield
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError,
            AttributeError) as exc:
        if practice.template_dir is None:
            raise
        folder = practice.template_dir.resolve()
        where: tuple[str, int | None] | None = None
        filename = getattr(exc, "filename", None)
        if filename and Path(filename).resolve().is_relative_to(folder):
            where = (filename, getattr(exc, "lineno", None))
        tb = exc.__traceback__
        while tb is not None:  # Jinja rewrites tracebacks: template frames carry the template's line
            code = tb.tb_frame.f_code.co_filename
            if code.endswith(".j2") and Path(code).resolve().is_relative_to(folder):
                where = (code, tb.tb_lineno)
            tb = tb.tb_next
        if where is None:
            raise
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if isinstance(exc, jinja2.TemplateSyntaxError):
            message = f"template syntax error: {message}"
        elif isinstance(exc, jinja2.TemplateNotFound):
            message = f"template not found: {message!r} (a template may include only templates of " \
                      "its own folder or templates/)"
        elif isinstance(exc, jinja2.exceptions.SecurityError):
            message = f"not allowed in a template: {message}"
        else:
            message = f"template error: {message}"
        raise UserError(Problem(project.rel(Path(where[0])), message, line=where[1])) from None


def render_document(project: Project, request: BuildRequest, leaflet: Leaflet,
                    practice: Practice, html_depth: int = 2, extra: dict | None = None) -> Document:
    """Translate and render one document to PDF bytes and a self-contained HTML string."""
    if request.variant not in VARIANTS:
        raise UserError(f"unknown variant {request.variant!r}; known variants: {', '.join(VARIANTS)}")
    if request.lang != SOURCE_LANGUAGE:
        # A catalog is input too: bad syntax, or a translation that adds a link or HTML, is refused.
        check_catalogs(project, request.lang, [leaflet.id, TEMPLATE_DOMAIN])
    translated = translate(project, leaflet, request.lang, request.allow_draft)
    translations = template_translations(project, request.lang)
    source = leaflet if request.bilingual and request.lang != SOURCE_LANGUAGE else None
    up = "../" * html_depth
    # How it was translated and whether a person reviewed it (the colophon says so); a practice
    # that requires reviewed translations gets no other.
    review, note = document_review(project, leaflet, practice, request.lang, request.allow_draft)
    extra = {**qr_context(practice, leaflet.id, request.lang, request.variant), "translation": note,
             **(extra or {})}
    html_options = RenderOptions(
        variant=request.variant, bilingual=source is not None, for_pdf=False,
        asset_url=lambda path: f"{up}{ASSETS_DIR}/fonts/{quote(path.name)}", extra=dict(extra or {}))
    # The PDF's stylesheets are given to WeasyPrint parsed (once per process), not in the page.
    pdf_options = RenderOptions(variant=request.variant, bilingual=source is not None,
                                for_pdf=True, extra=dict(extra or {}), inline_css=False)
    with practice_template_errors(project, practice):
        stylesheets = page_stylesheets(project, translated, practice, pdf_options, source)
        html = render_html(project, translated, practice, translations, html_options, source)
    sheets = pdf_stylesheets(project, practice, *stylesheets)
    roots = allowed_roots(project, practice)
    variant = VARIANTS[request.variant]

    def lay_out_with(settings: FitSettings):
        """The page for one copy-fitting setting, laid out and measured (fit.py)."""
        with practice_template_errors(project, practice):
            page = render_html(project, translated, practice, translations,
                               replace(pdf_options, fit=settings), source)
        laid_out = lay_out(page, project.templates_dir, roots, sheets)
        return laid_out, measure_layout(laid_out.document)

    facts = LayoutFacts()
    # Dutch is on the page too in a bilingual leaflet, and in a draft's untranslated units.
    preload_hyphenation({request.lang, SOURCE_LANGUAGE} if source is not None or translated.missing
                        else {request.lang})
    try:
        fitted = fit(variant, lay_out_with)
        result = write_pdf(fitted.layout, finisher=facts.collect)
    except RecursionError:
        # The checks bound what inputs can nest; should a template still nest this deep:
        raise UserError(f"{leaflet.rel_path}: the page is nested too deeply to lay out (a "
                        "practice template that nests elements hundreds deep?)") from None
    if variant.impose == "booklet":
        # A right-to-left leaflet is bound on the right, like an Arabic book.
        result.pdf = impose_booklet(result.pdf, rtl=text_direction(request.lang) == "rtl")
    warnings = list(practice.notes)
    # The accessibility checks, on the layout WeasyPrint just made (see `generate.py check`).
    warnings += [finding.text for finding in document_findings(translated, variant, facts)
                 if finding.level == "warning"]
    warnings += [f"WeasyPrint: {message}" for message in result.warnings]
    warnings += [f"refused to load {url} (outside the project's asset folders)" for url in result.refused]
    warnings += [f"removed from the PDF: {what} (only the page and http(s), mailto and tel links "
                 "may reach it)" for what in result.removed]
    warnings += [f"refused to load {url} (larger than {FETCH_MAX_BYTES // (1024 * 1024)} MB)"
                 for url in result.too_large]
    if translated.missing:
        warnings.append(f"{leaflet.id} [{request.lang}]: DRAFT, {len(translated.missing)} "
                        "untranslated unit(s) shown in Dutch")
    return Document(request, translated, practice, result.pdf, html, warnings, facts,
                    fitted.report, fitted.settings, fitted.layouts, index_fields(review))


def load_inputs(project: Project, request: BuildRequest) -> tuple[Leaflet, Practice]:
    """The first stage: read and validate the leaflet and the practice (all problems at once)."""
    problems: list = []
    leaflet = practice = None
    try:
        leaflet = load_leaflet(project, request.leaflet)
    except UserError as exc:
        problems += exc.problems
    try:
        practice = load_practice(project, request.practice)
    except UserError as exc:
        problems += exc.problems
    try:
        check_language(project, request.lang)
    except UserError as exc:
        problems += exc.problems
    if problems:
        raise UserError(problems)
    return leaflet, practice


def write_document(out_dir: Path, document: Document) -> tuple[Path, Path]:
    """The last stage: PDF and HTML written atomically, fonts for the HTML copied alongside once."""
    request = document.request
    pdf_path, html_path = output_paths(out_dir, document.practice.id, request.lang, request.leaflet,
                                       request.variant, request.bilingual and request.lang != SOURCE_LANGUAGE)
    write_atomic(pdf_path, document.pdf)
    for font in font_dirs():
        for path in sorted(font.glob("*.ttf")):
            if f"/{quote(path.name)}" in document.html:
                copy_if_changed(path, out_dir / ASSETS_DIR / "fonts" / path.name)
    write_atomic(html_path, document.html)
    return pdf_path, html_path


def build(project: Project, request: BuildRequest, out_dir: Path,
          strict: bool = False) -> tuple[Document, Path | None, Path | None]:
    """Load, render, write. With `strict`, a document with warnings is not written (paths None)."""
    leaflet, practice = load_inputs(project, request)
    document = render_document(project, request, leaflet, practice)
    if strict and document.warnings:
        return document, None, None
    pdf_path, html_path = write_document(out_dir, document)
    return document, pdf_path, html_path


__all__ = ["BuildRequest", "Document", "build", "render_document", "output_paths", "TEMPLATE_DOMAIN"]
