"""Text in an SVG logo must be seen where it is: text placed outside the logo's box, hidden, or
where it cannot be placed from its attributes alone is refused.

WeasyPrint clips an SVG to its box, but writes every <text> into the PDF's text layer: words drawn
at x="-5000" are invisible on the page yet copied, searched and read aloud. Each text's anchor
(x, y through every transform above it) and an estimate of its extent (half an em a character)
must lie in the logo's box (its viewBox, else width and height); hidden text (display: none,
visibility: hidden, opacity or font-size 0, no fill) and text the check cannot place (inside
a nested <svg>, <symbol>, <pattern>, <mask>, <clipPath> or <marker>, on a <textPath>, or under a
transform it cannot read) are refused too. Lettering drawn as paths is not text and is fine.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from ..errors import Message

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_CONTAINERS = frozenset({"svg", "symbol", "pattern", "mask", "clipPath", "marker", "defs"})
_TEXT = frozenset({"text", "tspan", "textPath"})
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def parse_transform(value: str) -> Matrix | None:
    """An SVG transform list as one matrix; None when it cannot be read."""
    matrix = IDENTITY
    for name, args in re.findall(r"\s*,?\s*(\w+)\s*\(([^)]*)\)", value):
        numbers = [float(n) for n in re.findall(_NUMBER, args)]
        if name == "matrix" and len(numbers) == 6:
            step: Matrix = tuple(numbers)  # type: ignore[assignment]
        elif name == "translate" and len(numbers) in (1, 2):
            step = (1, 0, 0, 1, numbers[0], numbers[1] if len(numbers) == 2 else 0)
        elif name == "scale" and len(numbers) in (1, 2):
            step = (numbers[0], 0, 0, numbers[-1], 0, 0)
        elif name == "rotate" and len(numbers) in (1, 3):
            angle = math.radians(numbers[0])
            cx, cy = (numbers[1], numbers[2]) if len(numbers) == 3 else (0.0, 0.0)
            step = _multiply(_multiply((1, 0, 0, 1, cx, cy), (math.cos(angle), math.sin(angle),
                                                               -math.sin(angle), math.cos(angle), 0, 0)),
                             (1, 0, 0, 1, -cx, -cy))
        else:
            return None
        matrix = _multiply(matrix, step)
    if re.sub(r"[\s,]", "", re.sub(r"\w+\s*\([^)]*\)", "", value)):
        return None          # something that is not a transform function
    return matrix


def _box(root) -> tuple[float, float, float, float] | None:
    numbers = re.findall(_NUMBER, root.get("viewBox") or "")
    if len(numbers) == 4:
        x, y, width, height = map(float, numbers)
        return (x, y, x + width, y + height) if width > 0 and height > 0 else None
    sizes = [re.match(rf"\s*({_NUMBER})\s*(px)?\s*$", root.get(key) or "") for key in ("width", "height")]
    if all(sizes):
        return (0.0, 0.0, float(sizes[0].group(1)), float(sizes[1].group(1)))
    return None


def _style(el, name: str) -> str | None:
    """A presentation attribute or style property of `el` itself."""
    for declaration in (el.get("style") or "").split(";"):
        key, _, value = declaration.partition(":")
        if key.strip().lower() == name:
            return value.strip().lower()
    value = el.get(name)
    return value.strip().lower() if value is not None else None


def _hidden(el) -> bool:
    display, visibility = _style(el, "display"), _style(el, "visibility")
    if display == "none" or visibility in ("hidden", "collapse"):
        return True
    for name in ("opacity", "fill-opacity"):
        value = _style(el, name)
        if value is not None and re.fullmatch(r"0*\.?0*%?", value):
            return True
    return _style(el, "fill") in ("none", "transparent")


def _font_size(el) -> float:
    for node in [el] + list(el.iterancestors()):
        value = _style(node, "font-size")
        if value:
            match = re.match(rf"({_NUMBER})", value)
            if match:
                return float(match.group(1)) * (16 if value.endswith("em") else 1)
    return 16.0


def _inherited(el, name: str) -> list[float]:
    """x or y of a text element: its own, else the nearest text element's above it (a <tspan>
    without one goes on where its text is); 0 without any."""
    for node in [el] + list(el.iterancestors()):
        if isinstance(node.tag, str) and etree.QName(node).localname in _TEXT and _numbers(node.get(name)):
            return _numbers(node.get(name))
    return [0.0]


def _numbers(value: str | None) -> list[float]:
    return [float(n) for n in re.findall(_NUMBER, value or "")]


def text_problems(root, name: str) -> list[str]:
    """Why the text of an SVG logo (`root`, its parsed <svg>) is refused; [] when it is not."""
    texts = [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname in _TEXT]
    if not texts:
        return []
    box = _box(root)

    def refuse(why: str) -> str:
        return Message("svg_hidden_text", f"logo {name!r}: SVG text {why}; draw lettering as paths, "
                                          "or place the text inside the logo", why=why)

    problems = []
    for el in texts:
        text = " ".join("".join(el.itertext()).split())
        words = text[:40]
        chain = [el] + list(el.iterancestors())
        if any(_hidden(node) for node in chain) or _font_size(el) <= 0:
            problems.append(refuse(f"{words!r} is hidden"))
            continue
        if etree.QName(el).localname == "textPath" or any(
                etree.QName(node).localname in _CONTAINERS for node in chain[1:-1]) or box is None:
            problems.append(refuse(f"{words!r} cannot be placed by this check"))
            continue
        matrix = IDENTITY
        for node in reversed(chain):
            step = parse_transform(node.get("transform") or "")
            if step is None:
                problems.append(refuse(f"{words!r} is under a transform this check cannot read"))
                break
            matrix = _multiply(matrix, step)
        else:
            if not _inside(el, matrix, box, len(text)):
                problems.append(refuse(f"{words!r} lies outside the logo's box, where it is not "
                                       "seen but stays in the PDF's text"))
    return list(dict.fromkeys(problems))


def _inside(el, matrix: Matrix, box, characters: int) -> bool:
    """Whether the text's anchor and its estimated end (half an em a character) lie in `box`."""
    size = _font_size(el)
    xs, ys = _inherited(el, "x"), _inherited(el, "y")
    xs = [x + sum(_numbers(el.get("dx"))) for x in xs]
    ys = [y + sum(_numbers(el.get("dy"))) for y in ys]
    a, b, c, d, e, f = matrix
    left, top, right, bottom = box
    slack = size * max(abs(a), abs(d), 1e-9)     # an em around the box: rounding, descenders
    width = characters * size * 0.5
    anchor = next((value for node in [el] + list(el.iterancestors())
                   if (value := _style(node, "text-anchor"))), "start")
    spans = {"end": (-width, 0.0), "middle": (-width / 2, width / 2)}.get(anchor, (0.0, width))
    points = [(x + dx, y) for x in xs for y in ys for dx in spans]
    points += [(x, y - size) for x in xs for y in ys]
    for x, y in points:
        px, py = a * x + c * y + e, b * x + d * y + f
        if not (left - slack <= px <= right + slack and top - slack <= py <= bottom + slack):
            return False
    return True
