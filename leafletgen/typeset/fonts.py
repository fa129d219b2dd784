"""Fonts come from PyPI font packages, never from the machine, and are loaded with @font-face."""

from __future__ import annotations

import hashlib
import os
import re
import struct
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


# The measure (main's width) per typeface, for about 65 characters a line: Noto Sans and IBM Plex
# Sans Arabic set more and fewer characters to the em than Atkinson Hyperlegible.
MEASURE_EM = {"Atkinson Hyperlegible": 31, "Noto Sans": 34.5, "IBM Plex Sans Arabic": 28}


def measure_em(lang: str) -> float:
    return MEASURE_EM.get(font_stack(lang)[0], 31)


def font_stack(lang: str) -> tuple[str, ...]:
    return STACKS.get(lang.split("_")[0], LATIN_STACK)


def page_families(lang: str, source_lang: str | None = None) -> tuple[str, ...]:
    """The font families a page uses: its language's stack, then the source language's when
    the page is bilingual (`source_lang`), without repeats."""
    families = font_stack(lang)
    if source_lang is not None:
        families = tuple(dict.fromkeys(families + font_stack(source_lang)))
    return families


def font_dirs() -> tuple[Path, ...]:
    """Folders the PDF renderer may read fonts from: the font packages and the instances'."""
    instances = {instance_path(face).parent for face in font_faces() if is_variable(face.path)}
    return tuple(sorted({face.path.parent for face in font_faces()} | instances))


# ---- Variable fonts → static instances ---------------------------------------------------------
# A variable face (Noto Sans has wght and wdth axes) written to a PDF makes WeasyPrint instantiate
# it for every document (about 0.2 s each). We instantiate each weight the templates use once,
# with fontTools (font_files.py), and keep the static file in a cache folder keyed by the
# source's hash, the weight and the style; @font-face then points at the static file. Finding out
# which instances are missing stays light (no fontTools): the main job's plan asks it.

INSTANCE_FORMAT = 2   # bump when the way instances are made changes (2: reproducible bytes)


def cache_root() -> Path:
    """$LEAFLETGEN_CACHE, else $XDG_CACHE_HOME/leafletgen, else ~/.cache/leafletgen."""
    base = os.environ.get("LEAFLETGEN_CACHE")
    if base:
        return Path(base).resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root.resolve() / "leafletgen"


def instance_dir() -> Path:
    """Where static font instances are kept: <cache root>/fonts."""
    return cache_root() / "fonts"


# The font packages (and the static instances made from them) are part of the installed tool: like
# its code, they do not change under a running process. Each file is read once per process.
_PACKAGE_FILES: dict[Path, bytes] = {}
_PACKAGE_DIGESTS: dict[Path, str] = {}


def package_file(path: Path) -> bytes:
    """The bytes of a font file of the installed packages (or a static instance), read once."""
    data = _PACKAGE_FILES.get(path)
    if data is None:
        data = _PACKAGE_FILES[path] = Path(path).read_bytes()
    return data


def package_file_digest(path: Path) -> str:
    """sha256 of a font file of the installed packages, hashed once per process."""
    digest = _PACKAGE_DIGESTS.get(path)
    if digest is None:
        with open(path, "rb") as fh:
            digest = _PACKAGE_DIGESTS[path] = hashlib.file_digest(fh, "sha256").hexdigest()
    return digest


@lru_cache(maxsize=64)
def _table_tags(path: Path) -> frozenset[str]:
    """The table tags of a TrueType/OpenType file, read from its table directory (no fontTools)."""
    with path.open("rb") as fh:
        header = fh.read(12)
        if len(header) < 12:
            return frozenset()
        (count,) = struct.unpack(">H", header[4:6])
        directory = fh.read(16 * count)
    return frozenset(directory[i:i + 4].decode("latin-1") for i in range(0, len(directory), 16))


def is_variable(path: Path) -> bool:
    return "fvar" in _table_tags(Path(path))


def instance_path(face: FontFace) -> Path:
    """Where the static instance of a variable face lives (made or not)."""
    stem = re.sub(r"[^A-Za-z0-9-]+", "", face.path.stem.split("[")[0]) or "font"
    key = hashlib.sha256(f"{package_file_digest(face.path)} {INSTANCE_FORMAT}".encode()).hexdigest()[:16]
    # The folder carries the key, the name stays the same (the HTML links the name).
    return instance_dir() / key / f"{stem}-{face.weight}-{face.style}.ttf"


def missing_instances(families: tuple[str, ...] | None = None) -> list[FontFace]:
    """Variable faces (of `families`, or all) whose static instance is not cached yet."""
    return [face for face in font_faces()
            if (families is None or face.family in families) and is_variable(face.path)
            and not instance_path(face).is_file()]


def css_family_list(families: tuple[str, ...]) -> str:
    return ", ".join(f'"{family}"' for family in families)
