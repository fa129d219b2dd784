"""Translation: gettext catalogs per leaflet (one domain each) plus one domain for the templates.

Layout (Babel's): translations/<lang>/LC_MESSAGES/<domain>.po, templates translations/<domain>.pot.
A unit is translated only if its msgstr is non-empty and not fuzzy; anything else falls back to
the Dutch text and is recorded in `Leaflet.missing` (→ refused, or a DRAFT mark with --allow-draft).
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from .catalog_checks import catalog_report, catalog_source
from ..errors import Problem, UserError
from ..inputs.model import Leaflet
from .languages import language_table
from .plural_forms import PluralFormsError
from ..inputs.project import RTL_LANGUAGES, SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project



# The locale dates are written in, where it is not the language's own default: the English
# leaflet is British ("GP", "physiotherapist"), so its dates are too ("1 November 2026", not
# Babel's American default "November 1, 2026").
DATE_LOCALES = {"en": "en_GB"}


def text_direction(lang: str) -> str:
    return "rtl" if lang.split("_")[0] in RTL_LANGUAGES else "ltr"


def date_locale(lang: str) -> str:
    """The Babel locale for dates in a leaflet in `lang` (en → en_GB)."""
    return DATE_LOCALES.get(lang, lang)


# Babel puts U+200E/U+200F direction marks in some dates (Arabic); the page direction
# already handles ordering, and the marks show up as stray boxes in some PDF viewers.
_BIDI_MARKS = re.compile("[\u200e\u200f\u061c]")


def format_day(day: dt.date, lang: str, project: Project | None = None) -> str:
    """A day as the leaflet's language writes it: Babel's long date, with the month names and the
    first day of a month of the language's table where it has them (translate.languages:
    "1er novembre 2026", Arabic "1 تشرين الثاني/نوفمبر 2026")."""
    text = _BIDI_MARKS.sub("", format_date(day, format="long", locale=date_locale(lang)))
    if lang == SOURCE_LANGUAGE:
        return text
    table = language_table(project, lang)
    if table.months:
        babel_month = Locale.parse(date_locale(lang)).months["format"]["wide"][day.month]
        text = text.replace(babel_month, table.months[day.month - 1], 1)
    if table.first_day and day.day == 1:
        text = re.sub(r"(?<![\d.])1(?![\d.])", table.first_day, text, count=1)
    return text



def template_path(project: Project, domain: str) -> Path:
    return project.translations_dir / f"{domain}.pot"


def languages(project: Project) -> list[str]:
    """Every language with a translations/<lang>/LC_MESSAGES folder, plus Dutch, the source."""
    return project.languages()


def check_language(project: Project, lang: str) -> None:
    known = languages(project)
    if lang not in known:
        raise UserError(f"unknown language {lang!r}; known languages: {', '.join(known)}")


def read_catalog(data: bytes, file: str, lang: str) -> Catalog:
    """The catalog as Babel reads it; the text the checks judged (a UTF-8 byte order mark, which
    they skip and Babel's reader does not, left out)."""
    try:
        return read_po(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), locale=lang, abort_invalid=True)
    except PoFileError as exc:
        raise UserError(Problem(file, f"is not a valid .po file: {exc}")) from None
    except (UnicodeDecodeError, ValueError, UnknownLocaleError) as exc:
        raise UserError(Problem(file, f"cannot be read as a .po file: {exc}")) from None


def load_catalog(project: Project, domain: str, lang: str) -> Catalog | None:
    """The catalog for `domain` in `lang`, or None when there is none.

    Checked first (catalog_validation): a catalog that is too large, a link, not UTF-8, holds
    invisible characters, or has bad syntax or a bad Plural-Forms header is a UserError and is
    never given to Babel (whose reader makes `nplurals` strings for every plural message)."""
    raw, report = catalog_source(project, domain, lang)
    if report is None:
        return None
    if report.fatal:
        raise UserError(list(report.problems))
    if not known_language(lang):
        raise UserError(Problem(f"translations/{lang}", f"{lang!r} is not a language Babel (CLDR) "
                                                        "knows (its dates and plural rules are needed); "
                                                        "use the ISO 639 code, e.g. tr, pl, pt_BR"))
    return parsed_catalog(raw, report.file, lang)


@lru_cache(maxsize=64)
def parsed_catalog(raw: bytes, file: str, lang: str) -> Catalog:
    """These bytes of the catalog `file`, read by Babel (kept per process by content; the caller
    does not change it)."""
    return read_catalog(raw, file, lang)


@lru_cache(maxsize=64)
def known_language(lang: str) -> bool:
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def filled(message) -> bool:
    """Whether every form of the message's msgstr has text (a plural with one empty form has not)."""
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(strings)


def is_translated(message) -> bool:
    """The one rule for "is this unit translated?", the build's and `translations status`'s: it is
    there, not fuzzy, and every form of it has text."""
    return message is not None and not message.fuzzy and filled(message)


def lookup(catalog: Catalog | None, msgid: str) -> str | None:
    """The usable translation of `msgid`: None unless `is_translated`."""
    message = catalog.get(msgid) if catalog is not None else None
    if not is_translated(message):
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
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    catalog = load_catalog(project, TEMPLATE_DOMAIN, lang)
    if catalog is None:
        return gettext.NullTranslations()

    report = catalog_report(project, TEMPLATE_DOMAIN, lang)
    buffer = io.BytesIO()
    # Fuzzy entries are left out, exactly as msgfmt does.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    translations = gettext.GNUTranslations(buffer)
    if report is not None and report.plural is not None:
        # The checked rule decides the form, not the one the standard library compiled from the
        # header into Python code; a number beyond those checked that has no form is the
        # catalog's error, with its file.
        rule, file = report.plural, report.file

        def plural(n: int) -> int:
            try:
                return rule.form(n)
            except PluralFormsError as exc:
                raise UserError(Problem(file, f"Plural-Forms: {exc}")) from None

        translations.plural = plural
    return translations


def language_name(lang: str, in_lang: str | None = None) -> str:
    """The language's name in its own script (`in_lang` None) or in another language."""
    try:
        locale = Locale.parse(lang)
        name = locale.get_display_name(in_lang or lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name[:1].upper() + name[1:]
