"""Units approved one by one (translate.review.approvals) in the review record, and the rule that
the translator does not review their own translation, from the command line too."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from leafletgen.inputs.leaflet import load_leaflet
from leafletgen.inputs.project import Project
from leafletgen.translate.review.approvals import Reviewer, approve, recording_refusals, unit_reviews
from leafletgen.translate.review.records import read_record

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"


@pytest.fixture
def project(tmp_path) -> Project:
    for part in ("leaflets", "practices", "templates", "translations"):
        if (REPO / part).exists():
            shutil.copytree(REPO / part, tmp_path / part)
    return Project(tmp_path)


def test_the_translator_cannot_record_a_review_from_the_command_line(project):
    record = read_record(project, LEAFLET, "de")
    run = run_cli("translations", "review", "de", "--leaflet", LEAFLET, "--by", f"  {record.translated_by.upper()} ",
                  root=project.root)
    assert run.code == 1 and "recorded as the translator" in run.err
    assert read_record(project, LEAFLET, "de") == record


def test_approvals_are_kept_by_a_review_and_read_back(project):
    leaflet = load_leaflet(project, LEAFLET)
    unit = unit_reviews(project, leaflet, "de")[0]
    ayse = Reviewer("Ayşe Yılmaz", "ayse", "reviewer")
    assert approve(project, leaflet, "de", unit.domain, unit.source_hash, "0" * 64, ayse, dt.date(2026, 12, 1)).code \
        == "approve_changed"                                    # not the translation the page showed
    assert approve(project, leaflet, "de", unit.domain, unit.source_hash, unit.translation_hash, ayse,
                   dt.date(2026, 12, 1)) is None
    assert [u.approval for u in unit_reviews(project, leaflet, "de")].count("approved") == 1
    assert [m.code for m in recording_refusals(project, leaflet, "de", ayse)] == ["units_not_approved"]
    run = run_cli("translations", "review", "de", "--leaflet", LEAFLET, "--by", "Anna Schmidt",
                  "--date", "2026-12-02", root=project.root)
    assert run.code == 0, run.err
    record = read_record(project, LEAFLET, "de")
    assert record.reviewed_by == "Anna Schmidt"
    assert [(a.source, a.by, a.account, a.role, a.date) for a in record.approvals] == \
        [(unit.source_hash, "Ayşe Yılmaz", "ayse", "reviewer", dt.date(2026, 12, 1))]
    # The translator approving is refused, in the record's own terms.
    translator = Reviewer(record.translated_by, "someone", "reviewer")
    other = unit_reviews(project, leaflet, "de")[1]
    refusal = approve(project, leaflet, "de", other.domain, other.source_hash, other.translation_hash, translator,
                      dt.date(2026, 12, 1))
    assert refusal.code == "reviewer_is_translator"


def test_a_record_with_a_bad_approval_is_refused_naming_its_line(project):
    leaflet = load_leaflet(project, LEAFLET)
    unit = unit_reviews(project, leaflet, "de")[0]
    assert approve(project, leaflet, "de", unit.domain, unit.source_hash, unit.translation_hash,
                   Reviewer("A", "a", "reviewer"), dt.date(2026, 12, 1)) is None
    path = project.root / "translations" / "de" / "LC_MESSAGES" / f"{LEAFLET}.review.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('role = "reviewer"', 'role = "staff"'), encoding="utf-8")
    said = run_cli("translations", "status", root=project.root)
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "staff" in text)
    assert f"translations/de/LC_MESSAGES/{LEAFLET}.review.toml:{line}: approved.0.role" in said.out + said.err
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "de", "--out", str(project.root / "out"), root=project.root)
    assert run.code == 1 and "approved.0.role" in run.err      # a record the build cannot read is refused
