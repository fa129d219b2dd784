"""What a document's digest is made of: one formula for every place that hashes its inputs.

The main job's plan and the web app hash the files on disk to decide whether a document is up to
date; the bundle (inputs/bundle.py) hashes the very bytes a document is rendered from. All three
call the functions here with a `Hasher`, which gives a file's digest and a folder's: the plan's
and the web app's read the disk, the bundle's is the bundle's own reading. The digest recorded
for an output is then the digest of what was rendered, in the same terms as the plan's.

Light (hashlib, os, tomllib): a run with nothing to build imports this.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from contextlib import contextmanager
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from .files import InputFileError, read_file, tree_entries
from ..typeset.fonts import font_faces, page_families
from .project import (DEFAULT_PRACTICE_ID, PROFILE_MAX_BYTES, SOURCE_LANGUAGE, TEMPLATE_DOMAIN,
                      Project, catalog_file, review_file)

# Files at least this big (fonts) are hashed once and then recognised by size and mtime
# (`Hasher.stat_cache`, which the main job keeps in its manifest).
BIG_FILE = 256 * 1024
# No input file is read beyond this (fonts are ~2 MB, logos at most 2 MB): a bigger one in a
# practice's folder is refused where it is used, and its digest is of its size alone.
FILE_MAX_BYTES = 16 * 1024 * 1024
# The parts of a document's inputs, each a digest (`document_parts`); with the tool's, they make
# the digest recorded for an output.
PARTS = ("leaflet", "catalogs", "practice", "templates", "fonts")


def combine(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class Hasher:
    """sha256 of files and folders, each file read at most once per Hasher. With the project's
    `root`, a file below a link between the root and it is not read: its digest is the link's."""

    def __init__(self, stat_cache: dict | None = None, root: Path | None = None):
        self.root = Path(root) if root is not None else None
        self.memo: dict[Path, str] = {}
        self.folders: dict[str, str | None] = {}      # a folder on the way: its link's digest, or None
        self._prefix = os.path.join(os.path.normpath(os.fspath(root)), "") if root is not None else ""
        self.stat_cache: dict[str, list] = dict(stat_cache or {})
        self.used: dict[str, list] = {}
        self.collectors: list[list[Path]] = []

    @contextmanager
    def collect(self):
        """Every file asked about meanwhile, also one hashed before and one that is missing:
        what a digest computed meanwhile was made from."""
        paths: list[Path] = []
        self.collectors.append(paths)
        try:
            yield paths
        finally:
            self.collectors.remove(paths)

    def file(self, path: Path) -> str:
        """The file's digest; "-" when it does not exist (its appearing is then a change too)."""
        path = Path(path)
        for paths in self.collectors:
            paths.append(path)
        if path not in self.memo:
            self.memo[path] = self._digest(path)
        return self.memo[path]

    def _digest(self, path: Path) -> str:
        link = self._link_on_the_way(path)
        if link is not None:
            return link
        try:
            stat = os.lstat(path)
        except OSError:
            return "-"
        if not S_ISREG(stat.st_mode):
            return special_digest(path, stat)
        if stat.st_size > FILE_MAX_BYTES:
            return too_large_digest(stat.st_size)
        if stat.st_size >= BIG_FILE:
            cached = self.stat_cache.get(str(path))
            if cached and cached[0] == stat.st_size and cached[1] == stat.st_mtime_ns:
                self.used[str(path)] = cached
                return cached[2]
        try:
            # Not blocking and not a link: what was a file at lstat may be a pipe or a link by now.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return "-"
        with os.fdopen(fd, "rb") as fh:       # in pieces: a file of any size in a practice's folder
            if not S_ISREG(os.fstat(fd).st_mode):
                return combine("other", "")
            try:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
            except OSError:
                return "-"
        if stat.st_size >= BIG_FILE:
            self.used[str(path)] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def _link_on_the_way(self, path: Path) -> str | None:
        """The digest of a link between the project's root and `path`, or None. The reader
        refuses such a file; reading it to hash it would read outside the project (a linked
        `leaflets/drafts/` could lead anywhere). Judged by name, as `files.inside` does; in
        strings, each folder looked at once per Hasher (this runs for every file hashed)."""
        name = os.path.normpath(os.fspath(path))
        if not self._prefix or not name.startswith(self._prefix):
            return None
        folder = self._prefix[:-1]
        for part in name[len(self._prefix):].split("/")[:-1]:
            folder = f"{folder}/{part}"
            if folder not in self.folders:
                try:
                    info = os.lstat(folder)
                except OSError:
                    info = None     # not there: the file's own lstat says so
                self.folders[folder] = special_digest(Path(folder), info) \
                    if info is not None and S_ISLNK(info.st_mode) else None
            if self.folders[folder] is not None:
                return self.folders[folder]
        return None

    def tree(self, folder: Path) -> str:
        """Every file under `folder` (names and contents), hidden files and caches left out.
        Links are not followed (a linked folder is not walked into: it could be the whole disk)."""
        folder = Path(folder)
        if folder.is_symlink() or not folder.is_dir():
            return combine("link", os.readlink(folder)) if folder.is_symlink() else "-"
        parts = []
        for relative in tree_entries(folder):
            parts += [relative.as_posix(), self.file(folder / relative)]
        return combine(*parts)

    def contents(self, root: Path, relative: str, limit: int) -> bytes | None:
        """The bytes of root/relative, read as an input is (no link, within `limit`), or None
        when it cannot be read that way."""
        try:
            return read_file(root, relative, limit)
        except InputFileError:
            return None


def special_digest(path: Path, stat: os.stat_result) -> str:
    """A link is not followed (the loaders refuse it; its target could be anything, a device that
    never ends): what changes is the link itself."""
    try:
        return combine("link" if S_ISLNK(stat.st_mode) else "other",
                       os.readlink(path) if S_ISLNK(stat.st_mode) else "")
    except OSError:
        return "-"


def too_large_digest(size: int) -> str:
    """A file over the limit is never read for a document: what can change about it is its size."""
    return combine("too large", str(size))


# ---- The parts of a document -----------------------------------------------------------------------

def leaflet_digest(project: Project, hasher: Hasher, leaflet_id: str, images, from_draft: bool = False) -> str:
    """The leaflet's source (`from_draft`: its draft) and its pictures (`images`: their `src`,
    as the leaflet writes it)."""
    source = project.leaflets_dir / ("drafts" if from_draft else "") / f"{leaflet_id}.md"
    return combine(hasher.file(source),
                   *[f"{src} {hasher.file(project.leaflets_dir / src)}" for src in images])


def practice_digest(project: Project, hasher: Hasher, practice_id: str) -> str:
    """The profile, everything in practices/<id>/ and the logo file wherever it lies."""
    if practice_id == DEFAULT_PRACTICE_ID:
        return "default"
    profile = project.practices_dir / f"{practice_id}.toml"
    parts = [hasher.file(profile), hasher.tree(project.practices_dir / practice_id)]
    try:   # not through a link, not beyond the size of a profile (practice.load_practice says why)
        raw = hasher.contents(project.root, f"practices/{practice_id}.toml", PROFILE_MAX_BYTES)
        logo = tomllib.loads(raw.decode("utf-8-sig")).get("logo") if raw is not None else None
    except (ValueError, RecursionError):
        logo = None
    if isinstance(logo, str) and logo and ".." not in logo.replace("\\", "/").split("/"):
        parts.append(hasher.file(project.practices_dir / logo))
    return combine(*parts)


def catalogs_digest(project: Project, hasher: Hasher, leaflet_id: str, lang: str) -> str:
    """A language's catalogs for one leaflet, its review record (the colophon says whether a
    person reviewed the translation, and a practice may require it) and the content folder's
    table and termbase of the language (how its dates are written); "" in Dutch."""
    if lang == SOURCE_LANGUAGE:
        return ""
    folder = project.translations_dir / lang
    return combine(hasher.file(project.catalog_path(leaflet_id, lang)),
                   hasher.file(project.path(catalog_file(TEMPLATE_DOMAIN, lang))),
                   hasher.file(project.root / review_file(leaflet_id, lang)),
                   hasher.file(folder / "language.toml"),
                   hasher.file(project.path(f"translations/{lang}/terms.toml")))


def templates_digest(project: Project, hasher: Hasher) -> str:
    """The templates: the project's templates/ over leafletgen's own (Project.tree), hashed as a
    copy of them in the project would be. A reading (inputs.reading) merges them itself."""
    folder = project.templates_dir
    if project.files is not None or project.defaults is None or folder.is_symlink() \
            or (os.path.lexists(folder) and not folder.is_dir()):
        return hasher.tree(folder)
    parts = []
    for relative in project.tree("templates"):
        parts += [relative, hasher.file(project.path(f"templates/{relative}"))]
    return combine(*parts)


def fonts_digest(file_digest, families: tuple[str, ...]) -> str:
    """The font files of `families` (a page's fonts); `file_digest(path)` gives a file's digest."""
    return combine(*[f"{face.family} {face.weight} {face.style} {file_digest(face.path)}"
                     for face in font_faces() if face.family in families])


def document_families(request) -> tuple[str, ...]:
    """The font families of a request's page."""
    return page_families(request.lang, SOURCE_LANGUAGE if request.side_by_side else None)


def document_parts(project: Project, hasher: Hasher, request, images, fonts: str) -> dict[str, str]:
    """Every part of what one document is made from, by name (PARTS); `images` are its leaflet's
    pictures, `fonts` the digest of its fonts (`fonts_digest`)."""
    return {
        "leaflet": leaflet_digest(project, hasher, request.leaflet, images, request.from_draft),
        "catalogs": catalogs_digest(project, hasher, request.leaflet, request.lang),
        "practice": practice_digest(project, hasher, request.practice_id),
        "templates": templates_digest(project, hasher),
        "fonts": fonts,
    }


def output_digest(prefix: tuple[str, ...], parts: dict[str, str], tool: str) -> str:
    """The digest recorded for an output: what names it (`prefix`), the parts of its inputs and
    the tool that made it."""
    deps = {**parts, "tool": tool}
    return combine(*prefix, *[f"{name}={value}" for name, value in sorted(deps.items())])


def web_prefix(request) -> tuple[str, ...]:
    """What names a document the web app caches: its request as the app asked for it."""
    return ("web", json.dumps(request, sort_keys=True))
