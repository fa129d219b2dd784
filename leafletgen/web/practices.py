"""Practices in the app: the list, a new practice, its settings (the profile's fields and the
logo), and retiring one.

    GET  /practices                    the list
    GET  /practices/new, POST          a new practice: its id is made from its name
    GET  /practices/<id>, POST         its settings (the form carries the digest of the file)
    GET  /practices/<id>/retire, POST  retire it, after a confirmation

Saving is atomic: an uploaded logo is checked first, then written under a new name in
practices/<id>/ (the good logo in use is never overwritten), then the profile is renamed into
place; if anything is refused, nothing changes. A save over a profile that changed since the
form was filled is refused, and the other change shown (revisions.py).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from ..atomic_write import write_atomic
from ..errors import Problem, UserError
from ..inputs.logo import LOGO_MAX_BYTES
from ..inputs.practice import parse_practice
from ..inputs.project import SOURCE_LANGUAGE
from ..typeset.variants import VARIANTS
from . import access, audit, library, practice_files, revisions
from .choice import VARIANT_TEXTS, Choice
from .context import project
from .i18n import _
from .messages import problem_text
from .practice_form import (changes, color_note, field_errors, form_values, profile_data,
                            profile_from_form, read_profile, toml_text)

blueprint = Blueprint("practices", __name__)


class CsrfForm(FlaskForm):
    """Only the CSRF token: the fields are checked by the profile's own validation."""


def _page(practice_id: str | None, values: dict, errors: dict, general: list[str], status: int = 200, *,
          digest: str = "", attempted: bool = False, conflict: list | None = None):
    """The settings form: `practice_id` None for a new practice. `attempted`: this page answers a
    save (only then does it say "not saved")."""
    proj = project()
    first = next((info.id for info in library.leaflets(proj) if not info.problem), None)
    preview = None
    if practice_id and first and not errors and not general and conflict is None:
        preview = Choice(first, SOURCE_LANGUAGE, practice_id, "a4", False, False)
    return render_template(
        "practice.html", practice_id=practice_id, values=values, errors=errors, general=general,
        form=CsrfForm(), preview=preview, logo_max_mb=LOGO_MAX_BYTES // (1024 * 1024),
        digest=digest, attempted=attempted, conflict=conflict,
        color_note=color_note(values.get("color")) if "color" not in errors else "",
        variants=[(name, _(VARIANT_TEXTS[name][0]), _(VARIANT_TEXTS[name][1])) for name in VARIANTS],
        languages=[info for info in library.languages(proj) if info.lang != SOURCE_LANGUAGE],
    ), status


def _known(practice_id: str) -> None:
    if practice_id not in project().practice_ids():
        abort(404)


def _checked_form() -> None:
    if not CsrfForm().validate_on_submit():
        abort(400)


@blueprint.route("/practices")
def index():
    return render_template("practices.html", practices=access.visible(library.practices(project())))


@blueprint.route("/practices/new", methods=["GET"])
@access.requires("manage_practices")
def new():
    return _page(None, form_values({"variants": ["a4"]}), {}, [])


@blueprint.route("/practices/new", methods=["POST"])
@access.requires("manage_practices")
def create():
    """A new practice from the form: its id made from its name (unique, valid), its profile
    checked like any other and written only if valid, never over another practice's file."""
    _checked_form()
    proj = project()
    data = profile_from_form({}, request.form)
    practice_id = practice_files.practice_id_for(data.get("name", ""), practice_files.taken_ids(proj))
    upload = request.files.get("logo")
    new_logo = None
    if upload is not None and upload.filename:
        relative, logo_errors = practice_files.store_logo(proj, practice_id, upload)
        if logo_errors:
            return _page(None, form_values(data), {"logo": _worded(logo_errors, "logo")}, [], 422,
                         attempted=True)
        new_logo = proj.practices_dir / relative
        data["logo"] = relative
    text = toml_text(data)
    file = f"practices/{practice_id}.toml"
    try:
        parse_practice(proj, practice_id, text, file)
    except UserError as exc:
        practice_files.discard_logo(proj, new_logo, None)
        errors, general = field_errors([p if isinstance(p, Problem) else Problem(file, str(p)) for p in exc.problems])
        return _page(None, form_values(data), errors, general, 422, attempted=True)
    if not practice_files.create_profile(proj.practices_dir / f"{practice_id}.toml", text):
        abort(409)      # the same id made by another request between the two lines above
    audit.record("practice", practice=practice_id, detail="created")
    # Translators: Shown after a new practice was made; %(name)s is its name.
    flash(_("De praktijk %(name)s is aangemaakt.", name=data["name"]), "saved")
    return redirect(url_for("practices.edit", practice_id=practice_id))


@blueprint.route("/practices/<practice_id>", methods=["GET"])
def edit(practice_id: str):
    _known(practice_id)
    profile = read_profile(practice_id)
    errors, general = field_errors(profile.problems)
    return _page(practice_id, form_values(profile.data), errors, general, digest=profile.digest)


@blueprint.route("/practices/<practice_id>/logo")
def logo(practice_id: str):
    """The logo in use, to show beside the upload field (only a logo the profile validly names)."""
    from flask import send_file

    from ..inputs.practice import load_practice

    _known(practice_id)
    try:
        practice = load_practice(project(), practice_id)
    except UserError:
        abort(404)
    if practice.logo is None:
        abort(404)
    response = send_file(practice.logo, mimetype=practice.logo_type, max_age=0)
    # An SVG opened on its own runs in a sandbox without scripts (it has none; this is belt and braces).
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@blueprint.route("/practices/<practice_id>", methods=["POST"])
@access.requires("edit_practice")
def save(practice_id: str):
    """The form saved as the profile, if the file is still the one the form was filled from and
    the profile the form makes is valid: an uploaded logo is checked and written first (under a
    name of its own), then the profile; anything refused, and the form comes back with the
    messages beside their fields, the files as they were."""
    _known(practice_id)
    _checked_form()
    proj = project()
    path = proj.practices_dir / f"{practice_id}.toml"
    with revisions.saving(path):
        profile = read_profile(practice_id)
        data = profile_from_form(profile.data, request.form)
        if profile.digest != request.form.get("digest", ""):
            return _conflict(practice_id, profile, data)
        new_logo = None
        upload = request.files.get("logo")
        if upload is not None and upload.filename:
            relative, logo_errors = practice_files.store_logo(proj, practice_id, upload)
            if logo_errors:
                values = form_values(data)   # the form again, with the logo in use
                values["logo"] = profile.data.get("logo", "") if isinstance(profile.data.get("logo"), str) else ""
                return _page(practice_id, values, {"logo": _worded(logo_errors, "logo")}, [], 422,
                             digest=profile.digest, attempted=True)
            new_logo = proj.practices_dir / relative
            data["logo"] = relative
        text = toml_text(data)
        file = f"practices/{practice_id}.toml"
        try:
            parse_practice(proj, practice_id, text, file)
        except UserError as exc:
            errors, general = field_errors([p if isinstance(p, Problem) else Problem(file, str(p))
                                            for p in exc.problems])
            practice_files.discard_logo(proj, new_logo, profile.data.get("logo"))
            return _page(practice_id, form_values(data), errors, general, 422, digest=profile.digest,
                         attempted=True)
        write_atomic(path, text)
    changed = sorted(key for key in set(profile.data) | set(data)
                     if key != "logo" and profile.data.get(key) != data.get(key))
    if changed:
        audit.record("profile", practice=practice_id, detail=", ".join(changed))
    previous = profile.data.get("logo")
    if previous != data.get("logo"):
        audit.record("logo", practice=practice_id, detail="new" if data.get("logo") else "removed")
    if isinstance(previous, str) and previous != data.get("logo"):
        practice_files.discard_logo(proj, proj.practices_dir / previous, data.get("logo"), only_uploaded=practice_id)
    # Translators: Shown after the practice's settings were saved.
    flash(_("Opgeslagen."), "saved")
    return redirect(url_for("practices.edit", practice_id=practice_id))


def _worded(messages: list, field: str) -> list[str]:
    return [problem_text(Problem("", message, field=field)) for message in messages]


def _conflict(practice_id: str, profile, data: dict):
    """The form again, as filled in, with what another person changed since it was filled (the
    version it was filled from, when it is still known) and the digest of the file as it is now:
    saving again, after a look, saves over it."""
    before = revisions.recall(request.form.get("digest", ""))
    rows = changes(profile_data(before) if before is not None else None, profile.data, data)
    return _page(practice_id, form_values(data), {}, [], 409, digest=profile.digest, attempted=True,
                 conflict=rows)


@blueprint.route("/practices/<practice_id>/retire", methods=["GET"])
@access.requires("manage_practices")
def retire_page(practice_id: str):
    _known(practice_id)
    profile = read_profile(practice_id)
    info = next(info for info in library.practices(project()) if info.id == practice_id)
    return render_template("retire.html", practice=info, digest=profile.digest, form=CsrfForm(),
                           conflict=None)


@blueprint.route("/practices/<practice_id>/retire", methods=["POST"])
@access.requires("manage_practices")
def retire(practice_id: str):
    """Retire the practice (practice_files.retire_profile), if its profile is still the one the
    confirmation page was made from."""
    _known(practice_id)
    _checked_form()
    proj = project()
    info = next(info for info in library.practices(proj) if info.id == practice_id)
    path = proj.practices_dir / f"{practice_id}.toml"
    with revisions.saving(path):
        profile = read_profile(practice_id)
        if profile.digest != request.form.get("digest", ""):
            before = revisions.recall(request.form.get("digest", ""))
            rows = changes(profile_data(before) if before is not None else None, profile.data, profile.data)
            return render_template("retire.html", practice=info, digest=profile.digest, form=CsrfForm(),
                                   conflict=rows), 409
        practice_files.retire_profile(proj, practice_id)
    audit.record("practice", practice=practice_id, detail="retired")
    # Translators: Shown after a practice was retired; %(name)s is its name.
    flash(_("De praktijk %(name)s is gearchiveerd. Haar folders worden de volgende keer dat alle "
            "folders gemaakt worden, verwijderd.", name=info.name), "saved")
    return redirect(url_for("practices.index"))
