"""Nothing lost: every output is written to a temporary file and renamed into place, so an
interrupted build (an exception, Ctrl-C, SIGTERM, SIGKILL) leaves each output either the old
complete file or the new complete one. Temporary files (`.NAME.PID.*.part`, hidden, never linked)
left by a SIGKILL are removed by the next write of that file or the next main job."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from leafletgen import atomic_write as output
from leafletgen.atomic_write import remove_stale_parts, write_atomic
from leafletgen.errors import MachineError

from tests.conftest import REPO, run_cli
from tests.hostile import LEAFLET, PRACTICE


# ---- write_atomic --------------------------------------------------------------------------------

def parts(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.part"))


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, failure):
    target = tmp_path / "folder" / "leaflet.pdf"
    write_atomic(target, b"old complete file")

    def fail(*args):
        raise failure

    monkeypatch.setattr(output.os, "fsync", fail)
    # A fault of the machine comes out as a MachineError naming the folder, not the temporary file.
    with pytest.raises(MachineError if isinstance(failure, OSError) else KeyboardInterrupt) as info:
        write_atomic(target, b"new file, never complete")
    monkeypatch.undo()
    assert target.read_bytes() == b"old complete file"
    assert parts(tmp_path) == []
    if isinstance(failure, OSError):
        assert info.value.line() == f"{target.parent}: cannot write leaflet.pdf: disk full"


def test_a_temporary_file_is_hidden_in_the_target_folder_and_names_its_writer(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", spy)
    write_atomic(tmp_path / "index.html", "<html></html>")
    [name] = seen
    assert name.startswith(f".index.html.{os.getpid()}.") and name.endswith(".part")
    assert (tmp_path / "index.html").read_text() == "<html></html>"
    assert oct((tmp_path / "index.html").stat().st_mode & 0o777) == "0o644"


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_a_killed_writer_are_removed_those_of_a_running_one_kept(tmp_path):
    folder = tmp_path / "out" / "praktijk" / "nl"
    folder.mkdir(parents=True)
    dead = folder / f".leaflet.pdf.{dead_pid()}.abc123.part"
    alive = folder / f".leaflet.pdf.{os.getppid()}.def456.part"   # our parent runs: not ours to delete
    other = folder / f".other.pdf.{dead_pid()}.ghi789.part"
    for path in (dead, alive, other):
        path.write_bytes(b"half a PDF")
    write_atomic(folder / "leaflet.pdf", b"%PDF- new")
    assert not dead.exists() and alive.exists() and other.exists()   # only leaflet.pdf's own
    assert remove_stale_parts(tmp_path / "out") == [other]
    assert alive.exists()


def test_the_leftover_of_a_killed_writer_not_yet_reaped_is_removed(tmp_path):
    """A worker killed with its parent is a zombie until init reaps it: a signal still reaches
    it, but it writes nothing any more, so its temporary file is stale."""
    child = os.fork()
    if child == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while open(f"/proc/{child}/stat", "rb").read().rsplit(b")", 1)[1].split()[0] != b"Z":
            assert time.monotonic() < deadline, "the child did not end"
            time.sleep(0.01)
        os.kill(child, 0)                                  # still there as far as a signal goes
        part = tmp_path / f".leaflet.pdf.{child}.abc123.part"
        part.write_bytes(b"half a PDF")
        assert remove_stale_parts(tmp_path) == [part]
    finally:
        os.waitpid(child, 0)


# ---- Killed builds -------------------------------------------------------------------------------

def more_practices(project, count: int = 3) -> None:
    """Enough documents that a kill lands part-way through the main job (Dutch only: quicker)."""
    shutil.rmtree(project.translations_dir, ignore_errors=True)
    profile = (project.practices_dir / f"{PRACTICE}.toml").read_text()
    for number in range(count):
        (project.practices_dir / f"praktijk-{number}.toml").write_text(
            profile.replace('name = "Fysiotherapie De Linde"', f'name = "Praktijk {number}"'))


def revise_leaflet(project) -> None:
    """A new version: every document changes (its footer), no translation unit does."""
    path = project.leaflets_dir / f"{LEAFLET}.md"
    text = path.read_text()
    assert 'version: "1.0"' in text
    path.write_text(text.replace('version: "1.0"', 'version: "1.1"', 1))


def complete_outputs(out: Path) -> dict[Path, bytes]:
    """Every visible output file, each checked to be complete; temporary files are not outputs."""
    files = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(out).parts):
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), path
            assert len(PdfReader(path).pages) >= 1
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
        files[path] = data
    return files


def main_job(project, out: Path) -> None:
    run = run_cli("--out", str(out), root=project.root)
    assert run.code == 0, run


def start_main_job(project, out: Path, before: str = "", args: tuple[str, ...] = ()) -> subprocess.Popen:
    """The main job in a process of its own (its own process group, so a kill takes any workers too)."""
    script = textwrap.dedent(before) + textwrap.dedent(f"""
        import sys
        from leafletgen.cli import main
        sys.exit(main(["--root", {str(project.root)!r}, "--out", {str(out)!r}, *{list(args)!r}]))
    """)
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.slow
def test_a_build_killed_between_writing_and_renaming_leaves_only_complete_files(project, tmp_path):
    """SIGKILL at the worst moment, deterministically: the 2nd output's temporary file is written
    and flushed, not yet renamed. That output must still be the old complete file."""
    out = tmp_path / "out"
    more_practices(project, 1)
    main_job(project, out)
    old = complete_outputs(out)
    revise_leaflet(project)
    process = start_main_job(project, out, before="""
        import os, signal
        import leafletgen.atomic_write as output
        calls = []
        real_fsync = output.os.fsync
        def fsync_then_die(fd):
            real_fsync(fd)
            if os.readlink(f"/proc/self/fd/{fd}").endswith(".part"):
                calls.append(fd)
                if len(calls) == 2:
                    os.kill(os.getpid(), signal.SIGKILL)
        output.os.fsync = fsync_then_die
    """, args=("--jobs", "1"))   # one process: the kill lands in the process that counts the writes
    process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL
    [part] = parts(out)
    target = part.parent / part.name[1:].split(f".{process.pid}.")[0]
    after = complete_outputs(out)
    assert after[target] == old[target]                 # the one being written: the old file, whole
    assert set(after) == set(old)
    changed = [path for path in after if after[path] != old[path]]
    assert len(changed) == 1                            # the first output: the new file, whole
    main_job(project, out)                              # the next run cleans up
    assert parts(out) == []
    assert all(data != old[path] for path, data in complete_outputs(out).items()
               if path.suffix == ".pdf")


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_build_killed_part_way_from_outside_leaves_only_complete_files(project, tmp_path, how):
    """A real kill from outside, after the first document is built, in the middle of the rest:
    one practice's document does not end by itself (its template loops; the time limit is above
    any wait here), so work remains when the signal comes, however fast the others were."""
    out = tmp_path / "out"
    more_practices(project, 3)
    main_job(project, out)
    old = complete_outputs(out)
    revise_leaflet(project)
    blocks = project.practices_dir / "praktijk-2" / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "callout.html.j2").write_text(
        '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}'
        '<aside class="callout"><p>{{ block.html }}</p></aside>\n', encoding="utf-8")
    process = start_main_job(project, out, args=("--time-limit", "3600"))
    first = process.stdout.readline()
    assert first.startswith("built "), first + process.stderr.read()
    if how == signal.SIGKILL:
        os.killpg(process.pid, signal.SIGKILL)
    else:
        os.kill(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=300)
    after = complete_outputs(out)
    assert set(after) == set(old)                       # nothing missing, nothing half-written
    changed = [path for path in after if after[path] != old[path]]
    assert changed, "the first document was built and renamed into place"
    if how == signal.SIGTERM:
        assert process.returncode == 128 + signal.SIGTERM
        assert err.splitlines()[-1] == "terminated; outputs are either the old or the new complete files"
        assert parts(out) == []                         # SIGTERM leaves time to clean up
    else:
        assert process.returncode == -signal.SIGKILL
    shutil.rmtree(blocks.parent)                        # the looping template goes
    main_job(project, out)
    assert parts(out) == []
    assert complete_outputs(out).keys() == old.keys()


def test_an_output_folder_that_cannot_be_written_is_a_user_error(project, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    run = run_cli("build", "--leaflet", LEAFLET, "--out", str(tmp_path / "file" / "out"), root=project.root)
    assert (run.code, run.out) == (1, "")
    assert run.err == (f"error: {tmp_path}/file: is a file where a folder is needed for the output; "
                       "move it out of the way\n")
