"""The command line, called in-process: exact output, exact exit codes (0 done, 1 bad input, 2 usage)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from leafletgen import __version__
from leafletgen.cli.main import make_parser
from leafletgen.cli.reference import command_paths

from tests.conftest import REPO, run_cli

LEAFLET = "lage-rugklachten"


@pytest.fixture
def dutch(project):
    """The project with Dutch only: outputs that do not change as translations are added."""
    shutil.rmtree(project.translations_dir, ignore_errors=True)
    return project


# ---- Usage (exit 2) and help (exit 0) -----------------------------------------------------------

@pytest.mark.parametrize("words", command_paths(make_parser()), ids=lambda w: " ".join(w) or "top")
def test_help_of_every_command(words):
    run = run_cli(*words, "--help")
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith("usage: generate.py " + " ".join(words))
    assert "options:" in run.out
    assert all(len(line) <= 80 for line in run.out.splitlines())


def test_version():
    run = run_cli("--version")
    assert (run.code, run.out, run.err) == (0, f"leafletgen {__version__}\n", "")


def test_build_without_leaflet_is_a_usage_error():
    run = run_cli("build")
    assert (run.code, run.out) == (2, "")
    lines = run.err.splitlines()
    assert lines[0] == "generate.py build: error: the following arguments are required: --leaflet"
    assert lines[1].startswith("usage: generate.py build [-h] --leaflet ID")
    assert "Traceback" not in run.err


def test_unknown_command_is_a_usage_error():
    run = run_cli("bouw")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("generate.py: error: argument COMMAND: invalid choice: 'bouw' (choose from ")
    assert "'build'" in run.err and "'list'" in run.err


def test_unknown_option_is_a_usage_error():
    run = run_cli("build", "--leaflet", LEAFLET, "--taal", "nl")
    assert (run.code, run.out) == (2, "")
    assert run.err.splitlines()[0] == "generate.py: error: unrecognized arguments: --taal nl"


# ---- Bad input (exit 1): one line per problem, no traceback --------------------------------------

def test_unknown_leaflet_lists_the_known_ones(dutch):
    run = run_cli("build", "--leaflet", "knieklachten", root=dutch.root)
    assert (run.code, run.out) == (1, "")
    assert run.err == "error: unknown leaflet 'knieklachten'; known leaflets: lage-rugklachten\n"


def test_unknown_practice_lists_the_known_ones(dutch):
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", "de-eik", root=dutch.root)
    assert (run.code, run.out) == (1, "")
    assert run.err == "error: unknown practice 'de-eik'; known practices: fysio-delinde\n"


def test_unknown_language_lists_the_known_ones(dutch):
    run = run_cli("build", "--leaflet", LEAFLET, "--lang", "xx", root=dutch.root)
    assert (run.code, run.out) == (1, "")
    assert run.err == "error: unknown language 'xx'; known languages: nl\n"


def test_unknown_variant(dutch, tmp_path):
    run = run_cli("build", "--leaflet", LEAFLET, "--variant", "poster", "--out", str(tmp_path), root=dutch.root)
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith("error: unknown variant 'poster'; known variants: a4")


def test_an_internal_error_is_one_line_without_traceback(dutch, monkeypatch):
    import leafletgen.cli.commands

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(leafletgen.cli.commands, "build", broken)
    run = run_cli("build", "--leaflet", LEAFLET, root=dutch.root)
    assert (run.code, run.out) == (1, "")
    assert run.err == ("internal error: RuntimeError: boom — this is a bug in leafletgen; run again "
                       "with --debug for the traceback and report it\n")
    with pytest.raises(RuntimeError, match="boom"):
        run_cli("build", "--leaflet", LEAFLET, "--debug", root=dutch.root)


# ---- Done (exit 0) ------------------------------------------------------------------------------

def test_list(dutch):
    run = run_cli("list", root=dutch.root)
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        "Leaflets:\n"
        "  lage-rugklachten  Lage rugklachten  v1.0\n"
        "    languages: nl 100%\n"
        "Practices:\n"
        "  fysio-delinde  Fysiotherapie De Linde\n"
        "  default  (no --practice: neutral, no logo)\n")


def test_list_names_an_invalid_leaflet_and_practice_without_failing(dutch):
    (dutch.leaflets_dir / "kapot.md").write_text("geen front matter\n")
    (dutch.practices_dir / "kapot.toml").write_text('naam = "x"\n')
    run = run_cli("list", root=dutch.root)
    assert (run.code, run.err) == (0, "")
    assert ("  kapot  (invalid; see `build`):\n"
            "    leaflets/kapot.md:1: a leaflet starts with YAML front matter between '---' lines\n") in run.out
    # Each problem of the profile, on a line of its own under its id.
    assert ("  kapot  (invalid):\n"
            "    practices/kapot.toml:1: name: this key is required\n"
            "    practices/kapot.toml:1: naam: unknown key; allowed keys are: name, logo, color, address, "
            "phone, email, website, variants, bilingual, languages, qr_url, require_review\n") in run.out


def test_build_writes_pdf_and_html(dutch):
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", "fysio-delinde", root=dutch.root)
    assert (run.code, run.err) == (0, "")
    assert run.out == ("wrote output/fysio-delinde/nl/lage-rugklachten.pdf\n"
                       "wrote output/fysio-delinde/nl/lage-rugklachten.html\n")
    folder = dutch.output_dir / "fysio-delinde" / "nl"
    assert (folder / "lage-rugklachten.pdf").read_bytes().startswith(b"%PDF-")
    assert (folder / "lage-rugklachten.html").read_text().startswith("<!DOCTYPE html>")


def test_build_without_practice_is_neutral(dutch, tmp_path):
    out = tmp_path / "elders"
    run = run_cli("build", "--leaflet", LEAFLET, "--out", str(out), root=dutch.root)
    assert (run.code, run.err) == (0, "")
    assert run.out == (f"wrote {out}/default/nl/lage-rugklachten.pdf\n"
                       f"wrote {out}/default/nl/lage-rugklachten.html\n")
    html = (out / "default" / "nl" / "lage-rugklachten.html").read_text()
    assert "<img" not in html and 'class="practice"' not in html


def test_a_warning_is_printed_and_strict_makes_it_an_error(dutch, tmp_path):
    (dutch.practices_dir / "geel.toml").write_text('name = "Praktijk Geel"\ncolor = "#ffd500"\n')
    run = run_cli("build", "--leaflet", LEAFLET, "--practice", "geel", "--out", str(tmp_path), root=dutch.root)
    assert run.code == 0
    assert run.err.startswith("warning: practices/geel.toml:2: color #ffd500 has contrast 1.4:1 on white")
    strict = run_cli("build", "--leaflet", LEAFLET, "--practice", "geel", "--out", str(tmp_path),
                     "--strict", root=dutch.root)
    assert strict.code == 1
    assert strict.err.splitlines()[-1] == "error: warnings are errors with --strict"


@pytest.mark.slow
def test_the_main_job_with_strict_writes_no_document_that_has_warnings(dutch, tmp_path):
    """--strict in the main job: the practice whose colour warns gets no files, and the run fails;
    the other practice's leaflet is built (as with one failing document)."""
    (dutch.practices_dir / "geel.toml").write_text('name = "Praktijk Geel"\ncolor = "#ffd500"\n')
    run = run_cli("--strict", root=dutch.root)
    assert run.code == 1
    assert "failed geel/nl/lage-rugklachten.pdf" in run.out.splitlines()
    assert (dutch.output_dir / "fysio-delinde" / "nl" / f"{LEAFLET}.pdf").is_file()
    assert not (dutch.output_dir / "geel").exists()
    assert run.err.splitlines()[0].startswith(
        "error: geel/nl/lage-rugklachten: practices/geel.toml:2: color #ffd500 has contrast 1.4:1")
    assert run.err.splitlines()[0].endswith("(not written: warnings are errors with --strict)")
    # Without --strict the same document is written, with its warning.
    relaxed = run_cli(root=dutch.root)
    assert relaxed.code == 0 and (dutch.output_dir / "geel" / "nl" / f"{LEAFLET}.pdf").is_file()


@pytest.mark.slow
def test_a_reader_that_stops_early_does_not_stop_the_build(dutch):
    """`python generate.py | head -1`: the pipe closes after one line; the build goes on, all
    documents are written, and there is no error (no "internal error: BrokenPipeError")."""
    (dutch.practices_dir / "tweede.toml").write_text('name = "Tweede praktijk"\n')
    process = subprocess.Popen([sys.executable, str(REPO / "generate.py"), "--root", str(dutch.root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()                 # what `head -1` does after its line
    err = process.stderr.read()
    assert process.wait(timeout=120) == 0, err
    assert first.startswith(b"built ") and err == b""
    for practice in ("fysio-delinde", "tweede"):
        assert (dutch.output_dir / practice / "nl" / f"{LEAFLET}.pdf").is_file()


def untimed(text: str) -> str:
    """The main job's summary with its time (which varies) replaced by T."""
    return re.sub(r" in \d+\.\d s;", " in T s;", text)


def test_main_job_builds_everything_and_an_index(dutch):
    run = run_cli(root=dutch.root)
    assert (run.code, run.err) == (0, "")
    assert untimed(run.out) == (
        "built fysio-delinde/nl/lage-rugklachten.pdf\n"
        "1 built, 0 unchanged, 0 skipped as incomplete, 0 failed in T s; index: output/index.html\n")
    index = (dutch.output_dir / "index.html").read_text()
    assert 'href="fysio-delinde/nl/lage-rugklachten.pdf"' in index
    assert 'href="fysio-delinde/nl/lage-rugklachten.html"' in index
    assert "<h2>Lage rugklachten</h2>" in index


def test_main_job_reports_a_bad_leaflet_and_still_builds_the_others(dutch, tmp_path):
    (dutch.leaflets_dir / "kapot.md").write_text("---\nid: kapot\n---\n\nTekst.\n")
    run = run_cli("--out", str(tmp_path), root=dutch.root)
    assert run.code == 1
    assert run.out.splitlines()[0] == "built fysio-delinde/nl/lage-rugklachten.pdf"
    assert run.out.splitlines()[-1].startswith(
        "1 built, 0 unchanged, 0 skipped as incomplete, 0 failed, 6 problem(s) in ")
    assert run.err.splitlines() == [
        f"error: leaflets/kapot.md:1: {key}: this key is required"
        for key in ("title", "language", "version", "published", "review", "author")]
    assert (tmp_path / "fysio-delinde" / "nl" / "lage-rugklachten.pdf").is_file()


# ---- The real entry point, as a user runs it ----------------------------------------------------

@pytest.mark.slow
def test_generate_py_exit_codes_in_a_real_process():
    def run(*args):
        return subprocess.run([sys.executable, "generate.py", *args], cwd=REPO,
                              capture_output=True, text=True)

    usage, bad, helped = run("build"), run("build", "--leaflet", "bestaat-niet"), run("--help")
    assert (usage.returncode, bad.returncode, helped.returncode) == (2, 1, 0)
    assert bad.stderr.startswith("error: unknown leaflet 'bestaat-niet'; known leaflets: ")
    assert "Traceback" not in usage.stderr + bad.stderr
    assert helped.stdout.startswith("usage: generate.py")


def test_main_job_reports_a_bad_practice_and_still_builds_the_others(dutch, tmp_path):
    (dutch.practices_dir / "aaa.toml").write_text('name = "Kapot"\ncolour = "#123456"\n')
    run = run_cli("--out", str(tmp_path), root=dutch.root)
    assert run.code == 1
    assert untimed(run.out).splitlines() == [
        "built fysio-delinde/nl/lage-rugklachten.pdf",
        f"1 built, 0 unchanged, 0 skipped as incomplete, 0 failed, 1 problem(s) in T s; "
        f"index: {tmp_path}/index.html"]
    assert run.err.startswith("error: practices/aaa.toml:2: colour: unknown key; ")


def test_main_job_without_practices_builds_the_neutral_leaflet(dutch, tmp_path):
    for profile in dutch.practices_dir.glob("*.toml"):
        profile.unlink()
    run = run_cli("--out", str(tmp_path), root=dutch.root)
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines()[0] == "built default/nl/lage-rugklachten.pdf"
    assert (tmp_path / "default" / "nl" / "lage-rugklachten.html").is_file()
