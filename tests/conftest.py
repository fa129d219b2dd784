"""Shared fixtures: a private copy of the project per test, and real renders."""

from __future__ import annotations

import io
import logging
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from leafletgen.build import BuildRequest, build
from leafletgen.cli.main import main
from leafletgen.inputs.project import Project

REPO = Path(__file__).resolve().parent.parent
# The practice's original text of the first leaflet, byte for byte, kept in the repository so a
# fresh clone can check that every sentence reaches the PDF.
SEED = REPO / "tests" / "seed" / "000_2532fea382feb2f7.txt"
PROJECT_PARTS = ("leaflets", "practices", "templates", "translations")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Every core by default when pytest-xdist is there (`-n auto --dist loadfile`: a module's tests
    and its module-scoped renders stay in one worker). Not in addopts, so that `-p no:xdist` and a
    pytest without xdist still work; an explicit `-n N` (`-n0` for one process) wins."""
    if (config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput")
            and getattr(config.option, "numprocesses", None) is None):
        config.option.numprocesses = "auto"
        if config.option.dist == "no":
            config.option.dist = "loadfile"


def pytest_configure(config):
    """The tests' own cache folder (static font instances, parsed hyphenation patterns), never
    the user's ~/.cache/leafletgen: $LEAFLETGEN_TEST_CACHE if set (CI points it at the cache its
    fresh main job has just filled), else a folder in pytest's cache directory, kept between runs
    so that a developer's second run is warm. Subprocesses inherit it through the environment;
    tests of the caches themselves set a temporary one of their own."""
    folder = os.environ.get("LEAFLETGEN_TEST_CACHE")
    if not folder:
        cache = getattr(config, "cache", None)
        folder = str(cache.mkdir("leafletgen") if cache is not None
                     else REPO / ".pytest_cache" / "leafletgen")
    os.environ["LEAFLETGEN_CACHE"] = folder
    # Processes the tests start (a server, its fork server, `python -c …`) import leafletgen from
    # this checkout too, not from an editable install of another one: Python 3.11's fork server
    # imports its preloaded modules before it takes the parent's sys.path.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    # A sound document gets the slack of a loaded 2-core machine: its time limit is ten times
    # the default. A test of the limit itself sets one of its own.
    os.environ.setdefault("LEAFLETGEN_TIME_LIMIT", "600")
    if not hasattr(config, "workerinput"):
        make_font_instances()


def make_font_instances() -> None:
    """The static instances of the variable fonts, made once before any test (and before the
    xdist workers start), so that no test's first document makes them inside its time limit."""
    from leafletgen.typeset.font_instances import make_instance
    from leafletgen.typeset.fonts import missing_instances

    for face in missing_instances():
        make_instance(face)


@pytest.fixture
def project(tmp_path) -> Project:
    """A copy of this project's inputs, so a test may break them freely."""
    root = tmp_path / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        if (REPO / part).exists():
            shutil.copytree(REPO / part, root / part)
    return Project(root)


@pytest.fixture(scope="session")
def dutch_leaflet(tmp_path_factory) -> SimpleNamespace:
    """The shipped Dutch leaflet for the example practice, A4, rendered once per test session,
    for the many tests that only read facts of it (they must not write into its folder):
    .document, .pdf and .html (the written files), .out (their output folder)."""
    out = tmp_path_factory.mktemp("dutch-leaflet")
    document, pdf, html = build(Project(REPO), BuildRequest("lage-rugklachten", "nl", "fysio-delinde"), out)
    return SimpleNamespace(document=document, pdf=pdf, html=html, out=out)


def units_in_pot(domain: str, root: Path = REPO) -> int:
    """How many translation units the domain's catalog template (translations/<domain>.pot)
    holds: a count read from the source, not written into a test."""
    from babel.messages.pofile import read_po

    with open(root / "translations" / f"{domain}.pot", "rb") as file:
        return sum(1 for message in read_po(file) if message.id)


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self):
        return f"Run(code={self.code}, out={self.out!r}, err={self.err!r})"


def run_cli(*argv: str, root: Path | None = None) -> Run:
    """Call the CLI in-process, as a user would from the shell; capture its output and exit code."""
    out, err = io.StringIO(), io.StringIO()
    args = list(argv)
    if root is not None:
        args = ["--root", str(root)] + args if not args or args[0].startswith("-") else \
            [args[0], "--root", str(root)] + args[1:]
    code = main(args, out=out, err=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True)
def weasyprint_warnings_fail(caplog):
    """A warning from WeasyPrint fails the test (as in WeasyPrint's own test-suite)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    messages = [r.getMessage() for r in caplog.records
                if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert not messages, f"WeasyPrint warned: {messages}"
