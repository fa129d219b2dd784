"""The command line: what each command accepts, and the one place problems are reported.

Thin: it parses the arguments and calls a handler. The main job's handler is here (the batch
package is light until a document must be built); the others are in commands.py, imported when
one of them runs (`_handler`), so that a main job with nothing to do loads none of them.

Exit status: 0 done; 1 the input was bad or a build failed (one line per problem, no
traceback unless --debug); 2 wrong usage. Warnings are counted in one place (`Messages`):
with --strict, a command that warned fails, once, at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
import threading
from pathlib import Path

from .. import __version__
from ..run import limits
from ..atomic_write import remove_stale_parts
from ..batch import run_main_job
from ..batch.scheduler import check_address, cluster_to_use
from ..errors import STRICT_ERROR, MachineError, UserError
from ..inputs.project import Project, find_project
from ..inputs.shipped import upgrade_note
from ..run.signals import Terminated
from ..inputs.characters import printable
from ..typeset.variants import VARIANTS
from .streams import CHECKOUT, AsTyped, ReaderGone, invoked_as

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


class HelpFormatter(argparse.HelpFormatter):
    """Help wrapped at 80 columns whatever the terminal, so docs/reference.md's copy stays exact."""

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
    try:
        cluster = cluster_to_use(args.cluster)
    except ValueError as exc:   # a malformed $LEAFLETGEN_CLUSTER, Dask not installed
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    out_dir = _out_dir(project, args.out)
    remove_stale_parts(out_dir)  # temporary files of a build that was killed (SIGKILL)
    summary = run_main_job(project, out_dir, jobs=args.jobs, force=args.force,
                           out=out, strict=args.strict, cluster=cluster)
    for line in summary.skipped + summary.skipped_unreviewed + summary.concepts:
        print(printable(line), file=out)
    note = upgrade_note(project)       # copies older than the installed leafletgen's files
    if note:
        print(note, file=out)
    for line in summary.warnings:
        err.warning(line)
    for line in dict.fromkeys(summary.failed):
        print(f"error: {printable(line)}", file=err)
    if summary.removed:
        print(f"removed {len(summary.removed)} file(s) of leaflets, languages or practices "
              "no longer built", file=out)
    if summary.stopped:
        left = f", {summary.not_started} not started" if summary.not_started else ""
        print(f"error: {printable(summary.stopped)}; stopped: no further document was started"
              f"{left} (the files written before are complete and unchanged)", file=err)
    problems = f", {len(summary.failed)} problem(s)" if summary.failed else ""
    unreviewed = (f", {len(summary.skipped_unreviewed)} skipped as unreviewed"
                  if summary.skipped_unreviewed else "")
    print(f"{len(summary.built)} built, {summary.unchanged} unchanged, {len(summary.skipped)} "
          f"skipped as incomplete{unreviewed}, {len(summary.failed_documents)} failed{problems} "
          f"in {summary.seconds:.1f} s; index: {project.rel(out_dir / 'index.html')}", file=out)
    return EXIT_FAILED if summary.failed or summary.stopped else EXIT_OK


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return jobs


def make_parser(name: str = CHECKOUT) -> Parser:
    parser = Parser(
        prog=name.removeprefix("python "),
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
    parser.add_argument("--cluster", type=check_address, metavar="ADDRESS",
                        help="render on the Dask cluster whose scheduler is at ADDRESS "
                             "(tcp://HOST:PORT; default: $LEAFLETGEN_CLUSTER, else this computer)")
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
                       help="build an incomplete translation: missing parts in Dutch, marked DRAFT, "
                            "written as <leaflet>[-variant]-concept.pdf")
    _common(build)
    build.set_defaults(handler="cmd_build")

    listing = commands.add_parser(
        "list", help="list leaflets, languages (%% translated) and practices",
        description="List the leaflets with the share translated per language, and the practices.")
    _common(listing)
    listing.set_defaults(handler="cmd_list")
    add_translations_commands(commands)
    add_check_command(commands)
    # `serve`, `users`, `new`, `upgrade` and `verify`: their own modules
    for module in ("web.serve", "store.command", "cli.folder_commands", "cli.verify"):
        importlib.import_module(f"..{module}", __package__).add_command(commands, _common)
    return limits.add_options(parser, commands.choices)   # --time-limit, --memory-limit


def add_translations_commands(commands) -> None:
    """`translations extract|update|init LL|status`: the gettext workflow."""
    group = commands.add_parser(
        "translations", help="the translation workflow: extract, update, init LL, status, review LL",
        description="Work with the gettext catalogs in translations/: one domain per leaflet (the "
                    "leaflet id) and `leafletgen` for the template strings.")
    _common(group)
    sub = group.add_subparsers(dest="translations_command", metavar="ACTION", parser_class=Parser,
                               required=True)
    extract = sub.add_parser(
        "extract", help="write translations/<domain>.pot from the leaflets and templates",
        description="Extract every translation unit of every leaflet (translations/<leaflet>.pot) and "
                    "the template strings (translations/leafletgen.pot). A file is only rewritten "
                    "when its messages changed.")
    _common(extract)
    extract.set_defaults(handler="cmd_extract")
    update = sub.add_parser(
        "update", help="merge the current sources into every language's .po files",
        description="Extract, then merge into every language: translations are kept, a changed "
                    "Dutch text is marked fuzzy (with the old translation as a starting point), "
                    "a new one is added untranslated. Missing .po files are created.")
    _common(update)
    update.set_defaults(handler="cmd_update")
    init = sub.add_parser(
        "init", help="start a new language",
        description="Create translations/LL/LC_MESSAGES/<domain>.po for every leaflet and the "
                    "templates, empty, with the language's plural rule in the header.")
    init.add_argument("lang", metavar="LL", help="ISO 639 language code, e.g. pt or pt_BR")
    _common(init)
    init.set_defaults(handler="cmd_init")
    review = sub.add_parser(
        "review", help="record that a person reviewed a leaflet's translation",
        description="Record, after reading the translation of a leaflet against the Dutch, that "
                    "NAME reviewed it: in translations/LL/LC_MESSAGES/<leaflet>.review.toml, with "
                    "a hash of every unit's Dutch text and translation (the leaflet's and the "
                    "template strings printed with it). The leaflet then says, in its small "
                    "print, who reviewed it and when; a change to any of those units makes the "
                    "review outdated. Only a complete translation can be reviewed.")
    review.add_argument("lang", metavar="LL", help="the language reviewed, e.g. tr")
    review.add_argument("--leaflet", required=True, metavar="ID", help="leaflet id (file name in leaflets/)")
    review.add_argument("--by", required=True, metavar="NAME",
                        help="the reviewer (an account, once the web app has them: its full name is printed)")
    review.add_argument("--date", metavar="YYYY-MM-DD", help="the day of the review (default: today)")
    review.add_argument("--translated-by", metavar="NAME",
                        help="who translated it (default: as already recorded)")
    review.add_argument("--method", choices=("human", "machine-assisted"),
                        help="how it was translated (default: as already recorded)")
    _common(review)
    review.set_defaults(handler="cmd_review")
    status = sub.add_parser(
        "status", help="translated, fuzzy, untranslated and review state per leaflet and language",
        description="Per leaflet (and the template strings) and language: translated, fuzzy and "
                    "untranslated units, and the share translated. A fuzzy unit counts as not "
                    "translated, as it does when building. Then per leaflet and language whether "
                    "a person reviewed the translation: reviewed (by whom, when), unreviewed, or "
                    "outdated (a unit changed since the review; each change is listed).")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--require-complete", action="store_true",
                        help="exit 1 when any unit of any language is untranslated or fuzzy")
    _common(status)
    status.set_defaults(handler="cmd_status")


def add_check_command(commands) -> None:
    """`check`: contrast, text sizes, alt texts, readability, review dates."""
    check = commands.add_parser(
        "check", help="check contrast, text sizes, alt texts, readability and review dates",
        description="Check what makes a leaflet accessible: contrast of every text colour on its "
                    "background with the practice's colours (WCAG AA, 4.5:1), the smallest text "
                    "size against the variant's minimum, images without alt text, readability "
                    "per leaflet and language (Dutch B1: at most 15 words a sentence on average), "
                    "and review dates that have passed. Every language and variant is laid out "
                    "as it will be printed: its pages, how full they are, sheets, body size, line "
                    "length and logo size, with a warning for a page left nearly empty, a word "
                    "broken in large print or a word alone on the last line of a heading. Builds "
                    "run the same checks (except readability and pages) and warn; --strict makes "
                    "warnings errors.")
    check.add_argument("--leaflet", metavar="ID", help="only this leaflet (default: all)")
    check.add_argument("--lang", metavar="LL", help="only this language (default: Dutch and every "
                                                    "complete translation)")
    check.add_argument("--practice", metavar="ID", help="only this practice (default: all; "
                                                        "'default' for the neutral one)")
    check.add_argument("--variant", metavar="NAME", choices=list(VARIANTS),
                       help="only this variant (default: each practice's variants; one of "
                            f"{', '.join(VARIANTS)})")
    _common(check)
    check.set_defaults(handler="cmd_check")


def _handler(handler):
    """A command's handler: a function, or the name of one in commands.py, which is imported here,
    the one place the CLI loads the stages (a main job with nothing to do never gets here)."""
    if callable(handler):
        return handler
    return getattr(importlib.import_module(f"{__package__}.commands"), handler)


class Messages:
    """Standard error as the commands use it: `warning()` prints a warning and counts it, so that
    with --strict any command that warned fails, in one place (`_main`), with one message."""

    def __init__(self, stream):
        self.stream = stream
        self.warnings = 0

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def warning(self, text: str) -> None:
        print(f"warning: {printable(text)}", file=self.stream)
        self.warnings += 1


def _common(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # On sub-commands the defaults are SUPPRESS so they do not overwrite the top-level values.
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--root", metavar="DIR", default=default(None),
                        help="project folder (default: the one the current folder is in)")
    parser.add_argument("--strict", action="store_true", default=default(False),
                        help="treat warnings as errors")
    parser.add_argument("--debug", action="store_true", default=default(False),
                        help="show the full traceback of an internal error")


def main(argv: list[str] | None = None, out=None, err=None, name: str | None = None) -> int:
    """The CLI; `name`: the command as the user typed it (default: from `sys.argv[0]`)."""
    if out is None:
        out = ReaderGone(sys.stdout)
    err = err or sys.stderr
    name = name or invoked_as(sys.argv[0] if sys.argv else "")
    try:
        if name == CHECKOUT:
            return _main(argv, out, err, name)
        return _main(argv, AsTyped(out, name), AsTyped(err, name), name)
    finally:
        if isinstance(out, ReaderGone):
            out.silence()


def _main(argv: list[str] | None, out, err, name: str = CHECKOUT) -> int:
    parser = make_parser(name)
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
    messages = Messages(err)
    project = None
    try:
        limits.configure_from(args)   # every document of this run, here or in a worker, keeps to them
        if getattr(args, "project_needed", True):
            project = find_project(args.root)
        code = _handler(args.handler)(args, project, out, messages)
        if code == EXIT_OK and args.strict and messages.warnings:
            print(f"error: {STRICT_ERROR}", file=err)
            return EXIT_FAILED
        return code
    except (KeyboardInterrupt, Terminated) as exc:
        what = "interrupted" if isinstance(exc, KeyboardInterrupt) else "terminated"
        print(f"{what}; outputs are either the old or the new complete files", file=err)
        return 130 if isinstance(exc, KeyboardInterrupt) else 128 + signal.SIGTERM
    except Exception as exc:
        if args.debug and not isinstance(exc, UserError):
            raise
        return _report(exc, project, err)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _report(exc: Exception, project: Project | None, err) -> int:
    """The one place a failure becomes lines on standard error and an exit status."""
    if isinstance(exc, UserError):            # the input: one line per problem
        for line in exc.lines:
            print(f"error: {printable(line)}", file=err)
        return EXIT_FAILED
    if isinstance(exc, MachineError):         # the machine: a folder that cannot be written
        print(f"error: {printable(exc.line(project.rel if project else str))}", file=err)
        return EXIT_FAILED
    if isinstance(exc, OSError) and exc.filename is not None:
        print(f"error: {printable(str(exc.filename))}: {exc.strerror or exc} (check the folder "
              "exists and can be written, and that the disk is not full)", file=err)
        return EXIT_FAILED
    return _internal_error(exc, err)          # leafletgen itself: a bug


def _internal_error(exc: BaseException, err) -> int:
    print(f"internal error: {type(exc).__name__}: {printable(str(exc))} — this is a bug in "
          "leafletgen; run again with --debug for the traceback and report it", file=err)
    return EXIT_FAILED


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
