"""Hostile input, part 8: odd names, and faults of the machine.

- A name in leaflets/, practices/ or translations/ that cannot be a leaflet, a profile or a
  language is reported and skipped; it never stops the others (a folder "Foo Bar" in translations/
  used to stop the whole main job).
- A disk that is full, a folder without permission, a read-only file system: not a bug of
  leafletgen, one line naming the folder and the cause; the main job stops starting documents as
  soon as its output cannot be written, and every file that was complete before stays complete.

The full disk is simulated two ways. On a real tmpfs of a few hundred kB, mounted in a private
mount namespace (`unshare -m`, as root, or `unshare -rm` where unprivileged user namespaces are
allowed): the kernel's own ENOSPC, through WeasyPrint, the pool workers and the atomic writes;
skipped where no namespace can be made. And in-process, by making os.fsync in leafletgen.atomic_write
fail with ENOSPC once the first document is written: that always runs. RLIMIT_FSIZE does not
serve: WeasyPrint itself writes the fonts (600 kB) to a temporary folder, so any limit that stops
a 25 kB PDF stops the render first.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leafletgen import atomic_write as output
from leafletgen.inputs.project import Project

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"
PRACTICES = ("fysio-delinde", "praktijk-b", "praktijk-c", "praktijk-d")   # × nl, de: 8 documents


def small_project(root: Path) -> Project:
    root.mkdir(parents=True)
    for part in ("leaflets", "practices", "templates", "translations"):
        shutil.copytree(REPO / part, root / part)
    for folder in (root / "translations").iterdir():
        if folder.is_dir() and folder.name != "de":
            shutil.rmtree(folder)
    for index, practice in enumerate(PRACTICES[1:]):
        (root / "practices" / f"{practice}.toml").write_text(
            f'name = "Praktijk {index}"\ncolor = "#1f6f5c"\nphone = "020 765 43 2{index}"\n')
    return Project(root)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("faults")
    project = small_project(base / "project")
    run = run_cli("--out", str(base / "out"), "--jobs", "2", root=project.root)
    assert run.code == 0, run
    return base


@pytest.fixture
def built(built_once, tmp_path) -> tuple[Project, Path]:
    shutil.copytree(built_once, tmp_path / "copy")
    return Project(tmp_path / "copy" / "project"), tmp_path / "copy" / "out"


def digests(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and p.suffix in (".pdf", ".html", ".png")}


def change_the_leaflet(project: Project) -> None:
    """Every document must be built again (the Dutch changed; the German keeps its old version)."""
    path = project.leaflets_dir / f"{LEAFLET}.md"
    path.write_text(path.read_text().replace("title: Lage rugklachten", "title: Lage rugpijn", 1))
    assert run_cli("translations", "update", root=project.root).code == 0
    catalog = project.translations_dir / "de" / "LC_MESSAGES" / f"{LEAFLET}.po"
    text = catalog.read_text()
    # The translator resolves it: the fuzzy mark and the previous msgid (#|) go.
    catalog.write_text(re.sub(r'#, fuzzy\n(#\| msgid "[^"\n]*"\n)?msgid "Lage rugpijn"',
                              'msgid "Lage rugpijn"', text))


# ---- Odd names -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_odd_names_are_reported_and_skipped_and_the_others_are_built(built):
    project, out = built
    odd = project.translations_dir / "Foo Bar" / "LC_MESSAGES"
    odd.mkdir(parents=True)
    shutil.copy(project.translations_dir / "de" / "LC_MESSAGES" / f"{LEAFLET}.po", odd)
    shutil.copytree(project.translations_dir / "de", project.translations_dir / "zz")   # no such language
    (project.translations_dir / "sr@latin").mkdir()
    (project.leaflets_dir / "Knie Klachten.md").write_text("---\nid: x\n---\n")
    (project.leaflets_dir / ".#lage-rugklachten.md").symlink_to("/nonexistent")    # an editor's lock
    (project.practices_dir / "Het Plein.toml").write_text('name = "Het Plein"\n')
    (project.practices_dir / ".fysio-delinde.toml.swp").write_bytes(b"\0\1")
    run = run_cli("--out", str(out), "--jobs", "1", "--force", root=project.root)
    assert run.code == 0, run
    assert "internal error" not in run.err
    warnings = [line for line in run.err.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: leaflets/Knie Klachten.md: skipped: a leaflet's file name is its id, lower-case "
        "letters, digits and '-' (e.g. knieklachten.md)",
        "warning: practices/Het Plein.toml: skipped: a profile's file name is the practice id, "
        "lower-case letters, digits, '-' and '_' (e.g. fysio-delinde.toml)",
        "warning: translations/Foo Bar: skipped: not a language code such as tr, pl or pt_BR",
        "warning: translations/sr@latin: skipped: not a language code such as tr, pl or pt_BR",
    ]
    assert "skipped lage-rugklachten in zz (zz): 1 problem(s) in translations/zz/LC_MESSAGES/" \
           "lage-rugklachten.po" in run.out
    assert "8 built" in run.out.splitlines()[-1]
    listing = run_cli("list", root=project.root)
    assert listing.code == 0 and "Foo Bar" not in listing.out and "Knie" not in listing.out
    status = run_cli("translations", "status", root=project.root)
    assert status.code == 0 and "warning: translations/Foo Bar: skipped" in status.err
    assert "error: translations/zz: 'zz' is not a language Babel (CLDR) knows" in status.out


# ---- A path in the way ---------------------------------------------------------------------------

def test_an_output_that_is_a_folder_is_named_not_the_temporary_file(built, tmp_path):
    project, out = built
    target = tmp_path / "elders" / "default" / "nl" / f"{LEAFLET}.pdf"
    target.mkdir(parents=True)
    run = run_cli("build", "--leaflet", LEAFLET, "--out", str(tmp_path / "elders"), root=project.root)
    assert (run.code, run.out) == (1, "")
    assert run.err == (f"error: {target}: is a folder where a file is to be written; move it out of "
                       "the way\n")
    assert list(target.parent.glob(".*.part")) == []


# ---- A full disk, in-process (always runs) -------------------------------------------------------

@pytest.mark.slow
def test_a_full_disk_stops_the_main_job_with_one_line_and_keeps_what_was_complete(built, monkeypatch):
    project, out = built
    before = digests(out)
    change_the_leaflet(project)
    real_fsync = output.os.fsync
    written = []

    def fsync(fd):
        # In the output folder, the first document gets through (the manifest, its PDF, HTML and
        # thumbnail); then the disk is full.
        path = os.readlink(f"/proc/self/fd/{fd}")
        if path.startswith(str(out)) and not os.path.isdir(path):
            if len(written) >= 4:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written.append(path)
        return real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", fsync)
    run = run_cli("--out", str(out), "--jobs", "1", root=project.root)
    monkeypatch.undo()
    assert run.code == 1, run
    errors = [line for line in run.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, run.err
    assert errors[0].startswith(f"error: {out}/")
    assert errors[0].endswith(": no space left on the disk; stopped: no further document was "
                              "started, 6 not started (the files written before are complete and "
                              "unchanged)")
    assert "internal error" not in run.err and "bug" not in run.err
    after = digests(out)
    changed = [name for name in before if after.get(name) != before[name]]
    assert len(changed) <= 3                      # at most the first document's files, complete
    assert list(out.rglob("*.part")) == []
    assert "1 built" in run.out.splitlines()[-1]
    # The disk has room again: the next run builds the rest and ends complete.
    again = run_cli("--out", str(out), "--jobs", "1", root=project.root)
    assert again.code == 0, again
    assert " 0 failed" in again.out.splitlines()[-1]
    assert again.err == "" and digests(out).keys() == before.keys()


# ---- A real tmpfs in a private mount namespace ---------------------------------------------------

def _namespace() -> list[str] | None:
    """The unshare command that gives this user a private mount namespace, or None."""
    if not shutil.which("unshare") or not shutil.which("mount"):
        return None
    for command in (["unshare", "-m", "--propagation", "private"], ["unshare", "-rm"]):
        try:
            probe = subprocess.run(command + ["sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp"],
                                   capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return command
    return None


NAMESPACE = _namespace()
needs_namespace = pytest.mark.skipif(NAMESPACE is None, reason="cannot mount a tmpfs in a private "
                                                                 "mount namespace here (unshare)")

SCRIPT = """
set -u
OUT="$1"; BUILT="$2"; REPORT="$3"; SIZE="$4"; MODE="$5"; shift 5
mount -t tmpfs -o size="$SIZE" tmpfs "$OUT" || exit 90
cp -a "$BUILT/." "$OUT/"
if [ "$MODE" = full ] || [ "$MODE" = almost ]; then
  # Fill the disk: to the last byte, or leaving room for a document or two.
  {python} -c "
import os, sys
room = 0 if sys.argv[2] == 'full' else 64 * 1024
stat = os.statvfs(sys.argv[1])
left = stat.f_bavail * stat.f_frsize - room
with open(os.path.join(sys.argv[1], '.filler'), 'wb') as fh:
    try:
        while left > 0:
            fh.write(b'x' * min(left, 65536)); fh.flush(); left -= 65536
    except OSError:
        pass
" "$OUT" "$MODE"
elif [ "$MODE" = readonly ]; then
  mount -o remount,ro "$OUT" || exit 91
fi
df -k "$OUT" > "$REPORT/df"
"$@" > "$REPORT/out" 2> "$REPORT/err"
echo $? > "$REPORT/code"
rm -f "$OUT/.filler" 2>/dev/null
cp -a "$OUT" "$REPORT/after"
"""


def run_on_tmpfs(built, tmp_path, mode: str, size: str = "8m") -> dict:
    """Copy the built output onto a tmpfs of `size`, fill it (`full`, `almost`) or make it
    read-only, run the main job on it; what it printed, and a copy of the output afterwards."""
    project, out = built
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    report = tmp_path / "report"
    report.mkdir()
    script = tmp_path / "script.sh"
    script.write_text(SCRIPT.format(python=sys.executable))
    command = [*NAMESPACE, "sh", str(script), str(mount_point), str(out), str(report), size, mode,
               sys.executable, str(REPO / "generate.py"), "--root", str(project.root),
               "--out", str(mount_point), "--jobs", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done
    result = {name: (report / name).read_text() for name in ("out", "err", "code", "df")}
    result["errors"] = [line for line in result["err"].splitlines() if line.startswith("error: ")]
    result["after"] = report / "after"
    return result


def complete(out: Path) -> None:
    """Every PDF opens and has its pages; every HTML file ends with </html>; no temporary file."""
    from pypdf import PdfReader

    for pdf in out.rglob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1, pdf
    for html in out.rglob("*.html"):
        assert html.read_text().rstrip().endswith("</html>"), html
    assert list(out.rglob("*.part")) == []


@needs_namespace
def test_a_real_full_disk_gives_one_line_and_keeps_every_complete_file(built, tmp_path):
    project, out = built
    before = digests(out)
    change_the_leaflet(project)
    result = run_on_tmpfs(built, tmp_path, "full")
    assert result["code"].strip() == "1", (result["df"], result["out"], result["err"])
    # Not even the manifest could be written: nothing was started.
    assert result["errors"] == [f"error: {tmp_path}/mnt: cannot write manifest.json: no space left "
                                "on the disk"]
    assert "internal error" not in result["err"]
    assert digests(result["after"]) == before
    complete(result["after"])


@pytest.mark.slow
@needs_namespace
def test_a_disk_that_fills_up_stops_the_main_job_and_keeps_every_complete_file(built, tmp_path):
    """New practices, room for a document or two: the first that cannot be written stops the
    job (its pool workers included); every file there is complete, the old ones unchanged."""
    project, out = built
    before = digests(out)
    for index in range(6):
        (project.practices_dir / f"nieuw-{index}.toml").write_text(f'name = "Nieuw {index}"\n')
    result = run_on_tmpfs(built, tmp_path, "almost")
    assert result["code"].strip() == "1", (result["df"], result["out"], result["err"])
    assert len(result["errors"]) == 1, result["err"]
    assert ": no space left on the disk; stopped: " in result["errors"][0]
    assert "internal error" not in result["err"] and "bug" not in result["err"]
    built_now = [line for line in result["out"].splitlines() if line.startswith("built ")]
    assert len(built_now) < 12
    after = digests(result["after"])
    assert all(after[name] == digest for name, digest in before.items())
    complete(result["after"])


@needs_namespace
def test_a_read_only_output_folder_gives_one_line(built, tmp_path):
    project, out = built
    before = digests(out)
    change_the_leaflet(project)
    result = run_on_tmpfs(built, tmp_path, "readonly")
    assert result["code"].strip() == "1", (result["df"], result["out"], result["err"])
    assert result["errors"] == [f"error: {tmp_path}/mnt: cannot write manifest.json: it is on a "
                                "read-only file system"]
    assert digests(result["after"]) == before


def test_an_output_folder_without_permission_gives_one_line(built, tmp_path):
    """Root is not refused by permissions: it is run without CAP_DAC_OVERRIDE (setpriv) then."""
    project, out = built
    change_the_leaflet(project)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps",
                  "-dac_override,-dac_read_search"]
    before = digests(out)
    for folder in [out, *[p for p in out.rglob("*") if p.is_dir()]]:
        folder.chmod(0o555)
    try:
        done = subprocess.run([*prefix, sys.executable, str(REPO / "generate.py"), "--root",
                               str(project.root), "--out", str(out), "--jobs", "2"],
                              capture_output=True, text=True, timeout=600)
    finally:
        for folder in [out, *[p for p in out.rglob("*") if p.is_dir()]]:
            folder.chmod(0o755)
    assert done.returncode == 1, done
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert errors[0] == f"error: {out}: cannot write manifest.json: no permission to write there"
    assert digests(out) == before
