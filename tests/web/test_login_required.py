"""Off loopback, every route of the web app but the open ones asks for a login first, and each
role gets through only to what it may do.

The routes come from the app's own url_map, so a route added later is tested too. Without a login
every request is sent to the login page and changes nothing on disk; with an admin's login the same
requests get through (so what refused them was the login); with another role's login, those the
role may not use are refused (403) and change nothing. Failed logins are limited per address.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import PROJECT_PARTS, REPO, run_cli

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"
PASSWORD = "correct horse battery"
# Reachable without a login: the login page itself, the health check, the app's static files.
OPEN = {"login.login", "staff.healthz", "static"}
# A value for each part of an address, so that every route can be asked for.
SAMPLES = {"leaflet_id": LEAFLET, "lang": "tr", "practice_id": PRACTICE, "domain": LEAFLET,
           "number": 1, "name": "AtkinsonHyperlegible-Regular.ttf", "filename": "app.css",
           "account_id": 1, "version": "1.0"}
CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# Where the form of an endpoint is, when not at the endpoint's own address.
FORM_PAGES = {"translations.upload_form": "/translations", "login.logout": "/",
              **{f"review.{name}": f"/review/tr/{LEAFLET}" for name in ("save", "approve", "ask", "record")},
              **{f"editor.{name}": f"/editor/{LEAFLET}" for name in ("check", "preview", "save", "approve",
                                                                      "publish", "discard")},
              "questions.done": f"/editor/{LEAFLET}",
              "editor.new": "/editor", "staff.leaflet_pdf_with_note": f"/?leaflet={LEAFLET}&lang=tr"}
# The endpoints whose form (form_for) changes files when a logged-in user sends it.
CHANGES_FILES = {"practices.create", "practices.save", "practices.retire", "translations.upload",
                 "translations.upload_form", "review.save", "review.approve", "review.ask"}
# Who may send each changing form (every role may log out); any other role is refused with 403.
ALLOWED = {
    "practices.save": {"editor", "admin"},
    "practices.create": {"admin"},
    "practices.retire": {"admin"},
    "translations.upload": {"editor", "admin"},
    "translations.upload_form": {"editor", "admin"},
    "users.add": {"admin"},
    "users.change": {"admin"},
    "login.logout": {"staff", "editor", "reviewer", "admin"},
    # The review page: a correction, an approval, a question, the review (refused until every unit
    # is approved: a message, not a 403).
    **{f"review.{name}": {"reviewer", "admin"} for name in ("save", "approve", "ask", "record")},
    "staff.leaflet_pdf_with_note": {"staff", "editor", "reviewer", "admin"},
    "editor.new": {"editor", "admin"},
    "editor.save": {"editor", "admin"},
    "editor.discard": {"editor", "admin"},
    "editor.check": {"editor", "reviewer", "admin"},
    "editor.preview": {"editor", "reviewer", "admin"},
    "editor.approve": {"reviewer", "admin"},
    "editor.publish": {"editor", "reviewer", "admin"},
    "questions.done": {"editor", "admin"},      # a reviewer's question settled in the editor
    # 'Is deze folder nog actueel?': a PDF checked, nothing changed or kept.
    "verify.page": {"staff", "editor", "reviewer", "admin"},
}


def make_site(root: Path, monkeypatch):
    """The web app as `serve --host 0.0.0.0` makes it (a login required), with an account of each
    role made with the command (the admin first: account 1), over a copy of the project."""
    from leafletgen.inputs.project import Project
    from leafletgen.web.app import create_app
    from leafletgen.web.documents import DocumentService

    root.mkdir(parents=True)
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    for role in ("admin", "staff", "editor", "reviewer"):
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        assert run_cli("users", "add", role + "-1", "--role", role, root=root).code == 0
    service = DocumentService(Project(root), root.parent / "cache", workers=1)
    return create_app(service.project, require_login=True, documents=service, testing=True), service


@pytest.fixture
def site(tmp_path, monkeypatch):
    app, service = make_site(tmp_path / "project", monkeypatch)
    yield app, tmp_path / "project"
    service.close()


def token(client) -> str:
    """The CSRF token of the client's session, as anyone can get it from the login page (once
    logged in, from the page the login page sends them to)."""
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, address: str = "203.0.113.5", role: str = "admin"):
    return client.post("/login", data={"csrf_token": token(client), "name": role + "-1", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": address})


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the project (not the accounts database: a refused request is recorded there)."""
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and ".leafletgen" not in path.parts}


def rules(app):
    """(rule, endpoint, address, methods) of every route, its address filled in from SAMPLES."""
    found = []
    for rule in app.url_map.iter_rules():
        missing = rule.arguments - SAMPLES.keys()
        assert not missing, f"{rule.rule}: add a sample value for {sorted(missing)} to SAMPLES"
        url = rule.build({name: SAMPLES[name] for name in rule.arguments})[1]
        found.append((rule.rule, rule.endpoint, url, rule.methods - {"OPTIONS", "HEAD"}))
    return found


class _Hidden(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value") or "")


def hidden_fields(insider, url: str) -> dict[str, str]:
    """The hidden fields of the form page at `url` (a file's digest, …), as a user sees them."""
    response = insider.get(url)
    if response.status_code != 200:
        return {}
    parser = _Hidden()
    parser.feed(response.get_data(as_text=True))
    return parser.fields


def form_for(endpoint: str, url: str, root: Path, csrf: str, insider):
    """What a logged-in user (`insider`) sends to change something, with the token `csrf`:
    (data, content type)."""
    data = {**hidden_fields(insider, FORM_PAGES.get(endpoint, url)), "csrf_token": csrf}
    if endpoint in ("practices.save", "practices.create"):
        return {**data, "name": "Overgenomen", "variants": ["a4"]}, None
    if endpoint == "users.add":
        return {**data, "name": "overgenomen", "role": "staff", "password": PASSWORD,
                "password_again": PASSWORD}, None
    if endpoint == "staff.leaflet_pdf_with_note":
        return {**data, "note": "Oefening 3 elke ochtend."}, None
    if endpoint == "editor.new":
        return {**data, "id": "knieklachten", "title": "Knieklachten"}, None
    if endpoint == "users.change":        # account 1, the admin's own: its role kept as it is
        return {**data, "action": "role", "role": "admin"}, None
    if endpoint in ("translations.upload", "translations.upload_form"):
        # The catalog as it is, with a translator's comment added (or taken away again).
        catalog = (root / "translations" / "tr" / "LC_MESSAGES" / f"{LEAFLET}.po").read_bytes()
        note = b"# Checked against the Dutch once more.\n"
        changed = catalog.removeprefix(note) if catalog.startswith(note) else note + catalog
        data.setdefault("digest", hashlib.sha256(catalog).hexdigest())   # the copy it replaces
        return ({**data, "lang": "tr", "domain": LEAFLET, "catalog": (io.BytesIO(changed), "tr.po")},
                "multipart/form-data")
    if endpoint == "review.save":          # the first unit's translation corrected
        return {**data, "text": "Bel ağrısı (gözden geçirildi)"}, None
    if endpoint == "review.ask":
        return {**data, "question": "Klopt dit getal?"}, None
    return data, None


def changing_requests(app, root: Path):
    """Every state-changing method of every route that is not open."""
    return [(rule, endpoint, url, method) for rule, endpoint, url, methods in rules(app)
            if endpoint not in OPEN for method in sorted(methods & set(CHANGING))]


def refused(response) -> bool:
    """Sent to the login page (or told it may not), and nothing more."""
    if response.status_code in (401, 403):
        return True
    return response.status_code in (302, 303) and response.headers["Location"].split("?")[0] == "/login"


def test_the_app_has_routes_that_change_things(site):
    """The tests below enumerate the url_map; this keeps them from passing on an empty one."""
    app, root = site
    endpoints = {endpoint for _, endpoint, _, _ in changing_requests(app, root)}
    assert CHANGES_FILES | {"login.logout"} <= endpoints


def test_without_a_login_no_route_changes_anything(site):
    app, root = site
    insider = app.test_client()
    assert log_in(insider).status_code == 302
    client = app.test_client()
    csrf = token(client)          # a valid token: the login, not the CSRF check, must refuse
    requests = [(rule, endpoint, url, method, *form_for(endpoint, url, root, csrf, insider))
                for rule, endpoint, url, method in changing_requests(app, root)]
    before = snapshot(root)
    for rule, _endpoint, url, method, data, content_type in requests:
        response = client.open(url, method=method, data=data, content_type=content_type)
        assert refused(response), (method, rule, response.status_code, response.headers.get("Location"))
    assert snapshot(root) == before


def test_without_a_login_every_page_but_the_open_ones_is_the_login_page(site):
    app, root = site
    client = app.test_client()
    for rule, endpoint, url, methods in rules(app):
        if "GET" not in methods:
            continue
        response = client.get(url)
        if endpoint in OPEN:
            assert response.status_code == 200, (rule, response.status_code)
        else:
            assert refused(response), (rule, response.status_code)


@pytest.mark.slow
def test_with_a_login_the_same_requests_get_through(site):
    """The control: the requests above, by a logged-in user, do what they are for."""
    app, root = site
    client = app.test_client()
    assert log_in(client).status_code == 302
    requests = changing_requests(app, root)
    # The practice retired, then logged out, last.
    requests.sort(key=lambda request: (request[1] == "login.logout", request[1] == "practices.retire"))
    for rule, endpoint, url, method in requests:
        data, content_type = form_for(endpoint, url, root, token(client), client)
        before = snapshot(root)
        response = client.open(url, method=method, data=data, content_type=content_type)
        if endpoint == "login.logout":       # done: sent to the login page, and logged out
            assert refused(response) and refused(client.get(f"/practices/{PRACTICE}"))
            continue
        # Got through the login and the CSRF check: the form's own answer (done, or a message).
        assert not refused(response) and response.status_code != 400, (method, rule, response.status_code)
        if endpoint in CHANGES_FILES:
            assert response.status_code in (302, 303), (method, rule, response.status_code)
            assert snapshot(root) != before, (method, rule)


@pytest.mark.slow
@pytest.mark.parametrize("role", ["staff", "editor", "reviewer"])
def test_each_role_gets_through_only_to_what_it_may_do(site, role):
    app, root = site
    insider = app.test_client()
    assert log_in(insider).status_code == 302
    client = app.test_client()
    assert log_in(client, role=role).status_code == 302
    requests = changing_requests(app, root)
    assert {endpoint for _, endpoint, _, _ in requests} == set(ALLOWED)   # a new form: say who may
    requests.sort(key=lambda request: request[1] == "login.logout")
    for rule, endpoint, url, method in requests:
        data, content_type = form_for(endpoint, url, root, token(client), insider)
        before = snapshot(root)
        response = client.open(url, method=method, data=data, content_type=content_type)
        if role in ALLOWED[endpoint]:
            assert response.status_code not in (400, 401, 403), (role, rule, response.status_code)
            if endpoint in CHANGES_FILES:
                assert response.status_code in (302, 303) and snapshot(root) != before, (role, rule)
        else:
            assert response.status_code == 403, (role, rule, response.status_code)
            assert snapshot(root) == before, (role, rule)


def attempt(client, password: str, address: str, **headers):
    return client.post("/login", data={"csrf_token": token(client), "name": "admin-1", "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_the_login_limit_counts_per_address(site):
    """Wrong passwords from one computer lock that computer out for a while, not the others;
    a header naming another address does not help it (no proxy is trusted here)."""
    app, _ = site
    one, other = "192.0.2.11", "198.51.100.22"
    first = app.test_client()
    codes = []
    while 429 not in codes and len(codes) < 30:
        codes.append(attempt(first, "wrong password", one).status_code)
    assert codes[-1] == 429 and set(codes[:-1]) == {401} and len(codes) > 1, codes
    assert attempt(first, PASSWORD, one).status_code == 429                 # even the right one
    assert attempt(first, PASSWORD, one, **{"X-Forwarded-For": other}).status_code == 429
    second = app.test_client()
    assert attempt(second, "wrong password", other).status_code == 401
    response = attempt(second, PASSWORD, other)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert second.get(f"/practices/{PRACTICE}").status_code == 200
