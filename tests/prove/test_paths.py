"""The text proof in every path that renders: the main job (worker processes) and the web app's
workers refuse a document whose words a practice's stylesheet changed, and write or serve
nothing for it; the practice's other documents are made as before."""

from __future__ import annotations

import shutil

from leafletgen.inputs.project import Project
from tests.conftest import PROJECT_PARTS, REPO, run_cli

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"
# The key message hidden in German only: one document of the practice is altered.
HIDDEN_IN_GERMAN = ':lang(de) .callout { display: none }\n'


def project_with(root, langs=("de",)) -> Project:
    """A copy of the project with only `langs` translated, the practice's stylesheet hiding the
    German key message."""
    root.mkdir()
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    for folder in (root / "translations").iterdir():
        if folder.is_dir() and folder.name not in langs:
            shutil.rmtree(folder)
    own = root / "practices" / PRACTICE / "templates"
    own.mkdir(parents=True, exist_ok=True)
    css = (root / "templates" / "leaflet.css").read_text(encoding="utf-8")
    (own / "leaflet.css").write_text(css + "\n" + HIDDEN_IN_GERMAN, encoding="utf-8")
    return Project(root)


def german_key_message() -> str:
    from babel.messages.pofile import read_po
    with open(REPO / "translations/de/LC_MESSAGES/lage-rugklachten.po", "rb") as po:
        return read_po(po).get("Acute lage rugklachten gaan vaak vanzelf over").string


def test_the_main_job_writes_no_altered_document(tmp_path):
    project = project_with(tmp_path / "project")
    run = run_cli("--jobs", "2", root=project.root)
    assert run.code == 1
    assert f"failed {PRACTICE}/de/{LEAFLET}.pdf" in run.out.splitlines()
    assert f"{LEAFLET} de for {PRACTICE}: unit '{german_key_message()[:20]}" in run.err
    assert "missing on the page" in run.err
    folder = project.output_dir / PRACTICE
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf")) == [
        f"nl/{LEAFLET}.pdf"]


def test_the_web_app_serves_no_altered_document(tmp_path):
    from leafletgen.web.app import create_app
    from leafletgen.web.documents import DocumentService

    project = project_with(tmp_path / "project")
    service = DocumentService(project, tmp_path / "cache", workers=1)
    app = create_app(project, documents=service, testing=True)
    try:
        client = app.test_client()
        response = client.get(f"/leaflets/{LEAFLET}/de.pdf?practice={PRACTICE}")
        assert response.status_code == 422
        # Staff read what happened in their language, without the details (a unit, a file).
        text = response.get_data(as_text=True)
        assert "De opmaak van de praktijk verandert de goedgekeurde tekst" in text
        assert german_key_message()[:20] not in text and "Traceback" not in text
        assert not any(tmp_path.joinpath("cache").rglob("*.pdf"))
        assert client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}").status_code == 200
    finally:
        service.close()
