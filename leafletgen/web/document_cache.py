"""The web app's document cache: each document's files under the digest of its inputs.

    <cache>/<digest[:2]>/<digest>.pdf, .html, .page<n>.png (the previews) and .json

The .json (title, language, pages, draft mark, warnings) is written last: a document is in the
cache once its .json is. Every file is written whole under a temporary name and renamed, so a
reader never sees half of one; beyond the size limit the least recently written files go.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

CACHE_MAX_BYTES = 512 * 1024 * 1024


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
    version: str = ""                # the leaflet's version as rendered (for the audit trail)
    fresh: bool = False              # rendered for this request (not served from the cache)

    @property
    def pdf_path(self) -> Path:
        return self.folder / f"{self.digest}.pdf"

    @property
    def html_path(self) -> Path:
        return self.folder / f"{self.digest}.html"

    def page_path(self, number: int) -> Path:
        return self.folder / f"{self.digest}.page{number}.png"


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


class DocumentCache:
    """The cache folder: look a document up by its digest, store one, keep within the limit."""

    def __init__(self, folder: Path, max_bytes: int = CACHE_MAX_BYTES):
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self._written = 0

    def _folder(self, digest: str) -> Path:
        return self.folder / digest[:2]

    def cached(self, digest: str) -> Rendered | None:
        folder = self._folder(digest)
        try:
            meta = json.loads((folder / f"{digest}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        rendered = Rendered(digest=digest, folder=folder, **meta)
        # Eviction removes files one by one, oldest first: a document missing either is made again.
        if not (rendered.pdf_path.is_file() and rendered.html_path.is_file()):
            return None
        return rendered

    def store(self, digest: str, lang: str, result: dict) -> Rendered:
        """A worker's result (render_in_worker's) as a cached document."""
        folder = self._folder(digest)
        rendered = Rendered(digest=digest, folder=folder, title=result["title"], lang=lang,
                            pages=result["pages"], draft=result["draft"], warnings=result["warnings"],
                            version=result.get("version", ""), fresh=True)
        write_quick(rendered.pdf_path, result["pdf"])
        write_quick(rendered.html_path, result["html"])
        # The metadata last: a document is in the cache once its .json is.
        meta = {"title": rendered.title, "lang": rendered.lang, "pages": rendered.pages,
                "draft": rendered.draft, "warnings": rendered.warnings, "version": rendered.version}
        write_quick(folder / f"{digest}.json", json.dumps(meta, ensure_ascii=False))
        self._written += 1
        if self._written % 50 == 0:
            self.evict()
        return rendered

    def evict(self) -> None:
        """Remove the least recently written documents beyond the cache's size limit."""
        files = []
        total = 0
        for path in self.folder.glob("*/*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            files.append((stat.st_mtime, path, stat.st_size))
            total += stat.st_size
        for _, path, size in sorted(files):
            if total <= self.max_bytes * 0.8:
                break
            path.unlink(missing_ok=True)
            total -= size
