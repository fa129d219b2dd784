"""The main job's plan: which documents to build, which are unchanged, which outputs to keep.

Light: files are hashed and compared with output/manifest.json. What a practice profile, a
leaflet and a language's completeness came to is remembered in the manifest under the hash of
the files it was worked out from (`remembered`), so a run with nothing to do reads files and
JSON only. When something did change, the plan asks `readers` (batch.readers: the parsers,
Babel), which the package's __init__ hands in and imports only then.

The phases, in order: practices → leaflets → complete languages → the outputs wanted, each
with the hash of everything it depends on → the outputs kept although not wanted. The hashes are
inputs.digest's, the same formulas a document's bundle hashes the bytes it is rendered from with:
what is recorded for an output is the bundle's (batch/__init__.py), and the plan's equals it when
no file changed in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from ..errors import UserError
from ..inputs.digest import (Hasher, catalogs_digest, combine, document_families, fonts_digest,
                             leaflet_digest, output_digest, practice_digest, templates_digest)
from ..inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, Project
from ..request import THUMBNAIL_WIDTH, BuildRequest, DocumentOptions
from ..typeset.variants import DEFAULT_VARIANT
from .concepts import plan_concepts
from .manifest import Manifest, output_exists, tool_digest

NEUTRAL_PRACTICE = {"name": "", "variants": [DEFAULT_VARIANT], "bilingual": False, "languages": []}


@dataclass
class Plan:
    jobs: list[BuildRequest] = field(default_factory=list)   # to build, in this order
    wanted: dict = field(default_factory=dict)     # manifest key → new entry (digest, deps)
    keep: set = field(default_factory=set)         # old keys kept as they are (input unreadable)
    unchanged: list = field(default_factory=list)  # keys whose outputs are up to date
    failed: list[str] = field(default_factory=list)     # inputs that cannot be read
    warnings: list[str] = field(default_factory=list)   # names skipped: they cannot be an input
    skipped: list[str] = field(default_factory=list)    # incomplete languages, with the reason
    # languages a practice with require_review = true does not get: unreviewed or outdated
    skipped_unreviewed: list[str] = field(default_factory=list)
    concepts: list = field(default_factory=list)   # drafts in the output folder (batch.concepts)


@dataclass
class Sources:
    """What the phases found out about the inputs, handed from one phase to the next."""

    tool: str
    templates: str
    practices: dict[str, dict] = field(default_factory=dict)     # id → info (name, variants, …)
    practice_parts: dict[str, str] = field(default_factory=dict)  # id → inputs.digest.practice_digest
    broken_practices: set[str] = field(default_factory=set)
    leaflets: dict[str, dict] = field(default_factory=dict)      # id → info (images, content)
    broken_leaflets: set[str] = field(default_factory=set)
    complete: dict[str, list[str]] = field(default_factory=dict)  # leaflet → complete languages
    incomplete: set[tuple[str, str]] = field(default_factory=set)  # (leaflet, lang) with a catalog
    reviews: dict[tuple[str, str], dict] = field(default_factory=dict)  # → review.index_fields
    unreviewed: set[tuple[str, str, str]] = field(default_factory=set)  # (leaflet, lang, practice)


def make_plan(project: Project, manifest: Manifest, hasher: Hasher, readers,
              force: bool = False) -> Plan:
    """Every phase in turn. `readers` parses an input the manifest does not know yet."""
    # Names that cannot be a leaflet, a profile or a language: reported, skipped, never a reason
    # for the others not to be built.
    plan = Plan(warnings=project.odd_names())
    sources = Sources(tool=tool_digest(hasher), templates=templates_digest(project, hasher))
    plan_practices(project, manifest, hasher, readers, sources, plan)
    plan_leaflets(project, manifest, hasher, readers, sources, plan)
    plan_languages(project, manifest, hasher, readers, sources, plan)
    plan.warnings += languages_not_here(project, sources)
    plan_outputs(project, manifest, hasher, sources, plan, force)
    plan.keep = outputs_to_keep(manifest, plan, sources)
    plan.concepts = plan_concepts(project, hasher, manifest.path.parent, sources,
                                  set(manifest.outputs) | set(plan.wanted))
    manifest.tool = sources.tool
    return plan


def remembered(table: dict, key: str, digest: str, work_out: Callable[[], dict]) -> dict:
    """The manifest lookup: `table[key]` if it was worked out from `digest`, else `work_out()`,
    remembered under `digest`. When `work_out` raises, what was remembered is forgotten."""
    cached = table.get(key)
    if cached and cached.get("digest") == digest:
        return cached
    try:
        info = work_out()
    except UserError:
        table.pop(key, None)
        raise
    table[key] = {"digest": digest, **info}
    return table[key]


def forget_all_but(table: dict, keys) -> None:
    """Drop what the manifest remembers of inputs that are gone."""
    for key in [key for key in table if key not in keys]:
        del table[key]


# ---- The phases -----------------------------------------------------------------------------------

def plan_practices(project: Project, manifest: Manifest, hasher: Hasher, readers,
                   sources: Sources, plan: Plan) -> None:
    """Each profile, parsed only when it (or a file of its folder, or its logo) changed."""
    practice_ids = project.practice_ids()
    for practice_id in practice_ids:
        part = sources.practice_parts[practice_id] = practice_digest(project, hasher, practice_id)
        digest = combine(part, sources.tool)
        try:
            sources.practices[practice_id] = remembered(
                manifest.practices, practice_id, digest,
                lambda: readers.practice_info(project, practice_id))
        except UserError as exc:
            plan.failed += exc.lines
            sources.broken_practices.add(practice_id)
    forget_all_but(manifest.practices, practice_ids)
    if not practice_ids:
        part = sources.practice_parts[DEFAULT_PRACTICE_ID] = practice_digest(
            project, hasher, DEFAULT_PRACTICE_ID)
        sources.practices[DEFAULT_PRACTICE_ID] = {"digest": combine(part, sources.tool),
                                                  **NEUTRAL_PRACTICE}


def plan_leaflets(project: Project, manifest: Manifest, hasher: Hasher, readers,
                  sources: Sources, plan: Plan) -> None:
    """Each leaflet, parsed only when its source changed; its content hash includes its pictures."""
    leaflet_ids = project.leaflet_ids()
    for leaflet_id in leaflet_ids:
        source = project.leaflets_dir / f"{leaflet_id}.md"
        digest = combine(hasher.file(source), sources.tool)
        try:
            info = remembered(manifest.leaflets, leaflet_id, digest,
                              lambda: readers.leaflet_info(project, leaflet_id))
        except UserError as exc:
            plan.failed += exc.lines
            sources.broken_leaflets.add(leaflet_id)
            continue
        content = leaflet_digest(project, hasher, leaflet_id, info["images"])
        sources.leaflets[leaflet_id] = {**info, "content": content}
    forget_all_but(manifest.leaflets, leaflet_ids)


def plan_languages(project: Project, manifest: Manifest, hasher: Hasher, readers,
                   sources: Sources, plan: Plan) -> None:
    """The languages each leaflet is complete in (Dutch always), remembered under the hash of
    everything the answer depends on: the leaflet, the templates, both catalogs, the tool."""
    seen = set()
    translated = project.languages()[1:]        # listed once, not once per leaflet
    for leaflet_id, leaflet in sources.leaflets.items():
        sources.complete[leaflet_id] = [SOURCE_LANGUAGE]
        for lang in translated:
            key = f"{leaflet_id}/{lang}"
            seen.add(key)
            digest = combine(leaflet["digest"], sources.templates, sources.tool,
                             catalogs_digest(project, hasher, leaflet_id, lang))
            answer = remembered(manifest.completeness, key, digest,
                                lambda: readers.completeness(project, leaflet_id, lang))
            sources.reviews[leaflet_id, lang] = {**(answer.get("review") or {}),
                                                 "language": answer.get("language", lang)}
            plan.warnings += [line for line in answer.get("quality", []) if line not in plan.warnings]
            if not answer["reason"]:
                sources.complete[leaflet_id].append(lang)
                continue
            plan.skipped.append(answer["skipped"])
            if project.catalog_path(leaflet_id, lang).is_file():
                sources.incomplete.add((leaflet_id, lang))
    forget_all_but(manifest.completeness, seen)


def languages_not_here(project: Project, sources: Sources) -> list[str]:
    """One line for each language a profile lists that this folder has no translations of: no
    leaflet is made in it, and the practice, which asked for it, must hear so."""
    here = set(project.languages())
    return [f"practices/{practice_id}.toml: languages: {_named(lang)} has no translations in this "
            f"folder (translations/{lang}/); no leaflet is made in it"
            for practice_id, practice in sources.practices.items()
            for lang in practice.get("languages", []) if lang not in here]


def _named(lang: str) -> str:
    from ..translate.catalogs import language_name   # Babel: only when there is one to name

    name = language_name(lang, "en")
    return f"{name} ({lang})" if name != lang else repr(lang)


def plan_outputs(project: Project, manifest: Manifest, hasher: Hasher, sources: Sources,
                 plan: Plan, force: bool) -> None:
    """Every document of the matrix, with the hash of what it is made of: unchanged, or a job."""
    out_dir = manifest.path.parent
    fonts: dict[tuple[str, ...], str] = {}
    # One thumbnail per practice, leaflet and language: of its first document.
    thumbnails: set[tuple[str, str, str]] = set()
    for request in matrix(sources, plan):
        families = document_families(request)
        if families not in fonts:
            fonts[families] = fonts_digest(hasher.file, families)
        if not request.side_by_side \
                and (request.leaflet, request.lang, request.practice) not in thumbnails:
            thumbnails.add((request.leaflet, request.lang, request.practice))
            request = BuildRequest(request.leaflet, request.lang, request.practice, request.variant,
                                   options=DocumentOptions(thumbnail_width=THUMBNAIL_WIDTH))
        # The parts of its inputs, as inputs.digest.document_parts names them.
        parts = {
            "leaflet": sources.leaflets[request.leaflet]["content"],
            "catalogs": catalogs_digest(project, hasher, request.leaflet, request.lang),
            "practice": sources.practice_parts[request.practice_id],
            "templates": sources.templates,
            "fonts": fonts[families],
        }
        key, thumbnail = request.key, request.thumbnail_name
        plan.wanted[key] = {"digest": output_digest((key, thumbnail), parts, sources.tool),
                            "deps": {**parts, "tool": sources.tool}}
        old = manifest.outputs.get(key)
        if old and old.get("fit") and (old.get("deps") or {}).get("tool") == sources.tool:
            # Made again: the fit it had, for its worker to try first (typeset.fit_memory).
            request = replace(request, remembered_fit=old["fit"])
        if (not force and old and old.get("digest") == plan.wanted[key]["digest"]
                and (old.get("thumbnail") or "") == thumbnail and output_exists(out_dir, old)):
            plan.unchanged.append(key)
        else:
            plan.jobs.append(request)


def matrix(sources: Sources, plan: Plan):
    """Leaflets × practices × complete languages (those the practice wants, reviewed where it
    requires that) × its variants × plain and, where the practice asks for it, bilingual."""
    for leaflet_id in sources.leaflets:
        for practice_id, practice in sources.practices.items():
            for lang in sources.complete[leaflet_id]:
                if practice["languages"] and lang not in practice["languages"] \
                        and lang != SOURCE_LANGUAGE:
                    continue
                if not reviewed_enough(sources, plan, leaflet_id, lang, practice_id, practice):
                    continue
                sides = (False, True) if practice["bilingual"] and lang != SOURCE_LANGUAGE else (False,)
                for variant in practice["variants"]:
                    for bilingual in sides:
                        yield BuildRequest(leaflet_id, lang, practice_id, variant, bilingual)


def reviewed_enough(sources: Sources, plan: Plan, leaflet_id: str, lang: str, practice_id: str,
                    practice: dict) -> bool:
    """False (and the language reported skipped) for a practice with `require_review = true`
    and a translation nobody reviewed, or whose review is outdated."""
    review = sources.reviews.get((leaflet_id, lang), {"language": lang})
    if not practice.get("require_review") or lang == SOURCE_LANGUAGE \
            or review.get("review") == "reviewed":
        return True
    sources.unreviewed.add((leaflet_id, lang, practice_id))
    what = "its review is outdated" if review.get("review") == "outdated" else "it is unreviewed"
    plan.skipped_unreviewed.append(
        f"skipped {leaflet_id} in {review['language']} ({lang}) for {practice_id}: {what}, and "
        "the practice requires reviewed translations (require_review = true; see `python "
        "generate.py translations status`)")
    return False


def outputs_to_keep(manifest: Manifest, plan: Plan, sources: Sources) -> set[str]:
    """Outputs not wanted now but kept as they are: those of a leaflet or practice that cannot
    be read now (a typo in a profile must not delete that practice's leaflets), and translations
    that fell behind the Dutch text (the last complete version stays available, marked as older
    in the index). Everything else not wanted any more goes: its leaflet, language or practice
    is gone."""
    keep = set()
    for key, entry in manifest.outputs.items():
        if key in plan.wanted:
            continue
        request = entry.get("request", {})
        if request.get("leaflet") in sources.broken_leaflets \
                or request.get("practice") in sources.broken_practices:
            keep.add(key)
        elif (request.get("leaflet"), request.get("lang")) in sources.incomplete \
                and request.get("practice") in sources.practices:
            keep.add(key)
            entry["outdated"] = True
        elif (request.get("leaflet"), request.get("lang"), request.get("practice")) \
                in sources.unreviewed and (entry.get("entry") or {}).get("review") == "reviewed":
            # A practice that requires reviews keeps the last version a person reviewed, marked
            # as older; an unreviewed one goes.
            keep.add(key)
            entry["outdated"] = True
    return keep
