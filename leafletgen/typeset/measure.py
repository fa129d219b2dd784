"""What a laid-out leaflet looks like, read from WeasyPrint's own layout (its pages and boxes).

`measure(document)` walks the boxes of a `weasyprint.Document` once and returns plain facts: how
full each page is, words broken at a line end, headings and key messages that leave a word
alone on their last line, the logo's size, the footer's lines, characters a line of body text.
Copy-fitting (fit.py), `generate.py check` and the tests read these facts; nobody looks at
pixels.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from . import engine  # noqa: F401  (imports WeasyPrint first: engine.py)
from weasyprint.formatting_structure import boxes

PX_PER_MM = 96 / 25.4
PX_PER_PT = 96 / 72
HEADING_TAGS = {"h1", "h2", "h3"}


@dataclass(frozen=True)
class PageFacts:
    fill: float          # share of the page's text area down to its last line (0–1)
    text_height_mm: float


@dataclass(frozen=True)
class BlockPlace:
    """Where a block starts: a child of <main> or an item of a list in it, named by a CSS
    selector ("main > :nth-child(4) > :nth-child(2)"); page (0-based) and the share of the
    page's text area above it; whether it is a heading and whether a page break may go before
    it (not right after a heading or a list's lead-in, not inside the first or last two items
    of a list)."""

    selector: str
    page: int
    top: float
    heading: bool
    may_break_before: bool


@dataclass
class LayoutReport:
    pages: list[PageFacts] = field(default_factory=list)
    broken_words: list[str] = field(default_factory=list)   # hyphenated at a line end: "achterha-len"
    # … of them, those in a heading, the key message, the colophon or the footer (never wanted)
    broken_display: list[str] = field(default_factory=list)
    lone_words: list[str] = field(default_factory=list)     # "…vanzelf / over": the block's text
    # Lines of body text broken early: the next line's first word would have fit ("devez / continuer")
    early_breaks: list[str] = field(default_factory=list)
    logo_mm: tuple[float, float] | None = None               # the logo's box, width × height
    footer_lines: int = 0                     # the most lines a box of the page footer has
    dangling: bool = False              # a line of the header or the footer ends in its "·"
    line_chars: list[int] = field(default_factory=list)      # characters of each full line of body text
    text_lines: int = 0                                      # lines of text in the page area
    lines: list[str] = field(default_factory=list)           # every line as set, footers included
    blocks: list[BlockPlace] = field(default_factory=list)   # where blocks and list items start
    # Headings and key messages with a word alone on their last line whose last two words would
    # fit on one line of their column (their text, as in `lone_words`).
    bindable: list[str] = field(default_factory=list)
    # Where the end of the leaflet (colophon and QR code) starts: page (0-based) and share above it.
    end_matter: tuple[int, float] | None = None

    @property
    def end_matter_alone(self) -> bool:
        """Whether the last page holds only the small print, none of the leaflet's text."""
        return self.end_matter is not None and len(self.pages) > 1 and \
            self.end_matter[0] == len(self.pages) - 1 and self.end_matter[1] < 0.02
    body_pt: float = 0.0

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def fills(self) -> list[float]:
        return [page.fill for page in self.pages]

    @property
    def median_line_chars(self) -> float:
        return statistics.median(self.line_chars) if self.line_chars else 0.0

    @property
    def largest_gap(self) -> float:
        """The largest empty share at the foot of a page that is not the last."""
        return max((1 - page.fill for page in self.pages[:-1]), default=0.0)

    @property
    def content_pages(self) -> float:
        """How many pages of text there are: whole pages before the last, plus its fill."""
        return len(self.pages) - 1 + self.pages[-1].fill if self.pages else 0.0


def _tag(box) -> str:
    element = getattr(box, "element", None)
    if element is None or not isinstance(element.tag, str):
        return ""
    return element.tag.rsplit("}", 1)[-1]


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def _line_text(line) -> str:
    parts = []

    def walk(box):
        if isinstance(box, boxes.TextBox) and box.style["font_size"]:   # not text set at 0 pt
            parts.append(box.text)
        for child in getattr(box, "children", None) or ():
            walk(child)

    walk(line)
    return "".join(parts)


def _element_text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _ink_bottom(box) -> float:
    """The bottom of what is drawn of `box`: its lines, pictures, and backgrounds or borders."""
    if isinstance(box, boxes.LineBox):
        return box.position_y + box.height
    if isinstance(box, boxes.ReplacedBox):
        return box.border_box_y() + box.border_height()
    bottom = 0.0
    style = box.style
    painted = (style["background_color"].alpha > 0 and _tag(box) not in ("html", "body")) or \
        (box.border_bottom_width or 0) > 0
    if painted and box.height is not None:
        bottom = box.border_box_y() + box.border_height()
    elif (box.border_top_width or 0) > 0:
        bottom = box.border_box_y() + (box.border_top_width or 0)
    for child in getattr(box, "children", None) or ():
        bottom = max(bottom, _ink_bottom(child))
    return bottom


def measure(document) -> LayoutReport:
    """The facts of a laid-out `weasyprint.Document` (see LayoutReport)."""
    facts = LayoutReport()
    root_style = None
    # Lines of each block that holds text, in order over all pages: block element → lines.
    blocks: dict = {}
    main_children: dict | None = None
    seen: set = set()
    for number, page in enumerate(document.pages):
        page_box = page._page_box
        top, height = page_box.content_box_y(), page_box.height
        bottom = top
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                _margin_lines(child, facts)
                continue
            if root_style is None:
                root_style = child.style
                main_children = _main_children(child)
            bottom = max(bottom, _ink_bottom(child))
            _collect(child, blocks, facts)
            if main_children:
                _places(child, main_children, seen, facts, number, top, height)
        _end_matter_share(facts, number, top, height)
        facts.pages.append(PageFacts(round(max(0.0, bottom - top) / height, 4),
                                     round(height / PX_PER_MM, 1)))
    if root_style is not None:
        facts.body_pt = round(root_style["font_size"] / PX_PER_PT, 2)
    for element, (kind, all_lines) in blocks.items():
        _block_facts(facts, element, kind, all_lines)
    return facts


def _end_matter_share(facts: LayoutReport, number: int, top: float, height: float) -> None:
    """The end block's place, found on this page in pixels, as a share of the page's height."""
    if facts.end_matter is not None and facts.end_matter[0] == number and facts.end_matter[1] > 1.5:
        facts.end_matter = (number, round((facts.end_matter[1] - top) / height, 4))


def _block_facts(facts: LayoutReport, element, kind: str, all_lines) -> None:
    """One block's lines: their count and length, a word alone on a heading's last line, words
    broken at a line end."""
    lines, texts = [], []
    for line, width in all_lines:
        text = _line_text(line).strip()
        if text:
            lines.append((line, width))
            texts.append(text)
    facts.text_lines += len(texts)
    facts.lines += texts
    if kind == "body" and len(texts) > 1:
        facts.line_chars += [len(text) for text in texts[:-1]]
        facts.early_breaks += _early_breaks(lines, texts)
    if kind == "display" and len(texts) > 1 and len(texts[-1].split()) == 1:
        facts.lone_words.append(_element_text(element))
        if _room_for_two(lines, texts):
            facts.bindable.append(_element_text(element))
    broken = _broken(texts, _element_text(element))
    facts.broken_words += broken
    if kind != "body":
        facts.broken_display += broken
    if kind == "small":
        facts.dangling |= any(_ends_in_separator(text) for text in texts)


def _ends_in_separator(text: str) -> bool:     # "Telefoon 033 456 78 90 ·" / "balie@…": a stray mark
    return text.rstrip(" \u2066\u2067\u2068\u2069").endswith("·")


def _margin_lines(margin_box, facts: LayoutReport) -> None:
    """The lines of text in a margin box (the running footer): their texts, how many, and
    whether one ends in a separator ("… 033 456 78 90 ·" / "fysio-hetplein.example")."""
    tops: set[int] = set()   # a table row's cells put their lines side by side: count rows

    def walk(box):
        if isinstance(box, boxes.LineBox):
            text = _line_text(box).strip()
            if text:
                tops.add(round(box.position_y))
                facts.lines.append(text)
                facts.dangling |= _ends_in_separator(text)
            return
        for child in getattr(box, "children", None) or ():
            walk(child)

    walk(margin_box)
    if margin_box.at_keyword.startswith("@bottom"):      # the footer's, not the draft mark's
        facts.footer_lines = max(facts.footer_lines, len(tops))


def _collect(box, blocks: dict, facts: LayoutReport, kind: str = "", width: float = 0.0) -> None:
    """Gather the line boxes of every block of text, and the logo's size."""
    tag, classes = _tag(box), _classes(box)
    if "end-matter" in classes and facts.end_matter is None and box.position_y is not None:
        facts.end_matter = (len(facts.pages), box.position_y)    # made relative in measure()
    if isinstance(box, boxes.ReplacedBox) and "logo" in classes:
        facts.logo_mm = (round(box.width / PX_PER_MM, 1), round(box.height / PX_PER_MM, 1))
    if tag in HEADING_TAGS or classes & {"callout", "practice-name"}:
        kind = "display"
    elif tag in ("footer", "aside", "header"):
        kind = kind or "small"
    elif tag in ("p", "li") and not kind:
        kind = "body"
    if isinstance(box, boxes.LineBox):
        element = _block_element(box)
        if element is not None:
            blocks.setdefault(element, (kind or "body", []))[1].append((box, width))
        return
    if isinstance(box, boxes.BlockContainerBox) and box.width is not None:
        width = box.width
    for child in getattr(box, "children", None) or ():
        _collect(child, blocks, facts, kind, width)


def _block_element(line):
    """The element a line box belongs to: its parent block's (lines keep `element` of it)."""
    return getattr(line, "element", None)


_WORD_END = re.compile(r"(\S+)$")
_WORD_START = re.compile(r"^(\S+)")


def _broken(lines: list[str], text: str) -> list[str]:
    """Words hyphenated across two lines: the line ends in "-" but the text has the word whole
    ("achterha-" + "len." where the text says "achterhalen."). A real hyphen ("hart- en",
    "core-stability") is in the text as it stands and is not counted."""
    broken = []
    for first, second in zip(lines, lines[1:]):
        if not first.endswith("-"):
            continue
        head, tail = _WORD_END.search(first), _WORD_START.search(second)
        if not head or not tail:
            continue
        joined = head.group(1)[:-1] + tail.group(1)
        if joined in text and f"{head.group(1)}{tail.group(1)}" not in text \
                and f"{head.group(1)} {tail.group(1)}" not in text:
            broken.append(f"{head.group(1)}{tail.group(1)}".strip(".,:;!?()"))
    return broken


def _find_main(box):
    if _tag(box) == "main":
        return box.element
    for child in getattr(box, "children", None) or ():
        found = _find_main(child)
        if found is not None:
            return found
    return None


def _classes_of(element) -> set[str]:
    return set((element.get("class") or "").split()) if element is not None else set()


def _main_children(root_box) -> dict | None:
    """The places a page may break before: <main>'s child elements and the items of its lists,
    each → (selector, heading, may a break go before it)."""
    main = _find_main(root_box)
    if main is None:
        return None
    body = next((element for element in root_box.element if _element_tag(element) == "body"), None)
    stacked = "stacked" in _classes_of(body)
    places: dict = {}
    children = [c for c in main if isinstance(c.tag, str)]
    previous = None
    for number, child in enumerate(children, start=1):
        classes = _classes_of(child)
        heading = _element_tag(child) in HEADING_TAGS or "pair-heading" in classes
        after_heading = previous is not None and (
            _element_tag(previous) in HEADING_TAGS
            or bool(_classes_of(previous) & {"lead-in", "pair-heading", "pair-lead-in", "pair-title",
                                             "pair-labels"}))
        selector = f"main > :nth-child({number})"
        places[child] = (selector, heading, not after_heading)
        if _element_tag(child) in ("ul", "ol"):
            _item_places(places, child, selector)
        elif stacked and "pair" in classes:
            _pair_places(places, child, selector, classes)
        previous = child
    return places


def _pair_places(places: dict, pair, selector: str, classes: set[str]) -> None:
    """Bilingual, one after the other: the Dutch half of a pair may start a page (not a heading's:
    a heading stays with its Dutch), and so may an item of either list."""
    sides = [side for side in pair if isinstance(side.tag, str)]
    for position, side in enumerate(sides, start=1):
        side_selector = f"{selector} > :nth-child({position})"
        if position > 1:
            places[side] = (side_selector, False, not classes & {"pair-heading", "pair-title", "pair-labels"})
        children = [c for c in side if isinstance(c.tag, str)]
        for index, list_ in enumerate(children, start=1):
            if _element_tag(list_) in ("ul", "ol"):
                _item_places(places, list_, f"{side_selector} > :nth-child({index})")


def _item_places(places: dict, list_, selector: str) -> None:
    """A list's items as places: never before the first, and two kept together at either end."""
    items = [item for item in list_ if isinstance(item.tag, str)]
    for position, item in enumerate(items, start=1):
        places[item] = (f"{selector} > :nth-child({position})", False, 3 <= position <= len(items) - 1)


def _places(box, places: dict, seen: set, facts: LayoutReport, page: int, top: float,
            height: float) -> None:
    """Record where each place starts (its first box, on the first page it is on)."""
    element = getattr(box, "element", None)
    place = places.get(element) if element is not None else None
    if place is not None and element not in seen and box.position_y is not None:
        seen.add(element)
        selector, heading, allowed = place
        facts.blocks.append(BlockPlace(selector, page, round((box.position_y - top) / height, 4),
                                       heading, allowed))
    for child in getattr(box, "children", None) or ():
        _places(child, places, seen, facts, page, top, height)


def _element_tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _line_width(line) -> float:
    """The width the line's content takes (not the width available to it)."""
    right = line.position_x
    for child in line.children:
        right = max(right, child.position_x + child.margin_width())
    return right - line.position_x


def _early_breaks(lines: list, texts: list[str]) -> list[str]:
    """Lines that end although the next line's first word (and a space) would have fit on them,
    with room to spare: "devez / continuer"."""
    found = []
    for (line, width), text, (after, _), following in zip(lines, texts, lines[1:], texts[1:]):
        word = following.split()[0]
        per_char = _line_width(after) / max(1, len(following))
        if width and not text.endswith("-") and \
                _line_width(line) + per_char * (len(word) + 1) <= 0.95 * width:
            found.append(f"{text} / {word}")
    return found


def _room_for_two(lines: list, texts: list[str]) -> bool:
    """Whether the word before a lone last word would fit beside it on the last line."""
    if len(lines) < 2 or len(texts) < 2:
        return False
    (last, width), (before, _) = lines[-1], lines[-2]
    words = texts[-2].split()
    if not words or not width:
        return False
    word = _line_width(before) * (len(words[-1]) + 1) / len(texts[-2])
    return _line_width(last) + word <= 0.97 * width
