"""Review records: who translated a leaflet and how, who reviewed it, when, and exactly what.

One record per leaflet and language, beside its catalog, in TOML a person can read and edit:
translations/<lang>/LC_MESSAGES/<leaflet-id>.review.toml

    leaflet = "lage-rugklachten"
    language = "de"

    [translation]
    by = "leafletgen contributors"
    method = "machine-assisted"          # or "human"

    [review]                              # absent: no person has reviewed it
    by = "A. Jansen"
    date = 2026-12-01

    [[review.units]]                      # one per unit the reviewer read
    domain = "lage-rugklachten"
    nl = "Lage rugklachten"               # the start of the Dutch text, for people; not checked
    source = "<sha256 of the Dutch text>"
    translation = "<sha256 of the translation>"

    [[approved]]                          # one per unit approved on the review page
    domain = "lage-rugklachten"
    nl = "Lage rugklachten"
    source = "<sha256 of the Dutch text>"
    translation = "<sha256 of the translation approved>"
    by = "A. Jansen"                      # as printed; account and role: who signed in
    account = "ajansen"
    role = "reviewer"
    date = 2026-12-01

[review] may also name the `account` and `role` that recorded it (the review page does).

This module reads (checked, like every input) and writes the file; whether the review still
covers the translation as it is now is review_state.py, recording a new review
review_command.py. The hashes are of the texts: ordering and line wrapping in the .po file do
not matter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from ...errors import Problem, UserError
from ...inputs.project import REVIEW_SUFFIX, Project, review_file

RECORD_SUFFIX = REVIEW_SUFFIX
RECORD_MAX_BYTES = 1024 * 1024
METHODS = ("human", "machine-assisted")
NAME_MAX = 120
_HEX64 = r"^[0-9a-f]{64}$"


def record_path(project: Project, leaflet_id: str, lang: str) -> Path:
    """translations/<lang>/LC_MESSAGES/<leaflet-id>.review.toml, beside the leaflet's catalog."""
    return project.root / review_file(leaflet_id, lang)


def text_hash(text) -> str:
    """sha256 of a unit's text; a plural message's forms are joined with NUL."""
    if isinstance(text, (list, tuple)):
        text = "\0".join(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()



# ---- The record ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewedUnit:
    domain: str
    source: str          # text_hash of the Dutch msgid
    translation: str     # text_hash of the msgstr
    nl: str = ""         # a label for people


@dataclass(frozen=True)
class Approval:
    """One unit approved on the review page: its Dutch and translation as the approver read them."""

    domain: str
    source: str          # text_hash of the Dutch msgid
    translation: str     # text_hash of the msgstr approved
    by: str              # the approver's name as printed
    account: str
    role: str
    date: dt.date
    nl: str = ""


@dataclass(frozen=True)
class Record:
    leaflet: str
    language: str
    translated_by: str = ""
    method: str = ""                        # "human", "machine-assisted", or "" (not recorded)
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None
    units: tuple[ReviewedUnit, ...] = ()
    reviewer_account: str = ""              # the account that recorded the review, if any
    reviewer_role: str = ""
    approvals: tuple[Approval, ...] = ()

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by) and self.reviewed_on is not None


@lru_cache(maxsize=1)
def _models():
    """The record's schema (pydantic, imported only when a record is read). Unknown keys are
    errors, as in a practice profile: a typo must not pass silently."""
    from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

    from ...inputs.characters import text_problem

    def printable(value: str) -> str:
        problem = text_problem(value, allow_newline=False)
        if problem:
            raise ValueError(problem)
        return value.strip()

    def plain_date(value):
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ValueError("write the date as a TOML date, e.g. date = 2026-12-01")
        return value

    class TranslationTable(BaseModel):
        model_config = ConfigDict(extra="forbid")
        by: StrictStr = Field(default="", max_length=NAME_MAX)
        method: Literal["human", "machine-assisted"]

        @field_validator("by")
        @classmethod
        def _by(cls, value: str) -> str:
            return printable(value)

    class UnitTable(BaseModel):
        model_config = ConfigDict(extra="forbid")
        domain: StrictStr = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)
        nl: StrictStr = Field(default="", max_length=200)
        source: StrictStr = Field(pattern=_HEX64)
        translation: StrictStr = Field(pattern=_HEX64)

    class ReviewTable(BaseModel):
        model_config = ConfigDict(extra="forbid")
        by: StrictStr = Field(min_length=1, max_length=NAME_MAX)
        date: dt.date
        units: list[UnitTable] = Field(max_length=10000)
        account: StrictStr = Field(default="", max_length=NAME_MAX)
        role: Literal["", "reviewer", "admin"] = ""

        @field_validator("by")
        @classmethod
        def _by(cls, value: str) -> str:
            value = printable(value)
            if not value:
                raise ValueError("must name the person who reviewed the translation")
            return value

        @field_validator("date", mode="before")
        @classmethod
        def _plain_date(cls, value):
            return plain_date(value)

    class ApprovalTable(UnitTable):
        by: StrictStr = Field(min_length=1, max_length=NAME_MAX)
        account: StrictStr = Field(default="", max_length=NAME_MAX)
        role: Literal["reviewer", "admin"]
        date: dt.date

        @field_validator("by", "account")
        @classmethod
        def _names(cls, value: str) -> str:
            return printable(value)

        @field_validator("date", mode="before")
        @classmethod
        def _plain_date(cls, value):
            return plain_date(value)

    class RecordFile(BaseModel):
        model_config = ConfigDict(extra="forbid")
        leaflet: StrictStr
        language: StrictStr
        translation: TranslationTable | None = None
        review: ReviewTable | None = None
        approved: list[ApprovalTable] = Field(default=[], max_length=10000)

    return RecordFile


def record_file(leaflet_id: str, lang: str) -> str:
    """The record's path relative to the project, as users see it: beside the leaflet's catalog."""
    return review_file(leaflet_id, lang)


def read_record(project: Project, leaflet_id: str, lang: str) -> Record | None:
    """The record of `leaflet_id` in `lang`, checked; None when there is none. Read like every
    input (Project.read): never through a link, never more than RECORD_MAX_BYTES."""
    from ...inputs.files import InputFileError

    file = record_file(leaflet_id, lang)
    try:
        raw = project.read(file, RECORD_MAX_BYTES)
    except InputFileError as exc:
        if exc.missing:
            return None
        raise UserError(Problem(file, exc.reason)) from None
    return parsed_record(raw, file, leaflet_id, lang)


@lru_cache(maxsize=64)
def parsed_record(raw: bytes, file: str, leaflet_id: str, lang: str) -> Record:
    """These bytes of the record `file`, checked (kept per process by content)."""
    from ...inputs.characters import line_problems
    from ...inputs.validation import key_lines, parse_toml, validate_model

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(Problem(file, f"is not UTF-8 text (byte {exc.start})")) from None
    characters = line_problems(text)
    if characters:
        raise UserError([Problem(file, message, line=number) for number, message in characters])
    data = parse_toml(text, file, "a review record")
    lines = key_lines(text)
    model, problems = validate_model(_models(), data, file, lines.get, missing_line=1)
    # A key inside a table ([translation], [[review.units]]) is reported at its own line.
    paths = _key_paths(text)
    problems = [replace(p, line=paths.get(p.field or "", p.line)) for p in problems]
    if model is not None:
        if model.leaflet != leaflet_id:
            problems.append(Problem(file, f"leaflet {model.leaflet!r} does not match the file name "
                                          f"({leaflet_id!r})", line=lines.get("leaflet"), field="leaflet"))
        if model.language != lang:
            problems.append(Problem(file, f"language {model.language!r} does not match the folder "
                                          f"({lang!r})", line=lines.get("language"), field="language"))
    if problems:
        raise UserError(problems)
    review = model.review
    return Record(
        leaflet=model.leaflet, language=model.language,
        translated_by=model.translation.by if model.translation else "",
        method=model.translation.method if model.translation else "",
        reviewed_by=review.by if review else "", reviewed_on=review.date if review else None,
        units=tuple(ReviewedUnit(u.domain, u.source, u.translation, u.nl) for u in review.units)
        if review else (),
        reviewer_account=review.account if review else "", reviewer_role=review.role if review else "",
        approvals=tuple(Approval(a.domain, a.source, a.translation, a.by, a.account, a.role, a.date, a.nl)
                        for a in model.approved),
    )


def _key_paths(text: str) -> dict[str, int]:
    """Line of every `key = ` by its dotted path ("translation.method", "review.units.0.source")
    in a TOML file of plain tables and arrays of tables, as this record is."""
    paths: dict[str, int] = {}
    table = ""
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?", line)
        if header:
            name = header.group(2)
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                table = f"{name}.{counts[name]}"
            else:
                table = name
            paths.setdefault(table, number)
            continue
        key = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", line)
        if key:
            paths.setdefault(f"{table}.{key.group(1)}" if table else key.group(1), number)
    return paths


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (the same escapes: \" \\ \n \uXXXX).
    return json.dumps(value, ensure_ascii=False)


def render_record(record: Record, language_name: str = "", title: str = "") -> str:
    """The record as TOML, with comments saying what it is and how it is used."""
    what = f"the {language_name} translation" if language_name else "the translation"
    of = f" “{title}” ({record.leaflet})" if title else f" {record.leaflet}"
    lines = [
        f"# Review record of {what} of the leaflet{of}.",
        "# Who translated it and how; who reviewed it (read the translation against the Dutch),",
        "# when, and exactly which units: a SHA-256 hash of each unit's Dutch text (source) and",
        "# translation. When one of them changes, the review is outdated (`translations status`).",
        "# Written by `python generate.py translations review`; the names and the translation",
        "# method may be edited by hand.",
        "",
        f"leaflet = {_toml_string(record.leaflet)}",
        f"language = {_toml_string(record.language)}",
        "",
    ]
    if record.method:
        lines += ["[translation]",
                  f"by = {_toml_string(record.translated_by)}",
                  f'method = {_toml_string(record.method)}          # "human" or "machine-assisted"',
                  ""]
    if not record.reviewed:
        lines += ["# Not reviewed: no person has read this translation against the Dutch yet. After",
                  "# reading it, record that with",
                  f"#   python generate.py translations review {record.language} --leaflet "
                  f"{record.leaflet} --by NAME"]
        return "\n".join(lines + _approval_lines(record)) + "\n"
    assert record.reviewed_on is not None
    lines += ["[review]",
              f"by = {_toml_string(record.reviewed_by)}",
              f"date = {record.reviewed_on.isoformat()}"]
    if record.reviewer_account:
        lines.append(f"account = {_toml_string(record.reviewer_account)}")
    if record.reviewer_role:
        lines.append(f"role = {_toml_string(record.reviewer_role)}")
    for unit in record.units:
        lines += ["",
                  "[[review.units]]",
                  f"domain = {_toml_string(unit.domain)}",
                  f"nl = {_toml_string(unit.nl)}",
                  f"source = {_toml_string(unit.source)}",
                  f"translation = {_toml_string(unit.translation)}"]
    return "\n".join(lines + _approval_lines(record)) + "\n"


def _approval_lines(record: Record) -> list[str]:
    """The units approved one by one on the review page (none: no lines)."""
    lines: list[str] = []
    if record.approvals:
        lines += ["", "# Units approved one by one on the review page: the Dutch and the translation each",
                  "# approver read (SHA-256), who, with which account and role, and when."]
    for approval in record.approvals:
        lines += ["",
                  "[[approved]]",
                  f"domain = {_toml_string(approval.domain)}",
                  f"nl = {_toml_string(approval.nl)}",
                  f"source = {_toml_string(approval.source)}",
                  f"translation = {_toml_string(approval.translation)}",
                  f"by = {_toml_string(approval.by)}",
                  f"account = {_toml_string(approval.account)}",
                  f"role = {_toml_string(approval.role)}",
                  f"date = {approval.date.isoformat()}"]
    return lines

