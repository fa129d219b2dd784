"""What the running footer costs a document, and what plain-text margin boxes would save (a script).

    python benchmarks/bench_footer.py [--rounds 12] [--langs nl de ar]

For each language it renders the shipped leaflet for the example practice, A4, once through the
whole pipeline (`render_document`), keeps the page WeasyPrint is given (its HTML, stylesheets and
the files it may read), and then lays that page out and writes it (`typeset.pdf.lay_out` and
`write_pdf`, as a worker does; no proof) in three forms, alternating, round after round:

  (as it is)  our running footer: a running element, a table row (practice · version · page);
  (none)      no footer at all: the upper bound of any saving;
  (strings)   the same words as plain-text margin boxes (`content: "…" counter(page)`), the
              practice's parts isolated with U+2066…U+2069 (the page's direction is kept).

It prints the median CPU ms of each, and the differences. The strings form is not a candidate as
it stands: the text proof and the footer's measurement read the running element (see RESULTS.md).
"""

from __future__ import annotations

import argparse
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
NONE = "@page { @bottom-left { content: none } } .page-footer { display: none }"
# The example practice's footer as the Dutch, German and Arabic pages print it (version 1.0).
STRINGS = {
    "nl": ("Fysiotherapie De Linde", "Versie 1.0, 1\u00a0november\u00a02026", "Pagina ", " van "),
    "de": ("Fysiotherapie De Linde", "Version 1.0, 1.\u00a0November\u00a02026", "Seite ", " von "),
    "ar": ("Fysiotherapie De Linde", "الإصدار 1.0، 1\u00a0نوفمبر\u00a02026", "الصفحة ", " من "),
}


def css_string(text: str) -> str:
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\' or not c.isprintable() else c for c in text) + '"'


def strings_css(lang: str) -> str:
    name, version, page, of = STRINGS[lang]
    practice = " · ".join(f"\u2066{part}\u2069" for part in (name, "030 123 45 67", "fysio-delinde.example"))
    box = "font-size: 8.5pt; color: #404040; vertical-align: top; padding-top: 2mm; border-top: 0.3mm solid #1f6f5c"
    start, end = ("right", "left") if lang == "ar" else ("left", "right")   # the practice at the start
    return ("@page { @bottom-%s { content: %s; width: auto; %s }\n"
            "  @bottom-%s { content: %s counter(page) %s counter(pages); white-space: nowrap; %s } }\n"
            ".page-footer { display: none }" % (start, css_string(practice), box, end,
                                                 css_string(f"{version}   {page}"), css_string(of), box))


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--langs", nargs="+", default=["nl", "de", "ar"])
    args = parser.parse_args()
    limits.enter(limits.current())
    project = Project(REPO)
    print(machine())
    pages = {lang: captured_page(project, lang) for lang in args.langs}
    forms = {"as it is": lambda lang: "", "none": lambda lang: NONE, "strings": strings_css}

    def once(lang: str, form: str) -> float:
        html, base, assets, sheets = pages[lang]
        extra = forms[form](lang)
        page = html.replace("</head>", f"<style>{extra}</style></head>") if extra else html
        cpu = time.process_time()
        pdf.write_pdf(pdf.lay_out(page, base, assets, sheets))
        return time.process_time() - cpu

    for lang in args.langs:
        for form in forms:
            once(lang, form), once(lang, form)
    times = {(lang, form): [] for lang in args.langs for form in forms}
    for _ in range(args.rounds):
        for lang in args.langs:
            for form in forms:
                times[lang, form].append(once(lang, form))
    print(f"CPU ms per document, median of {args.rounds} rounds (lay_out + write_pdf, no proof)")
    print(f"{'':10}" + "".join(f"{lang:>10}" for lang in args.langs))
    for form in forms:
        print(f"{form:10}" + "".join(f"{statistics.median(times[lang, form]) * 1000:10.1f}" for lang in args.langs))
    for form in ("none", "strings"):
        print(f"{form + ' − as it is':10}" + "".join(
            f"{(statistics.median(times[lang, form]) - statistics.median(times[lang, 'as it is'])) * 1000:+10.1f}"
            for lang in args.langs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
