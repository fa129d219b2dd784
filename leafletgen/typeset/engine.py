"""WeasyPrint, imported without running gcc and ld to search for its native libraries.

WeasyPrint opens each library (GObject, Pango, HarfBuzz, fontconfig) by trying several names in
turn: the Windows and macOS spellings first, the Linux soname last. For each name that does not
open, cffi asks `ctypes.util.find_library`, which on Linux looks in the dynamic loader's cache
(`ldconfig -p`) and, when the name is not there, runs gcc and then ld: about twenty programs, a
quarter of a second of every process that renders, and of every command. While WeasyPrint is
imported on Linux, the search is its first step alone: a name the loader's cache knows is found
as before (so a library under a soname WeasyPrint does not list is still found), one it does not
know is not looked for further. Should WeasyPrint not import that way, it is imported again with
the whole search.

Every module of the package that uses WeasyPrint imports this module first. Once imported,
WeasyPrint lays a right-to-left line out once, not twice, where that gives its own pages
(line_layout.py).
"""

from __future__ import annotations

import ctypes.util
import importlib
import sys

from . import line_layout


# find_library's first step on Linux (CPython's ctypes.util, 3.6 and later).
_LOADER_CACHE = getattr(ctypes.util, "_findSoname_ldconfig", None)


def _in_loader_cache(name: str) -> str | None:
    """`find_library` while WeasyPrint is imported: the loader's cache only, no gcc, no ld."""
    return _LOADER_CACHE(name) if _LOADER_CACHE is not None else None


def _import_weasyprint():
    if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
        search = ctypes.util.find_library
        # Only for the import: a lookup from another thread in that moment is searched for the
        # same way (WeasyPrint is imported once per process, as the process starts to render).
        ctypes.util.find_library = _in_loader_cache
        try:
            import weasyprint

            return weasyprint
        except Exception:  # noqa: BLE001  (a library only gcc or ld finds: the whole search)
            for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = search
    import weasyprint

    return weasyprint


weasyprint = _import_weasyprint()

line_layout.correct(importlib.import_module("weasyprint.layout.inline"))

__all__ = ["weasyprint"]
