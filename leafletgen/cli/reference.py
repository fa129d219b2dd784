"""Parts of the documentation generated from the code, so they cannot drift from it.

    python -m leafletgen.cli.reference            rewrite the generated parts of docs/reference.md
    python -m leafletgen.cli.reference --check    exit 1 if it is out of date (tests/test_docs.py)

A generated part sits between two marker comments; everything outside them is written by hand:

    <!-- generated: cli-reference -->
    ...
    <!-- end generated: cli-reference -->
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from .main import main as cli_main, make_parser
from .streams import INSTALLED
from ..inputs.project import PACKAGE_ROOT

REFERENCE = PACKAGE_ROOT / "docs" / "reference.md"
COMMAND = f"python -m {__spec__.name}"   # how to run this module, wherever it lives
_BLOCK_RE = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)",
                       re.DOTALL)


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the CLI as the words that call it: (), ("build",), ("translations", "init"), …"""
    paths = [prefix]
    for action in parser._actions:  # argparse has no public way to list sub-commands
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += command_paths(sub, prefix + (name,))
    return paths


def help_text(words: tuple[str, ...]) -> str:
    """`--help` as the installed command prints it (the name a content folder of its own has;
    in a checkout, `python generate.py` is the same command)."""
    out = io.StringIO()
    code = cli_main([*words, "--help"], out=out, err=out, name=INSTALLED)
    if code != 0:
        raise RuntimeError(f"`{INSTALLED} {' '.join(words)} --help` exited {code}: {out.getvalue()}")
    return out.getvalue()


def cli_reference() -> str:
    """`--help` of every command, in one fenced block per command."""
    parts = []
    for words in command_paths(make_parser()):
        command = " ".join((INSTALLED,) + words + ("--help",))
        parts.append(f"```console\n$ {command}\n{help_text(words).rstrip()}\n```\n")
    return "\n".join(parts)


GENERATORS = {"cli-reference": cli_reference}


def regenerate(text: str) -> str:
    """`text` with every generated part replaced by its current content."""
    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in GENERATORS:
            raise KeyError(f"unknown generated part {name!r}; known: {', '.join(GENERATORS)}")
        return str(match.group(1) + GENERATORS[name]() + match.group(4))

    return _BLOCK_RE.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if out of date")
    parser.add_argument("file", nargs="?", type=Path, default=REFERENCE)
    args = parser.parse_args(argv)
    text = args.file.read_text(encoding="utf-8")
    new = regenerate(text)
    if new == text:
        return 0
    if args.check:
        print(f"{args.file} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1
    args.file.write_text(new, encoding="utf-8")
    print(f"updated {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
