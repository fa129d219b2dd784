"""leafletgen's shipped files, and a content folder's copies of them.

leafletgen ships a folder shaped like a project (project.SHIPPED_ROOT): the defaults every content
folder uses where it has no file of its own at the same place (`DEFAULTS`: templates, the template
strings' and the web app's catalogs, the termbases), and the example that `leafletgen new` copies
(`EXAMPLE`: leaflets/, practices/ and the example leaflets' catalogs). A folder made by `new`
records in COPIES_FILE which files it copied and the digest each had, so that after leafletgen is
upgraded a copy that is only older than the shipped file (unchanged here) can be told from one
that was changed here (`copy_states`; `leafletgen upgrade` replaces the first kind and keeps the
second).

Light (hashlib, os, tomllib): the main job asks `upgrade_note` on every run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import __version__
from .files import InputFileError, read_file
from .project import TEMPLATE_DOMAIN, WEB_DOMAIN, Project, is_default, shipped_root

COPIES_FILE = "leafletgen-copies.toml"
FILE_MAX_BYTES = 16 * 1024 * 1024


def shipped_files(root: Path | None = None) -> list[str]:
    """Every file of the shipped folders (templates/, translations/, leaflets/, practices/), as
    POSIX paths relative to `root` (default: the installed leafletgen's); hidden files and caches
    are left out."""
    root = root or shipped_root()
    found = []
    for folder in ("templates", "translations", "leaflets", "practices"):
        for top, dirs, files in os.walk(root / folder):
            dirs[:] = [name for name in dirs if not name.startswith(".") and name != "__pycache__"]
            relative = Path(top).relative_to(root).as_posix()
            found += [f"{relative}/{name}" for name in files
                      if not name.startswith(".") and not name.endswith(_NOT_SHIPPED)]
    return sorted(found)


# Made from the shipped files, or left by a tool: never part of them.
_NOT_SHIPPED = (".mo", ".pyc", ".part", "~")


def example_files(root: Path | None = None) -> list[str]:
    """The example `new` copies: the leaflets, the practices, and each example leaflet's
    catalogs, its catalog template and review records."""
    root = root or shipped_root()
    leaflets = {PurePosixPath(name).stem for name in shipped_files(root)
                if name.startswith("leaflets/") and name.endswith(".md") and name.count("/") == 1}
    return [name for name in shipped_files(root) if _owner(name) is not None
            and (not name.startswith("translations/") or _owner(name) in
                 {f"leaflets/{leaflet}.md" for leaflet in leaflets})]


def _owner(relative: str) -> str | None:
    """The leaflet or practice file an example file belongs to (itself for a leaflet or a
    profile); None for a file that is no part of the example."""
    parts = PurePosixPath(relative).parts
    if parts[0] == "leaflets":
        return relative       # a leaflet, or a picture (which any leaflet may show)
    if parts[0] == "practices":
        return relative if len(parts) == 2 else f"practices/{parts[1]}.toml"
    if parts[0] == "translations":
        name = parts[-1]
        if len(parts) == 2 and name.endswith(".pot"):
            domain = name.removesuffix(".pot")
        elif len(parts) == 4 and parts[2] == "LC_MESSAGES" and name.endswith((".po", ".review.toml")):
            domain = name.removesuffix(".po").removesuffix(".review.toml")
        else:
            return None
        if domain in (TEMPLATE_DOMAIN, WEB_DOMAIN):
            return None
        return f"leaflets/{domain}.md"
    return None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(root: Path, relative: str) -> str | None:
    """The digest of a file read as an input (no link, within the limit); None when there is none,
    "-" when there is something that cannot be read that way (a link, a folder)."""
    try:
        return digest(read_file(root, relative, FILE_MAX_BYTES))
    except InputFileError as exc:
        return None if exc.missing else "-"


# ---- The record of copies -----------------------------------------------------------------------

@dataclass(frozen=True)
class Copy:
    """A file the folder copied from leafletgen: the version it came from and its digest then."""

    path: str
    version: str
    digest: str


def read_copies(project: Project) -> dict[str, Copy] | None:
    """The folder's record of copies; None when it has none (not made by `new`). A record that
    cannot be read is a UserError naming it."""
    from ..errors import Problem, UserError

    try:
        raw = read_file(project.root, COPIES_FILE, 1024 * 1024)
    except InputFileError as exc:
        if exc.missing:
            return None
        raise UserError(Problem(COPIES_FILE, exc.reason)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        files = data.get("files", {})
        return {path: Copy(path, str(entry["version"]), str(entry["sha256"]))
                for path, entry in files.items()}
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError, KeyError, TypeError) as exc:
        raise UserError(Problem(COPIES_FILE, f"cannot be read ({exc}); `leafletgen new` writes it, "
                                "and it is not meant to be edited")) from None


def render_copies(copies: dict[str, Copy]) -> str:
    lines = [
        "# The files this folder copied from leafletgen (`leafletgen new`, `leafletgen upgrade`), with",
        "# the version each came from and its digest then: `leafletgen upgrade` compares them with",
        "# the files here and those of the installed leafletgen, to tell an older copy (replaced)",
        "# from one changed here (kept). Written by leafletgen; keep it in git.",
        "",
        "[files]",
    ]
    for path in sorted(copies):
        copy = copies[path]
        lines.append(f'{json.dumps(path)} = {{ version = {json.dumps(copy.version)}, sha256 = "{copy.digest}" }}')
    return "\n".join(lines) + "\n"


def record(relative: str, data: bytes) -> Copy:
    return Copy(relative, __version__, digest(data))


# ---- What each copy is now ----------------------------------------------------------------------

# The states of a copy: the same as the shipped file; only older (unchanged here, the shipped one
# changed): replaced by `upgrade`; changed here only; changed here and in leafletgen; gone here;
# no longer shipped; and, for an example file new in leafletgen whose leaflet or practice the
# folder has, not copied yet.
CURRENT, OLDER, CHANGED_HERE, CHANGED_BOTH, GONE_HERE, NOT_SHIPPED, NEW = (
    "current", "older", "changed here", "changed in both", "gone here", "no longer shipped", "new")


@dataclass(frozen=True)
class CopyState:
    path: str
    state: str
    version: str = ""             # the version it was copied from


def copy_states(project: Project, copies: dict[str, Copy]) -> list[CopyState]:
    """Each recorded copy's state, then the example files new in leafletgen (see the states)."""
    shipped = shipped_root()
    states = []
    for path, copy in sorted(copies.items()):
        here = file_digest(project.root, path)
        there = file_digest(shipped, path)
        if here is None:
            state = GONE_HERE
        elif there is None or there == "-":
            state = NOT_SHIPPED
        elif here == there:
            state = CURRENT
        elif here == copy.digest:
            state = OLDER
        elif there == copy.digest:
            state = CHANGED_HERE
        else:
            state = CHANGED_BOTH
        states.append(CopyState(path, state, copy.version))
    present = {path for path in copies if file_digest(project.root, path) is not None}
    for path in example_files(shipped):
        owner = _owner(path)
        if path not in copies and owner in present and file_digest(project.root, path) is None:
            states.append(CopyState(path, NEW))
    return states


def overrides(project: Project, copies: dict[str, Copy]) -> list[tuple[str, bool]]:
    """The defaults this folder has a file of its own for, not copied by leafletgen: (path,
    whether it is the same as the shipped one)."""
    shipped = shipped_root()
    if project.root.resolve() == shipped.resolve():
        return []
    found = []
    for path in shipped_files(shipped):
        if is_default(path) and path not in copies:
            here = file_digest(project.root, path)
            if here is not None:
                found.append((path, here == file_digest(shipped, path)))
    return found


def upgrade_note(project: Project) -> str | None:
    """One line for the main job when the folder holds copies older than the installed
    leafletgen's files; None otherwise (and for a folder not made by `new`)."""
    if not os.path.lexists(project.root / COPIES_FILE):
        return None
    try:
        copies = read_copies(project)
    except Exception:   # reported by `leafletgen upgrade`, which reads it again
        return None
    behind = [state for state in copy_states(project, copies or {})
              if state.state in (OLDER, CHANGED_BOTH, NEW)]
    if not behind:
        return None
    return (f"note: {len(behind)} file(s) of this folder are older than leafletgen {__version__}'s "
            "(copied by `leafletgen new` from an earlier version); `leafletgen upgrade --check` "
            "lists them, `leafletgen upgrade` brings the unchanged ones up to date")
