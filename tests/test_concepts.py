"""Drafts never under a final name: an incomplete translation built with --allow-draft is written
as <leaflet>[-variant]-concept.pdf and .html; the final version replaces it, and the main job
removes a concept that has gone stale (its language complete, or its inputs changed)."""

from __future__ import annotations

import shutil

from tests.conftest import run_cli
from tests.hostile import LEAFLET
from tests.pdfutil import pdf_text
from tests.translate.test_workflow import partial_english

PRACTICE = "fysio-delinde"


def test_a_draft_is_written_as_a_concept_and_the_final_replaces_it(project, tmp_path):
    catalog = project.catalog_path(LEAFLET, "en")
    complete = catalog.read_bytes()
    partial_english(project)
    out = tmp_path / "out"
    folder = out / PRACTICE / "en"
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", PRACTICE,
                  "--variant", "large-print", "--allow-draft", "--out", str(out), root=project.root)
    assert run.code == 0, run
    assert sorted(path.name for path in folder.iterdir()) == [
        f"{LEAFLET}-large-print-concept.html", f"{LEAFLET}-large-print-concept.pdf"]
    assert f"wrote {out / PRACTICE / 'en' / f'{LEAFLET}-large-print-concept.pdf'}" in run.out
    assert "DRAFT — translation incomplete" in pdf_text(folder / f"{LEAFLET}-large-print-concept.pdf")
    # Complete again: the final version is written and the concept beside it goes.
    catalog.write_bytes(complete)
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", PRACTICE,
                  "--variant", "large-print", "--allow-draft", "--out", str(out), root=project.root)
    assert run.code == 0, run
    assert sorted(path.name for path in folder.iterdir()) == [
        f"{LEAFLET}-large-print.html", f"{LEAFLET}-large-print.pdf"]
    assert "DRAFT" not in pdf_text(folder / f"{LEAFLET}-large-print.pdf")
