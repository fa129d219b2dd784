"""Every problem a leaflet can have is reported: one line each, with its file and line number.

The messages are asserted exactly: they are the interface to the content editor.
"""

from __future__ import annotations

import datetime as dt

import pytest

from leafletgen.inputs.leaflet import load_leaflet
from leafletgen.errors import UserError
from leafletgen.markup.inline import render_inline


FRONT = """\
---
id: proef
title: Proefleaflet
language: nl
version: "1.0"
published: 2026-11-01
review: 2027-11-01
author: Redactie
---
"""
BODY = "\nEen gewone zin.\n"
def _png() -> bytes:
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 90, 140)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()  # a real image: a broken one is refused like a broken logo
FILE = "leaflets/proef.md"


def write(project, text: str, leaflet_id: str = "proef"):
    path = project.leaflets_dir / f"{leaflet_id}.md"
    path.write_text(text, encoding="utf-8")
    return path


def problems(project, text: str, leaflet_id: str = "proef") -> list[str]:
    write(project, text, leaflet_id)
    with pytest.raises(UserError) as info:
        load_leaflet(project, leaflet_id)
    return info.value.lines


def front(**changes) -> str:
    """The valid front matter with keys changed (value None removes the key, new keys are added)."""
    lines = FRONT.splitlines()
    for key, value in changes.items():
        found = [i for i, line in enumerate(lines) if line.startswith(f"{key}:")]
        if value is None:
            del lines[found[0]]
        elif found:
            lines[found[0]] = f"{key}: {value}"
        else:
            lines.insert(-1, f"{key}: {value}")
    return "\n".join(lines) + "\n"


def test_the_valid_example_loads(project):
    write(project, FRONT + BODY)
    leaflet = load_leaflet(project, "proef")
    assert (leaflet.id, leaflet.title, leaflet.version) == ("proef", "Proefleaflet", "1.0")
    assert leaflet.published == dt.date(2026, 11, 1)
    assert [(b.kind, b.line, b.text) for b in leaflet.blocks] == [("paragraph", 11, "Een gewone zin.")]


# ---- Front matter ------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, expected", [
    ({"colour": "blauw"},
     "leaflets/proef.md:9: colour: unknown key; allowed keys are: "
     "id, title, language, version, published, review, author, source, keywords"),
    ({"author": None},
     "leaflets/proef.md:1: author: this key is required"),
    ({"published": "2026-13-01"},
     "leaflets/proef.md:6: published: must be a real date written as YYYY-MM-DD, e.g. 2026-11-01 "
     "(got '2026-13-01')"),
    ({"published": "1 november 2026"},
     "leaflets/proef.md:6: published: must be a real date written as YYYY-MM-DD, e.g. 2026-11-01 "
     "(got '1 november 2026')"),
    ({"published": "20261101"},
     "leaflets/proef.md:6: published: must be a real date written as YYYY-MM-DD, e.g. 2026-11-01 "
     "(got 20261101)"),
    ({"review": "2026-10-01"},
     "leaflets/proef.md:7: review: the review date must come after the publication date (2026-11-01) "
     "(got '2026-10-01')"),
    ({"version": "1.0"},
     "leaflets/proef.md:5: version: write the version in quotes, e.g. version: \"1.0\" (got 1.0)"),
    ({"version": "2"},
     "leaflets/proef.md:5: version: write the version in quotes, e.g. version: \"2\" (got 2)"),
    ({"language": "en"},
     "leaflets/proef.md:4: language: Input should be 'nl' (got 'en')"),
    ({"id": "andere-id"},
     "leaflets/proef.md:2: id: id 'andere-id' must match the file name ('proef')"),
], ids=["unknown-key", "missing-key", "impossible-date", "date-in-words", "date-as-number",
        "review-before-published", "version-not-quoted", "version-integer", "not-dutch", "id-mismatch"])
def test_front_matter_problem(project, changes, expected):
    assert problems(project, front(**changes) + BODY) == [expected]


def test_front_matter_yaml_syntax_error_names_its_line(project):
    text = FRONT.replace("title: Proefleaflet", "title: [Proefleaflet")
    assert problems(project, text + BODY) == [
        "leaflets/proef.md:4: front matter is not valid YAML: "
        "expected ',' or ']', but got ':'"]


def test_missing_front_matter(project):
    assert problems(project, "Een zin zonder kop.\n") == [
        "leaflets/proef.md:1: a leaflet starts with YAML front matter between '---' lines"]


def test_unclosed_front_matter(project):
    assert problems(project, FRONT.rstrip("-\n") + "\n\nEen zin.\n") == [
        "leaflets/proef.md:1: the front matter has no closing '---' line"]


def test_empty_body(project):
    assert problems(project, FRONT) == ["leaflets/proef.md:10: the leaflet has no text after the front matter"]


def test_not_utf8(project):
    (project.leaflets_dir / "proef.md").write_bytes(FRONT.encode() + "\nPatiënt\n".encode("latin-1"))
    with pytest.raises(UserError) as info:
        load_leaflet(project, "proef")
    byte = len(FRONT.encode()) + len("\nPati")
    assert info.value.lines == [f"leaflets/proef.md: is not UTF-8 text (invalid continuation byte at byte {byte})"]


def test_unknown_leaflet_lists_the_known_ones(project):
    with pytest.raises(UserError) as info:
        load_leaflet(project, "knieklachten")
    assert info.value.lines == ["unknown leaflet 'knieklachten'; known leaflets: lage-rugklachten"]


# ---- Body: the Markdown a leaflet may not use ----------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ("Tekst met <b>vet</b>.\n",
     ["leaflets/proef.md:11: raw HTML '<b>' is not allowed; use Markdown (**bold**, *italic*)",
      "leaflets/proef.md:11: raw HTML '</b>' is not allowed; use Markdown (**bold**, *italic*)"]),
    ("<div>blok</div>\n",
     ["leaflets/proef.md:11: raw HTML is not allowed in a leaflet; use Markdown"]),
    ("<script>alert(1)</script>\n",
     ["leaflets/proef.md:11: raw HTML is not allowed in a leaflet; use Markdown"]),
    ("```\ncode\n```\n",
     ["leaflets/proef.md:11: code blocks (```) are not allowed in a leaflet"]),
    ("    ingesprongen regel\n",
     ["leaflets/proef.md:11: an indented line is read as a code block, which a leaflet does not "
      "allow: remove the indent"]),
    ("Een `code` woord.\n",
     ["leaflets/proef.md:11: code `code` is not allowed in a leaflet"]),
    ("# Kop\n",
     ["leaflets/proef.md:11: '# ' is the title, which comes from the front matter; use '## ' for a heading"]),
    ("#### Diepe kop\n",
     ["leaflets/proef.md:11: heading level 4 is too deep; use '## ' or '### '"]),
    ("- punt\n  - genest\n",
     ["leaflets/proef.md:12: lists inside lists are not supported; keep a list one level deep"]),
    ("- punt\n\n  > citaat\n",
     ["leaflets/proef.md:13: a list item can hold only text, not a callout ('> ')"]),
    ("> ## kop in een callout\n",
     ["leaflets/proef.md:11: a callout ('> ') can hold only text, not a heading"]),
    ("> tekst\n>\n> - punt\n",
     ["leaflets/proef.md:13: a callout ('> ') can hold only text, not a list"]),
    ("![](rug.png)\n",
     ["leaflets/proef.md:11: image 'rug.png' needs alt text: ![what it shows](rug.png)"]),
    ("Zie ![rug](rug.png) hier.\n",
     ["leaflets/proef.md:11: an image must stand in a paragraph of its own"]),
    ("Een [link](javascript:alert(1)).\n",
     ["leaflets/proef.md:11: link target 'javascript:alert(1)' uses 'javascript:'; "
      "only http, https, mailto and tel links are allowed"]),
    ("Een [bestand](file:///etc/passwd).\n",
     ["leaflets/proef.md:11: link target 'file:///etc/passwd' uses 'file:'; "
      "only http, https, mailto and tel links are allowed"]),
    ("Een [pagina](folder.html).\n",
     ["leaflets/proef.md:11: link target 'folder.html' must be a full http(s), mailto: or tel: address"]),
    ("Tekst\n\n---\n\nMeer tekst\n",
     ["leaflets/proef.md:13: horizontal rules are not supported; start a new part with a '## ' heading"]),
], ids=["inline-html", "html-block", "script", "fenced-code", "indented-code", "inline-code",
        "h1", "h4", "nested-list", "quote-in-list", "heading-in-callout", "list-in-callout",
        "image-without-alt", "inline-image", "javascript-link", "file-link", "relative-link", "rule"])
def test_body_problem(project, body, expected):
    (project.leaflets_dir / "rug.png").write_bytes(PNG)
    assert problems(project, FRONT + "\n" + body) == expected


@pytest.mark.parametrize("src, expected", [
    ("weg.png", "image 'weg.png' not found in leaflets/"),
    ("../practices/fysio-delinde/logo.svg", "image '../practices/fysio-delinde/logo.svg' must be a file "
                                            "inside leaflets/"),
    ("tekst.png", "image 'tekst.png' is not a PNG, JPEG or SVG image (judged by its content)"),
    ("https://example.org/rug.png", "image 'https://example.org/rug.png' must be a file in leaflets/, "
                                    "not an address"),
], ids=["missing", "outside", "not-an-image", "address"])
def test_image_file_problem(project, src, expected):
    (project.leaflets_dir / "tekst.png").write_text("geen plaatje")
    assert problems(project, FRONT + f"\n![Een rug]({src})\n") == [f"leaflets/proef.md:11: {expected}"]


def test_allowed_markdown_passes(project):
    (project.leaflets_dir / "rug.png").write_bytes(PNG)
    body = """
## Kop

### Subkop

Een zin met **vet**, *cursief*, een [link](https://example.org), [mail](mailto:a@example.org)
en [bel](tel:+31301234567).

- een
- twee

1. eerste
2. tweede

> De kernboodschap

![Een rug](rug.png)
"""
    write(project, FRONT + body)
    leaflet = load_leaflet(project, "proef")
    assert [b.kind for b in leaflet.blocks] == [
        "heading", "heading", "paragraph", "list", "list", "callout", "image"]
    assert [b.line for b in leaflet.blocks] == [11, 13, 15, 18, 21, 24, 26]
    assert leaflet.blocks[4].ordered and not leaflet.blocks[3].ordered
    assert leaflet.blocks[5].text == "De kernboodschap"
    assert leaflet.blocks[6].text == "Een rug"


def test_every_problem_of_a_file_is_reported_together(project, cli):
    """Front matter and body problems together, in file order, each with file and line."""
    text = """\
---
id: proef
title: Proefleaflet
language: nl
version: 1.0
published: 2026-13-01
review: 2027-11-01
colour: blauw
---

# Een kop op titelniveau

Tekst met <i>HTML</i>.

```
code
```

- punt
  - genest

![](plaatje.png)

Een [link](javascript:alert(1)).
"""
    expected = [
        "leaflets/proef.md:1: author: this key is required",
        "leaflets/proef.md:5: version: write the version in quotes, e.g. version: \"1.0\" (got 1.0)",
        "leaflets/proef.md:6: published: must be a real date written as YYYY-MM-DD, e.g. 2026-11-01 "
        "(got '2026-13-01')",
        "leaflets/proef.md:8: colour: unknown key; allowed keys are: "
        "id, title, language, version, published, review, author, source, keywords",
        "leaflets/proef.md:11: '# ' is the title, which comes from the front matter; use '## ' for a heading",
        "leaflets/proef.md:13: raw HTML '<i>' is not allowed; use Markdown (**bold**, *italic*)",
        "leaflets/proef.md:13: raw HTML '</i>' is not allowed; use Markdown (**bold**, *italic*)",
        "leaflets/proef.md:15: code blocks (```) are not allowed in a leaflet",
        "leaflets/proef.md:20: lists inside lists are not supported; keep a list one level deep",
        "leaflets/proef.md:22: image 'plaatje.png' needs alt text: ![what it shows](plaatje.png)",
        "leaflets/proef.md:24: link target 'javascript:alert(1)' uses 'javascript:'; "
        "only http, https, mailto and tel links are allowed",
    ]
    (project.leaflets_dir / "plaatje.png").write_bytes(PNG)
    assert problems(project, text) == expected
    # The CLI prints the same, one line each, and exits 1 without a traceback.
    run = cli("build", "--leaflet", "proef", root=project.root)
    assert run.code == 1
    assert run.out == ""
    assert run.err.splitlines() == [f"error: {line}" for line in expected]


def test_raw_html_never_reaches_the_page():
    assert render_inline('Tekst <b onclick="x()">vet</b> & meer') == \
        'Tekst &lt;b onclick=&#34;x()&#34;&gt;vet&lt;/b&gt; &amp; meer'
    assert render_inline("[klik](javascript:alert(1))") == "<a>klik</a>"
    assert render_inline("**vet** en *schuin* [site](https://example.org)") == \
        '<strong>vet</strong> en <em>schuin</em> <a href="https://example.org">site</a>'


def test_a_byte_order_mark_and_windows_line_ends_are_fine(project):
    (project.leaflets_dir / "proef.md").write_bytes(
        b"\xef\xbb\xbf" + (FRONT + BODY).replace("\n", "\r\n").encode())
    assert load_leaflet(project, "proef").blocks[0].text == "Een gewone zin."


def test_front_matter_that_is_not_a_mapping(project):
    assert problems(project, "---\n- id\n- title\n---\n" + BODY) == [
        "leaflets/proef.md:1: expected a set of `key: value` entries"]


@pytest.mark.parametrize("leaflet_id", ["../README", "Lage-Rugklachten", "/etc/passwd", ""])
def test_a_leaflet_id_is_a_name_in_leaflets_not_a_path(project, leaflet_id):
    (project.root / "README.md").write_text(FRONT + BODY)
    with pytest.raises(UserError) as info:
        load_leaflet(project, leaflet_id)
    assert info.value.lines == [f"unknown leaflet {leaflet_id!r}; known leaflets: lage-rugklachten"]
