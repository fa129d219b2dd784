"""HTML → PDF with WeasyPrint, sandboxed, tagged (PDF/UA-1) and reproducible.

Only the render path imports this module: a main job with nothing to rebuild never loads
WeasyPrint. One FontConfiguration is shared per process (WeasyPrint's own advice for batches).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..inputs.files import InputFileError, inside, read_file
from ..markup.inline import ALLOWED_LINK_SCHEMES

_FONT_CONFIG = None
# WeasyPrint's image cache, shared by a process's documents (the logo, a practice's QR code):
# keyed by URL, so a data: URI unique to one document (a QR code per leaflet and language) adds
# an entry for good. Emptied between documents once it holds IMAGE_CACHE_SIZE entries.
_CACHE: dict = {}
IMAGE_CACHE_SIZE = 512
# Parsed stylesheets, per process: (text, base URL, allowed roots) → (weasyprint.CSS, what parsing it
# logged, refused, too large). Parsing leaflet.css (and compiling its selectors) was a tenth of a
# document's time; a batch worker renders hundreds of documents with the same few stylesheets
# (one leaflet.css, one set of @font-face rules per font stack, and a practice's own leaflet.css;
# about 280 KiB each).
_STYLESHEETS: dict = {}
STYLESHEET_CACHE_SIZE = 32


@dataclass
class RenderResult:
    pdf: bytes
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)   # attachments and links kept out of the PDF
    too_large: list[str] = field(default_factory=list)


FETCH_MAX_BYTES = 16 * 1024 * 1024   # fonts are ~2 MB, logos ≤ 2 MB: nothing legitimate is near this


def make_fetcher(allowed_roots: tuple[Path, ...], refused: list[str], too_large: list[str] | None = None):
    """A URLFetcher serving only data: URLs and files inside `allowed_roots`.

    It must be a URLFetcher subclass (WeasyPrint 70 reads attributes of it); the default
    fetcher would read any local file and reach the network.
    """
    roots = tuple(root.resolve() for root in allowed_roots)

    class AssetFetcher(weasyprint.URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                # Judged by name, `..` collapsed; then opened below its root without following
                # a link (files.read_file): a link inside a root, to a file outside, is refused.
                path = Path(os.path.normpath(unquote(urlparse(url).path) or "/"))
                for root in roots:
                    if path == root and not root.is_dir():        # a root that is one file
                        base, relative = root.parent, root.name
                    else:
                        base, relative = root, inside(path, root)
                        if relative is None:
                            continue
                    try:
                        body = read_file(base, relative, FETCH_MAX_BYTES)
                    except InputFileError as exc:
                        if exc.kind == "too large":
                            if too_large is not None:
                                too_large.append(url[:200])
                            raise ValueError(f"refused to fetch {url[:200]!r}: larger than "
                                             f"{FETCH_MAX_BYTES // (1024 * 1024)} MB") from None
                        break
                    return weasyprint.urls.URLFetcherResponse(
                        path.as_uri(), body=body, headers={"Content-Type": _mime(path)})
            refused.append(url if len(url) < 200 else url[:200] + "…")
            raise ValueError(f"refused to fetch {url[:200]!r}: outside the project's asset folders")

    return AssetFetcher()


def _mime(path: Path) -> str:
    return {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg", ".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2",
            ".css": "text/css"}.get(path.suffix.lower(), "application/octet-stream")


# Fontconfig without the machine's fonts: no <dir>, no rules. A page gets only the fonts its
# @font-face rules add (the font packages'), so a practice's CSS that names an installed family
# ("DejaVu Sans", `serif`) reads no file outside the package and cannot make this machine's PDF
# differ from another's.
_NO_SYSTEM_FONTS = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    "<fontconfig></fontconfig>\n")


def font_config():
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = _without_system_fonts()
        atexit.register(cleanup_font_config)
    return _FONT_CONFIG


def _without_system_fonts() -> FontConfiguration:
    """A FontConfiguration whose fontconfig knows no font of the machine (FONTCONFIG_FILE is
    read once, when it is made)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="leafletgen-fontconfig-") as folder:
        conf = Path(folder) / "fonts.conf"
        conf.write_text(_NO_SYSTEM_FONTS, encoding="utf-8")
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(conf)
        try:
            return FontConfiguration()
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


def cleanup_font_config() -> None:
    """Remove the temporary folder WeasyPrint copies @font-face files into (/tmp/weasyprint-*).

    FontConfiguration removes it in __del__, which does not run when a process exits (pool
    workers leave through os._exit), so each process calls this on its way out.
    """
    global _FONT_CONFIG
    config, _FONT_CONFIG = _FONT_CONFIG, None
    _STYLESHEETS.clear()   # their @font-face rules live in this configuration
    folder = getattr(config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        config._folder = None


def forget_inherited_font_config() -> None:
    """In a forked worker: drop the parent's FontConfiguration without removing its folder."""
    global _FONT_CONFIG
    if _FONT_CONFIG is not None:
        _FONT_CONFIG._folder = None   # the parent's folder: the parent removes it
        _FONT_CONFIG = None
    _STYLESHEETS.clear()


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def compiled_stylesheet(text: str, base_url: str, allowed_roots: tuple[Path, ...]):
    """`text` parsed by WeasyPrint, once per process: (CSS, warnings, refused, too large).

    What parsing reported (a warning, a refused @font-face or @import) is kept with it and
    reported again for every document that uses it, as if each had parsed it.
    """
    key = (text, base_url, allowed_roots)
    compiled = _STYLESHEETS.get(key)
    if compiled is None:
        refused: list[str] = []
        too_large: list[str] = []
        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            css = weasyprint.CSS(string=text, base_url=base_url, font_config=font_config(),
                                 url_fetcher=make_fetcher(allowed_roots, refused, too_large))
        finally:
            logger.removeHandler(handler)
        compiled = (css, tuple(handler.messages), tuple(refused), tuple(too_large))
        if len(_STYLESHEETS) >= STYLESHEET_CACHE_SIZE:
            _STYLESHEETS.clear()
        _STYLESHEETS[key] = compiled
    return compiled


@dataclass
class LaidOut:
    """A document laid out by WeasyPrint (its pages and boxes), not yet written: copy-fitting
    measures it and may lay the page out again before one is written."""

    document: object                                   # weasyprint.Document
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    too_large: list[str] = field(default_factory=list)


PDF_OPTIONS = dict(
    pdf_variant="pdf/ua-1",
    # No attachments, no forms: nothing but the page content reaches the PDF.
    attachments=[],
    pdf_forms=False,
)


def lay_out(html: str, base_dir: Path, allowed_roots: tuple[Path, ...],
            stylesheets: tuple[tuple[str, tuple[Path, ...]], ...] = ()) -> LaidOut:
    """Lay `html` out into pages (WeasyPrint's `render`); warnings and refused fetches kept.

    `stylesheets`: CSS texts, each with the roots it may read while parsed (@import,
    @font-face); parsed once per process and applied as user stylesheets, so the document's own
    <style> rules (author origin) win over them, whatever their order.
    """
    if len(_CACHE) >= IMAGE_CACHE_SIZE:
        _CACHE.clear()   # between documents: no image of a finished document is still in use
    refused: list[str] = []
    too_large: list[str] = []
    base_url = base_dir.resolve().as_uri() + "/"
    sheets = []
    parse_warnings: list[str] = []
    for text, css_roots in stylesheets:
        css, logged, css_refused, css_too_large = compiled_stylesheet(text, base_url, tuple(css_roots))
        sheets.append(css)
        parse_warnings += logged
        refused += css_refused
        too_large += css_too_large
    handler = _Collect()
    handler.messages += parse_warnings
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        source = weasyprint.HTML(string=html, base_url=base_url,
                                 url_fetcher=make_fetcher(allowed_roots, refused, too_large))
        document = source.render(font_config=font_config(), stylesheets=sheets, cache=_CACHE,
                                 **PDF_OPTIONS)
    finally:
        logger.removeHandler(handler)
    return LaidOut(document, handler.messages, refused, too_large)


def write_pdf(laid_out: LaidOut, finisher=None) -> RenderResult:
    """The PDF bytes of a laid-out document (tagged, PDF/UA-1), attachments and links other
    than http(s), mailto and tel removed first."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        removed = strip_attachments_and_links(laid_out.document)
        pdf = laid_out.document.write_pdf(finisher=finisher, cache=_CACHE, **PDF_OPTIONS)
    finally:
        logger.removeHandler(handler)
    return RenderResult(pdf=pdf, warnings=laid_out.warnings + handler.messages,
                        refused=list(dict.fromkeys(laid_out.refused)),
                        removed=list(dict.fromkeys(removed)),
                        too_large=list(dict.fromkeys(laid_out.too_large)))


def render_pdf(html: str, base_dir: Path, allowed_roots: tuple[Path, ...], finisher=None,
               stylesheets: tuple[tuple[str, tuple[Path, ...]], ...] = ()) -> RenderResult:
    """Render `html` to PDF bytes in one go (no copy-fitting); see `lay_out` and `write_pdf`."""
    return write_pdf(lay_out(html, base_dir, allowed_roots, stylesheets), finisher)


def strip_attachments_and_links(document) -> list[str]:
    """Drop what a template could smuggle into the PDF besides the page: files attached with
    <link rel=attachment> or <a rel=attachment> (WeasyPrint embeds them, even with
    attachments=[]), and links to anything but http(s), mailto and tel. Returns what was removed.
    """
    removed = ["a file attached with <link rel=attachment>"
               for _ in document.metadata.attachments or ()]
    document.metadata.attachments = []
    for page in document.pages:
        kept = []
        for link in page.links:
            link_type, target = link[0], link[1]
            scheme = target.split(":", 1)[0].lower() if ":" in target else ""
            if link_type == "attachment" or (link_type == "external" and scheme not in ALLOWED_LINK_SCHEMES):
                removed.append(f"{'attachment' if link_type == 'attachment' else 'link to'} "
                               f"{target[:200]}")
                continue
            kept.append(link)
        page.links[:] = kept
    return removed
