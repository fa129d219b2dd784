"""Text in an SVG logo is seen where it is: text outside the logo's box (clipped on the page, yet
in the PDF's text layer), hidden text, or text the check cannot place is refused when the logo is
checked, with the profile's file and field."""

from __future__ import annotations

import pytest

from leafletgen.inputs.logo import svg_problems

from tests.conftest import run_cli
from tests.hostile import LEAFLET
from tests.pdfutil import pdf_text

PRACTICE = "fysio-delinde"


def svg(body: str, box: str = 'viewBox="0 0 200 100"') -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" {box}>{body}</svg>'.encode()


@pytest.mark.parametrize("body", [
    '<text x="10" y="50" font-size="20">De Linde</text>',
    '<text transform="matrix(1 0 0 1 20 60)" font-size="18">Fysio</text>',      # as Illustrator writes
    '<text x="10" y="50">De <tspan font-weight="bold">Linde</tspan></text>',
    '<text x="190" y="50" text-anchor="end">Fysiotherapie</text>',
    '<g transform="translate(10 10) scale(2)"><text x="5" y="20" font-size="10">Linde</text></g>',
])
def test_text_inside_the_logo_is_fine(body):
    assert svg_problems(svg(body), "logo.svg") == []


@pytest.mark.parametrize("body, why", [
    ('<text x="-5000" y="50">Neem 4 tabletten</text>', "lies outside the logo's box"),
    ('<text x="10" y="900">Neem 4 tabletten</text>', "lies outside the logo's box"),
    ('<g transform="translate(3000 0)"><text x="10" y="50">Neem 4</text></g>', "lies outside"),
    ('<text x="10" y="50" font-size="20">Fysiotherapie De Linde: neem elke dag vier tabletten</text>',
     "lies outside"),
    ('<text x="10" y="50" display="none">Neem 4</text>', "is hidden"),
    ('<g style="opacity:0"><text x="10" y="50">Neem 4</text></g>', "is hidden"),
    ('<text x="10" y="50" fill="none">Neem 4</text>', "is hidden"),
    ('<text x="10" y="50" font-size="0">Neem 4</text>', "is hidden"),
    ('<defs><text id="t" x="10" y="50">Neem 4</text></defs><use href="#t"/>', "cannot be placed"),
    ('<text x="10" y="50" transform="skewX(30)">Neem 4</text>', "transform this check cannot read"),
])
def test_text_not_seen_where_it_is_is_refused(body, why):
    [problem] = svg_problems(svg(body), "logo.svg")
    assert problem.code == "svg_hidden_text" and why in problem


def with_logo(project, data: bytes) -> None:
    (project.practices_dir / PRACTICE / "logo.svg").write_bytes(data)


def test_the_text_layer_holds_only_what_the_page_shows(project, tmp_path):
    """A logo's text outside its box would be in the PDF's text layer unseen: such a logo is
    refused when it is checked, and nothing is written. (Text inside the box is seen, and then
    the text proof judges its words.)"""
    with_logo(project, svg('<rect width="200" height="100" fill="#1f6f5c"/>'
                           '<text x="-5000" y="60" font-size="30">Neem elke 2 uur 2 tabletten</text>'))
    out = tmp_path / "unseen"
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "nl", "--practice", PRACTICE,
                  "--out", str(out), root=project.root)
    written = list(out.rglob("*.pdf"))
    assert not any("Neem elke 2 uur" in pdf_text(path) for path in written)
    assert run.code == 1 and not written and "Traceback" not in run.err
    assert run.err.startswith(f"error: practices/{PRACTICE}.toml:4: logo: "), run.err
    assert "lies outside the logo's box" in run.err and len(run.err.splitlines()) == 1
