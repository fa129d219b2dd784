"""The one render path: a request for one document in, its outputs out.

    document = render_document(project, BuildRequest("lage-rugklachten", "tr", "fysio-delinde"))
    document.pdf, document.html, document.warnings, document.facts, document.thumbnail

`render_document` reads the inputs the request names from the project's folders, and
returns everything the document is, without writing anything: the PDF bytes, the HTML beside
it, the warnings (for `--strict` to act on), the layout facts the accessibility checks read,
and on request a thumbnail of the first page. `build`, the main job's workers and `check`
call it; a long-lived process (a web app, a cluster worker) can call it over and over. Writing
the files is a stage of its own (`build.write_document`).

Read top to bottom, `render_document` is the whole flow of one leaflet: load → validate →
translate → render HTML → lay out and render the PDF (copy-fitting: the page is laid out again,
tighter or looser, until its pages come out right; a booklet is imposed) → facts and warnings.
"""

from __future__ import annotations

import hashlib
import io
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import jinja2
import pypdfium2

from .checks.accessibility import LayoutFacts, document_findings
from .markup.active_content import refuse_active_content
from .translate.catalog_checks import check_catalogs
from .inputs.leaflet import load_leaflet
from .errors import Problem, UserError, shorten
from .typeset.fonts import font_dirs
from .markup.html import RenderOptions, page_stylesheets, render_html
from .typeset.hyphenation import preload as preload_hyphenation
from .translate.catalogs import (check_language, load_catalog, template_translations,
                                 text_direction, translate_leaflet)
from .typeset.copyfit import FitSettings, Fitted, fit
from .typeset.impose import impose_booklet
from .run import limits, render_child
from .typeset.measure import LayoutReport, measure as measure_layout
from .inputs.model import Leaflet, Practice
from .typeset.pdf import FETCH_MAX_BYTES, LaidOut, RenderResult, lay_out, write_pdf
from .inputs.practice import load_practice
from .inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project
from .markup.qr import qr_context
from .request import ASSETS_DIR, BuildRequest, DocumentOptions
from .translate.review.state import document_review, index_fields
from .translate.status import missing_template_strings
from .typeset.variants import VARIANTS, Variant

__all__ = ["ASSETS_DIR", "BuildRequest", "Document", "DocumentOptions", "render_document"]


@dataclass
class Document:
    """A rendered document: what gets written, and what was noticed on the way."""

    request: BuildRequest
    leaflet: Leaflet                     # as rendered: translated, `missing` filled in
    practice: Practice
    pdf: bytes
    html: str
    warnings: list[str] = field(default_factory=list)
    facts: LayoutFacts = field(default_factory=LayoutFacts)  # colours and text sizes the layout used
    layout: LayoutReport | None = None   # pages and their fill, broken words, logo size (layout.py)
    fit: FitSettings | None = None       # how copy-fitting set it (fit.py)
    layouts: int = 1                     # layouts it took to fit
    review: dict = field(default_factory=dict)   # review_state.index_fields: the translation's review
    thumbnail: bytes | None = None       # PNG of page 1 when the options ask for one

    @property
    def draft(self) -> bool:
        return self.leaflet.is_draft


def render_document(project: Project, request: BuildRequest) -> Document:
    """Render one document: every stage from the input files to the bytes, nothing written.

    Raises UserError (every problem of the inputs at once, each naming its file and line) when
    the inputs are bad; the document's own warnings come back in `Document.warnings`. A document
    over its time or memory limit (limits.py) is a UserError too, `limits.DocumentOverLimit`: it
    renders in this process only if this process took the limits on (a worker), else in a forked
    child that has them, so no caller can render without them.
    """
    here = limits.entered()
    if here is None:
        return render_child.run_in_child(limits.current(), request.key, _render_document, project,
                                         request)
    with limits.time_limit(here, request.key), limits.memory_limit(here, request.key):
        return _render_document(project, request)


def _render_document(project: Project, request: BuildRequest) -> Document:
    # 1. Load and validate: the leaflet, the practice, the language and variant asked for.
    leaflet, practice = load_inputs(project, request)
    variant = VARIANTS[request.variant]
    # 2. Translate: each unit looked up in the language's catalog (itself checked first).
    translated = translate(project, leaflet, request.lang, request.allow_draft)
    source = leaflet if request.side_by_side else None
    # How it was translated and whether a person reviewed it (the colophon says so); a practice
    # that requires reviewed translations gets no other.
    review, note = document_review(project, leaflet, practice, request.lang, request.allow_draft)
    # 3. Render HTML: the self-contained copy to keep beside the PDF, and (in step 4, once per
    #    copy-fitting setting) the page WeasyPrint lays out.
    pages = Pages(project, request, translated, practice, source, {"translation": note})
    html = pages.to_keep()
    # 4. Lay out until the pages come out right, write the PDF, reading the layout's facts
    #    (colours, text sizes) on the way.
    facts = LayoutFacts()
    fitted, result = render_pdf_pages(project, request, pages, facts)
    if variant.impose == "booklet":
        # A right-to-left leaflet is bound on the right, like an Arabic book.
        result.pdf = impose_booklet(result.pdf, rtl=text_direction(request.lang) == "rtl")
    # 5. What the user must hear: the accessibility checks on that layout, WeasyPrint's warnings.
    warnings = document_warnings(request, translated, practice, variant, facts, result)
    for kind, size in (("PDF", len(result.pdf)), ("HTML", len(html.encode("utf-8")))):
        if size > limits.OUTPUT_MAX_BYTES:
            raise UserError(f"{request.key}: its {kind} would be {size / 1e6:.0f} MB; a document may "
                            f"be at most {limits.OUTPUT_MAX_BYTES // (1024 * 1024)} MB (a template "
                            "that repeats its content?); not written")
    thumbnail = first_page_png(result.pdf, request.options.thumbnail_width) \
        if request.options.thumbnail_width > 0 else None
    return Document(request, translated, practice, result.pdf, html, warnings, facts,
                    fitted.report, fitted.settings, fitted.layouts, index_fields(review), thumbnail)


# ---- 1. Load and validate -------------------------------------------------------------------------

def load_inputs(project: Project, request: BuildRequest) -> tuple[Leaflet, Practice]:
    """Read and validate the leaflet and the practice, and check the language and the variant:
    every problem at once."""
    problems: list[Problem | str] = []
    leaflet = practice = None
    try:
        leaflet = load_leaflet_once(project, request.leaflet)
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
    if request.variant not in VARIANTS:
        problems.append(f"unknown variant {request.variant!r}; known variants: {', '.join(VARIANTS)}")
    if problems:
        raise UserError(problems)
    assert leaflet is not None and practice is not None
    return leaflet, practice


# A worker renders one leaflet in many languages, variants and practices: parsed once per
# process, and parsed again whenever its file or one of its pictures changes (a long-lived
# process sees edits). The key is the files' contents: a modification time can stay the same
# over two quick edits.
_LEAFLETS: dict[tuple[str, str], tuple[str, tuple[Path, ...], Leaflet]] = {}
LEAFLET_CACHE_SIZE = 64


def _contents_digest(paths) -> str:
    """The files' contents, and whether each is a link: a file replaced by a link (which the
    loader refuses) is a change even if the link leads to the same bytes."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(b"link" if Path(path).is_symlink() else Path(path).read_bytes())
        except OSError:
            digest.update(b"\0(missing)")
        digest.update(b"\0")
    return digest.hexdigest()


def load_leaflet_once(project: Project, leaflet_id: str) -> Leaflet:
    """`content.load_leaflet`, kept while the leaflet's file and pictures are unchanged."""
    key = (str(project.root), leaflet_id)
    cached = _LEAFLETS.get(key)
    if cached is not None and _contents_digest(cached[1]) == cached[0]:
        return cached[2]
    leaflet = load_leaflet(project, leaflet_id)
    files = (leaflet.path, *(project.leaflets_dir / block.src for block in leaflet.blocks
                             if block.kind == "image" and block.src))
    if len(_LEAFLETS) >= LEAFLET_CACHE_SIZE:
        _LEAFLETS.clear()
    _LEAFLETS[key] = (_contents_digest(files), files, leaflet)
    return leaflet


# ---- 2. Translate ---------------------------------------------------------------------------------

def translate(project: Project, leaflet: Leaflet, lang: str, allow_draft: bool) -> Leaflet:
    """The leaflet in `lang`; an incomplete catalog is refused unless `allow_draft`.

    The catalogs are input too: bad syntax, or a translation that adds a link or HTML, is
    refused before they are used."""
    if lang == SOURCE_LANGUAGE:
        return leaflet
    check_catalogs(project, lang, [leaflet.id, TEMPLATE_DOMAIN])
    translated = translate_leaflet(leaflet, load_catalog(project, leaflet.id, lang), lang)
    # The template strings (footer, "page 1 of 2", …) count too: Dutch labels in a Turkish
    # leaflet are as unfinished as a Dutch paragraph.
    labels = missing_template_strings(project, lang)
    if (translated.missing or labels) and not allow_draft:
        raise UserError(incomplete_problems(project, leaflet, lang, list(translated.missing), labels))
    if labels:
        translated = replace(translated, missing=translated.missing + tuple(labels))
    return translated


def incomplete_problems(project: Project, leaflet: Leaflet, lang: str, units: list[str],
                        labels: list[str]) -> list[Problem | str]:
    """Why a translation cannot be built as final: each missing unit and template string."""
    advice = "translate them (or build with --allow-draft for a marked DRAFT)"
    problems: list[Problem | str] = []
    if units:
        file = project.rel(project.catalog_path(leaflet.id, lang))
        problems.append(Problem(file, f"translation incomplete: {len(units)} of "
                                      f"{len(leaflet.units())} units missing or fuzzy; {advice}"))
        problems += [Problem(file, f"untranslated: {shorten(text)!r}") for text in units]
    if labels:
        file = project.rel(project.catalog_path(TEMPLATE_DOMAIN, lang))
        problems.append(Problem(file, f"template strings incomplete: {len(labels)} missing or "
                                      f"fuzzy; {advice}"))
        problems += [Problem(file, f"untranslated: {shorten(text)!r}") for text in labels]
    return problems


# ---- 3. Render HTML -------------------------------------------------------------------------------

class Pages:
    """The leaflet's HTML: the copy to keep (self-contained, linking its fonts at the options'
    `fonts_url`), and the page for WeasyPrint for a copy-fitting setting, whose stylesheets are
    given to WeasyPrint parsed (once per process), not in the page."""

    def __init__(self, project: Project, request: BuildRequest, leaflet: Leaflet,
                 practice: Practice, source: Leaflet | None, extra: dict):
        self.project, self.leaflet, self.practice, self.source = project, leaflet, practice, source
        self.translations = template_translations(project, request.lang)
        extra = {**qr_context(practice, leaflet.id, request.lang, request.variant), **extra}
        fonts_url = request.options.fonts_url
        common = dict(variant=request.variant, bilingual=source is not None)
        self.for_pdf = RenderOptions(**common, for_pdf=True, extra=dict(extra), inline_css=False)
        self.keep = RenderOptions(**common, for_pdf=False, extra=dict(extra),
                                  asset_url=lambda path: f"{fonts_url}{quote(path.name)}")
        with practice_template_errors(project, practice):
            self.stylesheets = page_stylesheets(project, leaflet, practice, self.for_pdf, source)

    def to_keep(self) -> str:
        # Opened and published without the web app's CSP: no script, no tracker (active_content).
        return refuse_active_content(self.render(self.keep), self.practice)

    def page(self, settings: FitSettings) -> str:
        return self.render(replace(self.for_pdf, fit=settings))

    def render(self, options: RenderOptions) -> str:
        with practice_template_errors(self.project, self.practice):
            return render_html(self.project, self.leaflet, self.practice, self.translations,
                               options, self.source)


@contextmanager
def practice_template_errors(project: Project, practice: Practice):
    """An error in a practice's own template (practices/<id>/templates/) is the user's to fix:
    reported with its file and line, like any other input. One in ours stays a bug."""
    try:
        yield
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError,
            AttributeError, RecursionError) as exc:
        where = _practice_template_location(exc, practice)
        if where is None:
            raise
        raise UserError(Problem(project.rel(Path(where[0])), _template_message(exc),
                                line=where[1])) from None


def _practice_template_location(exc: BaseException, practice: Practice) -> tuple[str, int | None] | None:
    """The file and line in the practice's own templates where `exc` happened, or None."""
    if practice.template_dir is None:
        return None
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
    return where


def _template_message(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, RecursionError):
        return "template error: nested too deeply (a template that includes itself, or a macro " \
               "that calls itself?)"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error: {message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template not found: {message!r} (a template may include only templates of its " \
               "own folder or templates/)"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"not allowed in a template: {message}"
    return f"template error: {message}"


# ---- 4. Render the PDF ----------------------------------------------------------------------------

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


def render_pdf_pages(project: Project, request: BuildRequest, pages: Pages,
                     facts: LayoutFacts) -> tuple[Fitted, RenderResult]:
    """WeasyPrint, sandboxed to the project's asset folders: the page laid out (again, tighter
    or looser, until its pages come out right: fit.py), then written; `facts` collected from
    the layout that is written."""
    practice = pages.practice
    sheets = pdf_stylesheets(project, practice, *pages.stylesheets)
    roots = allowed_roots(project, practice)

    def lay_out_with(settings: FitSettings) -> tuple[LaidOut, LayoutReport]:
        laid_out = lay_out(pages.page(settings), project.templates_dir, roots, sheets)
        return laid_out, measure_layout(laid_out.document)

    # Dutch is on the page too in a bilingual leaflet, and in a draft's untranslated units.
    preload_hyphenation({request.lang, SOURCE_LANGUAGE}
                        if request.side_by_side or pages.leaflet.missing else {request.lang})
    try:
        fitted = fit(VARIANTS[request.variant], lay_out_with)
        return fitted, write_pdf(fitted.layout, finisher=facts.collect)
    except RecursionError:
        # The checks bound what inputs can nest; should a template still nest this deep:
        raise UserError(f"{pages.leaflet.rel_path}: the page is nested too deeply to lay out (a "
                        "practice template that nests elements hundreds deep?)") from None


# ---- 5. Warnings, thumbnail -----------------------------------------------------------------------

def document_warnings(request: BuildRequest, leaflet: Leaflet, practice: Practice, variant: Variant,
                      facts: LayoutFacts, result: RenderResult) -> list[str]:
    """Everything the user should hear about this document, one line each."""
    warnings = list(practice.notes)
    # The accessibility checks, on the layout WeasyPrint just made (see `generate.py check`).
    warnings += [finding.text for finding in document_findings(leaflet, variant, facts)
                 if finding.level == "warning"]
    warnings += [f"WeasyPrint: {message}" for message in result.warnings]
    warnings += [f"refused to load {url} (outside the project's asset folders)" for url in result.refused]
    warnings += [f"removed from the PDF: {what} (only the page and http(s), mailto and tel links "
                 "may reach it)" for what in result.removed]
    warnings += [f"refused to load {url} (larger than {FETCH_MAX_BYTES // (1024 * 1024)} MB)"
                 for url in result.too_large]
    if leaflet.missing:
        warnings.append(f"{leaflet.id} [{request.lang}]: DRAFT, {len(leaflet.missing)} "
                        "untranslated unit(s) shown in Dutch")
    return warnings


def first_page_png(pdf: bytes, width: int) -> bytes:
    """The first page as a PNG `width` pixels wide (pypdfium2, PDFium's renderer)."""
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
