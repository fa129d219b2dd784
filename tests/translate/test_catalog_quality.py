"""What a translator, a reviewer and a patient can trust in the shipped catalogs: honest headers,
plural rules as CLDR/GNU give them, the register stated once, the polite form where a language
has one, numbers and punctuation kept (facts, never a catalog's wording), and British dates in
the English leaflet."""

from __future__ import annotations

import gettext
import re
import subprocess

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from leafletgen.translate.plural_defaults import PLURAL_FORMS, split_plural_forms

from tests.conftest import REPO, run_cli
from tests.pdfutil import pdf_text

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
# Facts, never a catalog's sentence: a reviser's correction must not fail these.

INFORMAL = {
    # Arabic: the second person (masculine or feminine) in the forms a translation would use
    "ar": r"(?<!\w)(أنت|أنتَ|أنتِ|لك|لكِ|عليك|لديك|يمكنك|معك|بك|إليك|منك|ظهرك|ألمك|مشاكلك|"
          r"شكواك|طبيبك|فقراتك|عضلاتك|أنشطتك|تمكّنك|استمر|استمرّ|استمري|اهتمّ|اهتمّي|كنت|كنتِ)(?!\w)",
    "de": r"\b(du|dich|dir|dein\w*)\b",
    "es": r"\b(tú|te|ti|contigo|tu|tus|tuyo|tuya|puedes|tienes|sigues|vas|quieres|debes|eres|"
          r"estás|muévete|relájate|agáchate|siéntate|levántate)\b",
    "pl": r"\b(ty|cię|ciebie|tobie|tobą|twój|twoja|twoje|twoich|twoim|twoimi|twojego|twojej|"
          r"możesz|jesteś|masz|przychodzisz|ruszasz|ruszaj|ograniczaj|pamiętaj|wykonuj|spaceruj|"
          r"pływaj|jeźdź)\b",
    # the pronoun, "-sin" (you are/may), and the forms the informal version had
    "tr": r"\b(sen|seni|sana|senin|sende|senden|seninle)\b|\w+(sin|sın|sun|sün)\b|\b(edersen|"
          r"başvurman|ağrın|kendin|yapabileceğin|sınırla|omurlarını|kaslarını|aktivitelerini|"
          r"yapabiliyorsan|unutma|geldiğinde|çalışmana|belinin|stabiliteni|belinde|belin|"
          r"yapabilmen|hekimine|et)\b",
    "uk": r"\b(ти|тебе|тобі|тобою|твій|твоя|твоє|твої|твого|твоєї|твоїй|твоїм|твоїми|твоїх)\b",
}
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


@pytest.mark.parametrize("lang", sorted(INFORMAL))
def test_the_patient_is_addressed_politely(lang):
    """No informal "you" (Arabic: no second person, which is either masculine or feminine); where
    the language has a polite form, the units that address the reader use it."""
    units = translations(lang)
    for text in units.values():
        found = [m.group(0) for m in re.finditer(INFORMAL[lang], text, re.IGNORECASE)]
        assert not found, f"{lang}: informal {found} in {text!r}"
    if lang in POLITE:
        for msgid in ADDRESSING:
            assert re.search(POLITE[lang], units[msgid]), (lang, units[msgid])


# "twee weken" in each language: the number two, as a word or in the language's digits (the
# Arabic dual أسبوعين is two weeks).
TWO_WEEKS = {
    "ar": r"أسبوعين|\b2\b|٢", "de": r"\bzwei Wochen\b", "en": r"\btwo weeks\b",
    "es": r"\bdos semanas\b", "fr": r"\bdeux semaines\b", "pl": r"\bdwóch tygodni|\bdwa tygodnie",
    "tr": r"\biki hafta", "uk": r"\bдва тижні|\bдвох тижнів|\bдва тижня",
}


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_duration_of_the_dutch_is_kept(lang):
    for msgid, text in translations(lang).items():
        wanted = msgid.count("twee weken")
        assert len(re.findall(TWO_WEEKS[lang], text)) >= wanted, (lang, msgid[:40], text)


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_languages_punctuation(lang):
    """Typographic quotes, never straight ones; French: a no-break space before ? ! ; : and inside
    « »; Spanish: a question opens with ¿; Arabic: its own comma and question mark."""
    for domain in DOMAINS:
        for text in translations(lang, domain).values():
            for string in ([text] if isinstance(text, str) else text):
                assert not re.search(r"[\"']", string), (lang, string)
                if lang == "fr":
                    assert not re.search(r"(^|[^\u00a0\u202f])[?!;:»]", re.sub(r"%\(\w+\)s|\d:\d", "", string)), string
                    assert not re.search(r"«[^\u00a0\u202f]", string), string
                if lang == "es" and "?" in string:
                    assert string.count("¿") == string.count("?"), string
                if lang == "ar":
                    assert not re.search(r"[,?;]", string), string


def test_arabic_and_ukrainian_leave_no_latin_word():
    for lang in ("ar", "uk"):
        for text in translations(lang).values():
            assert not re.search(r"(?<!\w)[A-Za-z]{2,}(?!\w)", text), (lang, text)


# ---- Dates --------------------------------------------------------------------------------------

def test_the_english_leaflet_dates_the_british_way(tmp_path):
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", "fysio-delinde",
                  "--out", str(tmp_path), root=REPO)
    assert run.code == 0, run
    text = pdf_text(tmp_path / "fysio-delinde" / "en" / f"{LEAFLET}.pdf")
    assert "1 November 2026" in text and "1 November 2027" in text
    assert "November 1" not in text
