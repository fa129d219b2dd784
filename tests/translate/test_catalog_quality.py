"""What a translator, a reviewer and a patient can trust in the shipped catalogs: honest headers,
plural rules as CLDR/GNU give them, the register stated once, the polite form where a language
has one (facts, never a catalog's wording), and British dates in the English leaflet."""

from __future__ import annotations

import gettext
import re
import subprocess

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from leafletgen.translate.plural_defaults import PLURAL_FORMS
from tests.conftest import REPO, run_cli
from tests.pdfutil import pdf_text


def split_plural_forms(value: str) -> tuple[int, str]:
    """(nplurals, the plural expression) of a Plural-Forms value."""
    parts = dict(part.strip().split("=", 1) for part in value.strip().rstrip(";").split(";") if "=" in part)
    return int(parts["nplurals"]), parts["plural"].strip()


SHIPPED = ["ar", "de", "en", "es", "fr", "pl", "tr", "uk"]
LEAFLET = "lage-rugklachten"
DOMAINS = (LEAFLET, "leafletgen")
PO_FILES = sorted((REPO / "translations").glob("*/LC_MESSAGES/*.po"))
POT_FILES = sorted((REPO / "translations").glob("*.pot"))
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


def catalog(lang: str, domain: str = LEAFLET):
    with open(REPO / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
        return read_po(fh, locale=lang)


def translations(lang: str, domain: str = LEAFLET) -> dict:
    return {m.id: m.string for m in catalog(lang, domain) if m.id}


def header(path) -> tuple[list[str], dict[str, str]]:
    """(the header comment's lines, the header fields) as written in the file."""
    text = path.read_text(encoding="utf-8")
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line)
    strings = "".join(line[1:-1] for line in text.split("\n\n")[0].splitlines() if line.startswith('"'))
    fields = dict(field.split(": ", 1) if ": " in field else (field.rstrip(":"), "")
                  for field in strings.split("\\n") if field)
    return comment, fields


def cldr_mapping(lang: str, formula: str, upto: int = 1000) -> dict[int, set[str]]:
    """gettext form index → the CLDR categories of the integers 0..upto it gives."""
    _, expression = split_plural_forms(formula)
    form = gettext.c2py(expression)
    rule = Locale.parse(lang).plural_form
    mapping: dict[int, set[str]] = {}
    for n in range(upto + 1):
        mapping.setdefault(form(n), set()).add(rule(n))
    return mapping


# ---- Headers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PO_FILES + POT_FILES,
                         ids=lambda p: p.relative_to(REPO / "translations").as_posix())
def test_no_placeholders_and_no_teams_that_did_not_do_the_work(path):
    text = path.read_text(encoding="utf-8")
    head = text.split("\n\n")[0]
    for placeholder in ("FIRST AUTHOR", "EMAIL@ADDRESS", "YEAR", "FULL NAME", "LANGUAGE", "PACKAGE",
                        "ORGANIZATION", "@li.org"):
        assert placeholder not in head, f"{placeholder!r} in the header of {path.name}"
    _, fields = header(path)
    assert fields.get("Language-Team") == ""
    if path.suffix == ".po":
        assert fields["Last-Translator"] == "leafletgen contributors (machine-assisted translation)"
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d[+-]\d{4}", fields["PO-Revision-Date"])
    else:
        assert fields["Last-Translator"] == "" and fields["PO-Revision-Date"] == ""


@pytest.mark.parametrize("path", PO_FILES, ids=lambda p: p.relative_to(REPO / "translations").as_posix())
def test_the_register_is_stated_once_in_the_header_comment(path):
    comment, _ = header(path)
    stated = [line for line in comment if line.startswith("# Register:")]
    assert len(stated) == 1, comment


@pytest.mark.parametrize("lang", SHIPPED)
def test_plural_forms_are_gnus_and_agree_with_cldr(lang):
    """Every catalog's Plural-Forms is the table's, and form k holds exactly the integers CLDR
    puts in the k-th of its categories (zero, one, two, few, many, other): the Arabic formula
    that swapped forms 4 (11–99: many) and 5 (100–102: other) fails this."""
    for domain in DOMAINS:
        _, fields = header(REPO / "translations" / lang / "LC_MESSAGES" / f"{domain}.po")
        assert fields["Plural-Forms"] == PLURAL_FORMS[lang], (lang, domain)
    nplurals, _ = split_plural_forms(PLURAL_FORMS[lang])
    mapping = cldr_mapping(lang, PLURAL_FORMS[lang])
    assert sorted(mapping) == list(range(nplurals))
    categories = [mapping[index] for index in range(nplurals)]
    assert all(len(found) == 1 for found in categories), categories
    order = [CLDR_ORDER.index(found.pop()) for found in categories]
    assert order == sorted(order), (lang, order)


def test_the_old_arabic_formula_is_caught():
    swapped = ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
               "n%100>=0 && n%100<=2 ? 4 : 5);")
    mapping = cldr_mapping("ar", swapped)
    assert mapping[4] == {"other"} and mapping[5] == {"many"}


def test_turkish_has_two_plural_forms_filled_in():
    message = catalog("tr", "leafletgen").get("%(count)s tekstdeel staat nog in het Nederlands")
    assert len(message.string) == 2 and all(message.string)


def test_init_writes_an_honest_header_with_the_right_plural_rule(project):
    import shutil

    shutil.rmtree(project.translations_dir / "ar")
    for lang in ("ar", "pt_BR"):
        run = run_cli("translations", "init", lang, root=project.root)
        assert run.code == 0, run
        for domain in DOMAINS:
            path = project.catalog_path(domain, lang)
            comment, fields = header(path)
            head = path.read_text(encoding="utf-8").split("\n\n")[0]
            assert not any(p in head for p in ("FIRST AUTHOR", "EMAIL@ADDRESS", "YEAR", "@li.org"))
            assert fields["Plural-Forms"] == PLURAL_FORMS[lang]
            assert fields["Last-Translator"] == "" and fields["Language-Team"] == ""
            assert sum(line.startswith("# Register:") for line in comment) == 1
            check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True,
                                   text=True)
            assert check.returncode == 0, check.stderr


# ---- What must hold in every translation, whatever its wording --------------------------------------
# Facts, never a catalog's sentence: a reviser's correction must not fail these. Numbers, terms,
# the informal forms of each language's table, punctuation and scripts are the quality checks'
# (tests/translate/test_quality.py: the shipped catalogs have no findings); here, that the units
# that address the reader do so in the polite form where the language has one.

POLITE = {
    "de": r"\b(Sie|Ihr\w*)\b",
    "es": r"\b(usted|su|sus|puede|tiene)\b",
    "tr": r"\b(siz|sizin|sizinle)\b|\w+(niz|nız|nuz|nüz)\b",
    "uk": r"\b(ви|вам|вас|ваш\w*)\b",
}
ADDRESSING = [  # the Dutch units that address the reader ("je", "jou", an imperative)
    "Wat kun je het beste zelf doen bij lage rugpijn?",
    "Wat kan de fysiotherapeut voor jou doen?",
]


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_patient_is_addressed_politely(lang):
    """None of the informal forms of the language's table; where the language has a polite form,
    the units that address the reader use it (Arabic and Polish: impersonal forms)."""
    from leafletgen.translate.languages import language_table

    informal = {word.lower() for word in language_table(None, lang).informal}
    units = translations(lang)
    for text in units.values():
        found = [word for word in re.findall(r"\w+", text) if word.lower() in informal]
        assert not found, f"{lang}: informal {found} in {text!r}"
    if lang in POLITE:
        for msgid in ADDRESSING:
            assert re.search(POLITE[lang], units[msgid]), (lang, units[msgid])


# ---- Dates --------------------------------------------------------------------------------------

def test_the_english_leaflet_dates_the_british_way(tmp_path):
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", "fysio-delinde",
                  "--out", str(tmp_path), root=REPO)
    assert run.code == 0, run
    text = pdf_text(tmp_path / "fysio-delinde" / "en" / f"{LEAFLET}.pdf")
    assert "1 November 2026" in text and "1 November 2027" in text
    assert "November 1" not in text
