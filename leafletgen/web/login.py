"""Signing in: who a request is, and the login and logout pages.

On this computer without a login (the app bound to 127.0.0.1) every request is the local
admin (`accounts.LOCAL`), recorded as "local". Reachable from elsewhere, a request is the
account of its session (signed in with name and password here), or the account named by the
single sign-on header when the configured proxy sent it. Password checks are limited per
account and address (store/login_limits.py), in the database, so the limit holds across threads
and servers.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, g, redirect, render_template, request, session, url_for)
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from ..store import accounts, login_limits
from ..store import audit as trail
from ..store.accounts import LOCAL, Account
from . import access, session_store
from .i18n import N_, _
from .proxy import FROM_PROXY, environ_key

blueprint = Blueprint("login", __name__)


def store():
    return current_app.extensions["leafletgen.store"]


def settings():
    return current_app.extensions["leafletgen.settings"]


def identify() -> None:
    """Set g.account: who this request is (None: nobody signed in)."""
    g.account = None
    if not current_app.config["LEAFLETGEN_REQUIRE_LOGIN"]:
        g.account = LOCAL
        return
    header = settings().sso_header
    if header and request.environ.get(FROM_PROXY):
        name = request.environ.get(environ_key(header), "").strip()
        if name:
            g.account = _single_sign_on(name)
            return
    account_id = getattr(session, "account_id", None)
    if account_id is not None:
        found = accounts.by_id(store(), account_id)
        if found is not None and not found.disabled:
            g.account = found


def _single_sign_on(name: str) -> Account | None:
    found = accounts.find(store(), name)
    if found is None or found.disabled:
        g.sso_refused = True
        return None
    found = dataclasses.replace(found, via="sso")       # all of it: practices, full name
    if getattr(session, "account_id", None) != found.id:
        session_store.sign_in(session, found.id)
        trail.record(store(), found, "login")
    return found


def check() -> object:
    """before_request: the account, then a login page, a 403, or on to the page."""
    identify()
    if request.endpoint in access.OPEN:
        return None
    if g.account is None:
        if g.get("sso_refused"):
            from .context import error_page
            # Translators: Single sign-on: the proxy named an account the app does not have or
            # that is switched off.
            return error_page(403, _("Uw account is hier niet bekend of is uitgeschakeld. Vraag de "
                                     "beheerder van de folders om toegang.")), 403
        if request.method == "GET":
            return redirect(url_for("login.login", next=request.full_path.rstrip("?")))
        return redirect(url_for("login.login"))
    access.check_permission()
    return None


class LoginForm(FlaskForm):
    # Translators: The login form: the account's name (user name).
    name = StringField(N_("Naam"), validators=[InputRequired()])
    password = PasswordField(N_("Wachtwoord"), validators=[InputRequired()])


def _safe_next(target: str | None) -> str:
    """Only a path on this server (`//elsewhere` or `https://elsewhere` would leave it)."""
    if not target:
        return url_for("staff.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("staff.index")
    return target


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if not current_app.config["LEAFLETGEN_REQUIRE_LOGIN"]:
        return redirect(url_for("staff.index"))       # this computer only: nobody signs in
    if g.account is not None:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error, status, wait = "", 200, None
    if form.validate_on_submit():
        name = accounts.normal_name(form.name.data)[:200]
        address = request.remote_addr or "?"
        wait = login_limits.take_attempt(store(), name, address)
        if wait is not None:
            seconds = int(wait.total_seconds() + 0.999)
            # Translators: Too many wrong passwords for this name from this computer; %(seconds)s
            # is the number of seconds (at most 60) until the next try is accepted.
            error, status = _("Te veel pogingen voor deze naam vanaf deze computer. Probeer het over "
                              "%(seconds)s seconden opnieuw.", seconds=seconds), 429
            _refused(name, "too_many_attempts")
        else:
            account = accounts.verify_password(store(), name, form.password.data)
            if account is not None:
                login_limits.forget(store(), name, address)
                session_store.sign_in(session, account.id)
                trail.record(store(), account, "login")
                return redirect(_safe_next(request.args.get("next")))
            # Translators: A login was refused: the name or the password is wrong (which one is not
            # said, on purpose).
            error, status = _("Deze naam of dit wachtwoord klopt niet."), 401
            _refused(name, "wrong_password")
    elif request.method == "POST":
        status = 401
    response = current_app.make_response((render_template("login.html", form=form, error=error), status))
    if wait is not None:
        response.headers["Retry-After"] = str(int(wait.total_seconds() + 0.999))
    return response


def _refused(name: str, why: str) -> None:
    """A refused login in the trail, under the account it tried (a name no account has is not
    kept: it may be a password typed in the wrong field)."""
    found = accounts.find(store(), name)
    who = found if found is not None else Account(None, "?", "?", via="password")
    trail.record(store(), who, "login_refused", detail=why)


@blueprint.route("/logout", methods=["POST"])
def logout():
    form = FlaskForm()
    if form.validate_on_submit() and g.account is not None and not g.account.local:
        trail.record(store(), g.account, "logout")
        session_store.end(session)
    return redirect(url_for("login.login"))
