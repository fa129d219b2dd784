"""How the texts of one page are set: the column they stand in, the body size, and the finish
of headings, titles and the key message (their last two words kept together where they fit).

The sizes here mirror leaflet.css; they only decide whether two words are short enough to bind
(the layout itself is WeasyPrint's, and copy-fitting measures it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..typeset.fonts import measure_em
from .inline import render_inline
from .typography import NBSP

MM_PER_PT = 25.4 / 72
# The sizes of leaflet.css (h1 is the title; the key message is 1.2 em): used only to decide
# whether the last two words of a heading are short enough to bind.
HEADING_EM = {1: 2.1, 2: 1.3, 3: 1.12}
HEADING_EM_TITLE = HEADING_EM[1]
LARGE_PRINT_HEADING_EM = {1: 1.9, 2: 1.4, 3: 1.2}
BILINGUAL_TITLE_EM = 1.75   # .columns .pair h1
CALLOUT_EM = 1.2
BILINGUAL_GAP_MM = 8        # the gap between the columns


@dataclass(frozen=True)
class Typesetting:
    """How texts are finished for one page (typography.py): the column they are set in and the
    body size, for binding the last words of headings and the key message; whether words joined
    by a hyphen stay whole (large print); headings and key messages (their text) whose last two
    words copy-fitting found left alone and measured room for."""

    column_mm: float
    body_pt: float
    large_print: bool = False
    binds: frozenset[str] = frozenset()
    title_em: float = HEADING_EM_TITLE

    def bind_limit(self, em: float) -> int:
        """Characters two bound words may have in text of `em` times the body size: 60 % of a
        line of the column (bold text, taken as 0.6 em a character, more than it is), so a bound
        pair never overflows it."""
        return int(self.column_mm / MM_PER_PT / (0.6 * em * self.body_pt) * 0.6)

    def heading_em(self, level: int) -> float:
        return (LARGE_PRINT_HEADING_EM if self.large_print else HEADING_EM).get(level, 1.0)


def typesetting(variant, bilingual: bool, lang: str, body_pt: float,
                binds: tuple[str, ...] = ()) -> Typesetting:
    large_print = variant.name == "large-print"
    width = variant.text_width_mm
    title_em = LARGE_PRINT_HEADING_EM[1] if large_print else HEADING_EM[1]
    if bilingual and variant.bilingual_columns:
        width = (width - BILINGUAL_GAP_MM) / 2
        title_em = BILINGUAL_TITLE_EM
    elif not large_print:
        width = min(width, measure_em(lang) * body_pt * MM_PER_PT)
    return Typesetting(width, body_pt, large_print, frozenset(binds), title_em)


def finished(text: str, lang: str, setting: Typesetting, em: float) -> Markup:
    """A heading, title or key message: its last two words bound where they fit the column,
    or where copy-fitting measured that they do."""
    keep = setting.large_print
    html = render_inline(text, lang, bind=setting.bind_limit(em), keep_compounds=keep)
    if setting.binds and html.striptags() in setting.binds:
        html = render_inline(text, lang, bind=10_000, keep_compounds=keep)
    return html


PRACTICE_NAME_EM = 1.35     # .practice-name


def practice_name(name: str, setting: Typesetting) -> Markup:
    """The practice's name in the header (plain text, not Markdown), its last two words kept on
    one line ("… Therapie Het / Plein" is a word alone) where they fit easily beside the logo
    (two thirds of what a heading of the column may bind)."""
    words = name.split()
    if len(words) < 3 or len(words[-2]) + 1 + len(words[-1]) > setting.bind_limit(PRACTICE_NAME_EM) * 2 // 3:
        return escape(name)
    return Markup(NBSP).join((escape(" ".join(words[:-1])), escape(words[-1])))


# A hyphen, a dash or a slash not yet followed by a word joiner: a place a line may break.
_BREAK_AFTER = re.compile("([-/\u2010-\u2015\u2212])(?!\u2060)")


def unbreakable(text: str) -> str:
    """`text` never broken across lines: its spaces as no-break spaces, a word joiner after each
    hyphen, dash or slash (an Arabic month written "…/…", a web address)."""
    return _BREAK_AFTER.sub("\\1\u2060", text.replace(" ", "\u00a0"))


def nobreak(text: str) -> Markup:
    """Text that must not be broken across lines (a date), as HTML: `unbreakable`, not a nowrap
    span, which WeasyPrint may push to the next line leaving the line before it short."""
    return Markup(unbreakable(str(escape(text))))


def source_text(leaflet) -> str:
    """Every text of the leaflet, for the characters a font must have to set it."""
    return " ".join(text for _, _, text in leaflet.units()) + " ‘’“”"
