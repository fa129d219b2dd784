"""The practice form and the profile file: what the file says (and its digest), the form's values,
the profile a filled-in form makes, each problem beside its field in the page's language, and what
another person changed since a form was filled.

The form is checked by exactly the code that checks practices/<id>.toml (`parse_practice`): the
profile the form would save is written as TOML text and validated as the file would be.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field

from ..errors import Message, Problem, UserError
from ..inputs.practice import PracticeProfile, brand_color, parse_practice
from ..inputs.project import PROFILE_MAX_BYTES
from . import revisions
from .context import project
from .i18n import _
from .messages import PROFILE_LABELS, problem_text

TEXT_FIELDS = ("name", "address", "phone", "email", "website", "color", "qr_url")
ORDER = ("name", "logo", "color", "address", "phone", "email", "website", "variants", "bilingual",
         "languages", "qr_url", "require_review")

LABELS = PROFILE_LABELS


@dataclass
class ProfileFile:
    """practices/<id>.toml as it is now: its bytes' digest, its data (as far as it can be read)
    and its problems."""

    digest: str = ""
    data: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    exists: bool = True


def read_profile(practice_id: str) -> ProfileFile:
    """What the profile file says now (for the form), its digest (kept, see revisions.py), and its
    problems if it is not valid."""
    from ..inputs.files import InputFileError, read_file

    file = f"practices/{practice_id}.toml"
    try:   # never through a link: a profile linked to a file elsewhere is not shown in the form
        raw = read_file(project().root, file, PROFILE_MAX_BYTES)
    except InputFileError as exc:
        code = "missing" if exc.missing else "logo_unreadable"
        return ProfileFile("", {}, [Problem(file, Message(code, exc.reason))], exists=not exc.missing)
    return ProfileFile(revisions.remember(raw), profile_data(raw), profile_problems(practice_id, raw))


def profile_data(raw: bytes | None) -> dict:
    try:
        data = tomllib.loads((raw or b"").decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def profile_problems(practice_id: str, raw: bytes) -> list[Problem]:
    file = f"practices/{practice_id}.toml"
    try:
        parse_practice(project(), practice_id, raw.decode("utf-8-sig", "replace"), file)
    except UserError as exc:
        return [p if isinstance(p, Problem) else Problem(file, str(p)) for p in exc.problems]
    return []


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


def field_errors(problems: list[Problem]) -> tuple[dict[str, list[str]], list[str]]:
    """Problems by form field (the key they name), and the ones that belong to no field, each in
    the page's language."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        key = (problem.field or "").split(".")[0]
        if key in PracticeProfile.model_fields:
            by_field.setdefault(key, []).append(problem_text(problem))
        else:
            general.append(problem_text(problem))
    return by_field, general


def form_values(data: dict) -> dict:
    values = {key: data.get(key, "") if isinstance(data.get(key, ""), str) else "" for key in TEXT_FIELDS}
    values["variants"] = data.get("variants", ["a4"]) if isinstance(data.get("variants"), list) else ["a4"]
    values["languages"] = data.get("languages", []) if isinstance(data.get("languages"), list) else []
    values["bilingual"] = data.get("bilingual") is True
    values["require_review"] = data.get("require_review") is True
    values["logo"] = data.get("logo") if isinstance(data.get("logo"), str) else ""
    return values


def profile_from_form(old: dict, form) -> dict:
    """The profile the form asks for: the file's data (keys the form has no field for kept, keys
    no profile may have dropped: the page said so), with the form's fields over it."""
    data = {key: value for key, value in old.items() if key in PracticeProfile.model_fields}
    for key in TEXT_FIELDS:
        text = form.get(key, "").replace("\r\n", "\n").strip()
        if text or key == "name":
            data[key] = text
        else:
            data.pop(key, None)
    data["variants"] = list(form.getlist("variants"))
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


def color_note(color: object) -> str:
    """Why the leaflets print the practice colour darker, if they do (in the page's language)."""
    if not isinstance(color, str):
        return ""
    try:
        fixed, note = brand_color(PracticeProfile.model_validate({"name": "x", "color": color}).color)
    except ValueError:
        return ""
    if note is None:
        return ""
    # Translators: The practice's colour is too light for text on white paper; %(color)s is the
    # darker colour code the leaflets use for text instead (e.g. #d43a74).
    return _("Deze kleur is te licht om te lezen; de tekst gebruikt daarom %(color)s.", color=fixed)


def changes(before: dict | None, now: dict, yours: dict) -> list[dict]:
    """What another person changed, field by field: (label, what it was when the form was filled,
    what it is now), when the version the form was filled from is still known; else what is saved
    now beside what the form asks for."""
    rows = []
    for key in ORDER:
        if before is not None:
            if before.get(key) != now.get(key):
                rows.append({"label": _(LABELS[key]), "then": shown(key, before.get(key)),
                             "now": shown(key, now.get(key))})
        elif now.get(key) != yours.get(key):
            rows.append({"label": _(LABELS[key]), "then": shown(key, yours.get(key)),
                         "now": shown(key, now.get(key))})
    return rows


def shown(key: str, value) -> str:
    """A profile value as staff read it (no file paths)."""
    if value is None or value == "" or value == []:
        # Translators: In the list of another person's changes: a setting that is empty.
        return _("(leeg)")
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if key == "logo":
        # Translators: In the list of another person's changes: a logo (a picture file).
        return _("een logo")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
