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
from ..inputs.characters import text_problem

from ..inputs.project import RTL_LANGUAGES
from .typography import BREAKING_SPACE, COMPOUND, NBSP, WORD, french_spacing, last_two_words, smart_quotes

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
    return _inline_tokens(text)


@lru_cache(maxsize=512)
def _inline_tokens(text: str) -> tuple:
    # Parsed once per text: checking a catalog looks at each msgid and msgstr several times
    # (problems, markup, links), and markdown-it takes up to 15 µs a character on input made of
    # emphasis marks. The tokens are only read, never changed.
    return tuple(parser().parseInline(text)[0].children or ())


def inline_problems(text: str) -> list[str]:
    """Everything in `text` that a leaflet's inline Markdown does not allow."""
    problems = []
    depth = deepest = 0
    # Characters written as entities (&#x202E;) or escapes reach the page decoded: checked as
    # decoded (the text as written is checked line by line before it is parsed).
    decoded = text_problem(text) is None
    for tok in inline_tokens(text):
        depth += tok.nesting
        deepest = max(deepest, depth)
        if decoded and tok.type == "text" and text_problem(tok.content):
            problems.append(f"{text_problem(tok.content)} (written as a character reference "
                            "such as &#x202E;)")
            decoded = False
        elif tok.type == "html_inline":
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


def render_inline(text: str, lang: str | None = None, bind: int = 0,
                  keep_compounds: bool = False, whole_last_word: bool = False) -> Markup:
    """Inline Markdown → safe HTML. Everything not allowed is escaped, never passed through.

    The typographic finish (typography.py) is applied to the text only, never to the markup:
    with `lang`, straight quotes become that language's; with `bind`, the last two words are
    kept together if they fit in `bind` characters; with `keep_compounds`, words joined by a
    hyphen or slash are not broken across lines; with `whole_last_word`, the last word is never
    hyphenated (a fragment such as "-ten" alone on a paragraph's last line).
    """
    tokens = inline_tokens(text)
    rtl = bool(lang) and lang.split("_")[0] in RTL_LANGUAGES
    texts = [tok.content for tok in tokens if tok.type == "text"]
    if lang:
        texts = french_spacing(smart_quotes(texts, lang), lang)
    pair = last_two_words(texts, bind) if bind else None
    last = max((i for i, text in enumerate(texts) if text.strip()), default=-1) if whole_last_word else -1
    out: list[str] = []
    index = 0
    for tok in tokens:
        if tok.type == "text":
            start = pair[1] if pair is not None and pair[0] == index else None
            if index == last and start is None:
                out.append(_whole_last_word(texts[index], keep_compounds))
            else:
                out.append(_text(texts[index], start, rtl, keep_compounds))
            index += 1
        else:
            out.append(_markup(tok))
    return Markup("").join(out)


def _text(content: str, bind_from: int | None, rtl: bool, keep_compounds: bool) -> Markup:
    """A text token, finished; its last two words (from `bind_from`) kept on one line."""
    if bind_from is None:
        return _finish(content, keep_compounds)
    words = content[bind_from:].rstrip()
    rest = content[bind_from + len(words):]
    if not rtl:
        # A no-break space, not a nowrap span: WeasyPrint breaks a line badly before a nowrap
        # box that does not fit ("What / is the best thing … back pain?").
        return _finish(content[:bind_from] + re.sub(BREAKING_SPACE + "+", NBSP, words, count=1) + rest, keep_compounds)
    # Right to left, two words joined by a no-break space come out of the PDF's text in drawing
    # order (reversed); a nowrap span keeps them in reading order.
    return _finish(content[:bind_from], keep_compounds) + \
        Markup('<span class="nobreak">{}</span>').format(words) + _finish(rest, keep_compounds)


def _whole_last_word(content: str, keep_compounds: bool) -> Markup:
    """The last word in a span that is never hyphenated, with the space before it inside the
    span: WeasyPrint breaks a line badly before an inline box that starts with a word and does
    not fit (the line before it ends a word or more early: "vous / devez / continuer … vélo");
    with the break opportunity inside the box, it breaks there as in plain text."""
    match = re.search(f"({BREAKING_SPACE}+)({WORD})(\\s*)$", content)
    if not match or not content[:match.start()].strip():
        return _finish(content, keep_compounds)
    return _finish(content[:match.start()], keep_compounds) + \
        Markup('<span class="whole">{}{}</span>').format(match.group(1), match.group(2)) + match.group(3)


def _markup(tok) -> Markup:
    """Any token but text: bold, italic, links and line breaks; the rest escaped as written."""
    t = tok.type
    if t == "softbreak":
        return Markup(" ")
    if t == "hardbreak":
        return Markup("<br>")
    if t in ("strong_open", "strong_close", "em_open", "em_close"):
        tag = "strong" if t.startswith("strong") else "em"
        return Markup(f"<{tag}>" if t.endswith("open") else f"</{tag}>")
    if t == "link_open":
        href = tok.attrGet("href") or ""
        return Markup('<a>') if link_problem(href) else Markup('<a href="{}">').format(href)
    if t == "link_close":
        return Markup("</a>")
    # html_inline, code_inline, image, …: shown as the text that was written.
    return escape(tok.content)


def _finish(text: str, keep_compounds: bool) -> Markup:
    if keep_compounds and COMPOUND.search(text):
        return _keep_compounds(text)
    return escape(text)


def _keep_compounds(text: str) -> Markup:
    parts, position = [], 0
    for match in COMPOUND.finditer(text):
        parts.append(escape(text[position:match.start()]))
        parts.append(Markup('<span class="nobreak">{}</span>').format(match.group()))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def plain_text(text: str) -> str:
    """The words of inline Markdown without its markup (for PDF titles and readability counts)."""
    return "".join(tok.content if tok.type in ("text", "code_inline", "html_inline") else
                   (" " if tok.type in ("softbreak", "hardbreak") else "")
                   for tok in inline_tokens(text))
