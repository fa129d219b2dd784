"""The tables, and the ordered steps that bring a database of any earlier version to this one.

`schema_version` holds one row: the number of steps applied. A released step never changes;
a change to the tables is a new step appended to MIGRATIONS (with the tables below updated to
match). Times are UTC, stored without a zone (SQLite has none).
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text)

NAME_MAX = 80            # an account's name: a login name or an e-mail address from single sign-on
FULL_NAME_MAX = 120      # a person's name as printed on a leaflet they reviewed
metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_MAX), nullable=False, unique=True),     # lower case
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255)),            # none: signs in through the proxy only
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("full_name", String(FULL_NAME_MAX)),      # since version 2
)

# An account limited to some practices has a row per practice; one without rows sees them all.
account_practices = Table(
    "account_practices", metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("practice", String(NAME_MAX), primary_key=True),
)

# A session's cookie holds a random token; the table only its SHA-256, so a copy of the
# database opens no session.
sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), index=True),
    Column("data", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False, index=True),
)

# Password attempts per account and address, in windows of a minute (login_limits.py).
login_limits = Table(
    "login_limits", metadata,
    Column("key", String(200), primary_key=True),
    Column("window_start", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
)

# What was changed and which document was served, by whom (audit.py). Never patient data.
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("account", String(NAME_MAX), nullable=False),   # the name; the role once names expire
    Column("account_id", Integer),                         # none once the name has expired
    Column("role", String(16), nullable=False),
    Column("via", String(16), nullable=False),             # local, password, sso, cli
    Column("practice", String(NAME_MAX)),
    Column("leaflet", String(NAME_MAX)),
    Column("version", String(32)),
    Column("lang", String(16)),
    Column("variant", String(32)),
    Column("format", String(8)),
    Column("bilingual", Boolean),
    Column("draft", Boolean),
    Column("target", String(NAME_MAX)),                    # the account a users change is about
    Column("detail", String(500)),
)
Index("audit_at", audit.c.at)
Index("audit_leaflet_at", audit.c.leaflet, audit.c.at)
Index("audit_account_at", audit.c.account_id, audit.c.at)


def _create_first_tables(connection) -> None:
    """Version 1: the accounts table as it was then (frozen here), and the others."""
    first = MetaData()
    Table("accounts", first,
          Column("id", Integer, primary_key=True),
          Column("name", String(NAME_MAX), nullable=False, unique=True),
          Column("role", String(16), nullable=False),
          Column("password_hash", String(255)),
          Column("disabled", Boolean, nullable=False, default=False),
          Column("created_at", DateTime, nullable=False),
          Column("changed_at", DateTime, nullable=False)).create(connection)
    metadata.create_all(connection, tables=[account_practices, sessions, login_limits, audit])


def _add_full_names(connection) -> None:
    """Version 2: a person's full name, printed on a leaflet they reviewed (`translations
    review --by` names the account)."""
    connection.exec_driver_sql(f"ALTER TABLE accounts ADD COLUMN full_name VARCHAR({FULL_NAME_MAX})")


# The steps in order: MIGRATIONS[n] brings a database from version n to n + 1.
MIGRATIONS = [
    _create_first_tables,
    _add_full_names,
]
