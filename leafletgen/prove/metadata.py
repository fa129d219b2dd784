"""What a PDF says it is, in its XMP metadata: the leaflet, version, language, practice, variant,
whether bilingual or a draft, the tool's version and the digest of the inputs it was made from;
a patient pack says the same of each leaflet in it, with its pages. `verify` reads it back to
know what to recompute; the mark alone proves nothing."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, fields

import pikepdf

NAMESPACE = "https://leafletgen.org/ns/document/1.0/"
PREFIX = "leafletgen"
PACK_NAMESPACE = "https://leafletgen.org/ns/pack/1.0/"
PACK_PREFIX = "leafletgenpack"        # a prefix of its own: a part's fields never read as a mark
MAX_PACK_PARTS = 64
XMP_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class DocumentMark:
    """What one document is (all text, so it reads back as written)."""

    leaflet: str
    version: str
    language: str
    practice: str            # the practice's id; "default" for the neutral one
    variant: str
    bilingual: bool
    draft: bool
    tool: str                # "leafletgen 0.1.0"
    inputs: str              # the bundle's digest: every input file it was made from
    note: bool = False       # a personal note printed in it (written only when there is one)


@dataclass(frozen=True)
class PackPart:
    """One leaflet of a patient pack: its pages (`first` counted from 0) and its mark."""

    first: int
    pages: int
    mark: DocumentMark


def xmp_description(mark: DocumentMark) -> bytes:
    """The mark as one rdf:Description of the XMP packet."""
    return (f'<rdf:Description rdf:about="" xmlns:{PREFIX}="{NAMESPACE}">{_values(mark, PREFIX)}'
            f'</rdf:Description>').encode("utf-8")


def pack_description(parts: list[PackPart]) -> bytes:
    """A patient pack's parts as one rdf:Description: a sequence of (first page, pages, mark)."""
    items = "".join(f'<rdf:li rdf:parseType="Resource"><{PACK_PREFIX}:first>{part.first}</{PACK_PREFIX}:first>'
                    f"<{PACK_PREFIX}:pages>{part.pages}</{PACK_PREFIX}:pages>"
                    f"{_values(part.mark, PACK_PREFIX)}</rdf:li>" for part in parts)
    return (f'<rdf:Description rdf:about="" xmlns:{PACK_PREFIX}="{PACK_NAMESPACE}">'
            f"<{PACK_PREFIX}:parts><rdf:Seq>{items}</rdf:Seq></{PACK_PREFIX}:parts>"
            f"</rdf:Description>").encode("utf-8")


def _values(mark: DocumentMark, prefix: str) -> str:
    return "".join(f"<{prefix}:{field.name}>{html.escape(_text(getattr(mark, field.name)))}"
                   f"</{prefix}:{field.name}>" for field in fields(mark)
                   if field.name != "note" or mark.note)


def _text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def marking(mark: DocumentMark, then=None):
    """A WeasyPrint finisher that adds `mark` to the PDF's XMP packet (inside its rdf:RDF, which
    WeasyPrint has written by then), after calling `then` (another finisher) if given."""

    def finish(document, pdf) -> None:
        if then is not None:
            then(document, pdf)
        reference = pdf.catalog["Metadata"]
        number = int(bytes(reference).split()[0]) if not isinstance(reference, int) else reference
        stream = pdf.objects[number]
        packet = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
        stream.stream = [with_description(packet, xmp_description(mark))]

    return finish


def with_description(packet: bytes, description: bytes) -> bytes:
    """An XMP packet with one more rdf:Description, inside its rdf:RDF."""
    end = packet.rindex(b"</rdf:RDF>")
    return packet[:end] + description + packet[end:]


_FIELD = re.compile(rf"<{PREFIX}:(\w+)>([^<]*)</{PREFIX}:\1>")
_PACK_ITEM = re.compile(r'<rdf:li rdf:parseType="Resource">(.*?)</rdf:li>', re.DOTALL)
_PACK_FIELD = re.compile(rf"<{PACK_PREFIX}:(\w+)>([^<]*)</{PACK_PREFIX}:\1>")


def xmp_packet(pdf: bytes) -> str:
    """A PDF's XMP packet as text ("" when it has none). Raises pikepdf.PdfError for a file that
    is no PDF."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.Root.get("/Metadata")
        if not isinstance(metadata, pikepdf.Stream):
            return ""
        return metadata.read_bytes()[:XMP_MAX_BYTES].decode("utf-8", "replace")


def read_mark(pdf: bytes, packet: str | None = None) -> DocumentMark | None:
    """The mark in a PDF's XMP packet (read from `pdf` unless given); None when it has none (or
    not every field). Raises pikepdf.PdfError for a file that is no PDF."""
    packet = xmp_packet(pdf) if packet is None else packet
    if NAMESPACE not in packet:
        return None
    return _mark(dict(_FIELD.findall(packet)))


def read_pack(pdf: bytes, packet: str | None = None) -> list[PackPart] | None:
    """The parts of a patient pack, in page order; None when the PDF is no pack of ours (or a
    part is incomplete, or its pages do not follow each other)."""
    packet = xmp_packet(pdf) if packet is None else packet
    if PACK_NAMESPACE not in packet:
        return None
    parts = []
    for item in _PACK_ITEM.findall(packet)[:MAX_PACK_PARTS + 1]:
        found = dict(_PACK_FIELD.findall(item))
        mark = _mark(found)
        first, pages = found.get("first", ""), found.get("pages", "")
        if mark is None or not (first.isdigit() and pages.isdigit()) or int(pages) < 1:
            return None
        if parts and int(first) < parts[-1].first + parts[-1].pages:
            return None
        parts.append(PackPart(int(first), int(pages), mark))
    return parts if 0 < len(parts) <= MAX_PACK_PARTS else None


def _mark(found: dict[str, str]) -> DocumentMark | None:
    names = [field.name for field in fields(DocumentMark) if field.name != "note"]
    if any(name not in found for name in names):
        return None
    values = {name: html.unescape(found[name]) for name in names}
    return DocumentMark(**{name: value == "true" if name in ("bilingual", "draft") else value
                           for name, value in values.items()}, note=found.get("note") == "true")


def document_mark(bundle, leaflet) -> DocumentMark:
    """The mark of the document `bundle` makes of `leaflet` (as translated: a draft or not)."""
    from .. import __version__

    request = bundle.request
    return DocumentMark(request.leaflet, bundle.leaflet.version, request.lang, request.practice_id,
                        request.variant, request.side_by_side, leaflet.is_draft,
                        f"leafletgen {__version__}", bundle.digest, bool(request.note))
