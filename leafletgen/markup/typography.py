"""Typographic finish applied while rendering, never to the texts themselves.

The leaflet and its catalogs are kept as written (medical text is copied exactly); what a
typesetter would do to them happens on the way to the page:

- straight quotes become the language's own quotation marks (Dutch 'spit' → ‘spit’, German
  „…“, French « … »), and a straight apostrophe between letters becomes ’;
- the last two words of a heading or the key message are kept on one line, so no single word
  is left alone on its last line (only when both fit easily on one line of the column);
- in large print, words joined by a hyphen or slash ("core-stability", "en/of") are kept on
  one line: a break after the hyphen reads as a broken word to a reader with low vision.

The functions work on the text tokens of one block of inline Markdown (a quotation may span
**bold** and plain text), so link targets and markup are never touched.
"""

from __future__ import annotations

import re
import unicodedata

NBSP = "\u00a0"

# Quotation marks per language: (double open, double close, single open, single close), after
# the Unicode CLDR delimiters. A straight double quote becomes the first pair, a straight single
# quote the second. The leaflets are written in Dutch, where single quotes mark a term ('spit');
# a language whose single marks are not used for that (French, Ukrainian, …) gets its usual marks
# for both. French sets a no-break space inside its guillemets (U+00A0: the narrow U+202F is
# missing from Atkinson Hyperlegible, and a glyph from a fallback font would make its line taller).
_FR = ("«" + NBSP, NBSP + "»", "«" + NBSP, NBSP + "»")
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "nl": ("“", "”", "‘", "’"),
    "en": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "fr": _FR,
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("“", "”", "‘", "’"),
    "pt_PT": ("«", "»", "“", "”"),
    "tr": ("“", "”", "‘", "’"),
    "pl": ("„", "”", "«", "»"),
    "cs": ("„", "“", "‚", "‘"),
    "sk": ("„", "“", "‚", "‘"),
    "hu": ("„", "”", "»", "«"),
    "ro": ("„", "”", "«", "»"),
    "hr": ("„", "“", "‚", "‘"),
    "bs": ("„", "“", "‚", "‘"),
    "sr": ("„", "“", "‘", "’"),
    "sl": ("„", "“", "‚", "‘"),
    "bg": ("„", "“", "„", "“"),
    "lt": ("„", "“", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "ru": ("«", "»", "„", "“"),
    "el": ("«", "»", "“", "”"),
    "da": ("“", "”", "‘", "’"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "nb": ("«", "»", "‘", "’"),
    "no": ("«", "»", "‘", "’"),
    # Right to left: guillemets, which the bidi algorithm mirrors, so «…» opens on the right.
    "ar": ("«", "»", "«", "»"),
    "fa": ("«", "»", "«", "»"),
    "ur": ("«", "»", "«", "»"),
    "he": ("”", "”", "’", "’"),
    "am": ("«", "»", "‹", "›"),
    "ti": ("«", "»", "‹", "›"),
    "zh": ("“", "”", "‘", "’"),
    "ja": ("「", "」", "『", "』"),
    "ko": ("“", "”", "‘", "’"),
}
DEFAULT_QUOTES = ("“", "”", "‘", "’")
APOSTROPHE = "’"

# Dutch words that start with an elided letter: 's avonds, 't huis, 'n keer, z'n (mid-word).
_DUTCH_ELISIONS = re.compile(r"(?:s|t|n|k|m|r|ns)(?![^\W\d_])", re.IGNORECASE)
_OPENERS_BEFORE = "([{‘“„‚«‹-–—/"


def quotes_for(lang: str) -> tuple[str, str, str, str]:
    """The quotation marks of `lang` (pt_BR → pt; an unknown language gets “…” and ‘…’)."""
    if lang in QUOTES:
        return QUOTES[lang]
    return QUOTES.get(lang.replace("-", "_").split("_")[0], DEFAULT_QUOTES)


def _is_word(char: str | None) -> bool:
    return char is not None and (char.isalnum() or unicodedata.category(char) == "Mn")


def _is_space(char: str | None) -> bool:
    return char is None or char.isspace()


def _apostrophe(joined: str, index: int, dutch: bool) -> bool:
    """Whether the straight single quote at `index` is an apostrophe: between letters (don't,
    s'asseoir, z'n), before a year ('90), or a Dutch elision ('s avonds, 't)."""
    before = joined[index - 1] if index else None
    after = joined[index + 1] if index + 1 < len(joined) else None
    if _is_word(before) and _is_word(after):
        return True
    if _is_space(before) and after is not None and after.isdigit():
        return True
    return dutch and _is_space(before) and bool(_DUTCH_ELISIONS.match(joined, index + 1))


def _can_open_close(joined: str, index: int) -> tuple[bool, bool]:
    """A quote may open after a space or an opening bracket, before a word; it may close after
    a word, before a space or punctuation."""
    before = joined[index - 1] if index else None
    after = joined[index + 1] if index + 1 < len(joined) else None
    can_open = (before is None or before.isspace() or before in _OPENERS_BEFORE) and not _is_space(after)
    can_close = not _is_space(before) and (after is None or not _is_word(after))
    return can_open, can_close


def smart_quotes(texts: list[str], lang: str) -> list[str]:
    """The straight quotes of `texts` (the text tokens of one block, in order) as `lang`'s
    quotation marks; apostrophes as ’. A quotation may open in one token and close in another."""
    joined = "".join(texts)
    if "'" not in joined and '"' not in joined:
        return list(texts)
    marks = dict(zip(("double-open", "double-close", "single-open", "single-close"), quotes_for(lang)))
    out = list(joined)                 # one entry per character of `joined`; replaced in place
    stack: list[tuple[str, int]] = []  # open quotes: (kind, index)
    dutch = lang.split("_")[0] == "nl"
    for index, char in enumerate(joined):
        if char not in "'\"":
            continue
        if char == "'" and _apostrophe(joined, index, dutch):
            out[index] = APOSTROPHE
            continue
        kind = "double" if char == '"' else "single"
        can_open, can_close = _can_open_close(joined, index)
        if can_close and any(k == kind for k, _ in stack) and (not can_open or stack[-1][0] == kind):
            while stack and stack.pop()[0] != kind:
                pass
            out[index] = marks[f"{kind}-close"]
        elif can_open:
            stack.append((kind, index))
            out[index] = marks[f"{kind}-open"]
        elif char == "'":
            out[index] = APOSTROPHE                # a closing apostrophe: Anders' boek
    for kind, index in stack:                      # never closed: not a quotation after all
        out[index] = APOSTROPHE if kind == "single" else '"'
    # Back into the token boundaries.
    result, position = [], 0
    for text in texts:
        result.append("".join(out[position:position + len(text)]))
        position += len(text)
    return result


# A space a line may break at: whitespace but the no-break spaces (U+00A0, U+202F) of the finish.
BREAKING_SPACE = r"[^\S\u00a0\u202f]"
# A word as a line sees it: no-break spaces join ("vous\u00a0?" in French is one).
WORD = r"(?:\S|[\u00a0\u202f])+"
# French sets a no-break space before ? ! ; : » and after «: the space typed there becomes one
# (none is added, so "10:30" and "https://" stay as written). U+00A0, as inside its quotes.
_FRENCH_SPACE = re.compile(BREAKING_SPACE + r"+(?=[?!;:»])|(?<=«)" + BREAKING_SPACE + "+")


def words_of(text: str) -> list[str]:
    """The words of `text` as a line breaks it (a no-break space does not part two words)."""
    return [word for word in re.split(BREAKING_SPACE + "+", text) if word]


def french_spacing(texts: list[str], lang: str) -> list[str]:
    """In French, the space before ? ! ; : » and after « as a no-break space, so "vous ?" is one
    unit at a line end ("… pour / vous ?" no more). Other languages as they are."""
    if re.split(r"[_-]", lang)[0] != "fr":
        return list(texts)
    return [_FRENCH_SPACE.sub(NBSP, text) for text in texts]


def last_two_words(texts: list[str], max_chars: int) -> tuple[int, int] | None:
    """Where to bind the last two words, so the last line never holds one word alone:
    (token, offset where the second-last word starts), when both words lie in one token, the
    block has at least three words, and the two fit within `max_chars` (they must fit on a line
    of the column with room to spare, or the line would overflow). None otherwise."""
    words = words_of("".join(texts))
    if len(words) < 3 or len(words[-2]) + 1 + len(words[-1]) > max_chars:
        return None
    for index in range(len(texts) - 1, -1, -1):
        text = texts[index].rstrip()
        if not text:
            continue
        match = re.search(f"({WORD}){BREAKING_SPACE}+({WORD})$", text)
        if not match or match.group(2) != words[-1] or match.group(1) != words[-2]:
            return None      # the pair crosses markup (**bold** word): left as it is
        return index, match.start()
    return None


# A word joined to the next by a hyphen or a slash: core-stability, en/of, hart- (not: "hart- en").
COMPOUND = re.compile(r"[^\W_]+(?:[-/][^\W_]+)+")
