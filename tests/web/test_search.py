"""Search that finds a leaflet as reception types a complaint: title, headings and text in every
language and the front matter's keywords; case, accents and one typing error ignored; ranked
title > keywords > headings > text; the index made again when a file's content changes."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from leafletgen.inputs.project import Project
from leafletgen.web import search

from tests.conftest import PROJECT_PARTS, REPO, run_cli
from tests.web.test_web import LEAFLET, copy_project, make_app

LEAFLET_TEXT = """---
id: {id}
title: {title}
language: nl
version: "1.0"
published: 2026-11-01
review: 2027-11-01
author: Redactie
{extra}---

## {heading}

{body}
"""


def write_leaflet(project: Project, leaflet_id: str, title: str, heading: str = "Wat u kunt doen",
                  body: str = "Blijf in beweging.", extra: str = "") -> None:
    (project.leaflets_dir / f"{leaflet_id}.md").write_text(
        LEAFLET_TEXT.format(id=leaflet_id, title=title, heading=heading, body=body, extra=extra),
        encoding="utf-8")


@pytest.fixture(scope="module")
def shipped():
    """The index of this project as it ships (one leaflet, eight translations)."""
    return search.index(Project(REPO))


def found(index, query: str) -> list[str]:
    return [hit.leaflet for hit in index.search(query)]


@pytest.mark.parametrize("query", [
    "rugpijn", "Rugpijn", "lumbago", "spit", "back pain", "BACK PAIN", "bel ağrısı", "BEL AGRISI",
    "Rückenschmerzen", "ruckenschmerzen", "şikâyet", "sikayet", "dolor lumbar", "ból pleców",
    "біль у спині", "ألم الظهر", "rug", "pijn", "overgewicht",
])
def test_the_back_pain_leaflet_is_found_by_what_reception_types(shipped, query):
    assert found(shipped, query) == [LEAFLET]


@pytest.mark.parametrize("query", [
    "lumbgo",       # a letter left out
    "lumbaago",     # one added
    "lumbego",      # one changed
    "lubmago",      # two swapped
    "rugpjin",
    "Rükcenschmerzen",
])
def test_one_typing_error_in_a_word_of_five_letters_or_more_is_forgiven(shipped, query):
    assert found(shipped, query) == [LEAFLET]


@pytest.mark.parametrize("query", [
    "lmbgo",        # two errors
    "rgu",          # a typing error in a short word is not guessed at
    "knie",         # not about it at all
    "rugpijn knie",  # every word must be found
])
def test_what_is_not_there_is_not_found(shipped, query):
    assert found(shipped, query) == []


def test_the_keywords_are_read_from_the_front_matter():
    from leafletgen.inputs.leaflet import load_leaflet

    leaflet = load_leaflet(Project(REPO), LEAFLET)
    assert {"rugpijn", "lumbago", "spit", "back pain", "bel ağrısı"} <= set(leaflet.keywords)


def test_keywords_are_checked_strictly_and_never_translated_or_printed(project):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    source = path.read_text(encoding="utf-8")
    # A typo in the key is an unknown key, as before.
    path.write_text(source.replace("keywords:", "keyword:"), encoding="utf-8")
    run = run_cli("build", "--leaflet", LEAFLET, root=project.root)
    assert run.code == 1 and f"leaflets/{LEAFLET}.md:" in run.err and "keyword: unknown key" in run.err
    many = ", ".join(f"woord{number}" for number in range(51))
    path.write_text(re.sub(r"^keywords:.*$", f"keywords: {many}", source, flags=re.MULTILINE), encoding="utf-8")
    run = run_cli("build", "--leaflet", LEAFLET, root=project.root)
    assert run.code == 1 and "keywords: has 51 keywords; at most 50" in run.err
    path.write_text(re.sub(r"^keywords:.*$", "keywords: [Hexenschuss, spit]", source, flags=re.MULTILINE),
                    encoding="utf-8")
    assert run_cli("translations", "extract", root=project.root).code == 0
    assert "Hexenschuss" not in (project.translations_dir / f"{LEAFLET}.pot").read_text(encoding="utf-8")


def test_ranked_title_then_keywords_then_headings_then_text(tmp_path):
    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    project = Project(root)
    write_leaflet(project, "d-tekst", "Oefeningen", body="Pijn in de knie gaat vaak over.")
    write_leaflet(project, "c-kopje", "Sporten", heading="Als de knie zeer doet")
    write_leaflet(project, "b-trefwoord", "Meniscus", extra="keywords: knie, kniepijn\n")
    write_leaflet(project, "a-titel", "Knieklachten")
    write_leaflet(project, "e-geen", "Schouderklachten")
    assert found(search.index(project), "knie") == ["a-titel", "b-trefwoord", "c-kopje", "d-tekst"]
    # A title that only starts with the word still outranks a keyword that is the word.
    assert found(search.index(project), "kni")[:2] == ["a-titel", "b-trefwoord"]


def test_the_index_follows_the_content_not_the_file_times(tmp_path):
    """A catalog rewritten within the same second, same size and file time: found by its new words."""
    project = copy_project(tmp_path / "project")
    assert found(search.index(project), "Kilolar") == []
    path = project.catalog_path(LEAFLET, "tr")
    text = path.read_text(encoding="utf-8")
    old = re.search(r'msgid "Overgewicht"\nmsgstr "([^"]+)"', text).group(1)
    new = ("Kilolar" + "x" * len(old))[:len(old)] if len(old) >= 7 else "Kilolar"
    assert len(new.encode()) == len(old.encode()), "the same size, for the test to mean something"
    stat = path.stat()
    path.write_text(text.replace(f'msgstr "{old}"', f'msgstr "{new}"'), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    assert found(search.index(project), "Kilolar") == [LEAFLET]
    # A leaflet added is found; one made unreadable is not (and does not break the others).
    write_leaflet(project, "knieklachten", "Knieklachten")
    assert found(search.index(project), "knie") == ["knieklachten"]
    (project.leaflets_dir / "knieklachten.md").write_text("geen front matter\n", encoding="utf-8")
    assert found(search.index(project), "knie") == [] and found(search.index(project), "rug") == [LEAFLET]


def test_folding_and_one_edit():
    assert search.fold("Bel Ağrısı") == "bel agrisi"
    assert search.fold("İstanbul ĞÜŞ") == "istanbul gus"
    assert search.fold("Straße, Œuvre, Łódź") == "strasse, oeuvre, lodz"
    assert search.words("ألمٌ أسفلَ الظهر") == search.words("الم اسفل الظهر")
    for a, b, expected in [("lumbago", "lumbgo", True), ("lumbago", "lubmago", True), ("lumbago", "lumbagoo", True),
                           ("lumbago", "lumbego", True), ("lumbago", "lmbgo", False), ("lumbago", "ogabmul", False)]:
        assert search.one_edit_apart(a, b) is expected, (a, b)


# ---- In the app ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_client(tmp_path_factory):
    base = tmp_path_factory.mktemp("search")
    project = copy_project(base / "project")
    write_leaflet(project, "knieklachten", "Knieklachten", extra="keywords: knee pain, diz ağrısı\n")
    app, service = make_app(project, base / "cache")
    yield app.test_client()
    service.close()


def test_the_staff_page_lists_what_the_search_finds_and_where(app_client):
    page = app_client.get("/?q=back+pain").get_data(as_text=True)
    assert re.findall(r'name="leaflet" id="leaflet-([\w-]+)"', page) == [LEAFLET]
    hint = re.search(r'id="hint-lage-rugklachten">([^<]*)<span lang="(\w+)"[^>]*>([^<]*)</span>', page)
    assert hint and hint.group(2) == "en" and "back" in hint.group(3).lower()
    assert "1 folder gevonden" in page
    page = app_client.get("/?q=diz+agrisi").get_data(as_text=True)
    assert re.findall(r'name="leaflet" id="leaflet-([\w-]+)"', page) == ["knieklachten"]
    assert "diz ağrısı" in page
    nothing = app_client.get("/?q=schouder").get_data(as_text=True)
    assert "Geen folder gevonden voor “schouder”." in nothing and 'type="radio" name="leaflet"' not in nothing


def test_the_list_alone_while_one_types(app_client):
    response = app_client.get(f"/search?q=rugpjin&leaflet={LEAFLET}&lang=tr", headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert re.findall(r'name="leaflet" id="leaflet-([\w-]+)"[^>]*checked', text) == [LEAFLET]
    assert "<html" not in text and 'id="found-status" role="status" hx-swap-oob="true"' in text
    assert response.headers["HX-Push-Url"] == f"/?leaflet={LEAFLET}&lang=tr&q=rugpjin"
    # Not from the page (no htmx): the whole page for that search.
    plain = app_client.get("/search?q=knie")
    assert plain.status_code == 302 and plain.headers["Location"] == "/?q=knie"
