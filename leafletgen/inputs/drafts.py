"""A leaflet's way from draft to approved to published.

    leaflets/drafts/<id>.md      the draft being written (one per leaflet), never built as final
    leaflets/drafts/<id>.toml    its record: who wrote it, what it started from, who approved it

Saving makes (or changes) the draft, and undoes an approval. Approving is done by an account that
may review and did not write the draft, for the exact text it read. Publishing an approved draft
keeps it in the store (versions.publish: history, then leaflets/<id>.md) and removes the draft.
Every change names the digest of the text its author loaded; a change over a text that changed
since is refused, naming who changed it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..atomic_write import write_atomic
from ..errors import Message, Problem, UserError
from .files import InputFileError, read_file
from .leaflet import LEAFLET_MAX_BYTES, leaflet_file
from .model import Leaflet
from .project import LEAFLET_ID, Project
from .versions import (current_version, locked, parse_leaflet_bytes, read_record, record_text, sha256,
                       utc_time, version_key, version_problem)

DRAFTS_DIR = "drafts"
APPROVING_PERMISSION = "review"     # store.accounts.PERMISSIONS: reviewers and admins


def draft_file(leaflet_id: str) -> str:
    """leaflets/drafts/<id>.md, relative to the project."""
    return leaflet_file(leaflet_id, from_draft=True)


def drafts_dir(project: Project) -> Path:
    return project.leaflets_dir / DRAFTS_DIR


@dataclass(frozen=True)
class Draft:
    """A leaflet's draft, as its record says (its bytes: `read_draft`)."""

    leaflet: str
    sha256: str                          # of the draft's bytes when its record was written
    base: str = ""                       # the published version it started from ("": a new leaflet)
    written_by: tuple[str, ...] = ()     # every account that saved it, first one first
    saved_by: str = ""
    saved_at: dt.datetime | None = None
    approved_by: str = ""
    approved_at: dt.datetime | None = None
    approved_sha256: str = ""            # the text approved (a later save undoes the approval)

    @property
    def state(self) -> str:
        """"approved" (ready to publish) or "draft"."""
        return "approved" if self.approved_by and self.approved_sha256 == self.sha256 else "draft"

    @property
    def file(self) -> str:
        return draft_file(self.leaflet)


def _problem(leaflet_id: str, code: str, text: str, field: str | None = None, **params) -> UserError:
    return UserError(Problem(draft_file(leaflet_id), Message(code, text, **params), field=field))


def _read(project: Project, relative: str) -> bytes | None:
    try:
        return read_file(project.root, relative, LEAFLET_MAX_BYTES)
    except InputFileError as exc:
        if exc.missing:
            return None
        raise UserError(Problem(relative, exc.reason)) from None


def draft(project: Project, leaflet_id: str) -> Draft | None:
    """The leaflet's draft, or None when nobody is writing one."""
    if not LEAFLET_ID.match(leaflet_id):
        return None
    data = _read(project, draft_file(leaflet_id))
    if data is None:
        return None
    record = read_record(project, f"leaflets/{DRAFTS_DIR}/{leaflet_id}.toml")
    written = record.get("written_by", [])
    return Draft(leaflet_id, str(record.get("sha256", "")) or sha256(data), str(record.get("base", "")),
                 tuple(str(name) for name in written) if isinstance(written, list) else (),
                 str(record.get("saved_by", "")), utc_time(record.get("saved_at")),
                 str(record.get("approved_by", "")), utc_time(record.get("approved_at")),
                 str(record.get("approved_sha256", "")))


def editing_text(project: Project, leaflet_id: str) -> bytes:
    """What an editor of the leaflet starts from: its draft, else its published text, else
    nothing (a new leaflet). Its sha256 is the digest a save must name."""
    for relative in (draft_file(leaflet_id), f"leaflets/{leaflet_id}.md"):
        data = _read(project, relative)
        if data is not None:
            return data
    return b""


def next_version(version: str) -> str:
    """The version a change to `version` suggests: its last number one up ("1.0" → "1.1")."""
    match = re.search(r"([0-9]+)(?!.*[0-9])", version)
    if match is None:
        return f"{version}.1"
    return f"{version[:match.start()]}{int(match[1]) + 1}{version[match.end():]}"


def check_draft(project: Project, leaflet_id: str, data: bytes) -> Leaflet:
    """`data` as the leaflet's draft: every problem at once (UserError), its version newer than
    the published one included."""
    leaflet = parse_leaflet_bytes(project, leaflet_id, data, draft_file(leaflet_id))
    problem = version_problem(leaflet.version)
    if problem is not None:
        raise UserError(Problem(draft_file(leaflet_id), problem, field="version"))
    current = current_version(project, leaflet_id)
    if current is not None and version_key(leaflet.version) <= version_key(current.version):
        line = next((number for number, text in enumerate(data.decode("utf-8-sig").splitlines(), 1)
                     if text.startswith("version:")), None)
        raise UserError(Problem(draft_file(leaflet_id), Message(
            "version_not_newer", f"version {leaflet.version} is not newer than the published version "
            f"{current.version}; a change is a new version, e.g. {next_version(current.version)}",
            version=leaflet.version, current=current.version, suggested=next_version(current.version)),
            line=line, field="version"))
    return leaflet


def _refuse_if_changed(project: Project, leaflet_id: str, loaded: str, found: Draft | None) -> None:
    now = editing_text(project, leaflet_id)
    if (sha256(now) if now else "") != loaded:
        who = found.saved_by if found is not None else ""
        raise _problem(leaflet_id, "changed_meanwhile", "has changed since it was loaded"
                       + (f" (saved by {who})" if who else "") + "; load it again and redo the change",
                       by=who)


def save_draft(project: Project, leaflet_id: str, data: bytes, *, by: str, loaded: str,
               now: dt.datetime | None = None) -> Draft:
    """Save `data` as the leaflet's draft, written by `by`, over the text whose sha256 is
    `loaded` (editing_text's when it was loaded; "" for a new leaflet). Refused (UserError) when
    the text is not a valid leaflet of a new version, or when it changed since it was loaded.
    An approval of an earlier text no longer holds."""
    if not LEAFLET_ID.match(leaflet_id):
        raise UserError(Problem("leaflets", Message("leaflet_id", f"{leaflet_id[:40]!r} cannot be a leaflet's "
                                                    "id: lower-case letters, digits and '-'", id=leaflet_id[:40])))
    check_draft(project, leaflet_id, data)
    with locked(drafts_dir(project)):
        found = draft(project, leaflet_id)
        _refuse_if_changed(project, leaflet_id, loaded, found)
        current = current_version(project, leaflet_id)
        written = found.written_by if found is not None else ()
        record = {"leaflet": leaflet_id, "sha256": sha256(data),
                  "base": found.base if found is not None else (current.version if current else ""),
                  "written_by": written + ((by,) if by not in written else ()), "saved_by": by,
                  "saved_at": (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)}
        write_atomic(drafts_dir(project) / f"{leaflet_id}.md", data)
        write_atomic(drafts_dir(project) / f"{leaflet_id}.toml", record_text(record, "when this draft was saved"))
    saved = draft(project, leaflet_id)
    assert saved is not None
    return saved


def read_draft(project: Project, leaflet_id: str) -> bytes:
    """The draft's bytes (UserError: there is none)."""
    data = _read(project, draft_file(leaflet_id)) if LEAFLET_ID.match(leaflet_id) else None
    if data is None:
        raise _problem(leaflet_id, "no_draft", f"there is no draft of {leaflet_id!r}", leaflet=leaflet_id)
    return data


def approve(project: Project, leaflet_id: str, approver, *, loaded: str,
            now: dt.datetime | None = None) -> Draft:
    """Record that `approver` (an account: `.name`, `.may(permission)`) approved the draft whose
    sha256 is `loaded`, the text they read. Refused when they may not review, when they wrote
    it, or when the draft changed since they read it."""
    if not approver.may(APPROVING_PERMISSION):
        raise _problem(leaflet_id, "approve_role", f"{approver.name} may not approve leaflets; a "
                       "reviewer approves them", name=approver.name)
    with locked(drafts_dir(project)):
        found = draft(project, leaflet_id)
        data = read_draft(project, leaflet_id)
        if found is None or sha256(data) != loaded or found.sha256 != loaded:
            raise _problem(leaflet_id, "changed_meanwhile", "has changed since it was loaded"
                           + (f" (saved by {found.saved_by})" if found and found.saved_by else "")
                           + "; read it again before approving it", by=found.saved_by if found else "")
        if approver.name in found.written_by:
            raise _problem(leaflet_id, "approve_own", f"{approver.name} wrote this draft; another person "
                           "must approve it", name=approver.name)
        check_draft(project, leaflet_id, data)
        record = {"leaflet": leaflet_id, "sha256": found.sha256, "base": found.base,
                  "written_by": found.written_by, "saved_by": found.saved_by, "saved_at": found.saved_at,
                  "approved_by": approver.name,
                  "approved_at": (now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
                  "approved_sha256": found.sha256}
        write_atomic(drafts_dir(project) / f"{leaflet_id}.toml", record_text(record, "when this draft was saved"))
    approved = draft(project, leaflet_id)
    assert approved is not None
    return approved


def publish_draft(project: Project, leaflet_id: str, *, by: str, now: dt.datetime | None = None):
    """Publish the approved draft (versions.publish) and remove it. Refused when it is not
    approved, or changed after its approval."""
    from .catalog_versions import record_catalog
    from .versions import publish

    with locked(drafts_dir(project)):
        found = draft(project, leaflet_id)
        data = read_draft(project, leaflet_id)
        if found is None or found.state != "approved" or sha256(data) != found.approved_sha256:
            raise _problem(leaflet_id, "not_approved", "is not approved; a reviewer must approve this text "
                           "before it is published")
        published = publish(project, leaflet_id, data, published_by=by, written_by=found.written_by,
                            approved_by=found.approved_by, approved_at=found.approved_at, now=now)
        for suffix in (".toml", ".md"):
            (drafts_dir(project) / f"{leaflet_id}{suffix}").unlink(missing_ok=True)
    # The catalogs as they are when this version becomes the one printed (their units of the
    # changed Dutch are missing until translated): what a document of it can say.
    for lang in project.languages()[1:]:
        record_catalog(project, leaflet_id, lang, by=by)
    return published


def discard_draft(project: Project, leaflet_id: str, *, loaded: str) -> None:
    """Remove the draft (the published text stays as it is); refused when it changed since it
    was loaded."""
    with locked(drafts_dir(project)):
        found = draft(project, leaflet_id)
        if found is None:
            return
        _refuse_if_changed(project, leaflet_id, loaded, found)
        for suffix in (".toml", ".md"):
            (drafts_dir(project) / f"{leaflet_id}{suffix}").unlink(missing_ok=True)
