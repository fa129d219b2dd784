"""A personal note for one patient (inputs/note.py): printed in a box on the last page in its own
direction, checked, and never quoted by a message."""

from __future__ import annotations

import pytest

from leafletgen.errors import UserError
from leafletgen.inputs.note import NOTE_MAX_CHARS, clean_note, line_direction, note_problems
from leafletgen.render import render_document
from leafletgen.request import BuildRequest
from tests.pdfutil import pdf_text

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"
NOTE = "Oefening 3 elke ochtend, 10 keer.\nVolgende afspraak: dinsdag 14 januari, 9.30 uur."


def pages_of(pdf: bytes, tmp_path, name: str) -> list[str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return [" ".join(page.split()) for page in pdf_text(path).split("\f") if page.strip()]


def test_a_note_is_printed_on_the_last_page_only(project, tmp_path):
    document = render_document(project, BuildRequest(LEAFLET, practice="fysio-delinde", note=NOTE))
    pages = pages_of(document.pdf, tmp_path, "nl")
    assert "Oefening 3 elke ochtend, 10 keer." in pages[-1]
    assert "Volgende afspraak: dinsdag 14 januari, 9.30 uur." in pages[-1]
    assert not any("Oefening 3" in page for page in pages[:-1])
    assert '<div class="personal-note" role="note">' in document.html
    assert '<p dir="auto" class="note-ltr">Oefening 3 elke ochtend, 10 keer.</p>' in document.html
    plain = render_document(project, BuildRequest(LEAFLET, practice="fysio-delinde"))
    assert "Oefening" not in " ".join(pages_of(plain.pdf, tmp_path, "plain")) and "personal-note" not in plain.html


def test_a_dutch_note_on_an_arabic_leaflet_reads_left_to_right(project, tmp_path):
    note = "Oefening 3 elke ochtend.\nVolgende afspraak: dinsdag."
    document = render_document(project, BuildRequest(LEAFLET, "ar", "fysio-delinde", note=note))
    assert '<p dir="auto" class="note-ltr">Oefening 3 elke ochtend.</p>' in document.html
    assert line_direction("تمرين 3 كل صباح.") == "rtl"
    assert "Oefening 3 elke ochtend." in pages_of(document.pdf, tmp_path, "ar")[-1]


def test_the_note_is_html_escaped(project):
    document = render_document(project, BuildRequest(LEAFLET, note='<img src="x" onerror="alert(1)"> & co'))
    assert "&lt;img src=&#34;x&#34; onerror=&#34;alert(1)&#34;&gt; &amp; co" in document.html
    assert '<img src="x"' not in document.html


@pytest.mark.parametrize("note, code", [
    ("x" * (NOTE_MAX_CHARS + 1), "note_too_long"),
    ("\n".join(["regel"] * 13), "note_too_many_lines"),
    ("Bel ons\u202e als het erger wordt", "note_character"),
    ("Упражнение 3", "note_script"),                # Cyrillic on a Dutch leaflet: no font for it
])
def test_a_bad_note_is_refused_without_quoting_it(project, note, code):
    with pytest.raises(UserError) as caught:
        render_document(project, BuildRequest(LEAFLET, note=note))
    assert [problem.code for problem in caught.value.problems] == [code]
    assert str(caught.value).startswith("personal note: ")
    assert note[:8] not in str(caught.value)


def test_a_note_in_the_leaflets_own_script_is_allowed():
    assert note_problems("Вправа 3 щоранку", frozenset({"Cyrillic"})) == []
    assert note_problems("Oefening 3") == []


def test_the_note_is_never_in_a_repr_or_a_key():
    request = BuildRequest(LEAFLET, note="geheim")
    assert "geheim" not in repr(request) and "geheim" not in request.key


def test_clean_note_and_directions():
    assert clean_note("  Regel 1  \r\nRegel 2\r\n\r\n") == "Regel 1\nRegel 2"
    assert (line_direction("تمرين"), line_direction("3 Oefening"), line_direction("3 — 4")) == ("rtl", "ltr", "")


def test_templates_that_cannot_print_a_note_refuse_it(project):
    """A content folder whose templates predate the note would drop it without a word."""
    skeleton = project.templates_dir / "leaflet.html.j2"
    skeleton.write_text(skeleton.read_text(encoding="utf-8").replace(
        '{% if note %}{% include "blocks/note.html.j2" %}{% endif %}\n', ""), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        render_document(project, BuildRequest(LEAFLET, note=NOTE))
    assert [problem.code for problem in caught.value.problems] == ["note_not_printed"]
    render_document(project, BuildRequest(LEAFLET))          # without a note it prints as before


def test_a_practice_footer_older_than_its_margin_boxes_is_refused(project):
    """A practice's copy of blocks/footer.html.j2 written when the footer was HTML (a running
    element) would leave every page without its footer: refused, in one line."""
    footer = project.practices_dir / PRACTICE / "templates" / "blocks" / "footer.html.j2"
    footer.parent.mkdir(parents=True)
    footer.write_text('<div class="page-footer">{{ practice.name }}</div>\n', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        render_document(project, BuildRequest(LEAFLET, practice=PRACTICE))
    assert [problem.code for problem in caught.value.problems] == ["footer_not_written"]
    footer.unlink()
    render_document(project, BuildRequest(LEAFLET, practice=PRACTICE))


def test_the_note_is_approved_text_of_its_own_document_only(project):
    from leafletgen.inputs.bundle import load_bundle

    with_note = load_bundle(project, BuildRequest(LEAFLET, note=NOTE))
    assert with_note.approved_texts(with_note.leaflet)["note"] == NOTE.split("\n")
    plain = load_bundle(project, BuildRequest(LEAFLET))
    assert plain.approved_texts(plain.leaflet)["note"] == []
