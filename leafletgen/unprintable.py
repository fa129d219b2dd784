"""Characters no input text may hold: control characters and bidirectional overrides.

A control character (ESC, NUL, vertical tab, ...) is invisible on the page, shows as a box in
the PDF and can reach a terminal in a message; a bidirectional override (U+202D, U+202E)
reverses how text is displayed, so what a patient reads differs from what the editor checked.
Unicode's line and paragraph separators (U+2028, U+2029) are invisible line breaks that editors
and parsers disagree on. Tab, line feed and carriage return are fine where line breaks are.
"""

from __future__ import annotations

import unicodedata

BIDI_OVERRIDES = {"\u202d": "LEFT-TO-RIGHT OVERRIDE", "\u202e": "RIGHT-TO-LEFT OVERRIDE"}
_WHITESPACE = "\t\n\r"


def bad_characters(text: str, allow_newline: bool = True) -> list[str]:
    """The disallowed characters of `text`, in order of first appearance (each once)."""
    found: dict[str, None] = {}
    for char in text:
        if char in _WHITESPACE:
            if not allow_newline and char != "\t":
                found.setdefault(char)
            continue
        if char in BIDI_OVERRIDES or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") \
                or char in ("\ufffe", "\uffff"):
            found.setdefault(char)
    return list(found)


def describe(char: str) -> str:
    name = BIDI_OVERRIDES.get(char) or unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} ({name})"


def text_problem(text: str, allow_newline: bool = True) -> str | None:
    """Why `text` is refused, or None."""
    bad = bad_characters(text, allow_newline)
    if not bad:
        return None
    shown = ", ".join(describe(c) for c in bad[:3]) + (", …" if len(bad) > 3 else "")
    return f"contains characters that cannot be printed: {shown}; remove them"


def printable(text: str) -> str:
    """`text` with disallowed characters shown as \\uXXXX (for messages on a terminal)."""
    bad = set(bad_characters(text, allow_newline=False))
    return "".join(f"\\u{ord(c):04x}" if c in bad else c for c in text)
