"""What a non-editable install gets: every folder of the package, with its data files."""

from __future__ import annotations

import fnmatch
import tomllib

from .conftest import REPO


def _listed() -> list[str]:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["setuptools"]["packages"]


def test_every_folder_of_the_package_is_listed_in_pyproject():
    package = REPO / "leafletgen"
    folders = sorted(
        ".".join(folder.relative_to(REPO).parts) for folder in [package, *package.rglob("*")]
        if folder.is_dir() and folder.name != "__pycache__"
        and any(child.is_file() and not child.name.endswith(".pyc") for child in folder.iterdir()))
    listed = _listed()
    assert listed[0] == "leafletgen"       # tools take the first entry as the package's name
    assert sorted(listed) == folders, "add the folder to [tool.setuptools] packages in pyproject.toml"


def test_every_data_file_is_package_data():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"].get("package-data", {})
    for name in _listed():
        folder = REPO.joinpath(*name.split("."))
        others = [path.name for path in folder.iterdir()
                  if path.is_file() and path.suffix not in (".py", ".pyc")]
        if others:
            patterns = data.get(name, [])
            unmatched = [file for file in others
                         if not any(fnmatch.fnmatch(file, p) for p in patterns)]
            assert not unmatched, f"{name}: {unmatched} are not package data in pyproject.toml"
