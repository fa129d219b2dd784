"""A practice's templates, stylesheet or logo cannot change the words a patient reads: each of
these overrides built before the text proof (at most a contrast warning); now none is written,
and the report names the unit and the difference."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import PROJECT_PARTS, REPO, run_cli

OWN = "practices/fysio-delinde/templates"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A private copy of the project, shared by the module's tests; each test sets its own
    override and removes it afterwards."""
    root = tmp_path_factory.mktemp("attacks") / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.fixture
def override(root):
    """override(name, text): a file in the practice's own templates folder for this test."""
    written = []

    def write(name: str, text: str) -> None:
        path = root / OWN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    yield write
    shutil.rmtree(root / OWN, ignore_errors=True)


def stylesheet(root, extra: str) -> str:
    return (root / "templates" / "leaflet.css").read_text(encoding="utf-8") + "\n" + extra + "\n"


def build(root, tmp_path, lang="nl", *options):
    out = tmp_path / "out"
    run = run_cli("build", "--leaflet", "lage-rugklachten", "--lang", lang, "--practice", "fysio-delinde",
                  "--out", str(out), *options, root=root)
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) \
        if out.exists() else []
    return run, written


def test_a_template_that_replaces_words_is_refused(root, override, tmp_path):
    template = (root / "templates/blocks/paragraph.html.j2").read_text(encoding="utf-8")
    override("blocks/paragraph.html.j2",
             template.replace("{{ block.html }}", '{{ block.html | replace("twee weken", "twee dagen") }}'))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    assert "lage-rugklachten nl for fysio-delinde: unit 'Lage rugpijn, ook wel" in run.err
    assert "incomplete on the page: 'weken" in run.err
    assert "added: 'dagen" in run.err
    assert "Traceback" not in run.err


def test_a_stylesheet_that_hides_the_key_message_is_refused(root, override, tmp_path):
    override("leaflet.css", stylesheet(root, ".callout { display: none }"))
    run, written = build(root, tmp_path, "tr")
    assert run.code == 1 and written == []
    # The Turkish key message, whatever its words: read from the catalog, not pinned here.
    from babel.messages.pofile import read_po
    with open(root / "translations/tr/LC_MESSAGES/lage-rugklachten.po", "rb") as po:
        key = read_po(po).get("Acute lage rugklachten gaan vaak vanzelf over").string
    assert f"lage-rugklachten tr for fysio-delinde: unit '{key[:20]}" in run.err
    assert "missing on the page" in run.err


def test_a_stylesheet_that_adds_a_dose_is_refused(root, override, tmp_path):
    override("leaflet.css", stylesheet(
        root, 'li:first-child::before { content: "Neem elke 2 uur 2 tabletten ibuprofen 400 mg. " }'))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    # The stylesheet is in the HTML copy too: the report quotes what it adds first. Our bullets
    # sit in a narrow box over the item's start, so in the PDF the dose lands on the items.
    assert run.err.startswith("error: lage-rugklachten nl for fysio-delinde: in the HTML copy: added by a "
                              "style: 'Neem elke 2 uur 2 tabletten ibuprofen 400 mg.'")
    assert "painted over by other text ('Neem')" in run.err


def test_a_dose_added_inline_is_quoted(root, override, tmp_path):
    override("leaflet.css", stylesheet(
        root, 'li:first-child::before { content: "Neem elke 2 uur 2 tabletten ibuprofen 400 mg. ";'
              ' position: static !important; color: #1a1a1a !important }'))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    assert "added: 'Neem elke 2 uur 2 tabletten ibuprofen 400 mg.'" in run.err


def test_svg_text_outside_the_logos_box_is_refused(root, tmp_path):
    logo = root / "practices/fysio-delinde/logo.svg"
    original = logo.read_text(encoding="utf-8")
    logo.write_text(original.replace("</svg>", '<text x="-900" y="60" font-size="12">Neem 8 tabletten'
                                               "</text></svg>"), encoding="utf-8")
    try:
        run, written = build(root, tmp_path)
    finally:
        logo.write_text(original, encoding="utf-8")
    assert run.code == 1 and written == []
    # The logo's check refuses it first (inputs/logo.py); the proof would too, were it let through.
    assert "Neem 8 tabletten" in run.err and "outside" in run.err


@pytest.mark.parametrize("css, why", [
    ("aside.callout p { color: #fdfdfd !important }", "too faint"),
    ("aside.callout p { font-size: 4pt !important }", "tiny (4.0 pt)"),
    ("aside.callout { opacity: 0.4 }", "transparent"),
    ("aside.callout { height: 1px; overflow: hidden }", "clipped"),
    ("aside.callout { position: relative; left: -2000px }", "outside the page"),
    ("aside.callout { transform: scale(0.2) }", "tiny"),
    ("aside.callout { position: relative } aside.callout::after { content: ''; position: absolute;"
     " inset: 0; background: #fff }", "painted over by a box"),
])
def test_text_that_cannot_be_seen_is_refused(root, override, tmp_path, css, why):
    override("leaflet.css", stylesheet(root, css))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    assert "'Acute lage rugklachten gaan vaak vanzelf over' cannot be read on page" in run.err
    assert why in run.err


def test_a_dose_in_an_alt_text_is_refused(root, override, tmp_path):
    header = (root / "templates/blocks/header.html.j2").read_text(encoding="utf-8")
    override("blocks/header.html.j2", header.replace('alt="{{ practice.name }}"',
                                                     'alt="{{ practice.name }}: neem 8 tabletten"'))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    assert "alt text 'Fysiotherapie De Linde: neem 8 tabletten' is not an approved text" in run.err
    assert "in the HTML copy: alt of <img> 'Fysiotherapie De Linde: neem 8 tabletten'" in run.err


def test_a_bookmark_with_a_dose_is_refused(root, override, tmp_path):
    override("leaflet.css", stylesheet(root, 'h2 { bookmark-label: "Neem 8 tabletten" }'))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    assert "bookmark 'Neem 8 tabletten' is not an approved text" in run.err


def test_words_only_a_browser_shows_are_refused(root, override, tmp_path):
    override("leaflet.css", stylesheet(root, '@media screen { h1::after { content: " — neem 8 tabletten" } }'))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    assert "in the HTML copy: added by a style: '— neem 8 tabletten'" in run.err


def test_words_a_browser_reads_through_a_custom_property_are_refused(root, override, tmp_path):
    """The footer's texts reach the page through custom properties (var()); a style may hide a
    dose there too, as deep as it likes."""
    override("leaflet.css", stylesheet(root, ':root { --warning: var(--dose); --dose: " — neem 8 tabletten" }'
                                             ' @media screen { h1::after { content: var(--warning) } }'))
    run, written = build(root, tmp_path)
    assert run.code == 1 and written == []
    assert "in the HTML copy: added by a style: '— neem 8 tabletten'" in run.err


def test_a_practices_own_look_is_still_free(root, override, tmp_path):
    """Colours, fonts sizes within the limits, spacing, a border: the look may change freely."""
    override("leaflet.css", stylesheet(root, "h2 { letter-spacing: 0.02em; border-bottom: 1px solid #333 }"
                                             " aside.callout { background: #eef6ff }"
                                             " li::before { content: '–' }"))
    run, written = build(root, tmp_path)
    assert run.code == 0, run.err
    assert [name for name in written if name.startswith("fysio-delinde/")] == [
        "fysio-delinde/nl/lage-rugklachten.html", "fysio-delinde/nl/lage-rugklachten.pdf"]
