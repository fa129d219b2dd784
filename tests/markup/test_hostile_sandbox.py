"""Hostile input, part 1: the sandbox. WeasyPrint reaches neither the network nor any file outside
the asset folders (templates/, leaflets/, the font packages, the practice's own folder and its logo);
every refusal is reported; nothing but the page reaches the PDF. Real renders, checked by reading
the PDF back and by looking for a colour only an outside picture has."""

from __future__ import annotations

import os

import pytest

from leafletgen.build import build
from leafletgen.render import BuildRequest
from leafletgen.errors import UserError
from leafletgen.inputs.bundle import load_bundle
from leafletgen.typeset.pdf import make_fetcher

from tests.conftest import run_cli
from tests.hostile import (LEAFLET, MAGENTA, PRACTICE, attachments_and_annotations, http_server,
                           magenta_pixels, png, weasyprint_messages)
from tests.pdfutil import embedded_fonts, pdf_text


# ---- The fetcher itself --------------------------------------------------------------------------
# It serves a document's bundle (inputs.bundle): the files read for it, nothing read now.

@pytest.fixture
def folders(project, tmp_path):
    """The practice's folder with a picture, a link to a picture outside and a linked folder;
    (its folder, the folder outside, the fetcher of a document of that practice)."""
    root = project.practices_dir / PRACTICE
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "ok.png").write_bytes(png())
    (outside / "secret.png").write_bytes(png(color=MAGENTA))
    (root / "escape.png").symlink_to(outside / "secret.png")
    (root / "escape-dir").symlink_to(outside, target_is_directory=True)
    return root, outside, project


def fetcher_of(project, practice=PRACTICE, refused=None, too_large=None):
    bundle = load_bundle(project, BuildRequest(LEAFLET, "nl", practice))
    return make_fetcher(bundle.assets(), [] if refused is None else refused, too_large)


def test_the_fetcher_serves_files_inside_its_roots_and_data_urls(folders):
    root, _, project = folders
    refused: list[str] = []
    fetcher = fetcher_of(project, refused=refused)
    assert fetcher.fetch((root / "ok.png").as_uri()).read() == (root / "ok.png").read_bytes()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert refused == []


def test_the_fetcher_serves_the_bytes_that_were_read_not_those_on_disk_now(folders):
    root, _, project = folders
    fetcher = fetcher_of(project)
    first = (root / "ok.png").read_bytes()
    (root / "ok.png").write_bytes(png(color=MAGENTA))
    response = fetcher.fetch((root / "ok.png").as_uri())
    assert response.read() == first and response.path is None   # WeasyPrint reads no file itself


@pytest.mark.parametrize("url", [
    "{outside}/secret.png",                      # plainly outside
    "{root}/../outside/secret.png",              # `..` out of the root
    "{root}/%2e%2e/outside/secret.png",          # `..`, percent-encoded
    "{root}/escape.png",                         # a symlink inside the root, to a file outside
    "{root}/escape-dir/secret.png",              # a symlinked folder
    "{root}",                                    # the folder itself, not a file
    "{root}/missing.png",
    "{root}.toml",                               # the profile beside the folder
    "{project}/translations/de/LC_MESSAGES/lage-rugklachten.po",   # an input, not an asset
    "/etc/passwd",
])
def test_the_fetcher_refuses_files_outside_its_roots(folders, url):
    root, outside, project = folders
    target = "file://" + url.format(root=root.as_posix(), outside=outside.as_posix(),
                                    project=project.root.as_posix())
    refused: list[str] = []
    fetcher = fetcher_of(project, refused=refused)
    with pytest.raises(ValueError, match="outside the project's asset folders"):
        fetcher.fetch(target)
    assert refused == [target]


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", "https://example.org/x.css",
                                 "ftp://example.org/x", "gopher://example.org/", "jar:file:///x!/y",
                                 "javascript:alert(1)"])
def test_the_fetcher_refuses_every_other_scheme(folders, url):
    _, _, project = folders
    refused: list[str] = []
    with pytest.raises(ValueError):
        fetcher_of(project, refused=refused).fetch(url)
    assert refused == [url]


def test_the_practice_may_expose_only_its_own_folder_and_its_logo(project):
    """A logo lying directly in practices/ does not open practices/ (every profile, every other
    picture there) to the renderer."""
    (project.practices_dir / "plein-logo.png").write_bytes(png())
    (project.practices_dir / "other.png").write_bytes(png())
    (project.practices_dir / "plein.toml").write_text('name = "Het Plein"\nlogo = "plein-logo.png"\n')
    fetcher = fetcher_of(project, "plein")
    assert fetcher.fetch((project.practices_dir / "plein-logo.png").resolve().as_uri()).read()
    for other in ("other.png", "plein.toml", f"{PRACTICE}.toml", f"{PRACTICE}/logo.svg"):
        with pytest.raises(ValueError):
            fetcher.fetch((project.practices_dir / other).resolve().as_uri())
    fetcher = fetcher_of(project)
    assert fetcher.fetch((project.practices_dir / PRACTICE / "logo.svg").resolve().as_uri()).read()
    with pytest.raises(ValueError):
        fetcher.fetch((project.practices_dir / "plein-logo.png").resolve().as_uri())


# ---- Whole renders: a practice's stylesheet and templates reach for outside files ----------------

def override(project, name: str, text: str):
    folder = project.practices_dir / PRACTICE / "templates"
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


@pytest.mark.slow
def test_outside_files_and_the_network_never_reach_the_page(project, tmp_path, caplog):
    secret = tmp_path / "secret.png"            # outside the project
    secret.write_bytes(png((400, 200), MAGENTA))
    (project.templates_dir / "escape.png").symlink_to(secret)
    other = project.practices_dir / "andere"   # another practice's folder
    other.mkdir()
    (other / "logo.png").write_bytes(png((400, 200), MAGENTA))
    with http_server() as (base, hits):
        css = (project.templates_dir / "leaflet.css").read_text() + """
h2 { background-image: url("../secret.png"); }
main { background-image: url("escape.png"); }
p { background-image: url("../practices/andere/logo.png"); }
"""
        override(project, "leaflet.css", css)
        # A URL with a scheme would refuse the document in the HTML copy to keep (active_content);
        # a template can tell the page for the PDF from that copy (its logo is a file: URL there),
        # so the renderer's own refusal is what stops these.
        override(project, "blocks/callout.html.j2",
                 '<aside class="callout"><p>{{ block.html }}</p></aside>\n'
                 '{% if logo_src.startswith("file:") %}<style>'
                 f'h1 {{ background: url("file://{secret.as_posix()}"); }} '
                 f'ul {{ background-image: url("{base}/remote.png"); }}</style>{{% endif %}}\n')
        document, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / "out")
    assert hits == []
    messages = weasyprint_messages(caplog)
    refusals = [w for w in document.warnings if w.startswith("refused to load")]
    assert sorted(refusals) == sorted(
        f"refused to load {url} (outside the project's asset folders)" for url in [
            secret.as_uri(), "secret.png", "templates/escape.png", f"{base}/remote.png",
            "practices/andere/logo.png"])   # a file of the project by its path in it
    assert all("Failed to load image" in m for m in messages) and len(messages) == 5
    assert magenta_pixels(pdf, tmp_path / "pages") == 0
    assert "Lage rugklachten" in pdf_text(pdf)


def test_the_magenta_check_can_fail(project, tmp_path):
    """Control: the same picture inside the practice's own folder is allowed and is seen."""
    (project.practices_dir / PRACTICE / "mag.png").write_bytes(png((400, 200), MAGENTA))
    css = (project.templates_dir / "leaflet.css").read_text()
    override(project, "leaflet.css", css + f'\nh1 {{ background: url("../practices/{PRACTICE}/mag.png") '
                                           'no-repeat; min-height: 3cm; }\n')
    document, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / "out")
    assert document.warnings == []
    assert magenta_pixels(pdf, tmp_path / "pages") > 100


def test_attachments_and_file_links_never_reach_the_pdf(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    override(project, "blocks/callout.html.j2",
             '<aside class="callout"><p>{{ block.html }}</p></aside>\n'
             # Only in the page for the PDF: the HTML copy to keep would refuse them (see above).
             '{% if logo_src.startswith("file:") %}'
             '<link rel="attachment" href="leaflet.css" title="stijl">\n'
             # (Words and link targets the practice's details approve: the text proof passes.)
             '<p><a rel="attachment" href="leaflet.css">{{ practice.name }}</a> '
             f'<a href="{secret.as_uri()}">{{{{ practice.name }}}}</a> '
             '<a href="{{ practice.website }}">{{ practice.name }}</a></p>{% endif %}\n')
    document, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / "out")
    files, annotations = attachments_and_annotations(pdf)
    assert files == 0
    assert "/FileAttachment" not in annotations
    assert "https://fysio-delinde.example" in annotations   # an ordinary web link stays
    assert not any(a.startswith("file:") for a in annotations)
    removed = [w for w in document.warnings if w.startswith("removed from the PDF")]
    assert removed == [
        "removed from the PDF: a file attached with <link rel=attachment> (only the page and "
        "http(s), mailto and tel links may reach it)",
        "removed from the PDF: attachment templates/leaflet.css "
        "(only the page and http(s), mailto and tel links may reach it)",
        f"removed from the PDF: link to {secret.as_uri()} (only the page and http(s), mailto and "
        "tel links may reach it)"]
    assert pdf_text(pdf).count("Fysiotherapie De Linde") >= 4       # the links' own text stays


@pytest.mark.parametrize("template, expected", [
    ("<h2>{{ ''.__class__.__mro__[1].__subclasses__() }}</h2>",
     "heading.html.j2:1: not allowed in a template: access to attribute '__class__' of 'str' "
     "object is unsafe."),
    ("<h2>{{ block.html }}\n{{ cycler.__init__.__globals__.os.popen('id').read() }}</h2>",
     "heading.html.j2:2: not allowed in a template: access to attribute '__init__' of 'type' "
     "object is unsafe."),
    ("<h2>{% include '../../../../../etc/passwd' %}</h2>",
     "heading.html.j2:1: template not found: '../../../../../etc/passwd'"),
    ("<h2>{{ block.html </h2>", "heading.html.j2:1: template syntax error: unexpected '/'"),
    ("<h2>\n{{ nergens.iets }}</h2>", "heading.html.j2:2: template error: 'nergens' is undefined"),
])
def test_a_practice_template_cannot_reach_python_and_its_errors_name_file_and_line(project, template, expected):
    override(project, "blocks/heading.html.j2", template)
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", PRACTICE, "--out",
                  str(project.root / "out"), root=project.root)
    assert run.code == 1, run
    assert run.err.startswith(f"error: practices/{PRACTICE}/templates/blocks/{expected}")
    assert len(run.err.splitlines()) == 1
    assert not (project.root / "out").exists()


def test_an_error_in_our_own_templates_stays_an_internal_error(project, tmp_path):
    (project.templates_dir / "blocks" / "heading.html.j2").write_text("<h2>{{ nergens.iets }}</h2>")
    with pytest.raises(Exception) as info:
        build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path)
    assert not isinstance(info.value, UserError)


# ---- SVG logos and leaflet pictures: no outside references, no entities -------------------------

def test_an_svg_with_an_external_entity_is_refused_before_rendering(project, tmp_path):
    logo = project.practices_dir / PRACTICE / "logo.svg"
    logo.write_text('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                    '<svg xmlns="http://www.w3.org/2000/svg"><text y="20">&xxe;</text></svg>')
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", PRACTICE, "--out", str(tmp_path), root=project.root)
    assert (run.code, run.out) == (1, "")
    assert run.err == (f"error: practices/{PRACTICE}.toml:4: logo: logo '{PRACTICE}/logo.svg': SVG with a "
                       "DOCTYPE or ENTITY declaration is refused\n")


def test_a_leaflet_svg_picture_is_held_to_the_same_rules(project, tmp_path):
    (project.leaflets_dir / "rug.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>')
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text() + "\n![Een rug](rug.svg)\n")
    run = run_cli("build", "--leaflet", LEAFLET, "--out", str(tmp_path), root=project.root)
    assert run.code == 1
    line = len(path.read_text().splitlines())
    assert run.err == (f"error: leaflets/{LEAFLET}.md:{line}: image 'rug.svg': SVG refers to "
                       "'file:///etc/passwd'; a logo must be self-contained (embed images as "
                       "data:image/...)\n")


def test_no_network_even_for_a_data_svg_that_asks(project, tmp_path, caplog):
    """The render itself refuses what slipped past the checks: a data: SVG inside the stylesheet."""
    import base64
    with http_server() as (base, hits):
        inner = (f'<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50">'
                 f'<image href="{base}/x.png" width="50" height="50"/></svg>').encode()
        url = "data:image/svg+xml;base64," + base64.b64encode(inner).decode()
        css = (project.templates_dir / "leaflet.css").read_text()
        override(project, "leaflet.css", css + f'\nh1::after {{ content: url("{url}"); }}\n')
        document, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / "out")
    weasyprint_messages(caplog)
    assert hits == []
    assert f"refused to load {base}/x.png (outside the project's asset folders)" in document.warnings
    assert magenta_pixels(pdf, tmp_path / "pages") == 0


def test_no_symlinked_asset_folder_escapes(project, tmp_path, caplog):
    outside = tmp_path / "elders"
    outside.mkdir()
    (outside / "mag.png").write_bytes(png((400, 200), MAGENTA))
    os.symlink(outside, project.practices_dir / PRACTICE / "link")
    css = (project.templates_dir / "leaflet.css").read_text()
    override(project, "leaflet.css", css + f'\nh1 {{ background: url("../practices/{PRACTICE}/link/mag.png"); '
                                           'min-height: 3cm; }\n')
    document, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / "out")
    assert len(weasyprint_messages(caplog)) == 1
    assert any("link/mag.png (outside" in w for w in document.warnings)
    assert magenta_pixels(pdf, tmp_path / "pages") == 0


def test_a_huge_file_inside_the_roots_is_not_read(folders, monkeypatch):
    root, _, project = folders
    with open(root / "huge.png", "wb") as fh:   # sparse: takes no disk space
        fh.truncate(17 * 1024 * 1024)
    reads = []
    real_read = os.read

    def counted(fd, n):
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counted)
    refused: list[str] = []
    too_large: list[str] = []
    fetcher = fetcher_of(project, refused=refused, too_large=too_large)
    assert sum(reads) < 4 * 1024 * 1024          # the bundle's reading did not read it
    with pytest.raises(ValueError, match="larger than 16 MB"):
        fetcher.fetch((root / "huge.png").as_uri())
    assert too_large == [(root / "huge.png").as_uri()] and refused == []


# ---- WeasyPrint's own warnings reach the user; --strict makes them fatal -------------------------

def test_weasyprint_warnings_are_shown_and_fatal_with_strict(project, tmp_path, caplog):
    css = (project.templates_dir / "leaflet.css").read_text()
    override(project, "leaflet.css", css + "\nh1 { colour: red; }\n")
    args = ("build", "--leaflet", LEAFLET, "--practice", PRACTICE)
    run = run_cli(*args, "--out", str(tmp_path / "a"), root=project.root)
    assert run.code == 0
    assert run.err.startswith("warning: WeasyPrint: Ignored `colour: red` at ")
    assert "unknown property" in run.err
    assert (tmp_path / "a" / PRACTICE / "nl" / f"{LEAFLET}.pdf").is_file()
    strict = run_cli(*args, "--out", str(tmp_path / "b"), "--strict", root=project.root)
    assert (strict.code, strict.out) == (1, "")
    assert strict.err.splitlines()[0].startswith("warning: WeasyPrint: Ignored `colour: red` at ")
    assert strict.err.splitlines()[-1] == "error: warnings are errors with --strict"
    assert not (tmp_path / "b").exists()               # nothing written
    weasyprint_messages(caplog)


def test_a_practice_stylesheet_that_names_a_machine_font_gets_only_the_packaged_fonts(project, tmp_path):
    """`font-family: "DejaVu Sans"` (or a generic family) in a practice's leaflet.css reads no font
    file of the machine: fontconfig knows only the fonts the page's @font-face rules add, from the
    font packages (otherwise: a file outside the asset folders read, and PDFs that differ from
    one machine to another)."""
    css = (project.templates_dir / "leaflet.css").read_text()
    override(project, "leaflet.css", css + '\nh1 { font-family: "DejaVu Sans", "Liberation Serif" }\n'
                                           'h2 { font-family: serif } p { font-family: monospace }\n')
    document, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", PRACTICE), tmp_path / "out")
    from leafletgen.typeset.fonts import font_faces

    packaged = tuple({face.family.replace(" ", "-") for face in font_faces()})
    embedded = {name.lstrip("/").split("+", 1)[-1] for name in embedded_fonts(pdf)}
    assert embedded and all(name.startswith(packaged) for name in embedded), (embedded, packaged)
    assert "Lage rugklachten" in pdf_text(pdf)
