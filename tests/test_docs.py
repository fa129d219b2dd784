"""Documentation generated from the code stays in sync with it (the sqlite-utils/cog way)."""

from __future__ import annotations

import re

from leafletgen.docs import README, cli_reference, main, regenerate

from .conftest import REPO


def test_readme_command_reference_is_the_current_help():
    text = README.read_text(encoding="utf-8")
    assert "<!-- generated: cli-reference -->" in text
    assert regenerate(text) == text, (
        "README.md's command reference differs from `--help`: run `python -m leafletgen.docs`")


def test_reference_covers_every_command():
    reference = cli_reference()
    assert reference.startswith("```console\n$ python generate.py --help\nusage: generate.py ")
    assert "$ python generate.py build --help\nusage: generate.py build " in reference
    assert "$ python generate.py list --help\nusage: generate.py list " in reference


def test_check_mode_fails_on_a_stale_readme(tmp_path, capsys):
    stale = tmp_path / "README.md"
    stale.write_text("# x\n\n<!-- generated: cli-reference -->\nstale text\n<!-- end generated: cli-reference -->\n")
    assert main(["--check", str(stale)]) == 1
    assert "is out of date: run `python -m leafletgen.docs`" in capsys.readouterr().err
    assert main([str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
    assert "stale text" not in stale.read_text()


def test_readme_picture_and_commands_exist():
    text = README.read_text(encoding="utf-8")
    for image in re.findall(r'src="([^"]+\.png)"', text):
        assert (REPO / image).is_file(), image
    assert "pip install -e . && python generate.py" in text
    assert "bash .ci/run" in text
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith('python -m pytest "$@"')
