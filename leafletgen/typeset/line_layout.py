"""Right-to-left lines laid out once where that gives WeasyPrint's own pages: its line loop corrected.

WeasyPrint's `get_next_linebox` lays a line out, then keeps it if the line, now as tall as its
content, still stands where it was laid out. For right-to-left text that check compares the
line's right end with the empty line box's (width 0), so it never holds: every line of an Arabic
page is laid out a second time. The correction keeps the first layout when the second could not
differ: the line's place (position, and the width beside the floats) is the one it was laid out
in, its content is all in the flow (no float, no positioned, running, footnote or note box, whose
layout records something beyond the line), and no ::first-line style applies. It then leaves the
layout's state as the second pass would (the copied list of floats). Anything else still takes
WeasyPrint's two passes, with their effects (a running element or note recorded twice, the
::first-line box dropped): WeasyPrint's pages, kept. Made only on the exact source it was written
for (its hash); any other WeasyPrint runs unchanged.
"""

from __future__ import annotations

import hashlib
import inspect
from types import ModuleType

# WeasyPrint 70.0's get_next_linebox.
WRITTEN_FOR = "67af458c2545e74f0803072103c6c5d392d5e353dfdaa4f5bac5a96e20ed024d"

# Where each pass starts: the width beside the floats it is laid out in, kept.
_PASS_STARTS = "        original_width = linebox.width\n"
_KEEP_WIDTH = "        original_available_width = available_width\n"
# WeasyPrint's right-to-left check, and after it the way out of the loop with the first pass.
_RTL_CHECK = ("            condition = (position_x + line.width, position_y) == (\n"
              "                original_position_x + original_width, original_position_y)\n")
_FIRST_PASS_KEPT = (
    "            if not condition and not first_line_style and (\n"
    "                    position_x, position_y, available_width) == (\n"
    "                    original_position_x, original_position_y, original_available_width) and all(\n"
    "                    box.is_in_normal_flow() for box in linebox.descendants()):\n"
    "                break\n")


def corrected_source(source: str) -> str | None:
    """The function's source with the correction, or None when it is not the source the
    correction was written for."""
    if hashlib.sha256(source.encode()).hexdigest() != WRITTEN_FOR:
        return None
    return source.replace(_PASS_STARTS, _PASS_STARTS + _KEEP_WIDTH).replace(_RTL_CHECK, _RTL_CHECK + _FIRST_PASS_KEPT)


def correct(inline: ModuleType) -> bool:
    """Put the corrected function in the place of `get_next_linebox` in `inline` (WeasyPrint's
    weasyprint.layout.inline), once; whether it is in place. The corrected function keeps
    WeasyPrint's as `weasyprint_original`."""
    original = inline.get_next_linebox
    if hasattr(original, "weasyprint_original"):
        return True
    try:
        lines, first = inspect.getsourcelines(original)
    except (OSError, TypeError):        # installed without its sources
        return False
    source = corrected_source("".join(lines))
    if source is None:
        return False
    # Compiled under WeasyPrint's file name and first line (a traceback points into its source,
    # a few lines off after the lines added), run with its module's names.
    code = compile("\n" * (first - 1) + source, inspect.getsourcefile(original) or "<weasyprint>", "exec",
                   dont_inherit=True)
    namespace: dict = {}
    exec(code, inline.__dict__, namespace)  # noqa: S102  (WeasyPrint's own source, lines added)
    corrected = namespace["get_next_linebox"]
    corrected.weasyprint_original = original
    inline.get_next_linebox = corrected
    return True
