"""The web app's document cache keeps within its size: the least recently written documents go
first, and a document that went is made again when it is asked for."""

from __future__ import annotations

import shutil
from pathlib import Path

from leafletgen.web.document_cache import DocumentCache

from tests.conftest import PROJECT_PARTS, REPO

LEAFLET = "lage-rugklachten"


def cache_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_the_cache_keeps_within_its_size_and_the_newest_stay(dutch_leaflet, tmp_path):
    """Fifty real documents into a cache that holds about ten."""
    result = {"title": "Lage rugklachten", "pages": 2, "draft": False, "warnings": [],
              "pdf": dutch_leaflet.pdf.read_bytes(), "html": dutch_leaflet.html.read_text(encoding="utf-8")}
    one = len(result["pdf"]) + len(result["html"].encode("utf-8"))
    cache = DocumentCache(tmp_path / "cache", max_bytes=10 * one)
    digests = [f"{n:02d}" + "ab" * 31 for n in range(50)]
    for digest in digests:
        cache.store(digest, "nl", result)
    assert cache_bytes(tmp_path / "cache") <= 10 * one
    assert cache.cached(digests[-1]) is not None
    assert cache.cached(digests[0]) is None
    kept = [digest for digest in digests if cache.cached(digest) is not None]
    assert kept == digests[-len(kept):] and len(kept) >= 5, kept     # the newest, in a row


def test_a_document_that_went_is_made_again(tmp_path):
    from leafletgen.inputs.project import Project
    from leafletgen.web.app import create_app
    from leafletgen.web.documents import DocumentService

    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, root / part)
    service = DocumentService(Project(root), tmp_path / "cache", workers=1, cache_max_bytes=1)
    try:
        client = create_app(service.project, documents=service, testing=True).test_client()
        url = f"/leaflets/{LEAFLET}/nl.pdf"
        first = client.get(url)
        assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
        assert client.get(url).headers["X-Cache"] == "hit"
        service.cache.evict()
        assert cache_bytes(tmp_path / "cache") <= 1
        again = client.get(url)
        assert again.status_code == 200 and again.headers["X-Cache"] == "miss"
        assert again.data == first.data
    finally:
        service.close()
