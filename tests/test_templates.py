"""A practice overrides one template (or the stylesheet) by a file of the same name in
practices/<id>/templates/; everything else still comes from templates/."""

from __future__ import annotations

from leafletgen.build import BuildRequest, build

from .pdfutil import pdf_text


def test_a_practice_overrides_one_block(project, tmp_path):
    override = project.practices_dir / "fysio-delinde" / "templates" / "blocks"
    override.mkdir(parents=True)
    (override / "callout.html.j2").write_text(
        '<aside class="callout eigen" role="note"><p>Onthoud: {{ block.html }}</p></aside>\n')
    document, pdf, html = build(project, BuildRequest("lage-rugklachten", "nl", "fysio-delinde"), tmp_path)
    text = html.read_text()
    assert '<aside class="callout eigen" role="note"><p>Onthoud: Acute lage rugklachten gaan vaak vanzelf over' in text
    assert "Onthoud: Acute lage rugklachten gaan vaak vanzelf over" in pdf_text(pdf)
    # The other blocks still come from templates/.
    assert '<header class="practice">' in text
    # Another practice, or none, is not affected.
    _, _, neutral = build(project, BuildRequest("lage-rugklachten", "nl", None), tmp_path)
    assert "Onthoud:" not in neutral.read_text()


def test_a_practice_overrides_the_stylesheet(project, tmp_path):
    override = project.practices_dir / "fysio-delinde" / "templates"
    override.mkdir(parents=True)
    css = (project.templates_dir / "leaflet.css").read_text()
    (override / "leaflet.css").write_text(css + "\nh1 { text-decoration: underline; }\n")
    _, _, html = build(project, BuildRequest("lage-rugklachten", "nl", "fysio-delinde"), tmp_path)
    assert "h1 { text-decoration: underline; }" in html.read_text()
