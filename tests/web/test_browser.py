"""The staff web app end to end, in a real browser: Debian's chromium driven by Playwright, with
axe-core (axe-playwright-python) checking every page for accessibility.

The server is the real one (waitress, the app, its worker processes) on a free port of 127.0.0.1,
over a private copy of the project. Playwright's own browser download is not used: chromium is
the system's (`.ci/run` installs Debian's package).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import threading

import pytest
from pypdf import PdfReader

from leafletgen.web.messages import MESSAGES

from tests.conftest import REPO
from tests.web.test_web import LEAFLET, PRACTICE, TURKISH_TITLE, copy_project, make_app

CHROMIUM = os.environ.get("LEAFLETGEN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]
WIDTHS = (375, 1280)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import waitress

    base = tmp_path_factory.mktemp("browser")
    project = copy_project(base / "project")
    # A second practice, and an incomplete language (for the marked-draft pages).
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\ncolor = "#7a2d8c"\n',
                                                     encoding="utf-8")
    catalog = project.catalog_path(LEAFLET, "pl")
    catalog.write_text(re.sub(r'(msgid "Overgewicht"\nmsgstr )"[^"]*"', r'\1""',
                              catalog.read_text(encoding="utf-8")), encoding="utf-8")
    app, service = make_app(project, base / "cache")
    service.start()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", project
    stop_server(server, thread)
    service.close()


def stop_server(server, thread: threading.Thread) -> None:
    """Close the waitress server from its own loop thread: closing its sockets from here while
    that thread waits in select() is a race (EBADF in the loop thread)."""
    def close_all():
        for dispatcher in list(server._map.values()):   # the listener, the trigger, open connections
            dispatcher.close()

    server.trigger.pull_trigger(close_all)
    thread.join(timeout=30)
    server.task_dispatcher.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


class Page:
    """A browser page that records console errors and failed requests."""

    def __init__(self, browser, width: int, tmp_path=None):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL",
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message):
        # Chromium logs a page's own 4xx status (a 404 page, a form sent back with its messages)
        # as a console error; that is the status we mean to send, not an error of the page.
        own = message.location.get("url") == self.page.url and re.search(r"status of 4\d\d", message.text)
        if message.type == "error" and not own:
            self.errors.append(f"{message.text} at {message.location.get('url')}")

    def close(self):
        self.context.close()


def axe_problems(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")



def images_loaded(page, selector: str, timeout_ms: int = 180_000) -> None:
    """Wait until every image matching `selector` has loaded (or failed: then the caller's own
    assertion says so). A page changed by htmx is not a navigation, so waiting for the
    "networkidle" load state returns at once, before the new images have arrived; a preview is
    rendered on first asking, which on a loaded machine takes many seconds."""
    page.wait_for_function(
        "selector => { const images = [...document.querySelectorAll(selector)];"
        " return images.length > 0 && images.every(image => image.complete); }",
        arg=selector, timeout=timeout_ms)

def test_a_receptionist_prints_the_turkish_back_pain_leaflet(server, browser, tmp_path):
    base, project = server
    view = Page(browser, 1280)
    page = view.page
    page.goto(base + "/")
    page.get_by_label("Zoeken").fill("knie")              # searched as one types (htmx), no button
    page.get_by_text("Geen folder gevonden voor “knie”.").wait_for()
    assert "q=knie" in page.url
    page.get_by_label("Zoeken").fill("şikâyet")           # the Turkish title finds it too
    page.get_by_role("radio", name="Lage rugklachten").wait_for()
    page.get_by_label("Zoeken").fill("rug")
    page.get_by_role("radio", name="Lage rugklachten").check()
    page.get_by_label("Taal van de folder").select_option("tr")
    page.wait_for_selector(f"img[src*='/{LEAFLET}/tr/page-1.png']")
    page.get_by_label("Met logo en gegevens van").select_option(PRACTICE)
    page.wait_for_selector(f"img[src*='/{LEAFLET}/tr/page-1.png'][src*='practice={PRACTICE}']")
    images_loaded(page, ".pages img")
    assert TURKISH_TITLE in page.locator(".doc-title").inner_text()
    widths = page.eval_on_selector_all(".pages img", "images => images.map(i => i.naturalWidth)")
    assert widths and all(width > 0 for width in widths)        # every page of the preview shown
    assert page.url.endswith(f"lang=tr&practice={PRACTICE}&variant=a4") or "lang=tr" in page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF downloaden").click()
    pdf = download.value
    assert pdf.suggested_filename == f"{TURKISH_TITLE} (tr).pdf"
    reader = PdfReader(io.BytesIO(open(pdf.path(), "rb").read()))
    assert reader.trailer["/Root"]["/Lang"] == "tr"
    assert reader.metadata.title == TURKISH_TITLE
    assert reader.metadata.author == "Fysiotherapie De Linde"
    # "Printen": the PDF in the browser's own viewer, in a new tab (a browser driven by a program
    # is not given the in-place print dialog: headless Chromium crashes printing a PDF in a frame).
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Printen").click()
    viewer = opened.value
    assert f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}" in viewer.url
    viewer.close()
    assert view.errors == []
    view.close()


# A staff member's browser, observed: navigator.webdriver reads false (as it does for a person, so
# app.js takes its in-place path), and window.print, in every frame, records the address of the
# document it was asked to print instead of opening a print dialog (a headless browser has no
# printer, and headless Chromium crashes printing a PDF in a frame).
PRINT_RECORDER = """
Object.defineProperty(Navigator.prototype, "webdriver", {get: () => false});
window.print = function () { (window.top.__printed = window.top.__printed || []).push(location.href); };
"""


def test_printen_prints_the_pdf_in_place_and_is_reached_by_keyboard(server, browser):
    base, project = server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.add_init_script(PRINT_RECORDER)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(base + f"/?leaflet={LEAFLET}&lang=tr&practice={PRACTICE}")
    images_loaded(page, ".pages img")
    assert page.evaluate("navigator.pdfViewerEnabled") is True     # else app.js keeps the plain link
    button = page.get_by_role("link", name="Printen")
    assert button.is_visible()
    # Reached with the Tab key from the top of the page, like every control before it.
    page.evaluate("document.activeElement.blur()")
    assert page.evaluate("document.activeElement === document.body")
    for _ in range(1, 81):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "print":
            break
    else:
        pytest.fail("the print button is not reached with the Tab key")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"   # focus shown
    pdf_url = f"{base}/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&variant=a4"
    with page.expect_response(lambda response: response.url == pdf_url) as loaded:
        page.keyboard.press("Enter")
    response = loaded.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    # (the body the viewer got is not readable through Playwright: the same address, fetched again)
    reader = PdfReader(io.BytesIO(page.request.get(pdf_url).body()))
    assert reader.metadata.title == TURKISH_TITLE and reader.trailer["/Root"]["/Lang"] == "tr"
    # (a function, not an expression: the page's Content-Security-Policy forbids eval, and
    # Playwright evaluates an expression with it when it has to poll)
    page.wait_for_function("() => (window.__printed || []).length > 0")
    assert page.evaluate("window.__printed") == [pdf_url]      # the PDF's own frame printed, once
    assert [p.url for p in context.pages] == [page.url]         # in place: no new tab
    frame = page.locator("iframe.print-frame")
    assert frame.get_attribute("title") == "Printen" and frame.bounding_box()["width"] <= 1
    # Printing again replaces the frame (one at a time).
    page.get_by_role("link", name="Printen").click()
    page.wait_for_function("() => window.__printed.length === 2")
    assert page.locator("iframe.print-frame").count() == 1
    assert errors == []
    context.close()


def test_a_new_logo_shows_in_the_preview_and_a_bad_one_gets_a_clear_message(server, browser, tmp_path):
    from PIL import Image

    base, project = server
    view = Page(browser, 1280)
    page = view.page
    page.goto(base + "/")
    page.get_by_role("link", name="Praktijken").click()
    page.get_by_role("link", name="Fysiotherapie De Linde").click()
    page.wait_for_load_state("networkidle")
    before = page.locator("#practice-preview").screenshot()
    logo = tmp_path / "nieuw-logo.png"
    Image.new("RGB", (400, 160), (214, 40, 40)).save(logo)
    page.get_by_label("Nieuw logo").set_input_files(str(logo))
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    images_loaded(page, "#practice-preview")
    assert "Opgeslagen." in page.locator(".flash").inner_text()
    after = page.locator("#practice-preview").screenshot()
    assert after != before
    preview_url = base + page.locator("#practice-preview").get_attribute("src")
    served = page.request.get(preview_url).body()
    colours = Image.open(io.BytesIO(after)).convert("RGB").getcolors(maxcolors=1 << 20)
    assert any(r > 180 and g < 80 and b < 80 for _count, (r, g, b) in colours)   # the red logo
    assert page.locator("img.logo").evaluate("image => image.naturalWidth") > 0
    # A bad file: a clear message beside the field, and the good logo still in use.
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"this is not a picture")
    page.get_by_label("Nieuw logo").set_input_files(str(bad))
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    message = page.locator("#logo-error").inner_text()
    assert message == MESSAGES["logo_not_image"]               # in the page's language, no file name
    assert page.get_by_label("Nieuw logo").get_attribute("aria-describedby") == "logo-error"
    assert "Niet opgeslagen" in page.locator("#form-errors").inner_text()
    page.goto(base + f"/practices/{PRACTICE}")
    page.wait_for_load_state("networkidle")
    assert page.request.get(preview_url).body() == served     # the good logo's preview, unchanged
    assert view.errors == []
    view.close()


def test_a_practice_asks_for_checked_translations_only(server, browser):
    """The settings box for `require_review`, ticked and saved like any other setting."""
    import tomllib

    base, project = server
    profile = project.practices_dir / "plein.toml"
    view = Page(browser, 1280)
    page = view.page
    page.goto(base + "/practices/plein")
    box = page.get_by_label("Alleen vertalingen gebruiken die een persoon heeft nagekeken")
    assert not box.is_checked()
    assert page.locator("#require_review-explain").inner_text().startswith(
        "Een vertaling die nog niemand heeft nagekeken")
    box.check()
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert "Opgeslagen." in page.locator(".flash").inner_text()
    assert page.get_by_label("Alleen vertalingen gebruiken die een persoon heeft nagekeken").is_checked()
    assert tomllib.loads(profile.read_text(encoding="utf-8"))["require_review"] is True
    page.get_by_label("Alleen vertalingen gebruiken die een persoon heeft nagekeken").uncheck()
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert not page.get_by_label("Alleen vertalingen gebruiken die een persoon heeft nagekeken").is_checked()
    assert "require_review" not in tomllib.loads(profile.read_text(encoding="utf-8"))
    assert view.errors == []
    view.close()


PAGES = [
    "/",
    "/?lang=tr&practice=fysio-delinde",
    "/?lang=ar&bilingual=1",
    "/?lang=pl",                       # incomplete: marked, only as a draft
    "/?lang=pl&draft=1",
    "/?q=zzzz",                        # nothing found
    "/practices",
    f"/practices/{PRACTICE}",
    "/translations",
    "/login",
    f"/leaflets/{LEAFLET}/xx.pdf",     # 404 with the known names
    f"/leaflets/{LEAFLET}/pl.pdf",     # 409 naming what is missing
    "/pack.pdf?lang=tr",               # an error page
]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_is_accessible_and_fits_the_screen(server, browser, width):
    base, project = server
    view = Page(browser, width)
    page = view.page
    problems = {}
    for url in PAGES:
        view.errors.clear()
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        found = axe_problems(page)
        if found:
            problems[url] = found
        if not no_horizontal_scroll(page):
            problems.setdefault(url, []).append(f"wider than the screen at {width} px")
        if view.errors:
            problems.setdefault(url, []).append(f"console: {view.errors}")
    # The settings form with messages beside its fields.
    page.goto(base + f"/practices/{PRACTICE}")
    page.get_by_label("Kleur (#rrggbb)").fill("groen")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#color-error").inner_text() == MESSAGES["color_format"]
    found = axe_problems(page) + ([] if no_horizontal_scroll(page) else [f"wider than {width} px"])
    if found:
        problems["settings with errors"] = found
    assert problems == {}
    view.close()


def test_the_pages_in_english(server, browser):
    base, project = server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
    page = context.new_page()
    page.goto(base + "/?lang=tr")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Make a leaflet").is_visible()
    assert page.get_by_role("link", name="Download PDF").is_visible()
    assert axe_problems(page) == []
    context.close()


# Every date of the HTML copy's small print: its words joined by no-break spaces (and word joiners).
DATES = r"""() => {
  const found = [];
  const walk = document.createTreeWalker(document.querySelector("footer.colophon"), NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (const match of node.data.matchAll(/[^ \n\t]*\u00a0[^ \n\t]*\d{4}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(box => Math.round(box.top)));
      found.push([match[0], tops.size]);
    }
  }
  return found;
}"""


def page_label(lang: str) -> str:
    """The words before the page's number in the footer ("Pagina", "Seite"), from the catalog."""
    from babel.messages.pofile import read_po

    text = "Pagina %(page)s van %(pages)s"
    if lang != "nl":
        with open(REPO / "translations" / lang / "LC_MESSAGES" / "leafletgen.po", "rb") as po:
            text = read_po(po)[text].string
    label = text.split("%(page)s")[0].strip()
    assert label, (lang, text)
    return label


@pytest.mark.parametrize("lang, bilingual, variant", [
    ("ar", False, "a4"), ("es", False, "a4"), ("uk", False, "a4"), ("nl", False, "a4"), ("ar", True, "a4"),
    ("tr", True, "a4"), ("nl", False, "a5"), ("uk", False, "booklet"), ("es", False, "large-print"),
    ("ar", False, "large-print"), ("tr", False, "large-print")])
def test_the_html_copy_fits_a_phone_and_a_desktop(browser, tmp_path, lang, bilingual, variant):
    """The leaflet's HTML copy (to read on screen, or put on a website): no wider than the screen,
    without the printed page's footer ("page 0 of 0" in a browser), every date of its small print
    on one line, and a bilingual leaflet's Dutch set apart from the translation. On a phone the QR
    code went beside a colophon whose dates stay on one line, two columns of languages side by side
    were narrower than their longest words, large print's practice block was wider than the screen,
    and A5, booklet and large print showed the page footer above the practice."""
    from leafletgen.build import BuildRequest, build

    request = BuildRequest(LEAFLET, lang, PRACTICE, bilingual=bilingual, variant=variant)
    _, _, html = build(copy_project(tmp_path / "project"), request, tmp_path / "out")
    for width in WIDTHS:
        view = Page(browser, width)
        view.page.goto(html.as_uri())
        where = (lang, bilingual, variant, width)
        assert no_horizontal_scroll(view.page), where
        assert page_label(lang) not in view.page.evaluate("document.body.innerText"), where
        dates = view.page.evaluate(DATES)
        assert len(dates) >= 2 and all(lines == 1 for _, lines in dates), (where, dates)
        if bilingual:
            # Below its translation on a phone, beside it on a desktop: marked as the print's
            # stacked pages mark it, by a rule at its side.
            rules = view.page.eval_on_selector_all(
                ".pair > .source", "sides => sides.map(side => parseFloat(getComputedStyle(side).borderLeftWidth))")
            assert rules and min(rules) > 0, where
        view.close()
