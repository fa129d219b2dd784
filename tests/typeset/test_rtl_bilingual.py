"""Right-to-left Arabic and bilingual leaflets, checked on real renders (pypdf, pikepdf, pdfplumber)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pdfplumber
import pikepdf
import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from leafletgen.markup.inline import plain_text
from leafletgen.run.render_child import kept_child

from tests.conftest import REPO, run_cli
from tests.pdfutil import embedded_fonts

LEAFLET = "lage-rugklachten"
BRAND = (0.121569, 0.435294, 0.360784)  # the example practice's colour, #1f6f5c


def catalog(lang: str, domain: str = LEAFLET) -> dict[str, str]:
    with open(REPO / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.id, str)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """nl, ar and the bilingual ar and en leaflets for the example practice, built once."""
    out = tmp_path_factory.mktemp("out")
    with kept_child():      # one warm rendering process for all of them
        for lang, extra in (("nl", ()), ("ar", ()), ("ar", ("--bilingual",)), ("en", ("--bilingual",))):
            run = run_cli("build", "--leaflet", LEAFLET, "--lang", lang, "--practice", "fysio-delinde",
                          "--out", str(out), *extra, root=REPO)
            assert run.code == 0, run
    return out / "fysio-delinde"


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# ---- Arabic ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_arabic_html_is_rtl_and_the_pdf_says_arabic(built):
    html = (built / "ar" / f"{LEAFLET}.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="ar" dir="rtl"[ >]', html)
    assert "\u200f" not in html and "\u200e" not in html   # Babel's marks in dates are stripped
    with pikepdf.open(built / "ar" / f"{LEAFLET}.pdf") as pdf:
        assert str(pdf.Root.Lang) == "ar"
    assert any("IBM-Plex-Sans-Arabic" in name and embedded
               for name, embedded in embedded_fonts(built / "ar" / f"{LEAFLET}.pdf").items())


def test_arabic_text_comes_out_of_the_pdf_as_written(built):
    """Copy-paste and screen readers: pypdf gets back the translation's letters and words.

    Every Arabic word comes back letter for letter (Noto Sans Arabic fails this: it draws letters
    as dotless bases plus dots). Every unit comes back verbatim, except those with brackets or
    quotes, which a right-to-left line draws mirrored (« as »), or with Latin words: pypdf puts
    such characters as they are drawn, as a PDF viewer's bidi-aware copy does not.
    """
    text = fold(" ".join(page.extract_text() for page in PdfReader(built / "ar" / f"{LEAFLET}.pdf").pages))
    units = [plain_text(msgstr) for msgstr in catalog("ar").values()]
    arabic = re.compile(r"[\u0621-\u064a\u064b-\u0652]+")
    want = {word for unit in units for word in arabic.findall(unit)}
    # pypdf orders a line's glyphs by position: a ligature at the line's left end ("ضى" of a
    # line ending in "المرضى") can come out before its first word; poppler gives such a line in
    # reading order (and has ligature slips of its own). A word comes out right if either gives it.
    poppler = subprocess.run(["pdftotext", str(built / "ar" / f"{LEAFLET}.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
    found = set(arabic.findall(text)) | set(arabic.findall(poppler))
    assert want and not want - found, sorted(want - found)
    mirrored_or_latin = re.compile(r"[()\[\]«»A-Za-z]")
    # The small print's author line ends in such a ligature at the column's edge (its words are
    # checked above; the line itself in tests/translate/test_review.py).
    small_print = plain_text(catalog("ar")["Redactie patiëntenvoorlichting"])
    plain = [fold(unit) for unit in units if not mirrored_or_latin.search(unit) and unit != small_print]
    assert len(plain) >= 20
    assert [unit for unit in plain if unit not in text] == []


def test_latin_contact_details_keep_their_order_in_arabic(built):
    text = fold(PdfReader(built / "ar" / f"{LEAFLET}.pdf").pages[0].extract_text())
    assert "030 123 45 67" in text
    assert "Lindelaan 12, 3581 AB Utrecht" in text
    html = (built / "ar" / f"{LEAFLET}.html").read_text(encoding="utf-8")
    # The footer's date in Arabic, without Babel's right-to-left marks (and kept on one line: no-break
    # spaces, a word joiner after the slash), with both names of the month (the language table's:
    # تشرين الثاني/نوفمبر).
    assert "الإصدار 1.0، 1\u00a0تشرين\u00a0الثاني/\u2060نوفمبر\u00a02026" in html
    assert "\u200f" not in html


def _page(path, index=0):
    pdf = pdfplumber.open(path)
    return pdf, pdf.pages[index]


def _bullets(page) -> list[float]:
    """x of the small brand-coloured squares that are the list bullets."""
    return [r["x0"] for r in page.rects
            if 3 < r["width"] < 8 and r.get("non_stroking_color") == BRAND]


def test_arabic_page_is_mirrored(built):
    pdf_nl, nl = _page(built / "nl" / f"{LEAFLET}.pdf")
    pdf_ar, ar = _page(built / "ar" / f"{LEAFLET}.pdf")
    with pdf_nl, pdf_ar:
        middle = nl.width / 2
        # Bullets: on the left of their items in Dutch, on the right in Arabic.
        assert _bullets(nl) and all(x < 90 for x in _bullets(nl))
        assert _bullets(ar) and all(x > ar.width - 90 for x in _bullets(ar))
        # The logo (an SVG: drawn as curves) sits at the start of the header: left, then right.
        logo_nl = min(c["x0"] for c in nl.curves if c["top"] < 120)
        logo_ar = min(c["x0"] for c in ar.curves if c["top"] < 120)
        assert logo_nl < middle < logo_ar
        # Footer: the practice's details at the start, the page number at the end.
        def footer_x(page, word):
            return next(w["x0"] for w in page.extract_words() if w["top"] > page.height - 70
                        and w["text"] == word)
        assert footer_x(nl, "Fysiotherapie") < middle < footer_x(ar, "Fysiotherapie")
        # Text is right-aligned: the Arabic title ends at the right margin.
        title_ar = max(c["x1"] for c in ar.chars if c["size"] > 25)
        title_nl = min(c["x0"] for c in nl.chars if c["size"] > 25)
        assert title_ar > ar.width - 70 and title_nl < 70


# ---- Bilingual ------------------------------------------------------------------------------------

def test_bilingual_sets_each_block_beside_its_dutch(built):
    html = (built / "en" / f"{LEAFLET}-bilingual.html").read_text(encoding="utf-8")
    blocks = len(catalog("en"))  # units; lists hold several
    sides = html.count('<div class="side" lang="en" dir="ltr">')
    sources = html.count('<div class="side source" lang="nl" dir="ltr">')
    assert sides == sources and 10 <= sides < blocks
    english = catalog("en")
    pdf = PdfReader(built / "en" / f"{LEAFLET}-bilingual.pdf")
    text = fold(" ".join(page.extract_text() for page in pdf.pages))
    text = re.sub(r"(?<=[a-z])- (?=[a-z])", "", text)  # words hyphenated at line ends, joined
    for dutch in ("Wat kun je het beste zelf doen bij lage rugpijn?", "Acute lage rugklachten gaan vaak vanzelf over"):
        assert fold(dutch) in text
        assert fold(plain_text(english[dutch])) in text
    # Side by side: the English title on the left, the Dutch one on the right, at the same height.
    with pdfplumber.open(built / "en" / f"{LEAFLET}-bilingual.pdf") as doc:
        page = doc.pages[0]
        titles = [w for w in page.extract_words(extra_attrs=["size"]) if w["size"] > 20]
        first_en = plain_text(english["Lage rugklachten"]).split()[0]
        en = next(w for w in titles if w["text"] == first_en)
        nl = next(w for w in titles if w["text"] == "Lage")
        assert en["x0"] < page.width / 2 < nl["x0"] and abs(en["top"] - nl["top"]) < 2


def test_bilingual_column_labels_are_the_same_size(built):
    """The two columns' labels in one size (the Dutch label took the Dutch side's whole size)."""
    html = (built / "en" / f"{LEAFLET}-bilingual.html").read_text(encoding="utf-8")
    labels = re.findall(r'<p class="side (?:source )?lang-label"[^>]*>([^<]+)</p>', html)
    assert len(labels) == 2
    with pdfplumber.open(built / "en" / f"{LEAFLET}-bilingual.pdf") as doc:
        words = doc.pages[0].extract_words(extra_attrs=["size"])
        sizes = [next(word["size"] for word in words if word["text"] == label.split()[0]) for label in labels]
    assert abs(sizes[0] - sizes[1]) < 0.01, (labels, sizes)


def test_bilingual_arabic_puts_arabic_on_the_right_and_dutch_left_to_right(built):
    html = (built / "ar" / f"{LEAFLET}-bilingual.html").read_text(encoding="utf-8")
    assert html.count('<div class="side" lang="ar" dir="rtl">') == html.count(
        '<div class="side source" lang="nl" dir="ltr">') > 10
    with pdfplumber.open(built / "ar" / f"{LEAFLET}-bilingual.pdf") as doc:
        page = doc.pages[0]
        lage = next(w for w in page.extract_words() if w["text"] == "Lage" and w["top"] < 250)
        arabic = [c for c in page.chars if "\u0600" <= c["text"][:1] <= "\u06ff" and c["size"] > 20]
        assert arabic and min(c["x0"] for c in arabic) > lage["x1"]
        # The Dutch column's bullets are on the left of its items, the Arabic column's on the right.
        bullets = sorted(_bullets(page) + _bullets(doc.pages[1]))
        assert bullets[0] < 90 and bullets[-1] > page.width - 90


@pytest.mark.slow
def test_profile_option_bilingual_builds_both(project, tmp_path):
    profile = project.practices_dir / "fysio-delinde.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\nbilingual = true\n", encoding="utf-8")
    for folder in project.translations_dir.iterdir():      # one translation is enough to show it
        if folder.is_dir() and folder.name != "tr":
            shutil.rmtree(folder)
    run = run_cli("--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    folder = tmp_path / "fysio-delinde" / "tr"
    assert (folder / f"{LEAFLET}.pdf").is_file() and (folder / f"{LEAFLET}-bilingual.pdf").is_file()
    assert not (tmp_path / "fysio-delinde" / "nl" / f"{LEAFLET}-bilingual.pdf").exists()
