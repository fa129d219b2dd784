"""Text folded to what the proof compares: letters, digits and marks; case, spacing,
punctuation and the hyphens of broken lines set aside."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Marks a PDF's text layer may set apart from their letter (Arabic vowel signs, shadda, the
# tatweel) and the dot a case change adds to an i (İ → i̇): left out on both sides. Every other
# combining mark counts, an overlay such as U+0336 too.
_LOOSE_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u08d3-\u08ff\u0307]")
# A number the page fills in (page 1 of 2): any digits. A private-use character, so no text has it.
WILDCARD = "\ue000"
# Hyphens a line break adds (PDFium reads a hyphenated line end as U+0002 or U+FFFE).
_BREAK_HYPHENS = frozenset("\x02\u00ad\u2010\ufffe")
_SEPARATORS = {"–": "-", "‑": "-", "⁄": "/", "\u066b": ".", "\u066c": ","}


@dataclass(frozen=True)
class Folded:
    """`text` folded: `chars` the compared characters, `at[k]` the index in `text` that
    chars[k] came from (to quote the text around a difference)."""

    text: str
    chars: str
    at: tuple[int, ...]


@lru_cache(maxsize=4096)
def _kept(char: str) -> str:
    """What one character counts as: "" for what the comparison sets aside."""
    if char == WILDCARD or "\ue001" <= char <= "\ue0ff":
        return char
    out = []
    for piece in unicodedata.normalize("NFKC", char).casefold():
        if piece == "ı":
            piece = "i"    # Turkish dotless i: upper-cased by CSS to I, folded back to i
        if _LOOSE_MARKS.match(piece):
            continue
        category = unicodedata.category(piece)
        if category[0] in "LN" or category in ("Mn", "Me", "Mc"):
            out.append(piece)
    return "".join(out)


def _digit(char: str) -> bool:
    return char.isdigit() or char == WILDCARD


def _separator(char: str) -> str:
    """A separator between two digits as compared ('1.5', '2-3', '030 123')."""
    if char in _BREAK_HYPHENS:
        return ""
    if char.isspace() or unicodedata.category(char).startswith("Z"):
        return " "
    return _SEPARATORS.get(char, char)


@lru_cache(maxsize=8192)
def fold(text: str) -> Folded:
    """Letters, digits and marks, NFKC-normalised and case-folded. Between two digits the
    separator is kept: a dose or a phone number must not run together or come apart. Elsewhere
    spaces, punctuation, the hyphens of broken lines and line breaks are set aside, so a
    hyphenated, reflowed or upper-cased line compares equal to the approved text."""
    chars: list[str] = []
    at: list[int] = []
    pending: tuple[str, int] | None = None   # a separator after a digit: kept if a digit follows
    for index, char in enumerate(text):
        kept = _kept(char)
        if not kept:
            if pending is None and chars and _digit(chars[-1]):
                pending = (_separator(char), index)
            continue
        if pending is not None:
            if pending[0] and _digit(kept[0]):
                chars.append(pending[0])
                at.append(pending[1])
            pending = None
        for piece in kept:
            chars.append(piece)
            at.append(index)
    return Folded(text, "".join(chars), tuple(at))


@lru_cache(maxsize=65536)
def folded(text: str) -> str:
    """Just the compared characters of `text` (cached: a glyph's, a unit's)."""
    return fold(text).chars
