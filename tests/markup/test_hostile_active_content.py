"""Hostile input: a practice's template override that puts active content into the HTML copy to
keep (a script, an event handler, a frame, a redirect, a tracker picture or stylesheet). That copy
is opened from output/ and published without the web app's Content-Security-Policy, so the
document is refused, naming the template folder and what it found; nothing is written."""

from __future__ import annotations

import pytest

from leafletgen.markup.active_content import active_content

from tests.conftest import run_cli
from tests.hostile import LEAFLET, PRACTICE

ATTACK = (
    '<h2 onmouseover="alert(1)">{{ block.html }}</h2>'
    '<script>alert(document.cookie)</script>'
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<img src="https://tracker.example/pixel.png" alt="">'
    '<a href="javascript:alert(3)">x</a>'
)


def test_a_practice_template_cannot_put_scripts_or_trackers_into_the_html(project):
    folder = project.practices_dir / PRACTICE / "templates" / "blocks"
    folder.mkdir(parents=True)
    (folder / "heading.html.j2").write_text(ATTACK)
    out = project.root / "out"
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", PRACTICE, "--out", str(out),
                  root=project.root)
    assert run.code == 1, run
    where = f"error: practices/{PRACTICE}/templates: the HTML page may not hold "
    assert run.err.splitlines() == [
        where + "an event handler (onmouseover= on <h2>)" + TAIL,
        where + "a <script> element" + TAIL,
        where + "a <meta http-equiv> (a redirect or a page's rules)" + TAIL,
        where + "a reference to 'https://tracker.example/pixel.png' (src= on <img>)" + TAIL,
        where + "a reference to 'javascript:alert(3)' (href= on <a>)" + TAIL,
    ]
    assert not out.exists()


TAIL = " (a template may write markup, but nothing that runs, submits or loads from elsewhere)"


@pytest.mark.parametrize("html, expected", [
    # What a tokenizer simpler than a browser's misses: SVG's <style> is markup, not text.
    ("<p>x<svg><style><img src=x onerror=alert(1)></style></svg>",
     ["a <svg> element", "an event handler (onerror= on <img>)"]),
    ("<img src='//e.example/t.png'><img src='/\\e.example/t.png'><img src='file:///etc/passwd'>",
     ["a reference to '//e.example/t.png' (src= on <img>)", "a reference to '/\\\\e.example/t.png' (src= on <img>)",
      "a reference to 'file:///etc/passwd' (src= on <img>)"]),
    ("<a href='andere.html'>x</a>", ["a reference to 'andere.html' (href= on <a>)"]),
    ("<!--x--!><script>alert(1)</script>-->", ["a <script> element"]),
    ("<iframe srcdoc='&lt;script&gt;'></iframe>", ["a <iframe> element"]),
    ("<object data='https://e.example/x.swf'></object>",
     ["a <object> element", "a reference to 'https://e.example/x.swf' (data= on <object>)"]),
    ("<base href='https://e.example/'>", ["a <base> element", "a reference to 'https://e.example/' (href= on <base>)"]),
    ("<form action='https://e.example/'><button>ok</button></form>",
     ["a <form> element", "a reference to 'https://e.example/' (action= on <form>)", "a <button> element"]),
    ("<link rel=stylesheet href='https://e.example/x.css'>",
     ["a <link> element", "a reference to 'https://e.example/x.css' (href= on <link>)"]),
    ("<a href=' java\tscript:alert(1)'>x</a>", ["a reference to 'java\\tscript:alert(1)' (href= on <a>)"]),
    ("<img srcset='foto.png 1x, https://e.example/a.png 2x'>",
     ["a reference to 'foto.png 1x, https://e.example/a.png 2x' (srcset= on <img>)"]),
    ("<style>@import 'https://e.example/x.css';</style>",
     ["a stylesheet reference to 'https://e.example/x.css'"]),
    ("<style>p { background: \\75 rl(https://e.example/t.png) }</style>",
     ["a stylesheet reference to 'https://e.example/t.png'"]),
    ("<style>p { background: url('//e.example/t.png') }</style>",
     ["a stylesheet reference to '//e.example/t.png'"]),
    ("<style>p { background: url('/\\\\e.example/t.png') }</style>",
     ["a stylesheet reference to '/\\\\e.example/t.png'"]),
    ("<style>p { background: image-set('file:///etc/passwd' 1x) }</style>",
     ["a stylesheet reference to 'file:///etc/passwd'"]),
    ("<p style='background:url(http://e.example/t.png)'>x</p>",
     ["a stylesheet reference to 'http://e.example/t.png'"]),
    ("<style>@font-face { font-family: X; src: url(https://e.example/f.woff) }</style>",
     ["a stylesheet reference to 'https://e.example/f.woff'"]),
])
def test_what_the_html_copy_may_not_hold(html, expected):
    assert active_content(html) == expected


@pytest.mark.slow
@pytest.mark.parametrize("lang, variant, bilingual", [("ar", "a4", True), ("de", "large-print", False),
                                                     ("uk", "booklet", True), ("tr", "a5", False)])
def test_our_own_templates_write_no_active_content_in_any_language_or_variant(lang, variant, bilingual):
    """The render checks only a practice's own templates (ours cannot be changed by an input):
    this is the check of ours."""
    from leafletgen.inputs.project import Project
    from leafletgen.render import render_document
    from leafletgen.request import BuildRequest

    from tests.conftest import REPO

    document = render_document(Project(REPO), BuildRequest("lage-rugklachten", lang, "fysio-delinde",
                                                            variant, bilingual))
    assert active_content(document.html) == []


def test_what_the_html_copy_may_hold(dutch_leaflet):
    assert active_content(dutch_leaflet.html.read_text()) == []
    assert active_content(
        '<p><a href="https://fysio.example/">site</a> <a href="mailto:a@b.example">mail</a> '
        '<a href="tel:+31301234567">bel</a> <a href="#top">boven</a> '
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="">'
        '<img src="../practices/x/foto.png" srcset="foto.png 1x, foto@2x.png 2x" alt=""></p>'
        '<style>@font-face { font-family: X; src: url("../../assets/fonts/X.ttf") } '
        'p { background: url(data:image/png;base64,iVBORw0KGgo=) }</style>'
        '<style>@import url("../practices/x/templates/own.css");</style>'
        '<p style="color: red">x</p><meta name="viewport" content="width=device-width">') == []
