"""Python's cycle collector in a rendering process: one pass a document, warm objects left alone.

A document makes a few hundred thousand objects that mostly die with it; the collector, set off
by allocation counts, ran many times a document and walked them and the process's warm caches
each time (the cost is in benchmarks/RESULTS.md). So a document renders with the collector off
and is followed by one pass, which frees its cycles. What survives the first document's pass
(the caches it filled) is frozen, never walked again; a cycle one of them drops later stays
until the process is replaced (limits.MAX_DOCUMENTS_PER_WORKER). Freezing after every document
would keep every result's cycles for good. The template freezes what it warmed before it forks
workers, so its pages also stay shared with them.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


def freeze_warm_objects() -> None:
    """Keep what lives now (garbage collected first) out of every later collection, in this
    process and in those forked from it."""
    gc.collect()
    gc.freeze()


@contextmanager
def one_pass_per_document():
    """No collection while the document renders; one pass after it, however it ends (what
    survives the first document's pass frozen). For a process that renders documents and is
    replaced in time."""
    global _first_done
    if not gc.isenabled():          # a caller that turned the collector off decides
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if _first_done:
            gc.collect()
        else:
            freeze_warm_objects()
            _first_done = True


_first_done = False     # this process has frozen what its first document left
