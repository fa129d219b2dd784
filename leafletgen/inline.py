"""The restricted inline Markdown of a leaflet: **bold**, *italic*, links, line breaks.

The same parser serves the Dutch source and every translation, so a translator's text can
do exactly what the editor's can and nothing more. Raw HTML is never passed through: it is
reported by `inline_problems` and, should it reach `render_inline` anyway, escaped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape
from markdown_it import MarkdownIt

ALLOWED_LINK_SCHEMES = ("http", "https", "mailto", "tel")
MAX_INLINE_NESTING = 3
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    # html=True so raw HTML shows up as tokens we can refuse, instead of as silent text.
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    # markdown-it silently turns javascript:/file:/data: links into plain text; let them
    # through as links so that `link_problem` reports them to the editor by name.
    md.validateLink = lambda url: True
    return md


def link_problem(href: str) -> str | None:
    """Why a link target is not allowed, or None."""
    match = _SCHEME_RE.match(href.strip())
    if not match:
        return f"link target {href!r} must be a full http(s), mailto: or tel: address"
    if match.group(1).lower() not in ALLOWED_LINK_SCHEMES:
        return (f"link target {href!r} uses '{match.group(1)}:'; "
                "only http, https, mailto and tel links are allowed")
    return None


def inline_tokens(text: str):
    return parser().parseInline(text)[0].children or []


def inline_problems(text: str) -> list[str]:
    """Everything in `text` that a leaflet's inline Markdown does not allow."""
    problems = []
    depth = deepest = 0
    for tok in inline_tokens(text):
        depth += tok.nesting
        deepest = max(deepest, depth)
        if tok.type == "html_inline":
            problems.append(f"raw HTML {tok.content!r} is not allowed; use Markdown (**bold**, *italic*)")
        elif tok.type == "code_inline":
            problems.append(f"code `{tok.content}` is not allowed in a leaflet")
        elif tok.type == "image":
            problems.append("an image must stand in a paragraph of its own")
        elif tok.type == "link_open":
            problem = link_problem(tok.attrGet("href") or "")
            if problem:
                problems.append(problem)
    if deepest > MAX_INLINE_NESTING:
        # Hundreds of nested *…**…** would exhaust the layout engine's recursion.
        problems.append(f"bold, italic and links are nested {deepest} deep; at most "
                        f"{MAX_INLINE_NESTING} (e.g. a bold link in italic text)")
    return problems


def render_inline(text: str) -> Markup:
    """Inline Markdown → safe HTML. Everything not allowed is escaped, never passed through."""
    out: list[str] = []
    for tok in inline_tokens(text):
        t = tok.type
        if t == "text":
            out.append(escape(tok.content))
        elif t == "softbreak":
            out.append(" ")
        elif t == "hardbreak":
            out.append(Markup("<br>"))
        elif t in ("strong_open", "strong_close", "em_open", "em_close"):
            tag = "strong" if t.startswith("strong") else "em"
            out.append(Markup(f"<{tag}>" if t.endswith("open") else f"</{tag}>"))
        elif t == "link_open":
            href = tok.attrGet("href") or ""
            if link_problem(href):
                out.append(Markup('<a>'))
            else:
                out.append(Markup('<a href="{}">').format(href))
        elif t == "link_close":
            out.append(Markup("</a>"))
        else:
            # html_inline, code_inline, image, …: shown as the text that was written.
            out.append(escape(tok.content))
    return Markup("").join(out)


def plain_text(text: str) -> str:
    """The words of inline Markdown without its markup (for PDF titles and readability counts)."""
    return "".join(tok.content if tok.type in ("text", "code_inline", "html_inline") else
                   (" " if tok.type in ("softbreak", "hardbreak") else "")
                   for tok in inline_tokens(text))
