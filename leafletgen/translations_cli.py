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


def cmd_review(args, project: Project, out, err) -> int:
    import datetime as dt

    from .content import load_leaflet
    from .errors import UserError
    from .i18n import check_language, language_name
    from .review import record_review

    check_language(project, args.lang)
    if args.lang == "nl":
        raise UserError("'nl' is the source language: there is no translation to review")
    on = dt.date.today()
    if args.date is not None:
        try:
            on = dt.date.fromisoformat(args.date)
        except ValueError:
            raise UserError(f"--date: {args.date!r} is not a date; write it as YYYY-MM-DD") from None
        if on > dt.date.today():
            raise UserError(f"--date: {args.date} is in the future; a review is recorded after it was done")
    leaflet = load_leaflet(project, args.leaflet)
    path, record = record_review(project, leaflet, args.lang, args.by, on,
                                 translated_by=args.translated_by, method=args.method)
    units = sum(unit.domain == leaflet.id for unit in record.units)
    print(f"recorded: {record.reviewed_by} reviewed {leaflet.id} in {language_name(args.lang, 'en')} "
          f"({args.lang}) on {on.isoformat()}: {units} units of the leaflet and "
          f"{len(record.units) - units} template strings", file=out)
    print(f"wrote {project.rel(path)}", file=out)
    print("next: commit it with the catalogs; a change to any of these units makes the review "
          "outdated (`python generate.py translations status`)", file=out)
    return EXIT_OK


def add_commands(commands, parser_class, common) -> None:
    """The `translations` command group, added to the CLI's sub-commands."""
    group = commands.add_parser(
        "translations", help="the translation workflow: extract, update, init LL, status, review LL",
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
                        help="the reviewer's name, as it is printed on the leaflet")
    review.add_argument("--date", metavar="YYYY-MM-DD", help="the day of the review (default: today)")
    review.add_argument("--translated-by", metavar="NAME",
                        help="who translated it (default: as already recorded)")
    review.add_argument("--method", choices=("human", "machine-assisted"),
                        help="how it was translated (default: as already recorded)")
    common(review)
    review.set_defaults(handler=cmd_review)

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
    common(status)
    status.set_defaults(handler=cmd_status)
