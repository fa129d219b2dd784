"""css_text: the footer's texts as CSS strings (the margin boxes' content). Whatever a profile or
a catalog holds, it comes back out of the CSS as the same text and nothing else: no rule, no
declaration, no end of the <style> element."""

from __future__ import annotations

import re

import pytest
import tinycss2
from markupsafe import Markup

from leafletgen.markup.templates import PAGE_COUNT, PAGE_NUMBER, css_text

HOSTILE = [
    'Fysio "De Linde"',
    "Back\\slash \\\" and \\A0 ",
    "Zorg</style><script>alert(1)</script>",
    "x; } @page { @bottom-left { content: url(file:///etc/passwd) } } :root { --y: 1",
    "/* comment */ 'quote' \u0000 \u0085 \u2028 \t tab",
    "Fizyoterapi İstanbul · عيادة · Фізіотерапія",
]


def decoded(css: str) -> list:
    """The value as a margin box's content reads it: strings decoded, counters by name."""
    tokens = [token for token in tinycss2.parse_component_value_list(css) if token.type != "whitespace"]
    return [token.value if token.type == "string" else
            f"counter({tinycss2.serialize(token.arguments)})" if token.type == "function" else
            f"<{token.type}>" for token in tokens]


def shown(text: str) -> str:
    """The text as the margin box gets it: spaces, tabs and line breaks one space, as in HTML
    (a NUL is U+FFFD in CSS)."""
    return re.sub("[ \t\n\r\f]+", " ", text).replace("\u0000", "\ufffd")


@pytest.mark.parametrize("text", HOSTILE)
def test_any_text_comes_back_as_one_string_and_nothing_else(text):
    css = str(css_text(text))
    assert decoded(css) == [shown(text)]
    assert "<" not in css and "\n" not in css and "*/" not in css


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_is_read_as_the_text_it_shows(text):
    assert decoded(str(css_text(Markup.escape(text)))) == [shown(text)]


def test_a_line_break_in_a_catalog_is_a_space_and_only_the_template_breaks_a_line():
    """A translator's line break would start a new line in the footer (white-space: pre): it is
    a space, as the HTML footer had it; the template's own "\\n" and gap are kept (verbatim)."""
    assert decoded(str(css_text("Versie\n1.0,\t 1 november"))) == ["Versie 1.0, 1 november"]
    assert decoded(str(css_text("\n", verbatim=True))) == ["\n"]
    assert decoded(str(css_text("     ", verbatim=True))) == ["     "]


def test_the_page_stand_ins_become_counters():
    assert decoded(str(css_text(f"Pagina {PAGE_NUMBER} van {PAGE_COUNT}"))) == [
        "Pagina ", "counter(page)", " van ", "counter(pages)"]
    assert decoded(str(css_text(f"{PAGE_NUMBER}/{PAGE_COUNT}"))) == ["counter(page)", "/", "counter(pages)"]


def test_nobreak_leaves_no_place_to_break():
    """A phone number, a web address, "page 1 of 2": no-break spaces, a word joiner after a
    hyphen, a dash or a slash (once: a date's slash has one already)."""
    [text] = decoded(str(css_text("fysio-hetplein.example/a b 1/\u20602 3\u20134", nobreak=True)))
    assert text == "fysio-\u2060hetplein.example/\u2060a\u00a0b\u00a01/\u20602\u00a03\u2013\u20604"
    assert decoded(str(css_text(""))) == [""]
