"""The shipped catalogs: valid for GNU gettext, complete against the current Dutch, in a font that
covers them. These fail when a leaflet's Dutch changes and its catalogs are not updated."""

from __future__ import annotations

import datetime as dt
import functools
import subprocess

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from leafletgen.typeset.fonts import font_faces, font_stack
from leafletgen.translate.catalogs import SOURCE_LANGUAGE, languages
from leafletgen.inputs.project import Project
from leafletgen.translate.status import status

from tests.conftest import REPO, run_cli

SHIPPED = ["ar", "de", "en", "es", "fr", "pl", "tr", "uk"]
CATALOGS = sorted((REPO / "translations").glob("*/LC_MESSAGES/*.po")) + sorted(
    (REPO / "translations").glob("*.pot"))


def test_the_eight_languages_are_shipped_for_the_back_pain_leaflet():
    assert set(SHIPPED) <= set(languages(Project(REPO)))
    for lang in SHIPPED:
        for domain in ("lage-rugklachten", "leafletgen"):
            assert (REPO / "translations" / lang / "LC_MESSAGES" / f"{domain}.po").is_file(), (lang, domain)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.relative_to(REPO / "translations").as_posix())
def test_every_catalog_passes_msgfmt_check(path, tmp_path):
    run = subprocess.run(["msgfmt", "-c", "--statistics", "-o", str(tmp_path / "x.mo"), str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    if path.suffix == ".pot":
        return
    # msgfmt counts fuzzy entries apart: none may be left in a shipped catalog.
    assert "fuzzy" not in run.stderr and "untranslated" not in run.stderr, run.stderr


def test_every_shipped_language_is_complete_against_the_current_sources():
    rows = status(Project(REPO))
    incomplete = [f"{row.file}: {len(row.missing)} missing, problems {row.problems}"
                  for row in rows if not row.complete]
    assert not incomplete, ("a leaflet or template changed and its translations were not updated; "
                            "run `python generate.py translations update` and translate what "
                            "`translations status` lists:\n" + "\n".join(incomplete))
    assert {row.lang for row in rows} >= set(SHIPPED)


def test_status_require_complete_passes_on_the_repository():
    run = run_cli("translations", "status", "--require-complete", root=REPO)
    assert run.code == 0, run.err


def _messages(path) -> list[tuple]:
    """What a translator works from: each message's id (a tuple for a plural), context, extracted
    comments, locations and flags.
    Header text (Generated-By, dates) is the writing library's, not ours, and is left out."""
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    return [(message.id, message.context, tuple(message.auto_comments), tuple(message.locations),
             tuple(sorted(message.flags))) for message in catalog if message.id]


def test_the_shipped_templates_are_what_extract_writes(project):
    """`translations extract` on the shipped sources gives the shipped .pot files' messages."""
    shipped = {path.name: _messages(path) for path in sorted((REPO / "translations").glob("*.pot"))}
    for path in project.root.joinpath("translations").glob("*.pot"):
        path.unlink()
    run = run_cli("translations", "extract", root=project.root)
    assert run.code == 0, run
    extracted = {path.name: _messages(path)
                 for path in sorted(project.root.joinpath("translations").glob("*.pot"))}
    assert extracted == shipped


def test_a_changed_dutch_sentence_makes_the_shipped_languages_incomplete(project):
    leaflet = project.leaflets_dir / "lage-rugklachten.md"
    leaflet.write_text(leaflet.read_text(encoding="utf-8").replace("- Overgewicht", "- Flink overgewicht"),
                       encoding="utf-8")
    rows = [row for row in status(project) if row.domain == "lage-rugklachten"]
    assert rows and all(row.missing == ["Flink overgewicht"] for row in rows)
    run = run_cli("translations", "status", "--require-complete", root=project.root)
    assert run.code == 1


@functools.lru_cache(maxsize=None)
def _cmap(family: str) -> frozenset[int]:
    """The code points a family's regular face maps, read once per family (a font file is
    several megabytes: reading it for every character took two minutes)."""
    face = next(f for f in font_faces() if f.family == family and f.style == "normal")
    return frozenset(TTFont(face.path).getBestCmap())


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_first_font_of_each_language_covers_all_its_text(lang):
    """No letter of a language falls back to a second face (a word set in two fonts)."""
    text = format_date(dt.date(2026, 11, 1), "long", locale=lang)
    for domain in ("lage-rugklachten", "leafletgen"):
        with open(REPO / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
            for message in read_po(fh):
                if message.id:
                    strings = message.string if isinstance(message.string, tuple) else [message.string]
                    text += "".join(strings)
    text += text.upper()  # the kicker is set in capitals (Turkish i → İ)
    if lang == "tr":
        text += "İ"
    family = font_stack(lang)[0]
    cmap = _cmap(family)
    missing = sorted({ch for ch in text if ch.isprintable() and not ch.isspace()
                      and ord(ch) not in cmap})
    assert not missing, f"{family} lacks {''.join(missing)!r} for {lang}"


def test_source_language_is_not_a_catalog():
    assert not (REPO / "translations" / SOURCE_LANGUAGE).exists()


def test_index_names_each_language_in_its_own_script_and_in_dutch():
    from leafletgen.batch.index import IndexEntry, render_index

    entries = [IndexEntry("lage-rugklachten", "x", lang, "fysio-delinde", "Fysiotherapie De Linde", "a4",
                          False, f"fysio-delinde/{lang}/lage-rugklachten.pdf",
                          f"fysio-delinde/{lang}/lage-rugklachten.html") for lang in ["nl"] + SHIPPED]
    html = render_index(Project(REPO), entries)
    assert '<span lang="tr" dir="ltr">Türkçe</span> — Turks' in html
    assert '<span lang="ar" dir="rtl">العربية</span> — Arabisch' in html
    assert '<span lang="uk" dir="ltr">Українська</span> — Oekraïens' in html
