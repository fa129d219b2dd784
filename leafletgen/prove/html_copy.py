"""The HTML copy kept beside the PDF gets the same word check: its text in document order, its
alt texts and titles, its link targets, and the texts its stylesheets add with `content:`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

import tinycss2

from .fold import fold

_SKIPPED = {"style", "script", "template", "noscript", "head"}
_BREAKS = {"p", "li", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer",
           "main", "aside", "figure", "section", "ul", "ol", "span", "td", "th", "tr"}
_SAID = ("alt", "title", "aria-label", "aria-description", "placeholder")


@dataclass
class HtmlCopy:
    """What the HTML copy says: its text, the strings readers meet in attributes, link
    targets, the strings its styles add."""

    text: str = ""
    strings: list[tuple[str, str]] = field(default_factory=list)    # (where, text)
    links: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.copy = HtmlCopy()
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.styles: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in _SKIPPED:
            self.skipping.append(tag)
        if tag == "title":
            self.in_title = True
        if tag in _BREAKS:
            self.parts.append("\n")
        for name in _SAID:
            if values.get(name):
                self.copy.strings.append((f"{name} of <{tag}>", values[name]))
        if tag == "meta" and values.get("name") in ("description", "author", "keywords"):
            self.copy.strings.append((f"<meta name={values['name']}>", values.get("content") or ""))
        if tag == "a" and values.get("href"):
            self.copy.links.append(values["href"])
        if values.get("style"):
            self.styles.append("x{" + values["style"] + "}")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag == "title":
            self.in_title = False
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.copy.strings.append(("<title>", data))
        elif self.skipping and self.skipping[-1] == "style":
            self.styles.append(data)
        elif not self.skipping:
            self.parts.append(data)


def read_html(html: str) -> HtmlCopy:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.copy.text = "".join(reader.parts)
    for css in reader.styles:
        reader.copy.generated += generated_strings(css)
    return reader.copy


@lru_cache(maxsize=64)
def generated_strings(css: str) -> tuple[str, ...]:
    """The texts a stylesheet puts on the page: each `content:` (or string-set, bookmark-label)
    value's strings joined as they are printed (a counter prints a number: left out, as a
    template string's number may be), and those of every custom property such a value reads
    through var(), however deep (the footer's texts); the texts with a letter or digit only (a
    bullet or a quotation mark says nothing)."""
    printed: list[list] = []
    custom: dict[str, list[list]] = {}

    def declarations(tokens):
        for item in tinycss2.parse_blocks_contents(tokens, skip_comments=True, skip_whitespace=True):
            if item.type == "declaration" and item.lower_name in ("content", "string-set",
                                                                    "bookmark-label"):
                printed.append(item.value)
            elif item.type == "declaration" and item.name.startswith("--"):
                custom.setdefault(item.name, []).append(item.value)
            elif item.type in ("qualified-rule", "at-rule") and item.content is not None:
                declarations(item.content)

    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type in ("qualified-rule", "at-rule") and rule.content is not None:
            declarations(rule.content)
    found, read, todo = [], set(), list(printed)
    while todo:
        value = todo.pop()
        found.append("".join(token.value for token in value if token.type == "string"))
        for name in _var_names(value):
            if name not in read:
                read.add(name)
                todo += custom.get(name, [])
    return tuple(text for text in found if fold(text).chars)


def _var_names(tokens) -> list[str]:
    """The custom properties a value reads: var(--a, var(--b)) reads --a and --b."""
    names = []
    for token in tokens:
        if token.type == "function":
            if token.lower_name == "var":
                names += [arg.value for arg in token.arguments if arg.type == "ident" and arg.value.startswith("--")]
            names += _var_names(token.arguments)
    return names
