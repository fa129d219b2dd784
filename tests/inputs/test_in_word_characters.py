"""A soft hyphen and the zero-width (non-)joiners are allowed only between two letters: the
character before AND the one after must be a letter, on each side on its own."""

from __future__ import annotations

import pytest

from leafletgen.inputs.characters import IN_WORD_ONLY, bad_characters, text_problem

NAMES = {"\u00ad": "soft hyphen", "\u200c": "zero-width non-joiner", "\u200d": "zero-width joiner"}


@pytest.mark.parametrize("char", IN_WORD_ONLY, ids=NAMES.get)
@pytest.mark.parametrize("before, after", [
    ("vitamine", "12"),          # a letter before, a digit after
    ("12", "mg"),                # a digit before, a letter after
    ("10", "000"),               # digits on both sides
    ("", "mg"),                  # nothing before
    ("mg", ""),                  # nothing after
    ("neem ", "mg"),             # a space before
    ("neem", " mg"),             # a space after
    ("neem", ". Twee"),          # punctuation after
    ("(", "twee"),               # punctuation before
])
def test_refused_unless_between_two_letters(char, before, after):
    text = before + char + after
    assert bad_characters(text) == [char], repr(text)
    assert text_problem(text) is not None


@pytest.mark.parametrize("char", IN_WORD_ONLY, ids=NAMES.get)
def test_allowed_between_two_letters(char):
    assert bad_characters(f"vita{char}mine") == []
    assert bad_characters(f"\u0645\u06cc{char}\u062e\u0648") == []    # Persian letters


def test_the_dose_that_started_it():
    assert text_problem("vitamine\u00ad12") is not None
