"""A new language end to end, as docs/languages.md says it: Somali started with `translations
init`, given its table, termbase and register list in the content folder, and its translation
checked: the findings name what is wrong. (The Somali here is the test's, not a translation.)"""

from __future__ import annotations

import json
import re

from leafletgen.translate.languages import language_table

from tests.conftest import run_cli

LEAFLET = "lage-rugklachten"
P1 = "Lage rugpijn, ook wel 'spit' of 'lumbago' genoemd"
TABLE = '''scripts = ["Latin"]
digits = ["0123456789"]

[punctuation]
quotes = ["“”", "‘’"]

[register]
informal = ["adiga"]

[numbers]
laba = 2
saddex = 3

[units]
week = ["toddobaad*"]
'''
TERMS = '''[huisarts]
required = ["dhakhtarka qoyska"]
forbidden = ["dhakhtarka guud"]
note = "The GP."
'''


def findings(root, lang: str) -> list[dict]:
    run = run_cli("translations", "status", "--json", root=root)
    assert run.code == 0, run
    rows = json.loads(run.out)["catalogs"]
    return next(row["findings"] for row in rows if (row["domain"], row["lang"]) == (LEAFLET, lang))


def translate(path, start: str, text: str) -> None:
    """Put `text` as the translation of the unit whose Dutch starts with `start`."""
    po = path.read_text(encoding="utf-8")
    at = po.index(f'msgid "{start}') if f'msgid "{start}' in po else po.index(start)
    empty = po.index('msgstr ""', at)
    po = po[:empty] + f'msgstr "{text}"' + po[empty + len('msgstr ""'):]
    path.write_text(po, encoding="utf-8")


def test_somali_from_init_to_its_quality_findings(project):
    assert run_cli("translations", "init", "so", root=project.root).code == 0
    po = project.catalog_path(LEAFLET, "so")
    assert po.is_file() and project.catalog_path("leafletgen", "so").is_file()
    # Without a table: its script from CLDR, and its numbers compared as digits only.
    assert language_table(project, "so").scripts == {"Latin"} and not language_table(project, "so").known
    translate(po, P1, "Xanuunka dhabarka hoose wuxuu inta badan ka baxaa laba toddobaad gudahood; haddii "
                      "kale la tasho dhakhtarka guud.")
    assert [f["code"] for f in findings(project.root, "so")][:1] == ["numbers_unchecked"]
    # Its table, termbase and register list, in the content folder.
    (project.translations_dir / "so" / "language.toml").write_text(TABLE, encoding="utf-8")
    (project.translations_dir / "so" / "terms.toml").write_text(TERMS, encoding="utf-8")
    assert language_table(project, "so").numbers["laba"].value == 2
    assert run_cli("translations", "update", root=project.root).code == 0
    text = po.read_text(encoding="utf-8")
    assert "#. Term: huisarts \u2192 dhakhtarka qoyska (not: dhakhtarka guud). The GP." in text
    found = {(f["code"], tuple(sorted(f["params"].items()))) for f in findings(project.root, "so")}
    # "twee weken" twice in the Dutch, once ("laba toddobaad") in the Somali; the GP's term.
    assert ("number_missing", (("value", "2"),)) in found
    assert ("term_missing", (("required", "'dhakhtarka qoyska'"), ("term", "huisarts"))) in found
    assert any(code == "term_forbidden" for code, _ in found)
    assert not any(code == "numbers_unchecked" for code, _ in found)
    # The register list of the table: an informal form is found.
    translate(po, "Wat kan de fysiotherapeut voor jou doen?", "Maxay fisiyoterabistku adiga kuu qaban karaan?")
    assert any(f["code"] == "register" for f in findings(project.root, "so"))
    run = run_cli("translations", "status", root=project.root)
    assert re.search(r"warning: translations/so/LC_MESSAGES/lage-rugklachten\.po:\d+: so, lage-rugklachten, "
                     r"unit 'Wat kan de fysiotherapeut voor jou doen\?': informal address: adiga", run.err), run.err
