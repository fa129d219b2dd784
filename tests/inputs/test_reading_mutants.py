"""The reader that loads a document's inputs once (inputs/reading.py) answers as the disk does:
each file's bytes or refusal, kind, listing and digest the same as files.read_file, file_kind and
digest.Hasher give; the same again replayed from its record where the project is gone; and a
question the record cannot answer is never answered from the disk (found by mutation testing,
docs/development.md)."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
from pathlib import Path

import pytest

from leafletgen.errors import UserError
from leafletgen.inputs import digest, reading
from leafletgen.inputs.digest import Hasher, too_large_digest
from leafletgen.inputs.files import InputFileError, file_kind, read_file
from leafletgen.inputs.reading import InputFiles, NotRecorded

LIMIT = 3 * 1024 * 1024   # the reader's own limit here: above one read's 1 MiB, so a file is read in pieces
NAMES = ["leaflets/a.md", "leaflets/empty.md", "leaflets/img/big.png", "exact.bin", "over.bin",
         "link.md", "linked/a.md", "linked/img/big.png", "leaflets/linked/a.md", "fifo", "leaflets/img",
         "leaflets/none.md", "nowhere/a.md", "leaflets/a.md/under", "templates/own.css", "templates/shared.css",
         "templates/default.css", "templates/none.css"]
FOLDERS = ["leaflets", "leaflets/img", "linked", "leaflets/linked", "nowhere", "leaflets/a.md",
           "templates"]


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(reading, "FILE_MAX_BYTES", LIMIT)
    monkeypatch.setattr(digest, "FILE_MAX_BYTES", LIMIT)


def pattern(size: int) -> bytes:
    return bytes(index * 7 % 251 for index in range(251)) * (size // 251) + b"x" * (size % 251)


@pytest.fixture
def tree(tmp_path):
    """A project with every kind of thing a document may ask about, and leafletgen's folder."""
    root, defaults = tmp_path / "project", tmp_path / "leafletgen"
    (root / "leaflets" / "img").mkdir(parents=True)
    (root / "leaflets" / "a.md").write_bytes("# Lage rugklachten\n".encode())
    (root / "leaflets" / "empty.md").write_bytes(b"")
    (root / "leaflets" / "img" / "big.png").write_bytes(pattern(LIMIT // 2 + 5))   # three pieces
    (root / "exact.bin").write_bytes(pattern(LIMIT))
    (root / "over.bin").write_bytes(pattern(LIMIT + 1))
    (root / "link.md").symlink_to(root / "leaflets" / "a.md")
    (root / "linked").symlink_to(root / "leaflets", target_is_directory=True)
    (root / "leaflets" / "linked").symlink_to(root / "leaflets", target_is_directory=True)
    os.mkfifo(root / "fifo")
    (root / "templates").mkdir()
    (root / "templates" / "own.css").write_bytes(b"/* the practice's */")
    (root / "templates" / "shared.css").write_bytes(b"/* the practice's, over leafletgen's */")
    (defaults / "templates").mkdir(parents=True)
    (defaults / "templates" / "shared.css").write_bytes(b"/* leafletgen's */")
    (defaults / "templates" / "default.css").write_bytes(b"/* leafletgen's default */")
    (defaults / "leaflets").mkdir()
    (defaults / "leaflets" / "none.md").write_bytes(b"not a default: never read")
    return root, defaults


def answer(read, *args):
    try:
        return "read", read(*args)
    except InputFileError as exc:
        return "refused", str(exc), exc.reason, exc.kind


def disk_answer(root: Path, defaults: Path | None, name: str, limit: int):
    """What files.read_file says, leafletgen's own file taken where the project has no default."""
    found = answer(read_file, root, name, limit)
    if defaults is not None and found[-1] == "missing" and name.startswith("templates/"):
        return answer(read_file, defaults, name, limit) if (defaults / name).exists() else found
    return found


def limits(name: str, root: Path, defaults: Path) -> list[int]:
    """The reader's limit, the file's size and one byte short of it (never over the reader's)."""
    path = root / name if (root / name).exists() else defaults / name
    size = min(path.stat().st_size, LIMIT) if path.is_file() and not path.is_symlink() else 0
    return list(dict.fromkeys([LIMIT, size, max(size - 1, 0)]))


def disk_digest(root: Path, defaults: Path, name: str) -> str:
    path = root / name
    if name.startswith("templates/") and not os.path.lexists(path) and (defaults / name).exists():
        path = defaults / name
    return Hasher(root=root).file(path)


def check_answers(files: InputFiles, root: Path, defaults: Path, expected: dict) -> None:
    for name in NAMES:
        for limit in limits(name, root, defaults) if expected is None else expected[name]["limits"]:
            got = answer(files.read, name, limit)
            want = expected[name][limit] if expected else disk_answer(root, defaults, name, limit)
            assert got == want, (name, limit)


def disk_facts(root: Path, defaults: Path) -> dict:
    facts = {}
    for name in NAMES:
        facts[name] = {"limits": limits(name, root, defaults), "digest": disk_digest(root, defaults, name)}
        for limit in facts[name]["limits"]:
            facts[name][limit] = disk_answer(root, defaults, name, limit)
    return facts


def test_every_answer_is_the_disks_and_the_same_again_replayed(tree, small_limit):
    root, defaults = tree
    facts = disk_facts(root, defaults)
    files = InputFiles(root, defaults)
    check_answers(files, root, defaults, facts)
    for name in NAMES:
        assert files.file(root / name) == facts[name]["digest"], name
        from_defaults = name == "templates/default.css"
        assert files.kind(name) == file_kind(defaults if from_defaults else root, name), name
    trees = {folder: files.tree(root / folder) for folder in FOLDERS}
    for folder in FOLDERS[:-1]:
        assert trees[folder] == Hasher().tree(root / folder), folder
    assert files.entries("templates") == ["default.css", "own.css", "shared.css"]
    assert files.entries("leaflets") == ["a.md", "empty.md", "img/big.png", "linked"]
    assert files.entries("linked") == files.entries("nowhere") == files.entries("leaflets/a.md") == []
    listings = {folder: files.listdir(folder) for folder in ["leaflets", "nowhere", "templates"]}
    assert listings == {"leaflets": ["a.md", "empty.md", "img", "linked"], "nowhere": [],
                        "templates": ["own.css", "shared.css"]}
    assert files.from_defaults == {"templates/default.css"}

    # What travels to a Dask worker: plain data, then the project gone.
    record, blobs = pickle.loads(pickle.dumps(files.wire()))
    assert record["defaults"] == ["templates/default.css"] and record["root"] == str(root)
    shutil.rmtree(root.parent)
    again = InputFiles.replay(record, blobs)
    check_answers(again, root, defaults, facts)
    assert {name: again.file(root / name) for name in NAMES} == {name: facts[name]["digest"] for name in NAMES}
    assert {folder: again.tree(root / folder) for folder in FOLDERS} == trees
    assert {folder: again.listdir(folder) for folder in listings} == listings
    assert again.kind("fifo") == "other" and again.kind("templates/default.css") == "file"
    assert again.from_defaults == {"templates/default.css"}
    assert again.wire() == (record, blobs)


def test_a_default_is_read_only_where_the_project_has_none_and_only_for_defaults(tree):
    root, defaults = tree
    files = InputFiles(root, defaults)
    assert files.read("templates/shared.css", 100) == b"/* the practice's, over leafletgen's */"
    assert files.read("templates/default.css", 100) == b"/* leafletgen's default */"
    assert answer(files.read, "leaflets/none.md", 100)[-1] == "missing"
    assert files.kind("leaflets/none.md") == "missing" and files.kind("templates/default.css") == "file"
    (root / "templates" / "linked.css").symlink_to(defaults / "templates" / "default.css")
    (defaults / "templates" / "linked.css").write_bytes(b"/* leafletgen's */")
    assert answer(files.read, "templates/linked.css", 100)[-1] == "link"   # never the default
    assert files.kind("templates/linked.css") == "symlink"
    assert files.from_defaults == {"templates/default.css"}
    # Without leafletgen's folder nothing is taken from it.
    alone = InputFiles(root)
    assert answer(alone.read, "templates/default.css", 100)[-1] == "missing"
    assert alone.kind("templates/default.css") == "missing" and alone.entries("templates") == [
        "linked.css", "own.css", "shared.css"]


def test_a_linked_or_missing_templates_folder_takes_no_default_in_its_place(tree):
    root, defaults = tree
    shutil.rmtree(root / "templates")
    files = InputFiles(root, defaults)
    assert files.entries("templates") == ["default.css", "shared.css"]            # none of its own
    (root / "templates").symlink_to(defaults / "templates", target_is_directory=True)
    files = InputFiles(root, defaults)
    assert files.entries("templates") == [] and files.tree(root / "templates") == Hasher().tree(root / "templates")


def test_a_file_that_grows_while_it_is_read_is_refused_like_the_disk_refuses_it(tree, small_limit, monkeypatch):
    root, defaults = tree
    real = os.fstat

    def before_it_grew(fd):   # the size seen when the file was opened; more arrives meanwhile
        info = real(fd)
        return os.stat_result((*tuple(info)[:6], 0, *tuple(info)[7:10]))

    monkeypatch.setattr(os, "fstat", before_it_grew)
    for name in ["over.bin", "exact.bin", "leaflets/img/big.png"]:
        files = InputFiles(root, defaults)
        assert answer(files.read, name, LIMIT) == answer(read_file, root, name, LIMIT), name
    # The reader reads at most one byte over its limit, however much the file grows meanwhile.
    (root / "growing.bin").write_bytes(pattern(LIMIT + 4096))
    read_sizes, real_read = [], os.read

    def counted(fd, size):
        data = real_read(fd, size)
        read_sizes.append(len(data))
        return data

    monkeypatch.setattr(os, "read", counted)
    files = InputFiles(root, defaults)
    assert answer(files.read, "growing.bin", LIMIT)[-1] == "too large"
    assert sum(read_sizes) == LIMIT + 1 and max(read_sizes) <= 1 << 20
    assert files.file(root / "growing.bin") == too_large_digest(LIMIT + 1)


def test_a_file_that_cannot_be_read_is_refused_with_the_systems_reason(tree, monkeypatch):
    root, defaults = tree

    def failing(fd, size):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    files = InputFiles(root, defaults)
    with monkeypatch.context() as patch:
        patch.setattr(os, "read", failing)
        got = answer(files.read, "leaflets/a.md", 100)
        want = answer(read_file, root, "leaflets/a.md", 100)
    assert got == want and got[1] == "cannot be read: Input/output error"
    assert files.file(root / "leaflets" / "a.md") == "-"     # like a file that is not there


def test_a_replayed_reading_answers_nothing_it_was_not_asked(tree):
    root, defaults = tree
    files = InputFiles(root, defaults)
    files.read("leaflets/a.md", 100)
    files.entries("templates")          # listed, none of its files read
    files.tree(root / "leaflets")       # listed, and each of its files read
    files.seal()
    with pytest.raises(NotRecorded, match="templates/own.css was not read"):
        files.read("templates/own.css", 100)
    record, blobs = files.wire()
    again = InputFiles.replay(record, blobs)
    assert again.read("leaflets/a.md", 100) == (root / "leaflets" / "a.md").read_bytes()
    for ask, message in [(lambda: again.read("exact.bin", 100), "exact.bin was not read"),
                         (lambda: again.read("templates/shared.css", 100), "templates/shared.css was not read"),
                         (lambda: again.file(root / "exact.bin"), "exact.bin was not read"),
                         (lambda: again.file(root.parent / "elsewhere"), "is outside the project"),
                         (lambda: again.entries("nowhere"), "nowhere/ was not listed"),
                         (lambda: again.listdir("leaflets"), "leaflets/ was not listed"),
                         (lambda: again.kind("leaflets/a.md"), "leaflets/a.md was not looked at")]:
        with pytest.raises(NotRecorded, match=message):
            ask()
    # Below a folder whose listing was recorded, a file not read is known not to be there.
    for name in ["templates/none.css", "templates/sub/none.css", "leaflets/linked/a.md",
                 "leaflets/linked/deeper/a.md", "leaflets/nonesuch.md", "leaflets/a.md/under"]:
        assert answer(again.read, name, 100) == answer(read_file, root, name, 100), name
        assert again.file(root / name) == "-"
    assert again.errors["templates/none.css"].missing


def test_below_a_linked_folder_a_replayed_file_is_refused_as_the_link(tree):
    root, defaults = tree
    files = InputFiles(root, defaults)
    files.entries("linked")
    again = InputFiles.replay(*files.wire())
    assert answer(again.read, "linked/a.md", 100) == answer(read_file, root, "linked/a.md", 100)
    assert again.tree(root / "linked") == Hasher().tree(root / "linked")
    # A folder that was missing (its listing "-") says "does not exist" below it, not "link".
    files.entries("nowhere")
    again = InputFiles.replay(*files.wire())
    assert answer(again.read, "nowhere/a.md", 100) == answer(read_file, root, "nowhere/a.md", 100)


def test_bytes_that_are_not_the_ones_sent_are_refused_where_they_arrive(tree):
    root, defaults = tree
    files = InputFiles(root, defaults)
    files.read("leaflets/a.md", 100)
    record, blobs = files.wire()
    [(digest_, data)] = blobs.items()
    with pytest.raises(UserError, match="^leaflets/a.md: the bytes that arrived here are not the bytes "
                                        "read on the machine that sent them; not rendered$"):
        InputFiles.replay(record, {digest_: data + b"\n1000 mg"})


def test_a_file_over_the_readers_own_limit_is_refused_whatever_limit_is_asked(tree, small_limit):
    root, defaults = tree
    files = InputFiles(root, defaults)
    assert answer(files.read, "over.bin", 2 * LIMIT) == answer(read_file, root, "over.bin", LIMIT)
    again = InputFiles.replay(*files.wire())
    assert answer(again.read, "over.bin", 2 * LIMIT) == answer(read_file, root, "over.bin", LIMIT)
    assert answer(again.read, "over.bin", 10)[1] == f"is {LIMIT + 1:,} bytes; the limit is 10 bytes"


def test_a_file_or_folder_outside_the_project_is_hashed_as_the_disk_has_it(tree):
    root, defaults = tree
    files = InputFiles(root, defaults)
    outside = root.parent / "leafletgen"
    assert files.file(outside / "templates" / "shared.css") == Hasher().file(outside / "templates" / "shared.css")
    assert files.tree(outside / "templates") == Hasher().tree(outside / "templates")
    assert files.data == {}                    # nothing of it kept as the project's


def test_contents_are_only_a_project_files_and_none_when_refused(tree):
    root, defaults = tree
    files = InputFiles(root, defaults)
    assert files.contents(root, "leaflets/a.md", 100) == (root / "leaflets" / "a.md").read_bytes()
    assert files.contents(defaults, "templates/shared.css", 100) is None     # not this project
    assert files.contents(root, "link.md", 100) is None
    assert files.contents(root, "leaflets/a.md", 3) is None


def test_below_an_entry_the_record_cannot_judge_nothing_is_answered(tree):
    """A name below a listed entry that was never read could lie below a file (not there) or a
    link (refused): the record cannot say which, so it says nothing."""
    root, defaults = tree
    files = InputFiles(root, defaults)
    files.entries("leaflets")
    again = InputFiles.replay(*files.wire())
    for name in ["leaflets/linked/a.md", "leaflets/a.md/under", "leaflets/a.md"]:
        with pytest.raises(NotRecorded):
            again.read(name, 100)
    assert answer(again.read, "leaflets/none.md", 100)[-1] == "missing"


def test_what_no_listing_holds_is_refused_as_the_disk_or_the_digest_would(tree):
    """Listings (files.tree_entries) leave out hidden names, caches and folders: a replayed
    reading says a folder is a folder, and refuses a hidden file (never in a digest, so never
    rendered), instead of calling either missing."""
    root, defaults = tree
    (root / "templates" / "blocks" / "paragraph.html.j2").mkdir(parents=True)
    (root / "templates" / "blocks" / "paragraph.html.j2" / "x.txt").write_bytes(b"x")
    (root / "templates" / ".extra.html.j2").write_bytes(b"<p>hidden</p>")
    (root / "templates" / "__pycache__").mkdir()
    (root / "templates" / "__pycache__" / "x.html.j2").write_bytes(b"<p>cache</p>")
    files = InputFiles(root, defaults)
    files.tree(root / "templates")
    again = InputFiles.replay(*files.wire())
    folder = "templates/blocks/paragraph.html.j2"
    assert answer(again.read, folder, 100) == answer(read_file, root, folder, 100)
    (root / "templates" / "blocks" / "__pycache__").mkdir()
    (root / "templates" / "blocks" / "__pycache__" / "y.html.j2").write_bytes(b"<p>cache</p>")
    (root / "templates" / "blocks" / ".y.html.j2").write_bytes(b"<p>hidden</p>")
    for name in ["templates/.extra.html.j2", "templates/__pycache__/x.html.j2", "templates/.git/x",
                 "templates/blocks/__pycache__/y.html.j2", "templates/blocks/.y.html.j2"]:
        assert answer(again.read, name, 100)[2:] == (
            "is hidden (a name on its way starts with a dot, or it lies in __pycache__); hidden files "
            "are not read", "hidden"), name
        assert answer(read_file, root, name, 100)[0] == "read" or name.endswith(".git/x")
    with pytest.raises(NotRecorded, match="is not a folder of the project"):
        again.tree(root.parent / "leafletgen" / "templates")
