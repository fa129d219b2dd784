"""Accounts: a name, a role, a password hash, the practices it may work for, enabled or not.

Roles decide what an account may do (PERMISSIONS); an account limited to some practices sees,
prints and changes only theirs (a hospital group's practices share one server). Passwords are
kept as scrypt hashes (werkzeug). Disabling an account or changing its password ends its
sessions. Problems are `Finding`s (a field and an errors.Message): the CLI prints their English (ENGLISH),
the web app words their code in the page's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Message, UserError
from ..inputs.project import DEFAULT_PRACTICE_ID
from . import schema
from .database import Store

ROLES = ("staff", "editor", "reviewer", "admin")
PERMISSIONS = {
    "print": frozenset(ROLES),                       # find, preview and print leaflets
    "edit_practice": frozenset({"editor", "admin"}),  # a practice's profile and logo
    "manage_practices": frozenset({"admin"}),          # add a practice, retire one
    "upload_catalog": frozenset({"editor", "admin"}),  # a translation (.po) of a leaflet
    "edit_leaflet": frozenset({"editor", "admin"}),
    "review": frozenset({"reviewer", "admin"}),       # record that a person checked a translation
    "manage_users": frozenset({"admin"}),
    "read_audit": frozenset({"admin"}),
}
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024        # scrypt hashes any length; this only bounds the work
NAME_PATTERN = re.compile(r"^\w[\w.@+\\-]*$")
# How the audit trail names this computer and the command line, and a person whose name it no
# longer keeps (their role).
RESERVED_NAMES = frozenset({"local", "cli", *ROLES})

ENGLISH = {
    "name_empty": "the account needs a name",
    "name_too_long": "the name is longer than {max} characters",
    "name_characters": "the name may hold letters, digits and . _ - @ + \\ only, and starts with a "
                       "letter or digit",
    "name_reserved": "{name!r} is reserved for the audit trail; choose another name",
    "name_taken": "an account {name!r} exists already",
    "no_account": "there is no account {name!r}",
    "role_unknown": "{role!r} is not a role; the roles are {roles}",
    "practice_unknown": "{practice!r} is not a practice of this folder; they are {practices}",
    "full_name_too_long": "the full name is longer than {max} characters",
    "full_name_characters": "the full name must be one line of printable characters",
    "password_too_short": "the password must be at least {min} characters long",
    "password_too_long": "the password must be at most {max} characters long",
    "last_admin": "{name!r} is the last enabled admin account; make another admin first",
    "not_a_reviewer": "--by: {name!r} is not an enabled account that may review translations (those "
                      "that may: {reviewers}); add one with `python generate.py users add NAME --role "
                      "reviewer --full-name \"…\"`",
    "self": "an admin cannot disable their own account or change their own role or practices",
    "passwords_differ": "the two passwords differ",
    "outside_practices": "an admin for some practices manages only accounts limited to some of those",
}


@dataclass(frozen=True)
class Finding:
    """One thing wrong with an account change: the form field it belongs to, and the message
    (English text, with the code and params the web app words in the page's language)."""

    field: str
    message: Message

    @property
    def code(self) -> str:
        return self.message.code

    @property
    def params(self) -> dict:
        return self.message.params


def finding(field: str, code: str, **params) -> Finding:
    return Finding(field, Message(code, ENGLISH[code].format(**params), **params))


class AccountError(UserError):
    """What is wrong with an account change: Findings, one English line each for the CLI."""

    def __init__(self, messages: list[Finding]):
        self.messages = list(messages)
        super().__init__([str(found.message) for found in self.messages])

    def __reduce__(self):
        return (type(self), (self.messages,))


@dataclass(frozen=True)
class Account:
    """An account as a request sees it; `via` says how it signed in (local, password, sso, cli)."""

    id: int | None
    name: str
    role: str
    practices: frozenset = field(default_factory=frozenset)   # empty: every practice
    disabled: bool = False
    has_password: bool = True
    via: str = "password"
    full_name: str = ""            # as printed on a leaflet the person reviewed

    @property
    def shown_name(self) -> str:
        """The person's full name when it is known, else the account's name."""
        return self.full_name or self.name

    @property
    def local(self) -> bool:
        return self.via == "local"

    def may(self, permission: str) -> bool:
        return not self.disabled and self.role in PERMISSIONS[permission]

    def sees_practice(self, practice_id: str | None) -> bool:
        """Whether it may work for this practice (the neutral leaflet, without one, is everyone's)."""
        return not self.practices or practice_id in (None, "", DEFAULT_PRACTICE_ID) \
            or practice_id in self.practices


# The person at the computer the app runs on, when it asks no login (bound to 127.0.0.1): an
# admin, recorded in the audit trail as "local".
LOCAL = Account(None, "local", "admin", via="local")
# The command line on the server (`users …`): recorded as "cli".
COMMAND_LINE = Account(None, "cli", "admin", via="cli")


def normal_name(name: str) -> str:
    """Names are compared as typed apart from case and Unicode form: "Anna" is "anna"."""
    return unicodedata.normalize("NFC", name).strip().lower()


def name_messages(name: str) -> list[Finding]:
    if not name:
        return [finding("name", "name_empty")]
    if len(name) > schema.NAME_MAX:
        return [finding("name", "name_too_long", max=schema.NAME_MAX)]
    if not NAME_PATTERN.match(name):
        return [finding("name", "name_characters")]
    if name in RESERVED_NAMES:
        return [finding("name", "name_reserved", name=name)]
    return []


def full_name_messages(full_name: str) -> list[Finding]:
    if len(full_name) > schema.FULL_NAME_MAX:
        return [finding("full_name", "full_name_too_long", max=schema.FULL_NAME_MAX)]
    if any(unicodedata.category(character)[0] in "CZ" and character != " " for character in full_name):
        return [finding("full_name", "full_name_characters")]
    return []


def password_messages(password: str) -> list[Finding]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [finding("password", "password_too_short", min=MIN_PASSWORD_LENGTH)]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [finding("password", "password_too_long", max=MAX_PASSWORD_LENGTH)]
    return []


def role_messages(role: str) -> list[Finding]:
    if role not in ROLES:
        return [finding("role", "role_unknown", role=role, roles=", ".join(ROLES))]
    return []


def practice_messages(practices, known) -> list[Finding]:
    known = list(known)
    return [finding("practices", "practice_unknown", practice=practice,
                                                      practices=", ".join(known) or "(none)")
            for practice in practices if practice not in known]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


_DUMMY_HASH: list[str] = []


def _check(stored: str | None, password: str) -> bool:
    """The password against a hash; with no hash, against a made-up one, so that an unknown
    name takes as long to refuse as a wrong password."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("not any account's password"))
    try:
        return check_password_hash(stored or _DUMMY_HASH[0], password) and stored is not None
    except ValueError:
        return False


# ---- Reading -----------------------------------------------------------------------------------

def _accounts(connection, where=None) -> list[Account]:
    query = select(schema.accounts).order_by(schema.accounts.c.name)
    if where is not None:
        query = query.where(where)
    rows = connection.execute(query).mappings().all()
    if not rows:
        return []
    limits: dict[int, set] = {}
    ids = [row["id"] for row in rows]
    for account_id, practice in connection.execute(
            select(schema.account_practices.c.account_id, schema.account_practices.c.practice)
            .where(schema.account_practices.c.account_id.in_(ids))):
        limits.setdefault(account_id, set()).add(practice)
    return [Account(row["id"], row["name"], row["role"], frozenset(limits.get(row["id"], ())),
                    bool(row["disabled"]), row["password_hash"] is not None,
                    full_name=row["full_name"] or "") for row in rows]


def all_accounts(store: Store) -> list[Account]:
    with store.read() as connection:
        return _accounts(connection)


def find(store: Store, name: str) -> Account | None:
    with store.read() as connection:
        found = _accounts(connection, schema.accounts.c.name == normal_name(name))
    return found[0] if found else None


def by_id(store: Store, account_id: int) -> Account | None:
    with store.read() as connection:
        found = _accounts(connection, schema.accounts.c.id == account_id)
    return found[0] if found else None


def count_usable(store: Store) -> int:
    """Enabled accounts that can sign in with a password."""
    with store.read() as connection:
        return connection.execute(select(func.count()).select_from(schema.accounts).where(
            schema.accounts.c.disabled.is_(False), schema.accounts.c.password_hash.is_not(None))).scalar()


def reviewer(store: Store, name: str) -> Account | None:
    """The account `translations review --by NAME` names: an enabled one that may review. None
    when the app has no accounts at all (then --by is a free name, printed as given)."""
    found = all_accounts(store)
    if not found:
        return None
    account = next((account for account in found if account.name == normal_name(name)), None)
    if account is None or not account.may("review"):
        may = [account.name for account in found if account.may("review")]
        raise AccountError([finding("by", "not_a_reviewer", name=normal_name(name),
                                    reviewers=", ".join(may) or "none")])
    return account


def verify_password(store: Store, name: str, password: str) -> Account | None:
    """The account if `password` is its password and it is enabled; else None (in about the
    same time whether or not the name exists)."""
    name = normal_name(name)
    with store.read() as connection:
        row = connection.execute(select(schema.accounts.c.password_hash, schema.accounts.c.disabled)
                                 .where(schema.accounts.c.name == name)).first()
    stored = row.password_hash if row is not None else None
    if not _check(stored, password[:MAX_PASSWORD_LENGTH]) or row.disabled:
        return None
    return find(store, name)


# ---- Changing ----------------------------------------------------------------------------------

def add(store: Store, name: str, role: str, practices=(), password: str | None = None,
        known_practices=(), full_name: str = "") -> Account:
    """A new account; `password` None: it signs in through the proxy's single sign-on only."""
    name = normal_name(name)
    full_name = " ".join(full_name.split()) if full_name.isprintable() else full_name
    practices = sorted(set(practices))
    messages = name_messages(name) + full_name_messages(full_name) + role_messages(role) + \
        practice_messages(practices, known_practices)
    if password is not None:
        messages += password_messages(password)
    if messages:
        raise AccountError(messages)
    now = store.now()
    with store.write() as connection:
        if connection.execute(select(schema.accounts.c.id).where(schema.accounts.c.name == name)).first():
            raise AccountError([finding("name", "name_taken", name=name)])
        account_id = connection.execute(insert(schema.accounts).values(
            name=name, role=role, password_hash=hash_password(password) if password is not None else None,
            disabled=False, created_at=now, changed_at=now, full_name=full_name or None)).inserted_primary_key[0]
        _set_practices(connection, account_id, practices)
    return by_id(store, account_id)


def _set_practices(connection, account_id: int, practices) -> None:
    connection.execute(delete(schema.account_practices).where(schema.account_practices.c.account_id == account_id))
    if practices:
        connection.execute(insert(schema.account_practices),
                           [{"account_id": account_id, "practice": practice} for practice in practices])


def _existing(connection, name: str):
    row = connection.execute(select(schema.accounts).where(
        schema.accounts.c.name == normal_name(name))).mappings().first()
    if row is None:
        raise AccountError([finding("name", "no_account", name=normal_name(name))])
    return row


def _other_admins(connection, account_id: int) -> int:
    return connection.execute(select(func.count()).select_from(schema.accounts).where(
        schema.accounts.c.role == "admin", schema.accounts.c.disabled.is_(False),
        schema.accounts.c.id != account_id)).scalar()


def end_sessions(connection, account_id: int) -> None:
    connection.execute(delete(schema.sessions).where(schema.sessions.c.account_id == account_id))


def set_password(store: Store, name: str, password: str | None) -> Account:
    """A new password (None: single sign-on only); the account's sessions end."""
    if password is not None and (messages := password_messages(password)):
        raise AccountError(messages)
    with store.write() as connection:
        row = _existing(connection, name)
        connection.execute(update(schema.accounts).where(schema.accounts.c.id == row["id"]).values(
            password_hash=hash_password(password) if password is not None else None,
            changed_at=store.now()))
        end_sessions(connection, row["id"])
    return by_id(store, row["id"])


def set_disabled(store: Store, name: str, disabled: bool) -> Account:
    """Disable (its sessions end at once) or enable an account."""
    with store.write() as connection:
        row = _existing(connection, name)
        if disabled and row["role"] == "admin" and not row["disabled"] and not _other_admins(connection, row["id"]):
            raise AccountError([finding("name", "last_admin", name=row["name"])])
        connection.execute(update(schema.accounts).where(schema.accounts.c.id == row["id"]).values(
            disabled=disabled, changed_at=store.now()))
        if disabled:
            end_sessions(connection, row["id"])
    return by_id(store, row["id"])


def change(store: Store, name: str, role: str | None = None, practices=None, known_practices=(),
           full_name: str | None = None) -> Account:
    """A new role, practices (an empty list: every practice) or full name ("": none); None
    leaves each as it is."""
    messages = role_messages(role) if role is not None else []
    if full_name is not None:
        full_name = " ".join(full_name.split()) if full_name.isprintable() else full_name
        messages += full_name_messages(full_name)
    if practices is not None:
        practices = sorted(set(practices))
        messages += practice_messages(practices, known_practices)
    if messages:
        raise AccountError(messages)
    with store.write() as connection:
        row = _existing(connection, name)
        if role is not None and role != "admin" and row["role"] == "admin" and not row["disabled"] \
                and not _other_admins(connection, row["id"]):
            raise AccountError([finding("role", "last_admin", name=row["name"])])
        if role is not None:
            connection.execute(update(schema.accounts).where(schema.accounts.c.id == row["id"]).values(
                role=role, changed_at=store.now()))
        if practices is not None:
            _set_practices(connection, row["id"], practices)
        if full_name is not None:
            connection.execute(update(schema.accounts).where(schema.accounts.c.id == row["id"]).values(
                full_name=full_name or None, changed_at=store.now()))
    return by_id(store, row["id"])
