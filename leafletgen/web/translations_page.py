"""Translations: how far each leaflet is translated, the .po file for a translator, and the
translated file back.

An uploaded catalog goes through the build's own catalog checks (syntax line by line, every
translation against its Dutch) before it replaces anything: a file with problems is refused with
its line numbers and the catalog in use stays as it was. One that passes is written atomically.
"""

from __future__ import annotations

import json
import re

from babel.messages.pofile import read_po
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from ..translate.catalog_checks import CATALOG_MAX_BYTES, check_text   # the shipped catalogs are about 10 KB
from ..errors import Message, Problem, UserError
from ..atomic_write import write_atomic
from ..inputs.project import SOURCE_LANGUAGE, TEMPLATE_DOMAIN
from ..inputs import catalog_versions
from . import access, audit, library, revisions
from .context import error_page, project
from .i18n import _
from .messages import problem_lines, problem_text

blueprint = Blueprint("translations", __name__)


class CsrfForm(FlaskForm):
    pass


def _domains() -> list[tuple[str, str]]:
    """(domain, what it is): every readable leaflet, then the template strings."""
    leaflets = [(info.id, info.title) for info in library.leaflets(project()) if not info.problem]
    # Translators: In the list of leaflets to translate: the texts every leaflet has (footer, page
    # numbers, the colophon), translated once for all leaflets.
    return leaflets + [(TEMPLATE_DOMAIN, _("Vaste teksten van de folders (voettekst, paginanummers)"))]


def _languages() -> list[library.LanguageInfo]:
    return [info for info in library.languages(project()) if info.lang != SOURCE_LANGUAGE]


def _known(lang: str, domain: str) -> None:
    if lang not in [info.lang for info in _languages()] or domain not in [d for d, _t in _domains()]:
        abort(404)


def review_state(lang: str, domain: str):
    """The review state of a leaflet's catalog (state, by, date); None when its leaflet or review
    record cannot be read."""
    from ..translate.review import state as review

    try:
        leaflet = library.load_leaflet(project(), domain)
        return review.review_state(project(), leaflet, lang)
    except (UserError, OSError, ValueError):
        return None


def _rows():
    from ..translate.status import leaflet_status, templates_status

    rows = []
    proj = project()
    for domain, title in _domains():
        cells = []
        for info in _languages():
            if domain == TEMPLATE_DOMAIN:
                status = templates_status(proj, info.lang)
            else:
                status = leaflet_status(proj, library.load_leaflet(proj, domain), info.lang)
            cells.append({"lang": info.lang, "status": status, "percent": status.percent,
                          "exists": proj.catalog_path(domain, info.lang).is_file(),
                          "review": review_state(info.lang, domain) if domain != TEMPLATE_DOMAIN else None})
        rows.append({"domain": domain, "title": title, "cells": cells})
    return rows


def _bases() -> str:
    """The digest of every catalog as this page shows it, for the upload form (JSON)."""
    return json.dumps({f"{info.lang}/{domain}": revisions.remember(_current(info.lang, domain))
                       for domain, _title in _domains() for info in _languages()}, separators=(",", ":"))


@blueprint.route("/translations")
def index():
    return render_template("translations.html", rows=_rows(), languages=_languages(), form=CsrfForm(),
                           domains=_domains(), max_kb=CATALOG_MAX_BYTES // 1024, bases=_bases())


@blueprint.route("/translations/<lang>/<domain>.po", methods=["GET"])
def download(lang: str, domain: str):
    """The catalog as it is, or, for a language not started yet, an empty one to translate."""
    from flask import Response

    from ..translate.extract import fresh_templates
    from ..translate.workflow import new_catalog, render_po

    _known(lang, domain)
    from ..translate.catalog_checks import catalog_file, read_catalog_bytes
    from ..inputs.files import file_kind

    if file_kind(project().root, catalog_file(domain, lang)) != "missing":
        try:   # never through a link, never more than a catalog may hold
            data = read_catalog_bytes(project().root, catalog_file(domain, lang))
        except UserError:
            return error_page(409, problem_text(Problem("", Message("po_unreadable", "")))), 409
    else:
        data = render_po(new_catalog(fresh_templates(project())[domain], lang))
    response = Response(data, mimetype="text/x-gettext-translation")
    response.headers["Content-Disposition"] = f'attachment; filename="{domain}.{lang}.po"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/translations/<lang>/terms.toml", methods=["GET"])
def download_terms(lang: str):
    """The termbase a translation of `lang` is checked against (the content folder's, else
    leafletgen's own), for the translator and the reviewer; 404 when the language has none."""
    from flask import Response

    from ..inputs.files import InputFileError, read_file
    from ..translate.languages import TABLE_MAX_BYTES, TERMBASE_FILE, own_translations

    if lang not in [info.lang for info in _languages()]:
        abort(404)
    own = f"translations/{lang}/{TERMBASE_FILE}"
    data = None
    for read in (lambda: project().read(own, TABLE_MAX_BYTES),
                 lambda: read_file(own_translations(), f"{lang}/{TERMBASE_FILE}", TABLE_MAX_BYTES)):
        try:
            data = read()
            break
        except InputFileError as exc:
            if not exc.missing:
                return error_page(409, problem_text(Problem("", Message("terms_unreadable", "")))), 409
    if data is None:
        abort(404)
    response = Response(data, mimetype="application/toml")
    response.headers["Content-Disposition"] = f'attachment; filename="terms.{lang}.toml"'
    response.headers["Cache-Control"] = "no-store"
    return response


def upload_problems(lang: str, domain: str, raw: bytes, name: str) -> list[Problem]:
    """Everything wrong with an uploaded catalog, each with its line ([] when it may be used)."""
    proj = project()
    file = name
    if len(raw) > CATALOG_MAX_BYTES:
        return [Problem(file, Message("po_too_large", f"is {len(raw):,} bytes; a catalog may be at most "
                                                      f"{CATALOG_MAX_BYTES:,}", max_kb=CATALOG_MAX_BYTES // 1024))]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Problem(file, Message("po_encoding", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"),
                        line=raw[:exc.start].count(b"\n") + 1)]
    from ..translate.catalog_checks import PLAIN_TEXT_DOMAINS

    from ..translate.languages import language_table

    problems = check_text(text, file, template_domain=domain == TEMPLATE_DOMAIN,
                          markdown=domain not in PLAIN_TEXT_DOMAINS, table=language_table(proj, lang))
    if problems:
        return problems
    import io
    try:
        catalog = read_po(io.BytesIO(text.encode("utf-8")), locale=lang, abort_invalid=True)
    except Exception as exc:  # Babel's reader: PoFileError, ValueError, UnknownLocaleError
        return [Problem(file, Message("po_syntax", f"cannot be read as a .po file: {exc}"),
                        line=getattr(exc, "lineno", None))]
    header_lang = re.search(r'^"Language: *([A-Za-z_@-]*)\\n"', text, re.M)
    if header_lang and header_lang.group(1) and header_lang.group(1).replace("-", "_") != lang:
        line = text[:header_lang.start()].count("\n") + 1
        return [Problem(file, Message("po_language", f"is a catalog for language {header_lang.group(1)!r}, "
                                                     f"not {lang!r}", found=header_lang.group(1), expected=lang),
                        line=line)]
    from ..translate.extract import fresh_templates

    wanted = {message.id for message in fresh_templates(proj)[domain] if message.id}
    given = {message.id for message in catalog if message.id}
    if wanted and not wanted & given:
        return [Problem(file, Message("po_other_domain", f"has none of the texts of {domain!r}: is it the "
                                                         "catalog of another leaflet?"))]
    return []


@blueprint.route("/translations/<lang>/<domain>.po", methods=["POST"])
@access.requires("upload_catalog")
def upload(lang: str, domain: str):
    """A catalog for one leaflet and language; the form's `digest` is that of the catalog it
    replaces, as the uploader last saw it (downloaded it)."""
    _known(lang, domain)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    return _receive(lang, domain, request.form.get("digest", ""))


@blueprint.route("/translations/upload", methods=["POST"])
@access.requires("upload_catalog")
def upload_form():
    """The page's one upload form: the leaflet and language chosen in it; `bases` holds the
    digest of every catalog as the page showed it."""
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    lang, domain = request.form.get("lang", ""), request.form.get("domain", "")
    _known(lang, domain)
    try:
        bases = json.loads(request.form.get("bases", "{}"))
    except ValueError:
        bases = {}
    base = bases.get(f"{lang}/{domain}") if isinstance(bases, dict) else None
    return _receive(lang, domain, base if isinstance(base, str) else "")


def _current(lang: str, domain: str) -> bytes | None:
    """The catalog's bytes now (None when there is none): never through a link."""
    from ..translate.catalog_checks import catalog_file, read_catalog_bytes
    from ..inputs.files import file_kind

    if file_kind(project().root, catalog_file(domain, lang)) == "missing":
        return None
    try:
        return read_catalog_bytes(project().root, catalog_file(domain, lang))
    except UserError:
        return b""


def _receive(lang: str, domain: str, base: str):
    proj = project()
    upload = request.files.get("catalog")
    if upload is None or not upload.filename:
        return _refused(lang, domain, [_("Kies eerst een .po-bestand.")])
    raw = upload.stream.read(CATALOG_MAX_BYTES + 1)
    name = re.sub(r"[^\w. -]+", "_", upload.filename)[-80:] or "upload.po"
    problems = upload_problems(lang, domain, raw, name)
    if problems:
        return _refused(lang, domain, [problem_text(p) for p in problems])
    target = proj.catalog_path(domain, lang)
    inside = proj.translations_dir.resolve()
    if any(part.is_symlink() for part in (target, target.parent, target.parent.parent)) or \
            not target.parent.resolve().is_relative_to(inside):
        return _refused(lang, domain, [problem_text(Problem(name, Message("po_link", "is reached through a link")))])
    with revisions.saving(target):
        current = _current(lang, domain)
        if revisions.digest(current) != base:
            return _conflict(lang, domain, base, current, raw)
        write_atomic(target, raw.decode("utf-8-sig").encode("utf-8"))
    # Kept with the leaflet's published version: what a document printed from it said.
    catalog_versions.record_catalog(proj, domain, lang, by=access.account().name if access.account() else "")
    audit.record("catalog", leaflet=domain, lang=lang)
    language = next(info for info in _languages() if info.lang == lang)
    title = dict(_domains())[domain]
    # Translators: An uploaded translation was checked and saved; %(title)s is the leaflet's title
    # (or "the texts every leaflet has"), %(language)s the language's name.
    flash(_("De vertaling is opgeslagen: %(title)s, %(language)s.", title=title, language=language.name_ui),
          "saved")
    for line in problem_lines([finding.problem() for finding in upload_findings(proj, lang, domain)]):
        flash(line, "warning")      # the quality checks: what to look at, not a reason to refuse
    return redirect(url_for("translations.index"))


def upload_findings(proj, lang: str, domain: str) -> list:
    """The quality findings of the catalog just saved (translate.quality); [] when its language
    table or termbase cannot be read (the commands name that file)."""
    from ..translate.quality import catalog_findings

    try:
        return catalog_findings(proj, domain, lang)
    except UserError:
        return []


def _conflict(lang: str, domain: str, base: str, current: bytes | None, uploaded: bytes):
    """The upload refused: the catalog changed since the uploader's copy was made. What changed:
    each unit whose translation differs between that copy (when still known) and the catalog
    now; else between the catalog now and the upload."""
    before = revisions.recall(base)
    then = _translations(before if before is not None else uploaded)
    now = _translations(current)
    rows = [{"unit": msgid, "then": then.get(msgid, ""), "now": now.get(msgid, "")}
            for msgid in dict.fromkeys([*now, *then]) if then.get(msgid, "") != now.get(msgid, "")]
    # Translators: An uploaded translation was not saved: someone else saved this translation
    # after the uploader's copy was downloaded (or after this page was opened).
    line = _("Iemand anders heeft deze vertaling veranderd sinds uw versie werd gedownload. Het "
             "bestand is niet opgeslagen; hieronder staat wat er intussen veranderd is. Neem dat over in "
             "uw bestand en zet het opnieuw terug.")
    return _refused(lang, domain, [line], conflict=rows[:20], status=409)


def _translations(data: bytes | None) -> dict[str, str]:
    """msgid → msgstr of a catalog's bytes (nothing for none, or for bytes Babel cannot read)."""
    import io

    if not data:
        return {}
    try:
        catalog = read_po(io.BytesIO(data))
    except Exception:  # Babel's reader: PoFileError, ValueError; shown as no translations
        return {}
    return {message.id: message.string for message in catalog
            if message.id and isinstance(message.id, str) and isinstance(message.string, str)}


def _refused(lang: str, domain: str, lines: list[str], conflict: list | None = None, status: int = 422):
    return render_template("translations.html", rows=_rows(), languages=_languages(), form=CsrfForm(),
                           domains=_domains(), max_kb=CATALOG_MAX_BYTES // 1024, bases=_bases(),
                           refused={"lang": lang, "domain": domain, "lines": lines, "conflict": conflict}), status
