"""The leaflet editor and the personal note in a real browser (Debian's chromium, Playwright, axe):
a problem appears at its line as one types and a click selects that line, the pages follow the
text, a save makes a draft; the note's form prints a PDF with the note. Screenshots at 375 and
1280 px go to the test's folder (LEAFLETGEN_SCREENSHOTS: a folder to keep them in)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from leafletgen.inputs import drafts
from tests.web.test_browser import (CHROMIUM, WIDTHS, Page, axe_problems, images_loaded, no_horizontal_scroll,
                                    stop_server)
from tests.web.test_web import LEAFLET, copy_project, make_app

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import waitress

    base = tmp_path_factory.mktemp("browser-editor")
    project = copy_project(base / "project")
    app, service = make_app(project, base / "cache")
    service.start()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", project
    stop_server(server, thread)
    service.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("LEAFLETGEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_an_editor_changes_the_leaflet_and_saves_a_draft(server, browser, tmp_path):
    base, project = server
    view = Page(browser, 1280)
    page = view.page
    page.goto(base + "/editor")
    page.get_by_role("link", name=LEAFLET).click()
    images_loaded(page, "#pages img")                   # the pages of the text as it is
    text = page.get_by_label("Tekst van de folder")
    # Typing a title away: the problem appears at its line, without saving.
    source = text.input_value()
    text.fill(source.replace("title: Lage rugklachten", "title: ''"))
    title_line = source.splitlines().index("title: Lage rugklachten") + 1
    problem = page.locator("#problems button", has_text=f"Regel {title_line}")
    problem.wait_for()
    problem.click()                                       # selects that line in the text
    selected = page.evaluate("() => { const t = document.getElementById('text');"
                             " return t.value.slice(t.selectionStart, t.selectionEnd); }")
    assert selected == "title: ''"
    # Fixed, with a new version and a changed sentence: no problems, the pages follow.
    changed = source.replace('version: "1.0"', 'version: "1.1"').replace(
        "Het is een veelvoorkomende klacht.", "Het is een heel veelvoorkomende klacht.")
    text.fill(changed)
    page.get_by_text("Geen problemen gevonden.").wait_for()
    # The toolbar makes the line under the cursor a heading.
    text.press("Control+End")
    page.get_by_role("button", name="Kopje").click()
    assert text.input_value().endswith("## ") or "\n## " in text.input_value()
    text.fill(changed)
    page.get_by_role("button", name="Opslaan als concept").click()
    page.get_by_text("Opgeslagen als concept.").wait_for()
    assert drafts.read_draft(project, LEAFLET) == changed.encode("utf-8")
    assert b"heel veelvoorkomende" not in (project.leaflets_dir / f"{LEAFLET}.md").read_bytes()
    images_loaded(page, "#pages img")
    folder = shots(tmp_path)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"editor-{width}.png"), full_page=True)
        assert no_horizontal_scroll(page), width
    assert axe_problems(page) == []
    assert view.errors == []
    view.close()
    drafts.discard_draft(project, LEAFLET, loaded=drafts.draft(project, LEAFLET).sha256)


def test_staff_print_a_leaflet_with_a_personal_note(server, browser, tmp_path):
    base, project = server
    folder = shots(tmp_path)
    for width in WIDTHS:
        view = Page(browser, width)
        page = view.page
        page.goto(base + f"/?leaflet={LEAFLET}&lang=ar")
        images_loaded(page, ".pages img")
        page.get_by_text("Persoonlijke notitie toevoegen").click()
        page.get_by_label("Notitie voor deze patiënt").fill("Oefening 3 elke ochtend.\nVolgende afspraak: dinsdag.")
        page.screenshot(path=str(folder / f"note-{width}.png"), full_page=True)
        assert no_horizontal_scroll(page), width
        assert axe_problems(page) == []
        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            page.get_by_role("button", name="PDF met notitie maken").click()
        response = answer.value
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert "Oefening" not in response.url and "note" not in response.url
        view.close()
