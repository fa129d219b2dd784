"""The termbase of each language: shipped for the eight languages, shown to translators in the
.po, replaced by a content folder's own, refused with every problem named when it is wrong, and
found in a translation whatever ending a language gives the term."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from leafletgen.errors import UserError
from leafletgen.translate.languages import language_table
from leafletgen.translate.termbase import find, load_termbase, parse_termbase, terms_in

from tests.conftest import REPO, run_cli

SHIPPED = ["ar", "de", "en", "es", "fr", "pl", "tr", "uk"]
LEAFLET = "lage-rugklachten"


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_language_has_the_practice_terms(lang):
    terms = load_termbase(language_table(None, lang))
    sources = {term.source for term in terms.terms}
    assert {"huisarts", "fysiotherapeut", "rugklachten", "lage rugklachten"} <= sources
    assert all(term.required for term in terms.terms)


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_translator_sees_the_terms_of_each_unit_in_the_po(lang):
    table, source = language_table(None, lang), language_table(None, "nl")
    terms = load_termbase(table)
    with open(REPO / "translations" / lang / "LC_MESSAGES" / f"{LEAFLET}.po", "rb") as fh:
        messages = [m for m in read_po(fh) if m.id]
    with_terms = [m for m in messages if terms_in(m.id, terms, source)]
    assert len(with_terms) >= 5
    for message in messages:
        wanted = [term.comment() for term in terms_in(message.id, terms, source)]
        shown = [c for c in " ".join(message.auto_comments).split("Term: ")[1:]]
        assert [f"Term: {c}".strip() for c in shown] == [" ".join(w.split()) for w in wanted], message.id


def test_update_writes_the_terms_and_a_content_folders_termbase_replaces_the_shipped_one(project):
    po = project.catalog_path(LEAFLET, "es")
    text = po.read_text(encoding="utf-8")
    assert "#. Term: huisarts \u2192 médico de familia (not: médico de cabecera)." in text
    (project.translations_dir / "es" / "terms.toml").write_text(
        '[huisarts]\nrequired = ["médico de atención primaria"]\n', encoding="utf-8")
    assert run_cli("translations", "update", root=project.root).code == 0
    text = po.read_text(encoding="utf-8")
    assert "#. Term: huisarts \u2192 médico de atención primaria" in text
    assert "médico de cabecera" not in text.split("msgid")[1] and "Term: fysiotherapeut" not in text
    assert language_table(project, "es").termbase[0] == "translations/es/terms.toml"
    # Without one of its own, the folder gets leafletgen's.
    (project.translations_dir / "es" / "terms.toml").unlink()
    assert language_table(project, "es").termbase[0] == "translations/es/terms.toml (leafletgen's own)"


def test_a_bad_termbase_is_refused_with_every_problem_named(project):
    with pytest.raises(UserError) as caught:
        parse_termbase(b'[huisarts]\nrequird = ["GP"]\nforbidden = "family doctor"\n\n[x]\nnote = 3\n',
                       "translations/en/terms.toml")
    assert caught.value.lines == [
        "translations/en/terms.toml: huisarts.requird: unknown key; allowed keys are: forbidden, note, required",
        "translations/en/terms.toml: huisarts.forbidden: must be a list of terms",
        "translations/en/terms.toml: x.note: must be a text"]
    (project.translations_dir / "en" / "terms.toml").write_text("[huisarts\n", encoding="utf-8")
    run = run_cli("translations", "update", root=project.root)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith("error: translations/en/terms.toml: is not valid TOML")


def test_a_term_is_found_with_the_endings_and_prefixes_of_its_language():
    polish, arabic, turkish, english = (language_table(None, lang) for lang in ("pl", "ar", "tr", "en"))
    assert find("konsultację z lekarzem rodzinnym lub fizjoterapeutą", "lekarz rodzinn", polish) == [2]
    assert find("يُجري الأخصائي محادثة وفحصًا بدنيًا", "فحص بدني", arabic) == [3]   # و, tanween
    assert find("fizyoterapistinize başvurmanız", "fizyoterapist", turkish) == [0]
    assert find("see your physiotherapist", "physiotherapsit", english, tolerant=True) == [2]
    assert find("see your physiotherapist", "physiotherapsit", english) == []
    assert find("see your GP", "GPX", english, tolerant=True) == []       # under five letters: exact
    # The longer term wins where both are found at the same words.
    terms = load_termbase(english)
    found = [term.source for term in terms_in("Acute lage rugklachten", terms, language_table(None, "nl"))]
    assert found == ["lage rugklachten"]
