"""A translator's .po upload in the app: refused over a catalog that someone else changed since
the page was opened (with the other change shown), and its problems in the page's language."""

from __future__ import annotations

import io
import json
import re

import pytest

from tests.web.test_web import LEAFLET, OVERWEIGHT, copy_project, make_app, worded
from tests.web.test_practices import ENGLISH, english


@pytest.fixture
def fresh_site(tmp_path):
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    yield app, service, project
    service.close()


def page_bases(client) -> tuple[str, dict]:
    page = client.get("/translations").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bases = re.search(r'name="bases" value="([^"]+)"', page).group(1).replace("&#34;", '"')
    return token, json.loads(bases)


def test_an_upload_over_a_catalog_changed_since_is_refused_and_the_change_shown(fresh_site):
    app, service, project = fresh_site
    client = app.test_client()
    token, bases = page_bases(client)
    path = project.catalog_path(LEAFLET, "tr")
    assert set(bases) >= {f"tr/{LEAFLET}", f"de/{LEAFLET}", "tr/leafletgen"}
    mine = path.read_text(encoding="utf-8").replace(f'msgstr "{OVERWEIGHT}"', 'msgstr "Aşırı kilo"')
    # A colleague uploads another change first.
    path.write_text(path.read_text(encoding="utf-8").replace(f'msgstr "{OVERWEIGHT}"', 'msgstr "Kilolar"'),
                    encoding="utf-8")
    theirs = path.read_bytes()
    response = client.post("/translations/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "lang": "tr", "domain": LEAFLET, "bases": json.dumps(bases),
        "catalog": (io.BytesIO(mine.encode("utf-8")), "tr.po")})
    assert response.status_code == 409
    assert path.read_bytes() == theirs
    text = response.get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row" lang="nl">([^<]*)</th><td lang="tr">([^<]*)</td>'
                      r'<td lang="tr">([^<]*)</td></tr>', text)
    assert rows == [("Overgewicht", OVERWEIGHT, "Kilolar")]           # what the colleague changed
    # After a new look at the page, the same upload goes in.
    token, bases = page_bases(client)
    response = client.post("/translations/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "lang": "tr", "domain": LEAFLET, "bases": json.dumps(bases),
        "catalog": (io.BytesIO(mine.encode("utf-8")), "tr.po")})
    assert response.status_code == 302
    assert path.read_text(encoding="utf-8") == mine
    # kept with the published version it translates (the store of versions), by its account
    from leafletgen.inputs import catalog_versions
    kept = catalog_versions.catalog_versions(project, LEAFLET, "tr")
    assert [(c.version, c.recorded_by) for c in kept] == [("1.0", "local")]
    assert catalog_versions.read_catalog_version(project, LEAFLET, "tr", "1.0") == mine.encode("utf-8")
    saved = client.get("/translations").get_data(as_text=True)
    assert "Türkçe" in saved or "Turks" in saved
    assert "LC_MESSAGES" not in re.sub(r"<[^>]+>", " ", saved)       # no file path for staff


def test_an_upload_without_the_digest_of_what_it_replaces_is_refused(fresh_site):
    app, service, project = fresh_site
    client = app.test_client()
    token, _bases = page_bases(client)
    path = project.catalog_path(LEAFLET, "tr")
    good = path.read_bytes()
    response = client.post(f"/translations/tr/{LEAFLET}.po", content_type="multipart/form-data", data={
        "csrf_token": token, "catalog": (io.BytesIO(good.replace(OVERWEIGHT.encode(), b"Kilo")), "tr.po")})
    assert response.status_code == 409 and path.read_bytes() == good


def test_po_problems_in_english_for_an_english_page(fresh_site):
    app, service, project = fresh_site
    client = app.test_client()
    token, bases = page_bases(client)
    german = project.catalog_path(LEAFLET, "de").read_bytes()
    response = client.post("/translations/upload", headers=ENGLISH, content_type="multipart/form-data", data={
        "csrf_token": token, "lang": "tr", "domain": LEAFLET, "bases": json.dumps(bases),
        "catalog": (io.BytesIO(german), "de.po")})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert english("po_language", found="de", expected="tr") in text
    assert worded("po_language", found="de", expected="tr") not in text
    assert "catalog for language" not in text


def test_the_termbase_of_each_language_is_downloadable_and_the_folders_own_wins(fresh_site):
    import tomllib

    from leafletgen.translate.termbase import parse_termbase

    app, _, project = fresh_site
    client = app.test_client()
    page = client.get("/translations").get_data(as_text=True)
    links = re.findall(r'href="(/translations/([a-z]+)/terms\.toml)"', page)
    assert {lang for _, lang in links} >= {"en", "de", "tr", "ar"} and "nl" not in {lang for _, lang in links}
    served = set()
    for address, lang in links:
        response = client.get(address)
        if response.status_code == 404:          # a language without a termbase
            continue
        served.add(lang)
        assert response.status_code == 200, (lang, response.status_code)
        assert response.headers["Content-Disposition"] == f'attachment; filename="terms.{lang}.toml"'
        assert parse_termbase(response.data, f"terms.{lang}.toml").terms        # what the checks read
    assert served >= {"en", "de", "tr", "ar"}                   # leafletgen's own termbases
    own = project.translations_dir / "tr" / "terms.toml"
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text('[huisarts]\nrequired = ["aile hekimi"]\n', encoding="utf-8")
    assert tomllib.loads(client.get("/translations/tr/terms.toml").get_data(as_text=True)) == {
        "huisarts": {"required": ["aile hekimi"]}}
    own.unlink()
    own.symlink_to("/etc/passwd")
    refused = client.get("/translations/tr/terms.toml")
    assert refused.status_code == 409 and b"root:" not in refused.data
    assert client.get("/translations/xx/terms.toml").status_code == 404
