"""The one render path: a request in, the document's outputs out, nothing written; and the same
bytes from the input files alone, laid out in another folder (as on another machine)."""

from __future__ import annotations

import pickle

import pytest

from leafletgen.inputs.input_files import input_files, write_input_files
from leafletgen.render import BuildRequest, DocumentOptions, render_document

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


@pytest.mark.parametrize("request_", [BuildRequest(LEAFLET, "tr", PRACTICE, "booklet", bilingual=True),
                                      BuildRequest(LEAFLET, "nl", None, "large-print")],
                         ids=["tr-bilingual-booklet-practice", "nl-large-print-neutral"])
def test_the_input_files_alone_make_the_same_bytes_in_another_folder(project, tmp_path, request_):
    files = input_files(project, request_)
    assert f"leaflets/{LEAFLET}.md" in files and "templates/leaflet.css" in files
    assert all(not name.startswith(("output/", "/")) and ".." not in name for name in files)
    elsewhere = write_input_files(pickle.loads(pickle.dumps(files)), tmp_path / "elsewhere")
    here = render_document(project, request_)
    there = render_document(elsewhere, request_)
    assert there.pdf == here.pdf
    assert there.html == here.html
    assert there.warnings == here.warnings
