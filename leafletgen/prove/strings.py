"""The strings of a PDF a reader meets besides its page text: alt texts, /ActualText,
bookmarks, link targets, the document's title, author and subject. Each must come from an
approved source: a template cannot put a dose in an alt text or a bookmark."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from .approved import ApprovedTexts
from .compare import Piece
from .fold import fold

_STRUCT_KEYS = ("/Alt", "/ActualText", "/E")
_INFO_KEYS = ("/Title", "/Author", "/Subject", "/Keywords")


@dataclass(frozen=True)
class PdfString:
    where: str        # "alt text", "bookmark", "link", "title", …
    text: str


def pdf_strings(pdf: bytes | pikepdf.Pdf) -> list[PdfString]:
    """Every alt text, /ActualText and expansion in the structure tree, every bookmark, every
    link target and the document information's title, author, subject and keywords."""
    document = pdf if isinstance(pdf, pikepdf.Pdf) else pikepdf.open(io.BytesIO(pdf))
    try:
        found: list[PdfString] = []
        if "/StructTreeRoot" in document.Root:
            _struct(document.Root.StructTreeRoot, found, set())
        if "/Outlines" in document.Root:
            with document.open_outline() as outline:
                _bookmarks(outline.root, found)
        for page in document.pages:
            for annotation in page.obj.get("/Annots", pikepdf.Array()):
                action = annotation.get("/A")
                if isinstance(action, pikepdf.Dictionary) and "/URI" in action:
                    found.append(PdfString("link", str(action.URI)))
                if "/Contents" in annotation:
                    found.append(PdfString("annotation", str(annotation.Contents)))
        for key in _INFO_KEYS:
            if key in document.docinfo:
                found.append(PdfString(key[1:].lower(), str(document.docinfo[key])))
        return found
    finally:
        if document is not pdf:
            document.close()


def layout_strings(document, alts: list[str]) -> list[PdfString]:
    """The same strings as `pdf_strings`, from WeasyPrint's document before it is written (as
    WeasyPrint writes them: an image's alt text, the bookmarks, the links, the metadata)."""
    found = [PdfString("alt text", alt) for alt in alts]

    def bookmarks(items):
        for label, _, children, _ in items:
            found.append(PdfString("bookmark", label))
            bookmarks(children)

    bookmarks(document.make_bookmark_tree())
    found += [PdfString("link", link[1]) for page in document.pages for link in page.links
              if link[0] == "external"]
    metadata = document.metadata
    found += [PdfString(where, text) for where, text in
              (("title", metadata.title), ("subject", metadata.description),
               *(("author", author) for author in metadata.authors),
               *(("keywords", keyword) for keyword in metadata.keywords)) if text]
    return found


def _struct(node, found: list[PdfString], seen: set) -> None:
    if isinstance(node, pikepdf.Array):
        for child in node:
            _struct(child, found, seen)
        return
    if not isinstance(node, pikepdf.Dictionary):
        return
    if node.is_indirect:
        if node.objgen in seen:
            return
        seen.add(node.objgen)
    for key in _STRUCT_KEYS:
        if key in node:
            found.append(PdfString({"/Alt": "alt text", "/ActualText": "/ActualText",
                                    "/E": "expansion"}[key], str(node[key])))
    if "/K" in node:
        _struct(node.K, found, seen)


def _bookmarks(items, found: list[PdfString]) -> None:
    for item in items:
        found.append(PdfString("bookmark", item.title or ""))
        _bookmarks(item.children, found)


def explained(text: str, pieces: tuple[Piece, ...]) -> bool:
    """Whether `text` is made of approved strings only (one or more, one after the other)."""
    chars = fold(text).chars
    reachable = {0}
    for position in range(len(chars) + 1):
        if position not in reachable:
            continue
        if position == len(chars):
            return True
        if not chars[position].isalnum():
            reachable.add(position + 1)
            continue
        for piece in pieces:
            match = piece.pattern.match(chars, position)
            if match and match.end() > position:
                reachable.add(match.end())
    return not chars


def unapproved_strings(strings: list[PdfString], approved: ApprovedTexts,
                       generator: str) -> list[PdfString]:
    """The strings no approved source holds. A link must be one of the approved targets."""
    pieces = approved.sayable()
    links = set(approved.links)
    out = []
    for item in strings:
        if item.where == "link":
            if item.text not in links:
                out.append(item)
        elif not (item.text == generator or explained(item.text, pieces)):
            out.append(item)
    return out
