"""Hostile input, part 6: characters that change what a patient reads without being seen.

The attack: an editor, translator or practice writes a dosage such as "Neem 1 - 3 - 5 tabletten"
with a right-to-left embedding (U+202B … U+202C) around the numbers. The file shows the numbers
in order in most editors; the page shows "5 - 3 - 1". Isolates (U+2066–U+2069), the marks
U+200E/U+200F and the Arabic letter mark U+061C move numbers the same way; zero-width and tag
characters hide text. Every such character is refused, with the file and the line, wherever text
comes in: leaflets (also written as `&#x202B;`), catalogs, profiles and templates."""

from __future__ import annotations

import re
import unicodedata

import pytest

from leafletgen.build import BuildRequest, build
from leafletgen.translate.catalog_checks import check_text
from leafletgen.inputs.characters import IN_WORD_ONLY, bad_characters, text_problem

from tests.conftest import run_cli
from tests.hostile import LEAFLET, PRACTICE

DOSE = "Neem 1 - 3 - 5 tabletten per dag."

# Each attack: the dose with one kind of character, as an attacker would place it.
ATTACKS = {
    "U+202A LEFT-TO-RIGHT EMBEDDING": "Neem \u202a1 - 3 - 5\u202c tabletten per dag.",
    "U+202B RIGHT-TO-LEFT EMBEDDING": "Neem \u202b1 - 3 - 5\u202c tabletten per dag.",
    "U+202D LEFT-TO-RIGHT OVERRIDE": "Neem \u202d5 - 3 - 1\u202c tabletten per dag.",
    "U+202E RIGHT-TO-LEFT OVERRIDE": "Neem \u202e1 - 3 - 5\u202c tabletten per dag.",
    "U+2066 LEFT-TO-RIGHT ISOLATE": "Neem \u20661 - 3 - 5\u2069 tabletten per dag.",
    "U+2067 RIGHT-TO-LEFT ISOLATE": "Neem \u20671 - 3 - 5\u2069 tabletten per dag.",
    "U+2068 FIRST STRONG ISOLATE": "Neem \u2068\u05d01 - 3 - 5\u2069 tabletten per dag.",
    "U+200F RIGHT-TO-LEFT MARK": "Neem 1\u200f - 3\u200f - 5 tabletten per dag.",
    "U+200E LEFT-TO-RIGHT MARK": "Neem 1\u200e - 3 - 5 tabletten per dag.",
    "U+061C ARABIC LETTER MARK": "Neem 1\u061c - 3\u061c - 5 tabletten per dag.",
    "U+200B ZERO WIDTH SPACE": "Neem 1 - 3 - 5\u200b0 tabletten per dag.",
    "U+2060 WORD JOINER": "Neem 1 - 3 - 5\u2060 tabletten per dag.",
    "U+FEFF ZERO WIDTH NO-BREAK SPACE": "Neem 1 - 3 - \ufeff5 tabletten per dag.",
    "U+E0031 TAG DIGIT ONE": "Neem 1 - 3 - 5\U000e0031\U000e0030 tabletten per dag.",
    "U+00AD SOFT HYPHEN": "Neem 10\u00ad000 eenheden per dag.",       # lets a dose break: "10-" / "000"
    "U+200D ZERO WIDTH JOINER": "Neem 1\u200d0 tabletten per dag.",
    "U+3164 HANGUL FILLER": "Neem 1 - 3 - 5\u3164 tabletten per dag.",
    "U+2028 LINE SEPARATOR": "Neem 1 - 3\u2028 - 5 tabletten per dag.",
}


def first_refused(text: str) -> str:
    return bad_characters(text)[0]


@pytest.mark.parametrize("name", list(ATTACKS))
def test_every_attack_string_is_refused(name):
    text = ATTACKS[name]
    assert text_problem(text) is not None
    assert f"U+{ord(first_refused(text)):04X}" == name.split()[0]


def test_every_format_character_of_unicode_is_refused_or_allowed_only_inside_a_word():
    """Checked against Python's own Unicode table, so a newer Unicode cannot add one unnoticed."""
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) != "Cf":
            continue
        between_digits = f"1{char}2"
        between_letters = f"a{char}b"
        assert bad_characters(between_digits) == [char], f"U+{code:04X}"
        assert bad_characters(between_letters) == ([] if char in IN_WORD_ONLY else [char]), f"U+{code:04X}"


@pytest.mark.parametrize("text", [
    "Ge\u00adne\u00adzing",                    # soft hyphens inside a word: where it may be hyphenated
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",   # Persian: a non-joiner inside a word
    "\u0915\u094d\u200d\u0937",                # Devanagari: a joiner inside a word
    "\U0001f469\u200d\u2695\ufe0f",            # an emoji sequence (woman health worker)
    "Pijn \u2013 030\u00a0123\u202f45",        # dashes, no-break and narrow no-break spaces
    "\u0627\u0644\u0623\u0644\u0645 \u0641\u064a \u0623\u0633\u0641\u0644 \u0627\u0644\u0638\u0647\u0631",  # Arabic
])
def test_what_real_text_needs_is_allowed(text):
    assert text_problem(text) is None


# ---- Wherever text comes in ----------------------------------------------------------------------

def build_cli(project, *extra):
    return run_cli("build", "--leaflet", LEAFLET, *extra, "--out", str(project.root / "out"),
                   root=project.root)


def refused(run, project) -> list[str]:
    assert run.code == 1, run
    assert "internal error" not in run.err and "Traceback" not in run.err
    assert not (project.root / "out").exists()
    return run.err.splitlines()


BIDI = ("contains invisible or direction-changing characters: U+202B (RIGHT-TO-LEFT EMBEDDING), "
        "U+202C (POP DIRECTIONAL FORMATTING); remove them (they change the direction of the text "
        "around them, so numbers and words can be shown in another order than written)")


def test_a_leaflet_dose_with_an_embedding_is_refused_with_its_line(project):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    old = path.read_text()
    path.write_text(old + "\n" + ATTACKS["U+202B RIGHT-TO-LEFT EMBEDDING"] + "\n")
    line = len(old.split("\n")) + 1
    assert refused(build_cli(project), project) == [f"error: leaflets/{LEAFLET}.md:{line}: {BIDI}"]


def test_a_leaflet_dose_written_with_character_references_is_refused(project):
    """&#x202B; is decoded by the Markdown parser: checked after decoding, with the line."""
    path = project.leaflets_dir / f"{LEAFLET}.md"
    old = path.read_text()
    path.write_text(old + "\nNeem &#x202B;1 - 3 - 5&#x202C; tabletten per dag.\n")
    line = len(old.split("\n")) + 1
    [error] = refused(build_cli(project), project)
    assert error.startswith(f"error: leaflets/{LEAFLET}.md:{line}: contains invisible or direction-"
                            "changing characters: U+202B (RIGHT-TO-LEFT EMBEDDING)")
    assert error.endswith("(written as a character reference such as &#x202E;)")


def test_a_front_matter_escape_is_refused(project):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text().replace("title: Lage rugklachten",
                                             'title: "Lage \\u2067rug\\u2069klachten"', 1))
    [error] = refused(build_cli(project), project)
    assert error.startswith(f"error: leaflets/{LEAFLET}.md:") and ": title: contains invisible" in error


def test_a_translation_with_an_isolate_is_refused_and_status_says_so(project):
    path = project.translations_dir / "de" / "LC_MESSAGES" / f"{LEAFLET}.po"
    text = path.read_text()
    # Attack: a translator isolates a dose in a right-to-left isolate; the file looks innocent.
    match = re.search(r'^msgid "Lage rugklachten"\nmsgstr "(\w+) ', text, re.M)   # the title
    at = match.start(1)
    path.write_text(text[:at] + "\u2067" + match.group(1) + "\u2069" + text[match.end(1):])
    line = text[:at].count("\n") + 1
    expected = (f"translations/de/LC_MESSAGES/{LEAFLET}.po:{line}: contains invisible or direction-"
                "changing characters: U+2067 (RIGHT-TO-LEFT ISOLATE), U+2069 (POP DIRECTIONAL "
                "ISOLATE); remove them")
    [error] = refused(build_cli(project, "--lang", "de", "--allow-draft"), project)
    assert error.startswith("error: " + expected)
    status = run_cli("translations", "status", root=project.root)
    assert any(line.startswith("error: " + expected) for line in status.out.splitlines())
    row = next(line for line in status.out.splitlines() if line.startswith(LEAFLET) and " de " in line)
    assert "INCOMPLETE" in row and "100.0" not in row


def test_a_catalog_comment_cannot_hide_one_either():
    """A `#` comment is not printed, but a reviewer reads it in the same editor ("Trojan source")."""
    text = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            '# Translator: \u202eok\u202c\nmsgid "Rust"\nmsgstr "Rest"\n')
    [problem] = check_text(text, "x.po")
    assert (problem.line, problem.message.split(":")[0]) == (5, "contains invisible or direction-changing characters")


def test_a_catalog_character_reference_is_refused():
    text = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "Neem 1 - 3 - 5 tabletten."\nmsgstr "Take &#x202E;1 - 3 - 5&#x202C; tablets."\n')
    [problem] = check_text(text, "x.po")
    assert problem.line == 6 and "U+202E (RIGHT-TO-LEFT OVERRIDE)" in problem.message


def test_a_profile_with_a_mark_is_refused_with_its_line(project):
    path = project.practices_dir / f"{PRACTICE}.toml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("phone"))
    lines[index] = 'phone = "030 123\u200f 45 67"'
    path.write_text("\n".join(lines) + "\n")
    [error] = refused(build_cli(project, "--practice", PRACTICE), project)
    assert error.startswith(f"error: practices/{PRACTICE}.toml:{index + 1}: contains invisible or "
                            "direction-changing characters: U+200F (RIGHT-TO-LEFT MARK)")


def test_a_practice_template_with_an_override_character_is_refused_with_its_line(project):
    folder = project.practices_dir / PRACTICE / "templates" / "blocks"
    folder.mkdir(parents=True)
    (folder / "callout.html.j2").write_text(
        '<aside class="callout">\n<p>Neem \u202e1 - 3 - 5\u202c tabletten {{ block.html }}</p></aside>\n')
    [error] = refused(build_cli(project, "--practice", PRACTICE), project)
    assert error.startswith(f"error: practices/{PRACTICE}/templates/blocks/callout.html.j2:2: contains "
                            "invisible or direction-changing characters: U+202E")


def test_right_to_left_pages_keep_the_isolates_leafletgen_writes_itself(project, tmp_path):
    """Output, not input: on an Arabic page a phone number is wrapped in U+2066 … U+2069 by the
    `isolate` filter, so it keeps its order; the input checks do not touch that."""
    document, pdf, html = build(project, BuildRequest(LEAFLET, "ar", PRACTICE), tmp_path)
    assert "\u2066030 123 45 67\u2069" in html.read_text()
