"""A character the document's fonts cannot draw is an error naming the character and the unit
(or the profile's field), with file and line: never an empty box on the page."""

from __future__ import annotations

from leafletgen.typeset.coverage import uncovered
from leafletgen.typeset.fonts import font_stack

from tests.conftest import run_cli
from tests.hostile import LEAFLET

PILL = "\U0001f48a"      # no font of ours has it


def test_the_stacks_draw_what_the_languages_need_and_not_a_pill():
    assert uncovered("Neem ½ tablet, 25 µg – “zo” … İ ş ë ñ ß", font_stack("nl")) == []
    assert uncovered("مرتين يوميًا ٣ mg", font_stack("ar")) == []
    assert uncovered(f"Neem {PILL} \u2695 twee keer", font_stack("nl")) == [PILL, "\u2695"]
    assert uncovered("a\u00ad\u200db\ufe0f \n", font_stack("nl")) == []     # not drawn themselves


def build(project, tmp_path, lang):
    return run_cli("build", "--leaflet", LEAFLET, "--lang", lang, "--practice", "fysio-delinde",
                   "--out", str(tmp_path / "out"), root=project.root)


def test_a_dutch_unit_with_a_character_no_font_has(project, tmp_path):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    text = path.read_text(encoding="utf-8") + f"\nNeem er {PILL} twee per dag.\n"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"Neem er {PILL} twee per dag.") + 1
    run = build(project, tmp_path, "nl")
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err == (f"error: leaflets/{LEAFLET}.md:{line}: unit 'Neem er {PILL} twee per dag.' has "
                       "U+1F48A (PILL), which the fonts of the document (Atkinson Hyperlegible, Noto "
                       "Sans) cannot draw: it would print as an empty box\n")
    assert not (tmp_path / "out").exists()


def test_a_translation_and_a_profile_field_with_one(project, tmp_path):
    catalog = project.catalog_path(LEAFLET, "uk")
    text = catalog.read_text(encoding="utf-8")
    at = text.index('msgid "Lage rugklachten"')
    line = text[:at].count("\n") + 1
    end = text.index("\n", text.index("msgstr", at))
    catalog.write_text(text[:end - 1] + f' {PILL}"' + text[end:], encoding="utf-8")
    run = build(project, tmp_path, "uk")
    assert run.code == 1 and len(run.err.splitlines()) == 1, run.err
    assert run.err.startswith(f"error: translations/uk/LC_MESSAGES/{LEAFLET}.po:{line}: unit ")
    assert "U+1F48A (PILL), which the fonts of the document (Noto Sans) cannot draw" in run.err
    profile = project.practices_dir / "fysio-delinde.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        'name = "', 'name = "\u2695 ', 1), encoding="utf-8")
    run = build(project, tmp_path, "nl")
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith("error: practices/fysio-delinde.toml: name: has U+2695 (STAFF OF "
                              "AESCULAPIUS), which the fonts of the document"), run.err
    assert not (tmp_path / "out").exists()
