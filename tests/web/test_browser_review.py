"""The review page in a real browser (Debian's chromium, Playwright, axe-core): a reviewer reads
the Arabic translation beside the Dutch, corrects a unit, approves it, and asks the editors a
question, at a phone's and a desktop's width, in Dutch and in English.

Screenshots go to $LEAFLETGEN_SCREENSHOTS when set, to be looked at.
"""

from __future__ import annotations

import os
import threading

import pytest

from tests.web.test_browser import CHROMIUM, WIDTHS, Page, stop_server
from tests.web.test_browser_accounts import PASSWORD, look, page_problems
from tests.web.test_review_page import LANG, add_account, sha
from tests.web.test_web import LEAFLET, copy_project, make_app

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import waitress

    base = tmp_path_factory.mktemp("browser-review")
    project = copy_project(base / "project")
    add_account(project, "ayse", "reviewer", full_name="Ayşe Yılmaz")
    # One unit loses "two weeks" (a number of the Dutch): a quality finding to show beside it.
    catalog = project.catalog_path(LEAFLET, LANG)
    text = catalog.read_text(encoding="utf-8")
    assert text.count("بعد أسبوعين") == 1
    catalog.write_text(text.replace("بعد أسبوعين", "بعد أيام"), encoding="utf-8")
    app, service = make_app(project, base / "cache", require_login=True)
    # Before the server's threads and the browser's driver, as `serve` does: a template process
    # forked later would be forked from a threaded process and hold the driver's pipes (the
    # browser's teardown then waits for ever for the driver to end).
    service.start()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
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


class EnglishPage(Page):
    """A browser page that asks for English, as test_browser.Page asks for Dutch."""

    def __init__(self, browser, width: int):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB",
                                           extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))


def signed_in(browser, base: str, width: int, english: bool = False):
    view = EnglishPage(browser, width) if english else Page(browser, width)
    page = view.page
    page.goto(base + "/login")
    page.locator("input[name=name]").fill("ayse")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state("networkidle")
    return view


def units(project) -> list:
    from babel.messages.pofile import read_po

    with open(project.catalog_path(LEAFLET, LANG), "rb") as fh:
        return [m for m in read_po(fh, locale=LANG) if m.id and isinstance(m.id, str)]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reviewer_corrects_approves_and_asks(server, browser, width):
    base, project = server
    view = signed_in(browser, base, width)
    page = view.page
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Nakijken").click()
    page.wait_for_load_state("networkidle")
    assert page_problems(page, width) == []
    look(page, f"review-index-{width}")
    page.locator(f'a[href="/review/{LANG}/{LEAFLET}"]').click()
    page.wait_for_load_state("networkidle")
    assert page_problems(page, width) == []
    look(page, f"review-{LANG}-{width}")
    # The Arabic translation is written right to left, beside (or under) the Dutch.
    first = units(project)[1 if width == 375 else 2]
    card = page.locator(f"#u-{sha(first.id)[:12]}")
    box = card.get_by_role("textbox", name="Vertaling (Arabisch)")
    assert box.evaluate("e => getComputedStyle(e).direction") == "rtl"
    dutch = card.locator("p.text[lang=nl]").bounding_box()
    arabic = box.bounding_box()
    if width == 1280:
        assert arabic["x"] > dutch["x"] + dutch["width"] - 1          # side by side
    else:
        assert arabic["y"] > dutch["y"] + dutch["height"] - 1         # one under the other on a phone
    # The unit that lost a number has its finding beside it.
    lost = next(m for m in units(project) if "twee weken" in m.id)
    assert page.locator(f"#u-{sha(lost.id)[:12]} .findings li").count() > 0
    # A correction, saved and still there after the page is loaded again.
    corrected = first.string + " (مراجَع)"
    box.fill(corrected)
    card.get_by_role("button", name="Verbetering opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash").is_visible()
    card = page.locator(f"#u-{sha(first.id)[:12]}")
    assert card.get_by_role("textbox", name="Vertaling (Arabisch)").input_value() == corrected
    # Approved: the mark says by whom.
    card.get_by_role("button", name="Goedkeuren").click()
    page.wait_for_load_state("networkidle")
    card = page.locator(f"#u-{sha(first.id)[:12]}")
    assert "Ayşe Yılmaz" in card.locator(".mark.ok").inner_text()
    assert card.get_by_role("button", name="Goedkeuren").count() == 0
    # A question to the editors about the Dutch.
    card.locator("summary").click()
    card.get_by_label("Uw vraag aan de redactie").fill("Is 'hersteld' hier 'weg' of 'beter'?")
    card.get_by_role("button", name="Vraag bewaren").click()
    page.wait_for_load_state("networkidle")
    card = page.locator(f"#u-{sha(first.id)[:12]}")
    assert "Is 'hersteld' hier" in card.locator(".question").inner_text()
    # The review cannot be recorded yet: the button says why.
    assert page.get_by_role("button", name="Controle vastleggen").is_disabled()
    assert page_problems(page, width) == []
    look(page, f"review-{LANG}-after-{width}")
    assert view.errors == []
    view.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_review_page_in_english(server, browser, width):
    base, project = server
    view = signed_in(browser, base, width, english=True)
    page = view.page
    page.goto(base + f"/review/{LANG}/{LEAFLET}")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Approve").count() > 0
    assert page.get_by_role("textbox", name="Translation (Arabic)").count() > 0
    assert page_problems(page, width) == []
    look(page, f"review-{LANG}-en-{width}")
    assert view.errors == []
    view.close()
