"""The Flask application: configuration, login, security headers, errors.

Pages are rendered on the server (Jinja2, autoescaped) and work without JavaScript; htmx (one
vendored file) only saves page loads. Every form is a WTForms form with a CSRF token; a POST
without one is refused with 400. Bound to anything but the loopback address, every page but the
login page and /healthz asks for an account (login.py); what it may do is its role's (access.py).
Accounts, sessions and the audit trail are in the database (leafletgen/store/).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, g, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, SecurityError

from ..errors import MachineError, of_the_machine
from ..typeset.fonts import cache_root
from ..inputs.project import Project
from . import (access, audit_page, i18n, leaflet_editor, login, navigation, practices, questions_page,
               review_page, staff, translations_page, users_page, verify_page)
from .choice import Unknown, unknown_page
from .context import error_page
from .documents import DocumentService

log = logging.getLogger("leafletgen.web")

MAX_UPLOAD_BYTES = 3 * 1024 * 1024     # a request body: a logo (2 MB at most) or a .po file, and the form

# The pages load scripts, styles, fonts and images only from this server (no inline script or
# style, no eval: htmx is configured not to need them), and only this server may frame them.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'self'")


UPKEEP_SECONDS = 3600        # expired sessions removed, old audit names replaced: hourly


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def host_name(host: str) -> str:
    """The name in a Host header, without its port: "[::1]:8000" → "[::1]", "localhost:80" →
    "localhost". (Werkzeug 3.1.9's TRUSTED_HOSTS cuts "[::1]" at its first colon and so never
    matches an IPv6 address; this check is ours.)"""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[:end + 1] if end != -1 else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def create_app(project: Project, *, require_login: bool = False, documents: DocumentService | None = None,
               cache_dir: Path | None = None, workers: int = 2, secret_key: bytes | None = None,
               testing: bool = False, settings=None, store=None) -> Flask:
    """The web app for `project`. `require_login`: the server is reachable from other machines.
    `settings`: the server's (default: the content folder's leafletgen.toml); `store`: the
    database (default: the one the settings name, created and migrated if need be).

    Without a login (this computer only) a request must name this computer in its Host header:
    a web page elsewhere cannot reach the app through a name that resolves to 127.0.0.1 (DNS
    rebinding) and read or change what only staff at this computer may."""
    from ..store.database import open_store
    from ..store.secret_key import load_secret_key
    from ..store.settings import load_settings
    from .proxy import TrustedProxy
    from .session_store import StoredSessionInterface

    settings = settings or load_settings(project.root)
    store = store or open_store(settings)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=secret_key or load_secret_key(settings.secret_key_file),  # shared by the servers
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        SESSION_COOKIE_NAME="leafletgen_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        WTF_CSRF_SSL_STRICT=True,
        TESTING=testing,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        LEAFLETGEN_REQUIRE_LOGIN=require_login,
    )
    app.session_interface = StoredSessionInterface(store)
    app.wsgi_app = TrustedProxy(app.wsgi_app, settings)
    app.extensions["leafletgen.inputs.project"] = project
    app.extensions["leafletgen.settings"] = settings
    app.extensions["leafletgen.store"] = store
    app.extensions["leafletgen.documents"] = documents or DocumentService(
        project, cache_dir or cache_root() / "web", workers=workers)
    CSRFProtect(app)
    i18n.install(app.jinja_env)
    app.jinja_env.globals.update(ui_lang=lambda: g.get("ui_lang", "nl"), may=access.may,
                                 account=access.account)

    app.register_blueprint(login.blueprint)
    app.register_blueprint(staff.blueprint)
    app.context_processor(navigation.navigation)
    app.register_blueprint(practices.blueprint)
    app.register_blueprint(translations_page.blueprint)
    app.register_blueprint(review_page.blueprint)
    app.register_blueprint(leaflet_editor.blueprint)
    app.register_blueprint(questions_page.blueprint)
    app.register_blueprint(users_page.blueprint)
    app.register_blueprint(audit_page.blueprint)
    app.register_blueprint(verify_page.blueprint)
    upkeep = Upkeep(store, settings.keep_names_days)

    @app.before_request
    def only_this_computers_names():
        if not require_login and host_name(request.host) not in LOOPBACK_HOSTS:
            raise SecurityError(f"untrusted host {request.host!r}")

    @app.before_request
    def language_and_login():
        g.ui_lang = i18n.negotiate(project)
        g.translations = i18n.ui_translations(project, g.ui_lang)
        upkeep.now_and_then()
        return login.check()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Translators: A form was sent without its security token (CSRF), usually because the page
        # was open too long: the user should reload the page and send the form again.
        return error_page(400, i18n._("Het formulier is verlopen of niet vanaf deze pagina verstuurd. "
                                      "Laad de pagina opnieuw en probeer het nog eens.")), 400

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # Nothing of the app (not even its page layout) for a name that is not this computer's.
        return Response("400 Bad Request: this app answers only to 127.0.0.1 and localhost\n", 400,
                        mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error):
        messages = {
            # Translators: The page for error 400 (Bad Request): the browser asked something the
            # app cannot understand.
            400: i18n._("Deze vraag begrijpt de server niet."),
            # Translators: The page for error 403 (Forbidden): "This is not allowed."
            403: i18n._("Dit mag niet.") if not g.get("account") or g.account.local else
            # Translators: The page for error 403 (Forbidden) for a signed-in person: their role
            # (or the practices their account is for) does not allow this page or action.
            i18n._("Dit mag niet met uw account. Vraag zo nodig de beheerder om andere rechten."),
            404: i18n._("Deze pagina bestaat niet."),
            # Translators: The page for error 405 (Method Not Allowed): the page exists, but not
            # for this kind of request.
            405: i18n._("Deze pagina kan zo niet gebruikt worden."),
            # Translators: The page for error 413: an uploaded file (logo, .po file) together with
            # the rest of the form is over the size limit; %(mb)s is a number of megabytes.
            413: i18n._("Het bestand is te groot: samen met het formulier hoogstens %(mb)s MB.",
                        mb=MAX_UPLOAD_BYTES // (1024 * 1024)),
            # Translators: Too many wrong passwords from this computer: wait a minute.
            429: i18n._("Te veel pogingen. Wacht een minuut en probeer het dan opnieuw."),
        }
        code = error.code or 500
        if code == 404 and request.path.startswith("/leaflets/"):
            # An address of a document that matches no route (a name with a slash): the known ones.
            return unknown_page(Unknown("leaflet", request.path.split("/")[2] or "?"))
        return error_page(code, messages.get(code, error.description or "")), code

    @app.errorhandler(MachineError)
    @app.errorhandler(OSError)
    def cannot_write(error):
        # A folder the server may not write (a read-only mount, a service's ReadWritePaths, its
        # owner) or a full disk: its administrator's to mend, not a bug. What was asked may have
        # been done in part (a leaflet published, its draft not removed): the page says so; the
        # path and the traceback are for the log.
        if isinstance(error, OSError) and not of_the_machine(error):
            return internal_error(error)
        log.exception("cannot write on %s %s", request.method, request.path)
        # Translators: The server could not write (or remove) a file: a folder
        # is read-only or has the wrong permissions, or the disk is full. What
        # the user did (save, publish, upload, download) may not have worked,
        # or only in part; the administrator finds the details in the log.
        return error_page(503, i18n._("De server kon een bestand niet schrijven of verwijderen (een map is "
                                      "alleen-lezen of heeft niet de juiste rechten, of de schijf is vol). "
                                      "Wat u deed, is daardoor misschien niet (helemaal) gelukt. Vraag de "
                                      "beheerder; de details staan in het logboek van de server.")), 503

    @app.errorhandler(Exception)
    def internal_error(error):
        # The traceback is for the log; the page says what happened and what to do.
        log.exception("internal error on %s %s", request.method, request.path)
        # Translators: The page for an internal error (a bug in the program, not the user's
        # fault); the technical details are in the server's log file.
        return error_page(500, i18n._("Er ging iets mis in leafletgen zelf (een fout in het programma). "
                                      "De details staan in het logboek van de server.")), 500

    return app


class Upkeep:
    """Tidy the database at the first request and then at most hourly (store/upkeep.py)."""

    def __init__(self, store, keep_names_days: int):
        self.store, self.keep_names_days = store, keep_names_days
        self._lock = threading.Lock()
        self._last = None

    def now_and_then(self) -> None:
        from ..store.upkeep import tidy

        with self._lock:
            if self._last is not None and time.monotonic() - self._last < UPKEEP_SECONDS:
                return
            self._last = time.monotonic()
        tidy(self.store, self.keep_names_days)
