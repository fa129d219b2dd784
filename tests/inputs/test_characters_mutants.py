"""What a refusal of a character says, and where: the kind of character named (control, invisible,
direction-changing), at most three named, newlines refused only where asked, and a line with a
misplaced soft hyphen alone reported; a digit or letter of another script named with its word and
the language's own, by line and field (found by mutation testing, docs/development.md)."""

from __future__ import annotations

from types import SimpleNamespace

from leafletgen.errors import Problem
from leafletgen.inputs.characters import (bad_characters, describe, leaflet_script_problems, line_problems,
                                          printable, script_line_problems, script_problem, text_problem)
from leafletgen.translate.languages import LanguageTable, language_table


def test_a_control_character_is_not_called_invisible():
    message = text_problem("dosis\x1b1")
    assert "U+001B (control character)" in message
    assert "cannot be printed" in message and "invisible" not in message and "direction" not in message


def test_a_zero_width_space_is_called_invisible():
    message = text_problem("do\u200bsis")
    assert "U+200B (ZERO WIDTH SPACE)" in message
    assert "invisible" in message and "cannot be printed" not in message


def test_a_direction_mark_says_it_changes_the_direction():
    message = text_problem("1 \u202e2 3")
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in message and "direction of the text" in message


def test_a_control_and_an_invisible_character_together():
    message = text_problem("a\x1bb\u200bc")
    assert "cannot be printed or are invisible" in message


def test_names_at_most_three():
    three = text_problem("a\x01b\x02c\x03d")
    assert all(f"U+000{n}" in three for n in (1, 2, 3)) and "…" not in three
    four = text_problem("a\x01b\x02c\x03d\x04e")
    assert all(f"U+000{n}" in four for n in (1, 2, 3)) and "U+0004" not in four and "…" in four


def test_newlines_refused_only_when_asked():
    assert text_problem("eerste\nregel") is None
    assert text_problem("eerste\r\nregel") is None
    assert "U+000A" in text_problem("eerste\nregel", allow_newline=False)
    assert "U+000D" in text_problem("eerste\rregel", allow_newline=False)


def test_a_line_with_only_a_misplaced_soft_hyphen():
    [(number, message)] = line_problems("vitamine B\nvitamine\u00ad12\n")
    assert number == 2 and "U+00AD" in message and "between two letters" in message


def test_a_misplaced_joiner_after_a_windows_line_end():
    assert [number for number, _ in line_problems("goed\r\n\u200dmg\r\n")] == [2]
    assert line_problems("vita\u00admine\r\n") == []


def test_describe_a_character_without_a_name():
    assert describe("\x00") == "U+0000 (control character)"
    assert describe("\U000e0fff") == "U+E0FFF (unassigned)"


def test_printable_shows_what_is_refused_as_escapes():
    assert printable("a\x1bb\nc\u00e9") == "a\\u001bb\\u000ac\u00e9"


def test_the_four_messages_in_full():
    """The command line prints these as they are (tests of the CLI check exact output)."""
    assert text_problem("a\x1bb") == (
        "contains characters that cannot be printed: U+001B (control character); remove them")
    assert text_problem("1 \u202e2") == (
        "contains invisible or direction-changing characters: U+202E (RIGHT-TO-LEFT OVERRIDE); remove them "
        "(they change the direction of the text around them, so numbers and words can be shown in another "
        "order than written)")
    assert text_problem("a\u200bb") == (
        "contains invisible or direction-changing characters: U+200B (ZERO WIDTH SPACE); remove them "
        "(they are invisible, so what is printed differs from what was checked)")
    assert text_problem("10\u00ad000") == (
        "contains invisible or direction-changing characters: U+00AD (SOFT HYPHEN); remove them "
        "(a soft hyphen or zero-width joiner is allowed only inside a word, between two letters)")
    assert text_problem("a\x1bb\u200bc") == (
        "contains characters that cannot be printed or are invisible: U+001B (control character), "
        "U+200B (ZERO WIDTH SPACE); remove them (they are invisible, so what is printed differs from what "
        "was checked)")


def test_bad_characters_in_order_of_appearance():
    assert bad_characters("eerste\nregel\r") == []
    assert bad_characters("a\x01 \u263a\ufe0e\ufe0f b\x01 \x02") == ["\x01", "\ufe0f", "\x02"]
    assert bad_characters("\x02 a\ufe0e\ufe0e\ufe0e", allow_newline=False) == ["\x02", "\ufe0e"]
    assert bad_characters("\x01 10\u00ad000 \x02 a\u200d") == ["\x01", "\u00ad", "\x02", "\u200d"]


def test_more_than_three_end_in_an_ellipsis():
    assert text_problem("a\x01b\x02c\x03d\x04e") == (
        "contains characters that cannot be printed: U+0001 (control character), U+0002 (control character), "
        "U+0003 (control character), …; remove them")


def test_an_overlay_mark_is_refused_with_the_whole_reason():
    assert text_problem("2\u20e0") == (
        "contains combining marks that strike through or enclose the character before them: "
        "U+20E0 (COMBINING ENCLOSING CIRCLE BACKSLASH); remove them (a struck-through word or a "
        "boxed digit reads otherwise than the text says)")


def test_foreign_digits_are_named_three_at_most_in_order_with_the_digits_to_write():
    arabic = language_table(None, "ar")
    message = script_problem("\u06f4 \uff13 \u06f4 \u0969 \u06f5 ٣ 3", arabic)    # Persian, full-width, Devanagari
    named = [describe(char) for char in "\u06f4\uff13\u0969"]
    assert message.startswith("has digits this language does not write: " + ", ".join(named) + ";")
    assert describe("\u06f5") not in message and "U+0663" not in message and "U+0033" not in message
    assert message.endswith("; write 0–9 or ٠–٩")


def test_a_foreign_letter_is_named_first_in_its_word_with_the_languages_scripts():
    table = LanguageTable("xx", True, frozenset({"Greek", "Cyrillic"}))
    message = script_problem("Приймайте, рaзe днів", table)         # a Latin a, then a Latin e
    assert message == ("has a letter of a script this language does not use: U+0061 (LATIN SMALL "
                       "LETTER A) in 'рaзe'; this language is written in Cyrillic or Greek")
    long_word = "при" + "a" + "й" * 45
    assert f"in {long_word[:40]!r};" in script_problem(f"1 {long_word}", table)
    assert f"in {'рaзe'!r};" in script_problem("днів рaзe", table)          # the last word too
    assert script_problem("рaзи2", table) is not None                        # a digit is in the word


def test_a_whole_latin_word_passes_only_in_a_language_of_another_script():
    ukrainian, dutch = language_table(None, "uk"), language_table(None, "nl")
    assert script_problem("Приймайте 2 рази, 400 mg", ukrainian) is None
    assert script_problem("Приймайте 2 рази, 400 mé", ukrainian) is None     # its accents too
    assert script_problem("рaзи", ukrainian) is not None
    assert script_problem("Neem 3 tabletten", dutch) is None
    assert script_problem("Neem ЗЗ tabletten", dutch) is not None           # a whole Cyrillic word


def test_each_line_is_judged_on_its_own_and_numbered_from_one():
    dutch = language_table(None, "nl")
    text = "Neem З keer\nper dag\n\nNeem ٣ tabletten\r"
    assert script_line_problems(text, dutch) == [(1, script_problem("Neem З keer", dutch)),
                                                 (4, script_problem("Neem ٣ tabletten\r", dutch))]
    assert script_line_problems("Neem 3 tabletten", dutch) == []


def test_a_leaflets_script_problems_name_the_file_line_and_field():
    dutch = language_table(None, "nl")
    meta = SimpleNamespace(title="Rug З", author="Dr. Jansen", source="Richtlijn ٣")
    lines = {"title": 2, "author": 3, "source": 4}
    body = "Goed\nNeem З keer\n\nNeem ٣"
    problems = leaflet_script_problems(body, 10, meta, lines.get, "leaflets/rug.md")
    assert problems == [Problem("leaflets/rug.md", script_problem("Neem З keer", dutch), line=11),
                        Problem("leaflets/rug.md", script_problem("Neem ٣", dutch), line=13),
                        Problem("leaflets/rug.md", script_problem("Rug З", dutch), line=2, field="title"),
                        Problem("leaflets/rug.md", script_problem("Richtlijn ٣", dutch), line=4,
                                field="source")]
    assert [problem.code for problem in problems] == ["script"] * 4
    assert leaflet_script_problems(body, 1, None, lines.get, "x.md") == [
        Problem("x.md", script_problem("Neem З keer", dutch), line=2),
        Problem("x.md", script_problem("Neem ٣", dutch), line=4)]
