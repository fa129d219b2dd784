"""What the web app offers: the leaflets, languages, practices and variants on disk right now.

Every name that comes in with a URL or a form is looked up here, in lists read from the project
folder, before anything else happens: a name not in the list is unknown (404), never a path.
Everything is read again on each request (cheaply: the parsers keep what they made of the same
bytes), so a leaflet, a catalog or a practice added or changed while the server runs is there,
as it is, at the next request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UserError
from ..translate.catalogs import language_name, text_direction
from ..inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, Project
from ..typeset.variants import VARIANTS

@dataclass(frozen=True)
class LeafletInfo:
    id: str
    title: str                       # Dutch, plain text
    units: int
    problem: str = ""                # the leaflet cannot be read: the first problem


@dataclass(frozen=True)
class LanguageInfo:
    lang: str
    name: str                        # in its own script
    name_ui: str                     # in the page's language (Dutch, or the browser's)
    dir: str


@dataclass
class Completeness:
    """A leaflet in one language: how much is translated, and what stops it being final."""

    lang: str
    percent: int = 100
    missing: list[str] = field(default_factory=list)      # untranslated or fuzzy units
    labels_missing: list[str] = field(default_factory=list)  # template strings
    problems: list[str] = field(default_factory=list)     # catalog problems: refused even as a draft
    file: str = ""
    reasons: list = field(default_factory=list)           # the catalogs' problems, as Problems

    @property
    def complete(self) -> bool:
        return not self.missing and not self.labels_missing and not self.problems


@dataclass(frozen=True)
class PracticeInfo:
    id: str
    name: str
    problem: str = ""                # the profile cannot be read: the first problem
    require_review: bool = False     # only translations a person has reviewed (review_state.py)


def load_leaflet(project: Project, leaflet_id: str):
    """The parsed leaflet, as it is now; UserError when it is bad."""
    from ..inputs.leaflet import load_leaflet as load

    return load(project, leaflet_id)


def leaflets(project: Project) -> list[LeafletInfo]:
    from ..markup.inline import plain_text

    found = []
    for leaflet_id in project.leaflet_ids():
        try:
            leaflet = load_leaflet(project, leaflet_id)
        except UserError as exc:
            found.append(LeafletInfo(leaflet_id, leaflet_id, 0, exc.lines[0]))
            continue
        found.append(LeafletInfo(leaflet_id, plain_text(leaflet.title), len(leaflet.units())))
    return found


def languages(project: Project) -> list[LanguageInfo]:
    """Every language, named in its own script and in the language of the page being made."""
    from flask import g, has_request_context

    ui = g.get("ui_lang", SOURCE_LANGUAGE) if has_request_context() else SOURCE_LANGUAGE
    return [LanguageInfo(lang, language_name(lang), language_name(lang, ui), text_direction(lang))
            for lang in project.languages()]


def practices(project: Project) -> list[PracticeInfo]:
    from ..inputs.practice import load_practice

    found = []
    for practice_id in project.practice_ids():
        try:
            practice = load_practice(project, practice_id)
            found.append(PracticeInfo(practice_id, practice.name,
                                      require_review=practice.require_review))
        except UserError as exc:
            found.append(PracticeInfo(practice_id, practice_id, exc.lines[0]))
    return found


def completeness(project: Project, leaflet_id: str, lang: str) -> Completeness:
    """The share of the leaflet translated into `lang`, and what is missing (catalogs are read
    through the build's own readers and checks, as they are now)."""
    if lang == SOURCE_LANGUAGE:
        return Completeness(lang)
    from ..translate.catalog_checks import catalog_problems
    from ..inputs.project import TEMPLATE_DOMAIN
    from ..translate.status import leaflet_status, templates_status

    leaflet = load_leaflet(project, leaflet_id)
    row = leaflet_status(project, leaflet, lang)
    labels = templates_status(project, lang)
    # The figure is the leaflet's own (as `list` and `translations status` give it); missing
    # template strings keep it from being complete, and are listed, but add nothing to it.
    return Completeness(lang, percent=row.percent, missing=list(row.missing),
                        labels_missing=list(labels.missing),
                        problems=list(row.problems) + list(labels.problems), file=row.file,
                        reasons=catalog_problems(project, leaflet_id, lang) +
                        catalog_problems(project, TEMPLATE_DOMAIN, lang))


def known_practice(project: Project, practice_id: str | None) -> bool:
    return practice_id in (None, "", DEFAULT_PRACTICE_ID) or practice_id in project.practice_ids()


def known_variant(variant: str) -> bool:
    return variant in VARIANTS
