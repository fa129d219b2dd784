"""What the commands do: `build`, `list`, `check` and `translations ...` (cli.py parses them).

Each handler takes the parsed arguments, the project, standard output and the CLI's
`Messages` (standard error, counting warnings); it returns the exit status. Warnings go through
`err.warning(...)`: the CLI turns them into a failure once, at the end, with --strict. A
problem with the input is raised as a UserError, reported by the CLI.

The main job's handler is in cli.py itself: a run with nothing to do must not load this module.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.accessibility import (SENTENCE_TARGET, Finding, layout_findings, leaflet_findings,
                                    readability_finding)
from ..build import build
from ..checks.contrast import AA_NORMAL, contrast_ratio
from ..inputs.leaflet import load_leaflet
from ..errors import UserError, shorten
from ..checks.page_report import describe as describe_pages, findings as page_findings
from ..translate.catalogs import (check_language, language_name, languages, load_catalog,
                                  translate_leaflet)
from ..inputs.model import Leaflet, Practice
from ..inputs.practice import load_practice
from ..inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project
from ..render import Document, render_document
from ..run.render_child import kept_child
from ..request import BuildRequest
from ..translate.review.recording import record_review
from ..translate.status import incomplete_reason, leaflet_status, status, status_table
from ..translate.workflow import extract, init, update
from ..inputs.characters import printable
from ..typeset.variants import VARIANTS

EXIT_OK, EXIT_FAILED = 0, 1


# ---- build, list ----------------------------------------------------------------------------------

def cmd_build(args, project: Project, out, err) -> int:
    request = BuildRequest(leaflet=args.leaflet, lang=args.lang, practice=args.practice,
                           variant=args.variant, bilingual=args.bilingual,
                           allow_draft=args.allow_draft)
    out_dir = Path(args.out).resolve() if args.out else project.output_dir
    document, pdf_path, html_path = build(project, request, out_dir, strict=args.strict)
    for warning in document.warnings:
        err.warning(warning)
    if pdf_path is not None:    # with --strict, a document with warnings is not written
        print(f"wrote {project.rel(pdf_path)}", file=out)
        print(f"wrote {project.rel(html_path)}", file=out)
    return EXIT_OK


def cmd_list(args, project: Project, out, err) -> int:
    print("Leaflets:", file=out)
    for leaflet_id in project.leaflet_ids():
        try:
            leaflet = load_leaflet(project, leaflet_id)
        except UserError as exc:
            print(f"  {leaflet_id}  (invalid; see `build`):", file=out)
            _print_problems(exc, out)
            continue
        print(f"  {leaflet_id}  {leaflet.title}  v{leaflet.version}", file=out)
        print(f"    languages: {', '.join(translated_shares(project, leaflet))}", file=out)
    print("Practices:", file=out)
    for practice_id in project.practice_ids():
        try:
            practice = load_practice(project, practice_id)
            print(f"  {practice_id}  {practice.name}", file=out)
        except UserError as exc:
            print(f"  {practice_id}  (invalid):", file=out)
            _print_problems(exc, out)
    print("  default  (no --practice: neutral, no logo)", file=out)
    for line in project.odd_names():
        err.warning(line)
    return EXIT_OK


def _print_problems(exc: UserError, out) -> None:
    for line in exc.lines:
        print(f"    {line}", file=out)


def translated_shares(project: Project, leaflet: Leaflet) -> list[str]:
    """"nl 100%", "de 95%", …: the share of the leaflet's own units translated per language,
    the figure `translations status` and the web app show (translation_status.completeness_percent)."""
    shares = []
    for lang in languages(project):
        if lang == SOURCE_LANGUAGE:
            shares.append(f"{lang} 100%")
            continue
        row = leaflet_status(project, leaflet, lang)
        share = f"{lang} {row.percent}%"
        if row.problems:
            share += f" (catalog has {len(row.problems)} problem(s); see `translations status`)"
        shares.append(share)
    return shares


# ---- check ----------------------------------------------------------------------------------------

@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)        # what was measured, for the reader
    findings: list[Finding] = field(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]


def cmd_check(args, project: Project, out, err) -> int:
    if args.lang:
        check_language(project, args.lang)
    practice_ids = [args.practice] if args.practice else (project.practice_ids() or [DEFAULT_PRACTICE_ID])
    leaflet_ids = [args.leaflet] if args.leaflet else project.leaflet_ids()
    with kept_child():         # every document in one warm child with the limits (render_child.py)
        report = run_checks(project, practice_ids, leaflet_ids, [args.lang] if args.lang else None,
                            [args.variant] if args.variant else None)
    for line in report.lines:
        print(printable(line), file=out)
    for finding in report.warnings:
        err.warning(finding.text)
    print(f"{len(report.warnings)} warning(s)", file=out)
    return EXIT_OK


def run_checks(project: Project, practice_ids: list[str | None], leaflet_ids: list[str],
               langs: list[str] | None, variant_names: list[str] | None,
               today: dt.date | None = None) -> CheckReport:
    """Every check, for the given practices (None: the neutral default), leaflets, languages
    (None: Dutch and every complete translation) and variants (None: each practice's own).

    Every language and variant is laid out as it will be printed, and its pages reported: how
    many, how full, the body size and line length, the logo's size; a page left (nearly) empty,
    a word broken in large print, a word alone on the last line of a heading are warnings.
    Contrast is listed for each leaflet in Dutch once per practice and variant (the colours do
    not depend on the language); text sizes and alt texts are checked in every language.
    """
    report = CheckReport()
    practices = [load_practice(project, pid) for pid in practice_ids]
    leaflets = [load_leaflet(project, lid) for lid in leaflet_ids]
    report.lines.append("Readability (running text; Dutch B1 target: at most "
                        f"{SENTENCE_TARGET['nl']} words a sentence on average):")
    complete: dict[str, list[str]] = {}
    for leaflet in leaflets:
        report.findings += leaflet_findings(leaflet, today)
        complete[leaflet.id] = check_readability(project, leaflet, langs or languages(project), report)
    # Pages: every language and variant laid out as it will be printed (copy-fitting included).
    report.lines.append("Pages (each leaflet, language and variant, as printed):")
    dutch: dict[tuple[str, str, str], Document] = {}     # reused for the contrast below
    for practice, variant_name, leaflet in matrix(practices, variant_names, leaflets):
        for lang in complete[leaflet.id]:
            document = check_pages(project, leaflet, lang, practice, variant_name, report)
            if lang == SOURCE_LANGUAGE:
                dutch[practice.id, variant_name, leaflet.id] = document
    report.lines.append(f"Contrast and text sizes (each leaflet in {SOURCE_LANGUAGE}; WCAG AA at "
                        f"least {AA_NORMAL}:1):")
    for practice, variant_name, leaflet in matrix(practices, variant_names, leaflets):
        document = dutch.get((practice.id, variant_name, leaflet.id)) or render_document(
            project, BuildRequest(leaflet.id, SOURCE_LANGUAGE, practice.id, variant_name))
        check_contrast(document, practice, variant_name, leaflet, report)
    # One finding once (the review date is the same for every practice and variant).
    report.findings = list(dict.fromkeys(report.findings))
    return report


def matrix(practices: list[Practice], variant_names: list[str] | None, leaflets: list[Leaflet]):
    for practice in practices:
        for variant_name in variant_names or practice.variants:
            for leaflet in leaflets:
                yield practice, variant_name, leaflet


def check_readability(project: Project, leaflet: Leaflet, langs: list[str],
                      report: CheckReport) -> list[str]:
    """Readability of the leaflet in each language it is complete in; returns those languages."""
    complete = []
    for lang in langs:
        if lang != SOURCE_LANGUAGE:
            reason = incomplete_reason(project, leaflet, lang)
            if reason:
                report.lines.append(f"  {leaflet.id} [{lang}]: not checked, {reason}")
                continue
        complete.append(lang)
        report.findings += quality_findings(project, leaflet.id, lang)
        translated = translate_leaflet(leaflet, load_catalog(project, leaflet.id, lang), lang)
        finding = readability_finding(translated)
        report.lines.append(f"  {finding.text}")
        if finding.level == "warning":
            report.findings.append(finding)
    return complete


def quality_findings(project: Project, leaflet_id: str, lang: str) -> list[Finding]:
    """The translation's quality findings (translate.quality) as warnings of `check`: the
    leaflet's catalog and the template strings' (said once, however many leaflets)."""
    from ..translate.quality import catalog_findings

    found = catalog_findings(project, leaflet_id, lang) + catalog_findings(project, TEMPLATE_DOMAIN, lang)
    return [Finding("warning", f"{finding.file}:{finding.line}" if finding.line else finding.file,
                    str(finding).split(": ", 1)[1]) for finding in found]


def check_pages(project: Project, leaflet: Leaflet, lang: str, practice: Practice,
                variant_name: str, report: CheckReport) -> Document:
    """The leaflet in `lang` (and bilingual, where the practice prints it so) laid out through
    the one render path: its pages described, their problems and the text sizes and alt texts
    found; returns the plain one."""
    variant = VARIANTS[variant_name]
    documents = []
    for bilingual in ((False, True) if practice.bilingual and lang != SOURCE_LANGUAGE else (False,)):
        document = render_document(project, BuildRequest(leaflet.id, lang, practice.id,
                                                         variant_name, bilingual))
        subject = f"{practice.id} {variant_name} {leaflet.id} [{lang}]" + (" bilingual" if bilingual else "")
        report.lines.append(f"  {subject}: " + describe_pages(document.layout, variant, document.fit))
        report.findings += [Finding("warning", subject, problem)
                            for problem in page_findings(document.layout, variant)]
        report.findings += layout_findings(subject, variant, document.facts)
        documents.append(document)
    return documents[0]


def check_contrast(document: Document, practice: Practice, variant_name: str, leaflet: Leaflet,
                   report: CheckReport) -> None:
    """Every text colour on its background in the leaflet's Dutch pages, and the smallest text."""
    variant = VARIANTS[variant_name]
    facts = document.facts
    subject = f"{practice.id} {variant_name} {leaflet.id}"
    pairs = sorted(((contrast_ratio(t, b), t, b) for t, b in facts.pairs), reverse=True)
    report.lines.append(
        f"  {subject}: smallest text {facts.min_text_pt:g} pt (minimum {variant.min_text_pt:g} pt), "
        f"body {document.layout.body_pt:g} pt; {len(pairs)} text/background pairs, lowest "
        f"contrast {pairs[-1][0]:.2f}:1")
    for ratio, text, background in pairs:
        mark = "ok" if ratio >= AA_NORMAL else "FAIL"
        report.lines.append(f"    {ratio:5.2f}:1 {mark:4} {text} on {background}  "
                            f"e.g. '{shorten(facts.pairs[(text, background)])}'")
    report.findings += [Finding("warning", practice.id, note) for note in practice.notes]


# ---- translations ---------------------------------------------------------------------------------

def cmd_review(args, project: Project, out, err) -> int:
    check_language(project, args.lang)
    if args.lang == SOURCE_LANGUAGE:
        raise UserError("'nl' is the source language: there is no translation to review")
    on = dt.date.today()
    if args.date is not None:
        try:
            on = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UserError(f"--date: {args.date!r} is not a date; write it as YYYY-MM-DD") from None
        if on > dt.date.today():
            raise UserError(f"--date: {args.date} is in the future; a review is recorded after it was done")
    leaflet = load_leaflet(project, args.leaflet)
    from ..store.command import Reviewer      # --by names an account once the web app has them

    reviewer = Reviewer(project, args.by)
    try:
        path, record = record_review(project, leaflet, args.lang, reviewer.printed, on,
                                     translated_by=args.translated_by, method=args.method)
        reviewer.recorded(leaflet.id, args.lang, leaflet.version)
    finally:
        reviewer.close()
    units = sum(unit.domain == leaflet.id for unit in record.units)
    print(f"recorded: {record.reviewed_by} reviewed {leaflet.id} in {language_name(args.lang, 'en')} "
          f"({args.lang}) on {on.isoformat()}: {units} units of the leaflet and "
          f"{len(record.units) - units} template strings", file=out)
    print(f"wrote {project.rel(path)}", file=out)
    print("next: commit it with the catalogs; a change to any of these units makes the review "
          "outdated (`python generate.py translations status`)", file=out)
    return EXIT_OK


def cmd_extract(args, project: Project, out, err) -> int:
    for path, changed in extract(project):
        print(f"{'wrote' if changed else 'unchanged'} {project.rel(path)}", file=out)
    return EXIT_OK


def cmd_update(args, project: Project, out, err) -> int:
    results = update(project)
    for path, note in results:
        print(f"{note} {project.rel(path)}", file=out)
    if not results:
        print("no languages yet: start one with `python generate.py translations init LL`", file=out)
    print("next: translate what `python generate.py translations status` lists", file=out)
    return EXIT_OK


def cmd_init(args, project: Project, out, err) -> int:
    for path in init(project, args.lang):
        print(f"wrote {project.rel(path)}", file=out)
    print("next: translate the files above (Poedit, Weblate, …), then run "
          "`python generate.py translations status`", file=out)
    return EXIT_OK


def cmd_status(args, project: Project, out, err) -> int:
    rows = status(project)
    complete = all(row.complete for row in rows)
    for line in project.odd_names():
        err.warning(line)
    for row in rows:
        for finding in row.findings:
            err.warning(str(finding))
    if args.json:
        print(json.dumps({"complete": complete, "catalogs": [row.as_dict() for row in rows]},
                         ensure_ascii=False, indent=2), file=out)
    else:
        for line in status_table(rows):
            print(line, file=out)
    if args.require_complete and not complete:
        missing = sum(len(row.missing) for row in rows)
        print(f"error: translations incomplete: {missing} unit(s) untranslated or fuzzy in "
              f"{sum(not row.complete for row in rows)} catalog(s)", file=err)
        return EXIT_FAILED
    return EXIT_OK
