"""What the footer costs a document, against the running element it replaced (a script).

    python benchmarks/bench_footer.py [--rounds 12] [--langs nl de ar]

For each language it renders the shipped leaflet for the example practice, A4, once through the
whole pipeline (`render_document`), keeps the page WeasyPrint is given (its HTML, stylesheets and
the files it may read), and then lays that page out and writes it (`typeset.pdf.lay_out` and
`write_pdf`, as a worker does; no proof) in three forms, alternating, round after round:

  (as it is)  two plain-text margin boxes (blocks/footer.html.j2 writes their CSS strings), the
              rule the page's bottom border;
  (none)      no footer at all: the upper bound of any saving;
  (element)   the footer as it was until December 2026: an element of the page placed in the
              margin box (`position: running(footer)`), laid out again on every page as a table
              row (practice | version | page), the rule its top border.

It prints the median CPU ms of each, and the differences.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import machine                                         # noqa: E402  (this folder's)
from leafletgen.inputs.project import Project                     # noqa: E402
from leafletgen.render import BuildRequest, render_document       # noqa: E402
from leafletgen.run import limits                                 # noqa: E402
from leafletgen.typeset import pdf                                # noqa: E402

LEAFLET, PRACTICE = "lage-rugklachten", "fysio-delinde"
FORMS = ("as it is", "none", "element")
NONE = "@page { border-bottom: none; @bottom-left { content: none } @bottom-right { content: none } }"
# The running element's rules as leaflet.css had them (A4), with the page's margin as it was.
ELEMENT_CSS = """@page { margin-bottom: 24mm; border-bottom: none; padding-bottom: 0;
  @bottom-left { content: element(footer); width: 100%; padding-top: 4mm; white-space: normal; }
  @bottom-right { content: none } }
.page-footer { position: running(footer); display: table; width: 100%; font-size: 8.5pt;
  line-height: 1.3; color: #404040; border-top: 0.3mm solid; border-top-color: var(--brand);
  padding-top: 2mm; }
.footer-practice, .footer-version, .footer-page { display: table-cell; }
.footer-version, .footer-page { width: 1px; white-space: nowrap; padding-inline-start: 4mm; }
.page-number::before { content: counter(page); }
.page-count::before { content: counter(pages); }"""
# The example practice's footer as the Dutch, German and Arabic pages print it (version 1.0).
STRINGS = {
    "nl": ("Versie 1.0, 1\u00a0november\u00a02026", "Pagina ", " van "),
    "de": ("Version 1.0, 1.\u00a0November\u00a02026", "Seite ", " von "),
    "ar": ("الإصدار 1.0، 1\u00a0تشرين\u00a0الثاني/\u2060نوفمبر\u00a02026", "الصفحة ", " من "),
}


def element_html(lang: str) -> str:
    """The running element blocks/footer.html.j2 wrote, with the example practice's details."""
    version, page, of = STRINGS[lang]

    def isolate(text: str) -> str:
        return f"\u2066{text}\u2069" if lang == "ar" else text
    return ('<div class="page-footer"><span class="footer-practice">'
            f'{isolate("Fysiotherapie De Linde")} · <span class="nobreak">{isolate("030 123 45 67")}</span> · '
            f'<span class="nobreak">{isolate("fysio-delinde.example")}</span></span>'
            f'<span class="footer-version">{version}</span><span class="footer-page"><span class="nobreak">'
            f'{page}<span class="page-number"></span>{of}<span class="page-count"></span></span></span></div>')


def captured_page(project: Project, lang: str) -> tuple:
    """(html, base, assets, stylesheets) of the page `render_document` lays out for `lang`."""
    seen = []
    lay_out = pdf.lay_out

    def keep(*args):
        seen.append(args)
        return lay_out(*args)
    pdf.lay_out = keep
    import leafletgen.render as render
    render.lay_out = keep
    try:
        render_document(project, BuildRequest(LEAFLET, lang, PRACTICE))
    finally:
        pdf.lay_out = render.lay_out = lay_out
    return seen[-1]


def page_in_form(html: str, lang: str, form: str) -> str:
    if form == "none":
        return html.replace("</head>", f"<style>{NONE}</style></head>", 1)
    if form == "element":
        html = html.replace("</head>", f"<style>{ELEMENT_CSS}</style></head>", 1)
        return re.sub(r"(<body[^>]*>)", lambda match: match.group(1) + element_html(lang), html, count=1)
    return html


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--langs", nargs="+", default=["nl", "de", "ar"])
    args = parser.parse_args()
    limits.enter(limits.current())
    project = Project(REPO)
    print(machine())
    pages = {lang: captured_page(project, lang) for lang in args.langs}
    variants = {(lang, form): page_in_form(pages[lang][0], lang, form) for lang in args.langs for form in FORMS}

    def once(lang: str, form: str) -> float:
        _, base, assets, sheets = pages[lang]
        cpu = time.process_time()
        pdf.write_pdf(pdf.lay_out(variants[lang, form], base, assets, sheets))
        return time.process_time() - cpu

    for lang in args.langs:
        for form in FORMS:
            once(lang, form), once(lang, form)
    times = {(lang, form): [] for lang in args.langs for form in FORMS}
    for _ in range(args.rounds):
        for lang in args.langs:
            for form in FORMS:
                times[lang, form].append(once(lang, form))
    median = {key: statistics.median(values) * 1000 for key, values in times.items()}
    print(f"CPU ms per document, median of {args.rounds} rounds (lay_out + write_pdf, no proof)")
    print(f"{'':20}" + "".join(f"{lang:>10}" for lang in args.langs))
    for form in FORMS:
        print(f"{form:20}" + "".join(f"{median[lang, form]:10.1f}" for lang in args.langs))
    for form in ("none", "element"):
        print(f"{form + ' − as it is':20}" + "".join(
            f"{median[lang, form] - median[lang, 'as it is']:+10.1f}" for lang in args.langs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
