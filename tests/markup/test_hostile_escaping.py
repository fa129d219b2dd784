"""Hostile input, part 3: escaping. Text from any input (profile, leaflet, catalog) is shown as text,
never taken as markup, in the HTML and in the PDF; values that reach CSS are validated first."""

from __future__ import annotations

import gettext
import re

import pytest
from babel.messages.catalog import Catalog

from leafletgen.build import build
from leafletgen.inputs.bundle import load_bundle
from leafletgen.render import BuildRequest, render_document
from leafletgen.inputs.leaflet import load_leaflet
from leafletgen.markup.html import RenderOptions, render_html
from leafletgen.translate.catalogs import translate_leaflet

from tests.hostile import LEAFLET, PRACTICE
from tests.pdfutil import pdf_text

HOSTILE = '<b>De Linde</b> & "Co" </style><script>alert(1)</script>'


def test_profile_text_is_escaped_in_html_and_shown_as_text_in_the_pdf(project, tmp_path):
    (project.practices_dir / f"{PRACTICE}.toml").write_text(
        f"name = '{HOSTILE}'\nlogo = '{PRACTICE}/logo.svg'\naddress = '</p><img src=x onerror=alert(1)>'\n")
    document, pdf, html = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path)
    text = html.read_text()
    assert "<script>" not in text and "<img src=x" not in text and "<b>De Linde" not in text
    assert "&lt;b&gt;De Linde&lt;/b&gt; &amp; &#34;Co&#34; &lt;/style&gt;&lt;script&gt;" in text
    assert 'alt="&lt;b&gt;De Linde&lt;/b&gt; &amp; &#34;Co&#34;' in text   # the logo's alt text
    shown = pdf_text(pdf)
    assert '<b>De Linde</b> & "Co" </style><script>alert(1)</script>' in shown
    assert "</p><img src=x onerror=alert(1)>" in shown


def test_leaflet_text_written_as_entities_stays_text(project, tmp_path):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text() + "\nLet op: &lt;script&gt;alert(1)&lt;/script&gt; en \\<b\\>vet\\</b\\>.\n")
    document, pdf, html = build(project, BuildRequest(LEAFLET, "nl", None), tmp_path)
    text = html.read_text()
    assert "<script>alert" not in text and "<b>vet" not in text
    # (The paragraph's last word is in a span of our own, which keeps it from being hyphenated.)
    words = text.replace('<span class="whole">', "").replace("</span>", "")
    assert "Let op: &lt;script&gt;alert(1)&lt;/script&gt; en &lt;b&gt;vet&lt;/b&gt;." in words
    assert "Let op: <script>alert(1)</script> en <b>vet</b>." in pdf_text(pdf)


def test_a_translation_is_escaped_even_past_the_catalog_checks(project):
    """Defence in depth: a msgstr with HTML that somehow reached the renderer is still text."""
    leaflet = load_leaflet(project, LEAFLET)
    catalog = Catalog(locale="en")
    for _, _, text in leaflet.units():
        catalog.add(text, "<script>alert(1)</script> <a href='javascript:x'>klik</a> [x](javascript:y)")
    translated = translate_leaflet(leaflet, catalog, "en")

    class Hostile(gettext.NullTranslations):
        def gettext(self, message):
            return "<img src=x onerror=alert(2)> %(version)s" if "%(version)s" in message else "<i>x</i>"

    bundle = load_bundle(project, BuildRequest(LEAFLET, "en", PRACTICE))
    html = render_html(bundle, translated, Hostile(), RenderOptions(for_pdf=False))
    assert "<script>" not in html and "<img src=x" not in html and "<i>x</i>" not in html
    assert 'href="javascript' not in html and "href='javascript" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html


@pytest.mark.slow
@pytest.mark.parametrize("color", ["#1f6f5c", "#FFD500", "#000000"])
def test_the_practice_colour_reaches_css_only_as_a_checked_hex_value(project, color):
    (project.practices_dir / f"{PRACTICE}.toml").write_text(f'name = "De Linde"\ncolor = "{color}"\n')
    document = render_document(project, BuildRequest(LEAFLET, "nl", PRACTICE))
    [brand] = re.findall(r"--brand: ([^;]*);", document.html)
    [tint] = re.findall(r"--brand-tint: ([^;]*);", document.html)
    assert re.fullmatch(r"#[0-9a-f]{6}", brand) and re.fullmatch(r"#[0-9a-f]{6}", tint)


def test_a_stylesheet_cannot_close_its_style_element(project, tmp_path):
    folder = project.practices_dir / PRACTICE / "templates"
    folder.mkdir()
    css = (project.templates_dir / "leaflet.css").read_text()
    (folder / "leaflet.css").write_text(css + "\n/* </style><script>alert(1)</script> */\n")
    _, _, html = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path)
    assert "script" not in element_names(html.read_text())


def element_names(html: str) -> list[str]:
    """Elements as a browser's tokenizer sees them (<style> content is raw text up to </style>)."""
    from html.parser import HTMLParser

    names: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            names.append(tag)

    Collect().feed(html)
    return names


def test_the_index_page_escapes_titles_and_names(project, tmp_path):
    from tests.conftest import run_cli

    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text().replace("title: Lage rugklachten",
                                             'title: "Rug &lt;script&gt;x&lt;/script&gt;"', 1))
    (project.practices_dir / f"{PRACTICE}.toml").write_text("name = '<img src=x onerror=alert(1)>'\n")
    import shutil
    shutil.rmtree(project.translations_dir, ignore_errors=True)   # Dutch only: the titles changed
    run = run_cli("--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    index = (tmp_path / "index.html").read_text()
    assert "Rug &lt;script&gt;x&lt;/script&gt;" in index
    assert "<script>x" not in index and "<img src=x" not in index
    # The index's own filter script and page thumbnails are the only such elements.
    assert element_names(index).count("script") == 1
    assert re.findall(r"<img\b[^>]*>", index) == re.findall(r'<img src="thumbnails/[^"]+\.png"[^>]*>', index)
