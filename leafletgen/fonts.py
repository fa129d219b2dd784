"""Fonts come from PyPI font packages, never from the machine, and are loaded with @font-face."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import fontpkg_atkinson_hyperlegible
import fontpkg_ibm_plex_sans_arabic
import fontpkg_noto_sans


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: int
    style: str
    path: Path


def _files(module) -> Path:
    return Path(module.__file__).resolve().parent / "files"


@lru_cache(maxsize=1)
def font_faces() -> tuple[FontFace, ...]:
    atkinson = _files(fontpkg_atkinson_hyperlegible)
    plex = _files(fontpkg_ibm_plex_sans_arabic)
    noto = _files(fontpkg_noto_sans)
    return (
        FontFace("Atkinson Hyperlegible", 400, "normal", atkinson / "AtkinsonHyperlegible-Regular.ttf"),
        FontFace("Atkinson Hyperlegible", 700, "normal", atkinson / "AtkinsonHyperlegible-Bold.ttf"),
        FontFace("Atkinson Hyperlegible", 400, "italic", atkinson / "AtkinsonHyperlegible-Italic.ttf"),
        FontFace("Atkinson Hyperlegible", 700, "italic", atkinson / "AtkinsonHyperlegible-BoldItalic.ttf"),
        # Noto Sans covers Cyrillic and the few Latin letters Atkinson lacks (Turkish İ).
        FontFace("Noto Sans", 400, "normal", noto / "NotoSans[wdth,wght].ttf"),
        FontFace("Noto Sans", 700, "normal", noto / "NotoSans[wdth,wght].ttf"),
        FontFace("Noto Sans", 400, "italic", noto / "NotoSans-Italic[wdth,wght].ttf"),
        # IBM Plex Sans Arabic: its glyphs map back to the right characters when text is
        # extracted from the PDF (Noto Sans Arabic's dotless bases garble it).
        FontFace("IBM Plex Sans Arabic", 400, "normal", plex / "IBMPlexSansArabic-Regular.ttf"),
        FontFace("IBM Plex Sans Arabic", 700, "normal", plex / "IBMPlexSansArabic-Bold.ttf"),
    )


# The font stack per script; the first family sets the look, the others fill missing glyphs.
LATIN_STACK = ("Atkinson Hyperlegible", "Noto Sans")
STACKS = {
    # Atkinson Hyperlegible lacks the dotted capital İ: Turkish is set in Noto Sans throughout,
    # rather than with one letter in another face.
    "tr": ("Noto Sans",),
    "uk": ("Noto Sans",),
    "ru": ("Noto Sans",),
    "bg": ("Noto Sans",),
    "ar": ("IBM Plex Sans Arabic", "Atkinson Hyperlegible"),
}


def font_stack(lang: str) -> tuple[str, ...]:
    return STACKS.get(lang.split("_")[0], LATIN_STACK)


def font_dirs() -> tuple[Path, ...]:
    """Folders the PDF renderer may read fonts from."""
    return tuple(sorted({face.path.parent for face in font_faces()}))


def font_face_css(families: tuple[str, ...], url_for) -> str:
    """@font-face rules for `families`; `url_for(path)` gives each file's URL (file: or relative)."""
    rules = []
    for face in font_faces():
        if face.family in families:
            rules.append(
                "@font-face { font-family: \"%s\"; font-weight: %d; font-style: %s; src: url(\"%s\"); }"
                % (face.family, face.weight, face.style, url_for(face.path)))
    return "\n".join(rules)


def css_family_list(families: tuple[str, ...]) -> str:
    return ", ".join(f'"{family}"' for family in families)
