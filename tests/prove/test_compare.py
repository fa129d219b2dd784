"""The comparison of the text read back with the approved texts, on plain strings (fast)."""

from __future__ import annotations

import re

from leafletgen.prove.compare import Expected, Piece, Unit, compare
from leafletgen.prove.fold import fold

UNITS = ("Lage rugklachten",
         "Acute rugklachten zijn vaak na twee weken spontaan hersteld.",
         "Blijf zoveel mogelijk bewegen",
         "Neem bij pijn 1 à 2 tabletten paracetamol 500 mg.")
FOOTER = Piece("Pagina %(page)s van %(pages)s", re.compile(r"pagina\d{0,4}van\d{0,4}"))
NAME = Piece("Fysiotherapie De Linde", re.compile(re.escape(fold("Fysiotherapie De Linde").chars)))


def expected(*tracks, pieces=(FOOTER, NAME)) -> Expected:
    return Expected(tuple(tuple(Unit(text, fold(text)) for text in track) for track in tracks), pieces)


def kinds(page: str, *tracks) -> list[tuple[str, str]]:
    return [(d.kind, d.text) for d in compare(fold(page), expected(*(tracks or (UNITS,))))]


def test_the_approved_text_as_laid_out_passes():
    page = ("Fysiotherapie De Linde\nLAGE RUGKLACHTEN\nAcute rugklachten zijn vaak na twee\x02\nwe-\n"
            "ken spontaan\nFysiotherapie De Linde Pagina 1 van 2\nhersteld. Blijf zoveel mo\ufffegelijk "
            "bewegen\nNeem bij pijn 1 à 2 tabletten paracetamol 500\u00a0mg.\nPagina 2 van 2")
    assert kinds(page) == []


def test_a_missing_unit_is_named():
    page = "Lage rugklachten\nAcute rugklachten zijn vaak na twee weken spontaan hersteld.\n" \
           "Neem bij pijn 1 à 2 tabletten paracetamol 500 mg."
    assert kinds(page) == [("missing", "Blijf zoveel mogelijk bewegen")]


def test_added_words_are_quoted_as_read():
    page = ("Lage rugklachten\nAcute rugklachten zijn vaak na twee weken spontaan hersteld.\n"
            "Neem elke 2 uur 2 tabletten ibuprofen 400 mg.\nBlijf zoveel mogelijk bewegen\n"
            "Neem bij pijn 1 à 2 tabletten paracetamol 500 mg.")
    assert kinds(page) == [("added", "Neem elke 2 uur 2 tabletten ibuprofen 400 mg.")]


def test_a_changed_word_is_both_missing_and_added():
    page = ("Lage rugklachten\nAcute rugklachten zijn vaak na twee dagen spontaan hersteld.\n"
            "Blijf zoveel mogelijk bewegen\nNeem bij pijn 1 à 2 tabletten paracetamol 500 mg.")
    differences = compare(fold(page), expected(UNITS))
    assert [(d.kind, d.detail) for d in differences if d.kind == "incomplete"] == [("incomplete", "weken")]
    assert [d.text for d in differences if d.kind == "added"] == ["dagen"]


def test_numbers_may_not_run_together_or_move():
    for changed in ("1 à 2 tabletten paracetamol 5000 mg", "1 à 2 tabletten paracetamol 50 0 mg",
                    "1 à 2 tabletten paracetamol 5.00 mg", "12 tabletten paracetamol 500 mg"):
        page = ("Lage rugklachten\nAcute rugklachten zijn vaak na twee weken spontaan hersteld.\n"
                f"Blijf zoveel mogelijk bewegen\nNeem bij pijn {changed}.")
        assert kinds(page), changed


def test_units_out_of_order_are_said_so():
    page = ("Lage rugklachten\nBlijf zoveel mogelijk bewegen\n"
            "Acute rugklachten zijn vaak na twee weken spontaan hersteld.\n"
            "Neem bij pijn 1 à 2 tabletten paracetamol 500 mg.")
    assert [kind for kind, _ in kinds(page)] == ["out of order"]


def test_a_unit_shown_twice_is_an_addition():
    page = ("Lage rugklachten\nAcute rugklachten zijn vaak na twee weken spontaan hersteld.\n"
            "Blijf zoveel mogelijk bewegen\nBlijf zoveel mogelijk bewegen\n"
            "Neem bij pijn 1 à 2 tabletten paracetamol 500 mg.")
    assert kinds(page) == [("added", "Blijf zoveel mogelijk bewegen")]


def test_two_languages_interleave_line_by_line():
    dutch = ("Lage rugklachten", "Blijf zoveel mogelijk bewegen en beperk bedrust")
    english = ("Lower back pain", "Keep moving as much as you can and limit bed rest")
    page = ("Lower back pain\nLage rugklachten\nKeep moving as much\nBlijf zoveel mogelijk\n"
            "as you can and limit\nbewegen en beperk bedrust\nbed rest")
    assert kinds(page, english, dutch) == []
    assert kinds(page.replace("bed rest", "bed rest for a week"), english, dutch) == [("added", "for a week")]


def test_a_number_at_a_line_end_beside_another_column():
    dutch = ("Neem er 2", "Blijf bewegen")
    english = ("3 times a day", "Keep moving")
    page = "Neem er 2\n3 times a day\nBlijf bewegen\nKeep moving"
    assert kinds(page, dutch, english) == []


def test_right_to_left_ligatures_read_back_swapped_still_agree():
    # "الضرر" read back with one ligature's two letters in visual order: "الرضر"
    unit = "نحن نعلم أن شدة الألم لا تتناسب مع حجم الضرر"
    page = "نحن نعلم أن شدة الألم لا تتناسب مع حجم الرضر"
    assert kinds(page, (unit,)) == []
    assert kinds(page.replace("حجم", "حجمك"), (unit,))


def test_a_personal_note_is_a_unit_that_is_never_quoted():
    note = Unit("Mevrouw Jansen: bel ons na twee weken", fold("Mevrouw Jansen: bel ons na twee weken"),
                private=True)
    approved = Expected(((Unit(UNITS[0], fold(UNITS[0])),), (note,)), ())
    differences = compare(fold("Lage rugklachten"), approved)
    assert [(d.kind, d.private) for d in differences] == [("missing", True)]
