"""The text proof of one rendered document, before anything is written.

    prove_document(subject, approved, layout_pages, pdf, html, rtl=False)

raises `ProofFailed` (a UserError: the document is not written) when
- a unit of the approved text is missing from the PDF's text layer, incomplete, out of order,
  or any word stands there that no approved source holds (compare.py);
- text on the laid-out pages cannot be seen: tiny, transparent, too faint, clipped, outside
  the page, painted over (visibility.py); or the text layer holds text no visible box drew
  (an SVG's text outside its logo's box);
- an alt text, /ActualText, bookmark, link target or the document's title, author or subject
  is not an approved text (strings.py);
- the HTML copy's text, alt texts, link targets or the strings its styles add fail the same
  word check (html_copy.py).
A personal note is approved for its document only and is never quoted in a report.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import Message, UserError, shorten
from .approved import ApprovedTexts
from .compare import Difference, compare
from .fold import fold
from .html_copy import read_html
from .reading import read_pdf, stray_glyphs
from .strings import explained, layout_strings, pdf_strings, unapproved_strings
from .visibility import look_at_page

MAX_LINES = 12
NOTE_WINDOW = 8    # characters of a personal note that, found in a quote, keep it unquoted


class ProofFailed(UserError):
    """A document whose text is not its approved text: one line per difference, each with the
    code `text_proof` (the web app says so in its reader's language, without the details)."""


@dataclass(frozen=True)
class Subject:
    """Whose report: "lage-rugklachten tr", with the variant and practice when not plain."""

    leaflet: str
    lang: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.leaflet} {self.lang}{' ' + self.detail if self.detail else ''}"


def prove_document(subject: Subject, approved: ApprovedTexts, layout, pdf: bytes,
                   html: str, rtl: bool, generator: str = "") -> None:
    """Prove one document (see the module's docstring). `layout`: WeasyPrint's document `pdf`
    was written from (before a booklet is imposed)."""
    with _no_collection():
        in_pdf = pdf_findings(approved, layout, pdf, rtl, generator)
        in_html = html_findings(approved, html, generator)
    # What a style or a template added, then what cannot be seen, then the words: the first
    # lines say most about the cause.
    lines = [f"{subject}: in the HTML copy: {line}" for line in in_html if line.startswith("added by a style")]
    lines += [f"{subject}: {line}" for line in in_pdf]
    lines += [f"{subject}: in the HTML copy: {line}" for line in in_html if not line.startswith("added by a style")]
    if lines:
        if len(lines) > MAX_LINES:
            lines = lines[:MAX_LINES - 1] + [f"{subject}: … and {len(lines) - MAX_LINES + 1} more"]
        lines.append(f"{subject}: not written: its text is not the approved text")
        raise ProofFailed([Message("text_proof", line) for line in lines])


@contextmanager
def _no_collection():
    """The proof makes thousands of small objects (a glyph each) that die with it and form no
    cycles; a collection they set off would walk every box of the layout, costing more than
    the proof itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pdf_findings(approved: ApprovedTexts, layout, pdf: bytes, rtl: bool,
                 generator: str = "") -> list[str]:
    """What is wrong with the PDF: `layout` is WeasyPrint's document it was written from (its
    strings are read from there, its text's visibility judged there), or None (then the PDF's
    own strings are read, and nothing is said of what can be seen)."""
    note = fold(approved.note).chars
    looks = [look_at_page(page) for page in layout.pages] if layout is not None else []
    strings = layout_strings(layout, [alt for look in looks for alt in look.alts]) \
        if layout is not None else pdf_strings(pdf)
    lines = [f"{item.where} {_quoted(item.text, note)} is not an approved text"
             for item in unapproved_strings(strings, approved, generator)]
    pages = read_pdf(pdf, rtl)
    for number, look in enumerate(looks, start=1):
        for unseen in look.unseen:
            lines.append(f"{_quoted(unseen.text, note)} cannot be read on page {number}: {unseen.why}")
        if number <= len(pages):
            stray = stray_glyphs(pages[number - 1].glyphs, look.areas)
            if stray:
                text = "".join(glyph.text for glyph in stray)
                lines.append(f"{_quoted(text, note)} is in the PDF's text but on no visible box "
                             f"(page {number})")
    text = "\n".join(line for page in pages for line in page.lines)
    lines += [describe(d, note) for d in compare(fold(text), approved.expected())]
    return lines


def html_findings(approved: ApprovedTexts, html: str, generator: str = "") -> list[str]:
    note = fold(approved.note).chars
    copy = read_html(html)
    sayable = approved.sayable()
    lines = [f"added by a style: {_quoted(text, note)}" for text in copy.generated
             if not explained(text, sayable)]
    for where, text in copy.strings:
        if text != generator and not explained(text, sayable):
            lines.append(f"{where} {_quoted(text, note)} is not an approved text")
    lines += [describe(d, note) for d in compare(fold(copy.text), approved.expected())]
    for link in copy.links:
        if link not in approved.links and not link.startswith("#"):
            lines.append(f"link to {shorten(link)} is not an approved link")
    return lines


def _quoted(text: str, note: str) -> str:
    """'text' shortened, or a mention of the personal note instead of its words."""
    chars = fold(text).chars
    if note and any(chars[i:i + NOTE_WINDOW] in note for i in range(max(1, len(chars) - NOTE_WINDOW + 1))
                    if len(chars[i:i + NOTE_WINDOW]) == min(NOTE_WINDOW, len(note))):
        return "(words of the personal note, not quoted)"
    return f"'{shorten(text)}'"


def describe(difference: Difference, note: str) -> str:
    """One line for a difference; a personal note is named, never quoted."""
    if difference.private:
        return {"missing": "the personal note is missing on the page",
                "incomplete": "the personal note is incomplete on the page",
                "out of order": "the personal note is out of place on the page"}[difference.kind]
    unit = f"unit '{shorten(difference.text)}'"
    if difference.kind == "missing":
        return f"{unit} missing on the page"
    if difference.kind == "out of order":
        return f"{unit} out of order on the page"
    if difference.kind == "incomplete":
        return f"{unit} incomplete on the page: {_quoted(difference.detail, note)} not there"
    return f"added: {_quoted(difference.text, note)}"
