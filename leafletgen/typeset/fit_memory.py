"""Copy-fitting settings remembered by what determines them, so a known fit is laid out once.

Copy-fitting (copyfit.fit) is a pure function of the layouts of one page: its HTML, its
stylesheets and the files it reads (pictures, logo, fonts), under the same code. A process keeps
the setting it chose for each such key, and the main job keeps it in its manifest beside the
output (`BuildRequest.remembered_fit`); a later render of the same page lays it out once, with
that setting, and takes it only if the layout measures exactly as the chosen one did
(`measured`), else it searches again as if nothing were known.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import OrderedDict
from dataclasses import astuple, dataclass

from .copyfit import FitSettings, Fitted, fit
from .measure import LayoutReport
from .variants import Variant

MEMORY_SIZE = 1024          # settings a process keeps (about 300 bytes each)
_SELECTOR = re.compile(r"main( > :nth-child\([1-9][0-9]{0,3}\)){1,4}")   # as measure.py makes them
_TEXT_MAX = 1000            # a bound heading's text, as a manifest may hold it
_MEMORY: OrderedDict[str, "Remembered"] = OrderedDict()


@dataclass(frozen=True)
class Remembered:
    """The setting chosen for the page `key`, and the digest of its layout's measurement."""

    key: str
    settings: FitSettings
    measured: str

    def to_json(self) -> dict:
        settings = self.settings
        return {"key": self.key, "measured": self.measured, "level": settings.level,
                "breaks": list(settings.breaks), "binds": list(settings.binds),
                "clear_separators": settings.clear_separators}

    @classmethod
    def from_json(cls, data) -> "Remembered | None":
        """A remembered setting as a manifest holds it; None for anything not as we write it (a
        page break is placed only before a block measure.py names, never where a file says)."""
        try:
            key, measured, level = data["key"], data["measured"], data["level"]
            breaks, binds, clear = data["breaks"], data["binds"], data["clear_separators"]
        except (KeyError, TypeError):
            return None
        if not (isinstance(key, str) and isinstance(measured, str) and isinstance(clear, bool)
                and isinstance(level, (int, float)) and not isinstance(level, bool)
                and math.isfinite(level) and -1 <= level <= 1
                and isinstance(breaks, list) and isinstance(binds, list) and len(breaks) <= 64
                and len(binds) <= 64
                and all(isinstance(b, str) and _SELECTOR.fullmatch(b) for b in breaks)
                and all(isinstance(b, str) and 0 < len(b) <= _TEXT_MAX for b in binds)):
            return None
        return cls(key, FitSettings(float(level), tuple(breaks), tuple(binds), clear), measured)


def fit_remembered(variant: Variant, lay_out, key: str, hint: dict | None = None) -> Fitted:
    """copyfit.fit, laying the page out once when its fit is remembered (here, or in `hint`) and
    the layout with that setting measures as it did; the chosen setting is remembered."""
    known = recall(key, hint)
    fitted = None
    if known is not None:
        layout, report = lay_out(known.settings)
        if measured(report) == known.measured:
            fitted = Fitted(known.settings, layout, report, [(known.settings, report)])
        elif known.settings == FitSettings():
            # Not as remembered, but the layout is the search's first one: it starts from it.
            fitted = fit(variant, lay_out, first=(layout, report))
    if fitted is None:
        fitted = fit(variant, lay_out)
    remembered = Remembered(key, fitted.settings, measured(fitted.report))
    remember(remembered)
    fitted.remembered = remembered.to_json()
    return fitted


def fit_key(variant: str, page: str, stylesheets: tuple[str, ...], parts: dict[str, str]) -> str:
    """What determines a document's fit: the variant, its page (the HTML as first laid out, with
    the setting as designed), the stylesheets given beside it, and the digests of the files it
    may read (the leaflet with its pictures, the practice's folder and logo, our templates, the
    fonts)."""
    hasher = hashlib.sha256()
    for text in (variant, page, *stylesheets,
                 *(f"{name}={parts.get(name, '')}" for name in ("leaflet", "practice", "templates",
                                                                 "fonts"))):
        data = text.encode("utf-8")
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def measured(report: LayoutReport) -> str:
    """The digest of everything measured of a layout (the pages, lines, blocks, words)."""
    return hashlib.sha256(repr(astuple(report)).encode("utf-8")).hexdigest()


def recall(key: str, hint: dict | None = None) -> Remembered | None:
    """The setting remembered for `key`: this process's, else the one `hint` (a manifest's)
    holds, if it was for the same key."""
    found = _MEMORY.get(key)
    if found is not None:
        _MEMORY.move_to_end(key)
        return found
    remembered = Remembered.from_json(hint) if hint is not None else None
    return remembered if remembered is not None and remembered.key == key else None


def remember(remembered: Remembered) -> None:
    _MEMORY[remembered.key] = remembered
    _MEMORY.move_to_end(remembered.key)
    while len(_MEMORY) > MEMORY_SIZE:
        _MEMORY.popitem(last=False)


def forget() -> None:
    """Forget every setting this process remembered (a test that wants the whole search)."""
    _MEMORY.clear()
