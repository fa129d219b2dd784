"""The QR code on a leaflet: to the practice's online copy of the leaflet (profile `qr_url`, a
pattern with {leaflet}, {lang} and {variant}) or else to its `website`; none without either.

segno draws it as SVG, embedded as a data: URI: the sandboxed fetcher serves data: URLs, and
the HTML beside the PDF stays one self-contained file.
"""

from __future__ import annotations

from urllib.parse import quote


from .model import Practice


def qr_target(practice: Practice, leaflet: str, lang: str, variant: str) -> str:
    """The URL the QR code links to, or "" for none."""
    if practice.qr_url:
        url = practice.qr_url
        for key, value in (("leaflet", leaflet), ("lang", lang), ("variant", variant)):
            url = url.replace("{" + key + "}", quote(value, safe=""))
        return url
    return practice.website


def qr_svg_data_uri(url: str) -> str:
    import segno

    # Error correction M (15 %): robust against a smudge or a fold, still a small code.
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return code.svg_data_uri(scale=4, border=4, dark="#000000", light="#ffffff",
                             xmldecl=False, svgns=True, nl=False)


def qr_context(practice: Practice, leaflet: str, lang: str, variant: str) -> dict:
    """Template context for blocks/qr.html.j2: {"qr": {...}} or {"qr": None}."""
    url = qr_target(practice, leaflet, lang, variant)
    if not url:
        return {"qr": None}
    label = url.removeprefix("https://").removeprefix("http://").rstrip("/")
    return {"qr": {"url": url, "label": label, "src": qr_svg_data_uri(url)}}
