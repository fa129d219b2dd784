"""Booklet imposition: A5 pages two-up on A4 landscape sheets, in saddle-stitch order.

Print the result double-sided, flipping on the short edge, stack the sheets and fold them in
the middle: the pages come out in reading order. Blank pages are added at the end up to a
multiple of 4 (one sheet = 4 pages).

What survives: the document's language (/Lang), title and metadata (document info and XMP,
the title shown by viewers). What does not: the tag tree and links. Each A5 page becomes a
form XObject on a sheet, so the structure tree's references into the page content no longer
hold; the imposed file is a print product, not the accessible copy (that is the A5 PDF's
content, which the HTML beside it also carries). Its XMP therefore no longer claims PDF/UA.

Reproducible: no dates of the run, and the file identifier is derived from the content.
"""

from __future__ import annotations

import io
import re

import pikepdf


def saddle_stitch_order(pages: int, rtl: bool = False) -> list[tuple[int | None, int | None]]:
    """Sheet sides in print order, each (left page, right page), 0-based; None is a blank half.

    For n pages padded to N (a multiple of 4), sheet s has on its front N-1-2s | 2s and on its
    back 2s+1 | N-2-2s. A right-to-left booklet (Arabic) is bound on the right: every side is
    mirrored, so the front page is the left half of the outer sheet.
    """
    total = max(4, -(-pages // 4) * 4)

    def page(index: int) -> int | None:
        return index if index < pages else None

    sides = []
    for sheet in range(total // 4):
        sides.append((page(total - 1 - 2 * sheet), page(2 * sheet)))
        sides.append((page(2 * sheet + 1), page(total - 2 - 2 * sheet)))
    if rtl:
        sides = [(right, left) for left, right in sides]
    return sides


def _plain_xmp(xmp: bytes) -> bytes:
    """The XMP packet without the PDF/UA claim (the imposed file is not tagged)."""
    text = xmp.decode("utf-8")
    text = re.sub(r'<rdf:Description rdf:about=""\s+pdfuaid:part="\d+"\s*/>', "", text)
    text = re.sub(r'\s+pdfuaid:part="\d+"', "", text)
    return text.encode("utf-8")


A4_LANDSCAPE = (841.8898, 595.2756)   # points: 297 × 210 mm


def impose_booklet(pdf: bytes, sheet: tuple[float, float] = A4_LANDSCAPE, rtl: bool = False) -> bytes:
    """The A5 PDF `pdf` imposed two-up on A4 landscape sheets (A5 is 148 mm wide, A4 297 mm:
    the half millimetre left on either side stays blank; the fold is in the middle)."""
    with pikepdf.open(io.BytesIO(pdf)) as source, pikepdf.new() as out:
        first = source.pages[0]
        box = [float(v) for v in first.trimbox]
        width, height = box[2] - box[0], box[3] - box[1]
        sheet_width, sheet_height = max(sheet[0], 2 * width), max(sheet[1], height)
        left_edge = (sheet_width - 2 * width) / 2
        bottom_edge = (sheet_height - height) / 2
        forms = []
        for page in source.pages:
            form = page.as_form_xobject()
            # The form carries no tie to the structure tree (it is not copied).
            for key in ("/StructParents", "/StructParent"):
                if key in form:
                    del form[key]
            forms.append(out.copy_foreign(form))
        for left, right in saddle_stitch_order(len(source.pages), rtl):
            side = out.add_blank_page(page_size=(sheet_width, sheet_height))
            xobjects = pikepdf.Dictionary()
            content = []
            for slot, index in enumerate((left, right)):
                if index is None:
                    continue
                name = f"/P{index + 1}"
                xobjects[name] = forms[index]
                content.append(f"q 1 0 0 1 {left_edge + slot * width - box[0]:.4f} "
                               f"{bottom_edge - box[1]:.4f} cm {name} Do Q")
            side.obj.Resources = pikepdf.Dictionary(XObject=xobjects)
            side.obj.Contents = out.make_stream("\n".join(content).encode("ascii") + b"\n")
        # Language, title and metadata, as in the A5 original.
        if "/Lang" in source.Root:
            out.Root.Lang = source.Root.Lang
        out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        out.Root.PageLayout = pikepdf.Name.SinglePage
        for key, value in source.docinfo.items():
            out.docinfo[key] = value
        if "/Metadata" in source.Root:
            metadata = out.make_stream(_plain_xmp(source.Root.Metadata.read_bytes()))
            metadata.Type = pikepdf.Name.Metadata
            metadata.Subtype = pikepdf.Name.XML
            out.Root.Metadata = metadata
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()
