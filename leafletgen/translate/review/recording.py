"""Recording a review (`translations review`): a person has read a translation against the
Dutch, and the record (review_records.py) says who, when, and exactly which units, as they are
now. Only a complete translation can be reviewed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...atomic_write import write_atomic
from ...errors import Problem, UserError
from ..catalogs import language_name
from ...markup.inline import plain_text
from ...inputs.project import Project
from .records import (METHODS, NAME_MAX, Record, ReviewedUnit, read_record, record_path,
                      render_record, text_hash)
from .state import current_units
from ..status import leaflet_status, templates_status
from ...inputs.characters import text_problem


def record_review(project: Project, leaflet, lang: str, by: str, on: dt.date,
                  translated_by: str | None = None, method: str | None = None,
                  account: str = "", role: str = "") -> tuple[Path, Record]:
    """Record that `by` reviewed `leaflet` in `lang` on `on`: every unit as it is now.

    Refused when a unit has no usable translation, or the catalogs have problems: a review is
    of a complete translation; and when the reviewer is the one recorded as its translator.
    Who translated it and how comes from the existing record, unless given; without either, it
    must be given. `account` and `role`: who signed in to record it (the review page); the units
    approved one by one there are kept.
    """
    reviewer = checked_reviewer(by)
    check_translation_options(translated_by, method)
    problems = incomplete_translation(project, leaflet, lang)
    old = read_record(project, leaflet.id, lang)
    translator, how = translation_credit(old, translated_by, method)
    if is_translator(translator, reviewer, account):
        problems.append(f"--by: {reviewer!r} is recorded as the translator ([translation] by); "
                        "a review is by another person")
    if not how:
        problems.append("say who translated it and how: --translated-by NAME --method "
                        "human|machine-assisted (kept in the record for the next review)")
    if problems:
        raise UserError(problems)
    units = current_units(project, leaflet, lang)
    record = Record(leaflet.id, lang, translator, how, reviewer, on, tuple(
        ReviewedUnit(u.domain, u.source_hash, text_hash(u.translation), u.label) for u in units),
        reviewer_account=account, reviewer_role=role, approvals=old.approvals if old else ())
    path = record_path(project, leaflet.id, lang)
    write_atomic(path, render_record(record, language_name(lang, "en"), plain_text(leaflet.title)))
    return path, record


def is_translator(translator: str, *names: str) -> bool:
    """Whether one of `names` (a person's printed name, their account) is the recorded translator."""
    recorded = " ".join(translator.split()).casefold()
    return bool(recorded) and any(" ".join(name.split()).casefold() == recorded for name in names if name)


def checked_reviewer(by: str) -> str:
    """The reviewer's name (--by), stripped: printable, on one line, not too long."""
    name = by.strip()
    problem = text_problem(name, allow_newline=False) if name else "must not be empty"
    if problem or len(name) > NAME_MAX:
        raise UserError(f"--by: the reviewer's name {problem or f'is longer than {NAME_MAX} characters'}")
    return name


def check_translation_options(translated_by: str | None, method: str | None) -> None:
    """--translated-by and --method, when given, as a record may hold them."""
    if method is not None and method not in METHODS:
        raise UserError(f"--method must be one of: {', '.join(METHODS)}")
    if translated_by is not None:
        problem = text_problem(translated_by.strip(), allow_newline=False)
        if problem or len(translated_by.strip()) > NAME_MAX:
            raise UserError(f"--translated-by: {problem or f'longer than {NAME_MAX} characters'}")


def incomplete_translation(project: Project, leaflet, lang: str) -> list:
    """Why the translation cannot be reviewed yet: untranslated or fuzzy units, problems in its
    catalogs (the leaflet's and the template strings'). Empty when it can."""
    problems: list = []
    for row in (leaflet_status(project, leaflet, lang), templates_status(project, lang)):
        if row.missing:
            problems.append(Problem(row.file, f"cannot record a review: {len(row.missing)} unit(s) "
                                              "untranslated or fuzzy; a review is of a complete "
                                              "translation (see `translations status`)"))
        problems += [f"cannot record a review: {p}" for p in row.problems]
    return problems


def translation_credit(old: Record | None, translated_by: str | None,
                       method: str | None) -> tuple[str, str]:
    """(who translated it, how): as given, else as the existing record says ("" if neither)."""
    translator = translated_by.strip() if translated_by is not None else (old.translated_by if old else "")
    return translator, method or (old.method if old else "")
