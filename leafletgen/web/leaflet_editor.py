"""The leaflet editor: write or change a Dutch leaflet in the browser, see its pages and problems
as you type, save it as a draft, have it approved by another person, publish it.

    GET  /editor                           the leaflets and drafts; a new leaflet
    GET  /editor/<id>                      the editor (the draft, else the published text)
    POST /editor/<id>/check | /preview     problems at their lines | pages (JSON; nothing saved)
    POST /editor/<id>/save | /approve | /publish | /discard
    GET  /editor/<id>/versions/<version>   an earlier published version, with who made it

Every form carries the digest of the text it was loaded with (inputs.drafts): a save over a text
that changed since is refused, and the other change is shown.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from ..errors import Problem, UserError
from ..inputs import drafts, versions
from ..inputs.leaflet import LEAFLET_MAX_BYTES
from ..inputs.project import LEAFLET_ID, SOURCE_LANGUAGE
from ..request import BuildRequest
from . import access, audit, library, revisions
from .context import documents, project
from .i18n import _
from .messages import MESSAGES, problem_text
from .questions_page import editor_questions

blueprint = Blueprint("editor", __name__)


# ---- What the page shows --------------------------------------------------------------------------

def shown_problems(problems: list) -> list[dict]:
    """Problems as the editor lists them: the line, the words in the page's language, and the
    technical detail (English) where there are no words for it yet."""
    shown = []
    for problem in problems:
        if not isinstance(problem, Problem):
            problem = Problem("", str(problem))
        if problem.code in MESSAGES:
            text, detail = problem_text(problem), ""
        else:
            # Translators: A problem in the leaflet's text the editor has no words of its own for;
            # the technical detail (in English) is shown beside it.
            text, detail = _("Dit klopt niet in de tekst."), str(problem.message)
        shown.append({"line": problem.line, "text": text, "detail": detail})
    return shown


def text_problems(leaflet_id: str, text: str) -> list[dict]:
    """Every problem of the text as a draft of the leaflet (nothing read but its pictures)."""
    data = text.encode("utf-8")
    if len(data) > LEAFLET_MAX_BYTES:
        # Translators: The leaflet's text is longer than the program accepts; %(limit)s is a number of kB.
        words = _("De tekst is te lang: hoogstens %(limit)s kB.", limit=LEAFLET_MAX_BYTES // 1024)
        return [{"line": None, "text": words, "detail": ""}]
    try:
        drafts.check_draft(project(), leaflet_id, data)
    except UserError as exc:
        return shown_problems(exc.problems)
    return []


def _form_text() -> str:
    return (request.form.get("text") or "").replace("\r\n", "\n")


def _known(leaflet_id: str) -> None:
    """404 for a leaflet with neither a published text nor a draft; 403 for an account that may
    neither edit nor approve."""
    if not (access.may("edit_leaflet") or access.may(drafts.APPROVING_PERMISSION)):
        abort(403)
    if not LEAFLET_ID.match(leaflet_id) or (leaflet_id not in project().leaflet_ids()
                                            and drafts.draft(project(), leaflet_id) is None):
        abort(404)


def _page(leaflet_id: str, text: str | None = None, problems=None, conflict=None, status: int = 200):
    proj = project()
    loaded = drafts.editing_text(proj, leaflet_id)
    revisions.remember(loaded)          # to show what another person changed, should they save first
    draft = drafts.draft(proj, leaflet_id)
    current = versions.current_version(proj, leaflet_id)
    shown = loaded.decode("utf-8", "replace") if text is None else text
    if text is None and draft is None and current is not None:
        # A change to the published text is a new version: offered from the start.
        shown = re.sub(r'^version: *"?[^"\n]*"? *$', f'version: "{drafts.next_version(current.version)}"',
                       shown, count=1, flags=re.M)
    account = access.account()
    units = _units(leaflet_id, shown)
    return render_template(
        "editor.html", leaflet_id=leaflet_id, text=shown, loaded=versions.sha256(loaded) if loaded else "",
        draft=draft, current=current, history=list(reversed(versions.versions(proj, leaflet_id))),
        problems=problems if problems is not None else text_problems(leaflet_id, shown),
        conflict=conflict, outdated=_outdated_units(leaflet_id, units),
        may_approve=draft is not None and account is not None and account.may(drafts.APPROVING_PERMISSION)
        and account.name not in draft.written_by,
        suggested=drafts.next_version(current.version) if current else "1.0",
        **editor_questions(leaflet_id, units)), status


def _units(leaflet_id: str, text: str) -> set[str] | None:
    """The texts of the units of `text` as a draft of the leaflet (None: it has problems)."""
    try:
        return {unit for _, _, unit in drafts.check_draft(project(), leaflet_id, text.encode("utf-8")).units()}
    except UserError:
        return None


def _outdated_units(leaflet_id: str, units: set[str] | None) -> int:
    """How many of the text's units (`_units`) the published version has not (their
    translations go out of date when it is published)."""
    proj = project()
    if units is None or leaflet_id not in proj.leaflet_ids():
        return 0
    try:
        published = {unit for _, _, unit in library.load_leaflet(proj, leaflet_id).units()}
    except UserError:
        return 0
    return len(units - published)


# ---- Pages ----------------------------------------------------------------------------------------

@blueprint.route("/editor")
@access.requires("print")
def index():
    if not (access.may("edit_leaflet") or access.may(drafts.APPROVING_PERMISSION)):
        abort(403)
    proj = project()
    ids = sorted(set(proj.leaflet_ids()) | {path.stem for path in drafts.drafts_dir(proj).glob("*.md")
                                            if LEAFLET_ID.match(path.stem)})
    rows = [{"id": leaflet_id, "draft": drafts.draft(proj, leaflet_id),
             "current": versions.current_version(proj, leaflet_id)} for leaflet_id in ids]
    return render_template("editor_list.html", rows=rows)


STARTING_TEXT = """---
id: {id}
title: {title}
language: nl
version: "1.0"
published: {today}
review: {review}
author: Redactie patiëntenvoorlichting
source: Patiëntenvoorlichting van de praktijk
keywords: {title}
---

Schrijf hier in een paar zinnen waar deze folder over gaat.

> De belangrijkste boodschap, in één zin.

## Wat kunt u zelf doen?

- Eerste advies
- Tweede advies

## Wanneer neemt u contact op?

Neem contact op met de praktijk als de klachten erger worden.
"""


@blueprint.route("/editor/new", methods=["POST"])
@access.requires("edit_leaflet")
def new():
    leaflet_id = (request.form.get("id") or "").strip()
    title = " ".join((request.form.get("title") or "").split())[:120]
    proj = project()
    if not LEAFLET_ID.match(leaflet_id) or len(leaflet_id) > 60:
        # Translators: The name of a new leaflet's file may hold only these characters.
        flash(_("Kies een naam van kleine letters, cijfers en streepjes, zoals knieklachten."), "error")
        return redirect(url_for("editor.index"))
    if leaflet_id in proj.leaflet_ids() or drafts.draft(proj, leaflet_id) is not None:
        # Translators: A leaflet (or a draft of one) with this name exists already; %(id)s is the name.
        flash(_("Er is al een folder met de naam %(id)s.", id=leaflet_id), "error")
        return redirect(url_for("editor.index"))
    today = dt.date.today()
    text = STARTING_TEXT.format(id=leaflet_id, title=title.replace(":", " ") or leaflet_id,
                                today=today.isoformat(), review=today.replace(year=today.year + 1).isoformat())
    try:
        drafts.save_draft(proj, leaflet_id, text.encode("utf-8"), by=access.account().name, loaded="")
    except UserError as exc:
        flash(" ".join(line["text"] for line in shown_problems(exc.problems)), "error")
        return redirect(url_for("editor.index"))
    audit.record("leaflet", leaflet=leaflet_id, version="1.0", detail="new draft")
    return redirect(url_for("editor.edit", leaflet_id=leaflet_id))


@blueprint.route("/editor/<leaflet_id>")
@access.requires("print")
def edit(leaflet_id: str):
    _known(leaflet_id)
    return _page(leaflet_id)


@blueprint.route("/editor/<leaflet_id>/check", methods=["POST"])
@access.requires("print")
def check(leaflet_id: str):
    _known(leaflet_id)
    return jsonify(problems=text_problems(leaflet_id, _form_text()))


@blueprint.route("/editor/<leaflet_id>/preview", methods=["POST"])
@access.requires("print")
def preview(leaflet_id: str):
    """The pages of the text as it is now (a concept), rendered in a worker; nothing is kept."""
    from .editor_preview import preview_pages
    from .workers import RenderFailed

    _known(leaflet_id)
    text = _form_text()
    problems = text_problems(leaflet_id, text)
    try:                 # the pages of a text that parses (its version may still need a change)
        versions.parse_leaflet_bytes(project(), leaflet_id, text.encode("utf-8"), drafts.draft_file(leaflet_id))
    except UserError:
        return jsonify(problems=problems, pages=[])
    service = documents()
    build = BuildRequest(leaflet_id, SOURCE_LANGUAGE, from_draft=True, draft_text=text)
    try:
        result = service.pool.run(service.time_limit, preview_pages, str(project().root), build, service.time_limit)
    except RenderFailed as exc:
        return jsonify(problems=shown_problems(list(exc.args[:1])), pages=[])
    if not result.get("ok"):
        return jsonify(problems=shown_problems(result.get("errors", [])), pages=[])
    return jsonify(problems=problems, pages=result["pages"])


@blueprint.route("/editor/<leaflet_id>/save", methods=["POST"])
@access.requires("edit_leaflet")
def save(leaflet_id: str):
    _known(leaflet_id)
    text = _form_text()
    loaded = request.form.get("loaded", "")
    proj = project()
    try:
        drafts.save_draft(proj, leaflet_id, text.encode("utf-8"), by=access.account().name, loaded=loaded)
    except UserError as exc:
        if any(p.code == "changed_meanwhile" for p in exc.problems if isinstance(p, Problem)):
            return _page(leaflet_id, text, conflict=_other_change(leaflet_id, text, exc), status=409)
        return _page(leaflet_id, text, problems=shown_problems(exc.problems), status=422)
    version = drafts.check_draft(proj, leaflet_id, text.encode("utf-8")).version
    audit.record("leaflet", leaflet=leaflet_id, version=version, detail="draft saved")
    # Translators: The leaflet's text was saved as a draft; it is printed as final only once
    # another person approved it and it is published.
    flash(_("Opgeslagen als concept. Een andere persoon moet het goedkeuren voordat het gepubliceerd wordt."), "saved")
    return redirect(url_for("editor.edit", leaflet_id=leaflet_id))


def _other_change(leaflet_id: str, mine: str, exc: UserError) -> dict:
    """What the other person changed, line by line, against the text this form was loaded with
    (kept by digest while the server runs) or, failing that, against this form's text."""
    theirs = drafts.editing_text(project(), leaflet_id).decode("utf-8", "replace")
    before = revisions.recall(request.form.get("loaded", ""))
    base = before.decode("utf-8", "replace") if before is not None else mine
    lines = [line for line in difflib.unified_diff(base.splitlines(), theirs.splitlines(), lineterm="", n=1)
             if not line.startswith(("---", "+++"))]
    by = next((p.params.get("by", "") for p in exc.problems if isinstance(p, Problem)), "")
    return {"by": by, "lines": lines}


@blueprint.route("/editor/<leaflet_id>/approve", methods=["POST"])
@access.requires("review")
def approve(leaflet_id: str):
    _known(leaflet_id)
    try:
        drafts.approve(project(), leaflet_id, access.account(), loaded=request.form.get("loaded", ""))
    except UserError as exc:
        return _page(leaflet_id, problems=shown_problems(exc.problems), status=409)
    version = drafts.check_draft(project(), leaflet_id, drafts.read_draft(project(), leaflet_id)).version
    audit.record("leaflet", leaflet=leaflet_id, version=version, detail="approved")
    # Translators: A reviewer approved the leaflet's draft; it can now be published.
    flash(_("Goedgekeurd. De folder kan nu gepubliceerd worden."), "saved")
    return redirect(url_for("editor.edit", leaflet_id=leaflet_id))


@blueprint.route("/editor/<leaflet_id>/publish", methods=["POST"])
@access.requires("print")
def publish(leaflet_id: str):
    from ..translate.workflow import update

    _known(leaflet_id)
    try:
        published = drafts.publish_draft(project(), leaflet_id, by=access.account().name)
    except UserError as exc:
        return _page(leaflet_id, problems=shown_problems(exc.problems), status=409)
    # The catalogs learn the new Dutch: its changed units are marked out of date (fuzzy).
    try:
        update(project())
    except UserError:
        pass                # a catalog with errors: the translations page says so
    audit.record("leaflet", leaflet=leaflet_id, version=published.version, detail="published")
    # Translators: The leaflet's new version is published: it is what every leaflet printed from
    # now on says; %(version)s is its version number.
    flash(_("Versie %(version)s is gepubliceerd. Vertalingen van veranderde tekstdelen zijn verouderd.",
            version=published.version), "saved")
    return redirect(url_for("editor.edit", leaflet_id=leaflet_id))


@blueprint.route("/editor/<leaflet_id>/discard", methods=["POST"])
@access.requires("edit_leaflet")
def discard(leaflet_id: str):
    _known(leaflet_id)
    try:
        drafts.discard_draft(project(), leaflet_id, loaded=request.form.get("loaded", ""))
    except UserError as exc:
        return _page(leaflet_id, problems=shown_problems(exc.problems), status=409)
    if leaflet_id not in project().leaflet_ids():
        return redirect(url_for("editor.index"))
    return redirect(url_for("editor.edit", leaflet_id=leaflet_id))


@blueprint.route("/editor/<leaflet_id>/versions/<version>")
@access.requires("print")
def earlier(leaflet_id: str, version: str):
    _known(leaflet_id)
    found = versions.version(project(), leaflet_id, version)
    if found is None:
        abort(404)
    try:
        text = versions.read_version(project(), leaflet_id, version).decode("utf-8", "replace")
    except UserError as exc:
        return _page(leaflet_id, problems=shown_problems(exc.problems), status=409)
    return render_template("editor_version.html", leaflet_id=leaflet_id, found=found, text=text)
