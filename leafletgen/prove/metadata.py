"""What a PDF says it is, in its XMP metadata: the leaflet, version, language, practice, variant,
whether bilingual or a draft, the tool's version and the digest of the inputs it was made from.
`verify` reads it back to know what to recompute; the mark alone proves nothing."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, fields

import pikepdf

NAMESPACE = "https://leafletgen.org/ns/document/1.0/"
PREFIX = "leafletgen"
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


def xmp_description(mark: DocumentMark) -> bytes:
    """The mark as one rdf:Description of the XMP packet."""
    values = "".join(f"<{PREFIX}:{field.name}>{html.escape(_text(getattr(mark, field.name)))}"
                     f"</{PREFIX}:{field.name}>" for field in fields(mark))
    return (f'<rdf:Description rdf:about="" xmlns:{PREFIX}="{NAMESPACE}">{values}</rdf:Description>'
            ).encode("utf-8")


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
        end = packet.rindex(b"</rdf:RDF>")
        stream.stream = [packet[:end] + xmp_description(mark) + packet[end:]]

    return finish


_FIELD = re.compile(rf"<{PREFIX}:(\w+)>([^<]*)</{PREFIX}:\1>")


def read_mark(pdf: bytes) -> DocumentMark | None:
    """The mark in a PDF's XMP packet; None when it has none (or not every field). Raises
    pikepdf.PdfError for a file that is no PDF."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.Root.get("/Metadata")
        if not isinstance(metadata, pikepdf.Stream):
            return None
        packet = metadata.read_bytes()[:XMP_MAX_BYTES].decode("utf-8", "replace")
    if NAMESPACE not in packet:
        return None
    found = {name: html.unescape(value) for name, value in _FIELD.findall(packet)}
    names = [field.name for field in fields(DocumentMark)]
    if any(name not in found for name in names):
        return None
    values = {name: found[name] == "true" if name in ("bilingual", "draft") else found[name]
              for name in names}
    return DocumentMark(**values)


def document_mark(bundle, leaflet) -> DocumentMark:
    """The mark of the document `bundle` makes of `leaflet` (as translated: a draft or not)."""
    from .. import __version__

    request = bundle.request
    return DocumentMark(request.leaflet, bundle.leaflet.version, request.lang, request.practice_id,
                        request.variant, request.side_by_side, leaflet.is_draft,
                        f"leafletgen {__version__}", bundle.digest)
