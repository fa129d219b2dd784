"""The QR code: decoded from the rendered page, it is the practice's URL; printed beside it."""

from __future__ import annotations

import subprocess

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from leafletgen.build import BuildRequest, build
from leafletgen.markup.qr import qr_target
from leafletgen.inputs.model import Practice

from tests.pdfutil import pdf_text

LEAFLET = "lage-rugklachten"


def decoded_qr_codes(pdf, tmp_path, dpi=150) -> list[str]:
    """Every QR code found on the PDF's pages, rendered as a reader would see them on paper."""
    prefix = tmp_path / "qr"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    found = []
    for png in sorted(tmp_path.glob("qr-*.png")):
        with Image.open(png) as image:
            found += [symbol.data.decode("utf-8") for symbol in decode(image) if symbol.type == "QRCODE"]
    return found


def set_profile(project, **values):
    path = project.practices_dir / "fysio-delinde.toml"
    lines = [line for line in path.read_text().splitlines()
             if line.split("=")[0].strip() not in values]
    lines += [f'{key} = "{value}"' for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n")


def test_qr_code_decodes_to_the_practice_website_printed_beside_it(dutch_leaflet, tmp_path):
    pdf, html = dutch_leaflet.pdf, dutch_leaflet.html
    assert decoded_qr_codes(pdf, tmp_path) == ["https://fysio-delinde.example"]
    # The address beside the code (without https://), and in the HTML as an embedded PNG.
    text = pdf_text(pdf)
    assert text.count("fysio-delinde.example") >= 2
    page = html.read_text()
    assert '<img class="qr-code" src="data:image/png;base64,' in page
    assert 'alt="QR: https://fysio-delinde.example"' in page


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["large-print", "booklet"])
def test_qr_url_pattern_gives_each_leaflet_language_and_variant_its_own_code(project, tmp_path, variant):
    set_profile(project, qr_url="https://fysio-delinde.example/folders/{leaflet}/{lang}/{variant}")
    _, pdf, _ = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde", variant), tmp_path)
    url = f"https://fysio-delinde.example/folders/{LEAFLET}/nl/{variant}"
    assert decoded_qr_codes(pdf, tmp_path) == [url]
    assert f"fysio-delinde.example/folders/{LEAFLET}/nl/{variant}" in pdf_text(pdf).replace(" ", "")


def test_no_url_no_qr_code(project, tmp_path):
    path = project.practices_dir / "fysio-delinde.toml"
    path.write_text("\n".join(line for line in path.read_text().splitlines()
                              if not line.startswith("website")) + "\n")
    _, pdf, html = build(project, BuildRequest(LEAFLET, "nl", "fysio-delinde"), tmp_path)
    assert decoded_qr_codes(pdf, tmp_path) == []
    assert 'class="qr' not in html.read_text()
    # The neutral default practice has no URL either.
    _, pdf, html = build(project, BuildRequest(LEAFLET, "nl", None), tmp_path / "default")
    assert 'class="qr' not in html.read_text()


def test_pattern_values_are_url_quoted():
    practice = Practice(id="p", name="P", color="#000000", website="https://p.example",
                        qr_url="https://p.example/{leaflet}?lang={lang}&v={variant}")
    assert qr_target(practice, "rug", "pt_BR", "a4") == "https://p.example/rug?lang=pt_BR&v=a4"
    assert qr_target(Practice(id="p", name="P", color="#000000"), "rug", "nl", "a4") == ""
