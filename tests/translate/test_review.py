"""Review records: who translated a leaflet, who reviewed it, when and exactly what; the review
going stale on a one-word change; what the patient (colophon), the staff (index) and a practice
that requires reviews (require_review) see of it; `#|` previous msgids for the translator."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import tomllib
import unicodedata

import pytest
from babel.messages.pofile import read_po

from leafletgen.inputs.project import Project
from leafletgen.run.render_child import kept_child
from leafletgen.translate.status import status

from tests.conftest import REPO, run_cli, units_in_pot
from tests.pdfutil import pdf_text

LEAFLET = "lage-rugklachten"
SHIPPED = ["ar", "de", "en", "es", "fr", "pl", "tr", "uk"]
RECORD = "translations/{lang}/LC_MESSAGES/lage-rugklachten.review.toml"
NOTE_UNREVIEWED = "Vertaald met vertaalsoftware; nog niet gecontroleerd door een persoon"
NOTE_REVIEWED = "Vertaald met vertaalsoftware; gecontroleerd door %(name)s op %(date)s"
NOTE_HUMAN_REVIEWED = "Vertaald door een persoon; gecontroleerd door %(name)s op %(date)s"
ORIGINAL = "Nederlands origineel: „%(title)s”, versie %(version)s, %(date)s"
AUTHOR = "Redactie patiëntenvoorlichting"
SOURCE = "Patiëntenvoorlichting van de praktijk"
ONE_WORD = ("Blijf zoveel mogelijk bewegen", "Bleiben Sie so viel wie möglich in Bewegung",
            "Bleiben Sie so oft wie möglich in Bewegung")


def catalog(root, lang: str, domain: str = LEAFLET) -> dict:
    with open(root / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def review_json(root, lang: str) -> dict:
    run = run_cli("translations", "status", "--json", root=root)
    assert run.code == 0, run
    rows = json.loads(run.out)["catalogs"]
    return next(row["review"] for row in rows if (row["domain"], row["lang"]) == (LEAFLET, lang))


def review(root, lang: str, *extra: str, by: str = "Anna Schmidt", date: str = "2026-11-28"):
    return run_cli("translations", "review", lang, "--leaflet", LEAFLET, "--by", by, "--date", date,
                   *extra, root=root)


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def folded(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture
def few(project) -> Project:
    """The project with three translations only (de, tr, ar): main jobs stay short."""
    for lang in SHIPPED:
        if lang not in ("de", "tr", "ar"):
            shutil.rmtree(project.translations_dir / lang)
    return project


# ---- The shipped records ------------------------------------------------------------------------

@pytest.mark.parametrize("lang", SHIPPED)
def test_no_shipped_language_claims_a_review_nobody_made(lang):
    path = REPO / RECORD.format(lang=lang)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {"leaflet": LEAFLET, "language": lang,
                    "translation": {"by": "leafletgen contributors", "method": "machine-assisted"}}
    assert review_json(REPO, lang) == {
        "state": "unreviewed",
        "translation": {"by": "leafletgen contributors", "method": "machine-assisted"},
        "record": RECORD.format(lang=lang)}


def test_status_shows_the_review_state_per_leaflet_and_language_and_none_for_template_strings():
    run = run_cli("translations", "status", root=REPO)
    assert run.code == 0, run
    for lang in SHIPPED:
        assert re.search(rf"^{LEAFLET} +{lang} +unreviewed \(machine-assisted translation\)$", run.out,
                         re.MULTILINE), run.out
    rows = json.loads(run_cli("translations", "status", "--json", root=REPO).out)["catalogs"]
    assert all(("review" in row) == (row["domain"] == LEAFLET) for row in rows)


# ---- Recording a review, and it going stale ------------------------------------------------------

def test_a_review_is_recorded_with_a_hash_of_every_unit(project):
    run = review(project.root, "de")
    assert run.code == 0, run
    units = sum(row.total for row in status(project) if row.lang == "de")
    assert run.out.splitlines() == [
        f"recorded: Anna Schmidt reviewed lage-rugklachten in German (de) on 2026-11-28: "
        f"{units_in_pot(LEAFLET)} units of the leaflet and {units_in_pot('leafletgen')} template strings",
        f"wrote {RECORD.format(lang='de')}",
        "next: commit it with the catalogs; a change to any of these units makes the review outdated "
        "(`python generate.py translations status`)"]
    data = tomllib.loads((project.root / RECORD.format(lang="de")).read_text(encoding="utf-8"))
    assert data["translation"] == {"by": "leafletgen contributors", "method": "machine-assisted"}
    assert (data["review"]["by"], data["review"]["date"]) == ("Anna Schmidt", dt.date(2026, 11, 28))
    reviewed = data["review"]["units"]
    assert len(reviewed) == units == units_in_pot(LEAFLET) + units_in_pot("leafletgen")
    # Exactly the units as they are: each Dutch text and translation, hashed.
    texts = {**catalog(project.root, "de"), **catalog(project.root, "de", "leafletgen")}

    def sha(text) -> str:
        text = "\0".join(text) if isinstance(text, tuple) else text
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    assert {(u["source"], u["translation"]) for u in reviewed} == {
        (sha(msgid), sha(text)) for msgid, text in texts.items()}
    assert {u["domain"] for u in reviewed} == {LEAFLET, "leafletgen"}
    assert review_json(project.root, "de") == {
        "state": "reviewed", "by": "Anna Schmidt", "date": "2026-11-28",
        "translation": {"by": "leafletgen contributors", "method": "machine-assisted"},
        "record": RECORD.format(lang="de")}


def test_one_word_changed_in_a_translation_makes_the_review_outdated(project):
    assert review(project.root, "de").code == 0
    edit(project.catalog_path(LEAFLET, "de"), ONE_WORD[1], ONE_WORD[2])
    state = review_json(project.root, "de")
    assert state["state"] == "outdated"
    assert state["previous"] == {"by": "Anna Schmidt", "date": "2026-11-28"}
    assert state["changes"] == [f"translation changed: {ONE_WORD[0] + ' en beperk bedrust en lang zit…'!r}"]
    assert "by" not in state
    text = run_cli("translations", "status", root=project.root).out
    assert (f"{LEAFLET}  de    OUTDATED: reviewed by Anna Schmidt on 2026-11-28, 1 change(s) since "
            "(machine-assisted translation)") in text
    # Changed back, word for word: the review holds again.
    edit(project.catalog_path(LEAFLET, "de"), ONE_WORD[2], ONE_WORD[1])
    assert review_json(project.root, "de")["state"] == "reviewed"


def test_one_word_changed_in_the_dutch_makes_the_review_outdated(project):
    assert review(project.root, "de").code == 0
    edit(project.leaflets_dir / f"{LEAFLET}.md", "Acute rugklachten zijn vaak na twee weken",
         "Acute rugklachten zijn meestal na twee weken")
    state = review_json(project.root, "de")
    assert state["state"] == "outdated"
    assert any(change.startswith("not reviewed: \"Lage rugpijn") for change in state["changes"])
    assert any(change.startswith("a reviewed unit is gone") for change in state["changes"])
    # After `translations update` the unit is fuzzy: still outdated, and the language incomplete.
    assert run_cli("translations", "update", root=project.root).code == 0
    assert review_json(project.root, "de")["state"] == "outdated"


def test_a_changed_template_string_or_a_fuzzy_mark_makes_the_review_outdated(project):
    assert review(project.root, "de").code == 0
    edit(project.catalog_path("leafletgen", "de"), 'msgstr "Telefon"', 'msgstr "Tel."')
    assert review_json(project.root, "de")["changes"] == ["translation changed (template string): 'Telefoon'"]
    edit(project.catalog_path("leafletgen", "de"), 'msgstr "Tel."', 'msgstr "Telefon"')
    assert review_json(project.root, "de")["state"] == "reviewed"
    edit(project.catalog_path(LEAFLET, "de"), 'msgid "Overgewicht"', '#, fuzzy\nmsgid "Overgewicht"')
    assert review_json(project.root, "de")["changes"] == [
        "no usable translation now (untranslated or fuzzy): 'Overgewicht'"]


def test_rewrapping_or_reordering_a_catalog_keeps_the_review(project, tmp_path):
    assert review(project.root, "de").code == 0
    path = project.catalog_path(LEAFLET, "de")
    subprocess.run(["msgcat", "--width=40", "--sort-output", "-o", str(path), str(path)], check=True)
    assert review_json(project.root, "de")["state"] == "reviewed"


def test_a_review_needs_a_complete_translation(project):
    path = project.catalog_path(LEAFLET, "de")
    edit(path, 'msgid "Overgewicht"', '#, fuzzy\nmsgid "Overgewicht"')
    before = (project.root / RECORD.format(lang="de")).read_bytes()
    run = review(project.root, "de")
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.splitlines() == [
        f"error: translations/de/LC_MESSAGES/{LEAFLET}.po: cannot record a review: 1 unit(s) untranslated "
        "or fuzzy; a review is of a complete translation (see `translations status`)"]
    assert (project.root / RECORD.format(lang="de")).read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (("de", "--leaflet", "knieklachten", "--by", "A"), "unknown leaflet 'knieklachten'"),
    (("xx", "--leaflet", LEAFLET, "--by", "A"), "unknown language 'xx'"),
    (("nl", "--leaflet", LEAFLET, "--by", "A"), "'nl' is the source language"),
    (("de", "--leaflet", LEAFLET, "--by", "  "), "--by: the reviewer's name must not be empty"),
    (("de", "--leaflet", LEAFLET, "--by", "A\x1b[2J"), "--by: the reviewer's name contains characters"),
    (("de", "--leaflet", LEAFLET, "--by", "A", "--date", "2026-02-30"), "--date: '2026-02-30' is not a date"),
    (("de", "--leaflet", LEAFLET, "--by", "A", "--date", "2999-01-01"), "--date: 2999-01-01 is in the future"),
])
def test_review_refuses_bad_input_in_one_line(project, args, message):
    run = run_cli("translations", "review", *args, root=project.root)
    assert run.code == 1, run
    assert len(run.err.splitlines()) == 1 and message in run.err and "Traceback" not in run.err


def test_review_without_by_is_a_usage_error(project):
    run = run_cli("translations", "review", "de", "--leaflet", LEAFLET, root=project.root)
    assert run.code == 2 and "--by" in run.err


def test_how_it_was_translated_must_be_known_to_record_a_review(project):
    (project.root / RECORD.format(lang="de")).unlink()
    assert review_json(project.root, "de") == {
        "state": "unreviewed", "translation": {"by": None, "method": None}, "record": RECORD.format(lang="de")}
    run = review(project.root, "de")
    assert run.code == 1 and "--translated-by NAME --method human|machine-assisted" in run.err
    run = review(project.root, "de", "--translated-by", "Jan de Vries", "--method", "human")
    assert run.code == 0, run
    assert review_json(project.root, "de")["translation"] == {"by": "Jan de Vries", "method": "human"}


@pytest.mark.parametrize("change, message", [
    (('method = "machine-assisted"', 'method = "deepl"'),
     ":13: translation.method: Input should be 'human' or 'machine-assisted' (got 'deepl')"),
    (('language = "de"', 'language = "tr"'), ":9: language: language 'tr' does not match the folder ('de')"),
    (('leaflet = "lage-rugklachten"', 'leaflet = "lage-rugklachten"\nreviewer = "x"'),
     ":9: reviewer: unknown key"),
    (('language = "de"', 'language = "de'), ":9: is not valid TOML"),
])
def test_a_hand_edited_record_is_checked(project, tmp_path, change, message):
    edit(project.root / RECORD.format(lang="de"), *change)
    rows = [row for row in status(project) if (row.domain, row.lang) == (LEAFLET, "de")]
    assert rows[0].review.state == "unreviewed" and not rows[0].complete
    assert any(message in problem for problem in rows[0].problems), rows[0].problems
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "de", "--out", str(tmp_path), root=project.root)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"error: {RECORD.format(lang='de')}:") and message in run.err
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_hash_that_is_not_a_hash_is_refused(project):
    assert review(project.root, "de").code == 0
    path = project.root / RECORD.format(lang="de")
    text = path.read_text(encoding="utf-8")
    first = re.search(r'source = "([0-9a-f]{64})"', text).group(1)
    path.write_text(text.replace(first, "not-a-hash", 1), encoding="utf-8")
    row = next(row for row in status(project) if (row.domain, row.lang) == (LEAFLET, "de"))
    assert any(re.search(r"\.review\.toml:22: review\.units\.0\.source: String should match pattern", p)
               for p in row.problems), row.problems


# ---- What the patient reads ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped_pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("shipped")
    with kept_child():      # one warm rendering process for all of them
        for lang in ["nl"] + SHIPPED:
            run = run_cli("build", "--leaflet", LEAFLET, "--lang", lang, "--practice", "fysio-delinde",
                          "--out", str(out), root=REPO)
            assert run.code == 0, run
    return out / "fysio-delinde"


@pytest.mark.slow
@pytest.mark.parametrize("lang", SHIPPED)
def test_every_translation_says_in_its_language_that_it_is_machine_assisted_and_unreviewed(shipped_pdfs, lang):
    pdf = shipped_pdfs / lang / f"{LEAFLET}.pdf"
    strings = catalog(REPO, lang, "leafletgen")
    units = catalog(REPO, lang)
    note = strings[NOTE_UNREVIEWED]
    assert note and note != NOTE_UNREVIEWED
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    lines = [folded(line) for line in layout.splitlines()]
    if lang == "ar":
        # pypdf gives the Arabic letters back as written (poppler swaps some, in ligatures); the
        # line of pdftotext's layout that starts the note, with the next line if it wraps, holds
        # the note word for word in number.
        assert folded(note) in folded(pdf_text(pdf))
        marks = str.maketrans("", "", "\u202a\u202b\u202c")
        words = [line.translate(marks).split() for line in lines]
        key = next(word for word in note.split() if len(word) > 3 and word.isalpha()
                   and not any(unicodedata.category(char) == "Mn" for char in word))
        [start] = [i for i, line in enumerate(lines) if key in line.translate(marks)]
        following = next((w for w in words[start + 1:] if w), [])
        assert len(note.split()) in (len(words[start]), len(words[start]) + len(following)), lines[-12:]
    else:
        # In the small print, whole: on one line, or wrapped between words (never hyphenated).
        assert folded(note) in folded(" ".join(lines)), lines[-12:]
    text = folded(pdf_text(pdf))
    for dutch in (AUTHOR, SOURCE):
        assert units[dutch] != dutch
        if lang != "ar":
            assert folded(units[dutch]) in text
        else:   # every word, from pypdf or poppler (see tests/typeset/test_rtl_bilingual.py); "المرضى"
            # at the end of the author line comes out of neither whole (pypdf moves its final
            # ligature "ضى" to the line's start, poppler swaps its two letters)
            words = set(text.split()) | set(folded(layout).replace("\u202a", " ").replace(
                "\u202b", " ").replace("\u202c", " ").split())
            assert set(folded(units[dutch]).split()) - words <= {"المرضى"}, units[dutch]
    assert "Redactie patiëntenvoorlichting" not in text and "Patiëntenvoorlichting" not in text


def test_the_dutch_leaflet_has_no_translation_line(shipped_pdfs):
    text = pdf_text(shipped_pdfs / "nl" / f"{LEAFLET}.pdf")
    assert "Vertaald" not in text and "Redactie patiëntenvoorlichting" in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", SHIPPED)
def test_every_translation_names_its_dutch_original_and_no_leaflet_an_internal_number(shipped_pdfs, lang):
    """The source line a patient can use: the Dutch title, the version and its date (in the
    language's words, from its catalog), never a text number such as 000_2532fea382feb2f7."""
    line = catalog(REPO, lang, "leafletgen")[ORIGINAL]
    head = line.split("%(title)s")[0].strip(" „“”«»\u00a0\"")
    text = folded(pdf_text(shipped_pdfs / lang / f"{LEAFLET}.pdf"))
    assert "Lage rugklachten" in text and "1.0" in text
    if lang != "ar":
        assert folded(head) in text
    assert not re.search(r"\d{3}_[0-9a-f]{8,}", text)
    assert not re.search(r"\d{3}_[0-9a-f]{8,}", pdf_text(shipped_pdfs / "nl" / f"{LEAFLET}.pdf"))


def test_the_arabic_original_line_keeps_the_dutch_title_in_its_order(shipped_pdfs):
    html = (shipped_pdfs / "ar" / f"{LEAFLET}.html").read_text(encoding="utf-8")
    assert '<span lang="nl">\u2068Lage rugklachten\u2069</span>' in html
    assert "Lage rugklachten" in pdf_text(shipped_pdfs / "ar" / f"{LEAFLET}.pdf")


def test_a_text_number_in_an_arabic_source_line_keeps_its_order(project, tmp_path):
    """A practice's source line may name a code: kept whole and in its own order right to left
    ("000_2532fea382feb2f7" at the end of an Arabic line otherwise comes out reversed)."""
    number = "000_2532fea382feb2f7"
    edit(project.leaflets_dir / f"{LEAFLET}.md", f"source: {SOURCE}\n", f"source: {SOURCE}, tekst {number}\n")
    po = project.catalog_path(LEAFLET, "ar")
    arabic = catalog(project.root, "ar")[SOURCE]
    edit(po, f'msgid "{SOURCE}"\nmsgstr "{arabic}"',
         f'msgid "{SOURCE}, tekst {number}"\nmsgstr "{arabic}، النص {number}"')
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "ar", "--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    html = (tmp_path / "default" / "ar" / f"{LEAFLET}.html").read_text(encoding="utf-8")
    assert f'<span class="nobreak">\u2066{number}\u2069</span>' in html
    import pdfplumber

    with pdfplumber.open(tmp_path / "default" / "ar" / f"{LEAFLET}.pdf") as pdf:
        words = [w["text"] for page in pdf.pages for w in page.extract_words()]
    assert number in words


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["de", "en", "tr"])
def test_a_reviewed_translation_names_the_reviewer_and_the_day_in_its_language(project, tmp_path, lang):
    from leafletgen.markup.html import format_day

    day = re.sub("[\u00a0\u202f]", " ", format_day(dt.date(2026, 11, 28), lang))
    expected = folded(catalog(project.root, lang, "leafletgen")[NOTE_REVIEWED] % {
        "name": "Anna Schmidt", "date": day})
    assert review(project.root, lang).code == 0
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", lang, "--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    text = folded(pdf_text(tmp_path / "default" / lang / f"{LEAFLET}.pdf"))
    assert expected in text
    # One word changed: the leaflet no longer claims the review.
    edit(project.leaflets_dir / f"{LEAFLET}.md", "- Overgewicht", "- Flink overgewicht")
    assert run_cli("translations", "update", root=project.root).code == 0
    path = project.catalog_path(LEAFLET, lang)
    text = path.read_text(encoding="utf-8").replace('#, fuzzy\n#| msgid "Overgewicht"\n', "")
    path.write_text(text, encoding="utf-8")
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", lang, "--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    text = folded(pdf_text(tmp_path / "default" / lang / f"{LEAFLET}.pdf"))
    assert "Anna Schmidt" not in text
    assert folded(catalog(project.root, lang, "leafletgen")[NOTE_UNREVIEWED]) in text


def test_a_human_translation_reviewed_in_arabic_keeps_a_latin_name_whole(project, tmp_path):
    assert review(project.root, "ar", "--method", "human", "--translated-by", "Sara Haddad",
                  by="A. de Vries").code == 0
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "ar", "--out", str(tmp_path), root=project.root)
    assert run.code == 0, run
    html = (tmp_path / "default" / "ar" / f"{LEAFLET}.html").read_text(encoding="utf-8")
    note = catalog(project.root, "ar", "leafletgen")[NOTE_HUMAN_REVIEWED]
    assert "\u2068A. de Vries\u2069" in html
    expected = note.replace("%(name)s", "\u2068A. de Vries\u2069").split("%(date)s")[0]
    assert expected in html


# ---- What staff see, and a practice that requires reviews ----------------------------------------

def test_the_index_marks_unreviewed_and_outdated_translations(few, tmp_path):
    assert review(few.root, "de").code == 0
    assert review(few.root, "tr", by="Ayşe Yılmaz").code == 0
    stress = catalog(few.root, "tr")["Mentale druk tijdens werk"]     # whatever its wording
    edit(few.catalog_path(LEAFLET, "tr"), f'"{stress}"', f'"{stress}!"')
    run = run_cli("--out", str(tmp_path), "--jobs", "2", root=few.root)
    assert run.code == 0, run
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    blocks = {lang: index.split(f'data-lang="{lang}"')[1].split('<div class="language"')[0]
              for lang in ("nl", "de", "tr", "ar")}
    assert '<p class="review reviewed">Gecontroleerd door Anna Schmidt (28 november 2026)</p>' in blocks["de"]
    assert ('<p class="review outdated">Controle verouderd: tekst gewijzigd na de controle door Ayşe '
            'Yılmaz (28 november 2026)</p>') in blocks["tr"]
    assert '<p class="review unreviewed">Vertaling niet gecontroleerd</p>' in blocks["ar"]
    assert 'class="review' not in blocks["nl"]


@pytest.mark.slow
def test_require_review_skips_unreviewed_and_outdated_languages_like_incomplete_ones(few, tmp_path):
    assert review(few.root, "de").code == 0
    profile = few.practices_dir / "fysio-delinde.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "require_review = true\n", encoding="utf-8")
    run = run_cli("--out", str(tmp_path), "--jobs", "2", root=few.root)
    assert run.code == 0, run
    for lang, name in (("ar", "Arabic"), ("tr", "Turkish")):
        assert (f"skipped {LEAFLET} in {name} ({lang}) for fysio-delinde: it is unreviewed, and the "
                "practice requires reviewed translations (require_review = true; see `python "
                "generate.py translations status`)") in run.out.splitlines()
    assert re.search(r"^2 built, 0 unchanged, 0 skipped as incomplete, 2 skipped as unreviewed, 0 failed "
                     r"in [\d.]+ s", run.out, re.MULTILINE), run.out
    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("fysio-delinde/*/*.pdf"))
    assert built == [f"fysio-delinde/de/{LEAFLET}.pdf", f"fysio-delinde/nl/{LEAFLET}.pdf"]

    # One word of the reviewed German changes: the review is outdated, German is skipped too, and
    # the last reviewed version is kept, marked as older in the index (as for an incomplete one).
    reviewed_pdf = (tmp_path / "fysio-delinde" / "de" / f"{LEAFLET}.pdf").read_bytes()
    edit(few.catalog_path(LEAFLET, "de"), ONE_WORD[1], ONE_WORD[2])
    run = run_cli("--out", str(tmp_path), "--jobs", "2", root=few.root)
    assert run.code == 0, run
    assert (f"skipped {LEAFLET} in German (de) for fysio-delinde: its review is outdated, and the "
            "practice requires reviewed translations (require_review = true; see `python generate.py "
            "translations status`)") in run.out.splitlines()
    assert (tmp_path / "fysio-delinde" / "de" / f"{LEAFLET}.pdf").read_bytes() == reviewed_pdf
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "vorige versie: de vertaling wordt bijgewerkt" in index.split('data-lang="de"')[1]

    # Building it by hand is refused too, in one line; --allow-draft builds it to look at.
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "de", "--practice", "fysio-delinde",
                  "--out", str(tmp_path / "one"), root=few.root)
    assert run.code == 1 and len(run.err.splitlines()) == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"error: {RECORD.format(lang='de')}: practice fysio-delinde requires "
                              "reviewed translations (require_review = true) and the review is outdated")
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "de", "--practice", "fysio-delinde",
                  "--allow-draft", "--out", str(tmp_path / "one"), root=few.root)
    assert run.code == 0, run


def test_require_review_must_be_true_or_false(project):
    from leafletgen.errors import UserError
    from leafletgen.inputs.practice import load_practice

    profile = project.practices_dir / "fysio-delinde.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + 'require_review = "yes"\n', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_practice(project, "fysio-delinde")
    assert "require_review: Input should be a valid boolean" in str(caught.value)


@pytest.mark.slow
def test_a_recorded_review_rebuilds_exactly_that_language(few, tmp_path):
    first = run_cli("--out", str(tmp_path), "--jobs", "2", root=few.root)
    assert first.code == 0, first
    assert review(few.root, "tr").code == 0
    run = run_cli("--out", str(tmp_path), "--jobs", "2", root=few.root)
    assert run.code == 0, run
    assert [line for line in run.out.splitlines() if line.startswith("built ")] == [
        f"built fysio-delinde/tr/{LEAFLET}.pdf"]
    assert re.search(r"^1 built, 3 unchanged,", run.out, re.MULTILINE), run.out
    assert "Anna Schmidt" in pdf_text(tmp_path / "fysio-delinde" / "tr" / f"{LEAFLET}.pdf")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"][f"fysio-delinde/tr/{LEAFLET}"]["entry"]["review"] == "reviewed"


# ---- For the translator: `#|` previous msgids and what each unit is -------------------------------

@pytest.mark.slow
def test_update_writes_previous_msgids_gnu_gettext_reads_and_keeps_them(project):
    path = project.catalog_path(LEAFLET, "de")
    edit(project.leaflets_dir / f"{LEAFLET}.md", "Acute rugklachten zijn vaak na twee weken",
         "Acute rugklachten zijn meestal na twee weken")
    edit(project.leaflets_dir / f"{LEAFLET}.md", "- Overgewicht", "- Flink overgewicht")
    assert run_cli("translations", "update", root=project.root).code == 0
    text = path.read_text(encoding="utf-8")
    assert '#, fuzzy\n#| msgid "Overgewicht"\nmsgid "Flink overgewicht"\nmsgstr "Übergewicht"\n' in text
    old = next(block for block in text.split("\n\n") if "meestal" in block).splitlines()
    assert old[old.index("#, fuzzy"):][:4] == [
        "#, fuzzy",
        '#| msgid ""',
        "#| \"Lage rugpijn, ook wel 'spit' of 'lumbago' genoemd, kan vervelende \"",
        '#| "klachten met zich meebrengen zoals: pijn met uitstraling naar bil of "']
    assert max(len(line) for line in text.splitlines() if line.startswith("#|")) <= 79
    # GNU gettext reads them as previous msgids (so does Poedit, on libgettextpo): msgfmt -c
    # passes, msgattrib --clear-previous removes exactly them, and the old Dutch text comes back.
    check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    cleared = subprocess.run(["msgattrib", "--clear-previous", str(path)], capture_output=True, text=True,
                             check=True).stdout
    assert "#|" not in cleared and "Flink overgewicht" in cleared
    previous = subprocess.run(["msgattrib", "--only-fuzzy", "--no-wrap", str(path)], capture_output=True,
                              text=True, check=True).stdout
    assert "#| msgid \"Lage rugpijn, ook wel 'spit' of 'lumbago' genoemd, kan vervelende klachten met " \
           "zich meebrengen zoals: pijn met uitstraling naar bil of been of beperkingen zoals niet goed " \
           "kunnen zitten, gaan staan, stilstaan, bukken. Het is een veelvoorkomende klacht. Acute " \
           "rugklachten zijn vaak na twee weken" in previous
    # A second update changes nothing (Babel alone would turn them into "# | msgid" comments).
    run = run_cli("translations", "update", root=project.root)
    assert f"unchanged translations/de/LC_MESSAGES/{LEAFLET}.po" in run.out
    assert "# |" not in path.read_text(encoding="utf-8")
    # A translator resolves the unit (clears fuzzy, as Poedit does, leaving the #| lines): the
    # next update drops them.
    edit(path, '#, fuzzy\n#| msgid "Overgewicht"\nmsgid "Flink overgewicht"\nmsgstr "Übergewicht"',
         '#| msgid "Overgewicht"\nmsgid "Flink overgewicht"\nmsgstr "Starkes Übergewicht"')
    assert run_cli("translations", "update", root=project.root).code == 0
    text = path.read_text(encoding="utf-8")
    assert 'msgid "Flink overgewicht"' in text and '#| msgid "Overgewicht"' not in text
    assert text.count("#| msgid") == 1


def test_every_unit_tells_the_translator_what_it_is():
    for name in (f"{LEAFLET}.pot", "leafletgen.pot"):
        with open(REPO / "translations" / name, "rb") as fh:
            messages = [m for m in read_po(fh) if m.id]
        assert messages and all(m.auto_comments for m in messages), \
            [m.id for m in messages if not m.auto_comments]
    with open(REPO / "translations" / f"{LEAFLET}.pot", "rb") as fh:
        comments = {m.id: " ".join(m.auto_comments) for m in read_po(fh) if m.id}
    assert comments[AUTHOR].startswith("The author line in the small print at the end of the leaflet")
    assert comments[SOURCE].startswith("The source line in the small print at the end of the leaflet")
    assert comments["Veelvoorkomende symptomen van lage rugpijn:"].startswith(
        "A paragraph that introduces the list after it")
    with open(REPO / "translations" / "leafletgen.pot", "rb") as fh:
        comments = {m.id: " ".join(m.auto_comments) for m in read_po(fh) if m.id}
    assert comments[NOTE_UNREVIEWED].startswith("In the small print at the end of a translated leaflet")
    assert comments["Volgende herziening: %(date)s"].startswith("In the small print at the end")
