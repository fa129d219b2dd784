"""Translation memory: a second leaflet that reuses sentences of the first gets them pre-filled
from the first one's translations, as fuzzy suggestions that name where they come from."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from babel.messages.pofile import read_po

from leafletgen.translate.memory import NEAR

from tests.conftest import run_cli

DATA = Path(__file__).resolve().parent / "data"
SAME = ["Voor mogelijke oorzaken kun je denken aan:", "Te weinig of te eentonig bewegen",
        "Mentale druk tijdens werk", "Wat kan de fysiotherapeut voor jou doen?",
        "Redactie patiëntenvoorlichting", "Patiëntenvoorlichting van de praktijk"]
NEAR_UNITS = {   # the new Dutch → the first leaflet's, whose translation is suggested
    "Stijve nek bij bewegen of juist ook bij zitten/staan":
        "Stijve rug bij bewegen of juist ook bij zitten/staan",
    "Denk aan je ontspanning. Stress en angst om te bewegen kunnen ervoor zorgen dat de nekpijn "
    "langer aanhoudt.":
        "Denk aan je ontspanning. Stress en angst om te bewegen kunnen ervoor zorgen dat de rugpijn "
        "langer aanhoudt",
}
NEW = ["Nekklachten", "Nekpijn komt vaak voor en gaat meestal binnen zes weken vanzelf over."]


def read(path):
    with open(path, "rb") as fh:
        return {m.id: m for m in read_po(fh) if m.id}


def test_a_second_leaflet_is_prefilled_from_the_first_ones_translations(project):
    shutil.copy(DATA / "nekklachten.md", project.leaflets_dir / "nekklachten.md")
    run = run_cli("translations", "update", root=project.root)
    assert run.code == 0, run
    for lang in ("de", "ar", "uk"):
        first = read(project.catalog_path("lage-rugklachten", lang))
        second = read(project.catalog_path("nekklachten", lang))
        text = project.catalog_path("nekklachten", lang).read_text(encoding="utf-8")
        for msgid in SAME:
            unit = second[msgid]
            assert unit.string == first[msgid].string and unit.fuzzy, (lang, msgid)
            assert "memory: lage-rugklachten" in unit.auto_comments, unit.auto_comments
            assert not unit.previous_id
        for msgid, old in NEAR_UNITS.items():
            unit = second[msgid]
            assert unit.string == first[old].string and unit.fuzzy, (lang, msgid)
            assert [c for c in unit.auto_comments if c.startswith("memory: lage-rugklachten (")], unit
            # The Dutch its translation was made for, as msgmerge's previous msgid.
            assert old in "".join(re.findall(r'^#\| (?:msgid )?"(.*)"$', text, re.M))
        for msgid in NEW:
            assert not second[msgid].string, (lang, msgid)
        assert "#| msgid" in text and "# | msgid" not in text
    # Suggestions are not translations: the leaflet is not complete, and nothing of it is built.
    status = run_cli("translations", "status", root=project.root).out
    assert "nekklachten" in status and "INCOMPLETE" in status
    # A second update keeps them and their notes (the merge gives every unit the template's comments).
    before = project.catalog_path("nekklachten", "de").read_bytes()
    assert run_cli("translations", "update", root=project.root).code == 0
    assert project.catalog_path("nekklachten", "de").read_bytes() == before


def test_a_confirmed_suggestion_loses_its_note_and_a_weak_match_is_not_suggested(project):
    """A confirmed unit is a translation like any other: its note goes at the next update."""
    shutil.copy(DATA / "nekklachten.md", project.leaflets_dir / "nekklachten.md")
    assert run_cli("translations", "update", root=project.root).code == 0
    path = project.catalog_path("nekklachten", "de")
    text = path.read_text(encoding="utf-8")
    # The translator confirms a suggestion by removing its fuzzy flag (as Poedit does).
    at = text.index('msgid "Mentale druk tijdens werk"')
    start = text.rfind("#, fuzzy\n", 0, at)
    path.write_text(text[:start] + text[start + len("#, fuzzy\n"):], encoding="utf-8")
    assert run_cli("translations", "update", root=project.root).code == 0
    unit = read(path)["Mentale druk tijdens werk"]
    assert not unit.fuzzy and not [c for c in unit.auto_comments if c.startswith("memory:")]
    # A sentence less alike than NEAR is not suggested.
    assert read(path)[NEW[1]].string == "" and NEAR >= 0.75
