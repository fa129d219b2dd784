"""Print variants: page size, margins, type size, bleed and imposition per variant.

A variant is chosen with `--variant NAME` or listed in a practice profile (`variants = [...]`);
its name goes into the output file name (none for the default, a4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..inputs.logo import LogoRules

# Logos by visual area (logo.logo_box): a square logo of 22 mm on A4, 17 mm on A5, 24 mm in large print.
A4_LOGO = LogoRules(area_mm2=22 * 22, max_width_mm=60, max_height_mm=26, min_height_mm=10, widest_mm=83)
A5_LOGO = LogoRules(area_mm2=17 * 17, max_width_mm=45, max_height_mm=20, min_height_mm=8, widest_mm=60)
LARGE_LOGO = LogoRules(area_mm2=24 * 24, max_width_mm=70, max_height_mm=28, min_height_mm=12, widest_mm=87)


@dataclass(frozen=True)
class Variant:
    name: str
    page_size: str          # CSS @page size of the rendered pages (before imposition)
    body_pt: float          # body text size
    description: str
    # CSS @page margin; "" keeps the stylesheet's (A4). The bottom one is 4.3 mm less than the
    # room under the text: the footer's rule and the space above it are the page's border and
    # padding (blocks/footer.html.j2).
    margin: str = ""
    min_text_pt: float = 8.5  # the smallest text the variant may use (footer, colophon)
    bleed_mm: float = 0     # print-shop bleed around the trimmed page
    crop_marks: bool = False
    impose: str = ""        # "booklet": pages imposed two-up in saddle-stitch order
    draft_margin_top: str = "24mm"  # room for the DRAFT mark in the top margin of a draft
    text_width_mm: float = 166      # the page's width between its side margins
    hyphenate: bool = True          # large print: never a word broken at a line end
    logo: LogoRules = field(default=A4_LOGO)
    bilingual_columns: bool = True  # bilingual side by side; False: each Dutch block under its translation
    # Copy-fitting (fit.py): the body sizes it may use, and the share of the content's height
    # its tightest and loosest settings come to (estimates for its first step; it measures).
    body_range: tuple[float, float] = (12, 14)
    space_range: tuple[float, float] = (0.6, 1.4)   # factor on the space between blocks
    tightest_ratio: float = 0.85
    loosest_ratio: float = 1.16

    def page_css(self, draft: bool = False) -> str:
        """The @page declarations for this variant (values are ours, never user input)."""
        parts = [f"size: {self.page_size}"]
        if self.margin:
            parts.append(f"margin: {self.margin}")
        if draft:
            parts.append(f"margin-top: {self.draft_margin_top}")
        if self.bleed_mm:
            parts.append(f"bleed: {self.bleed_mm:g}mm")
        if self.crop_marks:
            parts.append("marks: crop")
        return "; ".join(parts) + ";"


VARIANTS: dict[str, Variant] = {
    "a4": Variant("a4", "A4", 13, "A4 pages, for the office printer (default)"),
    "a5": Variant("a5", "A5", 12, "A5 pages", margin="13mm 14mm 15.7mm 14mm", min_text_pt=8, text_width_mm=120,
                  logo=A5_LOGO, bilingual_columns=False, body_range=(12, 12.5),
                  tightest_ratio=0.92, loosest_ratio=1.17),
    "booklet": Variant("booklet", "A5", 12,
                       "A5 pages imposed two-up on A4 landscape sheets in saddle-stitch order: "
                       "print double-sided, flip on the short edge, fold in the middle",
                       margin="13mm 14mm 15.7mm 14mm", min_text_pt=8, impose="booklet",
                       text_width_mm=120, logo=A5_LOGO, bilingual_columns=False,
                       body_range=(12, 12.5), tightest_ratio=0.92, loosest_ratio=1.17),
    "large-print": Variant("large-print", "A4", 18, "A4 pages, all text at least 18 pt, for low vision",
                           margin="16mm 18mm 27.7mm 18mm", min_text_pt=18, draft_margin_top="40mm",
                           text_width_mm=174, hyphenate=False, logo=LARGE_LOGO,
                           bilingual_columns=False, body_range=(18, 20), space_range=(0.6, 1.7),
                           tightest_ratio=0.92, loosest_ratio=1.33),
    "print-shop": Variant("print-shop", "A4", 13,
                          "A4 pages with 3 mm bleed and crop marks, for a print shop",
                          bleed_mm=3, crop_marks=True),
}
DEFAULT_VARIANT = "a4"


def output_suffix(variant: str) -> str:
    """File-name suffix: none for the default, so output/<practice>/<lang>/<id>.pdf stays the contract."""
    return "" if variant == DEFAULT_VARIANT else f"-{variant}"


def output_stem(leaflet_id: str, variant: str, bilingual: bool) -> str:
    """<leaflet-id>[-variant][-bilingual]: the name of a document's PDF and HTML, without suffix."""
    return leaflet_id + output_suffix(variant) + ("-bilingual" if bilingual else "")
