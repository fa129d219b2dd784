"""Signing in and who may do what, on one app: where a request without a login is sent (with its
address to come back to, never one elsewhere), an account switched off after signing in, a
refused login in the trail, and the checks per role and per practice (found by mutation testing,
docs/development.md)."""

from __future__ import annotations

import pytest

from leafletgen.store import accounts as store_accounts
from leafletgen.store import audit as trail
from leafletgen.web import access, login

from tests.web.test_web import LEAFLET, PRACTICE, add_account, copy_project, csrf, make_app, sign_in


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    base = tmp_path_factory.mktemp("login")
    project = copy_project(base / "project")
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\ncolor = "#7a2d8c"\n',
                                                     encoding="utf-8")
    add_account(project, "anna", "admin")
    add_account(project, "sam", "staff")
    add_account(project, "lena", "staff", practices=["plein"])
    add_account(project, "otto", "staff")
    add_account(project, "olga", "staff")
    add_account(project, "ella", "editor", practices=["plein"])
    app, service = make_app(project, base / "cache", require_login=True)
    yield app
    service.close()
    app.extensions["leafletgen.store"].close()


def test_without_a_login_a_get_comes_back_to_where_it_was(guarded):
    client = guarded.test_client()
    response = client.get("/practices?x=1")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/practices?x%3D1"
    assert client.get("/practices").headers["Location"] == "/login?next=/practices"
    assert client.get("/healthz").status_code == 200 and client.get("/login").status_code == 200


def test_without_a_login_a_post_goes_to_the_login_page_only(guarded):
    client = guarded.test_client()
    token = csrf(client, "/login")
    response = client.post(f"/practices/{PRACTICE}", data={"csrf_token": token, "name": "Overgenomen"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_signed_in_the_next_address_is_followed_only_on_this_server(guarded):
    client = guarded.test_client()
    assert sign_in(client, "sam", query_string={"next": "/practices"}).headers["Location"] == "/practices"
    # A browser drops tabs and line breaks from an address: "/\t/elsewhere" is "//elsewhere".
    for target in ("//elsewhere.example/x", "https://elsewhere.example/", "practices", "/\\elsewhere.example", "",
                   "/\t/elsewhere.example", "/\n/elsewhere.example", "//"):
        assert client.get("/login", query_string={"next": target}).headers["Location"] == "/", target
    assert client.get("/login", query_string={"next": "/leaflets"}).headers["Location"] == "/leaflets"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_and_recorded_under_the_account(guarded):
    client = guarded.test_client()
    assert sign_in(client, "sam", "wrong password").status_code == 401
    assert sign_in(client, "nobody-here", "wrong password").status_code == 401
    store = guarded.extensions["leafletgen.store"]
    refused = trail.events(store, trail.Query(kind="login_refused"), limit=10)[0]
    assert [(event.account, event.detail) for event in refused][:2] == [("?", "wrong_password"),
                                                                        ("sam", "wrong_password")]
    token = csrf(client, "/login")
    assert client.post("/login", data={"csrf_token": token, "name": "sam"}).status_code == 401
    assert client.get("/").status_code == 302


def test_an_account_switched_off_after_signing_in_is_signed_out(guarded):
    client = guarded.test_client()
    assert sign_in(client, "otto").status_code == 302
    assert client.get("/").status_code == 200
    store_accounts.set_disabled(guarded.extensions["leafletgen.store"], "otto", True)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_staff_may_not_post_to_a_form_for_admins(guarded):
    client = guarded.test_client()
    sign_in(client, "sam")
    token = csrf(client, "/")
    assert client.post(f"/practices/{PRACTICE}", data={"csrf_token": token, "name": "Overgenomen"}).status_code == 403
    assert client.get("/users").status_code == 403
    admin = guarded.test_client()
    sign_in(admin, "anna")
    assert admin.get("/users").status_code == 200


def test_an_account_for_one_practice_is_refused_the_others_wherever_they_are_named(guarded):
    client = guarded.test_client()
    sign_in(client, "lena")
    assert client.get(f"/practices/{PRACTICE}").status_code == 403            # in the address
    assert client.get("/practices/plein").status_code == 200
    assert client.get("/", query_string={"practice": PRACTICE}).status_code == 403   # in the query
    assert client.get("/", query_string={"practice": "plein"}).status_code == 200
    editor = guarded.test_client()
    sign_in(editor, "ella")
    token = csrf(editor, "/practices/plein")
    named = editor.post("/practices/plein", data={"csrf_token": token, "practice": PRACTICE, "name": "X"})
    assert named.status_code == 403                                                     # in the form
    as_upload = editor.post("/practices/plein", data={"csrf_token": token, "practice": PRACTICE, "name": "X"},
                            content_type="multipart/form-data")
    assert as_upload.status_code == 403                                         # in a form with files
    elsewhere = editor.post(f"/practices/{PRACTICE}", data={"csrf_token": token, "practice": "plein", "name": "X"})
    assert elsewhere.status_code == 403                           # the address counts, whatever the form says
    assert editor.post("/practices/plein", data={"csrf_token": token, "name": ""}).status_code != 403


def test_the_permission_of_a_view(guarded):
    with guarded.test_request_context("/"):
        assert access.required_permission(None, "GET") is None
        assert access.required_permission("login.login", "POST") is None
        assert access.required_permission("staff.index", "GET") == "print"
        assert access.required_permission("staff.index", "HEAD") == "print"
        assert access.required_permission("staff.index", "OPTIONS") == "print"
        assert access.required_permission("staff.index", "POST") == "manage_users"
        assert access.required_permission("users.add", "POST") == guarded.view_functions["users.add"] \
            .required_permission


def test_what_an_account_sees(guarded):
    from types import SimpleNamespace

    from flask import g

    practices = [SimpleNamespace(id=PRACTICE), SimpleNamespace(id="plein")]
    store = guarded.extensions["leafletgen.store"]
    with guarded.test_request_context("/"):
        g.account = None
        assert access.visible(practices) == practices and not access.may("print")
        g.account = store_accounts.find(store, "lena")
        assert [p.id for p in access.visible(practices)] == ["plein"] and access.may("print")
        assert not access.may("manage_users")
        g.account = store_accounts.find(store, "anna")
        assert access.visible(practices) == practices and access.may("manage_users")
        assert access.account() is g.account


def test_requires_marks_a_view():
    def view():
        return ""

    assert access.requires("edit")(view) is view and view.required_permission == "edit"


def test_on_this_computer_everyone_is_the_local_admin(tmp_path):
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    try:
        client = app.test_client()
        assert client.get("/login").headers["Location"] == "/"
        assert client.get("/users").status_code == 200
        with app.test_request_context("/"):
            login.identify()
            from flask import g
            assert g.account is store_accounts.LOCAL
    finally:
        service.close()
        app.extensions["leafletgen.store"].close()


def test_an_account_switched_off_in_the_database_is_signed_out_at_its_next_request(guarded):
    """Switched off by another tool on the shared database, its sessions not ended: the next
    request still finds it switched off and signs nobody in."""
    from sqlalchemy import update

    from leafletgen.store import schema

    client = guarded.test_client()
    assert sign_in(client, "olga").status_code == 302
    assert client.get("/").status_code == 200
    store = guarded.extensions["leafletgen.store"]
    with store.write() as connection:
        connection.execute(update(schema.accounts).where(schema.accounts.c.name == "olga").values(disabled=True))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_search_ending_in_x_comes_back_whole_after_signing_in(guarded):
    """Only the empty query's "?" is taken off the address to come back to."""
    assert guarded.test_client().get("/?q=lumbagoX").headers["Location"] == "/login?next=/?q%3DlumbagoX"


def test_a_login_refused_for_a_name_no_account_has_keeps_nothing_typed(guarded):
    client = guarded.test_client()
    assert sign_in(client, "typed-in-the-wrong-field", "wrong password").status_code == 401
    store = guarded.extensions["leafletgen.store"]
    event = trail.events(store, trail.Query(kind="login_refused"), limit=1)[0][0]
    assert (event.account, event.role, event.via, event.detail) == ("?", "?", "password", "wrong_password")


@pytest.fixture(scope="module")
def behind_sso(tmp_path_factory):
    """An app behind a proxy at 10.0.0.5 that signs people in with X-Remote-User; "lena" is
    staff of the practice "plein" only and has no password."""
    import dataclasses
    import ipaddress

    from leafletgen.store.settings import load_settings

    base = tmp_path_factory.mktemp("sso")
    project = copy_project(base / "project")
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\ncolor = "#7a2d8c"\n',
                                                     encoding="utf-8")
    add_account(project, "anna", "admin")
    add_account(project, "lena", "staff", password=None, practices=["plein"])
    from leafletgen.store import accounts
    from leafletgen.store.database import open_store

    store = open_store(load_settings(project.root))
    accounts.add(store, "rik@ziekenhuis.nl", "reviewer", (), None, project.practice_ids(), full_name="Rik van Dam")
    store.close()
    settings = dataclasses.replace(load_settings(project.root), sso_header="X-Remote-User",
                                   proxies=(ipaddress.ip_network("10.0.0.5/32"),))
    app, service = make_app(project, base / "cache", require_login=True, settings=settings)
    yield app
    service.close()
    app.extensions["leafletgen.store"].close()


def from_proxy(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.5"
    return client


def test_single_sign_on_keeps_an_accounts_practices(behind_sso):
    client = from_proxy(behind_sso)
    signed = {"X-Remote-User": "lena"}
    assert client.get(f"/practices/{PRACTICE}", headers=signed).status_code == 403
    assert client.get("/practices/plein", headers=signed).status_code == 200
    assert client.get("/", query_string={"practice": PRACTICE}, headers=signed).status_code == 403
    assert client.get("/", query_string={"practice": "plein"}, headers=signed).status_code == 200


def test_from_the_proxy_without_the_header_the_login_page_is_offered(behind_sso):
    response = from_proxy(behind_sso).get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_name_the_app_does_not_know_is_refused_in_the_pages_language(behind_sso):
    for lang, words in (("nl", "Foutcode 403"), ("en", "Error code 403")):
        refused = from_proxy(behind_sso).get("/", headers={"X-Remote-User": "piet", "Accept-Language": lang})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 403 and words in page
        message = page.split('<p class="message" role="alert">')[1].split("</p>")[0]
        assert ("niet bekend" in message) == (lang == "nl") and message.rstrip().endswith(".")


def test_a_reviewer_signed_in_by_single_sign_on_approves_under_their_full_name(behind_sso):
    """The name printed on a reviewed leaflet is the account's full name, also when the proxy
    signed the reviewer in."""
    import hashlib
    import re
    import tomllib

    from babel.messages.pofile import read_po

    project = behind_sso.extensions["leafletgen.inputs.project"]
    with open(project.catalog_path(LEAFLET, "tr"), "rb") as file:
        unit = next(m for m in read_po(file) if m.id and isinstance(m.id, str))
    client = from_proxy(behind_sso)
    signed = {"X-Remote-User": "rik@ziekenhuis.nl"}
    page = client.get(f"/review/tr/{LEAFLET}", headers=signed).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sha = lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()  # noqa: E731
    response = client.post(f"/review/tr/{LEAFLET}/approve", headers=signed, data={
        "csrf_token": token, "domain": LEAFLET, "source": sha(unit.id), "translation": sha(unit.string)})
    assert response.status_code == 302
    record = project.root / "translations" / "tr" / "LC_MESSAGES" / f"{LEAFLET}.review.toml"
    approved = tomllib.loads(record.read_text(encoding="utf-8"))["approved"]
    assert [(item["by"], item["account"]) for item in approved] == [("Rik van Dam", "rik@ziekenhuis.nl")]
