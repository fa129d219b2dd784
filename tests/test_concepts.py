"""Drafts never under a final name: an incomplete translation built with --allow-draft is written
as <leaflet>[-variant]-concept.pdf and .html; the final version replaces it, and the main job
removes a concept that has gone stale (its language complete, or its inputs changed)."""

from __future__ import annotations

import pytest

import re
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
        f".{LEAFLET}-large-print-concept.json",    # what it was made from (for the main job)
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


def only_english(project) -> None:
    """Dutch and English only: the main job then builds one document."""
    for folder in project.translations_dir.iterdir():
        if folder.is_dir() and folder.name != "en":
            shutil.rmtree(folder)


@pytest.mark.slow
def test_the_main_job_lists_a_concept_and_removes_it_once_stale(project, tmp_path):
    only_english(project)
    catalog = project.catalog_path(LEAFLET, "en")
    complete = catalog.read_bytes()
    partial_english(project)
    out = tmp_path / "out"
    folder = out / PRACTICE / "en"

    def draft():
        run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", PRACTICE,
                      "--allow-draft", "--out", str(out), root=project.root)
        assert run.code == 0, run
        assert {p.name for p in folder.iterdir()} == {
            f"{LEAFLET}-concept.pdf", f"{LEAFLET}-concept.html", f".{LEAFLET}-concept.json"}

    def main_job():
        run = run_cli("--out", str(out), "--jobs", "1", root=project.root)
        assert run.code == 0, run
        return run.out.splitlines()

    draft()
    lines = main_job()                       # nothing changed: listed, kept
    assert f"concept (a draft, not to print as final): {PRACTICE}/en/{LEAFLET}-concept.pdf" in lines
    assert (folder / f"{LEAFLET}-concept.pdf").is_file()
    assert f"{LEAFLET}-concept" not in (out / "index.html").read_text(encoding="utf-8")
    # Its inputs change (still incomplete): it goes.
    catalog.write_bytes(catalog.read_bytes().replace(b'msgstr "Low back problems"', b'msgstr "Low back pain"'))
    lines = main_job()
    assert f"removed concept {PRACTICE}/en/{LEAFLET}-concept.pdf: its catalogs changed since it was made" \
        in lines
    assert not folder.exists() or list(folder.iterdir()) == []
    # Made again, then the language is complete: the final is built and the concept goes.
    draft()
    catalog.write_bytes(complete)
    lines = main_job()
    assert (f"removed concept {PRACTICE}/en/{LEAFLET}-concept.pdf: its language is complete: the "
            "final version is what to print") in lines
    assert sorted(p.name for p in folder.iterdir()) == [f"{LEAFLET}.html", f"{LEAFLET}.pdf"]
    # A concept without its record (copied in by hand, an older version's) is not trusted.
    partial_english(project)
    (folder / f"{LEAFLET}-concept.pdf").write_bytes((folder / f"{LEAFLET}.pdf").read_bytes())
    lines = main_job()
    assert f"removed concept {PRACTICE}/en/{LEAFLET}-concept.pdf: no record of what it was made from" in lines


def test_the_web_apps_draft_carries_the_concept_name(tmp_path):
    from tests.web.test_web import _break_turkish, copy_project, make_app

    project = copy_project(tmp_path / "project")
    _break_turkish(project)
    app, service = make_app(project, tmp_path / "cache")
    try:
        client = app.test_client()
        for kind in ("pdf", "html"):
            response = client.get(f"/leaflets/{LEAFLET}/tr.{kind}?practice={PRACTICE}&draft=1&download=1")
            assert response.status_code == 200
            name = re.search(r'filename="?([^";]+)', response.headers["Content-Disposition"]).group(1)
            assert name == f"{LEAFLET}-concept.{kind}"
        final = client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}&download=1")
        assert "concept" not in final.headers["Content-Disposition"]
    finally:
        service.close()


def test_a_final_output_whose_name_ends_in_concept_is_not_taken_for_a_draft(project, tmp_path):
    """A leaflet may be called 'x-concept': its final files, which the manifest records, stay."""
    from types import SimpleNamespace

    from leafletgen.batch.concepts import plan_concepts
    from leafletgen.inputs.digest import Hasher

    folder = tmp_path / PRACTICE / "nl"
    folder.mkdir(parents=True)
    (folder / f"{LEAFLET}-concept.pdf").write_bytes(b"%PDF-")
    sources = SimpleNamespace(leaflets={LEAFLET: {"content": ""}}, practice_parts={PRACTICE: ""},
                              complete={LEAFLET: ["nl"]}, templates="")
    key = f"{PRACTICE}/nl/{LEAFLET}-concept"
    [concept] = plan_concepts(project, Hasher(), tmp_path, sources)
    assert concept.key == key and concept.stale
    assert plan_concepts(project, Hasher(), tmp_path, sources, outputs={key}) == []


def test_the_main_job_names_the_final_files_it_does_not_keep_up_to_date(tmp_path):
    """`build` for a variant, language or practice the main job does not build: a file under a
    final name that nothing keeps current. Its own outputs and the drafts it lists are not named."""
    from leafletgen.batch.concepts import Concept, unmanaged

    for name in (f"{PRACTICE}/nl/{LEAFLET}.pdf", f"{PRACTICE}/nl/{LEAFLET}-a5.pdf", f"default/de/{LEAFLET}.pdf",
                 f"{PRACTICE}/en/{LEAFLET}-concept.pdf", f"{PRACTICE}/nl/{LEAFLET}.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"%PDF-")
    draft = Concept(f"{PRACTICE}/en/{LEAFLET}-concept", (tmp_path / f"{PRACTICE}/en/{LEAFLET}-concept.pdf",))
    named = unmanaged(tmp_path, {f"{PRACTICE}/nl/{LEAFLET}.pdf"}, [draft])
    assert [line.split(": ")[1].split(" ")[0] for line in named] == [
        f"default/de/{LEAFLET}.pdf", f"{PRACTICE}/nl/{LEAFLET}-a5.pdf"]
    assert all(line.startswith("not made by the main job, so not kept up to date: ") and "`verify`" in line
               for line in named)


@pytest.mark.slow
def test_a_file_built_by_hand_is_named_by_the_main_job(project, tmp_path):
    only_english(project)
    out = tmp_path / "out"
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", PRACTICE, "--variant", "a5",
                  "--out", str(out), root=project.root)
    assert run.code == 0, run
    run = run_cli("--out", str(out), "--jobs", "1", root=project.root)
    assert run.code == 0, run
    named = [line for line in run.out.splitlines() if line.startswith("not made by the main job")]
    assert len(named) == 1 and f"{PRACTICE}/en/{LEAFLET}-a5.pdf" in named[0]
