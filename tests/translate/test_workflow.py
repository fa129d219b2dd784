"""The gettext workflow: extraction, update, init, status, the completeness gate, escaping."""

from __future__ import annotations

import dataclasses

import gettext

import json
import re
import subprocess

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po
from PIL import Image
from pypdf import PdfReader

from leafletgen.translate.catalogs import template_path
from leafletgen.translate.status import status

from tests.conftest import REPO, run_cli, units_in_pot

LEAFLET = "lage-rugklachten"

FIXTURE = """\
---
id: kleine-folder
title: Kleine folder
language: nl
version: "2.1"
published: 2026-01-05
review: 2027-01-05
author: Redactie
---

Een alinea met **vet** en een [link](https://example.org).

## Wat kun je doen?

- Blijf bewegen
- Rust niet te lang

1. Eerst dit
2. Dan dat

> Het gaat vaak vanzelf over

![Een rug van opzij gezien](rug.png)
"""


@pytest.fixture
def small(project):
    """The project with one more, small leaflet that has one block of every kind."""
    (project.leaflets_dir / "kleine-folder.md").write_text(FIXTURE, encoding="utf-8")
    Image.new("RGB", (8, 8), "white").save(project.leaflets_dir / "rug.png")
    return project


def po(path) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh)


def save(catalog: Catalog, path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        write_po(fh, catalog)


def fill(path, translate=lambda msgid: "[it] " + msgid) -> Catalog:
    """Translate every entry of the catalog at `path` (a stand-in translator)."""
    catalog = po(path)
    for message in catalog:
        if message.id:
            if isinstance(message.id, tuple):
                message.string = tuple(translate(message.id[min(i, 1)]) for i in range(catalog.num_plurals))
            else:
                message.string = translate(message.id)
    save(catalog, path)
    return catalog


def msgfmt_check(path) -> subprocess.CompletedProcess:
    return subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)


# ---- Extraction ---------------------------------------------------------------------------------

def test_extractor_gives_one_unit_per_block_with_line_and_kind(small):
    """Through Babel's own machinery: `leaflet` is found via the babel.extractors entry point."""
    path = small.leaflets_dir / "kleine-folder.md"
    found = list(extract_from_file("leaflet", str(path)))
    assert [(line, message, comments) for line, message, comments, _ in found] == [
        (3, "Kleine folder", ["The title of the leaflet."]),
        (11, "Een alinea met **vet** en een [link](https://example.org).",
         ["A paragraph.", "Keep the Markdown: **bold**, *italic*, [link text](address); "
                          "translate the words, keep the address."]),
        (13, "Wat kun je doen?", ["A heading (level 2)."]),
        (15, "Blijf bewegen", ["One item of a bulleted list."]),
        (16, "Rust niet te lang", ["One item of a bulleted list."]),
        (18, "Eerst dit", ["One item of a numbered list."]),
        (19, "Dan dat", ["One item of a numbered list."]),
        (21, "Het gaat vaak vanzelf over", ["The key message, printed large in a highlighted box."]),
        (23, "Een rug van opzij gezien",
         ["The description of a picture, read aloud to blind readers (alt text)."]),
        # The colophon's author line is a unit too (this leaflet has no source line).
        (8, "Redactie", ["The author line in the small print at the end of the leaflet: who wrote "
                         "the Dutch text. Translate a description (an editorial team); keep a "
                         "person's name as it is."]),
    ]


def test_plain_pybabel_extract_works_with_the_shipped_mapping(small, tmp_path, monkeypatch):
    from babel.messages.frontend import CommandLineInterface

    out = tmp_path / "kleine-folder.pot"
    monkeypatch.chdir(small.root)  # as a user runs it: from the project folder
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(REPO / "babel.cfg"), "-o", str(out),
                                "leaflets/kleine-folder.md"])
    text = out.read_text(encoding="utf-8")
    assert "#. The key message, printed large in a highlighted box.\n#: " in text
    assert 'msgid "Het gaat vaak vanzelf over"' in text
    assert text.count("msgid ") == 11  # the header and ten units (nine blocks, the author line)


def test_extract_command_writes_a_pot_per_leaflet_and_one_for_the_templates(small):
    run = run_cli("translations", "extract", root=small.root)
    assert run.code == 0, run
    assert "wrote translations/kleine-folder.pot" in run.out
    pot = po(template_path(small, "kleine-folder"))
    message = pot["Een alinea met **vet** en een [link](https://example.org)."]
    assert message.locations == [("leaflets/kleine-folder.md", 11)]
    templates = po(template_path(small, "leafletgen"))
    assert templates["Pagina %(page)s van %(pages)s"].locations == [("templates/blocks/footer.html.j2", 20)]
    plural = templates["%(count)s tekstdeel staat nog in het Nederlands"]
    assert plural.id == ("%(count)s tekstdeel staat nog in het Nederlands",
                         "%(count)s tekstdelen staan nog in het Nederlands")
    # The same sources give the same files: a second run changes nothing.
    again = run_cli("translations", "extract", root=small.root)
    assert "wrote" not in again.out and "unchanged translations/kleine-folder.pot" in again.out


# ---- init, update, status -----------------------------------------------------------------------

def test_init_writes_every_domain_with_the_languages_plural_rule(small):
    run = run_cli("translations", "init", "ru", root=small.root)
    assert run.code == 0, run
    for domain in (LEAFLET, "kleine-folder", "leafletgen"):
        path = small.catalog_path(domain, "ru")
        assert f"wrote {small.rel(path)}" in run.out
        assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
    catalog = po(small.catalog_path("leafletgen", "ru"))
    assert str(catalog.locale) == "ru"
    # The rule's behaviour, not its spelling (Babel versions write it differently): Russian has
    # three forms, 1/21/101 → 0, 2–4/22–24 → 1, 0/5–20/25–30/111–114 → 2.
    assert catalog.num_plurals == 3
    rule = gettext.c2py(catalog.plural_expr)

    def russian(n: int) -> int:
        if n % 10 == 1 and n % 100 != 11:
            return 0
        return 1 if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else 2

    assert [rule(n) for n in range(201)] == [russian(n) for n in range(201)]
    again = run_cli("translations", "init", "ru", root=small.root)
    assert again.code == 1 and "translations/ru/ exists already" in again.err


@pytest.mark.parametrize("code, message", [
    ("xx", "'xx' is not a language Babel (CLDR) knows"),
    ("../evil", "'../evil' is not a language code"),
    ("nl", "'nl' is the source language"),
])
def test_init_refuses_a_bad_language(small, code, message):
    run = run_cli("translations", "init", code, root=small.root)
    assert run.code == 1 and message in run.err and "Traceback" not in run.err


def test_update_keeps_translations_marks_changed_fuzzy_and_adds_new(small):
    assert run_cli("translations", "init", "it", root=small.root).code == 0
    path = small.catalog_path("kleine-folder", "it")
    fill(path)
    leaflet = small.leaflets_dir / "kleine-folder.md"
    text = leaflet.read_text(encoding="utf-8")
    text = text.replace("- Rust niet te lang", "- Rust niet te lang in bed")       # changed a little
    text = text.replace("> Het gaat", "Een geheel nieuwe alinea.\n\n> Het gaat")   # new
    leaflet.write_text(text, encoding="utf-8")

    run = run_cli("translations", "update", root=small.root)
    assert run.code == 0, run
    assert f"updated {small.rel(path)}" in run.out
    catalog = po(path)
    kept = catalog["Blijf bewegen"]
    assert (kept.string, kept.fuzzy) == ("[it] Blijf bewegen", False)
    changed = catalog["Rust niet te lang in bed"]
    assert changed.fuzzy and changed.string == "[it] Rust niet te lang"
    assert catalog["Een geheel nieuwe alinea."].string == ""
    # The changed unit shows the translator the Dutch its translation was made for (see
    # tests/translate/test_review.py for the `#|` lines in detail).
    assert '#, fuzzy\n#| msgid "Rust niet te lang"\nmsgid "Rust niet te lang in bed"\n' in \
        path.read_text(encoding="utf-8")
    assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr

    row = next(r for r in status(small) if (r.domain, r.lang) == ("kleine-folder", "it"))
    assert (row.translated, row.fuzzy, row.untranslated, row.total) == (9, 1, 1, 11)
    assert row.missing == ["Rust niet te lang in bed", "Een geheel nieuwe alinea."]


def test_status_counts_fuzzy_as_not_translated(small):
    assert run_cli("translations", "init", "it", root=small.root).code == 0
    path = small.catalog_path("kleine-folder", "it")
    catalog = fill(path)
    catalog["Blijf bewegen"].flags.add("fuzzy")
    catalog["Dan dat"].string = ""
    save(catalog, path)

    run = run_cli("translations", "status", "--json", root=small.root)
    assert run.code == 0, run
    data = json.loads(run.out)
    row = next(r for r in data["catalogs"] if (r["domain"], r["lang"]) == ("kleine-folder", "it"))
    assert {k: row[k] for k in ("translated", "fuzzy", "untranslated", "total", "percent", "complete")} == {
        "translated": 8, "fuzzy": 1, "untranslated": 1, "total": 10, "percent": 80, "complete": False}
    assert row["missing"] == ["Blijf bewegen", "Dan dat"] and row["fuzzy_ids"] == ["Blijf bewegen"]
    assert row["file"] == "translations/it/LC_MESSAGES/kleine-folder.po"
    assert data["complete"] is False

    text = run_cli("translations", "status", root=small.root)
    line = next(row for row in text.out.splitlines() if re.match(r"kleine-folder +it ", row))
    assert re.search(r"Italian\s+8/10\s+1\s+1\s+80  INCOMPLETE$", line), line
    assert ("translations/it/LC_MESSAGES/kleine-folder.po: not translated (fuzzy): 'Blijf bewegen'"
            in text.out.splitlines())

    gate = run_cli("translations", "status", "--require-complete", root=small.root)
    assert gate.code == 1 and gate.err.startswith("error: translations incomplete: ")


def test_status_reports_a_translation_that_adds_html_and_is_then_incomplete(small):
    assert run_cli("translations", "init", "it", root=small.root).code == 0
    path = small.catalog_path("kleine-folder", "it")
    catalog = fill(path)
    catalog["Een alinea met **vet** en een [link](https://example.org)."].string = "Un paragrafo <b>grassetto</b>."
    save(catalog, path)
    run = run_cli("translations", "status", "--json", root=small.root)
    row = next(r for r in json.loads(run.out)["catalogs"] if (r["domain"], r["lang"]) == ("kleine-folder", "it"))
    # The refused unit does not count as translated: a broken catalog is never 100 %.
    assert (row["translated"], row["untranslated"], row["complete"]) == (row["total"] - 1, 1, False)
    assert row["percent"] < 100
    assert any("raw HTML '<b>' is not allowed" in problem for problem in row["problems"])


# ---- The gate and the DRAFT mark ------------------------------------------------------------------

def partial_english(project, keep: int = 3) -> list[str]:
    """Leave only the first `keep` units of the English leaflet translated; returns the rest."""
    path = project.catalog_path(LEAFLET, "en")
    if not path.is_file():
        assert run_cli("translations", "update", root=project.root).code == 0
        fill(path, lambda msgid: "EN " + msgid)
    catalog = po(path)
    dropped = []
    for index, message in enumerate(m for m in catalog if m.id):
        if index >= keep:
            message.string = ""
            dropped.append(message.id)
    save(catalog, path)
    return dropped


def test_an_incomplete_translation_is_refused_listing_the_missing_units(project, tmp_path):
    dropped = partial_english(project)
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--out", str(tmp_path / "out"),
                  root=project.root)
    assert run.code == 1 and run.out == ""
    lines = run.err.splitlines()
    assert lines[0] == (f"error: translations/en/LC_MESSAGES/{LEAFLET}.po: translation incomplete: "
                        f"{len(dropped)} of {len(dropped) + 3} units missing or fuzzy; translate them "
                        "(or build with --allow-draft for a marked DRAFT)")
    assert len(lines) == 1 + len(dropped)
    assert "untranslated: 'Veelvoorkomende symptomen van lage rugpijn:'" in run.err
    assert not (tmp_path / "out").exists()


def test_missing_template_strings_are_refused_too(project, tmp_path):
    partial_english(project, keep=10_000)
    path = project.catalog_path("leafletgen", "en")
    catalog = po(path)
    catalog["Telefoon"].flags.add("fuzzy")
    save(catalog, path)
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--out", str(tmp_path), root=project.root)
    assert run.code == 1
    assert run.err.splitlines() == [
        "error: translations/en/LC_MESSAGES/leafletgen.po: template strings incomplete: 1 missing or "
        "fuzzy; translate them (or build with --allow-draft for a marked DRAFT)",
        "error: translations/en/LC_MESSAGES/leafletgen.po: untranslated: 'Telefoon'"]


def test_allow_draft_marks_every_page_in_the_language_and_in_dutch(project, tmp_path):
    dropped = partial_english(project)
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", "fysio-delinde",
                  "--allow-draft", "--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    assert f"warning: {LEAFLET} [en]: DRAFT, {len(dropped)} untranslated unit(s) shown in Dutch" in run.err
    reader = PdfReader(str(tmp_path / "fysio-delinde" / "en" / f"{LEAFLET}-concept.pdf"))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        text = " ".join(page.extract_text().split())
        assert "DRAFT — translation incomplete" in text
        assert "CONCEPT — vertaling onvolledig" in text
        assert f"{len(dropped)} passages are still in Dutch" in text
    html = (tmp_path / "fysio-delinde" / "en" / f"{LEAFLET}-concept.html").read_text(encoding="utf-8")
    # A unit that fell back to Dutch says so, for screen readers.
    # (The paragraph's last word, with the space before it, is in a span that keeps it from
    # being hyphenated.)
    assert '<p class="lead-in" lang="nl" dir="ltr">Veelvoorkomende symptomen van lage' \
        '<span class="whole"> rugpijn:</span></p>' in html


@pytest.mark.slow
def test_main_job_names_the_languages_it_skipped(project, tmp_path):
    partial_english(project)
    run = run_cli("--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    units = units_in_pot(LEAFLET)
    assert (f"skipped {LEAFLET} in English (en): {units - 3} of {units} units untranslated or fuzzy in "
            f"translations/en/LC_MESSAGES/{LEAFLET}.po (see `python generate.py translations status`)"
            in run.out.splitlines())
    assert not (tmp_path / "fysio-delinde" / "en").exists()
    assert (tmp_path / "fysio-delinde" / "nl" / f"{LEAFLET}.pdf").is_file()


# ---- Translations are text, never HTML -----------------------------------------------------------

def test_a_translators_html_is_refused_and_would_be_escaped_anyway(project, tmp_path):
    """The catalog check refuses HTML in a msgstr; should one get through, it is still only text."""
    from leafletgen.markup.html import RenderOptions, render_html
    from leafletgen.translate.catalogs import load_catalog, template_translations, translate_leaflet
    from leafletgen.build import BuildRequest
    from leafletgen.inputs.bundle import load_bundle

    partial_english(project, keep=10_000)
    path = project.catalog_path(LEAFLET, "en")
    catalog = po(path)
    catalog["Overgewicht"].string = "Being **overweight** <img src=x onerror=alert(1)>"
    save(catalog, path)
    labels_path = project.catalog_path("leafletgen", "en")
    labels = po(labels_path)
    labels["Telefoon"].string = "<b>Phone</b>"
    save(labels, labels_path)

    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--out", str(tmp_path), root=project.root)
    assert run.code == 1 and "raw HTML" in run.err

    # Past the checks: the Dutch bundle (which reads no catalog), translated by hand, reading
    # what else the English page needs (its language's table) from disk.
    bundle = dataclasses.replace(load_bundle(project, BuildRequest(LEAFLET, "nl", "fysio-delinde")),
                                 project=project)
    translated = translate_leaflet(bundle.leaflet, load_catalog(project, LEAFLET, "en"), "en")
    html = render_html(bundle, translated, template_translations(project, "en"),
                       RenderOptions(for_pdf=False))
    assert "<li>Being <strong>overweight</strong> &lt;img src=x onerror=alert(1)&gt;</li>" in html
    assert '<span class="label">&lt;b&gt;Phone&lt;/b&gt;</span>' in html
    assert "<img src=x" not in html and "<b>Phone" not in html


@pytest.mark.parametrize("argv, expected", [
    (("translations",), "generate.py translations: error: the following arguments are required: ACTION"),
    (("translations", "init"), "generate.py translations init: error: the following arguments are required: LL"),
    (("translations", "status", "--csv"), "generate.py: error: unrecognized arguments: --csv"),
])
def test_translations_usage_errors_exit_2(argv, expected):
    run = run_cli(*argv)
    assert (run.code, run.out) == (2, "") and run.err.splitlines()[0] == expected, run
