"""A personal note for one patient: a few lines staff add before printing, checked, never kept.

The note travels in the document's request (request.BuildRequest.note) from the form to the
page, and nowhere else: no file, cache, manifest, log or audit record holds it, and no message
about it quotes it (a problem names its line and what is wrong).
"""

from __future__ import annotations

import unicodedata

from ..errors import Message
from .characters import line_problems

NOTE_MAX_CHARS = 600           # a few lines in a box on the last page
NOTE_MAX_LINES = 12


def clean_note(text: str) -> str:
    """The note as it is printed: Windows line ends made plain, spaces at the ends of lines and
    empty lines around it left out."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n").strip()


def note_problems(text: str, scripts: frozenset[str] = frozenset()) -> list[tuple[str, Message]]:
    """What is wrong with a note, as (field, message); never its words. `scripts`: the scripts the
    leaflet's fonts can show besides Latin (the language table's)."""
    from ..translate.languages import script_of

    problems: list[tuple[str, Message]] = []
    if len(text) > NOTE_MAX_CHARS:
        problems.append(("note", Message("note_too_long", f"the note is {len(text)} characters long; "
                                         f"at most {NOTE_MAX_CHARS} fit in its box",
                                         length=len(text), limit=NOTE_MAX_CHARS)))
    lines = text.split("\n")
    if len(lines) > NOTE_MAX_LINES:
        problems.append(("note", Message("note_too_many_lines", f"the note has {len(lines)} lines; at "
                                         f"most {NOTE_MAX_LINES} fit in its box", lines=len(lines),
                                         limit=NOTE_MAX_LINES)))
    for number, _message in line_problems(text):
        problems.append(("note", Message("note_character", f"line {number} of the note holds an invisible "
                                         "or control character", line=number)))
    shown = scripts | {"Latin", "Common", "Inherited"}
    foreign = sorted({script_of(char) for char in text} - shown)
    if foreign:
        problems.append(("note", Message("note_script", f"the note is written in {', '.join(foreign)} "
                                         "script, which this leaflet's fonts cannot show; write it in the "
                                         "leaflet's language or in Dutch", scripts=", ".join(foreign))))
    return problems


def note_lines(text: str) -> tuple[tuple[str, str], ...]:
    """The note's lines as the page sets them: (line, its direction); none without a note."""
    return tuple((line, line_direction(line)) for line in text.split("\n")) if text else ()


def line_direction(line: str) -> str:
    """"rtl" or "ltr" from the line's first strong character ("" when it has none): what
    dir="auto" means, for WeasyPrint, which does not read dir="auto" itself."""
    for char in line:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""
