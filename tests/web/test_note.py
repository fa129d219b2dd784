"""The personal note on the staff page: sent in a POST body only, printed on the leaflet's last
page, and afterwards nowhere: not in the cache folder, the project (database, audit trail), the
logs, or an address."""

from __future__ import annotations

import io
import logging
import re

import pytest

from tests.pdfutil import pdf_text
from tests.web.test_web import LEAFLET, copy_project, make_app

NOTE = "Oefening 7 met de blauwe band, zes keer per dag. Afspraak donderdag 16.15 uur bij Sanne."
MARK = "blauwe band, zes keer"           # a piece of the note no leaflet or catalog holds


@pytest.fixture
def note_site(tmp_path):
    project = copy_project(tmp_path / "project")
    app, service = make_app(project, tmp_path / "cache")
    yield app, service, project, tmp_path
    service.close()


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def every_file(*folders):
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                yield path


def test_a_note_is_printed_and_kept_nowhere(note_site, caplog):
    app, service, project, tmp_path = note_site
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    address = f"/leaflets/{LEAFLET}/nl.pdf?practice=fysio-delinde&variant=a4"
    page = client.get(f"/?leaflet={LEAFLET}&lang=nl&practice=fysio-delinde").get_data(as_text=True)
    assert 'id="note"' in page and f'action="{address.replace("&", "&amp;")}"' in page
    response = client.post(address, data={"csrf_token": token_of(page), "note": NOTE})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    (tmp_path / "printed.pdf").write_bytes(response.data)
    pages = [" ".join(text.split()) for text in pdf_text(tmp_path / "printed.pdf").split("\f") if text.strip()]
    assert NOTE in pages[-1]
    (tmp_path / "printed.pdf").unlink()
    # Afterwards: the note is in no file of the project (the database and its audit trail
    # included) or the cache folder, in no log record, and the audit trail has the print.
    for path in every_file(project.root, tmp_path / "cache"):
        assert MARK.encode("utf-8") not in path.read_bytes(), path
    assert not [record for record in caplog.records if MARK in record.getMessage()]
    assert list(project.root.glob(".leafletgen/*.db"))            # the database was among them
    # The same document without a note is the cached one, and has no note.
    plain = client.get(address)
    (tmp_path / "plain.pdf").write_bytes(plain.data)
    assert "blauwe band" not in pdf_text(tmp_path / "plain.pdf")


def test_a_note_in_the_address_is_never_read(note_site):
    app, service, project, tmp_path = note_site
    client = app.test_client()
    response = client.get(f"/leaflets/{LEAFLET}/nl.pdf?note=Oefening+7+blauwe+band")
    (tmp_path / "x.pdf").write_bytes(response.data)
    assert response.status_code == 200 and "blauwe band" not in pdf_text(tmp_path / "x.pdf")


@pytest.mark.slow
@pytest.mark.parametrize("note, words", [
    ("x" * 601, "hoogstens 600 tekens, nu 601"),
    ("   ", "Schrijf eerst de notitie."),
    ("Упражнение 7 blauwe band", "Cyrillic"),
])
def test_a_bad_note_is_shown_again_with_why(note_site, note, words):
    app, service, project, tmp_path = note_site
    client = app.test_client()
    page = client.get(f"/?leaflet={LEAFLET}&lang=nl").get_data(as_text=True)
    response = client.post(f"/leaflets/{LEAFLET}/nl.pdf", data={"csrf_token": token_of(page), "note": note})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert words in text and 'id="note-errors"' in text
    assert f">{note.strip()}</textarea>" in text          # the note kept in its box to correct it


def test_a_note_needs_the_form_token(note_site):
    app, service, project, tmp_path = note_site
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post(f"/leaflets/{LEAFLET}/nl.pdf", data={"note": NOTE})
    assert response.status_code in (400, 403) and response.mimetype != "application/pdf"


def test_verify_says_a_note_is_there_and_never_quotes_it(note_site):
    """A leaflet printed with a note is current with "contains a personal note (not checked)";
    with a block of the leaflet's own text taken out it differs, and still the note is not
    quoted. A document without a note carries no word of one in its metadata."""
    from tests.conftest import run_cli
    from tests.prove.test_verify import take_out_a_text_block

    app, service, project, tmp_path = note_site
    client = app.test_client()
    address = f"/leaflets/{LEAFLET}/nl.pdf?practice=fysio-delinde&variant=a4"
    page = client.get(f"/?leaflet={LEAFLET}&lang=nl&practice=fysio-delinde").get_data(as_text=True)
    printed = tmp_path / "printed.pdf"
    printed.write_bytes(client.post(address, data={"csrf_token": token_of(page), "note": NOTE}).data)
    run = run_cli("verify", str(printed), root=project.root)
    assert run.code == 0, run.out
    assert run.out.splitlines() == [f"{printed}: {LEAFLET} 1.0, nl, fysio-delinde, a4: current",
                                    "  contains a personal note (not checked)"]
    check = client.get("/controleren").get_data(as_text=True)
    answer = client.post("/controleren", content_type="multipart/form-data", data={
        "csrf_token": token_of(check), "pdf": (io.BytesIO(printed.read_bytes()), "folder.pdf")})
    shown = answer.get_data(as_text=True)
    assert "is actueel" in shown and "persoonlijke notitie" in shown and "blauwe" not in shown
    take_out_a_text_block(printed, 0)
    run = run_cli("verify", str(printed), root=project.root)
    assert run.code == 1 and run.out.splitlines()[0].endswith(": text differs")
    assert "contains a personal note (not checked)" in run.out
    assert "blauwe" not in run.out and "Sanne" not in run.out
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(client.get(address).data)
    from leafletgen.prove.metadata import xmp_packet

    packet = xmp_packet(plain.read_bytes())
    assert "<leafletgen:leaflet>" in packet and "leafletgen:note" not in packet
    assert "<leafletgen:note>true</leafletgen:note>" in xmp_packet(printed.read_bytes())
    assert run_cli("verify", str(plain), root=project.root).out.splitlines() == [
        f"{plain}: {LEAFLET} 1.0, nl, fysio-delinde, a4: current"]
