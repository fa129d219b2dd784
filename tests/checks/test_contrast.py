"""Every text colour on the page reaches 4.5:1 (WCAG AA) against the background it is drawn on.

The pairs are not listed by hand: WeasyPrint lays the real leaflet out, and every piece of text
on every page (margin boxes included) is checked against the nearest background behind it.
"""

from __future__ import annotations

import dataclasses

import pytest
import weasyprint
from weasyprint.formatting_structure import boxes

from leafletgen.render import BuildRequest
from leafletgen.checks.contrast import AA_NORMAL, contrast_ratio
from leafletgen.markup.html import RenderOptions, render_html
from leafletgen.inputs.bundle import load_bundle
from leafletgen.batch.index import IndexEntry, render_index
from leafletgen.typeset.pdf import make_fetcher
from leafletgen.inputs.project import Project

from tests.conftest import REPO

PAPER = "#ffffff"


def hex_of(color) -> str | None:
    """A tinycss2 colour as #rrggbb; None when fully transparent."""
    red, green, blue = color.to("srgb").coordinates
    if color.alpha == 0:
        return None
    assert color.alpha == 1, f"semi-transparent colour {color} cannot be checked"
    return "#" + "".join(f"{round(c * 255):02x}" for c in (red, green, blue))


def text_colour_pairs(document) -> dict[tuple[str, str], str]:
    """(text colour, background colour) → a sample of the text drawn so, over every page."""
    pairs: dict[tuple[str, str], str] = {}

    def walk(box, background):
        own = hex_of(box.style["background_color"])
        background = own or background
        if isinstance(box, boxes.TextBox) and box.text.strip():
            pairs.setdefault((hex_of(box.style["color"]), background), box.text.strip()[:40])
        for child in getattr(box, "children", None) or ():
            walk(child, background)

    for page in document.pages:
        walk(page._page_box, PAPER)
    return pairs


def render(project: Project, practice_id: str | None, draft: bool = False, media: str = "print"):
    bundle = load_bundle(project, BuildRequest("lage-rugklachten", "nl", practice_id))
    leaflet = bundle.leaflet
    if draft:  # a translation with gaps carries the DRAFT mark on every page
        leaflet = dataclasses.replace(leaflet, missing=("Lage rugklachten",))
    html = render_html(bundle, leaflet, bundle.template_translations, RenderOptions())
    document = weasyprint.HTML(
        string=html, base_url=project.templates_dir.as_uri() + "/", media_type=media,
        url_fetcher=make_fetcher(bundle.assets(), [])).render()
    return bundle.practice, text_colour_pairs(document)


def assert_legible(pairs):
    low = {pair: (f"{contrast_ratio(*pair):.2f}:1", sample) for pair, sample in pairs.items()
           if contrast_ratio(*pair) < AA_NORMAL}
    assert not low, f"text below {AA_NORMAL}:1: {low}"


def test_every_colour_pair_of_the_example_practice_passes():
    practice, pairs = render(Project(REPO), "fysio-delinde")
    assert practice.color == "#1f6f5c"  # the example's own colour, not darkened
    assert_legible(pairs)
    # The check saw what matters: the practice colour on paper (name, title, headings) and
    # body text on the tinted key-message box.
    assert ("#1f6f5c", PAPER) in pairs
    assert pairs[("#1a1a1a", "#e9f1ef")] == "Acute lage rugklachten gaan vaak vanzelf"
    assert len(pairs) >= 4


def test_on_screen_and_with_the_draft_mark_too():
    _, pairs = render(Project(REPO), "fysio-delinde", draft=True)
    assert ("#8b0000", PAPER) in pairs
    assert_legible(pairs)
    _, pairs = render(Project(REPO), "fysio-delinde", media="screen")
    assert_legible(pairs)


def test_neutral_default_passes():
    _, pairs = render(Project(REPO), None)
    assert_legible(pairs)


@pytest.mark.parametrize("color", ["#f5c400", "#7fdbff", "#ff69b4", "#ffffff"])
def test_a_light_practice_colour_is_darkened_until_it_passes(project, color):
    (project.practices_dir / "licht.toml").write_text(f'name = "Praktijk Licht"\ncolor = "{color}"\n')
    practice, pairs = render(project, "licht")
    assert practice.color != color
    assert_legible(pairs)


def test_index_page_colours_pass():
    entry = IndexEntry("lage-rugklachten", "Lage rugklachten", "nl", "fysio-delinde",
                       "Fysiotherapie De Linde", "a4", False,
                       "fysio-delinde/nl/lage-rugklachten.pdf", "fysio-delinde/nl/lage-rugklachten.html")
    html = render_index(Project(REPO), [entry])
    document = weasyprint.HTML(string=html, media_type="screen",
                               url_fetcher=make_fetcher(lambda path: None, [])).render()
    pairs = text_colour_pairs(document)
    assert ("#1d5e8c", PAPER) in pairs
    assert_legible(pairs)
