"""WCAG 2 contrast, and darkening a practice colour until text on it (or it on white) is legible."""

from __future__ import annotations

import colorsys
import re

HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_NORMAL = 4.5


def parse_hex(color: str) -> tuple[int, int, int]:
    if not HEX_RE.match(color):
        raise ValueError(f"{color!r} is not a #rrggbb colour")
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def to_hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def relative_luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in parse_hex(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def mix(color: str, other: str, amount: float) -> str:
    """`amount` of `color` mixed into `other` (amount 0.1 = a light tint on white)."""
    c, o = parse_hex(color), parse_hex(other)
    return to_hex(tuple(o[i] + (c[i] - o[i]) * amount for i in range(3)))


def darken_until(color: str, backgrounds: list[str], ratio: float = AA_NORMAL) -> str:
    """The colour, darkened in HLS lightness only as far as needed to reach `ratio` on every background."""
    if all(contrast_ratio(color, bg) >= ratio for bg in backgrounds):
        return color.lower()
    r, g, b = (c / 255 for c in parse_hex(color))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    while lightness > 0:
        lightness = max(0.0, lightness - 0.01)
        candidate = to_hex(tuple(c * 255 for c in colorsys.hls_to_rgb(h, lightness, s)))
        if all(contrast_ratio(candidate, bg) >= ratio for bg in backgrounds):
            return candidate
    return "#000000"
