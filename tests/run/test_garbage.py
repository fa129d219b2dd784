"""The collector in a rendering process: off while a document renders, one pass after it, what
the first document left (and what the template warmed) frozen, a worker's memory flat."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from leafletgen.run.limits import Limits
from leafletgen.run.runner import Runner
from leafletgen.run.template import Template


def run(code: str) -> str:
    """`code` in a fresh interpreter (freezing pytest's own objects would outlive the test)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_documents_cycles_are_kept_while_it_renders_and_freed_by_the_pass_after_it():
    assert run("""
        import gc, weakref
        from leafletgen.run.garbage import one_pass_per_document
        class Box: pass
        with one_pass_per_document():
            box = Box(); box.me = box; gone = weakref.ref(box); del box
            junk = [[[]] for _ in range(100_000)]     # ten times what sets a collection off
            print(gc.isenabled(), gone() is not None)
        print(gc.isenabled(), gone() is None)
    """) == ["False", "True", "True", "True"]


def test_what_the_first_document_left_is_frozen_and_no_later_documents_survivors():
    assert run("""
        import gc
        from leafletgen.run.garbage import one_pass_per_document
        class Cache: pass
        kept = []
        with one_pass_per_document():
            kept.append(Cache())
        first = gc.get_freeze_count()
        with one_pass_per_document():
            kept.append(Cache())
        print(first > 0, gc.get_freeze_count() == first, gc.is_tracked(kept[1]),
              any(o is kept[1] for o in gc.get_objects()), any(o is kept[0] for o in gc.get_objects()))
    """) == ["True", "True", "True", "True", "False"]


def test_a_document_that_fails_is_followed_by_the_pass_and_a_collector_turned_off_stays_off():
    assert run("""
        import gc, weakref
        from leafletgen.run.garbage import one_pass_per_document
        class Box: pass
        try:
            with one_pass_per_document():
                box = Box(); box.me = box; gone = weakref.ref(box); del box
                raise ValueError
        except ValueError:
            pass
        print(gc.isenabled(), gone() is None)
        gc.disable()
        with one_pass_per_document():
            box = Box(); box.me = box; gone = weakref.ref(box); del box
        print(gc.isenabled(), gone() is not None)
    """) == ["True", "True", "False", "True"]


def freeze_count() -> int:
    import gc

    return gc.get_freeze_count()


def test_a_worker_forked_from_the_template_starts_with_the_warm_objects_frozen():
    """The template's warm-up (WeasyPrint, fonts, patterns) is frozen before it forks: a worker's
    first pass does not walk it, and the pages stay shared."""
    runner = Runner(1, Limits(0, 0), Template())
    try:
        assert runner.call(freeze_count).result() > 50_000
    finally:
        runner.close()


def test_every_document_renders_with_the_collector_off_in_a_worker_and_in_a_render_child():
    """Both ways a document is rendered under limits: in-process where the limits were taken on
    (a pool's or the web app's worker), and in a render child (`build`, a Dask worker)."""
    assert run("""
        import gc
        from leafletgen import render
        from leafletgen.request import BuildRequest
        from leafletgen.run import limits
        from leafletgen.run.render_child import run_in_child
        request = BuildRequest("rug", "nl", "fysio")
        print(run_in_child(limits.Limits(30, 0), request.key, gc.isenabled), gc.isenabled())
        limits.enter(limits.Limits(30, 0))
        print(render._limited(request, gc.isenabled), gc.isenabled(), gc.get_freeze_count() > 0)
    """) == ["False", "True", "False", "True", "True"]
