"""The Dutch back-pain leaflet, rendered for real, checked for the facts a practice relies on."""

from __future__ import annotations

import re
from urllib.parse import unquote
import subprocess
import sys

import pikepdf
import pytest
from pypdf import PdfReader


from tests.conftest import REPO, SEED
from tests.pdfutil import embedded_fonts, pdf_text, render_png

CORRECTIONS = {
    "bekkenbodemplakten": "bekkenbodemklachten",
    "geschepd": "geschept",
    "genoemd, kunnen vervelende": "genoemd, kan vervelende",
}


def seed_sentences() -> list[str]:
    """Every sentence of the seed text (list items and lone lines count as sentences)."""
    text = SEED.read_text(encoding="utf-8")
    for wrong, right in CORRECTIONS.items():
        assert wrong in text
        text = text.replace(wrong, right)
    sentences = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        if line:
            sentences += [s.strip() for s in re.split(r"(?<=[.?!])\s+", line) if s.strip()]
    return sentences


@pytest.fixture
def built(dutch_leaflet):
    return dutch_leaflet.document, dutch_leaflet.pdf, dutch_leaflet.html, dutch_leaflet.out


def test_seed_has_the_expected_size():
    sentences = seed_sentences()
    assert len(sentences) == 36
    assert "Acute lage rugklachten gaan vaak vanzelf over" in sentences


def straight_quotes(text: str) -> str:
    """The leaflet's quotes as the editor typed them: the page sets 'spit' as ‘spit’ (typography.py)."""
    return re.sub("[‘’‚]", "'", re.sub("[“”„«»]", '"', text))


def test_pdf_holds_every_seed_sentence(built):
    _, pdf, _, _ = built
    # Words are hyphenated at line ends (hyphens: auto): compare without hyphens, on both sides
    # alike ("verve- lende" in the PDF, "hart- en vaatziekten" in the seed).
    def unhyphenated(text):
        return re.sub(r"-\s*", "", text)

    text = unhyphenated(straight_quotes(pdf_text(pdf)))
    missing = [s for s in seed_sentences() if unhyphenated(s) not in text]
    assert not missing


def test_html_holds_every_seed_sentence(built):
    _, _, html, _ = built
    import html as html_lib
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", html.read_text()))
    text = straight_quotes(re.sub(r"\s+", " ", text))
    assert [s for s in seed_sentences() if s not in text] == []


def test_straight_quotes_are_set_as_dutch_quotes_and_the_source_keeps_them(built):
    _, pdf, html, _ = built
    assert "ook wel ‘spit’ of ‘lumbago’ genoemd" in pdf_text(pdf)
    assert "ook wel ‘spit’ of ‘lumbago’ genoemd" in html.read_text()
    assert "ook wel 'spit' of 'lumbago' genoemd" in (REPO / "leaflets" / "lage-rugklachten.md").read_text()


def test_pdf_metadata_language_and_page_size(built):
    document, pdf, _, _ = built
    reader = PdfReader(str(pdf))
    assert reader.metadata.title == "Lage rugklachten"
    assert reader.metadata.author == "Fysiotherapie De Linde"
    assert str(reader.trailer["/Root"]["/Lang"]) == "nl"
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width * 25.4 / 72), round(height * 25.4 / 72)) == (210, 297)
    # The creation date is the leaflet's publication date, not the build time.
    assert reader.metadata["/CreationDate"].startswith("D:20261101")


def test_pdf_is_tagged_pdf_ua(built):
    _, pdf, _, _ = built
    with pikepdf.open(pdf) as doc:
        root = doc.Root
        assert root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in root
        xmp = doc.open_metadata()
        assert xmp.get("pdfuaid:part") == "1"
        # Every image (the logo) has alternate text in the structure tree.
        figures = []

        def walk(node):
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    figures.append(node)
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    for kid in kids:
                        walk(kid)
                elif kids is not None:
                    walk(kids)
        walk(root.StructTreeRoot)
        # The logo's alt text is the practice name; the QR code's says where it leads.
        assert sorted(str(f.get("/Alt")) for f in figures) == \
            ["Fysiotherapie De Linde", "QR: https://fysio-delinde.example"]


def test_fonts_are_embedded_and_from_the_font_packages(built):
    _, pdf, _, _ = built
    fonts = embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    assert any("Atkinson-Hyperlegible" in name for name in fonts)


def test_same_input_same_bytes(built, tmp_path):
    _, pdf, html, _ = built
    subprocess.run([sys.executable, "generate.py", "build", "--leaflet", "lage-rugklachten",
                    "--lang", "nl", "--practice", "fysio-delinde", "--out", str(tmp_path)],
                   cwd=REPO, check=True, capture_output=True)
    again = tmp_path / "fysio-delinde" / "nl"
    assert (again / "lage-rugklachten.pdf").read_bytes() == pdf.read_bytes()
    assert (again / "lage-rugklachten.html").read_text() == html.read_text()


def test_page_looks_like_a_leaflet(built, tmp_path):
    """Pixel facts of page 1: the practice colour in the header rule; the body is mostly paper."""
    from PIL import Image
    _, pdf, _, _ = built
    pages = render_png(pdf, tmp_path / "page", dpi=40)
    assert len(pages) == 2
    image = Image.open(pages[0]).convert("RGB")
    colors = image.getcolors(maxcolors=1 << 20)
    total = image.width * image.height
    white = sum(n for n, c in colors if min(c) > 245)
    assert white / total > 0.75
    brand = (0x1f, 0x6f, 0x5c)
    near_brand = sum(n for n, c in colors if all(abs(a - b) < 12 for a, b in zip(c, brand)))
    assert near_brand > 200


def test_html_is_self_contained(built):
    _, _, html, out = built
    text = html.read_text()
    assert 'lang="nl"' in text
    assert "file:" not in text  # no links into the machine that built it
    assert 'src="data:image/svg+xml;base64,' in text and 'alt="Fysiotherapie De Linde"' in text
    for font in re.findall(r'url\("([^"]+)"\)', text):
        assert (html.parent / unquote(font)).resolve().is_file(), font
