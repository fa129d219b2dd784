"""The web app's document cache on its own: where a document's files go, what comes back, when a
document counts as cached, and eviction: every 50 documents, the least recently written first,
down to 80 % of the limit (found by mutation testing, docs/development.md)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from leafletgen.web.document_cache import CACHE_MAX_BYTES, DocumentCache, write_quick

DIGEST = "3f" + "a1" * 31
RESULT = {"title": "Lage rugklachten", "pages": 2, "draft": True, "warnings": ["te klein"],
          "version": "2026-11-02", "pdf": b"%PDF-1.7 " + b"x" * 991, "html": "<p>rugpijn \u00e9</p>"}


def files(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_a_document_is_stored_under_its_digest_and_read_back(tmp_path):
    cache = DocumentCache(tmp_path)
    stored = cache.store(DIGEST, "tr", RESULT)
    assert files(tmp_path) == [f"3f/{DIGEST}.html", f"3f/{DIGEST}.json", f"3f/{DIGEST}.pdf"]
    assert stored.pdf_path.read_bytes() == RESULT["pdf"]
    assert stored.html_path.read_bytes() == RESULT["html"].encode("utf-8")
    assert stored.page_path(2) == tmp_path / "3f" / f"{DIGEST}.page2.png"
    assert stored.fresh
    again = cache.cached(DIGEST)
    assert (again.digest, again.folder, again.title, again.lang, again.pages, again.draft, again.warnings,
            again.version, again.fresh) == (DIGEST, tmp_path / "3f", "Lage rugklachten", "tr", 2, True,
                                            ["te klein"], "2026-11-02", False)
    assert json.loads((tmp_path / "3f" / f"{DIGEST}.json").read_text(encoding="utf-8"))["title"] == \
        "Lage rugklachten"


def test_the_version_may_be_missing_from_a_result(tmp_path):
    result = {key: value for key, value in RESULT.items() if key != "version"}
    assert DocumentCache(tmp_path).store(DIGEST, "nl", result).version == ""


def test_not_cached_without_its_json_or_its_pdf(tmp_path):
    cache = DocumentCache(tmp_path)
    assert cache.cached(DIGEST) is None
    stored = cache.store(DIGEST, "nl", RESULT)
    stored.pdf_path.unlink()
    assert cache.cached(DIGEST) is None
    cache.store(DIGEST, "nl", RESULT)
    (tmp_path / "3f" / f"{DIGEST}.json").write_text("{not json", encoding="utf-8")
    assert cache.cached(DIGEST) is None


def test_write_quick_leaves_only_the_file(tmp_path):
    write_quick(tmp_path / "a" / "b.html", "caf\u00e9")
    assert (tmp_path / "a" / "b.html").read_bytes() == "caf\u00e9".encode("utf-8")
    assert files(tmp_path) == ["a/b.html"]


def losing_the_folder(monkeypatch, times):
    """Another process empties the cache folder just before each of the first `times` writes."""
    real_write_bytes = Path.write_bytes
    lost = []

    def write_bytes(self, data):
        if len(lost) < times:
            lost.append(self.parent)
            shutil.rmtree(self.parent)
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    return lost


def test_write_quick_once_more_when_the_folder_went(tmp_path, monkeypatch):
    target = tmp_path / "cache" / "ab" / "x.pdf"
    lost = losing_the_folder(monkeypatch, 1)
    write_quick(target, b"pdf")
    assert lost == [target.parent]
    assert target.read_bytes() == b"pdf" and files(tmp_path) == ["cache/ab/x.pdf"]


def test_write_quick_gives_up_after_two_tries(tmp_path, monkeypatch):
    target = tmp_path / "cache" / "ab" / "x.pdf"
    lost = losing_the_folder(monkeypatch, 3)
    with pytest.raises(FileNotFoundError):
        write_quick(target, b"pdf")
    assert len(lost) == 2


def test_write_quick_leaves_no_part_file_on_another_error(tmp_path):
    target = tmp_path / "x.pdf"
    target.mkdir()                       # os.replace of a file onto a folder fails
    (target / "inside").write_text("x")
    with pytest.raises(OSError):
        write_quick(target, b"pdf")
    assert files(tmp_path) == ["x.pdf/inside"]


def test_the_limit_by_default():
    assert DocumentCache("cache").max_bytes == CACHE_MAX_BYTES == 512 * 1024 * 1024


def store_many(cache, count):
    digests = [f"{n:02d}" + "cd" * 31 for n in range(count)]
    for n, digest in enumerate(digests):
        stored = cache.store(digest, "nl", RESULT)
        for path in (stored.pdf_path, stored.html_path, stored.folder / f"{digest}.json"):
            os.utime(path, (1_000_000 + n, 1_000_000 + n))       # written in this order
    return digests


def cache_bytes(folder):
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_eviction_waits_for_the_fiftieth_document(tmp_path):
    one = cache_bytes_of_one(tmp_path / "one")
    cache = DocumentCache(tmp_path / "cache", max_bytes=10 * one)
    digests = store_many(cache, 49)
    assert all(cache.cached(digest) for digest in digests)
    cache.store("49" + "cd" * 31, "nl", RESULT)
    assert cache_bytes(tmp_path / "cache") <= 8 * one


def cache_bytes_of_one(folder):
    DocumentCache(folder).store(DIGEST, "nl", RESULT)
    return cache_bytes(folder)


def test_eviction_keeps_the_newest_down_to_four_fifths(tmp_path):
    one = cache_bytes_of_one(tmp_path / "one")
    cache = DocumentCache(tmp_path / "cache", max_bytes=10 * one)
    digests = store_many(cache, 20)
    cache.evict()
    kept = [digest for digest in digests if cache.cached(digest)]
    assert kept == digests[-8:]                  # 8 of 10 whole documents: 80 % of the limit
    cache.evict()
    assert [digest for digest in digests if cache.cached(digest)] == kept   # within it: nothing goes


def test_eviction_removes_nothing_within_the_limit(tmp_path):
    one = cache_bytes_of_one(tmp_path / "one")
    cache = DocumentCache(tmp_path / "cache", max_bytes=int(20 * one / 0.8))
    digests = store_many(cache, 20)
    cache.evict()
    assert all(cache.cached(digest) for digest in digests)


def test_eviction_stops_at_four_fifths_exactly(tmp_path):
    one = cache_bytes_of_one(tmp_path / "one")
    cache = DocumentCache(tmp_path / "cache", max_bytes=int(20 * one * 1.25))
    assert cache.max_bytes * 0.8 == 20 * one
    digests = store_many(cache, 20)
    cache.evict()
    assert len(files(tmp_path / "cache")) == 3 * 20               # at 80 % exactly: nothing goes
    cache.max_bytes -= 2
    cache.evict()
    left = files(tmp_path / "cache")
    assert len(left) == 3 * 20 - 1 and f"00/{digests[0]}.html" not in left    # the oldest file went
    assert not cache.cached(digests[0]) and cache.cached(digests[1])      # a document is whole or gone


def test_eviction_counts_every_file_past_one_it_cannot_read(tmp_path):
    """A name that cannot be read (here a link to nothing) is skipped, not the end of the count."""
    one = cache_bytes_of_one(tmp_path / "one")
    cache = DocumentCache(tmp_path / "cache", max_bytes=10 * one)
    digests = store_many(cache, 20)
    for folder in (tmp_path / "cache").iterdir():
        (folder / "dangling").symlink_to(tmp_path / "nothing")
    cache.evict()
    assert [digest for digest in digests if cache.cached(digest)] == digests[-8:]


def test_eviction_goes_on_when_another_process_removed_a_file(tmp_path, monkeypatch):
    one = cache_bytes_of_one(tmp_path / "one")
    cache = DocumentCache(tmp_path / "cache", max_bytes=10 * one)
    digests = store_many(cache, 20)
    real_unlink = Path.unlink

    def unlink(self, missing_ok=False):
        os.remove(self)                   # the other process was first
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    cache.evict()
    monkeypatch.undo()
    assert [digest for digest in digests if cache.cached(digest)] == digests[-8:]


def test_write_quick_gives_the_error_it_met(tmp_path, monkeypatch):
    """A disk that is full before the temporary file exists: that error, not another one about the
    temporary file."""
    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError) as error:
        write_quick(tmp_path / "x.pdf", b"pdf")
    assert error.value.errno == 28 and files(tmp_path) == []
