"""Reading input files: regular files inside their folder only, never through a symbolic link,
never more than a size limit, never blocking.

Leaflets, profiles, logos, pictures, catalogs and templates come from many hands. Opening them
by name would follow a symbolic link anywhere the build can read (`practices/x/templates` linked
to /etc, a `leaflet.css` linked to a private key), and `Path.resolve()` followed by `open()` can
be raced. So a file is opened the way `openat` does it: from a trusted folder (the project's
root, a font package), one path component at a time, each with O_NOFOLLOW, the folders with
O_DIRECTORY. A link anywhere below the trusted folder is refused, as is `..`, a pipe or a device
(opened with O_NONBLOCK, so a named pipe cannot hang the build), and a file over the limit
(its size is taken from the open file and at most limit + 1 bytes are read).

    data = read_file(project.root, "leaflets/lage-rugklachten.md", limit=1024 * 1024)
    kind = file_kind(project.root, "practices/fysio-delinde/templates")   # "dir", "symlink", …

Errors are `InputFileError` with a reason in plain words, for the caller to put in a Problem
with the file's name as the user knows it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath
from ..errors import Problem, UserError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class InputFileError(Exception):
    """A file that may not or cannot be read; `kind` says why: "missing" (it or a folder on its
    way is not there), "link", "too large", "not a file", "outside", "hidden" (a name
    files.tree_entries leaves out, refused by a document's reading) or "unreadable"."""

    def __init__(self, reason: str, kind: str = "unreadable"):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind

    @property
    def missing(self) -> bool:
        return self.kind == "missing"


def relative_parts(relative: str | os.PathLike) -> tuple[str, ...]:
    """The components of a relative path; `..`, absolute paths and empty names are refused."""
    text = os.fspath(relative)
    if "\0" in text:
        raise InputFileError("has a NUL character in its name", "outside")
    path = PurePosixPath(text)
    if path.is_absolute():
        raise InputFileError("must be a path inside its folder, not an absolute path", "outside")
    parts = tuple(part for part in path.parts if part != ".")
    if not parts or ".." in parts:
        raise InputFileError("must be a path inside its folder (no '..')", "outside")
    return parts


def _describe(parts: tuple[str, ...], upto: int) -> str:
    return "/".join(parts[:upto + 1])


def open_file(base: Path, relative: str | os.PathLike) -> int:
    """A file descriptor for base/relative, opened as described above; the caller closes it."""
    parts = relative_parts(relative)
    try:
        fd = os.open(base, _DIR_FLAGS & ~os.O_NOFOLLOW)   # the trusted folder itself may be a link
    except FileNotFoundError:
        raise InputFileError(f"folder {base} does not exist", "missing") from None
    except OSError as exc:
        raise InputFileError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            try:
                next_fd = os.open(part, _FILE_FLAGS if last else _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                raise _error(exc, parts, index, last, _is_link(part, fd)) from None
            os.close(fd)
            fd = next_fd
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a pipe, " \
                                                                   "socket or device)"
            raise InputFileError(f"is {kind}; expected a file", "not a file")
        result, fd = fd, -1
        return result
    finally:
        if fd >= 0:
            os.close(fd)


def _error(exc: OSError, parts: tuple[str, ...], index: int, last: bool, link: bool) -> InputFileError:
    where = _describe(parts, index)
    if link or exc.errno == errno.ELOOP:
        if last:
            return InputFileError("is a symbolic link; only real files inside the project are read",
                                  "link")
        return InputFileError(f"lies in {where}, which is a symbolic link; only real files and "
                              "folders inside the project are read", "link")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return InputFileError("does not exist", "missing")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputFileError(f"cannot be read: no permission to read {where}")
    if exc.errno == errno.ENXIO:
        return InputFileError("is not a regular file (a pipe, socket or device); expected a file",
                              "not a file")
    return InputFileError(f"cannot be read: {exc.strerror or exc}")


def _is_link(name: str, dir_fd: int) -> bool:
    """Whether `name` in the folder `dir_fd` is a symbolic link (O_DIRECTORY | O_NOFOLLOW on a
    link fails with ENOTDIR, not ELOOP)."""
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def read_file(base: Path, relative: str | os.PathLike, limit: int) -> bytes:
    """The bytes of base/relative (see `open_file`); over `limit` bytes is an InputFileError."""
    fd = open_file(base, relative)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise InputFileError(f"is {size:,} bytes; the limit is {limit:,} bytes", "too large")
        chunks, total = [], 0
        while True:
            try:
                chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            except OSError as exc:
                raise InputFileError(f"cannot be read: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:   # grew while being read
                raise InputFileError(f"is more than {limit:,} bytes; the limit is {limit:,} bytes",
                                     "too large")
        return b"".join(chunks)
    finally:
        os.close(fd)


def file_stat(base: Path, relative: str | os.PathLike) -> os.stat_result:
    """The stat of base/relative, a regular file reached without links (else InputFileError)."""
    fd = open_file(base, relative)
    try:
        return os.fstat(fd)
    finally:
        os.close(fd)


def file_kind(base: Path, relative: str | os.PathLike) -> str:
    """"file", "dir", "symlink" (the path or a folder on its way), "missing" or "other"."""
    try:
        parts = relative_parts(relative)
    except InputFileError:
        return "other"
    path = Path(base)
    for index, part in enumerate(parts):
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return "missing"
        except OSError:
            return "other"
        if stat.S_ISLNK(info.st_mode):
            return "symlink"
        if index < len(parts) - 1 and not stat.S_ISDIR(info.st_mode):
            return "missing"
    if stat.S_ISREG(info.st_mode):
        return "file"
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    return "other"


def is_file(base: Path, relative: str | os.PathLike) -> bool:
    """A regular file, reached without following a link."""
    return file_kind(base, relative) == "file"


def inside(path: Path, base: Path) -> str | None:
    """`path` relative to `base` as a POSIX string, judged by name (no link is followed), or None
    when it lies outside."""
    path = Path(os.path.normpath(os.fspath(path)))
    base = Path(os.path.normpath(os.fspath(base)))
    try:
        relative = path.relative_to(base)
    except ValueError:
        return None
    return relative.as_posix() if relative.parts else None


def read_input(base: Path, relative: str | os.PathLike, limit: int, file: str | None = None) -> bytes:
    """`read_file`, its refusal a UserError naming `file` (as the user knows it; default `relative`)."""
    try:
        return read_file(base, relative, limit)
    except InputFileError as exc:
        raise UserError(Problem(file or os.fspath(relative), exc.reason)) from None


def left_out(relative: str, folder: bool = False) -> bool:
    """Whether listings and digests (tree_entries) leave `relative` out, so that it is never an
    input: a name on its way starts with a dot, or a folder on its way (or `relative` itself, a
    `folder`) is a cache, __pycache__."""
    parts = relative.split("/")
    return any(part.startswith(".") for part in parts) or "__pycache__" in (parts if folder else parts[:-1])


def tree_entries(folder: Path) -> list[Path]:
    """What lies below a folder, as inputs: its files and links (a linked folder is not walked
    into: it could be the whole disk), relative to it, sorted; hidden names and caches left out."""
    entries = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        relative_top = Path(top).relative_to(folder)
        links = [d for d in dirs if os.path.islink(os.path.join(top, d))]
        dirs[:] = [d for d in dirs if not left_out(d, folder=True) and d not in links]
        entries += [relative_top / name for name in files + links if not left_out(name)]
    return sorted(set(entries))
