"""Check a logo by its content, not its name: PNG, JPEG or a self-contained SVG, within limits."""

from __future__ import annotations

import io
import re
import warnings

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000          # 4000 × 4000; a decompression bomb is refused, not rendered
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def sniff(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--") \
            or head.startswith(b"<!DOCTYPE"):
        return "image/svg+xml"
    return ""


def logo_problems(data: bytes, name: str) -> tuple[str, list[str]]:
    """(mime type, problems). The type comes from the bytes; the file name is only for messages."""
    mime = sniff(data)
    if not mime:
        return "", [f"logo {name!r} is not a PNG, JPEG or SVG image (judged by its content)"]
    if mime == "image/svg+xml":
        return mime, svg_problems(data, name)
    return mime, raster_problems(data, name)


def raster_problems(data: bytes, name: str) -> list[str]:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > LOGO_MAX_PIXELS:
                    return [f"logo {name!r} is {width}×{height} pixels; the limit is "
                            f"{LOGO_MAX_PIXELS:,} pixels (e.g. 4000×4000)"]
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return [f"logo {name!r} is too large in pixels (decompression bomb refused)"]
    except Exception as exc:  # Pillow raises many types for broken files
        return [f"logo {name!r} is a broken image file ({type(exc).__name__}: {exc})"]
    return []


def svg_problems(data: bytes, name: str) -> list[str]:
    """An SVG logo must be self-contained: no DTD/entities, no scripts, no external references."""
    from lxml import etree

    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        return [f"logo {name!r}: SVG with a DOCTYPE or ENTITY declaration is refused"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, dtd_validation=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"logo {name!r} is not a valid SVG file ({exc})"]
    if root.tag != f"{SVG_NS}svg" and root.tag != "svg":
        return [f"logo {name!r} is not an SVG image (root element <{etree.QName(root).localname}>)"]
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local in ("script", "foreignObject"):
            problems.append(f"logo {name!r}: SVG <{local}> is not allowed")
        for attr in ("href", XLINK_HREF):
            href = (el.get(attr) or "").strip()
            if href and not href.startswith("#") and not href.startswith("data:image/"):
                problems.append(f"logo {name!r}: SVG refers to {href!r}; a logo must be "
                                "self-contained (embed images as data:image/...)")
        style = (el.get("style") or "") + (el.text or "" if local == "style" else "")
        if re.search(r"url\(\s*['\"]?(?!#|data:image/)", style) or "@import" in style:
            problems.append(f"logo {name!r}: SVG style refers to an outside resource")
    return problems
