"""Processes as /proc shows them (Linux), for tests that stop, kill or watch worker processes:
what is alive, what is below a process, how much CPU time one has spent; and waiting for a
condition (not for a time)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
HAS_PROC = Path("/proc/self/stat").exists()


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (state, ppid, …), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def alive(pid: int) -> bool:
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def cpu_seconds(pid: int) -> float:
    """User and system time the process has spent (0 once it is gone)."""
    fields = stat_fields(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree(pid: int) -> list[int]:
    """`pid` and every live process below it, parents before their children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields is not None and fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        found.append(current)
        todo += children.get(current, [])
    return found


def descendants(pid: int) -> list[int]:
    return tree(pid)[1:]


def kill_tree(pid: int, signum: int) -> list[int]:
    """Send `signum` to `pid` and every process below it; the pids it reached."""
    reached = []
    for process in tree(pid):
        try:
            os.kill(process, signum)
            reached.append(process)
        except ProcessLookupError:
            pass
    return reached


def wait_for(condition, what: str, seconds: float = 300) -> None:
    """Until `condition()` holds. The deadline only turns a hang into a failure: it is far above
    what any machine, however loaded, needs."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def run_python(code: str, *args: str, timeout: float = 120) -> str:
    """What `code` (dedented) prints in a fresh interpreter that imports this checkout's
    leafletgen (conftest puts it on PYTHONPATH); it must exit 0."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout
