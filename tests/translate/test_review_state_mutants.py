"""Whether a review still covers a translation, on its own: each kind of change named, a unit
gone, the record's fields kept, what a practice that requires reviews refuses, and what the
colophon and the index get (found by mutation testing, docs/development.md)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from leafletgen.errors import UserError
from leafletgen.inputs.leaflet import load_leaflet
from leafletgen.translate.review.records import Record, ReviewedUnit, text_hash
from leafletgen.translate.review.state import (ReviewState, Unit, changes_since, current_units,
                                               document_review, index_fields, review_state,
                                               translation_note, unreviewed_reason)

from tests.conftest import run_cli

LEAFLET = "lage-rugklachten"
DAY = dt.date(2026, 11, 28)


def reviewed(*units: Unit) -> Record:
    return Record(LEAFLET, "de", "leafletgen contributors", "machine-assisted", "Anna", DAY,
                  tuple(ReviewedUnit(u.domain, u.source_hash, text_hash(u.translation), nl=u.msgid[:20])
                        for u in units))


TEXT = Unit(LEAFLET, "Blijf zoveel mogelijk bewegen", "Bleiben Sie in Bewegung")
TEMPLATE = Unit("leafletgen", "Telefoon", "Telefon")
PLURAL = Unit(LEAFLET, ("%(n)s dag", "%(n)s dagen"), ("%(n)s Tag", "%(n)s Tage"))


def test_nothing_changed():
    assert changes_since(reviewed(TEXT, TEMPLATE, PLURAL), [TEMPLATE, PLURAL, TEXT]) == []


def test_each_kind_of_change_named():
    record = reviewed(TEXT, TEMPLATE, PLURAL)
    assert changes_since(record, [Unit(LEAFLET, TEXT.msgid, "Bleiben Sie bewegt"), TEMPLATE, PLURAL]) == [
        "translation changed: 'Blijf zoveel mogelijk bewegen'"]
    assert changes_since(record, [TEXT, Unit("leafletgen", "Telefoon", "Tel."), PLURAL]) == [
        "translation changed (template string): 'Telefoon'"]
    assert changes_since(record, [TEXT, TEMPLATE, Unit(LEAFLET, PLURAL.msgid, ("%(n)s Tag", "%(n)s Tagen"))]) == [
        "translation changed: '%(n)s dag'"]
    assert changes_since(record, [TEXT, Unit("leafletgen", "Telefoon", None), PLURAL]) == [
        "no usable translation now (template string) (untranslated or fuzzy): 'Telefoon'"]
    assert changes_since(record, [Unit(LEAFLET, TEXT.msgid, None), TEMPLATE, PLURAL]) == [
        "no usable translation now (untranslated or fuzzy): 'Blijf zoveel mogelijk bewegen'"]


def test_a_new_unit_and_a_gone_one():
    record = reviewed(TEXT, TEMPLATE)
    new = Unit(LEAFLET, "Blijf zo veel mogelijk bewegen", "Bleiben Sie in Bewegung")
    assert changes_since(record, [new, TEMPLATE]) == [
        "not reviewed: 'Blijf zo veel mogelijk bewegen' (new, or its Dutch text changed)",
        "a reviewed unit is gone (its Dutch text changed or was removed): 'Blijf zoveel mogelij'"]
    assert changes_since(record, [TEXT, TEMPLATE, Unit("leafletgen", "E-mail", "E-Mail")]) == [
        "not reviewed (template string): 'E-mail' (new, or its Dutch text changed)"]
    unlabelled = Record(LEAFLET, "de", reviewed_by="Anna", reviewed_on=DAY,
                        units=(ReviewedUnit(LEAFLET, TEXT.source_hash, text_hash(TEXT.translation)),))
    assert changes_since(unlabelled, []) == ["a reviewed unit is gone (its Dutch text changed or was removed):"]


def test_the_same_text_in_another_domain_is_another_unit():
    assert changes_since(reviewed(TEXT), [Unit("leafletgen", TEXT.msgid, TEXT.translation)])[0].startswith(
        "not reviewed (template string)")


def test_a_label_is_the_start_of_the_dutch_on_one_line():
    assert Unit(LEAFLET, "een  twee\ndrie", None).label == "een twee drie"
    assert Unit(LEAFLET, ("één dag", "%(n)s dagen"), None).label == "één dag"
    assert Unit(LEAFLET, "x" * 60, None).label == "x" * 60
    assert Unit(LEAFLET, "x" * 61, None).label == "x" * 59 + "…"


def state(kind: str, **fields) -> ReviewState:
    values = {"record": "translations/de/LC_MESSAGES/lage-rugklachten.review.toml", "translated_by": "bureau",
              "method": "human", "by": "Anna", "date": DAY, **fields}
    return ReviewState(kind, **values)


def test_the_state_as_data():
    record = "translations/de/LC_MESSAGES/lage-rugklachten.review.toml"
    assert state("reviewed").as_dict() == {
        "state": "reviewed", "by": "Anna", "date": "2026-11-28",
        "translation": {"by": "bureau", "method": "human"}, "record": record}
    assert state("reviewed", date=None).as_dict()["date"] is None
    assert state("outdated", changes=["a", "b"]).as_dict() == {
        "state": "outdated", "previous": {"by": "Anna", "date": "2026-11-28"}, "changes": ["a", "b"],
        "translation": {"by": "bureau", "method": "human"}, "record": record}
    assert state("outdated", date=None).as_dict()["previous"]["date"] is None
    assert state("unreviewed", translated_by="", method="").as_dict() == {
        "state": "unreviewed", "translation": {"by": None, "method": None}, "record": record}


def test_the_state_in_words():
    assert state("reviewed").summary() == "reviewed by Anna on 2026-11-28 (human translation)"
    assert state("reviewed", date=None, method="").summary() == \
        "reviewed by Anna on ? (translation method not recorded)"
    assert state("outdated", changes=["a", "b"], method="machine-assisted").summary() == \
        "OUTDATED: reviewed by Anna on 2026-11-28, 2 change(s) since (machine-assisted translation)"
    assert state("outdated", date=None).summary().startswith("OUTDATED: reviewed by Anna on ?, 0 change(s)")
    assert state("unreviewed").summary() == "unreviewed (human translation)"


def test_what_the_index_shows():
    assert index_fields(None) == {"review": "", "reviewed_by": "", "reviewed_on": ""}
    assert index_fields(state("reviewed")) == {"review": "reviewed", "reviewed_by": "Anna",
                                               "reviewed_on": "2026-11-28"}
    assert index_fields(state("outdated", date=None))["reviewed_on"] == ""


def test_what_the_colophon_gets():
    assert translation_note(state("reviewed", method="machine-assisted"), "en", "Lage rugklachten") == {
        "original_title": "Lage rugklachten", "reviewed": True, "machine_assisted": True,
        "reviewed_by": "Anna", "reviewed_on": "28 November 2026"}
    assert translation_note(state("outdated"), "en") == {
        "original_title": "", "reviewed": False, "machine_assisted": False, "reviewed_by": "",
        "reviewed_on": ""}
    assert translation_note(state("reviewed", date=None), "en")["reviewed_on"] == ""


PRACTICE = SimpleNamespace(id="fysio-delinde", require_review=True)
LEAFLET_NOTE = SimpleNamespace(id=LEAFLET, title="Lage *rugklachten*")


def test_a_practice_that_requires_reviews_refuses_the_others():
    for kind, why in (("unreviewed", "no person has reviewed the translation"),
                      ("outdated", "the review is outdated (a unit changed since it)")):
        with pytest.raises(UserError) as error:
            document_review(state(kind), PRACTICE, "de", LEAFLET_NOTE)
        [problem] = error.value.problems
        assert problem.file == state(kind).record
        assert problem.message == (
            f"practice fysio-delinde requires reviewed translations (require_review = true) and {why}; after "
            "reading it against the Dutch, record a review with `python generate.py translations review de "
            "--leaflet lage-rugklachten --by NAME`; or build with --allow-draft to look at it")
        allowed, note = document_review(state(kind), PRACTICE, "de", LEAFLET_NOTE, allow_draft=True)
        assert allowed.state == kind and note["reviewed"] is False
    kept, note = document_review(state("reviewed"), PRACTICE, "de", LEAFLET_NOTE)
    assert kept.state == "reviewed" and note["original_title"] == "Lage rugklachten" and note["reviewed"]
    assert document_review(state("unreviewed"), SimpleNamespace(id="p"), "de", LEAFLET_NOTE)[1]["reviewed"] is False


def test_dutch_has_no_review():
    assert document_review(state("unreviewed"), PRACTICE, "nl", LEAFLET_NOTE) == (None, None)
    assert document_review(None, PRACTICE, "de", LEAFLET_NOTE) == (None, None)
    assert "no person" in unreviewed_reason(state("unreviewed"), "p", "de", LEAFLET)


def test_review_state_of_a_project(project):
    leaflet = load_leaflet(project, LEAFLET)
    record = "translations/de/LC_MESSAGES/lage-rugklachten.review.toml"
    kept = (project.root / record).read_bytes()
    (project.root / record).unlink()
    assert review_state(project, leaflet, "de") == ReviewState("unreviewed", record)
    (project.root / record).write_bytes(kept)
    assert run_cli("translations", "review", "de", "--leaflet", LEAFLET, "--by", "Anna Schmidt", "--date",
                   "2026-11-28", root=project.root).code == 0
    now = review_state(project, leaflet, "de")
    assert (now.state, now.record, now.by, now.date, now.changes, now.method) == (
        "reviewed", record, "Anna Schmidt", DAY, [], "machine-assisted")
    assert now.translated_by == "leafletgen contributors"
    units = current_units(project, leaflet, "de")
    assert {unit.domain for unit in units} == {LEAFLET, "leafletgen"}
    assert all(unit.translation for unit in units)
    assert len(units) == len({(unit.domain, unit.msgid) for unit in units})


def test_an_unreviewed_record_keeps_who_translated(project):
    leaflet = load_leaflet(project, LEAFLET)
    now = review_state(project, leaflet, "tr")
    assert (now.state, now.translated_by, now.method, now.by, now.date) == (
        "unreviewed", "leafletgen contributors", "machine-assisted", "", None)


def test_a_fuzzy_or_empty_translation_is_none(project):
    leaflet = load_leaflet(project, LEAFLET)
    path = project.catalog_path(LEAFLET, "de")
    text = path.read_text(encoding="utf-8")
    text = text.replace('msgid "Overgewicht"', '#, fuzzy\nmsgid "Overgewicht"', 1)
    path.write_text(text, encoding="utf-8")
    units = {unit.msgid: unit.translation for unit in current_units(project, leaflet, "de")}
    assert units["Overgewicht"] is None
    assert sum(translation is None for translation in units.values()) == 1


def test_the_review_day_is_written_with_the_content_folders_language_table(project):
    """A content folder's translations/<lang>/language.toml names the months of its dates."""
    months = [f"Maand{n}" for n in range(1, 13)]
    (project.translations_dir / "de" / "language.toml").write_text(
        "[dates]\nmonths = [" + ", ".join(f'"{month}"' for month in months) + "]\n", encoding="utf-8")
    assert translation_note(state("reviewed"), "de", "", project)["reviewed_on"] == "28. Maand11 2026"
    _, note = document_review(state("reviewed"), PRACTICE, "de", LEAFLET_NOTE, project=project)
    assert note["reviewed_on"] == "28. Maand11 2026"
    assert translation_note(state("reviewed"), "de")["reviewed_on"] == "28. November 2026"


def test_an_empty_form_or_translation_is_none_and_a_missing_catalog_too(project):
    leaflet = load_leaflet(project, LEAFLET)
    path = project.catalog_path("leafletgen", "de")
    text = path.read_text(encoding="utf-8")
    text = text.replace('msgstr[1] "%(count)s Textabschnitte sind noch auf Niederländisch"', 'msgstr[1] ""', 1)
    text = text.replace('msgstr "Telefon"', 'msgstr ""', 1)
    path.write_text(text, encoding="utf-8")
    units = {unit.msgid: unit.translation for unit in current_units(project, leaflet, "de")}
    assert units[("%(count)s tekstdeel staat nog in het Nederlands",
                  "%(count)s tekstdelen staan nog in het Nederlands")] is None
    assert units["Telefoon"] is None
    assert sum(translation is None for translation in units.values()) == 2
    units = current_units(project, leaflet, "fy")                   # no catalog of either domain
    assert units and all(unit.translation is None for unit in units)


def test_a_change_after_the_review_makes_it_outdated(project):
    leaflet = load_leaflet(project, LEAFLET)
    assert run_cli("translations", "review", "de", "--leaflet", LEAFLET, "--by", "Anna Schmidt", "--date",
                   "2026-11-28", root=project.root).code == 0
    path = project.catalog_path("leafletgen", "de")
    path.write_text(path.read_text(encoding="utf-8").replace('msgstr "Telefon"', 'msgstr "Tel."', 1),
                    encoding="utf-8")
    now = review_state(project, leaflet, "de")
    assert (now.state, now.by, now.date, now.changes) == (
        "outdated", "Anna Schmidt", DAY, ["translation changed (template string): 'Telefoon'"])
