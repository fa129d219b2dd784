"""Translation: gettext catalogs per leaflet (one domain each) plus one domain for the templates.

Layout (Babel's): translations/<lang>/LC_MESSAGES/<domain>.po, templates translations/<domain>.pot.
A unit is translated only if its msgstr is non-empty and not fuzzy; anything else falls back to
the Dutch text and is recorded in `Leaflet.missing` (→ refused, or a DRAFT mark with --allow-draft).
"""

from __future__ import annotations

import gettext
import io
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from .errors import Problem, UserError
from .model import Leaflet
from .project import SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


# The locale dates are written in, where it is not the language's own default: the English
# leaflet is British ("GP", "physiotherapist"), so its dates are too ("1 November 2026", not
# Babel's American default "November 1, 2026").
DATE_LOCALES = {"en": "en_GB"}


def text_direction(lang: str) -> str:
    return "rtl" if lang.split("_")[0] in RTL_LANGUAGES else "ltr"


def date_locale(lang: str) -> str:
    """The Babel locale for dates in a leaflet in `lang` (en → en_GB)."""
    return DATE_LOCALES.get(lang, lang)


def catalog_path(project: Project, domain: str, lang: str) -> Path:
    return project.catalog_path(domain, lang)


def template_path(project: Project, domain: str) -> Path:
    return project.translations_dir / f"{domain}.pot"


def languages(project: Project) -> list[str]:
    """Every language with a translations/<lang>/LC_MESSAGES folder, plus Dutch, the source."""
    return project.languages()


def check_language(project: Project, lang: str) -> None:
    known = languages(project)
    if lang not in known:
        raise UserError(f"unknown language {lang!r}; known languages: {', '.join(known)}")


def _read_catalog(path: Path, file: str, lang: str) -> Catalog:
    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=lang, abort_invalid=True)
    except PoFileError as exc:
        raise UserError(Problem(file, f"is not a valid .po file: {exc}")) from None
    except (UnicodeDecodeError, ValueError, UnknownLocaleError) as exc:
        raise UserError(Problem(file, f"cannot be read as a .po file: {exc}")) from None


@lru_cache(maxsize=256)
def _cached_catalog(path: str, mtime_ns: int, size: int, file: str, lang: str) -> Catalog:
    return _read_catalog(Path(path), file, lang)


def load_catalog(project: Project, domain: str, lang: str) -> Catalog | None:
    """The catalog for `domain` in `lang`, or None when there is none."""
    path = catalog_path(project, domain, lang)
    if not path.is_file():
        return None
    stat = path.stat()
    return _cached_catalog(str(path), stat.st_mtime_ns, stat.st_size, project.rel(path), lang)


def lookup(catalog: Catalog | None, msgid: str) -> str | None:
    """The usable translation of `msgid`: None when missing, empty or fuzzy."""
    if catalog is None:
        return None
    message = catalog.get(msgid)
    if message is None or message.fuzzy or not message.string:
        return None
    return message.string if isinstance(message.string, str) else message.string[0]


def translate_leaflet(leaflet: Leaflet, catalog: Catalog | None, lang: str) -> Leaflet:
    """The leaflet in `lang`; missing units keep their Dutch text and are listed in `missing`."""
    if lang == SOURCE_LANGUAGE:
        return leaflet
    missing: list[str] = []

    def tr(text: str) -> str:
        translated = lookup(catalog, text)
        if translated is None:
            missing.append(text)
            return text
        return translated

    title = tr(leaflet.title)
    blocks = tuple(block.with_texts([tr(text) for _, _, text in block.units()])
                   for block in leaflet.blocks)
    author = tr(leaflet.author)
    source = tr(leaflet.source) if leaflet.source else ""
    return replace(leaflet, title=title, blocks=blocks, author=author, source=source, language=lang,
                   missing=tuple(missing))


def template_translations(project: Project, lang: str) -> gettext.NullTranslations:
    """gettext translations for the template strings (msgids are Dutch: nl needs no catalog)."""
    catalog = load_catalog(project, TEMPLATE_DOMAIN, lang)
    if catalog is None or lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    # Fuzzy entries are left out, exactly as msgfmt does.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def language_name(lang: str, in_lang: str | None = None) -> str:
    """The language's name in its own script (`in_lang` None) or in another language."""
    try:
        locale = Locale.parse(lang)
        name = locale.get_display_name(in_lang or lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name[:1].upper() + name[1:]
