"""The main job: every leaflet × complete language × practice × variant, then output/index.html.

1. Plan (plan.py, light): hash the inputs and compare with output/manifest.json (manifest.py).
2. Remove the outputs of leaflets, languages and practices that are gone.
3. Build what changed (run.py): worker processes (pool.py, worker.py) render each document
   through the one render path (leafletgen.render) and write it; progress.py shows it.
4. Write the manifest and output/index.html (index.py; only when its content changed).

This module is the main job's one light boundary: it imports only what a run with nothing to do
needs (hashing, JSON). What is heavy — the parsers and Babel (readers.py), WeasyPrint and the
worker processes (run.py), Jinja2 (index.py) — is imported by `_heavy`, when it is needed.
"""

from __future__ import annotations

import importlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MachineError
from ..inputs.digest import output_digest, templates_digest
from ..inputs.project import Project
from ..request import BuildRequest
from .manifest import Hasher, Manifest, index_digest, remove_output
from .outcome import IndexEntry, Outcome
from .concepts import remove_stale, unmanaged
from .plan import Plan, make_plan


@dataclass
class Summary:
    built: list[IndexEntry] = field(default_factory=list)    # each document built now
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)     # incomplete languages, with the reason
    failed: list[str] = field(default_factory=list)      # one line per problem
    failed_documents: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)     # outputs removed (their source is gone)
    workers: int = 0
    seconds: float = 0.0
    # languages a practice with require_review = true does not get: unreviewed or outdated
    skipped_unreviewed: list[str] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)   # drafts found: kept, or removed and why
    stopped: str = ""       # the output could not be written: why (one line); nothing more was started
    not_started: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def warn(self, lines) -> None:
        self.warnings += [line for line in lines if line not in self.warnings]


def default_jobs() -> int:
    """Documents built at once by default: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class _Heavy:
    """A module of this package imported when first used, not before (see the docstring)."""

    def __init__(self, name: str):
        self._name = f"{__name__}.{name}"

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)


_readers, _run, _index = _Heavy("readers"), _Heavy("run"), _Heavy("index")


def run_main_job(project: Project, out_dir: Path, jobs: int | None = None, force: bool = False,
                 strict: bool = False, reporter=None, out=None, cluster: str | None = None) -> Summary:
    """Build what changed since the last run into `out_dir`, and its index.

    `jobs`: documents at once (default: one per core). `force`: rebuild everything. `strict`: a
    document with warnings is not written; it fails, with its warnings. Progress goes to
    `reporter`, else to `out` (a bar on a terminal, lines otherwise), else nowhere. `cluster`:
    the address of a Dask scheduler whose workers render the documents (batch.cluster); the
    rest of the job stays here.
    """
    started = time.perf_counter()
    summary = Summary()
    out_dir = Path(out_dir)
    manifest = Manifest.load(out_dir)
    hasher = Hasher(manifest.files, project.root)
    plan = make_plan(project, manifest, hasher, _readers, force=force)
    summary.failed += plan.failed
    summary.skipped += plan.skipped
    summary.skipped_unreviewed += plan.skipped_unreviewed
    summary.warn(plan.warnings)
    summary.unchanged = len(plan.unchanged)
    for key in plan.unchanged:
        summary.warn(manifest.outputs[key].get("warnings", []))
    changed = remove_gone(out_dir, manifest, plan, summary)
    # Drafts written by `build --allow-draft`: listed, and removed once stale.
    summary.concepts = [f"concept (a draft, not to print as final): {c.key}.pdf"
                        for c in plan.concepts if not c.stale]
    summary.concepts += remove_stale(plan.concepts, out_dir)
    if plan.jobs:
        changed = True
        summary.workers = max(1, min(jobs or default_jobs(), len(plan.jobs)))
        build_changed(project, out_dir, manifest, hasher, plan, summary, strict, reporter, out,
                      cluster)
        if summary.stopped:   # the output cannot be written: no index either
            summary.seconds = time.perf_counter() - started
            return summary
    # Final names it does not manage (`build` for a variant, language or practice it does not
    # build): said on every run, as the drafts are.
    summary.concepts += unmanaged(out_dir, {entry.get("pdf") for entry in manifest.outputs.values()},
                                  [c for c in plan.concepts if not c.stale])
    digest = index_digest(manifest, templates_digest(project, hasher))
    if changed or digest != manifest.index or not (out_dir / "index.html").is_file():
        _index.write_index_from_manifest(project, out_dir, manifest)
        manifest.index = digest
        changed = True
    if changed or manifest.files != hasher.used:
        manifest.files = hasher.used
        manifest.save()
    summary.seconds = time.perf_counter() - started
    return summary


def remove_gone(out_dir: Path, manifest: Manifest, plan: Plan, summary: Summary) -> bool:
    """Remove the outputs neither wanted nor kept (their leaflet, language or practice is gone)."""
    gone = [key for key in manifest.outputs if key not in plan.wanted and key not in plan.keep]
    for key in gone:
        summary.removed += remove_output(out_dir, manifest.outputs.pop(key))
    return bool(gone)


def build_changed(project: Project, out_dir: Path, manifest: Manifest, hasher: Hasher, plan: Plan,
                  summary: Summary, strict: bool, reporter, out, cluster: str | None = None) -> None:
    """Build the plan's jobs, recording each outcome in the manifest and the summary as it comes."""
    # Until a document is rebuilt its entry is gone: a run killed half-way rebuilds it.
    previous = {job.key: manifest.outputs.pop(job.key, None) for job in plan.jobs}
    manifest.files = hasher.used
    manifest.save()

    def record(job: BuildRequest, outcome: Outcome) -> None:
        if outcome.ok:
            manifest.outputs[job.key] = {**made_from(job, outcome), "request": {
                "leaflet": job.leaflet, "lang": job.lang, "practice": job.practice,
                "variant": job.variant, "bilingual": job.bilingual}, **outcome.manifest_fields()}
            summary.built.append(IndexEntry.from_dict(outcome.entry))
        else:
            summary.failed_documents.append(f"{job.key}.pdf")
            if outcome.fatal:
                summary.stopped = summary.stopped or outcome.errors[0]
            else:
                summary.failed += [line for line in outcome.errors if line not in summary.failed]
            keep_previous(job)
        summary.warn(outcome.warnings)

    def made_from(job: BuildRequest, outcome: Outcome) -> dict:
        """The digest of what the document was made from: its bundle's, which is the plan's
        unless a file changed between the plan and the document's reading of it. Then the output
        is recorded as made from what it was made from, and the next run builds it again."""
        wanted = plan.wanted[job.key]
        digest = output_digest((job.key, job.thumbnail_name), outcome.inputs, manifest.tool)
        if digest != wanted["digest"]:
            changed = [name for name, value in outcome.inputs.items() if wanted["deps"].get(name) != value]
            summary.warn([f"{job.key}: its {', '.join(changed) or 'inputs'} changed while this run "
                          "built it; it was made from them as they were read, and is built again "
                          "on the next run"])
        return {"digest": digest, "deps": {**outcome.inputs, "tool": manifest.tool}}

    def keep_previous(job: BuildRequest) -> None:
        if previous.get(job.key):   # the last good build stays, marked to be built again
            manifest.outputs[job.key] = {**previous[job.key], "digest": ""}

    try:
        not_started = _run.build_documents(project, out_dir, plan.jobs, summary.workers, record,
                                           reporter=reporter, out=out, strict=strict,
                                           cluster=cluster, plan=plan)
        # Stopped because the output cannot be written: what was there stays as it was, and
        # stays listed (marked to be built again).
        for job in not_started:
            keep_previous(job)
        summary.not_started = len(not_started)
    finally:
        manifest.files = hasher.used
        try:
            manifest.save()
        except MachineError:
            if not summary.stopped:
                raise
            # The same fault, reported once: the manifest of the last good save stays.


__all__ = ["Summary", "run_main_job", "default_jobs"]
