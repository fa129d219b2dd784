"""Translation memory: a new or changed unit of a leaflet pre-filled from the best match among
every other leaflet's translations in the same language, so the second leaflet of a practice
costs a fraction of the first.

An exact match (the same Dutch text, translated and not fuzzy in another leaflet's catalog) and
a near match (the Dutch at least `NEAR` alike, difflib's ratio over the words) are both written
as fuzzy: a translator confirms each, and the build uses neither until then. The leaflet the
suggestion came from is a translator comment, `#. memory: <leaflet-id>` (with the share alike
for a near match); a near match also gets the Dutch its translation was made for as its previous
msgid (`#|`, as msgmerge writes for its own fuzzy matches), so the translator sees the
difference. A unit msgmerge already matched (its Dutch changed) keeps that suggestion unless
another leaflet has the new Dutch exactly.
"""

from __future__ import annotations

import difflib
import re

from babel.messages.catalog import Catalog

NEAR = 0.75              # a near match: at least this alike (difflib ratio of the Dutch words)
MEMORY_PREFIX = "memory: "


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def memory_of(catalogs: dict[str, Catalog]) -> list[tuple[str, str, object]]:
    """(leaflet id, Dutch text, translation) of every usable unit of `catalogs` (leaflet id →
    catalog), in leaflet order."""
    found = []
    for leaflet_id in sorted(catalogs):
        for message in catalogs[leaflet_id]:
            if message.id and isinstance(message.id, str) and not message.fuzzy and message.string \
                    and (not isinstance(message.string, (list, tuple)) or all(message.string)):
                found.append((leaflet_id, message.id, message.string))
    return found


def best_match(msgid: str, memory: list[tuple[str, str, object]]) -> tuple[str, str, object, float] | None:
    """(leaflet id, its Dutch, its translation, how alike) of the best match above NEAR, or None;
    the first leaflet (by id) among equals."""
    words = _words(msgid)
    best = None
    for leaflet_id, source, translation in memory:
        if source == msgid:
            return leaflet_id, source, translation, 1.0
        matcher = difflib.SequenceMatcher(None, words, _words(source), autojunk=False)
        if matcher.real_quick_ratio() < NEAR or matcher.quick_ratio() < NEAR:
            continue
        ratio = matcher.ratio()
        if ratio >= NEAR and (best is None or ratio > best[3]):
            best = (leaflet_id, source, translation, ratio)
    return best


def prefill(catalog: Catalog, memory: list[tuple[str, str, object]]) -> int:
    """Fill the empty units of `catalog` (and replace msgmerge's suggestion where another leaflet
    has the new Dutch exactly) from `memory`, as fuzzy; returns how many were filled."""
    filled = 0
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.pluralizable:
            continue
        empty = not message.string
        if not empty and not message.fuzzy:
            continue
        match = best_match(message.id, memory)
        if match is None or (not empty and match[3] < 1.0):
            continue
        leaflet_id, source, translation, ratio = match
        message.string = translation
        message.flags.add("fuzzy")
        message.previous_id = [source] if ratio < 1.0 else []
        note = MEMORY_PREFIX + leaflet_id + ("" if ratio == 1.0 else f" ({round(ratio * 100)} % alike)")
        message.auto_comments = [c for c in message.auto_comments if not c.startswith(MEMORY_PREFIX)]
        message.auto_comments.append(note)
        filled += 1
    return filled


def kept_notes(before: Catalog | None) -> dict[str, list[str]]:
    """The memory notes of units still fuzzy before a merge (msgid → its note lines), to put back
    after it: a merge gives every unit the template's comments."""
    if before is None:
        return {}
    return {message.id: [c for c in message.auto_comments if c.startswith(MEMORY_PREFIX)]
            for message in before if message.id and message.fuzzy
            and any(c.startswith(MEMORY_PREFIX) for c in message.auto_comments)}


def restore_notes(catalog: Catalog, notes: dict[str, list[str]]) -> None:
    for msgid, lines in notes.items():
        message = catalog.get(msgid)
        if message is not None and message.fuzzy:
            message.auto_comments = [c for c in message.auto_comments if c not in lines] + lines
