"""A practice organisation's own content folder: made by `leafletgen new`, and its copies of
leafletgen's shipped files brought up to date by `leafletgen upgrade`.

`new` writes the example (inputs.shipped.example_files), a `leafletgen.toml` with every setting
commented out (the file by which the tool finds the folder), a `.gitignore` that keeps what is
made again (output/) and what must never be in git (the accounts database and the secret key in
.leafletgen/) out of it, and the record of what it copied (inputs.shipped.COPIES_FILE). Nothing
half-written is left: the files are written into a hidden folder first and moved into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic_write import write_atomic
from .errors import UserError, machine_error
from .inputs.files import read_file
from .inputs.project import Project, shipped_root
from .inputs.shipped import (CHANGED_BOTH, CHANGED_HERE, COPIES_FILE, CURRENT, FILE_MAX_BYTES, GONE_HERE, NEW,
                             OLDER, Copy,
                             copy_states, example_files, read_copies, record, render_copies)
from .store.settings import (DEFAULT_HOST, DEFAULT_KEEP_NAMES_DAYS, DEFAULT_PORT,
                             DEFAULT_SECRET_KEY_FILE, SETTINGS_FILE, STATE_DIR)

SETTINGS_TEXT = f"""\
# leafletgen's settings for this content folder. `leafletgen` finds the folder by this file from
# any folder below it. Every key is optional: as long as it is commented out, the default shown
# applies (see "Installing and serving" in leafletgen's documentation).

# [server]
# host = "{DEFAULT_HOST}"          # "0.0.0.0": every network (then everyone signs in)
# port = {DEFAULT_PORT}
# proxy = ["127.0.0.1"]        # a reverse proxy in front of the app (https)
# sso_header = "X-Remote-User" # single sign-on: the proxy's header that names the account (needs proxy)
# secret_key_file = "{DEFAULT_SECRET_KEY_FILE}"

# [database]
# url = "sqlite:///{STATE_DIR}/leafletgen.db"

# [audit]
# keep_names_days = {DEFAULT_KEEP_NAMES_DAYS}        # how long the audit trail keeps staff names
"""

GITIGNORE_TEXT = f"""\
# Made again by `leafletgen` from the files in git.
/output/
# The web app's accounts database and the secret key that signs its forms: never in git (back
# them up apart; see "Backup and restore" in leafletgen's documentation).
/{STATE_DIR}/
# A virtual environment in this folder, and compiled catalogs.
.venv/
*.mo
"""


def new_folder(target: Path) -> list[str]:
    """Make the content folder `target` (missing, or an empty folder); the files written, as
    paths relative to it. UserError when `target` is a file or a folder with something in it."""
    if os.path.lexists(target):
        if target.is_symlink() or not target.is_dir():
            raise UserError(f"{target}: exists and is not a folder; give the name of a new folder")
        if any(os.scandir(target)):
            raise UserError(f"{target}: is not empty; `leafletgen new` makes a new content folder, "
                            "give the name of a new or empty folder")
    files = _folder_files()
    try:
        if target.is_dir():      # an empty folder (its owner and permissions kept): fill it
            staging = Path(tempfile.mkdtemp(dir=target, prefix=".leafletgen-new-"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
    except OSError as exc:
        raise machine_error(exc, target) from exc
    try:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        _move_into_place(staging, target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise machine_error(exc, target) from exc
        raise
    return sorted(files)


def _folder_files() -> dict[str, bytes]:
    """What `new` writes: the example, the settings, .gitignore and the record of the copies."""
    files = {relative: read_file(shipped_root(), relative, FILE_MAX_BYTES) for relative in example_files()}
    copies = {relative: record(relative, data) for relative, data in files.items()}
    files[SETTINGS_FILE] = SETTINGS_TEXT.encode()
    files[".gitignore"] = GITIGNORE_TEXT.encode()
    files[COPIES_FILE] = render_copies(copies).encode()
    return files


def _move_into_place(staging: Path, target: Path) -> None:
    """The staged folder becomes `target`: renamed when `target` does not exist, else its entries
    moved into the empty `target` (undone if one move fails)."""
    if staging.parent != target:
        mode = 0o777 & ~_umask()
        os.chmod(staging, mode)
        os.rename(staging, target)
        return
    moved = []
    try:
        for entry in sorted(os.listdir(staging)):
            os.rename(staging / entry, target / entry)
            moved.append(entry)
    except BaseException:
        for entry in moved:
            os.rename(target / entry, staging / entry)
        raise
    os.rmdir(staging)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ---- upgrade -------------------------------------------------------------------------------------

@dataclass
class Upgrade:
    """What `upgrade` did (or, checking, would do) to each copy, by state (inputs.shipped)."""

    states: list = field(default_factory=list)      # inputs.shipped.CopyState, each copy
    written: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # recorded as brought up to date by hand

    def paths(self, *states: str) -> list[str]:
        return [state.path for state in self.states if state.state in states]


def upgrade(project: Project, check: bool = False, merged: tuple[str, ...] = ()) -> Upgrade | None:
    """Replace each copy that is only older than the installed leafletgen's file, add the example
    files new in it (of a leaflet or practice this folder has), and record them; nothing else is
    touched. `merged`: copies changed here and in leafletgen that a person has brought up to
    date by hand (recorded as from this version: kept as changed here). None for a folder not
    made by `new` (no record). `check`: write nothing."""
    copies = read_copies(project)
    if copies is None:
        return None
    unknown = [path for path in merged if path not in copies]
    if unknown:
        raise UserError([f"{path}: not a file this folder copied from leafletgen ({COPIES_FILE})"
                         for path in unknown])
    result = Upgrade(copy_states(project, copies))
    if check:
        return result
    updated = dict(copies)
    states = []
    for state in result.states:
        if state.state in (OLDER, NEW, CURRENT) or (state.state == CHANGED_BOTH and state.path in merged):
            data = read_file(shipped_root(), state.path, FILE_MAX_BYTES)
            if state.state in (OLDER, NEW):
                write_atomic(project.root / state.path, data)
                result.written.append(state.path)
            elif state.state == CHANGED_BOTH:
                state = replace(state, state=CHANGED_HERE)    # merged by hand: from this version now
                result.merged.append(state.path)
            updated[state.path] = record(state.path, data)
        elif state.state == GONE_HERE:
            del updated[state.path]
        states.append(state)
    result.states = states
    if updated != copies:
        write_atomic(project.root / COPIES_FILE, render_copies(updated))
    return result


def shipped_path(relative: str) -> Path:
    """Where the installed leafletgen's copy of a shipped file is (to compare by hand)."""
    return shipped_root() / relative


__all__ = ["Copy", "GITIGNORE_TEXT", "SETTINGS_TEXT", "Upgrade", "new_folder", "shipped_path", "upgrade"]
