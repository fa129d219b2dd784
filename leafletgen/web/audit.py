"""Recording in the audit trail from a page: `audit.record(kind, **fields)`, by the request's account.

    audit.record("review", leaflet="lage-rugklachten", lang="tr", version="1.2")
    audit.record("leaflet", leaflet="knie", version="2.0", detail="new version")

Kinds and fields are those of store/audit.py (KINDS, FIELDS); any other field is refused, so a
personal note or anything a patient said cannot be passed on. A failure to record is an error
of the request: nothing is served or confirmed that the trail does not hold.
"""

from __future__ import annotations

from flask import current_app, g

from ..store import audit as trail
from ..store.accounts import Account


def store():
    return current_app.extensions["leafletgen.store"]


def record(kind: str, **fields) -> None:
    """One event by the request's account (the local one on this computer without a login)."""
    account: Account | None = g.get("account")
    if account is None:
        raise RuntimeError("audit.record outside a signed-in request")
    trail.record(store(), account, kind, **fields)


def document_served(choice, version: str, kind: str) -> None:
    """A leaflet served to staff as a PDF or HTML file (choice: web.choice.Choice)."""
    record("document", leaflet=choice.leaflet, version=version or None, lang=choice.lang,
           practice=choice.practice, variant=choice.variant, format=kind,
           bilingual=bool(choice.bilingual), draft=bool(choice.draft))
