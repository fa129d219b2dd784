"""At most ATTEMPTS passwords checked per account and address in a window of WINDOW.

An attempt takes its place *before* its password is checked, in one statement (an upsert that
counts and returns the count), so sixteen guesses sent at once check five, on one server or on
several sharing the database. The window starts with the first attempt and is never extended:
once it is over, the right password is accepted again, however many guesses came meanwhile.
Keyed by account and address together, a stranger's guesses lock out only their own address.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete

from . import schema
from .database import Store

ATTEMPTS = 5
WINDOW = dt.timedelta(seconds=60)


def key(name: str, address: str) -> str:
    return f"{name[:100]}\n{address[:64]}"


def take_attempt(store: Store, name: str, address: str) -> dt.timedelta | None:
    """Take a place for one password check: None when it may go ahead; else how long until the
    window ends (the caller refuses without checking)."""
    now = store.now()
    table = schema.login_limits
    values = {"key": key(name, address), "window_start": now, "attempts": 1}
    if store.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(values)
    expired = table.c.window_start <= now - WINDOW
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"attempts": case((expired, 1), else_=table.c.attempts + 1),
              "window_start": case((expired, now), else_=table.c.window_start)},
    ).returning(table.c.attempts, table.c.window_start)
    with store.write() as connection:
        attempts, started = connection.execute(statement).one()
    if attempts <= ATTEMPTS:
        return None
    # (another request's `now`, a moment later than ours, may have started the window)
    return min(max(started + WINDOW - now, dt.timedelta(seconds=1)), WINDOW)


def forget(store: Store, name: str, address: str) -> None:
    """After the right password: this account and address start afresh."""
    with store.write() as connection:
        connection.execute(delete(schema.login_limits).where(schema.login_limits.c.key == key(name, address)))


def remove_old(store: Store) -> None:
    """Windows long over (kept by nobody)."""
    with store.write() as connection:
        connection.execute(delete(schema.login_limits).where(
            schema.login_limits.c.window_start < store.now() - 10 * WINDOW))
