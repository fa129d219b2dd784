"""The text read back against the approved texts: every unit present, complete and in order,
the strings that may stand anywhere anywhere, and nothing else.

Each language's units form a track, read in order; the tracks of a bilingual page interleave
freely. Between and inside units (a running footer at a page break) any approved string may
stand, any number of times. Where the page and the approved text part, the smallest step that
brings them together again is taken: so many characters added on the page, or so much of a
unit (up to whole units) not on it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from .fold import Folded, fold

RESYNC = 12          # characters that must agree again after a difference
LOOK_AHEAD = 400     # how far past a difference the page is searched
UNIT_SKIP = 60       # characters of a unit that may be missing before whole units are tried
UNITS_AHEAD = 8      # how many whole units may be missing in one stretch
MAX_DIFFERENCES = 12


@dataclass(frozen=True)
class Unit:
    """One approved unit: its text, folded; `private` for a personal note (never quoted)."""

    text: str
    folded: Folded
    private: bool = False


@dataclass(frozen=True)
class Piece:
    """An approved string that may stand anywhere, any number of times: a template string as
    filled in for this document, a profile field, a language's name."""

    text: str
    pattern: re.Pattern


@dataclass(frozen=True)
class Expected:
    tracks: tuple[tuple[Unit, ...], ...]
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Difference:
    kind: str        # "missing", "incomplete", "out of order", "added"
    text: str        # the unit (or, for "added", what the page has), as written
    detail: str = ""  # "incomplete": what of the unit is not on the page
    private: bool = False


def _rtl_letter(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


def _agree(chars: str, i: int, text: str, k: int, limit: int) -> tuple[int, int]:
    """How far `chars` from i and `text` from k agree, for at most `limit` characters of
    `text`: the positions reached in both. Two letters of a right-to-left script may come
    swapped (a glyph whose characters an extraction put in visual order)."""
    n, m = len(chars), min(len(text), k + limit)
    while k < m and i < n:
        a, b = chars[i], text[k]
        if a == b:
            i += 1
            k += 1
        elif (k + 1 < m and i + 1 < n and chars[i + 1] == b and text[k + 1] == a
              and _rtl_letter(a) and _rtl_letter(b)):
            i += 2
            k += 2
        else:
            break
    return i, k


@dataclass
class _Track:
    units: tuple[Unit, ...]
    unit: int = 0                 # the unit being read
    offset: int = 0               # how far into it
    seen: list[int] = field(default_factory=list)
    lost: list[list[tuple[int, int]]] = field(default_factory=list)

    def __post_init__(self):
        self.seen = [0] * len(self.units)
        self.lost = [[] for _ in self.units]
        self._next_unit()

    def done(self) -> bool:
        return self.unit >= len(self.units)

    def current(self) -> str:
        return self.units[self.unit].folded.chars

    def advance(self, count: int) -> None:
        self.seen[self.unit] += count
        self.offset += count
        self._next_unit()

    def skip(self, count: int) -> None:
        while count > 0 and not self.done():
            step = min(count, len(self.current()) - self.offset)
            self.lost[self.unit].append((self.offset, self.offset + step))
            self.offset += step
            count -= step
            self._next_unit()

    def _next_unit(self) -> None:
        while not self.done() and self.offset >= len(self.current()):
            self.unit += 1
            self.offset = 0


def _separator(char: str) -> bool:
    return not char.isalnum() and not ("\ue000" <= char <= "\ue0ff")


def line_starts(page: Folded) -> list[int]:
    """The folded positions where a new line of the page begins."""
    starts, breaks = [], 0
    newlines = [0]
    for char in page.text:
        breaks += char == "\n"
        newlines.append(breaks)
    for k in range(1, len(page.at)):
        if newlines[page.at[k]] != newlines[page.at[k - 1] + 1]:
            starts.append(k)
    return starts


def _cut_at_line(starts: list[int], i: int, end: int) -> int:
    """A match of a track from i that broke off at `end`, in another line than it began: cut
    back to the start of the line it broke off in. Tracks interleave line by line (two
    columns); the start of the other column's line may happen to agree for a few letters."""
    k = bisect.bisect_right(starts, end) - 1
    return starts[k] if k >= 0 and starts[k] > i else end


def compare(page: Folded, expected: Expected) -> list[Difference]:
    """Read `page` (the document's text, folded) as the tracks' units in order with the pieces
    anywhere between; what cannot be read so comes back as differences."""
    chars = page.chars
    starts = line_starts(page)
    tracks = [_Track(units) for units in expected.tracks]
    added: list[tuple[int, int]] = []
    i, n = 0, len(chars)
    inside: _Track | None = None    # the track whose unit the last step ended inside of
    while i < n:
        if _separator(chars[i]) and (inside is None or inside.offset == 0):
            i += 1      # a separator kept between two numbers, here between two pieces
            continue
        best, step = _best_step(chars, i, tracks, expected.pieces, starts)
        if best:
            inside = None
            if step is not None:
                step[0].advance(step[1])
                inside = step[0]
            i += best
            continue
        found = _resync(chars, i, tracks, expected.pieces)
        if found is None or len(added) >= MAX_DIFFERENCES:
            added.append((i, n))
            break
        ahead, track, skip = found
        # Only separators passed: a line or column change between two pieces, unless the same
        # unit goes on after it ("50 0 mg" for "500 mg").
        if ahead and (track is inside or not all(_separator(c) for c in chars[i:i + ahead])):
            added.append((i, i + ahead))
        inside = None
        if track is not None:
            track.skip(skip)
        i += ahead
    return _differences(page, tracks, _merged(added))


def _best_step(chars: str, i: int, tracks: list[_Track], pieces, starts: list[int]):
    """The longest way to read on from i: (characters, (track, its characters) or None for a
    piece); (0, None) when nothing reads on."""
    best, step = 0, None
    for track in tracks:
        if track.done():
            continue
        end, k = _agree(chars, i, track.current(), track.offset, len(chars))
        if k < len(track.current()) and end < len(chars):
            cut = _cut_at_line(starts, i, end)
            k, end = k - (end - cut), cut
        if end - i > best:
            best, step = end - i, (track, k - track.offset)
    for piece in pieces:
        match = piece.pattern.match(chars, i)
        if match and match.end() - i > best:
            best, step = match.end() - i, None
    return best, step


def _resync(chars: str, i: int, tracks: list[_Track], pieces):
    """The smallest step past a difference: (characters of the page added, the track, its
    characters missing) after which page and track agree again, or a piece starts."""
    targets = []
    for track in tracks:
        if track.done():
            continue
        left = len(track.current()) - track.offset
        targets += [(track, skip) for skip in range(min(left, UNIT_SKIP))]
        skipped = left
        for later in range(track.unit + 1, min(len(track.units), track.unit + UNITS_AHEAD + 1)):
            targets.append((track, skipped))
            skipped += len(track.units[later].folded.chars)
        if track.unit + UNITS_AHEAD + 1 >= len(track.units):
            targets.append((track, skipped))      # the rest of the track is not on the page
    for ahead in range(min(LOOK_AHEAD, len(chars) - i) + 1):
        j = i + ahead
        if ahead and j < len(chars) and not _separator(chars[j]):
            for piece in pieces:
                if piece.pattern.match(chars, j):
                    return ahead, None, 0
        for track, skip in targets:
            if (ahead or skip) and _agrees_after(chars, j, track, skip):
                return ahead, track, skip
    return None


def _agrees_after(chars: str, j: int, track: _Track, skip: int) -> bool:
    """Whether the page from j agrees with `track` once `skip` of its characters are passed:
    for RESYNC characters (across its following units), or to the end of both."""
    unit, offset = track.unit, track.offset + skip
    units = track.units
    while unit < len(units) and offset >= len(units[unit].folded.chars):
        offset -= len(units[unit].folded.chars)
        unit += 1
    need, n = RESYNC, len(chars)
    while need > 0:
        while j < n and _separator(chars[j]):
            j += 1
        if unit >= len(units):
            return j >= n
        if j >= n:
            return False
        text = units[unit].folded.chars
        want = min(need, len(text) - offset)
        end, k = _agree(chars, j, text, offset, want)
        if k - offset < want:
            return False
        need -= want
        j, unit, offset = end, unit + 1, 0
    return True


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def quote(text: Folded, start: int, end: int) -> str:
    """The text from folded position `start` to `end`, widened to whole words, on one line."""
    if start >= len(text.at) or end <= start:
        return ""
    source = text.text
    a, b = text.at[start], text.at[min(end, len(text.at)) - 1] + 1
    while a > 0 and not source[a - 1].isspace():
        a -= 1
    while b < len(source) and not source[b].isspace():
        b += 1
    return " ".join(source[a:b].replace("\x02", "").split())


def _lost_text(unit: Unit, spans: list[tuple[int, int]]) -> str:
    parts = [quote(unit.folded, a, b) for a, b in _merged(spans)]
    return " … ".join(part for part in parts if part)


def _differences(page: Folded, tracks: list[_Track], added) -> list[Difference]:
    differences: list[Difference] = []
    added_texts = [quote(page, start, end) for start, end in added]
    added_folded = [fold(text).chars for text in added_texts]
    for track in tracks:
        for index, unit in enumerate(track.units):
            if track.seen[index] >= len(unit.folded.chars) and not track.lost[index]:
                continue
            if track.seen[index] == 0:
                if unit.folded.chars in added_folded:     # on the page, but elsewhere
                    added_texts[added_folded.index(unit.folded.chars)] = ""
                    differences.append(Difference("out of order", unit.text, private=unit.private))
                else:
                    differences.append(Difference("missing", unit.text, private=unit.private))
            else:
                differences.append(Difference("incomplete", unit.text,
                                              _lost_text(unit, track.lost[index]), unit.private))
    differences += [Difference("added", text) for text in added_texts if text]
    return differences
