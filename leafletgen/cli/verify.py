"""`generate.py verify PATH…`: whether printed or saved PDFs are still the approved text."""

from __future__ import annotations

from pathlib import Path

EXIT_OK, EXIT_FAILED = 0, 1


def add_command(commands, common) -> None:
    verify = commands.add_parser(
        "verify", help="check PDFs: which leaflet they are and whether their text is current",
        description="For each PDF (a folder: every PDF in it), say which leaflet, version, language, "
                    "practice and variant it is (from the metadata a build writes into it), read its "
                    "text back and compare it with the approved text of that document as the "
                    "sources say now: 'current', 'text differs' (which unit, and whether the file "
                    "was altered or the sources changed since), 'older version' (a newer version "
                    "exists), or 'not a leafletgen PDF'. A patient pack: each of its leaflets, on "
                    "its own pages. Exit status 0 only when every file is current.")
    verify.add_argument("paths", nargs="+", metavar="PATH", help="a PDF file, or a folder of them")
    common(verify)
    verify.set_defaults(handler=cmd_verify)


def pdf_files(paths: list[str]) -> tuple[list[tuple[Path, str]], list[str]]:
    """(each PDF with the name to show, the paths that are neither a file nor a folder)."""
    found, missing = [], []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += [(pdf, str(pdf)) for pdf in sorted(path.rglob("*"))
                      if pdf.suffix.lower() == ".pdf" and pdf.is_file()]
        elif path.is_file():
            found.append((path, name))
        else:
            missing.append(name)
    return found, missing


def cmd_verify(args, project, out, err) -> int:
    from ..prove.verify import verify_file

    files, missing = pdf_files(args.paths)
    for name in missing:
        print(f"error: {name}: no such file or folder", file=err)
    if not files and not missing:
        print(f"error: no PDF in {', '.join(args.paths)}", file=err)
        return EXIT_FAILED
    verdicts = [verify_file(project, path, shown) for path, shown in files]
    for verdict in verdicts:
        for line in verdict.lines():
            print(line, file=out)
    current = sum(verdict.current for verdict in verdicts)
    if len(verdicts) > 1:
        print(f"{current} of {len(verdicts)} current", file=out)
    return EXIT_OK if current == len(verdicts) and not missing else EXIT_FAILED
