"""The web app's newer flows in a real browser (Debian's chromium, Playwright, axe-core): search as
one types, a new practice, messages beside the fields, two people editing one profile, archiving
a practice, the patient pack; every page looked at in Dutch and English at 375 and 1280 px.

Screenshots go to $LEAFLETGEN_SCREENSHOTS when it is set (to look at them), else nowhere.
"""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

import pikepdf
import pytest

from tests.web.test_web import LEAFLET, PRACTICE, TURKISH_TITLE, copy_project, make_app
from tests.web.test_browser import CHROMIUM, axe_problems, images_loaded, no_horizontal_scroll, stop_server

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="Debian's chromium is not installed (.ci/run installs it)")]
SHOTS = os.environ.get("LEAFLETGEN_SCREENSHOTS")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import waitress

    base = tmp_path_factory.mktemp("flows")
    project = copy_project(base / "project")
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\ncolor = "#7a2d8c"\n',
                                                     encoding="utf-8")
    app, service = make_app(project, base / "cache")
    service.start()
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", project
    stop_server(server, thread)
    service.close()


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


class View:
    """A page in Dutch or English at a width, recording console errors."""

    def __init__(self, browser, width: int = 1280, language: str = "nl", javascript: bool = True):
        locale = "en-GB" if language == "en" else "nl-NL"
        headers = {"Accept-Language": "en-GB,en;q=0.9"} if language == "en" else {}
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale,
                                           extra_http_headers=headers, accept_downloads=True,
                                           java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)
        self.width, self.language = width, language

    def _console(self, message):
        own = message.location.get("url") == self.page.url and re.search(r"status of 4\d\d", message.text)
        if message.type == "error" and not own:
            self.errors.append(message.text)

    def look(self, name: str, axe: bool = True) -> list[str]:
        """Problems of the page as it is now (axe, wider than the screen, console errors); a
        screenshot when asked for. (axe is a script: not in a page without scripts.)"""
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            # (caret="initial": hiding the caret adds a style, which the page's policy refuses)
            self.page.screenshot(path=str(Path(SHOTS) / f"{name}-{self.language}-{self.width}.png"),
                                 full_page=True, caret="initial", animations="allow")
        found = axe_problems(self.page) if axe else []
        if not no_horizontal_scroll(self.page):
            found.append(f"wider than {self.width} px")
        return found + [f"console: {error}" for error in self.errors]

    def close(self):
        self.context.close()


def radios(page) -> list[str]:
    return page.eval_on_selector_all("#leaflet-list input[type=radio]", "inputs => inputs.map(i => i.value)")


# ---- Search as one types ---------------------------------------------------------------------------

def test_search_finds_by_complaint_in_any_language_as_one_types(site, chromium):
    base, project = site
    view = View(chromium)
    page = view.page
    page.goto(base + "/")
    box = page.get_by_label("Zoeken")
    box.fill("knie")
    page.get_by_text("Geen folder gevonden voor “knie”.").wait_for()
    page.wait_for_function("() => location.search.includes('q=knie')")
    assert page.locator("#found-status").inner_text() == "0 folders gevonden"
    for typed, language in (("rugpijn", None), ("back pain", "en"), ("BEL AGRISI", "tr"), ("lumbgo", None)):
        box.fill(typed)
        page.locator("#leaflet-list").wait_for()
        page.wait_for_function("typed => new URLSearchParams(location.search).get('q') === typed", arg=typed)
        assert radios(page) == [LEAFLET], typed
        hint = page.locator(f"#hint-{LEAFLET}")
        if language:
            assert hint.locator(f"span[lang={language}]").count() == 1, typed
        assert page.locator("#found-status").inner_text() == "1 folder gevonden"
    # No page of its own was loaded while typing: the preview stayed where it was.
    assert page.locator("h1").inner_text() == "Folder maken"
    assert view.look("search") == []
    # Picking the leaflet found shows its preview.
    page.get_by_label("Taal van de folder").select_option("tr")
    page.wait_for_selector(f"img[src*='/{LEAFLET}/tr/page-1.png']")
    images_loaded(page, ".pages img")
    assert TURKISH_TITLE in page.locator(".doc-title").inner_text()
    assert view.errors == []
    view.close()


# ---- Practices: new, messages, two people, archive ---------------------------------------------------

def test_a_new_practice_made_in_the_app(site, chromium):
    base, project = site
    view = View(chromium)
    page = view.page
    page.goto(base + "/practices")
    page.get_by_role("link", name="Nieuwe praktijk").click()
    page.wait_for_load_state("networkidle")
    assert view.look("practice-new") == []
    page.get_by_label("Naam van de praktijk").fill("Fysio Zuid & Co")
    page.get_by_label("Kleur (#rrggbb)").fill("#ffcc00")
    page.get_by_role("button", name="Praktijk aanmaken").click()
    page.wait_for_url(re.compile(r"/practices/fysio-zuid-co$"))
    images_loaded(page, "#practice-preview")
    assert "De praktijk Fysio Zuid & Co is aangemaakt." in page.locator(".flash").inner_text()
    note = page.locator("#color-note").inner_text()
    assert note.startswith("Deze kleur is te licht om te lezen; de tekst gebruikt daarom #") and "WCAG" not in note
    assert (project.practices_dir / "fysio-zuid-co.toml").is_file()
    assert view.look("practice-made") == []
    view.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_field_says_what_is_wrong_in_the_pages_language(site, chromium, language):
    base, project = site
    view = View(chromium, language=language)
    page = view.page
    page.goto(base + "/practices/plein")
    assert page.locator("#form-errors").count() == 0
    english = language == "en"
    address_box = page.get_by_label("Address" if english else "Adres", exact=True)
    address_box.fill("Plein 1\n1234 AB Utrecht\nNederland\nPostbus 5")
    page.get_by_label("Phone" if english else "Telefoon", exact=True).fill("bel ons")
    page.get_by_role("button", name="Save" if english else "Opslaan").click()
    page.wait_for_load_state("networkidle")
    address = page.locator("#address-error").inner_text()
    phone = page.locator("#phone-error").inner_text()
    if english:
        assert "4 lines" in address and "3" in address and "phone number" in phone
    else:
        assert "4 regels" in address and "3" in address and "telefoonnummer" in phone
    assert address_box.get_attribute("aria-describedby") == "address-error"
    shown = page.locator("main").inner_text()
    for leak in ("practices/", ".toml", "must be", "(got", "WCAG"):
        assert leak not in shown, leak
    assert page.locator("#form-errors").is_visible()
    assert view.look("practice-errors") == []
    view.close()


def test_a_save_over_someone_elses_change_shows_it_first(site, chromium):
    base, project = site
    view = View(chromium)
    page = view.page
    page.goto(base + f"/practices/{PRACTICE}")
    page.get_by_label("Telefoon").fill("020 111 22 33")
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("Lindelaan", "Eikenlaan"), encoding="utf-8")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state("networkidle")
    conflict = page.locator("#conflict")
    assert conflict.is_visible() and "Iemand anders" in conflict.inner_text()
    row = conflict.locator("tbody tr").filter(has_text="Adres")
    assert "Lindelaan" in row.locator("td").nth(0).inner_text()
    assert "Eikenlaan" in row.locator("td").nth(1).inner_text()
    assert page.get_by_label("Telefoon").input_value() == "020 111 22 33"
    assert "Eikenlaan" in profile.read_text(encoding="utf-8") and "020 111 22 33" not in profile.read_text()
    assert view.look("practice-conflict") == []
    page.get_by_role("button", name="Opslaan").click()                 # seen: saved over it
    page.wait_for_load_state("networkidle")
    assert "Opgeslagen." in page.locator(".flash").inner_text()
    assert "020 111 22 33" in profile.read_text(encoding="utf-8")
    view.close()


def test_a_practice_archived_after_a_confirmation(site, chromium):
    base, project = site
    (project.practices_dir / "oud.toml").write_text('name = "Oude Praktijk"\n', encoding="utf-8")
    view = View(chromium)
    page = view.page
    page.goto(base + "/practices/oud")
    page.get_by_role("link", name="Deze praktijk archiveren…").click()
    page.wait_for_load_state("networkidle")
    assert "Oude Praktijk" in page.locator("main").inner_text()
    assert view.look("retire") == []
    assert (project.practices_dir / "oud.toml").is_file()
    page.get_by_role("button", name="Ja, Oude Praktijk archiveren").click()
    page.wait_for_url(re.compile(r"/practices$"))
    assert "gearchiveerd" in page.locator(".flash").inner_text()
    assert page.get_by_role("link", name="Oude Praktijk").count() == 0
    assert not (project.practices_dir / "oud.toml").exists()
    page.goto(base + "/")
    assert page.locator("#practice option[value=oud]").count() == 0
    view.close()


def test_an_upload_over_a_translation_changed_since_shows_the_change(site, chromium, tmp_path):
    base, project = site
    from tests.web.test_web import OVERWEIGHT

    view = View(chromium)
    page = view.page
    page.goto(base + "/translations")
    path = project.catalog_path(LEAFLET, "tr")
    mine = tmp_path / "tr.po"
    mine.write_text(path.read_text(encoding="utf-8").replace(f'msgstr "{OVERWEIGHT}"', 'msgstr "Aşırı kilo"'),
                    encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace(f'msgstr "{OVERWEIGHT}"', 'msgstr "Kilolar"'),
                    encoding="utf-8")                                  # a colleague, meanwhile
    theirs = path.read_bytes()
    page.get_by_label("Folder", exact=True).select_option(LEAFLET)
    page.get_by_label("Taal", exact=True).select_option("tr")
    page.get_by_label(".po-bestand").set_input_files(str(mine))
    page.get_by_role("button", name="Controleren en opslaan").click()
    page.wait_for_load_state("networkidle")
    refused = page.locator("#upload-refused")
    assert "Iemand anders heeft deze vertaling veranderd" in refused.inner_text()
    row = refused.locator("tbody tr")
    assert row.count() == 1 and "Kilolar" in row.inner_text() and OVERWEIGHT in row.inner_text()
    assert path.read_bytes() == theirs
    assert view.look("upload-conflict") == []
    view.close()


# ---- The patient pack --------------------------------------------------------------------------------

def test_the_pack_button_waits_for_a_tick_and_the_pack_is_tagged(site, chromium):
    base, project = site
    view = View(chromium)
    page = view.page
    page.goto(base + f"/?lang=tr&practice={PRACTICE}")
    button = page.locator("#pack-button")
    assert button.is_disabled()
    box = page.locator(f"#pack-{LEAFLET}")
    box.check()
    assert button.is_enabled()
    box.uncheck()
    assert button.is_disabled()
    box.check()
    with page.expect_download() as download:
        button.click()
    pack = download.value
    assert pack.suggested_filename == f"{TURKISH_TITLE} (tr, pakket).pdf"
    with pikepdf.open(io.BytesIO(open(pack.path(), "rb").read())) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
        assert pdf.open_metadata().get("pdfuaid:part") == "1"
    # After a change of language (htmx makes the page again) the button waits for a tick again.
    page.get_by_label("Taal van de folder").select_option("de")
    page.wait_for_function("() => document.querySelector('input[name=lang][type=hidden]').value === 'de'")
    page.wait_for_function("() => document.querySelector('#pack-button').disabled", timeout=5000)
    assert view.errors == []
    view.close()


def test_an_empty_pack_is_answered_on_the_page_without_javascript(site, chromium):
    base, project = site
    for language in ("nl", "en"):
        view = View(chromium, language=language, javascript=False)
        page = view.page
        page.goto(base + f"/?lang=tr&practice={PRACTICE}")
        button = page.locator("#pack-button")
        assert button.is_enabled()                        # without the script it cannot know
        button.click()
        page.wait_for_load_state("networkidle")
        error = page.locator("#pack-error")
        assert error.is_visible()
        assert error.inner_text() == ("Kies minstens één folder voor het pakket." if language == "nl"
                                      else "Choose at least one leaflet for the pack.")
        assert page.locator("#lang").input_value() == "tr"
        assert view.look("pack-empty", axe=False) == []
        view.close()


# ---- Reception and translators: a newer version, the termbase ---------------------------------------

def test_a_newer_version_since_the_last_print_is_said_and_the_termbase_downloads(site, chromium):
    import tomllib

    from leafletgen.store import audit as trail
    from leafletgen.store.accounts import LOCAL
    from leafletgen.store.database import open_store
    from leafletgen.store.settings import load_settings

    base, project = site
    store = open_store(load_settings(project.root))
    try:                                 # the practice printed version 0.9 once
        trail.record(store, LOCAL, "document", leaflet=LEAFLET, version="0.9", lang="nl", practice="plein",
                     variant="a4", format="pdf", draft=False)
    finally:
        store.close()
    for width, language in ((375, "nl"), (1280, "en")):
        view = View(chromium, width=width, language=language)
        page = view.page
        page.goto(base + f"/?leaflet={LEAFLET}&lang=nl&practice=plein")
        notice = page.locator("#reprint")
        assert notice.is_visible() and "0.9" in notice.inner_text() and "1.0" in notice.inner_text()
        assert notice.bounding_box()["y"] < page.locator("#print").bounding_box()["y"]   # before printing
        assert view.look("reprint") == []
        view.close()
    view = View(chromium)
    page = view.page
    page.goto(base + "/translations")
    with page.expect_download() as download:
        page.get_by_role("link", name="Termenlijst downloaden (Türkçe)").click()
    assert download.value.suggested_filename == "terms.tr.toml"
    assert tomllib.loads(open(download.value.path(), encoding="utf-8").read())     # the termbase itself
    assert view.errors == []
    view.close()


# ---- Every changed page, at both widths, in both languages ---------------------------------------------

PAGES = ["/?q=rugpijn", "/?q=back+pain&lang=tr", "/?q=zzzz", "/practices", "/practices/new",
         f"/practices/{PRACTICE}", f"/practices/{PRACTICE}/retire", "/translations",
         f"/pack.pdf?lang=tr&practice={PRACTICE}"]


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_changed_page_is_accessible_and_fits(site, chromium, width, language):
    base, project = site
    view = View(chromium, width=width, language=language)
    problems = {}
    for url in PAGES:
        view.errors.clear()
        view.page.goto(base + url)
        view.page.wait_for_load_state("networkidle")
        name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "staff"
        found = view.look(name)
        if found:
            problems[url] = found
        if language == "en":
            words = view.page.locator("main").inner_text()
            dutch = [word for word in ("Opslaan", "Zoeken", "Folder maken", "Praktijken", "gevonden", "Kies minstens")
                     if word in words]
            if dutch:
                problems.setdefault(url, []).append(f"Dutch in an English page: {dutch}")
    assert problems == {}
    view.close()
