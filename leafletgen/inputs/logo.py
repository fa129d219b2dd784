"""Check a logo, or a leaflet's picture, by its content, not its name: PNG, JPEG or a
self-contained SVG, within limits."""

from __future__ import annotations

import base64
import binascii
import io
import math
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_to_bytes

import tinycss2
from lxml import etree
from PIL import Image, ImageChops

from ..errors import Message, Problem
from .files import InputFileError, relative_parts
from .svg_text import text_problems

LOGO_MAX_BYTES = 2 * 1024 * 1024
SVG_MAX_ELEMENTS = 5_000             # and at most 255 deep (the XML parser's own limit)
LOGO_MAX_PIXELS = 16_000_000          # 4000 × 4000; a decompression bomb is refused, not rendered
SVG_NS = "{http://www.w3.org/2000/svg}"
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


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


@lru_cache(maxsize=64)
def checked_logo(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """`logo_problems`, kept per process by the picture's bytes (a worker renders a practice's
    logo and a leaflet's pictures into every document)."""
    mime, problems = logo_problems(data, name)
    return mime, tuple(problems)


def logo_problems(data: bytes, name: str) -> tuple[str, list[str]]:
    """(mime type, problems). The type comes from the bytes; the file name is only for messages."""
    mime = sniff(data)
    if not mime:
        return "", [Message("logo_not_image", f"logo {name!r} is not a PNG, JPEG or SVG image (judged by its content)")]
    if mime == "image/svg+xml":
        return mime, svg_problems(data, name)
    return mime, raster_problems(data, name)


def raster_problems(data: bytes, name: str) -> list[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > LOGO_MAX_PIXELS:
                    return [Message("logo_too_many_pixels", f"logo {name!r} is {width}×{height} pixels; the limit is "
                                    f"{LOGO_MAX_PIXELS:,} pixels (e.g. 4000×4000)", width=width, height=height)]
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return [Message("logo_too_many_pixels", f"logo {name!r} is too large in pixels (decompression bomb refused)")]
    except Image.UnidentifiedImageError:
        return [Message("logo_broken", f"logo {name!r} is a broken image file (its header says PNG/JPEG but it "
                                      "cannot be decoded)")]
    except Exception as exc:  # Pillow raises many types for broken files
        reason = re.sub(r" at 0x[0-9a-fA-F]+", "", str(exc))[:120]
        return [Message("logo_broken", f"logo {name!r} is a broken image file ({reason}); save it again "
                                      "from the original")]
    return []


# Scripts and embedded documents; and animation, which changes attributes when the picture is
# shown (`<set attributeName="href" to="javascript:…">`), past a check of them as written.
_REFUSED_ELEMENTS = frozenset({"script", "foreignObject", "iframe", "embed", "object", "audio", "video",
                               "set", "animate", "animateMotion", "animateTransform", "animateColor",
                               "discard"})


def svg_problems(data: bytes, name: str, depth: int = 0) -> list[str]:
    """An SVG logo must be self-contained: no DTD/entities, no scripts, no external references.

    References are looked for wherever SVG can hold one: href attributes, url(...) in any
    attribute (fill, filter, mask, ...), in style attributes and <style> sheets (parsed as CSS,
    so escapes such as `u\\72l(` do not hide one), @import, processing instructions such as
    <?xml-stylesheet?>. Embedded data:image/... pictures are checked like a logo of their own
    (pixel limit included: a decompression bomb cannot hide inside an SVG).
    """

    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.IGNORECASE):
        return [Message("svg_not_allowed", f"logo {name!r}: SVG with a DOCTYPE or ENTITY declaration is refused")]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, dtd_validation=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [Message("svg_invalid", f"logo {name!r} is not a valid SVG file ({exc})")]
    if root.tag != f"{SVG_NS}svg" and root.tag != "svg":
        return [Message("svg_invalid", f"logo {name!r} is not an SVG image (root element "
                                      f"<{etree.QName(root).localname}>)")]
    problems: list[str] = []
    nodes = list(root.itersiblings(preceding=True)) + list(root.iter()) + \
        list(root.itersiblings())
    if len(nodes) > SVG_MAX_ELEMENTS:
        # Each element costs render time: 60,000 rectangles take WeasyPrint 20 s per document.
        return [Message("svg_too_complex", f"logo {name!r}: SVG has {len(nodes):,} elements; the limit is "
                                          f"{SVG_MAX_ELEMENTS:,} (simplify it, or use a PNG)")]
    for el in nodes:
        if isinstance(el, etree._ProcessingInstruction):
            problems.append(Message("svg_not_allowed", f"logo {name!r}: SVG processing instruction "
                                                       f"<?{el.target} ...?> is not allowed"))
            continue
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        if local in _REFUSED_ELEMENTS:
            problems.append(Message("svg_not_allowed", f"logo {name!r}: SVG <{local}> is not allowed (a logo is "
                                                       "printed: no scripts, embedded documents or animation)"))
        for attr, value in el.attrib.items():
            attr_local = etree.QName(attr).localname
            if attr_local.lower().startswith("on"):
                problems.append(Message("svg_not_allowed", f"logo {name!r}: SVG event attribute {attr_local!r} "
                                                           "is not allowed"))
            elif attr_local == "href" or attr == "{http://www.w3.org/XML/1998/namespace}base":
                problems += _reference_problems(value, name, depth)
            elif attr_local == "style":
                problems += _css_problems(value, name, depth, declarations=True)
            elif "url" in value.lower() or "\\" in value:
                problems += _css_problems(value, name, depth, declarations=False)
        if local == "style":
            problems += _css_problems("".join(el.itertext()), name, depth, declarations=False,
                                      sheet=True)
    problems += text_problems(root, name)     # text that is not seen where it is
    return list(dict.fromkeys(problems))


_MAX_EMBED_DEPTH = 3


def _reference_problems(href: str, name: str, depth: int) -> list[str]:
    """A reference inside an SVG: a local #fragment, or an embedded data:image/... checked itself."""
    href = href.strip()
    if not href or href.startswith("#"):
        return []
    if href[:11].lower() == "data:image/":
        return _embedded_problems(href, name, depth)
    return [Message("svg_not_self_contained", f"logo {name!r}: SVG refers to {href[:80]!r}; a logo must be "
                                                 "self-contained (embed images as data:image/...)")]


def _embedded_problems(url: str, name: str, depth: int) -> list[str]:
    if depth >= _MAX_EMBED_DEPTH:
        return [Message("svg_too_complex", f"logo {name!r}: images embedded more than {_MAX_EMBED_DEPTH} levels deep")]
    header, sep, payload = url.partition(",")
    if not sep:
        return [Message("svg_invalid", f"logo {name!r}: embedded image {url[:40]!r}… is not a valid data: URL")]
    try:
        if header.lower().endswith(";base64"):
            embedded = base64.b64decode("".join(payload.split()), validate=True)
        else:
            embedded = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return [Message("svg_invalid", f"logo {name!r}: embedded image is not valid base64")]
    inner = f"{name} (embedded image)"
    if len(embedded) > LOGO_MAX_BYTES:
        return [Message("logo_too_large", f"logo {inner!r} is {len(embedded):,} bytes; the limit is "
                                         f"{LOGO_MAX_BYTES:,} bytes", max_mb=LOGO_MAX_BYTES // (1024 * 1024))]
    mime = sniff(embedded)
    if not mime:
        return [Message("logo_not_image", f"logo {inner!r} is not a PNG, JPEG or SVG image (judged by its content)")]
    if mime == "image/svg+xml":
        return svg_problems(embedded, inner, depth + 1)
    return raster_problems(embedded, inner)


def _css_problems(css: str, name: str, depth: int, declarations: bool, sheet: bool = False) -> list[str]:
    """url(...) and @import in SVG styles, found by a CSS parser (escapes are decoded)."""

    if sheet:
        tokens = tinycss2.parse_stylesheet(css)
    elif declarations:
        tokens = tinycss2.parse_blocks_contents(css)
    else:
        tokens = tinycss2.parse_component_value_list(css)
    problems: list[str] = []

    def walk(nodes) -> None:
        for node in nodes or ():
            kind = getattr(node, "type", "")
            if kind == "at-rule" and node.lower_at_keyword in ("import", "font-face", "namespace"):
                problems.append(Message("svg_not_self_contained", f"logo {name!r}: SVG style @{node.lower_at_keyword} "
                                                                "is not allowed (a logo must be self-contained)"))
            elif kind == "url":
                problems.extend(_reference_problems(node.value, name, depth))
            elif kind == "function" and node.lower_name in ("url", "src", "image", "image-set",
                                                            "-webkit-image-set"):
                for arg in node.arguments:
                    if arg.type == "string":
                        problems.extend(_reference_problems(arg.value, name, depth))
            for attr in ("prelude", "content", "value", "arguments"):
                child = getattr(node, attr, None)
                if isinstance(child, list):
                    walk(child)

    walk(tokens)
    return problems


# ---- Size on the page: by visual area ------------------------------------------------------------
# A logo is sized by the area its picture covers, not by its height: a wide logo (600×200) at the
# height of a square one would be a third of its area and its lettering unreadable; at the same
# area it is as present as a square or tall one. Within a maximum width and height, and never
# below a legible height (then it may grow wider, up to half the text width).

@dataclass(frozen=True)
class LogoShape:
    """The logo's proportions: width / height, and the share of each the picture really covers
    (a PNG with empty or transparent margins looks smaller than its box)."""

    aspect: float = 1.0
    ink_width: float = 1.0
    ink_height: float = 1.0


@dataclass(frozen=True)
class LogoRules:
    area_mm2: float        # the area of the picture itself
    max_width_mm: float
    max_height_mm: float
    min_height_mm: float   # of the picture, so its lettering stays legible
    widest_mm: float       # the width a very wide logo may reach to keep that height


@lru_cache(maxsize=64)
def logo_shape(data: bytes, mime: str) -> LogoShape:
    """The proportions of a checked logo (SVG: its viewBox, or width and height)."""
    if mime == "image/svg+xml":
        return _svg_shape(data)
    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
        if not width or not height:
            return LogoShape()
        img.draft("RGB", (min(width, 800), min(height, 800)))   # JPEG: decode at a smaller scale
        small = img.convert("RGBA")
    small.thumbnail((800, 800))
    alpha = small.getchannel("A")
    if alpha.getextrema()[0] < 250:
        box = alpha.point(lambda a: 255 if a > 24 else 0).getbbox()
    else:
        # Opaque: what differs from the corner colour (a white or coloured background).
        corner = small.getpixel((0, 0))
        background = Image.new("RGBA", small.size, corner)
        difference = ImageChops.difference(small, background).convert("L")
        box = difference.point(lambda d: 255 if d > 24 else 0).getbbox()
    if not box:
        return LogoShape(width / height)
    ink_w, ink_h = (box[2] - box[0]) / small.width, (box[3] - box[1]) / small.height
    ink_w, ink_h = max(ink_w, 0.5), max(ink_h, 0.5)   # never blow up a nearly empty picture
    return LogoShape(width / height, ink_w, ink_h)


def _svg_shape(data: bytes) -> LogoShape:
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return LogoShape()
    numbers = re.findall(r"-?[\d.]+(?:e-?\d+)?", root.get("viewBox") or "")
    if len(numbers) == 4:
        try:
            width, height = float(numbers[2]), float(numbers[3])
        except ValueError:
            width = height = 0
        if width > 0 and height > 0:
            return LogoShape(width / height)
    sizes = [re.match(r"\s*([\d.]+)", root.get(key) or "") for key in ("width", "height")]
    if all(sizes):
        try:
            width, height = float(sizes[0].group(1)), float(sizes[1].group(1))
        except ValueError:
            return LogoShape()
        if width > 0 and height > 0:
            return LogoShape(width / height)
    return LogoShape()


def logo_box(shape: LogoShape, rules: LogoRules) -> tuple[float, float]:
    """(width, height) in mm of the logo's box on the page."""
    aspect = shape.aspect * shape.ink_width / shape.ink_height     # of the picture itself
    ink_w = math.sqrt(rules.area_mm2 * aspect)
    ink_h = ink_w / aspect
    width, height = ink_w / shape.ink_width, ink_h / shape.ink_height
    scale = min(1.0, rules.max_width_mm / width, rules.max_height_mm / height)
    width, height = width * scale, height * scale
    if height * shape.ink_height < rules.min_height_mm:
        grow = min(rules.min_height_mm / (height * shape.ink_height), rules.widest_mm / width)
        width, height = width * max(grow, 1.0), height * max(grow, 1.0)
    return round(width, 1), round(height, 1)


# ---- A leaflet's pictures ------------------------------------------------------------------------

def image_problems(blocks, read_image, file: str) -> list[Problem]:
    """An image must be a PNG, JPEG or SVG file (by its content) inside the leaflets folder,
    reached without a symbolic link (`read_image(src, limit)`: files.read_file's answer)."""
    problems = []
    for block in blocks:
        if block.kind != "image":
            continue
        if _SCHEME_RE.match(block.src):
            problems.append(Problem(file, f"image {block.src!r} must be a file in leaflets/, "
                                          "not an address", line=block.line))
            continue
        try:
            relative_parts(block.src)
            data = read_image(block.src, LOGO_MAX_BYTES)
        except InputFileError as exc:
            if exc.missing:
                message = f"image {block.src!r} not found in leaflets/"
            elif exc.kind == "outside":
                message = f"image {block.src!r} must be a file inside leaflets/"
            else:
                message = f"image {block.src!r} {exc.reason}"
            problems.append(Problem(file, message, line=block.line))
            continue
        if not sniff(data[:2048]):
            problems.append(Problem(file, f"image {block.src!r} is not a PNG, JPEG or SVG image "
                                          "(judged by its content)", line=block.line))
        else:
            # The same checks as a logo: pixel limit, broken files, a self-contained SVG.
            _, messages = checked_logo(data, block.src)
            problems += [Problem(file, "image" + message[len("logo"):] if message.startswith("logo ")
                                 else message, line=block.line) for message in messages]
    return problems
