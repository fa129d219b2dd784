"""What a PDF says it is: the leaflet, version, language, practice, variant, bilingual, draft,
the tool and the digest of its inputs, in its XMP metadata (a booklet keeps it)."""

from __future__ import annotations

import pikepdf

from leafletgen.inputs.bundle import load_bundle
from leafletgen.inputs.project import Project
from leafletgen.prove.metadata import read_mark
from leafletgen.request import BuildRequest
from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"


def test_a_pdf_says_what_it_is(tmp_path):
    for lang, variant, options in (("ar", "booklet", []), ("tr", "a5", ["--bilingual"])):
        run = run_cli("build", "--leaflet", LEAFLET, "--lang", lang, "--variant", variant,
                      "--practice", PRACTICE, "--out", str(tmp_path), *options, root=REPO)
        assert run.code == 0, run.err
    booklet = tmp_path / PRACTICE / "ar" / f"{LEAFLET}-booklet.pdf"
    mark = read_mark(booklet.read_bytes())
    assert (mark.leaflet, mark.version, mark.language, mark.practice, mark.variant, mark.bilingual,
            mark.draft) == (LEAFLET, "1.0", "ar", PRACTICE, "booklet", False, False)
    assert mark.tool.startswith("leafletgen ")
    assert mark.inputs == load_bundle(Project(REPO), BuildRequest(LEAFLET, "ar", PRACTICE, "booklet")).digest
    # In the XMP packet itself, which other programs read too.
    with pikepdf.open(tmp_path / PRACTICE / "tr" / f"{LEAFLET}-a5-bilingual.pdf") as document:
        with document.open_metadata() as xmp:
            namespace = "{https://leafletgen.org/ns/document/1.0/}"
            assert (xmp[namespace + "language"], xmp[namespace + "bilingual"]) == ("tr", "true")
