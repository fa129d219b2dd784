"""What the HTML copy to keep may not hold: scripts, event handlers, frames, forms, a redirect, or
anything that loads from elsewhere.

The HTML beside the PDF is opened from the output folder, linked from output/index.html, and put
on a practice's website; there it runs with no Content-Security-Policy (the web app serves it
with a strict one). Autoescaping keeps every input's text out of the markup, but a practice's
template override writes markup itself, and may come from anyone: `<script>`, `onmouseover=`,
`<meta http-equiv="refresh">` or an `<img src="https://tracker.example/">` would reach every
patient who opens the leaflet. So the rendered copy is parsed as a browser parses it (tinyhtml5,
the HTML5 parser WeasyPrint uses: what hides in a comment or an SVG `<style>` for a simpler
tokenizer is found where a browser finds it), and its stylesheets as a browser tokenizes them
(tinycss2: `\\75 rl(` is `url(`), and the document is refused, with what was found, when it holds:

- an element that runs, embeds or submits anything (ACTIVE_ELEMENTS), `<meta http-equiv>`,
  `<link>`, or inline SVG or MathML (foreign content, parsed differently; pictures are `<img>`);
- an attribute named `on…` (an event handler);
- a URL with a scheme other than `data:`, or to another host (`//host`), in `src`, `srcset`,
  `poster`, `data`, `action`, `formaction`, `background`, `ping`, `href`, and in a stylesheet's
  `url()`, `image-set()` or `@import`: relative URLs stay on the same site or disk (the fonts
  the page links, a picture or stylesheet of the practice's own folder). A link (`href` on `<a>`
  or `<area>`) may only go to http(s), mailto, tel or a `#fragment` of the page.
"""

from __future__ import annotations

import re

import tinycss2
import tinyhtml5

from ..errors import Problem, UserError
from ..inputs.model import Practice

ACTIVE_ELEMENTS = frozenset({
    "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "portal",
    "base", "form", "input", "button", "select", "textarea", "link", "audio", "video", "source",
    "track", "template", "svg", "math", "plaintext", "xmp", "noembed", "noframes",
})
URL_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "action", "formaction", "background",
                            "ping", "href", "xlink:href", "lowsrc", "dynsrc", "codebase", "manifest"})
LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_NAMESPACE = re.compile(r"^\{[^}]*\}")
# A URL with a scheme, or one a browser takes as another host's (`//host/`, `\\host`, `/\host`).
_ELSEWHERE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|[/\\]{2})")


def active_content(html: str) -> list[str]:
    """What the page holds that it may not, each once, in order (an empty list: nothing)."""
    found: dict[str, None] = {}
    root = tinyhtml5.parse(html)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue     # a comment
        name = _NAMESPACE.sub("", element.tag).lower()
        if name in ACTIVE_ELEMENTS:
            found[f"a <{name}> element"] = None
        if name == "meta" and any(key.lower() == "http-equiv" for key in element.attrib):
            found["a <meta http-equiv> (a redirect or a page's rules)"] = None
        for key, value in element.attrib.items():
            _attribute(name, _NAMESPACE.sub("", key).lower(), value, found)
        if name == "style":
            _stylesheet(tinycss2.parse_stylesheet(element.text or ""), found)
    return list(found)


def _attribute(element: str, key: str, value: str, found: dict) -> None:
    if key.startswith("on"):
        found[f"an event handler ({key}= on <{element}>)"] = None
    elif key == "style":
        _stylesheet(tinycss2.parse_blocks_contents(value), found)
    elif key in URL_ATTRIBUTES and not _allowed_url(element, key, value):
        found[f"a reference to {_short(value)} ({key}= on <{element}>)"] = None


def _normal(url: str) -> str:
    """`url` as a browser's URL parser reads it: tabs and line breaks anywhere dropped, control
    characters and spaces around it stripped."""
    return re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33))))


def _allowed_url(element: str, key: str, value: str) -> bool:
    url = _normal(value)
    if key == "href" and element in ("a", "area"):
        return url.startswith("#") or url.lower().startswith(LINK_SCHEMES)
    if key == "srcset":      # "URL 2x, URL 1x": every URL in it
        return all(_allowed_url(element, "src", part.split()[0]) for part in url.split(",") if part.split())
    # data:, or relative: a picture of the practice's own folder (the PDF's page reads it; in the
    # copy it stays on the same site or disk), never another site.
    return url.lower().startswith("data:") or not _ELSEWHERE.match(url)


def _stylesheet(nodes, found: dict) -> None:
    for node in nodes:
        if node.type == "at-rule" and node.lower_at_keyword == "import":
            for token in node.prelude:
                if token.type == "string":
                    _css_url(token.value, found)
        if node.type == "url":
            _css_url(node.value, found)
        elif node.type == "function" and node.lower_name in ("url", "image-set", "-webkit-image-set"):
            for argument in node.arguments:
                if argument.type == "string":
                    _css_url(argument.value, found)
        for part in ("prelude", "content", "arguments", "value"):
            children = getattr(node, part, None)
            if isinstance(children, list):
                _stylesheet(children, found)


def _css_url(url: str, found: dict) -> None:
    plain = _normal(url)
    if plain.lower().startswith("data:"):
        return
    if _ELSEWHERE.match(plain):
        found[f"a stylesheet reference to {_short(url)}"] = None


def _short(url: str) -> str:
    url = url.strip()
    return repr(url if len(url) <= 60 else url[:57] + "...")


def refuse_active_content(html: str, practice: Practice) -> str:
    """`html` if it holds nothing `active_content` finds; else a UserError naming the templates
    that made it (the practice's own folder) and each thing found.

    Only a practice's own templates can write such markup: ours cannot be changed by an input and
    every input's text is escaped (tests/markup/test_hostile_active_content.py checks our templates in
    every language and variant). So a practice without templates of its own is not parsed: parsing
    is a noticeable share of a document's time."""
    if practice.template_dir is None:
        return html
    found = active_content(html)
    if not found:
        return html
    raise UserError([Problem(f"practices/{practice.id}/templates",
                             f"the HTML page may not hold {what} (a template may write "
                             "markup, but nothing that runs, submits or loads from elsewhere)")
                     for what in found])
