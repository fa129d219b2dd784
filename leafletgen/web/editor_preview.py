"""Worker task for the leaflet editor: the pages of the text being written, as pictures in memory.

Nothing is cached or written: the text changes with every keystroke, and the next preview
replaces this one.
"""

from __future__ import annotations

import base64
import io

from ..request import BuildRequest

PREVIEW_WIDTH = 420            # pixels: a page beside the editor


def preview_pages(root: str, request: BuildRequest, seconds: float, width: int = PREVIEW_WIDTH) -> dict:
    """`request` (a draft's text) rendered in this worker: {"ok": True, "pages": [data: URLs of
    PNGs]} or the render's {"ok": False, "errors": [...]}."""
    import pypdfium2

    from .workers import render_limited

    result = render_limited(root, request, seconds)
    if not result.get("ok"):
        return result
    document = pypdfium2.PdfDocument(result["pdf"])
    pages = []
    try:
        for index in range(len(document)):
            page = document[index]
            buffer = io.BytesIO()
            page.render(scale=width / page.get_width()).to_pil().save(buffer, format="PNG")
            page.close()
            pages.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))
    finally:
        document.close()
    return {"ok": True, "pages": pages, "version": result["version"]}
