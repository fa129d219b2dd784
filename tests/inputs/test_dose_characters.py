"""Characters that change how a dose reads: strike-through and enclosing marks anywhere, and
digits and letters of a script the language does not use (its table, translate.languages: the one
the quality checks read). Refused in the Dutch leaflet, in a translation, by the build and by the
web upload, each with file and line."""

from __future__ import annotations

import io

import pytest

from leafletgen.inputs.characters import script_problem, text_problem
from leafletgen.translate.catalog_checks import check_text
from leafletgen.translate.languages import language_table

from tests.conftest import run_cli
from tests.hostile import LEAFLET

STRUCK = "".join(char + "\u0336" for char in "niet")          # "niet", struck through
BOXED = "2\u20e0"                                              # a 2 in a crossed-out circle


@pytest.mark.parametrize("mark", [chr(c) for c in range(0x334, 0x339)] + [chr(c) for c in range(0x20d2, 0x20f1)])
def test_every_overlay_and_enclosing_mark_is_refused(mark):
    problem = text_problem(f"Neem 2{mark} tabletten")
    assert problem is not None and f"U+{ord(mark):04X}" in problem
    assert "strike through or enclose" in problem


def test_marks_that_do_not_hide_a_letter_stay():
    for text in ("café", "naïef", "Ç", "\u0301", "e\u0300", "Türkçe"):   # accents, a lone acute
        assert text_problem(text) is None, text


@pytest.mark.parametrize("lang, text, refused", [
    ("nl", "Neem З keer per dag", "U+0417"),                 # Cyrillic ZE for a 3
    ("nl", "Neem ３ tabletten", "U+FF13"),                   # full-width digit
    ("nl", "Neem 3 tab\u043bletten", "U+043B"),              # a Cyrillic letter inside a word
    ("nl", "Neem ٣ tabletten", "U+0663"),                    # Arabic-Indic digit in Dutch
    ("uk", "Приймайте 2 рaзи", "U+0061"),                    # a Latin a inside a Ukrainian word
    ("en", "Take ½ tablet, 25 µg, 2 × a day", None),         # fractions, micro sign, times
    ("es", "1.ª semana", None),                              # the ordinal indicator is Latin
    ("ar", "٣ مرات يوميًا، 3 mg", None),                     # both digit sets; a Latin unit
    ("uk", "Приймайте 2 рази, 400 mg", None),                # a whole Latin word
])
def test_digits_and_letters_by_the_languages_table(lang, text, refused):
    problem = script_problem(text, language_table(None, lang))
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem


def leaflet_path(project):
    return project.leaflets_dir / f"{LEAFLET}.md"


@pytest.mark.parametrize("inserted, code", [(f"Doe dit {STRUCK} te vaak.", "unprintable"),
                                            ("Neem З keer per dag 1 tablet.", "script"),
                                            ("Neem ２ tabletten.", "script")])
def test_the_dutch_leaflet_is_refused_with_its_line(project, tmp_path, inserted, code):
    path = leaflet_path(project)
    text = path.read_text(encoding="utf-8") + f"\n{inserted}\n"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(inserted) + 1
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "nl", "--out", str(tmp_path / "out"),
                  root=project.root)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"error: leaflets/{LEAFLET}.md:{line}: "), run.err
    assert len(run.err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


TITLE = 'msgid "Lage rugklachten"\nmsgstr "Low back problems"\n'


def with_title(project, lang: str, translated: str) -> tuple[str, int]:
    path = project.catalog_path(LEAFLET, lang)
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.split('msgid "Lage rugklachten"\n', 1)[1].splitlines())
    text = text.replace(f'msgid "Lage rugklachten"\n{old}\n', f'msgid "Lage rugklachten"\nmsgstr "{translated}"\n')
    path.write_text(text, encoding="utf-8")
    return f"translations/{lang}/LC_MESSAGES/{LEAFLET}.po", text.splitlines().index(f'msgstr "{translated}"') + 1


@pytest.mark.parametrize("translated", ["Low back problems (１ in ３ adults)", "Low back prоblems",
                                        f"Low back problems {BOXED}"])
def test_a_translation_is_refused_by_the_build_with_its_line(project, tmp_path, translated):
    file, line = with_title(project, "en", translated)
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--allow-draft",
                  "--out", str(tmp_path / "out"), root=project.root)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"error: {file}:{line}: ") and len(run.err.splitlines()) == 1, run.err
    assert not (tmp_path / "out").exists()


def test_a_content_folders_table_decides_as_it_does_for_the_quality_checks(project):
    """One table per language: allowing full-width digits in English's table lets them through."""
    file, line = with_title(project, "en", "Low back problems (１ in ３ adults)")
    text = project.catalog_path(LEAFLET, "en").read_text(encoding="utf-8")
    [problem] = check_text(text, file, table=language_table(project, "en"))
    assert (problem.line, problem.code) == (line, "po_script")
    (project.translations_dir / "en" / "language.toml").write_text(
        'digits = ["0123456789", "０１２３４５６７８９"]\n', encoding="utf-8")
    assert check_text(text, file, table=language_table(project, "en")) == []


def test_the_web_upload_refuses_another_scripts_digits_with_its_line(tmp_path):
    from tests.web.test_web import copy_project, csrf, make_app, worded

    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    try:
        client = app.test_client()
        token = csrf(client, "/translations")
        path = project.catalog_path(LEAFLET, "en")
        good = path.read_bytes()
        text = good.decode("utf-8").replace(TITLE, 'msgid "Lage rugklachten"\nmsgstr "Low back problems ３"\n')
        line = text.splitlines().index('msgstr "Low back problems ３"') + 1
        response = client.post("/translations/upload", content_type="multipart/form-data", data={
            "csrf_token": token, "lang": "en", "domain": LEAFLET,
            "catalog": (io.BytesIO(text.encode("utf-8")), "en.po")})
        assert response.status_code == 422
        assert worded("po_script", line=line, unit="Lage rugklachten") in response.get_data(as_text=True)
        assert path.read_bytes() == good
    finally:
        service.close()


@pytest.mark.parametrize("key, value", [("phone", "０３０ １２３ ４５６７"),
                                        ("address", "Lindelaan З\\n1234 AB Utrecht"),
                                        ("name", "Fysiotherapie De Linde Сentrum")])
def test_a_profile_field_printed_on_every_leaflet(project, key, value):
    import re

    from leafletgen.errors import UserError
    from leafletgen.inputs.practice import load_practice

    profile = project.practices_dir / "fysio-delinde.toml"
    text = profile.read_text(encoding="utf-8")
    text = re.sub(rf'(?m)^{key} = (""".*?"""|"[^"\n]*")', lambda _: f'{key} = "{value}"', text, count=1, flags=re.S) \
        if re.search(rf"(?m)^{key} = ", text) else text + f'\n{key} = "{value}"\n'
    profile.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_practice(project, "fysio-delinde")
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == (key, "script")
    assert "a script this language does not use" in problem.message or "digits this language" in problem.message
