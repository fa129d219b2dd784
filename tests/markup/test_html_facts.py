"""The HTML copy of the Dutch leaflet, with and without a practice: the facts a byte-for-byte
golden file used to guard, each asserted on its own and read from the sources (the leaflet, the
profile, the template catalog), never copied into the test.

Language and direction; title and metadata; the practice block (logo with its alt text, name,
contact); every unit of the leaflet, in order, in the element its block asks for, and no other
words in the body; the footer (practice, version and date, page X of Y); the colophon; the QR
code where the practice has a website; self-contained, no script. How it looks is checked on
the PDF (test_typeset.py, test_print_facts.py, test_leaflet_pdf.py)."""

from __future__ import annotations

import re
import tomllib

import pytest
import tinycss2
import tinyhtml5
from babel.dates import format_date
from babel.messages.pofile import read_po

import leafletgen
from leafletgen.build import BuildRequest, build
from leafletgen.inputs.leaflet import load_leaflet
from leafletgen.inputs.project import Project

from tests.conftest import REPO

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"
XHTML = "{http://www.w3.org/1999/xhtml}"
BLOCK_TAGS = {"p", "ul", "ol", "aside", "figure", "h1", "h2", "h3"}


def words(text: str) -> list[str]:
    """The words of a text (letters and digits), whatever the typography between them:
    quotes, no-break spaces, soft hyphens, inline Markdown."""
    return re.findall(r"\w+", text.replace("\u00ad", "").replace("\u2011", "-"))


def classes(element) -> set[str]:
    return set(element.get("class", "").split())


def tag(element) -> str:
    return element.tag.removeprefix(XHTML)


def text(element) -> str:
    return "".join(element.itertext())


def plain(value: str) -> str:
    """Spaces as spaces (typography joins words with no-break spaces), each run as one."""
    return " ".join(value.replace("\u00a0", " ").replace("\u202f", " ").split())


def find_all(root, name: str, cls: str | None = None) -> list:
    return [e for e in root.iter(XHTML + name) if cls is None or cls in classes(e)]


def find(root, name: str, cls: str | None = None):
    found = find_all(root, name, cls)
    assert len(found) == 1, (name, cls, len(found))
    return found[0]


def meta(root) -> dict[str, str]:
    return {e.get("name"): e.get("content") for e in find_all(root, "meta") if e.get("name")}


def template_strings() -> set[str]:
    """The words of the template catalog's texts (footer labels, the kicker, …)."""
    with open(REPO / "translations" / "leafletgen.pot", "rb") as file:
        catalog = read_po(file)
    return {word for message in catalog if message.id
            for msgid in ([message.id] if isinstance(message.id, str) else message.id)
            for word in words(re.sub(r"%\(\w+\)s", " ", msgid))}


@pytest.fixture(scope="module")
def sources():
    project = Project(REPO)
    leaflet = load_leaflet(project, LEAFLET)
    profile = tomllib.loads((REPO / "practices" / f"{PRACTICE}.toml").read_text(encoding="utf-8"))
    return leaflet, profile


@pytest.fixture(scope="module")
def without_practice(tmp_path_factory):
    _, _, html = build(Project(REPO), BuildRequest(LEAFLET, "nl", None), tmp_path_factory.mktemp("html"))
    return tinyhtml5.parse(html.read_text(encoding="utf-8"))


@pytest.fixture
def with_practice(dutch_leaflet):
    return tinyhtml5.parse(dutch_leaflet.html.read_text(encoding="utf-8"))


def host(url: str) -> str:
    return re.sub(r"^https?://", "", url).rstrip("/")


def test_language_title_and_metadata(with_practice, without_practice, sources):
    leaflet, profile = sources
    for root, author in ((with_practice, profile["name"]), (without_practice, leaflet.author)):
        assert (root.get("lang"), root.get("dir")) == (leaflet.language, "ltr")
        assert text(find(root, "title")) == leaflet.title
        assert meta(root)["author"] == author
        assert meta(root)["description"] == f"{leaflet.title} — {author}"
        assert meta(root)["generator"] == f"leafletgen {leafletgen.__version__}"
        assert meta(root)["dcterms.created"] == leaflet.published.isoformat()


def test_every_unit_in_order_in_the_element_its_block_asks_for(with_practice, without_practice, sources):
    leaflet, _ = sources
    expected = [("h1", words(leaflet.title))]
    for block in leaflet.blocks:
        if block.kind == "heading":
            expected.append((f"h{block.level}", words(block.text)))
        elif block.kind == "list":
            expected.append(("ol" if block.ordered else "ul", [words(item) for item in block.items]))
        elif block.kind == "callout":
            expected.append(("aside", words(block.text)))
        elif block.kind == "paragraph":
            expected.append(("p", words(block.text)))
    kicker = template_strings()
    for root in (with_practice, without_practice):
        found = []
        for element in find(root, "main"):
            if tag(element) not in BLOCK_TAGS:
                continue
            if "kicker" in classes(element):          # a template string above the title
                assert set(words(text(element))) <= kicker
                continue
            if tag(element) in ("ul", "ol"):
                found.append((tag(element), [words(text(li)) for li in element if tag(li) == "li"]))
            else:
                found.append((tag(element), words(text(element))))
            if tag(element) == "aside":
                assert "callout" in classes(element) and element.get("role") == "note"
        assert found == expected


def test_the_practice_block_and_the_footer(with_practice, sources):
    leaflet, profile = sources
    header = find(with_practice, "header", "practice")
    [logo] = find_all(header, "img", "logo")
    assert logo.get("alt") == profile["name"] and logo.get("src").startswith("data:image/svg+xml;base64,")
    assert plain(text(find(header, "p", "practice-name"))) == profile["name"]
    contact = plain(text(find(header, "p", "practice-contact")))
    for value in (profile["address"], profile["phone"], profile["email"], host(profile["website"])):
        assert plain(value) in contact, value
    start, end = footer(with_practice)
    for value in (profile["name"], profile["phone"], host(profile["website"])):
        assert value in start, value
    for value in (leaflet.version, format_date(leaflet.published, format="long", locale=leaflet.language),
                  "counter(page)", "counter(pages)"):
        assert value in end, value
    assert not find_all(with_practice, "div", "page-footer")      # no footer in the text on screen


def footer(root) -> tuple[str, str]:
    """The footer's two texts (blocks/footer.html.j2) as the page's margin boxes print them: the
    start's (the practice, a custom property the box reads) and the end's (its own content); the
    CSS strings decoded, counters as written, the spaces plain."""
    css = "".join(text(style) for style in find_all(root, "style"))

    def printed(tokens) -> str:
        return plain("".join(token.value if token.type == "string" else tinycss2.serialize([token])
                             for token in tokens).replace("\u2060", ""))

    start, boxes = None, []
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root":
            for declaration in tinycss2.parse_declaration_list(rule.content, True, True):
                if declaration.name == "--footer-start":
                    start = printed(declaration.value)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content:
            for box in tinycss2.parse_blocks_contents(rule.content, True, True):
                if box.type == "at-rule" and box.lower_at_keyword.startswith("bottom-"):
                    boxes += [printed(d.value) for d in tinycss2.parse_blocks_contents(box.content, True, True)
                              if d.type == "declaration" and d.lower_name == "content"]
    [end] = [content for content in boxes if "--footer-start" not in content]
    assert start is not None and len(boxes) == 2, boxes
    return start, end


def test_without_a_practice_no_practice_block_and_no_qr_code(without_practice, sources):
    leaflet, profile = sources
    assert not find_all(without_practice, "header", "practice")
    assert not find_all(without_practice, "img", "logo")
    assert not find_all(without_practice, "aside", "qr")
    assert footer(without_practice)[0] == "none"
    assert profile["name"] not in plain(text(without_practice))


def test_the_colophon(with_practice, without_practice, sources):
    leaflet, _ = sources
    for root in (with_practice, without_practice):
        colophon = plain(text(find(root, "footer", "colophon")))
        for value in (leaflet.version, format_date(leaflet.published, format="long", locale="nl"),
                      format_date(leaflet.review, format="long", locale="nl"), leaflet.author,
                      leaflet.source):
            assert value in colophon, value


def test_the_qr_code_leads_to_the_website(with_practice, sources):
    _, profile = sources
    qr = find(with_practice, "aside", "qr")
    assert host(profile["website"]) in plain(text(qr))
    [image] = find_all(qr, "img", "qr-code")
    assert image.get("src").startswith("data:image/png;base64,") and image.get("alt")


def test_self_contained_and_no_script(with_practice, without_practice):
    for root in (with_practice, without_practice):
        assert not find_all(root, "script")
        for element in root.iter():
            for attribute in ("src", "href"):
                value = element.get(attribute)
                assert value is None or value.startswith(("data:", "#")), (tag(element), value)
        assert len(find_all(root, "style")) >= 2       # the fonts and the leaflet's stylesheet
