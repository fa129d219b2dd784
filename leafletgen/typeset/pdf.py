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

from .engine import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..markup.inline import ALLOWED_LINK_SCHEMES
from ..inputs.digest import FILE_MAX_BYTES

_FONT_CONFIG = None
# Parsed stylesheets, per process: (text, base URL) → (weasyprint.CSS, what parsing it logged,
# refused, too large, and what it read: each URL with the digest of what was served for it).
# Parsing leaflet.css (and compiling its selectors) was a tenth of a document's time; a batch
# worker renders hundreds of documents with the same few stylesheets. A parsed copy is used again
# only while every file it read is served with the same bytes.
_STYLESHEETS: dict = {}
STYLESHEET_CACHE_SIZE = 32


class _ImageCache(dict):
    """WeasyPrint's image cache, shared by a process's documents (the logo, a practice's QR
    code). WeasyPrint keys it by URL; each image here also carries the digest of the bytes it was
    made from (`made_from`), and `lay_out` drops an image whose URL the next document's fetcher
    serves with other bytes. Emptied between documents once it holds IMAGE_CACHE_SIZE entries (a
    data: URI unique to one document, a QR code per leaflet and language, adds an entry for good)."""

    def __init__(self):
        super().__init__()
        self.made_from: dict[str, str | None] = {}
        self.fetcher = None

    def __setitem__(self, key, value):
        if self.fetcher is not None and isinstance(key, str) and key.startswith("file:"):
            self.made_from[key] = self.fetcher.served(key)
        super().__setitem__(key, value)

    def serve_from(self, fetcher) -> None:
        """The next document's images come through `fetcher`: forget those it serves otherwise."""
        if len(self) >= IMAGE_CACHE_SIZE:
            self.clear()
            self.made_from.clear()
        for url, digest in list(self.made_from.items()):
            if fetcher.served(url) != digest:
                self.pop(url, None)
                del self.made_from[url]
        self.fetcher = fetcher


_CACHE = _ImageCache()
IMAGE_CACHE_SIZE = 512


@dataclass
class RenderResult:
    pdf: bytes
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)   # attachments and links kept out of the PDF
    too_large: list[str] = field(default_factory=list)


FETCH_MAX_BYTES = FILE_MAX_BYTES   # fonts are ~2 MB, logos ≤ 2 MB: nothing legitimate is near this


class Served(weasyprint.urls.URLFetcherResponse):
    """A file served from memory: it has no path, so WeasyPrint reads no file of its own (it
    would read a raster image's file again when writing the PDF)."""

    @property
    def path(self):
        return None


def make_fetcher(assets, refused: list[str], too_large: list[str] | None = None):
    """A URLFetcher serving only data: URLs and the files `assets` holds.

    `assets(path)` gives a file's bytes, with their digest, by its absolute path (the file: URL's
    path, `..` collapsed): `(bytes, digest)`, `(size, None)` for one too large to serve, or None
    for anything else (a file of no input, a link, a folder, a file outside the project). Nothing
    is read from disk; the default fetcher would read any local file and reach the network. It
    must be a URLFetcher subclass (WeasyPrint 70 reads attributes of it).
    """

    class AssetFetcher(weasyprint.URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)

        def served(self, url: str) -> str | None:
            """The digest of what this fetcher serves for a file: URL (None: nothing)."""
            found = assets(_url_path(url))
            return found[1] if found is not None else None

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = _url_path(url)
                found = assets(path)
                if found is not None and found[1] is None:
                    if too_large is not None:
                        too_large.append(url[:200])
                    raise ValueError(f"refused to fetch {url[:200]!r}: larger than "
                                     f"{FETCH_MAX_BYTES // (1024 * 1024)} MB")
                if found is not None:
                    return Served(path.as_uri(), body=found[0], headers={"Content-Type": _mime(path)})
            refused.append(url if len(url) < 200 else url[:200] + "…")
            raise ValueError(f"refused to fetch {url[:200]!r}: outside the project's asset folders")

    return AssetFetcher()


def _url_path(url: str) -> Path:
    """A file: URL's path, judged by name, `..` collapsed."""
    return Path(os.path.normpath(unquote(urlparse(url).path) or "/"))


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
    """Remove the temporary folder WeasyPrint copies @font-face files into (/tmp/weasyprint-*),
    if this process made it.

    FontConfiguration removes it in __del__, which does not run when a process exits (pool
    workers leave through os._exit), so each process calls this on its way out. A forked process
    inherits its parent's configuration, whose fonts live in the parent's folder: removing that
    would leave the parent (a warm template) and every later fork with fonts of no file.
    """
    global _FONT_CONFIG
    config, _FONT_CONFIG = _FONT_CONFIG, None
    _STYLESHEETS.clear()   # their @font-face rules live in this configuration
    folder = getattr(config, "_folder", None)
    if folder and _FOLDER_OWNER == os.getpid():
        shutil.rmtree(folder, ignore_errors=True)
    if config is not None:
        config._folder = None   # else FontConfiguration.__del__ removes it after all


def _own_font_folder() -> None:
    """In a freshly forked process: keep the font configuration and the parsed stylesheets it
    was forked with (a template's warm-up), but write the fonts it adds itself to a folder of its
    own. It runs in the child before fork() returns; until it has, `_FOLDER_OWNER` still names the
    parent, so a signal that ends the child at once removes nothing of the parent's."""
    global _FOLDER_OWNER
    if _FONT_CONFIG is not None:
        _FONT_CONFIG._folder = None
    _FOLDER_OWNER = os.getpid()


_FOLDER_OWNER = os.getpid()   # the process whose folder _FONT_CONFIG._folder is
os.register_at_fork(after_in_child=_own_font_folder)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def compiled_stylesheet(text: str, base_url: str, assets):
    """`text` parsed by WeasyPrint, once per process while what it reads is unchanged: (CSS,
    warnings, refused, too large).

    What parsing reported (a warning, a refused @font-face or @import) is kept with it and
    reported again for every document that uses it, as if each had parsed it.
    """
    key = (text, base_url)
    compiled = _STYLESHEETS.get(key)
    if compiled is not None:
        fetcher = make_fetcher(assets, [])
        if any(fetcher.served(url) != digest for url, digest in compiled[4]):
            compiled = None
    if compiled is None:
        refused: list[str] = []
        too_large: list[str] = []
        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        fetcher = _Recording(make_fetcher(assets, refused, too_large))
        try:
            css = weasyprint.CSS(string=text, base_url=base_url, font_config=font_config(),
                                 url_fetcher=fetcher)
        finally:
            logger.removeHandler(handler)
        compiled = (css, tuple(handler.messages), tuple(refused), tuple(too_large),
                    tuple(fetcher.read.items()))
        if len(_STYLESHEETS) >= STYLESHEET_CACHE_SIZE:
            _STYLESHEETS.clear()
        _STYLESHEETS[key] = compiled
    return compiled[:4]


class _Recording(weasyprint.URLFetcher):
    """A fetcher that notes each file: URL asked for, with the digest of what was served."""

    def __init__(self, fetcher):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)
        self.fetcher = fetcher
        self.read: dict[str, str | None] = {}

    def fetch(self, url, headers=None):
        if url.split(":", 1)[0].lower() == "file":
            self.read[url] = self.fetcher.served(url)
        return self.fetcher.fetch(url, headers)


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


def lay_out(html: str, base_dir: Path, assets, stylesheets: tuple = ()) -> LaidOut:
    """Lay `html` out into pages (WeasyPrint's `render`), reading only what `assets` serves
    (see `make_fetcher`); warnings and refused fetches kept.

    `stylesheets`: CSS texts, each with what it may read while parsed (@import, @font-face);
    parsed once per process and applied as user stylesheets, so the document's own <style>
    rules (author origin) win over them, whatever their order.
    """
    refused: list[str] = []
    too_large: list[str] = []
    fetcher = make_fetcher(assets, refused, too_large)
    _CACHE.serve_from(fetcher)
    base_url = base_dir.as_uri() + "/"
    sheets = []
    parse_warnings: list[str] = []
    for text, css_assets in stylesheets:
        css, logged, css_refused, css_too_large = compiled_stylesheet(text, base_url, css_assets)
        sheets.append(css)
        parse_warnings += logged
        refused += css_refused
        too_large += css_too_large
    handler = _Collect()
    handler.messages += parse_warnings
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        source = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
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
