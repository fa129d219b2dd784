"""`generate.py verify`: a PDF says what it is (XMP metadata), and its text is read back and
compared with what the sources say now; exit 0 only when every file is current."""

from __future__ import annotations

import io
import shutil

import pikepdf
import pytest
import weasyprint
from babel.messages.pofile import read_po, write_po

from tests.conftest import PROJECT_PARTS, REPO, run_cli

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A project copy and three PDFs built from it: Turkish A4, Arabic booklet, Dutch A4."""
    root = tmp_path_factory.mktemp("verify") / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    out = root.parent / "out"
    for lang, variant in (("tr", "a4"), ("ar", "booklet"), ("nl", "a4")):
        run = run_cli("build", "--leaflet", LEAFLET, "--lang", lang, "--variant", variant,
                      "--practice", PRACTICE, "--out", str(out), root=root)
        assert run.code == 0, run.err
    return root, out


@pytest.fixture
def project(made, tmp_path):
    """A private copy of the project and its PDFs, to change."""
    root, out = made
    shutil.copytree(root, tmp_path / "project")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "project", tmp_path / "out"


def pdf(out, lang, variant="a4"):
    return out / PRACTICE / lang / (f"{LEAFLET}.pdf" if variant == "a4" else f"{LEAFLET}-{variant}.pdf")


def take_out_a_text_block(path, page_index: int) -> None:
    """One block of text (the middle one) taken out of a page, as a PDF editor would."""
    with pikepdf.open(path, allow_overwriting_input=True) as document:
        page = document.pages[page_index]
        operations = pikepdf.parse_content_stream(page)
        blocks = [i for i, (_, op) in enumerate(operations) if str(op) == "BT"]
        start = blocks[len(blocks) // 2]
        end = next(i for i in range(start, len(operations)) if str(operations[i][1]) == "ET")
        page.Contents = document.make_stream(pikepdf.unparse_content_stream(
            operations[:start] + operations[end + 1:]))
        document.save(path)


def test_what_was_just_built_is_current(made):
    root, out = made
    run = run_cli("verify", str(out), root=root)
    assert run.code == 0, run.out
    assert run.out.splitlines() == [
        f"{pdf(out, 'ar', 'booklet')}: {LEAFLET} 1.0, ar, {PRACTICE}, booklet: current",
        f"{pdf(out, 'nl')}: {LEAFLET} 1.0, nl, {PRACTICE}, a4: current",
        f"{pdf(out, 'tr')}: {LEAFLET} 1.0, tr, {PRACTICE}, a4: current",
        "3 of 3 current"]


def test_a_pdf_altered_after_it_was_made(project):
    """A block of text taken out of page 1 with a PDF editor: the unit is named, and the
    sources being the ones it was made from, the file was altered."""
    root, out = project
    path = pdf(out, "nl")
    take_out_a_text_block(path, 0)
    run = run_cli("verify", str(path), root=root)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == f"{path}: {LEAFLET} 1.0, nl, {PRACTICE}, a4: text differs"
    assert any(" unit '" in line and ("missing on the page" in line or "incomplete on the page" in line)
               for line in lines[1:])
    assert lines[-1] == "  altered after it was made: its sources are the ones it was made from"


def test_a_pdf_whose_translation_changed_since(project):
    root, out = project
    po_path = root / "translations/tr/LC_MESSAGES/lage-rugklachten.po"
    with open(po_path, "rb") as file:
        catalog = read_po(file)
    message = catalog.get("Acute lage rugklachten gaan vaak vanzelf over")
    message.string = message.string + " (yeni)"
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    po_path.write_bytes(buffer.getvalue())
    run = run_cli("verify", str(pdf(out, "tr")), root=root)
    assert run.code == 1
    assert run.out.splitlines()[0].endswith(": text differs")
    assert "incomplete on the page: '(yeni)' not there" in run.out
    assert "its sources changed since it was made" in run.out


def test_a_pdf_of_an_older_version(project):
    root, out = project
    source = root / "leaflets" / f"{LEAFLET}.md"
    source.write_text(source.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'),
                      encoding="utf-8")
    run = run_cli("verify", str(pdf(out, "tr")), root=root)
    assert run.code == 1
    assert run.out.splitlines() == [
        f"{pdf(out, 'tr')}: {LEAFLET} 1.0, tr, {PRACTICE}, a4: older version",
        "  made from version 1.0; a newer version exists: 1.1 (its text was not compared: only the "
        "current version's text is known here)"]


def test_a_pdf_another_program_made(project, tmp_path):
    root, out = project
    other = tmp_path / "other.pdf"
    other.write_bytes(weasyprint.HTML(string="<p>Lage rugklachten</p>").write_pdf())
    run = run_cli("verify", str(other), str(pdf(out, "tr")), root=root)
    assert run.code == 1
    assert run.out.splitlines() == [
        f"{other}: not a leafletgen PDF",
        "  it has no leafletgen metadata (made by another program, or saved again by one that dropped it)",
        f"{pdf(out, 'tr')}: {LEAFLET} 1.0, tr, {PRACTICE}, a4: current",
        "1 of 2 current"]


def test_wrong_paths(made, tmp_path):
    root, _ = made
    run = run_cli("verify", str(tmp_path / "nothing.pdf"), root=root)
    assert (run.code, run.out, run.err) == (1, "", f"error: {tmp_path / 'nothing.pdf'}: no such file or folder\n")
    run = run_cli("verify", str(tmp_path), root=root)
    assert (run.code, run.err) == (1, f"error: no PDF in {tmp_path}\n")


def pack_of(out, tmp_path, *langs: str) -> bytes:
    """A patient pack of the made PDFs, as the staff page merges them."""
    from types import SimpleNamespace

    from leafletgen.web.pack import merge_pack

    parts = []
    for lang in langs:
        with pikepdf.open(pdf(out, lang)) as document:
            parts.append(SimpleNamespace(pdf_path=pdf(out, lang), title=str(document.docinfo["/Title"])))
    return merge_pack(parts, langs[0], "", "a4")[0]


def test_a_patient_pack_is_checked_leaflet_by_leaflet(project, tmp_path):
    root, out = project
    pages = {lang: len(pikepdf.open(pdf(out, lang)).pages) for lang in ("tr", "nl")}
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_of(out, tmp_path, "tr", "nl"))
    run = run_cli("verify", str(path), root=root)
    assert run.code == 0, run.out
    second = pages["tr"] + pages["tr"] % 2 + 1           # each leaflet starts on a sheet's front
    assert run.out.splitlines() == [
        f"{path}: patient pack of 2 leaflets: current",
        f"  pages 1-{pages['tr']}: {LEAFLET} 1.0, tr, {PRACTICE}, a4: current",
        f"  pages {second}-{second + pages['nl'] - 1}: {LEAFLET} 1.0, nl, {PRACTICE}, a4: current"]

    # Its second leaflet with a block of text taken out: that leaflet differs, the first not.
    take_out_a_text_block(path, second - 1)
    run = run_cli("verify", str(path), root=root)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == f"{path}: patient pack of 2 leaflets: text differs"
    assert lines[1].endswith(", tr, fysio-delinde, a4: current")
    assert lines[2].endswith(", nl, fysio-delinde, a4: text differs")
    assert lines[-1] == "    altered after it was made: its sources are the ones it was made from"


def test_words_added_to_a_pack_outside_its_leaflets(project, tmp_path):
    """A page of words appended to a pack belongs to no leaflet of it: the pack differs."""
    root, out = project
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_of(out, tmp_path, "tr"))
    extra = weasyprint.HTML(string="<p>Neem elke 2 uur 2 tabletten ibuprofen 400 mg.</p>").write_pdf()
    with pikepdf.open(path, allow_overwriting_input=True) as document, pikepdf.open(io.BytesIO(extra)) as added:
        document.pages.extend(added.pages)
        total = len(document.pages)
        document.save(path)
    run = run_cli("verify", str(path), root=root)
    assert run.code == 1
    assert run.out.splitlines()[0] == f"{path}: patient pack of 1 leaflets: text differs"
    assert run.out.splitlines()[-1] == f"  page {total}: text outside every leaflet of the pack"


def test_a_note_added_to_a_packs_blank_page(project, tmp_path):
    """A blank page with an annotation (a sticky note's words) belongs to no leaflet: the pack
    differs."""
    root, out = project
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_of(out, tmp_path, "tr"))
    with pikepdf.open(path, allow_overwriting_input=True) as document:
        document.add_blank_page(page_size=(595, 842))
        document.pages[-1].obj.Annots = document.make_indirect(pikepdf.Array([document.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText,
                               Rect=[50, 700, 400, 750], Contents=pikepdf.String("Neem 4 tabletten per dag")))]))
        total = len(document.pages)
        document.save(path)
    run = run_cli("verify", str(path), root=root)
    assert run.code == 1
    assert f"  page {total}: text outside every leaflet of the pack" in run.out.splitlines()
    assert "  annotation 'Neem 4 tabletten per dag' is not an approved text" in run.out.splitlines()


def test_a_dose_in_a_packs_bookmark(project, tmp_path):
    """The pack's own strings (title, bookmarks, alt texts) must come from its leaflets too."""
    root, out = project
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_of(out, tmp_path, "tr", "nl"))
    with pikepdf.open(path, allow_overwriting_input=True) as document:
        with document.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Neem 4 tabletten per dag", 0))
        document.save(path)
    run = run_cli("verify", str(path), root=root)
    assert run.code == 1
    assert run.out.splitlines()[0].endswith(": patient pack of 2 leaflets: text differs")
    assert "  bookmark 'Neem 4 tabletten per dag' is not an approved text" in run.out.splitlines()


def words_drawn_on(document: pikepdf.Pdf, page_index: int, words: str) -> None:
    """`words` drawn on a page with one of its own fonts, as a PDF editor would add them."""
    page = document.pages[page_index]
    font = next(iter(page.obj.Resources.Font.keys()))
    page.contents_add(document.make_stream(f"BT {font} 11 Tf 60 60 Td ({words}) Tj ET".encode()), prepend=False)


def test_a_pack_part_that_claims_a_personal_note_is_checked_as_without(project, tmp_path):
    """A pack is never printed with a personal note: words added to a pack whose metadata
    was made to claim one are found all the same."""
    from leafletgen.prove.metadata import xmp_packet

    root, out = project
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack_of(out, tmp_path, "nl"))
    assert run_cli("verify", str(path), root=root).code == 0
    with pikepdf.open(path, allow_overwriting_input=True) as document:
        words_drawn_on(document, 0, "Neem 4 tabletten per dag")
        packet = document.Root.Metadata.read_bytes().replace(
            b"<leafletgenpack:tool>", b"<leafletgenpack:note>true</leafletgenpack:note><leafletgenpack:tool>")
        document.Root.Metadata.write(packet)
        document.save(path)
    assert "<leafletgenpack:note>true" in xmp_packet(path.read_bytes())
    run = run_cli("verify", str(path), root=root)
    assert run.code == 1 and "added: " in run.out and "personal note" not in run.out
