"""The termbase of a language: Dutch term → the term(s) a translation must use, variants it must
not, and a note for the translator. translations/<lang>/terms.toml (the content folder's, else
the tool's own; see translate.languages):

    [huisarts]
    required = ["médico de familia"]
    forbidden = ["médico de cabecera"]
    note = "The GP: the doctor a patient is registered with."

A Dutch term is found at the start of a word ("huisarts" in "huisartsen"); a longer term found
at the same place wins ("lage rugklachten" over "rugklachten"). A required or forbidden term is
found as the start of each of its words, so "fizjoterapeut" is found in "fizjoterapeutą"
(Polish, Turkish and Arabic add endings), after the prefixes a language's words may take (Arabic
و، ب، ال); a required term of five letters or more is found with one letter wrong, missing, added
or two swapped (a typo is the spelling checker's finding, not a missing term).
The terms of a unit are shown to translators as `#.` comments in the .po (translate.workflow).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from ..errors import Problem, UserError
from .words import fold, plain, stems, tokens

_KEYS = {"required", "forbidden", "note"}
TERM_PREFIX = "Term: "          # the `#.` comment of a term in a .po


@dataclass(frozen=True)
class Term:
    source: str                       # the Dutch term
    required: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    note: str = ""

    def comment(self) -> str:
        """The `#.` line a translator sees on a unit that has the term."""
        line = f"{TERM_PREFIX}{self.source} \u2192 {' / '.join(self.required) or '(no required term)'}"
        if self.forbidden:
            line += f" (not: {', '.join(self.forbidden)})"
        return line + (f". {self.note}" if self.note else "")


@dataclass(frozen=True)
class Termbase:
    file: str
    terms: tuple[Term, ...] = ()


def parse_termbase(data: bytes, file: str) -> Termbase:
    """A termbase from its TOML; every problem at once, as a UserError."""
    try:
        values = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(Problem(file, f"is not valid TOML: {exc}")) from None
    problems, terms = [], []
    for source, entry in values.items():
        if not isinstance(entry, dict):
            problems.append(Problem(file, "must be a table: [term] with required, forbidden, note",
                                    field=source))
            continue
        for key in sorted(set(entry) - _KEYS):
            problems.append(Problem(file, "unknown key; allowed keys are: forbidden, note, required",
                                    field=f"{source}.{key}"))
        for key in ("required", "forbidden"):
            value = entry.get(key, [])
            if not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
                problems.append(Problem(file, "must be a list of terms", field=f"{source}.{key}"))
        if not isinstance(entry.get("note", ""), str):
            problems.append(Problem(file, "must be a text", field=f"{source}.note"))
        if not source.strip():
            problems.append(Problem(file, "a term may not be empty", field=repr(source)))
        if not problems:
            terms.append(Term(source.strip(), tuple(entry.get("required", ())),
                              tuple(entry.get("forbidden", ())), entry.get("note", "").strip()))
    if problems:
        raise UserError(problems)
    return Termbase(file, tuple(terms))


def load_termbase(table) -> Termbase:
    """The termbase of a language table (none: an empty one)."""
    if table.termbase is None:
        return Termbase("")
    return _parsed(*table.termbase)


_cache: dict[tuple[str, bytes], Termbase] = {}


def _parsed(file: str, data: bytes) -> Termbase:
    key = (file, data)
    if key not in _cache:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = parse_termbase(data, file)
    return _cache[key]


# ---- Finding terms -----------------------------------------------------------------------------

def _words(text: str, table) -> list[list[str]]:
    """Each word of `text` as its possible stems (the word, then without each prefix)."""
    return [stems(fold(word, table), table) for kind, word in tokens(plain(text)) if kind == "word"]


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by at most one letter inserted, deleted, changed, or two swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _starts(word_stems: list[str], form: str, tolerant: bool) -> bool:
    for stem in word_stems:
        if stem.startswith(form):
            return True
        if tolerant and len(form) >= 5 and any(_one_edit(stem[:n], form)
                                               for n in (len(form) - 1, len(form), len(form) + 1)):
            return True
    return False


def find(text: str, form: str, table, tolerant: bool = False) -> list[int]:
    """Word positions in `text` where `form` (one or more words) is found, each word as the
    start of a word of the text."""
    words = _words(text, table)
    parts = fold(form, table).split()
    return [i for i in range(len(words) - len(parts) + 1)
            if all(_starts(words[i + k], part, tolerant) for k, part in enumerate(parts))]


def terms_in(msgid: str, terms: Termbase, source) -> list[Term]:
    """The terms of the Dutch text (`source`: the Dutch language table), in the order of the
    termbase; a term inside a longer one found at the same words is not counted."""
    spans = []
    for term in terms.terms:
        size = len(term.source.split())
        for start in find(msgid, term.source, source):
            spans.append((start, start + size, term))
    kept = [(s, e, t) for s, e, t in spans
            if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans)]
    return list(dict.fromkeys(t for _, _, t in kept))


def term_findings(msgid: str, msgstr: str, terms: Termbase, table,
                  source) -> list[tuple[str, dict]]:
    """A required term missing where the Dutch has its term; a forbidden variant anywhere."""
    found = []
    for term in terms_in(msgid, terms, source):
        if term.required and not any(find(msgstr, form, table, tolerant=True) for form in term.required):
            found.append(("term_missing", {"term": term.source,
                                           "required": " or ".join(repr(r) for r in term.required)}))
    for term in terms.terms:
        for form in term.forbidden:
            if find(msgstr, form, table):
                found.append(("term_forbidden", {"term": term.source, "found": form,
                                                 "required": " or ".join(repr(r) for r in term.required)}))
    return found
