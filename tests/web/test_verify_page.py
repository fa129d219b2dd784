"""'Is deze folder nog actueel?': a PDF uploaded by staff is checked as `verify` checks it."""

from __future__ import annotations

import io

import pikepdf

from tests.web.test_web import LEAFLET, PRACTICE, client, csrf, site  # noqa: F401 (fixtures)


def check(web, data: bytes | None, lang: str = "nl"):
    form = {"csrf_token": csrf(web, "/controleren")}
    if data is not None:
        form["pdf"] = (io.BytesIO(data), "folder.pdf")
    response = web.post("/controleren", data=form, content_type="multipart/form-data",
                           headers={"Accept-Language": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_a_text_block(pdf: bytes) -> bytes:
    """Page 1 with one block of text taken out, as a PDF editor would."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        operations = pikepdf.parse_content_stream(page)
        blocks = [i for i, (_, op) in enumerate(operations) if str(op) == "BT"]
        start = blocks[len(blocks) // 2]
        end = next(i for i in range(start, len(operations)) if str(operations[i][1]) == "ET")
        page.Contents = document.make_stream(pikepdf.unparse_content_stream(operations[:start] + operations[end + 1:]))
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def test_a_pdf_is_checked_against_the_current_approved_text(client):  # noqa: F811 (the fixture)
    page = client.get("/controleren", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Is deze folder nog actueel?" in page and 'href="/controleren"' in page     # in the menu
    pdf = client.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&variant=a4").data
    current = check(client, pdf)
    assert "is actueel" in current and f"{LEAFLET} " in current and "tr, " + PRACTICE in current
    altered = check(client, without_a_text_block(pdf))
    assert "Niet meegeven" in altered and "is actueel" not in altered
    assert "geen folder uit deze app" in check(client, b"%PDF-1.4\n%%EOF\n")
    assert "geen folder uit deze app" in check(client, b"not a pdf at all")
    assert "Kies eerst een PDF-bestand." in check(client, None)
    english = check(client, without_a_text_block(pdf), "en")
    assert "Do not hand it out" in english and "Niet meegeven" not in english
