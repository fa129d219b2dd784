"""Who may do what: the signed-in account of a request, its role's permissions, its practices.

Every page needs the "print" permission (every role has it) unless its view says otherwise with
`@requires(...)`; a POST to a view that says nothing is for admins only, so a new form is
closed until its view names who may use it. An account limited to some practices gets 403 for
any other practice named in the address, the query or the form.
"""

from __future__ import annotations

from flask import abort, current_app, g, request

from ..store.accounts import Account

DEFAULT_GET = "print"
DEFAULT_POST = "manage_users"
OPEN = frozenset({"login.login", "staff.healthz", "static"})


def requires(permission: str):
    """Mark a view as needing `permission` (store.accounts.PERMISSIONS)."""
    def mark(view):
        view.required_permission = permission
        return view
    return mark


def account() -> Account | None:
    return g.get("account")


def may(permission: str) -> bool:
    """For templates and views: whether the request's account has `permission`."""
    current = account()
    return current is not None and current.may(permission)


def required_permission(endpoint: str | None, method: str) -> str | None:
    if endpoint in OPEN or endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    marked = getattr(view, "required_permission", None)
    if marked:
        return marked
    return DEFAULT_GET if method in ("GET", "HEAD", "OPTIONS") else DEFAULT_POST


def check_permission() -> None:
    """before_request, once the account is known: 403 unless it may use this page."""
    permission = required_permission(request.endpoint, request.method)
    if permission is None or request.endpoint == "login.logout":
        return
    current = account()
    if current is None or not current.may(permission):
        abort(403)
    named = list(request.args.getlist("practice"))
    if request.view_args and isinstance(request.view_args.get("practice_id"), str):
        named.append(request.view_args["practice_id"])
    named += request.form.getlist("practice")     # a form's field, posted either way (empty otherwise)
    if any(not current.sees_practice(practice) for practice in named):
        abort(403)


def visible(practices: list) -> list:
    """Of a list of practices (anything with an `id`), those the account may work for."""
    current = account()
    if current is None or not current.practices:
        return practices
    return [practice for practice in practices if current.sees_practice(practice.id)]
