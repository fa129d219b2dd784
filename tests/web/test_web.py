"""The staff web app in-process, with Flask's test client: every route and its error paths.

Documents are rendered for real (WeasyPrint in the app's worker processes) and read back with
pypdf; uploads are real files, good and hostile.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from pypdf import PdfReader

from leafletgen.inputs.project import Project

from tests.conftest import PROJECT_PARTS, REPO, run_cli

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"


def _turkish(msgid: str) -> str:
    """The Turkish catalog's translation of `msgid`, as it is now (a reviser may change it)."""
    from babel.messages.pofile import read_po

    with open(REPO / "translations" / "tr" / "LC_MESSAGES" / "lage-rugklachten.po", "rb") as fh:
        return read_po(fh).get(msgid).string


TURKISH_TITLE = _turkish("Lage rugklachten")
OVERWEIGHT = _turkish("Overgewicht")       # a unit to change in an upload
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2214bc80000000049454e44ae426082")


def copy_project(root: Path) -> Project:
    root.mkdir(parents=True)
    for part in PROJECT_PARTS:
        if (REPO / part).exists():
            shutil.copytree(REPO / part, root / part)
    return Project(root)


def make_app(project: Project, cache: Path, **options):
    from leafletgen.web.app import create_app
    from leafletgen.web.documents import DocumentService

    service = DocumentService(project, cache, workers=1, **{k: options.pop(k) for k in
                                                          ("recycle_after", "time_limit") if k in options})
    app = create_app(project, documents=service, testing=True, **options)
    return app, service


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One app over a private copy of the project, for the tests that do not change it."""
    base = tmp_path_factory.mktemp("web")
    project = copy_project(base / "project")
    app, service = make_app(project, base / "cache")
    yield app, service, project
    service.close()


@pytest.fixture
def client(site):
    return site[0].test_client()


@pytest.fixture
def fresh(tmp_path):
    """An app over its own project copy, for tests that change files."""
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    yield app, service, project
    service.close()


def csrf(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


# ---- Pages, headers, health -----------------------------------------------------------------------

def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children of each of its threads), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found + [grandchild for child in found for grandchild in descendants(child)]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


def test_the_staff_page_is_dutch_and_english_when_the_browser_asks(client):
    dutch = client.get("/")
    assert dutch.status_code == 200
    assert '<html lang="nl">' in dutch.get_data(as_text=True)
    assert "Folder maken" in dutch.get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"})
    text = english.get_data(as_text=True)
    assert '<html lang="en">' in text and "Make a leaflet" in text and "Folder maken" not in text
    assert "Türkçe — Turkish" in text and "Nederlands — Dutch" in text
    # A language without a catalog of the app's words: Dutch.
    assert '<html lang="nl">' in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_the_staff_page_names_languages_in_their_own_script_and_in_dutch(client):
    text = client.get("/?lang=tr").get_data(as_text=True)
    assert "Türkçe — Turks" in text and "العربية — Arabisch" in text and "Українська — Oekraïens" in text
    for name, explanation in (("A5-folder", "A5-papier"), ("Grote letters", "18 punt"), ("Boekje", "vouwen")):
        assert name in text and explanation in text


def test_security_headers_on_every_page(client):
    for url in ("/", "/practices", f"/practices/{PRACTICE}", "/translations", "/healthz", "/nope",
                "/static/app.css"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in csp, url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url


def test_no_inline_script_in_any_page(client):
    for url in ("/", "/?lang=tr", "/practices", f"/practices/{PRACTICE}", "/translations", "/login",
                "/leaflets/nope/tr.pdf"):
        text = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), url
        assert not re.search(r"\son[a-z]+=", text), url
        assert "<style" not in text and "style=" not in text, url


def test_the_vendored_htmx_comes_with_its_licence():
    static = REPO / "leafletgen" / "web" / "static"
    assert (static / "htmx-2.0.11.min.js").stat().st_size > 40_000
    assert "Zero-Clause BSD" in (static / "htmx-LICENSE.txt").read_text()


# ---- Documents ------------------------------------------------------------------------------------

def test_the_turkish_pdf_for_a_practice(client):
    response = client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&variant=a4")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''Bel%20%C5%9Fik%C3%A2yetleri%20%28tr%29.pdf" in disposition
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.trailer["/Root"]["/Lang"] == "tr"
    assert reader.metadata.title == TURKISH_TITLE
    assert reader.metadata.author == "Fysiotherapie De Linde"
    download = client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data == response.data


def test_the_html_leaflet_has_its_stylesheet_allowed_by_hash_only(client):
    response = client.get(f"/leaflets/{LEAFLET}/ar.html?practice={PRACTICE}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert 'lang="ar"' in text and 'dir="rtl"' in text
    csp = response.headers["Content-Security-Policy"]
    assert "'sha256-" in csp and "unsafe-inline" not in csp and "script-src" not in csp
    fonts = re.findall(r'url\("\.\./\.\./assets/fonts/([^"]+)"\)', text)
    assert fonts
    font = client.get(f"/assets/fonts/{fonts[0]}")
    assert font.status_code == 200 and font.mimetype == "font/ttf"
    assert client.get("/assets/fonts/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_page_previews(client):
    page = client.get(f"/leaflets/{LEAFLET}/tr/page-1.png?practice={PRACTICE}")
    assert page.status_code == 200 and page.mimetype == "image/png" and page.data.startswith(b"\x89PNG")
    assert client.get(f"/leaflets/{LEAFLET}/tr/page-99.png?practice={PRACTICE}").status_code == 404


@pytest.mark.parametrize("url, kind, value", [
    ("/leaflets/knieklachten/tr.pdf", "folder", "knieklachten"),
    (f"/leaflets/{LEAFLET}/xx.pdf", "taal", "xx"),
    (f"/leaflets/{LEAFLET}/tr.pdf?practice=elders", "praktijk", "elders"),
    (f"/leaflets/{LEAFLET}/tr.html?variant=a3", "uitvoering", "a3"),
    (f"/leaflets/{LEAFLET}/tr.pdf?practice=../leaflets/{LEAFLET}", "praktijk", f"../leaflets/{LEAFLET}"),
    ("/leaflets/..%2F..%2Fetc%2Fpasswd/tr.pdf", "folder", ".."),
])
def test_an_unknown_name_is_404_with_the_known_ones(client, url, kind, value):
    response = client.get(url)
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert f"Onbekende {kind}" in text
    assert LEAFLET in text and "Türkçe — Turks" in text and PRACTICE in text and "large-print" in text


def test_an_unknown_page_is_404(client):
    assert client.get("/no/such/page").status_code == 404


def _break_turkish(project: Project) -> None:
    path = project.catalog_path(LEAFLET, "tr")
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'(msgid "Overgewicht"\nmsgstr )"[^"]*"', r'\1""', text)
    path.write_text(text, encoding="utf-8")


def test_an_incomplete_translation_is_409_naming_what_is_missing_unless_draft(fresh):
    app, service, project = fresh
    _break_turkish(project)
    client = app.test_client()
    response = client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Overgewicht" in text and "Vertaling niet af" in text
    draft = client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&draft=1")
    assert draft.status_code == 200
    assert "concept" in draft.headers["Content-Disposition"]
    first = PdfReader(io.BytesIO(draft.data)).pages[0].extract_text()
    assert "CONCEPT" in first
    # The staff page shows it, marked, and offers only the draft.
    page = client.get("/?lang=tr").get_data(as_text=True)
    assert "onvolledig" in page and 'name="draft"' in page and "PDF downloaden" not in page
    page = client.get("/?lang=tr&draft=1").get_data(as_text=True)
    assert "PDF downloaden" in page and "draft=1" in page


def test_a_catalog_with_problems_is_refused_even_as_a_draft(fresh):
    app, service, project = fresh
    path = project.catalog_path(LEAFLET, "tr")
    path.write_text(path.read_text(encoding="utf-8") + '\nmsgid "Kapot\nmsgstr ""\n', encoding="utf-8")
    response = app.test_client().get(f"/leaflets/{LEAFLET}/tr.pdf?draft=1")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if line == 'msgid "Kapot']
    assert worded("po_syntax", line=lines[0]) in text and "lage-rugklachten.po" not in text


def test_cached_documents_and_changes_on_disk(fresh):
    app, service, project = fresh
    client = app.test_client()
    url = f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}"
    first = client.get(url)
    assert service.rendered == 1 and first.headers["X-Cache"] == "miss"
    second = client.get(url)
    assert second.data == first.data and service.rendered == 1 and second.headers["X-Cache"] == "hit"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"].strip('"')}).status_code == 304
    # A changed profile is a new document, without a restart.
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("Fysiotherapie De Linde", "Fysio Linde & Co"),
                       encoding="utf-8")
    changed = client.get(url)
    assert service.rendered == 2
    assert PdfReader(io.BytesIO(changed.data)).metadata.author == "Fysio Linde & Co"
    # A practice added while the server runs is served.
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\n', encoding="utf-8")
    added = client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice=plein")
    assert added.status_code == 200
    assert PdfReader(io.BytesIO(added.data)).metadata.author == "Huisartsen Het Plein"
    assert "Huisartsen Het Plein" in client.get("/").get_data(as_text=True)


def test_a_bad_profile_on_disk_is_a_message_not_a_crash(fresh):
    app, service, project = fresh
    (project.practices_dir / "kapot.toml").write_text('name = "Kapot"\ncolour = "#123456"\n', encoding="utf-8")
    response = app.test_client().get(f"/leaflets/{LEAFLET}/nl.pdf?practice=kapot")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    from leafletgen.web.messages import BY_FOLDER

    assert BY_FOLDER["practices/"] in text and "unknown key" not in text and "kapot.toml" not in text


def test_the_patient_pack_merges_leaflets_in_one_language(fresh):
    app, service, project = fresh
    source = (project.leaflets_dir / f"{LEAFLET}.md").read_text(encoding="utf-8")
    (project.leaflets_dir / "rug-kopie.md").write_text(source.replace(f"id: {LEAFLET}", "id: rug-kopie"),
                                                       encoding="utf-8")
    for lang in ("tr",):
        shutil.copy(project.catalog_path(LEAFLET, lang), project.catalog_path("rug-kopie", lang))
    client = app.test_client()
    single = PdfReader(io.BytesIO(client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}").data))
    response = client.get(f"/pack.pdf?leaflet={LEAFLET}&leaflet=rug-kopie&lang=tr&practice={PRACTICE}&download=1")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    pack = PdfReader(io.BytesIO(response.data))
    pages = len(single.pages)
    assert len(pack.pages) == pages + (pages % 2) + pages       # each leaflet starts on a front side
    assert pack.trailer["/Root"]["/Lang"] == "tr"
    assert pack.metadata.title == f"{TURKISH_TITLE} · {TURKISH_TITLE}"
    assert [item.title for item in pack.outline] == [TURKISH_TITLE, TURKISH_TITLE]
    assert client.get(f"/pack.pdf?leaflet={LEAFLET}&leaflet=rug-kopie&lang=tr&practice={PRACTICE}").data \
        == response.data                                             # same documents, same bytes
    assert client.get("/pack.pdf?lang=tr").status_code == 400
    assert client.get(f"/pack.pdf?leaflet={LEAFLET}&leaflet=nope&lang=tr").status_code == 404
    _break_turkish(project)
    assert client.get(f"/pack.pdf?leaflet={LEAFLET}&lang=tr").status_code == 409


# ---- Practice settings ----------------------------------------------------------------------------

def _form(project: Project, **changes) -> dict:
    """The settings form as the page fills it from the profile on disk now (with the digest of
    the file it was filled from), with `changes`."""
    raw = (project.practices_dir / f"{PRACTICE}.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    form = {key: data.get(key, "") for key in ("name", "address", "phone", "email", "website", "color", "qr_url")}
    form["variants"] = data.get("variants", ["a4"])
    form["digest"] = hashlib.sha256(raw).hexdigest()
    form.update(changes)
    return form


def worded(code: str, **params) -> str:
    """The words of the web app for a problem's code, in Dutch, as they stand (escaped) in a page."""
    from markupsafe import escape

    from leafletgen.web.messages import MESSAGES

    return str(escape(MESSAGES[code] % params if params else MESSAGES[code]))


def test_practice_settings_without_csrf_token_are_refused(fresh):
    app, service, project = fresh
    before = (project.practices_dir / f"{PRACTICE}.toml").read_bytes()
    response = app.test_client().post(f"/practices/{PRACTICE}", data=_form(project, name="Ander"))
    assert response.status_code == 400
    assert (project.practices_dir / f"{PRACTICE}.toml").read_bytes() == before


def test_practice_settings_saved_and_validated_like_the_toml(fresh):
    app, service, project = fresh
    client = app.test_client()
    token = csrf(client, f"/practices/{PRACTICE}")
    response = client.post(f"/practices/{PRACTICE}", data={**_form(project, phone="020 765 43 21"),
                                                           "csrf_token": token})
    assert response.status_code == 302
    saved = tomllib.loads((project.practices_dir / f"{PRACTICE}.toml").read_text(encoding="utf-8"))
    assert saved["phone"] == "020 765 43 21" and saved["logo"] == "fysio-delinde/logo.svg"
    assert "Opgeslagen." in client.get(f"/practices/{PRACTICE}").get_data(as_text=True)
    # Wrong values: the profile's own checks, each beside its field in the page's language;
    # nothing saved.
    before = (project.practices_dir / f"{PRACTICE}.toml").read_bytes()
    response = client.post(f"/practices/{PRACTICE}", data={
        **_form(project, color="groen", website="www.linde.example", variants=["a3"]), "csrf_token": token})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="color-error"><li>{worded("color_format")}</li>' in text
    assert f'id="website-error"><li>{worded("url_format")}</li>' in text
    assert f'id="variants-error"><li>{worded("unknown_variants", names="a3")}</li>' in text
    assert "must be" not in text and "got" not in text
    assert (project.practices_dir / f"{PRACTICE}.toml").read_bytes() == before
    # The same message the command line gives for that profile.
    bad = project.practices_dir / "proef.toml"
    bad.write_text('name = "Proef"\ncolor = "groen"\n', encoding="utf-8")
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", "proef", root=project.root)
    assert 'color: must be a colour written as #rrggbb, e.g. "#1d5e8c" (got \'groen\')' in run.err


def test_a_new_logo_is_shown_in_the_preview_and_a_bad_one_never_replaces_it(fresh):
    app, service, project = fresh
    client = app.test_client()
    token = csrf(client, f"/practices/{PRACTICE}")
    preview = f"/leaflets/{LEAFLET}/nl/page-1.png?practice={PRACTICE}&variant=a4"
    before = client.get(preview).data
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (200, 30, 30)).save(buffer, format="PNG")
    response = client.post(f"/practices/{PRACTICE}", content_type="multipart/form-data", data={
        **_form(project), "csrf_token": token, "logo": (io.BytesIO(buffer.getvalue()), "nieuw.png")})
    assert response.status_code == 302
    saved = tomllib.loads((project.practices_dir / f"{PRACTICE}.toml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"fysio-delinde/logo-[0-9a-f]{12}\.png", saved["logo"])
    assert (project.practices_dir / saved["logo"]).read_bytes() == buffer.getvalue()
    after = client.get(preview).data
    assert after != before
    colours = Image.open(io.BytesIO(after)).convert("RGB").getcolors(maxcolors=1 << 20)
    assert (200, 30, 30) in {colour for _count, colour in colours}
    good = (project.practices_dir / f"{PRACTICE}.toml").read_bytes()
    hostile = [
        (b"GIF89a not an image we take", "logo.png", worded("logo_not_image")),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg",
         worded("svg_not_allowed")),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>', "logo.svg",
         worded("svg_not_self_contained")),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "kapot.png", worded("logo_broken")),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 10), "groot.png", worded("logo_too_large", max_mb=2)),
    ]
    for content, name, message in hostile:
        response = client.post(f"/practices/{PRACTICE}", content_type="multipart/form-data", data={
            **_form(project), "csrf_token": token, "logo": (io.BytesIO(content), name)})
        assert response.status_code == 422, name
        text = response.get_data(as_text=True)
        assert 'id="logo-error"' in text and message in text, (name, text[text.find("logo-error"):][:300])
        assert (project.practices_dir / f"{PRACTICE}.toml").read_bytes() == good
        assert (project.practices_dir / saved["logo"]).read_bytes() == buffer.getvalue()
        assert sorted(p.name for p in (project.practices_dir / PRACTICE).iterdir()) == \
            sorted(["logo.svg", Path(saved["logo"]).name])
    assert client.get(preview).data == after


def test_an_upload_over_the_request_limit_is_413(fresh):
    app, service, project = fresh
    client = app.test_client()
    token = csrf(client, f"/practices/{PRACTICE}")
    response = client.post(f"/practices/{PRACTICE}", content_type="multipart/form-data", data={
        **_form(project), "csrf_token": token, "logo": (io.BytesIO(b"\0" * (4 * 1024 * 1024)), "x.png")})
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)


def test_settings_of_an_unknown_practice_are_404(client):
    assert client.get("/practices/nope").status_code == 404
    assert client.get("/practices/..%2Fleaflets").status_code == 404
    assert client.post("/practices/nope", data={}).status_code in (400, 404)


# ---- Translations -------------------------------------------------------------------------------

def test_the_translations_page_and_a_po_download(client, site):
    text = client.get("/translations").get_data(as_text=True)
    assert "100 %" in text and "Türkçe" in text
    response = client.get(f"/translations/tr/{LEAFLET}.po")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{LEAFLET}.tr.po"'
    assert response.data == site[2].catalog_path(LEAFLET, "tr").read_bytes()
    assert client.get("/translations/xx/lage-rugklachten.po").status_code == 404
    assert client.get("/translations/tr/..%2F..%2Fpractices%2Ffysio-delinde.po").status_code == 404


def test_a_po_upload_is_checked_by_the_catalog_checks(fresh):
    app, service, project = fresh
    client = app.test_client()
    token = csrf(client, "/translations")
    path = project.catalog_path(LEAFLET, "tr")
    good = path.read_bytes()
    lines = good.decode("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith('msgstr "') and i > 20)
    broken = "\n".join(lines[:number] + ["msgstr x"] + lines[number + 1:]) + "\n"
    response = client.post("/translations/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "lang": "tr", "domain": LEAFLET,
        "catalog": (io.BytesIO(broken.encode("utf-8")), "tr.po")})
    assert response.status_code == 422
    assert worded("po_syntax", line=number + 1) in response.get_data(as_text=True)
    assert path.read_bytes() == good
    digest = hashlib.sha256(good).hexdigest()
    # A translation that adds HTML is refused too, with its line.
    html = good.decode("utf-8").replace(f'msgstr "{OVERWEIGHT}"', f'msgstr "<b>{OVERWEIGHT}</b>"')
    number = html[:html.index(f"<b>{OVERWEIGHT}")].count("\n") + 1
    response = client.post(f"/translations/tr/{LEAFLET}.po", content_type="multipart/form-data", data={
        "csrf_token": token, "digest": digest, "catalog": (io.BytesIO(html.encode("utf-8")), "tr.po")})
    assert response.status_code == 422
    assert worded("po_markup", line=number, unit="Overgewicht") in response.get_data(as_text=True)
    # The catalog of another domain, and one for another language.
    other = project.catalog_path("leafletgen", "tr").read_bytes()
    response = client.post(f"/translations/tr/{LEAFLET}.po", content_type="multipart/form-data", data={
        "csrf_token": token, "digest": digest, "catalog": (io.BytesIO(other), "tr.po")})
    assert response.status_code == 422 and worded("po_other_domain") in response.get_data(as_text=True)
    german = project.catalog_path(LEAFLET, "de").read_bytes()
    response = client.post(f"/translations/tr/{LEAFLET}.po", content_type="multipart/form-data", data={
        "csrf_token": token, "digest": digest, "catalog": (io.BytesIO(german), "de.po")})
    assert response.status_code == 422 and \
        worded("po_language", found="de", expected="tr") in response.get_data(as_text=True)
    assert path.read_bytes() == good
    # Without a token: 400. A good one: saved.
    assert client.post(f"/translations/tr/{LEAFLET}.po", content_type="multipart/form-data",
                       data={"catalog": (io.BytesIO(good), "tr.po")}).status_code == 400
    changed = good.decode("utf-8").replace(f'msgstr "{OVERWEIGHT}"', f'msgstr "{OVERWEIGHT}!"')
    assert changed != good.decode("utf-8")
    response = client.post(f"/translations/tr/{LEAFLET}.po", content_type="multipart/form-data", data={
        "csrf_token": token, "digest": digest, "catalog": (io.BytesIO(changed.encode("utf-8")), "tr.po")})
    assert response.status_code == 302
    assert path.read_text(encoding="utf-8") == changed


# ---- Login, cookies, errors -----------------------------------------------------------------------

def add_account(project: Project, name: str, role: str, password: str | None = "correct horse battery",
                practices=()):
    """An account in the project's database (made if need be), as `users add` makes it."""
    from leafletgen.store import accounts
    from leafletgen.store.database import open_store
    from leafletgen.store.settings import load_settings

    store = open_store(load_settings(project.root))
    try:
        return accounts.add(store, name, role, practices, password, project.practice_ids())
    finally:
        store.close()


def sign_in(client, name: str, password: str = "correct horse battery", **options):
    token = csrf(client, "/login")
    return client.post("/login", data={"csrf_token": token, "name": name, "password": password}, **options)


@pytest.fixture
def guarded(tmp_path):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    app, service = make_app(project, tmp_path / "cache", require_login=True)
    yield app, project
    service.close()
    app.extensions["leafletgen.store"].close()


def test_a_login_is_required_off_loopback(guarded):
    app, project = guarded
    client = app.test_client()
    response = client.get(f"/practices/{PRACTICE}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/leaflets/{LEAFLET}/nl.pdf").status_code == 302
    stored = (project.root / ".leafletgen" / "leafletgen.db").read_bytes()
    assert b"scrypt:" in stored and b"correct horse" not in stored
    token = csrf(client, "/login")
    wrong = client.post("/login", data={"csrf_token": token, "name": "anna", "password": "wrong"})
    assert wrong.status_code == 401 and "klopt niet" in wrong.get_data(as_text=True)
    right = client.post("/login?next=/translations", data={"csrf_token": token, "name": "Anna",
                                                           "password": "correct horse battery"})
    assert right.status_code == 302 and right.headers["Location"] == "/translations"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get(f"/practices/{PRACTICE}").status_code == 200


def test_login_without_token_redirect_elsewhere_https_cookie_and_rate_limit(guarded):
    app, project = guarded
    client = app.test_client()
    assert client.post("/login", data={"name": "anna", "password": "correct horse battery"}).status_code == 400
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        fresh_client = app.test_client()
        token = csrf(fresh_client, "/login")
        response = fresh_client.post(f"/login?next={target}", data={"csrf_token": token, "name": "anna",
                                                                   "password": "correct horse battery"})
        assert response.headers["Location"] == "/", target
    secure = app.test_client()
    token = csrf(secure, "/login")
    response = secure.post("/login", base_url="https://localhost",
                           data={"csrf_token": token, "name": "anna", "password": "correct horse battery"},
                           headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]
    other = app.test_client()
    token = csrf(other, "/login")
    codes = [other.post("/login", data={"csrf_token": token, "name": "anna", "password": "nope"}).status_code
             for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_an_internal_error_is_a_message_and_the_traceback_goes_to_the_log(fresh, monkeypatch, caplog):
    app, service, project = fresh
    from leafletgen.web import library

    def broken(project):
        raise RuntimeError("a bug")

    monkeypatch.setattr(library, "leaflets", broken)
    response = app.test_client().get("/")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Er ging iets mis in leafletgen zelf" in text and "Traceback" not in text and "a bug" not in text
    assert any("internal error on GET /" in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_document_over_the_time_limit_fails_and_the_next_is_served(tmp_path):
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache", time_limit=0.05)
    try:
        client = app.test_client()
        response = client.get(f"/leaflets/{LEAFLET}/de.pdf")
        assert response.status_code == 503
        assert worded("over_time", seconds="0.05") in response.get_data(as_text=True)
        service.time_limit = 120
        assert client.get(f"/leaflets/{LEAFLET}/de.pdf").status_code == 200
    finally:
        service.close()


# A practice's template that doubles a string forty times (a terabyte): over any memory limit.
DOUBLING = ('{% set ns = namespace(s="xxxxxxxx") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
            '{% endfor %}<aside class="callout"><p>{{ ns.s|length }}</p></aside>\n')


@pytest.mark.slow
def test_a_document_over_the_memory_limit_is_a_message_and_the_app_keeps_serving(tmp_path):
    """The workers take on the memory limit per document (limits.py) as well as the time limit:
    a document that needs more is refused with a message saying so, in the staff page too, and the
    same worker goes on serving."""
    project = copy_project(tmp_path / "project")
    blocks = project.practices_dir / PRACTICE / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "callout.html.j2").write_text(DOUBLING, encoding="utf-8")
    from leafletgen.web.app import create_app
    from leafletgen.web.documents import DocumentService

    service = DocumentService(project, tmp_path / "cache", workers=1, memory_mb=600)
    app = create_app(project, documents=service, testing=True)
    try:
        client = app.test_client()
        assert client.get(f"/leaflets/{LEAFLET}/nl.pdf").status_code == 200      # the neutral one
        worker = service.last_worker
        limits = Path(f"/proc/{worker}/limits").read_text()
        soft = re.search(r"^Max address space\s+(\S+)", limits, re.M).group(1)
        assert soft != "unlimited"                      # the memory limit, taken on by the worker
        response = client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}")
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert worded("over_memory", memory_mb=600) in text and "Traceback" not in text
        page = client.get(f"/?leaflet={LEAFLET}&lang=nl&practice={PRACTICE}").get_data(as_text=True)
        assert "Deze folder kan zo niet gemaakt worden:" in page and worded("over_memory", memory_mb=600) in page
        # The app and the same worker go on serving.
        response = client.get(f"/leaflets/{LEAFLET}/de.pdf")
        assert response.status_code == 200 and response.headers["X-Cache"] == "miss"
        assert service.last_worker == worker
        assert PdfReader(io.BytesIO(response.data)).trailer["/Root"]["/Lang"] == "de"
    finally:
        service.close()


@pytest.mark.slow
def test_workers_are_recycled(tmp_path):
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache", recycle_after=1)
    try:
        client = app.test_client()
        pids = []
        for lang in ("nl", "de", "fr"):
            assert client.get(f"/leaflets/{LEAFLET}/{lang}.pdf").status_code == 200
            pids.append(service.last_worker)
        assert len(set(pids)) == 3
    finally:
        service.close()



def test_an_app_started_after_one_that_recycled_its_workers_renders_as_well(tmp_path):
    """Workers fork from one warm template per process. An app closed just after it recycled a
    worker stopped that fresh worker before it was set up, and it removed the template's fonts:
    the next app's documents were refused (headings in a font of no file)."""
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache", recycle_after=1)
    try:
        assert app.test_client().get(f"/leaflets/{LEAFLET}/nl.pdf").status_code == 200
    finally:
        service.close()
    app, service = make_app(project, tmp_path / "cache-2")
    try:
        response = app.test_client().get(f"/leaflets/{LEAFLET}/nl.pdf")
        assert response.status_code == 200, response.text[-800:]
        assert PdfReader(io.BytesIO(response.data)).pages
    finally:
        service.close()

# ---- The command --------------------------------------------------------------------------------

def test_serve_refuses_other_addresses_without_a_password(project):
    run = run_cli("serve", "--host", "0.0.0.0", root=project.root)
    assert run.code == 1
    assert run.err.startswith("error: serving on 0.0.0.0 makes the app reachable from other computers")
    assert run_cli("serve", "--port", "70000", root=project.root).code == 2


@pytest.mark.slow
def test_serve_says_at_once_that_it_starts_then_where_it_answers(project, tmp_path):
    """`python generate.py serve` as a receptionist starts it: a line at once, then the address as
    soon as the app answers there (before the workers are warm: the warm-up's line comes after
    it), and Ctrl-C stops it, warm-up or not."""
    import signal
    import subprocess
    import sys
    import urllib.request

    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, str(REPO / "generate.py"), "serve", "--root", str(project.root), "--port", "0",
             "--workers", "1"], stdout=subprocess.PIPE, stderr=log, text=True, cwd=tmp_path)
    try:
        assert server.stdout.readline() == "starting the staff app…\n"
        match = re.fullmatch(r"leafletgen staff app: (http://127\.0\.0\.1:\d+/)  \(open it in the "
                             r"browser; Ctrl-C to stop\)\n", server.stdout.readline())
        assert match, (tmp_path / "server.log").read_text()
        # Listening from the moment the address is shown: the first try answers.
        with urllib.request.urlopen(match.group(1) + "healthz", timeout=120) as response:
            assert response.status == 200
        with urllib.request.urlopen(match.group(1) + "translations", timeout=120) as response:
            assert response.status == 200 and "Vertalingen" in response.read().decode()
        assert server.stdout.readline().startswith("preparing fonts and worker processes: ")
        server.send_signal(signal.SIGINT)      # Ctrl-C, whether the warm-up has ended or not
        lines = server.stdout.read().splitlines()
        assert server.wait(timeout=120) == 0
        assert lines[-1] == "stopped" and set(lines[:-1]) <= {"ready: leaflets are made at full speed"}
    finally:
        if server.poll() is None:
            server.kill()


@pytest.mark.slow
def test_serve_hands_its_memory_limit_to_the_workers(project, tmp_path):
    """`serve --memory-limit MB`: each worker takes it on (RLIMIT_AS: its address space when it
    starts plus MB), though forked from a fork server that never saw the command line."""
    import signal
    import subprocess
    import sys

    with open(tmp_path / "server.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, str(REPO / "generate.py"), "serve", "--root", str(project.root), "--port", "0",
             "--workers", "1", "--memory-limit", "5000"], stdout=subprocess.PIPE, stderr=log, text=True,
            cwd=tmp_path)
    try:
        lines = [server.stdout.readline() for _ in range(4)]
        assert lines[3] == "ready: leaflets are made at full speed\n", (lines, (tmp_path / "server.log").read_text())

        limited = {}
        for pid in descendants(server.pid):
            soft = re.search(r"^Max address space\s+(\S+)", Path(f"/proc/{pid}/limits").read_text(), re.M).group(1)
            if soft != "unlimited":
                size = int(re.search(r"^VmSize:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M).group(1))
                limited[pid] = (int(soft), size * 1024)
        assert len(limited) == 1                        # the one worker; not the server, not the fork server
        (soft, size), = limited.values()
        assert 0 < soft - 5000 * 1024 * 1024 <= size    # what it had when it took the limit on, plus 5000 MB
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.kill()


def test_serve_set_password_points_to_accounts(project):
    run = run_cli("serve", "--set-password", root=project.root)
    assert run.code == 1 and run.err == ("error: serve --set-password is gone: everyone signs in with an "
                                         "account of their own; make one with `python generate.py users "
                                         "add NAME --role admin`\n")


# ---- The app's own words ------------------------------------------------------------------------

def test_every_word_of_the_app_is_translated_into_english():
    """A page string added without `translations update` and a translation fails here."""
    from babel.messages.pofile import read_po

    from leafletgen.translate.web_catalog import web_template

    catalog = read_po(open(REPO / "translations" / "en" / "LC_MESSAGES" / "leafletgen_web.po", "rb"))
    missing = [message.id for message in web_template() if message.id and (
        catalog.get(message.id) is None or catalog.get(message.id).fuzzy or not all(
            catalog.get(message.id).string if isinstance(message.id, tuple) else [catalog.get(message.id).string]))]
    assert missing == []


# Messages whose meaning a translator cannot see from the Dutch alone: words that fill in another
# message, "folder" (Dutch for leaflet, not a directory), the print variants' names, status words
# of the translations table, the draft stamp's word, the steps of the staff page.
NEEDS_A_COMMENT = (
    "folder", "taal", "praktijk", "uitvoering", "Folders", "Folder", "1. Folder", "Folder maken",
    "A5-folder", "Boekje", "Drukkerij", "Grote letters", "CONCEPT", "onvolledig", "niet af",
    "vertaling niet af", "niet nagekeken", "nakijken verouderd", "Printen", "Webversie",
    "Patiëntenpakket", "Dit mag niet.", "Kleur (#rrggbb)", "Naar de inhoud", "Bezig…",
    "Alleen vertalingen gebruiken die een persoon heeft nagekeken", "4. Uitvoering",
    "Vaste teksten van de folders (voettekst, paginanummers)", "vaste tekst van de folder",
)
NUMBERS = {"n", "num", "total", "mb", "kb", "percent"}      # placeholders that are plain numbers


def test_the_apps_catalog_tells_translators_what_is_not_obvious():
    """The shipped .pot (tests/translate/test_shipped_translations.py keeps it what extract writes) has a
    `#.` comment for each message above, and every placeholder that stands for words (a name, a
    language, a reason; not a number) and every {brace} field is explained in its message's comment."""
    from babel.messages.pofile import read_po

    catalog = read_po(open(REPO / "translations" / "leafletgen_web.pot", "rb"))
    messages = {message.id if isinstance(message.id, str) else message.id[0]: message
                for message in catalog if message.id}
    assert [msgid for msgid in NEEDS_A_COMMENT if msgid not in messages] == []
    uncommented = [msgid for msgid in NEEDS_A_COMMENT if not messages[msgid].auto_comments]
    assert uncommented == []
    unexplained = []
    for msgid, message in messages.items():
        comment = " ".join(message.auto_comments)
        fields = [f"%({name})s" for name in re.findall(r"%\((\w+)\)s", msgid) if name not in NUMBERS]
        fields += re.findall(r"\{\w+\}", msgid)
        unexplained += [f"{msgid!r}: {field}" for field in fields if field not in comment]
    assert unexplained == []
    # "folder" is explained as a leaflet wherever it stands alone as a label.
    assert all("leaflet" in " ".join(messages[msgid].auto_comments)
               for msgid in ("folder", "Folders", "Folder", "1. Folder", "Folder maken"))


def test_the_translations_commands_keep_the_apps_catalog(project):
    pot = project.translations_dir / "leafletgen_web.pot"
    pot.unlink()
    run = run_cli("translations", "extract", root=project.root)
    assert run.code == 0 and pot.is_file()
    assert 'msgid "Folder maken"' in pot.read_text(encoding="utf-8")
    po = project.translations_dir / "en" / "LC_MESSAGES" / "leafletgen_web.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgid "Folder maken"\nmsgstr "Make a leaflet"',
                                                         'msgid "Folder bouwen"\nmsgstr "Make a leaflet"'),
                  encoding="utf-8")
    run = run_cli("translations", "update", root=project.root)
    assert run.code == 0
    text = po.read_text(encoding="utf-8")
    # the old translation, to confirm, under the Dutch it was made for (#| previous msgid)
    assert '#, fuzzy\n#| msgid "Folder bouwen"\nmsgid "Folder maken"\nmsgstr "Make a leaflet"' in text
    assert not (project.translations_dir / "de" / "LC_MESSAGES" / "leafletgen_web.po").exists()


def test_without_login_only_this_computers_names_reach_the_app(site, guarded):
    """DNS rebinding: a page of another site, under a name that resolves to 127.0.0.1."""
    client = site[0].test_client()
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 400
    assert client.get("/healthz", base_url="http://127.0.0.1:8000").status_code == 200
    assert client.get("/healthz", base_url="http://[::1]:8000").status_code == 200
    # With a login (reachable from elsewhere) the machine's own names are not known in advance.
    app, project = guarded
    assert app.test_client().get("/healthz", headers={"Host": "praktijk-pc.local:8000"}).status_code == 200


def test_serve_behind_a_proxy_requires_a_login(project):
    run = run_cli("serve", "--proxy", "127.0.0.1", root=project.root)
    assert run.code == 1 and "behind the proxy 127.0.0.1" in run.err


def test_uploads_are_not_written_through_links(fresh, tmp_path):
    app, service, project = fresh
    client = app.test_client()
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = project.practices_dir / PRACTICE
    shutil.move(folder, outside / PRACTICE)
    folder.symlink_to(outside / PRACTICE)
    token = csrf(client, f"/practices/{PRACTICE}")
    response = client.post(f"/practices/{PRACTICE}", content_type="multipart/form-data", data={
        **_form(project), "csrf_token": token, "logo": (io.BytesIO(PNG_1PX), "x.png")})
    assert response.status_code == 422 and worded("logo_folder_link") in response.get_data(as_text=True)
    assert sorted(p.name for p in (outside / PRACTICE).iterdir()) == ["logo.svg"]
    messages = project.translations_dir / "tr" / "LC_MESSAGES"
    shutil.move(messages, outside / "tr-messages")
    messages.symlink_to(outside / "tr-messages")
    good = (outside / "tr-messages" / f"{LEAFLET}.po").read_bytes()
    response = client.post(f"/translations/tr/{LEAFLET}.po", content_type="multipart/form-data", data={
        "csrf_token": token, "catalog": (io.BytesIO(good.replace(OVERWEIGHT.encode(), b"x")), "tr.po")})
    assert response.status_code == 422 and worded("po_link") in response.get_data(as_text=True)
    assert (outside / "tr-messages" / f"{LEAFLET}.po").read_bytes() == good


def test_a_worker_that_dies_is_replaced_and_the_document_made_again(fresh):
    import os
    import signal

    app, service, project = fresh
    client = app.test_client()
    assert client.get(f"/leaflets/{LEAFLET}/nl.pdf").status_code == 200
    os.kill(service.last_worker, signal.SIGKILL)            # killed between two requests
    response = client.get(f"/leaflets/{LEAFLET}/de.pdf")
    assert response.status_code == 200 and response.headers["X-Cache"] == "miss"
    assert service.last_worker != 0


def test_the_workers_end_when_the_server_is_killed(tmp_path):
    """kill -9 of the server leaves no fork server and no worker behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    project = copy_project(tmp_path / "project")
    code = ("import sys, time; from pathlib import Path; from leafletgen.inputs.project import Project; "
            "from leafletgen.web.documents import DocumentService; "
            "s = DocumentService(Project(Path(sys.argv[1])), Path(sys.argv[2]), workers=2); s.start(); "
            "print('ready', flush=True); time.sleep(600)")
    server = subprocess.Popen([sys.executable, "-c", code, str(project.root), str(tmp_path / "cache")],
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert server.stdout.readline().strip() == "ready"

        family = descendants(server.pid)
        assert len(family) >= 3          # the fork server and two workers (and the resource tracker)
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 20
        alive = family
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in family if Path(f"/proc/{pid}").exists()
                     and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[:1]]
        assert alive == []
    finally:
        if server.poll() is None:
            server.kill()


def test_a_practice_that_requires_reviewed_translations_gets_no_unreviewed_one(fresh):
    app, service, project = fresh
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "require_review = true\n", encoding="utf-8")
    client = app.test_client()
    response = client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert ("Deze praktijk geeft alleen vertalingen mee die een persoon heeft nagekeken. Deze vertaling "
            "is nog niet nagekeken.") in text
    assert "op de pagina Nakijken" in text and "generate.py" not in text     # no command line for staff
    # The staff page says the same where the preview would be; in English when asked.
    page = client.get(f"/?leaflet={LEAFLET}&lang=tr&practice={PRACTICE}").get_data(as_text=True)
    assert "Deze vertaling is nog niet nagekeken." in page and 'id="download"' not in page
    page = client.get(f"/?leaflet={LEAFLET}&lang=tr&practice={PRACTICE}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This translation has not been checked yet." in page
    assert client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}").status_code == 200
    # The settings form shows the key ticked, and keeps it when saved so.
    page = client.get(f"/practices/{PRACTICE}").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" id="require_review" name="require_review" value="1" '
                     r'aria-describedby="require_review-explain" checked>', page)
    token = csrf(client, f"/practices/{PRACTICE}")
    assert client.post(f"/practices/{PRACTICE}", data={**_form(project, require_review="1"),
                                                       "csrf_token": token}).status_code == 302
    assert tomllib.loads(profile.read_text(encoding="utf-8"))["require_review"] is True
    # The translations page shows the review state of every leaflet catalog.
    assert "niet nagekeken" in client.get("/translations").get_data(as_text=True)


def test_the_settings_form_sets_and_clears_require_review(fresh):
    """The box "only translations a person has checked" is the profile's `require_review`: ticked,
    the profile says `require_review = true` and an unreviewed translation is no longer made for
    the practice; unticked, the key is gone and the translation is made again."""
    app, service, project = fresh
    profile = project.practices_dir / f"{PRACTICE}.toml"
    client = app.test_client()
    page = client.get(f"/practices/{PRACTICE}").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" id="require_review" name="require_review" value="1" '
                     r'aria-describedby="require_review-explain">\s*<label for="require_review">Alleen '
                     r'vertalingen gebruiken die een persoon heeft nagekeken</label>', page)
    assert 'id="require_review-explain">Een vertaling die nog niemand heeft nagekeken' in page
    assert "require_review" not in tomllib.loads(profile.read_text(encoding="utf-8"))
    assert client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}").status_code == 200

    token = csrf(client, f"/practices/{PRACTICE}")
    response = client.post(f"/practices/{PRACTICE}", data={**_form(project, require_review="1"),
                                                           "csrf_token": token})
    assert response.status_code == 302
    saved = tomllib.loads(profile.read_text(encoding="utf-8"))
    assert saved["require_review"] is True and saved["phone"] == "030 123 45 67"
    assert 'aria-describedby="require_review-explain" checked>' in \
        client.get(f"/practices/{PRACTICE}").get_data(as_text=True)
    response = client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}")
    assert response.status_code == 422 and "Deze vertaling is nog niet nagekeken." in response.get_data(as_text=True)

    response = client.post(f"/practices/{PRACTICE}", data={**_form(project), "csrf_token": token})
    assert response.status_code == 302
    assert "require_review" not in tomllib.loads(profile.read_text(encoding="utf-8"))
    assert client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}").status_code == 200
    # In English, the box says the same.
    page = client.get(f"/practices/{PRACTICE}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<label for="require_review">[^<]*[Oo]nly[^<]*translations[^<]*</label>', page)


def test_the_address_shown_is_one_a_browser_can_open():
    """Bound to every address of the computer (0.0.0.0, ::), the app names the computer, not 0.0.0.0."""
    import socket
    from types import SimpleNamespace

    from leafletgen.web.serve import address

    server = SimpleNamespace(effective_port=8767)
    assert address("127.0.0.1", server) == "http://127.0.0.1:8767/"
    assert address("::1", server) == "http://[::1]:8767/"
    for every in ("0.0.0.0", "::"):
        assert address(every, server) == (f"http://{socket.gethostname()}:8767/ "
                                          "(on this computer: http://localhost:8767/)")
