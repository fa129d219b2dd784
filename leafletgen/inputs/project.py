"""Where a project's inputs live: leaflets/, practices/, templates/, translations/, output/."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from .files import InputFileError, file_kind, read_file, tree_entries
from ..errors import UserError
from ..store.settings import SETTINGS_FILE

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _shipped_root() -> Path:
    """leafletgen's own project-shaped folder: templates/, translations/ (the defaults a content
    folder may override) and the example leaflets/ and practices/ that `new` copies. A wheel has
    them in leafletgen/shipped/ (pyproject.toml's package-dir); a checkout, or an editable
    install of one, is that folder itself."""
    shipped = Path(__file__).resolve().parents[1] / "shipped"
    return shipped if shipped.is_dir() else PACKAGE_ROOT


SHIPPED_ROOT = _shipped_root()


def shipped_root() -> Path:
    """SHIPPED_ROOT, looked up when asked (a test points it at a newer leafletgen's folder)."""
    return SHIPPED_ROOT


TEMPLATE_DOMAIN = "leafletgen"   # the gettext domain of the template strings
WEB_DOMAIN = "leafletgen_web"    # the staff web app's words (translate.web_catalog)
# The files of leafletgen's own folder that every content folder uses where it has none of its own
# at the same place: the templates and stylesheets, the template strings' and the web app's
# catalogs, the termbases. A content folder overrides one by having that file.
DEFAULTS = ("templates", "templates/*", f"translations/*/LC_MESSAGES/{TEMPLATE_DOMAIN}.po",
            f"translations/*/LC_MESSAGES/{WEB_DOMAIN}.po", "translations/*/terms.toml")


def is_default(relative: str) -> bool:
    """Whether a path names one of leafletgen's defaults (`DEFAULTS`)."""
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in DEFAULTS)


def default_folder(relative: str) -> bool:
    """Whether a folder's listing is the content folder's entries over leafletgen's (templates/)."""
    return relative == "templates" or relative.startswith("templates/")


def merged_tree(own: list[str] | None, defaults: list[str]) -> list[str]:
    """A default folder's entries: the content folder's (`own`; None when it has no such folder)
    and leafletgen's, sorted as files.tree_entries sorts."""
    return [name.as_posix() for name in sorted({PurePosixPath(name) for name in [*(own or ()), *defaults]})]
SOURCE_LANGUAGE = "nl"           # the language every leaflet is written in
# Languages written right to left (laid out with dir="rtl").
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
PROFILE_MAX_BYTES = 64 * 1024   # a practice profile is a dozen lines
DEFAULT_PRACTICE_ID = "default"  # the neutral "practice" when none is given
# What a name in leaflets/, practices/ and translations/ must look like; anything else is
# reported and skipped (`Project.odd_names`), never read.
LEAFLET_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PRACTICE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
# leaflets/history/ and translations/history/: the store of published versions (versions.py),
# never a leaflet or a language.
HISTORY_DIR = "history"


def catalog_file(domain: str, lang: str) -> str:
    """Where a catalog lies, relative to the project: translations/<lang>/LC_MESSAGES/<domain>.po
    (Babel's layout). The one place this layout is written."""
    return f"translations/{lang}/LC_MESSAGES/{domain}.po"


REVIEW_SUFFIX = ".review.toml"


def review_file(leaflet_id: str, lang: str) -> str:
    """Where a translation's review record lies, relative to the project: beside its catalog."""
    return catalog_file(leaflet_id, lang).removesuffix(".po") + REVIEW_SUFFIX


@dataclass(frozen=True)
class Project:
    """A project folder. Its files are read from disk, or, while a document's inputs are loaded,
    through `files` (inputs.reading.InputFiles: each read once, and what was read recorded)."""

    root: Path
    files: object = field(default=None, compare=False, repr=False)

    @cached_property
    def defaults(self) -> Path | None:
        """leafletgen's own folder, whose `DEFAULTS` this project reads where it has none of its
        own; None when the project is that folder (leafletgen's checkout)."""
        shipped = shipped_root().resolve()
        return None if shipped == Path(self.root).resolve() else shipped

    def read(self, relative: str, limit: int) -> bytes:
        """The bytes of an input file (files.read_file: no link, within `limit`); for a default
        the project has not got, leafletgen's own."""
        if self.files is not None:
            return self.files.read(relative, limit)
        try:
            return read_file(self.root, relative, limit)
        except InputFileError as exc:
            if exc.missing and self.defaults is not None and is_default(relative):
                return read_file(self.defaults, relative, limit)
            raise

    def path(self, relative: str) -> Path:
        """Where an input file is read from (see `read`): in the project, or leafletgen's own
        default. While a document's inputs are loaded, always in the project (`files` reads the
        default in its place)."""
        if self.files is None and self.defaults is not None and is_default(relative) \
                and file_kind(self.root, relative) == "missing":
            return self.defaults / relative
        return self.root / relative

    def uses_default(self, relative: str) -> bool:
        """Whether `read` gives leafletgen's own file for `relative` (the project has none)."""
        if self.files is not None:
            return relative in self.files.from_defaults
        return self.path(relative) != self.root / relative

    def kind(self, relative: str) -> str:
        """files.file_kind of a name in the project: "file", "dir", "symlink", "missing", "other"
        (for a default the project has not got, of leafletgen's own)."""
        if self.files is not None:
            return self.files.kind(relative)
        kind = file_kind(self.root, relative)
        if kind == "missing" and self.defaults is not None and is_default(relative):
            return file_kind(self.defaults, relative)
        return kind

    def tree(self, folder: str) -> list[str]:
        """What lies below a folder of the project (files.tree_entries), as POSIX paths relative
        to it; templates/ is the project's files over leafletgen's."""
        if self.files is not None:
            return self.files.entries(folder)
        own = file_kind(self.root, folder)
        entries = [entry.as_posix() for entry in tree_entries(self.root / folder)] if own == "dir" else None
        if self.defaults is not None and default_folder(folder) and own in ("dir", "missing"):
            return merged_tree(entries, [entry.as_posix() for entry in tree_entries(self.defaults / folder)])
        return entries or []

    def listdir(self, folder: str) -> list[str]:
        if self.files is not None:
            return self.files.listdir(folder)
        return os.listdir(self.root / folder)

    @property
    def leaflets_dir(self) -> Path:
        return self.root / "leaflets"

    @property
    def practices_dir(self) -> Path:
        return self.root / "practices"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def translations_dir(self) -> Path:
        return self.root / "translations"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    def rel(self, path: Path) -> str:
        """A path as the user sees it: relative to the project root when inside it."""
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def _names(self, folder: str, suffix: str) -> list[str]:
        """Stems of the entries of `folder` ending in `suffix` (all entries when ""), hidden ones
        (an editor's backup or lock file) left out. Links are listed: reading one is refused
        with its name."""
        if self.kind(folder) != "dir":
            return []
        try:
            entries = self.listdir(folder)
        except OSError:
            return []
        return sorted(name[:len(name) - len(suffix)] if suffix else name for name in entries
                      if not name.startswith(".") and name.endswith(suffix) and len(name) > len(suffix))

    def leaflet_ids(self) -> list[str]:
        return [name for name in self._names("leaflets", ".md") if LEAFLET_ID.match(name)]

    def practice_ids(self) -> list[str]:
        return [name for name in self._names("practices", ".toml") if PRACTICE_ID.match(name)]

    def catalog_path(self, domain: str, lang: str) -> Path:
        """translations/<lang>/LC_MESSAGES/<domain>.po (Babel's layout)."""
        return self.root / catalog_file(domain, lang)

    def languages(self) -> list[str]:
        """Every language with a translations/<lang>/LC_MESSAGES folder, plus Dutch, the source.
        A folder whose name is not a language code is left out (see `odd_names`)."""
        found = {name for name in self._names("translations", "") if LANGUAGE_CODE.match(name)
                 and self.kind(f"translations/{name}/LC_MESSAGES") in ("dir", "symlink")}
        return [SOURCE_LANGUAGE] + sorted(found - {SOURCE_LANGUAGE})

    def odd_names(self) -> list[str]:
        """One line for each name in leaflets/, practices/ and translations/ that is skipped
        because it cannot be a leaflet, a profile or a language (hidden files are not named)."""
        lines = []
        for folder in ("leaflets", "practices", "translations", "templates"):
            if file_kind(self.root, folder) == "symlink":
                lines.append(f"{folder}: is a symbolic link; the project's folders must be real "
                             "folders (nothing in it is read)")
        for name in self._names("leaflets", ".md"):
            if not LEAFLET_ID.match(name):
                lines.append(f"leaflets/{name}.md: skipped: a leaflet's file name is its id, lower-case "
                             "letters, digits and '-' (e.g. knieklachten.md)")
        for name in self._names("practices", ".toml"):
            if not PRACTICE_ID.match(name):
                lines.append(f"practices/{name}.toml: skipped: a profile's file name is the practice "
                             "id, lower-case letters, digits, '-' and '_' (e.g. fysio-delinde.toml)")
        for name in self._names("translations", ""):
            if LANGUAGE_CODE.match(name) or name == HISTORY_DIR \
                    or file_kind(self.root, f"translations/{name}") not in ("dir", "symlink"):
                continue
            lines.append(f"translations/{name}: skipped: not a language code such as tr, pl or pt_BR")
        return lines


def is_project(folder: Path) -> bool:
    """Whether `folder` is a content folder: it has leafletgen.toml (`new` writes one) or leaflets/."""
    return (folder / SETTINGS_FILE).is_file() or (folder / "leaflets").is_dir()


def find_project(root: str | Path | None = None) -> Project:
    """The project in `root` (--root), else the nearest folder from the current one upwards that
    is a content folder (`is_project`), as git finds its repository from any of its folders."""
    if root is not None:
        folder = Path(root).resolve()
        if not folder.is_dir():
            raise UserError(f"{root}: no such folder (--root names the project folder)")
        return Project(folder)
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if is_project(folder):
            return Project(folder)
    raise UserError(f"{cwd}: not in a leafletgen project (no folder here or above it holds "
                    f"leaflets/ or {SETTINGS_FILE}); make one with `leafletgen new DIR`, "
                    "or give --root DIR")
