"""Checks of a translation catalog (.po) before it is used: its syntax, and every translation
against its Dutch msgid.

A catalog comes from a translator's tool (Poedit, Weblate, Crowdin) or a text editor, so it is
input like any other. Babel's reader is lenient (an unterminated string or `msgstr x` reads as an
empty translation, silently), so the syntax is checked first, line by line, with the line named
(po_syntax.py).
A translation must keep what the Dutch text has and add nothing: the same **bold**/*italic*
markup, the same link targets, the same %(name)s placeholders, no raw HTML, no images, no control
characters. A translated list item must not smuggle in a link, or HTML.

Used by the build (a catalog that fails is refused) and by `translations status`:

    problems = catalog_problems(project, domain, lang)       # [] when fine
    check_catalogs(project, lang, [leaflet_id, TEMPLATE_DOMAIN])   # raises UserError
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from ..errors import Message, Problem, UserError, shorten
from ..inputs.files import InputFileError, read_file
from ..markup.inline import inline_problems, inline_tokens
from ..inputs.project import TEMPLATE_DOMAIN, catalog_file
from .languages import language_table
from .babel_reading import babel_differences
from .po_syntax import Entry, parse_po
from .plural_forms import (DEFAULT as DEFAULT_PLURAL_FORMS, PluralFormsError, PluralRule,
                           parse_plural_forms)
from ..inputs.characters import line_problems, script_problem, text_problem

_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)s")
_CHARSET_RE = re.compile(r"charset=([^\s;\\]+)", re.IGNORECASE)


def _markup(text: str) -> tuple[Counter, list[str]]:
    """What inline Markdown `text` has: counts of bold, italic, links and line breaks, link targets."""
    names = {"strong_open": "bold", "em_open": "italic", "link_open": "link", "hardbreak": "line break"}
    kinds: Counter = Counter()
    links: list[str] = []
    for tok in inline_tokens(text):
        if tok.type in names:
            kinds[names[tok.type]] += 1
        if tok.type == "link_open":
            links.append(tok.attrGet("href") or "")
    return kinds, sorted(links)


def _describe(kinds: Counter) -> str:
    parts = [f"{count} {name}" + ("s" if count > 1 and name != "italic" else "")
             for name, count in sorted(kinds.items())]
    return ", ".join(parts) or "no markup"


def placeholders(text: str) -> Counter:
    """The %(name)s placeholders of `text`, by name."""
    return Counter(_PLACEHOLDER_RE.findall(text))


def translation_problems(msgid: str, msgstr: str, formatted: bool = False,
                         markdown: bool = True, table=None) -> list[str]:
    """What is wrong with `msgstr` as a translation of `msgid` (empty when fine).

    `formatted`: the string goes through Python's % formatting (the template domain). A
    placeholder is only %(name)s; any other % is text there too
    (template_environment.install_translations escapes it before Jinja formats the string), so a
    translator's "50 %" is never an error.
    `markdown`: False for the web app's words, plain text escaped on its pages ("<naam>" is text
    there): only the characters and the placeholders are checked.
    `table`: the language's table (translate.languages): digits and letters it does not use are
    refused in what a leaflet prints.
    """
    problems = []
    bad = text_problem(msgstr)
    if bad:
        problems.append(Message("po_unprintable", bad))
    elif table is not None and markdown:
        # What is printed on a leaflet: the language's digits and scripts (its table).
        foreign = script_problem(msgstr, table)
        if foreign:
            problems.append(Message("po_script", foreign))
    if not markdown:
        if placeholders(msgid) != placeholders(msgstr):
            problems.append(Message("po_placeholders", f"the placeholders differ from the Dutch: the Dutch has "
                            f"{', '.join(sorted(placeholders(msgid).elements())) or 'none'}, the "
                            f"translation {', '.join(sorted(placeholders(msgstr).elements())) or 'none'}"))
        return problems
    source_problems = set(inline_problems(msgid))
    problems += [Message("po_markup", p) for p in inline_problems(msgstr) if p not in source_problems]
    kinds_id, links_id = _markup(msgid)
    kinds_str, links_str = _markup(msgstr)
    if kinds_id != kinds_str:
        problems.append(Message("po_markup", f"the markup differs from the Dutch: the Dutch has "
                                             f"{_describe(kinds_id)}, the translation {_describe(kinds_str)}"))
    if links_id != links_str:
        problems.append(Message("po_links", f"the link targets differ from the Dutch: the Dutch links to "
                                            f"{', '.join(links_id) or 'nothing'}, the translation to "
                                            f"{', '.join(links_str) or 'nothing'}"))
    held_id, held_str = placeholders(msgid), placeholders(msgstr)
    if held_id != held_str:
        problems.append(Message("po_placeholders", f"the placeholders differ from the Dutch: the Dutch has "
                                                   f"{', '.join(sorted(held_id.elements())) or 'none'}, the "
                                                   f"translation {', '.join(sorted(held_str.elements())) or 'none'}"))
    return problems


@dataclass(frozen=True)
class CatalogReport:
    """What checking a catalog found.

    `fatal`: the catalog cannot be used at all (too large, not UTF-8, invisible characters, bad
    syntax, a bad header): nothing of it is read by Babel, every unit counts as untranslated.
    Otherwise `refused` names the msgids whose translation has a problem: they count as not
    translated in `translations status`, and the build refuses the catalog until they are fixed.
    """

    file: str
    problems: tuple[Problem, ...] = ()
    fatal: bool = False
    refused: frozenset = frozenset()
    plural: PluralRule | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def analyse_text(text: str, file: str, template_domain: bool = False,
                 markdown: bool = True, table=None) -> CatalogReport:
    """Every problem of a catalog's text: characters first, then syntax, then the header, then
    whether Babel reads the same entries; the translations only if those are sound."""
    characters = [Problem(file, Message("po_unprintable", message), line=number)
                  for number, message in line_problems(text)]
    if characters:
        return CatalogReport(file, tuple(characters), fatal=True)
    entries, problems = parse_po(text, file)
    if problems:
        return CatalogReport(file, tuple(sorted(problems, key=lambda p: p.line or 0)), fatal=True)
    header = next((entry for entry in entries if not entry.msgid and entry.msgctxt is None), None)
    plural, header_problems = _header(header, file)
    if header_problems:
        return CatalogReport(file, tuple(header_problems), fatal=True, plural=plural)
    # Only now Babel: its reader makes `nplurals` strings for every plural message.
    differences = babel_differences(text, entries, file)
    if differences:
        return CatalogReport(file, tuple(sorted(differences, key=lambda p: p.line or 0)), fatal=True,
                             plural=plural)
    refused: set = set()
    for entry in entries:
        if not entry.msgid or entry.fuzzy:
            continue  # the header; a fuzzy entry is not used until a translator confirms it
        found = entry_problems(entry, plural, file, template_domain, markdown, table)
        if found:
            refused.add(entry.msgid)
            problems += found
    return CatalogReport(file, tuple(problems), refused=frozenset(refused), plural=plural)


def entry_problems(entry: Entry, plural: PluralRule, file: str, template_domain: bool,
                   markdown: bool, table) -> list[Problem]:
    """What is wrong with one entry's translation: its plural forms, then each form."""
    problems = []
    sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
    unit = shorten(entry.msgid or "", 40)
    if entry.msgid_plural is not None and any(entry.msgstr.values()) \
            and len(entry.msgstr) != plural.nplurals:
        problems.append(Problem(file, Message("po_plural", f"msgstr of {shorten(entry.msgid)!r}: has "
                                              f"{len(entry.msgstr)} plural forms, but the header's "
                                              f"Plural-Forms says nplurals={plural.nplurals}",
                                              unit=unit), line=entry.msgstr_line))
    for slot, msgstr in sorted(entry.msgstr.items()):
        if not msgstr:
            continue
        msgid = sources[min(max(slot, 0), len(sources) - 1)]
        for message in translation_problems(msgid, msgstr, formatted=template_domain,
                                            markdown=markdown, table=table):
            problems.append(Problem(file, Message(getattr(message, "code", "") or "po_translation",
                                                  f"msgstr of {shorten(entry.msgid)!r}: {message}",
                                                  unit=unit), line=entry.msgstr_line))
    return problems


def _header(header: Entry | None, file: str) -> tuple[PluralRule, list[Problem]]:
    """The header's plural rule (gettext's default without one) and its problems."""
    plural = parse_plural_forms(DEFAULT_PLURAL_FORMS)
    if header is None:
        return plural, []
    problems = []
    text = header.msgstr.get(-1, "")
    charset = _CHARSET_RE.search(text)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8", "charset"):
        problems.append(Problem(file, Message("po_header", f"declares charset={charset.group(1)}; a catalog "
                                                           "is UTF-8 (charset=UTF-8)"),
                                line=header.line_of("msgstr:-1", "charset=") or header.msgstr_line))
    fields = [line.split(":", 1) for line in text.split("\n") if ":" in line]
    forms = [value for name, value in fields if name.strip().lower() == "plural-forms"]
    line = header.line_of("msgstr:-1", "plural-forms:") or header.msgstr_line
    if len(forms) > 1:
        problems.append(Problem(file, Message("po_header", "the header has Plural-Forms more than once"),
                                line=line))
    elif forms:
        try:
            plural = parse_plural_forms(forms[0])
        except PluralFormsError as exc:
            problems.append(Problem(file, Message("po_header", f"Plural-Forms: {exc}"), line=line))
    return plural, problems


def check_text(text: str, file: str, template_domain: bool = False,
               markdown: bool = True, table=None) -> list[Problem]:
    """Every problem of a catalog's text (see analyse_text)."""
    return list(analyse_text(text, file, template_domain, markdown, table).problems)


# The staff web app's words (web/catalog.py): plain text on its pages, not leaflet Markdown.
PLAIN_TEXT_DOMAINS = frozenset({"leafletgen_web"})


# A leaflet may hold 256 KiB; its catalog holds it twice (msgid and msgstr, a translation in
# Cyrillic or Arabic taking two bytes a letter) with comments: 1 MiB leaves room for that.
CATALOG_MAX_BYTES = 1024 * 1024


def catalog_report(project, domain: str, lang: str) -> CatalogReport | None:
    """The report of translations/<lang>/LC_MESSAGES/<domain>.po; None when there is none.
    Read without following a link, at most CATALOG_MAX_BYTES."""
    return catalog_source(project, domain, lang)[1]


def catalog_source(project, domain: str, lang: str) -> tuple[bytes | None, CatalogReport | None]:
    """(the bytes of a language's catalog of `domain`, its report), both of one reading; (None,
    None) when there is none, (None, a fatal report) when it cannot be read."""
    relative = catalog_file(domain, lang)
    try:
        raw = project.read(relative, CATALOG_MAX_BYTES)
    except InputFileError as exc:
        if exc.missing:
            return None, None
        return None, CatalogReport(relative, (Problem(relative, exc.reason),), fatal=True)
    return raw, report_of(raw, relative, domain == TEMPLATE_DOMAIN, domain not in PLAIN_TEXT_DOMAINS,
                          language_table(project, lang))


@lru_cache(maxsize=64)
def report_of(raw: bytes, relative: str, template_domain: bool, markdown: bool,
              table=None) -> CatalogReport:
    """What checking the catalog `relative`, these bytes, finds (kept per process by content:
    the main job's workers check the same few catalogs for every document); `table` is its
    language's (translate.languages)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return CatalogReport(relative, (Problem(relative, Message("po_encoding", f"is not UTF-8 text (byte "
                                                                  f"{exc.start}); save it as UTF-8"),
                                                line=line),), fatal=True)
    return analyse_text(text, relative, template_domain, markdown, table)


def read_catalog_bytes(root, relative: str) -> bytes:
    """The bytes of a catalog: no link, at most CATALOG_MAX_BYTES (else a UserError)."""
    try:
        return read_file(root, relative, CATALOG_MAX_BYTES)
    except InputFileError as exc:
        raise UserError(Problem(relative, exc.reason)) from None


def catalog_problems(project, domain: str, lang: str) -> list[Problem]:
    """Problems of translations/<lang>/LC_MESSAGES/<domain>.po ([] when fine or absent)."""
    report = catalog_report(project, domain, lang)
    return list(report.problems) if report is not None else []


def check_catalogs(project, lang: str, domains) -> None:
    """Raise a UserError with every problem of the catalogs of `domains` in `lang`."""
    problems: list[Problem] = []
    for domain in domains:
        problems += catalog_problems(project, domain, lang)
    if problems:
        raise UserError(problems)
