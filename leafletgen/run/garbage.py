"""Python's cycle collector in a rendering process: what lasts is frozen, never walked again.

A rendering process holds a few hundred thousand long-lived objects (WeasyPrint's modules, fonts,
stylesheets, hyphenation patterns, a practice's templates); a document makes as many that die
with it. The collector, set off by allocation counts many times a document, walked the
long-lived ones again at each of its full passes (the cost is in benchmarks/RESULTS.md). So the
template freezes what it warmed before it forks workers (its pages also stay shared with them),
and a rendering process freezes what its first document left (the caches that document filled):
later collections walk little more than the document being rendered. The collector is left on
while a document renders, so a large document's garbage is still freed as it goes.
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
def frozen_after_first_document():
    """Around each document a process renders: after its first, however it ended, what lives
    is frozen. A cycle one of those objects drops later stays until the process is replaced
    (limits.MAX_DOCUMENTS_PER_WORKER); freezing after every document would keep every result's
    cycles for good."""
    global _frozen
    try:
        yield
    finally:
        if not _frozen:
            _frozen = True
            freeze_warm_objects()


_frozen = False     # this process has frozen what its first document left
