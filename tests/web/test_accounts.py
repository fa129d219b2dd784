"""Accounts in the web app: signing in and out, sessions in the database, the login limit under
real concurrency (threads against a real server), the proxy's headers, single sign-on, what
each role may do, practices per account, the users page and the audit trail.

Documents are rendered for real; accounts, sessions and events are in a real SQLite file (the
two-server tests share one, as two servers of a hospital group would).
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import ipaddress
import re
import threading
from urllib.parse import urlencode

import pytest

from leafletgen.store import accounts as store_accounts
from leafletgen.store import audit as trail
from leafletgen.store.settings import Settings, load_settings

from tests.web.test_web import (LEAFLET, PRACTICE, _form, add_account, copy_project, csrf, make_app,
                                sign_in)

PASSWORD = "correct horse battery"
ROLES = {"anna": "admin", "eddie": "editor", "rita": "reviewer", "sam": "staff"}


def settings_for(project, **changes) -> Settings:
    import dataclasses

    return dataclasses.replace(load_settings(project.root), **changes)


@pytest.fixture(scope="module")
def group(tmp_path_factory):
    """One app, reachable from elsewhere, over a project with two practices and an account of
    every role, plus "lena", staff of the practice "plein" only."""
    base = tmp_path_factory.mktemp("accounts")
    project = copy_project(base / "project")
    (project.practices_dir / "plein.toml").write_text('name = "Huisartsen Het Plein"\ncolor = "#7a2d8c"\n',
                                                     encoding="utf-8")
    for name, role in ROLES.items():
        add_account(project, name, role)
    add_account(project, "lena", "staff", practices=["plein"])
    app, service = make_app(project, base / "cache", require_login=True)
    yield app, project
    service.close()
    app.extensions["leafletgen.store"].close()


def signed_in(app, name: str):
    client = app.test_client()
    response = sign_in(client, name)
    assert response.status_code == 302, (name, response.status_code)
    return client


def events(app, **query) -> list[trail.Event]:
    return trail.events(app.extensions["leafletgen.store"], trail.Query(**query), limit=1000)[0]


# ---- Sessions -----------------------------------------------------------------------------------

def test_logging_out_ends_the_session_so_a_copied_cookie_stops_working(group):
    app, project = group
    client = signed_in(app, "sam")
    cookie = client.get_cookie("leafletgen_session")
    thief = app.test_client()
    thief.set_cookie("leafletgen_session", cookie.value)
    assert thief.get("/").status_code == 200
    token = csrf(client, "/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get_cookie("leafletgen_session") is None
    refused = thief.get("/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert [event.kind for event in events(app, account="sam")][:2] == ["logout", "login"]


def test_signing_in_gives_a_new_token(group):
    """A token planted before the sign-in (session fixation) is worth nothing after it."""
    app, project = group
    client = app.test_client()
    token = csrf(client, "/login")
    before = client.get_cookie("leafletgen_session").value
    client.post("/login", data={"csrf_token": token, "name": "sam", "password": PASSWORD})
    after = client.get_cookie("leafletgen_session").value
    assert after != before
    planted = app.test_client()
    planted.set_cookie("leafletgen_session", before)
    assert planted.get("/").status_code == 302


def test_two_servers_share_sessions_and_lockouts(tmp_path):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    first, first_service = make_app(project, tmp_path / "cache1", require_login=True)
    second, second_service = make_app(project, tmp_path / "cache2", require_login=True)
    try:
        client = signed_in(first, "anna")
        other = second.test_client()
        other.set_cookie("leafletgen_session", client.get_cookie("leafletgen_session").value)
        assert other.get("/practices").status_code == 200          # signed in on the other server
        other.post("/logout", data={"csrf_token": csrf(other, "/")})
        assert client.get("/practices").status_code == 302          # ended on both
        # Wrong passwords counted across the servers: 3 here, 2 there, then neither checks one.
        codes = [sign_in(app.test_client(), "anna", "wrong").status_code for app in [first] * 3 + [second] * 2]
        assert codes == [401] * 5
        assert sign_in(first.test_client(), "anna").status_code == 429
        assert sign_in(second.test_client(), "anna").status_code == 429
    finally:
        first_service.close()
        second_service.close()


# ---- The login limit ----------------------------------------------------------------------------

class Server:
    """The app on a real HTTP server (a thread per request) on a free port of 127.0.0.1."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.thread.join(30)
        self.server.server_close()

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        data = urlencode(body or {}, doseq=True)
        connection.request(method, path, body=data if body is not None else None, headers={
            **({"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}),
            **(headers or {})})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response, text


def login_form(server: Server) -> tuple[str, str]:
    """(cookie, CSRF token) of a fresh visit to the login page."""
    response, text = server.request("GET", "/login")
    cookie = response.getheader("Set-Cookie").split(";")[0]
    return cookie, re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def guess_at_once(servers: list[Server], name: str, password: str, count: int, headers=None) -> list[int]:
    """`count` logins sent at the same moment, spread over the servers; their status codes."""
    forms = [login_form(server) for server in servers]
    start = threading.Barrier(count)
    codes: list[int] = []

    def guess(index: int):
        server, (cookie, token) = servers[index % len(servers)], forms[index % len(servers)]
        start.wait()
        response, _text = server.request("POST", "/login", {"csrf_token": token, "name": name, "password": password},
                                         headers={"Cookie": cookie, **(headers or {})})
        codes.append(response.status)

    threads = [threading.Thread(target=guess, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return sorted(codes)


@pytest.fixture
def counted_checks(monkeypatch):
    """How many passwords were really checked against a hash (the real check, counted)."""
    checked = []
    real = store_accounts._check

    def check(stored, password):
        checked.append(password)
        return real(stored, password)

    monkeypatch.setattr(store_accounts, "_check", check)
    return checked


def test_sixteen_wrong_passwords_at_once_check_at_most_five(tmp_path, counted_checks):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    app, service = make_app(project, tmp_path / "cache", require_login=True)
    server = Server(app)
    try:
        codes = guess_at_once([server], "anna", "wrong password", 16)
        assert len(counted_checks) <= 5
        assert codes == [401] * 5 + [429] * 11
    finally:
        server.close()
        service.close()


def test_sixteen_wrong_passwords_at_once_on_two_servers_check_at_most_five(tmp_path, counted_checks):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    servers, services = [], []
    for number in (1, 2):
        app, service = make_app(project, tmp_path / f"cache{number}", require_login=True)
        servers.append(Server(app))
        services.append(service)
    try:
        codes = guess_at_once(servers, "anna", "wrong password", 16)
        assert len(counted_checks) <= 5 and codes == [401] * 5 + [429] * 11
    finally:
        for server, service in zip(servers, services):
            server.close()
            service.close()


def test_the_right_password_is_locked_out_for_the_minute_only(tmp_path):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    app, service = make_app(project, tmp_path / "cache", require_login=True)
    store = app.extensions["leafletgen.store"]
    now = [dt.datetime(2026, 3, 10, 9, 0, 0)]
    store.clock = lambda: now[0]
    try:
        assert [sign_in(app.test_client(), "anna", "wrong").status_code for _ in range(5)] == [401] * 5
        locked = sign_in(app.test_client(), "anna")
        assert locked.status_code == 429 and locked.headers["Retry-After"] == "60"
        assert "Probeer het over 60 seconden opnieuw" in locked.get_data(as_text=True)
        for _ in range(10):                    # guesses meanwhile do not lengthen it
            now[0] += dt.timedelta(seconds=5.9)
            assert sign_in(app.test_client(), "anna", "wrong").status_code == 429
        now[0] += dt.timedelta(seconds=1)
        assert sign_in(app.test_client(), "anna").status_code == 302
    finally:
        service.close()


def test_behind_the_proxy_the_lockout_is_per_address(tmp_path):
    """The client's address comes from X-Forwarded-For only when the configured proxy sent it."""
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    proxied = settings_for(project, proxies=(ipaddress.ip_network("10.0.0.5/32"),))
    app, service = make_app(project, tmp_path / "cache", require_login=True, settings=proxied)

    def attempt(peer: str, forwarded: str | None, password: str) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = peer
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get("/login", headers=headers).get_data(as_text=True)).group(1)
        return client.post("/login", data={"csrf_token": token, "name": "anna", "password": password},
                           headers=headers).status_code

    try:
        assert [attempt("10.0.0.5", "203.0.113.7", "wrong") for _ in range(5)] == [401] * 5
        assert attempt("10.0.0.5", "203.0.113.7", PASSWORD) == 429            # that address: locked
        assert attempt("10.0.0.5", "198.51.100.2, 203.0.113.8", PASSWORD) == 302   # another: not
        # Not from the proxy: X-Forwarded-For is ignored, so naming a new address each time
        # does not escape the limit of the address the request really comes from.
        codes = [attempt("192.0.2.50", f"203.0.113.{n}", "wrong") for n in range(20, 26)]
        assert codes == [401] * 5 + [429]
        addresses = {event.detail: None for event in events(app, kind="login_refused")}
        assert addresses      # refused logins are in the trail (their reason; never the password)
    finally:
        service.close()


# ---- Single sign-on -----------------------------------------------------------------------------

def test_single_sign_on_only_from_the_proxy(tmp_path):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    add_account(project, "jan@ziekenhuis.nl", "staff", password=None)
    sso = settings_for(project, proxies=(ipaddress.ip_network("10.0.0.5/32"),), sso_header="X-Remote-User")
    app, service = make_app(project, tmp_path / "cache", require_login=True, settings=sso)
    try:
        proxy = app.test_client()
        proxy.environ_base["REMOTE_ADDR"] = "10.0.0.5"
        page = proxy.get("/", headers={"X-Remote-User": "Jan@Ziekenhuis.nl", "X-Forwarded-For": "203.0.113.7"})
        assert page.status_code == 200 and "jan@ziekenhuis.nl" in page.get_data(as_text=True)
        assert proxy.get("/users", headers={"X-Remote-User": "jan@ziekenhuis.nl"}).status_code == 403   # staff
        signed = events(app, kind="login")
        assert [(event.account, event.via) for event in signed] == [("jan@ziekenhuis.nl", "sso")]
        # The same header from anywhere else signs nobody in.
        direct = app.test_client()
        direct.environ_base["REMOTE_ADDR"] = "203.0.113.7"
        response = direct.get("/", headers={"X-Remote-User": "anna"})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        # An account the app does not have, from the proxy: refused, in Dutch, no login form.
        refused = proxy.get("/", headers={"X-Remote-User": "piet"})
        assert refused.status_code == 403 and "niet bekend" in refused.get_data(as_text=True)
        # An account without a password cannot sign in with one.
        assert sign_in(direct, "jan@ziekenhuis.nl", "any password at all").status_code == 401
    finally:
        service.close()


# ---- Roles --------------------------------------------------------------------------------------

def _catalog_upload(project, token: str) -> dict:
    """The upload form with the catalog as it is (and the digest of the one it replaces)."""
    import json

    from leafletgen.web import revisions

    good = project.catalog_path(LEAFLET, "tr").read_bytes()
    return {"csrf_token": token, "lang": "tr", "domain": LEAFLET, "catalog": (io.BytesIO(good), "tr.po"),
            "bases": json.dumps({f"tr/{LEAFLET}": revisions.digest(good)})}


def test_each_role_may_do_what_it_is_for_and_nothing_else(group):
    app, project = group
    profile = project.practices_dir / f"{PRACTICE}.toml"
    allowed = {
        "GET /": {"admin", "editor", "reviewer", "staff"},
        "GET /translations": {"admin", "editor", "reviewer", "staff"},
        "POST /practices": {"admin", "editor"},
        "POST /practices/new": {"admin"},
        "POST /translations/upload": {"admin", "editor"},
        "GET /users": {"admin"},
        "POST /users": {"admin"},
        "POST /users/<id>": {"admin"},
        "GET /audit": {"admin"},
        "GET /audit.csv": {"admin"},
    }
    sam = store_accounts.find(app.extensions["leafletgen.store"], "sam")
    found = {}
    for name, role in ROLES.items():
        client = signed_in(app, name)
        token = csrf(client, "/")
        before = profile.read_bytes()
        saved = client.post(f"/practices/{PRACTICE}", content_type="multipart/form-data",
                            data={"csrf_token": token, **_form(project)})
        if saved.status_code == 403:
            assert profile.read_bytes() == before
        results = {
            "GET /": client.get("/").status_code,
            "GET /translations": client.get("/translations").status_code,
            "POST /practices": saved.status_code,
            "POST /practices/new": client.post("/practices/new", data={
                "csrf_token": token, "name": f"Praktijk van {name}", "variants": ["a4"]}).status_code,
            "POST /translations/upload": client.post("/translations/upload", content_type="multipart/form-data",
                                                     data=_catalog_upload(project, token)).status_code,
            "GET /users": client.get("/users").status_code,
            "POST /users": client.post("/users", data={"csrf_token": token, "name": f"new-{name}", "role": "staff",
                                                       "password": PASSWORD, "password_again": PASSWORD}).status_code,
            "POST /users/<id>": client.post(f"/users/{sam.id}", data={"csrf_token": token, "action": "role",
                                                                     "role": "staff"}).status_code,
            "GET /audit": client.get("/audit").status_code,
            "GET /audit.csv": client.get("/audit.csv").status_code,
        }
        found[role] = {what for what, code in results.items() if code != 403}
        assert all(code in (200, 302, 403) for code in results.values()), (role, results)
    assert {what: {role for role in found if what in found[role]} for what in allowed} == allowed
    assert [a.name for a in store_accounts.all_accounts(app.extensions["leafletgen.store"])
            if a.name.startswith("new-")] == ["new-anna"]


def test_without_a_login_every_post_is_refused(group):
    """Every POST route of the app, with a valid form token but nobody signed in: sent to the
    login page, nothing done."""
    app, project = group
    client = app.test_client()
    token = csrf(client, "/login")
    posts = sorted({rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods
                    and rule.endpoint not in ("login.login",)})
    assert {"/practices/<practice_id>", "/translations/upload", "/users", "/users/<int:account_id>",
            "/logout"} <= set(posts)
    sam = store_accounts.find(app.extensions["leafletgen.store"], "sam")
    before = {path: path.read_bytes() for path in (project.practices_dir / f"{PRACTICE}.toml",
                                                    project.catalog_path(LEAFLET, "tr"))}
    for rule in posts:
        url = (rule.replace("<practice_id>", PRACTICE).replace("<int:account_id>", str(sam.id))
               .replace("<lang>", "tr").replace("<domain>", LEAFLET))
        response = client.post(url, data={"csrf_token": token, "action": "disable", "name": "x", "role": "admin",
                                          "password": PASSWORD, "password_again": PASSWORD})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), rule
    assert {path: path.read_bytes() for path in before} == before
    assert not store_accounts.find(app.extensions["leafletgen.store"], "sam").disabled
    assert store_accounts.find(app.extensions["leafletgen.store"], "x") is None


def test_an_account_for_some_practices_sees_and_prints_only_theirs(group):
    app, project = group
    lena = signed_in(app, "lena")
    page = lena.get("/").get_data(as_text=True)
    assert "Huisartsen Het Plein" in page and "Fysiotherapie De Linde" not in page
    assert lena.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}").status_code == 403
    assert lena.get(f"/leaflets/{LEAFLET}/nl/page-1.png?practice={PRACTICE}").status_code == 403
    assert lena.get(f"/practices/{PRACTICE}").status_code == 403
    listing = lena.get("/practices").get_data(as_text=True)
    assert "Huisartsen Het Plein" in listing and "Fysiotherapie De Linde" not in listing
    assert lena.get(f"/leaflets/{LEAFLET}/nl.pdf?practice=plein").status_code == 200
    assert lena.get(f"/leaflets/{LEAFLET}/nl.pdf").status_code == 200        # the neutral leaflet


# ---- The audit trail ----------------------------------------------------------------------------

def test_documents_served_are_recorded_with_version_and_never_what_a_patient_said(group):
    app, project = group
    sam = signed_in(app, "sam")
    secret = "Mevrouw de Vries, oefening 3x per dag"
    response = sam.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&variant=a4&download=1&"
                       + urlencode({"note": secret}))
    assert response.status_code == 200
    assert sam.get(f"/leaflets/{LEAFLET}/tr.html?practice={PRACTICE}").status_code == 200
    assert sam.get(f"/leaflets/{LEAFLET}/tr/page-1.png?practice={PRACTICE}").status_code == 200
    served = events(app, kind="document", account="sam")
    version = re.search(r"^version: *\"?([^\"\n]+)", (project.leaflets_dir / f"{LEAFLET}.md").read_text(
        encoding="utf-8"), re.M).group(1)
    assert [(e.leaflet, e.version, e.lang, e.practice, e.variant, e.format, e.role) for e in served] == [
        (LEAFLET, version, "tr", PRACTICE, "a4", "html", "staff"),
        (LEAFLET, version, "tr", PRACTICE, "a4", "pdf", "staff")]          # previews are not documents
    stored = b"".join(path.read_bytes() for path in (project.root / ".leafletgen").glob("leafletgen.db*"))
    assert secret.encode() not in stored and b"Mevrouw" not in stored


def test_changes_are_recorded_profile_logo_and_catalog(group):
    app, project = group
    eddie = signed_in(app, "eddie")
    token = csrf(eddie, "/")
    response = eddie.post(f"/practices/{PRACTICE}", content_type="multipart/form-data",
                          data={"csrf_token": token, **_form(project, phone="030 765 43 21")})
    assert response.status_code == 302
    from PIL import Image
    logo = io.BytesIO()
    Image.new("RGB", (300, 120), (200, 30, 30)).save(logo, format="PNG")
    assert eddie.post(f"/practices/{PRACTICE}", content_type="multipart/form-data", data={
        "csrf_token": token, **_form(project), "logo": (io.BytesIO(logo.getvalue()), "logo.png")}).status_code == 302
    assert eddie.post("/translations/upload", content_type="multipart/form-data",
                      data=_catalog_upload(project, token)).status_code == 302
    found = [(e.kind, e.practice, e.leaflet, e.lang, e.detail) for e in events(app, account="eddie")
             if e.kind in ("profile", "logo", "catalog")]
    # (keys the file left to their default are written out at the first save: they may be named too)
    assert any(kind == "profile" and practice == PRACTICE and "phone" in detail.split(", ")
               for kind, practice, _leaflet, _lang, detail in found), found
    assert ("catalog", None, LEAFLET, "tr", None) in found
    assert ("logo", PRACTICE, None, None, "new") in found


def test_the_audit_page_answers_who_printed_a_version_between_two_dates(group):
    app, project = group
    store = app.extensions["leafletgen.store"]
    rita = store_accounts.find(store, "rita")
    sam = store_accounts.find(store, "sam")
    when = [dt.datetime(2026, 3, 5, 10, 0)]
    real_clock = store.clock
    store.clock = lambda: when[0]
    try:
        printed = dict(leaflet=LEAFLET, lang="ar", practice=PRACTICE, variant="large-print", format="pdf")
        trail.record(store, rita, "document", version="0.9", **printed)
        when[0] = dt.datetime(2026, 3, 12, 10, 0)
        trail.record(store, sam, "document", version="0.9", **printed)
        trail.record(store, sam, "document", version="0.9", **printed)
        when[0] = dt.datetime(2026, 4, 2, 10, 0)
        trail.record(store, rita, "document", version="0.9", **printed)
    finally:
        store.clock = real_clock
    anna = signed_in(app, "anna")
    query = {"kind": "document", "leaflet": LEAFLET, "version": "0.9", "since": "2026-03-01", "until": "2026-03-31"}
    page = anna.get("/audit?" + urlencode(query)).get_data(as_text=True)
    who = re.search(r'<section aria-labelledby="who-title">(.*?)</section>', page, re.S).group(1)
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th><td[^>]*>(\d+)</td>', who)
    assert rows == [("sam", "2"), ("rita", "1")]
    assert "Grote letters" in page and "large-print" not in page         # the variant as staff call it
    csv_lines = anna.get("/audit.csv?" + urlencode(query)).get_data(as_text=True).splitlines()
    assert len(csv_lines) == 4 and all(",document,sam," in line or ",document,rita," in line for line in csv_lines[1:])
    assert anna.get("/audit?since=31-03-2026").status_code == 200          # a bad date: a message
    assert "Geen datum" in anna.get("/audit?since=31-03-2026").get_data(as_text=True)


def test_names_older_than_the_retention_period_are_shown_as_roles(tmp_path):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    add_account(project, "sam", "staff")
    app, service = make_app(project, tmp_path / "cache", require_login=True)
    store = app.extensions["leafletgen.store"]
    try:
        sam = store_accounts.find(store, "sam")
        store.clock = lambda: dt.datetime(2020, 1, 1)
        trail.record(store, sam, "document", leaflet=LEAFLET, version="0.9", lang="nl")
        from leafletgen.store.database import utc_now
        store.clock = utc_now
        from leafletgen.store.upkeep import tidy
        tidy(store, app.extensions["leafletgen.settings"].keep_names_days)
        page = signed_in(app, "anna").get("/audit?kind=document").get_data(as_text=True)
        assert "Medewerker (naam niet meer bewaard)" in page and ">sam<" not in page
    finally:
        service.close()


def test_on_this_computer_without_login_the_local_admin_is_recorded(tmp_path):
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    try:
        client = app.test_client()
        assert client.get("/login").status_code == 302                      # nobody signs in
        assert client.get("/users").status_code == 200 and client.get("/audit").status_code == 200
        assert client.get(f"/leaflets/{LEAFLET}/nl.pdf?practice={PRACTICE}").status_code == 200
        served = events(app, kind="document")
        assert [(e.account, e.role, e.via) for e in served] == [("local", "admin", "local")]
        assert "deze computer" in client.get("/audit").get_data(as_text=True)
        assert "Afmelden" not in client.get("/").get_data(as_text=True)
    finally:
        service.close()


# ---- The users page -------------------------------------------------------------------------------

def test_an_admin_adds_resets_and_disables_accounts_in_the_app(tmp_path):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    app, service = make_app(project, tmp_path / "cache", require_login=True)
    store = app.extensions["leafletgen.store"]
    try:
        anna = signed_in(app, "anna")
        token = csrf(anna, "/users")
        refused = anna.post("/users", data={"csrf_token": token, "name": "Piet de Vries", "role": "staff",
                                            "practices": ["nowhere"], "password": "kort", "password_again": "kort"})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422
        for dutch in ("Een naam bestaat uit letters", "Onbekende praktijk: nowhere",
                      "Het wachtwoord moet minstens 10 tekens lang zijn"):
            assert dutch in text
        assert "must be" not in text and "practices/" not in text
        added = anna.post("/users", data={"csrf_token": token, "name": "Piet", "role": "editor",
                                          "full_name": "Piet de Vries", "practices": [PRACTICE],
                                          "password": PASSWORD, "password_again": PASSWORD})
        assert added.status_code == 302
        piet_account = store_accounts.find(store, "piet")
        assert (piet_account.role, piet_account.practices, piet_account.full_name) == \
            ("editor", {PRACTICE}, "Piet de Vries")
        piet = signed_in(app, "piet")
        # A new password: Piet's session ends; the old password no longer works, the new one does.
        new = "een heel nieuw wachtwoord"
        assert anna.post(f"/users/{piet_account.id}", data={"csrf_token": token, "action": "password",
                                                            "password": new, "password_again": new}).status_code == 302
        assert piet.get("/").status_code == 302
        assert sign_in(app.test_client(), "piet").status_code == 401
        piet = app.test_client()
        assert sign_in(piet, "piet", new).status_code == 302
        # Disabled: signed out at once, cannot sign in.
        disabled = anna.post(f"/users/{piet_account.id}", data={"csrf_token": token, "action": "disable"})
        assert disabled.status_code == 302
        assert piet.get("/").status_code == 302 and sign_in(app.test_client(), "piet", new).status_code == 401
        # An admin cannot switch off or demote themselves.
        me = store_accounts.find(store, "anna")
        response = anna.post(f"/users/{me.id}", data={"csrf_token": token, "action": "disable"})
        assert response.status_code == 422 and "Uw eigen account" in response.get_data(as_text=True)
        assert [e.detail for e in events(app, kind="account", account="anna")] == [
            "disabled", "password", "added editor"]
    finally:
        service.close()


def test_an_admin_for_some_practices_manages_only_their_accounts(group):
    app, project = group
    add_account(project, "hanna", "admin", practices=["plein"])
    hanna = signed_in(app, "hanna")
    listing = hanna.get("/users").get_data(as_text=True)
    assert ">lena<" in listing and ">sam<" not in listing
    sam = store_accounts.find(app.extensions["leafletgen.store"], "sam")
    assert hanna.get(f"/users/{sam.id}").status_code == 404
    token = csrf(hanna, "/users")
    unlimited = hanna.post("/users", data={"csrf_token": token, "name": "kees", "role": "staff",
                                           "password": PASSWORD, "password_again": PASSWORD})
    assert unlimited.status_code == 422 and store_accounts.find(app.extensions["leafletgen.store"], "kees") is None
    assert hanna.get(f"/audit?practice={PRACTICE}").status_code == 403
