"""The command line. Thin: parses arguments, calls the stages, reports.

Exit status: 0 done; 1 the input was bad or a build failed (one line per problem, no
traceback unless --debug); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path

from . import __version__
from .errors import UserError
from .atomic_write import remove_stale_parts
from .unprintable import printable
from .project import Project, find_project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


class HelpFormatter(argparse.HelpFormatter):
    """Help wrapped at 80 columns whatever the terminal, so the README's copy of it stays exact."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position, width=80)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports wrong usage to `main` instead of exiting the process."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message}\n{self.format_usage().strip()}")


def _out_dir(project: Project, value: str | None) -> Path:
    return Path(value).resolve() if value else project.output_dir


def cmd_main_job(args, project: Project, out, err) -> int:
    from .batch import run_main_job
    from .batch.scheduler import extra_missing, scheduler_address

    try:
        cluster = scheduler_address(args.cluster)
    except ValueError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    if cluster and extra_missing():
        print(f"error: {extra_missing()}", file=err)
        return EXIT_USAGE
    out_dir = _out_dir(project, args.out)
    remove_stale_parts(out_dir)  # temporary files of a build that was killed (SIGKILL)
    summary = run_main_job(project, out_dir, jobs=args.jobs, force=args.force,
                           out=out, strict=args.strict, cluster=cluster)
    for line in summary.skipped:
        print(printable(line), file=out)
    for line in summary.warnings:
        print(f"warning: {printable(line)}", file=err)
    for line in dict.fromkeys(summary.failed):
        print(f"error: {printable(line)}", file=err)
    if summary.removed:
        print(f"removed {len(summary.removed)} file(s) of leaflets, languages or practices "
              "no longer built", file=out)
    problems = f", {len(summary.failed)} problem(s)" if summary.failed else ""
    print(f"{len(summary.built)} built, {summary.unchanged} unchanged, {len(summary.skipped)} "
          f"skipped as incomplete, {len(summary.failed_documents)} failed{problems} "
          f"in {summary.seconds:.1f} s; index: {project.rel(out_dir / 'index.html')}", file=out)
    if summary.failed:
        return EXIT_FAILED
    if args.strict and summary.warnings:
        print("error: warnings are errors with --strict", file=err)
        return EXIT_FAILED
    return EXIT_OK


def _cluster(value: str) -> str:
    from .batch.scheduler import check_address

    try:
        return check_address(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return jobs


def cmd_build(args, project: Project, out, err) -> int:
    from .build import BuildRequest, build

    request = BuildRequest(leaflet=args.leaflet, lang=args.lang, practice=args.practice,
                           variant=args.variant, bilingual=args.bilingual,
                           allow_draft=args.allow_draft)
    out_dir = _out_dir(project, args.out)
    document, pdf_path, html_path = build(project, request, out_dir, strict=args.strict)
    for warning in document.warnings:
        print(f"warning: {printable(warning)}", file=err)
    if args.strict and document.warnings:
        print("error: warnings are errors with --strict", file=err)
        return EXIT_FAILED
    print(f"wrote {project.rel(pdf_path)}", file=out)
    print(f"wrote {project.rel(html_path)}", file=out)
    return EXIT_OK


def cmd_list(args, project: Project, out, err) -> int:
    from .content import load_leaflet
    from .i18n import SOURCE_LANGUAGE, languages, load_catalog, translate_leaflet
    from .practice import load_practice

    print("Leaflets:", file=out)
    for leaflet_id in project.leaflet_ids():
        try:
            leaflet = load_leaflet(project, leaflet_id)
        except UserError as exc:
            print(f"  {leaflet_id}  (invalid: {len(exc.problems)} problem(s); see `build`)", file=out)
            continue
        total = len(leaflet.units())
        parts = []
        for lang in languages(project):
            if lang == SOURCE_LANGUAGE:
                parts.append(f"{lang} 100%")
                continue
            missing = translate_leaflet(leaflet, load_catalog(project, leaflet_id, lang), lang).missing
            parts.append(f"{lang} {100 * (total - len(missing)) // total}%")
        print(f"  {leaflet_id}  {leaflet.title}  v{leaflet.version}", file=out)
        print(f"    languages: {', '.join(parts)}", file=out)
    print("Practices:", file=out)
    for practice_id in project.practice_ids():
        try:
            practice = load_practice(project, practice_id)
            print(f"  {practice_id}  {practice.name}", file=out)
        except UserError as exc:
            print(f"  {practice_id}  (invalid: {len(exc.problems)} problem(s))", file=out)
    print("  default  (no --practice: neutral, no logo)", file=out)
    return EXIT_OK


def make_parser() -> Parser:
    parser = Parser(
        prog="generate.py",
        description="Turn Dutch patient leaflets into branded, print-ready PDF and HTML leaflets in "
                    "every language that has a complete translation. With no command: build "
                    "everything into output/ and write output/index.html.",
    )
    parser.add_argument("--version", action="version", version=f"leafletgen {__version__}")
    _common(parser, top=True)
    parser.add_argument("--out", metavar="DIR", help="output folder (default: output/)")
    parser.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                        help="documents built at once (default: one per core)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every document, also those unchanged since the last run")
    parser.add_argument("--cluster", type=_cluster, metavar="ADDRESS",
                        help="render the documents on the Dask cluster whose scheduler is at "
                             "ADDRESS (tcp://HOST:PORT; default: $LEAFLETGEN_CLUSTER, else this "
                             "computer's cores); needs the cluster extra")
    parser.set_defaults(handler=cmd_main_job)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    build = commands.add_parser(
        "build", help="build one leaflet in one language for one practice",
        description="Build one leaflet in one language, for one practice (or the neutral default).")
    build.add_argument("--leaflet", required=True, metavar="ID", help="leaflet id (file name in leaflets/)")
    build.add_argument("--lang", default="nl", metavar="LL", help="language code, e.g. nl, tr, ar (default: nl)")
    build.add_argument("--practice", metavar="ID", help="practice id (file name in practices/); "
                                                        "default: neutral, without logo")
    build.add_argument("--out", metavar="DIR", help="output folder (default: output/)")
    build.add_argument("--variant", default="a4", metavar="NAME",
                       help="print variant: a4 (default), a5, booklet, large-print, print-shop")
    build.add_argument("--bilingual", action="store_true",
                       help="set the translation and the Dutch side by side, block by block")
    build.add_argument("--allow-draft", action="store_true",
                       help="build an incomplete translation: missing parts in Dutch, marked DRAFT")
    _common(build)
    build.set_defaults(handler=cmd_build)

    listing = commands.add_parser(
        "list", help="list leaflets, languages (%% translated) and practices",
        description="List the leaflets with the share translated per language, and the practices.")
    _common(listing)
    listing.set_defaults(handler=cmd_list)

    from .translations_cli import add_commands as add_translations_commands
    add_translations_commands(commands, Parser, _common)

    from .accessibility import add_command as add_check_command
    add_check_command(commands, _common)

    from .web.serve import add_command as add_serve_command
    add_serve_command(commands, _common)
    return parser


def _common(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # On sub-commands the defaults are SUPPRESS so they do not overwrite the top-level values.
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--root", metavar="DIR", default=default(None),
                        help="project folder (default: the current folder)")
    parser.add_argument("--strict", action="store_true", default=default(False),
                        help="treat warnings as errors")
    parser.add_argument("--debug", action="store_true", default=default(False),
                        help="show the full traceback of an internal error")


class ReaderGone:
    """Standard output whose reader may stop early (`generate.py list | head -3`).

    Once the pipe is closed, the rest of the output is dropped and the work goes on: a build is
    not stopped half-way because nobody reads its log any more, and it is not an internal error.
    """

    def __init__(self, stream):
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.gone = True

    def isatty(self) -> bool:
        return self.stream.isatty()

    def silence(self) -> None:
        """After main: point the real stdout at /dev/null, so Python's own flush at exit does
        not report the closed pipe either (the recipe of Python's signal documentation)."""
        if self.gone:
            import os
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())
                os.close(devnull)
            except (OSError, ValueError, AttributeError):
                pass


def main(argv: list[str] | None = None, out=None, err=None) -> int:
    if out is None:
        out = ReaderGone(sys.stdout)
    err = err or sys.stderr
    try:
        return _main(argv, out, err)
    finally:
        if isinstance(out, ReaderGone):
            out.silence()


def _main(argv: list[str] | None, out, err) -> int:
    parser = make_parser()
    try:
        # argparse prints --help and --version to sys.stdout; send them where the caller asked.
        with contextlib.redirect_stdout(out):
            args = parser.parse_args(argv)
    except UsageError as exc:
        print(str(exc), file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    previous = _terminate_as_exception()
    try:
        project = find_project(args.root)
        return args.handler(args, project, out, err)
    except UserError as exc:
        for line in exc.lines:
            print(f"error: {printable(line)}", file=err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted; outputs are either the old or the new complete files", file=err)
        return 130
    except Terminated:
        print("terminated; outputs are either the old or the new complete files", file=err)
        return 128 + signal.SIGTERM
    except OSError as exc:
        # The machine, not the input nor leafletgen: a folder that cannot be written, a full disk.
        if args.debug:
            raise
        if exc.filename is None:
            return _internal_error(exc, err)
        print(f"error: {printable(str(exc.filename))}: {exc.strerror or exc} (check the folder "
              "exists and can be written, and that the disk is not full)", file=err)
        return EXIT_FAILED
    except Exception as exc:
        if args.debug:
            raise
        return _internal_error(exc, err)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _internal_error(exc: BaseException, err) -> int:
    print(f"internal error: {type(exc).__name__}: {printable(str(exc))} — this is a bug in "
          "leafletgen; run again with --debug for the traceback and report it", file=err)
    return EXIT_FAILED


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that `finally` blocks (temporary files) run."""


def _terminate_as_exception():
    """Turn SIGTERM into `Terminated` for the duration of `main`; the previous handler, or None."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise Terminated()

    try:
        return signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        return None
