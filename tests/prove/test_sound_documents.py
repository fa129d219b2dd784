"""No false alarm: every shipped language, in every variant, alone and bilingual, passes the
text proof (each build runs it) and is written."""

from __future__ import annotations

import pytest

from leafletgen.inputs.project import Project
from leafletgen.typeset.variants import VARIANTS
from tests.conftest import REPO, run_cli

LANGUAGES = Project(REPO).languages()


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("bilingual", [False, True], ids=["alone", "bilingual"])
def test_every_shipped_document_passes_the_proof(tmp_path, lang, variant, bilingual):
    if bilingual and lang == "nl":
        pytest.skip("Dutch has no bilingual edition")
    run = run_cli("build", "--leaflet", "lage-rugklachten", "--lang", lang, "--variant", variant,
                  "--practice", "fysio-delinde", "--out", str(tmp_path),
                  *(["--bilingual"] if bilingual else []), root=REPO)
    assert run.code == 0, run.err
    assert sorted(p.suffix for p in (tmp_path / "fysio-delinde" / lang).iterdir()) == [".html", ".pdf"]
