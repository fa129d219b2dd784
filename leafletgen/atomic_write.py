"""The last stage: write files so that a reader only ever sees a complete old or new file.

Every file is written to a temporary file in the target folder, `.NAME.PID.RANDOM.part` (hidden,
and never linked from the index), flushed to disk, then renamed over NAME: a rename within one
folder is atomic, so NAME is at every moment either the old complete file or the new one,
whatever happens to the process (Ctrl-C, SIGTERM, SIGKILL, power loss after the fsync).

An interrupted write cleans up its temporary file when it can (exceptions, Ctrl-C, SIGTERM:
the CLI turns SIGTERM into an exception). A SIGKILL leaves no chance to: its `.part` file stays
until the next write of the same NAME, or the next main job, removes it. Only parts of processes
that are no longer running are removed (the PID in the name says whose it is), so two builds
writing into one folder at once never delete each other's files.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import machine_error

_PART_RE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.part$")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it into place.

    A fault of the machine (no space left, no permission, a read-only folder, a folder where the
    file should be) is a MachineError naming `path`'s folder and the cause, never the temporary
    file; the temporary file is removed and the old `path` is left as it was."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise machine_error(exc, path) from exc
    _remove_dead_parts(path.parent, path.name)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".part")
    except OSError as exc:
        raise machine_error(exc, path) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise machine_error(exc, path) from exc
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, and not needed, everywhere."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_if_changed(source: Path, target: Path) -> None:
    """Copy `source` unless `target` already is that copy (same size and modification time).

    Called for every document with multi-megabyte fonts: comparing stat results instead of
    reading both files keeps this off the hot path.
    """
    src = source.stat()
    try:
        dst = target.stat()
        if dst.st_size == src.st_size and dst.st_mtime_ns == src.st_mtime_ns:
            return
    except FileNotFoundError:
        pass
    write_atomic(target, source.read_bytes())
    try:
        os.utime(target, ns=(src.st_atime_ns, src.st_mtime_ns))
    except OSError as exc:
        raise machine_error(exc, target, "cannot change") from exc


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists (another user's), or cannot tell: keep its file
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether `pid` has ended and only waits to be reaped (a worker killed with its parent:
    until init reaps it, a signal still reaches it, but it writes nothing any more)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False     # no /proc (not Linux), or it has just gone: as the signal said


def stale_part(path: Path) -> bool:
    """Whether `path` is a temporary file left by a process that is no longer running."""
    match = _PART_RE.match(path.name)
    return match is not None and not _alive(int(match.group("pid")))


def _remove_dead_parts(folder: Path, name: str) -> None:
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(f".{name}.") and p.name.endswith(".part")]
    except OSError:
        return
    for part in candidates:
        if stale_part(part):
            try:
                part.unlink(missing_ok=True)
            except OSError:
                pass   # a read-only folder: the write that follows says so


def remove_stale_parts(folder: Path) -> list[Path]:
    """Temporary files left in `folder` (recursively) by killed builds; returns what was removed."""
    removed: list[Path] = []
    if folder.is_dir():
        try:
            parts = sorted(folder.rglob(".*.part"))
        except OSError:
            return removed
        for part in parts:
            if part.is_file() and stale_part(part):
                try:
                    part.unlink(missing_ok=True)
                except OSError:
                    continue   # a read-only folder: the first write says so, with its cause
                removed.append(part)
    return removed
