"""Render a (translated) leaflet for a practice to an HTML string with Jinja2.

Templates live in templates/, one small template per block; a practice may override any of
them by putting a file with the same name in practices/<id>/templates/ (searched first). The
environment they are rendered in (loader, sandbox, filters, translations) is
template_environment.py; this module gives them their context: plain data only.
Everything is autoescaped, translations included.
"""

from __future__ import annotations

import base64
import gettext as gettext_module
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyphen
from markupsafe import Markup

from .. import __version__
from ..checks.contrast import mix
from ..inputs.files import InputFileError, relative_parts
from ..typeset.copyfit import FitSettings
from ..typeset.font_instances import font_face_css, paired_fonts
from ..typeset.fonts import css_family_list, font_stack, measure_em, page_families
from .typesetting import (CALLOUT_EM, Typesetting, finished, nobreak, practice_name, source_text,
                          typesetting)
from ..translate.catalogs import SOURCE_LANGUAGE, format_day, language_name, text_direction
from .inline import plain_text, render_inline
from ..inputs.logo import LOGO_MAX_BYTES, LogoShape, logo_box, sniff
from ..inputs.bundle import Bundle
from ..inputs.model import CONCEPT_MARK, Block, Leaflet, Practice
from ..inputs.note import note_lines
from .sandbox import FrozenMap, freeze
from .templates import PAGE_COUNT, PAGE_NUMBER, environment, install_translations, template_loader
from ..typeset.variants import VARIANTS

@dataclass
class RenderOptions:
    variant: str = "a4"
    bilingual: bool = False
    for_pdf: bool = True              # PDF: file: URLs the sandboxed fetcher allows; HTML: self-contained
    asset_url: Callable[[Path], str] | None = None  # HTML output: how a font file is linked
    extra: dict = field(default_factory=dict)       # later stages (QR code, …) add context here
    # False: the stylesheets are left out of the page, for render_pdf(stylesheets=
    # page_stylesheets(...)) to apply them parsed once per process (the main pipeline does).
    inline_css: bool = True
    fit: FitSettings | None = None   # copy-fitting's setting of this layout (None: as designed)


def can_hyphenate(lang: str) -> bool:
    """Whether WeasyPrint (through pyphen) has a hyphenation dictionary for `lang`."""
    return pyphen.language_fallback(lang.replace("-", "_")) is not None


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def block_views(leaflet: Leaflet, source: Leaflet | None,
                image_url: Callable[[str], str] = lambda src: "",
                setting: Typesetting | None = None) -> list[dict]:
    """What the block templates need: each block with its texts rendered to safe HTML (with the
    typographic finish of `setting`), and an image's address already made (`image_url`: a file:
    URL for the PDF, a data: URL for the HTML)."""
    setting = setting or Typesetting(column_mm=140, body_pt=13)
    views = []
    missing = set(leaflet.missing)
    fallback = Markup(f' lang="{SOURCE_LANGUAGE}" dir="{text_direction(SOURCE_LANGUAGE)}"')

    def attrs(text: str) -> Markup:
        """A unit that fell back to Dutch (a DRAFT) is marked as Dutch, for screen readers and bidi."""
        return fallback if leaflet.language != SOURCE_LANGUAGE and text in missing else Markup("")

    def lang_of(text: str) -> str:
        """The language a unit is shown in: Dutch where a DRAFT fell back to it (its quotes too)."""
        return SOURCE_LANGUAGE if text in missing else leaflet.language

    blocks = leaflet.blocks
    source_blocks = source.blocks if source is not None else (None,) * len(blocks)
    for index, (block, original) in enumerate(zip(blocks, source_blocks)):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        view = _view(block, following, attrs, lang_of, setting, image_url)
        view["source"] = _view(original, following, lambda text: Markup(""),
                               lambda text: SOURCE_LANGUAGE, setting, image_url) \
            if original is not None else None
        views.append(view)
    return views


def _view(block: Block, following: Block | None, attrs, lang_of, setting: Typesetting,
          image_url) -> dict:
    compounds = setting.large_print
    if block.kind == "heading":
        html = finished(block.text, lang_of(block.text), setting, setting.heading_em(block.level))
    elif block.kind == "callout":
        html = finished(block.text, lang_of(block.text), setting, CALLOUT_EM)
    else:
        html = render_inline(block.text, lang_of(block.text),
                             keep_compounds=compounds and block.kind != "image",
                             whole_last_word=block.kind == "paragraph")
    return {
        "kind": block.kind,
        "level": block.level,
        "ordered": block.ordered,
        "html": html,
        "items": [render_inline(item, lang_of(item), keep_compounds=compounds, whole_last_word=True)
                  for item in block.items],
        "alt": plain_text(block.text),
        "src": block.src,
        "url": image_url(block.src) if block.kind == "image" else "",
        # A paragraph that introduces a list ("Veelvoorkomende symptomen …:") is set as its lead-in.
        "lead_in": block.kind == "paragraph" and following is not None and following.kind == "list",
        "attrs": attrs(block.text) if block.kind != "list" else Markup(""),
        "item_attrs": [attrs(item) for item in block.items],
    }


def _fallback_attrs(leaflet: Leaflet, text: str) -> Markup:
    if leaflet.language != SOURCE_LANGUAGE and text and text in leaflet.missing:
        return Markup(f' lang="{SOURCE_LANGUAGE}" dir="{text_direction(SOURCE_LANGUAGE)}"')
    return Markup("")


def _families(leaflet: Leaflet, options: RenderOptions, source: Leaflet | None) -> tuple[str, ...]:
    bilingual = options.bilingual and source is not None
    return page_families(leaflet.language, source.language if bilingual else None)


def page_stylesheets(bundle: Bundle, leaflet: Leaflet, options: RenderOptions,
                     source: Leaflet | None = None) -> tuple[str, str]:
    """The leaflet's two stylesheets: its @font-face rules, and leaflet.css (the practice's own
    copy in practices/<id>/templates/ if it has one)."""
    if options.for_pdf:
        url_for = lambda path: path.as_uri()  # noqa: E731 - served by the sandboxed fetcher
    else:
        url_for = options.asset_url or (lambda path: path.as_uri())
    stylesheet = template_loader(bundle.project, bundle.practice).get_source(None, "leaflet.css")[0]
    families = _families(leaflet, options, source)
    fonts = [font for font in bundle.fonts if font.face.family in families]
    return font_face_css(fonts, url_for), stylesheet


def render_html(bundle: Bundle, leaflet: Leaflet, translations: gettext_module.NullTranslations,
                options: RenderOptions, source: Leaflet | None = None) -> str:
    """The leaflet as one HTML document (for WeasyPrint, or to save beside the PDF), from the
    bundle's templates: `leaflet` as translated, with the template strings' `translations`."""
    env = environment(bundle.project, bundle.practice)
    install_translations(env, translations)
    context = template_context(bundle, leaflet, options, source)
    return env.get_template("leaflet.html.j2").render(context)


def leaflet_view(leaflet: Leaflet) -> dict:
    """What templates may know of a leaflet: its texts and dates (no path, no methods)."""
    return {"id": leaflet.id, "title": leaflet.title, "language": leaflet.language,
            "version": leaflet.version, "published": leaflet.published, "review": leaflet.review,
            "author": leaflet.author, "source": leaflet.source}


def practice_view(practice: Practice) -> dict:
    """What templates may know of a practice: its name, colour and contact details. Not its logo
    file or its folder: the page gets the logo as `logo_src`, an address already made."""
    return {"id": practice.id, "name": practice.name, "color": practice.color,
            "address": practice.address, "phone": practice.phone, "email": practice.email,
            "website": practice.website}


def template_context(bundle: Bundle, leaflet: Leaflet, options: RenderOptions,
                     source: Leaflet | None = None) -> FrozenMap:
    """Everything a leaflet's templates receive: plain, read-only data (sandbox.freeze refuses
    anything else, a path or an object with methods, before a template runs)."""
    practice = bundle.practice
    lang = leaflet.language
    variant = VARIANTS[options.variant]
    families = _families(leaflet, options, source)
    logo_src = ""
    if practice.logo is not None:
        logo_src = bundle.url_path(practice.logo).as_uri() if options.for_pdf else data_uri(bundle.logo(),
                                                                            practice.logo_type)
    font_css, stylesheet = page_stylesheets(bundle, leaflet, options, source) \
        if options.inline_css else ("", "")

    def image_url(src: str) -> str:
        """A leaflet image (a file in leaflets/): a file: URL for the PDF, embedded for the HTML.
        Its bytes are the bundle's (the leaflet's checks refused a link already)."""
        try:
            path = Path(os.path.normpath(bundle.root / "leaflets" / "/".join(relative_parts(src))))
        except InputFileError:
            return ""
        data = bundle.file(path)
        if data is None or len(data) > LOGO_MAX_BYTES:
            return ""
        path = Path(os.path.normpath(bundle.root / "leaflets" / src))
        if options.for_pdf:
            return bundle.url_path(path).as_uri()
        return "data:%s;base64,%s" % (sniff(data) or "application/octet-stream",
                                      base64.b64encode(data).decode("ascii"))

    author = practice.name or leaflet.author
    bilingual = source if options.bilingual else None
    fit = options.fit or FitSettings()
    body_pt = fit.body_pt(variant)
    if bilingual is not None and variant.bilingual_columns:
        # Two columns of about 32 characters: larger type would make them narrower still (and
        # hyphenate more); they are set more openly by their spacing only.
        body_pt = min(body_pt, variant.body_pt)
    setting = typesetting(variant, bilingual is not None, lang, body_pt, fit.binds)
    paired = paired_fonts(lang, SOURCE_LANGUAGE, source_text(source)) if bilingual else None
    title_lang = SOURCE_LANGUAGE if leaflet.title in leaflet.missing else lang
    logo_width, logo_height = logo_box(LogoShape(*practice.logo_shape), variant.logo)
    context = {
        "lang": lang,
        "dir": text_direction(lang),
        "leaflet": leaflet_view(leaflet),
        "source": leaflet_view(bilingual) if bilingual is not None else None,
        "source_lang": SOURCE_LANGUAGE,
        "source_dir": text_direction(SOURCE_LANGUAGE),
        "language_label": language_name(lang),
        "source_label": language_name(SOURCE_LANGUAGE),
        "source_font_family": Markup(css_family_list(paired.source_stack if paired
                                                      else font_stack(SOURCE_LANGUAGE))),
        "source_scale": paired.source_scale if paired else 1.0,
        "blocks": block_views(leaflet, bilingual, image_url, setting),
        "title_html": finished(leaflet.title, title_lang, setting, setting.title_em),
        "source_title_html": finished(source.title, SOURCE_LANGUAGE, setting, setting.title_em)
        if bilingual else "",
        "practice": practice_view(practice),
        # The header is across the page, also above two columns.
        "practice_name_html": practice_name(practice.name, typesetting(variant, False, lang, body_pt))
        if practice.name else "",
        "logo_src": logo_src,
        "logo_width": f"{logo_width:g}mm",
        "logo_height": f"{logo_height:g}mm",
        "brand": practice.color,
        "brand_tint": mix(practice.color, "#ffffff", 0.10),
        "variant": {"name": variant.name, "page_size": variant.page_size, "body_pt": variant.body_pt,
                    "bilingual_columns": variant.bilingual_columns},
        "page_size": variant.page_size,
        "page_css": Markup(variant.page_css(draft=leaflet.is_draft)),
        # hyphens: auto only where a dictionary exists (pyphen has none for tr or ar).
        "hyphenate": can_hyphenate(lang) and variant.hyphenate,
        "hyphenate_source": variant.hyphenate,
        "body_pt": f"{body_pt:g}",
        "space": f"{fit.space(variant):g}",
        "measure": f"{measure_em(lang):g}em",
        "fit_rules": Markup(fit.css_rules()),
        "font_css": Markup(font_css),
        "font_family": Markup(css_family_list(families)),
        "stylesheet": Markup(stylesheet.replace("</", "<\\/")),
        "title": plain_text(leaflet.title),
        "author": author,
        # A date is never broken across lines ("1 november / 2027").
        "published": nobreak(format_day(leaflet.published, lang, bundle.project)),
        "review": nobreak(format_day(leaflet.review, lang, bundle.project)),
        "created": leaflet.published.isoformat(),
        "generator": f"leafletgen {__version__}",
        # Stand-ins that css_text writes as the counters the footer fills in on every page.
        "page_number": Markup(PAGE_NUMBER),
        "page_count": Markup(PAGE_COUNT),
        "title_attrs": Markup(f' lang="{SOURCE_LANGUAGE}" dir="{text_direction(SOURCE_LANGUAGE)}"')
        if leaflet.language != SOURCE_LANGUAGE and leaflet.title in leaflet.missing else Markup(""),
        "draft": leaflet.is_draft,
        "concept": leaflet.concept,
        "concept_mark": CONCEPT_MARK,
        # The personal note, line by line with each line's direction (dir="auto" for browsers).
        "note": note_lines(bundle.request.note),
        "missing_count": len(leaflet.missing),
        # The colophon's author and source lines are units too: marked Dutch when they fell back.
        "author_attrs": _fallback_attrs(leaflet, leaflet.author),
        "source_attrs": _fallback_attrs(leaflet, leaflet.source),
        # How it was translated and whether it was reviewed (review_state.translation_note); None in Dutch.
        "translation": None,
        **options.extra,
    }
    return freeze(context)
