"""output/manifest.json: what each output was built from, so an unchanged output is not rebuilt.

Per output it records one key: a hash over everything the document was made from (the leaflet
source and its images, the catalogs of its language, the practice profile and every file of
the practice's folder, the templates and CSS, the font files of its language: the parts of
inputs.digest, hashed from the very bytes it was rendered from) and the tool (leafletgen's
version and source plus the versions of the libraries that shape the PDF). The parts are kept
too, so a rebuild can say what changed.

This module is deliberately light (hashlib, json, os): a run with nothing to do must not
import WeasyPrint, Jinja2, Babel or pydantic.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..atomic_write import write_atomic
from ..errors import machine_error
from ..inputs.digest import Hasher, combine

MANIFEST_NAME = "manifest.json"
FORMAT = 1
# The libraries whose version changes what a PDF looks like.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "pyphen", "jinja2",
             "babel", "markdown-it-py", "segno", "pypdfium2", "pillow")


def library_versions() -> str:
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return " ".join(versions)


def tool_digest(hasher: Hasher) -> str:
    """leafletgen's version, its own source (a code change is a change), its language tables, and
    its libraries. The web app's code makes no document, and is left out."""
    package = Path(__file__).resolve().parent.parent
    parts = [__version__, library_versions()]
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.toml")]):   # .toml: language tables
        relative = path.relative_to(package)
        if relative.parts[0] not in ("web", "shipped"):   # shipped: hashed where used
            parts += [relative.as_posix(), hasher.file(path)]
    return combine(*parts)


class Manifest:
    """The JSON file, read at the start of a run and written at its end."""

    def __init__(self, path: Path, data: dict | None = None):
        self.path = path
        data = data if isinstance(data, dict) and data.get("format") == FORMAT else {}
        self.tool: str = data.get("tool", "")
        self.files: dict = data.get("files", {}) if isinstance(data.get("files"), dict) else {}
        self.leaflets: dict = data.get("leaflets", {})
        self.practices: dict = data.get("practices", {})
        self.completeness: dict = data.get("completeness", {})
        self.outputs: dict = data.get("outputs", {})
        self.index: str = data.get("index", "")

    @classmethod
    def load(cls, out_dir: Path) -> "Manifest":
        path = out_dir / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None   # none yet, or unreadable: everything is built again
        return cls(path, data)

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "generator": f"leafletgen {__version__}",
            "tool": self.tool,
            "index": self.index,
            "leaflets": dict(sorted(self.leaflets.items())),
            "practices": dict(sorted(self.practices.items())),
            "completeness": dict(sorted(self.completeness.items())),
            "outputs": dict(sorted(self.outputs.items())),
            "files": dict(sorted(self.files.items())),
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    def save(self) -> None:
        write_atomic(self.path, self.to_json())


def output_exists(out_dir: Path, entry: dict) -> bool:
    """The files an entry names are there, with the sizes they were written with."""
    for kind in ("pdf", "html", "thumbnail"):
        relative = entry.get(kind)
        if not relative:
            continue
        try:
            size = os.stat(out_dir / relative).st_size
        except OSError:
            return False
        if entry.get(f"{kind}_size") is not None and size != entry[f"{kind}_size"]:
            return False
    return True


def remove_output(out_dir: Path, entry: dict) -> list[str]:
    """Delete an output's files (only files the manifest names) and folders left empty."""
    removed = []
    for kind in ("pdf", "html", "thumbnail"):
        relative = entry.get(kind)
        if not relative:
            continue
        path = out_dir / relative
        if path.resolve().is_relative_to(out_dir.resolve()) and path.is_file():
            try:
                path.unlink()
            except OSError as exc:
                raise machine_error(exc, path, "cannot remove") from exc
            removed.append(relative)
            folder = path.parent
            while folder != out_dir and folder.is_relative_to(out_dir):
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent
    return removed


def index_digest(manifest: Manifest, templates_digest: str) -> str:
    """What output/index.html is made of: the entries, the templates and the tool."""
    entries = [(output.get("entry"), bool(output.get("outdated")))
               for _, output in sorted(manifest.outputs.items())]
    return combine(json.dumps(entries, sort_keys=True, ensure_ascii=False), templates_digest,
                   manifest.tool)
