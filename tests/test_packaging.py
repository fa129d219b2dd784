"""What a non-editable install gets: every folder of the package, with its data files."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.conftest import REPO


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _listed() -> list[str]:
    """The packages that are folders of leafletgen/ (not those mapped from elsewhere: package-dir)."""
    mapped = _setuptools().get("package-dir", {})
    return [name for name in _setuptools()["packages"] if name not in mapped]


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


def test_the_termbases_ship_in_the_wheel():
    """translations/<lang>/terms.toml are the defaults an installed tool reads
    (leafletgen/shipped_translations in the wheel): mapped there and package data."""
    setuptools = _setuptools()
    assert setuptools["package-dir"]["leafletgen.shipped_translations"] == "translations"
    assert "leafletgen.shipped_translations" in setuptools["packages"]
    patterns = setuptools["package-data"]["leafletgen.shipped_translations"]
    termbases = sorted(path.relative_to(REPO / "translations").as_posix()
                       for path in (REPO / "translations").glob("*/terms.toml"))
    assert len(termbases) >= 8
    assert all(any(fnmatch.fnmatch(file, p) for p in patterns) for file in termbases), termbases
