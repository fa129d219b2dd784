"""Characters a document's fonts cannot draw: an error naming the character and the unit, never an
empty box on the page (or a glyph from whatever font the machine happens to have)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ..errors import Message, Problem, shorten
from ..inputs.characters import describe
from ..inputs.project import SOURCE_LANGUAGE, catalog_file
from .fonts import font_faces
from .font_instances import font_metrics


def _drawn(char: str) -> bool:
    """Whether `char` needs a glyph: not a space, a control or format character, nor a variation
    selector (the shaper applies those to the character before them)."""
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf") \
        and not "\ufe00" <= char <= "\ufe0f"


def uncovered(text: str, families: tuple[str, ...]) -> list[str]:
    """The characters of `text` no family of `families` has in every one of its faces (a bold or
    italic word must not fall out of the stack), in order, each once."""
    needed = dict.fromkeys(char for char in text if _drawn(char))
    if not needed:
        return []
    cmaps = _family_cmaps(families)
    return [char for char in needed if not any(ord(char) in cmap for cmap in cmaps)]


@lru_cache(maxsize=16)
def _family_cmaps(families: tuple[str, ...]) -> tuple[frozenset[int], ...]:
    """Per family of `families` that has faces, the characters all its faces have (the packaged
    fonts do not change while a process runs; a document asks once per unit)."""
    cmaps = []
    for family in families:
        faces = [face for face in font_faces() if face.family == family]
        if faces:
            cmaps.append(frozenset.intersection(*(font_metrics(face.path)[0] for face in faces)))
    return tuple(cmaps)


def glyph_problems(leaflet, translated, catalog, families: tuple[str, ...],
                   practice=None) -> list[Problem]:
    """Every unit of `translated` (the leaflet in the document's language; `leaflet` the Dutch
    one, `catalog` its Babel catalog or None) with a character `families` cannot draw: at the
    catalog's line of its msgid, or the leaflet's line when the text is the Dutch one; and every
    field of the practice's profile printed on it."""
    problems = []
    for name in ("name", "address", "phone", "email", "website"):
        missing = uncovered(getattr(practice, name, "") or "", families) if practice else []
        if missing:
            problems.append(Problem(f"practices/{practice.id}.toml", Message(
                "missing_glyph", f"has {', '.join(describe(char) for char in missing[:3])}, which "
                                 f"the fonts of the document ({', '.join(families)}) cannot draw: it "
                                 "would print as an empty box", characters="".join(missing[:3])),
                field=name))
    lang = translated.language
    for (line, _, dutch), (_, _, text) in zip(leaflet.units(), translated.units()):
        missing = uncovered(text, families)
        if not missing:
            continue
        message = Message("missing_glyph", f"unit {shorten(text, 50)!r} has "
                                           f"{', '.join(describe(char) for char in missing[:3])}, which "
                                           f"the fonts of the document ({', '.join(families)}) cannot "
                                           "draw: it would print as an empty box",
                          unit=shorten(dutch, 40), characters="".join(missing[:3]))
        entry = catalog.get(dutch) if catalog is not None and lang != SOURCE_LANGUAGE else None
        if entry is not None and text != dutch:
            problems.append(Problem(catalog_file(leaflet.id, lang), message, line=entry.lineno))
        else:
            problems.append(Problem(leaflet.rel_path, message, line=line))
    return problems
