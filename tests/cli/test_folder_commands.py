"""A content folder of one's own: found from the current folder, made by `new`, its copies of the
shipped files brought up to date by `upgrade`."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from leafletgen.inputs import project as project_module
from leafletgen.inputs.project import Project
from leafletgen.inputs.shipped import COPIES_FILE, example_files, read_copies, upgrade_note
from leafletgen.store.settings import load_settings

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"


# ---- Messages name the command the user runs ----------------------------------------------------

def test_messages_name_the_command_as_the_user_runs_it(project, monkeypatch):
    """Started as the installed `leafletgen`, the usage line and every command a message
    suggests say `leafletgen`, not `python generate.py` (which only a checkout has); in a
    checkout they say `python generate.py`, and files written are the same either way."""
    empty = project.root / "translations"
    shutil.rmtree(empty)
    empty.mkdir()
    checkout = run_cli("translations", "update", root=project.root)
    monkeypatch.setattr("sys.argv", ["/home/it/venv/bin/leafletgen"])
    installed = run_cli("translations", "update", root=project.root)
    assert checkout.code == installed.code == 0
    assert "`python generate.py translations status`" in checkout.out
    assert installed.out == checkout.out.replace("python generate.py", "leafletgen")
    assert "generate.py" not in installed.out
    usage = run_cli("translations", "frobnicate")
    assert usage.code == 2 and usage.err.startswith("leafletgen translations: error: ")
    assert "usage: leafletgen translations" in usage.err
    assert "generate.py" not in run_cli("--help").out


# ---- Finding the project ------------------------------------------------------------------------

def test_outside_any_project_one_clear_line(tmp_path, monkeypatch):
    """In a folder with no project here or above: exit 1 and one line saying so, never the
    checkout's project (nor a 'this is a bug' message)."""
    monkeypatch.chdir(tmp_path)
    run = run_cli("list")
    assert (run.code, run.out) == (1, "")
    assert run.err == (f"error: {tmp_path}: not in a leafletgen project (no folder here or above it "
                       "holds leaflets/ or leafletgen.toml); make one with `leafletgen new DIR`, or "
                       "give --root DIR\n")


def test_the_project_is_found_from_a_folder_below_it(project, monkeypatch):
    """Like git: from translations/tr/LC_MESSAGES the project is the folder above (its own
    leaflet shows that it is this one)."""
    shutil.copy(project.leaflets_dir / f"{LEAFLET}.md", project.leaflets_dir / "eigen-folder.md")
    monkeypatch.chdir(project.root / "translations" / "tr" / "LC_MESSAGES")
    run = run_cli("list")
    assert run.code == 0, run.err
    assert "eigen-folder" in run.out and "fysio-delinde" in run.out


def test_the_settings_file_marks_a_project(tmp_path, monkeypatch):
    """A folder with leafletgen.toml and no leaflets/ yet is a project (with nothing in it)."""
    (tmp_path / "leafletgen.toml").write_text("")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    run = run_cli("list")
    assert run.code == 0, run.err
    assert LEAFLET not in run.out and "fysio-delinde" not in run.out


def test_root_still_wins_and_must_exist(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("list", root=project.root).code == 0
    run = run_cli("list", root=tmp_path / "nergens")
    assert (run.code, run.err) == (1, f"error: {tmp_path / 'nergens'}: no such folder (--root names the "
                                      "project folder)\n")


# ---- new --------------------------------------------------------------------------------------------

@pytest.fixture
def made(tmp_path, monkeypatch) -> Path:
    """A folder made by `leafletgen new` from the current folder, as a user runs it."""
    monkeypatch.chdir(tmp_path)
    run = run_cli("new", "my-leaflets")
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.splitlines()[0] == ("made my-leaflets: 1 example leaflet(s) with 8 translation(s), "
                                       "1 example practice(s), leafletgen.toml, .gitignore")
    assert "next: cd my-leaflets && leafletgen" in run.out
    return tmp_path / "my-leaflets"


def test_new_writes_the_example_and_its_catalogs(made):
    files = sorted(path.relative_to(made).as_posix() for path in made.rglob("*") if path.is_file())
    assert files == sorted([*example_files(), "leafletgen.toml", ".gitignore", COPIES_FILE])
    for relative in example_files():
        assert (made / relative).read_bytes() == (REPO / relative).read_bytes()
    languages = sorted(path.name for path in (made / "translations").iterdir() if path.is_dir())
    assert languages == sorted(path.parent.parent.name for path in
                               (REPO / "translations").glob(f"*/LC_MESSAGES/{LEAFLET}.po"))
    # No defaults are copied: templates and template catalogs come from the installed tool.
    assert not (made / "templates").exists()
    assert not list(made.glob("translations/*/LC_MESSAGES/leafletgen*.po"))


def test_new_records_what_it_copied(made):
    copies = read_copies(Project(made))
    assert sorted(copies) == sorted(example_files())
    assert all(copy.version == "0.1.0" or copy.version for copy in copies.values())
    assert tomllib.loads((made / COPIES_FILE).read_text())["files"][f"leaflets/{LEAFLET}.md"]["sha256"] == \
        __import__("hashlib").sha256((REPO / "leaflets" / f"{LEAFLET}.md").read_bytes()).hexdigest()


def test_the_settings_file_is_valid_and_all_defaults(made):
    """leafletgen.toml is read by the server's settings without error and sets nothing."""
    settings = load_settings(made, environ={})
    assert settings.given == frozenset()
    assert (settings.host, settings.port, settings.database_url) == ("127.0.0.1", 8000, "")


def test_gitignore_keeps_the_database_the_key_and_output_out_of_git(made):
    """Asked of git itself: what `new` ignores and what it keeps."""
    subprocess.run(["git", "init", "-q"], cwd=made, check=True)
    ignored = ["output/index.html", "output/fysio-delinde/nl/x.pdf", ".leafletgen/leafletgen.db",
               ".leafletgen/secret-key", ".venv/bin/python"]
    kept = [f"leaflets/{LEAFLET}.md", "practices/fysio-delinde.toml", "leafletgen.toml", COPIES_FILE,
            f"translations/tr/LC_MESSAGES/{LEAFLET}.po", ".gitignore"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *ignored, *kept], cwd=made,
                          capture_output=True, text=True)
    assert done.stdout.split() == ignored


def test_the_new_folder_is_a_project_from_inside_it(made, monkeypatch):
    monkeypatch.chdir(made / "leaflets")
    run = run_cli("list")
    assert run.code == 0, run.err
    assert LEAFLET in run.out


def test_new_refuses_a_folder_with_something_in_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mijn aantekeningen\n")
    run = run_cli("new", "mine")
    assert (run.code, run.out) == (1, "")
    assert run.err == (f"error: {tmp_path / 'mine'}: is not empty; `leafletgen new` makes a new content "
                       "folder, give the name of a new or empty folder\n")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
    (tmp_path / "file").write_text("")
    run = run_cli("new", "file")
    assert (run.code, run.err) == (1, f"error: {tmp_path / 'file'}: exists and is not a folder; give "
                                      "the name of a new folder\n")


def test_new_fills_an_empty_folder_and_keeps_it(tmp_path, monkeypatch):
    """An empty folder made beforehand (by the IT person, with its owner and mode) is filled, not
    replaced."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "srv").mkdir(mode=0o750)
    inode = (tmp_path / "srv").stat().st_ino
    assert run_cli("new", "srv").code == 0
    assert (tmp_path / "srv").stat().st_ino == inode
    assert (tmp_path / "srv").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "srv" / "leaflets" / f"{LEAFLET}.md").is_file()
    assert not [p for p in (tmp_path / "srv").iterdir() if p.name.startswith(".leafletgen-new")]


@pytest.mark.parametrize("existing", [False, True], ids=["new folder", "empty folder"])
def test_new_leaves_nothing_half_written(tmp_path, monkeypatch, existing):
    """A write that fails half-way (the disk full at the fifth file) leaves the folder as it was:
    absent or empty, and no staging folder behind."""
    monkeypatch.chdir(tmp_path)
    if existing:
        (tmp_path / "my-leaflets").mkdir()
    written = []
    real = Path.write_bytes

    def fail_at_fifth(self, data):
        written.append(self)
        if len(written) == 5:
            raise OSError(28, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail_at_fifth)
    run = run_cli("new", "my-leaflets")
    assert run.code == 1
    assert run.err == f"error: {tmp_path}: cannot write my-leaflets: no space left on the disk\n"
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == (["my-leaflets"] if existing else [])


# ---- upgrade ----------------------------------------------------------------------------------------

@pytest.fixture
def newer(tmp_path, monkeypatch) -> Path:
    """The shipped folder of a newer leafletgen: a copy of this one, to be changed by a test, in
    place of the installed one."""
    shipped = tmp_path / "newer-leafletgen"
    for folder in ("templates", "translations", "leaflets", "practices"):
        shutil.copytree(REPO / folder, shipped / folder)
    monkeypatch.setattr(project_module, "SHIPPED_ROOT", shipped)
    return shipped


def _append(path: Path, text: str) -> None:
    path.write_bytes(path.read_bytes() + text.encode())


def test_upgrade_replaces_older_copies_and_keeps_changed_ones(made, newer, monkeypatch):
    catalog = f"translations/tr/LC_MESSAGES/{LEAFLET}.po"
    _append(newer / catalog, "\n#. a correction of the shipped translation\n")        # older here
    _append(newer / "practices/fysio-delinde.toml", "# newer example practice\n")      # changed in both
    _append(made / "practices/fysio-delinde.toml", "# our own line\n")
    _append(made / f"leaflets/{LEAFLET}.md", "\nOnze eigen alinea.\n")                 # changed here only
    (newer / "translations/pt/LC_MESSAGES").mkdir(parents=True)                         # new in leafletgen
    shutil.copy(newer / f"translations/tr/LC_MESSAGES/{LEAFLET}.po",
                newer / f"translations/pt/LC_MESSAGES/{LEAFLET}.po")
    monkeypatch.chdir(made)
    before = {p: p.read_bytes() for p in made.rglob("*") if p.is_file()}

    check = run_cli("upgrade", "--check")
    assert check.code == 1, check
    assert {p: p.read_bytes() for p in made.rglob("*") if p.is_file()} == before   # --check writes nothing
    assert check.out.splitlines() == [
        f"changed here and in leafletgen 0.1.0: practices/fysio-delinde.toml; compare with "
        f"{newer / 'practices/fysio-delinde.toml'}, then `leafletgen upgrade --merged "
        "practices/fysio-delinde.toml`",
        f"older {catalog} (copied from leafletgen 0.1.0, unchanged here): upgrade replaces it",
        f"new translations/pt/LC_MESSAGES/{LEAFLET}.po (new in leafletgen 0.1.0)",
        "3 file(s) behind leafletgen 0.1.0",
    ]
    assert upgrade_note(Project(made)).startswith("note: 3 file(s) of this folder are older than leafletgen")

    run = run_cli("upgrade")
    assert run.code == 0, run
    assert run.out.splitlines()[-1] == "2 file(s) brought up to date, 1 to compare by hand"
    assert (made / catalog).read_bytes() == (newer / catalog).read_bytes()
    assert (made / f"translations/pt/LC_MESSAGES/{LEAFLET}.po").is_file()
    assert (made / "practices/fysio-delinde.toml").read_bytes().endswith(b"# our own line\n")
    assert (made / f"leaflets/{LEAFLET}.md").read_bytes().endswith("Onze eigen alinea.\n".encode())

    again = run_cli("upgrade", "--check")
    assert again.out.splitlines()[-1] == "1 file(s) behind leafletgen 0.1.0"
    merged = run_cli("upgrade", "--merged", "practices/fysio-delinde.toml")
    assert merged.code == 0 and "marked as merged: practices/fysio-delinde.toml" in merged.out   # said, not silent
    assert run_cli("upgrade", "--check").code == 0
    again = run_cli("upgrade", "--merged", "practices/fysio-delinde.toml")
    assert "nothing to mark: practices/fysio-delinde.toml" in again.out
    assert upgrade_note(Project(made)) is None


def test_upgrade_names_a_default_the_folder_overrides(made, monkeypatch):
    (made / "templates").mkdir()
    (made / "templates" / "leaflet.css").write_text((REPO / "templates" / "leaflet.css").read_text()
                                                    + "\nh1 { color: #003366; }\n")
    monkeypatch.chdir(made)
    run = run_cli("upgrade", "--check")
    assert run.code == 0
    assert run.out.splitlines() == [
        f"overrides leafletgen's default: templates/leaflet.css (differs from {REPO / 'templates/leaflet.css'})",
        "0 file(s) behind leafletgen 0.1.0"]


def test_upgrade_of_a_folder_not_made_by_new(project, monkeypatch):
    monkeypatch.chdir(project.root)
    run = run_cli("upgrade")
    assert (run.code, run.err) == (0, "")
    assert run.out == (f"no {COPIES_FILE}: this folder was not made with `leafletgen new`, so it has no "
                       "copies to bring up to date\n")


def test_the_main_job_tells_of_older_copies(made, newer, monkeypatch):
    """The main job says, in one line, that the folder holds older copies (here with no leaflet
    left to build, so that nothing is rendered)."""
    _append(newer / f"translations/tr/LC_MESSAGES/{LEAFLET}.po", "\n#. newer\n")
    (made / "leaflets" / f"{LEAFLET}.md").unlink()
    monkeypatch.chdir(made)
    run = run_cli("--out", str(made / "output"))
    assert run.code == 0, run
    assert run.out.splitlines()[0] == (
        "note: 1 file(s) of this folder are older than leafletgen 0.1.0's (copied by `leafletgen new` "
        "from an earlier version); `leafletgen upgrade --check` lists them, `leafletgen upgrade` "
        "brings the unchanged ones up to date")
