"""What CI (.ci/run) relies on besides the tests: copying a project with a virtual environment in
it, and pytest runnable with and without pytest-xdist."""

from __future__ import annotations

import pytest

import os
import subprocess
import sys

from tests.conftest import REPO


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def fake_venv(folder):
    """What `python -m venv` leaves that trips a copy: lib64, a link to a folder."""
    (folder / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    (folder / "lib" / "python3.11" / "site-packages" / "big.py").write_text("x = 1\n")
    (folder / "lib64").symlink_to("lib")
    (folder / "pyvenv.cfg").write_text("home = /usr/bin\n")


def test_copy_project_leaves_out_virtual_environments(tmp_path):
    source, dest = tmp_path / "project", tmp_path / "copy"
    source.mkdir()
    dest.mkdir()
    git("init", "-q", cwd=source)
    (source / ".gitignore").write_text((REPO / ".gitignore").read_text())
    (source / "generate.py").write_text("print('hi')\n")
    (source / "link.py").symlink_to("generate.py")
    (source / "output").mkdir()
    (source / "output" / "old.pdf").write_bytes(b"%PDF")
    git("add", ".gitignore", "generate.py", "link.py", cwd=source)
    (source / "new.md").write_text("not committed yet\n")
    fake_venv(source / ".venv")
    fake_venv(source / "env")          # a virtual environment that .gitignore does not name
    done = subprocess.run([sys.executable, str(REPO / ".ci" / "copy-project"), str(source), str(dest)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    copied = sorted(str(path.relative_to(dest)) for path in dest.rglob("*"))
    assert copied == [".gitignore", "generate.py", "link.py", "new.md"]
    assert (dest / "link.py").is_symlink()


@pytest.mark.slow
def test_pytest_runs_without_xdist():
    env = {**os.environ, "PYTEST_ADDOPTS": ""}
    for options in (["-p", "no:xdist"], ["-n0"]):
        done = subprocess.run([sys.executable, "-m", "pytest", *options, "--collect-only", "-q",
                               "tests/test_ci.py"], cwd=REPO, capture_output=True, text=True, env=env)
        assert done.returncode == 0, (options, done.stdout[-2000:], done.stderr[-2000:])
        assert "test_pytest_runs_without_xdist" in done.stdout
