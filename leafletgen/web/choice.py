"""What a member of staff asked for, checked: the leaflet, language, practice and variant named in
a request (each against what is on disk now), the document made from them, or why it cannot be
made as asked — an unknown name (404 with the known ones), an incomplete translation (409), bad
input (422), a render that failed (503).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import render_template

from ..errors import UserError
from ..inputs.project import DEFAULT_PRACTICE_ID, SOURCE_LANGUAGE
from ..typeset.variants import DEFAULT_VARIANT, VARIANTS
from . import library
from .context import documents, error_page, project
from .documents import DocumentRequest
from .i18n import N_, _
from .messages import problem_lines
from .workers import RenderFailed

# Each variant's name and its one-line explanation, as staff see them.
VARIANT_TEXTS = {
    # Translators: The name of a print variant: the leaflet on ordinary A4 sheets.
    "a4": (N_("A4"), N_("Gewone A4-vellen, voor de printer op kantoor.")),
    # Translators: The name of a print variant: the leaflet on A5 pages ("folder" is Dutch for
    # leaflet).
    "a5": (N_("A5-folder"), N_("Kleinere A5-pagina's, voor A5-papier.")),
    # Translators: The name of a print variant: an A5 booklet, printed on A4 sheets folded in the
    # middle.
    "booklet": (N_("Boekje"), N_("A5-boekje op A4: dubbelzijdig printen, omslaan aan de korte kant, "
                                 "in het midden vouwen.")),
    # Translators: The name of a print variant: large print, for patients who do not see well.
    "large-print": (N_("Grote letters"), N_("A4 met alle tekst minstens 18 punt, voor slechtziende "
                                           "patiënten.")),
    # Translators: The name of a print variant: the file for a professional print shop (with bleed
    # and crop marks).
    "print-shop": (N_("Drukkerij"), N_("A4 met 3 mm afloop en snijtekens, voor een drukkerij.")),
}


class Unknown(Exception):
    """A name in the URL that is not a leaflet, language, practice or variant of this project."""

    def __init__(self, kind: str, value: str):
        super().__init__(f"unknown {kind} {value!r}")
        self.kind, self.value = kind, value


@dataclass(frozen=True)
class Choice:
    leaflet: str
    lang: str
    practice: str
    variant: str
    bilingual: bool
    draft: bool

    def request(self) -> DocumentRequest:
        return DocumentRequest(self.leaflet, self.lang, self.practice, self.variant,
                               self.bilingual and self.lang != SOURCE_LANGUAGE, self.draft)

    def query(self, **extra) -> dict:
        args = {"practice": self.practice, "variant": self.variant}
        if self.bilingual and self.lang != SOURCE_LANGUAGE:
            args["bilingual"] = "1"
        if self.draft:
            args["draft"] = "1"
        args.update(extra)
        return args


def flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on", "ja")


def checked_choice(leaflet_id: str, lang: str, args) -> Choice:
    """The request's names, each checked against what is on disk now (Unknown if not there)."""
    proj = project()
    if leaflet_id not in proj.leaflet_ids():
        raise Unknown("leaflet", leaflet_id)
    if lang not in proj.languages():
        raise Unknown("language", lang)
    practice = args.get("practice") or DEFAULT_PRACTICE_ID
    if not library.known_practice(proj, practice):
        raise Unknown("practice", practice)
    variant = args.get("variant") or DEFAULT_VARIANT
    if not library.known_variant(variant):
        raise Unknown("variant", variant)
    return Choice(leaflet_id, lang, practice, variant, flag(args.get("bilingual")), flag(args.get("draft")))


def unknown_page(error: Unknown):
    proj = project()
    lists = {
        "leaflets": [(info.id, info.title) for info in library.leaflets(proj)],
        "languages": [(info.lang, language_label(info)) for info in library.languages(proj)],
        # Translators: In a list of the known practices: the neutral leaflet, without a practice's
        # logo or contact details.
        "practices": [(DEFAULT_PRACTICE_ID, _("neutraal, zonder logo"))] +
                     [(info.id, info.name) for info in library.practices(proj)],
        "variants": [(name, _(VARIANT_TEXTS[name][0])) for name in VARIANTS],
    }
    kinds = {
        # Translators: Fills in %(kind)s of "Onbekende %(kind)s: …" (an unknown … in a web
        # address): a leaflet ("folder" is Dutch for leaflet, not a directory).
        "leaflet": _("folder"),
        # Translators: Fills in %(kind)s of "Onbekende %(kind)s: …": a language.
        "language": _("taal"),
        # Translators: Fills in %(kind)s of "Onbekende %(kind)s: …": a practice (a GP or
        # physiotherapy practice whose logo and details are printed on the leaflet).
        "practice": _("praktijk"),
        # Translators: Fills in %(kind)s of "Onbekende %(kind)s: …": a print variant (A4, A5,
        # booklet, large print, print shop).
        "variant": _("uitvoering"),
    }
    # Translators: A web address named something that does not exist: %(kind)s is one of "folder",
    # "taal", "praktijk", "uitvoering" (translated separately), %(value)s the name as given; the
    # known names are listed below this line.
    message = _("Onbekende %(kind)s: %(value)s. Dit zijn de bekende:", kind=kinds[error.kind], value=error.value)
    return render_template("unknown.html", message=message, lists=lists, kind=error.kind), 404


@dataclass
class Issue:
    """Why a document cannot be made as asked: shown as its own page, or inside the staff page."""

    code: int                       # 409 incomplete translation, 422 bad input, 503 render failed
    message: str
    lines: list
    state: library.Completeness | None = None


def issue_response(choice: Choice, issue: Issue):
    if issue.code == 409:
        return render_template("incomplete.html", choice=choice, state=issue.state,
                               language=_language(choice.lang)), 409
    return error_page(issue.code, issue.message, issue.lines), issue.code


def _language(lang: str) -> library.LanguageInfo:
    return next(info for info in library.languages(project()) if info.lang == lang)


def make_document(choice: Choice, note: str = ""):
    """(Rendered, None), or (None, the Issue that stops it). With a personal `note`: (its PDF
    bytes and version, None), made for this request only."""
    try:
        state = library.completeness(project(), choice.leaflet, choice.lang)
        if state.problems:
            # Translators: A translation file (.po) has errors; a list of them follows.
            return None, Issue(422, _("De vertaling heeft fouten en wordt niet gebruikt, ook niet als "
                                      "concept. Laat de vertaler dit herstellen:"),
                               problem_lines(state.reasons or state.problems), state)
        if not state.complete and not choice.draft:
            return None, Issue(409, _("Deze vertaling is nog niet af."), state.missing + state.labels_missing,
                               state)
        refusal = review_refusal(choice) if state.complete else None   # a draft is marked as one
        if refusal is not None:
            return None, refusal
        request_ = choice.request()
        if state.complete and request_.draft:
            request_ = replace(request_, draft=False)   # nothing to mark: the same as the final one
        if note:
            return documents().with_note(request_, note), None
        return documents().document(request_), None
    except UserError as exc:
        # Translators: "This leaflet cannot be made like this:", followed by a list of problems
        # with the input files.
        return None, Issue(422, _("Deze folder kan zo niet gemaakt worden:"), problem_lines(exc.problems))
    except RenderFailed as exc:
        return None, render_failed(exc)


def render_failed(exc: RenderFailed) -> Issue:
    # Translators: Making the leaflet's PDF (or its preview) failed; why follows.
    return Issue(503, _("De folder kon niet gemaakt worden."), problem_lines(list(exc.args[:1])))


def review_refusal(choice: Choice) -> Issue | None:
    """For a practice that requires reviewed translations (`require_review`), why this one is not
    made: no person has reviewed it, or it changed since. The render path refuses it as well
    (review_state.document_review); this says so in words staff understand, with what to do."""
    from ..translate.review.state import review_state

    if choice.lang == SOURCE_LANGUAGE:
        return None
    proj = project()
    info = next((info for info in library.practices(proj) if info.id == choice.practice), None)
    if info is None or not info.require_review:
        return None
    state = review_state(proj, library.load_leaflet(proj, choice.leaflet), choice.lang)
    if state.state == "reviewed":
        return None
    if state.state == "outdated":
        # Translators: The practice hands out only translations a person has checked against the
        # Dutch (a setting of the practice); this one was checked, but has changed since.
        message = _("Deze praktijk geeft alleen vertalingen mee die een persoon heeft nagekeken. Deze "
                    "vertaling is veranderd sinds ze werd nagekeken.")
    else:
        # Translators: The practice hands out only translations a person has checked against the
        # Dutch (a setting of the practice); nobody has checked this one yet.
        message = _("Deze praktijk geeft alleen vertalingen mee die een persoon heeft nagekeken. Deze "
                    "vertaling is nog niet nagekeken.")
    # Translators: What to do about it; "Nakijken" is the name of the review page in the main menu
    # (keep it as that menu item is translated).
    return Issue(422, message, [_("Kies een andere taal, of vraag iemand die beide talen kent om de "
                                  "vertaling naast het Nederlands na te kijken op de pagina Nakijken.")])


def language_label(info: library.LanguageInfo) -> str:
    """"Türkçe — Turks": the name in its own script, then in the page's language if different."""
    return info.name if info.name_ui == info.name else f"{info.name} — {info.name_ui}"
