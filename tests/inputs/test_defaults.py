"""leafletgen's defaults (templates, the template strings' and web app's catalogs, termbases) in a
content folder that has none of them, as `leafletgen new` makes it: read, hashed and rendered as if
the folder had them, overridden file by file, and the same bytes in any folder."""

from __future__ import annotations

import os
import shutil

import pytest

from leafletgen.batch import readers
from leafletgen.batch.manifest import Manifest
from leafletgen.batch.plan import make_plan
from leafletgen.content_folder import new_folder
from leafletgen.errors import UserError
from leafletgen.inputs import project as project_module
from leafletgen.inputs.bundle import load_bundle
from leafletgen.inputs.digest import Hasher
from leafletgen.inputs.project import Project
from leafletgen.render import BuildRequest, render_document, render_replayed
from leafletgen.translate.status import incomplete_reason
from leafletgen.inputs.leaflet import load_leaflet

from tests.conftest import REPO, run_cli
from tests.hostile import LEAFLET, PRACTICE, png

TURKISH = BuildRequest(LEAFLET, "tr", PRACTICE)


@pytest.fixture
def made(tmp_path) -> Project:
    """A content folder as `leafletgen new` makes it: no templates/, no template catalogs."""
    new_folder(tmp_path / "my-leaflets")
    project = Project(tmp_path / "my-leaflets")
    assert not (project.root / "templates").exists()
    assert not list(project.root.glob("translations/*/LC_MESSAGES/leafletgen*.po"))
    return project


def _plan_parts(project: Project, lang: str) -> dict:
    """Each job of the main job's plan in `lang` → the digests of its parts (the tool's aside)."""
    plan = make_plan(project, Manifest(project.root / "none.json"), Hasher(), readers, force=True)
    return {job: {name: value for name, value in plan.wanted[job.key]["deps"].items() if name != "tool"}
            for job in plan.jobs if job.lang == lang}


@pytest.mark.parametrize("lang", ["nl", "tr"])
def test_a_new_folder_is_hashed_as_if_it_had_leafletgens_files(made, lang):
    """The plan's digests (the disk) and the bundle's (its reading) agree, and are those of
    leafletgen's own folder, which has the same files: an output is not built again for nothing,
    and what was hashed is what is rendered."""
    plan = _plan_parts(made, lang)
    assert plan and plan == _plan_parts(Project(REPO), lang)
    for job, parts in plan.items():
        assert load_bundle(made, job).parts == parts, job.key


def test_a_new_folder_renders_the_same_bytes_as_leafletgens_own(made):
    """The templates and the Turkish template strings come from leafletgen: the document is the
    one leafletgen's own folder makes, byte for byte, and is complete (final, not a concept)."""
    assert incomplete_reason(made, load_leaflet(made, LEAFLET), "tr") == ""
    ours = render_document(made, TURKISH)
    theirs = render_document(Project(REPO), TURKISH)
    assert not ours.draft
    assert ours.pdf == theirs.pdf and ours.html == theirs.html


def test_the_bundle_carries_the_defaults_to_a_machine_without_them(made, tmp_path, monkeypatch):
    """A bundle's reading holds the default files it used, by the folder's names: a worker with
    neither the folder nor leafletgen's (here: another leafletgen's, empty) makes the same bytes."""
    here = render_document(made, TURKISH)
    wire, blobs = load_bundle(made, TURKISH).wire()
    assert {"templates/leaflet.css", "translations/tr/LC_MESSAGES/leafletgen.po"} <= set(wire["reading"]["files"])
    shutil.rmtree(made.root)
    monkeypatch.setattr(project_module, "SHIPPED_ROOT", tmp_path / "elsewhere")
    there = render_replayed(wire, blobs)
    assert there.pdf == here.pdf


def test_a_folders_own_template_overrides_leafletgens_file_by_file(made):
    """A content folder's templates/leaflet.css replaces leafletgen's, the other templates stay
    leafletgen's; the digest changes with it, alike in the plan and the bundle."""
    before = load_bundle(made, TURKISH).parts["templates"]
    (made.root / "templates").mkdir()
    css = (REPO / "templates" / "leaflet.css").read_bytes() + b"\nh1 { color: #8b0000; }\n"
    (made.root / "templates" / "leaflet.css").write_bytes(css)
    bundle = load_bundle(made, TURKISH)
    assert bundle.project.read("templates/leaflet.css", 1 << 20) == css
    assert bundle.project.read("templates/leaflet.html.j2", 1 << 20) == \
        (REPO / "templates" / "leaflet.html.j2").read_bytes()
    assert bundle.parts["templates"] != before
    for job, parts in _plan_parts(made, "tr").items():
        assert parts["templates"] == bundle.parts["templates"]
        assert load_bundle(made, job).parts == parts, job.key
    assert "#8b0000" in render_document(made, BuildRequest(LEAFLET, "nl", PRACTICE)).html


def test_a_linked_templates_folder_is_refused_not_replaced_by_the_defaults(made, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", made.root / "templates")
    with pytest.raises(UserError, match="templates"):
        render_document(made, TURKISH)


def test_translations_update_copies_no_default(made):
    """`translations update` in a new folder leaves leafletgen's template catalogs where they are
    (a copy would override them from then on) and every language complete."""
    run = run_cli("translations", "update", root=made.root)
    assert run.code == 0, run.err
    assert not list(made.root.glob("translations/*/LC_MESSAGES/leafletgen*.po"))
    leaflet = load_leaflet(made, LEAFLET)
    assert all(incomplete_reason(made, leaflet, lang) == "" for lang in made.languages()[1:])


def test_the_web_app_speaks_leafletgens_languages_in_a_new_folder(made):
    from leafletgen.web.i18n import ui_languages, ui_translations

    assert ui_languages(made) == ui_languages(Project(REPO))
    english = ui_translations(made, "en")
    assert english.gettext("Wachtwoord") != "Wachtwoord"


def test_a_documents_bytes_do_not_depend_on_the_folder(tmp_path):
    """The same content folder in two places makes the same PDF, also with raster images (a PNG
    logo and a picture, which WeasyPrint names after their URL)."""
    pdfs = []
    for folder in (tmp_path / "a", tmp_path / "deeper" / "folder" / "b"):
        new_folder(folder)
        (folder / "leaflets" / "foto.png").write_bytes(png((120, 80), (30, 120, 90)))
        leaflet = folder / "leaflets" / f"{LEAFLET}.md"
        leaflet.write_text(leaflet.read_text() + "\n![Een groene rechthoek](foto.png)\n")
        (folder / "practices" / PRACTICE / "logo.png").write_bytes(png((200, 100), (200, 40, 40)))
        profile = folder / "practices" / f"{PRACTICE}.toml"
        profile.write_text(profile.read_text().replace(f"{PRACTICE}/logo.svg", f"{PRACTICE}/logo.png"))
        document = render_document(Project(folder), BuildRequest(LEAFLET, "nl", PRACTICE))
        assert document.warnings == []
        pdfs.append(document.pdf)
    assert b"/Subtype /Image" in pdfs[0] or b"/Subtype/Image" in pdfs[0]
    assert pdfs[0] == pdfs[1]


def test_a_templates_file_in_the_content_folder_is_refused_with_its_name(made):
    """Read as missing, a `templates` that is a file would give neither the folder's templates
    nor leafletgen's (its digest is that of no folder): refused, saying what to do."""
    (made.root / "templates").write_text("not a folder\n")
    run = run_cli(root=made.root)
    assert run.code == 1 and "internal error" not in run.err, run.err
    assert "templates: is not a folder; make it a folder of templates, or remove it to use leafletgen's" in run.err


def test_a_language_a_profile_asks_for_without_translations_is_said(made):
    """The practice wants Italian and an unknown code; this folder has neither: the plan says so,
    naming the profile and the field, and makes nothing in them (the other languages as before)."""
    profile = made.root / "practices" / f"{PRACTICE}.toml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text + '\nlanguages = ["tr", "it", "qq"]\n', encoding="utf-8")
    plan = make_plan(made, Manifest(made.root / "none.json"), Hasher(), readers, force=True)
    said = [line for line in plan.warnings if "languages:" in line]
    assert said == [
        f"practices/{PRACTICE}.toml: languages: Italian (it) has no translations in this folder "
        "(translations/it/); no leaflet is made in it",
        f"practices/{PRACTICE}.toml: languages: 'qq' has no translations in this folder "
        "(translations/qq/); no leaflet is made in it"]
    assert {job.lang for job in plan.jobs if job.practice == PRACTICE} == {"nl", "tr"}
    profile.write_text(text + '\nlanguages = ["tr"]\n', encoding="utf-8")
    plan = make_plan(made, Manifest(made.root / "none.json"), Hasher(), readers, force=True)
    assert not [line for line in plan.warnings if "languages:" in line]
