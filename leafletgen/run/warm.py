"""What the template process warms before it forks workers: only what the package ships.

The static instances of the variable fonts (made once per machine, in parallel), WeasyPrint and
the modules a render imports, the font configuration, the hyphenation patterns and Babel's locale
data of every language the package has a table for, the @font-face rules of each language's
packaged fonts parsed, and a throw-away page laid out in each language with them. Nothing of a
content folder is read here: a practice's stylesheet, templates and catalogs are read into the
document's bundle by the worker, and whatever it keeps of them is keyed by their digest.
"""

from __future__ import annotations

import logging
import os
from html import escape
from pathlib import Path

log = logging.getLogger("leafletgen.run")


def make_font_instances() -> None:
    """The static instances of variable fonts this machine has not got yet, one process per core
    (each takes seconds of fontTools' work). A failure is left to the render that needs the
    instance, which reports it (a cache folder that cannot be written)."""
    from ..typeset.font_instances import make_instance
    from ..typeset.fonts import missing_instances
    from .process import die_with_parent

    faces, running, template = missing_instances(), set(), os.getpid()
    while faces or running:
        while faces and len(running) < max(1, os.cpu_count() or 1):
            face = faces.pop(0)
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    die_with_parent(template)
                    make_instance(face)
                    code = 0
                finally:
                    os._exit(code)
            running.add(pid)
        running.discard(os.wait()[0])


def warm() -> None:
    """Warm this process (the template) with what every document needs; a failure only leaves
    it colder (the worker that renders then says what is wrong)."""
    try:
        make_font_instances()
        from ..typeset.engine import weasyprint  # noqa: F401

        from .. import render  # noqa: F401  (and every module a render imports)
        from ..typeset import pdf

        pdf.font_config()
    except Exception:  # noqa: BLE001
        log.debug("the template's warm-up ended early", exc_info=True)


def warm_languages(languages) -> None:
    """Warm this process for documents in `languages`: their hyphenation patterns and Babel's
    locale data, the @font-face rules of their packaged fonts parsed as every project's pages
    ask for them (pdf.compiled_stylesheet keeps them by their text and the page's base address,
    the same for every project; a worker uses its copy only while its bundle serves the same font
    bytes), and a throw-away page laid out in each language with them."""
    try:
        _warm_languages(sorted(languages))
    except Exception:  # noqa: BLE001
        log.debug("warming the languages ended early", exc_info=True)


def _warm_languages(languages: list[str]) -> None:
    import tomllib
    from importlib.resources import files

    import babel
    from ..typeset.engine import weasyprint

    from ..inputs.bundle import URL_ROOT, page_fonts
    from ..typeset import hyphenation, pdf
    from ..typeset.font_instances import font_face_css
    from ..typeset.fonts import css_family_list, package_file_digest, page_families

    hyphenation.preload(languages)
    base_url = (URL_ROOT / "templates").as_uri() + "/"     # as render.render_pdf_pages lays out
    for lang in languages:
        babel.Locale.parse(lang).date_formats     # noqa: B018  (loads the locale's data)
        fonts = {font.path: font for font in page_fonts(page_families(lang))}

        def assets(path, fonts=fonts):
            font = fonts.get(path)
            return None if font is None else (font.data, package_file_digest(font.path))

        css = pdf.compiled_stylesheet(font_face_css(fonts.values(), Path.as_uri), base_url, assets)[0]
        table = files("leafletgen.translate.languages") / f"{lang}.toml"
        table = tomllib.loads(table.read_text("utf-8")) if table.is_file() else {}
        words = " ".join([*table.get("numbers", {}), *table.get("register", {}).get("informal", ())])
        html = f"<style>p {{ font-family: {css_family_list(page_families(lang))}; hyphens: auto }}" \
               f'</style><p lang="{lang}">{escape(words or "Aa 0123456789")}</p>'
        weasyprint.HTML(string=html, base_url=base_url, url_fetcher=pdf.make_fetcher(assets, [])) \
            .render(font_config=pdf.font_config(), stylesheets=[css]).write_pdf()


def packaged_languages() -> list[str]:
    """The languages the package has a table for (translate/languages/<lang>.toml)."""
    from importlib.resources import files

    return sorted(entry.name[:-5] for entry in files("leafletgen.translate.languages").iterdir()
                  if entry.name.endswith(".toml"))
