"""The store of published versions (inputs/versions.py): what it keeps, what it refuses, and that
nothing else takes its files for leaflets, languages or catalogs."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import threading

import pytest

from leafletgen.batch import readers
from leafletgen.batch.manifest import Hasher, Manifest
from leafletgen.batch.plan import make_plan
from leafletgen.errors import UserError
from leafletgen.inputs import catalog_versions, drafts, versions
from leafletgen.inputs.project import Project, catalog_file
from leafletgen.translate.workflow import extract

LEAFLET = "lage-rugklachten"


def with_version(data: bytes, version: str, published: str = "") -> bytes:
    """The leaflet's file with another version (and publication date) in its front matter."""
    text = data.decode("utf-8")
    old = next(line for line in text.splitlines() if line.startswith("version:"))
    text = text.replace(old, f'version: "{version}"', 1)
    if published:
        old = next(line for line in text.splitlines() if line.startswith("published:"))
        text = text.replace(old, f"published: {published}", 1)
    return text.encode("utf-8")


def changed_text(data: bytes, version: str) -> bytes:
    return with_version(data, version).replace(b"Het is een veelvoorkomende klacht.",
                                               b"Het is een heel veelvoorkomende klacht.")


@pytest.fixture
def source(project) -> bytes:
    """The shipped leaflet's text, in a copy of the project whose store is empty."""
    shutil.rmtree(project.leaflets_dir / "history", ignore_errors=True)
    shutil.rmtree(project.translations_dir / "history", ignore_errors=True)
    return (project.leaflets_dir / f"{LEAFLET}.md").read_bytes()


def test_the_shipped_leaflet_is_published():
    """The repository's leaflet is the version its store keeps (changed by hand, it would no
    longer be: publish it from the editor)."""
    from tests.conftest import REPO

    shipped = Project(REPO)
    current = versions.current_version(shipped, LEAFLET)
    assert current is not None
    assert versions.read_version(shipped, LEAFLET, current.version) == \
        (shipped.leaflets_dir / f"{LEAFLET}.md").read_bytes()


def test_publish_keeps_the_exact_bytes_and_who(project, source):
    approved_at = dt.datetime(2026, 10, 30, 9, 15, tzinfo=dt.UTC)
    found = versions.publish(project, LEAFLET, source, published_by="Ed Itor", written_by=("ed", "ann"),
                             approved_by="Rita Reviewer", approved_at=approved_at)
    assert found.version == "1.0"
    assert (project.root / found.file).read_bytes() == source
    assert found.file == f"leaflets/history/{LEAFLET}/1.0.md"
    assert (found.written_by, found.approved_by, found.approved_at) == (("ed", "ann"), "Rita Reviewer", approved_at)
    assert found.published_by == "Ed Itor" and found.published_at is not None
    assert versions.read_version(project, LEAFLET, "1.0") == source
    assert versions.current_version(project, LEAFLET) == found
    assert versions.publication_state(project, LEAFLET) == "published"
    assert versions.version_of_bytes(project, LEAFLET, source) == found


def test_a_new_version_replaces_the_published_text_and_keeps_the_old(project, source):
    versions.publish(project, LEAFLET, source, published_by="ed")
    newer = changed_text(source, "1.1")
    versions.publish(project, LEAFLET, newer, published_by="ed")
    assert (project.leaflets_dir / f"{LEAFLET}.md").read_bytes() == newer
    assert [v.version for v in versions.versions(project, LEAFLET)] == ["1.0", "1.1"]
    assert versions.read_version(project, LEAFLET, "1.0") == source
    assert versions.current_version(project, LEAFLET).version == "1.1"


def test_versions_sort_by_their_numbers(project, source):
    for version in ("1.9", "1.10", "2.0"):
        versions.publish(project, LEAFLET, changed_text(source, version), published_by="ed")
    assert [v.version for v in versions.versions(project, LEAFLET)] == ["1.9", "1.10", "2.0"]


@pytest.mark.parametrize("version, code", [
    ("1.0", "version_taken"),          # published already, with other text
    ("0.9", "version_not_newer"),
    ("1 0", "version_name"),
    ("../x", "version_name"),
])
def test_a_version_is_refused_with_its_reason(project, source, version, code):
    versions.publish(project, LEAFLET, source, published_by="ed")
    with pytest.raises(UserError) as caught:
        versions.publish(project, LEAFLET, changed_text(source, version), published_by="ed")
    assert [p.code for p in caught.value.problems] == [code]
    assert caught.value.problems[0].field == "version"
    assert (project.leaflets_dir / f"{LEAFLET}.md").read_bytes() == source     # nothing changed
    assert [v.version for v in versions.versions(project, LEAFLET)] == ["1.0"]


def test_an_invalid_leaflet_is_not_published(project, source):
    broken = source.replace(b"title: Lage rugklachten", b"title: ''")
    with pytest.raises(UserError):
        versions.publish(project, LEAFLET, broken, published_by="ed")
    assert versions.versions(project, LEAFLET) == []
    assert not versions.leaflet_history_dir(project, LEAFLET).exists()


def test_publishing_the_same_bytes_again_completes_a_publication_cut_short(project, source):
    versions.publish(project, LEAFLET, source, published_by="ed")
    newer = changed_text(source, "1.1")
    history = versions.leaflet_history_dir(project, LEAFLET)
    (history / "1.1.md").write_bytes(newer)           # as if the process stopped after its first file
    assert versions.publication_state(project, LEAFLET) == "changed"
    versions.publish(project, LEAFLET, newer, published_by="ed")
    assert versions.publication_state(project, LEAFLET) == "published"


def test_a_history_file_changed_by_hand_is_refused(project, source):
    found = versions.publish(project, LEAFLET, source, published_by="ed")
    (project.root / found.file).write_bytes(source.replace(b"twee weken", b"drie weken"))
    with pytest.raises(UserError) as caught:
        versions.read_version(project, LEAFLET, "1.0")
    assert [p.code for p in caught.value.problems] == ["version_altered"]
    assert caught.value.problems[0].file == found.file


def test_an_unknown_version_names_the_published_ones(project, source):
    versions.publish(project, LEAFLET, source, published_by="ed")
    with pytest.raises(UserError) as caught:
        versions.read_version(project, LEAFLET, "3.0")
    assert caught.value.problems[0].params["known"] == "1.0"
    assert versions.version(project, LEAFLET, "../../x") is None


def test_the_state_of_the_published_file(project, source):
    assert versions.publication_state(project, LEAFLET) == "unmanaged"
    versions.publish(project, LEAFLET, source, published_by="ed")
    (project.leaflets_dir / f"{LEAFLET}.md").write_bytes(changed_text(source, "1.0"))   # edited by hand
    assert versions.publication_state(project, LEAFLET) == "changed"


def test_two_publications_of_one_version_at_once_one_wins(project, source):
    versions.publish(project, LEAFLET, source, published_by="ed")
    texts = [changed_text(source, "1.1"), changed_text(source, "1.1").replace(b"heel", b"erg")]
    outcomes: list = []
    start = threading.Barrier(2)

    def publish(text: bytes) -> None:
        start.wait()
        try:
            outcomes.append(versions.publish(Project(project.root), LEAFLET, text, published_by="ed"))
        except UserError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=publish, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    won = [o for o in outcomes if isinstance(o, versions.PublishedVersion)]
    assert len(won) == 1 and len(outcomes) == 2
    assert versions.read_version(project, LEAFLET, "1.1") in texts
    assert (project.leaflets_dir / f"{LEAFLET}.md").read_bytes() == versions.read_version(project, LEAFLET, "1.1")


# ---- Catalogs ----------------------------------------------------------------------------------------

def test_catalogs_are_recorded_per_version_and_revision(project, source):
    catalog = project.root / catalog_file(LEAFLET, "de")
    assert catalog_versions.record_catalog(project, LEAFLET, "de", by="tina") is None     # nothing published yet
    versions.publish(project, LEAFLET, source, published_by="ed")
    first = catalog_versions.record_catalog(project, LEAFLET, "de", by="tina")
    assert (first.version, first.revision, first.recorded_by) == ("1.0", 1, "tina")
    assert first.file == f"translations/history/de/{LEAFLET}/1.0.po"
    assert catalog_versions.record_catalog(project, LEAFLET, "de", by="tina") is None     # unchanged
    original = catalog.read_bytes()
    catalog.write_bytes(original + b"\n# a translator's comment\n")
    second = catalog_versions.record_catalog(project, LEAFLET, "de", by="tina")
    assert (second.version, second.revision) == ("1.0", 2)
    assert second.file == f"translations/history/de/{LEAFLET}/1.0+2.po"
    assert catalog_versions.read_catalog_version(project, LEAFLET, "de", "1.0", 1) == original
    assert catalog_versions.read_catalog_version(project, LEAFLET, "de", "1.0") == catalog.read_bytes()
    versions.publish(project, LEAFLET, changed_text(source, "1.1"), published_by="ed")
    third = catalog_versions.record_catalog(project, LEAFLET, "de", by="tina")
    assert (third.version, third.revision) == ("1.1", 1)
    assert [(c.version, c.revision) for c in catalog_versions.catalog_versions(project, LEAFLET, "de")] == \
        [("1.0", 1), ("1.0", 2), ("1.1", 1)]
    with pytest.raises(UserError):
        catalog_versions.read_catalog_version(project, LEAFLET, "tr", "1.0")


# ---- Nothing else reads the store as leaflets, languages or catalogs ----------------------------------

@pytest.fixture
def with_history(project, source) -> Project:
    """The project with a published history: two versions of the leaflet, catalogs recorded."""
    versions.publish(project, LEAFLET, source, published_by="ed")
    for lang in ("de", "tr"):
        catalog_versions.record_catalog(project, LEAFLET, lang, by="tina")
    versions.publish(project, LEAFLET, with_version(source, "1.1"), published_by="ed")
    catalog_versions.record_catalog(project, LEAFLET, "de", by="tina")
    # and a draft of the next version, and of a new leaflet: no leaflet to build either
    drafts.save_draft(project, LEAFLET, changed_text(source, "1.2"), by="ed",
                      loaded=versions.sha256(with_version(source, "1.1")))
    drafts.save_draft(project, "knieklachten", source.replace(b"id: lage-rugklachten", b"id: knieklachten"),
                      by="ed", loaded="")
    return project


def test_history_and_drafts_are_no_leaflet_language_or_odd_name(with_history, project):
    assert project.leaflet_ids() == [LEAFLET]
    assert "history" not in project.languages()
    assert project.odd_names() == []


def test_the_main_job_plans_the_same_documents_with_history(with_history, tmp_path):
    plan = make_plan(with_history, Manifest.load(tmp_path / "out"), Hasher(), readers)
    assert plan.failed == [] and plan.warnings == []
    assert {job.leaflet for job in plan.jobs} == {LEAFLET}
    assert all("history" not in key for key in plan.wanted)


def test_list_names_no_history(with_history, cli):
    run = cli("list", root=with_history.root)
    assert run.code == 0, run
    assert "history" not in run.out and "skipped" not in run.out + run.err


def test_extraction_makes_no_catalog_of_history(with_history):
    before = sorted(p.name for p in with_history.translations_dir.glob("*.pot"))
    extract(with_history)
    after = sorted(p.name for p in with_history.translations_dir.glob("*.pot"))
    assert before == after


def test_pybabel_extract_with_the_repository_mapping_skips_history(with_history):
    """`pybabel extract -F babel.cfg` over the whole folder reads leaflets/*.md, not the store."""
    from tests.conftest import REPO

    out = with_history.root / "all.pot"
    run = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(REPO / "babel.cfg"),
                          "-o", str(out), "."], cwd=with_history.root, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"leaflets/{LEAFLET}.md" in run.stderr       # "extracting messages from …"
    assert "history" not in run.stderr + out.read_text(encoding="utf-8")


def test_the_search_finds_each_leaflet_once(with_history):
    from leafletgen.web import search

    hits = search.index(with_history).search("rugpijn")
    assert {hit.leaflet for hit in hits} == {LEAFLET}
