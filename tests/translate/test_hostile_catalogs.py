"""Hostile input, part 7: catalogs that try to exhaust the machine or crash the build.

A catalog's Plural-Forms header is code in the C subset gettext allows. Babel makes a list of
`nplurals` strings for each plural message (nplurals=1000000000: 3.8 GB, then MemoryError), and
the standard library compiles the expression into Python. So the header is parsed here with
gettext's grammar (nplurals 1–6), evaluated for n = 0..1000 by walking the parsed expression, and
any problem is the catalog's error, with its file and line, shown by `translations status` too."""

from __future__ import annotations

import json

import pytest

from leafletgen.translate.catalog_checks import CATALOG_MAX_BYTES, check_text
from leafletgen.errors import UserError
from leafletgen.translate.catalogs import template_translations
from leafletgen.translate.plural_forms import parse_plural_forms
from leafletgen.translate.plural_defaults import PLURAL_FORMS

from tests.conftest import run_cli
from tests.hostile import LEAFLET
from tests.pdfutil import pdf_text

TEMPLATES = "leafletgen"


def header(plural_forms: str) -> str:
    return ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Plural-Forms: {plural_forms}\\n"\n\n')


@pytest.mark.parametrize("value, expected", [
    ("nplurals=1000000000; plural=0;", "nplurals=1000000000: a language has 1 to 6 plural forms"),
    ("nplurals=0; plural=0;", "nplurals=0: a language has 1 to 6 plural forms"),
    ("nplurals=7; plural=n%7;", "nplurals=7: a language has 1 to 6 plural forms"),
    ("nplurals=2; plural=n/0;", "plural=n/0 divides by zero for n=0"),
    ("nplurals=2; plural=(n%(n-5)) != 0;", "plural=(n%(n-5)) != 0 divides by zero for n=5"),
    ("nplurals=2; plural=n;", "plural=n gives form 2 for n=2, but nplurals=2 allows only 0 to 1"),
    ("nplurals=3; plural=n>999 ? 3 : 0;",
     "plural=n>999 ? 3 : 0 gives form 3 for n=1000, but nplurals=3 allows only 0 to 2"),
    ("nplurals=2; plural=__import__('os').system('touch /tmp/x');",
     "plural=__import__('os').system('touch /tmp/x'): \"__import__('os').sys\" is not allowed; "
     "only n, numbers, ( ), ! * / % + - < > <= >= == != && || and ? : may be used"),
    ("nplurals=2; plural=(lambda: 1)();", "plural=(lambda: 1)(): 'lambda: 1)()' is not allowed"),
    ("nplurals=2; plural=n**99999999;", "plural=n**99999999: unexpected '*'"),
    ("nplurals=2; plural=(n != 1", "plural=(n != 1: the expression ends too early"),
    ("nplurals=2; plural=" + "(" * 40 + "n" + ")" * 40 + ";", "nested more than 32 deep"),
    ("nplurals=2; plural=" + "n+" * 300 + "0;", "the plural expression is 601 characters long; at most 500"),
    ("nplurals=2; plural=99999999999 > n;", "the number 99999999999 is too large"),
    ("plural=(n != 1); nplurals=2;", "must read 'nplurals=N; plural=EXPRESSION;'"),
    ("nplurals=2; plural=(n != 1); nplurals=9;", "'; nplurals=9' is not allowed"),
])
def test_a_bad_plural_forms_header_is_refused_with_its_line(value, expected):
    problems = check_text(header(value) + 'msgid "Rust"\nmsgstr "Rest"\n', "x.po")
    assert len(problems) == 1
    assert problems[0].line == 4
    assert problems[0].message.startswith("Plural-Forms: ")
    assert expected in problems[0].message


def test_every_rule_we_give_new_catalogs_passes():
    for lang, value in PLURAL_FORMS.items():
        rule = parse_plural_forms(value)
        assert rule.nplurals >= 1, lang


def test_the_rule_is_evaluated_as_gettext_does():
    """C semantics: unsigned arithmetic, lazy ?:, && and || (no division by zero in the branch not taken)."""
    rule = parse_plural_forms("nplurals=3; plural=n==0 ? 0 : (100/n > 10 ? 1 : 2);")
    assert [rule.form(n) for n in (0, 1, 9, 10, 11, 1000)] == [0, 1, 1, 2, 2, 2]
    polish = parse_plural_forms(PLURAL_FORMS["pl"])
    assert [polish.form(n) for n in (1, 2, 5, 12, 22, 25, 112, 122)] == [0, 1, 2, 2, 1, 2, 2, 1]
    wraps = parse_plural_forms("nplurals=2; plural=(n-1) > 5 ? 1 : 0;")   # 0-1 is 2**64-1, not -1
    assert [wraps.form(n) for n in (0, 1, 6, 7)] == [1, 0, 0, 1]


def test_a_plural_message_must_have_as_many_forms_as_the_header_says():
    text = (header("nplurals=3; plural=(n==1 ? 0 : n<5 ? 1 : 2);")
            + 'msgid "%(n)s deel"\nmsgid_plural "%(n)s delen"\nmsgstr[0] "%(n)s part"\nmsgstr[1] "%(n)s parts"\n')
    [problem] = check_text(text, "x.po", template_domain=True)
    assert (problem.line, problem.message) == (8, "msgstr of '%(n)s deel': has 2 plural forms, but the "
                                                  "header's Plural-Forms says nplurals=3")


def write_catalog(project, lang: str, domain: str, change) -> str:
    path = project.translations_dir / lang / "LC_MESSAGES" / f"{domain}.po"
    text = path.read_text()
    path.write_text(change(text))
    return f"translations/{lang}/LC_MESSAGES/{domain}.po"


def with_plural_forms(value: str):
    def change(text: str) -> str:
        import re
        return re.sub(r'"Plural-Forms: [^"]*\\n"\n("[^"]*"\n)*?(?="[A-Z])', f'"Plural-Forms: {value}\\\\n"\n',
                      text, count=1)
    return change


@pytest.mark.parametrize("value", ["nplurals=1000000000; plural=0;", "nplurals=2; plural=n/0;",
                                   "nplurals=2; plural=exec('1');"])
def test_a_bad_header_fails_the_build_and_shows_in_status_never_100_percent(project, value):
    file = write_catalog(project, "de", TEMPLATES, with_plural_forms(value))
    for args in (("--lang", "de"), ("--lang", "de", "--allow-draft")):
        run = run_cli("build", "--leaflet", LEAFLET, *args, "--out", str(project.root / "out"),
                      root=project.root)
        assert run.code == 1, run
        assert "internal error" not in run.err and "Traceback" not in run.err
        assert run.err.startswith(f"error: {file}:")
        assert "Plural-Forms: " in run.err.splitlines()[0]
        assert not (project.root / "out").exists()
    status = json.loads(run_cli("translations", "status", "--json", root=project.root).out)
    row = next(r for r in status["catalogs"] if (r["domain"], r["lang"]) == (TEMPLATES, "de"))
    assert row["complete"] is False and row["percent"] == 0 and row["translated"] == 0
    assert row["problems"][0].startswith(f"{file}:") and "Plural-Forms: " in row["problems"][0]
    listing = run_cli("list", root=project.root)
    assert listing.code == 0


def test_a_bad_header_skips_its_language_in_the_main_job_and_the_others_are_built(project, tmp_path):
    for folder in project.translations_dir.iterdir():
        if folder.is_dir() and folder.name not in ("de", "en"):
            __import__("shutil").rmtree(folder)
    file = write_catalog(project, "de", LEAFLET, with_plural_forms("nplurals=1000000000; plural=0;"))
    out = tmp_path / "out"
    run = run_cli("--out", str(out), "--jobs", "1", root=project.root)
    assert run.code == 0, run
    assert f"skipped {LEAFLET} in German (de): 1 problem(s) in {file}" in run.out
    assert (out / "fysio-delinde" / "en" / f"{LEAFLET}.pdf").is_file()
    assert not (out / "fysio-delinde" / "de").exists()


def test_a_number_beyond_those_checked_that_has_no_form_is_the_catalogs_error(project):
    """0..1000 are checked before use; should a template ask for n=5000, the catalog is named."""
    file = write_catalog(project, "de", TEMPLATES, with_plural_forms("nplurals=2; plural=n>1000 ? 7 : n!=1;"))
    translations = template_translations(project, "de")
    assert translations.ngettext("deel", "delen", 3) == "delen"
    with pytest.raises(UserError) as info:
        translations.ngettext("deel", "delen", 5000)
    assert info.value.lines == [f"{file}: Plural-Forms: plural=n>1000 ? 7 : n!=1 gives form 7 for "
                                "n=5000, but nplurals=2 allows only 0 to 1"]


def test_a_huge_catalog_is_refused_before_it_is_parsed(project):
    path = project.translations_dir / "de" / "LC_MESSAGES" / f"{LEAFLET}.po"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(("#. " + "x" * 1000 + "\n") * (CATALOG_MAX_BYTES // 1000))
    size = path.stat().st_size
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "de", "--out", str(project.root / "out"),
                  root=project.root)
    assert (run.code, run.err) == (1, f"error: translations/de/LC_MESSAGES/{LEAFLET}.po: is {size:,} "
                                      f"bytes; the limit is {CATALOG_MAX_BYTES:,} bytes\n")


# ---- A per cent sign is text ---------------------------------------------------------------------

def test_a_lone_per_cent_sign_is_text_in_leaflets_and_in_template_strings(project, tmp_path):
    """"50 % minder" is no placeholder: leaflet text is never %-formatted, and in a template string
    only %(name)s is one (the rest is escaped before Jinja formats it)."""
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text() + "\nDit helpt bij 50 % van de mensen (100%).\n")
    assert run_cli("translations", "update", root=project.root).code == 0
    write_catalog(project, "en", LEAFLET, lambda text: text.replace(
        'msgid "Dit helpt bij 50 % van de mensen (100%)."\nmsgstr ""',
        'msgid "Dit helpt bij 50 % van de mensen (100%)."\nmsgstr "This helps 50 % of people (100%, %d, %s)."'))
    write_catalog(project, "en", TEMPLATES, lambda text: text.replace(
        'msgid "Telefoon"\nmsgstr "Phone"', 'msgid "Telefoon"\nmsgstr "Phone (24 % h, 100%)"'))
    assert check_text(
        (project.translations_dir / "en" / "LC_MESSAGES" / f"{LEAFLET}.po").read_text(), "x.po") == []
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", "--practice", "fysio-delinde",
                  "--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    text = " ".join(pdf_text(tmp_path / "fysio-delinde" / "en" / f"{LEAFLET}.pdf").split())
    assert "This helps 50 % of people (100%, %d, %s)." in text
    assert "Phone (24 % h, 100%)" in text
