"""WeasyPrint, imported without searching for its native libraries under names Linux never uses.

WeasyPrint opens each library (GObject, Pango, HarfBuzz, fontconfig) by trying several names in
turn: the Windows and macOS spellings first, the Linux soname last. For each name that does not
open, cffi asks `ctypes.util.find_library`, which on Linux runs ldconfig, then gcc and ld: about
twenty programs, a quarter of a second of every process that renders, and of every command. On
Linux the name that opens is the soname, which the dynamic loader finds on its own, so while
WeasyPrint is imported the search answers "not found" at once: the same files are opened. Should
WeasyPrint not import that way, it is imported again the usual way.

Every module of the package that uses WeasyPrint imports this module first.
"""

from __future__ import annotations

import ctypes.util
import sys


def _not_searched(name: str) -> None:
    """`find_library` while WeasyPrint is imported: nothing found, nothing run."""
    return None


def _import_weasyprint():
    if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
        search = ctypes.util.find_library
        # Only for the import: a lookup from another thread in that moment is answered "not
        # found" too (WeasyPrint is imported once per process, as the process starts to render).
        ctypes.util.find_library = _not_searched
        try:
            import weasyprint

            return weasyprint
        except Exception:  # noqa: BLE001  (a library found only by the search: import as usual)
            for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = search
    import weasyprint

    return weasyprint


weasyprint = _import_weasyprint()

__all__ = ["weasyprint"]
