"""The typographic finish applied while rendering (typography.py), on plain strings."""

from __future__ import annotations

import pytest

from leafletgen.typeset.font_instances import paired_fonts
from leafletgen.markup.inline import render_inline
from leafletgen.inputs.logo import LogoShape, logo_box
from leafletgen.markup.typography import last_two_words, quotes_for, smart_quotes
from leafletgen.typeset.variants import VARIANTS

NBSP = "\u00a0"


@pytest.mark.parametrize("lang, expected", [
    ("nl", "ook wel ‘spit’ of “lumbago” genoemd"),
    ("en", "ook wel ‘spit’ of “lumbago” genoemd"),
    ("de", "ook wel ‚spit‘ of „lumbago“ genoemd"),
    ("fr", f"ook wel «{NBSP}spit{NBSP}» of «{NBSP}lumbago{NBSP}» genoemd"),
    ("es", "ook wel “spit” of «lumbago» genoemd"),
    ("pl", "ook wel «spit» of „lumbago” genoemd"),
    ("uk", "ook wel „spit“ of «lumbago» genoemd"),
    ("ar", "ook wel «spit» of «lumbago» genoemd"),
    ("pt_BR", "ook wel ‘spit’ of “lumbago” genoemd"),      # a regional code: its language's marks
    ("xx", "ook wel ‘spit’ of “lumbago” genoemd"),         # a language not in the table: “…” ‘…’
])
def test_straight_quotes_become_the_languages_own(lang, expected):
    assert smart_quotes(["ook wel 'spit' of \"lumbago\" genoemd"], lang) == [expected]


def test_apostrophes_are_not_quotes():
    assert smart_quotes(["z'n rug, 's avonds, 't is, don't, s'asseoir, '90, Anders' boek"], "nl") == \
        ["z’n rug, ’s avonds, ’t is, don’t, s’asseoir, ’90, Anders’ boek"]
    assert smart_quotes(["l'homme dit 'non'"], "fr") == [f"l’homme dit «{NBSP}non{NBSP}»"]


def test_a_quotation_may_span_markup_and_an_unclosed_one_is_left_alone():
    # 'spit' in bold: "'" + "**spit**" + "'" are three text tokens of the same block.
    assert smart_quotes(["ook wel '", "spit", "' genoemd"], "de") == ["ook wel ‚", "spit", "‘ genoemd"]
    assert smart_quotes(['een "open aanhalingsteken'], "nl") == ['een "open aanhalingsteken']


def test_quotes_are_set_in_text_never_in_link_targets():
    html = render_inline("zie [de 'site'](https://example.org/it's) 'nu'", "nl")
    assert html == 'zie <a href="https://example.org/it&#39;s">de ‘site’</a> ‘nu’'


def test_the_last_two_words_are_kept_together_only_when_they_fit():
    assert render_inline("Acute lage rugklachten gaan vaak vanzelf over", "nl", bind=16) == \
        f"Acute lage rugklachten gaan vaak vanzelf{NBSP}over"
    assert last_two_words(["Acute lage rugklachten gaan vaak vanzelf over"], 10) is None   # too long
    assert last_two_words(["Lage rugklachten"], 40) is None                               # two words
    assert last_two_words(["gaan ", "vanzelf", " over"], 40) is None                      # across markup


def test_large_print_keeps_hyphenated_and_slashed_words_whole():
    html = render_inline("rompstabiliteit (core-stability), billen en/of benen, hart- en vaatziekten",
                         "nl", keep_compounds=True)
    assert '<span class="nobreak">core-stability</span>' in html
    assert '<span class="nobreak">en/of</span>' in html
    assert "hart- en vaatziekten" in html          # a break after "hart-" is the text's own


def test_quotation_marks_table_has_the_shipped_languages():
    for lang in ("nl", "en", "de", "fr", "es", "tr", "pl", "uk", "ar"):
        assert len(quotes_for(lang)) == 4


# ---- Logos by visual area ----------------------------------------------------------------------

def test_logos_of_any_shape_get_about_the_same_area_within_limits():
    rules = VARIANTS["a4"].logo
    square = logo_box(LogoShape(1.0), rules)
    wide = logo_box(LogoShape(3.0), rules)             # 600 × 200
    tall = logo_box(LogoShape(0.5), rules)
    assert square == (22.0, 22.0)
    assert wide == pytest.approx((38.1, 12.7), abs=0.1)
    assert wide[0] * wide[1] == pytest.approx(square[0] * square[1], rel=0.02)
    assert tall[1] <= rules.max_height_mm and tall[0] * tall[1] >= 0.6 * 484
    # A very wide logo keeps a legible height, growing wider up to half the text width.
    banner = logo_box(LogoShape(8.0), rules)
    assert banner[1] >= rules.min_height_mm and banner[0] <= rules.widest_mm
    # Empty margins in the picture do not count: its drawn part gets the area (within the box's
    # maximum): drawn on 90 % of its width and height, the box is 22 / 0.9 mm.
    padded = logo_box(LogoShape(1.0, ink_width=0.9, ink_height=0.9), rules)
    assert padded[0] == pytest.approx(22 / 0.9, abs=0.1)
    assert logo_box(LogoShape(1.0, ink_width=0.5, ink_height=0.5), rules)[1] == rules.max_height_mm


# ---- Bilingual fonts ---------------------------------------------------------------------------

def test_bilingual_columns_share_a_family_that_has_both_scripts():
    dutch = "Lage rugpijn, ‘spit’ of “lumbago”: één of meer"
    assert paired_fonts("uk", "nl", dutch).source_stack == ("Noto Sans",)
    assert paired_fonts("tr", "nl", dutch).source_stack == ("Noto Sans",)
    assert paired_fonts("ar", "nl", dutch).source_stack[0] == "IBM Plex Sans Arabic"
    assert paired_fonts("de", "nl", dutch).source_stack[0] == "Atkinson Hyperlegible"
    for lang in ("uk", "ar", "de"):
        assert paired_fonts(lang, "nl", dutch).source_scale == 1.0


def test_without_a_shared_family_the_source_is_sized_to_the_same_x_height():
    # Atkinson Hyperlegible has no Cyrillic: Ukrainian beside it keeps Noto Sans, at the size
    # that gives both the same x-height (Atkinson 0.496 em, Noto Sans 0.536 em).
    paired = paired_fonts("nl", "uk", "Біль у попереку")
    assert paired.source_stack == ("Noto Sans",)
    assert paired.source_scale == pytest.approx(0.496 / 0.536, abs=0.002)


# ---- Copy-fitting decisions on measured pages --------------------------------------------------

def _report(fills, blocks=()):
    from leafletgen.typeset.measure import LayoutReport, PageFacts
    return LayoutReport(pages=[PageFacts(fill, 250) for fill in fills], blocks=list(blocks))


def test_what_a_practice_is_told_about_pages():
    from leafletgen.typeset.copyfit import problems
    a4, booklet, large = VARIANTS["a4"], VARIANTS["booklet"], VARIANTS["large-print"]
    assert problems(_report([0.99, 0.73]), a4) == []
    assert problems(_report([0.99, 0.98, 0.07]), a4) == [
        "3 pages: a blank page when printed double-sided", "the last page is only 7% full"]
    assert problems(_report([0.9, 0.9, 0.9]), booklet) == ["3 pages: a blank page when printed as a booklet"]
    assert problems(_report([0.7, 0.9, 0.9, 0.5]), large) == ["a page is left 30% empty at the bottom"]


def test_a_page_break_shares_the_text_out_when_the_last_page_would_be_nearly_empty():
    from leafletgen.typeset.copyfit import balancing_breaks
    from leafletgen.typeset.measure import BlockPlace
    blocks = [BlockPlace("main > :nth-child(1)", 0, 0.2, False, False),
              BlockPlace("main > :nth-child(2)", 0, 0.5, False, True),
              BlockPlace("main > :nth-child(3)", 1, 0.0, False, True),
              BlockPlace("main > :nth-child(4)", 1, 0.7, True, True),     # a heading
              BlockPlace("main > :nth-child(5)", 1, 0.75, False, False)]
    # Page 2 is full, the last holds 10 %: the heading near the foot of page 2 starts page 3.
    assert balancing_breaks(_report([0.95, 0.96, 0.1], blocks), 3, VARIANTS["a4"]) == \
        ("main > :nth-child(4)",)
    # Never before a block that must stay with the one before it (a heading's text).
    assert "main > :nth-child(5)" not in balancing_breaks(_report([0.95, 0.96, 0.1], blocks), 3,
                                                         VARIANTS["a4"])


def test_a_sheet_is_saved_only_where_the_tightest_setting_may_reach_it():
    from leafletgen.typeset.copyfit import _fewer_sheets_target
    a4 = VARIANTS["a4"]
    assert _fewer_sheets_target(_report([0.95, 0.95, 0.2]), a4) == 2       # 2.1 pages of text
    assert _fewer_sheets_target(_report([0.95, 0.95, 0.9]), a4) == 0       # 2.8: not within limits
    assert _fewer_sheets_target(_report([0.95, 0.5]), a4) == 0             # one sheet already


def test_a_heading_left_with_a_word_alone_is_bound_in_one_more_layout():
    """fit() on a stand-in layout: the first layout shows a lone word with room to bind it; the
    next layout binds it, and is the one kept."""
    from leafletgen.typeset.copyfit import FitSettings, fit
    from leafletgen.typeset.measure import LayoutReport, PageFacts

    seen = []

    def lay_out(settings: FitSettings):
        seen.append(settings)
        lone = [] if settings.binds else ["Wat kan de fysiotherapeut voor jou doen?"]
        return object(), LayoutReport(pages=[PageFacts(0.95, 250), PageFacts(0.6, 250)],
                                      lone_words=lone, bindable=list(lone))

    fitted = fit(VARIANTS["a4"], lay_out)
    assert [s.binds for s in seen] == [(), ("Wat kan de fysiotherapeut voor jou doen?",)]
    assert fitted.settings.binds and fitted.report.lone_words == [] and fitted.layouts == 2


def test_a_date_has_no_place_to_break():
    """A date's words joined by no-break spaces, and a word joiner after a slash: Babel writes the
    Arabic month with both its names ("تشرين الثاني/نوفمبر"), where a browser and WeasyPrint may
    break a line."""
    from leafletgen.markup.typesetting import nobreak

    joined = nobreak("1 تشرين الثاني/نوفمبر 2026")
    assert " " not in joined and joined.count("\u00a0") == 3
    assert joined.replace("\u00a0", " ").replace("\u2060", "") == "1 تشرين الثاني/نوفمبر 2026"
    assert "/\u2060" in joined and nobreak("1 november 2026") == "1\u00a0november\u00a02026"
