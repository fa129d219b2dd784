"""A practice overrides one template (or the stylesheet) by a file of the same name in
practices/<id>/templates/; everything else still comes from templates/."""

from __future__ import annotations

from leafletgen.build import BuildRequest, build
from leafletgen.run.render_child import kept_child

from tests.pdfutil import pdf_text


def test_a_practice_overrides_one_block(project, tmp_path):
    override = project.practices_dir / "fysio-delinde" / "templates" / "blocks"
    override.mkdir(parents=True)
    (override / "callout.html.j2").write_text(
        '<aside class="callout eigen" role="note"><p><strong>{{ block.html }}</strong></p></aside>\n')
    document, pdf, html = build(project, BuildRequest("lage-rugklachten", "nl", "fysio-delinde"), tmp_path)
    text = html.read_text()
    # (The last two words are kept on one line by a no-break space.) The look changes, the words
    # stay: an override that adds words is refused by the text proof (tests/prove/).
    assert '<aside class="callout eigen" role="note"><p><strong>Acute lage rugklachten gaan vaak ' \
        'vanzelf\u00a0over' in text
    assert "Acute lage rugklachten gaan vaak vanzelf over" in pdf_text(pdf)
    # The other blocks still come from templates/.
    assert '<header class="practice">' in text
    # Another practice, or none, is not affected.
    _, _, neutral = build(project, BuildRequest("lage-rugklachten", "nl", None), tmp_path)
    assert "callout eigen" not in neutral.read_text()


def test_a_practice_overrides_the_stylesheet(project, tmp_path):
    override = project.practices_dir / "fysio-delinde" / "templates"
    override.mkdir(parents=True)
    css = (project.templates_dir / "leaflet.css").read_text()
    (override / "leaflet.css").write_text(css + "\nh1 { text-decoration: underline; }\n")
    _, _, html = build(project, BuildRequest("lage-rugklachten", "nl", "fysio-delinde"), tmp_path)
    assert "h1 { text-decoration: underline; }" in html.read_text()


def test_a_leaflet_picture_is_in_the_pdf_with_its_alt_text_and_embedded_in_the_html(project, tmp_path):
    import io

    import pikepdf
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 60, 60)).save(buffer, format="PNG")
    (project.leaflets_dir / "rug.png").write_bytes(buffer.getvalue())
    path = project.leaflets_dir / "lage-rugklachten.md"
    path.write_text(path.read_text() + "\n![Een rug met de onderrug rood gekleurd](rug.png)\n")
    document, pdf, html = build(project, BuildRequest("lage-rugklachten", "nl", None), tmp_path)
    assert document.warnings == []
    assert '<img src="data:image/png;base64,' in html.read_text()
    assert 'alt="Een rug met de onderrug rood gekleurd"' in html.read_text()
    with pikepdf.open(pdf) as doc:
        alts = []

        def walk(node):
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    alts.append(str(node.get("/Alt")))
                kids = node.get("/K")
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                    walk(kid)
        walk(doc.Root.StructTreeRoot)
    assert alts == ["Een rug met de onderrug rood gekleurd"]


def test_a_template_changed_between_two_documents_is_rendered_as_it_now_is(project, tmp_path):
    """Compiled templates are kept per process by file and source: a template saved while the
    process runs (an editor in the web app) is compiled anew; saved back, the first again."""
    callout = project.templates_dir / "blocks" / "callout.html.j2"
    original = callout.read_text()
    request = BuildRequest("lage-rugklachten", "nl", "fysio-delinde")
    with kept_child():          # one rendering process for the three, as a worker's
        first = build(project, request, tmp_path / "first")[2].read_text()
        callout.write_text(original.replace('class="callout"', 'class="callout saved-later"'))
        changed = build(project, request, tmp_path / "changed")[2].read_text()
        callout.write_text(original)
        again = build(project, request, tmp_path / "again")[2].read_text()
    assert 'class="callout"' in first and "saved-later" not in first
    assert 'class="callout saved-later"' in changed
    assert again == first


def test_one_compiled_version_is_kept_per_template_file():
    """A template saved again and again (an editor at work in the web app) does not pile up
    compiled versions in a long-running process; each save still renders as saved."""
    import jinja2

    from leafletgen.markup.templates import _MemoryBytecodeCache

    cache = _MemoryBytecodeCache()
    for version in [*range(6), 0]:
        env = jinja2.Environment(loader=jinja2.DictLoader({"t.html": f"v{version} {{{{ x }}}}"}),
                                 bytecode_cache=cache)
        assert env.get_template("t.html").render(x=1) == f"v{version} 1"
    assert len(cache._code) == 1
