"""The digest formulas on their own: each part of a document follows each of its files (and only
those), a link is hashed as a link, a big file is recognised by size and time, and the digest an
output is recorded under follows its name, its parts and the tool (found by mutation testing,
docs/development.md)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import replace

import pytest

from leafletgen.inputs import digest, project as project_module
from leafletgen.inputs.digest import (BIG_FILE, FILE_MAX_BYTES, Hasher, catalogs_digest, combine,
                                      document_families, document_parts, fonts_digest, leaflet_digest,
                                      output_digest, practice_digest, special_digest, templates_digest,
                                      too_large_digest, web_prefix)
from leafletgen.inputs.project import Project
from leafletgen.inputs.reading import InputFiles
from leafletgen.request import BuildRequest
from leafletgen.typeset.fonts import font_faces

LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_combine_separates_its_parts():
    assert combine("ab", "c") != combine("a", "bc")
    assert combine("a") == sha(b"a\0")
    assert combine() == sha(b"")


def test_a_file_is_hashed_once_by_its_bytes(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"inhoud")
    hasher = Hasher()
    assert hasher.file(path) == sha(b"inhoud")
    path.write_bytes(b"anders")
    assert hasher.file(str(path)) == sha(b"inhoud")          # read once per Hasher
    assert Hasher().file(path) == sha(b"anders")
    assert Hasher().file(tmp_path / "missing") == "-"


def test_links_and_other_files_are_hashed_as_what_they_are(tmp_path):
    (tmp_path / "target").write_bytes(b"x")
    (tmp_path / "link").symlink_to("target")
    assert Hasher().file(tmp_path / "link") == combine("link", "target")
    (tmp_path / "folder").mkdir()
    assert Hasher().file(tmp_path / "folder") == combine("other", "")
    assert special_digest(tmp_path / "folder", os.lstat(tmp_path / "folder")) == combine("other", "")
    assert special_digest(tmp_path / "gone", os.lstat(tmp_path / "link")) == "-"


def test_a_file_over_the_limit_is_its_size(tmp_path):
    path = tmp_path / "huge.bin"
    with open(path, "wb") as fh:
        fh.truncate(FILE_MAX_BYTES + 1)
    assert Hasher().file(path) == too_large_digest(FILE_MAX_BYTES + 1) == combine("too large", str(FILE_MAX_BYTES + 1))
    with open(path, "wb") as fh:
        fh.truncate(FILE_MAX_BYTES)
    assert Hasher().file(path) == sha(b"\0" * FILE_MAX_BYTES)


def test_a_big_file_is_known_by_size_and_time(tmp_path):
    path = tmp_path / "font.ttf"
    path.write_bytes(b"f" * BIG_FILE)
    stat = os.stat(path)
    hasher = Hasher()
    real = hasher.file(path)
    assert real == sha(b"f" * BIG_FILE)
    assert hasher.used == {str(path): [BIG_FILE, stat.st_mtime_ns, real]}
    remembered = Hasher({str(path): [BIG_FILE, stat.st_mtime_ns, "remembered"]})
    assert remembered.file(path) == "remembered" and remembered.used[str(path)][2] == "remembered"
    assert Hasher({str(path): [BIG_FILE, stat.st_mtime_ns + 1, "old"]}).file(path) == real
    assert Hasher({str(path): [BIG_FILE + 1, stat.st_mtime_ns, "old"]}).file(path) == real
    small = tmp_path / "small"
    small.write_bytes(b"s" * (BIG_FILE - 1))
    small_stat = os.stat(small)
    cached = Hasher({str(small): [BIG_FILE - 1, small_stat.st_mtime_ns, "old"]})
    assert cached.file(small) == sha(b"s" * (BIG_FILE - 1)) and cached.used == {}


def test_an_unreadable_file_is_missing(tmp_path, monkeypatch):
    path = tmp_path / "a"
    path.write_bytes(b"a")

    real_open = os.open

    def refuse(name, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(digest.os, "open", refuse)
    assert Hasher().file(path) == "-"
    monkeypatch.undo()

    def failing(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(digest.hashlib, "file_digest", failing)     # it breaks while being read
    assert Hasher().file(path) == "-"


def test_collect_names_every_file_asked_about_meanwhile(tmp_path):
    hasher = Hasher()
    hasher.file(tmp_path / "before")
    with hasher.collect() as outer:
        hasher.file(tmp_path / "before")
        with hasher.collect() as inner:
            hasher.file(tmp_path / "missing")
    hasher.file(tmp_path / "after")
    assert outer == [tmp_path / "before", tmp_path / "missing"] and inner == [tmp_path / "missing"]
    assert hasher.collectors == []


def test_a_tree_is_its_names_and_contents_without_hidden_files_or_links_followed(tmp_path):
    folder = tmp_path / "templates"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_bytes(b"a")
    (folder / "sub" / "b.css").write_bytes(b"b")
    first = Hasher().tree(folder)
    assert first == combine("a.html", sha(b"a"), "sub/b.css", sha(b"b"))
    (folder / ".hidden").write_bytes(b"h")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "x.pyc").write_bytes(b"p")
    assert Hasher().tree(folder) == first
    (folder / "elsewhere").symlink_to(tmp_path)
    assert Hasher().tree(folder) == combine("a.html", sha(b"a"), "elsewhere", combine("link", str(tmp_path)),
                                            "sub/b.css", sha(b"b"))
    assert Hasher().tree(tmp_path / "missing") == "-"
    (tmp_path / "linked").symlink_to(folder)
    assert Hasher().tree(tmp_path / "linked") == combine("link", str(folder))


def test_contents_are_read_as_an_input_is(tmp_path):
    (tmp_path / "a.toml").write_bytes(b"12345")
    (tmp_path / "b.toml").symlink_to("a.toml")
    assert Hasher().contents(tmp_path, "a.toml", 5) == b"12345"
    assert Hasher().contents(tmp_path, "a.toml", 4) is None
    assert Hasher().contents(tmp_path, "b.toml", 5) is None


def changes(project, part, edit) -> bool:
    before = part()
    edit()
    return part() != before


def append(path, data=b"\n"):
    def edit():
        with open(path, "ab") as fh:
            fh.write(data)
    return edit


def test_the_leaflets_part_follows_its_text_and_its_pictures(project):
    (project.leaflets_dir / "img").mkdir(exist_ok=True)
    (project.leaflets_dir / "img" / "rug.png").write_bytes(b"png")

    def part():
        return leaflet_digest(project, Hasher(), LEAFLET, ["img/rug.png"])

    assert changes(project, part, append(project.leaflets_dir / f"{LEAFLET}.md"))
    assert changes(project, part, append(project.leaflets_dir / "img" / "rug.png"))
    assert part() != leaflet_digest(project, Hasher(), LEAFLET, [])
    assert part() == combine(Hasher().file(project.leaflets_dir / f"{LEAFLET}.md"),
                             "img/rug.png " + sha(b"png\n"))


def test_the_practices_part_follows_profile_folder_and_logo(project):
    def part():
        return practice_digest(project, Hasher(), PRACTICE)

    profile = project.practices_dir / f"{PRACTICE}.toml"
    assert changes(project, part, append(profile))
    folder = project.practices_dir / PRACTICE
    folder.mkdir(exist_ok=True)
    assert changes(project, part, append(folder / "templates.css", b"p {}"))
    logo = project.practices_dir / "logos" / "elsewhere.png"
    logo.parent.mkdir(exist_ok=True)
    logo.write_bytes(b"logo")
    text = profile.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("logo")]
    profile.write_text('logo = "logos/elsewhere.png"\n' + "\n".join(lines) + "\n", encoding="utf-8")
    assert changes(project, part, append(logo))
    profile.write_text('logo = "../outside.png"\n' + "\n".join(lines) + "\n", encoding="utf-8")
    (project.root / "outside.png").write_bytes(b"o")
    assert not changes(project, part, append(project.root / "outside.png"))
    assert practice_digest(project, Hasher(), "default") == "default"


def test_a_profile_that_is_not_toml_or_too_big_still_has_a_part(project):
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.write_bytes(b"logo = [unclosed")
    broken = practice_digest(project, Hasher(), PRACTICE)
    assert broken == combine(sha(b"logo = [unclosed"), Hasher().tree(project.practices_dir / PRACTICE))
    profile.write_bytes(b"# " + b"x" * (64 * 1024) + b'\nlogo = "x.png"\n')
    (project.practices_dir / "x.png").write_bytes(b"x")
    big = practice_digest(project, Hasher(), PRACTICE)
    assert big == combine(Hasher().file(profile), Hasher().tree(project.practices_dir / PRACTICE))
    profile.write_bytes(b'logo = ""\n')
    assert practice_digest(project, Hasher(), PRACTICE) == combine(
        sha(b'logo = ""\n'), Hasher().tree(project.practices_dir / PRACTICE))
    profile.write_bytes(b'logo = "x.png"\n')
    assert practice_digest(project, Hasher(), PRACTICE) == combine(
        sha(b'logo = "x.png"\n'), Hasher().tree(project.practices_dir / PRACTICE), sha(b"x"))
    profile.write_bytes('\ufefflogo = "x.png"\n'.encode("utf-8"))
    assert practice_digest(project, Hasher(), PRACTICE) == combine(
        Hasher().file(profile), Hasher().tree(project.practices_dir / PRACTICE), sha(b"x"))
    profile.write_bytes(b'logo = "sub\\\\..\\\\x.png"\n')
    assert practice_digest(project, Hasher(), PRACTICE) == combine(
        Hasher().file(profile), Hasher().tree(project.practices_dir / PRACTICE))


@pytest.mark.parametrize("name", ["leaflet", "template", "review", "language", "terms"])
def test_the_catalogs_part_follows_each_of_its_files(project, name):
    folder = project.translations_dir / "de"
    path = {"leaflet": project.catalog_path(LEAFLET, "de"), "template": project.catalog_path("leafletgen", "de"),
            "review": folder / "LC_MESSAGES" / f"{LEAFLET}.review.toml", "language": folder / "language.toml",
            "terms": folder / "terms.toml"}[name]
    assert changes(project, lambda: catalogs_digest(project, Hasher(), LEAFLET, "de"), append(path, b"# x\n"))


def test_the_catalogs_part_of_dutch_is_empty_and_other_languages_differ(project):
    assert catalogs_digest(project, Hasher(), LEAFLET, "nl") == ""
    assert catalogs_digest(project, Hasher(), LEAFLET, "de") != catalogs_digest(project, Hasher(), LEAFLET, "tr")


def test_the_templates_part_is_the_templates_folder(project):
    assert templates_digest(project, Hasher()) == Hasher().tree(project.templates_dir)


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """leafletgen's own folder, with templates a content folder may lack."""
    folder = tmp_path / "leafletgen"
    (folder / "templates" / "blocks").mkdir(parents=True)
    (folder / "templates" / "leaflet.css").write_bytes(b"/* leafletgen's */")
    (folder / "templates" / "blocks" / "advice.html.j2").write_bytes(b"{{ advice }}")
    monkeypatch.setattr(project_module, "SHIPPED_ROOT", folder)
    return folder


@pytest.mark.parametrize("own", ["none", "some", "link", "file"])
def test_the_templates_part_is_a_copy_of_leafletgens_under_the_projects_own(tmp_path, shipped, own):
    """What the plan hashes from the disk, what a document's reading hashes, and a project that
    holds a copy of leafletgen's templates with its own on top: one digest. A linked templates
    folder is hashed as a link, and one that is a file as missing: never leafletgen's instead."""
    root, copy = tmp_path / "project", tmp_path / "copy"
    root.mkdir()
    shutil.copytree(shipped / "templates", copy / "templates")
    if own == "some":
        for folder in (root, copy):
            (folder / "templates").mkdir(exist_ok=True)
            (folder / "templates" / "leaflet.css").write_bytes(b"/* the practice's */")
            (folder / "templates" / "practice.css").write_bytes(b"/* only the practice's */")
    elif own == "link":
        (root / "templates").symlink_to(shipped / "templates", target_is_directory=True)
    elif own == "file":
        (root / "templates").write_bytes(b"not a folder")
    project = Project(root)
    reading = replace(project, files=InputFiles(root, project.defaults))
    expected = Hasher().tree(root / "templates") if own in ("link", "file") else Hasher().tree(copy / "templates")
    assert templates_digest(project, Hasher()) == templates_digest(reading, reading.files) == expected
    assert expected != Hasher().tree(shipped / "templates") or own == "none"


def test_a_drafts_leaflet_part_is_the_draft(tmp_path):
    (tmp_path / "leaflets" / "drafts").mkdir(parents=True)
    (tmp_path / "leaflets" / "rug.md").write_bytes(b"approved")
    (tmp_path / "leaflets" / "drafts" / "rug.md").write_bytes(b"draft")
    project = Project(tmp_path)
    assert leaflet_digest(project, Hasher(), "rug", []) == combine(sha(b"approved"))
    assert leaflet_digest(project, Hasher(), "rug", [], from_draft=True) == combine(sha(b"draft"))
    draft = document_parts(project, Hasher(), BuildRequest("rug", "nl", from_draft=True), [], "f")
    assert draft["leaflet"] == combine(sha(b"draft"))


def test_the_fonts_part_follows_the_page_families_files():
    seen = []

    def file_digest(path):
        seen.append(path)
        return f"d:{path.name}"

    families = ("Atkinson Hyperlegible",)
    value = fonts_digest(file_digest, families)
    faces = [face for face in font_faces() if face.family in families]
    assert seen == [face.path for face in faces] and faces
    assert value == combine(*[f"{f.family} {f.weight} {f.style} d:{f.path.name}" for f in faces])
    assert fonts_digest(file_digest, ("Noto Sans",)) != value


def test_the_page_families_of_a_request():
    from leafletgen.typeset.fonts import page_families
    assert document_families(BuildRequest(LEAFLET, "ar")) == page_families("ar")
    assert document_families(BuildRequest(LEAFLET, "ar", bilingual=True)) == page_families("ar", "nl")
    assert document_families(BuildRequest(LEAFLET, "nl", bilingual=True)) == page_families("nl")


def test_document_parts_are_named(project):
    request = BuildRequest(LEAFLET, "de", PRACTICE)
    parts = document_parts(project, Hasher(), request, [], "fonts!")
    assert parts == {"leaflet": leaflet_digest(project, Hasher(), LEAFLET, []),
                     "catalogs": catalogs_digest(project, Hasher(), LEAFLET, "de"),
                     "practice": practice_digest(project, Hasher(), PRACTICE),
                     "templates": templates_digest(project, Hasher()), "fonts": "fonts!"}
    assert list(parts) == list(digest.PARTS)


def test_the_output_digest_follows_name_parts_and_tool():
    parts = {"leaflet": "l", "fonts": "f"}
    value = output_digest(("a",), parts, "t")
    assert value == combine("a", "fonts=f", "leaflet=l", "tool=t")
    assert output_digest(("b",), parts, "t") != value
    assert output_digest(("a",), {**parts, "fonts": "g"}, "t") != value
    assert output_digest(("a",), parts, "u") != value


def test_the_web_apps_name_of_a_document():
    assert web_prefix({"b": 1, "a": "é"}) == ("web", json.dumps({"a": "é", "b": 1}))


def _swapped_after_lstat(monkeypatch, path, real_file):
    """os.lstat says `path` is `real_file`'s kind of thing (a regular file): what it was a moment
    before it was swapped for a pipe or a link."""
    real_lstat = os.lstat

    def lstat(name, *args, **kwargs):
        return real_lstat(real_file) if str(name) == str(path) else real_lstat(name, *args, **kwargs)

    monkeypatch.setattr(digest.os, "lstat", lstat)


def test_a_file_swapped_for_a_pipe_after_it_was_looked_at_is_never_waited_on(tmp_path, monkeypatch):
    import signal

    (tmp_path / "real.md").write_bytes(b"tekst")
    os.mkfifo(tmp_path / "swapped.md")
    _swapped_after_lstat(monkeypatch, tmp_path / "swapped.md", tmp_path / "real.md")

    def stuck(*_):
        raise TimeoutError("the hasher waited on a pipe")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(10)
    try:
        assert Hasher().file(tmp_path / "swapped.md") == combine("other", "")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_file_swapped_for_a_link_after_it_was_looked_at_is_not_followed(tmp_path, monkeypatch):
    (tmp_path / "real.md").write_bytes(b"tekst")
    (tmp_path / "outside.md").write_bytes(b"buiten het project")
    (tmp_path / "swapped.md").symlink_to(tmp_path / "outside.md")
    _swapped_after_lstat(monkeypatch, tmp_path / "swapped.md", tmp_path / "real.md")
    assert Hasher().file(tmp_path / "swapped.md") == "-"


def test_a_file_below_a_linked_folder_is_hashed_as_the_link_and_never_read(tmp_path, monkeypatch):
    """The plan's hasher (given the project's root) and a document's reading agree, and neither
    opens the file the link leads to; a hasher without a root (the tool's source, the fonts)
    hashes the file it is given."""
    root, outside = tmp_path / "project", tmp_path / "outside"
    outside.mkdir()
    (outside / "rug.md").write_bytes(b"buiten het project")
    (root / "leaflets" / "img").mkdir(parents=True)
    (root / "leaflets" / "drafts").symlink_to(outside, target_is_directory=True)
    (root / "leaflets" / "img" / "rug.png").write_bytes(b"png")
    opened, real_open = [], os.open

    def spy(name, *args, **kwargs):
        opened.append(str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(digest.os, "open", spy)
    draft = root / "leaflets" / "drafts" / "rug.md"
    link = special_digest(root / "leaflets" / "drafts", os.lstat(root / "leaflets" / "drafts"))
    assert Hasher(root=root).file(draft) == link == InputFiles(root).file(draft)
    assert not [name for name in opened if name.endswith("rug.md")]
    picture = root / "leaflets" / "img" / "rug.png"
    assert Hasher(root=root).file(picture) == sha(b"png") == InputFiles(root).file(picture)
    assert Hasher(root=root).file(root / "leaflets" / "nowhere" / "x.md") == "-"
    assert Hasher().file(draft) == sha(b"buiten het project")


def test_a_project_reached_through_a_linked_folder_is_hashed_as_its_files(tmp_path):
    """The folders above the project's root are the machine's business (/srv/leaflets may lead
    to /data/leaflets): only a link below the root makes a file the link's."""
    real = tmp_path / "data" / "project"
    (real / "leaflets").mkdir(parents=True)
    (real / "leaflets" / "rug.md").write_bytes(b"tekst")
    (tmp_path / "srv").symlink_to(tmp_path / "data", target_is_directory=True)
    root = tmp_path / "srv" / "project"
    leaflet = root / "leaflets" / "rug.md"
    assert Hasher(root=root).file(leaflet) == sha(b"tekst") == InputFiles(root).file(leaflet)


def test_a_readings_file_outside_the_project_below_a_link_is_hashed_as_the_plans(tmp_path):
    """A file outside the project (leafletgen's defaults, a font) reached through a linked folder
    (a venv's `lib64`, `/usr/lib64`) is hashed as its bytes by a document's reading, as the plan's
    hasher does: the link rule is only for links inside the project."""
    root, outside = tmp_path / "project", tmp_path / "outside"
    root.mkdir()
    (outside / "real").mkdir(parents=True)
    (outside / "real" / "font.ttf").write_bytes(b"glyphs")
    (outside / "lib64").symlink_to(outside / "real", target_is_directory=True)
    font = outside / "lib64" / "font.ttf"
    assert InputFiles(root).file(font) == Hasher(root=root).file(font) == sha(b"glyphs")
