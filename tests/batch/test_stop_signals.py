"""The main job stopped by Ctrl-C, SIGTERM or kill -9 while its workers are busy: no process of
its outlives it (no orphan worker, no font folder left); on Ctrl-C and SIGTERM it says so, exits
130 or 143 and leaves no half-written file.

The workers are made busy for certain (a practice template that loops for longer than any test
waits; the time limit is set above it), and the signal is sent only once each worker has spent
CPU time on its document: the job cannot have finished first, and no worker was idle."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.processes import HAS_PROC, alive, cpu_seconds, descendants, kill_tree, wait_for

PRACTICE = "fysio-delinde"
LOOPING_CALLOUT = ('{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}'
                   '<aside class="callout"><p>{{ block.html }}</p></aside>\n')
pytestmark = pytest.mark.skipif(not HAS_PROC, reason="needs /proc (Linux)")


@pytest.fixture
def busy_main_job(project, tmp_path):
    """The main job with two workers, each on a document that does not end by itself."""
    for folder in project.translations_dir.iterdir():
        if folder.is_dir() and folder.name != "de":
            shutil.rmtree(folder)
    blocks = project.practices_dir / PRACTICE / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "callout.html.j2").write_text(LOOPING_CALLOUT, encoding="utf-8")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    # Its output goes to files: a pipe would stay open as long as any process that inherited it.
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "generate.py", "--root", str(project.root), "--jobs", "2", "--time-limit", "3600"],
            cwd=REPO, env={**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"},
            stdout=stdout, stderr=stderr, start_new_session=True)
    try:
        def busy_workers():
            workers = descendants(process.pid)
            return len(workers) >= 2 and sum(cpu_seconds(pid) >= 0.5 for pid in workers) >= 2

        wait_for(busy_workers, "two workers busy on their documents")
        yield process, descendants(process.pid), project, tmp, (out, err)
    finally:
        kill_tree(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.slow
@pytest.mark.parametrize("how, code, word", [
    ("ctrl-c", 130, "interrupted"),         # a terminal sends SIGINT to the whole process group
    ("sigterm", 143, "terminated"),         # kill, systemd, a container's stop: the main process only
    ("kill -9", -signal.SIGKILL, None),     # the main process only, with no chance to stop its workers
])
def test_a_stopped_main_job_leaves_no_process_behind(busy_main_job, how, code, word):
    process, before, project, tmp, files = busy_main_job
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
    wait_for(lambda: process.poll() is not None, "the main job to end", 120)
    out, err = (file.read_text() for file in files)
    assert process.returncode == code, (out, err)
    wait_for(lambda: not any(alive(pid) for pid in before), "the workers to end", 60)
    assert not list(tmp.glob("weasyprint-*"))          # the workers removed their font folders
    if word:
        assert err.splitlines()[-1].startswith(word), err
        assert not list(project.output_dir.rglob("*.part"))
