"""One completeness figure: `list`, `translations status`, the staff page and the translations
page give the same percentage for a leaflet in a language, computed in one place."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from babel.messages.pofile import read_po, write_po

from tests.conftest import PROJECT_PARTS, REPO, run_cli, units_in_pot
from tests.web.test_web import LEAFLET, make_app

# lang → how its catalog of the leaflet is changed: the number of units emptied and made fuzzy.
CASES = {"de": (7, 1), "fr": ("all", 0), "tr": (0, 0), "pl": (1, 0)}


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory):
    """A project whose German is partly translated (some units empty, one fuzzy), whose French has
    none of the leaflet's own text (its template strings all translated), and whose Polish misses
    one unit; the four surfaces' figures for each."""
    from leafletgen.inputs.project import Project

    base = tmp_path_factory.mktemp("completeness")
    root = base / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    project = Project(root)
    for lang, (emptied, fuzzy) in CASES.items():
        path = project.catalog_path(LEAFLET, lang)
        with open(path, "rb") as file:
            catalog = read_po(file, locale=lang)
        messages = [message for message in catalog if message.id]
        count = len(messages) if emptied == "all" else emptied
        for message in messages[:count]:
            message.string = ""
        for message in messages[count:count + fuzzy]:
            message.flags.add("fuzzy")
        with open(path, "wb") as file:
            write_po(file, catalog, width=0)
    figures: dict[str, dict[str, int]] = {}

    listing = run_cli("list", root=root)
    assert listing.code == 0, listing
    figures["list"] = {lang: int(pct) for lang, pct in re.findall(r"\b([a-z]{2}) (\d+)%", listing.out)}

    status = run_cli("translations", "status", "--json", root=root)
    rows = json.loads(status.out)["catalogs"]
    figures["status --json"] = {row["lang"]: row["percent"] for row in rows if row["domain"] == LEAFLET}
    table = run_cli("translations", "status", root=root).out
    figures["status"] = {lang: int(pct) for lang, pct in re.findall(
        rf"^{LEAFLET} +([a-z]{{2}}) .*? (\d+)(?:  INCOMPLETE)?$", table, re.MULTILINE)}

    app, service = make_app(project, base / "cache")
    try:
        client = app.test_client()
        staff = client.get(f"/?leaflet={LEAFLET}").get_data(as_text=True)
        options = dict(re.findall(r'<option value="([a-z]{2})"[^>]*>([^<]*)</option>', staff))
        figures["staff page"] = {}
        for lang, label in options.items():
            match = re.search(r"\(onvolledig: (\d+) %", label)
            figures["staff page"][lang] = int(match.group(1)) if match else 100
        page = client.get("/translations").get_data(as_text=True)
        row = page[page.index(f"<code>{LEAFLET}</code>"):]
        row = row[:row.index("</tr>")]
        langs = re.findall(r'<th scope="col"><span lang="([a-z]{2})"', page)
        cells = [int(pct) for pct in re.findall(r"<strong>(\d+) %</strong>", row)]
        figures["translations page"] = dict(zip(langs, cells))
    finally:
        service.close()
    return figures


def test_the_four_surfaces_give_one_figure(surfaces):
    units = units_in_pot(LEAFLET)
    emptied, fuzzy = CASES["de"]
    expected = {"de": 100 * (units - emptied - fuzzy) // units, "fr": 0, "tr": 100,
                "pl": 100 * (units - 1) // units}
    for surface, figures in surfaces.items():
        assert {lang: figures.get(lang) for lang in expected} == expected, surface


def test_a_leaflet_with_none_of_its_own_text_translated_is_0_percent(surfaces):
    """Its translated template strings (footer, page numbers) do not count towards it."""
    assert {surface: figures["fr"] for surface, figures in surfaces.items()} == \
        dict.fromkeys(surfaces, 0)


def test_only_a_complete_translation_is_100_percent(surfaces):
    """Rounded down: one unit missing is never 100 %."""
    units = units_in_pot(LEAFLET)
    assert all(figures["pl"] == 100 * (units - 1) // units < 100 for figures in surfaces.values())
