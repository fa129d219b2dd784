"""Plain data passed between the stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

@dataclass(frozen=True)
class Block:
    """One block of a leaflet. Its texts are inline Markdown: the translation units."""

    kind: str                      # heading, paragraph, list, callout or image
    line: int                      # 1-based line in the leaflet's .md file
    text: str = ""                 # heading, paragraph, callout; the alt text of an image
    items: tuple[str, ...] = ()    # list items
    item_lines: tuple[int, ...] = ()
    level: int = 2                 # heading level (2 or 3)
    ordered: bool = False          # numbered list
    src: str = ""                  # image file, relative to leaflets/

    def units(self) -> list[tuple[int, str, str]]:
        """(line, kind of unit, text) for every translation unit of this block."""
        if self.kind == "list":
            return [(ln, "list item", t) for ln, t in zip(self.item_lines, self.items)]
        kind = "image alt text" if self.kind == "image" else self.kind
        return [(self.line, kind, self.text)]

    def with_texts(self, texts: list[str]) -> "Block":
        """The same block with its units' texts replaced (in `units()` order)."""
        if self.kind == "list":
            return replace(self, items=tuple(texts))
        return replace(self, text=texts[0])


# What every page of a leaflet's draft says at its top (Dutch: a draft is printed in Dutch only).
CONCEPT_MARK = ("CONCEPT — nog niet goedgekeurd", "Niet aan patiënten geven")


@dataclass(frozen=True)
class Leaflet:
    id: str
    title: str
    language: str
    version: str
    published: dt.date
    review: dt.date
    author: str
    source: str
    blocks: tuple[Block, ...]
    path: Path                     # the .md file
    rel_path: str                  # as shown to users, e.g. leaflets/lage-rugklachten.md
    title_line: int = 1
    author_line: int = 1
    source_line: int = 1
    # Filled in by translation: units that fell back to Dutch (empty when complete).
    missing: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()   # what the web app's search finds it by, besides its text
    concept: bool = False            # read from its draft (inputs/drafts.py): not approved and published

    def units(self) -> list[tuple[int, str, str]]:
        """Every translation unit in reading order: the title first, then each block's, then
        the colophon's author and source lines."""
        out = [(self.title_line, "title", self.title)]
        for block in self.blocks:
            out.extend(block.units())
        out.append((self.author_line, "author", self.author))
        if self.source:
            out.append((self.source_line, "source", self.source))
        return out

    @property
    def is_draft(self) -> bool:
        """Whether it must never look final: a translation with units missing, or a concept."""
        return bool(self.missing) or self.concept


@dataclass(frozen=True)
class Practice:
    id: str
    name: str
    color: str                     # #rrggbb, contrast-checked (possibly darkened)
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    logo: Path | None = None       # resolved file inside practices/
    logo_type: str = ""            # image/svg+xml, image/png, image/jpeg
    # The logo's proportions (logo.LogoShape): width/height, and the share of each its picture covers.
    logo_shape: tuple[float, float, float] = (1.0, 1.0, 1.0)
    template_dir: Path | None = None
    variants: tuple[str, ...] = ("a4",)
    bilingual: bool = False
    languages: tuple[str, ...] = ()  # empty: every complete language
    qr_url: str = ""               # URL pattern for the QR code; {leaflet} and {lang} filled in
    require_review: bool = False   # only translations a person has reviewed (review_state.py)
    notes: tuple[str, ...] = field(default=(), compare=False)  # warnings, e.g. colour darkened
