"""The main job: every leaflet × complete language × practice × variant, then output/index.html.

1. Plan (light): hash the inputs and compare with output/manifest.json. What a leaflet, a
   practice and a language's completeness came to is cached in the manifest under the hash of
   its files, so a run with nothing to do reads files and JSON only: no WeasyPrint, no Jinja2,
   no Babel, no pydantic.
2. Remove the outputs of leaflets, languages and practices that are gone.
3. Build what changed over a process pool (one worker per core by default; `jobs`), with a
   progress bar or lines. A failing document is reported; the others are built.
4. Write the manifest and output/index.html (the index only when its content changed).
"""

from __future__ import annotations

import os
import time
import tomllib
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import MachineError, UserError
from .fonts import font_faces, page_families
from .manifest import Hasher, Manifest, combine, output_exists, tool_digest
from .project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project
from .signals import POLL_SECONDS, deferred_stop_signals
from .variants import DEFAULT_VARIANT, output_stem
from .worker import Job

THUMBNAILS_DIR = "thumbnails"


@dataclass
class Summary:
    built: list = field(default_factory=list)            # IndexEntry of each document built now
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)     # incomplete languages, with the reason
    # languages a practice with require_review = true does not get: unreviewed or outdated
    skipped_unreviewed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)      # one line per problem
    failed_documents: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)     # outputs removed (their source is gone)
    entries: list = field(default_factory=list)          # IndexEntry of every output listed
    workers: int = 0
    seconds: float = 0.0
    stopped: str = ""       # the output could not be written: why (one line); nothing more was started
    not_started: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


# ---- Plan ---------------------------------------------------------------------------------------

def _practice_digest(project: Project, hasher: Hasher, practice_id: str) -> str:
    """The profile, everything in practices/<id>/ and the logo file wherever it lies."""
    from .files import InputFileError, read_file

    profile = project.practices_dir / f"{practice_id}.toml"
    parts = [hasher.file(profile), hasher.tree(project.practices_dir / practice_id)]
    try:   # not through a link, not beyond the size of a profile (practice.load_practice says why)
        raw = read_file(project.root, f"practices/{practice_id}.toml", 64 * 1024)
        logo = tomllib.loads(raw.decode("utf-8-sig")).get("logo")
    except (InputFileError, ValueError, RecursionError):
        logo = None
    if isinstance(logo, str) and logo and ".." not in logo.replace("\\", "/").split("/"):
        parts.append(hasher.file(project.practices_dir / logo))
    return combine(*parts)


def _fonts_digest(hasher: Hasher, families: tuple[str, ...]) -> str:
    return combine(*[f"{face.family} {face.weight} {face.style} {hasher.file(face.path)}"
                     for face in font_faces() if face.family in families])


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    wanted: dict = field(default_factory=dict)        # manifest key → new entry (key, deps, paths)
    keep: set = field(default_factory=set)            # old keys kept as they are (input unreadable)
    unchanged: list = field(default_factory=list)


def make_plan(project: Project, manifest: Manifest, hasher: Hasher, summary: Summary,
              force: bool = False) -> Plan:
    tool = tool_digest(hasher)
    out_dir = manifest.path.parent
    templates = hasher.tree(project.templates_dir)
    langs = project.languages()
    plan = Plan()
    # Names that cannot be a leaflet, a profile or a language: reported, skipped, never a reason
    # for the others not to be built.
    summary.warnings += [line for line in project.odd_names() if line not in summary.warnings]

    # Practices: a profile unchanged since the last run is not parsed again.
    practices: dict[str, dict] = {}
    broken_practices: set[str] = set()
    practice_ids = project.practice_ids()
    for practice_id in practice_ids:
        digest = combine(_practice_digest(project, hasher, practice_id), tool)
        cached = manifest.practices.get(practice_id)
        if cached and cached.get("digest") == digest:
            practices[practice_id] = cached
            continue
        try:
            info = _practice_info(project, practice_id)
        except UserError as exc:
            summary.failed += exc.lines
            broken_practices.add(practice_id)
            manifest.practices.pop(practice_id, None)
            continue
        practices[practice_id] = manifest.practices[practice_id] = {"digest": digest, **info}
    for practice_id in list(manifest.practices):
        if practice_id not in practice_ids:
            del manifest.practices[practice_id]
    if not practice_ids:
        practices[DEFAULT_PRACTICE_ID] = {"digest": combine("default", tool), "name": "",
                                          "variants": [DEFAULT_VARIANT], "bilingual": False,
                                          "languages": []}

    # Leaflets: a source unchanged since the last run is not parsed again.
    leaflet_ids = project.leaflet_ids()
    leaflets: dict[str, dict] = {}
    broken_leaflets: set[str] = set()
    loaded: dict = {}
    for leaflet_id in leaflet_ids:
        source = project.leaflets_dir / f"{leaflet_id}.md"
        digest = combine(hasher.file(source), tool)
        cached = manifest.leaflets.get(leaflet_id)
        if not (cached and cached.get("digest") == digest):
            from .content import load_leaflet
            try:
                loaded[leaflet_id] = leaflet = load_leaflet(project, leaflet_id)
            except UserError as exc:
                summary.failed += exc.lines
                broken_leaflets.add(leaflet_id)
                manifest.leaflets.pop(leaflet_id, None)
                continue
            images = sorted({block.src for block in leaflet.blocks if block.kind == "image" and block.src})
            cached = manifest.leaflets[leaflet_id] = {"digest": digest, "images": images}
        leaflets[leaflet_id] = {
            **cached,
            "content": combine(hasher.file(source), *[
                f"{src} {hasher.file(project.leaflets_dir / src)}" for src in cached["images"]]),
        }
    for leaflet_id in list(manifest.leaflets):
        if leaflet_id not in leaflet_ids:
            del manifest.leaflets[leaflet_id]

    # Complete languages per leaflet (cached under the hash of everything the answer depends on).
    complete: dict[str, list[str]] = {}
    incomplete: set[tuple[str, str]] = set()
    reviews: dict[tuple[str, str], dict] = {}          # (leaflet, lang) → review.index_fields
    unreviewed: set[tuple[str, str, str]] = set()      # (leaflet, lang, practice) skipped for it
    seen_completeness = set()
    for leaflet_id in leaflets:
        complete[leaflet_id] = [SOURCE_LANGUAGE]
        for lang in langs[1:]:
            key = f"{leaflet_id}/{lang}"
            seen_completeness.add(key)
            digest = combine(leaflets[leaflet_id]["digest"], templates, tool,
                             _catalogs_digest(project, hasher, leaflet_id, lang))
            cached = manifest.completeness.get(key)
            if not (cached and cached.get("digest") == digest):
                try:
                    reason, review = _incomplete_reason(project, loaded, leaflet_id, lang)
                except UserError as exc:
                    # A catalog that cannot be read (a link, too large, a language Babel does not
                    # know): this language is skipped with the reason; the others are built.
                    reason, review = "; ".join(exc.lines), {}
                cached = manifest.completeness[key] = {
                    "digest": digest, "reason": reason, "review": review,
                    "skipped": f"skipped {leaflet_id} in {_english_name(lang)} ({lang}): {reason}"
                    if reason else ""}
            reviews[(leaflet_id, lang)] = cached.get("review") or {}
            reason = cached["reason"]
            if reason:
                summary.skipped.append(cached["skipped"])
                if project.catalog_path(leaflet_id, lang).is_file():
                    incomplete.add((leaflet_id, lang))
            else:
                complete[leaflet_id].append(lang)
    for key in list(manifest.completeness):
        if key not in seen_completeness:
            del manifest.completeness[key]

    # The matrix, each output with its key.
    font_digests: dict[tuple, str] = {}
    thumbnails_taken: set[tuple[str, str, str]] = set()
    for leaflet_id in leaflets:
        for practice_id, practice in practices.items():
            for lang in complete[leaflet_id]:
                if practice["languages"] and lang not in practice["languages"] and lang != SOURCE_LANGUAGE:
                    continue
                review = reviews.get((leaflet_id, lang), {})
                if practice.get("require_review") and lang != SOURCE_LANGUAGE \
                        and review.get("review") != "reviewed":
                    unreviewed.add((leaflet_id, lang, practice_id))
                    what = "its review is outdated" if review.get("review") == "outdated" else \
                        "it is unreviewed"
                    summary.skipped_unreviewed.append(
                        f"skipped {leaflet_id} in {_english_name(lang)} ({lang}) for {practice_id}: "
                        f"{what}, and the practice requires reviewed translations (require_review = "
                        f"true; see `python generate.py translations status`)")
                    continue
                for variant in practice["variants"]:
                    for bilingual in (False, True):
                        if bilingual and not (practice["bilingual"] and lang != SOURCE_LANGUAGE):
                            continue
                        families = page_families(lang, SOURCE_LANGUAGE if bilingual else None)
                        if families not in font_digests:
                            font_digests[families] = _fonts_digest(hasher, families)
                        catalogs = "" if lang == SOURCE_LANGUAGE else \
                            _catalogs_digest(project, hasher, leaflet_id, lang)
                        deps = {
                            "leaflet": leaflets[leaflet_id]["content"],
                            "catalogs": catalogs,
                            "practice": practice["digest"],
                            "templates": templates,
                            "fonts": font_digests[families],
                            "tool": tool,
                        }
                        key = f"{practice_id}/{lang}/{output_stem(leaflet_id, variant, bilingual)}"
                        thumbnail = ""
                        # One per practice: each practice sees its own branded leaflet.
                        if not bilingual and (leaflet_id, lang, practice_id) not in thumbnails_taken:
                            thumbnails_taken.add((leaflet_id, lang, practice_id))
                            thumbnail = f"{THUMBNAILS_DIR}/{practice_id}/{leaflet_id}.{lang}.png"
                        digest = combine(key, thumbnail, *[f"{k}={v}" for k, v in sorted(deps.items())])
                        plan.wanted[key] = {"digest": digest, "deps": deps}
                        old = manifest.outputs.get(key)
                        if (not force and old and old.get("digest") == digest
                                and (old.get("thumbnail") or "") == thumbnail
                                and output_exists(out_dir, old)):
                            plan.unchanged.append(key)
                            continue
                        plan.jobs.append(Job(key, leaflet_id, lang, practice_id, variant, bilingual,
                                             thumbnail))

    # Kept as they are: outputs of a leaflet or practice that cannot be read now (a typo in a
    # profile must not delete that practice's leaflets), and translations that fell behind the
    # Dutch text (the last complete version stays available, marked as older in the index).
    # Everything else not wanted any more goes: its leaflet, language or practice is gone.
    for key, entry in manifest.outputs.items():
        if key in plan.wanted:
            continue
        request = entry.get("request", {})
        if request.get("leaflet") in broken_leaflets or request.get("practice") in broken_practices:
            plan.keep.add(key)
        elif (request.get("leaflet"), request.get("lang")) in incomplete \
                and request.get("practice") in practices:
            plan.keep.add(key)
            entry["outdated"] = True
        elif (request.get("leaflet"), request.get("lang"), request.get("practice")) in unreviewed \
                and (entry.get("entry") or {}).get("review") == "reviewed":
            # A practice that requires reviews keeps the last version a person reviewed, marked
            # as older; an unreviewed one goes.
            plan.keep.add(key)
            entry["outdated"] = True
    manifest.tool = tool
    return plan


def _practice_info(project: Project, practice_id: str) -> dict:
    from .practice import load_practice

    practice = load_practice(project, practice_id)
    return {"name": practice.name, "variants": list(practice.variants),
            "bilingual": practice.bilingual, "languages": list(practice.languages),
            "require_review": practice.require_review}


def _catalogs_digest(project: Project, hasher: Hasher, leaflet_id: str, lang: str) -> str:
    """A language's catalogs for one leaflet, and its review record (the colophon says whether
    a person reviewed the translation, and a practice may require it)."""
    from .review import record_path

    return combine(hasher.file(project.catalog_path(leaflet_id, lang)),
                   hasher.file(project.catalog_path(TEMPLATE_DOMAIN, lang)),
                   hasher.file(record_path(project, leaflet_id, lang)))


def _incomplete_reason(project: Project, loaded: dict, leaflet_id: str, lang: str) -> tuple[str, dict]:
    """(why the language cannot be built as final, or ""; its review, review.index_fields)."""
    from .content import load_leaflet
    from .review import index_fields, review_state
    from .translations import incomplete_reason

    if leaflet_id not in loaded:
        loaded[leaflet_id] = load_leaflet(project, leaflet_id)
    reason = incomplete_reason(project, loaded[leaflet_id], lang)
    try:
        review = index_fields(review_state(project, loaded[leaflet_id], lang))
    except UserError as exc:   # a review record that cannot be read: nothing is built from it
        review = index_fields(None)
        reason = "; ".join(filter(None, [reason, *exc.lines]))
    return reason, review


def _english_name(lang: str) -> str:
    from .i18n import language_name

    return language_name(lang, "en")


def plan(project: Project, summary: Summary) -> list:
    """Every document the main job should build (as BuildRequests), ignoring the manifest."""
    from .build import BuildRequest

    manifest = Manifest(project.output_dir / "manifest.json")
    jobs = make_plan(project, manifest, Hasher(), summary, force=True).jobs
    return [BuildRequest(job.leaflet, job.lang, job.practice, job.variant, job.bilingual) for job in jobs]


# ---- Remove -------------------------------------------------------------------------------------

def remove_output(out_dir: Path, entry: dict) -> list[str]:
    """Delete an output's files (only files the manifest names) and folders left empty."""
    removed = []
    for kind in ("pdf", "html", "thumbnail"):
        relative = entry.get(kind)
        if not relative:
            continue
        path = out_dir / relative
        if path.resolve().is_relative_to(out_dir.resolve()) and path.is_file():
            try:
                path.unlink()
            except OSError as exc:
                from .errors import machine_error
                raise machine_error(exc, path, "cannot remove") from exc
            removed.append(relative)
            folder = path.parent
            while folder != out_dir and folder.is_relative_to(out_dir):
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent
    return removed


def index_digest(manifest: Manifest, templates_digest: str) -> str:
    """What output/index.html is made of: the entries, the templates and the tool."""
    import json

    entries = [(output.get("entry"), bool(output.get("outdated")))
               for _, output in sorted(manifest.outputs.items())]
    return combine(json.dumps(entries, sort_keys=True, ensure_ascii=False), templates_digest,
                   manifest.tool)


# ---- Build --------------------------------------------------------------------------------------

def _run_jobs(project: Project, out_dir: Path, jobs: list[Job], workers: int, progress,
              on_result) -> list[Job]:
    """Build `jobs`; returns those not started because the output could not be written (a
    result marked "fatal": no space left, no permission, a read-only folder)."""
    from .fonts import missing_instances

    faces = font_faces()
    instances = [faces.index(face) for face in missing_instances()]
    if workers <= 1:
        from .worker import init_worker, make_instance_job, run_job

        for index in instances:
            make_instance_job(index)
        init_worker(str(project.root), str(out_dir), in_pool=False)
        progress.start(len(jobs), 1)
        for index, job in enumerate(jobs):
            result = run_job(job)
            on_result(job, result)
            if result.get("fatal"):
                return jobs[index + 1:]
        return []

    with deferred_stop_signals() as check_stop:
        return _run_pool(project, out_dir, jobs, workers, progress, on_result, instances, check_stop)


class JobQueue:
    """Which document a worker builds next: another one in the language it has been building.

    A worker's first document in a language costs 0.05–0.2 s more than the next ones: the
    language's catalogs, hyphenation patterns, fonts and Babel's locale data are loaded in that
    process then. So a worker keeps to its language while documents of it are left, then takes
    the largest language nobody is building, and only at the end helps with another worker's.
    Two workers and nine languages: each loads about five languages, not all nine.
    """

    def __init__(self, jobs: list[Job]):
        self.groups: dict[str, deque[Job]] = {}
        for job in jobs:
            self.groups.setdefault(job.lang, deque()).append(job)
        self.busy: Counter[str] = Counter()   # language → its documents being built now

    def __len__(self) -> int:
        return sum(len(group) for group in self.groups.values())

    def take(self, previous: str | None = None) -> Job | None:
        """The next job for a worker that last built a document in `previous` (None: a new one)."""
        if previous is None or not self.groups.get(previous):
            waiting = [lang for lang, group in self.groups.items() if group]
            if not waiting:
                return None
            previous = max(waiting, key=lambda lang: (self.busy[lang] == 0, len(self.groups[lang])))
        self.busy[previous] += 1
        return self.groups[previous].popleft()

    def done(self, job: Job) -> None:
        if self.busy[job.lang] > 0:
            self.busy[job.lang] -= 1

    def clear(self) -> list[Job]:
        """Every job not yet taken, removed: none is started any more."""
        left = [job for group in self.groups.values() for job in group]
        self.groups.clear()
        return left


def _run_pool(project: Project, out_dir: Path, jobs: list[Job], workers: int, progress,
              on_result, instances: list[int], check_stop) -> None:
    """The jobs over a process pool, fed one job per idle worker (see JobQueue). `check_stop`
    raises a Ctrl-C or SIGTERM received meanwhile (see signals.py); it is called between waits.

    A worker that dies outright (killed for memory, a crash inside a C library) breaks the whole
    pool: every document in flight then fails with it. The pool is started again, and the
    documents that were in flight are built again one at a time: the one that kills its worker
    alone is reported failed, the others are built, and so is everything not yet started.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    from .worker import init_worker, make_instance_job, run_job

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    queue = JobQueue(jobs)
    suspects: deque[Job] = deque()     # in flight when a worker died: built again, each alone
    not_started: list[Job] = []        # after a result marked fatal (the output cannot be written)
    started = False
    while not started or len(queue) or suspects:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=init_worker,
                                 initargs=(str(project.root), str(out_dir))) as pool:
            if not started:
                # Variable fonts not yet instantiated on this machine: once, in parallel, before
                # any document needs them.
                pending = {pool.submit(make_instance_job, index) for index in instances}
                while pending:
                    done, pending = wait(pending, timeout=POLL_SECONDS)
                    check_stop()
                    for future in done:
                        future.result()
                progress.start(len(jobs), workers)
                started = True
            running: dict = {}            # future → job
            alone: list[Job] = []         # the suspect running by itself, if one is
            crashed: list[Job] = []
            broke_on_submit: list[Job] = []
            results = 0

            def refill(previous: str | None = None) -> None:
                if crashed:
                    return                # the pool is broken: nothing more goes to it
                if suspects or alone:
                    if not running and suspects:
                        alone[:] = [suspects.popleft()]
                        try:
                            running[pool.submit(run_job, alone[0])] = alone[0]
                        except BrokenProcessPool:
                            suspects.appendleft(alone.pop())
                            broke_on_submit.append(suspects[0])
                    return
                while len(running) < workers:
                    job = queue.take(previous)
                    previous = None
                    if job is None:
                        return
                    try:
                        running[pool.submit(run_job, job)] = job
                    except BrokenProcessPool:
                        # Broken by a job whose future is still to be looked at: this one never
                        # ran, and goes back to the front of its language for the next pool.
                        queue.done(job)
                        queue.groups[job.lang].appendleft(job)
                        broke_on_submit.append(job)
                        return

            try:
                refill()
                while running:
                    done, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                    check_stop()   # Ctrl-C or SIGTERM, raised here: no lock of the pool is held
                    for future in done:
                        job = running.pop(future)
                        queue.done(job)
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            crashed.append(job)
                            continue
                        if alone and job is alone[0]:
                            alone.clear()
                        if result.get("fatal"):
                            # The output cannot be written: no document is started any more;
                            # those running finish (or fail the same way).
                            not_started.extend(queue.clear())
                            not_started.extend(suspects)
                            suspects.clear()
                        # Submitted before the result is handled: the worker that just finished
                        # is the idle one, and it takes the next job of its language.
                        refill(job.lang)
                        on_result(job, result)
                        results += 1
            except BaseException:
                # Ctrl-C or SIGTERM: do not wait for the remaining documents. The workers are
                # taken before shutdown(), which forgets them.
                processes = list((getattr(pool, "_processes", None) or {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.join(timeout=5)
                # Temporary files of the workers just stopped (their PIDs are dead now).
                from .output import remove_stale_parts
                remove_stale_parts(out_dir)
                raise
        if broke_on_submit and not crashed and not results:
            # A pool that breaks before it builds anything (and not on a document): starting
            # another would do the same.
            raise RuntimeError("the worker processes stopped before building any document")
        if crashed:
            from .output import remove_stale_parts
            remove_stale_parts(out_dir)
            if alone and crashed == alone:
                job = alone[0]
                on_result(job, {"key": job.key, "ok": False, "warnings": [], "errors": [
                    f"{job.key}: the worker process building it died (out of memory, or a crash "
                    "in a library it uses); the other documents were built. Build it alone with "
                    "`build --debug` to see more"]})
            elif not_started:
                not_started.extend(crashed)      # stopped: the output cannot be written
            else:
                suspects.extend(crashed)
    return not_started


def run_main_job(project: Project, out_dir: Path, progress=None, jobs: int | None = None,
                 force: bool = False, reporter=None, strict: bool = False) -> Summary:
    """Build what changed; `progress` is a line printer (old interface) or use `reporter`.

    With `strict`, a document with warnings is not written: it fails, with its warnings.
    """
    from .progress import PlainProgress

    started = time.perf_counter()
    if reporter is None:
        reporter = PlainProgress(write=progress or (lambda line: None))
    summary = Summary()
    out_dir = Path(out_dir)
    manifest = Manifest.load(out_dir)
    hasher = Hasher(manifest.files)
    the_plan = make_plan(project, manifest, hasher, summary, force=force)
    summary.unchanged = len(the_plan.unchanged)
    if strict:
        the_plan.jobs = [replace(job, strict=True) for job in the_plan.jobs]

    changed = False
    for key in list(manifest.outputs):
        if key in the_plan.wanted or key in the_plan.keep:
            continue
        summary.removed += remove_output(out_dir, manifest.outputs.pop(key))
        changed = True

    for key in the_plan.unchanged:
        summary.warnings += [w for w in manifest.outputs[key].get("warnings", [])
                             if w not in summary.warnings]

    if the_plan.jobs:
        changed = True
        # Until a document is rebuilt its entry is gone: a run killed half-way rebuilds it.
        previous = {job.key: manifest.outputs.pop(job.key, None) for job in the_plan.jobs}
        manifest.files = hasher.used
        manifest.save()
        workers = max(1, min(jobs or default_jobs(), len(the_plan.jobs)))
        summary.workers = workers

        def on_result(job: Job, result: dict) -> None:
            from .index import IndexEntry

            label = job.key + ".pdf"
            if result["ok"]:
                entry = {**the_plan.wanted[job.key],
                         "request": {"leaflet": job.leaflet, "lang": job.lang,
                                     "practice": job.practice, "variant": job.variant,
                                     "bilingual": job.bilingual}}
                for name in ("pdf", "html", "thumbnail", "pdf_size", "html_size",
                             "thumbnail_size", "entry", "warnings"):
                    entry[name] = result.get(name)
                manifest.outputs[job.key] = entry
                summary.built.append(IndexEntry.from_dict(result["entry"]))
            else:
                summary.failed_documents.append(label)
                if result.get("fatal"):
                    summary.stopped = summary.stopped or result["errors"][0]
                else:
                    summary.failed += [line for line in result["errors"] if line not in summary.failed]
                old = previous.get(job.key)
                if old:   # the last good build stays, marked to be built again
                    manifest.outputs[job.key] = {**old, "digest": ""}
            summary.warnings += [w for w in result.get("warnings", []) if w not in summary.warnings]
            reporter.advance(label, result["ok"])

        try:
            not_started = _run_jobs(project, out_dir, the_plan.jobs, workers, reporter, on_result)
            # Stopped because the output cannot be written: what was there stays as it was, and
            # stays listed (marked to be built again).
            for job in not_started:
                old = previous.get(job.key)
                if old:
                    manifest.outputs[job.key] = {**old, "digest": ""}
            summary.not_started = len(not_started)
        finally:
            reporter.close()
            manifest.files = hasher.used
            try:
                manifest.save()
            except MachineError:
                if not summary.stopped:
                    raise
                # The same fault, reported once: the manifest of the last good save stays.
        if summary.stopped:
            summary.seconds = time.perf_counter() - started
            return summary

    digest = index_digest(manifest, hasher.tree(project.templates_dir))
    index_path = out_dir / "index.html"
    if changed or digest != manifest.index or not index_path.is_file():
        from .index import write_index_from_manifest
        write_index_from_manifest(project, out_dir, manifest)
        manifest.index = digest
        manifest.files = hasher.used
        manifest.save()
    elif manifest.files != hasher.used:
        manifest.files = hasher.used
        manifest.save()
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["Summary", "plan", "run_main_job", "default_jobs"]
