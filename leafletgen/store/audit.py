"""The audit trail: every change and every document served, with who, when and what.

An event holds names of things (leaflet, version, language, practice, variant, the account a
users change is about) and a short detail written by our own code; `record` refuses any other
field, so a patient's note or a form's text cannot end up here. After the retention period
(`audit.keep_names_days`) an event's account name is replaced by its role: the trail still
says what was printed when, no longer by whom.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, fields as dataclass_fields

from sqlalchemy import and_, func, insert, or_, select, update

from . import schema
from .accounts import Account
from .database import Store

KINDS = (
    "document",        # a PDF, HTML leaflet or patient pack served
    "profile",         # a practice's profile saved
    "logo",            # a practice's logo replaced or removed
    "practice",        # a practice created or retired
    "catalog",         # a translation (.po) uploaded
    "review",          # a translation's review recorded, or one unit of it approved
    "question",        # a reviewer's question about a leaflet's Dutch, for its editor
    "leaflet",         # a leaflet's Dutch text saved
    "account",         # an account added or changed
    "login", "logout", "login_refused",
)
FIELDS = ("practice", "leaflet", "version", "lang", "variant", "format", "bilingual", "draft",
          "target", "detail")
_LENGTHS = {column.name: column.type.length for column in schema.audit.columns
            if getattr(column.type, "length", None)}


def record(store: Store, account: Account, kind: str, **values) -> None:
    """Add one event by `account`. Only FIELDS are accepted: anything else is a bug."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise TypeError(f"audit events hold no {', '.join(unknown)}: only {', '.join(FIELDS)}")
    row = {key: _bounded(key, value) for key, value in values.items() if value is not None}
    with store.write() as connection:
        connection.execute(insert(schema.audit).values(
            at=store.now(), kind=kind, account=account.name, account_id=account.id, role=account.role,
            via=account.via, **row))


def _bounded(key: str, value):
    if isinstance(value, bool) or key in ("bilingual", "draft"):
        return bool(value)
    text = " ".join(str(value).split())
    limit = _LENGTHS.get(key)
    return text[:limit] if limit else text


@dataclass(frozen=True)
class Query:
    """Which events: every field optional; `since` and `until` are days, both included, in the
    server's time zone; `practices` limits to those practices (an account limited to some)."""

    kind: str = ""
    account: str = ""
    leaflet: str = ""
    version: str = ""
    lang: str = ""
    practice: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    practices: frozenset = frozenset()

    def conditions(self) -> list:
        table = schema.audit.c
        found = [getattr(table, name) == getattr(self, name) for name in
                 ("kind", "account", "leaflet", "version", "lang", "practice") if getattr(self, name)]
        if self.since:
            found.append(table.at >= local_midnight_utc(self.since))
        if self.until:
            found.append(table.at < local_midnight_utc(self.until + dt.timedelta(days=1)))
        if self.practices:
            found.append(table.practice.in_(sorted(self.practices)))
        return found


def local_midnight_utc(day: dt.date) -> dt.datetime:
    """The start of `day` in the server's time zone, as a UTC time without zone (as stored)."""
    local = dt.datetime.combine(day, dt.time()).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def local_time(at: dt.datetime) -> dt.datetime:
    """A stored time in the server's time zone."""
    return at.replace(tzinfo=dt.UTC).astimezone()


@dataclass(frozen=True)
class Event:
    id: int
    at: dt.datetime                     # in the server's time zone
    kind: str
    account: str
    role: str
    via: str
    named: bool                         # False once the name has been replaced by the role
    practice: str | None = None
    leaflet: str | None = None
    version: str | None = None
    lang: str | None = None
    variant: str | None = None
    format: str | None = None
    bilingual: bool | None = None
    draft: bool | None = None
    target: str | None = None
    detail: str | None = None


def events(store: Store, query: Query, limit: int = 200, offset: int = 0) -> tuple[list[Event], int]:
    """The newest events that match (at most `limit`), and how many match in all."""
    conditions = and_(*query.conditions()) if query.conditions() else None
    select_rows = select(schema.audit).order_by(schema.audit.c.at.desc(), schema.audit.c.id.desc())
    count = select(func.count()).select_from(schema.audit)
    if conditions is not None:
        select_rows, count = select_rows.where(conditions), count.where(conditions)
    with store.read() as connection:
        rows = connection.execute(select_rows.limit(limit).offset(offset)).mappings().all()
        total = connection.execute(count).scalar()
    return [_event(row) for row in rows], total


def who(store: Store, query: Query) -> list[tuple[str, int, dt.datetime, dt.datetime]]:
    """Per account: how many events match, the first and the last (for "who printed …")."""
    table = schema.audit.c
    statement = (select(table.account, func.count(), func.min(table.at), func.max(table.at))
                 .group_by(table.account).order_by(func.count().desc(), table.account))
    if query.conditions():
        statement = statement.where(and_(*query.conditions()))
    with store.read() as connection:
        return [(account, count, local_time(first), local_time(last))
                for account, count, first, last in connection.execute(statement)]


def last_printed(store: Store, practice: str, leaflet: str) -> tuple[str, dt.datetime] | None:
    """The version of `leaflet` last served for `practice` as a final PDF (with or without a note,
    alone or in a pack; not a concept, not the web version), and when (in the server's time
    zone); None if it never was."""
    table = schema.audit.c
    statement = (select(table.version, table.at)
                 .where(table.kind == "document", table.leaflet == leaflet, table.practice == practice,
                        table.version.is_not(None), table.format != "html",
                        or_(table.draft.is_(None), table.draft.is_(False)))
                 .order_by(table.at.desc(), table.id.desc()).limit(1))
    with store.read() as connection:
        row = connection.execute(statement).first()
    return (row[0], local_time(row[1])) if row is not None else None


def _event(row) -> Event:
    values = {item.name: row[item.name] for item in dataclass_fields(Event)
              if item.name in row and item.name not in ("at", "named")}
    return Event(at=local_time(row["at"]), named=row["account"] != row["role"], **values)


CSV_COLUMNS = ("time", "kind", "account", "role", "via", "practice", "leaflet", "version", "lang",
               "variant", "format", "bilingual", "draft", "target", "detail")


def csv_text(store: Store, query: Query) -> str:
    """Every matching event as CSV (UTF-8, a header row; times ISO 8601 with their offset)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    offset = 0
    while True:
        batch, _total = events(store, query, limit=1000, offset=offset)
        for event in batch:
            writer.writerow([event.at.isoformat(timespec="seconds")] + [
                _csv_value(getattr(event, column)) for column in CSV_COLUMNS[1:]])
        if len(batch) < 1000:
            return buffer.getvalue()
        offset += 1000


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    # A spreadsheet runs a cell that starts with = + - @ as a formula: quoted with ' instead.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def forget_names(store: Store, keep_days: int) -> int:
    """Replace the names of people in events older than `keep_days` by their role (and drop the
    account a users change was about); how many events changed. "local" and "cli" are no one's
    names and stay."""
    cutoff = store.now() - dt.timedelta(days=keep_days)
    table = schema.audit
    with store.write() as connection:
        named = connection.execute(update(table).where(
            table.c.at < cutoff, table.c.via.in_(("password", "sso")),
            or_(table.c.account_id.is_not(None), table.c.account != table.c.role))
            .values(account=table.c.role, account_id=None)).rowcount
        targets = connection.execute(update(table).where(table.c.at < cutoff, table.c.target.is_not(None))
                                     .values(target=None)).rowcount
    return named + targets
