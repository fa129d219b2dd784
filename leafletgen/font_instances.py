"""Static instances of variable fonts, made with fontTools, and the @font-face rules that use them.

Kept apart from fonts.py, which the main job's plan reads: fontTools takes a tenth of a second
to import, and a run with nothing to build must not pay for it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

from .errors import machine_error
from .fonts import FontFace, font_faces, instance_path, is_variable


def make_instance(face: FontFace) -> Path:
    """The static instance of a variable face, made with fontTools if not cached yet.

    Every axis is pinned: wght to the face's weight, ital/slnt by its style, the others (wdth)
    to their default. Written atomically: two workers making the same instance is harmless.
    """
    target = instance_path(face)
    if target.is_file():
        return target
    # recalcTimestamp=False: the instance keeps the source's `head.modified` instead of the time it
    # was made, which the subset embedded in every PDF carries. Otherwise two machines (a
    # cluster's workers, CI and a laptop) make different PDFs from the same input.
    font = TTFont(face.path, recalcTimestamp=False)
    location = {}
    for axis in font["fvar"].axes:
        value = axis.defaultValue
        if axis.axisTag == "wght":
            value = face.weight
        elif axis.axisTag == "ital":
            value = 1 if face.style == "italic" else 0
        location[axis.axisTag] = min(max(value, axis.minValue), axis.maxValue)
    static = instantiateVariableFont(font, location, static=True)
    static.recalcTimestamp = False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:     # the cache folder cannot be written: say which, and why
        raise machine_error(exc, target) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            static.save(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise machine_error(exc, target) from exc
        raise
    return target


def face_file(face: FontFace) -> Path:
    """The file @font-face points at: the face itself, or its static instance if it is variable."""
    return make_instance(face) if is_variable(face.path) else face.path


def font_face_css(families: tuple[str, ...], url_for) -> str:
    """@font-face rules for `families`; `url_for(path)` gives each file's URL (file: or relative)."""
    rules = []
    for face in font_faces():
        if face.family in families:
            rules.append(
                "@font-face { font-family: \"%s\"; font-weight: %d; font-style: %s; src: url(\"%s\"); }"
                % (face.family, face.weight, face.style, url_for(face_file(face))))
    return "\n".join(rules)
