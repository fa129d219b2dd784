"""The one render path: a request for one document in, its outputs out.

    document = render_document(project, BuildRequest("lage-rugklachten", "tr", "fysio-delinde"))
    document.pdf, document.html, document.warnings, document.facts, document.thumbnail

`render_document` reads the inputs the request names from the project's folders once (stage 1,
inputs.bundle.load_bundle: every file's bytes, checked and hashed), renders from those bytes
alone (`render_bundle`), and returns everything the document is, without writing anything: the
PDF bytes, the HTML beside it, the warnings (for `--strict` to act on), the layout facts the
accessibility checks read, on request a thumbnail of the first page, and the digest of the inputs
it was made from. `build`, the main job's workers and `check` call it; a long-lived process (a
web app, a cluster worker) can call it over and over. Writing the files is a stage of its own
(`build.write_document`).

Read top to bottom, `render_bundle` is the whole flow of one leaflet once its inputs are loaded:
translate → render HTML → lay out and render the PDF (copy-fitting: the page is laid out again,
tighter or looser, until its pages come out right) → the text proof → a booklet imposed →
facts and warnings.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import jinja2
import pypdfium2

from .checks.accessibility import LayoutFacts, document_findings
from .markup.active_content import refuse_active_content
from .errors import Message, Problem, UserError, shorten
from .markup.html import RenderOptions, page_stylesheets, render_html
from .typeset.hyphenation import preload as preload_hyphenation
from .translate.catalogs import text_direction, translate_leaflet
from .typeset.copyfit import FitSettings, Fitted
from .typeset.fit_memory import fit_key, fit_remembered
from .typeset.coverage import glyph_problems
from .typeset.fonts import font_stack
from .typeset.impose import impose_booklet
from .run import limits, render_child
from .inputs.bundle import Bundle, load_bundle, replay, shown_urls
from .typeset.measure import LayoutReport, measure as measure_layout
from .inputs.model import Leaflet, Practice
from .typeset.pdf import FETCH_MAX_BYTES, LaidOut, RenderResult, lay_out, write_pdf
from .inputs.project import SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project, catalog_file
from .markup.qr import qr_context
from .prove.metadata import document_mark, marking
from .prove.stage import approved_for, prove
from .request import ASSETS_DIR, BuildRequest, DocumentOptions
from .translate.review.state import document_review, index_fields
from .translate.status import missing_template_strings
from .typeset.variants import VARIANTS, Variant

__all__ = ["ASSETS_DIR", "BuildRequest", "Document", "DocumentOptions", "render_document",
           "render_bundle"]


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
    inputs: dict = field(default_factory=dict)   # the bundle's parts: what it was made from, hashed
    # The fit chosen, with what determines it (fit_memory.Remembered.to_json): for the manifest.
    remembered_fit: dict | None = None

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
    return _limited(request, _render_document, project, request)


def render_replayed(wire: dict, blobs: dict[str, bytes]) -> Document:
    """Render a bundle sent from another machine (inputs.bundle.Bundle.wire), under the limits
    as `render_document` does: no file of a project is read here."""
    return _limited(wire["request"], _render_replayed, wire, blobs)


def _limited(request: BuildRequest, function, *args) -> Document:
    if limits.entered() is None:
        return render_child.run_in_child(limits.current(), request.key, function, *args)
    return render_child.within_limits(request.key, function, args, {})


def _render_document(project: Project, request: BuildRequest) -> Document:
    # 1. Load, validate and hash: every file the document is made from, read once.
    return render_bundle(load_bundle(project, request))


def _render_replayed(wire: dict, blobs: dict[str, bytes]) -> Document:
    return render_bundle(replay(wire, blobs))


def render_bundle(bundle: Bundle) -> Document:
    """Stages 2 to 4 of one document, from its bundle alone (no file is read)."""
    request, practice = bundle.request, bundle.practice
    variant = VARIANTS[request.variant]
    # 2. Translate: each unit looked up in the language's catalog.
    translated = translate(bundle)
    # A character the page's fonts cannot draw would print as an empty box: refused, named.
    missing_glyphs = glyph_problems(bundle.leaflet, translated, bundle.catalog,
                                    font_stack(request.lang), practice)
    if missing_glyphs:
        raise UserError(missing_glyphs)
    source = bundle.leaflet if request.side_by_side else None
    # How it was translated and whether a person reviewed it (the colophon says so); a practice
    # that requires reviewed translations gets no other.
    review, note = document_review(bundle.review, practice, request.lang, bundle.leaflet,
                                   request.allow_draft, bundle.project)
    # 3. Render HTML: the self-contained copy to keep beside the PDF, and (in step 4, once per
    #    copy-fitting setting) the page WeasyPrint lays out.
    pages = Pages(bundle, translated, source, {"translation": note})
    html = pages.to_keep()
    if bundle.request.note and 'class="personal-note"' not in html:
        # A practice's own templates older than the personal note would drop it silently.
        raise UserError(Problem("personal note", Message(
            "note_not_printed", "this practice's templates do not print a personal note "
            "(templates/blocks/note.html.j2, included by leaflet.html.j2)")))
    if "--footer-start:" not in html:
        # A practice's copy of the footer older than its margin boxes writes HTML, which would
        # leave every page without its footer (and no template may lose it without a word).
        raise UserError(Problem("footer", Message(
            "footer_not_written", "this practice's templates write no page footer: "
            "templates/blocks/footer.html.j2 (included by leaflet.html.j2) writes the footer's texts "
            "as CSS strings (--footer-start); an older copy of it writes HTML: compare it with "
            "leafletgen's")))
    # 4. Lay out until the pages come out right, write the PDF, reading the layout's facts
    #    (colours, text sizes) on the way.
    facts = LayoutFacts()
    fitted, result = render_pdf_pages(bundle, pages, facts)
    # 5. The text proof: the PDF (before a booklet is imposed) and the HTML copy say the approved
    #    texts of the bundle, visibly, and nothing else; else nothing is written.
    prove(request, approved_for(bundle, translated, source, note, pages.for_pdf.extra.get("qr")),
          fitted.layout.document, result.pdf, html)
    if variant.impose == "booklet":
        # A right-to-left leaflet is bound on the right, like an Arabic book.
        result.pdf = impose_booklet(result.pdf, rtl=text_direction(request.lang) == "rtl")
    # 6. What the user must hear: the accessibility checks on that layout, WeasyPrint's warnings.
    warnings = document_warnings(request, translated, practice, variant, facts, result)
    for kind, size in (("PDF", len(result.pdf)), ("HTML", len(html.encode("utf-8")))):
        if size > limits.OUTPUT_MAX_BYTES:
            raise UserError(f"{request.key}: its {kind} would be {size / 1e6:.0f} MB; a document may "
                            f"be at most {limits.OUTPUT_MAX_BYTES // (1024 * 1024)} MB (a template "
                            "that repeats its content?); not written")
    thumbnail = first_page_png(result.pdf, request.options.thumbnail_width) \
        if request.options.thumbnail_width > 0 else None
    return Document(request, translated, practice, result.pdf, html, warnings, facts,
                    fitted.report, fitted.settings, fitted.layouts, index_fields(review), thumbnail,
                    dict(bundle.parts), fitted.remembered)


# ---- 2. Translate ---------------------------------------------------------------------------------

def translate(bundle: Bundle) -> Leaflet:
    """The leaflet in the bundle's language; an incomplete catalog is refused unless the request
    allows a draft. (The catalogs were checked when they were loaded.)"""
    leaflet, lang = bundle.leaflet, bundle.request.lang
    if lang == SOURCE_LANGUAGE:
        return leaflet
    translated = translate_leaflet(leaflet, bundle.catalog, lang)
    # The template strings (footer, "page 1 of 2", …) count too: Dutch labels in a Turkish
    # leaflet are as unfinished as a Dutch paragraph.
    labels = missing_template_strings(bundle.project, lang)
    if (translated.missing or labels) and not bundle.request.allow_draft:
        raise UserError(incomplete_problems(leaflet, lang, list(translated.missing), labels))
    if labels:
        translated = replace(translated, missing=translated.missing + tuple(labels))
    return translated


def incomplete_problems(leaflet: Leaflet, lang: str, units: list[str],
                        labels: list[str]) -> list[Problem | str]:
    """Why a translation cannot be built as final: each missing unit and template string."""
    advice = "translate them (or build with --allow-draft for a marked DRAFT)"
    problems: list[Problem | str] = []
    if units:
        file = catalog_file(leaflet.id, lang)
        problems.append(Problem(file, f"translation incomplete: {len(units)} of "
                                      f"{len(leaflet.units())} units missing or fuzzy; {advice}"))
        problems += [Problem(file, f"untranslated: {shorten(text)!r}") for text in units]
    if labels:
        file = catalog_file(TEMPLATE_DOMAIN, lang)
        problems.append(Problem(file, f"template strings incomplete: {len(labels)} missing or "
                                      f"fuzzy; {advice}"))
        problems += [Problem(file, f"untranslated: {shorten(text)!r}") for text in labels]
    return problems


# ---- 3. Render HTML -------------------------------------------------------------------------------

class Pages:
    """The leaflet's HTML: the copy to keep (self-contained, linking its fonts at the options'
    `fonts_url`), and the page for WeasyPrint for a copy-fitting setting, whose stylesheets are
    given to WeasyPrint parsed (once per process), not in the page."""

    def __init__(self, bundle: Bundle, leaflet: Leaflet, source: Leaflet | None, extra: dict):
        request, practice = bundle.request, bundle.practice
        self.bundle, self.leaflet, self.practice, self.source = bundle, leaflet, practice, source
        extra = {**qr_context(practice, leaflet.id, request.lang, request.variant), **extra}
        fonts_url = request.options.fonts_url
        common = dict(variant=request.variant, bilingual=source is not None)
        self.for_pdf = RenderOptions(**common, for_pdf=True, extra=dict(extra), inline_css=False)
        self.keep = RenderOptions(**common, for_pdf=False, extra=dict(extra),
                                  asset_url=lambda path: f"{fonts_url}{quote(path.name)}")
        with practice_template_errors(bundle.project, practice):
            self.stylesheets = page_stylesheets(bundle, leaflet, self.for_pdf, source)
        self._pages: dict[FitSettings, str] = {}

    def to_keep(self) -> str:
        # Opened and published without the web app's CSP: no script, no tracker (active_content).
        return refuse_active_content(self.render(self.keep), self.practice)

    def page(self, settings: FitSettings) -> str:
        if settings not in self._pages:
            self._pages[settings] = self.render(replace(self.for_pdf, fit=settings))
        return self._pages[settings]

    def render(self, options: RenderOptions) -> str:
        with practice_template_errors(self.bundle.project, self.practice):
            return render_html(self.bundle, self.leaflet, self.bundle.template_translations,
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

def render_pdf_pages(bundle: Bundle, pages: Pages, facts: LayoutFacts) -> tuple[Fitted, RenderResult]:
    """WeasyPrint, reading only the bundle's files: the page laid out (again, tighter or looser,
    until its pages come out right: fit.py), then written; `facts` collected from the layout
    that is written."""
    request, practice = bundle.request, pages.practice
    font_css, stylesheet = pages.stylesheets
    # The @font-face rules and our leaflet.css need no practice's files: every practice shares
    # one parsed copy per worker (pdf.compiled_stylesheet). A practice's own leaflet.css may read
    # its folder, as its templates may.
    own = practice.template_dir is not None and bundle.file(practice.template_dir / "leaflet.css")
    sheets = ((font_css, bundle.assets(with_practice=False)),
              (stylesheet, bundle.assets(with_practice=bool(own))))
    assets = bundle.assets()
    base = bundle.url_path(bundle.root / "templates")

    def lay_out_with(settings: FitSettings) -> tuple[LaidOut, LayoutReport]:
        laid_out = lay_out(pages.page(settings), base, assets, sheets)
        return laid_out, measure_layout(laid_out.document)

    # Dutch is on the page too in a bilingual leaflet, and in a draft's untranslated units.
    preload_hyphenation({request.lang, SOURCE_LANGUAGE}
                        if request.side_by_side or pages.leaflet.missing else {request.lang})
    # A fit already known for this very page is laid out once (fit_memory).
    key = fit_key(request.variant, pages.page(FitSettings()), (font_css, stylesheet), bundle.parts)
    try:
        fitted = fit_remembered(VARIANTS[request.variant], lay_out_with, key, request.remembered_fit)
        # The PDF says what it is (its XMP metadata), for `verify` to know what to recompute.
        mark = document_mark(bundle, pages.leaflet)
        return fitted, write_pdf(fitted.layout, finisher=marking(mark, facts.collect))
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
    warnings += [shown_urls(f"WeasyPrint: {message}") for message in result.warnings]
    warnings += [shown_urls(f"refused to load {url} (outside the project's asset folders)")
                 for url in result.refused]
    warnings += [shown_urls(f"removed from the PDF: {what} (only the page and http(s), mailto and tel "
                            "links may reach it)") for what in result.removed]
    warnings += [shown_urls(f"refused to load {url} (larger than {FETCH_MAX_BYTES // (1024 * 1024)} MB)")
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
