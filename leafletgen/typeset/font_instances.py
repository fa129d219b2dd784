"""What is made of and read from the font files, with fontTools: static instances of variable
faces, the @font-face rules that use them, and the characters and x-heights that pair two
languages on one page.

Kept apart from fonts.py (the faces, the stacks, the cache folder), which the main job's plan
reads: fontTools takes a tenth of a second to import, and a run with nothing to build must not
pay for it.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

from ..errors import machine_error
from .fonts import (FontFace, font_faces, font_stack, instance_path, is_variable, missing_instances,
                    package_file)


def make_instance(face: FontFace) -> Path:
    """The static instance of a variable face, made with fontTools if not cached yet.

    Every axis is pinned: wght to the face's weight, ital/slnt by its style, the others (wdth)
    to their default. Written atomically: two workers making the same instance is harmless.
    """
    target = instance_path(face)
    if target.is_file():
        return target
    # recalcTimestamp=False: the instance keeps the source's `head.modified` instead of the time it
    # was made, which the subset embedded in every PDF carries. Otherwise two machines (a cluster's
    # workers, CI and a laptop) make different PDFs from the same input. (Read lazily: cheap.)
    font = TTFont(face.path, recalcTimestamp=False)
    # The cache folder before fontTools' seconds of work: one that cannot be written is said at once.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:     # say which folder, and why
        raise machine_error(exc, target) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
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
            static.save(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise machine_error(exc, target) from exc
        raise
    return target


def make_missing_instances(jobs: int | None = None) -> int:
    """Make every static instance this computer lacks now (fonts.missing_instances, a cheap
    check), `jobs` at a time in processes of their own (default: one per core); how many were
    made. Explicit, so that a command can pay for them once, up front, and say so (`new`; the
    main job and `serve` make the ones they lack the same way, in their own workers)."""
    from concurrent.futures import ProcessPoolExecutor

    faces = font_faces()
    missing = [faces.index(face) for face in missing_instances()]
    if len(missing) <= 1 or jobs == 1:
        for index in missing:
            make_instance(faces[index])
        return len(missing)
    with ProcessPoolExecutor(max_workers=min(len(missing), jobs or os.cpu_count() or 1)) as pool:
        for future in [pool.submit(make_instance_of, index) for index in missing]:
            future.result()
    return len(missing)


def make_instance_of(face_index: int) -> str:
    """make_instance of font_faces()[face_index] (a number: what a worker process is sent)."""
    return str(make_instance(font_faces()[face_index]))


def face_file(face: FontFace) -> Path:
    """The file @font-face points at: the face itself, or its static instance if it is variable."""
    return make_instance(face) if is_variable(face.path) else face.path


def font_face_css(fonts, url_for) -> str:
    """@font-face rules for a page's font files (`fonts`: each with its `face` and the `path` of
    the file it is read from: inputs.bundle.FontFile); `url_for(path)` gives each file's URL."""
    return "\n".join(
        "@font-face { font-family: \"%s\"; font-weight: %d; font-style: %s; src: url(\"%s\"); }"
        % (font.face.family, font.face.weight, font.face.style, url_for(font.path))
        for font in fonts)


# ---- Two languages on one page -----------------------------------------------------------------

@lru_cache(maxsize=32)
def font_metrics(path: Path) -> tuple[frozenset[int], float]:
    """The characters a font file of the installed packages has, and its x-height as a share of
    the em."""
    font = TTFont(io.BytesIO(package_file(path)), lazy=True)
    try:
        characters = frozenset(font.getBestCmap() or {})
        x_height = getattr(font["OS/2"], "sxHeight", 0) or 0
        units = font["head"].unitsPerEm
    finally:
        font.close()
    return characters, x_height / units if units else 0.0


def covers(family: str, text: str) -> bool:
    """Whether every face of `family` has every visible character of `text`."""
    needed = {ord(char) for char in text if not char.isspace() and ord(char) >= 0x20}
    faces = [face for face in font_faces() if face.family == family]
    return bool(faces) and all(needed <= font_metrics(face.path)[0] for face in faces)


def x_height(family: str) -> float:
    """The x-height of `family`'s regular face, as a share of the em (0 if unknown)."""
    for face in font_faces():
        if face.family == family and face.weight == 400 and face.style == "normal":
            return font_metrics(face.path)[1]
    return 0.0


@dataclass(frozen=True)
class PairedFonts:
    """The fonts of a bilingual page: the translation's stack, the source's, and the size of
    the source column relative to the body (1 when both columns share a family)."""

    stack: tuple[str, ...]
    source_stack: tuple[str, ...]
    source_scale: float = 1.0


def paired_fonts(lang: str, source_lang: str, source_text: str) -> PairedFonts:
    """Both columns in one family where the translation's face also has every character of the
    source text (Noto Sans sets Dutch as well as Ukrainian, IBM Plex Sans Arabic has a Latin
    alphabet): side by side, two faces of different proportions look like two sizes. Otherwise
    each keeps its own face and the source column is sized to the same x-height."""
    stack, source_stack = font_stack(lang), font_stack(source_lang)
    if stack[0] == source_stack[0] or covers(stack[0], source_text):
        return PairedFonts(stack, stack)
    ours, theirs = x_height(stack[0]), x_height(source_stack[0])
    scale = round(ours / theirs, 3) if ours and theirs else 1.0
    return PairedFonts(stack, source_stack, max(0.85, min(1.15, scale)))
