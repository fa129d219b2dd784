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

from flask import Blueprint, Response, abort, g, redirect, render_template, request, send_file, url_for

from ..errors import UserError
from ..inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE
from ..typeset.variants import DEFAULT_VARIANT, VARIANTS, output_stem
from ..translate.catalogs import language_name, text_direction
from . import access, audit, library, search
from .choice import (VARIANT_TEXTS, Choice, Unknown, checked_choice, flag, issue_response,
                     language_label, make_document, render_failed, unknown_page)
from .context import documents, project
from .i18n import N_, _
from .pack import merge_pack
from .reprint import newer_since_printed
from .workers import RenderFailed

blueprint = Blueprint("staff", __name__)

MAX_PACK = 12


def _file_safe(title: str) -> str:
    """A title as the name of a downloaded file: control characters and those a file system
    refuses (/ \\ : * ? " < > |) become spaces."""
    return re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', " ", title).strip()


def _file_name(title: str, choice: Choice, suffix: str) -> str:
    if choice.draft:
        # A draft carries the name the command line gives it, never a final one.
        stem = output_stem(choice.leaflet, choice.variant,
                           choice.bilingual and choice.lang != SOURCE_LANGUAGE)
        return f"{stem}-concept.{suffix}"
    parts = [choice.lang]
    if choice.variant != DEFAULT_VARIANT:
        parts.append(choice.variant)
    if choice.bilingual and choice.lang != SOURCE_LANGUAGE:
        parts.append("nl")
    if choice.draft:
        parts.append("concept")
    name = _file_safe(title) or choice.leaflet
    return f"{name} ({', '.join(parts)}).{suffix}"


def _document_response(leaflet_id: str, lang: str, kind: str):
    try:
        choice = checked_choice(leaflet_id, lang, request.args)
    except Unknown as exc:
        return unknown_page(exc)
    rendered, issue = make_document(choice)
    if issue is not None:
        return issue_response(choice, issue)
    try:
        content = (rendered.pdf_path if kind == "pdf" else rendered.html_path).read_bytes()
    except FileNotFoundError:
        # Removed from the cache in the meantime (the cache's size limit, or by hand): made again.
        rendered, issue = make_document(choice)
        if issue is not None:
            return issue_response(choice, issue)
        content = (rendered.pdf_path if kind == "pdf" else rendered.html_path).read_bytes()
    audit.document_served(choice, rendered.version, kind)
    if kind == "pdf":
        response = send_file(io.BytesIO(content), mimetype="application/pdf", conditional=True,
                             etag=rendered.digest, max_age=0,
                             as_attachment=flag(request.args.get("download")),
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
    name = _file_name("", choice, "html") if choice.draft else f"{choice.leaflet}-{choice.lang}.html"
    response.headers["Content-Disposition"] = f"inline; filename=\"{name}\""
    response.headers["X-Cache"] = "miss" if rendered.fresh else "hit"
    response.set_etag(rendered.digest)
    return response.make_conditional(request)


def _b64sha256(text: str) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@blueprint.route("/leaflets/<leaflet_id>/<lang>.pdf")
def leaflet_pdf(leaflet_id: str, lang: str):
    return _document_response(leaflet_id, lang, "pdf")


@blueprint.route("/leaflets/<leaflet_id>/<lang>.pdf", methods=["POST"])
@access.requires("print")
def leaflet_pdf_with_note(leaflet_id: str, lang: str):
    """The PDF with a personal note for one patient. The note comes in the form's body only (never
    an address, so never a log line or the browser's history), and the PDF is made for this
    answer only: no cache, no file, no audit field holds it."""
    from ..errors import Problem
    from ..inputs.note import clean_note, note_problems
    from ..translate.languages import language_table
    from .messages import problem_text

    try:
        choice = checked_choice(leaflet_id, lang, request.args)
    except Unknown as exc:
        return unknown_page(exc)
    note = clean_note(request.form.get("note", ""))
    if not note:
        return _note_refused(note, [_("Schrijf eerst de notitie.")])
    problems = note_problems(note, language_table(project(), choice.lang).scripts)
    if problems:
        return _note_refused(note, [problem_text(Problem("", message)) for _field, message in problems])
    made, issue = make_document(choice, note)
    if issue is not None:
        return issue_response(choice, issue)
    pdf, version, title = made
    audit.document_served(choice, version, "note")
    response = send_file(io.BytesIO(pdf), mimetype="application/pdf", max_age=0,
                         download_name=_file_name(title, choice, "pdf"))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response


def _note_refused(note: str, lines: list[str]):
    """The staff page again, the note still in its box, with what is wrong with it (never logged)."""
    context = staff_context(request.args)
    response = Response(render_template("staff.html", **context, note=note, note_errors=lines), 400)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/leaflets/<leaflet_id>/<lang>.html")
def leaflet_html(leaflet_id: str, lang: str):
    return _document_response(leaflet_id, lang, "html")


@blueprint.route("/leaflets/<leaflet_id>/<lang>/page-<int:number>.png")
def leaflet_page(leaflet_id: str, lang: str, number: int):
    try:
        choice = checked_choice(leaflet_id, lang, request.args)
    except Unknown as exc:
        return unknown_page(exc)
    rendered, issue = make_document(choice)
    if issue is not None:
        return issue_response(choice, issue)
    if not 1 <= number <= rendered.pages:
        abort(404)
    try:
        path = documents().page_image(rendered, number)
    except RenderFailed as exc:
        return issue_response(choice, render_failed(exc))
    return send_file(path, mimetype="image/png", conditional=True, etag=f"{rendered.digest}-{number}",
                     max_age=0)


@blueprint.route("/assets/fonts/<name>")
def font(name: str):
    """The fonts the HTML leaflets link (../../assets/fonts/NAME): only files of the font folders."""
    from ..typeset.fonts import font_dirs

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
        # Translators: The patient pack (several leaflets in one PDF) was asked for without ticking
        # a leaflet ("folder" is Dutch for leaflet).
        return _pack_refused(_("Kies minstens één folder voor het pakket."))
    if len(ids) > MAX_PACK:
        # Translators: A patient pack holds at most %(n)s leaflets.
        return _pack_refused(_("Een pakket heeft hoogstens %(n)s folders.", n=MAX_PACK))
    choices = []
    try:
        for leaflet_id in ids:
            choices.append(checked_choice(leaflet_id, lang, request.args))
    except Unknown as exc:
        return unknown_page(exc)
    parts = []
    for choice in choices:
        rendered, issue = make_document(choice)
        if issue is not None:
            return issue_response(choice, issue)
        parts.append(rendered)
    practice_name = ""
    if choices[0].practice != DEFAULT_PRACTICE_ID:
        practice_name = next((p.name for p in library.practices(project()) if p.id == choices[0].practice), "")
    data, title = merge_pack(parts, lang, practice_name, choices[0].variant)
    for choice, rendered in zip(choices, parts):
        audit.document_served(choice, rendered.version, "pack")
    # Its own name, never a single leaflet's: "Bel şikâyetleri (tr, pakket).pdf".
    # Translators: In the file name of a patient pack, after its language: "(tr, pakket)".
    word = _("pakket")
    download_name = f"{_file_safe(title)[:120]} ({lang}, {word}).pdf"
    return send_file(io.BytesIO(data), mimetype="application/pdf",
                     as_attachment=flag(request.args.get("download")), download_name=download_name, max_age=0)


def _pack_refused(message: str):
    """The staff page again, as it was (language, practice, variant), with why no pack was made
    beside the pack's form."""
    context = staff_context(request.args)
    return render_template("staff.html", **context, pack_error=message), 400


# ---- The staff page ----------------------------------------------------------------------------

# Where a search found a leaflet, as staff read it beside the title.
FOUND_IN = {
    # Translators: Beside a leaflet the search found: where the words were found, followed by
    # the text found ("in de titel: Low back problems").
    "title": N_("in de titel"),
    # Translators: Beside a leaflet the search found: in its keywords (the words it is found by,
    # such as "rugpijn, lumbago, back pain").
    "keywords": N_("trefwoord"),
    # Translators: Beside a leaflet the search found: in one of its headings.
    "heading": N_("in een kopje"),
    # Translators: Beside a leaflet the search found: in its text.
    "body": N_("in de tekst"),
}


def found_leaflets(query: str) -> tuple[list, dict]:
    """The leaflets a search finds, best first, and for each where it was found (nothing to say
    when the Dutch title matched); every readable leaflet when nothing is typed."""
    proj = project()
    readable = [info for info in library.leaflets(proj) if not info.problem]
    if not query.strip():
        return readable, {}
    by_id = {info.id: info for info in readable}
    shown, hints = [], {}
    for hit in search.index(proj).search(query):
        if hit.leaflet not in by_id:
            continue
        shown.append(by_id[hit.leaflet])
        if hit.field == "title" and hit.lang == SOURCE_LANGUAGE:
            continue
        where = _(FOUND_IN[hit.field])
        if hit.lang and hit.lang != SOURCE_LANGUAGE:
            # Translators: Where a search found a leaflet, with the language of the text found:
            # "in de titel, Engels" ("in the title, English"); %(where)s is one of "in de titel",
            # "in een kopje", "in de tekst", %(language)s the language's name.
            where = _("%(where)s, %(language)s", where=where, language=language_name(hit.lang, g.get("ui_lang", "nl")))
        hints[hit.leaflet] = {"where": where, "lang": hit.lang, "dir": text_direction(hit.lang) if hit.lang else "",
                              "text": hit.snippet()}
    return shown, hints


@blueprint.route("/search")
def search_list():
    """The leaflets found, for the staff page while one types (htmx swaps the list only); the
    address of the whole page with this search goes in the browser's history."""
    args = {key: value for key, value in request.args.items() if key in ("leaflet", "lang", "practice", "variant")}
    query = (request.args.get("q") or "").strip()[:100]
    if query:
        args["q"] = query
    if not request.headers.get("HX-Request"):          # not from the page: the whole page
        return redirect(url_for("staff.index", **args))
    shown, hints = found_leaflets(query)
    # The leaflet picked, or else the one the page shows (its radio gone in an earlier search).
    asked = request.args.get("leaflet") or request.args.get("shown")
    page = render_template("search_results.html", leaflets=shown, hints=hints, query=query,
                           leaflet=asked if asked in [info.id for info in shown] else None)
    response = Response(page, mimetype="text/html")
    response.headers["HX-Push-Url"] = url_for("staff.index", **args)
    return response


def staff_context(args) -> dict:
    """What the staff page shows for its query string: the leaflets the search finds, the one
    picked, its languages with how complete each is, the practice and variant, the preview (or
    why there is none), and the leaflets a patient pack can hold in this language."""
    proj = project()
    query = (args.get("q") or "").strip()[:100]
    all_leaflets = [info for info in library.leaflets(proj) if not info.problem]
    shown, hints = found_leaflets(query)
    leaflet = _picked_leaflet(args.get("leaflet"), all_leaflets, shown, query)
    languages = library.languages(proj)
    lang = args.get("lang") if args.get("lang") in [info.lang for info in languages] else SOURCE_LANGUAGE
    practices = access.visible(library.practices(proj))
    practice = _picked_practice(args.get("practice"), practices)
    variant = args.get("variant") if args.get("variant") in VARIANTS else DEFAULT_VARIANT
    states = _language_states(leaflet, languages) if leaflet is not None else {}
    state = states.get(lang)
    choice = preview = issue = None
    if leaflet is not None:
        # A draft is asked for only where there is something to mark: an incomplete translation.
        choice = Choice(leaflet, lang, practice, variant, flag(args.get("bilingual")),
                        flag(args.get("draft")) and state is not None and not state.complete)
        preview, issue = make_document(choice)
    return dict(
        query=query, leaflets=shown, hints=hints, all_leaflets=all_leaflets, leaflet=leaflet, languages=languages,
        states=states, lang=lang, state=state, practices=practices, practice=practice, variant=variant,
        variants=[(name, _(VARIANT_TEXTS[name][0]), _(VARIANT_TEXTS[name][1])) for name in VARIANTS],
        choice=choice, preview=preview, issue=issue, pack_states=_pack_states(all_leaflets, lang),
        reprint=newer_since_printed(choice, preview) if choice is not None else None,
        default_practice=DEFAULT_PRACTICE_ID, source_language=SOURCE_LANGUAGE,
    )


def _picked_leaflet(asked: str | None, all_leaflets: list, shown: list, query: str) -> str | None:
    """The leaflet asked for, unless a search leaves it out: then the first one found."""
    leaflet = asked if asked in [info.id for info in all_leaflets] else None
    if leaflet is None or (query and leaflet not in [info.id for info in shown]):
        leaflet = shown[0].id if shown else None
    return leaflet


def _picked_practice(asked: str | None, practices: list) -> str:
    """The practice asked for if its profile is valid; else the first valid one, or the neutral
    default when there is none."""
    valid = [p for p in practices if not p.problem]
    if asked in [p.id for p in valid] + [DEFAULT_PRACTICE_ID]:
        return asked
    return valid[0].id if valid else DEFAULT_PRACTICE_ID


def _language_states(leaflet: str, languages: list) -> dict:
    """How complete the leaflet is in each language (a catalog that cannot be read: 0 %)."""
    states = {}
    for info in languages:
        try:
            states[info.lang] = library.completeness(project(), leaflet, info.lang)
        except UserError:
            states[info.lang] = library.Completeness(info.lang, percent=0, problems=["?"])
    return states


def _pack_states(leaflets: list, lang: str) -> dict:
    """How complete each leaflet is in `lang`, for the pack's list (unreadable ones left out)."""
    states = {}
    for info in leaflets:
        try:
            states[info.id] = library.completeness(project(), info.id, lang)
        except UserError:
            continue
    return states


@blueprint.route("/")
def index():
    context = staff_context(request.args)
    template = "staff.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template = "staff_main.html"
    return render_template(template, **context)


blueprint.add_app_template_filter(language_label, "language_label")


@blueprint.app_template_filter("doc_url")
def doc_url(choice: Choice, kind: str, **extra) -> str:
    endpoint = {"pdf": "staff.leaflet_pdf", "html": "staff.leaflet_html"}[kind]
    return url_for(endpoint, leaflet_id=choice.leaflet, lang=choice.lang, **choice.query(**extra))


@blueprint.app_template_filter("page_url")
def page_url(choice: Choice, number: int) -> str:
    return url_for("staff.leaflet_page", leaflet_id=choice.leaflet, lang=choice.lang, number=number,
                   **choice.query())
