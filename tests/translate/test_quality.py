"""Quality checks of translations: each check finds its defect planted in a shipped catalog (and
nothing in the catalog as shipped), names language, leaflet, unit and line, and is run by
`translations status`, `check`, the main job and the web upload: warnings, errors with --strict."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.pofile import read_po

from leafletgen.translate.languages import language_table
from leafletgen.translate.quality import catalog_findings, quantities, unit_findings
from leafletgen.translate.termbase import load_termbase

from leafletgen.inputs.project import Project

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"
SHIPPED = ["ar", "de", "en", "es", "fr", "pl", "tr", "uk"]
P1 = "Lage rugpijn, ook wel 'spit' of 'lumbago' genoemd"          # the start of the first paragraph
HEADING = "Wat kan de fysiotherapeut voor jou doen?"


def units(root, lang: str, domain: str = LEAFLET) -> dict:
    with open(root / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def codes(msgid: str, msgstr: str, lang: str) -> list[str]:
    table, source = language_table(None, lang), language_table(None, "nl")
    return [code for code, _ in unit_findings(msgid, msgstr, source, table, load_termbase(table))]


def first(root, lang: str, start: str) -> tuple[str, str]:
    return next((msgid, text) for msgid, text in units(root, lang).items() if msgid.startswith(start))


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_shipped_catalogs_have_no_findings(lang):
    project = Project(REPO)
    found = catalog_findings(project, LEAFLET, lang) + catalog_findings(project, "leafletgen", lang)
    assert not found, "\n".join(map(str, found))


# ---- Each check finds its defect ------------------------------------------------------------------

def test_twee_weken_is_two_weeks_and_the_arabic_dual_counts_as_two():
    dutch, arabic, polish = (language_table(None, lang) for lang in ("nl", "ar", "pl"))
    assert [(q.value, q.unit) for q in quantities("na twee weken, 3 keer per dag", dutch)] == \
        [("2", "week"), ("3", "times")]
    assert [(q.value, q.unit) for q in quantities("بعد أسبوعين و٣ أيام", arabic)] == \
        [("2", "week"), ("3", "day")]
    assert [(q.value, q.unit) for q in quantities("w ciągu dwóch tygodni, 1,5 mg", polish)] == \
        [("2", "week"), ("1.5", "mg")]




@pytest.mark.parametrize("lang, two, other", [
    ("de", "zwei Wochen", "drei Wochen"), ("en", "two weeks", "three weeks"),
    ("es", "dos semanas", "tres semanas"), ("fr", "deux semaines", "trois semaines"),
    ("pl", "dwóch tygodni", "trzech tygodni"), ("tr", "iki hafta", "üç hafta"),
    ("uk", "два тижні", "три тижні"), ("ar", "أسبوعين", "ثلاثة أسابيع")])
def test_a_duration_changed_in_the_translation_is_found(lang, two, other):
    msgid, text = first(REPO, lang, P1)
    assert two in text and not codes(msgid, text, lang)
    changed = text.replace(two, other, 1)
    assert "number_missing" in codes(msgid, changed, lang) and "number_added" in codes(msgid, changed, lang)


def test_a_dose_or_unit_added_or_changed_is_found():
    msgid = "Neem 2 tabletten van 400 mg, hooguit 3 keer per dag."
    assert codes(msgid, "Take 2 tablets of 400 mg, at most 3 times a day.", "en") == []
    assert codes(msgid, "Take 2 tablets of 400 mg, at most 3 times a week.", "en") == []   # not a unit word after 3
    assert "unit_missing" in codes(msgid, "Take 2 tablets of 400 g, at most 3 times a day.", "en")
    assert "number_missing" in codes(msgid, "Take 2 tablets of 200 mg, at most 3 times a day.", "en")
    assert codes(msgid, "خذ ٢ قرص من ٤٠٠ ملغ، ٣ مرات في اليوم على الأكثر.", "ar") == []   # Arabic-Indic digits
    assert "foreign_digits" in codes(msgid, "Nehmen Sie 2 Tabletten zu ４００ mg, höchstens 3 Mal am Tag.", "de")


def test_a_forbidden_or_missing_term_is_found():
    msgid, text = first(REPO, "es", P1)
    assert "médico de familia" in text
    assert "term_forbidden" in codes(msgid, text.replace("médico de familia", "médico de cabecera"), "es")
    msgid, text = first(REPO, "uk", HEADING)
    assert "term_missing" in codes(msgid, text.replace("фізичний терапевт", "лікар"), "uk")
    assert "term_forbidden" in codes(msgid, text.replace("фізичний терапевт", "фізіотерапевт"), "uk")
    msgid, text = first(REPO, "pl", P1)      # inflected: "lekarzem rodzinnym"
    assert "lekarzem rodzinnym" in text and "term_missing" not in codes(msgid, text, "pl")


def test_the_informal_address_is_found():
    msgid, text = first(REPO, "es", HEADING)
    assert "register" in codes(msgid, text.replace("por usted", "por ti"), "es")
    msgid, text = first(REPO, "de", HEADING)
    assert "register" in codes(msgid, text.replace("für Sie", "für dich"), "de")


def test_the_languages_punctuation_rules_are_found():
    msgid, text = first(REPO, "fr", HEADING)
    assert codes(msgid, text, "fr") == [] and "space_before" in codes(msgid, text.replace("\u00a0?", "?"), "fr")
    msgid, text = first(REPO, "es", HEADING)
    assert "inverted" in codes(msgid, text.replace("¿", ""), "es")
    msgid, text = first(REPO, "ar", P1)
    assert "punctuation" in codes(msgid, text.replace("،", ",", 1), "ar")
    msgid, text = first(REPO, "de", P1)
    assert "straight_quote" in codes(msgid, text.replace("„Hexenschuss“", '"Hexenschuss"'), "de")
    assert "quotes" in codes(msgid, text.replace("„Hexenschuss“", "\u201cHexenschuss\u201d"), "de")  # English


def test_latin_words_in_a_non_latin_translation_and_a_far_shorter_one_are_found():
    msgid, text = first(REPO, "ar", "Als je met lage")
    assert "latin_words" in codes(msgid, text.replace("ثبات الجذع", "ثبات الجذع (core stability)"), "ar")
    msgid, text = first(REPO, "uk", "Als je met lage")
    assert "latin_words" in codes(msgid, text + " (core stability)", "uk")
    assert "length" in codes(msgid, text[:len(text) // 3], "uk")
    assert "length" in codes(msgid, text + " " + text + " " + text, "uk")


# ---- Where they are run ------------------------------------------------------------------------

def _plant(project, lang: str = "de") -> int:
    """"zwei Wochen" → "drei Wochen" in the German leaflet; the line of its msgstr."""
    path = project.catalog_path(LEAFLET, lang)
    text = path.read_text(encoding="utf-8")
    at = text.index('"zwei Wochen oft')
    path.write_text(text[:at] + '"drei Wochen oft' + text[at + len('"zwei Wochen oft'):], encoding="utf-8")
    start = text.rfind("\nmsgstr", 0, at)
    return text[:start + 1].count("\n") + 1


def test_translations_status_reports_findings_as_warnings_and_fails_with_strict(project):
    line = _plant(project)
    run = run_cli("translations", "status", root=project.root)
    assert run.code == 0, run
    unit = "\"Lage rugpijn, ook wel 'spit' of 'lumbago' genoemd\u2026\""
    expected = (f"warning: translations/de/LC_MESSAGES/{LEAFLET}.po:{line}: de, {LEAFLET}, unit {unit}: "
                "the Dutch has the number 2; the translation has not")
    assert expected in run.err.splitlines(), run.err
    assert "the translation has the number 3; the Dutch has not" in run.err
    assert run_cli("translations", "status", "--strict", root=project.root).code == 1
    data = json.loads(run_cli("translations", "status", "--json", root=project.root).out)
    row = next(r for r in data["catalogs"] if (r["domain"], r["lang"]) == (LEAFLET, "de"))
    assert {"line": line, "field": "msgstr", "code": "number_missing", "params": {"value": "2"},
            "unit": row["findings"][0]["unit"]} in row["findings"]


def test_the_main_job_warns_and_fails_with_strict(project, tmp_path):
    _plant(project)
    for lang in ("ar", "en", "es", "fr", "pl", "tr", "uk"):     # a short job: German only
        import shutil

        shutil.rmtree(project.translations_dir / lang)
    run = run_cli("--out", str(tmp_path / "out"), "--jobs", "1", root=project.root)
    assert run.code == 0, run
    assert "the Dutch has the number 2; the translation has not" in run.err
    again = run_cli("--out", str(tmp_path / "out"), "--jobs", "1", root=project.root)   # remembered
    assert "the Dutch has the number 2; the translation has not" in again.err
    assert run_cli("--out", str(tmp_path / "out"), "--strict", root=project.root).code == 1


def test_a_bad_language_table_fails_the_commands_with_its_file_and_key(project):
    (project.translations_dir / "de" / "language.toml").write_text('scrpits = ["Latin"]\n', encoding="utf-8")
    run = run_cli("translations", "status", root=project.root)
    assert run.code == 1 and "Traceback" not in run.err
    assert "error: translations/de/language.toml: scrpits: unknown key" in run.err


@pytest.mark.slow
def test_check_reports_the_findings_of_the_languages_it_checks(project):
    _plant(project)
    run = run_cli("check", "--lang", "de", "--practice", "fysio-delinde", "--variant", "a4", root=project.root)
    assert run.code == 0, run
    assert re.search(r"warning: translations/de/LC_MESSAGES/lage-rugklachten\.po:\d+: de, lage-rugklachten, "
                     r"unit .*: the Dutch has the number 2; the translation has not", run.err), run.err
    assert run_cli("check", "--lang", "de", "--practice", "fysio-delinde", "--variant", "a4", "--strict",
                   root=project.root).code == 1


def test_a_web_upload_is_saved_with_its_findings_shown_in_the_pages_language(tmp_path):
    """A catalog that passes the catalog checks is saved; what the quality checks find in it is
    shown beside "saved", in Dutch or English, without a file path."""
    import hashlib
    import io

    from markupsafe import escape

    from leafletgen.errors import shorten
    from tests.web.test_web import copy_project, csrf, make_app

    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    try:
        client = app.test_client()
        token = csrf(client, "/translations")
        path = project.catalog_path(LEAFLET, "de")
        good = path.read_bytes()
        at = good.index(b'"zwei Wochen oft')
        changed = good[:at] + b'"drei Wochen oft' + good[at + len(b'"zwei Wochen oft'):]
        response = client.post(f"/translations/de/{LEAFLET}.po", content_type="multipart/form-data", data={
            "csrf_token": token, "digest": hashlib.sha256(good).hexdigest(),
            "catalog": (io.BytesIO(changed), "de.po")}, headers={"Accept-Language": "nl"})
        assert response.status_code == 302 and path.read_bytes() == changed
        page = client.get("/translations", headers={"Accept-Language": "nl"}).get_data(as_text=True)
        line = changed[:changed.rfind(b"\nmsgstr", 0, at) + 1].count(b"\n") + 1
        unit = escape(shorten(first(REPO, "de", P1)[0], 40))
        assert f"Regel {line}: het Nederlands van “{unit}” heeft het getal 2, de vertaling niet." in page, \
            page[page.find("flash"):][:2000]
        # In English for a reader who asks for it (the words come with the app's catalog).
        response = client.post(f"/translations/de/{LEAFLET}.po", content_type="multipart/form-data", data={
            "csrf_token": token, "digest": hashlib.sha256(changed).hexdigest(),
            "catalog": (io.BytesIO(changed), "de.po")}, headers={"Accept-Language": "en"})
        assert response.status_code == 302
        page = client.get("/translations", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert f"Line {line}: the Dutch of “{unit}” has the number 2; the translation has not." in page
        assert "translations/de/LC_MESSAGES" not in page
    finally:
        service.close()
