"""Catalogs are checked as Babel reads them: obsolete (#~) lines and flags cannot make the check
judge another catalog than the one the build is handed.

Two payloads: a `#~ "..."` line after a translation, which Babel appends to it (a live link), and
`#, fuzzy` before an obsolete entry, which made the check skip the next real entry while Babel used
it as final. Both are refused with file and line by the check, the build, `translations status`
(the completeness figure the main job and the web app read) and the web upload; `msgfmt -c` lets the second through."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest

from leafletgen.translate.catalog_checks import analyse_text, check_text

from tests.conftest import run_cli
from tests.hostile import LEAFLET

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')
TITLE = 'msgid "Lage rugklachten"\nmsgstr "Low back problems"\n'
# Babel appends a "#~" string line to the msgstr before it.
APPENDED = ' — [more](https://evil.example)'
LINK_AFTER_ENTRY = TITLE + f'#~ "{APPENDED}"\n'
# The flag belongs to the obsolete entry; the entry after it is live and not fuzzy in Babel.
FUZZY_BEFORE_OBSOLETE = ('#, fuzzy\n#~ msgid "Oud"\n#~ msgstr "Old"\n\n'
                         'msgid "Lage rugklachten"\nmsgstr "Low back [problems](https://evil.example)"\n')


def lines_of(problems) -> list[int]:
    return [problem.line for problem in problems]


def test_a_hash_tilde_line_after_a_live_entry_is_refused_at_its_line():
    text = HEADER + LINK_AFTER_ENTRY
    report = analyse_text(text, "x.po")
    assert report.fatal
    assert lines_of(report.problems) == [8]
    assert report.problems[0].code == "po_syntax"
    assert "obsolete (#~)" in report.problems[0].message
    # A "#~" msgstr or msgid_plural after a live entry: Babel takes that entry out of use.
    for line in ('#~ msgstr "Old"', '#~ msgid_plural "x"', '#~msgstr[0] "x"'):
        assert lines_of(check_text(HEADER + TITLE + line + "\n", "x.po")) == [8], line


def test_a_fuzzy_flag_before_an_obsolete_entry_is_that_entrys_and_the_next_is_checked():
    problems = check_text(HEADER + FUZZY_BEFORE_OBSOLETE, "x.po")
    assert {problem.code for problem in problems} == {"po_markup", "po_links"}
    assert set(lines_of(problems)) == {11}
    # Whole obsolete entries, continued over several lines, fuzzy or not, are fine.
    fine = (HEADER + TITLE + '\n#, fuzzy\n#~ msgid ""\n#~ "Oud "\n#~ "en weg"\n#~ msgstr ""\n#~ "Old"\n\n'
            '#~ msgctxt "x"\n#~ msgid "Weg"\n#~ msgstr "Gone"\n\nmsgid "Rust"\nmsgstr "Rest"\n')
    assert check_text(fine, "x.po") == []


def test_what_babel_reads_otherwise_is_refused_even_where_the_syntax_check_agrees():
    """The second line of defence: the checked entries are compared with Babel's reading."""
    for text, line in ((HEADER + 'msgid\t"Rust"\nmsgstr "Rest"\n', 6),      # Babel: no keyword
                       (HEADER + '#-\n' + TITLE, 6)):                        # merge conflict mark
        report = analyse_text(text, "x.po")
        assert report.fatal and lines_of(report.problems) == [line], report.problems
        assert "Babel, which the build uses, reads this catalog differently" in report.problems[0].message
    # A comment between a msgid and its msgstr ends the message in Babel.
    assert 7 in lines_of(check_text(HEADER + 'msgid "Rust"\n# note\nmsgstr "Rest"\n', "x.po"))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_c_lets_the_fuzzy_payload_through(tmp_path):
    """Why gettext's own check is not enough: it refuses the appended line, not the flag."""
    results = []
    for name, text in (("appended", LINK_AFTER_ENTRY), ("fuzzy", FUZZY_BEFORE_OBSOLETE)):
        path = tmp_path / f"{name}.po"
        path.write_text(HEADER + text, encoding="utf-8")
        run = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True,
                             text=True, timeout=30)
        results.append(run.returncode)
    assert results[0] != 0 and results[1] == 0


def payload_catalog(project, payload: str) -> str:
    """The English catalog of the leaflet with `payload` in place of its title's entry."""
    path = project.catalog_path(LEAFLET, "en")
    text = path.read_text(encoding="utf-8")
    assert TITLE in text
    path.write_text(text.replace(TITLE, payload), encoding="utf-8")
    return f"translations/en/LC_MESSAGES/{LEAFLET}.po"


@pytest.mark.parametrize("payload", [LINK_AFTER_ENTRY, FUZZY_BEFORE_OBSOLETE], ids=["appended", "fuzzy"])
def test_the_build_and_the_completeness_figure_refuse_both_payloads(project, tmp_path, payload):
    file = payload_catalog(project, payload)
    line = project.catalog_path(LEAFLET, "en").read_text(encoding="utf-8").splitlines().index(
        payload.splitlines()[-1]) + 1
    out = tmp_path / "out"
    for extra in ((), ("--allow-draft",)):
        run = run_cli("build", "--leaflet", LEAFLET, "--lang", "en", *extra, "--out", str(out),
                      root=project.root)
        assert run.code == 1, run
        assert "Traceback" not in run.err and "internal error" not in run.err
        assert run.err.startswith(f"error: {file}:{line}: "), run.err
        assert not out.exists()
    status = json.loads(run_cli("translations", "status", "--json", root=project.root).out)
    row = next(r for r in status["catalogs"] if (r["domain"], r["lang"]) == (LEAFLET, "en"))
    assert row["complete"] is False and row["percent"] < 100
    assert any(problem.startswith(f"{file}:{line}: ") for problem in row["problems"])
    assert run_cli("translations", "status", "--require-complete", root=project.root).code == 1


@pytest.mark.parametrize("payload", [LINK_AFTER_ENTRY, FUZZY_BEFORE_OBSOLETE], ids=["appended", "fuzzy"])
def test_the_web_upload_refuses_both_payloads_with_their_line(tmp_path, payload):
    from tests.web.test_web import copy_project, csrf, make_app, worded

    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    try:
        client = app.test_client()
        token = csrf(client, "/translations")
        path = project.catalog_path(LEAFLET, "en")
        good = path.read_bytes()
        text = good.decode("utf-8").replace(TITLE, payload)
        line = text.splitlines().index(payload.splitlines()[-1]) + 1
        response = client.post("/translations/upload", content_type="multipart/form-data", data={
            "csrf_token": token, "lang": "en", "domain": LEAFLET,
            "catalog": (io.BytesIO(text.encode("utf-8")), "en.po")})
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert f"Regel {line}:" in page
        assert worded("po_syntax", line=line) in page or worded("po_links", line=line, unit="Lage rugklachten") in page
        assert path.read_bytes() == good
    finally:
        service.close()


def test_a_byte_order_mark_is_read_by_babel_as_by_the_check(project):
    """The check skips a UTF-8 byte order mark; Babel's reader was handed it and failed without a
    line ('Unknown or misformatted keyword on 0')."""
    from leafletgen.translate.catalogs import load_catalog

    path = project.catalog_path(LEAFLET, "en")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_catalog(project, LEAFLET, "en").get("Lage rugklachten").string == "Low back problems"
