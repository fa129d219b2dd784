"""The review page's rules, through the Flask test client over a private copy of the project with
real accounts: who may use it, the translator refused, a correction checked like an upload, a
save over a changed catalog refused, stale approvals marked, a question kept with the leaflet,
the review recorded and what changed since shown."""

from __future__ import annotations

import hashlib
import io
import re
import tomllib

import pytest
from babel.messages.pofile import read_po

from tests.conftest import run_cli
from tests.web.test_web import LEAFLET, copy_project, make_app, sign_in

LANG = "ar"
PAGE = f"/review/{LANG}/{LEAFLET}"
REVIEWER_FULL_NAME = "Ayşe Yılmaz"


def add_account(project, name: str, role: str, full_name: str = "") -> None:
    """An account as `users add NAME --role ROLE --full-name ...` makes it."""
    from leafletgen.store import accounts
    from leafletgen.store.database import open_store
    from leafletgen.store.settings import load_settings

    store = open_store(load_settings(project.root))
    try:
        accounts.add(store, name, role, (), "correct horse battery", project.practice_ids(), full_name=full_name)
    finally:
        store.close()


@pytest.fixture
def site(tmp_path):
    project = copy_project(tmp_path / "project")
    add_account(project, "anna", "admin")
    add_account(project, "ed", "editor")
    add_account(project, "sam", "staff")
    add_account(project, "ayse", "reviewer", full_name=REVIEWER_FULL_NAME)
    add_account(project, "tomas", "reviewer", full_name="Tomás Ruiz")
    record = project.root / "translations" / LANG / "LC_MESSAGES" / f"{LEAFLET}.review.toml"
    record.write_text(record.read_text(encoding="utf-8").replace('by = "leafletgen contributors"',
                                                                   'by = "Tomás Ruiz"'), encoding="utf-8")
    app, service = make_app(project, tmp_path / "cache", require_login=True)
    yield app, project
    service.close()


def signed_in(app, name: str):
    client = app.test_client()
    assert sign_in(client, name).status_code == 302
    return client


def token(client) -> str:
    page = client.get(PAGE).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sha(text) -> str:
    return hashlib.sha256(("\0".join(text) if isinstance(text, (list, tuple)) else text).encode("utf-8")).hexdigest()


def catalog(project, domain: str = LEAFLET):
    with open(project.catalog_path(domain, LANG), "rb") as fh:
        return read_po(fh, locale=LANG)


def units(project, domain: str = LEAFLET) -> list:
    return [m for m in catalog(project, domain) if m.id and isinstance(m.id, str)]


def unit_state(page: str, msgid: str, domain: str = LEAFLET) -> str:
    """The approval state the page shows for a unit (approved, stale, open)."""
    key = ("t-" if domain == "leafletgen" else "u-") + sha(msgid)[:12]
    return re.search(rf'<li class="unit unit-(\w+)" id="{key}">', page).group(1)


def unit_block(page: str, msgid, prefix: str = "u-") -> str:
    key = prefix + sha(msgid)[:12]
    start = page.index(f'id="{key}"')
    return page[start:page.index("</li>\n", start)]


def problem_lines(page: str) -> list[str]:
    block = re.search(r'role="alert"[^>]*>\s*(?:<p>[^<]*</p>\s*)?<ul class="problems">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1), re.S) if block else []


def digest_of(page: str, domain: str = LEAFLET) -> str:
    return re.search(rf'name="domain" value="{domain}">\s*<input type="hidden" name="source" value="[0-9a-f]+">'
                     r'\s*<input type="hidden" name="digest" value="([0-9a-f]*)"', page).group(1)


def approve(client, msgid: str, translation: str, domain: str = LEAFLET, csrf: str | None = None):
    return client.post(PAGE + "/approve", data={"csrf_token": csrf or token(client), "domain": domain,
                                                "source": sha(msgid), "translation": sha(translation)})


def save(client, msgid: str, text: str, digest: str, csrf: str, domain: str = LEAFLET):
    return client.post(PAGE + "/save", data={"csrf_token": csrf, "domain": domain, "source": sha(msgid),
                                             "digest": digest, "text": text})


def audit_kinds(project) -> list[tuple[str, str, str]]:
    from leafletgen.store import audit
    from leafletgen.store.database import open_store
    from leafletgen.store.settings import load_settings

    store = open_store(load_settings(project.root))
    try:
        events = audit.events(store, audit.Query(), limit=1000)[0]
        return [(event.kind, event.account, event.detail or "") for event in events]
    finally:
        store.close()


def test_only_accounts_that_may_review_use_the_page(site):
    app, project = site
    first = units(project)[0]
    for name in ("sam", "ed"):
        client = signed_in(app, name)
        assert client.get(PAGE).status_code == 403
        assert client.get("/review").status_code == 403
        page = client.get("/translations").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = approve(client, first.id, first.string, csrf=csrf)
        assert response.status_code == 403
        assert "Nakijken" not in client.get("/translations").get_data(as_text=True)   # not in the menu
    record = (project.root / "translations" / LANG / "LC_MESSAGES" / f"{LEAFLET}.review.toml").read_bytes()
    assert b"[[approved]]" not in record
    for name in ("ayse", "anna"):
        client = signed_in(app, name)
        assert client.get(PAGE).status_code == 200
        assert client.get("/review").status_code == 200


def test_the_translator_is_refused(site):
    app, project = site
    record_path = project.root / "translations" / LANG / "LC_MESSAGES" / f"{LEAFLET}.review.toml"
    before = record_path.read_bytes()
    client = signed_in(app, "tomas")
    first = units(project)[0]
    response = approve(client, first.id, first.string)
    assert response.status_code == 403
    assert "Tomás Ruiz" in response.get_data(as_text=True)
    response = client.post(PAGE + "/record", data={"csrf_token": token(client)})
    assert response.status_code == 403
    assert record_path.read_bytes() == before
    # Another reviewer may.
    client = signed_in(app, "ayse")
    assert approve(client, first.id, first.string).status_code == 302
    record = tomllib.loads(record_path.read_text(encoding="utf-8"))
    assert [(a["source"], a["translation"], a["by"], a["account"], a["role"]) for a in record["approved"]] == \
        [(sha(first.id), sha(first.string), REVIEWER_FULL_NAME, "ayse", "reviewer")]
    assert ("review", "ayse", "unit approved") in audit_kinds(project)


def test_a_bad_correction_is_refused_with_the_uploads_message(site):
    """The same catalog, uploaded as a .po file and corrected on the review page: the same words."""
    from leafletgen.translate.workflow import render_po

    app, project = site
    path = project.catalog_path(LEAFLET, LANG)
    good = path.read_bytes()
    unit = units(project)[3]
    bad = f"<b>{unit.string}</b>"
    whole = catalog(project)
    whole[unit.id].string = bad
    admin = signed_in(app, "anna")
    csrf = token(admin)
    uploaded = admin.post("/translations/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf, "lang": LANG, "domain": LEAFLET,
        "bases": '{"%s/%s": "%s"}' % (LANG, LEAFLET, hashlib.sha256(good).hexdigest()),
        "catalog": (io.BytesIO(render_po(whole)), f"{LEAFLET}.po")})
    assert uploaded.status_code == 422
    expected = problem_lines(uploaded.get_data(as_text=True))
    assert expected
    client = signed_in(app, "ayse")
    page = client.get(PAGE).get_data(as_text=True)
    response = save(client, unit.id, bad, digest_of(page), token(client))
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    assert problem_lines(shown) == expected
    assert bad.replace("<", "&lt;").replace(">", "&gt;") in unit_block(shown, unit.id)   # the text kept to correct
    assert path.read_bytes() == good


def test_a_correction_changes_that_unit_only_and_is_in_the_audit_trail(site):
    app, project = site
    path = project.catalog_path(LEAFLET, LANG)
    before = {m.id: m.string for m in units(project)}
    client = signed_in(app, "ayse")
    page = client.get(PAGE).get_data(as_text=True)
    unit = units(project)[2]
    corrected = unit.string + " (مصحح)"
    response = save(client, unit.id, corrected + "\r\n", digest_of(page), token(client))
    assert response.status_code == 302
    after = {m.id: m.string for m in units(project)}
    assert after == {**before, unit.id: corrected}
    assert path.read_bytes().count(b"\n") - len(corrected.split("\n")) < len(path.read_bytes())   # still a .po file
    assert ("catalog", "ayse", "review page") in audit_kinds(project)


def test_a_plural_unit_is_corrected_form_by_form(site):
    """A unit that depends on a number has a box for each of the language's forms (Arabic: six),
    each labelled with the numbers that take it; a correction with a form left empty is refused,
    a whole one is saved with every form."""
    app, project = site
    client = signed_in(app, "ayse")
    unit = next(m for m in catalog(project, "leafletgen") if m.id and not isinstance(m.id, str))
    page = client.get(PAGE, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    block = unit_block(page, unit.id, "t-")
    labels = re.findall(r'<label class="label" for="[^"]+-text-(\d)">([^<]*)</label>', block)
    assert [number for number, _ in labels] == ["0", "1", "2", "3", "4", "5"]
    assert "voor 0, …" in labels[0][1] and "voor 1, …" in labels[1][1] and "voor 3, 4, 5, 6, …" in labels[3][1]
    digest = digest_of(page, "leafletgen")
    forms = [form + " (مصحح)" for form in unit.string]
    data = {"csrf_token": token(client), "domain": "leafletgen", "source": sha(unit.id), "digest": digest}
    refused = client.post(PAGE + "/save", data={**data, **{f"text-{n}": form for n, form in enumerate(forms[:5])}})
    assert refused.status_code == 422
    assert list(next(m for m in catalog(project, "leafletgen") if m.id == unit.id).string) == list(unit.string)
    saved = client.post(PAGE + "/save", data={**data, **{f"text-{n}": form for n, form in enumerate(forms)}})
    assert saved.status_code == 302
    assert list(next(m for m in catalog(project, "leafletgen") if m.id == unit.id).string) == forms


def test_the_quality_findings_of_a_unit_are_beside_it(site):
    """A correction that loses a number of the Dutch is saved (findings are to look at, not
    refusals) and its finding is shown in that unit, worded as the upload words it."""
    from leafletgen.translate.quality import catalog_findings

    from tests.web.test_web import worded

    app, project = site
    client = signed_in(app, "ayse")
    unit = next(m for m in units(project) if "twee weken" in m.id)
    assert not [f for f in catalog_findings(project, LEAFLET, LANG) if f.unit == unit.id]
    page = client.get(PAGE).get_data(as_text=True)
    assert 'class="findings"' not in unit_block(page, unit.id)
    changed = unit.string.replace("أسبوعين", "أيام")
    assert save(client, unit.id, changed, digest_of(page), token(client)).status_code == 302
    found = [f for f in catalog_findings(project, LEAFLET, LANG) if f.unit == unit.id]
    assert "number_missing" in [f.code for f in found]
    block = unit_block(client.get(PAGE).get_data(as_text=True), unit.id)
    for finding in found:
        problem = finding.problem()
        assert worded(problem.code, line=problem.line, **problem.params) in block


def test_a_save_over_a_changed_catalog_is_refused_showing_the_other_change(site):
    app, project = site
    client = signed_in(app, "ayse")
    page = client.get(PAGE).get_data(as_text=True)
    digest, csrf = digest_of(page), token(client)
    mine, theirs = units(project)[1], units(project)[4]
    # Someone else saves another unit meanwhile (an upload, an editor, Poedit on the server).
    path = project.catalog_path(LEAFLET, LANG)
    other = "ترجمة أخرى من شخص آخر"
    text = path.read_text(encoding="utf-8")
    assert text.count(f'"{theirs.string}"') == 1 or theirs.string.split("\n")[0] in text
    from leafletgen.translate.workflow import render_po

    whole = catalog(project)
    whole[theirs.id].string = other
    path.write_bytes(render_po(whole))
    changed = path.read_bytes()
    response = save(client, mine.id, mine.string + " تعديلي", digest, csrf)
    assert response.status_code == 409
    shown = response.get_data(as_text=True)
    assert other in shown and theirs.id in shown            # the other change, with its Dutch
    assert mine.string + " تعديلي" in unit_block(shown, mine.id)   # my text is not lost
    assert path.read_bytes() == changed
    # With the page as it is now, the save goes through.
    page = client.get(PAGE).get_data(as_text=True)
    assert save(client, mine.id, mine.string + " تعديلي", digest_of(page), csrf).status_code == 302


def test_stale_units_are_marked(site):
    app, project = site
    client = signed_in(app, "ayse")
    first, second = units(project)[0], units(project)[5]
    assert approve(client, first.id, first.string).status_code == 302
    assert approve(client, second.id, second.string).status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert unit_state(page, first.id) == unit_state(page, second.id) == "approved"
    assert unit_state(page, units(project)[1].id) == "open"
    # The translation of the first changes: stale.
    from leafletgen.translate.workflow import render_po

    path = project.catalog_path(LEAFLET, LANG)
    whole = catalog(project)
    whole[first.id].string = first.string + " !"
    path.write_bytes(render_po(whole))
    page = client.get(PAGE).get_data(as_text=True)
    assert unit_state(page, first.id) == "stale"
    assert unit_state(page, second.id) == "approved"
    # An approval of what the page no longer shows is refused.
    assert approve(client, first.id, first.string).status_code == 409
    # The Dutch of the second changes; `translations update` marks it fuzzy with its old Dutch: stale.
    source = project.leaflets_dir / f"{LEAFLET}.md"
    text = source.read_text(encoding="utf-8")
    old_dutch = second.id.split("\n")[0]
    assert old_dutch in text
    source.write_text(text.replace(old_dutch, old_dutch.replace(" ", "  ", 1).replace("  ", " zeer ", 1), 1),
                      encoding="utf-8")
    assert run_cli("translations", "update", root=project.root).code == 0
    new_dutch = next(m.id for m in units(project) if m.fuzzy)
    page = client.get(PAGE).get_data(as_text=True)
    assert unit_state(page, new_dutch) == "stale"


def test_a_question_is_kept_with_the_leaflet(site):
    app, project = site
    client = signed_in(app, "ayse")
    unit = units(project)[6]
    csrf = token(client)
    response = client.post(PAGE + "/ask", data={"csrf_token": csrf, "domain": LEAFLET, "source": sha(unit.id),
                                                "question": "   "})
    assert response.status_code == 422
    question = "Bedoelt u hier 'hersteld' (weg) of 'verbeterd'?"
    response = client.post(PAGE + "/ask", data={"csrf_token": csrf, "domain": LEAFLET, "source": sha(unit.id),
                                                "question": question})
    assert response.status_code == 302
    kept = tomllib.loads((project.root / "leaflets" / "questions" / f"{LEAFLET}.toml").read_text(encoding="utf-8"))
    assert [(q["unit"], q["text"], q["account"], q["lang"]) for q in kept["question"]] == \
        [(sha(unit.id), question, "ayse", LANG)]
    page = client.get(PAGE).get_data(as_text=True)
    assert "Bedoelt u hier &#39;hersteld&#39;" in unit_block(page, unit.id)
    assert ("question", "ayse", "") in audit_kinds(project)
    assert LEAFLET in project.leaflet_ids() and "questions" not in project.leaflet_ids()
    assert run_cli("list", root=project.root).code == 0


def settle_digest(page: str) -> str:
    """The digest of the questions' file the editor page's first "Afgehandeld" form carries."""
    return re.search(r'questions/0/done"[^>]*>\s*<input[^>]*><input type="hidden" name="loaded" '
                     r'value="([0-9a-f]{64})"', page).group(1)


def test_the_editor_sees_the_questions_and_settles_them(site):
    """A reviewer's question shows in the leaflet editor with the sentence asked about; once the
    text no longer has that sentence it says so; "Afgehandeld" removes it, unless the questions
    changed since the page was loaded."""
    app, project = site
    reviewer = signed_in(app, "ayse")
    csrf = token(reviewer)
    asked = units(project)[6], units(project)[3]
    for unit, question in zip(asked, ("Bedoelt u 'hersteld' of 'verbeterd'?", "Is 'lumbago' bekend?")):
        response = reviewer.post(PAGE + "/ask", data={"csrf_token": csrf, "domain": LEAFLET,
                                                      "source": sha(unit.id), "question": question})
        assert response.status_code == 302
    # A reviewer may open the editor (to approve a draft) but settles no question.
    seen = reviewer.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    assert "lumbago" in seen and "/questions/0/done" not in seen
    assert reviewer.post(f"/editor/{LEAFLET}/questions/0/done", data={"csrf_token": csrf}).status_code == 403

    editor = signed_in(app, "ed")
    page = editor.get(f"/editor/{LEAFLET}", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Vragen van reviewers" in page
    shown = re.findall(r'<li id="question-(\d+)">\s*<blockquote lang="nl">([^<]*)</blockquote>', page)
    assert [number for number, _ in shown] == ["0", "1"]
    assert "lumbago" in page and "Deze zin staat niet meer zo" not in page
    english = editor.get(f"/editor/{LEAFLET}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Questions from reviewers" in english and "Vragen van reviewers" not in english
    digest = settle_digest(page)
    form_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    # Another question asked after the editor opened the page: the old digest is refused.
    reviewer.post(PAGE + "/ask", data={"csrf_token": csrf, "domain": LEAFLET, "source": sha(asked[0].id),
                                       "question": "Nog een vraag"})
    stale = editor.post(f"/editor/{LEAFLET}/questions/0/done", data={"csrf_token": form_csrf, "loaded": digest},
                        follow_redirects=True)
    assert "De vragen zijn intussen veranderd" in stale.get_data(as_text=True)
    file = project.root / "leaflets" / "questions" / f"{LEAFLET}.toml"
    assert len(tomllib.loads(file.read_text(encoding="utf-8"))["question"]) == 3

    for _ in range(3):
        digest = settle_digest(editor.get(f"/editor/{LEAFLET}").get_data(as_text=True))
        done = editor.post(f"/editor/{LEAFLET}/questions/0/done", data={"csrf_token": form_csrf, "loaded": digest},
                           follow_redirects=True)
        assert "De vraag is afgehandeld." in done.get_data(as_text=True)
    assert not file.exists()
    assert "Vragen van reviewers" not in editor.get(f"/editor/{LEAFLET}").get_data(as_text=True)
    assert audit_kinds(project).count(("question", "ed", "settled")) == 3


def test_the_editor_marks_a_question_whose_sentence_is_gone(site):
    app, project = site
    reviewer = signed_in(app, "ayse")
    unit = units(project)[6]
    reviewer.post(PAGE + "/ask", data={"csrf_token": token(reviewer), "domain": LEAFLET, "source": sha(unit.id),
                                       "question": "Bedoelt u 'hersteld'?"})
    source = project.root / "leaflets" / f"{LEAFLET}.md"
    text = source.read_text(encoding="utf-8")
    assert unit.id in text
    source.write_text(text.replace(unit.id, unit.id + " Dat is normaal."), encoding="utf-8")
    page = signed_in(app, "ed").get(f"/editor/{LEAFLET}", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Deze zin staat niet meer zo in de tekst hierboven." in page


def test_the_review_is_recorded_once_every_unit_is_approved_then_changes_show(site):
    app, project = site
    client = signed_in(app, "ayse")
    csrf = token(client)
    response = client.post(PAGE + "/record", data={"csrf_token": csrf})
    assert response.status_code == 409                          # nothing approved yet
    for domain in (LEAFLET, "leafletgen"):
        for unit in [m for m in catalog(project, domain) if m.id]:     # plural units too
            assert approve(client, unit.id, unit.string, domain, csrf).status_code == 302, unit.id
    response = client.post(PAGE + "/record", data={"csrf_token": csrf})
    assert response.status_code == 302
    record = tomllib.loads((project.root / "translations" / LANG / "LC_MESSAGES" /
                            f"{LEAFLET}.review.toml").read_text(encoding="utf-8"))
    assert (record["review"]["by"], record["review"]["account"], record["review"]["role"]) == \
        (REVIEWER_FULL_NAME, "ayse", "reviewer")
    assert record["translation"]["by"] == "Tomás Ruiz"
    run = run_cli("translations", "status", "--json", root=project.root)
    import json

    rows = json.loads(run.out)["catalogs"]
    assert next(r["review"] for r in rows if (r["domain"], r["lang"]) == (LEAFLET, LANG))["state"] == "reviewed"
    assert any(kind == "review" and account == "ayse" and not detail for kind, account, detail in audit_kinds(project))
    page = client.get(PAGE).get_data(as_text=True)
    assert "Veranderd sinds de vorige controle" in page and 'class="changed-list"' not in page
    # One translation changes: that unit, and only it, is listed as changed since the review.
    from leafletgen.translate.workflow import render_po

    unit = units(project)[2]
    whole = catalog(project)
    whole[unit.id].string = unit.string + " !"
    project.catalog_path(LEAFLET, LANG).write_bytes(render_po(whole))
    page = client.get(PAGE).get_data(as_text=True)
    listed = re.search(r'<ul class="changed-list">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r'href="#u-([0-9a-f]{12})"', listed) == [sha(unit.id)[:12]]
    assert unit_state(page, unit.id) == "stale"
    # A Dutch sentence changed in the leaflet: the one the review read is gone, shown whole as the
    # store of published versions has it, with the version it was last in.
    gone = max(units(project), key=lambda m: len(m.id))
    source = project.leaflets_dir / f"{LEAFLET}.md"
    source.write_text(source.read_text(encoding="utf-8").replace(gone.id, gone.id + " Dat is normaal."),
                      encoding="utf-8")
    listed = re.search(r'<ul class="changed-list">(.*?)</ul>', client.get(PAGE).get_data(as_text=True), re.S).group(1)
    escaped = gone.id.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
    assert f'<span lang="nl">{escaped}</span>' in listed and "(versie 1.0)" in listed


def test_a_broken_record_is_a_message_without_a_file_path(site):
    app, project = site
    record = project.root / "translations" / LANG / "LC_MESSAGES" / f"{LEAFLET}.review.toml"
    record.write_text(record.read_text(encoding="utf-8") + "\nunknown = 1\n", encoding="utf-8")
    response = signed_in(app, "ayse").get(PAGE)
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "review.toml" not in text and "translations/" not in text
    from leafletgen.web.messages import BY_FOLDER

    assert BY_FOLDER["translations/"] in text           # said as the kind of file it is, in Dutch


def test_the_page_is_dutch_or_english(site):
    app, project = site
    client = signed_in(app, "ayse")
    dutch = client.get(PAGE).get_data(as_text=True)
    english = client.get(PAGE, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Goedkeuren" in dutch and "Approve" not in dutch
    assert "Approve" in english and "Goedkeuren" not in english
    assert f'lang="{LANG}" dir="rtl"' in dutch                  # the Arabic translation, right to left
