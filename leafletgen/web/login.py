"""Login, needed when the server is reachable from other machines (bound to anything but loopback).

The password is the practice's, set with `python generate.py serve --set-password`; only its
scrypt hash is kept, in practices/.staff-login (a hidden file: not a profile, not in any
practice's folder, never read by a template). Failed attempts are limited per client address.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, redirect, render_template, request, session, url_for)
from flask_wtf import FlaskForm
from werkzeug.exceptions import TooManyRequests
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField
from wtforms.validators import InputRequired

from ..atomic_write import write_atomic
from ..project import Project
from .i18n import N_, _

blueprint = Blueprint("login", __name__)

PASSWORD_FILE = ".staff-login"
MIN_PASSWORD_LENGTH = 10
ATTEMPTS_PER_MINUTE = 5
OPEN = ("login.login", "staff.healthz", "static")

_attempts: dict[str, deque] = defaultdict(deque)
_attempts_lock = threading.Lock()


def password_path(project: Project) -> Path:
    return project.practices_dir / PASSWORD_FILE


def has_password(project: Project) -> bool:
    return password_path(project).is_file()


def set_password(project: Project, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    write_atomic(password_path(project), generate_password_hash(password, method="scrypt") + "\n")
    password_path(project).chmod(0o600)


def password_matches(project: Project, password: str) -> bool:
    try:
        stored = password_path(project).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    try:
        return check_password_hash(stored, password)
    except ValueError:
        return False


def check(app):
    """before_request: every page but the open ones asks for a login when one is required."""
    if not app.config["LEAFLETGEN_REQUIRE_LOGIN"] or request.endpoint in OPEN:
        return None
    if session.get("staff"):
        return None
    if request.method == "GET":
        return redirect(url_for("login.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("login.login"))


class LoginForm(FlaskForm):
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


def _too_many(address: str) -> bool:
    now = time.monotonic()
    with _attempts_lock:
        recent = _attempts[address]
        while recent and now - recent[0] > 60:
            recent.popleft()
        if not recent:
            del _attempts[address]       # kept only while it has recent failures
            return False
        return len(recent) >= ATTEMPTS_PER_MINUTE


def _failed(address: str) -> None:
    with _attempts_lock:
        _attempts[address].append(time.monotonic())


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    from .context import project

    form = LoginForm()
    error = ""
    if not has_password(project()):
        error = _("Er is nog geen wachtwoord ingesteld. Stel het in op de computer waarop de "
                  "server draait: python generate.py serve --set-password")
    elif form.validate_on_submit():
        address = request.remote_addr or "?"
        if _too_many(address):
            raise TooManyRequests()
        if password_matches(project(), form.password.data):
            session.clear()
            session["staff"] = True
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        _failed(address)
        error = _("Dit wachtwoord klopt niet.")
    status = 401 if error or form.errors else 200
    if not current_app.config["LEAFLETGEN_REQUIRE_LOGIN"]:
        status = 200
    return render_template("login.html", form=form, error=error), status


@blueprint.route("/logout", methods=["POST"])
def logout():
    form = FlaskForm()
    if form.validate_on_submit():
        session.clear()
    return redirect(url_for("login.login"))
