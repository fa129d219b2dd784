"""Reviewers' questions about a leaflet's Dutch, shown to its editor beside the text, and settled
there once answered (inputs.questions).

    POST /editor/<id>/questions/<n>/done     question n settled (`loaded`: the file's digest)

A question whose unit the text no longer has is marked: the text changed since it was asked.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for

from ..errors import UserError
from ..inputs.project import LEAFLET_ID
from ..inputs.questions import questions_path, read_questions, settle
from ..translate.review.records import text_hash
from . import access, audit, revisions
from .context import project
from .i18n import _

blueprint = Blueprint("questions", __name__)


def editor_questions(leaflet_id: str, units: set[str] | None) -> dict:
    """The editor page's questions: each with its number and whether the text (whose units'
    texts are `units`; None: not known) still has the unit asked about, and the file's digest."""
    try:
        asked, raw = read_questions(project(), leaflet_id)
    except UserError:
        # Translators: The leaflet editor: the file with reviewers' questions cannot be read.
        return {"questions": [], "questions_digest": "", "may_settle": False,
                "questions_error": _("De vragen van reviewers kunnen nu niet gelezen worden.")}
    hashes = None if units is None else {text_hash(unit) for unit in units}
    shown = [{"number": number, "question": question,
              "gone": hashes is not None and question.unit not in hashes and bool(question.nl)}
             for number, question in enumerate(asked)]
    return {"questions": shown, "questions_digest": revisions.digest(raw), "questions_error": "",
            "may_settle": access.may("edit_leaflet")}


@blueprint.route("/editor/<leaflet_id>/questions/<int:number>/done", methods=["POST"])
@access.requires("edit_leaflet")
def done(leaflet_id: str, number: int):
    from flask_wtf import FlaskForm

    if not FlaskForm().validate_on_submit():
        abort(400)
    if not LEAFLET_ID.match(leaflet_id) or leaflet_id not in project().leaflet_ids():
        abort(404)
    try:
        with revisions.saving(questions_path(project(), leaflet_id)):
            refusal = settle(project(), leaflet_id, number, request.form.get("loaded", ""))
    except UserError:
        refusal = True
    if refusal is not None:
        # Translators: The leaflet editor: a question could not be marked as answered because
        # someone asked or settled a question after the page was opened.
        flash(_("De vragen zijn intussen veranderd. Bekijk ze opnieuw hieronder."), "warning")
    else:
        audit.record("question", leaflet=leaflet_id, detail="settled")
        # Translators: The leaflet editor: a reviewer's question was marked as answered and removed.
        flash(_("De vraag is afgehandeld."), "saved")
    return redirect(url_for("editor.edit", leaflet_id=leaflet_id) + "#questions-title")
