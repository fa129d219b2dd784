"""Render what was hashed: an input edited while a document is being made, and put back, never
leaves an output recorded (in output/manifest.json, in the web app's cache) under the digest of
inputs it was not made from.

The edit is made at a fixed point, not after a sleep: after the main job has hashed every input
and before its first document renders (the main job's build step), or while a web request waits
for its worker (the pool's run); the file is put back when that step ends.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from leafletgen.batch import readers
from leafletgen.batch import run as batch_run
from leafletgen.batch.manifest import Manifest
from leafletgen.inputs.digest import Hasher
from leafletgen.batch.plan import make_plan
from leafletgen.inputs.project import Project

from tests.conftest import run_cli
from tests.pdfutil import pdf_text

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"
PHONE, EDITED_PHONE = "030 123 45 67", "030 999 88 77"
TITLE_DE, EDITED_TITLE_DE = "Beschwerden im unteren Rücken", "Beschwerden im unteren Kreuz"


def edit(path: Path, old: str, new: str) -> tuple[bytes, bytes]:
    """(the file's bytes, its bytes with `old` replaced by `new`)."""
    original = path.read_bytes()
    assert old.encode() in original
    return original, original.replace(old.encode(), new.encode())


def small_project(project: Project) -> Project:
    """The example practice in Dutch and German only: two documents a run."""
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + 'languages = ["de"]\n', encoding="utf-8")
    return project


def planned_digests(project: Project) -> dict[str, str]:
    """What the main job would record for each output, for the inputs as they are now."""
    plan = make_plan(project, Manifest(project.root / "no-manifest.json"), Hasher(), readers,
                     force=True)
    return {key: wanted["digest"] for key, wanted in plan.wanted.items()}


INPUTS = {
    # what is edited → (its file, the text, the edit, the documents whose text shows it)
    "profile": (f"practices/{PRACTICE}.toml", PHONE, EDITED_PHONE, ("nl", "de")),
    "catalog": ("translations/de/LC_MESSAGES/lage-rugklachten.po", TITLE_DE, EDITED_TITLE_DE, ("de",)),
}


def shows(pdf: Path, text: str) -> bool:
    return " ".join(text.split()) in pdf_text(pdf)


@pytest.mark.slow
@pytest.mark.parametrize("what", sorted(INPUTS))
def test_an_input_edited_while_the_main_job_runs_is_never_recorded_under_the_other_digest(
        project, tmp_path, monkeypatch, what):
    """The issue's race: a file edited after the main job hashed it and put back when it ends.
    Whatever the run wrote, each output is recorded under the digest of the inputs its text
    shows; and the next run rebuilds any output whose inputs are not the files as they are."""
    project = small_project(project)
    relative, old, new, langs = INPUTS[what]
    path = project.root / relative
    original, edited = edit(path, old, new)
    path.write_bytes(edited)
    digests_edited = planned_digests(project)
    path.write_bytes(original)
    digests_original = planned_digests(project)
    out = tmp_path / "out"

    real = batch_run.build_documents

    def build_while_edited(*args, **kwargs):
        path.write_bytes(edited)          # every input is hashed: the documents are not made yet
        try:
            return real(*args, **kwargs)
        finally:
            path.write_bytes(original)

    monkeypatch.setattr(batch_run, "build_documents", build_while_edited)
    run = run_cli("--force", "--jobs", "1", "--out", str(out), root=project.root)
    monkeypatch.undo()
    assert run.code == 0, run

    outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    checked = 0
    for key, entry in outputs.items():
        pdf = out / entry["pdf"]
        if key.split("/")[1] not in langs:
            continue
        checked += 1
        if entry["digest"] == digests_original[key]:
            assert shows(pdf, old) and not shows(pdf, new), \
                f"{key}: made from the edited {relative}, recorded as made from the original"
        elif entry["digest"] == digests_edited[key]:
            assert shows(pdf, new) and not shows(pdf, old), \
                f"{key}: made from the original {relative}, recorded as made from the edited one"
        else:
            assert entry["digest"] == "", f"{key}: recorded under a digest of no known inputs"
    assert checked == len(langs)

    # The next run makes everything the files as they are now say.
    again = run_cli("--jobs", "1", "--out", str(out), root=project.root)
    assert again.code == 0, again
    outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    for key, entry in outputs.items():
        if key.split("/")[1] in langs:
            assert entry["digest"] == digests_original[key]
            assert shows(out / entry["pdf"], old) and not shows(out / entry["pdf"], new), key
    third = run_cli("--jobs", "1", "--out", str(out), root=project.root)
    assert third.code == 0 and re.search(r"^0 built, ", third.out, re.M), third


def test_a_profile_changed_while_a_request_waits_for_a_worker_is_not_served_under_the_other_digest(
        tmp_path, monkeypatch):
    """The web app's race: the request's digest is of the profile as it was; the worker renders the
    profile as it is when it gets the task; the file is put back. The cache must not then serve
    the other version's PDF for the original digest."""
    from tests.web.test_web import copy_project, make_app

    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    try:
        client = app.test_client()
        url = f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}"
        path = project.practices_dir / f"{PRACTICE}.toml"
        original, edited = edit(path, PHONE, EDITED_PHONE)
        real = service.pool.run

        def run_while_edited(*args):
            path.write_bytes(edited)      # the request's digest is made: it waits for a worker
            try:
                return real(*args)
            finally:
                path.write_bytes(original)

        monkeypatch.setattr(service.pool, "run", run_while_edited)
        first = client.get(url)
        assert first.status_code == 200
        monkeypatch.undo()

        second = client.get(url)
        assert second.status_code == 200
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(second.data)).pages)
        text = re.sub(r"\s+", " ", text)
        assert PHONE in text and EDITED_PHONE not in text, \
            f"X-Cache: {second.headers['X-Cache']}: the edited profile's PDF, served for the original"
    finally:
        service.close()
