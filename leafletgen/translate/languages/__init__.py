"""One table per language: its scripts, digits, punctuation, register word list, number words,
units, dates and termbase; the translation quality checks and the character rules read it.

    table = language_table(project, "ar")       # a LanguageTable (UserError if a file is bad)
    table.scripts                 # frozenset({"Arabic"}): the Unicode scripts its words use
    table.foreign_letters(word)   # the letters of `word` in a script the language does not use
    table.foreign_digits(text)    # the digits of `text` in none of its digit sets
    table.numbers                 # number words → Number(value, unit); the Arabic dual has a unit
    table.units                   # what a number counts ("week") → the words that say it
    table.termbase                # (file, bytes) of its termbase, or None
    script_of(char)               # "Latin", "Arabic", …; "Common" for digits and punctuation

Where a table comes from: the packaged one, leafletgen/translate/languages/<lang>.toml, then
translations/<lang>/language.toml of the content folder, whose keys replace the packaged ones
(inside [punctuation], [register], [numbers], [units] and [dates] key by key). A language with
neither gets its script from CLDR and nothing to check beyond it (`known` is False: the checks
say so once rather than fail). Unknown keys are errors: a typo must not switch a check off.
The termbase is translations/<lang>/terms.toml of the content folder, else the tool's own.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ...errors import Problem, UserError
from ...inputs.files import InputFileError, read_file
from ...inputs.project import PACKAGE_ROOT, SOURCE_LANGUAGE, Project, shipped_root

PACKAGED = Path(__file__).resolve().parent
TABLE_MAX_BYTES = 256 * 1024
LANGUAGE_FILE = "language.toml"      # translations/<lang>/language.toml: a content folder's own
TERMBASE_FILE = "terms.toml"         # translations/<lang>/terms.toml: the termbase

# The first word of a letter's Unicode name → its script, where the two differ.
_SCRIPT_WORDS = {"CJK": "Han", "MODIFIER": "Common", "COMBINING": "Inherited",
                 "MICRO": "Common", "FEMININE": "Latin", "MASCULINE": "Latin"}   # µ, ª, º


def script_of(char: str) -> str:
    """The Unicode script of a letter or mark ("Latin", "Cyrillic", "Arabic", "Ethiopic", …),
    from its character name; "Common" for anything else (digits, punctuation, spaces)."""
    category = unicodedata.category(char)
    if category[0] not in "LM":
        return "Common"
    word = unicodedata.name(char, "COMMON").split(" ")[0]
    if word in _SCRIPT_WORDS:
        return _SCRIPT_WORDS[word]
    if category[0] == "M" and word not in _KNOWN_SCRIPT_WORDS:
        return "Inherited"
    return word.split("-")[0].capitalize()


_KNOWN_SCRIPT_WORDS = frozenset({"LATIN", "CYRILLIC", "ARABIC", "GREEK", "HEBREW", "ETHIOPIC",
                                 "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "TAMIL", "THAI",
                                 "ARMENIAN", "GEORGIAN", "SYRIAC", "THAANA", "TIFINAGH"})


@dataclass(frozen=True)
class Number:
    value: int
    unit: str | None = None     # what it counts, for a word that says both (the Arabic dual)


@dataclass(frozen=True)
class Punctuation:
    quotes: tuple[str, ...] = ()         # pairs of opening and closing quotation marks
    comma: str = ","                     # the language's own; a Latin "," is a finding if not ","
    question: str = "?"
    semicolon: str = ";"
    space_before: str = ""               # marks that take a (no-break) space before them
    space_after: str = ""                # marks that take one after them
    inverted: tuple[str, ...] = ()       # "¿?": a sentence ending in ? opens with ¿


@dataclass(frozen=True, eq=False)      # one object per table read: compared (and cached) by identity
class LanguageTable:
    lang: str
    known: bool                          # a table was found (packaged or the content folder's)
    scripts: frozenset[str]
    digits: tuple[str, ...] = ("0123456789",)
    apostrophe: str = "’"                # the apostrophe inside a word; ' and ’ read as it
    prefixes: tuple[str, ...] = ()       # letters a word may start with that are not part of it
    latin_words: frozenset[str] = frozenset()   # Latin words a non-Latin text may keep ("mg")
    punctuation: Punctuation = Punctuation()
    informal: tuple[str, ...] = ()       # forms of an informal "you" (whole words)
    numbers: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    units: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    months: tuple[str, ...] = ()         # month names for dates, where Babel's are not enough
    first_day: str = ""                  # how the first day of a month is written ("1er")
    termbase: tuple[str, bytes] | None = None
    files: tuple[str, ...] = ()          # where it was read from, as shown to the user

    @property
    def latin(self) -> bool:
        return "Latin" in self.scripts

    def allows_letter(self, char: str) -> bool:
        return script_of(char) in self.scripts | {"Common", "Inherited"}

    def foreign_letters(self, word: str) -> list[str]:
        """The letters of `word` in a script the language does not use (a Cyrillic С in a Dutch
        word, a Latin o in an Arabic one), in order."""
        return [char for char in word if not self.allows_letter(char)]

    def allows_digit(self, char: str) -> bool:
        return any(char in digits for digits in self.digits)

    def foreign_digits(self, text: str) -> list[str]:
        """The digits of `text` that are in none of the language's digit sets (full-width ones,
        another script's)."""
        return [char for char in text if unicodedata.decimal(char, None) is not None
                and not self.allows_digit(char)]


def language_table(project: Project | None, lang: str) -> LanguageTable:
    """The table of `lang`: packaged, with the content folder's translations/<lang>/language.toml
    over it (see the module docstring). The content folder's files are read as inputs
    (Project.read: for a document, its bundle's reading); a table is made once per content."""
    project = project if project is not None else Project(PACKAGE_ROOT)
    own = f"translations/{lang}/{LANGUAGE_FILE}"
    try:
        data: bytes | None = project.read(own, TABLE_MAX_BYTES)
    except InputFileError as exc:
        if exc.kind not in ("too large", "unreadable"):
            data = None      # none, or not a file of its own (a link): the packaged table alone
        else:
            raise UserError(Problem(own, exc.reason)) from None
    return _with_termbase(_table(lang, data), project, lang)


@lru_cache(maxsize=64)
def _table(lang: str, own_data: bytes | None) -> LanguageTable:
    layers: list[tuple[str, dict]] = []
    packaged = PACKAGED / f"{lang}.toml"
    if packaged.is_file():
        shown = f"leafletgen/translate/languages/{lang}.toml"
        layers.append((shown, _load(packaged.read_bytes(), shown)))
    own = f"translations/{lang}/{LANGUAGE_FILE}"
    if own_data is not None:
        layers.append((own, _load(own_data, own)))
    merged: dict = {}
    for _, data in layers:
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return _build(lang, merged, bool(layers), tuple(file for file, _ in layers))


def _texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


def _digit_sets(value) -> bool:
    return _texts(value) and all(len(digits) == 10 and [unicodedata.decimal(c, None) for c in digits]
                                 == list(range(10)) for digits in value)


def _pairs(value) -> bool:
    return _texts(value) and all(len(pair) == 2 for pair in value)


def _number(value) -> bool:
    if isinstance(value, dict):
        return set(value) <= {"value", "unit"} and isinstance(value.get("unit", ""), str) \
            and _number(value.get("value"))
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1000


# Every key a table may have: (is it right?, what it must be). [numbers] and [units] have words
# of the language as keys: their values are checked.
_TEXTS = (_texts, "a list of texts")
_TEXT = (lambda value: isinstance(value, str), "a text")
_KEYS = {
    "scripts": _TEXTS, "prefixes": _TEXTS, "latin_words": _TEXTS,
    "digits": (_digit_sets, 'a list of digit sets, each the ten digits of one script ("0123456789")'),
    "apostrophe": (lambda value: isinstance(value, str) and len(value) == 1, "one character"),
    "punctuation.quotes": (_pairs, 'a list of pairs of quotation marks ("«»")'),
    "punctuation.inverted": (_pairs, 'a list of pairs ("¿?")'),
    "punctuation.comma": _TEXT, "punctuation.question": _TEXT, "punctuation.semicolon": _TEXT,
    "punctuation.space_before": _TEXT, "punctuation.space_after": _TEXT,
    "register.informal": (_texts, "a list of words"),
    "dates.months": (lambda value: _texts(value) and len(value) == 12, "a list of the twelve month names"),
    "dates.first_day": _TEXT,
}
_WORD_TABLES = {"numbers": (_number, 'a whole number, or { value = 2, unit = "week" }'),
                "units": (_texts, "a list of words")}
_SECTIONS = {key.split(".")[0] for key in _KEYS if "." in key} | set(_WORD_TABLES)


def _load(data: bytes, file: str) -> dict:
    """A table's TOML, checked: every problem at once, as a UserError."""
    try:
        values = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(Problem(file, f"is not valid TOML: {exc}")) from None
    problems = []
    for key, value in _flat(values):
        name = key.split(".")[0]
        if key in _SECTIONS:
            problems.append(Problem(file, f"must be a table ([{key}])", field=key))
            continue
        rule = _KEYS.get(key) or (_WORD_TABLES.get(name) if name in _WORD_TABLES and "." in key else None)
        if rule is None:
            allowed = sorted({k.split(".")[0] for k in list(_KEYS) + list(_WORD_TABLES)} if "." not in key
                             else {k.split(".")[1] for k in _KEYS if k.startswith(name + ".")})
            problems.append(Problem(file, "unknown key; allowed keys are: " + ", ".join(allowed), field=key))
        elif not rule[0](value):
            problems.append(Problem(file, f"must be {rule[1]}", field=key))
    if problems:
        raise UserError(problems)
    return values


def _flat(values: dict):
    """(key, value) of a table's entries, a section's as "section.key"; a section that is not a
    table is one entry (and refused)."""
    for key, value in values.items():
        if key in _SECTIONS and isinstance(value, dict):
            for inner, item in value.items():
                yield f"{key}.{inner}", item
        else:
            yield key, value


def _build(lang: str, data: dict, known: bool, files: tuple[str, ...]) -> LanguageTable:
    punctuation = data.get("punctuation", {})
    numbers = {}
    for word, number in data.get("numbers", {}).items():
        numbers[_fold(word, data.get("apostrophe", "’"))] = (
            Number(number["value"], number.get("unit") or None) if isinstance(number, dict)
            else Number(number))
    return LanguageTable(
        lang=lang, known=known,
        scripts=frozenset(data["scripts"]) if "scripts" in data else _cldr_scripts(lang),
        digits=tuple(data.get("digits", ("0123456789",))),
        apostrophe=data.get("apostrophe", "’"),
        prefixes=tuple(sorted(data.get("prefixes", ()), key=len, reverse=True)),
        latin_words=frozenset(word.lower() for word in data.get("latin_words", ())),
        punctuation=Punctuation(
            quotes=tuple(punctuation.get("quotes", ())), comma=punctuation.get("comma", ","),
            question=punctuation.get("question", "?"), semicolon=punctuation.get("semicolon", ";"),
            space_before=punctuation.get("space_before", ""),
            space_after=punctuation.get("space_after", ""),
            inverted=tuple(punctuation.get("inverted", ()))),
        informal=tuple(data.get("register", {}).get("informal", ())),
        numbers=MappingProxyType(numbers),
        units=MappingProxyType({unit: tuple(words) for unit, words in data.get("units", {}).items()}),
        months=tuple(data.get("dates", {}).get("months", ())),
        first_day=data.get("dates", {}).get("first_day", ""),
        files=files)


def _fold(text: str, apostrophe: str = "’") -> str:
    """A word as the checks compare it: lower case, NFC, every apostrophe the language's own."""
    text = unicodedata.normalize("NFC", text).lower()
    for mark in ("'", "’", "ʼ"):
        text = text.replace(mark, apostrophe)
    return text


@lru_cache(maxsize=64)
def _cldr_scripts(lang: str) -> frozenset[str]:
    """The script CLDR's likely subtags give a language ("ti" → Ethiopic), Latin if unknown."""
    from babel.core import get_global

    likely = get_global("likely_subtags").get(lang.split("_")[0], "")
    codes = {"Latn": "Latin", "Cyrl": "Cyrillic", "Arab": "Arabic", "Ethi": "Ethiopic",
             "Grek": "Greek", "Hebr": "Hebrew", "Deva": "Devanagari", "Beng": "Bengali",
             "Thai": "Thai", "Armn": "Armenian", "Geor": "Georgian", "Taml": "Tamil",
             "Guru": "Gurmukhi", "Gujr": "Gujarati", "Syrc": "Syriac", "Thaa": "Thaana",
             "Tfng": "Tifinagh", "Hans": "Han", "Hant": "Han"}
    parts = likely.split("_")
    return frozenset({codes.get(parts[1], "Latin") if len(parts) > 1 else "Latin"})


def own_translations() -> Path:
    """leafletgen's own translations/ folder, whose termbases are the defaults: the checkout's,
    or the copy a wheel ships in leafletgen/shipped/ (inputs.project.shipped_root)."""
    return shipped_root() / "translations"


def _with_termbase(table: LanguageTable, project: Project, lang: str) -> LanguageTable:
    """The termbase: the content folder's translations/<lang>/terms.toml, else the tool's own."""
    own = f"translations/{lang}/{TERMBASE_FILE}"
    readers = ((lambda: project.read(own, TABLE_MAX_BYTES), own),
               (lambda: read_file(own_translations(), f"{lang}/{TERMBASE_FILE}", TABLE_MAX_BYTES),
                f"{own} (leafletgen's own)"))
    for read, shown in readers:
        try:
            data = read()
        except InputFileError as exc:
            if exc.missing:
                continue
            raise UserError(Problem(shown, exc.reason)) from None
        if project.uses_default(own):       # read in the folder's place (inputs.project.DEFAULTS)
            shown = f"{own} (leafletgen's own)"
        return _with(table, shown, data)
    return table


@lru_cache(maxsize=64)
def _with(table: LanguageTable, shown: str, data: bytes) -> LanguageTable:
    """`table` with its termbase (one object per table and termbase: tables compare by identity)."""
    from dataclasses import replace

    return replace(table, termbase=(shown, data))


def source_table(project: Project | None) -> LanguageTable:
    """The table of the language the leaflets are written in."""
    return language_table(project, SOURCE_LANGUAGE)
