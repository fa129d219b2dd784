"""A translation's words as the quality checks and the termbase read them: tokens (words,
numbers, marks), words folded for comparison (case, vowel marks, apostrophes), and a word's stems
without the prefixes its language lets it take (Arabic و، ب، ال)."""

from __future__ import annotations

import re
import unicodedata

from .languages import LanguageTable

_MARKUP = re.compile(r"\]\([^)]*\)|%\(\w+\)s|https?://\S+|\S+@\S+\.\w+|[*_`]")
_JOINERS = "'’ʼ-\u200c\u200d"
_NUMBER_SEPARATORS = ".,:٫٬"


def plain(text: str) -> str:
    """The words a reader sees: link targets, placeholders, addresses and emphasis marks out."""
    return _MARKUP.sub(" ", text)


def tokens(text: str) -> list[tuple[str, str]]:
    """("word" | "number" | "mark", text) in order; a word keeps its inner apostrophes and hyphens,
    a number its inner separators (1,5 and 10:30 are one number each)."""
    found, index, length = [], 0, len(text)
    while index < length:
        char = text[index]
        if unicodedata.category(char)[0] in "LM":
            end = index + 1
            while end < length and (unicodedata.category(text[end])[0] in "LM" or (
                    text[end] in _JOINERS and end + 1 < length
                    and unicodedata.category(text[end + 1])[0] in "LM")):
                end += 1
            found.append(("word", text[index:end]))
        elif unicodedata.decimal(char, None) is not None:
            end = index + 1
            while end < length and (unicodedata.decimal(text[end], None) is not None or (
                    text[end] in _NUMBER_SEPARATORS and end + 1 < length
                    and unicodedata.decimal(text[end + 1], None) is not None)):
                end += 1
            found.append(("number", text[index:end]))
        else:
            end = index + 1
            if not char.isspace():
                found.append(("mark", char))
        index = end
    return found


def fold(word: str, table: LanguageTable) -> str:
    """A word as the checks compare it: NFC, lower case, no vowel marks or tatweel (Arabic), every
    apostrophe the language's own."""
    word = unicodedata.normalize("NFC", word).lower().replace("\u0640", "")
    word = "".join(char for char in word if unicodedata.category(char) != "Mn")
    for mark in "'’ʼ":
        word = word.replace(mark, table.apostrophe)
    return word


def stems(word: str, table: LanguageTable) -> list[str]:
    """The word, then the word without each prefix the language lets it start with (Arabic و، ب،
    ال …), longest prefix first."""
    found = [word]
    for prefix in table.prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            found.append(word[len(prefix):])
    return found


