"""Stage 1: everything one document is made from, read once, checked, and hashed.

    bundle = load_bundle(project, BuildRequest("lage-rugklachten", "tr", "fysio-delinde"))
    bundle.leaflet, bundle.practice, bundle.catalog, bundle.template_translations, bundle.review
    bundle.parts, bundle.digest          # what it is made of, hashed from the bytes it holds

`load_bundle` reads each file the document is made from once (inputs.reading.InputFiles): the
leaflet and its pictures, the practice's profile, folder and logo, the language's catalogs and
review record, our templates; and takes the page's font files from the installed package. It
parses and checks them from those bytes, and hashes the same bytes with the plan's formulas
(inputs.digest), so `parts` says exactly what the later stages render from. Then the reading is
sealed: the later stages take the bundle as an argument, and what they read of the project
(`bundle.project`: templates for Jinja's loader, files for WeasyPrint's fetcher) is what was read
here, or nothing.

`wire()` and `replay()` carry a bundle to a machine that has none of the project (a Dask worker):
the record of the reading and its bytes, from which the same loaders make the same bundle.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..errors import Problem, UserError
from .files import InputFileError, inside
from ..typeset.fonts import FontFace, font_faces, package_file, package_file_digest
from .model import CONCEPT_MARK, Leaflet, Practice
from .project import SOURCE_LANGUAGE, TEMPLATE_DOMAIN, Project
from ..request import BuildRequest
from .digest import FILE_MAX_BYTES, combine, document_families, document_parts, fonts_digest
from .reading import InputFiles, NotRecorded


# File: URLs name the project's files in this folder, wherever the project lies: WeasyPrint names
# an image in the PDF after its URL, so the same files make the same bytes in any folder.
URL_ROOT = Path("/leafletgen-project")


def shown_urls(text: str) -> str:
    """`text` (a warning) with each file: URL of a project file written as its path in the project."""
    return text.replace(URL_ROOT.as_uri() + "/", "")


@dataclass(frozen=True)
class FontFile:
    """A font file WeasyPrint reads for a page: the face, its file (a static instance of a variable
    face), and the file's bytes, from the installed package."""

    face: FontFace
    path: Path
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Bundle:
    """Everything one document is made from (see the module's description)."""

    request: BuildRequest
    project: Project                     # reads only what the loading read (`files`)
    leaflet: Leaflet                     # in Dutch, as written, checked
    practice: Practice
    catalog: object                      # babel Catalog of the leaflet in the language; None in Dutch
    template_catalog: object             # babel Catalog of the template strings; None in Dutch
    template_msgids: tuple               # the template strings our templates hold now
    template_translations: gettext.NullTranslations
    review: object                       # review_state.ReviewState; None in Dutch
    fonts: tuple[FontFile, ...]          # the page's font files
    parts: dict[str, str]                # digest of each part (inputs.digest.PARTS)

    @property
    def files(self) -> InputFiles:
        """Every project file read for this document, as read."""
        return self.project.files

    @property
    def digest(self) -> str:
        """The digest of everything the document is made from (the tool aside)."""
        return combine(*[f"{name}={value}" for name, value in sorted(self.parts.items())])

    @cached_property
    def root(self) -> Path:
        """The project folder (resolved)."""
        return self.project.root.resolve()

    def url_path(self, path: Path) -> Path:
        """The path a file: URL names a file of the project by (in URL_ROOT); any other as it is."""
        relative = self._relative(path)
        return URL_ROOT / relative if relative is not None else Path(path)

    def _relative(self, path: Path) -> str | None:
        """A file of the project, relative to it, from its path or its URL's (`url_path`)."""
        for base in (URL_ROOT, self.root, self.project.root):
            relative = inside(path, base)
            if relative is not None:
                return relative
        return None

    def logo(self) -> bytes | None:
        """The logo's bytes (checked by the practice's loader); None without a logo."""
        if self.practice.logo is None:
            return None
        return self.file(self.practice.logo)

    def file(self, path: Path) -> bytes | None:
        """The bytes of a project file read for this document (by its absolute path or its
        URL's), or None."""
        relative = self._relative(path)
        if relative is None:
            return None
        try:
            return self.project.read(relative, FILE_MAX_BYTES)
        except (InputFileError, NotRecorded):
            return None

    def assets(self, with_practice: bool = True):
        """What WeasyPrint may read of this bundle (typeset.pdf.make_fetcher's `assets`): by
        absolute path, (bytes, digest) of a file of our templates, of the leaflet and its
        pictures, a font file of the page and, `with_practice`, a file of the practice's folder
        and its logo; (size, None) for one of them too large to read; None for anything else."""
        fonts = {font.path: font for font in self.fonts}
        folder = f"practices/{self.practice.id}/"
        logo = self._relative(self.practice.logo) if self.practice.logo is not None else None

        def asset(path: Path):
            font = fonts.get(path)
            if font is not None:
                return font.data, package_file_digest(font.path)
            relative = self._relative(path)
            if relative is None or not (relative.startswith(("templates/", "leaflets/")) or with_practice
                                        and (relative.startswith(folder) or relative == logo)):
                return None
            try:
                data = self.project.read(relative, FILE_MAX_BYTES)
            except InputFileError as exc:
                return (self.files.sizes.get(relative, 0), None) if exc.kind == "too large" else None
            except NotRecorded:
                return None
            return data, self.files.file(self.project.root / relative)

        return asset

    # -- the texts a document may print

    def approved_texts(self, translated: Leaflet) -> dict[str, list[str]]:
        """What a document of this bundle may say, by source: the leaflet's units in its
        language (`translated`, stage 2's leaflet) and in Dutch, the template strings in the
        language, the practice's contact details, a draft's concept mark, and the personal
        note of this document's request (approved for this document only)."""
        strings = []
        for msgid in self.template_msgids:
            if isinstance(msgid, str):
                strings.append(self.template_translations.gettext(msgid))
            else:
                strings += [self.template_translations.ngettext(msgid[0], msgid[1], n) for n in (1, 2)]
        practice = self.practice
        return {
            "units": [text for _, _, text in translated.units()],
            "source_units": [text for _, _, text in self.leaflet.units()],
            "template_strings": strings,
            "profile": [value for value in (practice.name, practice.address, practice.phone,
                                            practice.email, practice.website) if value],
            "concept_mark": list(CONCEPT_MARK) if self.leaflet.concept else [],
            "note": [line for line in self.request.note.split("\n") if line],
        }

    # -- across machines

    def wire(self) -> tuple[dict, dict[str, bytes]]:
        """The bundle as plain data (the record of its reading, and the bytes by digest)."""
        record, blobs = self.files.wire()
        return {"request": self.request, "reading": record, "parts": dict(self.parts)}, blobs


def load_bundle(project: Project, request: BuildRequest) -> Bundle:
    """Read, check and hash everything `request`'s document is made from. UserError: every
    problem of the leaflet, practice, language and variant at once; then those of the catalogs
    and the review record."""
    return _load(replace(project, files=InputFiles(project.root, project.defaults)), request)


def replay(wire: dict, blobs: dict[str, bytes]) -> Bundle:
    """The bundle `Bundle.wire` describes, made again from its bytes alone (no disk). Its parts
    must be the ones sent: else the two machines do not read the same bytes the same way."""
    files = InputFiles.replay(wire["reading"], blobs)
    bundle = _load(Project(files.root, files=files), wire["request"])
    if bundle.parts != wire["parts"]:
        differ = sorted(name for name in bundle.parts if bundle.parts[name] != wire["parts"].get(name))
        raise UserError(f"{wire['request'].key}: its inputs read differently here ({', '.join(differ)}); "
                        "install the same leafletgen on every machine")
    return bundle


def load_inputs(project: Project, request: BuildRequest) -> tuple[Leaflet, Practice]:
    """Read and validate the leaflet and the practice, and check the language and the variant:
    every problem at once."""
    from .leaflet import load_leaflet
    from ..translate.catalogs import check_language
    from .practice import load_practice
    from ..typeset.variants import VARIANTS

    problems: list[Problem | str] = []
    leaflet = practice = None
    try:
        leaflet = load_leaflet(project, request.leaflet, request.from_draft, request.draft_text)
    except UserError as exc:
        problems += exc.problems
    try:
        practice = load_practice(project, request.practice)
    except UserError as exc:
        problems += exc.problems
    try:
        check_language(project, request.lang)
    except UserError as exc:
        problems += exc.problems
    if request.from_draft and request.lang != SOURCE_LANGUAGE:
        problems.append(f"leaflets/drafts/{request.leaflet}.md: a draft is printed in Dutch only; "
                        "its translations follow once it is published")
    if request.note:
        from ..translate.languages import language_table
        from .note import note_problems

        scripts = language_table(project, request.lang).scripts
        problems += [Problem("personal note", message) for _field, message in note_problems(request.note, scripts)]
    if project.kind("templates") in ("file", "other"):   # read as missing, it would not be ours either
        problems.append(Problem("templates", "is not a folder; make it a folder of templates, or remove "
                                             "it to use leafletgen's"))
    if request.variant not in VARIANTS:
        problems.append(f"unknown variant {request.variant!r}; known variants: {', '.join(VARIANTS)}")
    if problems:
        raise UserError(problems)
    assert leaflet is not None and practice is not None
    return leaflet, practice


def _load(reading: Project, request: BuildRequest) -> Bundle:
    from ..translate.catalog_checks import check_catalogs
    from ..translate.extract import template_msgids
    from ..translate.catalogs import load_catalog, template_translations
    from ..translate.languages import language_table
    from ..translate.review.state import review_state

    # The leaflet, the practice, the language and the variant: every problem at once.
    leaflet, practice = load_inputs(reading, request)
    lang = request.lang
    catalog = template_catalog = review = None
    if lang != SOURCE_LANGUAGE:
        # The catalogs are input too: bad syntax, or a translation that adds a link or HTML, is
        # refused before they are used; then the review record.
        check_catalogs(reading, lang, [leaflet.id, TEMPLATE_DOMAIN])
        catalog = load_catalog(reading, leaflet.id, lang)
        template_catalog = load_catalog(reading, TEMPLATE_DOMAIN, lang)
        review = review_state(reading, leaflet, lang)
        language_table(reading, lang)        # how its dates are written (read now, used later)
    msgids = tuple(template_msgids(reading))
    translations = template_translations(reading, lang)
    families = document_families(request)
    fonts = page_fonts(families)
    images = sorted({block.src for block in leaflet.blocks if block.kind == "image" and block.src})
    parts = document_parts(reading, reading.files, request, images,
                           fonts_digest(package_file_digest, families))
    reading.files.seal()
    return Bundle(request, reading, leaflet, practice, catalog, template_catalog, msgids,
                  translations, review, fonts, parts)


def page_fonts(families: tuple[str, ...]) -> tuple[FontFile, ...]:
    """The font files of `families`, as @font-face rules name them (font_files.face_file: the
    static instance of a variable face, made now if this machine has not got it yet)."""
    from ..typeset.font_instances import face_file

    found = []
    for face in font_faces():
        if face.family in families:
            path = face_file(face)
            found.append(FontFile(face, path, package_file(path)))
    return tuple(found)

