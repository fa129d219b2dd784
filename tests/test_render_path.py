"""The one render path: a request in, the document's outputs out, nothing written; and the same
bytes from its bundle alone (inputs.bundle): after its files changed on disk, and on a machine
that has none of them."""

from __future__ import annotations

import pickle
import shutil

import pytest

from leafletgen.batch import readers
from leafletgen.batch.plan import make_plan
from leafletgen.batch.manifest import Manifest
from leafletgen.errors import UserError
from leafletgen.inputs.bundle import load_bundle
from leafletgen.inputs.digest import Hasher
from leafletgen.render import BuildRequest, DocumentOptions, render_bundle, render_document, render_replayed
from leafletgen.run.render_child import kept_child

from tests.hostile import LEAFLET, PRACTICE


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_request_gives_the_documents_outputs_and_writes_nothing(project):
    before = files_under(project.root)
    request = BuildRequest(LEAFLET, "de", PRACTICE, "a5",
                           options=DocumentOptions(fonts_url="/fonts/", thumbnail_width=120))
    document = render_document(project, request)
    assert files_under(project.root) == before
    assert document.pdf.startswith(b"%PDF-") and document.html.startswith("<!DOCTYPE html>")
    assert 'url("/fonts/' in document.html                     # the HTML links its fonts there
    assert document.thumbnail.startswith(b"\x89PNG\r\n\x1a\n")
    assert document.facts.min_text_pt is not None and document.warnings == []
    assert document.leaflet.language == "de" and not document.draft
    assert request.key == f"{PRACTICE}/de/{LEAFLET}-a5"
    # What a worker sends back to the process (or machine) that writes it: plain data.
    assert pickle.loads(pickle.dumps(document)).pdf == document.pdf


REQUESTS = [BuildRequest(LEAFLET, "tr", PRACTICE, "booklet", bilingual=True),
            BuildRequest(LEAFLET, "nl", None, "large-print")]
IDS = ["tr-bilingual-booklet-practice", "nl-large-print-neutral"]


@pytest.mark.slow
@pytest.mark.parametrize("request_", REQUESTS, ids=IDS)
def test_the_bundle_alone_makes_the_same_bytes_on_a_machine_without_the_project(project, request_):
    """What travels is the record of the bundle's reading and the bytes it read (by digest):
    made again from those alone, with the project gone, the document is the same."""
    here = render_document(project, request_)
    wire, blobs = load_bundle(project, request_).wire()
    files = wire["reading"]["files"]
    assert f"leaflets/{LEAFLET}.md" in files and "templates/leaflet.css" in files
    assert all(not name.startswith(("output/", "/")) and ".." not in name for name in files)
    wire, blobs = pickle.loads(pickle.dumps((wire, blobs)))
    shutil.rmtree(project.root)
    there = render_replayed(wire, blobs)
    assert there.pdf == here.pdf
    assert there.html == here.html
    assert there.warnings == here.warnings
    assert there.inputs == here.inputs


def test_a_bundle_whose_bytes_were_changed_on_the_way_is_refused(project):
    wire, blobs = load_bundle(project, REQUESTS[0]).wire()
    digest = wire["reading"]["files"][f"practices/{PRACTICE}.toml"]
    blobs[digest] = blobs[digest].replace(b"030 123 45 67", b"030 999 88 77")
    with pytest.raises(UserError, match=f"practices/{PRACTICE}.toml: the bytes that arrived here"):
        render_replayed(wire, blobs)


@pytest.mark.slow
def test_after_its_bundle_is_loaded_a_document_reads_no_file_of_the_project(project):
    """Stages 2 to 4 render from the bundle: every input changed on disk after it was loaded
    (profile, logo, catalogs, review record, templates, leaflet) changes nothing, and its
    digest is of what it was made from."""
    request = REQUESTS[0]
    with kept_child():
        before = render_document(project, request)
    from leafletgen.run import limits

    with limits.worker(limits.Limits(seconds=0, memory_mb=0)):
        bundle = load_bundle(project, request)
        for path in [*project.root.rglob("*.toml"), *project.root.rglob("*.po"),
                     *project.root.rglob("*.j2"), *project.root.rglob("*.css"),
                     *project.root.rglob("*.md"), *project.root.rglob("*.svg")]:
            path.write_bytes(b"changed")
        document = render_bundle(bundle)
    assert document.pdf == before.pdf and document.html == before.html
    assert document.inputs == before.inputs == bundle.parts


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_a_bundles_parts_are_what_the_plan_hashes(project, lang):
    """The digest recorded for an output is its bundle's; with no file changed in between it is
    the plan's, so an unchanged output is not built again."""
    plan = make_plan(project, Manifest(project.root / "none.json"), Hasher(), readers, force=True)
    for job in [job for job in plan.jobs if job.lang == lang]:
        deps = dict(plan.wanted[job.key]["deps"])
        deps.pop("tool")
        assert load_bundle(project, job).parts == deps, job.key


def test_a_bundle_says_what_its_document_may_print(project):
    """For the text proof: the leaflet's units in the document's language and in Dutch, the
    template strings in the language, the practice's contact details; each from the bundle."""
    from leafletgen.render import translate

    bundle = load_bundle(project, BuildRequest(LEAFLET, "de", PRACTICE))
    texts = bundle.approved_texts(translate(bundle))
    catalog = {message.id: message.string for message in bundle.catalog if message.id}
    assert texts["units"][0] == catalog[bundle.leaflet.title] != bundle.leaflet.title
    assert texts["source_units"][0] == bundle.leaflet.title
    labels = {message.id: message.string for message in bundle.template_catalog if message.id}
    assert labels["Telefoon"] in texts["template_strings"] and "Telefoon" not in texts["template_strings"]
    assert "030 123 45 67" in texts["profile"] and bundle.practice.name in texts["profile"]
