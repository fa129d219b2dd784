"""What a worker keeps between documents must not change a document: the hyphenation patterns
cached on disk hyphenate exactly as pyphen's own parse, and a stylesheet parsed once per process
gives the same PDF as one parsed in the page, and reports its warnings for every document."""

from __future__ import annotations

import re

import pyphen
import pytest

from leafletgen.typeset import hyphenation
from leafletgen.build import build
from leafletgen.inputs.bundle import load_bundle
from leafletgen.render import BuildRequest, translate
from leafletgen.markup.html import RenderOptions, render_html
from leafletgen.prove.metadata import document_mark, marking
from leafletgen.typeset.pdf import lay_out, write_pdf
from leafletgen.markup.qr import qr_context
from leafletgen.translate.review.state import document_review

from leafletgen.inputs.project import Project
from tests.conftest import REPO
from tests.hostile import LEAFLET, PRACTICE, weasyprint_messages

HYPHENATED = ["nl", "en", "de", "fr", "es", "pl", "uk"]   # tr and ar: pyphen has no patterns


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LEAFLETGEN_CACHE", str(tmp_path / "cache"))
    saved = dict(pyphen.hdcache)
    pyphen.hdcache.clear()
    yield tmp_path / "cache"
    pyphen.hdcache.clear()
    pyphen.hdcache.update(saved)


@pytest.fixture(scope="module")
def leaflet_words() -> dict[str, list[str]]:
    """Each language's words of the leaflet, read once with the usual cache folder (an empty
    one would make every font instance again: a minute for each language)."""
    words = {}
    for lang in HYPHENATED:
        bundle = load_bundle(Project(REPO), BuildRequest(LEAFLET, lang, PRACTICE))
        text = " ".join(text for _, _, text in translate(bundle).units())
        words[lang] = sorted(set(re.findall(r"[^\W\d_]{4,}", text)))
    return words


@pytest.mark.parametrize("lang", HYPHENATED)
def test_cached_patterns_hyphenate_every_word_of_the_leaflet_as_pyphen_does(leaflet_words, cache_folder, lang):
    path = hyphenation.dictionary_path(lang)
    parsed = hyphenation.load_dictionary(path)          # parsed by pyphen, and written to the cache
    assert hyphenation.cache_file(path).is_file()
    assert hyphenation.cache_file(path).is_relative_to(cache_folder / "hyphenation")
    cached = hyphenation.load_dictionary(path)          # read back from the cache
    assert type(parsed) is type(cached) is pyphen.HyphDict
    assert cached is not parsed and cached.maxlen == parsed.maxlen
    words = leaflet_words[lang]
    assert len(words) > 100
    assert [cached.positions(word) for word in words] == [parsed.positions(word) for word in words]
    assert any(parsed.positions(word) for word in words)   # the comparison compared something


def test_preload_puts_the_patterns_where_weasyprint_looks(cache_folder):
    hyphenation.preload(["de", "tr", "ar"])            # Turkish and Arabic: nothing to load
    assert list(pyphen.hdcache) == [hyphenation.dictionary_path("de")]
    assert pyphen.Pyphen(lang="de").inserted("Rückenschmerzen") == "Rü-cken-schmer-zen"


@pytest.mark.parametrize("damage", [b"", b"not marshal data", b"\xe9\x00\x00"])
def test_a_damaged_cache_file_is_parsed_again_and_replaced(cache_folder, damage):
    path = hyphenation.dictionary_path("nl")
    hyphenation.load_dictionary(path)
    hyphenation.cache_file(path).write_bytes(damage)
    dictionary = hyphenation.load_dictionary(path)
    assert dictionary.positions("lettergrepen") == [3, 6, 9]
    assert hyphenation.cache_file(path).read_bytes() != damage   # written again
    assert hyphenation.load_dictionary(path).positions("lettergrepen") == [3, 6, 9]


def test_an_unwritable_cache_folder_only_costs_time(cache_folder):
    cache_folder.mkdir(parents=True)
    (cache_folder / "hyphenation").write_text("a file where the folder should be")
    dictionary = hyphenation.load_dictionary(hyphenation.dictionary_path("nl"))
    assert dictionary.positions("lettergrepen") == [3, 6, 9]


@pytest.fixture
def in_a_worker():
    """Render in this process, as a worker does (limits.worker): what a worker keeps between its
    documents is what these tests look at."""
    from leafletgen.run import limits

    with limits.worker(limits.Limits(seconds=0, memory_mb=0)):
        yield


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_a_stylesheet_parsed_once_gives_the_pdf_of_one_parsed_in_the_page(project, tmp_path, lang,
                                                                          in_a_worker):
    """The pipeline hands leaflet.css and the @font-face rules to WeasyPrint parsed (user
    stylesheets); the page with them inline (author stylesheets) gives the same bytes."""
    document, pdf, _ = build(project, BuildRequest(LEAFLET, lang, PRACTICE), tmp_path)
    bundle = load_bundle(project, BuildRequest(LEAFLET, lang, PRACTICE))
    translated = translate(bundle)
    # the colophon's translation line
    _, note = document_review(bundle.review, bundle.practice, lang, bundle.leaflet)
    options = RenderOptions(for_pdf=True, inline_css=True,
                            extra={**qr_context(bundle.practice, LEAFLET, lang, "a4"), "translation": note})
    html = render_html(bundle, translated, bundle.template_translations, options)
    assert "@font-face" in html and "header.practice {" in html
    # with the mark every document carries (its XMP metadata), as render_bundle writes it
    mark = marking(document_mark(bundle, translated))
    inline = write_pdf(lay_out(html, bundle.url_path(bundle.root / "templates"), bundle.assets()), finisher=mark)
    assert inline.pdf == pdf.read_bytes()


def test_what_parsing_a_stylesheet_reported_is_reported_for_every_document(project, tmp_path, caplog):
    """A practice stylesheet with an unknown property and an @import from outside the project:
    parsed once, reported by each of the practice's documents, not only the first."""
    outside = tmp_path / "outside.css"
    outside.write_text("h1 { color: red; }")
    folder = project.practices_dir / PRACTICE / "templates"
    folder.mkdir(parents=True)
    css = (project.templates_dir / "leaflet.css").read_text()
    # Relative: a URL with a scheme would refuse the document in the HTML copy (active_content).
    (folder / "leaflet.css").write_text(f'@import url("../../outside.css");\n{css}\nh1 {{ colour: red; }}\n')
    for lang in ("nl", "de", "nl"):
        document, _, _ = build(project, BuildRequest(LEAFLET, lang, PRACTICE), tmp_path / lang)
        # The project's files are named in one fixed folder (inputs.bundle.URL_ROOT): the URL
        # leads out of it, to no file.
        assert "refused to load file:///outside.css (outside the project's asset folders)" \
            in document.warnings, lang
        assert any(w.startswith("WeasyPrint: Ignored `colour: red`") for w in document.warnings), lang
    weasyprint_messages(caplog)


def test_practices_share_one_parsed_stylesheet_unless_they_have_their_own(project, tmp_path, in_a_worker):
    """Our leaflet.css and the @font-face rules are parsed once per worker for every practice;
    a practice with its own leaflet.css gets its own copy, parsed with its own folder allowed."""
    from leafletgen.typeset import pdf

    (project.practices_dir / "tweede.toml").write_text('name = "Tweede praktijk"\n')
    pdf._STYLESHEETS.clear()
    for practice in (PRACTICE, "tweede"):
        build(project, BuildRequest(LEAFLET, "nl", practice), tmp_path / practice)
    assert len(pdf._STYLESHEETS) == 2                       # leaflet.css and the @font-face rules
    folder = project.practices_dir / PRACTICE / "templates"
    folder.mkdir(parents=True)
    (folder / "own.css").write_text("h1 { letter-spacing: 0.01em; }")
    css = (project.templates_dir / "leaflet.css").read_text()
    (folder / "leaflet.css").write_text(f'@import url("../practices/{PRACTICE}/templates/own.css");\n{css}')
    document, _, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / "own")
    assert not [w for w in document.warnings if "refused" in w]   # its own folder: allowed
    assert len(pdf._STYLESHEETS) == 3
    other, _, _ = build(project, BuildRequest(LEAFLET, "nl", "tweede"), tmp_path / "again")
    assert len(pdf._STYLESHEETS) == 3 and other.warnings == []


def test_a_parsed_stylesheet_is_not_used_once_a_file_it_read_has_changed(project, tmp_path, in_a_worker):
    """A practice's leaflet.css imports a file of its folder; that file changes (leaflet.css does
    not) between two documents of one worker: the second has the new rule, not the parsed copy's."""
    import pikepdf

    folder = project.practices_dir / PRACTICE / "templates"
    folder.mkdir(parents=True)
    css = (project.templates_dir / "leaflet.css").read_text()
    (folder / "leaflet.css").write_text(f'@import url("../practices/{PRACTICE}/templates/own.css");\n{css}')
    colours = {}
    for colour, rgb in (("#ff00ff", "1 0 1 rg"), ("#0000ff", "0 0 1 rg")):
        (folder / "own.css").write_text(f"h1 {{ color: {colour} !important; }}")
        _, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / colour[1:])
        with pikepdf.open(pdf) as document:
            colours[rgb] = rgb.encode() in document.pages[0].Contents.read_bytes()
    assert colours == {"1 0 1 rg": True, "0 0 1 rg": True}


@pytest.mark.slow
def test_a_logo_changed_between_two_documents_of_one_worker_is_the_new_logo(project, tmp_path, in_a_worker):
    """WeasyPrint's image cache is keyed by URL, and the logo's file is the same URL before and
    after the change (a PNG replaced by a JPEG of another colour): the second document shows the
    new picture, read with the document's inputs, not the cached one, nor the file read again
    when the PDF is written."""
    import io

    from PIL import Image

    from tests.hostile import magenta_pixels, png

    (project.practices_dir / "plein.toml").write_text('name = "Het Plein"\nlogo = "plein.img"\n')
    logo = project.practices_dir / "plein.img"
    jpeg = io.BytesIO()
    Image.new("RGB", (400, 200), (255, 0, 255)).save(jpeg, format="JPEG", quality=95)
    seen = []
    for name, data in (("png", png(size=(400, 200))), ("jpeg", jpeg.getvalue())):
        logo.write_bytes(data)
        _, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", "plein"), tmp_path / name)
        seen.append(magenta_pixels(pdf, tmp_path / f"pages-{name}"))
    assert seen[0] == 0 and seen[1] > 100, seen


def test_the_pyphen_internals_the_pattern_cache_relies_on():
    """The cache hands pyphen parsed patterns through two of its internals. A new pyphen fails
    here first: check `Pyphen()` still looks in `hdcache` by the .dic's path and `HyphDict` still
    keeps `maxlen`, `patterns` and `cache`, then add the version to TESTED_PYPHEN (and to the pin
    in pyproject.toml)."""
    assert hyphenation.internals_known(), (
        f"pyphen {pyphen.VERSION} is not among the versions the hyphenation cache was tested with "
        f"({hyphenation.TESTED_PYPHEN}); see this test's docstring")
    path = hyphenation.dictionary_path("nl")
    parsed = pyphen.HyphDict(path)
    assert set(vars(parsed)) == {"maxlen", "patterns", "cache"}, vars(parsed).keys()
    saved = dict(pyphen.hdcache)
    try:
        pyphen.hdcache.clear()
        pyphen.hdcache[path] = parsed
        assert pyphen.Pyphen(lang="nl").hd is parsed          # looked up, not parsed again
    finally:
        pyphen.hdcache.clear()
        pyphen.hdcache.update(saved)


def test_an_untested_pyphen_parses_as_usual(cache_folder, monkeypatch):
    monkeypatch.setattr(pyphen, "VERSION", "9.0.0")
    assert not hyphenation.internals_known()
    hyphenation.preload(["de"])
    assert not pyphen.hdcache                                 # left to pyphen itself
    assert pyphen.Pyphen(lang="de").inserted("Rückenschmerzen") == "Rü-cken-schmer-zen"


@pytest.mark.slow
def test_a_static_font_instance_has_the_same_bytes_whenever_and_wherever_it_is_made(
        tmp_path, monkeypatch):
    """A cluster worker, CI and a laptop each make their own instances: the time one is made
    must not reach it (fontTools stamps `head.modified` on save), nor the PDFs that embed it."""
    from dataclasses import replace

    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables import _h_e_a_d

    from leafletgen.typeset import font_instances as font_files, fonts

    shipped = next(face for face in fonts.font_faces() if fonts.is_variable(face.path))
    # The shipped variable face cut down to a few glyphs, its axes and variations kept: the same
    # code path as the whole face, in a second instead of twenty.
    font = TTFont(shipped.path)
    options = subset.Options()
    options.layout_features = ["*"]
    cutter = subset.Subsetter(options)
    cutter.populate(text="Rugpijn 123")
    cutter.subset(font)
    assert "fvar" in font and "gvar" in font
    font.save(tmp_path / shipped.path.name)
    face = replace(shipped, path=tmp_path / shipped.path.name)
    made = []
    for stamp in (0, 86_400 * 365):
        monkeypatch.setenv("LEAFLETGEN_CACHE", str(tmp_path / f"machine-{stamp}"))
        monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda stamp=stamp: 3_900_000_000 + stamp)
        made.append(font_files.make_instance(face).read_bytes())
    assert made[0] == made[1]
