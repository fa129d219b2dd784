"""The leaflet editor in the app (web/leaflet_editor.py): problems at their lines, a save over a
text changed since refused with the other change shown, draft → approved (by another account
that may review) → published, earlier versions with who made them, a new leaflet."""

from __future__ import annotations

import errno
import os
import re

import pytest

from leafletgen.inputs import drafts, versions
from tests.web.test_web import LEAFLET, add_account, copy_project, make_app, sign_in

ROLES = {"eddie": "editor", "emma": "editor", "rita": "reviewer", "sam": "staff"}


@pytest.fixture
def office(tmp_path):
    project = copy_project(tmp_path / "project")
    for name, role in ROLES.items():
        add_account(project, name, role)
    app, service = make_app(project, tmp_path / "cache", require_login=True)
    yield app, project
    service.close()
    app.extensions["leafletgen.store"].close()


def client_of(app, name: str):
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    return client


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_of(page: str) -> dict:
    return {"csrf_token": token(page), "loaded": re.search(r'name="loaded" value="([^"]*)"', page).group(1)}


def textarea(page: str) -> str:
    import html

    return html.unescape(re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def test_only_editors_open_the_editor(office):
    app, project = office
    assert client_of(app, "sam").get(f"/editor/{LEAFLET}").status_code == 403
    page = client_of(app, "eddie").get(f"/editor/{LEAFLET}").get_data(as_text=True)
    published = (project.leaflets_dir / f"{LEAFLET}.md").read_text(encoding="utf-8")
    assert textarea(page) == published.replace('version: "1.0"', 'version: "1.1"')      # a change is 1.1
    assert "Patiënten krijgen nu versie 1.0." in page and 'href="/editor/lage-rugklachten/versions/1.0"' in page


def test_problems_are_shown_at_their_line_without_saving(office):
    app, project = office
    client = client_of(app, "eddie")
    page = client.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    text = textarea(page).replace('version: "1.0"', 'version: "1.1"').replace("title: Lage rugklachten", "title: ''")
    answer = client.post(f"/editor/{LEAFLET}/check", data={**form_of(page), "text": text}).get_json()
    title_line = text.splitlines().index("title: ''") + 1
    assert [problem["line"] for problem in answer["problems"]] == [title_line]
    same = text.replace("title: ''", "title: Lage rugklachten").replace('version: "1.1"', 'version: "1.0"')
    answer = client.post(f"/editor/{LEAFLET}/check", data={**form_of(page), "text": same}).get_json()
    assert [problem["line"] for problem in answer["problems"]] == [text.splitlines().index('version: "1.1"') + 1]
    assert "1.1" in answer["problems"][0]["text"]                   # the version it suggests
    assert drafts.draft(project, LEAFLET) is None


def test_the_preview_shows_the_pages_of_the_unsaved_text(office):
    app, project = office
    client = client_of(app, "eddie")
    page = client.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    text = textarea(page).replace('version: "1.0"', 'version: "1.1"')
    answer = client.post(f"/editor/{LEAFLET}/preview", data={**form_of(page), "text": text}).get_json()
    assert answer["problems"] == [] and len(answer["pages"]) == 2
    assert all(src.startswith("data:image/png;base64,") for src in answer["pages"])
    assert drafts.draft(project, LEAFLET) is None and not list((project.root / ".leafletgen").glob("**/*.png"))


def test_draft_approved_by_another_then_published(office):
    app, project = office
    eddie, rita = client_of(app, "eddie"), client_of(app, "rita")
    page = eddie.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    text = textarea(page).replace('version: "1.0"', 'version: "1.1"').replace(
        "Het is een veelvoorkomende klacht.", "Het is een heel veelvoorkomende klacht.")
    assert eddie.post(f"/editor/{LEAFLET}/save", data={**form_of(page), "text": text}).status_code == 302
    published = (project.leaflets_dir / f"{LEAFLET}.md").read_bytes()
    assert b"heel veelvoorkomende" not in published                    # a draft is not what prints
    page = eddie.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    assert 'id="approve"' not in page                                   # an editor approves nothing
    assert eddie.post(f"/editor/{LEAFLET}/approve", data=form_of(page)).status_code == 403
    review = rita.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    assert 'id="approve"' in review and "1 tekstdeel is anders" in review
    assert rita.post(f"/editor/{LEAFLET}/approve", data=form_of(review)).status_code == 302
    assert drafts.draft(project, LEAFLET).approved_by == "rita"
    page = eddie.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    assert eddie.post(f"/editor/{LEAFLET}/publish", data=form_of(page)).status_code == 302
    assert b"heel veelvoorkomende" in (project.leaflets_dir / f"{LEAFLET}.md").read_bytes()
    found = versions.current_version(project, LEAFLET)
    assert (found.version, found.written_by, found.approved_by, found.published_by) == \
        ("1.1", ("eddie",), "rita", "eddie")
    # the translations of the changed unit are marked out of date
    from babel.messages.pofile import read_po

    with project.catalog_path(LEAFLET, "de").open("rb") as file:
        changed = [message for message in read_po(file) if "heel veelvoorkomende" in str(message.id)]
    assert len(changed) == 1 and changed[0].fuzzy and changed[0].string          # kept, marked out of date
    history = eddie.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    assert "<td>eddie</td><td>rita</td>" in history
    earlier = eddie.get(f"/editor/{LEAFLET}/versions/1.0").get_data(as_text=True)
    assert "Het is een veelvoorkomende klacht." in earlier


def test_a_save_over_another_persons_save_is_refused_and_their_change_shown(office):
    app, project = office
    eddie, emma = client_of(app, "eddie"), client_of(app, "emma")
    page_eddie = eddie.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    page_emma = emma.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    base = textarea(page_eddie).replace('version: "1.0"', 'version: "1.1"')
    theirs = base.replace("Het is een veelvoorkomende klacht.", "Het is een zeer veelvoorkomende klacht.")
    mine = base.replace("Het is een veelvoorkomende klacht.", "Het is een vaak voorkomende klacht.")
    assert emma.post(f"/editor/{LEAFLET}/save", data={**form_of(page_emma), "text": theirs}).status_code == 302
    refused = eddie.post(f"/editor/{LEAFLET}/save", data={**form_of(page_eddie), "text": mine})
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "emma heeft deze tekst intussen opgeslagen" in text
    assert re.search(r'class="added">\+[^<]*zeer veelvoorkomende', text)
    assert "vaak voorkomende" in textarea(text)                         # eddie's text kept to copy from
    assert drafts.read_draft(project, LEAFLET) == theirs.encode("utf-8")


def test_a_new_leaflet_starts_as_a_draft_from_a_starting_text(office):
    app, project = office
    client = client_of(app, "eddie")
    page = client.get("/editor").get_data(as_text=True)
    response = client.post("/editor/new", data={"csrf_token": token(page), "id": "knieklachten",
                                                  "title": "Knieklachten"})
    assert response.status_code == 302 and response.headers["Location"] == "/editor/knieklachten"
    page = client.get("/editor/knieklachten").get_data(as_text=True)
    assert "Deze folder is nog nooit gepubliceerd." in page and "Geen problemen gevonden." in page
    assert "knieklachten" not in project.leaflet_ids()
    again = client.post("/editor/new", data={"csrf_token": token(page), "id": "knieklachten", "title": "x"})
    listing = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Er is al een folder met de naam knieklachten." in listing


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC])
def test_a_folder_the_server_may_not_write_is_the_administrators_not_a_bug(office, monkeypatch, caplog, code):
    """A service whose leaflets/ is read-only (a systemd unit without it in ReadWritePaths) or a
    full disk: the editor is told to ask the administrator, who finds the path in the log. The
    system refuses the file the real atomic write makes, as a read-only mount or a full disk does."""
    import tempfile

    from leafletgen import atomic_write

    app, project = office
    client = client_of(app, "eddie")
    page = client.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    text = textarea(page).replace('version: "1.0"', 'version: "1.1"')
    (project.leaflets_dir / "drafts").mkdir(exist_ok=True)         # there already: only its files fail
    real = tempfile.mkstemp

    def refused(*args, dir=None, **kwargs):
        if "drafts" in str(dir):
            raise OSError(code, os.strerror(code), str(dir))
        return real(*args, dir=dir, **kwargs)
    monkeypatch.setattr(atomic_write.tempfile, "mkstemp", refused)
    answer = client.post(f"/editor/{LEAFLET}/save", data={**form_of(page), "text": text})
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "Vraag de beheerder" in shown and "fout in het programma" not in shown
    assert str(project.root) not in shown and "drafts" not in shown      # no path for the editor
    assert any("drafts" in record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert drafts.draft(project, LEAFLET) is None
