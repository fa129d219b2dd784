"""The heavy side of the main job: the documents that changed, built by worker processes, or
on a Dask cluster (batch.cluster), with one progress display and one record of each outcome.

Imported by the package's __init__ only when there is something to build: it imports the
worker (WeasyPrint) before the workers' template process is forked, so it starts with it loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..typeset.fonts import missing_instances
from ..run.limits import MAX_DOCUMENTS_PER_WORKER
from ..inputs.project import Project
from ..run.render_child import kept_child
from ..request import BuildRequest
from ..run.signals import deferred_stop_signals
from .outcome import Outcome
from .plan import Plan
from .pool import WorkerPool
from .progress import make_progress
from .worker import run_document


def build_documents(project: Project, out_dir: Path, jobs: list[BuildRequest], workers: int,
                    on_result: Callable[[BuildRequest, Outcome], None], reporter=None, out=None,
                    strict: bool = False, max_documents: int = MAX_DOCUMENTS_PER_WORKER,
                    cluster: str | None = None, plan: Plan | None = None) -> list[BuildRequest]:
    """Every job, in this process (`workers` 1), over a pool, or on the Dask cluster at
    `cluster` (which needs the `plan`: what each job's inputs are); `on_result` hears of each,
    and `reporter` (a progress bar or lines on `out`) shows it. Returns the jobs not started
    because the output could not be written (an outcome marked fatal: no space left, no
    permission)."""
    reporter = reporter or make_progress(out)
    try:
        if cluster:
            from .cluster import build_documents as build_on_cluster

            with deferred_stop_signals() as check_stop:
                return build_on_cluster(
                    cluster, project, out_dir, plan, strict, reporter.start,
                    lambda job, outcome: _report(reporter, on_result, job, outcome), check_stop)
        if workers <= 1:
            from ..typeset.font_instances import make_instance

            for face in missing_instances():
                make_instance(face)
            reporter.start(len(jobs), 1)
            # This process has no limits of its own: every document renders in one warm child
            # that has them (render_child.py), not in a fresh one each.
            with kept_child():
                for index, job in enumerate(jobs):
                    outcome = run_document(project, out_dir, job, strict)
                    _report(reporter, on_result, job, outcome)
                    if outcome.fatal:
                        return jobs[index + 1:]
            return []
        with deferred_stop_signals() as check_stop:
            # The workers' template makes the static font instances this machine lacks, in parallel.
            languages = tuple(sorted({job.lang for job in jobs}))
            with WorkerPool(workers, project.root, out_dir, strict, max_documents, check_stop,
                            languages=languages) as pool:
                reporter.start(len(jobs), workers)
                return pool.build(jobs, lambda job, outcome: _report(reporter, on_result, job, outcome))
    finally:
        reporter.close()


def _report(reporter, on_result, job: BuildRequest, outcome: Outcome) -> None:
    on_result(job, outcome)
    reporter.advance(f"{job.key}.pdf", outcome.ok)
