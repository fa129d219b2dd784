"""output/manifest.json on its own: what the tool's digest is made of, the record read and written
back, when an output counts as there (its sizes), removing one, and the index's digest (found by
mutation testing, docs/development.md)."""

from __future__ import annotations

import json
from importlib import metadata

import pytest

from leafletgen import __version__
from leafletgen.batch import manifest
from leafletgen.batch.manifest import (FORMAT, LIBRARIES, Manifest, index_digest, library_versions,
                                       output_exists, remove_output, tool_digest)
from leafletgen.errors import MachineError
from leafletgen.inputs.digest import Hasher


def test_library_versions_name_each_library_and_its_version(monkeypatch):
    listed = library_versions().split(" ")
    assert listed == [f"{name}={metadata.version(name)}" for name in LIBRARIES]
    monkeypatch.setattr(manifest, "LIBRARIES", ("weasyprint", "no-such-library-here"))
    assert library_versions() == f"weasyprint={metadata.version('weasyprint')} no-such-library-here=-"


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package tree of its own for tool_digest (which hashes the package it lies in)."""
    root = tmp_path / "leafletgen"
    for name, text in {"render.py": "a = 1\n", "batch/manifest.py": "", "web/app.py": "b = 2\n",
                       "translate/languages/nl.toml": "x = 1\n", "templates/leaflet.html": "<p>\n"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    monkeypatch.setattr(manifest, "__file__", str(root / "batch" / "manifest.py"))
    return root


def test_the_tools_digest_follows_its_code_and_its_language_tables(package):
    def digest():
        return tool_digest(Hasher())

    first = digest()
    assert first == digest()
    (package / "render.py").write_text("a = 2\n")
    second = digest()
    assert second != first
    (package / "translate" / "languages" / "nl.toml").write_text("x = 2\n")
    third = digest()
    assert third != second
    (package / "render.py").rename(package / "renamed.py")
    fourth = digest()
    assert fourth != third
    (package / "web" / "app.py").write_text("b = 3\n")           # the web app makes no document
    (package / "templates" / "leaflet.html").write_text("<p>x\n")  # not code: the documents' parts
    assert digest() == fourth
    # An installed leafletgen's shipped/ (templates, catalogs, termbases with .toml) is hashed
    # where a document uses it, as the project's default, not as the tool.
    (package / "shipped" / "translations" / "tr").mkdir(parents=True)
    (package / "shipped" / "translations" / "tr" / "terms.toml").write_text("x = 1\n")
    (package / "shipped" / "hooks.py").write_text("c = 1\n")
    assert digest() == fourth


def test_the_tools_digest_follows_its_version_and_libraries(package, monkeypatch):
    first = tool_digest(Hasher())
    monkeypatch.setattr(manifest, "library_versions", lambda: "weasyprint=99")
    second = tool_digest(Hasher())
    assert second != first
    monkeypatch.setattr(manifest, "__version__", __version__ + ".post1")
    assert tool_digest(Hasher()) != second


RECORD = {"format": FORMAT, "tool": "t1", "index": "i1", "files": {"fonts/a.ttf": [1, 2, "d"]},
          "leaflets": {"rug": {"digest": "l"}}, "practices": {"p": {"digest": "p"}},
          "completeness": {"tr": {"digest": "c"}}, "outputs": {"b": {"entry": 2}, "a": {"entry": "é"}}}


def test_a_record_read_back_as_it_was_written(tmp_path):
    record = Manifest(tmp_path / "manifest.json", RECORD)
    record.save()
    text = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert text == record.to_json() and text.endswith("}\n") and '"é"' in text and '\n "format": 1,' in text
    data = json.loads(text)
    assert list(data) == ["format", "generator", "tool", "index", "leaflets", "practices", "completeness",
                          "outputs", "files"]
    assert data["generator"] == f"leafletgen {__version__}" and list(data["outputs"]) == ["a", "b"]
    again = Manifest.load(tmp_path)
    assert again.path == tmp_path / "manifest.json"
    assert (again.tool, again.index, again.files, again.leaflets, again.practices, again.completeness,
            again.outputs) == (RECORD["tool"], RECORD["index"], RECORD["files"], RECORD["leaflets"],
                               RECORD["practices"], RECORD["completeness"], RECORD["outputs"])


@pytest.mark.parametrize("text", [None, "{not json", json.dumps({**RECORD, "format": 0}), "[1, 2]"])
def test_no_record_or_another_format_is_an_empty_one(tmp_path, text):
    if text is not None:
        (tmp_path / "manifest.json").write_text(text, encoding="utf-8")
    record = Manifest.load(tmp_path)
    assert (record.tool, record.index, record.files, record.leaflets, record.practices, record.completeness,
            record.outputs) == ("", "", {}, {}, {}, {}, {})


def test_files_that_are_not_a_table_are_forgotten():
    assert Manifest(None, {**RECORD, "files": ["a"]}).files == {}


def write(out, relative, size):
    (out / relative).parent.mkdir(parents=True, exist_ok=True)
    (out / relative).write_bytes(b"x" * size)


ENTRY = {"pdf": "p/nl/a.pdf", "pdf_size": 10, "html": "p/nl/a.html", "html_size": 5,
         "thumbnail": "p/nl/a.png", "thumbnail_size": 3}


def test_an_output_is_there_with_every_file_at_its_size(tmp_path):
    for kind in ("pdf", "html", "thumbnail"):
        write(tmp_path, ENTRY[kind], ENTRY[f"{kind}_size"])
    assert output_exists(tmp_path, ENTRY)
    for kind in ("pdf", "html", "thumbnail"):
        write(tmp_path, ENTRY[kind], ENTRY[f"{kind}_size"] - 1)      # truncated
        assert not output_exists(tmp_path, ENTRY), kind
        write(tmp_path, ENTRY[kind], ENTRY[f"{kind}_size"])
    for kind in ("pdf", "html", "thumbnail"):
        (tmp_path / ENTRY[kind]).unlink()
        assert not output_exists(tmp_path, ENTRY), kind
        write(tmp_path, ENTRY[kind], ENTRY[f"{kind}_size"])
    assert output_exists(tmp_path, {"pdf": ENTRY["pdf"], "thumbnail": ""})     # no size recorded
    assert output_exists(tmp_path, {"pdf": ENTRY["pdf"], "pdf_size": 10, "html": None})


def test_removing_an_output_removes_its_files_and_the_folders_left_empty(tmp_path):
    out = tmp_path / "output"
    for kind in ("pdf", "html"):
        write(out, ENTRY[kind], 1)
    write(out, "p/de/b.pdf", 1)
    write(tmp_path, "outside.pdf", 1)
    removed = remove_output(out, {**ENTRY, "thumbnail": "../outside.pdf"})
    assert removed == [ENTRY["pdf"], ENTRY["html"]]
    assert not (out / "p" / "nl").exists() and (out / "p" / "de" / "b.pdf").is_file() and out.is_dir()
    assert (tmp_path / "outside.pdf").is_file()
    write(out, "q/nl/c.pdf", 1)
    assert remove_output(out, {"pdf": "q/nl/c.pdf", "html": "q/nl/gone.html"}) == ["q/nl/c.pdf"]
    assert sorted(path.name for path in out.iterdir()) == ["p"]


def test_an_output_that_cannot_be_removed_is_the_machines_error(tmp_path, monkeypatch):
    write(tmp_path, "a.pdf", 1)

    def refuse(path, missing_ok=False):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(type(tmp_path), "unlink", refuse)
    with pytest.raises(MachineError) as error:
        remove_output(tmp_path, {"pdf": "a.pdf"})
    assert str(error.value).startswith(f"{tmp_path}: cannot remove a.pdf: ")


def test_the_index_digest_follows_entries_outdated_marks_templates_and_tool():
    record = Manifest(None, RECORD)
    first = index_digest(record, "templates")
    assert first == index_digest(Manifest(None, {**RECORD, "outputs": dict(reversed(RECORD["outputs"].items()))}),
                                 "templates")
    assert index_digest(record, "templates 2") != first
    assert index_digest(Manifest(None, {**RECORD, "tool": "t2"}), "templates") != first
    assert index_digest(Manifest(None, {**RECORD, "outputs": {"a": {"entry": "é"}, "b": {"entry": 3}}}),
                        "templates") != first
    outdated = {"a": {"entry": "é", "outdated": "yes"}, "b": {"entry": 2}}
    assert index_digest(Manifest(None, {**RECORD, "outputs": outdated}), "templates") != first
    assert index_digest(Manifest(None, {**RECORD, "leaflets": {}}), "templates") == first


def test_the_index_digest_does_not_depend_on_the_order_of_an_entrys_fields():
    one = Manifest(None, {**RECORD, "outputs": {"a": {"entry": {"title": "Rug", "lang": "nl"}}}})
    other = Manifest(None, {**RECORD, "outputs": {"a": {"entry": {"lang": "nl", "title": "Rug"}}}})
    assert index_digest(one, "t") == index_digest(other, "t")


def test_each_file_of_an_output_is_checked_and_removed_whatever_it_lacks(tmp_path):
    out = tmp_path / "output"
    write(out, "p/nl/a.pdf", 10)
    write(out, "thumbnails/p/a.png", 3)
    entry = {"pdf": "p/nl/a.pdf", "pdf_size": 10, "html": None, "thumbnail": "thumbnails/p/a.png",
             "thumbnail_size": 4}
    assert not output_exists(out, entry)
    assert output_exists(out, {**entry, "thumbnail_size": 3})
    assert remove_output(out, entry) == ["p/nl/a.pdf", "thumbnails/p/a.png"]
    assert list(out.iterdir()) == []          # the output folder itself stays
