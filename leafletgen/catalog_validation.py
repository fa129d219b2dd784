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
from .inline import inline_problems, inline_tokens
from .unprintable import text_problem

from .i18n import TEMPLATE_DOMAIN  # noqa: E402  (the templates' strings: %-formatted by Jinja)

_KEYWORD_RE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$')
_STRING_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*$')
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
_PLACEHOLDER_RE = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
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


def parse_po(text: str, file: str) -> tuple[list[Entry], list[Problem]]:
    """The entries of a .po file and its syntax problems, each with its line."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    entry: Entry | None = None
    current: str | None = None      # the keyword the next "..." continues
    flags: set[str] = set()

    def finish() -> None:
        nonlocal entry
        if entry is not None:
            if entry.msgid is None:
                problems.append(Problem(file, "msgstr or msgctxt without a msgid before it", line=entry.line))
            elif not entry.msgstr:
                problems.append(Problem(file, "msgid without a msgstr after it", line=entry.line))
            elif entry.msgid_plural is None and set(entry.msgstr) != {-1}:
                problems.append(Problem(file, "msgstr[n] needs a msgid_plural; a single form is "
                                              "written msgstr \"...\"", line=entry.msgstr_line))
            elif entry.msgid_plural is not None and (-1 in entry.msgstr or
                                                     sorted(entry.msgstr) != list(range(len(entry.msgstr)))):
                problems.append(Problem(file, "a plural message needs msgstr[0], msgstr[1], … "
                                              "in order", line=entry.msgstr_line))
            else:
                entries.append(entry)
        entry = None

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r").strip()
        if not line:
            finish()
            current = None
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            # "#~" obsolete entries, "#|" previous msgids, "#:" references, "# " comments: not used.
            continue
        match = _KEYWORD_RE.match(line)
        if match:
            keyword, index, rest = match.group(1), match.group(2), match.group(3)
            base = "msgstr" if keyword.startswith("msgstr") else keyword
            if base in ("msgctxt", "msgid") and entry is not None and (entry.msgstr or (
                    base == "msgctxt" and entry.msgid is not None) or (base == "msgid" and entry.msgid is not None)):
                finish()
            if entry is None:
                entry = Entry(line=number, flags=flags)
                flags = set()
            if base == "msgid":
                entry.line = number
            elif base == "msgid_plural" and entry.msgid is None:
                problems.append(Problem(file, "msgid_plural without a msgid before it", line=number))
            elif base == "msgstr" and entry.msgid is None:
                problems.append(Problem(file, "msgstr without a msgid before it", line=number))
                entry = None
                current = None
                continue
            string = _STRING_RE.match(rest)
            if not string:
                problems.append(Problem(file, f"{keyword} must be followed by a string in double "
                                              "quotes, closed on the same line", line=number))
                value = ""
            else:
                value, problem = _unescape(string.group(1))
                if problem:
                    problems.append(Problem(file, problem, line=number))
            current = keyword if base != "msgstr" else f"msgstr:{-1 if index is None else int(index)}"
            if base == "msgstr":
                slot = -1 if index is None else int(index)
                if slot in entry.msgstr:
                    problems.append(Problem(file, f"{keyword} appears twice in one message", line=number))
                entry.msgstr[slot] = value
                entry.msgstr_line = entry.msgstr_line or number
            elif getattr(entry, base) is not None:
                problems.append(Problem(file, f"{keyword} appears twice in one message", line=number))
            else:
                setattr(entry, base, value)
            continue
        string = _STRING_RE.match(line)
        if string and current is not None and entry is not None:
            value, problem = _unescape(string.group(1))
            if problem:
                problems.append(Problem(file, problem, line=number))
            if current.startswith("msgstr:"):
                slot = int(current.split(":")[1])
                entry.msgstr[slot] += value
            else:
                setattr(entry, current, (getattr(entry, current) or "") + value)
            continue
        if line.startswith('"'):
            reason = ("a string that is not closed on its line (or has an unescaped \")"
                      if current is not None else "a string that belongs to no msgid or msgstr")
        else:
            reason = f"unknown keyword {line.split()[0][:30]!r}; expected msgid, msgstr, msgctxt or a comment"
        problems.append(Problem(file, f"is not a valid .po file: {reason}", line=number))
        current = None
    finish()

    seen: dict[tuple[str | None, str], int] = {}
    for item in entries:
        key = (item.msgctxt, item.msgid or "")
        if key in seen:
            problems.append(Problem(file, f"msgid {shorten(item.msgid or '')!r} appears twice (first "
                                          f"on line {seen[key]})", line=item.line))
        else:
            seen[key] = item.line
    return entries, problems


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
    return Counter(m.group(1) or m.group(0) for m in _PLACEHOLDER_RE.finditer(text)
                   if m.group(0) != "%%")


class _AnyValue(dict):
    def __missing__(self, key):
        return 0


def translation_problems(msgid: str, msgstr: str, formatted: bool = False) -> list[str]:
    """What is wrong with `msgstr` as a translation of `msgid` (empty when fine).

    `formatted`: the string goes through Python's % formatting (the template domain), so a lone
    % is an error there.
    """
    problems = []
    bad = text_problem(msgstr)
    if bad:
        problems.append(bad)
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
    elif formatted:
        try:
            msgstr % _AnyValue()
        except (ValueError, TypeError, KeyError):
            problems.append("is not a valid format string: write a percent sign as %%")
    return problems


def check_text(text: str, file: str, template_domain: bool = False) -> list[Problem]:
    """Every problem of a catalog's text: syntax first; translations only if the syntax is sound."""
    entries, problems = parse_po(text, file)
    if problems:
        return sorted(problems, key=lambda p: p.line or 0)
    for entry in entries:
        if not entry.msgid:
            header = entry.msgstr.get(-1, "")
            charset = _CHARSET_RE.search(header)
            if charset and charset.group(1).lower() not in ("utf-8", "utf8", "charset"):
                problems.append(Problem(file, f"declares charset={charset.group(1)}; a catalog is "
                                              "UTF-8 (charset=UTF-8)", line=entry.msgstr_line))
            continue
        if entry.fuzzy:
            continue  # not used until a translator confirms it
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for slot, msgstr in sorted(entry.msgstr.items()):
            if not msgstr:
                continue
            msgid = sources[min(max(slot, 0), len(sources) - 1)]
            for message in translation_problems(msgid, msgstr, formatted=template_domain):
                problems.append(Problem(file, f"msgstr of {shorten(entry.msgid)!r}: {message}",
                                        line=entry.msgstr_line))
    return problems


def check_file(path: Path, file: str, template_domain: bool = False) -> list[Problem]:
    stat = path.stat()
    return list(_check_file_cached(str(path), stat.st_mtime_ns, stat.st_size, file, template_domain))


@lru_cache(maxsize=256)
def _check_file_cached(path: str, mtime_ns: int, size: int, file: str,
                       template_domain: bool) -> tuple[Problem, ...]:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return (Problem(file, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8", line=line),)
    return tuple(check_text(text, file, template_domain))


def catalog_problems(project, domain: str, lang: str) -> list[Problem]:
    """Problems of translations/<lang>/LC_MESSAGES/<domain>.po ([] when fine or absent)."""
    path = project.translations_dir / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        return []
    return check_file(path, project.rel(path), template_domain=domain == TEMPLATE_DOMAIN)


def check_catalogs(project, lang: str, domains) -> None:
    """Raise a UserError with every problem of the catalogs of `domains` in `lang`."""
    problems: list[Problem] = []
    for domain in domains:
        problems += catalog_problems(project, domain, lang)
    if problems:
        raise UserError(problems)
