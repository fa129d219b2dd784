"""What one document is: the request every render path takes (light: plain data only).

The main job plans thousands of these without loading anything heavy; a worker process, a
web app or a machine of a cluster turns one into a document with `render.render_document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE
from .typeset.variants import DEFAULT_VARIANT, output_stem

ASSETS_DIR = "assets"   # output/assets/fonts/: the font files the HTML outputs link
THUMBNAIL_WIDTH = 240   # pixels: the index page's picture of a leaflet's first page
THUMBNAILS_DIR = "thumbnails"


@dataclass(frozen=True)
class DocumentOptions:
    """How a document is rendered, beside what it is."""

    # Where the HTML links its font files: from output/<practice>/<lang>/ to output/assets/fonts/.
    # A web app serving the HTML elsewhere gives its own address.
    fonts_url: str = f"../../{ASSETS_DIR}/fonts/"
    # Above 0: also a PNG of the first page, this many pixels wide (the index's thumbnails).
    thumbnail_width: int = 0


@dataclass(frozen=True)
class BuildRequest:
    """One document: which leaflet, in which language, for which practice, in which variant.

    Plain data (strings, booleans, numbers), so it pickles to a worker process or another
    machine, and serves as a key.
    """

    leaflet: str
    lang: str = SOURCE_LANGUAGE
    practice: str | None = None          # None: the neutral default, without logo
    variant: str = DEFAULT_VARIANT
    bilingual: bool = False              # the translation beside the Dutch (not for Dutch itself)
    allow_draft: bool = False            # an incomplete translation: Dutch fills in, marked DRAFT
    options: DocumentOptions = DocumentOptions()
    # The copy-fitting setting chosen when it was last made, as the main job's manifest keeps it
    # (typeset.fit_memory): a hint, used only for the same page measuring the same; not part of
    # what the document is.
    remembered_fit: dict[str, object] | None = field(default=None, compare=False, repr=False)
    # The leaflet's draft (leaflets/drafts/<id>.md, Dutch only) instead of its published text:
    # printed only as a concept (marked on every page, "-concept" in its file name).
    from_draft: bool = False
    # With from_draft: the editor's text as it is now, unsaved (its preview), instead of the file.
    draft_text: str = field(default="", repr=False)
    # A personal note for one patient (inputs/note.py), set in a box on the last page. Never part
    # of a key, a log line or a repr: a document with a note is served once and never kept.
    note: str = field(default="", repr=False)

    @property
    def practice_id(self) -> str:
        return self.practice or DEFAULT_PRACTICE_ID

    @property
    def side_by_side(self) -> bool:
        """Whether the page sets the Dutch beside the translation (Dutch has nothing beside it)."""
        return self.bilingual and self.lang != SOURCE_LANGUAGE

    @property
    def stem(self) -> str:
        """The name of its PDF and HTML files, without suffix:
        <leaflet-id>[-variant][-bilingual][-concept]."""
        return output_stem(self.leaflet, self.variant, self.side_by_side) + ("-concept" if self.from_draft else "")

    @property
    def key(self) -> str:
        """<practice>/<lang>/<stem>: where its files go in the output folder, and its name in the
        main job's manifest."""
        return f"{self.practice_id}/{self.lang}/{self.stem}"

    @property
    def thumbnail_name(self) -> str:
        """Where the PNG of its first page goes in the output folder, if the options ask for one:
        one per practice, as each practice sees its own branded leaflet."""
        if not self.options.thumbnail_width:
            return ""
        return f"{THUMBNAILS_DIR}/{self.practice_id}/{self.leaflet}.{self.lang}.png"
