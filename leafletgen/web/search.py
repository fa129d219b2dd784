"""Search for a leaflet as reception types a complaint: its title, headings and text in every
language, and the `keywords` of its front matter ("rugpijn", "back pain", "bel ağrısı").

Words are compared folded (case and accents ignored: "AGRISI" finds "ağrısı"), as a start of a
word while one types ("rug" finds "rugklachten"), inside a compound ("pijn" finds "rugpijn"), and
with one typing error in words of five letters or more (one letter added, left out, changed, or
two swapped: "lumbgo", "rupgijn"). Every word typed must be found; a leaflet ranks by where:
title before keywords before headings before the text.

The index is small (the words of each leaflet and its catalogs) and kept per leaflet under the
digest of the bytes it was made from: a leaflet or catalog that changes is read again at the next
search, whatever its file times say.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from ..errors import UserError
from ..inputs.project import SOURCE_LANGUAGE, Project

# Where a word was found, and how much that counts: a title match outranks any number of others.
FIELDS = ("title", "keywords", "heading", "body")
WEIGHT = {"title": 1000.0, "keywords": 100.0, "heading": 10.0, "body": 1.0}
# How well a typed word matches one of the leaflet: as typed, a start, a typing error, inside.
EXACT, START, TYPO, INSIDE = 1.0, 0.8, 0.6, 0.4
MAX_WORDS = 8                   # words of a query looked for (the box holds 100 characters)
TYPO_FROM = 5                   # letters: shorter words must be typed right ("rug" is not "rum")
INSIDE_FROM = 4                 # letters: "pijn" in "rugpijn", not "ug" in "rugpijn"
UNIT_FIELDS = {"title": "title", "heading": "heading", "paragraph": "body", "list item": "body",
               "callout": "body", "image alt text": "body"}     # not the colophon's author, source

_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe",
                          "þ": "th", "ة": "ه", "ى": "ي", "ـ": None, "'": None, "’": None, "ʼ": None})


def fold(text: str) -> str:
    """`text` as search compares it: lower case, without accents (é → e, ğ → g, Arabic vowel
    marks), dotless and stroked letters as their plain ones, no apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_LETTERS)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def one_edit_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter added, left out, changed, or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def match_quality(typed: str, word: str) -> float:
    """How well `typed` matches `word` of a leaflet (both folded); 0 when it does not."""
    if typed == word:
        return EXACT
    if word.startswith(typed):
        return START
    if len(typed) >= TYPO_FROM and one_edit_apart(typed, word):
        return TYPO
    if len(typed) >= INSIDE_FROM and typed in word:
        return INSIDE
    return 0.0


@dataclass
class Entry:
    """One leaflet's words, by field; and for each, a text it came from (shown beside a hit)."""

    leaflet: str
    words: dict[str, set[str]] = field(default_factory=lambda: {name: set() for name in FIELDS})
    sources: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def add(self, field_name: str, lang: str, text: str) -> None:
        for word in words(text):
            self.words[field_name].add(word)
            self.sources.setdefault((field_name, word), (lang, text))


@dataclass(frozen=True)
class Hit:
    leaflet: str
    score: float
    field: str = ""             # where the best match of the first word typed is
    lang: str = ""              # the language of the text it is in ("" for a keyword)
    text: str = ""              # that text (a title, a keyword, a heading, a sentence)
    word: str = ""              # the word matched in it, folded

    def snippet(self, around: int = 4) -> str:
        """The words of `text` around the matched word ("… ook wel 'spit' of 'lumbago' genoemd …")."""
        tokens = list(re.finditer(r"\S+", self.text))
        at = next((i for i, token in enumerate(tokens) if self.word in words(token.group())), 0)
        start, end = max(0, at - around), min(len(tokens), at + around + 1)
        text = self.text[tokens[start].start():tokens[end - 1].end()] if tokens else self.text
        return ("… " if start > 0 else "") + text + (" …" if end < len(tokens) else "")


class Index:
    """The entries, and for each word of any of them where it is (entry, field): a typed word is
    compared with each word once, not once per leaflet."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.postings: dict[str, list[tuple[int, str]]] = {}
        for number, entry in enumerate(entries):
            for name in FIELDS:
                for word in entry.words[name]:
                    self.postings.setdefault(word, []).append((number, name))

    def search(self, query: str) -> list[Hit]:
        """The leaflets in which every word of `query` is found, best first."""
        typed = list(dict.fromkeys(words(query)))[:MAX_WORDS]
        if not typed:
            return []
        totals: dict[int, float] = {}
        first: dict[int, tuple[float, str, str]] = {}
        for position, word in enumerate(typed):
            best: dict[int, tuple[float, str, str]] = {}
            for candidate, places in self.postings.items():
                quality = match_quality(word, candidate)
                if not quality:
                    continue
                for number, name in places:
                    score = WEIGHT[name] * quality
                    if score > best.get(number, (0.0,))[0]:
                        best[number] = (score, name, candidate)
            found = best if position == 0 else {n: hit for n, hit in best.items() if n in totals}
            totals = {n: totals.get(n, 0.0) + hit[0] for n, hit in found.items()}
            if position == 0:
                first = found
            if not totals:
                return []
        hits = []
        for number, total in totals.items():
            _score, name, candidate = first[number]
            lang, text = self.entries[number].sources[(name, candidate)]
            hits.append(Hit(self.entries[number].leaflet, total, name, lang, text, candidate))
        return sorted(hits, key=lambda hit: (-hit.score, hit.leaflet))


# ---- The index: made from the bytes of each leaflet and its catalogs ------------------------------

_lock = threading.Lock()
_kept: dict[tuple[str, str], tuple[str, Entry | None]] = {}     # (root, leaflet) → (digest, entry)
_indexes: dict[str, tuple[tuple[str, ...], Index]] = {}          # root → (the entries' digests, index)


def index(project: Project) -> Index:
    """The index of every leaflet that can be read; an entry is made again only when the digest
    of its leaflet's file and catalogs changed."""
    entries, digests = [], []
    for leaflet_id in project.leaflet_ids():
        files = _input_files(project, leaflet_id)
        digest = hashlib.sha256(b"".join(hashlib.sha256(name.encode() + b"\0" + data).digest()
                                         for name, data in files)).hexdigest()
        key = (str(project.root), leaflet_id)
        with _lock:
            kept = _kept.get(key)
        if kept is None or kept[0] != digest:
            kept = (digest, _entry(project, leaflet_id, files))
            with _lock:
                _kept[key] = kept
        digests.append(f"{leaflet_id}:{digest}")
        if kept[1] is not None:
            entries.append(kept[1])
    with _lock:
        made = _indexes.get(str(project.root))
        if made is None or made[0] != tuple(digests):
            made = (tuple(digests), Index(entries))
            _indexes[str(project.root)] = made
    return made[1]


def _input_files(project: Project, leaflet_id: str) -> list[tuple[str, bytes]]:
    """(file, bytes) of the leaflet and each of its catalogs, read once (no link followed, within
    their size limits); a file that cannot be read is left out."""
    from ..translate.catalog_checks import read_catalog_bytes
    from ..inputs.leaflet import LEAFLET_MAX_BYTES
    from ..inputs.files import InputFileError, read_file
    from ..inputs.project import catalog_file

    files = []
    try:
        files.append((f"leaflets/{leaflet_id}.md", read_file(project.root, f"leaflets/{leaflet_id}.md",
                                                               LEAFLET_MAX_BYTES)))
    except InputFileError:
        return []
    for lang in project.languages():
        if lang == SOURCE_LANGUAGE or not project.catalog_path(leaflet_id, lang).is_file():
            continue
        try:
            files.append((catalog_file(leaflet_id, lang), read_catalog_bytes(project.root,
                                                                             catalog_file(leaflet_id, lang))))
        except UserError:
            continue
    return files


def _entry(project: Project, leaflet_id: str, files: list[tuple[str, bytes]]) -> Entry | None:
    """The words of a leaflet and its catalogs, from their bytes; None when the leaflet is bad."""
    from ..inputs.leaflet import parse_leaflet
    from ..markup.inline import plain_text

    if not files:
        return None
    (file, raw), catalogs = files[0], files[1:]
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        leaflet = parse_leaflet(text, project.root / file, file, expected_id=leaflet_id)
    except (UnicodeDecodeError, UserError):
        return None
    entry = Entry(leaflet_id)
    for keyword in leaflet.keywords:
        entry.add("keywords", "", keyword)
    units = [(UNIT_FIELDS[kind], unit) for _line, kind, unit in leaflet.units() if kind in UNIT_FIELDS]
    for name, unit in units:
        entry.add(name, SOURCE_LANGUAGE, plain_text(unit))
    for catalog_name, data in catalogs:
        lang = catalog_name.split("/")[1]
        translations = _translations(catalog_name, data, lang)
        for name, unit in units:
            translated = translations.get(unit)
            if translated:
                entry.add(name, lang, plain_text(translated))
    return entry


def _translations(file: str, data: bytes, lang: str) -> dict[str, str]:
    """msgid → usable translation of a catalog's bytes, checked as the build checks a catalog
    first ({} when it cannot be used at all)."""
    import io

    from babel.messages.pofile import read_po

    from ..translate.catalog_checks import analyse_text
    from ..translate.catalogs import is_translated

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    if analyse_text(text, file).fatal:
        return {}
    try:
        catalog = read_po(io.BytesIO(text.encode("utf-8")), locale=lang, abort_invalid=True)
    except Exception:  # Babel's reader: PoFileError, ValueError, UnknownLocaleError
        return {}
    return {message.id: message.string for message in catalog
            if isinstance(message.id, str) and isinstance(message.string, str) and is_translated(message)}
