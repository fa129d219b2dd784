"""The store of published versions: the approved text of every published version of a leaflet,
and of its catalogs, kept as files in the content folder (git and backups carry them).

    leaflets/history/<id>/<version>.md            the leaflet exactly as published (its bytes)
    leaflets/history/<id>/<version>.toml          its record: sha256, who wrote, approved, published it, when
    translations/history/<lang>/<id>/<version>[+<n>].po   its catalogs, as recorded (catalog_versions.py)

leaflets/<id>.md is the published text, the one every build prints as final; the editor's
drafts are elsewhere (inputs/drafts.py). `publish` writes a new version here and then over
leaflets/<id>.md. Nothing in a history folder is a leaflet, a language or a catalog: `list`,
the main job, extraction and the search never see it (Project's listings skip it).

A file is never rewritten once written (the version's .md is claimed with a hard link, which
fails if it exists): two people publishing the same version at once, one wins. Its record holds
the sha256 of its bytes, so a history file changed by hand is found (`read_version` refuses it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..atomic_write import write_atomic
from ..errors import Message, Problem, UserError
from .files import InputFileError, read_file
from .project import HISTORY_DIR as HISTORY, LEAFLET_ID, Project

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z](?:[0-9A-Za-z._-]{0,30}[0-9A-Za-z])?$")
FILE_MAX_BYTES = 1024 * 1024              # a leaflet is at most 256 KiB; a catalog a few times that
RECORD_MAX_BYTES = 64 * 1024


# ---- Names ------------------------------------------------------------------------------------------

def version_problem(version: str) -> Message | None:
    """Why `version` cannot name a file of the store (None: it can): letters, digits, '.', '-'
    and '_', starting and ending with a letter or digit, at most 32 characters, no '..'."""
    if not VERSION_PATTERN.match(version) or ".." in version:
        return Message("version_name", f"version {version[:40]!r} cannot be published: write it with "
                                       "digits, letters, '.', '-' and '_' only, e.g. 1.1 or 2.0",
                       version=version[:40])
    return None


def version_key(version: str) -> tuple:
    """How versions sort: by their numbers, then their words ("1.9" < "1.10" < "2.0")."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"[._-]", version))


def leaflet_history_dir(project: Project, leaflet_id: str) -> Path:
    return project.leaflets_dir / HISTORY / leaflet_id


def catalog_history_dir(project: Project, leaflet_id: str, lang: str) -> Path:
    return project.translations_dir / HISTORY / lang / leaflet_id


def version_file(leaflet_id: str, version: str) -> str:
    """leaflets/history/<id>/<version>.md, relative to the project."""
    return f"leaflets/{HISTORY}/{leaflet_id}/{version}.md"


def catalog_version_file(leaflet_id: str, lang: str, version: str, revision: int = 1) -> str:
    """translations/history/<lang>/<id>/<version>[+<revision>].po, relative to the project."""
    suffix = "" if revision == 1 else f"+{revision}"
    return f"translations/{HISTORY}/{lang}/{leaflet_id}/{version}{suffix}.po"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- Published versions of a leaflet ----------------------------------------------------------------

@dataclass(frozen=True)
class PublishedVersion:
    """One published version of a leaflet, as its record says (its text: `read_version`)."""

    leaflet: str
    version: str
    sha256: str                          # of the .md file's bytes
    file: str                            # leaflets/history/<id>/<version>.md
    published_at: dt.datetime | None = None   # UTC
    published_by: str = ""
    written_by: tuple[str, ...] = ()     # who saved the draft that became this version
    approved_by: str = ""                # who approved it (never one of its writers)
    approved_at: dt.datetime | None = None
    note: str = ""                       # e.g. "published before the store kept approvals"


def record_text(values: dict, heading: str = "when this was published") -> str:
    """A record as TOML: strings, lists of strings and UTC times (all a record holds)."""
    lines = [f"# Written by leafletgen {heading}; do not edit (its sha256 is checked)."]
    for key, value in values.items():
        if value is None or value == "" or value == ():
            continue
        if isinstance(value, dt.datetime):
            lines.append(f"{key} = {value.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        elif isinstance(value, int) and not isinstance(value, bool):
            lines.append(f"{key} = {value}")
        elif isinstance(value, (list, tuple)):
            lines.append(f"{key} = [{', '.join(_toml_string(item) for item in value)}]")
        else:
            lines.append(f"{key} = {_toml_string(str(value))}")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def read_record(project: Project, file: str) -> dict:
    """A record's data ({} when there is none); a record that cannot be read is a UserError."""
    try:
        raw = read_file(project.root, file, RECORD_MAX_BYTES)
    except InputFileError as exc:
        if exc.missing:
            return {}
        raise UserError(Problem(file, exc.reason)) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(Problem(file, f"is not a readable record of a published version ({exc})")) from None


def utc_time(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def _version_from(project: Project, leaflet_id: str, version: str) -> PublishedVersion:
    file = version_file(leaflet_id, version)
    record = read_record(project, file.removesuffix(".md") + ".toml")
    digest = record.get("sha256")
    if not isinstance(digest, str):
        # No record (a crash between the two files, or copied in by hand): its bytes as they are.
        digest = sha256(read_stored(project, file))
    written = record.get("written_by", ())
    return PublishedVersion(
        leaflet=leaflet_id, version=version, sha256=digest, file=file,
        published_at=utc_time(record.get("published_at")), published_by=str(record.get("published_by", "")),
        written_by=tuple(str(name) for name in written) if isinstance(written, list) else (),
        approved_by=str(record.get("approved_by", "")), approved_at=utc_time(record.get("approved_at")),
        note=str(record.get("note", "")))


def read_stored(project: Project, file: str) -> bytes:
    try:
        return read_file(project.root, file, FILE_MAX_BYTES)
    except InputFileError as exc:
        raise UserError(Problem(file, exc.reason)) from None


def stored_names(folder: Path, suffix: str) -> list[str]:
    """Stems of the visible regular files in `folder` ending in `suffix` (links left out)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return [entry.name[:-len(suffix)] for entry in entries
            if entry.name.endswith(suffix) and not entry.name.startswith(".")
            and entry.is_file(follow_symlinks=False)]


def versions(project: Project, leaflet_id: str) -> list[PublishedVersion]:
    """Every published version of the leaflet, oldest first ([] when none was published)."""
    if not LEAFLET_ID.match(leaflet_id):
        return []
    names = [name for name in stored_names(leaflet_history_dir(project, leaflet_id), ".md")
             if version_problem(name) is None]
    return [_version_from(project, leaflet_id, name) for name in sorted(names, key=version_key)]


def version(project: Project, leaflet_id: str, version_name: str) -> PublishedVersion | None:
    """The published version `version_name` of the leaflet, or None."""
    if not LEAFLET_ID.match(leaflet_id) or version_problem(version_name) is not None:
        return None
    if not (leaflet_history_dir(project, leaflet_id) / f"{version_name}.md").is_file():
        return None
    return _version_from(project, leaflet_id, version_name)


def current_version(project: Project, leaflet_id: str) -> PublishedVersion | None:
    """The newest published version (the one leaflets/<id>.md should be), or None."""
    found = versions(project, leaflet_id)
    return found[-1] if found else None


def read_version(project: Project, leaflet_id: str, version_name: str) -> bytes:
    """The exact bytes of a published version. UserError when there is no such version, or when
    its file no longer matches its record (changed after it was published)."""
    found = version(project, leaflet_id, version_name)
    if found is None:
        known = ", ".join(v.version for v in versions(project, leaflet_id)) or "none"
        raise UserError(Problem(version_file(leaflet_id, version_name) if LEAFLET_ID.match(leaflet_id)
                                else "leaflets/history",
                                Message("no_version", f"no published version {version_name[:40]!r} of "
                                                      f"{leaflet_id!r}; published: {known}",
                                        version=version_name[:40], known=known)))
    data = read_stored(project, found.file)
    if sha256(data) != found.sha256:
        raise UserError(Problem(found.file, Message("version_altered", "has changed since it was published "
                                                    "(its sha256 differs from its record)")))
    return data


def version_of_bytes(project: Project, leaflet_id: str, data: bytes) -> PublishedVersion | None:
    """The published version whose text is exactly `data`, or None."""
    digest = sha256(data)
    return next((v for v in reversed(versions(project, leaflet_id)) if v.sha256 == digest), None)


def publication_state(project: Project, leaflet_id: str) -> str:
    """What leaflets/<id>.md is to the store: "published" (the newest published version, byte
    for byte), "changed" (it differs: edited by hand since, or a publication cut short), or
    "unmanaged" (no version of it was ever published through the store)."""
    current = current_version(project, leaflet_id)
    if current is None:
        return "unmanaged"
    try:
        data = read_file(project.root, f"leaflets/{leaflet_id}.md", FILE_MAX_BYTES)
    except InputFileError:
        return "changed"
    return "published" if sha256(data) == current.sha256 else "changed"


def claim(path: Path, data: bytes) -> bool:
    """Write `data` to `path` only if nothing is there (an O_EXCL hard link of a complete
    temporary file): False when `path` exists."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.claim")
    write_atomic(temporary, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def publish(project: Project, leaflet_id: str, data: bytes, *, published_by: str,
            written_by: tuple[str, ...] = (), approved_by: str = "",
            approved_at: dt.datetime | None = None, note: str = "",
            now: dt.datetime | None = None) -> PublishedVersion:
    """Publish `data` (a leaflet's whole file, already validated by the caller) as the version its
    front matter names: kept in the store, then written over leaflets/<id>.md (atomically).

    Refused (UserError) when the version's name cannot be a file name, when that version was
    published with other text, or when it is not newer than the newest published version.
    Publishing the same bytes as the same version again completes a publication cut short."""
    file = f"leaflets/{leaflet_id}.md"
    leaflet = parse_leaflet_bytes(project, leaflet_id, data, file)
    problem = version_problem(leaflet.version)
    if problem is not None:
        raise UserError(Problem(file, problem, field="version"))
    with locked(leaflet_history_dir(project, leaflet_id)):
        return _publish(project, leaflet_id, leaflet.version, data, file, dict(
            published_by=published_by, written_by=tuple(written_by), approved_by=approved_by,
            approved_at=approved_at, note=note), now)


def parse_leaflet_bytes(project: Project, leaflet_id: str, data: bytes, file: str):
    """`data` as the leaflet `leaflet_id` (its pictures in leaflets/), named `file` in its
    problems: a UserError with every problem found, as load_leaflet reports them."""
    from .leaflet import parse_leaflet

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(Problem(file, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
    return parse_leaflet(text.replace("\r\n", "\n").replace("\r", "\n"),
                         project.leaflets_dir / f"{leaflet_id}.md", file, expected_id=leaflet_id)


@contextmanager
def locked(folder: Path):
    """One change at a time in `folder`, across processes (an advisory lock on the folder itself,
    where the platform has one; no lock file to end up in git): e.g. the newest version is the
    one left in leaflets/<id>.md."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:       # Windows: the hard link in _publish still lets one of two win
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)      # and with it the lock


def _publish(project: Project, leaflet_id: str, version_name: str, data: bytes, file: str, who: dict,
             now: dt.datetime | None) -> PublishedVersion:
    existing = version(project, leaflet_id, version_name)
    if existing is not None and existing.sha256 != sha256(data):
        raise UserError(Problem(file, Message("version_taken", f"version {version_name} was published "
                                              "already with another text; give this text a new version",
                                              version=version_name), field="version"))
    current = current_version(project, leaflet_id)
    if existing is None and current is not None and version_key(version_name) <= version_key(current.version):
        raise UserError(Problem(file, Message("version_not_newer", f"version {version_name} is not newer "
                                              f"than the published version {current.version}",
                                              version=version_name, current=current.version),
                                field="version"))
    if existing is None:
        target = leaflet_history_dir(project, leaflet_id) / f"{version_name}.md"
        if not claim(target, data):
            raise UserError(Problem(file, Message("version_taken", f"version {version_name} was published "
                                                  "meanwhile by someone else", version=version_name),
                                    field="version"))
        record = {"leaflet": leaflet_id, "version": version_name, "sha256": sha256(data),
                  "published_at": (now or dt.datetime.now(dt.UTC)).replace(microsecond=0), **who}
        write_atomic(target.with_suffix(".toml"), record_text(record))
    write_atomic(project.leaflets_dir / f"{leaflet_id}.md", data)
    found = version(project, leaflet_id, version_name)
    assert found is not None
    return found
