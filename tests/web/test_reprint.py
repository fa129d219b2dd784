"""'Newer since you last printed it': after a practice printed an older version of a leaflet, the
staff page says so above the print buttons (in the page's language), until the new version has
been printed; a concept, the web version and another practice's prints do not count."""

from __future__ import annotations

import re

import pytest

from leafletgen.store import audit as trail
from leafletgen.store.accounts import LOCAL

from tests.web.test_web import LEAFLET, PRACTICE, copy_project, make_app


@pytest.fixture(scope="module")
def reprint_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("reprint")
    project = copy_project(base / "project")
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\ncolor = "#7a2d8c"\n',
                                                     encoding="utf-8")
    app, service = make_app(project, base / "cache")
    yield app
    service.close()
    app.extensions["leafletgen.store"].close()


def notice(client, practice: str, **headers) -> str | None:
    page = client.get(f"/?leaflet={LEAFLET}&lang=nl&practice={practice}", headers=headers)
    assert page.status_code == 200
    found = re.search(r'<p class="message" id="reprint"[^>]*>(.*?)</p>', page.get_data(as_text=True), re.S)
    return " ".join(found.group(1).split()) if found else None


def printed(app, practice: str, version: str, **fields) -> None:
    trail.record(app.extensions["leafletgen.store"], LOCAL, "document", leaflet=LEAFLET, version=version,
                 lang="nl", practice=practice, variant="a4", **{"format": "pdf", "draft": False} | fields)


def test_an_older_printed_version_is_named_until_the_current_one_is_printed(reprint_site):
    client = reprint_site.test_client()
    assert notice(client, PRACTICE) is None                          # never printed: nothing to say
    current = client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}")
    assert current.status_code == 200
    assert notice(client, PRACTICE) is None                          # printed as it is now
    printed(reprint_site, PRACTICE, "0.9")                           # an older version, printed since
    said = notice(client, PRACTICE)
    assert said is not None and "0.9" in said and "1.0" in said, said
    assert notice(client, "plein") is None                           # another practice's prints
    english = notice(client, PRACTICE, **{"Accept-Language": "en"})
    assert english is not None and "0.9" in english and "versie" not in english   # in the page's language
    printed(reprint_site, PRACTICE, "0.8", format="html")             # the web version, later still
    printed(reprint_site, PRACTICE, "0.8", draft=True)               # a concept, later still
    assert "0.9" in notice(client, PRACTICE)
    assert client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}").status_code == 200
    assert notice(client, PRACTICE) is None                          # the new one printed


def test_versions_are_compared_as_numbers():
    from leafletgen.web.reprint import _older

    assert _older("1.9", "1.10") and not _older("1.10", "1.9") and not _older("1.0", "1.0")
    assert _older("2024-a", "2025-b") and not _older("x", "x")
