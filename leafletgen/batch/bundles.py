"""A document's inputs as bundles, for a machine that has none of the project (batch.cluster).

The plan notes which project files each input was hashed from (`Plan.inputs`: the templates, a
leaflet and its pictures, a practice's profile, folder and logo, a leaflet's two catalogs in one
language). `pack` reads one input's files into a `Bundle`: plain data (paths relative to the
project folder, bytes) named by a hash of its content, so the same input makes the same bundle
wherever and whenever it is packed, and a machine is sent it once. On the other side,
`ProjectCopy` lays bundles out in a private temporary folder, read-only, which the one render
path reads as it reads any project: the same loaders, the same sandbox, the same limits.

Light: hashlib, os, tempfile. Nothing here renders.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import UserError

# The only folders of a project a bundle may write into (the others are outputs or caches).
INPUT_FOLDERS = ("leaflets", "practices", "templates", "translations")


class ProjectChanged(UserError):
    """Two bundles of one run disagree about a file: it was edited while the run was packing."""


@dataclass(frozen=True)
class Bundle:
    """One input's files. `links` are symbolic links, kept as links (with their target as
    written), so that the render refuses them there exactly as it does here."""

    name: str                                   # the input, for messages: practice/<id>, …
    key: str                                    # leafletgen-input-<sha256 of paths and contents>
    files: tuple[tuple[str, bytes], ...] = ()
    links: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return sum(len(data) for _, data in self.files)


def pack(root: Path, name: str, paths: tuple[str, ...]) -> Bundle:
    """The files `paths` (relative to `root`) of the input `name`, as they are now. A missing file
    is left out: it is missing over there too."""
    files, links = [], []
    for relative in paths:
        path = Path(root) / relative
        if path.is_symlink():
            links.append((relative, os.readlink(path)))
        elif path.is_file():
            files.append((relative, path.read_bytes()))
    digest = hashlib.sha256()
    for relative, data in files:
        digest.update(b"F\0" + relative.encode() + b"\0" + hashlib.sha256(data).digest())
    for relative, target in links:
        digest.update(b"L\0" + relative.encode() + b"\0" + target.encode() + b"\0")
    return Bundle(name, f"leafletgen-input-{digest.hexdigest()}", tuple(files), tuple(links))


def safe_path(relative: str) -> PurePosixPath:
    """A bundle's path, refused unless it stays inside one of the project's input folders."""
    parts = relative.split("/")
    if (parts[0] not in INPUT_FOLDERS or len(parts) < 2
            or any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts)):
        raise ValueError(f"a bundle may not write {relative!r}")
    return PurePosixPath(relative)


class ProjectCopy:
    """A private temporary project folder made of bundles: files read-only, folders closed to
    writing between two `add`s. Every bundle of one run agrees with the others (they were packed
    from one project), so one folder serves all of a run's documents; the render's caches (parsed
    leaflets, stylesheets, compiled templates) stay warm from one document to the next."""

    def __init__(self, prefix: str = "leafletgen-inputs-", parent: str | None = None):
        self.root = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        self.added: set[str] = set()
        for folder in INPUT_FOLDERS:
            (self.root / folder).mkdir(mode=0o700)
        self._close(self.root.rglob("*"))

    def add(self, bundle: Bundle) -> None:
        """Lay out `bundle`'s files (once per bundle)."""
        if bundle.key in self.added:
            return
        opened: list[Path] = []
        try:
            for relative, data in bundle.files:
                target = self._place(relative, opened)
                if target.is_symlink() or target.exists():
                    if target.is_symlink() or target.read_bytes() != data:
                        raise ProjectChanged(f"{relative} changed while the run was starting")
                    continue
                fd, part = tempfile.mkstemp(dir=target.parent, prefix=".part-")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.chmod(part, 0o444)
                os.replace(part, target)
            for relative, link in bundle.links:
                target = self._place(relative, opened)
                if target.is_symlink() and os.readlink(target) == link:
                    continue
                if target.is_symlink() or target.exists():
                    raise ProjectChanged(f"{relative} changed while the run was starting")
                os.symlink(link, target)
        finally:
            self._close(opened)
        self.added.add(bundle.key)

    def _place(self, relative: str, opened: list[Path]) -> Path:
        """Where `relative` goes; its folders made, and opened for writing until `add` ends."""
        path = safe_path(relative)
        folder = self.root
        for part in path.parts[:-1]:
            if folder not in opened:
                folder.chmod(0o700)
                opened.append(folder)
            folder = folder / part
            if folder.is_symlink():
                raise ValueError(f"a bundle may not write through the link {relative!r}")
            if not folder.is_dir():
                folder.mkdir(mode=0o700)
        if folder not in opened:
            folder.chmod(0o700)
            opened.append(folder)
        return folder / path.parts[-1]

    def _close(self, folders) -> None:
        for folder in folders:
            if folder.is_dir() and not folder.is_symlink():
                folder.chmod(0o500)
        self.root.chmod(0o500)

    def remove(self) -> None:
        """Delete the folder and everything in it."""
        self.remove_folder(self.root)

    @staticmethod
    def remove_folder(root: Path) -> None:
        if root.is_symlink() or not root.is_dir():
            return
        for folder, _, _ in os.walk(root):
            os.chmod(folder, stat.S_IRWXU)
        shutil.rmtree(root, ignore_errors=True)
