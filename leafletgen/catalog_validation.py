"""Checks of a translation catalog (.po) before it is used: its syntax, and every translation
against its Dutch msgid.

A catalog comes from a translator's tool (Poedit, Weblate, Crowdin) or a text editor, so it is
input like any other. Babel's reader is lenient (an unterminated string or `msgstr x` reads as an
empty translation, silently), so the syntax is checked here, line by line, with the line named.
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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import Problem, UserError, shorten
from .files import InputFileError, file_stat, read_file
from .inline import inline_problems, inline_tokens
from .project import TEMPLATE_DOMAIN
from .plural import DEFAULT as DEFAULT_PLURAL_FORMS, PluralFormsError, PluralRule, parse_plural_forms
from .unprintable import line_problems, text_problem

_KEYWORD_RE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$')
_STRING_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*$')
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
# A placeholder is %(name)s and nothing else: "50 % minder" is text, not a format.
_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)s")
_CHARSET_RE = re.compile(r"charset=([^\s;\\]+)", re.IGNORECASE)


@dataclass
class Entry:
    """One message of a .po file, as written (strings unescaped)."""

    line: int                                   # line of its msgid
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    msgstr_line: int | None = None
    flags: set[str] = field(default_factory=set)
    # While parsing: the pieces of each string ("..." lines), joined once at the end (adding
    # them one by one copied a long message once per line: minutes for a few megabytes).
    pieces: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def join(self) -> None:
        for key, parts in self.pieces.items():
            text = "".join(part for _, part in parts)
            if key.startswith("msgstr:"):
                self.msgstr[int(key[7:])] = text
            else:
                setattr(self, key, text)

    def line_of(self, key: str, needle: str) -> int | None:
        """The line of the piece of string `key` where `needle` starts (for the header's fields)."""
        parts = self.pieces.get(key, [])
        text, starts = "", []
        for line, part in parts:
            starts.append((len(text), line))
            text += part
        at = text.lower().find(needle.lower())
        if at < 0:
            return None
        return max((line for start, line in starts if start <= at), default=None)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def _unescape(body: str) -> tuple[str, str | None]:
    """(text, problem) for the inside of a "..." string."""
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt not in _ESCAPES:
                return "", (f"unknown escape '\\{nxt}' in a string; write \\\\ for a backslash, "
                             "\\\" for a quote, \\n for a new line")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out), None


class _PoReader:
    """A .po file read line by line into entries, with every syntax problem at its line."""

    def __init__(self, file: str):
        self.file = file
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []
        self.entry: Entry | None = None
        self.current: str | None = None      # the keyword the next "..." line continues
        self.flags: set[str] = set()         # the flags (#, fuzzy) of the entry to come

    def problem(self, message: str, line: int | None) -> None:
        self.problems.append(Problem(self.file, message, line=line))

    def read(self, text: str) -> None:
        for number, raw in enumerate(text.split("\n"), 1):
            line = raw.rstrip("\r").strip()
            if not line:
                self.finish()
                self.current = None
            elif line.startswith("#"):
                if line.startswith("#,"):
                    self.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
                # "#~" obsolete entries, "#|" previous msgids, "#:" references, "# " comments: not used.
            elif _KEYWORD_RE.match(line):
                self.keyword(_KEYWORD_RE.match(line), number)
            elif _STRING_RE.match(line) and self.current is not None and self.entry is not None:
                value = self.string(_STRING_RE.match(line), number, "")
                self.entry.pieces.setdefault(self.current, []).append((number, value))
            else:
                self.not_po(line, number)
        self.finish()
        self.duplicates()

    def finish(self) -> None:
        """The entry read so far is complete: keep it, or say what it lacks."""
        entry, self.entry = self.entry, None
        if entry is None:
            return
        entry.join()
        if entry.msgid is None:
            self.problem("msgstr or msgctxt without a msgid before it", entry.line)
        elif not entry.msgstr:
            self.problem("msgid without a msgstr after it", entry.line)
        elif entry.msgid_plural is None and set(entry.msgstr) != {-1}:
            self.problem("msgstr[n] needs a msgid_plural; a single form is written msgstr \"...\"",
                         entry.msgstr_line)
        elif entry.msgid_plural is not None and (
                -1 in entry.msgstr or sorted(entry.msgstr) != list(range(len(entry.msgstr)))):
            self.problem("a plural message needs msgstr[0], msgstr[1], … in order", entry.msgstr_line)
        else:
            self.entries.append(entry)

    def keyword(self, match: re.Match, number: int) -> None:
        """msgctxt, msgid, msgid_plural or msgstr[n], followed by its first string."""
        keyword, index, rest = match.group(1), match.group(2), match.group(3)
        base = "msgstr" if keyword.startswith("msgstr") else keyword
        entry = self.entry
        if base in ("msgctxt", "msgid") and entry is not None and (
                entry.msgstr or entry.msgid is not None):
            self.finish()
        if self.entry is None:
            self.entry = Entry(line=number, flags=self.flags)
            self.flags = set()
        entry = self.entry
        if base == "msgid":
            entry.line = number
        elif base == "msgid_plural" and entry.msgid is None:
            self.problem("msgid_plural without a msgid before it", number)
        elif base == "msgstr" and entry.msgid is None:
            self.problem("msgstr without a msgid before it", number)
            self.entry = self.current = None
            return
        value = self.string(_STRING_RE.match(rest), number,
                            f"{keyword} must be followed by a string in double quotes, closed on "
                            "the same line")
        if base == "msgstr":
            self.msgstr(entry, keyword, -1 if index is None else int(index), value, number)
            return
        self.current = keyword
        if getattr(entry, base) is not None:
            self.problem(f"{keyword} appears twice in one message", number)
        else:
            setattr(entry, base, "")
            entry.pieces[keyword] = [(number, value)]

    def msgstr(self, entry: Entry, keyword: str, slot: int, value: str, number: int) -> None:
        if slot in entry.msgstr:
            self.problem(f"{keyword} appears twice in one message", number)
        if slot > 100:
            self.problem(f"{keyword}: a message has at most a few plural forms", number)
            slot = 100
        self.current = f"msgstr:{slot}"
        entry.msgstr[slot] = ""
        entry.pieces[self.current] = [(number, value)]
        entry.msgstr_line = entry.msgstr_line or number

    def string(self, match: re.Match | None, number: int, missing: str) -> str:
        """The text of a "..." string, unescaped; "" (and a problem) when it is not one."""
        if not match:
            self.problem(missing, number)
            return ""
        value, problem = _unescape(match.group(1))
        if problem:
            self.problem(problem, number)
        return value

    def not_po(self, line: str, number: int) -> None:
        if line.startswith('"'):
            reason = ("a string that is not closed on its line (or has an unescaped \")"
                      if self.current is not None else "a string that belongs to no msgid or msgstr")
        else:
            reason = f"unknown keyword {line.split()[0][:30]!r}; expected msgid, msgstr, msgctxt or a comment"
        self.problem(f"is not a valid .po file: {reason}", number)
        self.current = None

    def duplicates(self) -> None:
        seen: dict[tuple[str | None, str], int] = {}
        for item in self.entries:
            key = (item.msgctxt, item.msgid or "")
            if key in seen:
                self.problem(f"msgid {shorten(item.msgid or '')!r} appears twice (first on line "
                             f"{seen[key]})", item.line)
            else:
                seen[key] = item.line


def parse_po(text: str, file: str) -> tuple[list[Entry], list[Problem]]:
    """The entries of a .po file and its syntax problems, each with its line."""
    reader = _PoReader(file)
    reader.read(text)
    return reader.entries, reader.problems


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
                         markdown: bool = True) -> list[str]:
    """What is wrong with `msgstr` as a translation of `msgid` (empty when fine).

    `formatted`: the string goes through Python's % formatting (the template domain). A
    placeholder is only %(name)s; any other % is text there too (html.install_translations
    escapes it before Jinja formats the string), so a translator's "50 %" is never an error.
    `markdown`: False for the web app's words, plain text escaped on its pages ("<naam>" is text
    there): only the characters and the placeholders are checked.
    """
    problems = []
    bad = text_problem(msgstr)
    if bad:
        problems.append(bad)
    if not markdown:
        if placeholders(msgid) != placeholders(msgstr):
            problems.append(f"the placeholders differ from the Dutch: the Dutch has "
                            f"{', '.join(sorted(placeholders(msgid).elements())) or 'none'}, the "
                            f"translation {', '.join(sorted(placeholders(msgstr).elements())) or 'none'}")
        return problems
    source_problems = set(inline_problems(msgid))
    problems += [p for p in inline_problems(msgstr) if p not in source_problems]
    kinds_id, links_id = _markup(msgid)
    kinds_str, links_str = _markup(msgstr)
    if kinds_id != kinds_str:
        problems.append(f"the markup differs from the Dutch: the Dutch has {_describe(kinds_id)}, "
                        f"the translation {_describe(kinds_str)}")
    if links_id != links_str:
        problems.append(f"the link targets differ from the Dutch: the Dutch links to "
                        f"{', '.join(links_id) or 'nothing'}, the translation to "
                        f"{', '.join(links_str) or 'nothing'}")
    held_id, held_str = placeholders(msgid), placeholders(msgstr)
    if held_id != held_str:
        problems.append(f"the placeholders differ from the Dutch: the Dutch has "
                        f"{', '.join(sorted(held_id.elements())) or 'none'}, the translation "
                        f"{', '.join(sorted(held_str.elements())) or 'none'}")
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
                 markdown: bool = True) -> CatalogReport:
    """Every problem of a catalog's text: characters first, then syntax, then the header; the
    translations only if those are sound."""
    characters = [Problem(file, message, line=number) for number, message in line_problems(text)]
    if characters:
        return CatalogReport(file, tuple(characters), fatal=True)
    entries, problems = parse_po(text, file)
    if problems:
        return CatalogReport(file, tuple(sorted(problems, key=lambda p: p.line or 0)), fatal=True)
    header = next((entry for entry in entries if not entry.msgid and entry.msgctxt is None), None)
    plural, header_problems = _header(header, file)
    if header_problems:
        return CatalogReport(file, tuple(header_problems), fatal=True, plural=plural)
    refused: set = set()
    for entry in entries:
        if not entry.msgid or entry.fuzzy:
            continue  # the header; a fuzzy entry is not used until a translator confirms it
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        if entry.msgid_plural is not None and any(entry.msgstr.values()) \
                and len(entry.msgstr) != plural.nplurals:
            refused.add(entry.msgid)
            problems.append(Problem(file, f"msgstr of {shorten(entry.msgid)!r}: has {len(entry.msgstr)} "
                                          f"plural forms, but the header's Plural-Forms says "
                                          f"nplurals={plural.nplurals}", line=entry.msgstr_line))
        for slot, msgstr in sorted(entry.msgstr.items()):
            if not msgstr:
                continue
            msgid = sources[min(max(slot, 0), len(sources) - 1)]
            for message in translation_problems(msgid, msgstr, formatted=template_domain,
                                                markdown=markdown):
                refused.add(entry.msgid)
                problems.append(Problem(file, f"msgstr of {shorten(entry.msgid)!r}: {message}",
                                        line=entry.msgstr_line))
    return CatalogReport(file, tuple(problems), refused=frozenset(refused), plural=plural)


def _header(header: Entry | None, file: str) -> tuple[PluralRule, list[Problem]]:
    """The header's plural rule (gettext's default without one) and its problems."""
    plural = parse_plural_forms(DEFAULT_PLURAL_FORMS)
    if header is None:
        return plural, []
    problems = []
    text = header.msgstr.get(-1, "")
    charset = _CHARSET_RE.search(text)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8", "charset"):
        problems.append(Problem(file, f"declares charset={charset.group(1)}; a catalog is "
                                      "UTF-8 (charset=UTF-8)", line=header.line_of("msgstr:-1", "charset=")
                                or header.msgstr_line))
    fields = [line.split(":", 1) for line in text.split("\n") if ":" in line]
    forms = [value for name, value in fields if name.strip().lower() == "plural-forms"]
    line = header.line_of("msgstr:-1", "plural-forms:") or header.msgstr_line
    if len(forms) > 1:
        problems.append(Problem(file, "the header has Plural-Forms more than once", line=line))
    elif forms:
        try:
            plural = parse_plural_forms(forms[0])
        except PluralFormsError as exc:
            problems.append(Problem(file, f"Plural-Forms: {exc}", line=line))
    return plural, problems


def check_text(text: str, file: str, template_domain: bool = False,
               markdown: bool = True) -> list[Problem]:
    """Every problem of a catalog's text (see analyse_text)."""
    return list(analyse_text(text, file, template_domain, markdown).problems)


# The staff web app's words (web/catalog.py): plain text on its pages, not leaflet Markdown.
PLAIN_TEXT_DOMAINS = frozenset({"leafletgen_web"})


# A leaflet may hold 256 KiB; its catalog holds it twice (msgid and msgstr, a translation in
# Cyrillic or Arabic taking two bytes a letter) with comments: 1 MiB leaves room for that.
CATALOG_MAX_BYTES = 1024 * 1024


def catalog_file(domain: str, lang: str) -> str:
    """translations/<lang>/LC_MESSAGES/<domain>.po, relative to the project root."""
    return f"translations/{lang}/LC_MESSAGES/{domain}.po"


def catalog_report(project, domain: str, lang: str) -> CatalogReport | None:
    """The report of translations/<lang>/LC_MESSAGES/<domain>.po; None when there is none.
    Read without following a link, at most CATALOG_MAX_BYTES; cached while the file is unchanged."""
    relative = catalog_file(domain, lang)
    try:
        info = file_stat(project.root, relative)
    except InputFileError as exc:
        if exc.missing:
            return None
        return CatalogReport(relative, (Problem(relative, exc.reason),), fatal=True)
    return _report_cached(str(project.root), relative, info.st_ino, info.st_mtime_ns, info.st_size,
                          domain == TEMPLATE_DOMAIN, domain not in PLAIN_TEXT_DOMAINS)


@lru_cache(maxsize=256)
def _report_cached(root: str, relative: str, inode: int, mtime_ns: int, size: int,
                   template_domain: bool, markdown: bool) -> CatalogReport:
    try:
        raw = read_catalog_bytes(Path(root), relative)
    except UserError as exc:
        return CatalogReport(relative, tuple(exc.problems), fatal=True)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return CatalogReport(relative, (Problem(relative, f"is not UTF-8 text (byte {exc.start}); "
                                                          "save it as UTF-8", line=line),), fatal=True)
    return analyse_text(text, relative, template_domain, markdown)


def read_catalog_bytes(root: Path, relative: str) -> bytes:
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
