"""Review state: whether a person's review covers a translation as it is now.

A review (review_records.py) covers the units of the leaflet's catalog (its text, title, author
and source lines) and the template strings printed with it (domain leafletgen): what the patient
reads. A translation is *reviewed* while every one of those units has the Dutch text and the
translation the reviewer read; *outdated* the moment one changes (one word of the Dutch or of a
translation, a unit added or removed, a unit marked fuzzy); *unreviewed* without a review.

What the patient sees of it (the colophon's translation line), what the index shows, and what a
practice with `require_review = true` refuses are here too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ...errors import Problem, UserError
from ..extract import template_msgids
from ..catalogs import format_day, load_catalog
from ...markup.inline import plain_text
from ...inputs.project import SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project
from .records import Record, read_record, record_file, text_hash


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
    file = record_file(leaflet.id, lang)
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


# ---- What the patient reads, and what a practice requires ----------------------------------------

def document_review(state: ReviewState | None, practice, lang: str, leaflet,
                    allow_draft: bool = False,
                    project: Project | None = None) -> tuple[ReviewState | None, dict | None]:
    """(the review state, the plain data of the colophon's translation line) of one document of
    `leaflet` (in Dutch) whose translation's review is `state` (review_state); (None, None) in
    Dutch. A practice with `require_review = true` gets no unreviewed or outdated translation as
    final: refused, unless `allow_draft` (to look at it). `project`: where the language's table
    is read (its dates)."""
    if lang == SOURCE_LANGUAGE or state is None:
        return None, None
    if getattr(practice, "require_review", False) and state.state != "reviewed" and not allow_draft:
        raise UserError(Problem(state.record, unreviewed_reason(state, practice.id, lang, leaflet.id)
                                + "; or build with --allow-draft to look at it"))
    return state, translation_note(state, lang, plain_text(leaflet.title), project)


def unreviewed_reason(state: ReviewState, practice_id: str, lang: str, leaflet_id: str) -> str:
    what = ("the review is outdated (a unit changed since it)" if state.state == "outdated"
            else "no person has reviewed the translation")
    return (f"practice {practice_id} requires reviewed translations (require_review = true) and "
            f"{what}; after reading it against the Dutch, record a review with `python generate.py "
            f"translations review {lang} --leaflet {leaflet_id} --by NAME`")


def translation_note(state: ReviewState, lang: str, original_title: str = "",
                     project: Project | None = None) -> dict:
    """Plain data for the colophon's lines of a translation: its Dutch original (the title; the
    version and date are the leaflet's) and "Translated with translation software; …"."""
    reviewed = state.state == "reviewed"
    return {
        "original_title": original_title,
        "reviewed": reviewed,
        "machine_assisted": state.method == "machine-assisted",
        "reviewed_by": state.by if reviewed else "",
        "reviewed_on": format_day(state.date, lang, project) if reviewed and state.date else "",
    }


def index_fields(state: ReviewState | None) -> dict:
    """What the index shows of a document's review (plain strings, "" in Dutch)."""
    if state is None:
        return {"review": "", "reviewed_by": "", "reviewed_on": ""}
    return {"review": state.state, "reviewed_by": state.by,
            "reviewed_on": state.date.isoformat() if state.date else ""}
