"""A copy-fitting setting already known is laid out once, and gives the same bytes as the search."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest

from leafletgen.batch import run_main_job
from leafletgen.batch.plan import make_plan
from leafletgen.batch.manifest import Manifest
from leafletgen.batch import _readers
from leafletgen.inputs.digest import Hasher
from leafletgen.inputs.project import Project
from leafletgen.render import BuildRequest, render_document
from leafletgen.run.render_child import kept_child
from leafletgen.typeset import fit_memory
from leafletgen.typeset.copyfit import FitSettings

from ..conftest import REPO

LEAFLET = "lage-rugklachten"
# Documents the search sets otherwise than as designed: closer; with a heading's last words
# bound; bilingual Arabic looser, with page breaks and a binding.
SEARCHED = (("de", "a4", False), ("de", "a5", False), ("ar", "a4", True))


@pytest.fixture(scope="module")
def searched():
    """Each of SEARCHED rendered twice in one process: found by the whole search, then again."""
    fit_memory.forget()
    project = Project(REPO)
    with kept_child():   # one process: the second render of each finds its setting remembered
        found = {}
        for lang, variant, bilingual in SEARCHED:
            request = BuildRequest(LEAFLET, lang, "fysio-delinde", variant, bilingual)
            found[lang, variant, bilingual] = render_document(project, request), \
                render_document(project, request)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("spec", SEARCHED)
def test_a_setting_remembered_in_the_process_is_laid_out_once_to_the_same_bytes(searched, spec):
    first, again = searched[spec]
    assert first.layouts >= 2 and first.fit != FitSettings()
    assert again.layouts == 1 and again.fit == first.fit
    assert again.pdf == first.pdf and again.html == first.html
    assert again.remembered_fit == first.remembered_fit


@pytest.mark.slow
@pytest.mark.parametrize("spec", SEARCHED)
def test_a_setting_from_the_manifest_is_laid_out_once_to_the_same_bytes(searched, spec):
    first, _ = searched[spec]
    request = BuildRequest(LEAFLET, spec[0], "fysio-delinde", spec[1], spec[2],
                           remembered_fit=json.loads(json.dumps(first.remembered_fit)))
    hinted = render_document(Project(REPO), request)     # a fresh child: nothing remembered there
    assert hinted.layouts == 1 and hinted.pdf == first.pdf


def test_a_setting_that_does_not_measure_as_remembered_is_searched_again(searched):
    first, _ = searched["de", "a4", False]
    changed = dict(first.remembered_fit, measured="0" * 64)
    again = render_document(Project(REPO), BuildRequest(LEAFLET, "de", "fysio-delinde",
                                                        remembered_fit=changed))
    assert again.layouts >= 2 and again.pdf == first.pdf


def test_a_setting_remembered_for_another_page_is_not_used(searched):
    first, _ = searched["de", "a4", False]
    # The Turkish page is another page: the German setting must not be tried on it.
    turkish = BuildRequest(LEAFLET, "tr", "fysio-delinde")
    plain = render_document(Project(REPO), turkish)
    hinted = render_document(Project(REPO), replace(turkish, remembered_fit=first.remembered_fit))
    assert hinted.fit == plain.fit and hinted.pdf == plain.pdf


@pytest.mark.parametrize("change", [
    {"breaks": ["main > :nth-child(2) { display: none } main"]},   # CSS, not a block's place
    {"level": float("nan")}, {"level": 3}, {"level": True}, {"binds": [""]}, {"breaks": "main"},
    {"clear_separators": "yes"}, {"key": None},
])
def test_a_remembered_setting_not_as_we_write_it_is_ignored(change):
    good = {"key": "k", "measured": "m", "level": -0.5, "breaks": ["main > :nth-child(4)"],
            "binds": ["Wat kunt u zelf doen?"], "clear_separators": False}
    assert fit_memory.Remembered.from_json(good) is not None
    assert fit_memory.Remembered.from_json({**good, **change}) is None
    assert fit_memory.recall("k", {**good, **change}) is None


@pytest.mark.slow
def test_the_main_job_keeps_each_fit_in_its_manifest_and_hands_it_to_the_next_build(project):
    """Built, then built again with --force: each job carries the fit its manifest kept, and the
    outputs are the same bytes (Dutch and German only, to keep it quick)."""
    for folder in (project.root / "translations").iterdir():
        if folder.is_dir() and folder.name != "de":
            shutil.rmtree(folder)
    project_copy, out = project.root, project.root / "output"
    run_main_job(Project(project_copy), out, jobs=1)
    manifest = json.loads((out / "manifest.json").read_text())
    fits = {key: entry.get("fit") for key, entry in manifest["outputs"].items()}
    assert fits and all(fit and fit_memory.Remembered.from_json(fit) for fit in fits.values())
    before = {path: path.read_bytes() for path in out.rglob("*.pdf")}
    loaded = Manifest.load(out)
    plan = make_plan(Project(project_copy), loaded, Hasher(loaded.files), _readers, force=True)
    assert {job.key: job.remembered_fit for job in plan.jobs} == fits
    run_main_job(Project(project_copy), out, jobs=1, force=True)
    assert {path: path.read_bytes() for path in out.rglob("*.pdf")} == before
