"""Print variants, measured on the real PDFs: page geometry, booklet order, large-print sizes,
bleed and crop marks, hyphenation, headings at the foot of a page, reproducibility."""

from __future__ import annotations

import re

import pdfplumber
import pikepdf
import pytest

from leafletgen.build import BuildRequest, build, output_paths
from leafletgen.typeset.impose import saddle_stitch_order
from leafletgen.inputs.project import Project
from leafletgen.run.render_child import kept_child
from leafletgen.typeset.variants import VARIANTS

from tests.conftest import REPO
from tests.pdfutil import pdf_text

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
A5 = (148 * MM, 210 * MM)
LEAFLET = "lage-rugklachten"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each variant of the Dutch leaflet for the example practice, built once: name → PDF path."""
    out = tmp_path_factory.mktemp("variants")
    paths = {}
    with kept_child():      # one warm rendering process for all of them
        for name in VARIANTS:
            document, pdf, _ = build(Project(REPO), BuildRequest(LEAFLET, "nl", "fysio-delinde", name), out)
            assert document.warnings == [], document.warnings
            paths[name] = pdf
    return paths


def boxes(path, index=0) -> dict[str, tuple[float, ...]]:
    with pikepdf.open(path) as pdf:
        page = pdf.pages[index]
        return {key: tuple(round(float(v), 2) for v in page.obj[key])
                for key in ("/MediaBox", "/TrimBox", "/BleedBox") if key in page.obj}


def rect(width, height, outset=0.0) -> tuple[float, ...]:
    return tuple(round(v, 2) for v in (-outset, -outset, width + outset, height + outset))


@pytest.mark.slow
def test_file_names_carry_the_variant_except_a4(built, tmp_path):
    assert built["a4"].name == f"{LEAFLET}.pdf"
    for name in ("a5", "booklet", "large-print", "print-shop"):
        assert built[name].name == f"{LEAFLET}-{name}.pdf"
    assert output_paths(tmp_path, "p", "tr", LEAFLET, "large-print")[0] == \
        tmp_path / "p" / "tr" / f"{LEAFLET}-large-print.pdf"


@pytest.mark.parametrize("name, size", [("a4", A4), ("a5", A5), ("large-print", A4)])
def test_page_geometry_without_bleed(built, name, size):
    with pikepdf.open(built[name]) as pdf:
        for index in range(len(pdf.pages)):
            found = boxes(built[name], index)
            assert found["/MediaBox"] == rect(*size)
            assert found.get("/TrimBox", found["/MediaBox"]) == rect(*size)
            assert found.get("/BleedBox", found["/MediaBox"]) == rect(*size)


def test_print_shop_has_3mm_bleed_around_the_trimmed_a4_page(built):
    with pikepdf.open(built["print-shop"]) as pdf:
        pages = len(pdf.pages)
    for index in range(pages):
        found = boxes(built["print-shop"], index)
        assert found["/TrimBox"] == rect(*A4)                   # the page as cut
        assert found["/BleedBox"] == rect(*A4, outset=3 * MM)   # 3 mm beyond it on every side
        media = found["/MediaBox"]
        assert media[0] <= -3 * MM + 0.01 and media[2] >= A4[0] + 3 * MM - 0.01


def test_print_shop_draws_crop_marks_outside_the_trim_box(built):
    """Crop marks: two short lines at each corner, in the bleed, outside the trimmed page."""
    found = boxes(built["print-shop"])
    media, trim = found["/MediaBox"], found["/TrimBox"]
    with pdfplumber.open(built["print-shop"]) as pdf:
        page = pdf.pages[0]
        # pdfplumber: x as in the PDF, `top` measured down from the MediaBox's top edge.
        trim_top = page.bbox[1] + (media[3] - trim[3])
        trim_bottom = page.bbox[1] + (media[3] - trim[1])
        outside = [ln for ln in page.lines
                   if ln["x1"] <= trim[0] + 0.01 or ln["x0"] >= trim[2] - 0.01
                   or ln["bottom"] <= trim_top + 0.01 or ln["top"] >= trim_bottom - 0.01]
    assert len(outside) == 8, outside
    corners = {(ln["x0"] < trim[2] / 2, ln["top"] < (trim_top + trim_bottom) / 2) for ln in outside}
    assert len(corners) == 4
    # The content itself stays inside the trimmed page.
    assert min(c["x0"] for c in page.chars) > trim[0] and max(c["x1"] for c in page.chars) < trim[2]


def test_booklet_sheets_are_a4_landscape_with_two_a5_pages(built):
    with pikepdf.open(built["booklet"]) as pdf:
        sheets = len(pdf.pages)
        for page in pdf.pages:
            assert tuple(round(float(v), 1) for v in page.MediaBox) == (0, 0, 841.9, 595.3)
    with pikepdf.open(built["a5"]) as pdf:
        a5_pages = len(pdf.pages)
    assert sheets == -(-a5_pages // 4) * 4 // 2   # two sides a sheet, 4 pages a sheet


@pytest.mark.parametrize("pages, expected", [
    (1, [(None, 0), (None, None)]),
    (3, [(None, 0), (1, 2)]),
    (4, [(3, 0), (1, 2)]),
    (8, [(7, 0), (1, 6), (5, 2), (3, 4)]),
    (6, [(None, 0), (1, None), (5, 2), (3, 4)]),
])
def test_saddle_stitch_order(pages, expected):
    assert saddle_stitch_order(pages) == expected


def test_a_right_to_left_booklet_is_bound_on_the_right():
    assert saddle_stitch_order(8, rtl=True) == [(0, 7), (6, 1), (2, 5), (4, 3)]
    assert saddle_stitch_order(3, rtl=True) == [(0, None), (2, 1)]


def test_arabic_booklet_has_page_1_on_the_left_of_the_first_sheet(tmp_path):
    """Arabic is read right to left: the booklet opens from the other side."""
    _, pdf, _ = build(Project(REPO), BuildRequest(LEAFLET, "ar", "fysio-delinde", "booklet"), tmp_path)
    with pdfplumber.open(pdf) as doc:
        sheet = doc.pages[0]
        middle = float(sheet.width) / 2
        title = [c for c in sheet.chars if c["size"] > 25]   # the title, on page 1 only
    assert title and max(c["x1"] for c in title) < middle


def page_numbers_by_half(path) -> list[tuple[int | None, int | None]]:
    """Each sheet side: the A5 page number ("Pagina N van M" in the footer) in its left and right half."""
    sides = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            middle = float(page.width) / 2
            found = {"left": None, "right": None}
            words = page.extract_words()
            for i, word in enumerate(words[:-1]):
                if word["text"] == "Pagina" and re.fullmatch(r"\d+", words[i + 1]["text"]):
                    found["left" if word["x0"] < middle else "right"] = int(words[i + 1]["text"])
            sides.append((found["left"], found["right"]))
    return sides


@pytest.mark.slow
def test_booklet_imposes_pages_in_saddle_stitch_order(project, tmp_path):
    """A leaflet long enough for 5+ A5 pages; each page identified by its own footer number.
    Copy-fitting sets the booklet on whole sheets (a multiple of 4 pages): no blank pages."""
    path = project.leaflets_dir / f"{LEAFLET}.md"
    text = path.read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    path.write_text(text + body, encoding="utf-8")
    document, booklet, _ = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde", "booklet"), tmp_path)
    pages = document.layout.page_count
    assert pages >= 5 and pages % 4 == 0
    expected = [tuple(None if i is None else i + 1 for i in side) for side in saddle_stitch_order(pages)]
    assert page_numbers_by_half(booklet) == expected
    numbers = [n for side in expected for n in side if n is not None]
    assert sorted(numbers) == list(range(1, pages + 1))


@pytest.mark.slow
def test_booklet_adds_blank_pages_up_to_a_multiple_of_4(project, tmp_path):
    """Should a booklet's pages not fill whole sheets, the blanks go at the end of the reading order."""
    from leafletgen.typeset.impose import impose_booklet

    path = project.leaflets_dir / f"{LEAFLET}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text.split("---\n", 2)[2], encoding="utf-8")
    _, a5, _ = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde", "a5"), tmp_path)
    with pikepdf.open(a5) as pdf:
        pages = len(pdf.pages)
    assert pages >= 5 and pages % 4 != 0, pages     # A5 fills whole sheets of 2 pages, not of 4
    booklet = tmp_path / "imposed.pdf"
    booklet.write_bytes(impose_booklet(a5.read_bytes()))
    expected = [tuple(None if i is None else i + 1 for i in side) for side in saddle_stitch_order(pages)]
    assert page_numbers_by_half(booklet) == expected


def test_booklet_keeps_language_title_and_metadata_and_does_not_claim_pdf_ua(built):
    with pikepdf.open(built["booklet"]) as pdf:
        assert str(pdf.Root.Lang) == "nl"
        assert str(pdf.docinfo["/Title"]) == "Lage rugklachten"
        assert str(pdf.docinfo["/Author"]) == "Fysiotherapie De Linde"
        assert str(pdf.docinfo["/CreationDate"]) == "D:20261101"
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "Lage rugklachten" in xmp and "pdfuaid" not in xmp.split("xmlns:pdfuaid")[-1]
        assert 'pdfuaid:part="1"' not in xmp
    with pikepdf.open(built["a5"]) as pdf:
        assert 'pdfuaid:part="1"' in pdf.Root.Metadata.read_bytes().decode()


def test_booklet_has_all_the_text_of_the_a5_leaflet(built):
    def words(path):
        return sorted(pdf_text(path).split())
    assert words(built["booklet"]) == words(built["a5"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["booklet", "print-shop", "large-print"])
def test_same_input_same_bytes(built, name, tmp_path):
    _, again, _ = build(Project(REPO), BuildRequest(LEAFLET, "nl", "fysio-delinde", name), tmp_path)
    assert again.read_bytes() == built[name].read_bytes()


def char_sizes(path) -> dict[float, str]:
    sizes: dict[float, str] = {}
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                if char["text"].strip():
                    sizes.setdefault(round(char["size"], 2), char["text"])
    return sizes


def test_large_print_has_no_text_under_18_pt_and_larger_headings(built):
    sizes = char_sizes(built["large-print"])
    assert min(sizes) >= 18, sizes
    with pdfplumber.open(built["large-print"]) as pdf:
        heading = [c["size"] for p in pdf.pages for c in p.chars if "Bold" in c["fontname"]]
        body = [c["size"] for p in pdf.pages for c in p.chars if "Bold" not in c["fontname"]]
    from statistics import mode
    assert 18 <= mode(body) <= 20          # copy-fitting may set it a little larger, never smaller
    assert max(heading) >= 1.3 * mode(body)
    # And the ordinary A4 leaflet does use smaller text (so the measurement can tell them apart).
    assert min(char_sizes(built["a4"])) < 12


def test_large_print_has_the_same_content(built):
    def words(path):
        # Lines are broken (and words hyphenated) elsewhere: join "verve- lende" before comparing.
        text = re.sub(r"(?<=[a-z])- (?=[a-z])", "", pdf_text(path))
        return {w for w in re.findall(r"\w+", text) if not w.isdigit()}
    assert words(built["large-print"]) == words(built["a4"])


# ---- Typesetting -------------------------------------------------------------------------------------

def test_dutch_is_hyphenated_with_a_plain_hyphen_and_contact_details_never(built):
    text = " ".join(pdf_text(built[name]) for name in ("a5", "large-print"))
    # A word broken at a line end: "veelvoorko- mende" (pypdf joins lines with a space).
    assert re.search(r"[a-z]{3}- [a-z]{3}", text), "no hyphenated line end in the A5/large-print text"
    assert "\u2010" not in text
    for detail in ("030 123 45 67", "info@fysio-delinde.example", "Lindelaan 12, 3581 AB Utrecht"):
        assert detail in text
    assert not re.search(r"fysio-del- inde|fysiodel- inde|info@fy- sio", text)


def test_no_hyphenation_where_pyphen_has_no_dictionary():
    from leafletgen.markup.html import can_hyphenate
    assert can_hyphenate("nl") and can_hyphenate("uk") and can_hyphenate("de")
    assert not can_hyphenate("tr") and not can_hyphenate("ar")


@pytest.mark.slow
def test_turkish_body_is_not_hyphenated(project, tmp_path):
    document, _, html = build(project, BuildRequest(LEAFLET, "tr", "fysio-delinde", "a5",
                                                    allow_draft=True), tmp_path)
    body = re.search(r"<body class=\"([^\"]*)\"", html.read_text()).group(1).split()
    assert "variant-a5" in body and "hyphenate" not in body
    _, _, dutch = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde", "a5"), tmp_path)
    assert "hyphenate" in re.search(r"<body class=\"([^\"]*)\"", dutch.read_text()).group(1).split()


@pytest.mark.parametrize("name", ["a4", "a5", "large-print"])
def test_a_heading_is_never_the_last_line_on_a_page(built, name):
    """The last line of text above the footer is never a heading (bold, larger than the body)."""
    from statistics import mode
    with pdfplumber.open(built[name]) as pdf:
        body_size = mode(round(c["size"], 2) for p in pdf.pages for c in p.chars)  # as fitted
        for number, page in enumerate(pdf.pages[:-1], start=1):
            lines = page.extract_text_lines()
            footer_top = max(line["top"] for line in lines if line["text"].startswith("Pagina")
                             or "Pagina" in line["text"])
            above = [line for line in lines if line["bottom"] < footer_top - 30]
            last = max(above, key=lambda line: line["bottom"])
            size = max(c["size"] for c in last["chars"])
            # Headings are larger and in the practice colour (the key message is larger, in black).
            colour = tuple(round(v, 2) for v in last["chars"][0]["non_stroking_color"] or ())
            brand = (round(0x1f / 255, 2), round(0x6f / 255, 2), round(0x5c / 255, 2))
            assert size <= body_size * 1.05 or colour != brand, \
                f"page {number} ends with a heading: {last['text']!r}"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a5", "large-print"])
def test_the_draft_mark_fits_above_the_page_in_every_variant(project, tmp_path, name):
    """A draft gets a deeper top margin: the mark (18 pt in large print) is neither cut off at the
    paper's edge nor drawn over the practice header."""
    from babel.messages.pofile import read_po, write_po

    path = project.translations_dir / "de" / "LC_MESSAGES" / f"{LEAFLET}.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    next(m for m in catalog if m.id and m.string).string = ""
    with path.open("wb") as fh:
        write_po(fh, catalog)
    document, pdf, _ = build(project, BuildRequest(LEAFLET, "de", "fysio-delinde", name,
                                                   allow_draft=True), tmp_path)
    assert document.draft
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        words = page.extract_words()
        mark = [w for w in words if w["text"] in ("ENTWURF", "CONCEPT")]
        practice = next(w for w in words if w["text"] == "Fysiotherapie")
    assert len(mark) == 2
    assert min(w["top"] for w in mark) > 5 * MM                 # not at the paper's edge
    assert max(w["bottom"] for w in mark) < practice["top"]     # above the header, not over it
