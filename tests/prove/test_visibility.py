"""Text a reader cannot see, found on WeasyPrint's layout boxes (small pages, fast)."""

from __future__ import annotations

import pytest
import weasyprint

from leafletgen.prove.visibility import look_at_page

PAGE = """<html><head><style>@page {{ size: A5; margin: 20mm }} body {{ font: 12pt DejaVu Sans }}
{css}</style></head><body><p>Blijf zoveel mogelijk bewegen.</p>
<p class="dose">Neem 2 tabletten paracetamol 500 mg.</p><p>Bel ons bij koorts.</p></body></html>"""


def unseen(css: str) -> list[tuple[str, str]]:
    document = weasyprint.HTML(string=PAGE.format(css=css)).render()
    return [(u.text, u.why) for page in document.pages for u in look_at_page(page).unseen]


def test_a_plain_page_hides_nothing():
    assert unseen("") == []


@pytest.mark.parametrize("css, why", [
    (".dose { font-size: 5pt }", "tiny (5.0 pt)"),
    (".dose { transform: scale(0.4) }", "tiny (4.8 pt)"),
    (".dose { color: rgba(0, 0, 0, 0.5) }", "transparent"),
    (".dose { opacity: 0.99 }", "transparent"),
    ("body { opacity: 0.5 }", "transparent"),
    (".dose { color: #ffffff }", "too faint (contrast 1.0:1)"),
    (".dose { color: #999999 }", "too faint (contrast 2.8:1)"),
    (".dose { background: #202020; color: #333333 }", "too faint (contrast 1.3:1)"),
    (".dose { height: 2px; overflow: hidden }", "clipped"),
    (".dose { position: absolute; clip: rect(0, 1px, 1px, 0) }", "clipped"),
    (".dose { margin-left: -900px }", "outside the page"),
    (".dose { position: relative; top: 2000px }", "outside the page"),
    (".dose { position: relative } .dose::after { content: ''; position: absolute; inset: 0;"
     " background: white }", "painted over by a box"),
    ("body, p { margin: 0 } .dose { position: absolute; top: 0; left: 0 }", "painted over by other text"),
])
def test_text_that_cannot_be_seen(css, why):
    found = unseen(css)
    assert any(reason.startswith(why) for _, reason in found), (css, found)
    if "opacity" not in css:      # on the body it makes every text transparent
        assert all(text.startswith(("Neem", "Blijf")) for text, _ in found), found


def test_dark_on_dark_is_read_against_what_lies_beneath():
    # White text on a dark box reads well; the same colour on the page does not.
    assert unseen(".dose { background: #1f6f5c; color: #ffffff }") == []


def test_a_hidden_or_undisplayed_text_is_not_drawn_at_all():
    # Nothing to see and nothing in the text layer: the word check finds the unit missing.
    assert unseen(".dose { visibility: hidden }") == []
    assert unseen(".dose { display: none }") == []
