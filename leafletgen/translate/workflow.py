"""The gettext workflow: extract, init, update — all through Babel's Catalog API.

Domains: one per leaflet (the leaflet id) plus `leafletgen` for the template strings, and the
staff web app's words (`leafletgen_web`). Layout: translations/<domain>.pot and
translations/<lang>/LC_MESSAGES/<domain>.po. What there is to translate comes from extract.py;
how far each translation is, from translation_status.py.

`init` and `update` write each unit's terms (translate/termbase.py) as `#.` comments; `update`
suggests new and changed units from the other leaflets' translations (translate/memory.py).

Files are only rewritten when something besides their dates (and Babel's version) changed, so the
same sources give the same bytes. A fuzzy unit gets `#|` lines with its previous msgid (render_po
writes them: Babel's own are broken for multi-line msgids).
"""

from __future__ import annotations

import io
import os
import re
import textwrap
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from ..errors import Problem, UserError
from ..inputs.files import InputFileError
from .extract import (COPYRIGHT_HOLDER, fresh_templates, header_comment, honest_header,
                      templates_and_titles)
from .plural_defaults import plural_forms
from .catalogs import SOURCE_LANGUAGE, read_catalog, language_name, languages, template_path
from .catalog_checks import CATALOG_MAX_BYTES, catalog_file, catalog_report
from ..atomic_write import write_atomic
from ..inputs.project import Project
from .languages import language_table
from .memory import kept_notes, memory_of, prefill, restore_notes
from .termbase import TERM_PREFIX, load_termbase, terms_in
from .web_catalog import WEB_DOMAIN, web_template

# Lines that alone are no reason to rewrite a file: its dates, and the Babel version that wrote it.
_DATE_LINES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date|Generated-By): [^"]*\\n"\n',
                         re.MULTILINE)
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


# ---- Writing ---------------------------------------------------------------------------------

PO_WIDTH = 76


def render_po(catalog: Catalog) -> bytes:
    """The catalog as a .po file, with `#|` lines before every fuzzy unit that has a previous
    msgid: the Dutch text its translation was made for, as `msgmerge --previous` writes it, so a
    translator (Poedit: "previous source text") sees what changed.

    Babel's own `include_previous` runs the `msgid "…"` lines through its comment wrapper,
    which folds a multi-line msgid into lines that break inside a string: GNU msgfmt and Poedit
    then read garbage, or nothing. So Babel writes the file without them and they are put in
    here, formatted like every other msgid (Babel's `normalize`).
    """
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, include_previous=False, sort_output=False)
    data = buffer.getvalue()
    messages = [message for message in catalog if message.id]
    if not any(message.fuzzy and message.previous_id for message in messages):
        return data
    blocks = data.decode(catalog.charset).split("\n\n")
    # The header, then one block per message in catalog order (sort_output=False), then obsolete.
    if len(blocks) < len(messages) + 1:
        raise AssertionError("unexpected layout of Babel's .po output")
    for index, message in enumerate(messages, start=1):
        if not (message.fuzzy and message.previous_id):
            continue
        lines = blocks[index].split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith(("msgctxt ", "msgid ")))
        lines[at:at] = previous_lines(message)
        blocks[index] = "\n".join(lines)
    return "\n\n".join(blocks).encode(catalog.charset)


def previous_lines(message) -> list[str]:
    """The `#| msgid` (and `#| msgid_plural`) lines of a message's previous source text."""
    from babel.messages.pofile import normalize

    lines = []
    for keyword, text in zip(("msgid", "msgid_plural"), message.previous_id):
        # Wrapped for the line without its "#| " (Babel's `prefix` counts it once per word).
        first, *rest = normalize(text, width=PO_WIDTH - 3).split("\n")
        lines += [f"#| {keyword} {first}"] + [f"#| {line}" for line in rest]
    return lines


_PREVIOUS_LINE = re.compile(r'^(?:(msgctxt|msgid|msgid_plural)\s+)?("(?:[^"\\]|\\.)*")$')


def take_previous(catalog: Catalog) -> Catalog:
    """Babel's reader keeps `#|` lines as translator comments ("| msgid …") and would write them
    back as "# | msgid …": a comment that every later update keeps. Turn them back into each
    message's previous msgid."""
    from babel.messages.pofile import unescape

    for message in list(catalog) + list(catalog.obsolete.values()):
        previous = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
        if not previous:
            continue
        fields: dict[str, str] = {}
        current = None
        for line in previous:
            match = _PREVIOUS_LINE.match(line)
            if match is None or (match.group(1) is None and current is None):
                break
            current = match.group(1) or current
            fields[current] = fields.get(current, "") + unescape(match.group(2))
        else:
            if "msgid" in fields:
                message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
                message.previous_id = [fields["msgid"]] + (
                    [fields["msgid_plural"]] if "msgid_plural" in fields else [])
    return catalog


def write_if_changed(path: Path, data: bytes, default: bytes | None = None) -> bool:
    """Write `data` unless the file already says the same apart from its dates and generator;
    `default`: leafletgen's own catalog the project uses while it has none at `path` (not copied
    while it says the same)."""
    if not path.is_symlink() and path.is_file() and \
            _DATE_LINES.sub(b"", path.read_bytes()) == _DATE_LINES.sub(b"", data):
        return False
    if default is not None and not os.path.lexists(path) and \
            _DATE_LINES.sub(b"", default) == _DATE_LINES.sub(b"", data):
        return False
    write_atomic(path, data)
    return True


def _read(project: Project, domain: str, lang: str) -> Catalog:
    """A fresh copy of a catalog, to be changed and written (checked first, like every read)."""
    report = catalog_report(project, domain, lang)
    if report is not None and report.fatal:
        raise UserError(list(report.problems))
    file = catalog_file(domain, lang)
    try:       # the project's own, or leafletgen's default (template and web catalogs)
        data = project.read(file, CATALOG_MAX_BYTES)
    except InputFileError as exc:
        raise UserError(Problem(file, exc.reason)) from None
    return take_previous(read_catalog(data, file, lang))


def _default_bytes(project: Project, domain: str, lang: str) -> bytes | None:
    """leafletgen's own catalog of `domain` in `lang`, when the project uses it (has none)."""
    relative = catalog_file(domain, lang)
    if project.path(relative) == project.root / relative:
        return None
    try:
        return project.read(relative, CATALOG_MAX_BYTES)
    except InputFileError:
        return None


# ---- Commands --------------------------------------------------------------------------------


def extract(project: Project) -> list[tuple[Path, bool]]:
    """Write translations/<domain>.pot for every leaflet and the templates: (path, changed)."""
    results = []
    for domain, catalog in fresh_templates(project).items():
        path = template_path(project, domain)
        results.append((path, write_if_changed(path, render_po(catalog))))
    path = template_path(project, WEB_DOMAIN)     # the staff web app's own words
    results.append((path, write_if_changed(path, render_po(web_template()))))
    return results


def check_new_language(lang: str) -> Locale:
    if not LANG_PATTERN.match(lang):
        raise UserError(f"{lang!r} is not a language code; use the ISO 639 code, e.g. tr, pl, ar, pt_BR")
    if lang == SOURCE_LANGUAGE:
        raise UserError(f"{lang!r} is the source language: the leaflets are written in it")
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        raise UserError(f"{lang!r} is not a language Babel (CLDR) knows; use the ISO 639 code, "
                        "e.g. tr, pl, ar, pt_BR") from None


def translation_header_comment(domain: str, lang: str, title: str | None) -> str:
    """The header comment of a new catalog: what it is, and where the translator states the
    register (how the reader is addressed) once, for every later translator and reviewer."""
    name = language_name(lang, "en")
    what = (f"{name} translation of the leaflet \u201c{title}\u201d (domain {domain})." if title
            else f"{name} translation of the template strings of leafletgen (domain {domain}).")
    holder = COPYRIGHT_HOLDER if title else "the leafletgen contributors"
    return header_comment([
        *textwrap.wrap(what, 74),
        f"Copyright (C) {holder}",
        "This file is distributed under the same license as the leafletgen project.",
        "Register: not stated yet. State here, once, how the reader is addressed",
        "(formal or informal, and why), for every later translator and reviewer.",
        *(["Who translated it and how, and whether a person has reviewed it:",
           f"{domain}.review.toml, beside this file."] if title else []),
    ])


def new_catalog(template: Catalog, lang: str, title: str | None = None) -> Catalog:
    """An empty translation of `template` in `lang`: the language's Plural-Forms header (GNU's,
    plurals.py), no translator or team yet, and a header comment asking for the register."""
    catalog = Catalog(locale=lang, domain=template.domain, project=template.project,
                      version=template.version, copyright_holder=template.copyright_holder,
                      header_comment=translation_header_comment(template.domain, lang, title),
                      creation_date=template.creation_date, fuzzy=False, charset="utf-8")
    honest_header(catalog)
    catalog.mime_headers = [("Plural-Forms", plural_forms(lang))]
    for message in template:
        if message.id:
            catalog.add(message.id, None, locations=message.locations, flags=message.flags - {"fuzzy"},
                        auto_comments=message.auto_comments, user_comments=message.user_comments,
                        context=message.context)
    return catalog


def init(project: Project, lang: str) -> list[Path]:
    """Start a new language: an empty catalog for every domain (existing ones are kept)."""
    check_new_language(lang)
    written = []
    if (project.translations_dir / lang / "LC_MESSAGES").is_dir() and any(
            project.catalog_path(domain, lang).is_file() for domain in fresh_templates(project)):
        raise UserError(f"translations/{lang}/ exists already; run `translations update` to bring "
                        "it up to date")
    templates, titles = templates_and_titles(project)
    for domain, template in templates.items():
        path = project.catalog_path(domain, lang)
        catalog = new_catalog(template, lang, titles.get(domain))
        write_terms(catalog, project, lang)
        write_atomic(path, render_po(catalog))
        written.append(path)
    return written


def merged(project: Project, domain: str, lang: str, template: Catalog,
           title: str | None) -> tuple[Catalog, str]:
    """(the catalog of `domain` in `lang` with `template` merged in, "updated"), or a new one
    ("created"); a memory suggestion still fuzzy keeps its note (a merge gives every unit the
    template's comments)."""
    if project.kind(catalog_file(domain, lang)) != "file":
        return new_catalog(template, lang, title), "created"
    before = _read(project, domain, lang)
    notes = kept_notes(before)
    catalog = merge(before, template)
    restore_notes(catalog, notes)
    return catalog, "updated"


def write_terms(catalog: Catalog, project: Project, lang: str) -> None:
    """Each unit's terms of the language's termbase as `#.` comments ("Term: huisarts → GP"),
    for the translator; a term no longer in the unit (or the termbase) loses its comment."""
    table = language_table(project, lang)
    terms, source = load_termbase(table), language_table(project, SOURCE_LANGUAGE)
    for message in catalog:
        if not message.id:
            continue
        comments = [c for c in message.auto_comments if not c.startswith(TERM_PREFIX)]
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        message.auto_comments = comments + [term.comment() for term in terms_in(msgid, terms, source)]


def merge(catalog: Catalog, template: Catalog) -> Catalog:
    """`template` merged into a language's catalog, as msgmerge --previous does: translations
    kept, a changed Dutch text fuzzy with the msgid its translation was made for as the
    previous one; a unit still fuzzy keeps the previous msgid it had, one no longer fuzzy loses
    it."""
    before = {message.id: list(message.previous_id) for message in catalog
              if message.id and message.fuzzy and message.previous_id}
    catalog.update(template, no_fuzzy_matching=False, update_creation_date=True)
    catalog.project, catalog.version = template.project, template.version
    for message in catalog:
        if not message.id:
            continue
        if not message.fuzzy:
            message.previous_id = []
        elif not message.previous_id and message.id in before:
            message.previous_id = before[message.id]
    return catalog


def update(project: Project) -> list[tuple[Path, str]]:
    """Merge the fresh templates into every language: translations kept, changed ones fuzzy; new
    and changed units of a leaflet suggested from the other leaflets' translations in the
    language (translate.memory); each unit's terms as comments."""
    templates, titles = templates_and_titles(project)
    results = []
    for domain, template in templates.items():
        write_if_changed(template_path(project, domain), render_po(template))
    for lang in languages(project):
        if lang == SOURCE_LANGUAGE:
            continue
        catalogs = {domain: merged(project, domain, lang, template, titles.get(domain))
                    for domain, template in templates.items()}
        leaflets = {domain: catalog for domain, (catalog, _) in catalogs.items() if domain in titles}
        for domain, (catalog, note) in catalogs.items():
            if domain in leaflets:
                prefill(catalog, memory_of({other: leaflets[other] for other in leaflets if other != domain}))
            write_terms(catalog, project, lang)
            path = project.catalog_path(domain, lang)
            changed = write_if_changed(path, render_po(catalog), _default_bytes(project, domain, lang))
            results.append((path, note if changed else "unchanged"))
    # The staff web app's words: merged into the languages it speaks (those with a catalog).
    web = web_template()
    write_if_changed(template_path(project, WEB_DOMAIN), render_po(web))
    for path in sorted(project.translations_dir.glob(f"*/LC_MESSAGES/{WEB_DOMAIN}.po")):
        lang = path.parent.parent.name
        catalog = merge(_read(project, WEB_DOMAIN, lang), web)
        results.append((path, "updated" if write_if_changed(path, render_po(catalog)) else "unchanged"))
    return results
