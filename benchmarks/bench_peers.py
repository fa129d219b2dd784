"""Our warm render of one leaflet against what a practice might use instead (a script, not a test).

    python benchmarks/bench_peers.py [--rounds 7] [--langs nl de ar]

For each language it renders the shipped leaflet for the example practice, A4, and alternates,
round after round, language after language:

  (ours)    `render_document` in a warm process (limits taken on here, as a worker does), the fit
            already known (a worker's or a rebuild's case: fit_memory);
  (ours/s)  the same with the fit searched (the memory forgotten first: a new document's case);
  (chrome)  warm headless Chromium (Debian's /usr/bin/chromium through Playwright): our own HTML
            copy of the same document loaded (`page.goto`) and printed with
            `page.pdf(tagged=True)`, one page reused; its CPU is that of the browser's processes;
  (typst)   where the `typst` package is installed: a small hand-made Typst equivalent of the
            leaflet (the same translated texts, header, running footer "page X of Y"), PDF/UA-1,
            compiled afresh (`typst.compile`) and (typst/r) with one reused `typst.Compiler`.

It prints, per tool and language, the median wall ms per document, the median CPU ms, the PDF's
size, whether it is tagged (a structure tree, /MarkInfo /Marked), and whether two renders gave
the same bytes; then ours/s against Chromium's CPU (the target: below 1.0 in every language).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import machine                                         # noqa: E402  (this folder's)
from leafletgen.build import write_document                      # noqa: E402
from leafletgen.inputs.project import Project                     # noqa: E402
from leafletgen.markup.inline import plain_text                   # noqa: E402
from leafletgen.render import BuildRequest, render_document       # noqa: E402
from leafletgen.run import limits                                 # noqa: E402
from leafletgen.typeset import fit_memory                         # noqa: E402
from leafletgen.typeset.fonts import font_dirs, font_stack        # noqa: E402

LEAFLET, PRACTICE = "lage-rugklachten", "fysio-delinde"
TICK = os.sysconf("SC_CLK_TCK")
FOOTER = {"nl": ("Pagina", "van"), "de": ("Seite", "von"), "ar": ("الصفحة", "من")}


def descendants_cpu(root: int, name_prefix: str = "") -> float:
    """CPU seconds (user + system) of the living descendants of `root` (/proc)."""
    parents, names, cpu = {}, {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        pid = int(entry)
        parents[pid], names[pid] = int(fields[1]), name
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
    total = 0.0
    for pid in cpu:
        ancestor = parents.get(pid)
        while ancestor and ancestor != root:
            ancestor = parents.get(ancestor)
        if ancestor == root and names[pid].startswith(name_prefix):
            total += cpu[pid]
    return total


def tagged(pdf: bytes) -> bool:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        mark = document.Root.get("/MarkInfo")
        return "/StructTreeRoot" in document.Root and mark is not None and bool(mark.get("/Marked"))


def typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def typst_source(document) -> str:
    """A small hand-made Typst leaflet: the document's translated texts, its practice header and
    a running footer with "page X of Y", in the language's fonts and direction."""
    leaflet, practice, lang = document.leaflet, document.practice, document.request.lang
    page_word, of_word = FOOTER.get(lang, FOOTER["nl"])
    families = ", ".join(typst_string(family) for family in font_stack(lang))
    lines = [
        f"#set document(title: {typst_string(plain_text(leaflet.title))}, author: {typst_string(practice.name)})",
        f'#set text(font: ({families},), size: 13pt, lang: "{lang}"'
        + (", dir: rtl" if lang == "ar" else "") + ")",
        "#set par(leading: 0.65em, justify: false)",
        "#set page(paper: \"a4\", margin: (top: 18mm, bottom: 24mm, x: 22mm), footer: context [",
        "  #set text(size: 8.5pt, fill: rgb(\"#404040\"))",
        f"  #line(length: 100%, stroke: 0.3mm + rgb(\"{practice.color}\"))",
        f"  #{typst_string(practice.name + ' · ' + practice.phone)} #h(1fr)"
        f" #{typst_string(page_word)} #counter(page).display() #{typst_string(of_word)}"
        " #counter(page).final().first()",
        "])",
        f"#text(size: 15pt, weight: \"bold\", fill: rgb(\"{practice.color}\"))[#{typst_string(practice.name)}]",
        f"#{typst_string(practice.address.replace(chr(10), ', '))} \\",
        f"#{typst_string(practice.phone + ' · ' + practice.email)}",
        f"#heading(level: 1)[#{typst_string(plain_text(leaflet.title))}]",
    ]
    for block in leaflet.blocks:
        if block.kind == "heading":
            lines.append(f"#heading(level: {block.level})[#{typst_string(plain_text(block.text))}]")
        elif block.kind == "list":
            marker = "+" if block.ordered else "-"
            lines += [f"{marker} #{typst_string(plain_text(item))}" for item in block.items]
            lines.append("")
        elif block.kind in ("paragraph", "callout"):
            lines.append(f"#{typst_string(plain_text(block.text))}")
            lines.append("")
    lines.append(f"#text(size: 9pt)[#{typst_string(leaflet.version + ', ' + practice.name)}]")
    return "\n".join(lines) + "\n"


def median(values):
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--langs", nargs="+", default=["nl", "de", "ar"])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    # The browser first: the limits this process takes on (its memory) are not the browser's.
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
    page = browser.new_page()
    limits.enter(limits.current())
    project = Project(REPO)
    work = Path(tempfile.mkdtemp(prefix="leafletgen-peers-"))
    requests = {lang: BuildRequest(LEAFLET, lang, PRACTICE) for lang in args.langs}
    documents = {lang: render_document(project, request) for lang, request in requests.items()}
    fits = {lang: document.remembered_fit for lang, document in documents.items()}
    pages = {}
    for lang, document in documents.items():
        _, html_path = write_document(work, document)
        pages[lang] = html_path.as_uri()

    try:
        import typst
    except ImportError:
        typst = None
        print("typst: not installed (pip install typst); its rows are left out")
    sources = {lang: typst_source(document).encode("utf-8") for lang, document in documents.items()}
    fonts = [str(folder) for folder in font_dirs()]
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    compilers = {}

    times: dict = {}
    layouts: dict = {}
    sizes: dict = {}
    outputs: dict = {}

    def record(tool, lang, wall, cpu, pdf):
        times.setdefault((tool, lang), []).append((wall, cpu))
        sizes[tool, lang] = len(pdf)
        outputs.setdefault((tool, lang), []).append(pdf)

    def ours(lang, search):
        if search:
            fit_memory.forget()
        # (ours: the fit its last render chose, as a manifest hands it on: ours/s forgets the
        # process's memory, every language's)
        request = requests[lang] if search else replace(requests[lang], remembered_fit=fits[lang])
        started, cpu = time.perf_counter(), time.process_time()
        document = render_document(project, request)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        layouts.setdefault(("ours/s" if search else "ours", lang), []).append(document.layouts)
        return wall, cpu, document.pdf

    me = os.getpid()

    def chrome(lang):
        before = descendants_cpu(me, "chrom")
        started = time.perf_counter()
        page.goto(pages[lang])
        pdf = page.pdf(tagged=True, print_background=True, prefer_css_page_size=True)
        wall = time.perf_counter() - started
        return wall, descendants_cpu(me, "chrom") - before, pdf

    def typst_fresh(lang):
        started, cpu = time.perf_counter(), time.process_time()
        pdf = typst.compile(sources[lang], font_paths=fonts, ignore_system_fonts=True,
                            pdf_standards="ua-1", timestamp=stamp)
        return time.perf_counter() - started, time.process_time() - cpu, pdf

    def typst_reused(lang):
        compiler = compilers.get(lang)
        if compiler is None:
            compiler = compilers[lang] = typst.Compiler(font_paths=fonts, ignore_system_fonts=True)
        started, cpu = time.perf_counter(), time.process_time()
        pdf = compiler.compile(sources[lang], pdf_standards="ua-1", timestamp=stamp)
        return time.perf_counter() - started, time.process_time() - cpu, pdf

    tools = {"ours": lambda lang: ours(lang, False), "ours/s": lambda lang: ours(lang, True),
             "chrome": chrome}
    if typst is not None:
        tools.update({"typst": typst_fresh, "typst/r": typst_reused})
    for lang in args.langs:          # warm every tool in every language once
        for tool, run in tools.items():   # (its PDF kept: two renders should give the same bytes)
            outputs.setdefault((tool, lang), []).append(run(lang)[2])
    for round_number in range(args.rounds):
        for lang in args.langs:
            for tool, run in tools.items():
                record(tool, lang, *run(lang))
        print(f"round {round_number + 1} of {args.rounds} done; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    browser.close()
    playwright.stop()

    print(f"\nmachine: {machine()}; "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'tool':8} {'lang':4} {'ms/doc':>8} {'CPU ms':>8} {'PDF KB':>7} {'tagged':>6} {'same bytes':>10}")
    for (tool, lang), values in times.items():
        pdfs = outputs[tool, lang]
        print(f"{tool:8} {lang:4} {median([w for w, _ in values]) * 1000:8.1f} "
              f"{median([c for _, c in values]) * 1000:8.1f} {sizes[tool, lang] / 1024:7.1f} "
              f"{'yes' if tagged(pdfs[-1]) else 'no':>6} {'yes' if len(set(pdfs)) == 1 else 'no':>10}")
    print("layouts per document (ours): " + ", ".join(
        f"{tool} {lang} {statistics.mean(counts):.1f}" for (tool, lang), counts in layouts.items()))
    print()
    for lang in args.langs:
        chrome_cpu = median([c for _, c in times["chrome", lang]])
        for tool in ("ours", "ours/s"):
            ratio = median([c for _, c in times[tool, lang]]) / chrome_cpu
            print(f"{tool} / chrome CPU, {lang}: {ratio:.2f} (target < 1.0) "
                  f"{'OK' if ratio < 1 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
