"""One table per language: scripts, digits, punctuation, register, number words, units, dates,
termbase; the packaged tables for the eight languages and Dutch, a content folder's own over
them, and a language without a table."""

from __future__ import annotations

import pytest

from leafletgen.errors import UserError
from leafletgen.translate.languages import language_table, script_of


SHIPPED = ["ar", "de", "en", "es", "fr", "pl", "tr", "uk"]


@pytest.mark.parametrize("lang", ["nl"] + SHIPPED)
def test_every_shipped_language_has_a_table_with_number_words_and_units(lang):
    """Number words for every value from two to twenty (one is also the article: left out)."""
    table = language_table(None, lang)
    assert table.known and table.scripts and table.numbers and table.units
    values = {number.value for number in table.numbers.values()}
    assert set(range(2, 21)) <= values, sorted(set(range(2, 21)) - values)
    assert {"day", "week", "month", "mg", "percent"} <= set(table.units)


def test_scripts_and_digits_as_the_character_rules_read_them():
    dutch, arabic, ukrainian = (language_table(None, lang) for lang in ("nl", "ar", "uk"))
    assert script_of("a") == "Latin" and script_of("С") == "Cyrillic" and script_of("ب") == "Arabic"
    assert script_of("ʼ") == "Common" and script_of("3") == "Common" and script_of("ሰ") == "Ethiopic"
    assert dutch.foreign_letters("Bekkenbodemklaсhten") == ["с"]      # a Cyrillic с
    assert arabic.foreign_letters("الظهرo") == ["o"] and arabic.foreign_letters("أسبوعين") == []
    assert ukrainian.foreign_letters("пʼять") == []                   # U+02BC is a letter of any script
    assert arabic.foreign_digits("2 و ٢") == [] and dutch.foreign_digits("2 ٢ ３") == ["٢", "３"]


def test_a_content_folder_overrides_a_table_key_by_key(project):
    own = project.translations_dir / "de" / "language.toml"
    own.write_text('[register]\ninformal = ["du", "euch"]\n\n[numbers]\n"zwoa" = 2\n', encoding="utf-8")
    table = language_table(project, "de")
    assert table.informal == ("du", "euch")
    assert table.numbers["zwoa"].value == 2 and table.numbers["zwei"].value == 2   # the rest kept
    assert "translations/de/language.toml" in table.files


def test_a_bad_table_is_refused_with_every_problem_named(project):
    own = project.translations_dir / "de" / "language.toml"
    own.write_text('scripts = "Latin"\nscrpits = ["Latin"]\n[numbers]\nzwei = "2"\n', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        language_table(project, "de")
    lines = caught.value.lines
    assert any("translations/de/language.toml: scrpits: unknown key" in line for line in lines), lines
    assert any("scripts: must be a list" in line for line in lines), lines
    assert any("numbers.zwei: must be a whole number" in line for line in lines), lines


def test_a_language_without_a_table_takes_its_script_from_cldr():
    somali, tigrinya = language_table(None, "so"), language_table(None, "ti")
    assert not somali.known and somali.scripts == {"Latin"} and not somali.numbers
    assert tigrinya.scripts == {"Ethiopic"}
    assert tigrinya.foreign_letters("ሰላምa") == ["a"]



def test_dates_take_the_month_names_and_first_day_of_the_table(project):
    """French writes the first of a month as an ordinal, Arabic both names of each month (the
    Levant's and Egypt's); a content folder's table changes them; Dutch is Babel's."""
    import datetime as dt

    from leafletgen.markup.html import format_day

    first, later = dt.date(2026, 11, 1), dt.date(2027, 11, 21)
    assert format_day(first, "fr") == "1er novembre 2026" and format_day(later, "fr") == "21 novembre 2027"
    assert format_day(first, "ar") == "1 تشرين الثاني/نوفمبر 2026"
    assert format_day(first, "nl") == "1 november 2026" and format_day(first, "en") == "1 November 2026"
    (project.translations_dir / "ar" / "language.toml").write_text(
        '[dates]\nmonths = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", '
        '"سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]\n', encoding="utf-8")
    assert format_day(first, "ar", project) == "1 نوفمبر 2026"
