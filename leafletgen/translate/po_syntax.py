"""The syntax of a .po file, read line by line: its entries, and every syntax problem at its line.

Babel's reader is lenient (an unterminated string or `msgstr x` reads as an empty translation,
silently), so a catalog is read here first; catalog_checks.py then checks what it says. Obsolete
(`#~`) lines are read as Babel reads them: a `#~ msgid` starts an obsolete entry (the flags just
before it are its own), and any other `#~` line that would continue a live entry is refused, since
Babel appends it to that entry (`#~ " [link](…)"` after a msgstr adds a link to the translation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Message, Problem, shorten

_KEYWORD_RE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$')
_STRING_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*$')
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
# A placeholder is %(name)s and nothing else: "50 % minder" is text, not a format.


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
        self.obsolete = False                # inside an obsolete (#~) entry

    def problem(self, message: str, line: int | None) -> None:
        self.problems.append(Problem(self.file, Message("po_syntax", message), line=line))

    def read(self, text: str) -> None:
        for number, raw in enumerate(text.split("\n"), 1):
            line = raw.rstrip("\r").strip()
            if not line:
                self.finish()
                self.current = None
            elif line.startswith("#~"):
                self.obsolete_line(line[2:].strip(), number)
            elif line.startswith("#"):
                self.comment(line, number)
            elif _KEYWORD_RE.match(line):
                self.keyword(_KEYWORD_RE.match(line), number)
            elif _STRING_RE.match(line) and self.current is not None and self.entry is not None:
                value = self.string(_STRING_RE.match(line), number, "")
                self.entry.pieces.setdefault(self.current, []).append((number, value))
            else:
                self.not_po(line, number)
        self.finish()
        self.duplicates()

    def comment(self, line: str, number: int) -> None:
        """A comment ends the entry before it in Babel's reader (a msgid it cuts from its msgstr
        is refused); "#," flags belong to the entry that follows. "#|" previous msgids, "#:"
        references, "#." and "# " comments are not used."""
        if self.entry is not None and self.entry.msgid is not None and not self.entry.msgstr:
            self.problem("a comment between a msgid and its msgstr; Babel ends the message there",
                         number)
        self.finish()
        self.current, self.obsolete = None, False
        if line.startswith("#,"):
            self.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}

    def obsolete_line(self, rest: str, number: int) -> None:
        """A "#~" line, as Babel reads it: `#~ msgid` (or msgctxt) starts an obsolete entry, which
        takes the flags before it; its msgstr and "..." lines continue it. Anywhere else Babel
        appends the line to the live entry before it, so it is refused."""
        if not rest:
            return
        if re.match(r"(msgid|msgctxt)(\s|$)", rest):
            self.finish()
            self.current, self.flags, self.obsolete = None, set(), True
        elif not self.obsolete:
            self.problem("an obsolete (#~) line that is not part of an obsolete entry: Babel reads "
                         "it as part of the message before it; remove it, or start the obsolete "
                         "entry with '#~ msgid'", number)

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
        self.obsolete = False
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
