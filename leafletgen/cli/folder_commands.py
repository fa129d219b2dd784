"""`leafletgen new DIR` and `leafletgen upgrade`: a content folder of one's own, and its copies of
leafletgen's files after leafletgen itself was upgraded (content_folder.py does the work)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..inputs.project import Project


def add_command(commands, common) -> None:
    new = commands.add_parser(
        "new", help="make a content folder of your own, with the example leaflet and practice",
        description="Make DIR a content folder of your own: the example leaflet with its "
                    "translations, the example practice (profile and logo), leafletgen.toml (the "
                    "settings, all commented out: by this file the tool finds the folder from any "
                    "folder below it) and a .gitignore that keeps output/, the accounts database "
                    "and the secret key out of git. DIR must be new or empty. Then makes the "
                    "fonts' static instances if this computer has not got them yet.")
    new.add_argument("dir", metavar="DIR", help="the folder to make")
    new.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                     help="show the full traceback of an internal error")
    new.set_defaults(handler=cmd_new, project_needed=False)

    upgrade = commands.add_parser(
        "upgrade", help="bring this folder's copies of leafletgen's files up to date",
        description="After leafletgen itself was upgraded: replace each file `new` copied that "
                    "is only older than the installed leafletgen's (unchanged here), and add the "
                    "example's files that are new in it; a file changed here is never touched. "
                    "Lists what it did and every copy changed both here and in leafletgen, to "
                    "compare by hand, and the files of this folder that override leafletgen's "
                    "defaults (templates, template and web catalogs, termbases).")
    upgrade.add_argument("--check", action="store_true",
                         help="only list; exit 1 when a copy is older or changed in both")
    upgrade.add_argument("--merged", nargs="+", default=(), metavar="PATH",
                         help="record that these copies, changed both here and in leafletgen, "
                              "were brought up to date by hand")
    common(upgrade)
    upgrade.set_defaults(handler=cmd_upgrade)


def cmd_new(args, project: Project | None, out, err) -> int:
    from ..content_folder import new_folder

    target = Path(args.dir)
    written = new_folder(target.absolute())
    leaflets = [name for name in written if name.startswith("leaflets/") and name.endswith(".md")
                and name.count("/") == 1]          # leaflets/history/ holds published versions
    languages = {name.split("/")[1] for name in written if name.endswith(".po")}
    practices = [name for name in written if name.startswith("practices/") and name.count("/") == 1]
    print(f"made {args.dir}: {len(leaflets)} example leaflet(s) with {len(languages)} translation(s), "
          f"{len(practices)} example practice(s), leafletgen.toml, .gitignore", file=out)
    _make_fonts(out)
    print(f"next: cd {args.dir} && leafletgen     (builds every leaflet into output/; "
          "open output/index.html)", file=out)
    print("      leafletgen serve                (the staff web app on http://127.0.0.1:8000)", file=out)
    return 0


def _make_fonts(out) -> None:
    """The fonts' static instances, made now if this computer lacks them, so that the first build
    and the web app's first preview need not wait for them."""
    from ..typeset.fonts import instance_dir, missing_instances

    missing = missing_instances()
    if not missing:
        return
    print(f"making the fonts' static instances ({len(missing)}, once per computer, in "
          f"{instance_dir()})...", file=out)
    out.flush()
    from ..typeset.font_instances import make_missing_instances

    started = time.monotonic()
    make_missing_instances()
    print(f"made them in {time.monotonic() - started:.0f} s", file=out)


def cmd_upgrade(args, project: Project, out, err) -> int:
    from ..content_folder import shipped_path, upgrade
    from ..inputs.project import shipped_root
    from ..inputs.shipped import (CHANGED_BOTH, COPIES_FILE, NEW, NOT_SHIPPED, OLDER, overrides,
                                  read_copies)
    from .. import __version__

    if project.root.resolve() == shipped_root().resolve():
        print("this is leafletgen's own folder: its files are the shipped ones", file=out)
        return 0
    result = upgrade(project, check=args.check, merged=tuple(args.merged))
    if result is None:
        print(f"no {COPIES_FILE}: this folder was not made with `leafletgen new`, so it has no "
              "copies to bring up to date", file=out)
    else:
        for state in result.states:
            if state.state == OLDER:
                print(f"{'older' if args.check else 'replaced'} {state.path} (copied from leafletgen "
                      f"{state.version}, unchanged here){': upgrade replaces it' if args.check else ''}",
                      file=out)
            elif state.state == NEW:
                print(f"{'new' if args.check else 'added'} {state.path} (new in leafletgen {__version__})",
                      file=out)
            elif state.state == CHANGED_BOTH:
                print(f"changed here and in leafletgen {__version__}: {state.path}; compare with "
                      f"{shipped_path(state.path)}, then `leafletgen upgrade --merged {state.path}`",
                      file=out)
            elif state.state == NOT_SHIPPED:
                print(f"no longer shipped: {state.path} (kept)", file=out)
    for path, same in overrides(project, (read_copies(project) or {}) if result is not None else {}):
        if not same:
            print(f"overrides leafletgen's default: {path} (differs from {shipped_path(path)})", file=out)
    if result is None:
        return 0
    behind = result.paths(OLDER, NEW, CHANGED_BOTH)
    if args.check:
        print(f"{len(behind)} file(s) behind leafletgen {__version__}", file=out)
        return 1 if behind else 0
    for path in args.merged:
        if path in result.merged:
            print(f"marked as merged: {path} (kept as it is here, now counted as leafletgen {__version__}'s "
                  "with your changes)", file=out)
        else:
            print(f"nothing to mark: {path} is not changed both here and in leafletgen {__version__}", file=out)
    left = result.paths(CHANGED_BOTH)
    print(f"{len(result.written)} file(s) brought up to date, {len(left)} to compare by hand", file=out)
    return 0
