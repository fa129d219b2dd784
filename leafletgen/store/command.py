"""`python generate.py users …`: the web app's accounts from the command line on the server.

    users add NAME --role R [--practice ID …] [--full-name TEXT] [--no-password]
    users list
    users passwd NAME [--no-password]        a new password (a reset); the account's sessions end
    users change NAME [--role R] [--practice ID … | --all-practices] [--full-name TEXT]
    users disable NAME / users enable NAME

A password is asked twice on a terminal, or read as one line from standard input. Every change is
in the audit trail, made by "cli". The database is the one leafletgen.toml names (created if
need be). SQLAlchemy is imported only when one of these runs.
"""

from __future__ import annotations

import sys

from ..errors import UserError
from ..inputs.project import Project

ROLES = ("staff", "editor", "reviewer", "admin")     # store.accounts.ROLES, without importing it


def add_command(commands, common) -> None:
    users = commands.add_parser(
        "users", help="accounts of the staff web app: add, list, passwd, change, disable, enable",
        description="Manage who may sign in to the staff web app (`serve`), with which role and "
                    "for which practices. Roles: staff (find, preview, print), editor (also "
                    "practice details, translations, leaflets), reviewer (also review "
                    "translations), admin (everything, also accounts and the audit trail). The "
                    "accounts are in the database named in leafletgen.toml (default: "
                    ".leafletgen/leafletgen.db in the content folder).")
    common(users)
    # type(users): the CLI's parser class, which reports wrong usage instead of exiting.
    sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True,
                               parser_class=type(users))
    add = sub.add_parser("add", help="add an account (asks for its password)",
                         description="Add an account. Its password is asked twice (or read as one "
                                     "line from standard input).")
    add.add_argument("name", metavar="NAME", help="the name to sign in with (case does not matter)")
    add.add_argument("--role", required=True, choices=ROLES, help="what the account may do")
    _practices(add)
    _full_name(add)
    add.add_argument("--no-password", action="store_true",
                     help="no password: the account signs in through the proxy's single sign-on only")
    common(add)
    add.set_defaults(handler=cmd_add)

    listing = sub.add_parser("list", help="list the accounts", description="List every account: name, "
                             "role, practices (all when none is named), enabled or disabled.")
    common(listing)
    listing.set_defaults(handler=cmd_list)

    passwd = sub.add_parser("passwd", help="set a new password (a reset); its sessions end",
                            description="Set a new password for an account (asked twice, or read "
                                        "from standard input); every session of the account ends.")
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument("--no-password", action="store_true",
                        help="remove the password: single sign-on only")
    common(passwd)
    passwd.set_defaults(handler=cmd_passwd)

    change = sub.add_parser("change", help="change an account's role or practices",
                            description="Change an account's role, or the practices it is for.")
    change.add_argument("name", metavar="NAME")
    change.add_argument("--role", choices=ROLES, help="the new role")
    _practices(change)
    change.add_argument("--all-practices", action="store_true", help="no longer limited to some practices")
    _full_name(change)
    common(change)
    change.set_defaults(handler=cmd_change)

    for action, text in (("disable", "disable an account: it cannot sign in, its sessions end"),
                         ("enable", "enable a disabled account")):
        parser = sub.add_parser(action, help=text, description=text[0].upper() + text[1:] + ".")
        parser.add_argument("name", metavar="NAME")
        common(parser)
        parser.set_defaults(handler=cmd_disable if action == "disable" else cmd_enable)


def _practices(parser) -> None:
    parser.add_argument("--practice", action="append", default=[], metavar="ID",
                        help="limit the account to this practice (repeat for more; default: every practice)")


def _full_name(parser) -> None:
    parser.add_argument("--full-name", metavar="TEXT",
                        help="the person's name as printed on a leaflet they reviewed (default: NAME)")


def _store(project: Project):
    from .database import open_store
    from .settings import load_settings

    return open_store(load_settings(project.root))


def _record(store, kind: str, **fields) -> None:
    from . import audit
    from .accounts import COMMAND_LINE

    audit.record(store, COMMAND_LINE, kind, **fields)


def _describe(account) -> str:
    practices = ", ".join(sorted(account.practices)) or "all practices"
    state = "disabled" if account.disabled else ("enabled" if account.has_password else
                                                 "enabled, single sign-on only")
    full_name = f" ({account.full_name})" if account.full_name else ""
    return f"{account.name}{full_name}  {account.role}  ({practices}; {state})"


def cmd_add(args, project: Project, out, err) -> int:
    from . import accounts

    store = _store(project)
    try:
        # Checked before the password is asked: a typo in the name or a practice costs no typing.
        problems = accounts.name_messages(accounts.normal_name(args.name)) + \
            accounts.full_name_messages(args.full_name or "") + \
            accounts.practice_messages(args.practice, project.practice_ids())
        if problems:
            raise accounts.AccountError(problems)
        name = accounts.normal_name(args.name)
        if accounts.find(store, name) is not None:
            raise accounts.AccountError([accounts.finding("name", "name_taken", name=name)])
        password = None if args.no_password else ask_password(err, f"password for {name}")
        account = accounts.add(store, args.name, args.role, args.practice, password, project.practice_ids(),
                               full_name=args.full_name or "")
        _record(store, "account", target=account.name, detail=f"added {account.role}")
    finally:
        store.close()
    print(f"added {_describe(account)}", file=out)
    return 0


def cmd_list(args, project: Project, out, err) -> int:
    from . import accounts

    store = _store(project)
    try:
        found = accounts.all_accounts(store)
    finally:
        store.close()
    for account in found:
        print(_describe(account), file=out)
    if not found:
        print("no accounts yet; add one with `python generate.py users add NAME --role admin`", file=out)
    return 0


def cmd_passwd(args, project: Project, out, err) -> int:
    from . import accounts

    store = _store(project)
    try:
        name = accounts.normal_name(args.name)
        if accounts.find(store, name) is None:
            raise accounts.AccountError([accounts.finding("name", "no_account", name=name)])
        password = None if args.no_password else ask_password(err, f"new password for {name}")
        account = accounts.set_password(store, args.name, password)
        _record(store, "account", target=account.name, detail="password")
    finally:
        store.close()
    print(f"password {'removed' if password is None else 'set'} for {account.name}; its sessions ended",
          file=out)
    return 0


def cmd_change(args, project: Project, out, err) -> int:
    from . import accounts

    if args.all_practices and args.practice:
        raise UserError("--practice and --all-practices exclude each other")
    practices = [] if args.all_practices else (args.practice or None)
    if args.role is None and practices is None and args.full_name is None:
        raise UserError("nothing to change: give --role, --practice, --all-practices or --full-name")
    store = _store(project)
    try:
        before = accounts.find(store, args.name)
        account = accounts.change(store, args.name, role=args.role, practices=practices,
                                  known_practices=project.practice_ids(), full_name=args.full_name)
        if args.role is not None and before.role != account.role:
            _record(store, "account", target=account.name, detail=f"role {account.role}")
        if practices is not None and before.practices != account.practices:
            _record(store, "account", target=account.name, detail="practices")
        if args.full_name is not None and before.full_name != account.full_name:
            _record(store, "account", target=account.name, detail="full name")
    finally:
        store.close()
    print(f"changed {_describe(account)}", file=out)
    return 0


def _set_disabled(args, project: Project, out, disabled: bool) -> int:
    from . import accounts

    store = _store(project)
    try:
        account = accounts.set_disabled(store, args.name, disabled)
        _record(store, "account", target=account.name, detail="disabled" if disabled else "enabled")
    finally:
        store.close()
    print(f"{'disabled' if disabled else 'enabled'} {account.name}"
          f"{'; its sessions ended' if disabled else ''}", file=out)
    return 0


def cmd_disable(args, project: Project, out, err) -> int:
    return _set_disabled(args, project, out, True)


def cmd_enable(args, project: Project, out, err) -> int:
    return _set_disabled(args, project, out, False)


def ask_password(err, what: str) -> str:
    """Twice on a terminal; one line from standard input otherwise (scripts, tests)."""
    import getpass

    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise UserError(f"no {what} on standard input (one line expected)")
        return line.rstrip("\r\n")
    first = getpass.getpass(f"{what[0].upper() + what[1:]} (at least 10 characters): ", stream=err)
    second = getpass.getpass("The same password again: ", stream=err)
    if first != second:
        raise UserError("the two passwords differ; nothing was changed")
    return first


class Reviewer:
    """`translations review --by NAME` once the web app has accounts: NAME must be an enabled
    account that may review, its full name is what the leaflet prints, and the review goes in the
    audit trail. Without accounts (the app never used off this computer) NAME is printed as given."""

    def __init__(self, project: Project, name: str):
        from . import accounts
        from .database import open_existing
        from .settings import load_settings

        self.name, self.account = name, None
        self.store = open_existing(load_settings(project.root))
        if self.store is not None:
            try:
                self.account = accounts.reviewer(self.store, name)
            except BaseException:
                self.close()
                raise

    @property
    def printed(self) -> str:
        return self.account.shown_name if self.account is not None else self.name

    def recorded(self, leaflet: str, lang: str, version: str) -> None:
        if self.store is not None and self.account is not None:
            _record(self.store, "review", target=self.account.name, leaflet=leaflet, lang=lang, version=version)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
