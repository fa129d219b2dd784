"""Whether the text on the laid-out pages can be read: WeasyPrint's boxes, walked in the order
WeasyPrint paints them (its stacking contexts, as weasyprint.draw does), before the PDF is
written.

Text is not seen when it is
- tiny: under 6 pt as drawn (its font size times any scaling transform);
- transparent: an opacity below 1 on it or a box around it, or a colour not fully opaque;
- too faint: contrast below 3:1 against the colour painted beneath it;
- hidden: outside the page's trim box, clipped by a box around it, or painted over by a later
  box (a background, an image) or by other text.
Text whose `visibility` is hidden, or that is not displayed, is not drawn at all: the word
check finds it missing.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

from ..typeset import engine  # noqa: F401  (imports WeasyPrint first: typeset/engine.py)
from weasyprint.formatting_structure import boxes
from weasyprint.stacking import StackingContext

from .fold import folded

PX_PER_PT = 4 / 3
MIN_PT = 6.0
MIN_CONTRAST = 3.0
COVERED = 0.2        # of a text's area another box may paint over before it counts as hidden
TOLERANCE = 1.5      # px: a glyph's overhang, rounding

Rect = tuple[float, float, float, float]   # x0, y0, x1, y1 in CSS px, y down


@dataclass
class Painted:
    """One thing painted: text, a background colour or an image, where (px) and how."""

    kind: str                      # "text", "fill", "image"
    rect: Rect
    box: object
    opacity: float = 1.0
    clip: Rect | None = None
    scale: float = 1.0
    rgba: tuple[float, float, float, float] | None = None   # a fill's colour


@dataclass
class Unseen:
    text: str
    why: str


@dataclass
class PageLook:
    """What of a page's text is seen, what is not and why; the areas (PDF points) of the text
    and images drawn, for the text layer's glyphs to be found in."""

    unseen: list[Unseen] = field(default_factory=list)
    areas: list[Rect] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)      # the alt texts of its images


def _transformed(matrix, rect: Rect) -> Rect:
    if matrix is None:
        return rect
    x0, y0, x1, y1 = rect
    points = [matrix.transform_point(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _intersection(a: Rect | None, b: Rect | None) -> Rect | None:
    if a is None or b is None:
        return b if a is None else a
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _area(rect: Rect) -> float:
    return max(0.0, rect[2] - rect[0]) * max(0.0, rect[3] - rect[1])


def _scale(matrix) -> float:
    if matrix is None:
        return 1.0
    return math.sqrt(abs(matrix.determinant))


_PAINTS_ITS_BACKGROUND = (boxes.BlockBox, boxes.MarginBox, boxes.InlineBlockBox, boxes.TableCellBox,
                          boxes.FlexContainerBox, boxes.GridContainerBox, boxes.ReplacedBox)


class _Painter:
    """Notes what weasyprint.draw.draw_stacking_context would paint, in its order."""

    def __init__(self):
        self.painted: list[Painted] = []

    def context(self, context, matrix, opacity: float, clip: Rect | None) -> None:
        box = context.box
        if box.is_absolutely_positioned() and box.style["clip"]:
            top, right, bottom, left = box.style["clip"]
            top, right = (0 if top == "auto" else top), (0 if right == "auto" else right)
            bottom = box.border_height() if bottom == "auto" else bottom
            left = box.border_width() if left == "auto" else left
            x, y = box.border_box_x() + right, box.border_box_y() + top
            clip = _intersection(clip, _transformed(matrix, (x, y, x + left - right, y + bottom - top)))
        opacity *= box.style["opacity"]
        if box.transformation_matrix:
            if not box.transformation_matrix.determinant:
                return      # flattened to nothing: not drawn
            matrix = box.transformation_matrix if matrix is None else box.transformation_matrix @ matrix
        if isinstance(box, _PAINTS_ITS_BACKGROUND):
            self.background(box, matrix, opacity, clip)
        if box.style["overflow"] != "visible" and not isinstance(box, boxes.PageBox):
            x, y = box.padding_box_x(), box.padding_box_y()
            clip = _intersection(clip, _transformed(matrix, (x, y, x + box.padding_width(),
                                                             y + box.padding_height())))
        for child in context.negative_z_contexts:
            self.context(child, matrix, opacity, clip)
        for block in context.block_level_boxes:
            self.background(block, matrix, opacity, clip)
        for child in context.float_contexts:
            self.context(child, matrix, opacity, clip)
        if isinstance(box, boxes.InlineBox):
            self.inline(box, matrix, opacity, clip)
        self.blocks({box: context.blocks_and_cells}, matrix, opacity, clip)
        for child in context.zero_z_contexts + context.positive_z_contexts:
            self.context(child, matrix, opacity, clip)

    def background(self, box, matrix, opacity: float, clip: Rect | None) -> None:
        background = getattr(box, "background", None)
        if background is None:
            return
        for layer in background.layers:
            if layer.image is not None:
                x, y, w, h = layer.painting_area
                self.painted.append(Painted("image", _transformed(matrix, (x, y, x + w, y + h)),
                                            box, opacity, clip))
        color = background.color
        if color is not None and color.alpha > 0 and background.layers:
            x, y, w, h = background.layers[-1].painting_area
            red, green, blue = color.to("srgb").coordinates
            self.painted.append(Painted("fill", _transformed(matrix, (x, y, x + w, y + h)), box,
                                        opacity, clip, rgba=(red, green, blue, color.alpha)))

    def blocks(self, blocks_and_cells: dict, matrix, opacity: float, clip: Rect | None) -> None:
        for block, children in blocks_and_cells.items():
            if isinstance(block, boxes.ReplacedBox):
                self.replaced(block, matrix, opacity, clip)
            elif block.children and isinstance(block.children[-1], boxes.LineBox):
                for child in block.children:
                    self.inline(child, matrix, opacity, clip)
            self.blocks(children, matrix, opacity, clip)

    def replaced(self, box, matrix, opacity: float, clip: Rect | None) -> None:
        if box.style["visibility"] != "visible" or not box.width or not box.height:
            return
        x, y = box.content_box_x(), box.content_box_y()
        self.painted.append(Painted("image", _transformed(matrix, (x, y, x + box.width, y + box.height)),
                                    box, opacity, clip))

    def inline(self, box, matrix, opacity: float, clip: Rect | None) -> None:
        if isinstance(box, StackingContext):
            self.context(box, matrix, opacity, clip)
            return
        self.background(box, matrix, opacity, clip)
        if isinstance(box, (boxes.InlineBox, boxes.LineBox)):
            for child in box.children:
                if isinstance(child, boxes.TextBox):
                    self.text(child, matrix, opacity, clip)
                else:
                    self.inline(child, matrix, opacity, clip)
        elif isinstance(box, boxes.InlineReplacedBox):
            self.replaced(box, matrix, opacity, clip)
        elif isinstance(box, boxes.TextBox):
            self.text(box, matrix, opacity, clip)

    def text(self, box, matrix, opacity: float, clip: Rect | None) -> None:
        if box.style["visibility"] != "visible" or not folded(box.text):
            return
        x, y = box.position_x, box.position_y
        self.painted.append(Painted("text", _transformed(matrix, (x, y, x + box.width, y + box.height)),
                                    box, opacity, clip, _scale(matrix)))


def _inside(rect: Rect, outer: Rect) -> bool:
    return (rect[0] >= outer[0] - TOLERANCE and rect[1] >= outer[1] - TOLERANCE
            and rect[2] <= outer[2] + TOLERANCE and rect[3] <= outer[3] + TOLERANCE)


def _contains(rect: Rect, point: tuple[float, float]) -> bool:
    return rect[0] <= point[0] <= rect[2] and rect[1] <= point[1] <= rect[3]


def _luminance(rgb) -> float:
    def channel(c: float) -> float:
        c = max(0.0, min(1.0, c))
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (r, g, b in 0..1)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def look_at_page(page) -> PageLook:
    """What of `page` (a laid-out weasyprint Page) a reader cannot see, and the areas drawn."""
    painter = _Painter()
    painter.context(StackingContext.from_page(page._page_box), None, 1.0, None)
    painted = painter.painted
    look = PageLook()
    for text, why in _judged(painted, (0.0, 0.0, page.width, page.height)):
        if why:
            look.unseen.append(Unseen(" ".join(text.box.text.split()), why))
        else:
            look.areas.append(_points(text.rect, page.height))
    look.areas += [_points(p.rect, page.height) for p in painted if p.kind == "image"]
    look.alts = [p.box.element.get("alt") or "" for p in painted if p.kind == "image"
                 and getattr(p.box, "element", None) is not None and p.box.element.tag == "img"]
    return look


def _judged(painted: list[Painted], trim: Rect):
    """(text, why it cannot be seen or "") for each text painted."""
    covers = [(index, p) for index, p in enumerate(painted) if p.kind == "image"
              or (p.kind == "fill" and p.rgba[3] >= 1 and p.opacity >= 1)]
    beneath = [(index, p) for index, p in enumerate(painted) if p.kind in ("fill", "image")]
    texts = [(index, p) for index, p in enumerate(painted) if p.kind == "text"]
    by_top = sorted(texts, key=lambda item: item[1].rect[1])
    tops = [item[1].rect[1] for item in by_top]
    tallest = max((p.rect[3] - p.rect[1] for _, p in texts), default=0.0)
    for index, text in texts:
        nearby = by_top[bisect.bisect_left(tops, text.rect[1] - tallest):
                        bisect.bisect_right(tops, text.rect[3])]
        yield text, (_size_or_colour(text) or _placement(text, trim)
                     or _covered(index, text, covers, nearby) or _faint(index, text, beneath))


def _points(rect: Rect, page_height: float) -> Rect:
    """A rectangle in CSS px (y down) as PDF points (y up), as WeasyPrint writes the page."""
    return (0.75 * rect[0], 0.75 * (page_height - rect[3]), 0.75 * rect[2], 0.75 * (page_height - rect[1]))


def _size_or_colour(text: Painted) -> str:
    size = text.box.style["font_size"] * text.scale / PX_PER_PT
    if size < MIN_PT:
        return f"tiny ({size:.1f} pt)"
    if text.opacity < 1 or text.box.style["color"].alpha < 1:
        return "transparent"
    return ""


def _placement(text: Painted, trim: Rect) -> str:
    if not _inside(text.rect, trim):
        return "outside the page"
    if text.clip is not None and not _inside(text.rect, text.clip):
        return "clipped"
    return ""


def _covered(index: int, text: Painted, covers, nearby) -> str:
    area = _area(text.rect)
    if not area:
        return "of no size"
    for later, other in covers:
        if later > index and _area(_intersection(text.rect, other.rect)) > COVERED * area:
            return "painted over by an image" if other.kind == "image" else "painted over by a box"
    for later, other in nearby:
        if later > index and _area(_intersection(text.rect, other.rect)) > 0.5 * area:
            covering = " ".join(other.box.text.split())
            return f"painted over by other text ('{covering[:40]}{'…' if len(covering) > 40 else ''}')"
    return ""


def _faint(index: int, text: Painted, beneath) -> str:
    middle = ((text.rect[0] + text.rect[2]) / 2, (text.rect[1] + text.rect[3]) / 2)
    under = (1.0, 1.0, 1.0)          # the paper
    for earlier, other in reversed(beneath):
        if earlier < index and _contains(other.rect, middle):
            if other.kind == "image":
                return ""            # over a picture: its colours are not known here
            red, green, blue, alpha = other.rgba
            alpha *= other.opacity
            under = tuple(alpha * c + (1 - alpha) * 1.0 for c in (red, green, blue))
            break
    ratio = contrast(text.box.style["color"].to("srgb").coordinates, under)
    return f"too faint (contrast {ratio:.1f}:1)" if ratio < MIN_CONTRAST else ""
