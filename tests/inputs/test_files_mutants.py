"""Reading an input file on its own: each refusal with its kind and its words, the size limit to
the byte, what a path is made of, the kinds of a path, and a folder's entries (found by mutation
testing, docs/development.md)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from leafletgen.errors import UserError
from leafletgen.inputs import files
from leafletgen.inputs.files import (InputFileError, file_kind, file_stat, inside, is_file, open_file, read_file,
                                     read_input, relative_parts, tree_entries)


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "root"
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "a" / "b" / "c.txt").write_bytes(b"0123456789")
    (folder / "a" / "empty.txt").write_bytes(b"")
    (tmp_path / "outside.txt").write_bytes(b"secret")
    (folder / "a" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (folder / "a" / "linked").symlink_to(tmp_path, target_is_directory=True)
    return folder


@pytest.mark.parametrize("relative, parts", [("a/b/c.txt", ("a", "b", "c.txt")),
                                             ("./a//b/./c.txt", ("a", "b", "c.txt")),
                                             (Path("a") / "b", ("a", "b"))])
def test_the_parts_of_a_path(relative, parts):
    assert relative_parts(relative) == parts


@pytest.mark.parametrize("relative, reason", [
    ("a/\0b", "has a NUL character in its name"),
    ("/etc/passwd", "must be a path inside its folder, not an absolute path"),
    ("", "must be a path inside its folder (no '..')"),
    (".", "must be a path inside its folder (no '..')"),
    ("a/../b", "must be a path inside its folder (no '..')"),
])
def test_a_path_that_leaves_its_folder(relative, reason):
    with pytest.raises(InputFileError) as error:
        relative_parts(relative)
    assert (error.value.reason, error.value.kind, str(error.value)) == (reason, "outside", reason)
    assert not error.value.missing


def test_reading_to_the_byte_of_the_limit(root):
    assert read_file(root, "a/b/c.txt", 10) == b"0123456789"
    assert read_file(root, "a/empty.txt", 0) == b""
    with pytest.raises(InputFileError) as error:
        read_file(root, "a/b/c.txt", 9)
    assert (error.value.reason, error.value.kind) == ("is 10 bytes; the limit is 9 bytes", "too large")
    big = root / "a" / "big.bin"
    big.write_bytes(b"x" * (3 << 20))                  # read in pieces of 1 MiB
    assert read_file(root, "a/big.bin", 3 << 20) == b"x" * (3 << 20)
    with pytest.raises(InputFileError, match="is 3,145,728 bytes; the limit is 3,145,727 bytes"):
        read_file(root, "a/big.bin", (3 << 20) - 1)


def test_a_file_that_grows_while_it_is_read(root, monkeypatch):
    sizes = []

    def read(fd, size):                    # a file that keeps growing
        sizes.append(size)
        return b"x" * size

    monkeypatch.setattr(files.os, "read", read)
    with pytest.raises(InputFileError) as error:
        read_file(root, "a/b/c.txt", 12)
    assert (error.value.reason, error.value.kind) == ("is more than 12 bytes; the limit is 12 bytes", "too large")
    assert sizes == [13]                   # never more than the limit and one byte


def test_an_error_while_reading(root, monkeypatch):
    def fail(fd, size):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files.os, "read", fail)
    with pytest.raises(InputFileError) as error:
        read_file(root, "a/b/c.txt", 100)
    assert (error.value.reason, error.value.kind) == ("cannot be read: Input/output error", "unreadable")


def test_every_descriptor_is_closed(root):
    before = len(os.listdir("/proc/self/fd"))
    for relative in ("a/b/c.txt", "a/link.txt", "a/linked/outside.txt", "a/missing", "a/b", "a/b/c.txt/d"):
        try:
            read_file(root, relative, 100)
        except InputFileError:
            pass
    with pytest.raises(InputFileError):
        read_file(root, "a/b/c.txt", 1)
    assert len(os.listdir("/proc/self/fd")) == before


@pytest.mark.parametrize("relative, reason, kind", [
    ("a/link.txt", "is a symbolic link; only real files inside the project are read", "link"),
    ("a/linked/outside.txt", "lies in a/linked, which is a symbolic link; only real files and folders inside the "
                             "project are read", "link"),
    ("a/missing.txt", "does not exist", "missing"),
    ("a/b/c.txt/d", "does not exist", "missing"),
    ("a/b", "is a folder; expected a file", "not a file"),
])
def test_each_refusal_in_words(root, relative, reason, kind):
    with pytest.raises(InputFileError) as error:
        open_file(root, relative)
    assert (error.value.reason, error.value.kind) == (reason, kind)
    assert error.value.missing == (kind == "missing")


def test_a_device_is_not_a_file(root):
    with pytest.raises(InputFileError) as error:
        open_file(Path("/dev"), "null")
    assert (error.value.reason, error.value.kind) == (
        "is not a regular file (a pipe, socket or device); expected a file", "not a file")


def test_the_trusted_folder_may_be_a_link_but_must_be_there(root, tmp_path):
    (tmp_path / "root-link").symlink_to(root, target_is_directory=True)
    assert read_file(tmp_path / "root-link", "a/b/c.txt", 100) == b"0123456789"
    with pytest.raises(InputFileError) as error:
        open_file(tmp_path / "nowhere", "a")
    assert (error.value.reason, error.value.kind) == (f"folder {tmp_path / 'nowhere'} does not exist", "missing")
    with pytest.raises(InputFileError) as error:
        open_file(root / "a" / "b" / "c.txt", "x")
    assert (error.value.reason, error.value.kind) == ("cannot be read: Not a directory", "unreadable")


@pytest.mark.parametrize("code, reason, kind", [
    (errno.ELOOP, "is a symbolic link; only real files inside the project are read", "link"),
    (errno.ENOENT, "does not exist", "missing"),
    (errno.ENOTDIR, "does not exist", "missing"),
    (errno.EACCES, "cannot be read: no permission to read a/b", "unreadable"),
    (errno.EPERM, "cannot be read: no permission to read a/b", "unreadable"),
    (errno.ENXIO, "is not a regular file (a pipe, socket or device); expected a file", "not a file"),
    (errno.EIO, "cannot be read: Input/output error", "unreadable"),
])
def test_each_error_of_the_system_in_words(code, reason, kind):
    error = files._error(OSError(code, os.strerror(code)), ("a", "b", "c"), 1, True, False)
    assert (error.reason, error.kind) == (reason, kind)


def test_a_folder_on_the_way_that_loops_is_a_link():
    error = files._error(OSError(errno.ELOOP, "loop"), ("a", "b", "c"), 1, False, False)
    assert error.reason.startswith("lies in a/b, which is a symbolic link") and error.kind == "link"
    error = files._error(OSError(errno.ENOTDIR, "not a dir"), ("a", "b", "c"), 0, False, True)
    assert error.reason.startswith("lies in a, which is a symbolic link") and error.kind == "link"
    assert files._error(OSError(errno.EIO, ""), ("a",), 0, True, False).reason.startswith("cannot be read: ")


def test_is_link(root):
    folder = os.open(root / "a", os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert files._is_link("link.txt", folder) and files._is_link("linked", folder)
        assert not files._is_link("b", folder) and not files._is_link("missing", folder)
    finally:
        os.close(folder)


def test_file_stat_is_of_the_file(root):
    assert file_stat(root, "a/b/c.txt").st_size == 10
    with pytest.raises(InputFileError):
        file_stat(root, "a/link.txt")


@pytest.mark.parametrize("relative, kind", [
    ("a/b/c.txt", "file"), ("a/b", "dir"), ("a", "dir"), ("a/link.txt", "symlink"), ("a/linked/outside.txt", "symlink"),
    ("a/missing", "missing"), ("a/b/c.txt/d", "missing"), ("../x", "other"), ("a/b/c.txt/d/e", "missing"),
])
def test_the_kind_of_a_path(root, relative, kind):
    assert file_kind(root, relative) == kind
    assert is_file(root, relative) == (kind == "file")


def test_a_device_and_an_unreadable_path_are_other(tmp_path):
    assert file_kind(Path("/dev"), "null") == "other"
    assert file_kind(tmp_path, "x" * 300) == "other"          # a name too long for the system


def test_inside_by_name():
    assert inside(Path("/p/a/../b/c"), Path("/p/")) == "b/c"
    assert inside(Path("/p"), Path("/p")) is None
    assert inside(Path("/q/x"), Path("/p")) is None
    assert inside("/p/x/", "/p") == "x"


def test_read_input_names_the_file_as_the_user_knows_it(root):
    assert read_input(root, "a/b/c.txt", 100) == b"0123456789"
    for file, expected in ((None, "a/missing.txt"), ("leaflets/x.md", "leaflets/x.md")):
        with pytest.raises(UserError) as error:
            read_input(root, "a/missing.txt", 100, file)
        [problem] = error.value.problems
        assert (problem.file, problem.message) == (expected, "does not exist")


def test_a_folders_entries(root):
    (root / "a" / ".hidden").write_bytes(b"")
    (root / "a" / ".git").mkdir()
    (root / "a" / ".git" / "x").write_bytes(b"")
    (root / "a" / "__pycache__").mkdir()
    (root / "a" / "__pycache__" / "x.pyc").write_bytes(b"")
    (root / "a" / "b" / "d.txt").write_bytes(b"")
    assert tree_entries(root) == [Path("a/b/c.txt"), Path("a/b/d.txt"), Path("a/empty.txt"), Path("a/link.txt"),
                                  Path("a/linked")]
    assert tree_entries(root / "a" / "b") == [Path("c.txt"), Path("d.txt")]


def test_a_file_that_grows_past_the_limit_over_several_pieces(root, monkeypatch):
    """At most limit + 1 bytes are asked for, however many pieces it takes."""
    sizes = []

    def read(fd, size):                    # grows by whatever is asked, five times
        sizes.append(size)
        return b"x" * size if len(sizes) <= 5 else b""

    monkeypatch.setattr(files.os, "read", read)
    limit = (2 << 20) + (1 << 19)
    with pytest.raises(InputFileError) as error:
        read_file(root, "a/b/c.txt", limit)
    assert error.value.kind == "too large"
    assert sum(sizes) == limit + 1 and len(sizes) == 3


@pytest.mark.parametrize("relative, folder, left", [
    ("leaflets/rug.md", False, False),
    ("leaflets/.rug.md", False, True),                 # a hidden file
    ("leaflets/.drafts/rug.md", False, True),          # below a hidden folder, at any depth
    ("a/b/.c/d/e.md", False, True),
    ("templates/__pycache__/x.py", False, True),       # below a cache
    ("a/__pycache__/b/c.md", False, True),
    ("leaflets/__pycache__", False, False),            # a file of that name is an input
    ("__pycache__", True, True),                       # a folder of that name is not
    ("drafts", True, False),
    (".git", True, True),
    ("a/b.c/d.md", False, False),                      # a dot inside a name is not hidden
])
def test_left_out_is_the_rule_of_every_listing(tmp_path, relative, folder, left):
    """What `left_out` says is what a listing does: a file left out is not in tree_entries."""
    assert (files.left_out(relative, folder=True) if folder else files.left_out(relative)) is left
    target = tmp_path / relative
    if folder:
        (target / "inside.md").parent.mkdir(parents=True)
        (target / "inside.md").write_bytes(b"x")
        listed = Path(relative) / "inside.md" in files.tree_entries(tmp_path)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x")
        listed = Path(relative) in files.tree_entries(tmp_path)
    assert listed is not left
