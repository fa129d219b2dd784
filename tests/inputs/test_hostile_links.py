"""Hostile input, part 5: symbolic links and paths out of their folder. Every input file is opened
below the project folder one component at a time without following a link (leafletgen.inputs.files), so
a link anywhere on the way, a `..`, a pipe or a device is refused with the file's name, and what
lies behind it is never read, never copied into the page and never echoed in a message."""

from __future__ import annotations

import os
import threading

import pytest

from leafletgen.build import build
from leafletgen.render import BuildRequest
from leafletgen.errors import UserError
from leafletgen.inputs.files import InputFileError, file_kind, read_file
from leafletgen.inputs.bundle import load_bundle
from leafletgen.typeset.pdf import make_fetcher

from tests.conftest import run_cli
from tests.hostile import LEAFLET, PRACTICE, png

SECRET = "GEHEIM-7731"      # what lies outside the project: must never reach a page or a message


@pytest.fixture
def outside(tmp_path):
    """A folder outside the project, holding files an attacker would like to see read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{SECRET}\n")
    (folder / "callout.html.j2").write_text(f"<aside>{SECRET} {{{{ block.html }}}}</aside>\n")
    (folder / "leaflet.css").write_text(f"body::after {{ content: '{SECRET}'; }}\n")
    (folder / "profile.toml").write_text(f'name = "{SECRET}"\n{SECRET} = "{SECRET}"\n')
    (folder / "templates").mkdir()
    (folder / "templates" / "blocks").mkdir()
    (folder / "templates" / "blocks" / "callout.html.j2").write_text(f"<aside>{SECRET}</aside>\n")
    return folder


def build_cli(project, *extra, out=None):
    return run_cli("build", "--leaflet", LEAFLET, *extra, "--out", str(out or project.root / "out"),
                   root=project.root)


def refused_without_secret(run, project) -> list[str]:
    """A refused build: exit 1, no traceback, the secret nowhere, nothing written."""
    assert run.code == 1, run
    assert "internal error" not in run.err and "Traceback" not in run.err
    assert SECRET not in run.out + run.err
    assert not (project.root / "out").exists()
    return run.err.splitlines()


LINKED = "is a symbolic link; only real files inside the project are read"


# ---- Practice templates: a linked block, a linked folder, a linked templates/, leaflet.css -----

def practice_templates(project):
    folder = project.practices_dir / PRACTICE / "templates"
    (folder / "blocks").mkdir(parents=True, exist_ok=True)
    return folder


def test_a_linked_block_template_is_refused_not_followed(project, outside):
    # Attack: the override is a link to a template elsewhere; its text would be rendered.
    os.symlink(outside / "callout.html.j2", practice_templates(project) / "blocks" / "callout.html.j2")
    assert refused_without_secret(build_cli(project, "--practice", PRACTICE), project) == [
        f"error: practices/{PRACTICE}/templates/blocks/callout.html.j2: {LINKED}"]


def test_a_linked_blocks_folder_is_refused(project, outside):
    folder = project.practices_dir / PRACTICE / "templates"
    folder.mkdir()
    os.symlink(outside / "templates" / "blocks", folder / "blocks", target_is_directory=True)
    lines = refused_without_secret(build_cli(project, "--practice", PRACTICE), project)
    assert lines[0].startswith(f"error: practices/{PRACTICE}/templates/blocks/")
    assert lines[0].endswith(f"lies in practices/{PRACTICE}/templates/blocks, which is a symbolic "
                             "link; only real files and folders inside the project are read")


def test_a_linked_templates_folder_is_refused(project, outside):
    os.symlink(outside / "templates", project.practices_dir / PRACTICE / "templates",
               target_is_directory=True)
    assert refused_without_secret(build_cli(project, "--practice", PRACTICE), project) == [
        f"error: practices/{PRACTICE}/templates: is a symbolic link; a practice's folder and its "
        "templates must be real folders inside practices/"]


def test_a_linked_practice_folder_is_refused(project, outside, tmp_path):
    real = tmp_path / "elders"
    os.rename(project.practices_dir / PRACTICE, real)
    os.symlink(real, project.practices_dir / PRACTICE, target_is_directory=True)
    lines = refused_without_secret(build_cli(project, "--practice", PRACTICE), project)
    assert f"error: practices/{PRACTICE}.toml:4: logo: logo '{PRACTICE}/logo.svg' lies in " \
           f"practices/{PRACTICE}, which is a symbolic link; only real files and folders inside " \
           "the project are read" in lines


def test_a_linked_leaflet_css_is_refused_not_copied_into_the_page(project, outside):
    # Attack: leaflet.css is copied raw into the HTML's <style>; linked to a private file, that
    # file's text would be published with every leaflet.
    os.symlink(outside / "leaflet.css", practice_templates(project) / "leaflet.css")
    assert refused_without_secret(build_cli(project, "--practice", PRACTICE), project) == [
        f"error: practices/{PRACTICE}/templates/leaflet.css: {LINKED}"]


def test_a_link_in_our_own_templates_is_refused_too(project, outside):
    target = project.templates_dir / "blocks" / "callout.html.j2"
    target.unlink()
    os.symlink(outside / "callout.html.j2", target)
    assert refused_without_secret(build_cli(project), project) == [
        f"error: templates/blocks/callout.html.j2: {LINKED}"]


def test_a_practice_template_cannot_include_a_file_by_a_path_out_of_its_folder(project, outside):
    (practice_templates(project) / "blocks" / "callout.html.j2").write_text(
        "{% include '../../../../outside/secret.txt' %}\n")
    run = build_cli(project, "--practice", PRACTICE)
    [line] = refused_without_secret(run, project)
    assert line.startswith(f"error: practices/{PRACTICE}/templates/blocks/callout.html.j2:1: template "
                           "not found: '../../../../outside/secret.txt'")


# ---- Profiles, leaflets, pictures, catalogs ------------------------------------------------------

def test_a_linked_profile_is_refused_and_its_values_never_echoed(project, outside):
    # Attack: the profile links to a file outside; an "unknown key" error would print its text.
    profile = project.practices_dir / f"{PRACTICE}.toml"
    profile.unlink()
    os.symlink(outside / "profile.toml", profile)
    assert refused_without_secret(build_cli(project, "--practice", PRACTICE), project) == [
        f"error: practices/{PRACTICE}.toml: {LINKED}"]
    listing = run_cli("list", root=project.root)
    assert SECRET not in listing.out + listing.err
    assert f"  {PRACTICE}  (invalid):\n    practices/{PRACTICE}.toml: {LINKED}\n" in listing.out


def test_a_linked_leaflet_is_refused(project, outside, tmp_path):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    real = tmp_path / "elders.md"
    os.rename(path, real)
    os.symlink(real, path)
    assert refused_without_secret(build_cli(project), project) == [f"error: leaflets/{LEAFLET}.md: {LINKED}"]


def test_a_linked_leaflet_picture_is_refused(project, outside):
    (outside / "rug.png").write_bytes(png())
    os.symlink(outside / "rug.png", project.leaflets_dir / "rug.png")
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text() + "\n![Een rug](rug.png)\n")
    line = len(path.read_text().splitlines())
    assert refused_without_secret(build_cli(project), project) == [
        f"error: leaflets/{LEAFLET}.md:{line}: image 'rug.png' {LINKED}"]


@pytest.mark.parametrize("what", ["file", "language folder", "LC_MESSAGES folder"])
def test_a_linked_catalog_is_refused(project, tmp_path, what):
    folder = project.translations_dir / "de"
    elsewhere = tmp_path / "elders"
    if what == "file":
        os.rename(folder / "LC_MESSAGES" / f"{LEAFLET}.po", elsewhere)
        os.symlink(elsewhere, folder / "LC_MESSAGES" / f"{LEAFLET}.po")
        expected = f"error: translations/de/LC_MESSAGES/{LEAFLET}.po: {LINKED}"
    elif what == "language folder":
        os.rename(folder, elsewhere)
        os.symlink(elsewhere, folder, target_is_directory=True)
        expected = (f"error: translations/de/LC_MESSAGES/{LEAFLET}.po: lies in translations/de, which "
                    "is a symbolic link; only real files and folders inside the project are read")
    else:
        os.rename(folder / "LC_MESSAGES", elsewhere)
        os.symlink(elsewhere, folder / "LC_MESSAGES", target_is_directory=True)
        expected = (f"error: translations/de/LC_MESSAGES/{LEAFLET}.po: lies in translations/de/"
                    "LC_MESSAGES, which is a symbolic link; only real files and folders inside the "
                    "project are read")
    lines = refused_without_secret(build_cli(project, "--lang", "de"), project)
    assert expected in lines
    status = run_cli("translations", "status", root=project.root)
    assert expected[len("error: "):] in status.out
    assert "INCOMPLETE" in next(line for line in status.out.splitlines()
                                if line.startswith(LEAFLET) and " de " in line)


# ---- The reader itself ---------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path, outside):
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (root / "a" / "ok.txt").write_text("ok")
    os.symlink(outside, root / "a" / "linked-dir", target_is_directory=True)
    os.symlink(outside / "secret.txt", root / "a" / "linked-file")
    os.symlink(root / "a" / "ok.txt", root / "a" / "inner-link")        # a link that stays inside
    os.mkfifo(root / "a" / "pipe")
    return root


@pytest.mark.parametrize("relative, kind", [
    ("a/linked-dir/secret.txt", "link"),
    ("a/linked-file", "link"),
    ("a/inner-link", "link"),                 # even a link that stays inside: links are not read
    ("a/../../outside/secret.txt", "outside"),
    ("/etc/passwd", "outside"),
    ("a/pipe", "not a file"),                 # opened without blocking: a named pipe cannot hang a build
    ("a", "not a file"),
    ("a/missing.txt", "missing"),
    ("a/ok.txt/deeper", "missing"),
])
def test_the_reader_refuses_every_way_out(tree, relative, kind):
    with pytest.raises(InputFileError) as info:
        read_file(tree, relative, 1000)
    assert info.value.kind == kind
    assert SECRET not in info.value.reason


def test_the_reader_reads_a_real_file_and_refuses_one_over_its_limit(tree):
    assert read_file(tree, "a/ok.txt", 2) == b"ok"
    with pytest.raises(InputFileError, match="is 2 bytes; the limit is 1 bytes"):
        read_file(tree, "a/ok.txt", 1)
    assert file_kind(tree, "a/linked-dir/secret.txt") == "symlink"


def test_a_named_pipe_as_a_leaflet_does_not_hang_the_build(project):
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.unlink()
    os.mkfifo(path)
    result: list = []
    thread = threading.Thread(target=lambda: result.append(build_cli(project)), daemon=True)
    thread.start()
    thread.join(60)
    assert result, "the build blocked on a named pipe"
    assert result[0].err == (f"error: leaflets/{LEAFLET}.md: is not a regular file (a pipe, socket or "
                             "device); expected a file\n")


def test_the_renderer_does_not_follow_a_link_inside_its_roots(project, outside):
    """WeasyPrint's fetcher serves the document's bundle: a link in the practice's folder is
    refused even when it points inside it, and a named pipe there neither hangs the reading
    nor is served."""
    folder = project.practices_dir / PRACTICE / "a"
    folder.mkdir()
    (folder / "ok.txt").write_text("ok")
    os.symlink(outside, folder / "linked-dir", target_is_directory=True)
    os.symlink(outside / "secret.txt", folder / "linked-file")
    os.symlink(folder / "ok.txt", folder / "inner-link")        # a link that stays inside
    os.mkfifo(folder / "pipe")
    refused: list[str] = []
    bundle = load_bundle(project, BuildRequest(LEAFLET, "nl", PRACTICE))
    fetcher = make_fetcher(bundle.assets(), refused)
    assert fetcher.fetch((folder / "ok.txt").as_uri()).read() == b"ok"
    for name in ("inner-link", "linked-file", "linked-dir/secret.txt", "pipe"):
        with pytest.raises(ValueError, match="outside the project's asset folders"):
            fetcher.fetch((folder / name).as_uri())
    assert len(refused) == 4
    assert not [data for data in bundle.wire()[1].values() if SECRET.encode() in data]


def test_the_logo_root_is_the_logo_file_only(project):
    bundle = load_bundle(project, BuildRequest(LEAFLET, "nl", PRACTICE))
    assert bundle.assets()(bundle.practice.logo) is not None and bundle.practice.logo.is_file()
    with pytest.raises(UserError):
        build(project, BuildRequest(LEAFLET, "nl", "../" + PRACTICE), project.root / "out")
