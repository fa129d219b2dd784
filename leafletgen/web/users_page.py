"""Accounts, for admins: who may sign in, with which role, for which practices.

An admin adds an account (with a first password to pass on, or none for single sign-on), changes
its role and practices, sets a new password (the account's sessions end) and disables or enables
it. An admin limited to some practices manages only accounts limited to those practices. Every
change is in the audit trail. Messages come from the store as (field, code, params) and are
worded here.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from ..store import accounts
from ..store.accounts import ROLES, Account, AccountError, Finding, finding
from . import access, audit, library
from .context import project
from .i18n import N_, _

blueprint = Blueprint("users", __name__)

ROLE_NAMES = {
    # Translators: A role: reception staff and others who find, preview and print leaflets.
    "staff": (N_("Medewerker"), N_("Zoekt, bekijkt en print folders.")),
    # Translators: A role: the content editor, who writes leaflets and keeps practice details and
    # translations up to date.
    "editor": (N_("Redacteur"), N_("Ook: praktijkgegevens, vertalingen terugzetten en folders schrijven.")),
    # Translators: A role: someone who checks (reviews) translations against the Dutch and approves them.
    "reviewer": (N_("Nakijker"), N_("Ook: vertalingen nakijken en goedkeuren.")),
    # Translators: A role: the administrator, who may do everything, including accounts and the audit trail.
    "admin": (N_("Beheerder"), N_("Alles, ook accounts en het logboek.")),
}

MESSAGES = {
    # Translators: An account needs a name (the name someone signs in with).
    "name_empty": N_("Vul een naam in."),
    # Translators: %(max)s is a number of characters.
    "name_too_long": N_("De naam is langer dan %(max)s tekens."),
    # Translators: Which characters an account's name may have; keep the characters as they are.
    "name_characters": N_("Een naam bestaat uit letters, cijfers en . _ - @ + \\ en begint met een letter of cijfer."),
    # Translators: %(name)s is a name the app uses itself in its audit trail (such as "local" or a role).
    "name_reserved": N_("De naam %(name)s is gereserveerd; kies een andere."),
    # Translators: %(name)s is the name of an existing account.
    "name_taken": N_("Er is al een account %(name)s."),
    # Translators: %(name)s is the name that was asked for.
    "no_account": N_("Er is geen account %(name)s."),
    "role_unknown": N_("Kies een rol."),
    # Translators: %(practice)s is the short name (id) of a practice that does not exist.
    "practice_unknown": N_("Onbekende praktijk: %(practice)s."),
    # Translators: %(max)s is a number of characters.
    "full_name_too_long": N_("De volledige naam is langer dan %(max)s tekens."),
    # Translators: The full name may not hold line breaks, tabs or invisible characters.
    "full_name_characters": N_("Schrijf de volledige naam op één regel, zonder onzichtbare tekens."),
    # Translators: %(min)s is a number of characters.
    "password_too_short": N_("Het wachtwoord moet minstens %(min)s tekens lang zijn."),
    # Translators: %(max)s is a number of characters.
    "password_too_long": N_("Het wachtwoord mag hoogstens %(max)s tekens lang zijn."),
    # Translators: %(name)s is the name of the only enabled administrator account.
    "last_admin": N_("%(name)s is het laatste beheerdersaccount dat aan staat; maak eerst een ander "
                     "account beheerder."),
    "self": N_("Uw eigen account kunt u hier niet uitschakelen of een andere rol geven."),
    "passwords_differ": N_("De twee wachtwoorden zijn niet gelijk."),
    "outside_practices": N_("U beheert alleen accounts van uw eigen praktijken: kies er minstens één."),
}


class CsrfForm(FlaskForm):
    """Only the CSRF token: the fields are checked by the store."""


def words(message: Finding) -> str:
    return _(MESSAGES[message.code], **message.params)


def role_name(role: str) -> str:
    return _(ROLE_NAMES[role][0]) if role in ROLE_NAMES else role


blueprint.add_app_template_filter(role_name, "role_name")


def _store():
    return audit.store()


def _me() -> Account:
    return g.account


def _manageable(account: Account) -> bool:
    """An admin for every practice manages every account; one for some, only accounts limited
    to some of those."""
    mine = _me().practices
    return not mine or (bool(account.practices) and account.practices <= mine)


def _practices_asked(form) -> list[str]:
    return [practice for practice in form.getlist("practices") if practice]


def _limit_messages(practices: list[str]) -> list[Finding]:
    mine = _me().practices
    if mine and (not practices or not set(practices) <= mine):
        return [finding("practices", "outside_practices")]
    return []


def _practice_choices():
    return access.visible([info for info in library.practices(project())])


def _page(template: str, status: int = 200, **context):
    return render_template(template, form=CsrfForm(),
                           practice_names={info.id: info.name for info in library.practices(project())},
                           roles=[(role, _(ROLE_NAMES[role][0]), _(ROLE_NAMES[role][1]))
                                                            for role in ROLES],
                           practices=_practice_choices(), **context), status


def _errors(messages: list[Finding]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in messages:
        found.setdefault(message.field, []).append(words(message))
    return found


@blueprint.route("/users")
@access.requires("manage_users")
def index():
    shown = [account for account in accounts.all_accounts(_store()) if _manageable(account)]
    return _page("users.html", accounts=shown, errors={}, values={"role": "staff", "practices": []})


@blueprint.route("/users", methods=["POST"])
@access.requires("manage_users")
def add():
    if not CsrfForm().validate_on_submit():
        abort(400)
    form = request.form
    name, role = form.get("name", ""), form.get("role", "")
    practices = _practices_asked(form)
    sso_only = form.get("sso_only") == "1"
    password = None if sso_only else form.get("password", "")
    messages = _limit_messages(practices)
    if not sso_only and password != form.get("password_again", ""):
        messages.append(finding("password", "passwords_differ"))
    try:
        if messages:
            raise AccountError(messages)
        account = accounts.add(_store(), name, role, practices, password, project().practice_ids(),
                               full_name=request.form.get("full_name", ""))
    except AccountError as exc:
        shown = [account for account in accounts.all_accounts(_store()) if _manageable(account)]
        return _page("users.html", 422, accounts=shown, errors=_errors(exc.messages),
                     values={"name": name, "role": role, "practices": practices, "sso_only": sso_only,
                             "full_name": request.form.get("full_name", "")})
    audit.record("account", target=account.name, detail=f"added {account.role}")
    # Translators: Shown after an account was added; %(name)s is its name.
    flash(_("Account %(name)s is aangemaakt.", name=account.name), "saved")
    return redirect(url_for("users.index"))


def _account(account_id: int) -> Account:
    found = accounts.by_id(_store(), account_id)
    if found is None or not _manageable(found):
        abort(404)
    return found


@blueprint.route("/users/<int:account_id>")
@access.requires("manage_users")
def edit(account_id: int):
    account = _account(account_id)
    return _page("user.html", person=account, errors={},
                 values={"role": account.role, "practices": sorted(account.practices),
                         "full_name": account.full_name})


@blueprint.route("/users/<int:account_id>", methods=["POST"])
@access.requires("manage_users")
def change(account_id: int):
    if not CsrfForm().validate_on_submit():
        abort(400)
    account = _account(account_id)
    action = request.form.get("action", "")
    try:
        detail = _apply(account, action, request.form)
    except AccountError as exc:
        values = {"role": request.form.get("role", account.role), "practices": _practices_asked(request.form),
                  "full_name": request.form.get("full_name", account.full_name)}
        return _page("user.html", 422, person=accounts.by_id(_store(), account_id), errors=_errors(exc.messages),
                     values=values, action=action)
    for what in detail:
        audit.record("account", target=account.name, detail=what)
    if detail:
        # Translators: Shown after an account was changed; %(name)s is its name.
        flash(_("Account %(name)s is bijgewerkt.", name=account.name), "saved")
    return redirect(url_for("users.edit", account_id=account_id))


def _apply(account: Account, action: str, form) -> list[str]:
    """Carry out one form of the account's page; what changed, for the audit trail."""
    own = account.id == _me().id
    if action == "role":
        role, practices = form.get("role", ""), _practices_asked(form)
        if own and role != account.role:
            raise AccountError([finding("role", "self")])
        if own and set(practices) != set(account.practices):
            raise AccountError([finding("practices", "self")])
        messages = _limit_messages(practices)
        if messages:
            raise AccountError(messages)
        changed = accounts.change(_store(), account.name, role=role, practices=practices,
                                  known_practices=project().practice_ids(),
                                  full_name=form.get("full_name", account.full_name))
        return ([f"role {role}"] if role != account.role else []) + \
            (["practices"] if set(practices) != set(account.practices) else []) + \
            (["full name"] if changed.full_name != account.full_name else [])
    if action == "password":
        password = form.get("password", "")
        if password != form.get("password_again", ""):
            raise AccountError([finding("password", "passwords_differ")])
        accounts.set_password(_store(), account.name, password)
        return ["password"]
    if action in ("disable", "enable"):
        if own:
            raise AccountError([finding("state", "self")])
        accounts.set_disabled(_store(), account.name, action == "disable")
        return [f"{action}d"]
    abort(400)
