"""Hostile input, part 10: no document can hang or exhaust the machine.

Every document is rendered in a process that carries a wall-time limit and a memory limit
(leafletgen/run/limits.py): the main job's workers take them on when they start, and `build`, `check`
or any other caller of the render path renders in a forked child that has them. A document over a
limit is reported failed with a message saying which limit; the others are built.

The attacks: a practice template that loops (two nested loops of 100,000), one that doubles a
string forty times (a terabyte), one that writes a table of 150,000 rows for WeasyPrint to lay
out. The limits are set low here (`--time-limit 3` where only the attack is rendered, 30 s where
a sound document must be built beside it on a busy machine: ten times what a loaded 2-core machine
needs for it; `--memory-limit 600`) so the tests stay short;
each run has a generous timeout of its own only so that a broken limit fails the test instead of
hanging it (no test measures speed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from leafletgen.run.limits import DEFAULT_MEMORY_MB, DEFAULT_SECONDS, DocumentOverLimit, Limits
from leafletgen.run.render_child import run_in_child

from tests.conftest import REPO
from tests.hostile import LEAFLET, PRACTICE

LOOP = ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
        "<aside class=\"callout\"><p>{{ block.html }}</p></aside>\n")
DOUBLING = ("{% set ns = namespace(s=\"xxxxxxxx\") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}<aside class=\"callout\"><p>{{ ns.s|length }}</p></aside>\n")
TABLE = ("<table>{% for i in range(100000) %}<tr><td>{{ i }}</td><td>{{ block.html }}</td></tr>"
         "{% endfor %}{% for i in range(50000) %}<tr><td>{{ i }}</td></tr>{% endfor %}</table>\n")


def override(project, text: str) -> None:
    folder = project.practices_dir / PRACTICE / "templates" / "blocks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "callout.html.j2").write_text(text)


def generate(project, *args, timeout=300) -> subprocess.CompletedProcess:
    """The CLI in a process of its own (a broken limit must not take the test run with it)."""
    return subprocess.run([sys.executable, str(REPO / "generate.py"), *args, "--root", str(project.root)]
                          if args and args[0] in ("build", "check") else
                          [sys.executable, str(REPO / "generate.py"), "--root", str(project.root), *args],
                          capture_output=True, text=True, timeout=timeout)


SLOW = ("took longer than 3 s to render, the time limit; not written (a template that loops? "
        "--time-limit changes the limit)")
BIG = "needed more than 600 MB of memory to render, the limit; not written (--memory-limit changes the limit)"


@pytest.mark.slow
@pytest.mark.parametrize("template, seconds, message", [(LOOP, "3", SLOW), (DOUBLING, "60", BIG),
                                                       (TABLE, "3", SLOW)])
def test_build_stops_a_document_over_its_limit(project, tmp_path, template, seconds, message):
    override(project, template)
    done = generate(project, "build", "--leaflet", LEAFLET, "--practice", PRACTICE, "--time-limit",
                    seconds, "--memory-limit", "600", "--out", str(tmp_path / "out"))
    assert done.returncode == 1, done
    assert done.stderr == f"error: {PRACTICE}/nl/{LEAFLET}: {message}\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_main_job_reports_the_document_over_its_limit_and_builds_the_others(project, tmp_path):
    for folder in project.translations_dir.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    (project.practices_dir / "andere.toml").write_text('name = "Andere praktijk"\n')
    override(project, LOOP)
    out = tmp_path / "out"
    # 30 s: the other document must be built within the limit on a busy machine too.
    done = generate(project, "--out", str(out), "--jobs", "2", "--time-limit", "30")
    assert done.returncode == 1, done
    assert f"error: {PRACTICE}/nl/{LEAFLET}: took longer than 30 s to render" in done.stderr
    assert "internal error" not in done.stderr
    assert (out / "andere" / "nl" / f"{LEAFLET}.pdf").is_file()
    assert not (out / PRACTICE / "nl" / f"{LEAFLET}.pdf").exists()
    assert "1 built" in done.stdout.splitlines()[-1] and "1 failed" in done.stdout.splitlines()[-1]


@pytest.mark.slow
def test_check_renders_under_the_limits_too(project):
    override(project, LOOP)
    done = generate(project, "check", "--leaflet", LEAFLET, "--practice", PRACTICE, "--lang", "nl",
                    "--variant", "a4", "--time-limit", "5")
    assert done.returncode == 1, done
    assert "took longer than 5 s to render" in done.stderr


# ---- The mechanism ------------------------------------------------------------------------------

def _forever():
    while True:
        pass


def _huge_power():
    return 10 ** (10 ** 9)          # one operation inside C


def _allocate():
    return b"x" * (4 * 1024 ** 3)


@pytest.mark.slow
@pytest.mark.parametrize("function, expected", [
    (_forever, "took longer than 2 s"),
    (_huge_power, "took longer than 2 s"),
    (_allocate, "needed more than 500 MB"),
])
def test_a_child_over_its_limits_is_stopped(function, expected):
    with pytest.raises(DocumentOverLimit, match=expected):
        run_in_child(Limits(seconds=2, memory_mb=500), "doc", function)


def test_a_child_gives_back_its_result_and_the_parent_keeps_no_limit():
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    assert run_in_child(Limits(seconds=5, memory_mb=500), "doc", pow, 2, 10) == 1024
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def _slow_then_pid(seconds):
    import time

    time.sleep(seconds)
    return os.getpid()


@pytest.mark.slow
def test_a_kept_child_renders_one_document_after_another_and_is_replaced_after_one_over_a_limit():
    from leafletgen.run.render_child import kept_child

    limits = Limits(seconds=2, memory_mb=500)
    alone = {run_in_child(limits, "doc", os.getpid) for _ in range(2)}
    assert len(alone) == 2 and os.getpid() not in alone      # a new child each time
    with kept_child():
        first = [run_in_child(limits, "doc", os.getpid) for _ in range(3)]
        with pytest.raises(DocumentOverLimit, match="took longer than 2 s"):
            run_in_child(limits, "doc", _slow_then_pid, 60)
        after = run_in_child(limits, "doc", _slow_then_pid, 0)
    assert len(set(first)) == 1 and first[0] != os.getpid()   # one warm child for all three
    assert after != first[0]                                  # not trusted after its overrun
    for pid in (first[0], after):                             # both ended, and reaped
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_the_limits_come_from_the_options_else_the_environment(monkeypatch):
    monkeypatch.delenv("LEAFLETGEN_TIME_LIMIT", raising=False)     # the suite sets one (conftest)
    monkeypatch.delenv("LEAFLETGEN_MEMORY_LIMIT", raising=False)
    assert Limits.from_settings() == Limits(DEFAULT_SECONDS, DEFAULT_MEMORY_MB)
    monkeypatch.setenv("LEAFLETGEN_TIME_LIMIT", "120")
    monkeypatch.setenv("LEAFLETGEN_MEMORY_LIMIT", "2048")
    assert Limits.from_settings() == Limits(120, 2048)
    assert Limits.from_settings(seconds=5) == Limits(5, 2048)


@pytest.mark.slow
def test_a_worker_deaf_to_its_timer_is_killed_by_the_pool(project, tmp_path, monkeypatch):
    """Code inside a C library cannot be interrupted by the worker's own timer: the pool kills a
    worker still busy GRACE seconds after the limit. Simulated by workers without the timer."""
    from contextlib import nullcontext

    from leafletgen.run import limits
    from leafletgen.batch import pool

    from tests.conftest import run_cli

    for folder in project.translations_dir.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    (project.practices_dir / "andere.toml").write_text('name = "Andere praktijk"\n')
    override(project, LOOP)
    monkeypatch.setattr(limits, "time_limit", lambda *args: nullcontext())
    monkeypatch.setattr(pool, "GRACE", 1)
    run = run_cli("--out", str(tmp_path / "out"), "--jobs", "2", "--time-limit", "30", root=project.root)
    assert run.code == 1, run
    assert f"error: {PRACTICE}/nl/{LEAFLET}: took longer than 30 s to render, the time limit" in run.err
    assert (tmp_path / "out" / "andere" / "nl" / f"{LEAFLET}.pdf").is_file()


def test_a_document_larger_than_a_document_may_be_is_not_written(project, tmp_path, monkeypatch):
    from leafletgen.run import limits

    from tests.conftest import run_cli

    monkeypatch.setattr(limits, "OUTPUT_MAX_BYTES", 10_000)      # the shipped PDF is about 100 kB
    run = run_cli("build", "--leaflet", LEAFLET, "--out", str(tmp_path / "out"), root=project.root)
    assert run.code == 1
    assert run.err.startswith(f"error: default/nl/{LEAFLET}: its PDF would be ")
    assert "a document may be at most 0 MB" in run.err and not (tmp_path / "out").exists()
