"""The process runner: a worker ends with its parent however the parent ends, a busy one too,
and a kept render child that ended between documents is replaced, not reported as a failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from leafletgen.run.limits import Limits
from leafletgen.run.render_child import kept_child, run_in_child

from ..processes import HAS_PROC, alive, descendants, wait_for

pytestmark = pytest.mark.skipif(not HAS_PROC or not sys.platform.startswith("linux"),
                                reason="needs /proc and Linux")


def test_a_busy_render_child_ends_when_its_parent_is_killed_hard():
    """A Dask worker killed with SIGKILL (the nanny's way) while its render child is busy left
    that child rendering on, an orphan; it must end with its parent."""
    script = textwrap.dedent("""
        import sys, time
        from leafletgen.run.limits import Limits
        from leafletgen.run.render_child import run_in_child
        print("started", flush=True)
        run_in_child(Limits(0, 0), "a long document", time.sleep, 600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "started"
        wait_for(lambda: descendants(parent.pid), "the render child to start", 60)
        child = descendants(parent.pid)[0]
        parent.kill()
        parent.wait(timeout=60)
        wait_for(lambda: not alive(child), "the orphaned render child to end", 60)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(timeout=60)


def test_a_kept_child_whose_thread_ended_is_replaced():
    """The kernel ends a child when the thread that forked it ends (PR_SET_PDEATHSIG): a kept
    child forked by a thread that is gone (a Dask worker's executor thread) is forked again for
    the next document, which renders."""
    with kept_child():
        pids = []
        thread = threading.Thread(target=lambda: pids.append(run_in_child(Limits(0, 0), "first", os.getpid)))
        thread.start()
        thread.join(60)
        wait_for(lambda: not alive(pids[0]), "the child of the ended thread to end", 60)
        assert run_in_child(Limits(0, 0), "second", os.getpid) not in (pids[0], os.getpid())


def test_a_child_killed_between_documents_is_replaced():
    with kept_child():
        first = run_in_child(Limits(0, 0), "first", os.getpid)
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: not alive(first), "the killed child to end", 60)
        assert run_in_child(Limits(0, 0), "second", os.getpid) != first


def test_a_fork_that_ends_at_once_leaves_its_parents_fonts(tmp_path):
    """A worker forked from the warm template and stopped before it had set itself up (a web app
    closing just after it recycled a worker) removed the template's font folder: every later
    worker drew the bold headings with a font of no file, and the text proof refused each
    document. A fork removes only the font folder it made itself."""
    script = textwrap.dedent("""
        import os, sys
        from pathlib import Path
        from leafletgen.typeset import pdf
        from leafletgen.typeset.fonts import font_faces
        css = "".join(f"@font-face {{ font-family: F; font-weight: {face.weight}; "
                      f"font-style: {face.style}; src: url({face.path.as_uri()}) }}"
                      for face in font_faces()[:2])
        pdf.compiled_stylesheet(css, Path.cwd().as_uri() + "/", lambda path: (
            (path.read_bytes(), "digest") if path.is_file() else None))
        folder = pdf.font_config()._folder
        child = os.fork()
        if child == 0:
            pdf.cleanup_font_config()              # as process.end does on DEATH_SIGNAL
            os._exit(0)
        os.waitpid(child, 0)
        print(len(list(folder.iterdir())) if folder.is_dir() else 0)
        pdf.cleanup_font_config()
        print(folder.exists())
    """)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    fonts, exists = run.stdout.split()
    assert int(fonts) >= 2                # regular and bold at least, still there for the parent
    assert exists == "False"              # and the parent removes its own on its way out


def test_a_worker_that_ends_closes_its_connection_at_once():
    """A template forked by a runner's first `fork` inherited that worker's connection, held it
    open after the worker ended, and the runner waited its STOP_SECONDS for each worker, then
    killed it: every main job ended about five seconds late. Once a worker's process is gone,
    its parent's end reads the end of the connection."""
    from leafletgen.run.template import Template

    template = Template()                       # not started: the first fork starts it
    try:
        pid, connection = template.fork((Limits(0, 0), False, None, ["nl"], True, None))
        assert connection.recv() == ("ready", pid)
        connection.send(None)
        wait_for(lambda: not alive(pid), "the worker to end", 120)
        assert connection.poll(0)
        with pytest.raises(EOFError):
            connection.recv()
        connection.close()
    finally:
        template.close()


def test_a_death_signal_while_a_process_ends_lets_it_finish_its_cleanup(tmp_path):
    """A template whose parent is killed sees its connection close (and ends) and gets
    DEATH_SIGNAL at nearly the same moment; the signal's handler ended it again from inside the
    first cleanup, and its font folder stayed in /tmp. Here the signal comes during the cleanup."""
    script = textwrap.dedent("""
        import os, shutil, signal, sys
        from pathlib import Path
        from leafletgen.run import process
        from leafletgen.typeset import pdf
        from leafletgen.typeset.fonts import font_faces
        face = font_faces()[0]
        pdf.compiled_stylesheet(f"@font-face {{ font-family: F; src: url({face.path.as_uri()}) }}",
                                Path.cwd().as_uri() + "/", lambda path: (
                                    (path.read_bytes(), "digest") if path.is_file() else None))
        print(pdf.font_config()._folder, flush=True)
        remove = shutil.rmtree
        def interrupted(folder, **options):
            os.kill(os.getpid(), process.DEATH_SIGNAL)
            remove(folder, **options)
        shutil.rmtree = interrupted
        signal.signal(process.DEATH_SIGNAL, process.end_on_signal)
        process.end(0)
    """)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         timeout=120)
    folder = run.stdout.strip()
    assert folder.startswith(str(tmp_path)), (run.stdout, run.stderr)
    assert run.returncode == 0                  # the first end finished, not the signal's
    assert not os.path.exists(folder)


def warmed_font_rules() -> int:
    """In a worker: how many @font-face stylesheets it was forked with already parsed."""
    from leafletgen.typeset import pdf

    return len(pdf._STYLESHEETS)


def test_a_runs_first_workers_are_forked_at_once_a_recycled_one_warmed_for_its_languages():
    """The template does not keep a run's first workers waiting while it warms the languages
    (each warms what it meets, in parallel); before it forks a recycled worker, it has."""
    from pathlib import Path

    from leafletgen.run.runner import Runner
    from leafletgen.run.template import Template
    from leafletgen.typeset import pdf

    root = Path(__file__).resolve().parents[2]
    # The template is forked from this process: what earlier tests parsed here is set aside.
    parsed = dict(pdf._STYLESHEETS)
    pdf._STYLESHEETS.clear()
    runner = Runner(1, Limits(0, 0), Template(), recycle_after=1, root=root, languages=("ar", "nl"))
    try:
        first = runner.call(warmed_font_rules).result()
        second = runner.call(warmed_font_rules).result()
    finally:
        runner.close()
        pdf._STYLESHEETS.update(parsed)
    assert first == 0
    assert second >= 2          # the Arabic and the Latin fonts, parsed in the template
