"""Practice profiles (practices/<id>.toml): every problem reported at once, with file and line."""

from __future__ import annotations

import io

import pytest

from leafletgen.checks.contrast import contrast_ratio
from leafletgen.errors import UserError
from leafletgen.inputs.practice import DEFAULT_COLOR, PracticeProfile, load_practice


GOOD = """\
name = "Huisartsenpraktijk Het Plein"
logo = "plein-logo.png"
color = "#2b4c7e"
address = "Pleinweg 1, 1234 AB Dorp"
phone = "012 345 67 89"
email = "info@hetplein.example"
website = "https://hetplein.example"
"""
FILE = "practices/plein.toml"
# The keys every profile has always had first; later features add keys after them.
ALLOWED = ", ".join(PracticeProfile.model_fields)
assert ALLOWED.startswith("name, logo, color, address, phone, email, website")


def png_bytes(size=(40, 20)) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", size, (43, 76, 126)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def plein(project):
    (project.practices_dir / "plein-logo.png").write_bytes(png_bytes())
    return project


def write(project, text: str, practice_id: str = "plein") -> None:
    (project.practices_dir / f"{practice_id}.toml").write_text(text, encoding="utf-8")


def problems(project, text: str) -> list[str]:
    write(project, text)
    with pytest.raises(UserError) as info:
        load_practice(project, "plein")
    return info.value.lines


def replace_line(key: str, line: str) -> str:
    """GOOD with the line of `key` replaced by `line`."""
    return "".join((line + "\n") if current.startswith(f"{key} =") else current
                   for current in GOOD.splitlines(keepends=True))


def test_the_valid_profile_loads(plein):
    write(plein, GOOD)
    practice = load_practice(plein, "plein")
    assert practice.name == "Huisartsenpraktijk Het Plein"
    assert practice.logo == (plein.practices_dir / "plein-logo.png").resolve()
    assert practice.logo_type == "image/png"
    assert practice.color == "#2b4c7e"
    assert practice.template_dir is None
    assert practice.notes == ()


def test_only_a_name_is_required(project):
    write(project, 'name = "Praktijk Zonder Meer"\n')
    practice = load_practice(project, "plein")
    assert (practice.name, practice.logo, practice.color, practice.website) == (
        "Praktijk Zonder Meer", None, DEFAULT_COLOR, "")


@pytest.mark.parametrize("key, line, expected", [
    ("color", 'colour = "#2b4c7e"',
     f"practices/plein.toml:3: colour: unknown key; allowed keys are: {ALLOWED}"),
    ("color", 'color = "blauw"',
     "practices/plein.toml:3: color: must be a colour written as #rrggbb, e.g. \"#1d5e8c\" (got 'blauw')"),
    ("color", 'color = "#2b4c7"',
     "practices/plein.toml:3: color: must be a colour written as #rrggbb, e.g. \"#1d5e8c\" (got '#2b4c7')"),
    ("color", 'color = "rgb(43, 76, 126)"',
     "practices/plein.toml:3: color: must be a colour written as #rrggbb, e.g. \"#1d5e8c\" "
     "(got 'rgb(43, 76, 126)')"),
    ("website", 'website = "www.hetplein.example"',
     "practices/plein.toml:7: website: must be a web address starting with https:// or http:// "
     "(got 'www.hetplein.example')"),
    ("website", 'website = "javascript:alert(1)"',
     "practices/plein.toml:7: website: must be a web address starting with https:// or http:// "
     "(got 'javascript:alert(1)')"),
    ("email", 'email = "info-at-hetplein"',
     "practices/plein.toml:6: email: must be an e-mail address such as info@praktijk.nl "
     "(got 'info-at-hetplein')"),
    ("phone", 'phone = "bel ons"',
     "practices/plein.toml:5: phone: must be a phone number of digits, spaces, +, -, ( and ), "
     "e.g. 030 123 45 67 (got 'bel ons')"),
    ("name", 'naam = "Het Plein"',
     "practices/plein.toml:1: name: this key is required"),
    ("name", "name = 12",
     "practices/plein.toml:1: name: Input should be a valid string (got 12)"),
], ids=["colour-spelling", "colour-word", "colour-short", "colour-rgb", "website-no-scheme",
        "website-javascript", "email", "phone", "name-missing", "name-not-text"])
def test_profile_problem(plein, key, line, expected):
    found = problems(plein, replace_line(key, line))
    if key == "name" and line.startswith("naam"):
        # The misspelt key is reported too, on its own line.
        assert found == [expected, f"practices/plein.toml:1: naam: unknown key; allowed keys are: {ALLOWED}"]
    else:
        assert found == [expected]


def test_toml_syntax_error_names_its_line(plein):
    text = GOOD.replace('color = "#2b4c7e"', 'color = "#2b4c7e')
    assert problems(plein, text) == [
        "practices/plein.toml:3: is not valid TOML: Illegal character '\\n' (column 17)"]


def test_toml_syntax_error_at_the_end_names_the_last_line(plein):
    assert problems(plein, GOOD + "openingstijden\n") == [
        "practices/plein.toml:8: is not valid TOML: Expected '=' after a key in a key/value pair "
        "(column 15)"]
    assert problems(plein, GOOD + "openingstijden") == [
        "practices/plein.toml:8: is not valid TOML: Expected '=' after a key in a key/value pair "
        "(at the end of the file)"]


def test_logo_outside_practices_is_refused(plein):
    (plein.root / "elders.png").write_bytes(png_bytes())
    assert problems(plein, replace_line("logo", 'logo = "../elders.png"')) == [
        "practices/plein.toml:2: logo: logo '../elders.png' must be a file inside practices/"]


def test_logo_symlink_out_of_practices_is_refused(plein):
    (plein.root / "elders.png").write_bytes(png_bytes())
    (plein.practices_dir / "link.png").symlink_to(plein.root / "elders.png")
    assert problems(plein, replace_line("logo", 'logo = "link.png"')) == [
        "practices/plein.toml:2: logo: logo 'link.png' is a symbolic link; only real files inside "
        "the project are read"]


def test_logo_that_is_not_an_image_by_content(plein):
    (plein.practices_dir / "nep.png").write_text("dit is geen plaatje\n")
    assert problems(plein, replace_line("logo", 'logo = "nep.png"')) == [
        "practices/plein.toml:2: logo: logo 'nep.png' is not a PNG, JPEG or SVG image (judged by its content)"]


def test_logo_type_comes_from_the_content_not_the_name(plein):
    (plein.practices_dir / "eigenlijk-png.svg").write_bytes(png_bytes())
    write(plein, replace_line("logo", 'logo = "eigenlijk-png.svg"'))
    assert load_practice(plein, "plein").logo_type == "image/png"


def test_logo_missing(plein):
    assert problems(plein, replace_line("logo", 'logo = "weg.svg"')) == [
        "practices/plein.toml:2: logo: logo file 'weg.svg' not found in practices/"]


def test_logo_folder_is_not_a_file(plein):
    (plein.practices_dir / "map").mkdir()
    assert problems(plein, replace_line("logo", 'logo = "map"')) == [
        "practices/plein.toml:2: logo: logo 'map' is not a file"]


def test_every_problem_of_a_profile_is_reported_together(plein, cli):
    text = """\
name = "Huisartsenpraktijk Het Plein"
colour = "#2b4c7e"
color = "blauw"
website = "www.hetplein.example"
logo = "../elders.png"
email = "info-at-hetplein"
"""
    (plein.root / "elders.png").write_bytes(png_bytes())
    expected = [
        f"practices/plein.toml:2: colour: unknown key; allowed keys are: {ALLOWED}",
        "practices/plein.toml:3: color: must be a colour written as #rrggbb, e.g. \"#1d5e8c\" (got 'blauw')",
        "practices/plein.toml:4: website: must be a web address starting with https:// or http:// "
        "(got 'www.hetplein.example')",
        "practices/plein.toml:5: logo: logo '../elders.png' must be a file inside practices/",
        "practices/plein.toml:6: email: must be an e-mail address such as info@praktijk.nl "
        "(got 'info-at-hetplein')",
    ]
    assert problems(plein, text) == expected
    run = cli("build", "--leaflet", "lage-rugklachten", "--practice", "plein", root=plein.root)
    assert (run.code, run.out) == (1, "")
    assert run.err.splitlines() == [f"error: {line}" for line in expected]


def test_leaflet_and_practice_problems_are_reported_together(plein, cli):
    write(plein, replace_line("color", 'color = "blauw"'))
    run = cli("build", "--leaflet", "knieklachten", "--practice", "plein", "--lang", "xx", root=plein.root)
    assert run.code == 1
    assert run.err.splitlines() == [
        "error: unknown leaflet 'knieklachten'; known leaflets: lage-rugklachten",
        "error: practices/plein.toml:3: color: must be a colour written as #rrggbb, e.g. \"#1d5e8c\" "
        "(got 'blauw')",
        f"error: unknown language 'xx'; known languages: {', '.join(_languages(plein))}",
    ]


def _languages(project) -> list[str]:
    from leafletgen.translate.catalogs import languages
    return languages(project)


def test_unknown_practice_lists_the_known_ones(plein):
    write(plein, GOOD)
    with pytest.raises(UserError) as info:
        load_practice(plein, "de-linde")
    assert info.value.lines == ["unknown practice 'de-linde'; known practices: fysio-delinde, plein"]


def test_a_practice_colour_too_light_to_read_is_darkened_with_a_note(plein):
    write(plein, replace_line("color", 'color = "#f5c400"'))
    practice = load_practice(plein, "plein")
    assert practice.color != "#f5c400"
    assert contrast_ratio(practice.color, "#ffffff") >= 4.5
    assert contrast_ratio(practice.color, "#ffffff") < 4.7  # darkened only as far as needed
    line = 1 + (plein.practices_dir / "plein.toml").read_text().split("\n").index('color = "#f5c400"')
    assert practice.notes == (
        f"practices/plein.toml:{line}: color #f5c400 has contrast 1.6:1 on white, below 4.5:1 (WCAG AA); "
        f"text uses the darker {practice.color} ({contrast_ratio(practice.color, '#ffffff'):.1f}:1)",)


def test_a_byte_order_mark_is_fine(plein):
    (plein.practices_dir / "plein.toml").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert load_practice(plein, "plein").name == "Huisartsenpraktijk Het Plein"
