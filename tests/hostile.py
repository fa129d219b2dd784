"""Helpers of the hostile-input suite (tests/test_hostile_*.py): hostile files, and looking at
what a render produced (page pixels, embedded files) to show nothing from outside got in."""

from __future__ import annotations

import http.server
import io
import struct
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path

import pikepdf

from tests.pdfutil import render_png

# A colour no leaflet uses: a picture from outside the asset folders would show up in it.
MAGENTA = (255, 0, 255)
LEAFLET = "lage-rugklachten"
PRACTICE = "fysio-delinde"


def png(size=(40, 20), color=(43, 76, 126)) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` pixels in a few dozen bytes: a decompression bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


SVG_OPEN = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'width="120" height="60" viewBox="0 0 120 60">')


def svg(inner: str, prolog: str = "") -> bytes:
    return (prolog + SVG_OPEN + inner + '<rect width="40" height="20" fill="#1f6f5c"/></svg>').encode()


def magenta_pixels(pdf: Path, workdir: Path) -> int:
    """Pixels of every page (60 dpi) that are (close to) magenta."""
    from PIL import Image

    workdir.mkdir(parents=True, exist_ok=True)
    count = 0
    for page in render_png(pdf, workdir / "page"):
        with Image.open(page) as img:
            for (r, g, b), n in _colors(img.convert("RGB")):
                if r > 200 and b > 200 and g < 60:
                    count += n
    return count


def _colors(img):
    return [(rgb, n) for n, rgb in img.getcolors(maxcolors=1 << 24)]


def attachments_and_annotations(pdf: Path) -> tuple[int, list[str]]:
    """(number of embedded files, subtypes of every annotation) of a PDF."""
    with pikepdf.open(pdf) as doc:
        files = len(doc.attachments)
        annots = [str(a.get("/Subtype")) for page in doc.pages for a in (page.get("/Annots") or [])]
        links = [str(a.get("/A", {}).get("/URI", "")) for page in doc.pages
                 for a in (page.get("/Annots") or []) if a.get("/Subtype") == "/Link"]
    return files, annots + links


@contextmanager
def http_server():
    """A local web server that counts the requests it gets: the render must make none."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            body = png(color=MAGENTA)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def weasyprint_messages(caplog) -> list[str]:
    """WeasyPrint's warnings so far; then forgotten, so that the autouse check in conftest (a
    warning fails a test) leaves alone the warnings a hostile test provokes on purpose."""
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    caplog.clear()
    return messages
