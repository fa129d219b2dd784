"""The input files of one document, as bytes: what a machine without the project needs.

A worker on another machine (a Dask cluster's) may run in an empty folder. It gets the request
and `input_files(project, request)`: every file `render.render_document` reads for that request,
by its path in the project (the leaflet and its pictures, the practice's profile, folder and logo,
the language's catalogs and review record, the templates). `write_input_files` lays them out in a folder of its own,
and `render_document(Project(folder), request)` there gives the same bytes as at home (a test
checks it). The fonts and the hyphenation patterns come with the installed packages.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..atomic_write import write_atomic
from .files import read_file, relative_parts
from .project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project
from ..render import load_inputs
from ..request import BuildRequest
from ..translate.review.records import record_path
from ..translate.languages import LANGUAGE_FILE

FILE_MAX_BYTES = 16 * 1024 * 1024     # as the renderer's own limit on a file it reads


def _tree(project: Project, folder: str) -> list[str]:
    """Every file under project/folder, as paths relative to the project (links not followed)."""
    base = project.root / folder
    found = []
    for top, dirs, files in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if not name.startswith("."):
                found.append((Path(top) / name).relative_to(project.root).as_posix())
    return found


def input_files(project: Project, request: BuildRequest) -> dict[str, bytes]:
    """{path relative to the project: contents} of every file the document is made from.

    The inputs are loaded (and so checked) first: a bad leaflet or profile raises UserError here,
    on the machine that has the files, with the same lines as a build."""
    leaflet, practice = load_inputs(project, request)
    names = [f"leaflets/{leaflet.id}.md"]
    names += [f"leaflets/{block.src}" for block in leaflet.blocks if block.kind == "image" and block.src]
    if practice.id != DEFAULT_PRACTICE_ID:
        names.append(f"practices/{practice.id}.toml")
        names += _tree(project, f"practices/{practice.id}")
        if practice.logo is not None:
            names.append(practice.logo.resolve().relative_to(project.root.resolve()).as_posix())
    if request.lang != SOURCE_LANGUAGE:
        # The catalogs, and the review record (the colophon says who reviewed the translation).
        # The language's own table (its month names: translate.languages), where it has one.
        for path in (project.catalog_path(leaflet.id, request.lang),
                     project.catalog_path(TEMPLATE_DOMAIN, request.lang),
                     record_path(project, leaflet.id, request.lang),
                     project.translations_dir / request.lang / LANGUAGE_FILE):
            if path.is_file():
                names.append(path.relative_to(project.root).as_posix())
    names += _tree(project, "templates")
    return {name: read_file(project.root, name, FILE_MAX_BYTES) for name in dict.fromkeys(names)}


def write_input_files(files: dict[str, bytes], folder: Path) -> Project:
    """The project made of `files` in `folder` (paths with `..` or absolute ones are refused)."""
    folder = Path(folder)
    for name, data in files.items():
        write_atomic(folder.joinpath(*relative_parts(name)), data)
    for part in ("leaflets", "practices", "templates", "translations"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    return Project(folder.resolve())
