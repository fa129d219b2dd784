"""Where a project's inputs live: leaflets/, practices/, templates/, translations/, output/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SOURCE_LANGUAGE = "nl"           # the language every leaflet is written in
TEMPLATE_DOMAIN = "leafletgen"   # the gettext domain of the template strings
DEFAULT_PRACTICE_ID = "default"  # the neutral "practice" when none is given


@dataclass(frozen=True)
class Project:
    root: Path

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

    def leaflet_ids(self) -> list[str]:
        return sorted(p.stem for p in self.leaflets_dir.glob("*.md"))

    def practice_ids(self) -> list[str]:
        return sorted(p.stem for p in self.practices_dir.glob("*.toml"))

    def catalog_path(self, domain: str, lang: str) -> Path:
        """translations/<lang>/LC_MESSAGES/<domain>.po (Babel's layout)."""
        return self.translations_dir / lang / "LC_MESSAGES" / f"{domain}.po"

    def languages(self) -> list[str]:
        """Every language with a translations/<lang>/LC_MESSAGES folder, plus Dutch, the source."""
        found = {p.parent.name for p in self.translations_dir.glob("*/LC_MESSAGES")}
        return [SOURCE_LANGUAGE] + sorted(found - {SOURCE_LANGUAGE})


def find_project(root: str | Path | None = None) -> Project:
    """The project in `root`, else the current directory if it has leaflets/, else this checkout."""
    if root is not None:
        return Project(Path(root).resolve())
    cwd = Path.cwd()
    if (cwd / "leaflets").is_dir():
        return Project(cwd.resolve())
    return Project(PACKAGE_ROOT)
