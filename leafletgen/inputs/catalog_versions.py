"""The catalogs of a leaflet's published versions, kept in the store beside them (versions.py).

    translations/history/<lang>/<id>/<version>.po     the catalog while that version was printed
    translations/history/<lang>/<id>/<version>.toml   its record: sha256, who recorded it, when
    translations/history/<lang>/<id>/<version>+<n>.po / .toml   later revisions of that catalog

A catalog is recorded when a version is published and whenever it changes through the app, so
what a document of an earlier version said can be made again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..atomic_write import write_atomic
from ..errors import Message, Problem, UserError
from .files import InputFileError, read_file
from .project import HISTORY_DIR as HISTORY, LANGUAGE_CODE, LEAFLET_ID, Project, catalog_file
from .versions import (FILE_MAX_BYTES, catalog_history_dir, catalog_version_file, claim, current_version,
                       read_record, read_stored, record_text, sha256, stored_names, utc_time, version_key,
                       version_problem)

_REVISION = re.compile(r"^(?P<version>.+?)(?:\+(?P<revision>[1-9][0-9]{0,5}))?$")


@dataclass(frozen=True)
class CatalogVersion:
    """One recorded catalog of a leaflet in a language, for one published version of the leaflet.
    A catalog changed while the leaflet's version stays the same is a new revision."""

    leaflet: str
    lang: str
    version: str
    revision: int
    sha256: str
    file: str                            # translations/history/<lang>/<id>/<version>[+<n>].po
    recorded_at: dt.datetime | None = None
    recorded_by: str = ""


def catalog_versions(project: Project, leaflet_id: str, lang: str) -> list[CatalogVersion]:
    """Every recorded catalog of the leaflet in `lang`, oldest first (by version, then revision)."""
    if not LEAFLET_ID.match(leaflet_id) or not LANGUAGE_CODE.match(lang):
        return []
    found = []
    for name in stored_names(catalog_history_dir(project, leaflet_id, lang), ".po"):
        match = _REVISION.match(name)
        if match is None or version_problem(match["version"]) is not None:
            continue
        revision = int(match["revision"] or 1)
        if match["revision"] == "1":
            continue                     # revision 1 has no suffix: "1.0+1" is no name of ours
        file = catalog_version_file(leaflet_id, lang, match["version"], revision)
        record = read_record(project, file.removesuffix(".po") + ".toml")
        digest = record.get("sha256")
        if not isinstance(digest, str):
            digest = sha256(read_stored(project, file))
        found.append(CatalogVersion(leaflet_id, lang, match["version"], revision, digest, file,
                                    utc_time(record.get("recorded_at")), str(record.get("recorded_by", ""))))
    return sorted(found, key=lambda c: (version_key(c.version), c.revision))


def catalog_version(project: Project, leaflet_id: str, lang: str, version_name: str,
                    revision: int | None = None) -> CatalogVersion | None:
    """The catalog recorded for a version (its newest revision unless `revision` is given)."""
    found = [c for c in catalog_versions(project, leaflet_id, lang) if c.version == version_name
             and (revision is None or c.revision == revision)]
    return found[-1] if found else None


def read_catalog_version(project: Project, leaflet_id: str, lang: str, version_name: str,
                         revision: int | None = None) -> bytes:
    """The exact bytes of a recorded catalog (UserError: none, or changed since it was recorded)."""
    found = catalog_version(project, leaflet_id, lang, version_name, revision)
    if found is None:
        raise UserError(Problem(f"translations/{HISTORY}/{lang}/{leaflet_id}",
                                Message("no_catalog_version", f"no catalog in {lang} recorded for version "
                                        f"{version_name[:40]!r} of {leaflet_id!r}", version=version_name[:40],
                                        lang=lang)))
    data = read_stored(project, found.file)
    if sha256(data) != found.sha256:
        raise UserError(Problem(found.file, Message("version_altered", "has changed since it was recorded "
                                                    "(its sha256 differs from its record)")))
    return data


def record_catalog(project: Project, leaflet_id: str, lang: str, *, by: str,
                   now: dt.datetime | None = None) -> CatalogVersion | None:
    """Keep the leaflet's catalog in `lang`, as it is now, under the leaflet's current published
    version: a new revision when it differs from the last one recorded for that version. None
    when there is nothing to record (no published version, no catalog, or no change)."""
    current = current_version(project, leaflet_id)
    if current is None or not LANGUAGE_CODE.match(lang):
        return None
    try:
        data = read_file(project.root, catalog_file(leaflet_id, lang), FILE_MAX_BYTES)
    except InputFileError:
        return None
    for _attempt in range(20):           # another process may take the same revision: the next one
        last = catalog_version(project, leaflet_id, lang, current.version)
        if last is not None and last.sha256 == sha256(data):
            return None
        revision = 1 if last is None else last.revision + 1
        file = catalog_version_file(leaflet_id, lang, current.version, revision)
        path = project.root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if claim(path, data):
            record = {"leaflet": leaflet_id, "language": lang, "version": current.version,
                      "revision": revision, "sha256": sha256(data),
                      "recorded_at": (now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
                      "recorded_by": by}
            write_atomic(path.with_suffix(".toml"), record_text(record))
            return catalog_version(project, leaflet_id, lang, current.version, revision)
    raise UserError(Problem(catalog_file(leaflet_id, lang), "could not be recorded: too many "
                                                             "recordings at once"))
