"""Quality checks of a translation against its Dutch, unit by unit: numbers and what they count,
the termbase, the register, the language's punctuation, Latin words left in a non-Latin script,
and length. They find what a reviewer should look at: warnings (errors with --strict), never a
reason to refuse a catalog (catalog_checks does that).

    findings = catalog_findings(project, domain, lang)   # [Finding], in the catalog's order
    finding.message                # ("msgstr", "number_missing", {"value": "2"})
    str(finding)                   # one line in English, naming file, line, language, unit

What each check reads is the language's table (translate.languages) and its termbase
(translate.termbase). Numbers: digits in any of the language's digit sets and number words up to
twenty are values; the word after a number says what it counts ("weken", "mg"). Every value of
the Dutch must be in the translation, counting the same thing where the Dutch says what; a value
the Dutch has not is a finding too (a dose added). A language whose table has no number words
has its digits compared only, with one finding that says so (a warning, never a failure).
Written here rather than with translate-toolkit's pofilter: its checks are English-centred
(number words, units, the Arabic dual and scripts are not in it) and it would be a heavy
dependency for the main job and the web app.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .catalog_checks import PLAIN_TEXT_DOMAINS, read_catalog_bytes
from ..errors import Message, Problem, UserError, shorten
from ..inputs.files import InputFileError, file_stat
from .catalogs import known_language
from .po_syntax import parse_po
from ..inputs.project import SOURCE_LANGUAGE, Project, catalog_file
from .languages import LanguageTable, language_table, script_of
from .termbase import Termbase, load_termbase, term_findings
from .words import fold, plain, stems, tokens

LENGTH_RATIO = (0.5, 2.0)     # a translation under half or over twice its source's characters
# ... for a unit of at least this many characters: a shorter one (a title, a few words) is as long
# as one compound word makes it ("Vaker rugklachten gehad", "Lage rugklachten").
LENGTH_MIN_CHARACTERS = 25

# What each finding says, in English (the web app says it in Dutch and English from the code).
MESSAGES = {
    "number_missing": "the Dutch has the number {value}; the translation has not",
    "number_added": "the translation has the number {value}; the Dutch has not",
    "unit_missing": "the Dutch has {value} {measure}; the translation has {value} of something else",
    "numbers_unchecked": "the language table of {lang} has no number words: only digits compared "
                         "(add [numbers] to its language.toml)",
    "units_unchecked": "the language table of {lang} has no words for {measure}: what {value} counts "
                       "is not compared (add them to [units] in its language.toml)",
    "foreign_digits": "digits of another script: {digits} (this language writes {allowed})",
    "term_missing": "the termbase says {term!r} is {required}; the translation has none of it",
    "term_forbidden": "the termbase says {term!r} is not {found!r}, which the translation has "
                      "(use {required})",
    "register": "informal address: {words} (this language's leaflets address the reader politely)",
    "punctuation": "{found!r} where this language writes {expected!r}",
    "space_before": "no space before {mark!r} (this language puts a no-break space there)",
    "space_after": "no space after {mark!r} (this language puts a no-break space there)",
    "inverted": "{closing!r} without its opening {opening!r}",
    "straight_quote": "a straight quotation mark {found!r}; this language uses {expected}",
    "quotes": "quotation mark {found!r} is not this language's ({expected})",
    "latin_words": "Latin letters left in the translation (written in {script}): {words}",
    "length": "{length} characters for the Dutch's {source}: {ratio}× its length (expected "
              "between {low}× and {high}×)",
}


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer should look at in one unit of one catalog."""

    file: str
    line: int | None
    lang: str
    domain: str
    unit: str                       # the unit's Dutch text
    code: str
    params: tuple = ()              # ((name, value), …): plain strings

    @property
    def message(self) -> tuple[str, str, dict]:
        """(field, code, params): what the web app translates, and tests compare."""
        return ("msgstr", self.code, dict(self.params))

    def problem(self) -> Problem:
        """The finding as any input problem is told (errors.Problem): the web app words its code
        and params, with `unit` the start of the Dutch text."""
        params = dict(self.params)
        return Problem(self.file, Message(self.code, english(self.code, params), unit=shorten(self.unit, 40),
                                          **params), line=self.line)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (f"{where}: {self.lang}, {self.domain}, unit {shorten(self.unit, 50)!r}: "
                f"{english(self.code, dict(self.params))}")


ONCE_PER_CATALOG = frozenset({"numbers_unchecked", "units_unchecked"})

# What a number counts, as the English messages say it ("2 weeks").
_UNIT_WORDS = {"minute": "minutes", "hour": "hours", "day": "days", "week": "weeks", "month": "months",
               "year": "years", "times": "times", "percent": "per cent"}


def english(code: str, params: dict) -> str:
    """A finding in English, as the command line prints it."""
    if "measure" in params:
        params = {**params, "measure": _UNIT_WORDS.get(params["measure"], params["measure"])}
    return MESSAGES[code].format(**params)


@dataclass(frozen=True)
class Quantity:
    value: str                 # its digits in ASCII, groups joined by "." ("1.5" for 1,5 and 1.5)
    unit: str | None           # what it counts ("week"), when the next word says so
    word: bool = False         # written as a word ("twee"), not in digits


def _value(number: str) -> str:
    groups = re.split(r"[^\d]", "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None)
                                         is not None else "." for c in number))
    return ".".join(group.lstrip("0") or "0" for group in groups if group)


def _unit_of(word: str, table: LanguageTable) -> str | None:
    for candidate in stems(fold(word, table), table):
        for unit, forms in table.units.items():
            for form in forms:
                form = fold(form, table)
                if (form.endswith("*") and candidate.startswith(form[:-1])) or candidate == form:
                    return unit
    return None


def quantities(text: str, table: LanguageTable) -> list[Quantity]:
    """Every number of `text`, as digits or as a number word, with what it counts."""
    items = tokens(plain(text))
    words = {tuple(fold(word, table).split()): number for word, number in table.numbers.items()}
    longest = max((len(key) for key in words), default=1)
    found = []
    index = 0
    while index < len(items):
        kind, here = items[index]
        number, used = (None, 1) if kind != "word" else _number_word(items, index, words, longest, table)
        if kind == "number" or number is not None:
            value = _value(here) if kind == "number" else str(number.value)
            unit = number.unit if number is not None and number.unit else \
                _counted(items[index + used:index + used + 2], table)
            found.append(Quantity(value, unit, kind == "word"))
        index += used
    return found


def _number_word(items: list, index: int, words: dict, longest: int, table: LanguageTable):
    """(the Number of the number word starting at items[index], how many words it takes), or
    (None, 1): the longest match first ("on iki" before "on"), a word after its prefixes."""
    for size in range(longest, 0, -1):
        run = items[index:index + size]
        if len(run) < size or any(kind != "word" for kind, _ in run):
            continue
        folded = tuple(fold(word, table) for _, word in run)
        number = words.get(folded)
        if number is None and size == 1:
            number = next((words[(stem,)] for stem in stems(folded[0], table)[1:] if (stem,) in words), None)
        if number is not None:
            return number, size
    return None, 1


def _counted(following: list, table: LanguageTable) -> str | None:
    """What a number counts, from the one or two tokens after it ("weken", "%", "per cent")."""
    if not following or following[0][0] not in ("word", "mark"):
        return None
    unit = _unit_of(following[0][1], table)
    if unit is None and len(following) == 2 and following[0][0] == "word":
        unit = _unit_of(f"{following[0][1]} {following[1][1]}", table)
    return unit


# ---- The checks --------------------------------------------------------------------------------

def number_findings(msgid: str, msgstr: str, source: LanguageTable,
                    table: LanguageTable) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []
    dutch = quantities(msgid, source)
    if not table.numbers and any(q.word for q in dutch):
        # No number words known: the Dutch's words cannot be looked for, its digits can.
        found.append(("numbers_unchecked", {"lang": table.lang}))
        dutch = [q for q in dutch if not q.word]
    translated = quantities(msgstr, table)
    wanted, given = Counter(q.value for q in dutch), Counter(q.value for q in translated)
    found += [("number_missing", {"value": value}) for value in sorted(wanted - given)]
    found += [("number_added", {"value": value}) for value in sorted(given - wanted)]
    counted = Counter((q.value, q.unit) for q in translated)
    for (value, unit), count in sorted(Counter((q.value, q.unit) for q in dutch if q.unit).items()):
        if value not in given:
            continue                      # missing altogether: said once above
        if unit not in table.units:
            found.append(("units_unchecked", {"lang": table.lang, "measure": unit, "value": value}))
        elif counted[value, unit] < count:
            found.append(("unit_missing", {"value": value, "measure": unit}))
    foreign = table.foreign_digits(plain(msgstr))
    if foreign:
        found.append(("foreign_digits", {"digits": "".join(dict.fromkeys(foreign)),
                                         "allowed": " or ".join(d[:1] + "–" + d[-1:] for d in table.digits)}))
    return found


def register_findings(msgstr: str, table: LanguageTable) -> list[tuple[str, dict]]:
    informal = {fold(word, table) for word in table.informal}
    words = [word for kind, word in tokens(plain(msgstr)) if kind == "word" and fold(word, table) in informal]
    return [("register", {"words": ", ".join(dict.fromkeys(words))})] if words else []


_QUOTES = "\"„“”‘’‚«»‹›「」"


def punctuation_findings(msgstr: str, table: LanguageTable) -> list[tuple[str, dict]]:
    rules, text, found = table.punctuation, plain(msgstr), []
    for latin, own in ((",", rules.comma), ("?", rules.question), (";", rules.semicolon)):
        if own != latin and re.search(rf"{re.escape(latin)}(?!\d)", text):
            found.append(("punctuation", {"found": latin, "expected": own}))
    for mark in rules.space_before:
        # ":" in a time (10:30) or an address (https:) is not the punctuation mark
        if re.search(rf"(?<![\s\u00a0\u202f]){re.escape(mark)}(?![\d/])", text):
            found.append(("space_before", {"mark": mark}))
    for mark in rules.space_after:
        if re.search(rf"{re.escape(mark)}(?![\s\u00a0\u202f])", text):
            found.append(("space_after", {"mark": mark}))
    for opening, closing in rules.inverted:
        if text.count(closing) > text.count(opening):
            found.append(("inverted", {"opening": opening, "closing": closing}))
    if rules.quotes:
        expected = " ".join(rules.quotes)
        if '"' in text:
            found.append(("straight_quote", {"found": '"', "expected": expected}))
        allowed = set("".join(rules.quotes))
        for index, char in enumerate(text):
            if char not in _QUOTES or char == '"' or char in allowed:
                continue
            between_letters = 0 < index < len(text) - 1 and text[index - 1].isalpha() and text[index + 1].isalpha()
            if char in "’'" and between_letters:
                continue                  # an apostrophe
            found.append(("quotes", {"found": char, "expected": expected}))
            break
    return found


def latin_findings(msgstr: str, table: LanguageTable) -> list[tuple[str, dict]]:
    """Latin words in a language not written in Latin letters ("(core stability)" in Arabic); a
    code or an identifier beside digits is not a word."""
    if table.latin:
        return []
    words = [word for kind, word in tokens(plain(msgstr)) if kind == "word" and len(word) >= 2
             and all(script_of(c) in ("Latin", "Common") for c in word)
             and word.lower() not in table.latin_words]
    # A code or an identifier (a word against a digit or an underscore) is not a word.
    words = [w for w in words if not re.search(rf"(\d|_){re.escape(w)}|{re.escape(w)}(\d|_)", msgstr)]
    if not words:
        return []
    script = " and ".join(sorted(table.scripts))
    return [("latin_words", {"script": script, "words": " ".join(dict.fromkeys(words))})]


def length_findings(msgid: str, msgstr: str) -> list[tuple[str, dict]]:
    source, length = len(plain(msgid).strip()), len(plain(msgstr).strip())
    if source < LENGTH_MIN_CHARACTERS:
        return []
    ratio = length / source
    low, high = LENGTH_RATIO
    if low <= ratio <= high:
        return []
    return [("length", {"length": str(length), "source": str(source), "ratio": f"{ratio:.2f}",
                        "low": f"{low:g}", "high": f"{high:g}"})]


def unit_findings(msgid: str, msgstr: str, source: LanguageTable, table: LanguageTable,
                  terms: Termbase) -> list[tuple[str, dict]]:
    """Every finding of one unit: (code, params)."""
    return (number_findings(msgid, msgstr, source, table) + term_findings(msgid, msgstr, terms, table, source)
            + register_findings(msgstr, table) + punctuation_findings(msgstr, table)
            + latin_findings(msgstr, table) + length_findings(msgid, msgstr))


# ---- A catalog ---------------------------------------------------------------------------------

def catalog_findings(project: Project, domain: str, lang: str) -> list[Finding]:
    """The findings of translations/<lang>/LC_MESSAGES/<domain>.po, every unit that is used (not
    fuzzy, not empty); [] when there is none. Cached while the catalog and the tables are
    unchanged. A catalog the build refuses is reported by its checks, not here."""
    if lang == SOURCE_LANGUAGE or domain in PLAIN_TEXT_DOMAINS or not known_language(lang):
        return []       # a language Babel does not know: its catalogs are refused, said elsewhere
    relative = catalog_file(domain, lang)
    try:
        info = file_stat(project.root, relative)
    except InputFileError:
        return []
    table, source = language_table(project, lang), language_table(project, SOURCE_LANGUAGE)
    return list(_cached(str(project.root), domain, lang, (info.st_ino, info.st_mtime_ns, info.st_size),
                        table, source))


@lru_cache(maxsize=128)
def _cached(root: str, domain: str, lang: str, stamp: tuple, table: LanguageTable,
            source: LanguageTable) -> tuple[Finding, ...]:
    relative = catalog_file(domain, lang)
    try:
        text = read_catalog_bytes(Path(root), relative).decode("utf-8-sig")
    except (UserError, UnicodeDecodeError):
        return ()
    return tuple(text_findings(text, relative, domain, lang, table, source))


def text_findings(text: str, file: str, domain: str, lang: str, table: LanguageTable,
                  source: LanguageTable) -> list[Finding]:
    """The findings of a catalog's text (an upload before it is saved, or a file)."""
    entries, problems = parse_po(text, file)
    if problems:
        return []
    terms = load_termbase(table)
    findings = []
    said = set()        # what the language's table lacks is said once per catalog
    for entry in entries:
        if not entry.msgid or entry.fuzzy:
            continue
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        seen = set()
        for slot, msgstr in sorted(entry.msgstr.items()):
            if not msgstr:
                continue
            msgid = sources[min(max(slot, 0), len(sources) - 1)]
            for code, params in unit_findings(msgid, msgstr, source, table, terms):
                key = (code, tuple(sorted(params.items())))
                if key in seen or key in said:
                    continue
                seen.add(key)
                if code in ONCE_PER_CATALOG:
                    said.add(key)
                findings.append(Finding(file, entry.msgstr_line, lang, domain, entry.msgid, code,
                                        tuple(sorted(params.items()))))
    return findings
