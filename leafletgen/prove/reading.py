"""The words of a PDF's text layer, read back in the order a reader reads them.

PDFium gives every character with its box. The characters of one glyph (a ligature) share a
box; PDFium turns a right-to-left run around character by character, so such a glyph's
characters are put back in their own order. The page is then cut into bands, top to bottom;
bands that share an empty vertical strip (a gutter) are read as columns; each line goes from
visual back into logical order (bidi.py). The order is the page's, not the order the PDF draws
in: a list item drawn last but shown first is read first, one moved up by a stylesheet is read
where it shows.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium

from .bidi import bidi_class, reorder
from .fold import folded

COLUMN_GAP = 0.8       # of the line height: an empty strip at least this wide parts two columns


class Glyph:
    """One glyph of the text layer: its characters (logical order) and box, in PDF points."""

    __slots__ = ("text", "left", "right", "bottom", "top", "middle", "kind")

    def __init__(self, text: str, left: float, right: float, bottom: float, top: float):
        self.text, self.left, self.right, self.bottom, self.top = text, left, right, bottom, top
        self.middle = ((left + right) / 2, (bottom + top) / 2)
        self.kind = ""       # its bidi class, once its characters are known

    def __repr__(self) -> str:
        return f"Glyph({self.text!r}, {self.left:.1f}, {self.right:.1f}, {self.bottom:.1f}, {self.top:.1f})"


def _rtl(char: str) -> bool:
    return bidi_class(char) == "R"


def page_glyphs(page) -> list[Glyph]:
    """The glyphs of a pypdfium2 page, in PDFium's order; what PDFium made up (line breaks,
    spaces it guessed) left out."""
    textpage = page.get_textpage()
    try:
        # The raw handle, and the box's reference made once: a page has a few thousand
        # characters, and the wrapper object would be converted again at every call.
        handle = textpage.raw
        count = pdfium.FPDFText_CountChars(handle)
        buffer = (ctypes.c_ushort * (count + 1))()
        pdfium.FPDFText_GetText(handle, 0, count, buffer)
        # One UTF-16 unit per character index; a character beyond the BMP is a surrogate pair.
        units = list(map(chr, buffer[:count]))
        rect = pdfium.FS_RECTF()
        rect_ref = ctypes.byref(rect)
        glyphs: list[Glyph] = []
        last_box = None
        generated, box_of = pdfium.FPDFText_IsGenerated, pdfium.FPDFText_GetLooseCharBox
        for index, char in enumerate(units):
            # PDFium makes up only line breaks and spaces.
            if char in "\r\n" or (char.isspace() and generated(handle, index)):
                continue
            box_of(handle, index, rect_ref)
            box = (rect.left, rect.right, rect.bottom, rect.top)
            if box == last_box and not char.isspace():
                glyph = glyphs[-1]
                glyph.text = char + glyph.text if _rtl(char) else glyph.text + char
                continue
            last_box = box
            glyphs.append(Glyph(char, *box))
        pairs = _SURROGATE.search("".join(units)) is not None
        for glyph in glyphs:
            if pairs and _SURROGATE.search(glyph.text):   # a pair's two halves
                glyph.text = glyph.text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            glyph.kind = bidi_class(glyph.text)
        return glyphs
    finally:
        textpage.close()


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bands(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Horizontal bands, top to bottom: a glyph whose middle is below every glyph of the band
    so far starts the next one."""
    bands: list[list[Glyph]] = []
    band: list[Glyph] = []
    low = 0.0
    for glyph in sorted(glyphs, key=lambda g: -g.top):
        if band and glyph.middle[1] < low:
            bands.append(band)
            band = []
        low = glyph.bottom if not band else min(low, glyph.bottom)
        band.append(glyph)
    if band:
        bands.append(band)
    return bands


def _merged(stretches, gap: float) -> list[tuple[float, float]]:
    """Stretches of x (left, right), those less than `gap` apart joined."""
    spans: list[tuple[float, float]] = []
    for left, right in sorted(stretches):
        if spans and left <= spans[-1][1] + gap:
            if right > spans[-1][1]:
                spans[-1] = (spans[-1][0], right)
        else:
            spans.append((left, right))
    return spans


def _occupied(glyphs: list[Glyph], gap: float) -> list[tuple[float, float]]:
    """The stretches of x the glyphs cover, those less than `gap` apart joined."""
    return _merged(((g.left, g.right) for g in glyphs), gap)


def _joined(a: list[tuple[float, float]], b: list[tuple[float, float]], gap: float):
    return _merged(a + b, gap)


def _line_height(glyphs: list[Glyph]) -> float:
    heights = sorted(g.top - g.bottom for g in glyphs)
    return heights[len(heights) // 2]


def _direction(glyphs: list[Glyph], rtl: bool) -> bool:
    """Whether a column reads right to left: as four in five of its letters do (but Latin lines
    set flush right on a right-to-left page read as they were laid out), else as the page (or
    the column it is part of) does. A line alone is no guide: one holding only a Latin name
    still belongs to its right-to-left paragraph."""
    right = sum(1 for g in glyphs if g.kind == "R")
    left = sum(1 for g in glyphs if g.kind == "L")
    if right + left and right >= 0.8 * (right + left):
        return True
    if right + left and left >= 0.8 * (right + left):
        # Latin on a right-to-left page, set flush right and ragged left: a Latin name wrapped
        # in a right-to-left line (the footer's practice), read as it was laid out.
        return rtl and _flush_right(glyphs)
    return rtl


def _flush_right(glyphs: list[Glyph]) -> bool:
    """Whether the glyphs' lines (two or more) end at one right edge and start at different
    left ones."""
    bands = _bands(glyphs)
    if len(bands) < 2:
        return False
    lefts = [min(g.left for g in band) for band in bands]
    rights = [max(g.right for g in band) for band in bands]
    return max(rights) - min(rights) < 1 and max(lefts) - min(lefts) > 3


def _block(occupied: list[list[tuple[float, float]]], gaps: list[float], index: int):
    """(end, spans): the bands from `index` to `end` that are read as one block, and the
    stretches of x their glyphs cover. A run of bands whose glyphs together leave an empty
    vertical strip is a block of columns: two columns of text, a colophon beside a QR code's
    caption, a footer's parts. One band with such a strip, or three bands or more, make it one:
    two lone lines, one to the right and one to the left below it, are read top to bottom."""
    gap, spans = gaps[index], occupied[index]
    split = len(spans) > 1
    end = index + 1
    while end < len(occupied):
        wider = _joined(spans, occupied[end], gap)
        if len(wider) < 2:
            break
        spans, end, split = wider, end + 1, split or len(occupied[end]) > 1
    if not (split or end - index >= 3):
        return index + 1, occupied[index]
    return end, spans


def _columns(block: list[Glyph], spans: list[tuple[float, float]]) -> list[list[Glyph]]:
    """The glyphs of a block cut into columns at the middle of each empty strip, left to right."""
    cuts = sorted((spans[k][1] + spans[k + 1][0]) / 2 for k in range(len(spans) - 1))
    columns: list[list[Glyph]] = [[] for _ in range(len(cuts) + 1)]
    for glyph in block:
        columns[sum(1 for cut in cuts if glyph.middle[0] > cut)].append(glyph)
    return columns


def reading_order(glyphs: list[Glyph], rtl: bool) -> list[list[Glyph]]:
    """The lines, in the order a reader reads them, each in logical order; `rtl` the
    direction of the page (or of the column these glyphs are)."""
    lines: list[list[Glyph]] = []
    bands = _bands(glyphs)
    gaps = [COLUMN_GAP * _line_height(band) for band in bands]
    occupied = [_occupied(band, gap) for band, gap in zip(bands, gaps)]
    index = 0
    while index < len(bands):
        end, spans = _block(occupied, gaps, index)
        block = [glyph for band in bands[index:end] for glyph in band]
        if len(spans) > 1:
            columns = _columns(block, spans)
            for column in (reversed(columns) if rtl else columns):
                lines += reading_order(column, _direction(column, rtl))
        else:
            line = sorted(block, key=lambda g: g.middle[0])
            if rtl or any(g.kind in ("R", "AN") for g in line):
                items = _identifiers(line)
                # A line of right-to-left letters only reads right to left, also in a column that
                # does not (an Arabic footer under the Dutch column): read left to right, a number
                # at its end would come first.
                line_rtl = rtl or not any(g.kind == "L" for g in line)
                line = [g for item in reorder(items, [_kind(item) for item in items], line_rtl) for g in item]
            lines.append(line)
        index = end
    return lines


# A text number or code in the small print (000_2532fea382feb2f7, a web address with digits):
# our templates set it left to right as one isolated run (markup.templates.identifiers).
_IDENTIFIER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_./:#-]*[A-Za-z0-9])?")


def _identifiers(line: list[Glyph]) -> list[list[Glyph]]:
    """The glyphs of a line as items to reorder: one item for each run that is such an
    identifier with a digit and a letter or one of _/:# in it (its order is its own: the
    algorithm would turn "000_2532fe…" into "2532fe…_000"), one item for every other glyph."""
    items: list[list[Glyph]] = []
    run: list[Glyph] = []

    def flush():
        text = "".join(g.text for g in run)
        if (_IDENTIFIER.fullmatch(text) and any(c.isdigit() for c in text)
                and any(c.isalpha() or c in "_/:#" for c in text)):
            items.append(list(run))
        else:
            items.extend([g] for g in run)
        run.clear()

    for glyph in line:
        if len(glyph.text) == 1 and glyph.text.isascii() and (glyph.text.isalnum() or glyph.text in "_./:#-"):
            run.append(glyph)
        else:
            if run:
                flush()
            items.append([glyph])
    if run:
        flush()
    return items


def _kind(item: list[Glyph]) -> str:
    return "L" if len(item) > 1 else item[0].kind


@dataclass
class PageText:
    """One page's text as read: its lines in reading order, and every glyph with its box."""

    lines: list[str]
    glyphs: list[Glyph]


def read_page(page, rtl: bool) -> PageText:
    glyphs = page_glyphs(page)
    lines = ["".join(g.text for g in line) for line in reading_order(glyphs, rtl)]
    return PageText(lines, glyphs)


def read_pdf(pdf: bytes, rtl: bool, pages: range | None = None) -> list[PageText]:
    """The text of the PDF's pages (or of `pages`), each read in reading order."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        wanted = pages if pages is not None else range(len(document))
        out = []
        for number in wanted:
            page = document[number]
            try:
                out.append(read_page(page, rtl))
            finally:
                page.close()
        return out
    finally:
        document.close()


def stray_glyphs(glyphs: list[Glyph], areas: list[tuple[float, float, float, float]]) -> list[Glyph]:
    """The glyphs (letters, digits) whose middle lies in none of `areas` (x0, y0, x1, y1 in PDF
    points): text in the PDF that no visible box of the layout drew. A glyph may overhang its
    box by a third of its height (an Arabic kaf at the start of a line), or 2 pt."""
    rows: dict[int, list[tuple[float, float, float, float]]] = {}
    for area in areas:              # areas by the 20 pt rows of the page they reach into
        for row in range(int(area[1] // ROW) - 1, int(area[3] // ROW) + 2):
            rows.setdefault(row, []).append(area)
    out, last, last_row = [], (0.0, 0.0, -1.0, -1.0), None
    for glyph in glyphs:
        if not folded(glyph.text):
            continue
        x, y = glyph.middle
        slack = max(2.0, (glyph.top - glyph.bottom) / 3)
        row = int(y // ROW)
        # The area of the glyph before, in the same row, is tried first: it nearly always holds
        # the next glyph too (the same areas are tried, one of them sooner).
        if row == last_row and last[0] - slack <= x <= last[2] + slack and \
                last[1] - slack <= y <= last[3] + slack:
            continue
        for area in rows.get(row, ()):
            if area[0] - slack <= x <= area[2] + slack and area[1] - slack <= y <= area[3] + slack:
                last, last_row = area, row
                break
        else:
            out.append(glyph)
    return out


ROW = 20.0


def read_booklet(pdf: bytes, rtl: bool) -> list[PageText]:
    """The text of an imposed booklet (typeset.impose), page by page in reading order: each
    sheet side cut at its fold, each half read as the page the imposition put there."""
    from ..typeset.impose import saddle_stitch_order

    document = pypdfium2.PdfDocument(pdf)
    try:
        sides = saddle_stitch_order(2 * len(document), rtl)
        halves: dict[int, list[Glyph]] = {}
        for number in range(len(document)):
            page = document[number]
            try:
                fold = page.get_width() / 2
                for glyph in page_glyphs(page):
                    index = sides[number][0 if glyph.middle[0] < fold else 1]
                    halves.setdefault(index, []).append(glyph)
            finally:
                page.close()
        return [PageText(["".join(g.text for g in line) for line in reading_order(halves[index], rtl)],
                         halves[index]) for index in sorted(halves)]
    finally:
        document.close()
