"""What a document may say: its approved texts, gathered from the sources it is made from.

- the leaflet's units in the document's language, in reading order (a track), and in a
  bilingual leaflet the Dutch units beside them (a second track);
- the strings that may stand anywhere, any number of times: the template strings of the
  catalog, filled in with this document's values (version, dates, reviewer; a page number or
  a count is any number), the practice's profile fields, the languages' names;
- alt texts (the logo's is the practice's name, an image's is a unit) and link targets;
- a personal note typed for this one document, when there is one.
"""

from __future__ import annotations

import gettext
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from ..inputs.model import CONCEPT_MARK, Leaflet, Practice
from ..inputs.project import SOURCE_LANGUAGE
from ..markup.inline import inline_tokens, plain_text
from ..translate.catalogs import language_name
from .compare import Expected, Piece, Unit
from .fold import WILDCARD, fold

NUMBER = r"\d{0,4}"   # a page number or a count (none in the HTML copy, where CSS counts)


@dataclass(frozen=True)
class ApprovedTexts:
    """A document's approved texts (see the module's docstring); plain data."""

    tracks: tuple[tuple[str, ...], ...]           # units in reading order, per language
    strings: tuple[str, ...]                      # may stand anywhere
    templates: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]  # (string, values)
    alts: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    note: str = ""

    def expected(self) -> Expected:
        """The texts as the comparison reads them."""
        tracks = [tuple(Unit(text, fold(text)) for text in track if fold(text).chars)
                  for track in self.tracks]
        if fold(self.note).chars:
            tracks.append((Unit(self.note, fold(self.note), private=True),))
        return Expected(tuple(tracks), self.pieces())

    def pieces(self) -> tuple[Piece, ...]:
        pieces = [_piece(text) for text in self.strings if fold(text).chars]
        pieces += [piece for template, values in self.templates
                   if (piece := _filled(template, values)) is not None]
        return tuple(pieces)

    def sayable(self) -> tuple[Piece, ...]:
        """Everything the document may say anywhere, units included: what an alt text, a
        bookmark or the document's title may be made of."""
        units = [_piece(text) for track in self.tracks for text in track if fold(text).chars]
        return tuple(units) + self.pieces() + tuple(_piece(text) for text in self.alts
                                                    if fold(text).chars)


@lru_cache(maxsize=4096)
def _piece(text: str) -> Piece:
    return Piece(text, re.compile(re.escape(fold(text).chars)))


@lru_cache(maxsize=4096)
def _filled(template: str, values: tuple[tuple[str, tuple[str, ...]], ...]) -> Piece | None:
    """A template string with each %(name)s filled in by any of the values given for it, or,
    for a name without values (a page number, a count), by any number. Cached: a process
    proves many documents with the same strings."""
    given = dict(values)
    names = sorted(set(re.findall(r"%\((\w+)\)s", template)))
    choices = [given.get(name) or (WILDCARD,) for name in names]
    patterns = set()
    # Only %(name)s is a placeholder: any other % is text, as the templates format it.
    escaped = re.sub(r"%(?!\(\w+\)s)", "%%", template)
    for combination in itertools.product(*choices):
        try:
            text = escaped % dict(zip(names, combination))
        except (KeyError, ValueError, TypeError):
            return None          # a broken string: the catalog checks report it
        chars = fold(text).chars
        if chars:
            patterns.add(_pattern(chars))
    if not patterns:
        return None
    return Piece(template, re.compile("|".join(sorted(patterns, key=len, reverse=True))))


def _pattern(chars: str) -> str:
    """A folded template string as a pattern: its numbers any digits, and the separator next
    to one optional (the HTML copy has no page numbers: "Pagina van")."""
    out = []
    for index, char in enumerate(chars):
        if char == WILDCARD:
            out.append(NUMBER)
        elif not char.isalnum() and WILDCARD in chars[max(0, index - 1):index + 2]:
            out.append(re.escape(char) + "?")
        else:
            out.append(re.escape(char))
    return "".join(out)


def leaflet_track(leaflet: Leaflet, colophon: bool = True) -> tuple[str, ...]:
    """A leaflet's units as a reader meets them: the title, each block's (alt texts are not on
    the page), then the colophon's author and source lines."""
    texts = [leaflet.title]
    for block in leaflet.blocks:
        if block.kind != "image":
            texts += [text for _, _, text in block.units()]
    if colophon:
        texts += [leaflet.author] + ([leaflet.source] if leaflet.source else [])
    return tuple(plain_text(text) for text in texts)


def _links(leaflet: Leaflet) -> list[str]:
    """The link targets written in a leaflet's units."""
    found = []
    for _, _, text in leaflet.units():
        for token in inline_tokens(text):
            for child in [token, *(token.children or ())]:
                if child.type == "link_open":
                    found.append(str(child.attrs.get("href", "")))
    return found


def _forms(translations: gettext.NullTranslations, msgid: str | tuple, dutch: bool) -> set[str]:
    """The forms a template string (a tuple for a plural) may take in the document."""
    msgid, plural = (msgid, None) if isinstance(msgid, str) else (msgid[0], msgid[1])
    if plural is None:
        forms = {translations.gettext(msgid)}
    else:
        forms = {translations.ngettext(msgid, plural, n) for n in range(0, 110)}
    if dutch:
        forms |= {msgid} | ({plural} if plural else set())
    return forms


def _anywhere(leaflet: Leaflet, source: Leaflet | None, practice: Practice, qr: dict | None) -> list[str]:
    """The strings that may stand anywhere: the practice's details, the languages' names, the
    QR code's caption."""
    website = practice.website.removeprefix("https://").removeprefix("http://")
    strings = [practice.name, practice.address, practice.phone, practice.email, practice.website,
               website, language_name(leaflet.language)]
    if source is not None:
        strings.append(language_name(SOURCE_LANGUAGE))
    if qr:
        strings.append(qr["label"])
    if leaflet.concept:          # a leaflet's draft: its mark on every page (inputs.model.CONCEPT_MARK)
        strings += list(CONCEPT_MARK)
    return [text for text in strings if text]


def _values(leaflet: Leaflet, dates: list[str], note: dict | None) -> tuple:
    """What the template strings' %(name)s may be filled with in this document."""
    dates = list(dates)
    values: dict[str, list[str]] = {"version": [leaflet.version], "date": dates}
    if note:
        if note.get("reviewed_on"):
            dates.append(note["reviewed_on"])
        if note.get("reviewed_by"):
            values["name"] = [note["reviewed_by"]]
        if note.get("original_title"):
            values["title"] = [note["original_title"]]
    return tuple(sorted((name, tuple(options)) for name, options in values.items()))


def _alts_and_links(leaflet: Leaflet, source: Leaflet | None, practice: Practice,
                    qr: dict | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    alts = [practice.name]
    links = [practice.website] + _links(leaflet)
    if source is not None:
        links += _links(source)
    for side in (leaflet, source):
        if side is not None:
            alts += [plain_text(block.text) for block in side.blocks if block.kind == "image"]
    if practice.email:
        links.append(f"mailto:{practice.email}")
    if qr:
        alts.append(f"QR: {qr['url']}")
        links.append(qr["url"])
    return (tuple(alt for alt in alts if alt),
            tuple(dict.fromkeys(link for link in links if link)))


def approved_texts(leaflet: Leaflet, source: Leaflet | None, practice: Practice,
                   translations: gettext.NullTranslations, msgids: tuple, dates: list[str],
                   note: dict | None, qr: dict | None, personal_note: str = "") -> ApprovedTexts:
    """The approved texts of one document: `leaflet` as translated (a draft's missing units in
    Dutch), `source` the Dutch leaflet set beside it in a bilingual one, `dates` the leaflet's
    dates as its language writes them, `note` the colophon's translation line's data, `qr` the
    QR code's (None without one)."""
    tracks = [leaflet_track(leaflet)]
    if source is not None:
        tracks.append(leaflet_track(source, colophon=False))
    # Dutch template strings stand on a Dutch page, beside the Dutch of a bilingual one and in
    # a draft's mark ("CONCEPT — vertaling onvolledig" for the practice).
    dutch = leaflet.language == SOURCE_LANGUAGE or source is not None or bool(leaflet.missing)
    values = _values(leaflet, dates, note)
    templates = tuple((form, values) for msgid in msgids
                      for form in sorted(_forms(translations, msgid, dutch)))
    alts, links = _alts_and_links(leaflet, source, practice, qr)
    return ApprovedTexts(tuple(tracks), tuple(_anywhere(leaflet, source, practice, qr)), templates,
                         alts, links, personal_note)
