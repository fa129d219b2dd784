"""The review page's refusals in the page's language: a Message's code worded for a reviewer."""

from __future__ import annotations

from ..errors import Message, Problem
from .i18n import N_, _
from .messages import MESSAGES, problem_text

WORDS = {
    # Translators: The review page: a unit to approve or correct is no longer in the leaflet.
    "approve_unknown": N_("Deze zin staat niet meer in de folder. Laad de pagina opnieuw."),
    "unit_gone": N_("Deze zin staat niet meer in de folder. Laad de pagina opnieuw."),
    # Translators: The review page: a unit without a translation (or one marked as needing work)
    # cannot be approved.
    "approve_untranslated": N_("Deze zin heeft nog geen bruikbare vertaling. Vul eerst de vertaling in "
                               "en sla die op."),
    # Translators: The review page: the translation was changed (by someone else) after the page was
    # opened, so the approval is not recorded.
    "approve_changed": N_("De vertaling van deze zin is veranderd sinds u de pagina opende. Lees de "
                          "nieuwe vertaling en keur die dan goed."),
    # Translators: The review page: the person signed in is recorded as the translator of this
    # translation; a translation is reviewed by someone else. %(name)s is their name.
    "reviewer_is_translator": N_("%(name)s staat als vertaler van deze vertaling vermeld. Nakijken doet "
                                 "iemand anders dan de vertaler."),
    # Translators: The review page: a unit was approved by the translator; the review cannot be
    # recorded until another person approves it.
    "approver_is_translator": N_("Een zin is goedgekeurd door de vertaler zelf. Laat die zin door "
                                 "iemand anders goedkeuren."),
    # Translators: The review page: the review record does not say who translated the leaflet and how.
    "no_translation_method": N_("Er staat niet bij wie de folder vertaald heeft en hoe. Vraag de "
                                "beheerder dat in te vullen."),
    # Translators: The review page: the translation is not finished, or its file has errors.
    "review_incomplete": N_("De vertaling is niet af of heeft fouten. Alleen een volledige vertaling "
                            "kan nagekeken worden."),
    # Translators: The review page: units still to approve before the review can be recorded;
    # %(count)s is a number of units (sentences, headings).
    "units_not_approved": N_("Nog %(count)s zinnen zijn niet goedgekeurd."),
    # Translators: The review page on this computer without accounts: approving and recording need
    # a person's own account, because the record names who reviewed.
    "needs_account": N_("Goedkeuren en vastleggen gebeurt onder uw eigen account: de controle noemt "
                        "wie nakeek. Laat de beheerder de app met accounts starten."),
    # Translators: The review page: a question about the Dutch text is empty.
    "question_empty": N_("Schrijf eerst uw vraag."),
    # Translators: The review page: a question is too long; %(max_length)s and %(length)s are
    # numbers of characters.
    "question_too_long": N_("Deze vraag is te lang: hoogstens %(max_length)s tekens, nu %(length)s."),
    # Translators: The review page: a question holds invisible or unprintable characters.
    "question_unprintable": N_("In uw vraag staat een onzichtbaar teken of een teken dat niet gedrukt "
                               "kan worden. Typ de vraag opnieuw in."),
    # Translators: The review page: the leaflet has too many open questions; %(max)s is a number.
    "too_many_questions": N_("Deze folder heeft al %(max)s open vragen. Laat de redactie die eerst "
                             "beantwoorden."),
    # Translators: The review page: the file with questions about the leaflet cannot be read or
    # written; the person who manages the computer must fix it.
    "questions_unreadable": N_("Het bestand met vragen bij deze folder kan niet gelezen worden. Laat "
                               "dit herstellen door wie de computer beheert."),
    "questions_link": N_("Het bestand met vragen bij deze folder kan niet gelezen worden. Laat dit "
                         "herstellen door wie de computer beheert."),
}


def refusal_text(message: Message) -> str:
    """A refusal of the review page (or of the shared checks) in the page's language."""
    if message.code in WORDS:
        try:
            return _(WORDS[message.code], **message.params)
        except (KeyError, ValueError, TypeError):
            return _(WORDS[message.code])
    if message.code in MESSAGES:
        return problem_text(Problem("", message))
    return problem_text(Problem("", Message("", str(message))))
