"""Practices in the app: a new one (its id from its name), editing one that someone else changed
meanwhile, retiring one; the profile's limits, and every message of the form in the page's
language (Dutch, English), field by field, with no file path."""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib

import pytest
from markupsafe import escape

from tests.conftest import run_cli
from tests.web.test_web import LEAFLET, PRACTICE, copy_project, csrf, make_app, worded

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def dutch_site(tmp_path):
    """An app over a project copy with Dutch only (the main job there is one document a practice)."""
    project = copy_project(tmp_path / "project")
    shutil.rmtree(project.translations_dir)
    app, service = make_app(project, tmp_path / "cache")
    yield app, service, project
    service.close()


def english(code: str, **params) -> str:
    """The English words of the web catalog for a problem's code, as they stand in a page."""
    from babel.messages.pofile import read_po

    from leafletgen.web.messages import MESSAGES

    from tests.conftest import REPO

    with open(REPO / "translations" / "en" / "LC_MESSAGES" / "leafletgen_web.po", "rb") as file:
        catalog = read_po(file)
    text = catalog.get(MESSAGES[code]).string
    return str(escape(text % params if params else text))


def field_errors(page: str) -> dict[str, str]:
    return {field: re.sub(r"</?li>", " ", body).strip()
            for field, body in re.findall(r'<ul class="field-error" id="(\w+)-error">(.*?)</ul>', page)}


def profile_form(project, practice_id=PRACTICE, **changes) -> dict:
    raw = (project.practices_dir / f"{practice_id}.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    form = {key: data.get(key, "") for key in ("name", "address", "phone", "email", "website", "color", "qr_url")}
    form.update(variants=data.get("variants", ["a4"]), digest=hashlib.sha256(raw).hexdigest())
    form.update(changes)
    return form


# ---- The profile's limits (contact details, not content) -------------------------------------------

@pytest.mark.parametrize("line, error", [
    ('address = "Lindelaan 1\\n1234 AB Utrecht\\nNederland\\nPostbus 12"',
     "practices/proef.toml:2: address: has 4 lines; at most 3 fit on a leaflet (got 'Lindelaan 1\\n1234 AB "
     "Utrecht\\nNederland\\nPostbus 12')"),
    ('address = "Lindelaan 1\\n' + "x" * 61 + '"',
     f"practices/proef.toml:2: address: line 2 has 61 characters; at most 60 fit on a leaflet (got "
     f"'Lindelaan 1\\n{'x' * 14}...{'x' * 28}')"),
    ('phone = "030 123 45 67\\n030 765 43 21"',
     "practices/proef.toml:2: phone: must be one line (got '030 123 45 67\\n030 765 43 21')"),
    ('email = "' + "a" * 75 + '@praktijk.nl"',
     f"practices/proef.toml:2: email: has 87 characters; at most 80 fit on a leaflet (got "
     f"'{'a' * 27}...{'a' * 16}@praktijk.nl')"),
])
def test_a_profile_field_over_its_limits_is_one_clear_line(project, line, error):
    (project.practices_dir / "proef.toml").write_text(f'name = "Proef"\n{line}\n', encoding="utf-8")
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", "proef", root=project.root)
    assert (run.code, run.out, run.err) == (1, "", f"error: {error}\n")


def test_an_address_of_three_lines_of_sixty_characters_fits(project):
    address = "\\n".join(["x" * 60] * 3)
    (project.practices_dir / "proef.toml").write_text(f'name = "{"N" * 80}"\naddress = "{address}"\n',
                                                     encoding="utf-8")
    assert run_cli("list", root=project.root).out.count("(invalid)") == 0
    (project.practices_dir / "proef.toml").write_text(f'name = "{"N" * 81}"\n', encoding="utf-8")
    listing = run_cli("list", root=project.root)
    assert "  proef  (invalid):\n    practices/proef.toml:1: name: has 81 characters; at most 80 fit " \
           "on a leaflet" in listing.out


# ---- Messages in the page's language ---------------------------------------------------------------

WRONG = {"name": "N" * 81, "address": "a\nb\nc\nd", "phone": "bel ons", "email": "info-at-linde",
         "website": "www.linde.example", "color": "groen", "qr_url": "linde.example/{leaflet}"}
CODES = {"name": ("too_long", {"max_length": 80, "length": 81}),
         "address": ("too_many_lines", {"lines": 4, "max_lines": 3}),
         "phone": ("phone_format", {}), "email": ("email_format", {}), "website": ("url_format", {}),
         "color": ("color_format", {}), "qr_url": ("qr_url_format", {})}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_field_says_what_is_wrong_in_the_pages_language(fresh_site, language):
    app, service, project = fresh_site
    client = app.test_client()
    headers = ENGLISH if language == "en" else {}
    token = csrf(client, f"/practices/{PRACTICE}")
    before = (project.practices_dir / f"{PRACTICE}.toml").read_bytes()
    response = client.post(f"/practices/{PRACTICE}", headers=headers,
                           data={**profile_form(project, **WRONG), "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    words = english if language == "en" else worded
    assert field_errors(page) == {field: words(code, **params) for field, (code, params) in CODES.items()}
    assert 'id="form-errors"' in page
    shown = re.sub(r"<[^>]+>", " ", page)                         # the words on the screen
    for leak in ("practices/", ".toml", "must be", "(got", "WCAG", "Traceback"):
        assert leak not in shown, leak
    if language == "en":
        assert "Niet opgeslagen" not in page and "Vul " not in page
    assert (project.practices_dir / f"{PRACTICE}.toml").read_bytes() == before


@pytest.fixture
def fresh_site(tmp_path):
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    yield app, service, project
    service.close()


def test_the_not_saved_banner_comes_only_after_a_save(fresh_site):
    """A profile that has errors on disk: opening it shows them at their fields and says nothing
    was saved only once a save was tried."""
    app, service, project = fresh_site
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.write_text(re.sub(r'^color = "#[0-9a-f]{6}"', 'color = "groen"', profile.read_text(encoding="utf-8"),
                              flags=re.MULTILINE) + 'colour = "#123456"\n', encoding="utf-8")
    client = app.test_client()
    page = client.get(f"/practices/{PRACTICE}").get_data(as_text=True)
    assert field_errors(page) == {"color": worded("color_format")}
    assert worded("extra_forbidden", key="colour") in page       # dropped when saved, it says
    assert 'id="form-errors"' not in page and "Niet opgeslagen" not in page
    assert 'id="profile-errors"' in page
    token = csrf(client, f"/practices/{PRACTICE}")
    saved = client.post(f"/practices/{PRACTICE}", data={**profile_form(project, color="#1f6f5c"),
                                                        "csrf_token": token})
    assert saved.status_code == 302
    assert "colour" not in tomllib.loads(profile.read_text(encoding="utf-8"))
    refused = client.post(f"/practices/{PRACTICE}", data={**profile_form(project, color="blauw"),
                                                          "csrf_token": token})
    assert refused.status_code == 422 and 'id="form-errors"' in refused.get_data(as_text=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_light_colour_is_explained_without_jargon_or_paths(fresh_site, language):
    from leafletgen.inputs.practice import brand_color

    app, service, project = fresh_site
    client = app.test_client()
    headers = ENGLISH if language == "en" else {}
    token = csrf(client, f"/practices/{PRACTICE}")
    response = client.post(f"/practices/{PRACTICE}", headers=headers,
                           data={**profile_form(project, color="#ff8fc0"), "csrf_token": token})
    assert response.status_code == 302
    page = client.get(f"/practices/{PRACTICE}", headers=headers).get_data(as_text=True)
    darker, _note = brand_color("#ff8fc0")
    note = re.search(r'<span class="warning" id="color-note">([^<]*)</span>', page).group(1)
    assert darker in note and darker != "#ff8fc0"
    for leak in ("WCAG", "AA", ":1", "practices/", "contrast"):
        assert leak not in note, (leak, note)
    assert ("text" in note) if language == "en" else ("tekst" in note)
    assert 'aria-describedby="color-note"' in page


# ---- A new practice ---------------------------------------------------------------------------------

def test_a_new_practice_gets_its_id_from_its_name(fresh_site):
    app, service, project = fresh_site
    client = app.test_client()
    token = csrf(client, "/practices/new")
    made = []
    for name in ("Huisartsen Het Plein", "Huisartsen Het Plein", "Ça va — Fysio & Co.", "default", "***"):
        response = client.post("/practices/new", data={"csrf_token": token, "name": name, "variants": ["a4"]})
        assert response.status_code == 302, name
        made.append(response.headers["Location"].rsplit("/", 1)[1])
    assert made == ["huisartsen-het-plein", "huisartsen-het-plein-2", "ca-va-fysio-co", "default-2", "praktijk"]
    for practice_id, name in zip(made, ("Huisartsen Het Plein", "Huisartsen Het Plein", "Ça va — Fysio & Co.")):
        saved = tomllib.loads((project.practices_dir / f"{practice_id}.toml").read_text(encoding="utf-8"))
        assert saved["name"] == name
    listing = run_cli("list", root=project.root)
    assert "  huisartsen-het-plein-2  Huisartsen Het Plein\n" in listing.out
    # It is there for the staff page, and its first page shows in its settings.
    assert client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice=ca-va-fysio-co").status_code == 200
    page = client.get("/practices/ca-va-fysio-co").get_data(as_text=True)
    assert "De praktijk Ça va — Fysio &amp; Co. is aangemaakt." in page and 'id="practice-preview"' in page


def test_a_new_practice_with_wrong_values_is_not_made(fresh_site):
    app, service, project = fresh_site
    client = app.test_client()
    token = csrf(client, "/practices/new")
    before = sorted(path.name for path in project.practices_dir.iterdir())
    response = client.post("/practices/new", data={"csrf_token": token, "name": "Nieuw", "color": "groen",
                                                  "variants": ["a4"]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page) == {"color": worded("color_format")} and 'id="form-errors"' in page
    empty = client.post("/practices/new", data={"csrf_token": token, "name": "", "variants": ["a4"]})
    assert empty.status_code == 422 and field_errors(empty.get_data(as_text=True)) == {"name": worded("empty")}
    assert client.post("/practices/new", data={"name": "Zonder token"}).status_code == 400
    assert sorted(path.name for path in project.practices_dir.iterdir()) == before


def test_a_new_practice_never_overwrites_another(fresh_site):
    """Two people making "Plein" at once: the file written second never replaces the first."""
    from leafletgen.web.practice_files import create_profile

    app, service, project = fresh_site
    path = project.practices_dir / "plein.toml"
    assert create_profile(path, 'name = "Plein"\n') is True
    assert create_profile(path, 'name = "Ander Plein"\n') is False
    assert path.read_text(encoding="utf-8") == 'name = "Plein"\n'
    assert sorted(p.name for p in project.practices_dir.iterdir() if p.name.startswith(".")) == []


# ---- Two people editing one profile -----------------------------------------------------------------

@pytest.mark.parametrize("known", [True, False], ids=["version-kept", "after-restart"])
def test_a_save_over_a_profile_changed_since_is_refused_and_the_change_shown(fresh_site, known):
    app, service, project = fresh_site
    profile = project.practices_dir / f"{PRACTICE}.toml"
    client = app.test_client()
    page = client.get(f"/practices/{PRACTICE}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    assert digest == hashlib.sha256(profile.read_bytes()).hexdigest()
    form = profile_form(project, phone="020 111 22 33")           # my change, on the page I opened
    if not known:
        from leafletgen.web import revisions
        revisions._kept.clear()                                    # the server restarted meanwhile
    # Someone else saves a new address meanwhile.
    profile.write_text(profile.read_text(encoding="utf-8").replace("Lindelaan", "Eikenlaan"), encoding="utf-8")
    theirs = profile.read_bytes()
    response = client.post(f"/practices/{PRACTICE}", data={**form, "csrf_token": token})
    assert response.status_code == 409
    assert profile.read_bytes() == theirs                          # nothing saved over it
    text = response.get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>', text)
    address = next(row for row in rows if row[0] == "Adres")
    assert "Eikenlaan" in address[2] and "Lindelaan" in address[1]
    if known:
        assert [row[0] for row in rows] == ["Adres"]               # only what the other person changed
    assert 'value="020 111 22 33"' in text                         # my entries still in the form
    new_digest = re.search(r'name="digest" value="([0-9a-f]{64})"', text).group(1)
    assert new_digest == hashlib.sha256(theirs).hexdigest()
    # Having seen it, saved again: mine goes over theirs.
    again = client.post(f"/practices/{PRACTICE}", data={**form, "digest": new_digest, "csrf_token": token})
    assert again.status_code == 302
    assert tomllib.loads(profile.read_text(encoding="utf-8"))["phone"] == "020 111 22 33"


# ---- Retiring a practice ----------------------------------------------------------------------------

@pytest.mark.slow
def test_a_retired_practice_is_gone_and_the_main_job_removes_its_outputs(dutch_site, tmp_path):
    app, service, project = dutch_site
    client = app.test_client()
    token = csrf(client, "/practices/new")
    assert client.post("/practices/new", data={"csrf_token": token, "name": "Huisartsen Het Plein",
                                               "variants": ["a4"]}).status_code == 302
    out = tmp_path / "out"
    first = run_cli("--out", str(out), root=project.root)
    assert first.code == 0, first
    assert (out / "huisartsen-het-plein" / "nl" / f"{LEAFLET}.pdf").is_file()
    # The confirmation step: a page that says what happens, then a POST with the file's digest.
    page = client.get("/practices/huisartsen-het-plein/retire").get_data(as_text=True)
    assert "Huisartsen Het Plein" in page and 'name="digest"' in page
    assert (project.practices_dir / "huisartsen-het-plein.toml").is_file()     # not yet
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    assert client.post("/practices/huisartsen-het-plein/retire",
                       data={"digest": digest}).status_code == 400              # no CSRF token
    response = client.post("/practices/huisartsen-het-plein/retire", data={"csrf_token": token, "digest": digest})
    assert response.status_code == 302
    assert not (project.practices_dir / "huisartsen-het-plein.toml").exists()
    assert (project.practices_dir / "_retired" / "huisartsen-het-plein.toml").is_file()
    assert "gearchiveerd" in client.get("/practices").get_data(as_text=True)
    assert "Huisartsen Het Plein" not in client.get("/").get_data(as_text=True)
    assert client.get("/practices/huisartsen-het-plein").status_code == 404
    assert client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice=huisartsen-het-plein").status_code == 404
    assert "huisartsen-het-plein" not in run_cli("list", root=project.root).out
    second = run_cli("--out", str(out), root=project.root)
    assert second.code == 0, second
    assert not (out / "huisartsen-het-plein").exists()
    assert "huisartsen-het-plein" not in (out / "index.html").read_text(encoding="utf-8")
    assert (out / PRACTICE / "nl" / f"{LEAFLET}.pdf").is_file()
    # A new practice of the same name does not take the retired one's id.
    assert client.post("/practices/new", data={"csrf_token": token, "name": "Huisartsen Het Plein",
                                               "variants": ["a4"]}).headers["Location"].endswith("-2")


def test_retiring_a_profile_changed_since_the_confirmation_is_refused(fresh_site):
    app, service, project = fresh_site
    client = app.test_client()
    page = client.get(f"/practices/{PRACTICE}/retire").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("Fysiotherapie De Linde", "Fysio Linde"),
                       encoding="utf-8")
    response = client.post(f"/practices/{PRACTICE}/retire", data={"csrf_token": token, "digest": digest})
    assert response.status_code == 409 and profile.is_file()
    assert "Fysio Linde" in response.get_data(as_text=True)
