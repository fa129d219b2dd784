"""The staff page and the documents: pick a leaflet, a language, a practice; preview; print.

Stable addresses, for links and scripts:

    GET /leaflets/<id>/<lang>.pdf?practice=<id>&variant=<name>[&bilingual=1][&draft=1][&download=1]
    GET /leaflets/<id>/<lang>.html?…          the HTML leaflet
    GET /leaflets/<id>/<lang>/page-<n>.png?…  a page as a picture (the preview)
    GET /pack.pdf?leaflet=<id>&leaflet=<id>…&lang=…&practice=…   several leaflets in one PDF
    GET /healthz

An unknown leaflet, language, practice or variant is 404 with a page listing the known ones; an
incomplete translation is 409 naming what is missing, unless draft=1 asks for a marked draft.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, replace

from flask import (Blueprint, Response, abort, g, render_template, request, send_file, url_for)

from ..errors import UserError
from ..project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE
from ..variants import DEFAULT_VARIANT, VARIANTS
from . import library
from .context import documents, error_page, project
from .documents import DocumentRequest, RenderFailed
from .i18n import N_, _

blueprint = Blueprint("staff", __name__)

# Each variant's name and its one-line explanation, as staff see them.
VARIANT_TEXTS = {
    "a4": (N_("A4"), N_("Gewone A4-vellen, voor de printer op kantoor.")),
    "a5": (N_("A5-folder"), N_("Kleinere A5-pagina's, voor A5-papier.")),
    "booklet": (N_("Boekje"), N_("A5-boekje op A4: dubbelzijdig printen, omslaan aan de korte kant, "
                                 "in het midden vouwen.")),
    "large-print": (N_("Grote letters"), N_("A4 met alle tekst minstens 18 punt, voor slechtziende "
                                           "patiënten.")),
    "print-shop": (N_("Drukkerij"), N_("A4 met 3 mm afloop en snijtekens, voor een drukkerij.")),
}
MAX_PACK = 12


class Unknown(Exception):
    """A name in the URL that is not a leaflet, language, practice or variant of this project."""

    def __init__(self, kind: str, value: str):
        super().__init__(f"unknown {kind} {value!r}")
        self.kind, self.value = kind, value


@dataclass(frozen=True)
class Choice:
    leaflet: str
    lang: str
    practice: str
    variant: str
    bilingual: bool
    draft: bool

    def request(self) -> DocumentRequest:
        return DocumentRequest(self.leaflet, self.lang, self.practice, self.variant,
                               self.bilingual and self.lang != SOURCE_LANGUAGE, self.draft)

    def query(self, **extra) -> dict:
        args = {"practice": self.practice, "variant": self.variant}
        if self.bilingual and self.lang != SOURCE_LANGUAGE:
            args["bilingual"] = "1"
        if self.draft:
            args["draft"] = "1"
        args.update(extra)
        return args


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on", "ja")


def checked_choice(leaflet_id: str, lang: str, args) -> Choice:
    """The request's names, each checked against what is on disk now (Unknown if not there)."""
    proj = project()
    if leaflet_id not in proj.leaflet_ids():
        raise Unknown("leaflet", leaflet_id)
    if lang not in proj.languages():
        raise Unknown("language", lang)
    practice = args.get("practice") or DEFAULT_PRACTICE_ID
    if not library.known_practice(proj, practice):
        raise Unknown("practice", practice)
    variant = args.get("variant") or DEFAULT_VARIANT
    if not library.known_variant(variant):
        raise Unknown("variant", variant)
    return Choice(leaflet_id, lang, practice, variant, _flag(args.get("bilingual")), _flag(args.get("draft")))


def unknown_page(error: Unknown):
    proj = project()
    lists = {
        "leaflets": [(info.id, info.title) for info in library.leaflets(proj)],
        "languages": [(info.lang, language_label(info)) for info in library.languages(proj)],
        "practices": [(DEFAULT_PRACTICE_ID, _("neutraal, zonder logo"))] +
                     [(info.id, info.name) for info in library.practices(proj)],
        "variants": [(name, _(VARIANT_TEXTS[name][0])) for name in VARIANTS],
    }
    kinds = {"leaflet": _("folder"), "language": _("taal"), "practice": _("praktijk"), "variant": _("uitvoering")}
    message = _("Onbekende %(kind)s: %(value)s. Dit zijn de bekende:", kind=kinds[error.kind], value=error.value)
    return render_template("unknown.html", message=message, lists=lists, kind=error.kind), 404


@dataclass
class Issue:
    """Why a document cannot be made as asked: shown as its own page, or inside the staff page."""

    code: int                       # 409 incomplete translation, 422 bad input, 503 render failed
    message: str
    lines: list
    state: library.Completeness | None = None


def issue_response(choice: Choice, issue: Issue):
    if issue.code == 409:
        return render_template("incomplete.html", choice=choice, state=issue.state,
                               language=_language(choice.lang)), 409
    return error_page(issue.code, issue.message, issue.lines), issue.code


def _language(lang: str) -> library.LanguageInfo:
    return next(info for info in library.languages(project()) if info.lang == lang)


def _render(choice: Choice):
    """(Rendered, None), or (None, the Issue that stops it)."""
    try:
        state = library.completeness(project(), choice.leaflet, choice.lang)
        if state.problems:
            return None, Issue(422, _("De vertaling heeft fouten en wordt niet gebruikt, ook niet als "
                                      "concept. Laat de vertaler dit herstellen:"), state.problems, state)
        if not state.complete and not choice.draft:
            return None, Issue(409, _("Deze vertaling is nog niet af."), state.missing + state.labels_missing,
                               state)
        request_ = choice.request()
        if state.complete and request_.draft:
            request_ = replace(request_, draft=False)   # nothing to mark: the same as the final one
        return documents().document(request_), None
    except UserError as exc:
        return None, Issue(422, _("Deze folder kan zo niet gemaakt worden:"), exc.lines)
    except RenderFailed as exc:
        return None, Issue(503, _("De folder kon niet gemaakt worden: %(reason)s", reason=str(exc)), [])


def _file_name(title: str, choice: Choice, suffix: str) -> str:
    parts = [choice.lang]
    if choice.variant != DEFAULT_VARIANT:
        parts.append(choice.variant)
    if choice.bilingual and choice.lang != SOURCE_LANGUAGE:
        parts.append("nl")
    if choice.draft:
        parts.append("concept")
    name = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', " ", title).strip() or choice.leaflet
    return f"{name} ({', '.join(parts)}).{suffix}"


def _document_response(leaflet_id: str, lang: str, kind: str):
    try:
        choice = checked_choice(leaflet_id, lang, request.args)
    except Unknown as exc:
        return unknown_page(exc)
    rendered, issue = _render(choice)
    if issue is not None:
        return issue_response(choice, issue)
    try:
        content = (rendered.pdf_path if kind == "pdf" else rendered.html_path).read_bytes()
    except FileNotFoundError:
        # Removed from the cache in the meantime (the cache's size limit, or by hand): made again.
        rendered, issue = _render(choice)
        if issue is not None:
            return issue_response(choice, issue)
        content = (rendered.pdf_path if kind == "pdf" else rendered.html_path).read_bytes()
    if kind == "pdf":
        response = send_file(io.BytesIO(content), mimetype="application/pdf", conditional=True,
                             etag=rendered.digest, max_age=0,
                             as_attachment=_flag(request.args.get("download")),
                             download_name=_file_name(rendered.title, choice, "pdf"))
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response.headers["X-Cache"] = "miss" if rendered.fresh else "hit"
        return response
    html = content.decode("utf-8")
    response = Response(html, mimetype="text/html")
    # The leaflet's own stylesheet is in the page: allowed by its hash, nothing else inline.
    hashes = " ".join(f"'sha256-{_b64sha256(css)}'" for css in re.findall(r"<style>(.*?)</style>", html, re.S))
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {hashes or chr(39) + 'none' + chr(39)}; img-src data: 'self'; "
        "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
    response.headers["Content-Disposition"] = f"inline; filename=\"{choice.leaflet}-{choice.lang}.html\""
    response.headers["X-Cache"] = "miss" if rendered.fresh else "hit"
    response.set_etag(rendered.digest)
    return response.make_conditional(request)


def _b64sha256(text: str) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@blueprint.route("/leaflets/<leaflet_id>/<lang>.pdf")
def leaflet_pdf(leaflet_id: str, lang: str):
    return _document_response(leaflet_id, lang, "pdf")


@blueprint.route("/leaflets/<leaflet_id>/<lang>.html")
def leaflet_html(leaflet_id: str, lang: str):
    return _document_response(leaflet_id, lang, "html")


@blueprint.route("/leaflets/<leaflet_id>/<lang>/page-<int:number>.png")
def leaflet_page(leaflet_id: str, lang: str, number: int):
    try:
        choice = checked_choice(leaflet_id, lang, request.args)
    except Unknown as exc:
        return unknown_page(exc)
    rendered, issue = _render(choice)
    if issue is not None:
        return issue_response(choice, issue)
    if not 1 <= number <= rendered.pages:
        abort(404)
    try:
        path = documents().page_image(rendered, number)
    except RenderFailed as exc:
        return issue_response(choice, Issue(503, _("De folder kon niet gemaakt worden: %(reason)s",
                                                   reason=str(exc)), []))
    return send_file(path, mimetype="image/png", conditional=True, etag=f"{rendered.digest}-{number}",
                     max_age=0)


@blueprint.route("/assets/fonts/<name>")
def font(name: str):
    """The fonts the HTML leaflets link (../../assets/fonts/NAME): only files of the font folders."""
    from ..fonts import font_dirs

    for folder in font_dirs():
        for path in folder.glob("*.[ot]tf"):
            if path.name == name:
                return send_file(path, mimetype="font/ttf" if path.suffix == ".ttf" else "font/otf",
                                 max_age=86400)
    abort(404)


@blueprint.route("/healthz")
def healthz():
    return {"status": "ok", "leaflets": len(project().leaflet_ids()),
            "practices": len(project().practice_ids()), "rendered": documents().rendered,
            "previews": documents().previews}


# ---- The patient pack --------------------------------------------------------------------------

@blueprint.route("/pack.pdf")
def pack():
    ids = list(dict.fromkeys(request.args.getlist("leaflet")))
    lang = request.args.get("lang") or SOURCE_LANGUAGE
    if not ids:
        return error_page(400, _("Kies minstens één folder voor het pakket.")), 400
    if len(ids) > MAX_PACK:
        return error_page(400, _("Een pakket heeft hoogstens %(n)s folders.", n=MAX_PACK)), 400
    choices = []
    try:
        for leaflet_id in ids:
            choices.append(checked_choice(leaflet_id, lang, request.args))
    except Unknown as exc:
        return unknown_page(exc)
    parts = []
    for choice in choices:
        rendered, issue = _render(choice)
        if issue is not None:
            return issue_response(choice, issue)
        parts.append(rendered)
    practice_name = ""
    if choices[0].practice != DEFAULT_PRACTICE_ID:
        practice_name = next((p.name for p in library.practices(project()) if p.id == choices[0].practice), "")
    data, title = merge_pack(parts, lang, practice_name, choices[0].variant)
    name = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', " ", title).strip()
    return send_file(io.BytesIO(data), mimetype="application/pdf",
                     as_attachment=_flag(request.args.get("download")),
                     download_name=f"{name} ({lang}).pdf", max_age=0)


def merge_pack(parts, lang: str, author: str, variant: str) -> tuple[bytes, str]:
    """The documents one after the other in one PDF. Each leaflet starts on the front of a sheet
    (a blank page after one with an odd number of pages), so the pack prints double-sided; one
    bookmark per leaflet; the language, title and author set. Same documents, same bytes."""
    import pikepdf

    title = " · ".join(part.title for part in parts)
    out = pikepdf.new()
    opened = []
    starts = []
    try:
        for index, part in enumerate(parts):
            source = pikepdf.open(part.pdf_path)
            opened.append(source)
            starts.append(len(out.pages))
            out.pages.extend(source.pages)
            last = index == len(parts) - 1
            if len(source.pages) % 2 and not last and VARIANTS[variant].impose != "booklet":
                box = source.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
        with out.open_outline() as outline:
            for part, start in zip(parts, starts):
                outline.root.append(pikepdf.OutlineItem(part.title, start))
        out.Root.Lang = pikepdf.String(lang)
        out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        out.docinfo["/Title"] = pikepdf.String(title)
        if author:
            out.docinfo["/Author"] = pikepdf.String(author)
        with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
            meta["dc:language"] = [lang]
            if author:
                meta["dc:creator"] = [author]
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True)
    finally:
        for source in opened:
            source.close()
    return buffer.getvalue(), title


# ---- The staff page ----------------------------------------------------------------------------

def _matches(query: str, texts: list[str]) -> bool:
    words = query.lower().split()
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in words)


def _titles(leaflet_id: str) -> list[str]:
    """The leaflet's title in every language that has one (search finds 'bel ağrısı' too)."""
    from ..i18n import load_catalog, lookup
    from ..inline import plain_text

    proj = project()
    try:
        leaflet = library.load_leaflet_cached(proj, leaflet_id)
    except UserError:
        return []
    titles = []
    for lang in proj.languages()[1:]:
        try:
            translated = lookup(load_catalog(proj, leaflet_id, lang), leaflet.title)
        except UserError:
            translated = None
        if translated:
            titles.append(plain_text(translated))
    return titles


def staff_context(args) -> dict:
    proj = project()
    query = (args.get("q") or "").strip()[:100]
    all_leaflets = [info for info in library.leaflets(proj) if not info.problem]
    shown = [info for info in all_leaflets
             if not query or _matches(query, [info.id, info.title] + _titles(info.id))]
    ids = [info.id for info in all_leaflets]
    leaflet = args.get("leaflet") if args.get("leaflet") in ids else None
    if leaflet is None or (query and leaflet not in [info.id for info in shown]):
        leaflet = shown[0].id if shown else None
    languages = library.languages(proj)
    lang = args.get("lang") if args.get("lang") in [info.lang for info in languages] else SOURCE_LANGUAGE
    practices = library.practices(proj)
    valid_practices = [p for p in practices if not p.problem]
    practice = args.get("practice")
    if practice not in [p.id for p in valid_practices] + [DEFAULT_PRACTICE_ID]:
        practice = valid_practices[0].id if valid_practices else DEFAULT_PRACTICE_ID
    variant = args.get("variant") if args.get("variant") in VARIANTS else DEFAULT_VARIANT
    states = {}
    if leaflet is not None:
        for info in languages:
            try:
                states[info.lang] = library.completeness(proj, leaflet, info.lang)
            except UserError:
                states[info.lang] = library.Completeness(info.lang, percent=0, problems=["?"])
    choice = preview = issue = None
    state = states.get(lang)
    if leaflet is not None:
        choice = Choice(leaflet, lang, practice, variant, _flag(args.get("bilingual")),
                        _flag(args.get("draft")) and state is not None and not state.complete)
        preview, issue = _render(choice)
    pack_states = {}
    for info in all_leaflets:
        try:
            pack_states[info.id] = library.completeness(proj, info.id, lang)
        except UserError:
            continue
    return dict(
        query=query, leaflets=shown, all_leaflets=all_leaflets, leaflet=leaflet, languages=languages,
        states=states, lang=lang, state=state, practices=practices, practice=practice, variant=variant,
        variants=[(name, _(VARIANT_TEXTS[name][0]), _(VARIANT_TEXTS[name][1])) for name in VARIANTS],
        choice=choice, preview=preview, issue=issue, pack_states=pack_states,
        default_practice=DEFAULT_PRACTICE_ID, source_language=SOURCE_LANGUAGE,
    )


@blueprint.route("/")
def index():
    context = staff_context(request.args)
    template = "staff.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template = "staff_main.html"
    return render_template(template, **context)


@blueprint.app_template_filter("language_label")
def language_label(info: library.LanguageInfo) -> str:
    """"Türkçe — Turks": the name in its own script, then in the page's language if different."""
    return info.name if info.name_ui == info.name else f"{info.name} — {info.name_ui}"


@blueprint.app_template_filter("doc_url")
def doc_url(choice: Choice, kind: str, **extra) -> str:
    endpoint = {"pdf": "staff.leaflet_pdf", "html": "staff.leaflet_html"}[kind]
    return url_for(endpoint, leaflet_id=choice.leaflet, lang=choice.lang, **choice.query(**extra))


@blueprint.app_template_filter("page_url")
def page_url(choice: Choice, number: int) -> str:
    return url_for("staff.leaflet_page", leaflet_id=choice.leaflet, lang=choice.lang, number=number,
                   **choice.query())


@blueprint.app_context_processor
def navigation():
    return {"nav": [("staff.index", _("Folders")), ("practices.index", _("Praktijken")),
                    ("translations.index", _("Vertalingen"))],
            "active": (request.endpoint or "").split(".")[0] if request else "",
            "login_required": g.get("login_required", False)}
