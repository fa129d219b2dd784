"""Sessions kept in the database: the cookie holds a random token, the table its hash and data.

Ending a session deletes its row, so a copied cookie stops working on every server that shares
the database. A signed-in session lasts SIGNED_IN at most from the sign-in; one without an
account (a form's CSRF token before logging in, or on this computer without a login) lasts
ANONYMOUS from its last change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, insert, select, update

from . import schema
from .database import Store

SIGNED_IN = dt.timedelta(hours=12)
ANONYMOUS = dt.timedelta(hours=12)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load(store: Store, token: str) -> tuple[str, int | None] | None:
    """(data, account id) of a live session, or None (unknown, ended or expired)."""
    if not token or len(token) > 100:
        return None
    with store.read() as connection:
        row = connection.execute(select(schema.sessions.c.data, schema.sessions.c.account_id).where(
            schema.sessions.c.token_hash == token_hash(token),
            schema.sessions.c.expires_at > store.now())).first()
    return (row.data, row.account_id) if row is not None else None


def save(store: Store, token: str | None, data: str, account_id: int | None, renew: bool) -> str | None:
    """Store a session's data; a new token (and row) when there is none or `renew` asks for one
    (at sign-in, so a token known before it is worth nothing after). The token in use; None when
    a signed-in session ended meanwhile (signed out, password changed, account disabled): a
    request that was under way then does not bring it back."""
    now = store.now()
    with store.write() as connection:
        if token is not None and not renew:
            changed = connection.execute(update(schema.sessions).where(
                schema.sessions.c.token_hash == token_hash(token),
                schema.sessions.c.expires_at > now).values(
                data=data, **({} if account_id else {"expires_at": now + ANONYMOUS})))
            if changed.rowcount == 1:
                return token
            if account_id is not None:
                return None
        if token is not None:
            connection.execute(delete(schema.sessions).where(schema.sessions.c.token_hash == token_hash(token)))
        token = new_token()
        connection.execute(insert(schema.sessions).values(
            token_hash=token_hash(token), account_id=account_id, data=data, created_at=now,
            expires_at=now + (SIGNED_IN if account_id else ANONYMOUS)))
    return token


def end(store: Store, token: str) -> None:
    with store.write() as connection:
        connection.execute(delete(schema.sessions).where(schema.sessions.c.token_hash == token_hash(token)))


def remove_expired(store: Store) -> int:
    with store.write() as connection:
        return connection.execute(delete(schema.sessions).where(
            schema.sessions.c.expires_at <= store.now())).rowcount
