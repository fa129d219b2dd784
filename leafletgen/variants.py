"""Print variants: page size and type size per variant (issue 4 adds imposition and bleed)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str
    page_size: str          # CSS @page size
    body_pt: float          # body text size
    description: str


VARIANTS: dict[str, Variant] = {
    "a4": Variant("a4", "A4", 13, "A4 pages, for the office printer (default)"),
}
DEFAULT_VARIANT = "a4"


def output_suffix(variant: str) -> str:
    """File-name suffix: none for the default, so output/<practice>/<lang>/<id>.pdf stays the contract."""
    return "" if variant == DEFAULT_VARIANT else f"-{variant}"
