"""The patient pack: several leaflets, in one language, for one patient, in one PDF.

Each leaflet starts on the front of a sheet, so the pack prints double-sided, and has its
bookmark. The pack is tagged like a single leaflet (PDF/UA-1): the leaflets' structure trees
become parts of one document, their marked content still mapped to its structure; language,
title and author set. Its XMP metadata names each leaflet's mark and pages, so `verify` checks
a pack leaflet by leaflet.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..prove.metadata import PackPart, pack_description, read_mark, with_description
from ..typeset.variants import VARIANTS


def merge_pack(parts, lang: str, author: str, variant: str) -> tuple[bytes, str]:
    """The documents one after the other in one PDF. Each leaflet starts on the front of a sheet
    (a blank page after one with an odd number of pages), so the pack prints double-sided; one
    bookmark per leaflet; the structure trees joined; the language, title and author set. Same
    documents, same bytes."""
    title = " · ".join(part.title for part in parts)
    out = pikepdf.new()
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    tree = out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([document])))
    document.P = tree
    numbers = Array()
    next_key = 0
    opened = []
    starts = []
    marked: list[PackPart | None] = []
    try:
        for index, part in enumerate(parts):
            source = pikepdf.open(part.pdf_path)
            opened.append(source)
            first = len(out.pages)
            starts.append(first)
            marked.append(_part(source, first))
            out.pages.extend(source.pages)
            next_key = _join_structure(out, source, first, document, numbers, next_key)
            last = index == len(parts) - 1
            if len(source.pages) % 2 and not last and VARIANTS[variant].impose != "booklet":
                box = source.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
        tree.ParentTree = out.make_indirect(Dictionary(Nums=numbers))
        tree.ParentTreeNextKey = next_key
        with out.open_outline() as outline:
            for part, start in zip(parts, starts):
                outline.root.append(pikepdf.OutlineItem(part.title, start))
        out.Root.StructTreeRoot = tree
        out.Root.MarkInfo = Dictionary(Marked=True)
        out.Root.Lang = pikepdf.String(lang)
        out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        out.docinfo["/Title"] = pikepdf.String(title)
        if author:
            out.docinfo["/Author"] = pikepdf.String(author)
        with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:title"] = title
            meta["dc:language"] = [lang]
            meta["pdfuaid:part"] = "1"
            if author:
                meta["dc:creator"] = [author]
        described = [part for part in marked if part is not None]
        if len(described) == len(parts):           # every leaflet says what it is
            metadata = out.Root.Metadata
            metadata.write(with_description(metadata.read_bytes(), pack_description(described)))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, compress_streams=True)
    finally:
        for source in opened:
            source.close()
    return buffer.getvalue(), title


def _part(source: pikepdf.Pdf, first: int) -> PackPart | None:
    """What a leaflet of the pack is (its mark, None without one) and where its pages are."""
    metadata = source.Root.get("/Metadata")
    packet = metadata.read_bytes().decode("utf-8", "replace") if isinstance(metadata, pikepdf.Stream) else ""
    mark = read_mark(b"", packet)
    return None if mark is None else PackPart(first, len(source.pages), mark)


def _join_structure(out: pikepdf.Pdf, source: pikepdf.Pdf, first: int, document, numbers: Array,
                    next_key: int) -> int:
    """Make `source`'s structure tree (its pages now in `out` from page `first`) a part of
    `document`: its top elements become /Part elements of it, and its parent tree's keys (the
    pages' /StructParents, the annotations' /StructParent) move up by `next_key`, so each page's
    marked content still leads to its structure. The next free key."""
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        return next_key
    # Copied after the pages: the copy of each /Pg and /Obj is the page or annotation copied
    # already (one copy per object of a source document).
    copied = out.copy_foreign(tree)
    kids = copied.get("/K")
    kids = list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []
    for kid in kids:
        if isinstance(kid, Dictionary):
            kid.P = document
            if kid.get("/S") == Name.Document:
                kid.S = Name.Part
            document.K.append(kid)
    highest = -1
    for key, value in _number_tree(copied.get("/ParentTree")):
        numbers.append(key + next_key)
        numbers.append(value)
        highest = max(highest, key)
    for page in out.pages[first:first + len(source.pages)]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + next_key
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + next_key
    declared = int(tree.get("/ParentTreeNextKey", highest + 1))
    return next_key + max(declared, highest + 1)


def _number_tree(node, depth: int = 0) -> list[tuple[int, object]]:
    """(key, value) of a number tree, its /Kids followed (a few levels at most)."""
    if node is None or depth > 8:
        return []
    found = []
    pairs = node.get("/Nums")
    if pairs is not None:
        found += [(int(pairs[i]), pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
    for kid in node.get("/Kids", []):
        found += _number_tree(kid, depth + 1)
    return found
