"""Load and validate a practice profile: practices/<id>.toml plus its logo.

Unknown keys are errors (a typo such as `colour = ` must not be silently ignored); every
problem of a profile is reported at once, each with its line in the TOML file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, field_validator
from pydantic_core import PydanticCustomError

from ..checks.contrast import AA_NORMAL, HEX_RE, contrast_ratio, darken_until
from ..errors import Message, Problem, UserError
from .files import InputFileError, relative_parts
from .characters import line_problems, script_problem, text_problem
from .logo import LOGO_MAX_BYTES, LogoShape, checked_logo, logo_shape
from .model import Practice
from .project import DEFAULT_PRACTICE_ID, PRACTICE_ID, PROFILE_MAX_BYTES, Project
from .validation import key_lines, parse_toml, validate_model
from ..typeset.variants import DEFAULT_VARIANT, VARIANTS

DEFAULT_COLOR = "#1d5e8c"
PAPER = "#ffffff"

_URL_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s\"'<>\\]*)?$")
_EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{6,25}$")


# Profile fields are contact details, printed in the practice block and the footer of every
# page: short, and one line each, except the address. (characters per line, lines)
FIELD_LIMITS = {"name": (80, 1), "address": (60, 3), "phone": (25, 1), "email": (80, 1),
                "website": (100, 1), "qr_url": (200, 1), "logo": (200, 1)}


def _refuse(code: str, text: str, **params) -> PydanticCustomError:
    """A validator's refusal as (code, params) with its English text; the text is passed as a
    value, so braces in it ({leaflet}) are not read as placeholders."""
    return PydanticCustomError(code, "{english}", {"english": text, **params})


def field_limit_problem(field: str, value: str) -> PydanticCustomError | None:
    """Too long, or too many lines, for `field` (FIELD_LIMITS); None when it fits."""
    width, most_lines = FIELD_LIMITS[field]
    lines = value.split("\n")
    if most_lines == 1 and len(lines) > 1:
        return _refuse("one_line", "must be one line", max_lines=1)
    if len(lines) > most_lines:
        return _refuse("too_many_lines", f"has {len(lines)} lines; at most {most_lines} fit on a leaflet",
                       lines=len(lines), max_lines=most_lines)
    for number, line in enumerate(lines, 1):
        if len(line) > width:
            where = f"line {number} " if most_lines > 1 else ""
            return _refuse("line_too_long" if most_lines > 1 else "too_long",
                           f"{where}has {len(line)} characters; at most {width} fit on a leaflet",
                           line=number, length=len(line), max_length=width)
    return None


class PracticeProfile(BaseModel):
    """The keys a practice profile may have (docs/editors.md, "A practice's profile")."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr
    logo: StrictStr | None = None
    color: StrictStr = DEFAULT_COLOR
    address: StrictStr = ""
    phone: StrictStr = ""
    email: StrictStr = ""
    website: StrictStr = ""
    variants: list[StrictStr] = Field(default_factory=lambda: [DEFAULT_VARIANT])
    bilingual: StrictBool = False
    languages: list[StrictStr] = Field(default_factory=list)
    qr_url: StrictStr = ""
    require_review: StrictBool = False

    @field_validator("name", "address", "phone", "email", "website", "qr_url", "logo")
    @classmethod
    def _printable(cls, value: str | None, info) -> str | None:
        if value is None:
            return value
        value = "\n".join(line.strip() for line in value.strip().split("\n"))
        limit = field_limit_problem(info.field_name, value)
        if limit is not None:
            raise limit
        problem = text_problem(value, allow_newline=info.field_name == "address")
        if problem:
            raise _refuse("unprintable", problem)
        if info.field_name in ("name", "address", "phone"):
            # Printed on every leaflet: the digits and letters of the practice's language.
            from ..translate.languages import source_table

            problem = script_problem(value, source_table(None))
            if problem:
                raise _refuse("script", problem)
        if info.field_name == "name" and not value:
            raise _refuse("empty", "must not be empty: the practice's name as patients know it")
        return value

    @field_validator("color")
    @classmethod
    def _color(cls, value: str) -> str:
        if not HEX_RE.match(value):
            raise _refuse("color_format", 'must be a colour written as #rrggbb, e.g. "#1d5e8c"')
        return value.lower()

    @field_validator("website")
    @classmethod
    def _website(cls, value: str) -> str:
        if value and not _URL_RE.match(value):
            raise _refuse("url_format", "must be a web address starting with https:// or http://")
        return value

    @field_validator("qr_url")
    @classmethod
    def _qr_url(cls, value: str) -> str:
        probe = value.replace("{leaflet}", "x").replace("{lang}", "nl").replace("{variant}", "a4")
        if value and not _URL_RE.match(probe):
            raise _refuse("qr_url_format", "must be a web address starting with https:// or http:// "
                                           "(it may contain {leaflet}, {lang} and {variant})")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL_RE.match(value):
            raise _refuse("email_format", "must be an e-mail address such as info@praktijk.nl")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not _PHONE_RE.match(value):
            raise _refuse("phone_format", "must be a phone number of digits, spaces, +, -, ( and ), "
                                          "e.g. 030 123 45 67")
        return value

    @field_validator("variants")
    @classmethod
    def _variants(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in VARIANTS]
        if unknown:
            raise _refuse("unknown_variants", f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}",
                          names=", ".join(unknown))
        if not value:
            raise _refuse("no_variant", "list at least one variant")
        return list(dict.fromkeys(value))

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not re.match(r"^[a-z]{2,3}(_[A-Z]{2})?$", v)]
        if bad:
            raise _refuse("language_codes", f"language codes look like 'tr' or 'pt_BR', not {', '.join(bad)}",
                          codes=", ".join(bad))
        return value


def brand_color(color: str) -> tuple[str, str | None]:
    """The practice colour, darkened if text in it would not reach 4.5:1 on paper; and a note if so."""
    fixed = darken_until(color, [PAPER])
    if fixed == color:
        return color, None
    return fixed, (f"color {color} has contrast {contrast_ratio(color, PAPER):.1f}:1 on white, "
                   f"below {AA_NORMAL}:1 (WCAG AA); text uses the darker {fixed} "
                   f"({contrast_ratio(fixed, PAPER):.1f}:1)")


def default_practice(project: Project) -> Practice:
    """No --practice: neutral, without logo or contact details."""
    return Practice(id=DEFAULT_PRACTICE_ID, name="", color=DEFAULT_COLOR)


def load_practice(project: Project, practice_id: str | None) -> Practice:
    if practice_id is None or practice_id == DEFAULT_PRACTICE_ID:
        return default_practice(project)
    file = f"practices/{practice_id}.toml"
    if not PRACTICE_ID.match(practice_id) or practice_id not in project.practice_ids():
        known = ", ".join(project.practice_ids()) or "none"
        raise UserError(f"unknown practice {practice_id!r}; known practices: {known}")
    try:
        # Not through a link: a profile linked to a file elsewhere is neither read nor echoed.
        raw = project.read(file, PROFILE_MAX_BYTES)
    except InputFileError as exc:
        raise UserError(Problem(file, exc.reason)) from None
    try:
        text = raw.decode("utf-8-sig")  # a BOM (Windows Notepad) is fine
    except UnicodeDecodeError as exc:
        raise UserError(Problem(file, f"is not UTF-8 text (byte {exc.start})")) from None
    return parse_practice(project, practice_id, text, file)


def parse_practice(project: Project, practice_id: str, text: str, file: str) -> Practice:
    """A profile's TOML text, validated (every problem at once, each with its line and key).

    `load_practice` reads practices/<id>.toml through this; the web app's settings form checks the
    profile it is about to save through it too, so both give the same messages."""
    # Invisible and direction-changing characters, in values and comments alike, with their line.
    characters = line_problems(text)
    if characters:
        raise UserError([Problem(file, Message("unprintable", message), line=number)
                         for number, message in characters])
    data = parse_toml(text, file, "a profile")
    lines = key_lines(text)
    profile, problems = validate_model(PracticeProfile, data, file, lines.get, missing_line=1)
    logo_path, logo_type, shape = None, "", LogoShape()
    # The logo is checked even when other keys are wrong: every problem of a profile at once.
    logo = data.get("logo") if isinstance(data, dict) else None
    if isinstance(logo, str) and logo:
        logo_path, logo_type, logo_errs, shape = resolve_logo(project, logo)
        problems.extend(Problem(file, msg, line=lines.get("logo"), field="logo") for msg in logo_errs)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise UserError(problems)
    assert profile is not None
    # The practice's folder and its templates: real folders, not links to somewhere else.
    for folder in (f"practices/{practice_id}", f"practices/{practice_id}/templates"):
        if project.kind(folder) == "symlink":
            raise UserError(Problem(folder, Message("folder_link", "is a symbolic link; a practice's folder "
                                                   "and its templates must be real folders inside practices/")))
    color, note = brand_color(profile.color)
    template_dir = project.practices_dir / practice_id / "templates"
    return Practice(
        id=practice_id, name=profile.name, color=color, address=profile.address,
        phone=profile.phone, email=profile.email, website=profile.website,
        logo=logo_path, logo_type=logo_type,
        logo_shape=(shape.aspect, shape.ink_width, shape.ink_height),
        template_dir=template_dir if project.kind(f"practices/{practice_id}/templates") == "dir"
        else None,
        variants=tuple(profile.variants), bilingual=profile.bilingual,
        languages=tuple(profile.languages), qr_url=profile.qr_url,
        require_review=profile.require_review,
        notes=(f"{file}:{lines.get('color', 1)}: {note}",) if note else (),
    )


def resolve_logo(project: Project, logo: str) -> tuple[Path | None, str, list[str], LogoShape]:
    """The logo file, checked: inside practices/ (no `..`, no link), a real PNG/JPEG/SVG, within
    the limits; and its proportions, for sizing it by area (logo.logo_box)."""
    try:
        parts = relative_parts(logo)
    except InputFileError:
        return None, "", [Message("logo_outside", f"logo {logo!r} must be a file inside practices/")], LogoShape()
    relative = "practices/" + "/".join(parts)
    try:
        data = project.read(relative, LOGO_MAX_BYTES)
    except InputFileError as exc:
        if exc.missing:
            return None, "", [Message("logo_missing", f"logo file {logo!r} not found in practices/")], LogoShape()
        if exc.kind == "not a file":
            return None, "", [Message("logo_missing", f"logo {logo!r} is not a file")], LogoShape()
        return None, "", [Message("logo_unreadable", f"logo {logo!r} {exc.reason}")], LogoShape()
    mime, errors = checked_logo(data, logo)
    if errors:
        return None, mime, list(errors), LogoShape()
    path = Path(os.path.normpath(project.root.resolve() / relative))
    return path, mime, [], logo_shape(data, mime)
