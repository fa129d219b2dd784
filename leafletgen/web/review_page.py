"""The review page: a reviewer reads a translation unit by unit beside its Dutch and its quality
findings, corrects a unit in place, approves it, asks the editor about the Dutch, and records
the review once every unit is approved (translate.review.approvals).

A correction is checked exactly as an uploaded .po file is, and carries the digest of the
catalog the page showed: a save over a catalog changed since is refused, with the other change
shown. An approval carries the hash of the translation it approves. Everything is in the audit
trail; only accounts that may review use the page.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..atomic_write import write_atomic
from ..errors import Message, Problem, UserError
from ..inputs.project import SOURCE_LANGUAGE, TEMPLATE_DOMAIN
from . import access, audit, library, revisions
from .context import project
from .i18n import _
from .messages import problem_text
from .review_edit import changed_units, corrected_catalog, plural_examples, typed_text
from .review_words import refusal_text

blueprint = Blueprint("review", __name__)


# ---- What the page shows -------------------------------------------------------------------------

def _language(lang: str) -> library.LanguageInfo:
    found = next((info for info in library.languages(project()) if info.lang == lang), None)
    if found is None or lang == SOURCE_LANGUAGE:
        abort(404)
    return found


def _leaflet(leaflet_id: str):
    if leaflet_id not in project().leaflet_ids():
        abort(404)
    try:
        return library.load_leaflet(project(), leaflet_id)
    except UserError:
        abort(404)


def reviewer():
    from ..translate.review.approvals import Reviewer

    account = access.account()
    return Reviewer(account.shown_name, account.name, account.role)


def _catalog_bytes(domain: str, lang: str) -> bytes | None:
    """The catalog's bytes now (None when there is none, b"" when it cannot be read): never
    through a link, never more than a catalog may hold."""
    from ..inputs.files import file_kind
    from ..translate.catalog_checks import catalog_file, read_catalog_bytes

    if file_kind(project().root, catalog_file(domain, lang)) == "missing":
        return None
    try:
        return read_catalog_bytes(project().root, catalog_file(domain, lang))
    except UserError:
        return b""


def _findings(lang: str, domains: list[str]) -> dict:
    """(domain, Dutch text) → the quality findings of its translation, in the page's language."""
    from .translations_page import upload_findings

    found: dict = {}
    for domain in domains:
        for finding in upload_findings(project(), lang, domain):
            found.setdefault((domain, finding.unit), []).append(problem_text(finding.problem()))
    return found


def page_data(lang: str, leaflet) -> dict:
    from ..inputs.questions import questions
    from ..translate.review.approvals import gone_since_review, recording_refusals, unit_reviews
    from ..translate.review.records import read_record

    proj = project()
    try:
        record = read_record(proj, leaflet.id, lang)
        units = unit_reviews(proj, leaflet, lang, record)
        asked = questions(proj, leaflet.id)
    except UserError as exc:       # a catalog, a record or the questions' file that cannot be read
        from flask import make_response

        from .context import error_page
        from .messages import problem_lines

        # Translators: The review page cannot be shown: one of its files has an error (the lines
        # below say which kind); it must be fixed first.
        abort(make_response(error_page(409, _("Deze vertaling kan nu niet nagekeken worden:"),
                                       problem_lines(exc.problems)), 409))
    by_unit: dict = {}
    for question in asked:
        by_unit.setdefault(question.unit, []).append(question)
    domains = [leaflet.id, TEMPLATE_DOMAIN]
    account = access.account()
    local = account is None or account.local
    refusals = [Message("needs_account", "")] if local else recording_refusals(proj, leaflet, lang, reviewer(), units)
    return {
        "leaflet": leaflet, "language": _language(lang), "record": record, "units": units,
        "findings": _findings(lang, domains), "questions": by_unit,
        "digests": {domain: revisions.remember(_catalog_bytes(domain, lang)) for domain in domains},
        "plural_examples": plural_examples(lang),
        "gone": (gone := gone_since_review(record, units)),
        "earlier": earlier_dutch(leaflet.id) if gone else {},     # read only when something is gone
        "changed": [unit for unit in units if unit.since_review in ("new", "changed", "missing")],
        "counts": {state: sum(u.approval == state for u in units) for state in ("approved", "stale", "open")},
        "refusals": [refusal_text(message) for message in refusals],
        "local": local,
        "template_domain": TEMPLATE_DOMAIN,
    }


def earlier_dutch(leaflet_id: str) -> dict[str, tuple[str, str]]:
    """The Dutch of every unit of the leaflet's published versions, by its hash: (its text, the
    newest version that had it), so a unit the last review read and that is gone now can be
    shown whole (inputs.versions: the store of published versions)."""
    from ..inputs import versions
    from ..translate.review.records import text_hash

    found: dict[str, tuple[str, str]] = {}
    for published in reversed(versions.versions(project(), leaflet_id)):
        try:
            data = versions.read_version(project(), leaflet_id, published.version)
            old = versions.parse_leaflet_bytes(project(), leaflet_id, data, published.version)
        except UserError:                 # a version changed by hand is refused: not shown
            continue
        for *_where, text in old.units():
            found.setdefault(text_hash(text), (text, published.version))
    return found


def _page(lang: str, leaflet, status: int = 200, notice: dict | None = None):
    from flask_wtf import FlaskForm

    data = page_data(lang, leaflet)
    return render_template("review.html", form=FlaskForm(), notice=notice or {}, **data), status


@blueprint.route("/review")
@access.requires("review")
def index():
    from ..translate.review.approvals import unit_reviews
    from ..translate.review.state import review_state

    proj = project()
    languages = [info for info in library.languages(proj) if info.lang != SOURCE_LANGUAGE]
    rows = []
    for info in library.leaflets(proj):
        if info.problem:
            continue
        leaflet = library.load_leaflet(proj, info.id)
        cells = []
        for language in languages:
            try:
                units = unit_reviews(proj, leaflet, language.lang)
                state = review_state(proj, leaflet, language.lang)
            except UserError:
                cells.append({"lang": language.lang, "broken": True})
                continue
            cells.append({"lang": language.lang, "total": len(units), "state": state,
                          "approved": sum(u.approval == "approved" for u in units),
                          "stale": sum(u.approval == "stale" for u in units)})
        rows.append({"id": info.id, "title": info.title, "cells": cells})
    return render_template("review_index.html", rows=rows, languages=languages)


@blueprint.route("/review/<lang>/<leaflet_id>")
@access.requires("review")
def page(lang: str, leaflet_id: str):
    return _page(lang, _leaflet(leaflet_id))


# ---- Correcting, approving, asking, recording --------------------------------------------------

def _form(lang: str, leaflet_id: str):
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    leaflet = _leaflet(leaflet_id)
    _language(lang)
    domain = request.form.get("domain", "")
    if domain not in (leaflet.id, TEMPLATE_DOMAIN):
        abort(400)
    return leaflet, domain, request.form.get("source", "")


def _unit(lang: str, leaflet, domain: str, source: str):
    from ..translate.review.approvals import unit_reviews

    unit = next((u for u in unit_reviews(project(), leaflet, lang)
                 if u.domain == domain and u.source_hash == source), None)
    if unit is None:
        abort(409, description=_("Deze zin staat niet meer in de folder. Laad de pagina opnieuw."))
    return unit


def _back(lang: str, leaflet, source: str):
    return redirect(url_for("review.page", lang=lang, leaflet_id=leaflet.id) + f"#u-{source[:12]}")


@blueprint.route("/review/<lang>/<leaflet_id>/save", methods=["POST"])
@access.requires("review")
def save(lang: str, leaflet_id: str):
    """A unit's translation corrected in place; `digest`: the catalog as the page showed it."""
    from .translations_page import upload_problems

    leaflet, domain, source = _form(lang, leaflet_id)
    unit = _unit(lang, leaflet, domain, source)
    if isinstance(unit.msgid, str):
        text = typed_text(request.form.get("text", ""))
        notice = {"unit": source, "text": text}
        empty = not text
    else:                          # a plural unit: one text for each of the language's forms
        texts = [typed_text(request.form.get(f"text-{number}", ""))
                 for number in range(len(plural_examples(lang)))]
        notice = {"unit": source, "texts": texts}
        text, empty = texts, not all(texts)
    if empty:
        return _page(lang, leaflet, 422, {**notice, "lines": [problem_text(Problem("", Message("missing", "")))]})
    target = project().catalog_path(domain, lang)
    with revisions.saving(target):
        current = _catalog_bytes(domain, lang)
        base = request.form.get("digest", "")
        if current is None or revisions.digest(current) != base:
            return _page(lang, leaflet, 409, {**notice, "conflict": changed_units(revisions.recall(base), current),
                                              "lines": [_conflict_line()]})
        corrected = corrected_catalog(current, lang, unit.msgid, text)
        if isinstance(corrected, Problem):
            return _page(lang, leaflet, 409, {**notice, "lines": [refusal_text(corrected.message)]})
        problems = upload_problems(lang, domain, corrected, f"{domain}.{lang}.po")
        if problems:
            return _page(lang, leaflet, 422, {**notice, "lines": [problem_text(p) for p in problems]})
        write_atomic(target, corrected)
    audit.record("catalog", leaflet=domain, lang=lang, detail="review page")
    # Translators: The review page: a corrected translation of one unit was checked and saved.
    flash(_("De vertaling van deze zin is opgeslagen."), "saved")
    return _back(lang, leaflet, source)


def _conflict_line() -> str:
    # Translators: The review page: a correction was not saved because someone else changed this
    # translation file after the page was opened; what they changed is shown below.
    return _("Iemand anders heeft deze vertaling veranderd sinds u de pagina opende. Uw tekst is niet "
             "opgeslagen; hij staat hieronder nog. Hieronder staat ook wat er intussen veranderd is. "
             "Kijk het na en sla dan opnieuw op.")


@blueprint.route("/review/<lang>/<leaflet_id>/approve", methods=["POST"])
@access.requires("review")
def approve(lang: str, leaflet_id: str):
    """A unit approved as the page showed it (`translation`: the hash of that translation)."""
    from ..translate.review.approvals import approve as approve_unit
    from ..translate.review.records import record_path

    leaflet, domain, source = _form(lang, leaflet_id)
    if access.account().local:
        return _page(lang, leaflet, 403, {"unit": source, "lines": [refusal_text(Message("needs_account", ""))]})
    with revisions.saving(record_path(project(), leaflet.id, lang)):
        refusal = approve_unit(project(), leaflet, lang, domain, source, request.form.get("translation", ""),
                               reviewer(), dt.date.today())
    if refusal is not None:
        status = 403 if refusal.code == "reviewer_is_translator" else 409
        return _page(lang, leaflet, status, {"unit": source, "lines": [refusal_text(refusal)]})
    audit.record("review", leaflet=leaflet.id, lang=lang, version=leaflet.version, detail="unit approved")
    return _back(lang, leaflet, source)


@blueprint.route("/review/<lang>/<leaflet_id>/ask", methods=["POST"])
@access.requires("review")
def ask(lang: str, leaflet_id: str):
    """A question about a unit's Dutch, kept with the leaflet for its editor."""
    from ..inputs.questions import Question, ask as ask_question, questions_path

    leaflet, domain, source = _form(lang, leaflet_id)
    unit = _unit(lang, leaflet, domain, source)
    who = reviewer()
    text = typed_text(request.form.get("question", ""))
    question = Question(source, unit.label, text, who.name, who.account, lang, dt.date.today())
    try:
        with revisions.saving(questions_path(project(), leaflet.id)):
            refusal = ask_question(project(), leaflet.id, question)
    except UserError:
        refusal = Message("questions_unreadable", "")
    if refusal is not None:
        return _page(lang, leaflet, 422, {"unit": source, "question": text, "lines": [refusal_text(refusal)]})
    audit.record("question", leaflet=leaflet.id, lang=lang, version=leaflet.version)
    # Translators: The review page: a question about the Dutch text was saved for the leaflet's editors.
    flash(_("Uw vraag is bewaard bij de folder, voor de redactie."), "saved")
    return _back(lang, leaflet, source)


@blueprint.route("/review/<lang>/<leaflet_id>/record", methods=["POST"])
@access.requires("review")
def record(lang: str, leaflet_id: str):
    """The review recorded under the signed-in account, once every unit is approved."""
    from ..translate.review.approvals import recording_refusals
    from ..translate.review.recording import record_review
    from ..translate.review.records import record_path

    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    leaflet = _leaflet(leaflet_id)
    language = _language(lang)
    if access.account().local:
        return _page(lang, leaflet, 403, {"unit": "record", "lines": [refusal_text(Message("needs_account", ""))]})
    who = reviewer()
    with revisions.saving(record_path(project(), leaflet.id, lang)):
        refusals = recording_refusals(project(), leaflet, lang, who)
        if not refusals:
            try:
                record_review(project(), leaflet, lang, who.name, dt.date.today(), account=who.account,
                              role=who.role)
            except UserError:
                refusals = [Message("review_incomplete", "")]
    if refusals:
        status = 403 if any(m.code.endswith("is_translator") for m in refusals) else 409
        return _page(lang, leaflet, status, {"unit": "record", "lines": [refusal_text(m) for m in refusals]})
    audit.record("review", target=who.account, leaflet=leaflet.id, lang=lang, version=leaflet.version)
    # Translators: The review page: the review of a translation was recorded; %(title)s is the
    # leaflet's title, %(language)s the language's name, %(name)s the reviewer's name.
    flash(_("Vastgelegd: %(name)s heeft “%(title)s” (%(language)s) nagekeken.", name=who.name,
            title=_plain(leaflet.title), language=language.name_ui), "saved")
    return redirect(url_for("review.page", lang=lang, leaflet_id=leaflet.id))


def _plain(title: str) -> str:
    from ..markup.inline import plain_text

    return plain_text(title)
