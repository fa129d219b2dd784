"""What the plan asks of an input the manifest does not know yet: the parsers and Babel.

Imported by the package's __init__ only when an input changed; a run with nothing to do never
loads this module (nor pydantic, markdown-it or Babel through it).
"""

from __future__ import annotations

from ..errors import UserError
from ..translate.catalogs import language_name
from ..inputs.practice import load_practice
from ..inputs.project import TEMPLATE_DOMAIN, Project
from ..inputs.leaflet import load_leaflet
from ..translate.review.state import index_fields, review_state
from ..translate.quality import catalog_findings
from ..translate.status import incomplete_reason


def practice_info(project: Project, practice_id: str) -> dict:
    """What the plan needs of a profile: raises UserError when it cannot be read."""
    practice = load_practice(project, practice_id)
    return {"name": practice.name, "variants": list(practice.variants),
            "bilingual": practice.bilingual, "languages": list(practice.languages),
            "require_review": practice.require_review}


def leaflet_info(project: Project, leaflet_id: str) -> dict:
    """What the plan needs of a leaflet (its pictures): raises UserError when it cannot be read."""
    leaflet = load_leaflet(project, leaflet_id)
    return {"images": sorted({block.src for block in leaflet.blocks
                              if block.kind == "image" and block.src})}


def completeness(project: Project, leaflet_id: str, lang: str) -> dict:
    """Whether the leaflet can be built as final in `lang`; if not, why, as the summary says it."""
    leaflet = load_leaflet(project, leaflet_id)
    try:
        reason = incomplete_reason(project, leaflet, lang)
    except UserError as exc:
        # A catalog that cannot be read (a link, too large, a language Babel does not know):
        # this language is skipped with the reason; the others are built.
        reason = "; ".join(exc.lines)
    try:
        review = index_fields(review_state(project, leaflet, lang))
    except UserError as exc:   # a review record that cannot be read: nothing is built from it
        review = index_fields(None)
        reason = "; ".join(filter(None, [reason, *exc.lines]))
    name = language_name(lang, "en")
    skipped = f"skipped {leaflet_id} in {name} ({lang}): {reason}" if reason else ""
    return {"reason": reason, "skipped": skipped, "review": review, "language": name,
            "quality": quality_lines(project, leaflet_id, lang)}


def quality_lines(project: Project, leaflet_id: str, lang: str) -> list[str]:
    """The quality findings of the leaflet's catalog and the template strings' in `lang`, one line
    each (translate.quality): the main job's warnings. A language table or termbase that cannot
    be read is one line too."""
    try:
        return [str(finding) for domain in (leaflet_id, TEMPLATE_DOMAIN)
                for finding in catalog_findings(project, domain, lang)]
    except UserError as exc:
        return exc.lines
