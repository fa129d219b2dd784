"""Right-to-left lines laid out once (typeset/line_layout.py), the pages the same as WeasyPrint's."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from leafletgen.typeset import line_layout
from leafletgen.typeset.engine import weasyprint
from leafletgen.typeset.font_instances import font_face_css
from leafletgen.typeset.fonts import font_faces

from weasyprint.formatting_structure import boxes  # noqa: I001  (after the engine)
from weasyprint.layout import inline

ARABIC = ("ألم أسفل الظهر شكوى شائعة. غالبًا ما تزول الأعراض بعد أسبوعين بالاستمرار في الحركة "
          "بهدوء، وإذا لم تتحسن فاستشر طبيبك أو أخصائي العلاج الطبيعي. ")
FLOAT = '<span style="float: {side}; width: 25mm; height: {height}mm; background: #999"></span>'
TALL = '<span style="display: inline-block; width: 4mm; height: 12mm; background: #333"></span>'

# Pages where a line may meet a float once it is as tall as its content, on either side, with
# a ::first-line style, justified and indented text, a list, and text the other way round.
PAGES = {
    "paragraphs": f"<p>{ARABIC * 3}</p><p>{ARABIC}</p>",
    "justified, indented": f'<p style="text-align: justify; text-indent: 8mm">{ARABIC * 3}</p>',
    "float left": f"<p>{FLOAT.format(side='left', height=30)}{ARABIC * 2}{TALL}{ARABIC * 2}</p>",
    "float right": f"<p>{FLOAT.format(side='right', height=30)}{ARABIC * 2}{TALL}{ARABIC * 2}</p>",
    # The second float is too wide to stand beside the first, so it starts lower down: a line
    # beside the first float meets the second only once it is as tall as its tall box.
    **{f"taller line meets a float on the {side}": "".join(
        f'<p><span style="float: {side}; width: 55%; height: {height}mm; background: #999"></span>'
        f'<span style="float: {side}; width: 75%; height: 8mm; background: #666"></span>'
        + TALL.join(ARABIC[i:i + 30] for i in range(0, len(ARABIC), 30)) + "</p>"
        for height in (6, 9, 13)) for side in ("left", "right")},
    # WeasyPrint's second layout of a right-to-left line leaves out the ::first-line box (and
    # its background): kept so.
    "first line": "<style>p::first-line { font-size: 16pt; background: #ff0; color: #036; padding: 1mm }</style>"
                  f"<p>{FLOAT.format(side='left', height=20)}{ARABIC * 3}</p>",
    "list, Latin inside": "<ul>" + f"<li>{ARABIC} <span dir=ltr>030 123 45 67</span></li>" * 4 + "</ul>",
    # Out of the flow: laid out twice by WeasyPrint, which records a running element or a note
    # twice (printed twice with all-once), leaves a flex item's floats pushing text aside, and
    # drops a broken float's content where it clears its own side.
    "running element": "<style>@page { @top-center { content: element(top, all-once) } }</style>"
                       f'<p>{ARABIC} <span style="position: running(top)">ترويسة</span> {ARABIC}</p>',
    "note": "<style>@page { @note-area { content: element(side, all-once) } } .n { position: note(side) }</style>"
            f'<p>{ARABIC} <span class="n">ملاحظة</span> {ARABIC}</p>',
    "float in a flex item": f'<div style="display: flex"><div>{FLOAT.format(side="left", height=25)}'
                            f"{ARABIC * 2}</div></div>",
    "float in a flex item, a paragraph after": f'<div style="display: flex"><div><p>{ARABIC * 2}</p>'
                                               f'<p>{FLOAT.format(side="left", height=25)}{ARABIC * 2}</p></div></div>',
    "broken float clearing its side": f'<p>{ARABIC}<span style="float: left; clear: left; width: 30mm">'
                                      f"{ARABIC * 8}</span>{ARABIC}</p>",
    "left to right": f'<p dir="ltr">{FLOAT.format(side="right", height=20)}'
                     + "Lage rugklachten komen vaak voor. " * 20 + "</p>",
}


def html(body: str) -> str:
    faces = font_face_css([types.SimpleNamespace(face=face, path=face.path) for face in font_faces()], Path.as_uri)
    return (f'<html lang="ar" dir="rtl"><style>{faces} @page {{ size: A6; margin: 10mm }} '
            f'body {{ font: 10pt "IBM Plex Sans Arabic", "Atkinson Hyperlegible"; }}</style>'
            f"<body>{body}</body></html>")


@pytest.fixture
def weasyprints_loop(monkeypatch):
    """WeasyPrint's own line loop in place of the corrected one, for the test's duration."""
    monkeypatch.setattr(inline, "get_next_linebox", inline.get_next_linebox.weasyprint_original)


def test_the_correction_is_in_place_once_weasyprint_is_imported():
    # Fails on another WeasyPrint (its function's source has another hash): then see whether it
    # still lays right-to-left lines out twice, and write line_layout.py for it or remove it.
    assert hasattr(inline.get_next_linebox, "weasyprint_original")
    assert line_layout.correct(inline) is True
    assert not hasattr(inline.get_next_linebox.weasyprint_original, "weasyprint_original")


@pytest.mark.parametrize("name", PAGES)
def test_the_pages_are_the_same_bytes_as_with_weasyprints_own_loop(name, monkeypatch):
    source = html(PAGES[name])
    ours = weasyprint.HTML(string=source).write_pdf()
    monkeypatch.setattr(inline, "get_next_linebox", inline.get_next_linebox.weasyprint_original)
    theirs = weasyprint.HTML(string=source).write_pdf()
    assert ours == theirs


def laid_out_lines_and_passes(monkeypatch, source: str) -> tuple[int, int]:
    """(line boxes on the pages, times a line box was laid out)."""
    passes = []
    split = inline.split_inline_box

    def counting(context, box, *args, **kwargs):
        if isinstance(box, boxes.LineBox):
            passes.append(box)
        return split(context, box, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(inline, "split_inline_box", counting)
        document = weasyprint.HTML(string=source).render()
    lines = sum(isinstance(box, boxes.LineBox) for page in document.pages for box in page._page_box.descendants())
    return lines, len(passes)


def test_each_right_to_left_line_is_laid_out_once(monkeypatch):
    lines, passes = laid_out_lines_and_passes(monkeypatch, html(PAGES["paragraphs"]))
    assert lines > 10
    assert passes == lines


def test_weasyprints_own_loop_lays_each_right_to_left_line_out_twice(monkeypatch, weasyprints_loop):
    """What the correction takes away (should WeasyPrint mend it, line_layout.py can go)."""
    lines, passes = laid_out_lines_and_passes(monkeypatch, html(PAGES["paragraphs"]))
    assert passes == 2 * lines


def test_another_source_is_left_as_it_is():
    def get_next_linebox(linebox):
        return linebox.width

    module = types.SimpleNamespace(get_next_linebox=get_next_linebox)
    assert line_layout.correct(module) is False
    assert module.get_next_linebox is get_next_linebox
    assert line_layout.corrected_source("def f():\n    pass\n") is None
