"""The main menu of every page: the pages this account may use, and the one it is on."""

from __future__ import annotations

from flask import g, request

from . import access
from .i18n import _


def navigation():
    return {"nav": [
        # Translators: The main menu: the page to make leaflets ("folder" is Dutch for leaflet).
        ("staff.index", _("Folders")),
        # Translators: The main menu: the settings of each practice (name, logo, colour, address).
        ("practices.index", _("Praktijken")),
        # Translators: The main menu: the page for the translations of the leaflets.
        ("translations.index", _("Vertalingen")),
        # Translators: The main menu: the page that checks whether a saved leaflet (PDF) is current.
        ("verify.page", _("Controleren"))] + ([
        # Translators: The main menu: the page where a reviewer reads translations against the Dutch
        # and approves them.
        ("review.index", _("Nakijken"))] if access.may("review") else []) + ([
        # Translators: The main menu: the leaflet editor, where the Dutch text of a leaflet is written.
        ("editor.index", _("Teksten"))] if access.may("edit_leaflet") or access.may("review") else []) + ([
        # Translators: The main menu: the page where an admin manages the accounts (who may sign in).
        ("users.index", _("Gebruikers"))] if access.may("manage_users") else []) + ([
        # Translators: The main menu: the audit trail (who changed what, who printed which leaflet).
        ("audit.index", _("Logboek"))] if access.may("read_audit") else []),
            "active": (request.endpoint or "").split(".")[0] if request else "",
            "login_required": g.get("login_required", False)}
