"""`generate.py translations extract|update|init LL|status`: the gettext workflow on the command line."""

from __future__ import annotations

import json

from .project import Project

EXIT_OK, EXIT_FAILED = 0, 1


def cmd_extract(args, project: Project, out, err) -> int:
    from .translations import extract

    for path, changed in extract(project):
        print(f"{'wrote' if changed else 'unchanged'} {project.rel(path)}", file=out)
    return EXIT_OK


def cmd_update(args, project: Project, out, err) -> int:
    from .translations import update

    results = update(project)
    for path, note in results:
        print(f"{note} {project.rel(path)}", file=out)
    if not results:
        print("no languages yet: start one with `python generate.py translations init LL`", file=out)
    print("next: translate what `python generate.py translations status` lists", file=out)
    return EXIT_OK


def cmd_init(args, project: Project, out, err) -> int:
    from .translations import init

    for path in init(project, args.lang):
        print(f"wrote {project.rel(path)}", file=out)
    print(f"next: translate the files above (Poedit, Weblate, …), then run "
          f"`python generate.py translations status`", file=out)
    return EXIT_OK


def cmd_status(args, project: Project, out, err) -> int:
    from .translations import status, status_table

    from .textcheck import printable

    rows = status(project)
    complete = all(row.complete for row in rows)
    for line in project.odd_names():
        print(f"warning: {printable(line)}", file=err)
    if args.json:
        print(json.dumps({"complete": complete, "catalogs": [row.as_dict() for row in rows]},
                         ensure_ascii=False, indent=2), file=out)
    else:
        for line in status_table(rows):
            print(line, file=out)
    if args.require_complete and not complete:
        missing = sum(len(row.missing) for row in rows)
        print(f"error: translations incomplete: {missing} unit(s) untranslated or fuzzy in "
              f"{sum(not row.complete for row in rows)} catalog(s)", file=err)
        return EXIT_FAILED
    return EXIT_OK


def add_commands(commands, parser_class, common) -> None:
    """The `translations` command group, added to the CLI's sub-commands."""
    group = commands.add_parser(
        "translations", help="the translation workflow: extract, update, init LL, status",
        description="Work with the gettext catalogs in translations/: one domain per leaflet (the "
                    "leaflet id) and `leafletgen` for the template strings.")
    common(group)
    sub = group.add_subparsers(dest="translations_command", metavar="ACTION", parser_class=parser_class,
                               required=True)

    extract = sub.add_parser(
        "extract", help="write translations/<domain>.pot from the leaflets and templates",
        description="Extract every translation unit of every leaflet (translations/<leaflet>.pot) and "
                    "the template strings (translations/leafletgen.pot). A file is only rewritten "
                    "when its messages changed.")
    common(extract)
    extract.set_defaults(handler=cmd_extract)

    update = sub.add_parser(
        "update", help="merge the current sources into every language's .po files",
        description="Extract, then merge into every language: translations are kept, a changed "
                    "Dutch text is marked fuzzy (with the old translation as a starting point), "
                    "a new one is added untranslated. Missing .po files are created.")
    common(update)
    update.set_defaults(handler=cmd_update)

    init = sub.add_parser(
        "init", help="start a new language",
        description="Create translations/LL/LC_MESSAGES/<domain>.po for every leaflet and the "
                    "templates, empty, with the language's plural rule in the header.")
    init.add_argument("lang", metavar="LL", help="ISO 639 language code, e.g. pt or pt_BR")
    common(init)
    init.set_defaults(handler=cmd_init)

    status = sub.add_parser(
        "status", help="translated, fuzzy and untranslated per leaflet and language",
        description="Per leaflet (and the template strings) and language: translated, fuzzy and "
                    "untranslated units, and the share translated. A fuzzy unit counts as not "
                    "translated, as it does when building.")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--require-complete", action="store_true",
                        help="exit 1 when any unit of any language is untranslated or fuzzy")
    common(status)
    status.set_defaults(handler=cmd_status)
