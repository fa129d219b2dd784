"""The PDF's text layer read back in reading order (PDFium), checked against pdftotext."""

from __future__ import annotations

import subprocess
from collections import Counter

import pytest
import weasyprint

from leafletgen.build import BuildRequest, build
from leafletgen.inputs.project import Project
from leafletgen.prove.bidi import bidi_class, reorder
from leafletgen.prove.fold import fold
from leafletgen.prove.reading import read_pdf
from tests.conftest import REPO


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    out = tmp_path_factory.mktemp("arabic")
    _, pdf, _ = build(Project(REPO), BuildRequest("lage-rugklachten", "ar", "fysio-delinde"), out)
    return pdf


def lines_of(pdf_path, rtl=False) -> list[str]:
    return [line for page in read_pdf(pdf_path.read_bytes(), rtl) for line in page.lines]


def pdftotext(pdf_path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("which", ["dutch", "arabic"])
def test_every_character_pdftotext_finds_is_read(which, dutch_leaflet, arabic):
    path, rtl = (dutch_leaflet.pdf, False) if which == "dutch" else (arabic, True)
    ours = Counter(c for c in fold("\n".join(lines_of(path, rtl))).chars if c.isalnum())
    reference = Counter(c for c in fold(pdftotext(path)).chars if c.isalnum())
    assert ours == reference


def test_lines_come_in_the_order_they_are_shown(dutch_leaflet):
    # The list items are drawn after both lists' lead-ins (they are positioned boxes): pdftotext
    # reads them in that order; read as shown, each list follows its own lead-in.
    raw = pdftotext(dutch_leaflet.pdf)
    assert raw.index("Voor mogelijke oorzaken") < raw.index("De rugpijn kan uitstralen")
    text = "\n".join(lines_of(dutch_leaflet.pdf))
    assert text.index("Veelvoorkomende symptomen") < text.index("De rugpijn kan uitstralen") \
        < text.index("Voor mogelijke oorzaken") < text.index("Vaker rugklachten gehad")


def test_arabic_reads_in_logical_order(arabic):
    text = "\n".join(lines_of(arabic, rtl=True))
    # Words PDFium alone gives with a ligature's letters swapped (إىل, الرضر) read as written.
    assert "إلى" in text and "الضرر" in text
    # The footer: the page number after its label, the phone number's groups in their order.
    assert "030 123 45 67" in text
    assert fold("الصفحة 1 من 2").chars in fold(text).chars


def test_two_columns_are_read_one_after_the_other(tmp_path):
    words = " ".join(f"woord{n:03d}" for n in range(160))
    html = f"""<style>@page {{ size: A5; margin: 15mm }} body {{ font: 11pt DejaVu Sans;
               columns: 2; column-gap: 8mm }}</style><p>{words}</p>"""
    pdf = weasyprint.HTML(string=html).write_pdf()
    text = " ".join(line for page in read_pdf(pdf, False) for line in page.lines)
    found = [int(w[5:]) for w in text.split() if w.startswith("woord")]
    assert found == list(range(160))


def test_a_character_beyond_the_bmp_is_read_as_one_glyph():
    # PDFium gives such a character as two UTF-16 halves, at two indexes with one box.
    html = '<p style="font: 20pt DejaVu Sans">Stap \U0001d400\U0001d401 en \U0001f600 klaar</p>'
    pages = read_pdf(weasyprint.HTML(string=html).write_pdf(), False)
    assert pages[0].lines == ["Stap \U0001d400\U0001d401 en \U0001f600 klaar"]
    assert [g.text for g in pages[0].glyphs if not g.text.isascii()] == ["\U0001d400", "\U0001d401", "\U0001f600"]


def test_visual_order_back_to_logical():
    # Visual order (left to right) of an Arabic line with a phone number and a Latin name.
    visual = list("Linde De Fysiotherapie 030 123 45 67 ") + list("فتاهلا")
    logical = "".join(reorder(visual, [bidi_class(c) for c in visual], rtl=True))
    assert logical.startswith("الهاتف")
    assert "030 123 45 67" in logical and "Linde De Fysiotherapie" in logical


def test_a_text_number_on_a_right_to_left_line_keeps_its_order():
    # As our templates set it (an isolated left-to-right run), drawn left to right after the
    # Arabic word to its right; read back as written, not as "2532fea382feb2f7_000".
    from leafletgen.prove.reading import Glyph, reading_order

    visual = list("000_2532fea382feb2f7 ") + list("صنلا")
    glyphs = [Glyph(char, 6.0 * i, 6.0 * i + 5, 0.0, 10.0) for i, char in enumerate(visual)]
    for glyph in glyphs:
        glyph.kind = bidi_class(glyph.text)
    [line] = reading_order(glyphs, rtl=True)
    assert "".join(g.text for g in line) == "النص 000_2532fea382feb2f7"
