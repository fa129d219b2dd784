"""The audit trail, for admins: filter it, answer "who printed version 1.0 of this leaflet between
these dates", export it as CSV.

    GET /audit?kind=document&leaflet=ID&version=1.0&since=2026-03-01&until=2026-03-31
    GET /audit.csv?…the same filters

An admin limited to some practices sees the events of those practices only.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, render_template, request, url_for

from ..store import audit as trail
from . import access, audit, library
from .choice import VARIANT_TEXTS
from .context import project
from .i18n import N_, _
from .users_page import role_name

blueprint = Blueprint("audit", __name__)

PAGE = 200

KIND_NAMES = {
    # Translators: A kind of event in the audit trail: a leaflet was opened or downloaded (as a PDF,
    # a web page or in a patient pack) from the app.
    "document": N_("Folder geopend of gedownload"),
    # Translators: A kind of event in the audit trail: a practice's details were saved.
    "profile": N_("Praktijkgegevens opgeslagen"),
    # Translators: A kind of event in the audit trail: a practice's logo was replaced or removed.
    "logo": N_("Logo veranderd"),
    # Translators: A kind of event in the audit trail: a practice was added or retired.
    "practice": N_("Praktijk toegevoegd of opgeheven"),
    # Translators: A kind of event in the audit trail: a translation file (.po) was uploaded.
    "catalog": N_("Vertaling teruggezet"),
    # Translators: A kind of event in the audit trail: a person recorded that they checked a translation.
    "review": N_("Vertaling nagekeken"),
    # Translators: A kind of event in the audit trail: a reviewer asked the editors a question about
    # a leaflet's Dutch text.
    "question": N_("Vraag over de folder gesteld"),
    # Translators: A kind of event in the audit trail: the Dutch text of a leaflet was changed.
    "leaflet": N_("Folder bewerkt"),
    # Translators: A kind of event in the audit trail: an account was added or changed.
    "account": N_("Account veranderd"),
    # Translators: A kind of event in the audit trail: someone signed in.
    "login": N_("Aangemeld"),
    # Translators: A kind of event in the audit trail: someone signed out.
    "logout": N_("Afgemeld"),
    # Translators: A kind of event in the audit trail: a sign-in was refused.
    "login_refused": N_("Aanmelden geweigerd"),
}
FORMAT_NAMES = {
    "pdf": N_("PDF"),
    # Translators: The leaflet as a web page (HTML) rather than a PDF.
    "html": N_("webversie"),
    # Translators: Several leaflets in one PDF, for one patient.
    "pack": N_("pakket"),
    # Translators: A PDF printed with a personal note for one patient (the note itself is never kept).
    "note": N_("PDF met notitie"),
}
DETAIL_WORDS = {
    # Translators: Detail of an audit event: a sign-in was refused because the password was wrong.
    "wrong_password": N_("verkeerd wachtwoord"),
    # Translators: Detail of an audit event: a sign-in was refused after too many tries in a minute.
    "too_many_attempts": N_("te veel pogingen"),
    # Translators: Detail of an audit event: a practice got a new logo.
    "new": N_("nieuw logo"),
    # Translators: Detail of an audit event: a practice's logo was removed.
    "removed": N_("logo weggehaald"),
    # Translators: Detail of an audit event: an account's password was set anew.
    "password": N_("nieuw wachtwoord"),
    # Translators: Detail of an audit event: an account was switched off.
    "disabled": N_("uitgeschakeld"),
    # Translators: Detail of an audit event: an account was switched on again.
    "enabled": N_("ingeschakeld"),
    # Translators: Detail of an audit event: the practices an account is for were changed.
    "practices": N_("praktijken gewijzigd"),
    # Translators: Detail of an audit event: the full name of an account (printed on leaflets the
    # person reviewed) was changed.
    "full name": N_("volledige naam gewijzigd"),
    # Translators: Detail of an audit event: one unit of a translation was corrected on the review page.
    "review page": N_("verbeterd op de nakijkpagina"),
    # Translators: Detail of an audit event: one unit of a translation was approved on the review page.
    "unit approved": N_("één zin goedgekeurd"),
    # Translators: Detail of an audit event: a practice was added.
    "created": N_("aangemaakt"),
    # Translators: Detail of an audit event: a practice was retired (archived).
    "retired": N_("gearchiveerd"),
    # Translators: Detail of an audit event: a new leaflet was started as a draft.
    "new draft": N_("nieuwe folder (concept)"),
    # Translators: Detail of an audit event: a leaflet's draft was saved.
    "draft saved": N_("concept opgeslagen"),
    # Translators: Detail of an audit event: a reviewer approved a leaflet's draft.
    "approved": N_("goedgekeurd"),
    # Translators: Detail of an audit event: a leaflet's approved draft became the published version.
    "published": N_("gepubliceerd"),
}
# The profile's keys, as the practice form names them.
PROFILE_FIELDS = {
    "name": N_("Naam van de praktijk"), "address": N_("Adres"), "phone": N_("Telefoon"),
    "email": N_("E-mail"), "website": N_("Website"), "color": N_("Kleur (#rrggbb)"),
    # Translators: In the audit trail: the print variants of a practice were changed.
    "variants": N_("uitvoeringen"),
    # Translators: In the audit trail: the languages of a practice were changed.
    "languages": N_("talen"),
    # Translators: In the audit trail: the setting for printing two languages side by side was changed.
    "bilingual": N_("tweetalig"),
    # Translators: In the audit trail: the link of the practice's QR code was changed.
    "qr_url": N_("QR-code"),
    # Translators: In the audit trail: the setting "only translations a person has checked" was changed.
    "require_review": N_("alleen nagekeken vertalingen"),
}


def detail_words(event: trail.Event) -> str:
    """An event's detail in the page's language (a detail another page wrote in words: as is)."""
    detail = event.detail or ""
    if event.kind == "profile":
        return ", ".join(_(PROFILE_FIELDS[key]) if key in PROFILE_FIELDS else key
                         for key in detail.split(", ") if key)
    if event.kind == "account":
        if detail.startswith("added "):
            # Translators: Detail of an audit event: an account was made, with the role %(role)s.
            return _("aangemaakt als %(role)s", role=role_name(detail[len("added "):]).lower())
        if detail.startswith("role "):
            # Translators: Detail of an audit event: an account got the role %(role)s.
            return _("nieuwe rol: %(role)s", role=role_name(detail[len("role "):]).lower())
    return _(DETAIL_WORDS[detail]) if detail in DETAIL_WORDS else detail


def who_words(event: trail.Event) -> str:
    if event.via == "local":
        # Translators: In the audit trail: the person at the computer the app runs on, without a
        # login (the app used on that computer only).
        return _("deze computer")
    if event.via == "cli":
        # Translators: In the audit trail: a change made with the command line on the server.
        return _("opdrachtregel op de server")
    if not event.named:
        # Translators: In the audit trail: the person's name is no longer kept (after the retention
        # period); %(role)s is their role.
        return _("%(role)s (naam niet meer bewaard)", role=role_name(event.role))
    return event.account


def _query(args) -> tuple[trail.Query, dict]:
    errors = {}
    dates = {}
    for key in ("since", "until"):
        value = (args.get(key) or "").strip()
        try:
            dates[key] = dt.date.fromisoformat(value) if value else None
        except ValueError:
            dates[key] = None
            # Translators: A date in the filter of the audit trail could not be read.
            errors[key] = _("Geen datum; schrijf bijvoorbeeld 2026-03-31.")
    me = access.account()
    practice = (args.get("practice") or "").strip()[:80]
    return trail.Query(
        kind=args.get("kind", "") if args.get("kind", "") in trail.KINDS else "",
        account=(args.get("account") or "").strip().lower()[:80],
        leaflet=(args.get("leaflet") or "").strip()[:80],
        version=(args.get("version") or "").strip()[:32],
        lang=(args.get("lang") or "").strip()[:16],
        practice=practice, since=dates["since"], until=dates["until"],
        practices=me.practices if me is not None else frozenset()), errors


@blueprint.route("/audit")
@access.requires("read_audit")
def index():
    query, errors = _query(request.args)
    try:
        offset = max(0, int(request.args.get("offset", "0")))
    except ValueError:
        offset = 0
    events, total = trail.events(audit.store(), query, limit=PAGE, offset=offset)
    asked = {key: value for key, value in request.args.items() if key != "offset" and value}
    who = trail.who(audit.store(), query) if query.kind == "document" and any(
        (query.leaflet, query.version, query.since, query.until)) else None
    proj = project()
    leaflets = [info for info in library.leaflets(proj) if not info.problem]
    languages = library.languages(proj)
    practices = access.visible(library.practices(proj))
    return render_template(
        "audit.html", events=events, total=total, offset=offset, page=PAGE, query=query, asked=asked,
        errors=errors, who=who, kinds=[(kind, _(name)) for kind, name in KIND_NAMES.items()],
        kind_name=lambda kind: _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind,
        format_name=lambda value: _(FORMAT_NAMES[value]) if value in FORMAT_NAMES else (value or ""),
        detail_words=detail_words, who_words=who_words,
        variant_name=lambda value: _(VARIANT_TEXTS[value][0]) if value in VARIANT_TEXTS else value,
        leaflets=leaflets, languages=languages, practices=practices,
        # Names as staff know them; an id no longer on disk (a removed leaflet) stays as it was.
        leaflet_titles={info.id: info.title for info in leaflets},
        language_names={info.lang: info.name_ui for info in languages},
        practice_names={info.id: info.name for info in library.practices(proj)},
        csv_url=url_for("audit.export", **asked),
        newer_url=url_for("audit.index", **asked, offset=max(0, offset - PAGE)) if offset else None,
        older_url=url_for("audit.index", **asked, offset=offset + PAGE) if offset + PAGE < total else None)


@blueprint.route("/audit.csv")
@access.requires("read_audit")
def export():
    query, _errors = _query(request.args)
    response = Response(trail.csv_text(audit.store(), query), mimetype="text/csv")
    stamp = dt.date.today().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="leafletgen-audit-{stamp}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
