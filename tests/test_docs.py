"""Documentation generated from the code stays in sync with it (the sqlite-utils/cog way), and the
README, the front door, keeps its promises: its commands are the ones CI runs, its links lead
somewhere."""

from __future__ import annotations

import re

from leafletgen.cli.reference import COMMAND, REFERENCE, cli_reference, main, regenerate

from tests.conftest import REPO

README = REPO / "README.md"


def test_command_reference_is_the_current_help():
    text = REFERENCE.read_text(encoding="utf-8")
    assert f"`{COMMAND}`" in text, "docs/reference.md should say how to make it again"
    assert REFERENCE == REPO / "docs" / "reference.md"
    assert "<!-- generated: cli-reference -->" in text
    assert regenerate(text) == text, (
        f"docs/reference.md's command reference differs from `--help`: run `{COMMAND}`")


def test_reference_covers_every_command():
    reference = cli_reference()
    assert reference.startswith("```console\n$ leafletgen --help\nusage: leafletgen ")
    assert "$ leafletgen build --help\nusage: leafletgen build " in reference
    assert "$ leafletgen list --help\nusage: leafletgen list " in reference
    assert "generate.py" not in reference


def test_check_mode_fails_on_a_stale_page(tmp_path, capsys):
    stale = tmp_path / "reference.md"
    stale.write_text("# x\n\n<!-- generated: cli-reference -->\nstale text\n<!-- end generated: cli-reference -->\n")
    assert main(["--check", str(stale)]) == 1
    assert f"is out of date: run `{COMMAND}`" in capsys.readouterr().err
    assert main([str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0
    assert "stale text" not in stale.read_text()


def test_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 120
    for image in re.findall(r'src="([^"]+\.png)"', text):
        assert (REPO / image).is_file(), image
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (REPO / target).exists(), f"README.md links to {target}, which does not exist"
    assert "python -m venv .venv" in text and ". .venv/bin/activate" in text


def test_readme_commands_are_what_ci_runs():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    assert blocks[0] == "pip install -e . && python generate.py\n", "the README's first command"
    assert "bash .ci/run\n" in blocks
    ci = (REPO / ".ci" / "run").read_text()
    assert "pip install -q -e . && python generate.py" in ci
    assert ci.rstrip().endswith('python -m pytest "$@"')


def test_every_docs_page_is_in_the_site():
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {path.name for path in (REPO / "docs").glob("*.md")}
    listed = set(re.findall(r"^  - [^:]+: (\S+\.md)$", config, re.MULTILINE))
    assert pages == listed
