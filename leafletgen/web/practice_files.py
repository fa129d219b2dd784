"""A practice's files as the app changes them: a new profile (its id made from its name), a
retired one (moved aside), an uploaded logo (checked, written under a name of its own).

A retired practice's profile is moved to practices/_retired/<id>.toml: no longer a practice the
app, `list` or the main job sees (the main job removes its outputs on its next run), and still
there to put back by hand. Its folder (the logo) stays where it is, so a profile put back works
as before; the id stays taken.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from ..atomic_write import write_atomic
from ..errors import Message
from ..inputs.logo import LOGO_MAX_BYTES, logo_problems
from ..inputs.project import DEFAULT_PRACTICE_ID, PRACTICE_ID, Project

RETIRED = "_retired"             # not a practice id (an id starts with a letter or digit)
ID_MAX = 40
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}


def taken_ids(project: Project) -> set[str]:
    """Ids a new practice cannot have: the practices, the retired ones, and any name in
    practices/ (a logo folder left by a retired practice)."""
    folder = project.practices_dir
    names = set(project.practice_ids()) | {DEFAULT_PRACTICE_ID, RETIRED}
    try:
        names |= {name.removesuffix(".toml") for name in os.listdir(folder)}
        names |= {name.removesuffix(".toml") for name in os.listdir(folder / RETIRED)}
    except OSError:
        pass
    return names


def practice_id_for(name: str, taken: set[str]) -> str:
    """An id from a practice's name: "Huisartsen Het Plein" → "huisartsen-het-plein", accents
    dropped, "-2", "-3" … after one already taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    if len(base) > ID_MAX:
        base = base[:ID_MAX].rsplit("-", 1)[0] or base[:ID_MAX]
    base = base or "praktijk"
    candidate, number = base, 1
    while candidate in taken or not PRACTICE_ID.match(candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def create_profile(path: Path, text: str) -> bool:
    """Write a new profile, never over an existing file (two people creating the same practice
    at once: one gets it). False when the name was taken meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    temporary.write_text(text, encoding="utf-8")
    try:
        os.link(temporary, path)          # fails when `path` exists, whatever it is
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def retire_profile(project: Project, practice_id: str) -> Path:
    """Move practices/<id>.toml to practices/_retired/ (an earlier retired profile of the same id
    is kept too, numbered); where it went."""
    folder = project.practices_dir / RETIRED
    if folder.is_symlink():
        raise OSError(f"{folder} is a link")
    folder.mkdir(exist_ok=True)
    target, number = folder / f"{practice_id}.toml", 1
    while target.exists():
        number += 1
        target = folder / f"{practice_id}.{number}.toml"
    os.rename(project.practices_dir / f"{practice_id}.toml", target)
    return target


def store_logo(project: Project, practice_id: str, upload) -> tuple[str, list[str]]:
    """An uploaded logo, checked as a profile's logo is, written to practices/<id>/logo-<hash>.<ext>
    (never over the logo in use): (its path inside practices/, []), or ("", why it is refused)."""
    folder = project.practices_dir / practice_id
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return "", [Message("logo_folder_link", f"practices/{practice_id} is a link or not a folder; a logo "
                                                "is only saved into a real folder inside practices/")]
    content = upload.stream.read(LOGO_MAX_BYTES + 1)
    name = upload.filename[-80:]
    if len(content) > LOGO_MAX_BYTES:
        return "", [Message("logo_too_large", f"logo {name!r} is larger than {LOGO_MAX_BYTES:,} bytes; the "
                                              f"limit is {LOGO_MAX_BYTES:,} bytes",
                            max_mb=LOGO_MAX_BYTES // (1024 * 1024))]
    mime, logo_errors = logo_problems(content, name)
    if logo_errors:
        return "", logo_errors
    digest = hashlib.sha256(content).hexdigest()[:12]
    relative = f"{practice_id}/logo-{digest}.{EXTENSIONS[mime]}"
    logo = project.practices_dir / relative
    if not logo.exists():
        write_atomic(logo, content)
    return relative, []


def discard_logo(project: Project, path, keep: str | None, only_uploaded: str = "") -> None:
    """Remove a logo this page uploaded (into practices/<only_uploaded>/) that the profile no
    longer names; or, without `only_uploaded`, the file just written for a refused profile."""
    if path is None:
        return
    try:
        resolved = Path(path).resolve()
        folder = project.practices_dir.resolve()
    except OSError:
        return
    if not resolved.is_relative_to(folder) or (keep and resolved == (project.practices_dir / keep).resolve()):
        return
    if only_uploaded and not (resolved.name.startswith("logo-") and resolved.parent == folder / only_uploaded):
        return
    if resolved.is_file() and not resolved.is_symlink():
        resolved.unlink(missing_ok=True)
