"""Per-unit review: each unit of a translation approved on its own, and what changed since.

A unit is *approved* while the record (records.py) holds an approval of its Dutch and of its
translation as they are now; *stale* when it holds one of its Dutch with another translation,
or of the Dutch its fuzzy unit's previous msgid (`#|`) names (the Dutch changed since); *open*
otherwise. Against the last recorded review, a unit is *same*, *new* (its Dutch was not
reviewed: new or changed), *changed* (another translation) or *missing* (no usable one now);
reviewed units whose Dutch is gone are listed apart. The review is recorded (recording.py) once
every unit is approved and no approver, nor the reviewer, is the translator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from ...atomic_write import write_atomic
from ...errors import Message
from ...inputs.project import TEMPLATE_DOMAIN, Project
from ..catalogs import language_name, load_catalog
from ..extract import template_msgids
from .records import Approval, Record, ReviewedUnit, read_record, record_path, render_record, text_hash
from .recording import is_translator


@dataclass(frozen=True)
class Reviewer:
    """Who approves or records: the name printed on a leaflet, the account, its role."""

    name: str
    account: str
    role: str


@dataclass(frozen=True)
class UnitReview:
    domain: str
    msgid: object                  # str, or (singular, plural)
    written: object                # the msgstr as the catalog has it (also when fuzzy), or None
    usable: bool                   # translated and not fuzzy: what a document prints
    fuzzy: bool
    approval: str                  # approved | stale | open
    stale_because: str = ""        # translation | source
    approved_by: Approval | None = None
    since_review: str = ""         # "" (no review recorded) | same | new | changed | missing

    @property
    def source_hash(self) -> str:
        return text_hash(self.msgid)

    @property
    def translation_hash(self) -> str:
        return text_hash(self.written) if self.usable else ""

    @property
    def label(self) -> str:
        text = " ".join((self.msgid if isinstance(self.msgid, str) else self.msgid[0]).split())
        return text if len(text) <= 60 else text[:59] + "…"


def unit_reviews(project: Project, leaflet, lang: str, record: Record | None = None) -> list[UnitReview]:
    """Every unit a review of `leaflet` in `lang` covers (the leaflet's, then the template
    strings), with its approval and how it stands against the last review."""
    record = record if record is not None else read_record(project, leaflet.id, lang)
    approvals = {(a.domain, a.source): a for a in (record.approvals if record else ())}
    reviewed = {(u.domain, u.source): u for u in (record.units if record and record.reviewed else ())}
    units = []
    for domain, msgids in ((leaflet.id, [text for _, _, text in leaflet.units()]),
                           (TEMPLATE_DOMAIN, template_msgids(project))):
        catalog = load_catalog(project, domain, lang)
        for msgid in dict.fromkeys(msgids):
            message = catalog.get(msgid) if catalog is not None else None
            written = message.string if message is not None else None
            strings = written if isinstance(written, (list, tuple)) else [written]
            fuzzy = bool(message is not None and message.fuzzy)
            usable = message is not None and not fuzzy and bool(strings) and all(strings)
            unit = UnitReview(domain, msgid, written, usable, fuzzy, "open")
            previous = previous_msgid(message) if fuzzy else None
            units.append(_judged(unit, approvals, previous,
                                 reviewed if record is not None and record.reviewed else None))
    return units


def previous_msgid(message) -> list:
    """The Dutch a fuzzy unit's translation was made for (`#|` lines), [] when not said. Read
    from a copy: the catalog is shared (cached)."""
    from babel.messages.catalog import Catalog, Message as PoMessage

    from ..workflow import take_previous

    if message.previous_id:
        return list(message.previous_id)
    probe = Catalog()
    probe[message.id] = PoMessage(message.id, message.string, user_comments=list(message.user_comments),
                                  flags=set(message.flags))
    take_previous(probe)
    return list(probe[message.id].previous_id or [])


def _judged(unit: UnitReview, approvals: dict, previous, reviewed: dict | None) -> UnitReview:
    approval = approvals.get((unit.domain, unit.source_hash))
    if approval is not None:
        fresh = unit.usable and approval.translation == unit.translation_hash
        unit = replace(unit, approval="approved" if fresh else "stale", approved_by=approval,
                       stale_because="" if fresh else "translation")
    elif previous:
        before = previous[0] if len(previous) == 1 else tuple(previous)
        approval = approvals.get((unit.domain, text_hash(before)))
        if approval is not None:
            unit = replace(unit, approval="stale", approved_by=approval, stale_because="source")
    if reviewed is not None:
        old = reviewed.get((unit.domain, unit.source_hash))
        since = ("new" if old is None else "missing" if not unit.usable
                 else "same" if old.translation == unit.translation_hash else "changed")
        unit = replace(unit, since_review=since)
    return unit


def gone_since_review(record: Record | None, units: list[UnitReview]) -> list[ReviewedUnit]:
    """Units the last review read whose Dutch is no longer there (changed or removed)."""
    if record is None or not record.reviewed:
        return []
    now = {(u.domain, u.source_hash) for u in units}
    return [u for u in record.units if (u.domain, u.source) not in now]


# ---- Approving a unit, and what stops a review being recorded -----------------------------------

def approve(project: Project, leaflet, lang: str, domain: str, source: str, translation: str,
            reviewer: Reviewer, on: dt.date) -> Message | None:
    """Approve the unit of `domain` whose Dutch hashes to `source`, as the approver read it
    (`translation`: the hash of the translation shown). A refusal as a Message (None: written).
    The caller holds the record's lock."""
    record = read_record(project, leaflet.id, lang) or Record(leaflet.id, lang)
    unit = next((u for u in unit_reviews(project, leaflet, lang, record)
                 if u.domain == domain and u.source_hash == source), None)
    if unit is None:
        return Message("approve_unknown", "this unit is no longer in the leaflet")
    if not unit.usable:
        return Message("approve_untranslated", "a unit without a usable translation (empty or fuzzy) "
                                               "cannot be approved")
    if unit.translation_hash != translation:
        return Message("approve_changed", "the translation changed since the page was loaded")
    if is_translator(record.translated_by, reviewer.name, reviewer.account):
        return Message("reviewer_is_translator", f"{reviewer.name!r} is recorded as the translator; "
                                                 "a review is by another person", name=reviewer.name)
    approval = Approval(domain, source, translation, reviewer.name, reviewer.account, reviewer.role, on,
                        unit.label)
    kept = tuple(a for a in record.approvals if (a.domain, a.source) != (domain, source))
    write_record(project, leaflet, replace(record, approvals=kept + (approval,)))
    return None


def recording_refusals(project: Project, leaflet, lang: str, reviewer: Reviewer,
                       units: list[UnitReview] | None = None) -> list[Message]:
    """Why the review cannot be recorded by `reviewer` now ([]: it can)."""
    from ..status import leaflet_status, templates_status

    record = read_record(project, leaflet.id, lang) or Record(leaflet.id, lang)
    units = units if units is not None else unit_reviews(project, leaflet, lang, record)
    refusals = []
    if is_translator(record.translated_by, reviewer.name, reviewer.account):
        refusals.append(Message("reviewer_is_translator", f"{reviewer.name!r} is recorded as the "
                                "translator; a review is by another person", name=reviewer.name))
    if not record.method:
        refusals.append(Message("no_translation_method", "the record does not say who translated it "
                                                         "and how"))
    rows = (leaflet_status(project, leaflet, lang), templates_status(project, lang))
    if any(row.missing or row.problems for row in rows):
        refusals.append(Message("review_incomplete", "the translation is not complete, or its catalog "
                                                     "has problems"))
    waiting = [u for u in units if u.approval != "approved"]
    if waiting:
        refusals.append(Message("units_not_approved", f"{len(waiting)} unit(s) not approved",
                                count=len(waiting)))
    approvers = {(a.by, a.account) for a in record.approvals}
    if any(is_translator(record.translated_by, *names) for names in approvers):
        refusals.append(Message("approver_is_translator", "a unit was approved by the translator"))
    return refusals


def write_record(project: Project, leaflet, record: Record) -> Path:
    from ...markup.inline import plain_text

    path = record_path(project, leaflet.id, record.language)
    write_atomic(path, render_record(record, language_name(record.language, "en"), plain_text(leaflet.title)))
    return path
