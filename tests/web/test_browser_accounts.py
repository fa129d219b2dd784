"""Accounts in a real browser (Debian's chromium, Playwright, axe-core): signing in and out, the
users page and the audit trail, each at a phone's and a desktop's width.

The server is the real one (waitress) reachable "from elsewhere" (a login is required), over a
private copy of the project with accounts made as `users add` makes them. Screenshots of every
page are written to $LEAFLETGEN_SCREENSHOTS when set, to be looked at.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.web.test_web import LEAFLET, PRACTICE, add_account, copy_project, make_app
from tests.web.test_browser import CHROMIUM, WIDTHS, Page, axe_problems, no_horizontal_scroll, stop_server

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import waitress

    base = tmp_path_factory.mktemp("browser-accounts")
    project = copy_project(base / "project")
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\ncolor = "#7a2d8c"\n',
                                                     encoding="utf-8")
    add_account(project, "anna", "admin")
    add_account(project, "sam", "staff")
    add_account(project, "lena", "staff", practices=["plein"])
    app, service = make_app(project, base / "cache", require_login=True)
    service.start()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", project, app
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


def look(page, name: str) -> None:
    """A full-page screenshot for a person to look at, when $LEAFLETGEN_SCREENSHOTS names a folder."""
    folder = os.environ.get("LEAFLETGEN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in(page, base: str, name: str, password: str = PASSWORD, here: bool = False) -> None:
    """Sign in on the login page (`here`: the one the browser shows, else a new visit)."""
    if not here:
        page.goto(base + "/login")
    page.get_by_label("Naam", exact=True).fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state("networkidle")


def page_problems(page, width: int) -> list[str]:
    found = axe_problems(page)
    if not no_horizontal_scroll(page):
        found.append(f"wider than the screen at {width} px")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_logging_in_and_out(server, browser, width):
    base, project, app = server
    view = Page(browser, width)
    page = view.page
    page.goto(base + f"/practices/{PRACTICE}")
    assert page.url.startswith(base + "/login?next=")
    assert page_problems(page, width) == []
    look(page, f"login-{width}")
    log_in(page, base, "sam", "not the password", here=True)
    assert page.get_by_role("alert").inner_text() == "Deze naam of dit wachtwoord klopt niet."
    assert page.get_by_label("Naam", exact=True).get_attribute("aria-invalid") == "true"
    assert page_problems(page, width) == []
    look(page, f"login-refused-{width}")
    log_in(page, base, "Sam", here=True)
    assert page.url == base + f"/practices/{PRACTICE}"          # back where the login was asked
    assert page.get_by_text("sam", exact=True).is_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "leafletgen_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""                 # no script can read the session
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    assert menu.get_by_role("link", name="Gebruikers").count() == 0      # staff: no admin pages
    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "/login"
    # The old cookie, put back by hand (as a thief with a copy would), opens nothing.
    page.context.add_cookies([cookie])
    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    assert view.errors == []
    view.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_users_page(server, browser, width):
    base, project, app = server
    view = Page(browser, width)
    page = view.page
    log_in(page, base, "anna")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Gebruikers").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Gebruikers", exact=True).is_visible()
    assert page_problems(page, width) == []
    look(page, f"users-{width}")
    # A new account with mistakes: the messages beside their fields, in Dutch.
    name = f"piet-{width}"
    page.get_by_label("Naam om mee aan te melden").fill(name + " de vries")
    page.get_by_label("Redacteur").check()
    page.get_by_label("Huisartsen Het Plein").check()
    page.get_by_label("Nieuw wachtwoord").fill("kort")
    page.get_by_label("Hetzelfde wachtwoord nog eens").fill("kort")
    page.get_by_role("button", name="Account aanmaken").click()
    page.wait_for_load_state("networkidle")
    assert "Een naam bestaat uit letters" in page.locator("#name-error").inner_text()
    assert "minstens 10 tekens" in page.locator("#password-error").inner_text()
    assert page.get_by_label("Naam om mee aan te melden").get_attribute("aria-describedby") == "name-error"
    assert page_problems(page, width) == []
    look(page, f"users-refused-{width}")
    page.get_by_label("Naam om mee aan te melden").fill(name)
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Hetzelfde wachtwoord nog eens").fill(PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    page.wait_for_load_state("networkidle")
    assert f"Account {name} is aangemaakt." in page.locator(".flash").inner_text()
    page.get_by_role("link", name=name).click()
    page.wait_for_load_state("networkidle")
    assert page_problems(page, width) == []
    look(page, f"user-{width}")
    page.get_by_role("button", name="Account uitschakelen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="Account inschakelen").is_visible()
    assert view.errors == []
    view.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_audit_page_answers_who_printed_a_version(server, browser, width, tmp_path):
    base, project, app = server
    staff = Page(browser, width)
    log_in(staff.page, base, "sam")
    response = staff.page.request.get(base + f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}")
    assert response.status == 200
    staff.close()
    view = Page(browser, width)
    page = view.page
    log_in(page, base, "anna")
    page.goto(base + "/audit")
    page.get_by_label("Soort").select_option("document")
    page.get_by_label("Folder", exact=True).select_option(LEAFLET)
    page.get_by_label("Vanaf").fill("2020-01-01")
    page.get_by_label("Tot en met").fill("2099-12-31")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state("networkidle")
    summary = page.locator("section[aria-labelledby=who-title]")
    assert summary.get_by_role("rowheader", name="sam").is_visible()
    assert page_problems(page, width) == []
    look(page, f"audit-{width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden als CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("time,kind,account,role")
    assert f",document,sam,staff,password,{PRACTICE},{LEAFLET}," in text
    assert view.errors == []
    view.close()


def test_the_account_pages_in_english(server, browser):
    base, project, app = server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Name", exact=True).fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    for url, heading in (("/users", "Accounts"), ("/audit", "Audit trail")):
        page.goto(base + url)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
        body = page.locator("main").inner_text()
        for dutch in ("Gebruikers", "Wachtwoord", "Medewerker", "Logboek", "Zoeken", "alle praktijken"):
            assert dutch not in body, (url, dutch)
        look(page, f"en{url.replace('/', '-')}")
    context.close()
