"""Hostile input, part 2: every input validated before rendering. Each hostile file is refused
with one line naming the file, the line or field, and what is expected; never a traceback."""

from __future__ import annotations

import base64

import pytest

from leafletgen.translate.catalog_checks import check_text
from leafletgen.errors import UserError
from leafletgen.inputs.logo import LOGO_MAX_PIXELS, logo_problems

from tests.conftest import run_cli
from tests.hostile import LEAFLET, PRACTICE, png, png_header_only, svg


def build_cli(project, *extra):
    return run_cli("build", "--leaflet", LEAFLET, *extra, "--out", str(project.root / "out"),
                   root=project.root)


def refused(run) -> list[str]:
    """The error lines of a refused build; checks it was refused cleanly, nothing written."""
    assert run.code == 1, run
    assert run.out == ""
    assert "internal error" not in run.err and "Traceback" not in run.err
    return run.err.splitlines()


# ---- Leaflets ------------------------------------------------------------------------------------

def add_to_leaflet(project, text: str) -> int:
    """Append `text` to the leaflet; returns the line number its first line gets."""
    path = project.leaflets_dir / f"{LEAFLET}.md"
    old = path.read_text()
    path.write_text(old + "\n" + text)
    return len(old.split("\n")) + 1


@pytest.mark.parametrize("text, expected", [
    ("Zie [hier][r].\n\n[r]: javascript:alert(1)\n",
     [(2, "reference-style link definitions ('[name]: address') are not supported; write the "
          "link where it is used: [text](https://...)")]),
    ("Klik <javascript:alert(1)> nu.\n",
     [(0, "link target 'javascript:alert(1)' uses 'javascript:'; only http, https, mailto and tel "
          "links are allowed")]),
    ("Zie [dit](file:///etc/passwd).\n",
     [(0, "link target 'file:///etc/passwd' uses 'file:'; only http, https, mailto and tel links "
          "are allowed")]),
    ("Zie [dit](data:text/html;base64,PHNjcmlwdD4=).\n",
     [(0, "link target 'data:text/html;base64,PHNjcmlwdD4=' uses 'data:'; only http, https, "
          "mailto and tel links are allowed")]),
    ("Zie [dit](vbscript:msgbox).\n",
     [(0, "link target 'vbscript:msgbox' uses 'vbscript:'; only http, https, mailto and tel links "
          "are allowed")]),
    ("Tekst <img src=x onerror=alert(1)> hier.\n",
     [(0, "raw HTML '<img src=x onerror=alert(1)>' is not allowed; use Markdown (**bold**, *italic*)")]),
    ("<iframe src=\"https://example.org\"></iframe>\n",
     [(0, "raw HTML is not allowed in a leaflet; use Markdown")]),
    ("Rood \x1b[31mgevaar\x1b[0m.\n",
     [(0, "contains characters that cannot be printed: U+001B (control character); remove them")]),
    ("Een\x0bverticale tab.\n\nVolgende regel.\n",
     [(0, "contains characters that cannot be printed: U+000B (control character); remove them")]),
    ("Lees \u202eseton\u202c omgekeerd.\n",
     [(0, "contains invisible or direction-changing characters: U+202E (RIGHT-TO-LEFT OVERRIDE), "
          "U+202C (POP DIRECTIONAL FORMATTING); remove them (they change the direction of the text "
          "around them, so numbers and words can be shown in another order than written)")]),
    ("Nul\x00teken.\n",
     [(0, "contains characters that cannot be printed: U+0000 (control character); remove them")]),
    ("![](rug.png)\n",
     [(0, "image 'rug.png' needs alt text: ![what it shows](rug.png)")]),
    ("*a **b " * 300 + "x" + "** b* a" * 300 + "\n",   # crashed WeasyPrint's layout (recursion)
     [(0, "bold, italic and links are nested 600 deep; at most 3 (e.g. a bold link in italic text)")]),
    (">" * 30 + " diep\n",
     [(0, "a callout ('> ') can hold only text, not a callout ('> ')")]),
])
def test_hostile_leaflet_text_is_refused_with_its_line(project, text, expected):
    (project.leaflets_dir / "rug.png").write_bytes(png())
    first = add_to_leaflet(project, text)
    assert refused(build_cli(project)) == [
        f"error: leaflets/{LEAFLET}.md:{first + offset}: {message}" for offset, message in expected]


def test_a_yaml_alias_bomb_gets_one_short_line(project):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    bomb = "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}' if i else 'x'] * 9)}]\n" for i in range(8))
    path.write_text(path.read_text().replace("title: Lage rugklachten\n", bomb + "title: *a7\n", 1))
    lines = refused(build_cli(project))
    title = [line for line in lines if ": title: " in line]
    assert len(title) == 1 and len(title[0]) < 300
    assert title[0].startswith(f"error: leaflets/{LEAFLET}.md:")
    assert "title: Input should be a valid string (got [[[...]" in title[0]


def test_deeply_nested_front_matter_is_refused(project):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text().replace("title: Lage rugklachten", "title: " + "[" * 5000 + "]" * 5000, 1))
    assert refused(build_cli(project)) == [
        f"error: leaflets/{LEAFLET}.md:2: front matter is nested too deeply; write plain `key: value` lines"]


def test_a_huge_leaflet_is_refused(project):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text() + ("Heel lange tekst. " * 70_000))
    [line] = refused(build_cli(project))
    assert line.startswith(f"error: leaflets/{LEAFLET}.md: is 1,")
    assert line.endswith(" bytes; the limit is 262,144 bytes")


@pytest.mark.parametrize("name, data, expected", [
    ("kapot.png", png()[:60], "is a broken image file"),
    ("bom.png", png_header_only(50_000, 50_000), "is too large in pixels (decompression bomb refused)"),
    ("groot.png", png_header_only(5000, 5000), "is 5000×5000 pixels; the limit is 16,000,000 pixels"),
    ("script.svg", svg("<script>alert(1)</script>"), "SVG <script> is not allowed"),
    ("stiekem.png", b"GIF89a" + bytes(30), "is not a PNG, JPEG or SVG image (judged by its content)"),
])
def test_a_hostile_leaflet_picture_is_refused(project, name, data, expected):
    (project.leaflets_dir / name).write_bytes(data)
    first = add_to_leaflet(project, f"![Een rug]({name})\n")
    [line] = refused(build_cli(project))
    assert line.startswith(f"error: leaflets/{LEAFLET}.md:{first}: image '{name}'")
    assert expected in line


# ---- Practice profiles and logos -----------------------------------------------------------------

def profile(project, text: str, logo: bytes | None = None, logo_name: str = "logo.svg") -> list[str]:
    (project.practices_dir / f"{PRACTICE}.toml").write_text(text)
    if logo is not None:
        (project.practices_dir / PRACTICE / logo_name).write_bytes(logo)
    return refused(build_cli(project, "--practice", PRACTICE))


GOOD = (f'name = "De Linde"\nlogo = "{PRACTICE}/logo.svg"\ncolor = "#1f6f5c"\n'
        'website = "https://delinde.example"\n')
FILE = f"practices/{PRACTICE}.toml"


@pytest.mark.parametrize("change, expected", [
    ('name = "De\\u001b[2J Linde"',  # TOML refuses the raw character itself; its escape passes
     f"{FILE}:1: name: contains characters that cannot be printed: U+001B (control character); "
     "remove them (got 'De\\x1b[2J Linde')"),
    ('name = "De \u202eedniL"',    # the raw character: the file's line 1 is refused, comments too
     f"{FILE}:1: contains invisible or direction-changing characters: U+202E (RIGHT-TO-LEFT "
     "OVERRIDE); remove them (they change the direction of the text around them, so numbers and "
     "words can be shown in another order than written)"),
    ('name = "De\\u202eLinde"',   # written as a TOML escape: the value is refused
     f"{FILE}:1: name: contains invisible or direction-changing characters: U+202E (RIGHT-TO-LEFT "
     "OVERRIDE); remove them (they change the direction of the text around them, so numbers and "
     "words can be shown in another order than written) (got 'De\\u202eLinde')"),
    ('website = "javascript:alert(1)//https://x"',
     f"{FILE}:4: website: must be a web address starting with https:// or http:// "
     "(got 'javascript:alert(1)//https://x')"),
    ('website = "https://a.example/\\"><script>"',
     f"{FILE}:4: website: must be a web address starting with https:// or http:// "
     "(got 'https://a.example/\"><script>')"),
    ('color = "#fff; } body { display: none"',
     f"{FILE}:3: color: must be a colour written as #rrggbb, e.g. \"#1d5e8c\" "
     "(got '#fff; } body { display: none')"),
    ('name = "   "', f"{FILE}:1: name: must not be empty: the practice's name as patients know it (got '   ')"),
    ('color = "red"', f"{FILE}:3: color: must be a colour written as #rrggbb, e.g. \"#1d5e8c\" (got 'red')"),
    ('name = ' + "[" * 3000 + "]" * 3000,
     f"{FILE}: is not valid TOML for a profile: values nested too deeply"),
])
def test_a_hostile_profile_value_is_refused(project, change, expected):
    key = change.split(" ")[0]
    text = "".join(change + "\n" if line.startswith(f"{key} =") else line + "\n"
                   for line in GOOD.splitlines())
    assert profile(project, text) == [f"error: {expected}"]


def test_a_name_that_is_html_is_text_not_markup(project, tmp_path):
    """Not refused: shown as written, escaped (tests/markup/test_hostile_escaping.py checks the page)."""
    (project.practices_dir / f"{PRACTICE}.toml").write_text('name = "<b>De Linde</b>"\n')
    assert build_cli(project, "--practice", PRACTICE).code == 0


@pytest.mark.parametrize("logo, expected", [
    (png_header_only(100_000, 100_000), "is too large in pixels (decompression bomb refused)"),
    (png_header_only(4001, 4000), f"is 4001×4000 pixels; the limit is {LOGO_MAX_PIXELS:,} pixels"),
    (png()[:-20], "is a broken image file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "is a broken image file"),
    (b"<html><script>alert(1)</script></html>", "is not a PNG, JPEG or SVG image (judged by its content)"),
    (b"%PDF-1.7\n", "is not a PNG, JPEG or SVG image (judged by its content)"),
    (svg('<image href="https://tracker.example/p.png" width="1" height="1"/>'),
     "SVG refers to 'https://tracker.example/p.png'; a logo must be self-contained"),
    (svg('<image xlink:href="file:///etc/passwd" width="1" height="1"/>'),
     "SVG refers to 'file:///etc/passwd'"),
    (svg('<rect width="9" height="9" fill="url(file:///etc/passwd)"/>'), "SVG refers to 'file:///etc/passwd'"),
    (svg('<rect width="9" height="9" style="filter: url(&quot;http://x.example/f.svg#f&quot;)"/>'),
     "SVG refers to 'http://x.example/f.svg#f'"),
    (svg("<style>rect { fill: u\\72l(file:///etc/hosts) }</style>"), "SVG refers to 'file:///etc/hosts'"),
    (svg("<style>@import 'https://x.example/a.css';</style>"), "SVG style @import is not allowed"),
    (svg("<style>@font-face { font-family: x; src: url(/usr/share/fonts/x.ttf) }</style>"),
     "SVG style @font-face is not allowed"),
    (svg("", prolog='<?xml version="1.0"?><?xml-stylesheet href="file:///etc/x.css"?>'),
     "SVG processing instruction <?xml-stylesheet ...?> is not allowed"),
    (svg("", prolog='<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'),
     "SVG with a DOCTYPE or ENTITY declaration is refused"),
    (svg('<script>alert(1)</script>'), "SVG <script> is not allowed"),
    (svg('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'),
     "SVG <foreignObject> is not allowed"),
    (svg('<rect width="9" height="9" onload="alert(1)"/>'), "SVG event attribute 'onload' is not allowed"),
    (svg('<use href="other.svg#logo"/>'), "SVG refers to 'other.svg#logo'"),
    (svg('<image width="9" height="9" href="data:image/png;base64,'
         + base64.b64encode(png_header_only(30_000, 30_000)).decode() + '"/>'),
     "logo 'fysio-delinde/logo.svg (embedded image)' is too large in pixels (decompression bomb refused)"),
    (svg('<image width="9" height="9" href="data:image/svg+xml;base64,'
         + base64.b64encode(svg('<image href="file:///etc/passwd"/>')).decode() + '"/>'),
     "logo 'fysio-delinde/logo.svg (embedded image)': SVG refers to 'file:///etc/passwd'"),
    (svg('<rect width="1" height="1"/>' * 6000), "SVG has 6,002 elements; the limit is 5,000"),
    (svg("<g>" * 300 + "</g>" * 300), "is not a valid SVG file (Excessive depth in document: 256"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "is not a valid SVG file"),
    (b"<?xml version='1.0'?><html/>", "is not an SVG image (root element <html>)"),
])
def test_a_hostile_logo_is_refused_by_its_content(project, logo, expected):
    lines = profile(project, GOOD, logo)
    assert lines and all(line.startswith(f"error: {FILE}:2: logo: ") for line in lines)
    assert any(expected in line for line in lines), lines


def test_a_logo_named_svg_that_is_a_png_is_judged_by_its_content(project):
    """The name is not the type: a real PNG called logo.svg is accepted as the PNG it is."""
    (project.practices_dir / PRACTICE / "logo.svg").write_bytes(png())
    (project.practices_dir / f"{PRACTICE}.toml").write_text(GOOD)
    assert build_cli(project, "--practice", PRACTICE).code == 0


def test_a_huge_logo_file_is_refused_before_it_is_read(project):
    lines = profile(project, GOOD, b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * (3 * 1024 * 1024) + b"</svg>")
    assert lines == [f"error: {FILE}:2: logo: logo '{PRACTICE}/logo.svg' is 3,145,774 bytes; "
                     "the limit is 2,097,152 bytes"]


def test_logo_checks_never_raise():
    """Odd bytes give problems, not exceptions."""
    for data in (b"", b"\x89PNG", b"\xff\xd8\xff", b"<svg", b"<!-- x -->", b"<?xml", png()[:30]):
        mime, problems = logo_problems(data, "x")
        assert problems, data


# ---- Catalogs ------------------------------------------------------------------------------------

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


@pytest.mark.parametrize("entry, expected", [
    ('msgid "Rust"\nmsgstr "Rest\n', "6: msgstr must be followed by a string in double quotes, "
                                     "closed on the same line"),
    ('msgid "Rust"\nmsgstr Rest\n', "6: msgstr must be followed by a string in double quotes, "
                                    "closed on the same line"),
    ('msgid "Rust"\nmsgstr "Rest"\nmsgtxt "x"\n', "7: is not a valid .po file: unknown keyword "
                                                  "'msgtxt'; expected msgid, msgstr, msgctxt or a comment"),
    ('msgid "Rust"\n\nmsgid "Pijn"\nmsgstr "Pain"\n', "5: msgid without a msgstr after it"),
    ('msgid "Rust"\nmsgstr "Rest"\n\nmsgid "Rust"\nmsgstr "Ruhe"\n',
     "8: msgid 'Rust' appears twice (first on line 5)"),
    ('msgid "Rust"\nmsgstr "Re\\st"\n', "6: unknown escape '\\s' in a string; write \\\\ for a "
                                        "backslash, \\\" for a quote, \\n for a new line"),
    ('msgid "Rust"\nmsgstr "Rest <script>alert(1)</script>"\n',
     "6: msgstr of 'Rust': raw HTML '<script>' is not allowed; use Markdown (**bold**, *italic*)"),
    ('msgid "Blijf bewegen"\nmsgstr "Keep [moving](https://evil.example)"\n',
     "6: msgstr of 'Blijf bewegen': the markup differs from the Dutch: the Dutch has no markup, "
     "the translation 1 link"),
    ('msgid "Zie [hier](https://a.nl)"\nmsgstr "See [here](https://b.example)"\n',
     "6: msgstr of 'Zie [hier](https://a.nl)': the link targets differ from the Dutch: the Dutch "
     "links to https://a.nl, the translation to https://b.example"),
    ('msgid "Zie **dit**"\nmsgstr "See this"\n',
     "6: msgstr of 'Zie **dit**': the markup differs from the Dutch: the Dutch has 1 bold, the "
     "translation no markup"),
    ('msgid "Rust"\nmsgstr "Rest ![x](file:///etc/passwd)"\n',
     "6: msgstr of 'Rust': an image must stand in a paragraph of its own"),
    ('msgid "Rust"\nmsgstr "Rest\\t`code`"\n', "6: msgstr of 'Rust': code `code` is not allowed in a leaflet"),
])
def test_a_hostile_catalog_is_refused_with_its_line(project, entry, expected):
    folder = project.translations_dir / "tr" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{LEAFLET}.po").write_text(HEADER + entry)
    lines = refused(build_cli(project, "--lang", "tr", "--allow-draft"))
    assert f"error: translations/tr/LC_MESSAGES/{LEAFLET}.po:{expected}" in lines, lines


@pytest.mark.parametrize("msgstr, expected", [
    ("Sürüm %(versoin)s, %(date)s", "the placeholders differ from the Dutch: the Dutch has date, "
                                    "version, the translation date, versoin"),
    ("Sürüm %(version)s", "the placeholders differ from the Dutch: the Dutch has date, version, "
                          "the translation version"),
    ("%(version)d Sürüm, %(date)s", "the placeholders differ from the Dutch: the Dutch has date, "
                                    "version, the translation date"),
    ("%100 Sürüm %(version)s, %(date)s", None),       # a lone % is text, also here
    ("Sürüm %(version)s, %(date)s (50 % daha az, %s, %d)", None),
])
def test_a_template_string_must_keep_its_placeholders(msgstr, expected):
    """Jinja %-formats template strings: a wrong placeholder would crash the render. A
    placeholder is %(name)s only; any other % is text (template_environment.percent_as_text)."""
    text = HEADER + f'msgid "Versie %(version)s, %(date)s"\nmsgstr "{msgstr}"\n'
    problems = check_text(text, "translations/tr/LC_MESSAGES/leafletgen.po", template_domain=True)
    assert [str(p) for p in problems] == ([] if expected is None else [
        f"translations/tr/LC_MESSAGES/leafletgen.po:6: msgstr of 'Versie %(version)s, %(date)s': {expected}"])


def test_a_catalog_that_is_not_utf8_is_refused(project):
    folder = project.translations_dir / "tr" / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{LEAFLET}.po").write_bytes((HEADER + 'msgid "Rust"\nmsgstr "Ré"\n').encode("latin-1"))
    lines = refused(build_cli(project, "--lang", "tr", "--allow-draft"))
    assert f"error: translations/tr/LC_MESSAGES/{LEAFLET}.po:6: is not UTF-8 text (byte 86); save it as UTF-8" in lines


def test_fuzzy_and_obsolete_entries_are_not_held_against_a_catalog():
    text = HEADER + '#, fuzzy\nmsgid "Rust"\nmsgstr "<b>Rest</b>"\n\n#~ msgid "Oud"\n#~ msgstr "<i>old</i>"\n'
    assert check_text(text, "x.po") == []


def test_the_shipped_catalogs_pass(project):
    from leafletgen.translate.catalog_checks import catalog_problems
    from leafletgen.translate.catalogs import languages

    checked = 0
    for lang in languages(project):
        for po in sorted((project.translations_dir / lang / "LC_MESSAGES").glob("*.po")):
            assert catalog_problems(project, po.stem, lang) == []
            checked += 1
    assert checked >= 1


# ---- Names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("option, value, expected", [
    ("--leaflet", "../../etc/passwd", "unknown leaflet '../../etc/passwd'; known leaflets: lage-rugklachten"),
    ("--practice", "../leaflets/lage-rugklachten", "unknown practice '../leaflets/lage-rugklachten'; "
                                                   "known practices: fysio-delinde"),
    ("--lang", "../../../etc", "unknown language '../../../etc'; known languages: nl"),
])
def test_a_name_that_is_a_path_is_an_unknown_name(project, option, value, expected):
    args = ["build", "--leaflet", LEAFLET, option, value, "--out", str(project.root / "out")]
    if option == "--leaflet":
        args = ["build", option, value, "--out", str(project.root / "out")]
    run = run_cli(*args, root=project.root)
    assert run.code == 1
    assert run.err.splitlines()[0].startswith(f"error: {expected}")


def test_user_errors_are_problems_not_exceptions_of_other_kinds(project):
    from leafletgen.inputs.leaflet import load_leaflet
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_bytes(b"---\n\xff\xfe\n---\n")
    with pytest.raises(UserError):
        load_leaflet(project, LEAFLET)
