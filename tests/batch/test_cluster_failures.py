"""The main job on a Dask cluster that fails it (docs/organisations.md): no worker at all, every
worker gone during the run, a document whose workers are lost again and again.

A real scheduler on 127.0.0.1 and `dask worker` processes. A worker is taken away only while it
is busy on a document that does not end by itself (a practice template that loops; the time limit
is above any wait here), with its whole process tree, as when its machine goes. The waits are
shortened through the module's own settings, not slept through."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.processes import HAS_PROC, cpu_seconds, kill_tree, tree

distributed = pytest.importorskip("distributed")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not HAS_PROC, reason="needs /proc (Linux)")]

LEAFLET = "lage-rugklachten"
LOOPING = "fysio-delinde"      # its documents never end by themselves
PLAIN = "oost"
LOOPING_CALLOUT = ('{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}'
                   '<aside class="callout"><p>{{ block.html }}</p></aside>\n')
DOCUMENT_KEY = "leafletgen-document-"


def make_project(root: Path) -> Path:
    """Dutch only; two practices, one document each: the looping one and a plain one."""
    root.mkdir(parents=True)
    for part in ("leaflets", "practices", "templates"):
        shutil.copytree(REPO / part, root / part)
    blocks = root / "practices" / LOOPING / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "callout.html.j2").write_text(LOOPING_CALLOUT, encoding="utf-8")
    (root / "practices" / f"{PLAIN}.toml").write_text('name = "Huisartsenpraktijk Oost"\n', encoding="utf-8")
    return root


def written(root: Path, practice: str) -> bool:
    return (root / "output" / practice / "nl" / f"{LEAFLET}.pdf").is_file()


@contextmanager
def scheduler():
    """A Dask scheduler on 127.0.0.1 with no worker of its own (the tests start `dask worker`
    processes, as docs/organisations.md says to), and a client of it."""
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", scheduler_port=0, silence_logs=50,
                                  dashboard_address=None) as local:
        with distributed.Client(local, set_as_default=False) as client:
            yield local.scheduler_address, client


@contextmanager
def dask_workers(client, address: str, count: int, nanny: bool):
    """`dask worker ADDRESS --nthreads 1` with `count` worker processes: with a nanny (a worker
    that dies is started again) or without (it is gone for good). Ended with every process of it."""
    command = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
               "--nworkers", str(count), "--no-dashboard", "--nanny" if nanny else "--no-nanny"]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        client.wait_for_workers(count, timeout=300)
        yield process
    finally:
        kill_tree(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def watchdog(seconds: float = 600):
    """Ctrl-C for this process after `seconds`: a run that would never end (a regression) ends
    with exit status 130 and fails the test, instead of hanging the suite."""
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def worker_pids(client) -> dict[str, int]:
    try:
        return client.run(os.getpid)
    except (OSError, distributed.comm.core.CommClosedError):
        return {}


class Watcher(threading.Thread):
    """Kills the process tree of a worker busy on a document (its rendering process has spent
    CPU time on it since it was first seen with it), each time one is, until the run ends or
    after `times` kills. `after`: only once that practice's document is written."""

    def __init__(self, client, root: Path, times: int, after: str | None = None):
        super().__init__(daemon=True)
        self.client, self.root, self.times, self.after = client, root, times, after
        self.done, self.killed, self.error = threading.Event(), [], None

    def busy(self, seen: dict) -> int | None:
        pids = None
        for address, keys in self.client.processing().items():
            if not any(str(key).startswith(DOCUMENT_KEY) for key in keys):
                continue
            pids = pids or worker_pids(self.client)
            pid = pids.get(address)
            if pid is None or pid in self.killed:
                continue
            spent = sum(cpu_seconds(child) for child in tree(pid)[1:])
            if spent - seen.setdefault((address, pid), spent) >= 0.3:
                return pid
        return None

    def run(self):
        seen: dict = {}
        try:
            deadline = time.monotonic() + 600
            while not self.done.is_set() and len(self.killed) < self.times:
                assert time.monotonic() < deadline, "no worker became busy"
                pid = (self.after is None or written(self.root, self.after)) and self.busy(seen)
                if pid:
                    kill_tree(pid, signal.SIGKILL)
                    self.killed.append(pid)
                time.sleep(0.1)
        except BaseException as exc:      # seen by the test
            self.error = exc


def test_no_worker_at_all_is_one_line(tmp_path, monkeypatch):
    from leafletgen.batch import cluster as cluster_module

    monkeypatch.setattr(cluster_module, "WORKER_WAIT_SECONDS", 1)
    root = make_project(tmp_path / "project")
    with scheduler() as (address, _):
        with watchdog():
            run = run_cli("--cluster", address, root=root)
    assert run.code == 1, run
    assert run.err == (f"error: no Dask worker is connected to the scheduler at {address}; start one "
                       f"with `dask worker {address} --nthreads 1`\n")
    assert not list(root.glob("output/*/*/*.pdf"))


def test_every_worker_gone_stops_the_run_and_keeps_what_was_built(tmp_path, monkeypatch):
    from leafletgen.batch import cluster as cluster_module

    monkeypatch.setattr(cluster_module, "WORKER_WAIT_SECONDS", 2)
    monkeypatch.setattr(cluster_module, "THREADS_EVERY_SECONDS", 0.2)
    root = make_project(tmp_path / "project")
    with scheduler() as (address, client), dask_workers(client, address, 1, nanny=False):
        watcher = Watcher(client, root, times=1)
        watcher.start()
        try:
            with watchdog():
                run = run_cli("--cluster", address, "--time-limit", "3600", root=root)
        finally:
            watcher.done.set()
            watcher.join()
    assert watcher.error is None and len(watcher.killed) == 1, watcher.error
    assert run.code == 1, run
    assert run.err.splitlines()[-1] == (
        f"error: every Dask worker of {address} is gone, and none came back in 2 s; the documents "
        "built so far are kept: run again to build the rest")
    assert not written(root, LOOPING)
    # What was built before (the plain document, if the worker took it first) is kept.
    assert written(root, PLAIN) == (f"built {PLAIN}/nl/{LEAFLET}.pdf" in run.out.splitlines())


def test_a_document_that_takes_down_its_workers_fails_and_the_others_are_built(tmp_path):
    """Each time a worker is busy on it, the worker is lost; after Dask's allowed failures the
    document is reported failed, and the run goes on."""
    import dask

    allowed = dask.config.get("distributed.scheduler.allowed-failures")
    root = make_project(tmp_path / "project")
    with scheduler() as (address, client), dask_workers(client, address, 2, nanny=True):
        watcher = Watcher(client, root, times=allowed + 5, after=PLAIN)
        watcher.start()
        try:
            with watchdog():
                run = run_cli("--cluster", address, "--time-limit", "3600", root=root)
        finally:
            watcher.done.set()
            watcher.join()
    assert watcher.error is None, watcher.error
    assert run.code == 1, run
    assert len(watcher.killed) == allowed + 1
    assert run.err.splitlines() == [
        f"error: {LOOPING}/nl/{LEAFLET}: the worker process building it died (out of memory, or a "
        "crash in a library it uses); the other documents were built. Build it alone with "
        "`build --debug` to see more"]
    assert written(root, PLAIN) and not written(root, LOOPING)
