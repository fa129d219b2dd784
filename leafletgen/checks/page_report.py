"""A document's pages in words a practice understands, for `generate.py check`: how many pages
and sheets, how full, the body size and line length, the logo's size, what copy-fitting changed,
and what is still wrong (a page left nearly empty, a word broken in large print, a word alone on
a heading's last line, a logo too small to read)."""

from __future__ import annotations

from ..typeset.copyfit import FitSettings, problems, sheet_pages, sheets
from ..typeset.measure import LayoutReport
from ..typeset.variants import Variant


def describe(report: LayoutReport, variant: Variant, settings: FitSettings | None = None) -> str:
    """"2 pages, one sheet printed double-sided; full 99 % and 73 %; body 13 pt, about 65
    characters a line; logo 22 × 22 mm" — and what copy-fitting changed, if anything."""
    unit = sheet_pages(variant)
    count = sheets(report, variant)
    how = "folded as a booklet" if unit == 4 else "printed double-sided"
    sheet_words = f"{_number(count)} sheet{'s' if count != 1 else ''} {how}"
    fills = [f"{page.fill:.0%}" for page in report.pages]
    full = fills[0] if len(fills) == 1 else ", ".join(fills[:-1]) + " and " + fills[-1]
    parts = [f"{report.page_count} page{'s' if report.page_count != 1 else ''}, {sheet_words}",
             f"pages {full} full"]
    body = f"body {report.body_pt:g} pt"
    if report.median_line_chars:
        body += f", about {report.median_line_chars:.0f} characters a line"
    parts.append(body)
    if report.logo_mm:
        parts.append(f"logo {report.logo_mm[0]:g} × {report.logo_mm[1]:g} mm")
    if settings is not None:
        changed = []
        if settings.level < 0:
            changed.append("set closer to fit fewer sheets")
        elif settings.level > 0:
            changed.append("set more openly to fill its pages")
        if settings.breaks:
            changed.append(f"{len(settings.breaks)} page break{'s' if len(settings.breaks) > 1 else ''} "
                           "placed to share the text out")
        if changed:
            parts.append(" and ".join(changed))
    return "; ".join(parts)


def _number(count: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four"}.get(count, str(count))


def findings(report: LayoutReport, variant: Variant) -> list[str]:
    """What a practice should hear about a layout: pages left (nearly) empty, words broken in
    large print, a word alone on the last line of a heading, a logo too small to read."""
    found = list(problems(report, variant))
    if variant.name == "large-print" and report.broken_words:
        words = ", ".join(repr(word) for word in report.broken_words[:5])
        found.append(f"{len(report.broken_words)} word(s) broken at a line end in large print: {words}")
    for text in report.lone_words:
        short = text if len(text) <= 60 else text[:59] + "…"
        found.append(f"a word alone on the last line of {short!r}")
    if report.logo_mm and report.logo_mm[1] < variant.logo.min_height_mm - 0.05:
        found.append(f"the logo is only {report.logo_mm[1]:g} mm high (its shape is very wide): "
                     "its lettering may be hard to read; a less wide version of the logo would do better")
    return found
