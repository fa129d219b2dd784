"""How far each translation is: `translations status`, and whether a language is complete enough
to build (the main job, the web app) or to review.

Status counts against the *current* sources (the leaflet's units, the templates' strings:
extract.py), not against whatever .pot happens to be on disk, and counts a fuzzy entry as not
translated (as the build does: `pybabel compile --statistics` counts fuzzy entries as
translated). A catalog the build would refuse is never complete. A leaflet catalog's row carries
its review state (review_state.py), and every row the quality findings of its catalog
(translate.quality: warnings, errors with --strict).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .catalog_checks import catalog_report
from ..inputs.leaflet import load_leaflet
from ..errors import UserError, shorten
from .extract import template_msgids
from .catalogs import (SOURCE_LANGUAGE, TEMPLATE_DOMAIN, filled, language_name, languages,
                       load_catalog)
from ..inputs.model import Leaflet
from ..inputs.project import Project, catalog_file
from .review.records import record_path
from .review.state import ReviewState, review_state
from .quality import catalog_findings


def completeness_percent(translated: int, total: int) -> int:
    """The one completeness figure every screen shows (`list`, `translations status`, the web
    app's pages): whole percent of the units translated, rounded down, so 100 % means every unit
    is there. A leaflet's figure counts its own units only: the template strings, shared by every
    leaflet, are a catalog (and a figure) of their own."""
    return 100 * translated // total if total else 100


@dataclass
class CatalogStatus:
    domain: str
    lang: str
    file: str
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    missing: list[str] = field(default_factory=list)      # msgids fuzzy or untranslated
    fuzzy_ids: list[str] = field(default_factory=list)    # the fuzzy ones among them
    problems: list[str] = field(default_factory=list)     # e.g. a translation dropped a link
    review: object = None   # a leaflet catalog's review.ReviewState (None for the template strings)
    findings: list = field(default_factory=list)          # translate.quality: what to look at

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> int:
        return completeness_percent(self.translated, self.total)

    @property
    def complete(self) -> bool:
        """Every unit translated and nothing for which the build would refuse the catalog."""
        return self.translated == self.total and not self.problems

    def as_dict(self) -> dict:
        data = {f.name: list(value) if isinstance(value := getattr(self, f.name), list) else value
                for f in fields(self) if f.name not in ("review", "findings")}
        data["findings"] = [finding_dict(finding) for finding in self.findings]
        data.update(total=self.total, percent=self.percent, complete=self.complete)
        if self.review is not None:
            data["review"] = self.review.as_dict()
        return data


def catalog_status(project: Project, domain: str, lang: str, msgids: list) -> CatalogStatus:
    status = CatalogStatus(domain, lang, catalog_file(domain, lang))
    # Checked like any input (catalog_validation): a catalog with problems is refused by the build.
    # One that cannot be used at all counts as untranslated; a unit whose translation has a
    # problem counts as not translated: a broken catalog is never 100 %.
    report = catalog_report(project, domain, lang)
    refused = report.refused if report is not None else frozenset()
    status.problems = [str(problem) for problem in (report.problems if report is not None else ())]
    catalog = None
    if report is not None and not report.fatal:
        try:
            catalog = load_catalog(project, domain, lang)
        except UserError as exc:      # Babel refused it (say, a language it does not know)
            status.problems += exc.lines
    if report is not None and (report.fatal or catalog is None):
        status.untranslated = len(dict.fromkeys(msgids))     # nothing of it can be used
        return status
    for msgid in dict.fromkeys(msgids):
        message = catalog.get(msgid) if catalog is not None else None
        singular = msgid if isinstance(msgid, str) else msgid[0]
        if singular in refused and message is not None and not message.fuzzy:
            status.untranslated += 1        # translated, but refused: its problem is listed
        elif message is None or not filled(message):
            status.untranslated += 1
            status.missing.append(singular)
        elif message.fuzzy:
            status.fuzzy += 1
            status.missing.append(singular)
            status.fuzzy_ids.append(singular)
        else:
            status.translated += 1
    return status


def leaflet_status(project: Project, leaflet: Leaflet, lang: str) -> CatalogStatus:
    return catalog_status(project, leaflet.id, lang, [text for _, _, text in leaflet.units()])


def templates_status(project: Project, lang: str) -> CatalogStatus:
    return catalog_status(project, TEMPLATE_DOMAIN, lang, template_msgids(project))


def missing_template_strings(project: Project, lang: str) -> list[str]:
    """Template strings (footer, page numbers, …) with no usable translation in `lang`."""
    if lang == SOURCE_LANGUAGE:
        return []
    return templates_status(project, lang).missing


def incomplete_reason(project: Project, leaflet: Leaflet, lang: str) -> str:
    """Why `leaflet` cannot be built as final in `lang` (empty when it can)."""
    reasons = []
    for row in (leaflet_status(project, leaflet, lang), templates_status(project, lang)):
        if project.kind(catalog_file(row.domain, lang)) != "file":
            reasons.append(f"not translated yet ({row.file} does not exist)")
        elif row.missing:
            what = "units" if row.domain == leaflet.id else "template strings"
            reasons.append(f"{len(row.missing)} of {row.total} {what} untranslated or fuzzy in {row.file}")
        if row.problems:
            reasons.append(f"{len(row.problems)} problem(s) in {row.file}")
    if not reasons:
        return ""
    return "; ".join(reasons) + " (see `python generate.py translations status`)"


def status(project: Project) -> list[CatalogStatus]:
    """Every leaflet × language, then the template strings × language."""
    rows = []
    problems: list = []
    leaflets = []
    for leaflet_id in project.leaflet_ids():
        try:
            leaflets.append(load_leaflet(project, leaflet_id))
        except UserError as exc:
            problems += exc.problems
    if problems:
        raise UserError(problems)
    langs = [lang for lang in languages(project) if lang != SOURCE_LANGUAGE]
    for leaflet in leaflets:
        for lang in langs:
            row = leaflet_status(project, leaflet, lang)
            row.review = _review(project, leaflet, lang, row)
            rows.append(row)
    rows += [templates_status(project, lang) for lang in langs]
    for row in rows:
        row.findings = catalog_findings(project, row.domain, row.lang)
    return rows


def finding_dict(finding) -> dict:
    """A quality finding as `translations status --json` gives it."""
    field_name, code, params = finding.message
    return {"line": finding.line, "field": field_name, "code": code, "params": params,
            "unit": finding.unit}


def _review(project: Project, leaflet: Leaflet, lang: str, row: CatalogStatus):
    """The review state of a leaflet catalog; a record that cannot be read is one of its problems
    (and claims no review)."""
    try:
        return review_state(project, leaflet, lang)
    except UserError as exc:
        row.problems += exc.lines
        return ReviewState("unreviewed", project.rel(record_path(project, leaflet.id, lang)))


def status_table(rows: list[CatalogStatus]) -> list[str]:
    """Human-readable status: one line per catalog, then what is missing."""
    if not rows:
        return ["no translations yet: start one with `python generate.py translations init LL`"]
    width = max(len(r.domain) for r in rows)
    lines = [f"{'domain':<{width}}  lang  language              translated  fuzzy  untranslated      %"]
    for r in rows:
        name = language_name(r.lang, "en")
        lines.append(f"{r.domain:<{width}}  {r.lang:<4}  {name[:20]:<20}  {r.translated:>5}/{r.total:<4}"
                     f"  {r.fuzzy:>5}  {r.untranslated:>12}  {r.percent:>5}"
                     + ("" if r.complete else "  INCOMPLETE"))
    reviews = [r for r in rows if r.review is not None]
    if reviews:
        lines.append("")
        lines.append("Reviews (a person read the translation against the Dutch; "
                     "`translations review` records it):")
        for r in reviews:
            lines.append(f"{r.domain:<{width}}  {r.lang:<4}  {r.review.summary()}")
        for r in reviews:
            lines += [f"{r.review.record}: {change}" for change in r.review.changes]
    for r in rows:
        for msgid in r.missing:
            lines.append(f"{r.file}: not translated{' (fuzzy)' if msgid in r.fuzzy_ids else ''}: "
                         f"{shorten(msgid)!r}")
        lines += [f"error: {problem}" for problem in r.problems]
    return lines
