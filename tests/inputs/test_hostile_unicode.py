"""Hostile characters, part 2: code points that are drawn as nothing although they are not
format characters: the Mongolian free variation selectors, the braille blank, the unassigned
default-ignorable ranges (U+FFF0–U+FFF8, U+E0000–U+E0FFF outside the tag characters; a font
draws them as nothing, so they carry hidden text), and runs of variation selectors (one picks a
glyph; two in a row have no meaning and can encode hidden data)."""

from __future__ import annotations

import pytest

from leafletgen.inputs.characters import line_problems

from tests.hostile import LEAFLET
from tests.inputs.test_hostile_validation import add_to_leaflet, build_cli, refused

HIDDEN = [
    ("a\u180bb", "U+180B (MONGOLIAN FREE VARIATION SELECTOR ONE)"),
    ("a\u180fb", "U+180F (MONGOLIAN FREE VARIATION SELECTOR FOUR)"),
    ("a \u2800 b", "U+2800 (BRAILLE PATTERN BLANK)"),
    ("a\ufff0b", "U+FFF0 (unassigned)"),
    ("a\U000e0000b", "U+E0000 (unassigned)"),
    ("a\U000e0080b", "U+E0080 (unassigned)"),
    ("a\U000e0fffb", "U+E0FFF (unassigned)"),
    ("a\ufe0f\ufe0fb", "U+FE0F (VARIATION SELECTOR-16)"),
    ("a" + "\ufe00\ufe01" * 40 + "b", "U+FE01 (VARIATION SELECTOR-2)"),
]


@pytest.mark.parametrize("text, described", HIDDEN)
def test_characters_drawn_as_nothing_are_refused(text, described):
    [(line, message)] = line_problems(f"eerste regel\n{text}\n")
    assert line == 2
    assert message.startswith(f"contains invisible or direction-changing characters: {described}")


@pytest.mark.parametrize("text", ["Neem 1 tablet \u2615\ufe0f", "caf\u00e9", "\u263a\ufe0e", "a \u2801 b"])
def test_one_variation_selector_after_a_character_stays(text):
    assert line_problems(text) == []


def test_a_leaflet_hiding_text_in_unassigned_ignorables_is_refused(project):
    line = add_to_leaflet(project, "Neem 2\U000e0080\U000e0081 tabletten.\n")
    assert refused(build_cli(project)) == [
        f"error: leaflets/{LEAFLET}.md:{line}: contains invisible or direction-changing characters: "
        "U+E0080 (unassigned), U+E0081 (unassigned); remove them (they are invisible, so what is "
        "printed differs from what was checked)"]
