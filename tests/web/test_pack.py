"""The patient pack: a file name of its own, tagged (PDF/UA) like a single leaflet, and an empty
pack answered on the staff page."""

from __future__ import annotations

import io
import re
import shutil

import pikepdf
import pytest

from tests.web.test_web import LEAFLET, PRACTICE, TURKISH_TITLE, copy_project, make_app


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """An app whose project has a second leaflet (a copy of the first) translated into Turkish."""
    base = tmp_path_factory.mktemp("pack")
    project = copy_project(base / "project")
    source = (project.leaflets_dir / f"{LEAFLET}.md").read_text(encoding="utf-8")
    (project.leaflets_dir / "rug-kopie.md").write_text(source.replace(f"id: {LEAFLET}", "id: rug-kopie"),
                                                       encoding="utf-8")
    shutil.copy(project.catalog_path(LEAFLET, "tr"), project.catalog_path("rug-kopie", "tr"))
    app, service = make_app(project, base / "cache")
    yield app.test_client()
    service.close()


def structure(node, out=None) -> list[str]:
    """The structure types of a tree, depth first ("Document", "Part", "H1", …)."""
    out = [] if out is None else out
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            out.append(str(node.S)[1:])
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            structure(kid, out)
    return out


def unmapped_content(pdf: pikepdf.Pdf) -> list[str]:
    """Marked content (MCID) of each page that the parent tree does not lead to a structure
    element of that page: what a screen reader could not reach."""
    tree = pdf.Root.StructTreeRoot
    numbers = tree.ParentTree.Nums
    parents = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
    problems = []
    for number, page in enumerate(pdf.pages, 1):
        mcids = {int(operands[1].MCID) for operands, operator in pikepdf.parse_content_stream(page)
                 if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                 and "/MCID" in operands[1]}
        if not mcids:
            continue
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in parents:
            problems.append(f"page {number}: no /StructParents entry")
            continue
        for mcid in sorted(mcids):
            element = parents[int(key)][mcid]
            if element.get("/Pg") is None or element.Pg.objgen != page.obj.objgen:
                problems.append(f"page {number}: MCID {mcid} leads to another page")
    return problems


def test_a_pack_is_tagged_like_a_single_leaflet(two):
    single = pikepdf.open(io.BytesIO(two.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}").data))
    response = two.get(f"/pack.pdf?leaflet={LEAFLET}&leaflet=rug-kopie&lang=tr&practice={PRACTICE}&download=1")
    assert response.status_code == 200
    pack = pikepdf.open(io.BytesIO(response.data))
    assert pack.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pack.Root
    assert str(pack.Root.Lang) == "tr" and pack.Root.ViewerPreferences.DisplayDocTitle is True
    assert pack.open_metadata().get("pdfuaid:part") == "1"
    assert str(pack.docinfo["/Title"]) == f"{TURKISH_TITLE} · {TURKISH_TITLE}"
    # One document of two parts, each the single leaflet's structure.
    part = structure(single.Root.StructTreeRoot)[1:]          # its Document's elements
    assert structure(pack.Root.StructTreeRoot) == ["Document", "Part", *part, "Part", *part]
    assert part.count("H1") == 1 and part.count("Figure") == 2
    assert unmapped_content(single) == [] and unmapped_content(pack) == []
    pages = len(single.pages)
    assert sum(1 for page in pack.pages if "/StructParents" in page.obj) == 2 * pages
    # The figures keep their alternative texts (the logo's is the practice's name).
    alts = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                walk(kid)
    walk(pack.Root.StructTreeRoot)
    assert alts.count("Fysiotherapie De Linde") == 2


def test_a_pack_of_one_has_a_file_name_of_its_own(two):
    single = two.get(f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&download=1")
    pack = two.get(f"/pack.pdf?leaflet={LEAFLET}&lang=tr&practice={PRACTICE}&download=1")
    assert pack.status_code == 200
    single_name = re.search(r"filename\*=UTF-8''(.+)$", single.headers["Content-Disposition"]).group(1)
    pack_name = re.search(r"filename\*=UTF-8''(.+)$", pack.headers["Content-Disposition"]).group(1)
    assert pack_name != single_name
    assert pack_name == "Bel%20%C5%9Fik%C3%A2yetleri%20%28tr%2C%20pakket%29.pdf"
    english = two.get(f"/pack.pdf?leaflet={LEAFLET}&lang=tr&practice={PRACTICE}&download=1",
                      headers={"Accept-Language": "en"})
    assert "%28tr%2C%20pack%29.pdf" in english.headers["Content-Disposition"]
    assert unmapped_content(pikepdf.open(io.BytesIO(pack.data))) == []


@pytest.mark.parametrize("query, message", [
    ("", "Kies minstens één folder voor het pakket."),
    ("&".join(f"leaflet=l{number}" for number in range(13)), "Een pakket heeft hoogstens 12 folders."),
])
def test_an_empty_or_too_large_pack_is_answered_on_the_staff_page(two, query, message):
    response = two.get(f"/pack.pdf?{query}&lang=tr&practice={PRACTICE}&variant=a5&download=1")
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<p class="message" role="alert" id="pack-error">{message}</p>' in page
    # The staff page as it was: the language, the practice and the variant kept.
    assert '<option value="tr" selected>' in page
    assert f'<option value="{PRACTICE}" selected>' in page
    assert 'id="variant-a5" value="a5" aria-describedby="variant-a5-text" checked' in page
    assert 'id="pack-button"' in page


def test_a_pack_is_checked_on_the_check_page_leaflet_by_leaflet(two):
    from tests.web.test_web import csrf

    pack = two.get(f"/pack.pdf?leaflet={LEAFLET}&leaflet=rug-kopie&lang=tr&practice={PRACTICE}&download=1").data
    answers = {}
    for lang in ("nl", "en"):
        form = {"csrf_token": csrf(two, "/controleren"), "pdf": (io.BytesIO(pack), "pakket.pdf")}
        response = two.post("/controleren", data=form, content_type="multipart/form-data",
                            headers={"Accept-Language": lang})
        assert response.status_code == 200
        answers[lang] = response.get_data(as_text=True)
    assert "Deze folder is actueel" in answers["nl"]
    assert "Dit is een patiëntenpakket met 2 folders:" in answers["nl"]
    items = re.findall(r"<li>([^<]*): <strong>([^<]*)</strong></li>", answers["nl"])
    assert items == [(f"{LEAFLET} 1.0, tr, {PRACTICE}, a4", "actueel"),
                     (f"rug-kopie 1.0, tr, {PRACTICE}, a4", "actueel")]
    assert "actueel" not in answers["en"] and "patiëntenpakket" not in answers["en"]
