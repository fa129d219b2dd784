"""Right-to-left lines laid out once: a correction of WeasyPrint's line loop, same layout.

WeasyPrint's `get_next_linebox` lays a line out, then checks whether the line, now as tall as its
content, meets a float; if its place is unchanged the line is kept. For right-to-left text the
check compares the line's right end with that of the empty line box it started from (width 0),
so it never holds: every line of an Arabic page is laid out a second time, in the same place and
width, and comes out the same. The correction adds one way to keep the first layout: the line's
place (position and the width beside the floats) is the one it was laid out in, and no
::first-line style applies (WeasyPrint's second layout leaves out that style's box; kept so).
It is made in WeasyPrint's own source of the function, only where that source is the one this
was written for; anywhere else WeasyPrint runs unchanged.
"""

from __future__ import annotations

import inspect
from types import ModuleType

# Where each pass starts: the width beside the floats it is laid out in, kept.
_PASS_STARTS = "        original_width = linebox.width\n"
_KEEP_WIDTH = "        original_available_width = available_width\n"
# WeasyPrint's right-to-left check, and the second way to keep the line after it.
_RTL_CHECK = ("            condition = (position_x + line.width, position_y) == (\n"
              "                original_position_x + original_width, original_position_y)\n")
_SAME_PLACE = ("            condition = condition or (not first_line_style and (\n"
               "                position_x, position_y, available_width) == (\n"
               "                original_position_x, original_position_y, original_available_width))\n")


def corrected_source(source: str) -> str | None:
    """The function's source with the correction, or None when it is not the source the
    correction was written for (each place found exactly once)."""
    if source.count(_PASS_STARTS) != 1 or source.count(_RTL_CHECK) != 1:
        return None
    return source.replace(_PASS_STARTS, _PASS_STARTS + _KEEP_WIDTH).replace(_RTL_CHECK, _RTL_CHECK + _SAME_PLACE)


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
    # a line or three off after the lines added), run with its module's names.
    code = compile("\n" * (first - 1) + source, inspect.getsourcefile(original) or "<weasyprint>", "exec")
    namespace: dict = {}
    exec(code, inline.__dict__, namespace)  # noqa: S102  (WeasyPrint's own source, two lines added)
    corrected = namespace["get_next_linebox"]
    corrected.weasyprint_original = original
    inline.get_next_linebox = corrected
    return True
