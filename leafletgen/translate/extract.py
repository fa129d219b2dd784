"""Extraction: the translation units of leaflets and the strings of the templates, as Babel catalogs.

`extract_leaflet` is a Babel extractor (registered under the `babel.extractors` entry point as
`leaflet`), so plain `pybabel extract -F babel.cfg ...` works as well as our own command. One unit
per block (docs/translators.md): the msgid is the Dutch text with its inline Markdown,
with a `#.` comment saying what the unit is, so a translator knows a heading from a list item.
Template strings come from Babel's jinja2 extractor (Jinja's `babel_extract`).

`fresh_templates` and `template_msgids` are what there is to translate *now*: the translation
commands, `translations status` and the review state all count against them.
"""

from __future__ import annotations

import datetime as dt
import io
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract

from .. import __version__
from ..inputs.leaflet import load_leaflet, parse_leaflet
from ..errors import Problem, UserError
from ..inputs.files import InputFileError
from ..markup.templates import TEMPLATE_MAX_BYTES
from ..markup.inline import plain_text
from ..inputs.model import Leaflet
from ..inputs.project import TEMPLATE_DOMAIN, Project

PROJECT_NAME = "leafletgen"
BUGS_ADDRESS = ""
COPYRIGHT_HOLDER = "the practice"
TEMPLATES_YEAR = 2026            # the year the template strings were first written
# The templates' gettext calls: {{ _("…") }}, {% trans %}…{% endtrans %}, ngettext.
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
TEMPLATE_PATTERNS = ("*.html.j2", "blocks/*.html.j2")

_UNIT_COMMENTS = {
    "title": "The title of the leaflet.",
    "heading": "A heading.",
    "paragraph": "A paragraph.",
    "list item": "One item of a bulleted list.",
    "callout": "The key message, printed large in a highlighted box.",
    "image alt text": "The description of a picture, read aloud to blind readers (alt text).",
}
AUTHOR_NOTE = ("The author line in the small print at the end of the leaflet: who wrote the Dutch "
               "text. Translate a description (an editorial team); keep a person's name as it is.")
SOURCE_NOTE = ("The source line in the small print at the end of the leaflet: where the Dutch text "
               "comes from. Keep names and numbers (such as a text number) exactly as they are.")
MARKDOWN_NOTE = ("Keep the Markdown: **bold**, *italic*, [link text](address); "
                 "translate the words, keep the address.")


def unit_comments(kind: str, text: str, ordered: bool = False) -> list[str]:
    comment = _UNIT_COMMENTS.get(kind, kind.capitalize() + ".")
    if kind == "list item" and ordered:
        comment = "One item of a numbered list."
    comments = [comment]
    if any(mark in text for mark in ("*", "[", "](")):
        comments.append(MARKDOWN_NOTE)
    return comments


def leaflet_messages(leaflet: Leaflet):
    """(line, msgid, comments) for every unit of the leaflet, in reading order."""
    yield leaflet.title_line, leaflet.title, unit_comments("title", leaflet.title)
    blocks = leaflet.blocks
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        for line, kind, text in block.units():
            if kind == "heading":
                comments = [f"A heading (level {block.level})."]
                if any(mark in text for mark in ("*", "[")):
                    comments.append(MARKDOWN_NOTE)
            elif kind == "paragraph" and following is not None and following.kind == "list":
                comments = ["A paragraph that introduces the list after it (printed in bold as its "
                            "lead-in)."] + unit_comments(kind, text)[1:]
            else:
                comments = unit_comments(kind, text, block.ordered)
            yield line, text, comments
    yield leaflet.author_line, leaflet.author, [AUTHOR_NOTE]
    if leaflet.source:
        yield leaflet.source_line, leaflet.source, [SOURCE_NOTE]


def extract_leaflet(fileobj, keywords, comment_tags, options):
    """Babel extractor: a leaflet's Markdown file → (lineno, funcname, message, comments)."""
    raw = fileobj.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    name = getattr(fileobj, "name", "leaflet.md")
    path = Path(name)
    try:
        leaflet = parse_leaflet(text, path, str(name))
    except UserError as exc:
        # Babel has no channel for input errors: say clearly what is wrong with which file.
        raise ValueError("cannot extract from an invalid leaflet:\n" + "\n".join(exc.lines)) from None
    for line, message, comments in leaflet_messages(leaflet):
        yield line, None, message, comments


def empty_catalog(domain: str, creation: dt.datetime | None, header: str) -> Catalog:
    catalog = Catalog(domain=domain, project=PROJECT_NAME, version=__version__,
                      copyright_holder=COPYRIGHT_HOLDER, header_comment=header,
                      creation_date=creation, fuzzy=False, charset="utf-8")
    return honest_header(catalog)


def honest_header(catalog: Catalog) -> Catalog:
    """No placeholders where nobody has filled anything in: Babel writes "FULL NAME
    <EMAIL@ADDRESS>", "LANGUAGE <LL@li.org>" and "YEAR-MO-DA" for an empty value (a .pot and a
    new catalog have no translator, no team and no revision yet)."""
    catalog.msgid_bugs_address = BUGS_ADDRESS
    catalog.last_translator = ""
    catalog.language_team = ""
    catalog.revision_date = ""
    return catalog


def header_comment(lines: list[str]) -> str:
    """A header comment as Babel writes it. Babel replaces the upper-case words PROJECT,
    VERSION, YEAR and ORGANIZATION in it (the year with the current one): none may occur."""
    return "\n".join(f"# {line}".rstrip() for line in lines) + "\n#"


def leaflet_header_comment(leaflet: Leaflet) -> str:
    return header_comment([
        f"The Dutch text of the leaflet \u201c{plain_text(leaflet.title)}\u201d (domain {leaflet.id}),",
        "one unit per block, extracted by leafletgen. A new language starts from it",
        "with `python generate.py translations init LL`.",
        f"Copyright (C) {leaflet.published.year} {COPYRIGHT_HOLDER}",
        "This file is distributed under the same license as the leafletgen project.",
    ])


TEMPLATES_HEADER = header_comment([
    "The Dutch template strings of leafletgen (domain leafletgen): labels, page",
    "numbers and notes printed on every leaflet. A new language starts from it",
    "with `python generate.py translations init LL`.",
    f"Copyright (C) {TEMPLATES_YEAR} the leafletgen contributors",
    "This file is distributed under the same license as the leafletgen project.",
])


def leaflet_template(project: Project, leaflet: Leaflet) -> Catalog:
    """The .pot of one leaflet: its domain is the leaflet id."""
    catalog = empty_catalog(leaflet.id, None, leaflet_header_comment(leaflet))
    location = project.rel(leaflet.path)
    for line, message, comments in leaflet_messages(leaflet):
        catalog.add(message, locations=[(location, line)], auto_comments=comments)
    return catalog


def template_strings(project: Project) -> Catalog:
    """The .pot of the templates (domain leafletgen), with Babel's jinja2 extractor."""
    return _extract_strings(template_sources(project))


def template_sources(project: Project) -> tuple[tuple[str, bytes], ...]:
    """Our templates that hold template strings (TEMPLATE_PATTERNS): (path relative to the
    project, bytes) each, read as inputs (no links)."""
    names = [name for name in project.tree("templates")
             if any(_matches(name, pattern) for pattern in TEMPLATE_PATTERNS)]
    return tuple((f"templates/{name}", _read_template(project, f"templates/{name}"))
                 for name in sorted(names, key=lambda name: name.split("/")))


def _matches(name: str, pattern: str) -> bool:
    parts, wanted = name.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(fnmatch(a, b) for a, b in zip(parts, wanted))


def _read_template(project: Project, relative: str) -> bytes:
    try:
        return project.read(relative, TEMPLATE_MAX_BYTES)
    except InputFileError as exc:
        raise UserError(Problem(relative, exc.reason)) from None


def _extract_strings(sources: tuple[tuple[str, bytes], ...]) -> Catalog:
    catalog = empty_catalog(TEMPLATE_DOMAIN, None, TEMPLATES_HEADER)
    for relative, data in sources:
        for line, message, comments, context in extract(
                "jinja2", io.BytesIO(data), keywords=_KEYWORDS, comment_tags=("Translators:",),
                options=JINJA_OPTIONS, strip_comment_tags=True):
            catalog.add(message, locations=[(relative, line)], auto_comments=comments,
                        context=context)
    return catalog


# Babel's defaults plus Jinja's newstyle names.
_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
             "npgettext": ((1, "c"), 2, 3)}


# ---- What there is to translate now ---------------------------------------------------------------
# The sources as they are now, not whatever .pot happens to be on disk: the translation
# commands, `translations status` and the review state all count against these.

def fresh_templates(project: Project) -> dict[str, Catalog]:
    """Domain → template catalog, extracted now from the leaflets and the templates."""
    return templates_and_titles(project)[0]


def templates_and_titles(project: Project) -> tuple[dict[str, Catalog], dict[str, str]]:
    """(domain → template catalog, leaflet domain → its Dutch title as plain text)."""
    templates: dict[str, Catalog] = {}
    titles: dict[str, str] = {}
    problems: list = []
    for leaflet_id in project.leaflet_ids():
        try:
            leaflet = load_leaflet(project, leaflet_id)
        except UserError as exc:
            problems += exc.problems
            continue
        templates[leaflet_id] = leaflet_template(project, leaflet)
        titles[leaflet_id] = plain_text(leaflet.title)
    if problems:
        raise UserError(problems)
    templates[TEMPLATE_DOMAIN] = template_catalog(project)
    return templates, titles


@lru_cache(maxsize=16)
def _template_catalog(sources: tuple[tuple[str, bytes], ...]) -> Catalog:
    return _extract_strings(sources)


def template_catalog(project: Project) -> Catalog:
    """The template strings (kept per process by the templates' content; not to be changed)."""
    return _template_catalog(template_sources(project))


def template_msgids(project: Project) -> list:
    """The msgids of the template strings (a tuple for a plural)."""
    return [m.id for m in template_catalog(project) if m.id]
