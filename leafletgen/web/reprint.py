""""Newer since you last printed it": the staff page tells reception that the practice last
printed an older version of the leaflet, so that the old printed copies are thrown away."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g

from ..store import audit as trail
from . import audit


@dataclass(frozen=True)
class Reprint:
    printed: str          # the version the practice printed last
    on: str               # when, as a date in the page's language
    current: str          # the version the preview shows


def newer_since_printed(choice, rendered) -> Reprint | None:
    """A Reprint when `choice`'s practice last printed an older version of its leaflet than the
    final document `rendered` (the staff page's preview); None otherwise."""
    if rendered is None or rendered.draft or not rendered.version:
        return None
    last = trail.last_printed(audit.store(), choice.practice, choice.leaflet)
    if last is None or not _older(last[0], rendered.version):
        return None
    from babel.dates import format_date

    return Reprint(last[0], format_date(last[1].date(), format="long", locale=g.get("ui_lang", "nl")),
                   rendered.version)


def _older(printed: str, current: str) -> bool:
    """Whether version `printed` comes before `current` ("1.9" before "1.10"); versions that are
    not dotted numbers are older when they differ."""
    try:
        return tuple(map(int, printed.split("."))) < tuple(map(int, current.split(".")))
    except ValueError:
        return printed != current
