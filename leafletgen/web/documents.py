"""Documents on demand for the web app: the one render path, in warm worker processes, cached.

A request for a document is answered in this order:

1. its *input digest* is computed: a hash of everything the document is made from (the leaflet
   and its images, the catalogs of its language, the practice profile and its folder, the
   templates, the fonts, the tool), the same inputs the main job's manifest hashes. Files are
   recognised by size, modification time and inode, so a request reads no file that did not
   change; a change on disk is a new digest, and a practice added while the server runs is
   simply a new input.
2. a document with that digest in the cache folder is served from there;
3. otherwise it is rendered by a worker process, through `render_in_worker` — the one place this
   package calls the render path — and written to the cache. Two requests for the same document
   at once render it once.

Workers import WeasyPrint once and keep their font configuration warm; each is replaced after
`recycle_after` documents (a long-lived process must not grow), and one that takes longer than
`time_limit` seconds, or dies, is replaced too: that document fails with a message, the others
are served.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import UserError
from ..batch.manifest import Hasher, combine, tool_digest
from ..project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, Project
from ..request import BuildRequest
from .forkserver import SERVER_PID

log = logging.getLogger("leafletgen.web")

PREVIEW_WIDTH = 700          # pixels: a page preview, about 85 dpi for A4
CACHE_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class DocumentRequest:
    """One document, as the web app asks for it (every name already checked against the known ones)."""

    leaflet: str
    lang: str = SOURCE_LANGUAGE
    practice: str = DEFAULT_PRACTICE_ID
    variant: str = "a4"
    bilingual: bool = False
    draft: bool = False

    def build_request(self) -> BuildRequest:
        practice = None if self.practice == DEFAULT_PRACTICE_ID else self.practice
        return BuildRequest(leaflet=self.leaflet, lang=self.lang, practice=practice,
                            variant=self.variant, bilingual=self.bilingual and self.lang != SOURCE_LANGUAGE,
                            allow_draft=self.draft)


@dataclass
class Rendered:
    """A document in the cache: its files and what the pages need to show about it."""

    digest: str
    folder: Path
    title: str
    lang: str
    pages: int
    draft: bool
    warnings: list[str] = field(default_factory=list)
    fresh: bool = False              # rendered for this request (not served from the cache)

    @property
    def pdf_path(self) -> Path:
        return self.folder / f"{self.digest}.pdf"

    @property
    def html_path(self) -> Path:
        return self.folder / f"{self.digest}.html"

    def page_path(self, number: int) -> Path:
        return self.folder / f"{self.digest}.page{number}.png"


class RenderFailed(Exception):
    """The document could not be made: the worker died or ran out of time (a message for staff)."""


# ---- The worker side ------------------------------------------------------------------------------

def _init_worker(root: str, warm: bool) -> None:
    """A new worker: WeasyPrint imported, its font configuration made (the main job's worker
    initialiser), and with `warm`, one document rendered in every language, so that the first
    document a member of staff asks of this worker does not pay for loading fonts, hyphenation
    patterns, catalogs and stylesheets. A recycled worker warms up before it takes any request;
    the others serve meanwhile."""
    from ..batch.worker import prepare_process
    from .forkserver import die_with_parent

    die_with_parent()      # the fork server (or, spawned, the server itself)
    prepare_process()
    if warm:
        project = Project(Path(root))
        leaflets = project.leaflet_ids()
        for lang in project.languages() if leaflets else ():
            try:
                render_in_worker(root, DocumentRequest(leaflets[0], lang, draft=True))
            except Exception:  # a broken input: the request that needs it will say so
                log.debug("warming %s failed", lang, exc_info=True)


class _TimeUp(Exception):
    pass


def _time_up(signum, frame):
    raise _TimeUp()


def render_limited(root: str, request: DocumentRequest, seconds: float) -> dict:
    """`render_in_worker` within `seconds` of wall time (SIGALRM, where the system has it): a
    document over the limit is a message, and the worker goes on serving."""
    import signal

    if not hasattr(signal, "setitimer"):
        return render_in_worker(root, request)
    previous = signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return render_in_worker(root, request)
    except _TimeUp:
        return {"ok": False, "timeout": True,
                "errors": [f"took longer than {seconds:g} s to make; it was stopped"]}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_in_worker(root: str, request: DocumentRequest) -> dict:
    """The adapter to the one render path: a request in; PDF bytes, HTML, warnings, facts out."""
    from ..inline import plain_text
    from ..render import render_document

    project = Project(Path(root))
    build_request = request.build_request()
    try:
        document = render_document(project, build_request)
    except UserError as exc:
        return {"ok": False, "errors": exc.lines}
    return {"ok": True, "pdf": document.pdf, "html": document.html, "warnings": document.warnings,
            "title": plain_text(document.leaflet.title), "draft": document.draft,
            "pages": page_count(document.pdf), "pid": os.getpid()}


def page_count(pdf: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def write_page_images(pdf_path: str, width: int, targets: list[str]) -> int:
    """Worker task: every page of a cached PDF as a PNG `width` pixels wide, written to `targets`
    (PDFium is not thread-safe: it runs only in worker processes, never in the server's threads)."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_path)
    try:
        for index, target in enumerate(targets):
            page = document[index]
            bitmap = page.render(scale=width / page.get_width())
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG")
            page.close()
            write_quick(Path(target), buffer.getvalue())
    finally:
        document.close()
    return len(targets)


def write_quick(path: Path, data: bytes | str) -> None:
    """A cache file, written whole under a temporary name and renamed: a reader never sees half
    of one. Not flushed to disk (unlike the outputs): a cache file lost in a crash is made again."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    for attempt in (1, 2):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
            return
        except FileNotFoundError:
            # The cache folder was emptied meanwhile (by hand, or another process): once more.
            temporary.unlink(missing_ok=True)
            if attempt == 2:
                raise
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


# ---- Input digests ----------------------------------------------------------------------------------

class StatHasher(Hasher):
    """A Hasher that remembers every file's digest by (size, mtime, inode) across requests."""

    def __init__(self, memo: dict, lock: threading.Lock):
        super().__init__()
        self._shared, self._lock = memo, lock

    def file(self, path: Path) -> str:
        path = Path(path)
        try:
            stat = path.stat()
        except OSError:
            return "-"
        key = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        with self._lock:
            digest = self._shared.get(key)
        if digest is None:
            try:
                import hashlib
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                return "-"
            with self._lock:
                if len(self._shared) > 20_000:
                    self._shared.clear()
                self._shared[key] = digest
        return digest


def input_digest(project: Project, request: DocumentRequest, hasher: Hasher,
                 leaflet_images: tuple[str, ...], tool: str) -> str:
    """What the document is made of, hashed as the main job's manifest hashes an output."""
    from ..batch.plan import (catalogs_digest as _catalogs_digest, fonts_digest as _fonts_digest,
                              practice_digest as _practice_digest)
    from ..fonts import page_families

    source = project.leaflets_dir / f"{request.leaflet}.md"
    leaflet = combine(hasher.file(source), *[f"{src} {hasher.file(project.leaflets_dir / src)}"
                                             for src in leaflet_images])
    bilingual = request.bilingual and request.lang != SOURCE_LANGUAGE
    # The catalogs and the review record (the colophon says whether a person reviewed it).
    catalogs = "" if request.lang == SOURCE_LANGUAGE else \
        _catalogs_digest(project, hasher, request.leaflet, request.lang)
    practice = combine("default", tool) if request.practice == DEFAULT_PRACTICE_ID else \
        combine(_practice_digest(project, hasher, request.practice), tool)
    deps = {
        "leaflet": leaflet, "catalogs": catalogs, "practice": practice,
        "templates": hasher.tree(project.templates_dir),
        "fonts": _fonts_digest(hasher, page_families(request.lang, SOURCE_LANGUAGE if bilingual else None)),
        "tool": tool,
    }
    return combine("web", json.dumps(asdict(request), sort_keys=True),
                   *[f"{k}={v}" for k, v in sorted(deps.items())])


# ---- The service ----------------------------------------------------------------------------------

class DocumentService:
    """Warm workers, a cache folder, and single flight for documents requested twice at once."""

    def __init__(self, project: Project, cache_dir: Path, workers: int = 2, recycle_after: int = 200,
                 time_limit: float = 60.0, cache_max_bytes: int = CACHE_MAX_BYTES,
                 preview_width: int = PREVIEW_WIDTH, warm: bool = False):
        self.project = project
        self.cache_dir = Path(cache_dir)
        self.workers = max(1, workers)
        self.recycle_after = recycle_after
        self.time_limit = time_limit
        self.cache_max_bytes = cache_max_bytes
        self.preview_width = preview_width
        self.warm = warm
        # The tool's own part of every digest (leafletgen's source and library versions): the code
        # this process runs cannot change under it, so it is hashed once (it costs 20 ms).
        self.tool = tool_digest(Hasher())
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._inflight: dict[str, Future] = {}
        self._slots = threading.BoundedSemaphore(self.workers)
        self._inflight_lock = threading.Lock()
        self._memo: dict = {}
        self._memo_lock = threading.Lock()
        self._images: dict = {}          # leaflet file digest → its images (parsed once)
        self._written = 0
        self.rendered = 0                # documents rendered (not served from the cache)
        self.last_worker = 0             # the process that rendered the last one
        self.previews = 0                # documents whose page previews were made

    # -- the pool

    def _context(self):
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            context = multiprocessing.get_context("forkserver")
            # Workers fork from a server that has imported WeasyPrint already: a recycled worker
            # is warm in a fraction of a second. The fork server ends with this process.
            os.environ[SERVER_PID] = str(os.getpid())
            context.set_forkserver_preload(["leafletgen.web.forkserver", "leafletgen.render",
                                            "leafletgen.batch.worker", "weasyprint"])
            return context
        return multiprocessing.get_context("spawn")   # Windows

    def pool(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=self._context(), initializer=_init_worker,
                    initargs=(str(self.project.root), self.warm), max_tasks_per_child=self.recycle_after)
            return self._pool

    def start(self) -> None:
        """Start the workers now (and warm them), not at the first request."""
        from ..fonts import font_faces, missing_instances
        from ..batch.worker import make_instance_job

        pool = self.pool()
        # Static instances of variable fonts not yet made on this machine: once, in parallel,
        # before a document needs them (the main job does the same).
        faces = font_faces()
        for future in [pool.submit(make_instance_job, faces.index(face)) for face in missing_instances()]:
            future.result()
        for future in [pool.submit(_warm) for _ in range(self.workers)]:
            future.result()

    def _replace_pool(self, broken: ProcessPoolExecutor) -> None:
        with self._pool_lock:
            if self._pool is not broken:
                return
            self._pool = None
        processes = list((getattr(broken, "_processes", None) or {}).values())
        broken.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()
        for process in processes:
            process.join(timeout=5)

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    # -- digests

    def hasher(self) -> StatHasher:
        return StatHasher(self._memo, self._memo_lock)

    def leaflet_images(self, leaflet_id: str, hasher: Hasher) -> tuple[str, ...]:
        from ..content import load_leaflet

        digest = hasher.file(self.project.leaflets_dir / f"{leaflet_id}.md")
        images = self._images.get(digest)
        if images is None:
            leaflet = load_leaflet(self.project, leaflet_id)
            images = tuple(sorted({b.src for b in leaflet.blocks if b.kind == "image" and b.src}))
            if len(self._images) > 256:
                self._images.clear()
            self._images[digest] = images
        return images

    def digest(self, request: DocumentRequest) -> str:
        hasher = self.hasher()
        return input_digest(self.project, request, hasher, self.leaflet_images(request.leaflet, hasher),
                            self.tool)

    # -- the cache

    def _folder(self, digest: str) -> Path:
        return self.cache_dir / digest[:2]

    def cached(self, digest: str) -> Rendered | None:
        folder = self._folder(digest)
        try:
            meta = json.loads((folder / f"{digest}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        rendered = Rendered(digest=digest, folder=folder, **meta)
        if not rendered.pdf_path.is_file():
            return None
        return rendered

    def _store(self, digest: str, request: DocumentRequest, result: dict) -> Rendered:
        folder = self._folder(digest)
        rendered = Rendered(digest=digest, folder=folder, title=result["title"], lang=request.lang,
                            pages=result["pages"], draft=result["draft"], warnings=result["warnings"],
                            fresh=True)
        write_quick(rendered.pdf_path, result["pdf"])
        write_quick(rendered.html_path, result["html"])
        # The metadata last: a document is in the cache once its .json is.
        meta = {"title": rendered.title, "lang": rendered.lang, "pages": rendered.pages,
                "draft": rendered.draft, "warnings": rendered.warnings}
        write_quick(folder / f"{digest}.json", json.dumps(meta, ensure_ascii=False))
        self._written += 1
        if self._written % 50 == 0:
            self.evict()
        return rendered

    def evict(self) -> None:
        """Remove the least recently written documents beyond the cache's size limit."""
        files = []
        total = 0
        for path in self.cache_dir.glob("*/*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            files.append((stat.st_mtime, path, stat.st_size))
            total += stat.st_size
        for _, path, size in sorted(files):
            if total <= self.cache_max_bytes * 0.8:
                break
            path.unlink(missing_ok=True)
            total -= size

    # -- documents

    def document(self, request: DocumentRequest) -> Rendered:
        """The document, from the cache or rendered now. UserError: the input is bad;
        RenderFailed: the worker died or ran out of time."""
        digest = self.digest(request)
        rendered = self.cached(digest)
        if rendered is not None:
            return rendered
        with self._inflight_lock:
            future = self._inflight.get(digest)
            owner = future is None
            if owner:
                future = self._inflight[digest] = Future()
        if not owner:
            return _wait(future, self.time_limit + 30)
        try:
            rendered = self._render(digest, request)
            future.set_result(rendered)
            return rendered
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._inflight_lock:
                self._inflight.pop(digest, None)

    def _render(self, digest: str, request: DocumentRequest) -> Rendered:
        started = time.perf_counter()
        result = self._run(render_limited, str(self.project.root), request, self.time_limit)
        if result.get("timeout"):
            raise RenderFailed(result["errors"][0])
        if not result["ok"]:
            raise UserError(result["errors"])
        self.rendered += 1
        self.last_worker = result["pid"]
        log.info("rendered %s/%s practice=%s variant=%s in %.2f s", request.leaflet, request.lang,
                 request.practice, request.variant, time.perf_counter() - started)
        return self._store(digest, request, result)

    def _run(self, function, *args):
        """`function(*args)` in a worker, within the time limit. A task that overruns has its
        pool replaced (the standard pool cannot stop one worker alone) and fails with
        RenderFailed; a task whose worker died, or that was in the pool replaced because of
        another, is tried once more in the new pool, and fails only if that dies too."""
        for attempt in (1, 2):
            pool = self.pool()
            # At most one task per worker is handed to the pool: the others wait here, so the
            # clock below runs while a worker has the task, not while it queues behind others.
            with self._slots:
                try:
                    task = pool.submit(function, *args)
                    # The worker stops a document at the time limit itself; this is for a worker
                    # that hangs where it cannot (inside a C library), with room for a recycled
                    # worker's warm-up.
                    return task.result(timeout=2 * self.time_limit + 30)
                except FutureTimeout:
                    self._replace_pool(pool)
                    raise RenderFailed(f"took longer than {self.time_limit:g} s to make; it was "
                                       "stopped") from None
                except BrokenProcessPool:
                    self._replace_pool(pool)
                    if attempt == 2:
                        raise RenderFailed("the process making it stopped (out of memory, or a crash "
                                           "in a library); the other documents are not affected") from None
        raise AssertionError("unreachable")

    def page_image(self, rendered: Rendered, number: int) -> Path:
        """Page `number` of a document as a PNG (made on first asking, for all its pages at once)."""
        path = rendered.page_path(number)
        if path.is_file():
            return path
        key = f"{rendered.digest}/pages"
        with self._inflight_lock:
            future = self._inflight.get(key)
            owner = future is None
            if owner:
                future = self._inflight[key] = Future()
        if not owner:
            _wait(future, self.time_limit + 30)
            return path
        try:
            targets = [str(rendered.page_path(n)) for n in range(1, rendered.pages + 1)]
            self._run(write_page_images, str(rendered.pdf_path), self.preview_width, targets)
            self.previews += 1
            future.set_result(None)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._inflight_lock:
                self._inflight.pop(key, None)
        return path


def _warm() -> int:
    return os.getpid()


def _wait(future: Future, timeout: float) -> Rendered:
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        raise RenderFailed("is still being made; try again in a moment") from None
