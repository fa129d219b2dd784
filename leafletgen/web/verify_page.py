"""'Is deze folder nog actueel?': staff upload a PDF and hear whether it is the current approved text.

    GET  /controleren          the form
    POST /controleren          the PDF (multipart `pdf`): the verdict of `generate.py verify`

The check runs in one of the app's worker processes, under the same limits as a document: an
uploaded PDF may come from anyone. Nothing of it is kept.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from ..errors import UserError
from . import access
from .context import documents
from .i18n import N_, _
from .practices import CsrfForm
from .workers import RenderFailed

blueprint = Blueprint("verify", __name__)

STATES = {
    # Translators: The answer of the check page: the PDF is the current approved text.
    "current": (N_("Deze folder is actueel: de tekst is de goedgekeurde tekst van nu."), "saved"),
    # Translators: The answer of the check page: the PDF's words are not the current approved text.
    "text differs": (N_("Niet meegeven: de tekst van deze folder is niet de goedgekeurde tekst. "
                        "Maak de folder opnieuw."), "warning"),
    # Translators: The answer of the check page: a newer version of the leaflet exists.
    "older version": (N_("Niet meegeven: er is een nieuwere versie van deze folder. Maak de folder "
                         "opnieuw."), "warning"),
    # Translators: The answer of the check page: the PDF says it is a newer version than the one here.
    "newer than the sources": (N_("Deze folder is een nieuwere versie dan die in deze praktijk. "
                                  "Vraag de redactie welke versie geldt."), "warning"),
    # Translators: The answer of the check page: the leaflet, language or practice cannot be made now.
    "cannot be checked": (N_("Deze folder kan nu niet worden gecontroleerd: de folder, de taal of "
                             "de praktijk is hier niet (meer) compleet. Vraag de redactie."), "warning"),
    # Translators: The answer of the check page: the file is no leaflet this app made.
    "not a leafletgen PDF": (N_("Dit bestand is geen folder uit deze app (of het is door een ander "
                                "programma opnieuw opgeslagen)."), "warning"),
}


# A patient pack's leaflets, each in a few words beside what it is.
PART_STATES = {
    # Translators: On the check page, beside one leaflet of a patient pack: it is current.
    "current": N_("actueel"),
    # Translators: On the check page, beside one leaflet of a patient pack: its text is not the
    # approved text.
    "text differs": N_("tekst wijkt af"),
    # Translators: On the check page, beside one leaflet of a patient pack: a newer version exists.
    "older version": N_("er is een nieuwere versie"),
    # Translators: On the check page, beside one leaflet of a patient pack: it is newer than the
    # version here.
    "newer than the sources": N_("nieuwer dan de versie hier"),
    # Translators: On the check page, beside one leaflet of a patient pack: it cannot be checked now.
    "cannot be checked": N_("niet te controleren"),
}


def verify_in_worker(root: str, data: bytes) -> dict:
    """The verdict on `data` in a worker: its state and what it is (ids, never text of the PDF),
    and for a patient pack each leaflet's."""
    from pathlib import Path

    from ..inputs.project import Project
    from ..prove.verify import NOTE_NOT_CHECKED, verify_pdf

    verdict = verify_pdf(Project(Path(root)), data, "upload.pdf")
    parts = [{"state": part.state, "what": part.what} for part in verdict.parts]
    return {"state": verdict.state, "what": "" if parts else verdict.what, "parts": parts,
            "note": NOTE_NOT_CHECKED in verdict.details}


@blueprint.route("/controleren", methods=["GET", "POST"])
@access.requires("print")
def page():
    form = CsrfForm()
    answer, parts, note = None, [], ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        upload = request.files.get("pdf")
        if upload is None or not upload.filename:
            # Translators: The check page's form was sent without a file.
            answer = (_("Kies eerst een PDF-bestand."), "warning", "")
        else:
            service = documents()
            try:
                result = service.pool.run(service.time_limit, verify_in_worker, str(service.project.root),
                                          upload.stream.read())
            except (RenderFailed, UserError):
                result = {"state": "cannot be checked", "what": ""}
            text, kind = STATES.get(result["state"], STATES["cannot be checked"])
            answer = (_(text), kind, result["what"])
            if result.get("note"):
                # Translators: The check page: the PDF was printed with a personal note for one
                # patient; its words are not checked (only that copy has them).
                note = _("Er staat een persoonlijke notitie in; die is niet gecontroleerd.")
            parts = [(part["what"], _(PART_STATES.get(part["state"], PART_STATES["cannot be checked"])))
                     for part in result.get("parts", [])]
    return render_template("verify.html", form=form, answer=answer, parts=parts, note=note)
