"""The web app's own words as a gettext domain, `leafletgen_web` (light: Babel only, no Flask).

The pages are written in Dutch; `python generate.py translations extract` writes their template,
translations/leafletgen_web.pot, and `translations update` merges it into every language that
has a translations/<lang>/LC_MESSAGES/leafletgen_web.po (the app speaks those languages; start
one by copying the .pot there). The same files work with pybabel (see babel.cfg beside this file).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file

from ..inputs.project import PACKAGE_ROOT, WEB_DOMAIN   # an underscore: no leaflet id can take it
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def web_template() -> Catalog:
    """The .pot of the web app: every string of its Python code and its page templates."""
    from .extract import JINJA_OPTIONS, empty_catalog, header_comment

    catalog = empty_catalog(WEB_DOMAIN, None, header_comment([
        "The Dutch words of the leafletgen staff web app (domain leafletgen_web):",
        "the pages practice staff use to pick, preview and print leaflets.",
        "A language the app should speak starts as a copy of this file in",
        "translations/<lang>/LC_MESSAGES/leafletgen_web.po.",
        "Copyright (C) 2026 the leafletgen contributors",
        "This file is distributed under the same license as the leafletgen project.",
    ]))
    sources = [("python", path, {}) for path in sorted(WEB_DIR.glob("*.py"))]
    sources += [("jinja2", path, JINJA_OPTIONS) for path in sorted((WEB_DIR / "templates").glob("*.html"))]
    for method, path, options in sources:
        for line, message, comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, comment_tags=("Translators:",), options=options,
                strip_comment_tags=True):
            catalog.add(message, locations=[(path.relative_to(PACKAGE_ROOT).as_posix(), line)],
                        auto_comments=comments, context=context)
    return catalog
