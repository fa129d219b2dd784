"""What the server tidies in the database now and then: expired sessions, old login limits, and
account names in audit events older than the retention period."""

from __future__ import annotations

from . import audit, login_limits, sessions
from .database import Store


def tidy(store: Store, keep_names_days: int) -> None:
    sessions.remove_expired(store)
    login_limits.remove_old(store)
    audit.forget_names(store, keep_names_days)
