"""The Dutch leaflet's HTML, compared byte for byte with a reviewed copy in tests/golden/.

An intended change: `python -m pytest tests/markup/test_golden.py --update-golden`, then review the
`git diff` of tests/golden/ and look at the rendered page before committing it.
"""

from __future__ import annotations

from leafletgen.build import BuildRequest, build
from leafletgen.inputs.project import Project

from tests.conftest import REPO


def _build_html(tmp_path, practice):
    _, _, html = build(Project(REPO), BuildRequest("lage-rugklachten", "nl", practice), tmp_path)
    return html.read_text(encoding="utf-8")


def test_dutch_leaflet_html_matches_golden(dutch_leaflet, golden):
    golden("lage-rugklachten.nl.fysio-delinde.html", dutch_leaflet.html.read_text(encoding="utf-8"))


def test_dutch_leaflet_html_without_practice_matches_golden(tmp_path, golden):
    golden("lage-rugklachten.nl.default.html", _build_html(tmp_path, None))
