"""A leaflet from draft to approved to published (inputs/drafts.py): editing is not approving,
a save over a changed text is refused, and nothing but a published version reaches leaflets/."""

from __future__ import annotations

import pytest

from leafletgen.errors import UserError
from leafletgen.inputs import catalog_versions, drafts, versions
from leafletgen.inputs.project import Project, catalog_file
from leafletgen.store.accounts import Account

LEAFLET = "lage-rugklachten"
EDITOR = Account(1, "eva", "editor")
SECOND_EDITOR = Account(2, "emma", "editor")
REVIEWER = Account(3, "rita", "reviewer")
ADMIN = Account(4, "ad", "admin")


def edited(data: bytes, version: str = "1.1", words: bytes = b"heel veelvoorkomende") -> bytes:
    text = data.replace(b'version: "1.0"', f'version: "{version}"'.encode())
    return text.replace(b"veelvoorkomende", words, 1)


def codes(caught) -> list[str]:
    return [problem.code for problem in caught.value.problems]


@pytest.fixture
def published(project) -> bytes:
    data = (project.leaflets_dir / f"{LEAFLET}.md").read_bytes()
    assert versions.current_version(project, LEAFLET).version == "1.0"
    return data


def test_a_draft_is_saved_beside_the_published_text(project, published):
    loaded = drafts.editing_text(project, LEAFLET)
    assert loaded == published
    saved = drafts.save_draft(project, LEAFLET, edited(published), by="eva", loaded=versions.sha256(loaded))
    assert (saved.state, saved.base, saved.written_by) == ("draft", "1.0", ("eva",))
    assert (project.leaflets_dir / f"{LEAFLET}.md").read_bytes() == published      # still what prints
    assert drafts.read_draft(project, LEAFLET) == edited(published)
    assert drafts.editing_text(project, LEAFLET) == edited(published)
    assert project.leaflet_ids() == [LEAFLET] and project.odd_names() == []


def test_a_change_keeps_the_published_version_number_refused(project, published):
    with pytest.raises(UserError) as caught:
        drafts.save_draft(project, LEAFLET, edited(published, "1.0"), by="eva",
                          loaded=versions.sha256(published))
    assert codes(caught) == ["version_not_newer"]
    assert caught.value.problems[0].params["suggested"] == "1.1"
    assert drafts.draft(project, LEAFLET) is None


def test_an_invalid_draft_names_its_line(project, published):
    broken = edited(published).replace(b"title: Lage rugklachten", b"title: ''")
    with pytest.raises(UserError) as caught:
        drafts.save_draft(project, LEAFLET, broken, by="eva", loaded=versions.sha256(published))
    assert caught.value.problems[0].file == f"leaflets/drafts/{LEAFLET}.md"
    assert caught.value.problems[0].line is not None
    assert drafts.draft(project, LEAFLET) is None


def test_a_save_over_a_text_changed_meanwhile_is_refused(project, published):
    first = drafts.save_draft(project, LEAFLET, edited(published), by="eva", loaded=versions.sha256(published))
    with pytest.raises(UserError) as caught:         # emma loaded the published text before eva saved
        drafts.save_draft(project, LEAFLET, edited(published, words=b"erg veelvoorkomende"), by="emma",
                          loaded=versions.sha256(published))
    assert codes(caught) == ["changed_meanwhile"]
    assert caught.value.problems[0].params["by"] == "eva"
    assert drafts.draft(project, LEAFLET) == first
    again = drafts.save_draft(project, LEAFLET, edited(published, words=b"erg veelvoorkomende"), by="emma",
                              loaded=first.sha256)
    assert again.written_by == ("eva", "emma")


def test_the_writer_cannot_approve_and_an_editor_cannot_approve(project, published):
    saved = drafts.save_draft(project, LEAFLET, edited(published), by="ad", loaded=versions.sha256(published))
    for account, code in ((ADMIN, "approve_own"), (EDITOR, "approve_role"), (SECOND_EDITOR, "approve_role")):
        with pytest.raises(UserError) as caught:
            drafts.approve(project, LEAFLET, account, loaded=saved.sha256)
        assert codes(caught) == [code]
    assert drafts.draft(project, LEAFLET).state == "draft"
    with pytest.raises(UserError) as caught:
        drafts.publish_draft(project, LEAFLET, by="ad")
    assert codes(caught) == ["not_approved"]
    assert (project.leaflets_dir / f"{LEAFLET}.md").read_bytes() == published


def test_approved_then_published_keeps_who(project, published):
    saved = drafts.save_draft(project, LEAFLET, edited(published), by="eva", loaded=versions.sha256(published))
    approved = drafts.approve(project, LEAFLET, REVIEWER, loaded=saved.sha256)
    assert (approved.state, approved.approved_by) == ("approved", "rita")
    found = drafts.publish_draft(project, LEAFLET, by="eva")
    assert (found.version, found.written_by, found.approved_by) == ("1.1", ("eva",), "rita")
    assert found.approved_at == approved.approved_at
    assert (project.leaflets_dir / f"{LEAFLET}.md").read_bytes() == edited(published)
    assert versions.read_version(project, LEAFLET, "1.0") == published
    assert drafts.draft(project, LEAFLET) is None
    assert versions.publication_state(project, LEAFLET) == "published"
    # each language's catalog kept as it was when 1.1 became the version printed
    recorded = catalog_versions.catalog_versions(project, LEAFLET, "de")
    assert [(c.version, c.revision, c.recorded_by) for c in recorded] == [("1.1", 1, "eva")]
    assert catalog_versions.read_catalog_version(project, LEAFLET, "de", "1.1") == \
        (project.root / catalog_file(LEAFLET, "de")).read_bytes()


def test_a_save_after_approval_undoes_it(project, published):
    saved = drafts.save_draft(project, LEAFLET, edited(published), by="eva", loaded=versions.sha256(published))
    approved = drafts.approve(project, LEAFLET, REVIEWER, loaded=saved.sha256)
    changed = drafts.save_draft(project, LEAFLET, edited(published, words=b"erg veelvoorkomende"), by="eva",
                                loaded=approved.sha256)
    assert changed.state == "draft"
    with pytest.raises(UserError) as caught:
        drafts.publish_draft(project, LEAFLET, by="eva")
    assert codes(caught) == ["not_approved"]


def test_approving_a_text_other_than_the_one_read_is_refused(project, published):
    saved = drafts.save_draft(project, LEAFLET, edited(published), by="eva", loaded=versions.sha256(published))
    drafts.save_draft(project, LEAFLET, edited(published, words=b"erg veelvoorkomende"), by="emma",
                      loaded=saved.sha256)
    with pytest.raises(UserError) as caught:
        drafts.approve(project, LEAFLET, REVIEWER, loaded=saved.sha256)      # rita read eva's text
    assert codes(caught) == ["changed_meanwhile"]


def test_a_draft_file_changed_by_hand_after_approval_is_not_published(project, published):
    saved = drafts.save_draft(project, LEAFLET, edited(published), by="eva", loaded=versions.sha256(published))
    drafts.approve(project, LEAFLET, REVIEWER, loaded=saved.sha256)
    (drafts.drafts_dir(project) / f"{LEAFLET}.md").write_bytes(edited(published, words=b"zeldzame"))
    with pytest.raises(UserError) as caught:
        drafts.publish_draft(project, LEAFLET, by="eva")
    assert codes(caught) == ["not_approved"]
    assert (project.leaflets_dir / f"{LEAFLET}.md").read_bytes() == published


def test_a_new_leaflet_is_a_draft_until_published(project, published):
    new = published.replace(b"id: lage-rugklachten", b"id: knieklachten")
    saved = drafts.save_draft(project, "knieklachten", new, by="eva", loaded="")
    assert saved.base == ""
    assert Project(project.root).leaflet_ids() == [LEAFLET]          # not a leaflet to build yet
    drafts.approve(project, "knieklachten", REVIEWER, loaded=saved.sha256)
    drafts.publish_draft(project, "knieklachten", by="eva")
    assert Project(project.root).leaflet_ids() == ["knieklachten", LEAFLET]
    assert versions.current_version(project, "knieklachten").version == "1.0"


def test_discarding_a_draft_leaves_the_published_text(project, published):
    saved = drafts.save_draft(project, LEAFLET, edited(published), by="eva", loaded=versions.sha256(published))
    drafts.discard_draft(project, LEAFLET, loaded=saved.sha256)
    assert drafts.draft(project, LEAFLET) is None
    assert drafts.editing_text(project, LEAFLET) == published


@pytest.mark.parametrize("version, suggested", [("1.0", "1.1"), ("1.9", "1.10"), ("2", "3"), ("v2-beta", "v3-beta")])
def test_next_version(version, suggested):
    assert drafts.next_version(version) == suggested


# ---- A draft prints only as a concept ------------------------------------------------------------------

def test_a_draft_prints_only_as_a_concept(project, published, tmp_path):
    from leafletgen.render import render_document
    from leafletgen.request import BuildRequest
    from tests.pdfutil import pdf_text

    drafts.save_draft(project, LEAFLET, edited(published, words=b"zeer veelvoorkomende"), by="eva",
                      loaded=versions.sha256(published))
    request = BuildRequest(LEAFLET, practice="fysio-delinde", from_draft=True)
    assert request.stem == f"{LEAFLET}-concept"
    assert request.key != BuildRequest(LEAFLET, practice="fysio-delinde").key
    document = render_document(project, request)
    (tmp_path / "concept.pdf").write_bytes(document.pdf)
    text = " ".join(pdf_text(tmp_path / "concept.pdf").split())
    pages = pdf_text(tmp_path / "concept.pdf").split("\f")
    assert document.draft and document.leaflet.version == "1.1"
    assert "zeer veelvoorkomende" in text
    assert all("CONCEPT — nog niet goedgekeurd" in page for page in pages if page.strip())
    from leafletgen.inputs.bundle import load_bundle
    from leafletgen.inputs.model import CONCEPT_MARK

    bundle = load_bundle(project, request)
    assert bundle.approved_texts(bundle.leaflet)["concept_mark"] == list(CONCEPT_MARK)
    final = render_document(project, BuildRequest(LEAFLET, practice="fysio-delinde"))
    (tmp_path / "final.pdf").write_bytes(final.pdf)
    assert "CONCEPT" not in pdf_text(tmp_path / "final.pdf")
    assert "zeer veelvoorkomende" not in pdf_text(tmp_path / "final.pdf")
    with pytest.raises(UserError) as caught:
        render_document(project, BuildRequest(LEAFLET, "tr", from_draft=True))
    assert "Dutch only" in str(caught.value)
    with pytest.raises(UserError):        # no draft of another leaflet
        render_document(project, BuildRequest("knieklachten", from_draft=True))
