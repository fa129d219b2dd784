"""A line of a PDF's text layer from visual back into logical order.

Text is drawn in visual order: a right-to-left line from right to left, with its left-to-right
runs (Latin words, numbers) the other way. The Unicode bidirectional algorithm's reordering,
applied to the visual order of a line without explicit embeddings, gives the logical order
back; this is that algorithm, kept to the rules such a line needs (no embeddings, isolates or
mirroring), over glyphs rather than characters, so a ligature keeps its own characters' order.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence, TypeVar

T = TypeVar("T")
_NUMBERS = ("EN", "AN")


def bidi_class(text: str) -> str:
    """The bidirectional class of a glyph's first character, R and AL both as R; classes the
    algorithm treats alike as N."""
    kind = unicodedata.bidirectional(text[:1] or " ")
    if kind in ("R", "AL"):
        return "R"
    if kind in ("L", "EN", "AN", "ES", "ET", "CS", "NSM", "WS"):
        return kind
    return "N"


def _w1(types: list[str], sos: str) -> None:
    """A mark takes its base's class."""
    previous = sos
    for i, kind in enumerate(types):
        if kind == "NSM":
            types[i] = previous
        previous = types[i]


def _w4(types: list[str]) -> None:
    """One separator between two numbers joins them."""
    for i in range(1, len(types) - 1):
        if types[i] in ("ES", "CS") and types[i - 1] == types[i + 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] == "AN":
            types[i] = "AN"


def _runs(types: list[str], kind: str):
    """(start, end) of each run of `kind`."""
    i, n = 0, len(types)
    while i < n:
        if types[i] != kind:
            i += 1
            continue
        j = i
        while j < n and types[j] == kind:
            j += 1
        yield i, j
        i = j


def _w5(types: list[str]) -> None:
    """Terminators (%, €) next to a number belong to it."""
    for i, j in list(_runs(types, "ET")):
        if (j < len(types) and types[j] == "EN") or (i > 0 and types[i - 1] == "EN"):
            types[i:j] = ["EN"] * (j - i)


def _spaced_numbers(types: list[str]) -> None:
    """Not the algorithm's: spaces between two numbers join them ("030 123 45 67"), as our
    templates set such numbers left to right (isolated); in running text they are rare."""
    for i, j in list(_runs(types, "WS")):
        if 0 < i and j < len(types) and types[i - 1] == types[j] == "EN":
            types[i:j] = ["EN"] * (j - i)


def _w7(types: list[str], sos: str) -> None:
    """A number after Latin letters is Latin."""
    last = sos
    for i, kind in enumerate(types):
        if kind in ("L", "R"):
            last = kind
        elif kind == "EN" and last == "L":
            types[i] = "L"


def _weak_types(types: list[str], sos: str) -> None:
    """Rules W1 and W4 to W7, in place."""
    _w1(types, sos)
    _w4(types)
    _w5(types)
    _spaced_numbers(types)
    types[:] = ["N" if kind in ("ES", "ET", "CS", "WS") else kind for kind in types]   # W6
    _w7(types, sos)


def _neutral_types(types: list[str], sos: str, base: str) -> None:
    """Rules N1 and N2, in place: neutrals between two of one direction take it, others the
    paragraph's (numbers count as right-to-left here)."""
    n = len(types)
    i = 0
    while i < n:
        if types[i] != "N":
            i += 1
            continue
        j = i
        while j < n and types[j] == "N":
            j += 1
        before = sos if i == 0 else ("R" if types[i - 1] in ("R", *_NUMBERS) else "L")
        after = sos if j == n else ("R" if types[j] in ("R", *_NUMBERS) else "L")
        types[i:j] = [before if before == after else base] * (j - i)
        i = j


def reorder(items: Sequence[T], classes: Sequence[str], rtl: bool) -> list[T]:
    """`items` (in visual order, each with its bidi class) in logical order, for a line whose
    paragraph direction is right-to-left when `rtl`."""
    types = list(classes)
    sos = "R" if rtl else "L"
    _weak_types(types, sos)
    _neutral_types(types, sos, sos)
    base = 1 if rtl else 0
    if base == 0:
        levels = [0 if kind == "L" else 1 if kind == "R" else 2 for kind in types]
    else:
        levels = [1 if kind == "R" else 2 for kind in types]
    order = list(range(len(items)))
    lowest_odd = 1
    for level in range(max(levels, default=0), lowest_odd - 1, -1):   # L2
        i = 0
        while i < len(order):
            if levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and levels[order[j]] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            i = j
    return [items[k] for k in order]
