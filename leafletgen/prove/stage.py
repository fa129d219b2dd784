"""The text proof as a stage of the render path: the approved texts gathered from the bundle,
the rendered document proven against them."""

from __future__ import annotations

from .. import __version__
from ..inputs.bundle import Bundle
from ..inputs.model import Leaflet
from ..request import BuildRequest
from ..translate.catalogs import format_day, text_direction
from .approved import ApprovedTexts, approved_texts
from .proof import Subject, prove_document

GENERATOR = f"leafletgen {__version__}"


def approved_for(bundle: Bundle, translated: Leaflet, source: Leaflet | None, note: dict | None,
                 qr: dict | None) -> ApprovedTexts:
    """The approved texts of the bundle's document (see approved.py): from the bundle alone."""
    lang = bundle.request.lang
    dates = [format_day(translated.published, lang, bundle.project),
             format_day(translated.review, lang, bundle.project)]
    # A personal note staff type for one patient is approved for its own document only.
    personal_note = getattr(bundle.request, "note", None) or ""
    return approved_texts(translated, source, bundle.practice, bundle.template_translations,
                          bundle.template_msgids, dates, note, qr, personal_note)


def subject(request: BuildRequest) -> Subject:
    """How a report names the document: "lage-rugklachten tr", with what sets it apart."""
    detail = [request.variant] if request.variant != "a4" else []
    detail += ["bilingual"] if request.side_by_side else []
    detail += [f"for {request.practice}"] if request.practice else []
    return Subject(request.leaflet, request.lang, " ".join(detail))


def prove(request: BuildRequest, approved: ApprovedTexts, laid_out, pdf: bytes, html: str) -> None:
    """The proof of a rendered document (proof.py): raises ProofFailed, a UserError, when its
    PDF or HTML copy is not its approved text. `laid_out` is WeasyPrint's document of `pdf`."""
    prove_document(subject(request), approved, laid_out, pdf, html,
                   text_direction(request.lang) == "rtl", GENERATOR)
