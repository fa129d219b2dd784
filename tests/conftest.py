"""Shared fixtures: a private copy of the project per test, and real renders."""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import pytest

from leafletgen.cli import main
from leafletgen.project import Project

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "000_2532fea382feb2f7.txt"
PROJECT_PARTS = ("leaflets", "practices", "templates", "translations")


@pytest.fixture
def project(tmp_path) -> Project:
    """A copy of this project's inputs, so a test may break them freely."""
    root = tmp_path / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        if (REPO / part).exists():
            shutil.copytree(REPO / part, root / part)
    return Project(root)


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
