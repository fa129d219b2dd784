"""The web app's own words, in Dutch and in every language that has a catalog for them.

The pages are written in Dutch (the msgids, as in the leaflet templates); their translations are
one more gettext domain, `leafletgen_web`, in the project's usual layout:
translations/<lang>/LC_MESSAGES/leafletgen_web.po. A translator gets a standard .po file, kept up
to date by the project's own commands (`translations extract`, `translations update`).

The language of a page is the browser's first choice among Dutch and those catalogs.
"""

from __future__ import annotations

import gettext as gettext_module
import io

from flask import g, has_request_context, request
from markupsafe import escape

from ..inputs.project import SOURCE_LANGUAGE, Project

from ..translate.web_catalog import WEB_DOMAIN


def ui_languages(project: Project) -> list[str]:
    """Dutch, and every language with a catalog of the web app's words: the content folder's,
    and leafletgen's own (Project.defaults)."""
    folders = [project.translations_dir] + ([project.defaults / "translations"] if project.defaults else [])
    found = sorted({p.parent.parent.name for folder in folders
                    for p in folder.glob(f"*/LC_MESSAGES/{WEB_DOMAIN}.po")})
    return [SOURCE_LANGUAGE] + [lang for lang in found if lang != SOURCE_LANGUAGE]


def ui_translations(project: Project, lang: str) -> gettext_module.NullTranslations:
    from babel.messages.mofile import write_mo

    from ..translate.catalogs import load_catalog

    if lang == SOURCE_LANGUAGE:
        return gettext_module.NullTranslations()
    catalog = load_catalog(project, WEB_DOMAIN, lang)    # parsed once per content
    if catalog is None:
        return gettext_module.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def negotiate(project: Project) -> str:
    return request.accept_languages.best_match(ui_languages(project), default=SOURCE_LANGUAGE)


def _translations() -> gettext_module.NullTranslations:
    if has_request_context() and "translations" in g:
        return g.translations
    return gettext_module.NullTranslations()


def gettext(message: str, **variables) -> str:
    """The page's language version of `message` (Dutch), %-formatted with `variables`."""
    text = _translations().gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = _translations().ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction; translated where it is shown."""
    return message


def install(env) -> None:
    """Jinja's i18n extension with our gettext: a translation is text, escaped like any other."""
    def jinja_gettext(message: str, **variables):
        text = escape(_translations().gettext(message))      # Markup: % escapes the variables
        return text % variables if variables else text

    def jinja_ngettext(singular: str, plural: str, n: int, **variables):
        return escape(_translations().ngettext(singular, plural, n)) % {"num": n, **variables}

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(jinja_gettext, jinja_ngettext, newstyle=True)
