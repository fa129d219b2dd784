"""The QR code on a leaflet: to the practice's online copy of the leaflet (profile `qr_url`, a
pattern with {leaflet}, {lang} and {variant}) or else to its `website`; none without either.

segno draws it as a PNG embedded as a data: URI (the sandboxed fetcher serves data: URLs, and the
HTML copy stays one self-contained file), ten pixels a module so that a module stays a sharp square
in viewers that smooth images (with `image-rendering: pixelated`, /Interpolate false). An SVG path
was slower to parse (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

import segno

from ..inputs.model import Practice


def qr_target(practice: Practice, leaflet: str, lang: str, variant: str) -> str:
    """The URL the QR code links to, or "" for none."""
    if practice.qr_url:
        url = practice.qr_url
        for key, value in (("leaflet", leaflet), ("lang", lang), ("variant", variant)):
            url = url.replace("{" + key + "}", quote(value, safe=""))
        return url
    return practice.website


@lru_cache(maxsize=256)
def qr_png_data_uri(url: str) -> str:
    """The code for `url` as a data: URI. Cached: without a `qr_url` pattern every leaflet and
    language of a practice carries the same code (its website), and WeasyPrint's image cache,
    keyed by the URI, then decodes it once per process too."""
    # Error correction M (15 %): robust against a smudge or a fold, still a small code.
    # The quiet zone of 4 modules is the standard's; the PNG is black on white, 1 bit deep.
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return code.png_data_uri(scale=10, border=4, dark="#000000", light="#ffffff")


def qr_context(practice: Practice, leaflet: str, lang: str, variant: str) -> dict:
    """Template context for blocks/qr.html.j2: {"qr": {...}} or {"qr": None}."""
    url = qr_target(practice, leaflet, lang, variant)
    if not url:
        return {"qr": None}
    label = url.removeprefix("https://").removeprefix("http://").rstrip("/")
    return {"qr": {"url": url, "label": label, "src": qr_png_data_uri(url)}}
