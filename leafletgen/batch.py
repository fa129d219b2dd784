"""The main job: every leaflet × complete language × practice × variant, then output/index.html."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .build import BuildRequest, output_paths, render_document, write_document
from .content import load_leaflet
from .errors import UserError
from .i18n import SOURCE_LANGUAGE, language_name, languages
from .index import IndexEntry, write_index
from .practice import default_practice, load_practice
from .project import Project
from .translations import incomplete_reason


@dataclass
class Summary:
    built: list[IndexEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)     # incomplete languages, with the reason
    failed: list[str] = field(default_factory=list)      # one line per problem
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def plan(project: Project, summary: Summary) -> list[BuildRequest]:
    """Every document the main job should build; incomplete languages are skipped and reported."""
    # A bad profile is reported and skipped; the other practices are still built.
    practices = []
    for practice_id in project.practice_ids():
        try:
            practices.append(load_practice(project, practice_id))
        except UserError as exc:
            summary.failed += exc.lines
    if not project.practice_ids():
        practices = [default_practice(project)]
    requests = []
    for leaflet_id in project.leaflet_ids():
        try:
            leaflet = load_leaflet(project, leaflet_id)
        except UserError as exc:
            summary.failed += exc.lines
            continue
        complete = []
        for lang in languages(project):
            if lang != SOURCE_LANGUAGE:
                reason = incomplete_reason(project, leaflet, lang)
                if reason:
                    summary.skipped.append(f"skipped {leaflet_id} in {language_name(lang, 'en')} "
                                           f"({lang}): {reason}")
                    continue
            complete.append(lang)
        for practice in practices:
            for lang in complete:
                if practice.languages and lang not in practice.languages and lang != SOURCE_LANGUAGE:
                    continue
                for variant in practice.variants:
                    requests.append(BuildRequest(leaflet_id, lang, practice.id, variant))
                    if practice.bilingual and lang != SOURCE_LANGUAGE:
                        requests.append(BuildRequest(leaflet_id, lang, practice.id, variant, bilingual=True))
    return requests


def run_main_job(project: Project, out_dir: Path, progress=print) -> Summary:
    summary = Summary()
    requests = plan(project, summary)
    practices = {}
    leaflets = {}
    for request in requests:
        try:
            if request.leaflet not in leaflets:
                leaflets[request.leaflet] = load_leaflet(project, request.leaflet)
            if request.practice not in practices:
                practices[request.practice] = load_practice(project, request.practice)
            document = render_document(project, request, leaflets[request.leaflet],
                                       practices[request.practice])
            pdf_path, html_path = write_document(out_dir, document)
        except UserError as exc:
            summary.failed += exc.lines
            continue
        summary.warnings += [w for w in document.warnings if w not in summary.warnings]
        summary.built.append(IndexEntry.from_document(document, out_dir, pdf_path, html_path))
        progress(f"built {pdf_path.relative_to(out_dir).as_posix()}")
    write_index(project, out_dir, summary.built)
    return summary


__all__ = ["Summary", "plan", "run_main_job", "output_paths"]
