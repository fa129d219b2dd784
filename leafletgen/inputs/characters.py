"""Characters no input text may hold: control characters, and characters that are invisible or
change the direction of text.

A control character (ESC, NUL, vertical tab, ...) is invisible on the page, shows as a box in
the PDF and can reach a terminal in a message. The bidirectional controls reorder what is
displayed without changing what is stored: an embedding or override (U+202A–U+202E) around
"1 - 3 - 5" prints "5 - 3 - 1", and isolates (U+2066–U+2069), marks (U+200E, U+200F) and the
Arabic letter mark (U+061C) move numbers and punctuation the same way; in a dosage that is a
patient-safety defect, and what the editor or translator checked is not what the patient reads.
Every other format character (Unicode category Cf) is invisible too: zero-width spaces and word
joiners, invisible operators, tag characters (which can carry hidden text), interlinear
annotations. Unicode's line and paragraph separators (U+2028, U+2029) are invisible line breaks
that editors and parsers disagree on, and a few letters are drawn as nothing at all (Hangul
fillers). Arabic, the right-to-left language we ship, needs none of them: the page's direction
(`dir="rtl"`) lays it out.

Three format characters have a use inside a word and are allowed there only, between two letters
(or combining marks; for the joiner also symbols, as in emoji sequences):
- U+00AD SOFT HYPHEN marks where a long word may be hyphenated; between digits it would let a
  dose such as 10000 break over two lines, so it is refused there;
- U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER select letter forms in Persian, Urdu,
  Kurdish and the Indic scripts.
Variation selectors (U+FE00–U+FE0F) pick a glyph variant of the character before them and stay;
a run of two or more is refused.

Combining overlays and enclosing marks (U+0334–U+0338, U+20D2–U+20F0) are refused too: drawn on
the character before them they strike it through or box it (U+0336 after each letter of "niet"
prints it struck through, U+20E0 on a digit an empty box), so a dose or a "not" reads otherwise
than the text says.

Per language (`script_problem`, with the language's table from translate.languages): digits in
none of its digit sets (full-width ones, another script's) and letters of a script it does not use
(a Cyrillic З for a 3 in Dutch) are refused; a whole Latin word in a language of another script
("mg", an address) is left to the quality checks.

Tab, line feed and carriage return are fine where line breaks are. The output may hold
direction isolates that leafletgen itself writes (html.isolate): that is output, not input.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import Message, Problem

BIDI_CONTROLS = {
    "\u061c": "ARABIC LETTER MARK", "\u200e": "LEFT-TO-RIGHT MARK", "\u200f": "RIGHT-TO-LEFT MARK",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING", "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING", "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE", "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
IN_WORD_ONLY = "\u00ad\u200c\u200d"     # soft hyphen, zero-width non-joiner, zero-width joiner
# Not format characters, but drawn as nothing: Hangul fillers, the combining grapheme joiner,
# Khmer's invisible vowels, the Mongolian free variation selectors, the braille blank, variation
# selectors beyond the 16 standard ones (used to smuggle hidden data after a visible character),
# and the unassigned code points Unicode reserves as ignorable (U+FFF0–U+FFF8, the rest of
# U+E0000–U+E0FFF): fonts draw them as nothing, so they too can carry hidden text.
INVISIBLE = ("\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2800\u3164\uffa0\ufff0-\ufff8"
             "\U000e0000-\U000e0fff")
# Combining marks that strike through, slash or enclose the character before them.
OVERLAYS = "\u0334-\u0338\u20d2-\u20f0"
_OVERLAY = re.compile(f"[{OVERLAYS}]")
# Refused wherever they stand: control characters (but tab, line feed and carriage return),
# the separators, surrogates and non-characters, every format character but the three above, and
# the invisible ones.
_ALWAYS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff"
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    # Private use: no meaning of its own (a font's icon, or a template's stand-in).
    "\ue000-\uf8ff\U000f0000-\U0010ffff"
    + INVISIBLE + OVERLAYS + "]")
_NEWLINES = re.compile("[\n\r]")
# One variation selector picks a glyph of the character before it; a run of them means nothing
# and can encode hidden data (4 bits each): the second and later are refused.
_SELECTOR_RUN = re.compile("[\ufe00-\ufe0f]([\ufe00-\ufe0f]+)")
_IN_WORD = re.compile(f"[{IN_WORD_ONLY}]")


def _word_character(char: str, joiner: bool) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LM" or (joiner and category == "So") or (joiner and char in "\ufe0f")


def bad_characters(text: str, allow_newline: bool = True) -> list[str]:
    """The disallowed characters of `text`, in order of first appearance (each once)."""
    found: dict[str, int] = {}
    for match in _ALWAYS.finditer(text):
        found.setdefault(match.group(), match.start())
    for match in _SELECTOR_RUN.finditer(text):
        found.setdefault(match.group(1)[0], match.start(1))
    if not allow_newline:
        for match in _NEWLINES.finditer(text):
            found.setdefault(match.group(), match.start())
    for match in _IN_WORD.finditer(text):
        char, at = match.group(), match.start()
        joiner = char == "\u200d"
        before = text[at - 1] if at > 0 else ""
        after = text[at + 1] if at + 1 < len(text) else ""
        if not (before and after and _word_character(before, joiner) and _word_character(after, joiner)):
            found.setdefault(char, at)
    return sorted(found, key=found.get)


def describe(char: str) -> str:
    category = unicodedata.category(char)
    name = BIDI_CONTROLS.get(char) or unicodedata.name(char, "") or \
        {"Cn": "unassigned", "Co": "private use"}.get(category, "control character")
    return f"U+{ord(char):04X} ({name})"


def _invisible(char: str) -> bool:
    return char in BIDI_CONTROLS or unicodedata.category(char) == "Cf" or \
        bool(re.match(f"[{INVISIBLE}\ufe00-\ufe0f]", char))


def text_problem(text: str, allow_newline: bool = True) -> str | None:
    """Why `text` is refused, or None."""
    bad = bad_characters(text, allow_newline)
    if not bad:
        return None
    shown = ", ".join(describe(c) for c in bad[:3]) + (", …" if len(bad) > 3 else "")
    hidden = [char for char in bad if _invisible(char)]
    if any(_OVERLAY.match(char) for char in bad):
        return (f"contains combining marks that strike through or enclose the character before "
                f"them: {shown}; remove them (a struck-through word or a boxed digit reads "
                "otherwise than the text says)")
    if not hidden:
        return f"contains characters that cannot be printed: {shown}; remove them"
    why = ("they change the direction of the text around them, so numbers and words can be "
           "shown in another order than written" if any(c in BIDI_CONTROLS for c in hidden)
           else "they are invisible, so what is printed differs from what was checked")
    if len(hidden) < len(bad):
        return f"contains characters that cannot be printed or are invisible: {shown}; remove them ({why})"
    if all(char in IN_WORD_ONLY for char in hidden):
        why = "a soft hyphen or zero-width joiner is allowed only inside a word, between two letters"
    return f"contains invisible or direction-changing characters: {shown}; remove them ({why})"


def line_problems(text: str) -> list[tuple[int, str]]:
    """(line number, problem) for every line of `text` with a disallowed character (\\n ends a line)."""
    if not _ALWAYS.search(text) and not _IN_WORD.search(text) and not _SELECTOR_RUN.search(text):
        return []
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        message = text_problem(line.removesuffix("\r"))
        if message:
            problems.append((number, message))
    return problems


def printable(text: str) -> str:
    """`text` with disallowed characters shown as \\uXXXX (for messages on a terminal)."""
    bad = set(bad_characters(text, allow_newline=False))
    return "".join(f"\\u{ord(c):04x}" if c in bad else c for c in text)


def _words(text: str) -> list[str]:
    """The runs of letters, marks and digits of `text`."""
    words, word = [], []
    for char in text:
        if unicodedata.category(char)[0] in "LMN":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return words


def script_problem(text: str, table) -> str | None:
    """Why `text` is refused in the language of `table` (translate.languages.LanguageTable), or
    None: digits in none of its digit sets, or letters of a script it does not use. A word all in
    Latin letters is allowed in a language of another script (a unit, a name, an address)."""
    digits = list(dict.fromkeys(table.foreign_digits(text)))
    if digits:
        allowed = " or ".join(f"{d[0]}–{d[-1]}" for d in table.digits)
        return (f"has digits this language does not write: {', '.join(describe(c) for c in digits[:3])}"
                f"; write {allowed}")
    from ..translate.languages import script_of

    for word in _words(text):
        foreign = table.foreign_letters(word)
        if not foreign or (not table.latin and all(script_of(char) == "Latin" for char in word
                                                    if unicodedata.category(char)[0] == "L")):
            continue
        scripts = " or ".join(sorted(table.scripts))
        return (f"has a letter of a script this language does not use: {describe(foreign[0])} in "
                f"{word[:40]!r}; this language is written in {scripts}")
    return None


def script_line_problems(text: str, table) -> list[tuple[int, str]]:
    """(line number, problem) for every line of `text` that `script_problem` refuses."""
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        message = script_problem(line, table)
        if message:
            problems.append((number, message))
    return problems


def leaflet_script_problems(body: str, body_line: int, meta, line_of, file: str) -> list[Problem]:
    """Digits and letters the leaflet's language (Dutch, its table) does not write: in the text,
    the title, the author and the source line (the keywords may be in any language)."""
    from ..translate.languages import source_table

    table = source_table(None)
    problems = [Problem(file, Message("script", message), line=body_line + number - 1)
                for number, message in script_line_problems(body, table)]
    for key in ("title", "author", "source"):
        message = script_problem(getattr(meta, key), table) if meta is not None else None
        if message:
            problems.append(Problem(file, Message("script", message), line=line_of(key), field=key))
    return problems
