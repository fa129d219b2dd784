"""The typographic finish, read from real renders in every shipped language: WeasyPrint's own
layout of the pages (leafletgen.typeset.measure) and the PDF itself (pdfplumber). No golden images."""

from __future__ import annotations

import re
import statistics

import pdfplumber
import pytest
from PIL import Image, ImageDraw

from leafletgen.typeset import fit_memory
from leafletgen.build import BuildRequest, build
from leafletgen.translate.catalogs import format_day
from leafletgen.markup.inline import render_inline
from leafletgen.inputs.project import Project
from leafletgen.run.render_child import kept_child

from tests.conftest import REPO
from tests.pdfutil import embedded_fonts, pdf_text

LEAFLET = "lage-rugklachten"
LANGS = ("nl", "en", "de", "fr", "es", "tr", "pl", "uk", "ar")
MM = 72 / 25.4            # PDF points a millimetre


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """(lang, variant) → (Document, PDF path) for the example practice, every language, A4 and
    large print; and the A4 bilingual leaflet of a few (key (lang, "bilingual"))."""
    out = tmp_path_factory.mktemp("typeset")
    project = Project(REPO)
    fit_memory.forget()     # the layouts it takes to fit are asserted: none remembered
    found = {}
    with kept_child():      # one warm rendering process for all of them
        for lang in LANGS:
            for variant in ("a4", "large-print"):
                document, pdf, _ = build(project, BuildRequest(LEAFLET, lang, "fysio-delinde", variant), out)
                found[lang, variant] = document, pdf
        for lang in ("de", "uk", "ar"):
            document, pdf, _ = build(project, BuildRequest(LEAFLET, lang, "fysio-delinde", "a4", True), out)
            found[lang, "bilingual"] = document, pdf
        for lang in ("nl", "de", "ar"):
            for variant in ("a5", "booklet"):
                document, pdf, _ = build(project, BuildRequest(LEAFLET, lang, "fysio-delinde", variant), out)
                found[lang, variant] = document, pdf
    return found


# ---- Copy-fitting: whole sheets, no sparse page -------------------------------------------------

def pdf_pages(pdf) -> int:
    with pdfplumber.open(pdf) as doc:
        return len(doc.pages)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_the_a4_leaflet_is_one_sheet_printed_double_sided(rendered, lang):
    """Two pages (one sheet, duplex), within the clear-print limits, in every language."""
    document, pdf = rendered[lang, "a4"]
    layout = document.layout
    assert layout.page_count == pdf_pages(pdf) == 2
    assert min(layout.fills) >= 1 / 3, layout.fills
    assert 12 <= layout.body_pt <= 14
    assert 60 <= layout.median_line_chars <= 75, layout.median_line_chars


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_large_print_fills_whole_sheets_without_a_gap_over_a_quarter_page(rendered, lang):
    layout = rendered[lang, "large-print"][0].layout
    assert layout.page_count % 2 == 0 and min(layout.fills) >= 1 / 3, layout.fills
    assert layout.largest_gap <= 0.25, layout.fills
    assert layout.body_pt >= 18


@pytest.mark.slow
@pytest.mark.parametrize("lang", ("nl", "de", "ar"))
def test_a5_fills_whole_sheets_and_the_booklet_whole_folded_sheets(rendered, lang):
    for variant, unit in (("a5", 2), ("booklet", 4)):
        layout = rendered[lang, variant][0].layout
        assert layout.page_count % unit == 0 and min(layout.fills) >= 1 / 3, (variant, layout.fills)
        assert layout.body_pt >= 12
    # The booklet's sheets hold its pages two by two, without blank sides.
    _, booklet = rendered[lang, "booklet"]
    assert pdf_pages(booklet) * 2 == rendered[lang, "booklet"][0].layout.page_count


@pytest.mark.slow
def test_bilingual_leaflets_fill_whole_sheets(rendered):
    for lang in ("de", "uk", "ar"):
        layout = rendered[lang, "bilingual"][0].layout
        assert layout.page_count % 2 == 0 and min(layout.fills) >= 1 / 3, (lang, layout.fills)


@pytest.mark.slow
@pytest.mark.parametrize("variant", ("a5", "large-print"))
def test_a_bilingual_leaflet_one_block_after_the_other_fills_whole_sheets(tmp_path, variant):
    document, pdf, _ = build(Project(REPO), BuildRequest(LEAFLET, "pl", "fysio-delinde", variant, True),
                             tmp_path)
    layout = document.layout
    assert layout.page_count == pdf_pages(pdf) and layout.page_count % 2 == 0
    assert min(layout.fills) >= 1 / 3 and layout.lone_words == [], layout.fills


@pytest.mark.slow
def test_a_leaflet_that_fits_is_laid_out_once_and_one_that_does_not_is_set_closer(rendered):
    dutch, german = rendered["nl", "a4"][0], rendered["de", "a4"][0]
    assert dutch.layouts == 1 and dutch.fit.level == 0 and dutch.layout.body_pt == 13
    # The German text is longer: set closer (and smaller, never below 12 pt) to keep to one sheet.
    assert german.layouts >= 2 and german.fit.level < 0 and 12 <= german.layout.body_pt < 13


def pdf_lines(pdf) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [line["text"] for page in doc.pages for line in page.extract_text_lines()]


# ---- Large print ----------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_large_print_breaks_no_word(rendered, lang):
    document, pdf = rendered[lang, "large-print"]
    assert document.layout.broken_words == []
    # And in the PDF: no line ends in a letter and a hyphen, unless the text itself has that
    # hyphen before a space ("hart- en vaatziekten").
    text = " ".join(re.sub(r"<[^>]+>", "", document.html).split())
    for line in pdf_lines(pdf):
        end = re.search(r"(\w+-)$", line)
        assert not end or f"{end.group(1)} " in text, line


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_large_print_footer_has_at_most_two_lines(rendered, lang):
    document, pdf = rendered[lang, "large-print"]
    assert 1 <= document.layout.footer_lines <= 2
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            footer = [w for w in page.extract_words() if w["top"] > page.height - 32 * MM]
            assert 1 <= len({round(w["top"]) for w in footer}) <= 2


# What the footer's texts are is the text proof's and test_html_facts' to check; here, where they stand.
FOOTER_MARGIN_MM = {"a4": 19.7, "a5": 15.7, "large-print": 27.7}     # the page's bottom margin
TEXT_MARGIN_MM = {"a4": 22, "a5": 14, "large-print": 18}            # and its side margins
BRAND = (0x1f, 0x6f, 0x5c)                                          # practices/fysio-delinde.toml


@pytest.mark.parametrize("lang", ("nl", "ar"))
@pytest.mark.parametrize("variant", ("a4", "a5", "large-print"))
def test_the_footer_stands_under_one_rule_the_practice_at_the_start(rendered, lang, variant):
    """A4: the practice | the version and the page, on one line, the page at its end. A5 and
    large print: the practice; under it the version and the page. The practice at the start of
    the line (on the right in Arabic); a rule in the practice's colour across the text's width
    above it, on every page."""
    document, pdf = rendered[lang, variant]
    rtl = lang == "ar"
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            left, right = TEXT_MARGIN_MM[variant] * MM, page.width - TEXT_MARGIN_MM[variant] * MM
            top = page.height - FOOTER_MARGIN_MM[variant] * MM
            words = [w for w in page.extract_words() if w["top"] > top]
            lines = sorted({round(w["top"]) for w in words})
            assert len(lines) == (1 if variant == "a4" else 2), (variant, lines)
            # The practice's name ("Fysiotherapie De Linde", set left to right also in Arabic).
            practice = next(w for w in words if w["text"] == ("Linde" if rtl else "Fysiotherapie"))
            first, last = ([w for w in words if round(w["top"]) == line] for line in (lines[0], lines[-1]))
            assert practice in first
            start, end = (right, left) if rtl else (left, right)
            assert abs((practice["x1"] if rtl else practice["x0"]) - start) < 2, (variant, practice)
            # The page's number and count: the digits at the end of the last line.
            at_end = min(last, key=lambda w: w["x0"]) if rtl else max(last, key=lambda w: w["x1"])
            if variant != "a4":
                assert abs((at_end["x1"] if rtl else at_end["x0"]) - start) > 30 * MM     # after the version
            else:
                assert abs((at_end["x0"] if rtl else at_end["x1"]) - end) < 2, (variant, at_end)
            assert re.search(r"\d", at_end["text"]), at_end
            # The rule: the page's bottom border, filled in the practice's colour, its foot where
            # the footer's margin begins.
            rules = [rect for rect in page.rects if abs(rect["bottom"] - top) < 1 and rect["fill"]
                     and abs(rect["x0"] - left) < 1 and abs(rect["x1"] - right) < 1
                     and tuple(round(c * 255) for c in rect["non_stroking_color"]) == BRAND]
            assert rules, (variant, [(r["x0"], r["x1"], r["bottom"]) for r in page.rects][-3:])


# ---- Dates, phone numbers, page numbers --------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_dates_phone_and_page_number_stay_on_one_line(rendered, lang):
    for variant in ("a4", "large-print"):
        document, pdf = rendered[lang, variant]
        # (A date's spaces are set as no-break spaces, with a word joiner after a slash: compare
        # with plain ones.)
        lines = [re.sub("[\u00a0\u202f]", " ", line).replace("\u2060", "") for line in document.layout.lines]
        leaflet = document.leaflet
        for day in (leaflet.published, leaflet.review):
            date = re.sub("[\u00a0\u202f]", " ", format_day(day, lang))
            year = str(day.year)
            with_year = [line for line in lines if year in line]
            assert with_year and all(date in line for line in with_year), (date, with_year)
        assert all("030 123 45 67" in line for line in lines if "45 67" in line)
        pages = len(document.layout.pages)
        assert sum(1 for line in lines if re.search(rf"\b1\D+{pages}\b", line)) >= 1
        if lang != "ar":        # pdfplumber reads right-to-left lines in drawing order
            # (Babel writes "2027\u202fр."; the PDF's text has a plain space there.)
            date = re.sub("[\u00a0\u202f]", " ", format_day(leaflet.review, lang))
            with_year = [re.sub("[\u00a0\u202f]", " ", line) for line in pdf_lines(pdf)
                         if str(leaflet.review.year) in line]
            assert with_year and all(date in line for line in with_year), (date, with_year)


@pytest.mark.slow
def test_the_review_date_stays_on_the_line_of_its_label_in_every_variant(rendered):
    """"Nächste Überprüfung:" at a line end and "1. November 2027" on the next (A5, booklet,
    large print) reads as two things; so does a "·" left at a line end before it."""
    for (lang, variant), (document, pdf) in rendered.items():
        day = re.sub("[\u00a0\u202f]", " ", format_day(document.leaflet.review, lang))
        lines = [re.sub("[\u00a0\u202f]", " ", line).replace("\u2060", "").strip() for line in document.layout.lines]
        with_date = [line for line in lines if day in line]
        assert with_date and all(not line.startswith(day) for line in with_date), (lang, variant, with_date)
        assert not [line for line in lines if line.endswith("·")], (lang, variant)
        if lang != "ar":        # and in the PDF's own lines
            pdf_with_date = [re.sub("[\u00a0\u202f]", " ", line).strip() for line in pdf_lines(pdf)
                             if str(document.leaflet.review.year) in line]
            assert pdf_with_date and all(day in line and not line.startswith(day)
                                         for line in pdf_with_date), (lang, variant, pdf_with_date)


@pytest.mark.slow
def test_the_version_number_stays_with_its_label(rendered):
    """"версія / 1.0" in the Ukrainian large print's translation note: the version's number began a
    line, its label left at the end of the one before."""
    for key, (document, _) in rendered.items():
        version = document.leaflet.version
        lines = [line.replace("\u2060", "").strip() for line in document.layout.lines]
        assert not [line for line in lines if line.startswith(version)], (key, version)


@pytest.mark.slow
def test_the_translation_note_leaves_no_word_alone_on_its_last_line(rendered):
    """"Перекладено з нідерландської за допомогою комп'ютера; ще не / перевірено", the Arabic
    note's "بعد" alone: the note's last two words stay on one line."""
    for (lang, variant), (document, _) in rendered.items():
        if lang == "nl":
            continue
        note = re.search(r'<p class="translation-note">(.*?)</p>', document.html, re.S)
        words = re.sub(r"<[^>]+>", "", note.group(1)).replace("\u00a0", " ").split()
        lines = [re.sub(r"[\u00a0\u2066-\u2069]", " ", line).split() for line in document.layout.lines]
        assert [words[-1]] not in lines and [words[0]] not in lines, (lang, variant, words)


# ---- No line broken early ---------------------------------------------------------------------------

@pytest.mark.slow
def test_no_line_of_body_text_ends_where_the_next_word_would_have_fit(rendered):
    """WeasyPrint broke the line before an inline box that did not fit a word too early:
    "…quotidiennes, vous / devez / continuer à les faire. … natation ou vélo"."""
    for key, (document, _) in rendered.items():
        assert document.layout.early_breaks == [], key
    document, pdf = rendered["fr", "a4"]
    lines = pdf_lines(pdf)
    [devez] = [line for line in lines if re.search(r"\bdevez\b", line)]
    assert len(devez.split()) > 1, lines


# ---- A practice with a long name and a wide logo ------------------------------------------------------

def _long_named_practice(project) -> None:
    """practices/plein.toml: a long name and a wide logo (a taller header than De Linde's)."""
    _logo(project.practices_dir / "plein.png", 600, 200)
    name = "Fysiotherapie en Manuele Therapie Het Plein"
    (project.practices_dir / "plein.toml").write_text(
        f'name = "{name}"\nlogo = "plein.png"\ncolor = "#1d5e8c"\nphone = "033 456 78 90"\n'
        'email = "balie@fysio-hetplein.example"\nwebsite = "https://fysio-hetplein.example"\n'
        'address = "Marktplein 3, 1234 AB Amersfoort"\n',
        encoding="utf-8")


@pytest.mark.slow
def test_a_bilingual_booklet_under_a_tall_header_fills_its_folded_sheets(project, tmp_path):
    """Under that header the first page is full before any break is placed: the text was not
    shared out, and the booklet had six pages and two blank ones (a page break between the
    language labels and the title was tried, leaving page 1 a quarter full)."""
    _long_named_practice(project)
    for lang in ("de", "es"):
        document, pdf, _ = build(project, BuildRequest(LEAFLET, lang, "plein", "booklet", True), tmp_path)
        layout = document.layout
        assert layout.page_count == 2 * pdf_pages(pdf) and layout.page_count % 4 == 0, (lang, layout.fills)
        assert min(layout.fills) >= 1 / 3, (lang, layout.fills)


@pytest.mark.slow
def test_a_long_practice_name_keeps_its_last_words_together_and_its_footer_ends_in_no_separator(
        project, tmp_path):
    """"Fysiotherapie en Manuele Therapie Het / Plein" left a word alone in the header; its footer
    wrapped after "033 456 78 90 ·", leaving the separator at the line end (the website, also in
    the header, is left out of the footer then)."""
    _long_named_practice(project)
    for lang, variant, bilingual in (("nl", "a4", False), ("de", "a4", False), ("nl", "a5", False),
                                     ("nl", "large-print", False), ("uk", "large-print", False),
                                     ("uk", "a4", True), ("nl", "booklet", False), ("de", "a5", False)):
        document, pdf, _ = build(project, BuildRequest(LEAFLET, lang, "plein", variant, bilingual), tmp_path)
        assert document.layout.lone_words == [] and not document.layout.dangling, (lang, variant)
        assert document.layout.footer_lines <= 2, (lang, variant)
        assert document.layout.broken_display == [], (lang, variant)     # "Manuele The-/rapie"
        with pdfplumber.open(pdf) as doc:
            for number, page in enumerate(doc.pages):
                lines = [line["text"].strip() for line in page.extract_text_lines()
                         if line["top"] < page.height / 4]         # the header
                footer = [line["text"].strip() for line in page.extract_text_lines()
                          if line["top"] > page.height - 30 * MM]
                assert footer and not [line for line in footer if line.endswith("·")], (variant, footer)
                assert not [line for line in lines if line.endswith("·")], (variant, lines)
                if number == 0:
                    [last] = [line for line in lines if "Plein" in line and "Therapie" not in line] or \
                        [line for line in lines if line.endswith("Het Plein")]
                    assert last.split()[-2:] == ["Het", "Plein"], (variant, lines[:4])


def test_an_arabic_leaflet_for_a_practice_whose_long_name_wraps_in_the_footer(project, tmp_path):
    """A Latin name wrapped in the Arabic footer ("… Bekkenfysiotherapie / Utrecht · +31 …", its
    second line laid out right to left) was read with the phone number before the name's last
    word, and the proof refused every Arabic A4 leaflet of such a practice."""
    (project.practices_dir / "lang.toml").write_text(
        'name = "Praktijk voor Fysiotherapie, Manuele Therapie en Bekkenfysiotherapie Utrecht"\n'
        'color = "#7a3b00"\nphone = "+31 30 123 45 67"\n', encoding="utf-8")
    document, pdf, _ = build(project, BuildRequest(LEAFLET, "ar", "lang"), tmp_path)
    assert document.layout.footer_lines == 2
    with pdfplumber.open(pdf) as doc:
        footer = [w["text"] for w in doc.pages[0].extract_words() if w["top"] > doc.pages[0].height - 20 * MM]
    assert "Utrecht" in footer and "Praktijk" in footer


# ---- No hyphenation in headings, the key message, colophon, footer ---------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_headings_key_message_colophon_and_footer_are_never_hyphenated(rendered, lang):
    for variant in ("a4", "large-print"):
        assert rendered[lang, variant][0].layout.broken_display == []


@pytest.mark.slow
def test_the_key_message_leaves_no_word_alone(rendered):
    for lang in LANGS:
        document = rendered[lang, "a4"][0]
        callout = [b.text for b in document.leaflet.blocks if b.kind == "callout"]
        assert callout and not [w for w in document.layout.lone_words if w in callout[0]]


# ---- Quotation marks ------------------------------------------------------------------------------

@pytest.mark.slow
def test_straight_quotes_in_a_catalog_become_the_languages_own(project, tmp_path):
    """A translator who types straight quotes gets the language's own on the page; the catalog
    keeps what they typed. The quoted words are whatever the catalog quotes (not its wording)."""
    for lang, (opening, closing, shown) in (("de", ("„", "“", "‚{}‘")),
                                            ("fr", ("«\u00a0", "\u00a0»", "«\u00a0{}\u00a0»")),
                                            ("uk", ("«", "»", "„{}“"))):
        po = project.translations_dir / lang / "LC_MESSAGES" / f"{LEAFLET}.po"
        source = po.read_text(encoding="utf-8")
        quoted = re.search(re.escape(opening) + r'([^\n"«»„“]+?)' + re.escape(closing), source)
        assert quoted, (lang, "the catalog quotes nothing")
        typed, plain = quoted.group(0), quoted.group(1)
        expected = shown.format(plain)
        po.write_text(source.replace(typed, f"'{plain}'"), encoding="utf-8")
        _, pdf, html = build(project, BuildRequest(LEAFLET, lang, "fysio-delinde"), tmp_path)
        assert expected in pdf_text(pdf).replace("\u00a0", " ").replace(" ", "\u00a0") or \
            expected.replace("\u00a0", " ") in pdf_text(pdf)
        assert expected in html.read_text(encoding="utf-8")
        assert f"'{plain}'" in po.read_text(encoding="utf-8")



@pytest.mark.slow
def test_french_sets_a_no_break_space_before_its_question_mark(rendered):
    """"Que peut faire le kinésithérapeute pour vous ?": the space before "?" (and ! ; : and
    inside « ») is a no-break space on the page, and the heading's last two words are
    "pour vous ?" (the binding counted "?" as a word: "… pour / vous ?" in large print and A5).
    A space typed there as an ordinary one becomes a no-break space; the catalog keeps what was typed."""
    po = Project(REPO).translations_dir / "fr" / "LC_MESSAGES" / f"{LEAFLET}.po"
    # The heading, as the catalog has it now (its wording is the translator's).
    heading = re.search(r'msgid "Wat kan de fysiotherapeut voor jou doen\?"\nmsgstr "([^"]*)"',
                        po.read_text(encoding="utf-8")).group(1)
    assert heading.endswith("\u00a0?")
    *_, before, last = heading[:-2].split()
    for variant in ("a4", "large-print"):
        document = rendered["fr", variant][0]
        assert f"{before}\u00a0{last}\u00a0?" in document.html, variant
        lines = [line.replace("\u00a0", " ").strip() for line in document.layout.lines]
        assert f"{last} ?" not in lines and "?" not in lines, variant
        assert any(line.endswith(f"{before} {last} ?") for line in lines), (variant, lines)
    # Only a space typed there: a colon in a time or an address gets none; other languages as typed.
    assert str(render_inline("Rendez-vous : 10:30, https://x.fr", "fr")) == \
        "Rendez-vous\u00a0: 10:30, https://x.fr"
    assert str(render_inline("Hora : 10:30 ?", "es")) == "Hora : 10:30 ?"


# ---- Logos ---------------------------------------------------------------------------------------

def _logo(path, width, height):
    image = Image.new("RGB", (width, height), "#ffffff")
    ImageDraw.Draw(image).rectangle((0, 0, width - 1, height - 1), fill="#8a2d1f")
    image.save(path)


@pytest.mark.slow
def test_logos_are_sized_by_area_in_millimetres(project, tmp_path):
    sizes = {}
    for name, (width, height) in {"wide": (600, 200), "square": (300, 300), "tall": (200, 400)}.items():
        _logo(project.practices_dir / f"{name}.png", width, height)
        (project.practices_dir / f"{name}.toml").write_text(
            f'name = "Praktijk {name}"\nlogo = "{name}.png"\ncolor = "#8a2d1f"\n', encoding="utf-8")
        document, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", name), tmp_path)
        with pdfplumber.open(pdf) as doc:
            image = doc.pages[0].images[0]
            found = ((image["x1"] - image["x0"]) / MM, (image["bottom"] - image["top"]) / MM)
        assert document.layout.logo_mm == pytest.approx(found, abs=0.3)
        sizes[name] = found
    square, wide, tall = sizes["square"], sizes["wide"], sizes["tall"]
    assert square == pytest.approx((22, 22), abs=0.2)
    assert wide == pytest.approx((38.1, 12.7), abs=0.3)                 # was 22 × 7.3 mm
    assert wide[0] * wide[1] == pytest.approx(square[0] * square[1], rel=0.05)
    assert wide[1] >= 10                                                # lettering stays legible
    assert tall[1] <= 26.01 and tall[0] * tall[1] >= 0.6 * square[0] * square[1]


# ---- Bilingual ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_bilingual_columns_are_set_in_one_family_where_it_has_both_scripts(rendered):
    for lang, family in (("uk", "Noto"), ("ar", "IBM-Plex-Sans-Arabic"), ("de", "Atkinson-Hyperlegible")):
        _, pdf = rendered[lang, "bilingual"]
        with pdfplumber.open(pdf) as doc:
            page = doc.pages[0]
            dutch = [c for c in page.chars if c["text"] in "Lage rugklachten" and c["size"] > 20
                     and c["x0"] > (page.width / 2 if lang != "ar" else 0) and c["text"].strip()]
        assert dutch and all(family in c["fontname"] for c in dutch), (lang, {c["fontname"] for c in dutch})
        if lang != "de":
            assert not any("Atkinson" in name for name in embedded_fonts(pdf)), lang


@pytest.mark.slow
def test_a_bilingual_heading_never_ends_a_page(rendered):
    """Side by side, a heading's row stays with the row after it, and is never split (one
    language's heading at the foot of a page, the other's at the top of the next)."""
    brand = (round(0x1f / 255, 2), round(0x6f / 255, 2), round(0x5c / 255, 2))
    for lang in ("de", "uk", "ar"):
        with pdfplumber.open(rendered[lang, "bilingual"][1]) as doc:
            for number, page in enumerate(doc.pages[:-1], start=1):
                chars = [c for c in page.chars if c["top"] < page.height - 30 * MM]
                lowest = max(c["bottom"] for c in chars)
                last_line = [c for c in chars if c["bottom"] > lowest - 4]
                colours = {tuple(round(v, 2) for v in c["non_stroking_color"] or ()) for c in last_line}
                assert brand not in colours, (lang, number, "".join(c["text"] for c in last_line))


@pytest.mark.slow
def test_a_narrow_column_is_hyphenated_no_more_than_the_full_width_leaflet(rendered):
    """The columns hold the Dutch and the translation: compared with the two full-width leaflets
    together (a one-word change of a translation's wording moves one leaflet's share alone)."""
    dutch = rendered["nl", "a4"][0].layout
    for lang in ("de", "uk"):
        column = rendered[lang, "bilingual"][0].layout
        full = rendered[lang, "a4"][0].layout
        assert column.text_lines > 2 * full.text_lines
        share = (len(full.broken_words) + len(dutch.broken_words)) / (full.text_lines + dutch.text_lines)
        column_share = len(column.broken_words) / column.text_lines
        assert column_share <= share, (column.broken_words, full.broken_words, dutch.broken_words)


# ---- Bilingual: every language, side by side (A4) and one after the other (the booklet) -----------

@pytest.fixture(scope="module")
def every_bilingual(rendered, tmp_path_factory):
    """(lang, variant) → PDF path of the bilingual A4 leaflet and booklet in every translation."""
    out = tmp_path_factory.mktemp("bilingual")
    project = Project(REPO)
    found = {(lang, "a4"): rendered[lang, "bilingual"][1] for lang in ("de", "uk", "ar")}
    with kept_child():
        for lang in LANGS[1:]:
            for variant in ("a4", "booklet"):
                if (lang, variant) not in found:
                    found[lang, variant] = build(project, BuildRequest(LEAFLET, lang, "fysio-delinde",
                                                                       variant, True), out)[1]
    return found


def last_lines_of_halves(pdf) -> list[tuple[int, str, bool]]:
    """The last line of body size or larger in each half of each PDF page (a column of the A4
    leaflet, an A5 page of the booklet's sheet): (page, text, whether it is a heading or a list's
    lead-in). A heading is larger than the body and not in the text colour (the key message is);
    a lead-in is bold and ends in a colon. The footer, the colophon and the labels are smaller."""
    found = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            chars = [c for c in page.chars if c["text"].strip()]
            body = statistics.median(c["size"] for c in chars)
            for half in (0, 1):
                mine = [c for c in chars if (c["x0"] + c["x1"]) / 2 // (page.width / 2) == half
                        and c["size"] >= 0.9 * body]
                if not mine:
                    continue
                lowest = max(c["bottom"] for c in mine)
                line = sorted((c for c in mine if c["bottom"] > lowest - 0.5 * body), key=lambda c: c["x0"])
                text = "".join(c["text"] for c in line)
                ink = {tuple(round(v, 2) for v in c["non_stroking_color"] or ()) for c in line}
                heading = (statistics.median(c["size"] for c in line) > 1.05 * body
                           and (0.1, 0.1, 0.1) not in ink)
                lead_in = all("Bold" in c["fontname"] for c in line) and text.endswith(":")
                found.append((number, text, heading or lead_in))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("variant", ("a4", "booklet"))
def test_no_column_or_page_of_a_bilingual_leaflet_ends_in_a_heading(every_bilingual, variant):
    """A heading (a heading pair, a lead-in pair) stays with what follows it in either language:
    not "Wat kun je het beste zelf doen bij lage rugpijn?" alone at the foot of the Dutch column
    of the Arabic A4 with its list on the next page, nor the Ukrainian lead-in alone at the foot
    of a booklet page with its Dutch and the list over the page."""
    checked = 0
    for lang in LANGS[1:]:
        lines = last_lines_of_halves(every_bilingual[lang, variant])
        assert [(number, text) for number, text, heading in lines if heading] == [], lang
        checked += len(lines)
    assert checked >= 8 * 4            # every column (A5 page) of every document was read


def column_gap_mm(pdf) -> float:
    """The widest strip free of text between the two columns of page 1 (below the practice
    block, above the footer), in millimetres."""
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        words = [w for w in page.extract_words() if 60 * MM < w["top"] < page.height - 30 * MM]
    spans = sorted((w["x0"], w["x1"]) for w in words)
    left, right = spans[0][0], max(x1 for _, x1 in spans)
    widest, reach = 0.0, spans[0][1]
    for x0, x1 in spans[1:]:
        if reach < x0 and left + (right - left) / 3 < x0 < left + 2 * (right - left) / 3:
            widest = max(widest, x0 - reach)
        reach = max(reach, x1)
    return widest / MM


@pytest.mark.slow
def test_the_columns_are_as_far_apart_right_to_left_as_left_to_right(every_bilingual):
    """The gap between the columns is on the side where they meet in Arabic too (it was on the
    Dutch column's outer edge: about 2 mm between the Dutch line ends and the Arabic bullets)."""
    gaps = {lang: column_gap_mm(every_bilingual[lang, "a4"]) for lang in ("de", "ar", "tr")}
    assert min(gaps.values()) >= 5, gaps


@pytest.mark.slow
@pytest.mark.parametrize("lang, variant", [("en", "a5"), ("en", "large-print"), ("ar", "a5")])
def test_the_key_message_and_its_dutch_share_a_page(tmp_path, lang, variant):
    """One after the other (A5, large print), the key message and its Dutch are one box to a
    patient: never the translation at a page's foot and the Dutch at the next page's head."""
    document, pdf, _ = build(Project(REPO), BuildRequest(LEAFLET, lang, "fysio-delinde", variant, True),
                             tmp_path)
    with pdfplumber.open(pdf) as doc:
        pages = [" ".join((page.extract_text() or "").split()) for page in doc.pages]
    dutch = [number for number, text in enumerate(pages) if "gaan vaak vanzelf over" in text]
    assert len(dutch) == 1, dutch
    # pdfplumber gives Arabic letters in the order they are drawn (right to left): both orders.
    translated = {"en": "Acute low back problems often go away", "ar": "تلقاء"}[lang]
    assert translated in pages[dutch[0]] or translated[::-1] in pages[dutch[0]], \
        (dutch, pages[dutch[0]][:300])
