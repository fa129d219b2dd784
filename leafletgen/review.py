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

A review covers the units of the leaflet's catalog (its text, title, author and source lines)
and the template strings printed with it (domain leafletgen): what the patient reads. It is
*reviewed* while every one of those units has the Dutch text and the translation the reviewer
read; *outdated* the moment one changes (one word of the Dutch or of a translation, a unit
added or removed, a unit marked fuzzy); *unreviewed* without a review. Ordering and line
wrapping in the .po file do not matter: the hashes are of the texts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from .errors import Problem, UserError
from .project import SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project

RECORD_SUFFIX = ".review.toml"
RECORD_MAX_BYTES = 1024 * 1024
METHODS = ("human", "machine-assisted")
STATES = ("reviewed", "unreviewed", "outdated")
NAME_MAX = 120
_HEX64 = r"^[0-9a-f]{64}$"


def record_path(project: Project, leaflet_id: str, lang: str) -> Path:
    """translations/<lang>/LC_MESSAGES/<leaflet-id>.review.toml, beside the leaflet's catalog."""
    return project.catalog_path(leaflet_id, lang).with_suffix(RECORD_SUFFIX)


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
class Record:
    leaflet: str
    language: str
    translated_by: str = ""
    method: str = ""                        # "human", "machine-assisted", or "" (not recorded)
    reviewed_by: str = ""
    reviewed_on: dt.date | None = None
    units: tuple[ReviewedUnit, ...] = ()

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by) and self.reviewed_on is not None


@lru_cache(maxsize=1)
def _models():
    """The record's schema (pydantic, imported only when a record is read). Unknown keys are
    errors, as in a practice profile: a typo must not pass silently."""
    from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

    from .unprintable import text_problem

    def printable(value: str) -> str:
        problem = text_problem(value, allow_newline=False)
        if problem:
            raise ValueError(problem)
        return value.strip()

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
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise ValueError("write the date as a TOML date, e.g. date = 2026-12-01")
            return value

    class RecordFile(BaseModel):
        model_config = ConfigDict(extra="forbid")
        leaflet: StrictStr
        language: StrictStr
        translation: TranslationTable | None = None
        review: ReviewTable | None = None

    return RecordFile


def record_file(leaflet_id: str, lang: str) -> str:
    """The record's path relative to the project, as users see it."""
    return f"translations/{lang}/LC_MESSAGES/{leaflet_id}{RECORD_SUFFIX}"


def read_record(project: Project, leaflet_id: str, lang: str) -> Record | None:
    """The record of `leaflet_id` in `lang`, checked; None when there is none. Read like every
    input (files.read_input): never through a link, never more than RECORD_MAX_BYTES."""
    from .files import InputFileError, file_stat

    file = record_file(leaflet_id, lang)
    try:
        stat = file_stat(project.root, file)
    except InputFileError as exc:
        if exc.missing:
            return None
        raise UserError(Problem(file, exc.reason)) from None
    return _cached_record(str(project.root), stat.st_mtime_ns, stat.st_size, file, leaflet_id, lang)


@lru_cache(maxsize=256)
def _cached_record(root: str, mtime_ns: int, size: int, file: str, leaflet_id: str, lang: str) -> Record:
    from .files import read_input
    from .unprintable import line_problems
    from .model_validation import key_lines, parse_toml, validate_model

    raw = read_input(Path(root), file, RECORD_MAX_BYTES, file)
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
        return "\n".join(lines) + "\n"
    assert record.reviewed_on is not None
    lines += ["[review]",
              f"by = {_toml_string(record.reviewed_by)}",
              f"date = {record.reviewed_on.isoformat()}"]
    for unit in record.units:
        lines += ["",
                  "[[review.units]]",
                  f"domain = {_toml_string(unit.domain)}",
                  f"nl = {_toml_string(unit.nl)}",
                  f"source = {_toml_string(unit.source)}",
                  f"translation = {_toml_string(unit.translation)}"]
    return "\n".join(lines) + "\n"


# ---- What is there now --------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    domain: str
    msgid: object              # str, or (singular, plural)
    translation: object        # str, tuple of forms, or None when missing, empty or fuzzy

    @property
    def source_hash(self) -> str:
        return text_hash(self.msgid)

    @property
    def label(self) -> str:
        text = " ".join((self.msgid if isinstance(self.msgid, str) else self.msgid[0]).split())
        return text if len(text) <= 60 else text[:59] + "…"


def current_units(project: Project, leaflet, lang: str) -> list[Unit]:
    """The units a review of `leaflet` in `lang` covers, with their translations now."""
    from .i18n import load_catalog
    from .translations import template_msgids

    units = []
    for domain, msgids in ((leaflet.id, [text for _, _, text in leaflet.units()]),
                           (TEMPLATE_DOMAIN, template_msgids(project))):
        catalog = load_catalog(project, domain, lang)
        for msgid in dict.fromkeys(msgids):
            message = catalog.get(msgid) if catalog is not None else None
            translation = None
            if message is not None and not message.fuzzy:
                strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
                if strings and all(strings):
                    translation = message.string
            units.append(Unit(domain, msgid, translation))
    return units


# ---- The state ----------------------------------------------------------------------------------

@dataclass
class ReviewState:
    state: str                             # reviewed | unreviewed | outdated
    record: str                            # the record's path, as shown to users
    translated_by: str = ""
    method: str = ""                       # human | machine-assisted | "" (not recorded)
    by: str = ""                           # the (last) review
    date: dt.date | None = None
    changes: list[str] = field(default_factory=list)   # why a review is outdated

    def as_dict(self) -> dict:
        data: dict = {"state": self.state}
        if self.state == "reviewed":
            data.update(by=self.by, date=self.date.isoformat() if self.date else None)
        elif self.state == "outdated":
            data["previous"] = {"by": self.by, "date": self.date.isoformat() if self.date else None}
            data["changes"] = list(self.changes)
        data["translation"] = {"by": self.translated_by or None, "method": self.method or None}
        data["record"] = self.record
        return data

    def summary(self) -> str:
        how = f"{self.method} translation" if self.method else "translation method not recorded"
        if self.state == "reviewed":
            return f"reviewed by {self.by} on {self.date.isoformat() if self.date else '?'} ({how})"
        if self.state == "outdated":
            return (f"OUTDATED: reviewed by {self.by} on {self.date.isoformat() if self.date else '?'}, "
                    f"{len(self.changes)} change(s) since ({how})")
        return f"unreviewed ({how})"


def review_state(project: Project, leaflet, lang: str) -> ReviewState:
    """Whether a person's review covers `leaflet` in `lang` as it is now."""
    record = read_record(project, leaflet.id, lang)
    file = project.rel(record_path(project, leaflet.id, lang))
    if record is None:
        return ReviewState("unreviewed", file)
    state = ReviewState("unreviewed", file, record.translated_by, record.method)
    if not record.reviewed:
        return state
    state.by, state.date = record.reviewed_by, record.reviewed_on
    state.changes = changes_since(record, current_units(project, leaflet, lang))
    state.state = "outdated" if state.changes else "reviewed"
    return state


def changes_since(record: Record, units: list[Unit]) -> list[str]:
    """What differs between the reviewed units and `units`, one line each (empty: nothing)."""
    reviewed = {(u.domain, u.source): u for u in record.units}
    now = {(u.domain, u.source_hash): u for u in units}
    changes = []
    for key, unit in now.items():
        old = reviewed.get(key)
        where = "" if unit.domain != TEMPLATE_DOMAIN else " (template string)"
        if old is None:
            changes.append(f"not reviewed{where}: {unit.label!r} (new, or its Dutch text changed)")
        elif unit.translation is None:
            changes.append(f"no usable translation now{where} (untranslated or fuzzy): {unit.label!r}")
        elif text_hash(unit.translation) != old.translation:
            changes.append(f"translation changed{where}: {unit.label!r}")
    for key, old in reviewed.items():
        if key not in now:
            label = f" {old.nl!r}" if old.nl else ""
            changes.append(f"a reviewed unit is gone (its Dutch text changed or was removed):{label}")
    return changes


def record_review(project: Project, leaflet, lang: str, by: str, on: dt.date,
                  translated_by: str | None = None, method: str | None = None) -> tuple[Path, Record]:
    """Record that `by` reviewed `leaflet` in `lang` on `on`: every unit as it is now.

    Refused when a unit has no usable translation, or the catalogs have problems: a review is
    of a complete translation. Who translated it and how comes from the existing record, unless
    given; without either, it must be given.
    """
    from .i18n import language_name
    from .inline import plain_text
    from .atomic_write import write_atomic
    from .unprintable import text_problem
    from .translations import leaflet_status, templates_status

    name = by.strip()
    problem = text_problem(name, allow_newline=False) if name else "must not be empty"
    if problem or len(name) > NAME_MAX:
        raise UserError(f"--by: the reviewer's name {problem or f'is longer than {NAME_MAX} characters'}")
    if method is not None and method not in METHODS:
        raise UserError(f"--method must be one of: {', '.join(METHODS)}")
    if translated_by is not None:
        problem = text_problem(translated_by.strip(), allow_newline=False)
        if problem or len(translated_by.strip()) > NAME_MAX:
            raise UserError(f"--translated-by: {problem or f'longer than {NAME_MAX} characters'}")
    problems: list = []
    for row in (leaflet_status(project, leaflet, lang), templates_status(project, lang)):
        if row.missing:
            problems.append(Problem(row.file, f"cannot record a review: {len(row.missing)} unit(s) "
                                              "untranslated or fuzzy; a review is of a complete "
                                              "translation (see `translations status`)"))
        problems += [f"cannot record a review: {p}" for p in row.problems]
    old = read_record(project, leaflet.id, lang)
    new_by = translated_by.strip() if translated_by is not None else (old.translated_by if old else "")
    new_method = method or (old.method if old else "")
    if not new_method:
        problems.append("say who translated it and how: --translated-by NAME --method "
                        "human|machine-assisted (kept in the record for the next review)")
    if problems:
        raise UserError(problems)
    units = current_units(project, leaflet, lang)
    record = Record(leaflet.id, lang, new_by, new_method, name, on, tuple(
        ReviewedUnit(u.domain, u.source_hash, text_hash(u.translation), u.label) for u in units))
    path = record_path(project, leaflet.id, lang)
    write_atomic(path, render_record(record, language_name(lang, "en"), plain_text(leaflet.title)))
    return path, record


# ---- What the patient reads, and what a practice requires ----------------------------------------

def document_review(project: Project, leaflet, practice, lang: str,
                    allow_draft: bool = False) -> tuple[ReviewState | None, dict | None]:
    """(the review state, the plain data of the colophon's translation line) of one document;
    (None, None) in Dutch. A practice with `require_review = true` gets no unreviewed or
    outdated translation as final: refused, unless `allow_draft` (to look at it)."""
    if lang == SOURCE_LANGUAGE:
        return None, None
    state = review_state(project, leaflet, lang)
    if getattr(practice, "require_review", False) and state.state != "reviewed" and not allow_draft:
        raise UserError(Problem(state.record, unreviewed_reason(state, practice.id, lang, leaflet.id)
                                + "; or build with --allow-draft to look at it"))
    return state, translation_note(state, lang)


def unreviewed_reason(state: ReviewState, practice_id: str, lang: str, leaflet_id: str) -> str:
    what = ("the review is outdated (a unit changed since it)" if state.state == "outdated"
            else "no person has reviewed the translation")
    return (f"practice {practice_id} requires reviewed translations (require_review = true) and "
            f"{what}; after reading it against the Dutch, record a review with `python generate.py "
            f"translations review {lang} --leaflet {leaflet_id} --by NAME`")


def translation_note(state: ReviewState, lang: str) -> dict:
    """Plain data for the colophon's line "Translated from Dutch; …"."""
    from .html import format_day

    reviewed = state.state == "reviewed"
    return {
        "reviewed": reviewed,
        "machine_assisted": state.method == "machine-assisted",
        "reviewed_by": state.by if reviewed else "",
        "reviewed_on": format_day(state.date, lang) if reviewed and state.date else "",
    }


def index_fields(state: ReviewState | None) -> dict:
    """What the index shows of a document's review (plain strings, "" in Dutch)."""
    if state is None:
        return {"review": "", "reviewed_by": "", "reviewed_on": ""}
    return {"review": state.state, "reviewed_by": state.by,
            "reviewed_on": state.date.isoformat() if state.date else ""}
