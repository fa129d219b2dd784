"""What a non-editable install gets: every folder of the package, with its data files."""

from __future__ import annotations

import fnmatch
import glob
import os
import subprocess
import sys
import tomllib
import zipfile

import pytest

from leafletgen.inputs.shipped import example_files, is_default, shipped_files
from tests.conftest import REPO


def _setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _listed() -> list[str]:
    """The packages that are folders of leafletgen/ (not those mapped from elsewhere: package-dir)."""
    mapped = tuple(_setuptools().get("package-dir", {}))
    return [name for name in _setuptools()["packages"]
            if not any(name == prefix or name.startswith(prefix + ".") for prefix in mapped)]


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


def _shipped_patterns() -> dict[str, tuple[str, list[str]]]:
    """Folder of the repository → (the package it ships as, its package-data patterns)."""
    setuptools = _setuptools()
    return {folder: (name, setuptools["package-data"].get(name, []))
            for name, folder in setuptools.get("package-dir", {}).items()}


def _matched(folder: str, patterns: list[str]) -> set[str]:
    """The files of `folder` the patterns take into the wheel, as setuptools reads them (glob)."""
    return {path for pattern in patterns
            for path in glob.glob(pattern, root_dir=REPO / folder, recursive=True)
            if (REPO / folder / path).is_file()}


def test_the_project_folders_ship_as_leafletgen_shipped():
    """templates/, translations/, leaflets/ and practices/ are mapped into leafletgen/shipped/,
    where the installed tool looks for them (inputs.project.SHIPPED_ROOT)."""
    mapped = _shipped_patterns()
    assert {folder: name for folder, (name, _) in mapped.items()} == {
        folder: f"leafletgen.shipped.{folder}" for folder in ("templates", "translations", "leaflets", "practices")}
    assert all(name in _setuptools()["packages"] for name, _ in mapped.values())


def test_no_shipped_folder_would_be_ignored():
    """Setuptools warns that a folder of shipped files "would be ignored" when its name is one
    Python could import (translations/ar/LC_MESSAGES) and it is not a listed package: each such
    folder is listed, so a wheel builds without that warning."""
    listed = set(_setuptools()["packages"])
    wanted = set()
    for relative in shipped_files(REPO):
        parts = relative.split("/")[:-1]
        for depth in range(2, len(parts) + 1):
            if all(part.isidentifier() for part in parts[:depth]):
                wanted.add("leafletgen.shipped." + ".".join(parts[:depth]))
    assert sorted(wanted - listed) == [], "add these to [tool.setuptools] packages in pyproject.toml"


def test_every_shipped_file_is_package_data():
    """Every file `new` copies or the tool reads as a default is taken into the wheel; nothing
    made from them (compiled catalogs) is."""
    for relative in shipped_files(REPO):
        folder, _, rest = relative.partition("/")
        assert rest in _matched(folder, _shipped_patterns()[folder][1]), \
            f"{relative} is not package data of leafletgen.shipped.{folder} in pyproject.toml"


def test_the_default_and_example_files_are_there():
    """What an installed tool needs of them, by kind: the templates, each language's template
    catalog and termbase, the web app's catalogs, the example leaflet with its catalogs and
    review records, the example practice with its logo."""
    files = shipped_files(REPO)
    languages = sorted({path.split("/")[1] for path in files if path.endswith("/LC_MESSAGES/leafletgen.po")})
    assert len(languages) >= 8
    for lang in languages:
        assert f"translations/{lang}/terms.toml" in files
        assert (REPO / "leafletgen" / "translate" / "languages" / f"{lang}.toml").is_file()
    assert {"templates/leaflet.html.j2", "templates/leaflet.css", "templates/index.html.j2"} <= set(files)
    assert any(path.endswith("/leafletgen_web.po") for path in files)
    example = example_files(REPO)
    assert "leaflets/lage-rugklachten.md" in example and "practices/fysio-delinde.toml" in example
    assert "practices/fysio-delinde/logo.svg" in example
    assert all(f"translations/{lang}/LC_MESSAGES/lage-rugklachten.po" in example for lang in languages)
    assert not any(is_default(path) for path in example)


@pytest.mark.slow
def test_the_built_wheel_holds_the_package_and_every_shipped_file(tmp_path):
    """A wheel built from a copy of the checkout as a fresh clone has it (or the one CI built:
    $LEAFLETGEN_WHEEL) holds every module and data file of the package and every shipped file,
    under leafletgen/shipped/."""
    wheel = os.environ.get("LEAFLETGEN_WHEEL")
    if not wheel:
        copy = tmp_path / "copy"
        copy.mkdir()
        subprocess.run([sys.executable, str(REPO / ".ci" / "copy-project"), str(REPO), str(copy)], check=True)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(copy)],
                       check=True, capture_output=True, timeout=600)
        wheel = str(next(tmp_path.glob("leafletgen-*.whl")))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"leafletgen/shipped/{path}" for path in shipped_files(REPO)}
    assert shipped <= names, sorted(shipped - names)
    tracked = subprocess.run(["git", "ls-files", "leafletgen"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    assert set(tracked) <= names, sorted(set(tracked) - names)
    assert not [name for name in names if name.endswith((".mo", ".pyc"))]
    # Its version is the package's own (pyproject takes it from leafletgen.__version__).
    import leafletgen

    metadata = zipfile.ZipFile(wheel).read(f"leafletgen-{leafletgen.__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {leafletgen.__version__}\n" in metadata


def test_the_version_is_written_in_one_place():
    with open(REPO / "pyproject.toml", "rb") as file:
        project = tomllib.load(file)
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "leafletgen.__version__"}


def test_the_termbases_ship_in_the_wheel():
    """translations/<lang>/terms.toml are the defaults an installed tool reads
    (leafletgen/shipped/translations in the wheel): mapped there and package data."""
    termbases = sorted(path.relative_to(REPO / "translations").as_posix()
                       for path in (REPO / "translations").glob("*/terms.toml"))
    assert len(termbases) >= 8
    assert set(termbases) <= _matched("translations", _shipped_patterns()["translations"][1])
