"""The patient pack: several leaflets, in one language, for one patient, in one PDF.

Each leaflet starts on the front of a sheet, so the pack prints double-sided, and has its
bookmark; the pack has its language, title and author set but is not a tagged (PDF/UA) file:
the single leaflets are the accessible copies.
"""

from __future__ import annotations

import io

import pikepdf

from ..variants import VARIANTS


def merge_pack(parts, lang: str, author: str, variant: str) -> tuple[bytes, str]:
    """The documents one after the other in one PDF. Each leaflet starts on the front of a sheet
    (a blank page after one with an odd number of pages), so the pack prints double-sided; one
    bookmark per leaflet; the language, title and author set. Same documents, same bytes."""
    title = " · ".join(part.title for part in parts)
    out = pikepdf.new()
    opened = []
    starts = []
    try:
        for index, part in enumerate(parts):
            source = pikepdf.open(part.pdf_path)
            opened.append(source)
            starts.append(len(out.pages))
            out.pages.extend(source.pages)
            last = index == len(parts) - 1
            if len(source.pages) % 2 and not last and VARIANTS[variant].impose != "booklet":
                box = source.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
        with out.open_outline() as outline:
            for part, start in zip(parts, starts):
                outline.root.append(pikepdf.OutlineItem(part.title, start))
        out.Root.Lang = pikepdf.String(lang)
        out.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        out.docinfo["/Title"] = pikepdf.String(title)
        if author:
            out.docinfo["/Author"] = pikepdf.String(author)
        with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
            meta["dc:language"] = [lang]
            if author:
                meta["dc:creator"] = [author]
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True)
    finally:
        for source in opened:
            source.close()
    return buffer.getvalue(), title
