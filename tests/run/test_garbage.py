"""The collector in a rendering process: what the template warmed and what a process's first
document left are frozen (never walked again); a document's own garbage is collected as usual."""

from __future__ import annotations

from leafletgen.run.limits import Limits
from leafletgen.run.runner import Runner
from leafletgen.run.template import Template

from ..processes import run_python


def run(code: str) -> list[str]:
    """`code` in a fresh interpreter (freezing pytest's own objects would outlive the test)."""
    return run_python(code).split()


def test_what_the_first_document_left_is_frozen_and_no_later_documents_survivors():
    assert run("""
        import gc
        from leafletgen.run.garbage import frozen_after_first_document
        class Cache: pass
        kept = []
        with frozen_after_first_document():
            kept.append(Cache())
        first = gc.get_freeze_count()
        with frozen_after_first_document():
            kept.append(Cache())
        walked = gc.get_objects()
        print(first > 0, gc.get_freeze_count() == first, any(o is kept[1] for o in walked),
              any(o is kept[0] for o in walked))
    """) == ["True", "True", "True", "False"]


def test_a_documents_cycles_are_collected_while_it_renders_and_a_failed_first_document_freezes():
    """The collector stays on: a large document's garbage is freed as it goes."""
    assert run("""
        import gc, weakref
        from leafletgen.run.garbage import frozen_after_first_document
        class Box: pass
        try:
            with frozen_after_first_document():
                box = Box(); box.me = box; gone = weakref.ref(box); del box
                junk = [[[]] for _ in range(100_000)]     # sets collections off
                print(gc.isenabled(), gone() is None)
                raise ValueError
        except ValueError:
            pass
        print(gc.get_freeze_count() > 0)
    """) == ["True", "True", "True"]


def freeze_count() -> int:
    import gc

    return gc.get_freeze_count()


def test_a_worker_forked_from_the_template_starts_with_the_warm_objects_frozen():
    """The template's warm-up (WeasyPrint, fonts, patterns) is frozen before it forks: a worker's
    collections do not walk it, and the pages stay shared."""
    runner = Runner(1, Limits(0, 0), Template())
    try:
        assert runner.call(freeze_count).result() > 50_000
    finally:
        runner.close()


def test_both_ways_of_rendering_under_limits_freeze_after_the_first_document():
    """In-process where the limits were taken on (a pool's or the web app's worker), and in a
    kept render child (`build`, a Dask worker)."""
    assert run("""
        import gc
        from leafletgen import render
        from leafletgen.request import BuildRequest
        from leafletgen.run import limits
        from leafletgen.run.render_child import kept_child, run_in_child
        request = BuildRequest("rug", "nl", "fysio")
        with kept_child():
            counts = [run_in_child(limits.Limits(30, 0), request.key, gc.get_freeze_count)
                      for _ in range(2)]
        print(counts[0] == 0, counts[1] > 0, gc.get_freeze_count() == 0)
        limits.enter(limits.Limits(30, 0))
        counts = [render._limited(request, gc.get_freeze_count) for _ in range(2)]
        print(counts[0] == 0, counts[1] > 0)
    """) == ["True", "True", "True", "True", "True"]
