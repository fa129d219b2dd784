"""One unit of a catalog corrected on the review page: the catalog with that translation, checked
exactly as an uploaded .po file is (translations_page.upload_problems), then written.

The catalog is rewritten by the project's own writer (translate.workflow.render_po), which gives
back a catalog it wrote byte for byte: only the corrected unit changes. A corrected unit is no
longer fuzzy: the person who wrote it read it against the Dutch.
"""

from __future__ import annotations

import io

from ..errors import Message, Problem


def corrected_catalog(current: bytes, lang: str, msgid, text) -> bytes | Problem:
    """The catalog `current` with `text` as the translation of `msgid` (a Problem when it has no
    such unit, or cannot be read). A plural unit (`msgid` its forms) takes a list of texts, one
    for each of the catalog's plural forms."""
    from babel.messages.pofile import read_po

    from ..translate.workflow import render_po, take_previous

    try:
        catalog = take_previous(read_po(io.BytesIO(current), locale=lang, abort_invalid=True))
    except Exception:  # Babel's reader: PoFileError, ValueError; the file is broken on disk
        return Problem("", Message("po_unreadable", "the catalog cannot be read"))
    plural = not isinstance(msgid, str)
    message = catalog.get(msgid[0] if plural else msgid)
    if message is None or isinstance(message.id, str) == plural or (plural and list(message.id) != list(msgid)):
        return Problem("", Message("unit_gone", "the catalog has no such unit (any more)"))
    if plural:
        if len(text) != catalog.num_plurals:
            return Problem("", Message("unit_gone", "the catalog has no such unit (any more)"))
        message.string = tuple(text)
    else:
        message.string = text
    message.flags.discard("fuzzy")
    message.previous_id = []
    return render_po(catalog)


def plural_examples(lang: str, upto: int = 200) -> list[list[int]]:
    """For each plural form of `lang`, the first numbers that take it (at most four), so a
    reviewer knows which form a box is for ("1", "2, 3, 4, 22", …)."""
    from ..translate.plural_defaults import plural_forms
    from ..translate.plural_forms import parse_plural_forms

    rule = parse_plural_forms(plural_forms(lang))
    examples: list[list[int]] = [[] for _ in range(rule.nplurals)]
    for n in range(upto + 1):
        found = examples[rule.form(n)]
        if len(found) < 4:
            found.append(n)
    return examples


def typed_text(value: str) -> str:
    """A textarea's text as a translation: line ends as in a .po file, no stray outer spaces."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def translations_of(data: bytes | None) -> dict[str, str]:
    """msgid → msgstr of a catalog's bytes ({} for none, or bytes Babel cannot read)."""
    from babel.messages.pofile import read_po

    if not data:
        return {}
    try:
        catalog = read_po(io.BytesIO(data))
    except Exception:  # Babel's reader: PoFileError, ValueError; shown as no translations
        return {}
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and isinstance(m.string, str)}


def changed_units(before: bytes | None, now: bytes | None) -> list[dict]:
    """The units whose translation differs between two versions of a catalog: the other change."""
    then, current = translations_of(before), translations_of(now)
    return [{"unit": msgid, "then": then.get(msgid, ""), "now": current.get(msgid, "")}
            for msgid in dict.fromkeys([*current, *then]) if then.get(msgid, "") != current.get(msgid, "")]
