"""Practice settings: the profile's fields and the logo, edited in a form.

The form is checked by exactly the code that checks practices/<id>.toml (`parse_practice`): the
profile the form would save is written as TOML text and validated as the file would be, so the
messages are the same, each shown beside its field. Saving is atomic: an uploaded logo is checked
first, then written under a new name in practices/<id>/ (the good logo in use is never
overwritten), then the profile is renamed into place; if anything is refused, nothing changes.
"""

from __future__ import annotations

import hashlib
import json
import tomllib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from ..errors import Problem, UserError
from ..logo import LOGO_MAX_BYTES, logo_problems
from ..atomic_write import write_atomic
from ..practice import PracticeProfile, parse_practice
from ..project import SOURCE_LANGUAGE
from ..variants import VARIANTS
from . import library
from .choice import VARIANT_TEXTS, Choice
from .context import project
from .i18n import _

blueprint = Blueprint("practices", __name__)

TEXT_FIELDS = ("name", "address", "phone", "email", "website", "color", "qr_url")
ORDER = ("name", "logo", "color", "address", "phone", "email", "website", "variants", "bilingual",
         "languages", "qr_url", "require_review")
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


class CsrfForm(FlaskForm):
    """Only the CSRF token: the fields are checked by the profile's own validation."""


def toml_text(data: dict) -> str:
    """A profile as TOML (strings, booleans and lists of strings, which is all a profile has)."""
    def value(item) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, (int, float)):
            return repr(item)
        if isinstance(item, list):
            return "[" + ", ".join(value(element) for element in item) + "]"
        return json.dumps(str(item), ensure_ascii=False).replace("\x7f", "\\u007f")

    keys = [key for key in ORDER if key in data] + sorted(key for key in data if key not in ORDER)
    lines = ["# Practice profile, saved from the settings page of `python generate.py serve`."]
    lines += [f"{key} = {value(data[key])}" for key in keys]
    return "\n".join(lines) + "\n"


def _raw_profile(practice_id: str) -> tuple[dict, list[Problem]]:
    """What the profile file says now (for the form), and its problems if it is not valid."""
    from ..files import InputFileError, read_file
    from ..practice import PROFILE_MAX_BYTES

    path = project().practices_dir / f"{practice_id}.toml"
    try:   # never through a link: a profile linked to a file elsewhere is not shown in the form
        raw = read_file(project().root, f"practices/{practice_id}.toml", PROFILE_MAX_BYTES)
    except InputFileError as exc:
        return {}, [Problem(f"practices/{practice_id}.toml", exc.reason)]
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        data = {}
    try:
        parse_practice(project(), practice_id, raw.decode("utf-8-sig", "replace"), project().rel(path))
        problems = []
    except UserError as exc:
        problems = [p if isinstance(p, Problem) else Problem(project().rel(path), str(p)) for p in exc.problems]
    return data, problems


def _field_errors(problems: list[Problem]) -> tuple[dict[str, list[str]], list[str]]:
    """Problems by form field (the key they name), and the ones that belong to no field."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        key = (problem.field or "").split(".")[0]
        if key in PracticeProfile.model_fields:
            by_field.setdefault(key, []).append(problem.message)
        else:
            general.append(str(problem))
    return by_field, general


def _form_values(data: dict) -> dict:
    values = {key: data.get(key, "") for key in TEXT_FIELDS}
    values["variants"] = data.get("variants", ["a4"]) if isinstance(data.get("variants"), list) else ["a4"]
    values["languages"] = data.get("languages", []) if isinstance(data.get("languages"), list) else []
    values["bilingual"] = data.get("bilingual") is True
    values["require_review"] = data.get("require_review") is True
    values["logo"] = data.get("logo") if isinstance(data.get("logo"), str) else ""
    return {key: (value if not isinstance(value, str) else value) for key, value in values.items()}


def _page(practice_id: str, values: dict, errors: dict, general: list[str], status: int = 200, notes=()):
    proj = project()
    first = next((info.id for info in library.leaflets(proj) if not info.problem), None)
    preview = Choice(first, SOURCE_LANGUAGE, practice_id, "a4", False, False) if first and not errors \
        and not general else None
    return render_template(
        "practice.html", practice_id=practice_id, values=values, errors=errors, general=general,
        form=CsrfForm(), preview=preview, notes=notes, logo_max_mb=LOGO_MAX_BYTES // (1024 * 1024),
        variants=[(name, _(VARIANT_TEXTS[name][0]), _(VARIANT_TEXTS[name][1])) for name in VARIANTS],
        languages=[info for info in library.languages(proj) if info.lang != SOURCE_LANGUAGE],
    ), status


def _known(practice_id: str) -> None:
    if practice_id not in project().practice_ids():
        abort(404)


@blueprint.route("/practices")
def index():
    return render_template("practices.html", practices=library.practices(project()))


@blueprint.route("/practices/<practice_id>", methods=["GET"])
def edit(practice_id: str):
    _known(practice_id)
    data, problems = _raw_profile(practice_id)
    errors, general = _field_errors(problems)
    return _page(practice_id, _form_values(data), errors, general)


@blueprint.route("/practices/<practice_id>/logo")
def logo(practice_id: str):
    """The logo in use, to show beside the upload field (only a logo the profile validly names)."""
    from flask import send_file

    from ..practice import load_practice

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
def save(practice_id: str):
    """The form saved as the profile, if the profile it makes is valid: an uploaded logo is
    checked and written first (under a name of its own), then the profile; anything refused, and
    the form comes back with the messages beside their fields, the files as they were."""
    _known(practice_id)
    form = CsrfForm()
    if not form.validate_on_submit():
        abort(400)
    proj = project()
    path = proj.practices_dir / f"{practice_id}.toml"
    file = proj.rel(path)
    old, _problems = _raw_profile(practice_id)
    data = _profile_from_form(old, request.form)
    new_logo = None
    upload = request.files.get("logo")
    if upload is not None and upload.filename:
        relative, logo_errors = _store_logo(practice_id, upload)
        if logo_errors:
            # The form again, with the logo in use.
            values = _form_values(data)
            values["logo"] = old.get("logo", "") if isinstance(old.get("logo"), str) else ""
            return _page(practice_id, values, {"logo": logo_errors}, [], 422)
        new_logo = proj.practices_dir / relative
        data["logo"] = relative

    text = toml_text(data)
    try:
        practice = parse_practice(proj, practice_id, text, file)
    except UserError as exc:
        problems = [p if isinstance(p, Problem) else Problem(file, str(p)) for p in exc.problems]
        errors, general = _field_errors(problems)
        _discard(new_logo, old.get("logo"))
        return _page(practice_id, _form_values(data), errors, general, 422)

    write_atomic(path, text)
    library.forget_practice(proj, practice_id)
    previous = old.get("logo")
    if isinstance(previous, str) and previous != data.get("logo"):
        _discard(proj.practices_dir / previous, data.get("logo"), only_uploaded=practice_id)
    # Translators: Shown after the practice's settings were saved.
    flash(_("Opgeslagen."), "saved")
    for note in practice.notes:
        flash(note, "note")
    return redirect(url_for("practices.edit", practice_id=practice_id))


def _profile_from_form(old: dict, form) -> dict:
    """The profile the form asks for: the file's data (keys the form has no field for kept),
    with the form's fields over it."""
    data = dict(old)
    for key in TEXT_FIELDS:
        text = form.get(key, "").replace("\r\n", "\n").strip()
        if text or key == "name":
            data[key] = text
        else:
            data.pop(key, None)
    data["variants"] = [v for v in form.getlist("variants")]
    languages = form.getlist("languages")
    if languages:
        data["languages"] = languages
    else:
        data.pop("languages", None)
    data["bilingual"] = form.get("bilingual") == "1"
    if form.get("require_review") == "1":
        data["require_review"] = True
    else:   # unticked: the default, so the key is left out rather than written as false
        data.pop("require_review", None)
    if form.get("remove_logo") == "1":
        data.pop("logo", None)
    return data


def _store_logo(practice_id: str, upload) -> tuple[str, list[str]]:
    """An uploaded logo, checked as a profile's logo is, written to practices/<id>/logo-<hash>.<ext>
    (never over the logo in use): (its path inside practices/, []), or ("", why it is refused)."""
    folder = project().practices_dir / practice_id
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return "", [f"practices/{practice_id} is a link or not a folder; a logo is only saved "
                    "into a real folder inside practices/"]
    content = upload.stream.read(LOGO_MAX_BYTES + 1)
    name = upload.filename[-80:]
    if len(content) > LOGO_MAX_BYTES:
        return "", [f"logo {name!r} is larger than {LOGO_MAX_BYTES:,} bytes; the limit is "
                    f"{LOGO_MAX_BYTES:,} bytes"]
    mime, logo_errors = logo_problems(content, name)
    if logo_errors:
        return "", logo_errors
    digest = hashlib.sha256(content).hexdigest()[:12]
    relative = f"{practice_id}/logo-{digest}.{EXTENSIONS[mime]}"
    logo = project().practices_dir / relative
    if not logo.exists():
        write_atomic(logo, content)
    return relative, []


def _discard(path, keep: str | None, only_uploaded: str = "") -> None:
    """Remove a logo this page uploaded (into practices/<only_uploaded>/) that the profile no
    longer names; or, without `only_uploaded`, the file just written for a refused profile."""
    if path is None:
        return
    proj = project()
    try:
        resolved = path.resolve()
        folder = proj.practices_dir.resolve()
    except OSError:
        return
    if not resolved.is_relative_to(folder) or (keep and resolved == (proj.practices_dir / keep).resolve()):
        return
    if only_uploaded and not (resolved.name.startswith("logo-") and resolved.parent == folder / only_uploaded):
        return
    if resolved.is_file() and not resolved.is_symlink():
        resolved.unlink(missing_ok=True)
