"""Documents on demand for the web app: the one render path, in warm worker processes, cached.

A request for a document is answered in this order:

1. its *input digest* is computed: a hash of everything the document is made from (the leaflet
   and its images, the catalogs of its language, the practice profile and its folder, the
   templates, the fonts, the tool), with the formulas the main job's manifest uses
   (inputs.digest). A change on disk is a new digest, and a practice added while the server
   runs is simply a new input.
2. a document with that digest in the cache folder (document_cache.py) is served from there;
3. otherwise it is rendered by a worker process (workers.py), which reads every input once and
   says what it read (the bundle's parts, inputs.bundle); it is cached under the digest of
   *those* inputs. A file edited while the request waited for a worker makes a document cached
   under the edited file's digest, never under the one the request computed. Two requests for
   the same document at once render it once.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, TypeVar

from ..batch.manifest import tool_digest
from ..errors import Message, UserError
from ..typeset.fonts import package_file_digest
from ..inputs.digest import (Hasher, document_families, document_parts, fonts_digest, output_digest,
                             web_prefix)
from ..inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, Project
from ..request import BuildRequest
from .document_cache import CACHE_MAX_BYTES, DocumentCache, Rendered
from ..run import template
from ..run.limits import MAX_DOCUMENTS_PER_WORKER
from .workers import RenderFailed, RenderPool, render_limited, write_page_images

log = logging.getLogger("leafletgen.web")

PREVIEW_WIDTH = 700          # pixels: a page preview, about 85 dpi for A4

T = TypeVar("T")


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


# ---- Input digests ----------------------------------------------------------------------------------

def document_digest(request: DocumentRequest, parts: dict[str, str], tool: str) -> str:
    """The cache's name for a document: the request as the app asked for it, what it is made of
    (inputs.digest.PARTS) and the tool."""
    return output_digest(web_prefix(asdict(request)), parts, tool)


def input_digest(project: Project, request: DocumentRequest, hasher: Hasher,
                 leaflet_images: tuple[str, ...], tool: str) -> str:
    """What the document is made of now, on disk, hashed as its bundle hashes what it reads."""
    build = request.build_request()
    parts = document_parts(project, hasher, build, leaflet_images,
                           fonts_digest(package_file_digest, document_families(build)))
    return document_digest(request, parts, tool)


# ---- The service ----------------------------------------------------------------------------------

class SingleFlight:
    """Work asked for twice at once is done once: the second asker waits for the first's result."""

    def __init__(self):
        self._lock = threading.Lock()
        self._inflight: dict[str, Future] = {}

    def run(self, key: str, make: Callable[[], T], timeout: float) -> T:
        """`make()`, unless it is being made for `key` already: then its result (or its
        exception), waiting at most `timeout` seconds."""
        with self._lock:
            future = self._inflight.get(key)
            owner = future is None
            if owner:
                future = self._inflight[key] = Future()
        if not owner:
            try:
                return future.result(timeout=timeout)
            except FutureTimeout:
                raise RenderFailed(Message("render_busy", "is still being made; try again in a moment")) from None
        try:
            result = make()
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._inflight.pop(key, None)


class DocumentService:
    """Warm workers, a cache folder, and single flight for documents requested twice at once."""

    def __init__(self, project: Project, cache_dir: Path, workers: int = 2,
                 recycle_after: int = MAX_DOCUMENTS_PER_WORKER, time_limit: float = 60.0,
                 cache_max_bytes: int = CACHE_MAX_BYTES, preview_width: int = PREVIEW_WIDTH,
                 memory_mb: int | None = None):
        self.project = project
        self.cache = DocumentCache(cache_dir, cache_max_bytes)
        # The limits per document (limits.py): the time is given with each task (0: none), the
        # memory to each worker when it starts (default: the command line's, else the environment's).
        self.pool = RenderPool(project.root, workers, recycle_after, memory_mb)
        self.time_limit = time_limit
        self.preview_width = preview_width
        # The tool's own part of every digest (leafletgen's source and library versions): the code
        # this process runs cannot change under it, so it is hashed once (it costs 20 ms).
        self.tool = tool_digest(Hasher())
        self._single_flight = SingleFlight()
        self._images: dict = {}          # leaflet file digest → its images (parsed once)
        self.rendered = 0                # documents rendered (not served from the cache)
        self.last_worker = 0             # the process that rendered the last one
        self.previews = 0                # documents whose page previews were made

    def start_template(self) -> None:
        """Start what the workers are forked from (it warms up meanwhile)."""
        template.shared()

    def start(self) -> None:
        """Start the workers now (and warm them), not at the first request."""
        self.pool.start()

    def close(self) -> None:
        self.pool.close()

    # -- digests

    def hasher(self) -> Hasher:
        """A hasher for one request: each file read (at most once) as it is now."""
        return Hasher(root=self.project.root)

    def leaflet_images(self, leaflet_id: str, hasher: Hasher) -> tuple[str, ...]:
        from ..inputs.leaflet import load_leaflet

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

    # -- documents

    def document(self, request: DocumentRequest) -> Rendered:
        """The document, from the cache or rendered now. UserError: the input is bad;
        RenderFailed: the worker died or ran out of time."""
        digest = self.digest(request)
        rendered = self.cache.cached(digest)
        if rendered is not None:
            return rendered
        return self._single_flight.run(digest, lambda: self._render(digest, request), self._patience())

    def _patience(self) -> float | None:
        """How long a second request waits for the same document being made (None: no limit)."""
        return self.time_limit + 30 if self.time_limit else None

    def _render(self, digest: str, request: DocumentRequest) -> Rendered:
        started = time.perf_counter()
        result = self.pool.run(self.time_limit, render_limited, str(self.project.root),
                               request.build_request(), self.time_limit)
        if result.get("timeout"):
            raise RenderFailed(result["errors"][0])
        if not result["ok"]:
            raise UserError(result["errors"])
        self.rendered += 1
        self.last_worker = result["pid"]
        log.info("rendered %s/%s practice=%s variant=%s in %.2f s", request.leaflet, request.lang,
                 request.practice, request.variant, time.perf_counter() - started)
        # Cached under what it was made from: the worker's reading of the inputs, which is the
        # request's digest unless a file changed while the request waited.
        made_from = document_digest(request, result["inputs"], self.tool)
        if made_from != digest:
            log.info("%s/%s practice=%s: an input changed while it waited; cached as made",
                     request.leaflet, request.lang, request.practice)
        return self.cache.store(made_from, request.lang, result)

    def with_note(self, request: DocumentRequest, note: str) -> tuple[bytes, str, str]:
        """The document with a personal note (inputs/note.py): its PDF bytes, version and title,
        made for this request only. Nothing of it is cached, written or logged."""
        build = replace(request.build_request(), note=note)
        result = self.pool.run(self.time_limit, render_limited, str(self.project.root), build, self.time_limit)
        if result.get("timeout"):
            raise RenderFailed(result["errors"][0])
        if not result["ok"]:
            raise UserError(result["errors"])
        self.rendered += 1
        return result["pdf"], result["version"], result["title"]

    def page_image(self, rendered: Rendered, number: int) -> Path:
        """Page `number` of a document as a PNG (made on first asking, for all its pages at once)."""
        path = rendered.page_path(number)
        if not path.is_file():
            self._single_flight.run(f"{rendered.digest}/pages", lambda: self._previews(rendered),
                                    self._patience())
        return path

    def _previews(self, rendered: Rendered) -> None:
        targets = [str(rendered.page_path(n)) for n in range(1, rendered.pages + 1)]
        self.pool.run(self.time_limit, write_page_images, str(rendered.pdf_path), self.preview_width, targets)
        self.previews += 1
