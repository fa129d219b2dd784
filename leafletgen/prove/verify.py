"""Is a PDF still what the sources say? `generate.py verify PATH…`.

The PDF's metadata (metadata.py) says which leaflet, version, language, practice and variant
it is. From the project's sources as they are now, the approved texts of that document are
gathered again (the same as the proof's), and the PDF's own text layer is read back and
compared with them: every unit present, complete, in order, no other word. A mark alone proves
nothing; the words are what is checked. The digest of the inputs in the mark only says why
they differ: the sources changed since (make it again) or the file did (altered).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf

from ..errors import UserError
from ..inputs.project import DEFAULT_PRACTICE_ID, Project
from ..request import BuildRequest
from .metadata import DocumentMark, PackPart, read_mark, read_pack, xmp_packet

CURRENT, DIFFERS, OLDER, NEWER, UNKNOWN, NOT_OURS = (
    "current", "text differs", "older version", "newer than the sources", "cannot be checked",
    "not a leafletgen PDF")
PDF_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Verdict:
    """What one file is and whether it is current: `state` one of the names above, `details`
    the lines that say why (a unit missing, the newer version)."""

    path: str
    state: str
    what: str = ""                      # "lage-rugklachten 1.0, tr, fysio-delinde, a4"
    details: list[str] = field(default_factory=list)
    parts: list[Verdict] = field(default_factory=list)     # a patient pack's leaflets

    @property
    def current(self) -> bool:
        return self.state == CURRENT

    def lines(self) -> list[str]:
        head = f"{self.path}: {self.what + ': ' if self.what else ''}{self.state}"
        return [head] + [f"  {line}" for line in self.details]


def describe_mark(mark: DocumentMark) -> str:
    parts = [f"{mark.leaflet} {mark.version}", mark.language, mark.practice, mark.variant]
    parts += ["bilingual"] if mark.bilingual else []
    parts += ["draft"] if mark.draft else []
    return ", ".join(parts)


def version_key(version: str) -> tuple:
    """How versions sort: by their numbers, then their words ("1.9" < "1.10" < "2.0")."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"[._-]", version))


def verify_file(project: Project, path: Path, shown: str) -> Verdict:
    """The verdict on the PDF at `path` (named `shown` in the report)."""
    try:
        with open(path, "rb") as file:
            data = file.read(PDF_MAX_BYTES + 1)
    except OSError as exc:
        return Verdict(shown, UNKNOWN, details=[f"cannot be read: {exc.strerror or exc}"])
    if len(data) > PDF_MAX_BYTES:
        return Verdict(shown, NOT_OURS, details=[f"larger than {PDF_MAX_BYTES // (1024 * 1024)} MB"])
    return verify_pdf(project, data, shown)


def verify_pdf(project: Project, data: bytes, shown: str) -> Verdict:
    """The verdict on a PDF's bytes (see the module's description); a patient pack's is its
    leaflets' verdicts, each on its own pages."""
    try:
        packet = xmp_packet(data)
        mark, pack = read_mark(data, packet), read_pack(data, packet)
    except (pikepdf.PdfError, ValueError):
        return Verdict(shown, NOT_OURS, details=["not a PDF file, or a damaged one"])
    if mark is not None:
        return verify_marked(project, mark, data, shown)
    if pack is not None:
        return verify_pack(project, pack, data, shown)
    return Verdict(shown, NOT_OURS, details=["it has no leafletgen metadata (made by another "
                                             "program, or saved again by one that dropped it)"])


# The order in which a pack's verdict takes its leaflets' states: the first one any leaflet has.
WORST_FIRST = (NOT_OURS, DIFFERS, OLDER, NEWER, UNKNOWN, CURRENT)


def verify_pack(project: Project, pack: list[PackPart], data: bytes, shown: str) -> Verdict:
    """A patient pack's verdict: each leaflet's, on its own pages (cut out of the pack), and
    the pack current only when every leaflet is. Pages outside every leaflet may only be blank."""
    with pikepdf.open(io.BytesIO(data)) as document:
        total = len(document.pages)
        if pack[-1].first + pack[-1].pages > total:
            return Verdict(shown, DIFFERS, f"patient pack of {len(pack)} leaflets",
                           [f"it has {total} pages; its leaflets say {pack[-1].first + pack[-1].pages}"])
        cut = [_pages(document, part.first, part.pages) for part in pack]
        used = {page for part in pack for page in range(part.first, part.first + part.pages)}
        written = [number + 1 for number in range(total) if number not in used
                   and _shows_anything(document.pages[number])]
    sources = [_sources(project, part.mark) for part in pack]   # each leaflet's, loaded once
    # A pack is never printed with a personal note: a part that claims one is checked as without.
    parts = [verify_marked(project, replace(part.mark, note=False), pages,
                           f"pages {part.first + 1}-{part.first + part.pages}", found)
             for part, pages, found in zip(pack, cut, sources)]
    state = next(state for state in WORST_FIRST if state in {part.state for part in parts} | {CURRENT})
    details = [line for part in parts for line in part.lines()]
    if written:
        state = DIFFERS
        details.append(f"page {', '.join(map(str, written))}: text outside every leaflet of the pack")
    strings = pack_string_differences(sources, data)
    if strings:
        state = DIFFERS
        details += strings
    return Verdict(shown, state, f"patient pack of {len(pack)} leaflets", details, parts)


def _pages(document: pikepdf.Pdf, first: int, count: int) -> bytes:
    """Some pages of a PDF as a PDF of their own."""
    out = pikepdf.new()
    out.pages.extend(document.pages[first:first + count])
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _shows_anything(page: pikepdf.Page) -> bool:
    """Whether a page shows anything: text, an image, a drawing or an annotation (a pack's
    blank page has none)."""
    if len(page.obj.get("/Annots", pikepdf.Array())):
        return True
    return any(str(operator) in ("Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "B", "b", "sh")
               for _, operator in pikepdf.parse_content_stream(page))


class Sources:
    """What a mark's document is made from now: its bundle, loaded once, and the texts it
    approves, gathered once when first asked (a pack asks for each leaflet's twice)."""

    def __init__(self, bundle):
        self.bundle = bundle
        self._approved = None

    @property
    def approved(self):
        if self._approved is None:
            self._approved = approved_texts(self.bundle)
        return self._approved


def _sources(project: Project, mark: DocumentMark) -> Sources | UserError:
    from ..inputs.bundle import load_bundle

    try:
        return Sources(load_bundle(project, _request(mark)))
    except UserError as exc:
        return exc


def verify_marked(project: Project, mark: DocumentMark, data: bytes, shown: str,
                  sources: Sources | UserError | None = None) -> Verdict:
    """The verdict on a PDF whose mark is `mark` (`sources`: its sources, if loaded already)."""
    verdict = Verdict(shown, CURRENT, describe_mark(mark))
    sources = sources if sources is not None else _sources(project, mark)
    if isinstance(sources, UserError):
        return replace(verdict, state=UNKNOWN,
                       details=["its sources cannot be read now: " + str(sources.problems[0])])
    bundle = sources.bundle
    version = bundle.leaflet.version
    if version != mark.version:
        older = version_key(mark.version) < version_key(version)
        return replace(verdict, state=OLDER if older else NEWER, details=[
            f"made from version {mark.version}; "
            + (f"a newer version exists: {version}" if older else f"the leaflet's version here is {version}")
            + " (its text was not compared: only the current version's text is known here)"])
    try:
        differences = text_differences(sources, data, mark.note)
    except UserError as exc:       # e.g. its translation is no longer complete
        return replace(verdict, state=UNKNOWN,
                       details=["its sources cannot make it now: " + str(exc.problems[0])])
    if mark.note:
        verdict.details.append(NOTE_NOT_CHECKED)
    if not differences:
        if bundle.digest != mark.inputs:
            verdict.details.append("its words are the current approved text (the files it was made "
                                   "from changed since, not its words)")
        return verdict
    cause = ("altered after it was made: its sources are the ones it was made from"
             if bundle.digest == mark.inputs else
             "its sources changed since it was made (a translation or the practice's details?): "
             "make it again")
    return replace(verdict, state=DIFFERS, details=differences + [cause] + verdict.details)


def approved_texts(bundle):
    """What the bundle's document may say, as the proof gathers it (prove.stage.approved_for)."""
    from .. import render
    from ..markup.qr import qr_context
    from ..translate.review.state import document_review
    from .stage import approved_for

    request = bundle.request
    translated = render.translate(bundle)
    source = bundle.leaflet if request.side_by_side else None
    _, note = document_review(bundle.review, bundle.practice, request.lang, bundle.leaflet,
                              True, bundle.project)
    qr = qr_context(bundle.practice, bundle.leaflet.id, request.lang, request.variant)["qr"]
    return approved_for(bundle, translated, source, note, qr)


NOTE_NOT_CHECKED = "contains a personal note (not checked)"


def text_differences(sources: Sources, data: bytes, note: bool = False) -> list[str]:
    """What in the PDF's text (and its alt texts, bookmarks, links, title) is not the approved
    text of the sources' document, one line each; [] when it is exactly that. With a personal
    `note` (its words are known only to the patient's copy), words added on the page are taken
    as the note: not compared, never quoted."""
    from ..translate.catalogs import text_direction
    from .compare import compare
    from .fold import fold
    from .proof import describe
    from .reading import read_booklet, read_pdf
    from .stage import GENERATOR
    from .strings import pdf_strings, unapproved_strings

    request = sources.bundle.request
    approved = sources.approved
    rtl = text_direction(request.lang) == "rtl"
    pages = read_booklet(data, rtl) if request.variant == "booklet" else read_pdf(data, rtl)
    text = "\n".join(line for page in pages for line in page.lines)
    lines = [describe(difference, "") for difference in compare(fold(text), approved.expected())
             if not (note and difference.kind == "added")]
    lines += [f"{item.where} '{item.text[:80]}' is not an approved text"
              for item in unapproved_strings(pdf_strings(data), approved, GENERATOR)]
    return lines


def pack_string_differences(sources: list[Sources | UserError], data: bytes) -> list[str]:
    """The pack's own strings (its title, bookmarks, alt texts, links, notes) that no leaflet of
    it approves, one line each; [] also when a leaflet cannot be made now (said per leaflet)."""
    from .stage import GENERATOR
    from .strings import pdf_strings, unapproved_strings

    parts = []
    for found in sources:
        if isinstance(found, UserError):
            return []
        try:
            parts.append(found.approved)
        except UserError:
            return []
    union = replace(parts[0], **{name: tuple(item for texts in parts for item in getattr(texts, name))
                                 for name in ("tracks", "strings", "templates", "alts", "links")}, note="")
    return [f"{item.where} '{item.text[:80]}' is not an approved text"
            for item in unapproved_strings(pdf_strings(data), union, GENERATOR)]


def _request(mark: DocumentMark) -> BuildRequest:
    return BuildRequest(mark.leaflet, mark.language, None if mark.practice == DEFAULT_PRACTICE_ID else mark.practice,
                        mark.variant, mark.bilingual, allow_draft=mark.draft)
