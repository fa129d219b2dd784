"""What the text proof costs: its CPU time against the whole document's, per document (not a test).

    python benchmarks/bench_proof.py [--rounds 3] [--profile]

Renders the shipped leaflet for the example practice in every language, A4 and bilingual A4,
in this process on one core (`render._render_document`, no child process; imports and the
first round's warm-up not counted), and takes the CPU time (`time.process_time`) of the whole
document and of the proof within it (`render.prove`: the approved texts gathered, the layout
looked at, the PDF's text layer read back and compared, its strings and the HTML copy checked).
Rounds with the proof alternate with rounds without it (`render.prove` a no-op), so load on the
machine falls on both alike. Prints per round the documents' CPU time and the proof's; the
figures held against the target (at most 10 %) are the median share of the proof's own time,
and the median difference between rounds with and without it (what the proof adds, also to
the collections of garbage it sets off later). --profile prints where the proof's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from leafletgen import render  # noqa: E402
from leafletgen.inputs.project import Project  # noqa: E402
from leafletgen.request import BuildRequest  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    project = Project(REPO)
    requests = [BuildRequest("lage-rugklachten", lang, "fysio-delinde", "a4", bilingual)
                for lang in project.languages() for bilingual in (False, True)
                if not (bilingual and lang == "nl")]
    spent = {"proof": 0.0}
    original = render.prove
    profiler = cProfile.Profile() if args.profile else None

    def timed_prove(*a, **k):
        start = time.process_time()
        if profiler:
            profiler.enable()
        try:
            return original(*a, **k)
        finally:
            if profiler:
                profiler.disable()
            spent["proof"] += time.process_time() - start

    render.prove = timed_prove
    for request in requests:          # warm-up: caches, fonts, hyphenation dictionaries
        render._render_document(project, request)
    if profiler:
        profiler = cProfile.Profile()
    shares, with_proof, without = [], [], []
    print(f"{len(requests)} documents a round (every language, A4 alone and bilingual)")
    for number in range(1, 2 * args.rounds + 1):
        proving = number % 2 == 1
        render.prove = timed_prove if proving else (lambda *a, **k: None)
        spent["proof"] = 0.0
        start = time.process_time()
        for request in requests:
            render._render_document(project, request)
        each = (time.process_time() - start) / len(requests)
        if proving:
            with_proof.append(each)
            shares.append(spent["proof"] / len(requests) / each)
            print(f"round {number}: documents {each * 1000:.0f} ms CPU each, proof "
                  f"{spent['proof'] / len(requests) * 1000:.1f} ms each: {shares[-1] * 100:.1f} %")
        else:
            without.append(each)
            print(f"round {number}: documents without the proof {each * 1000:.0f} ms CPU each")
    render.prove = original
    print(f"median share of the proof's own time: {statistics.median(shares) * 100:.1f} %")
    added = statistics.median(with_proof) - statistics.median(without)
    print(f"median with the proof {statistics.median(with_proof) * 1000:.0f} ms, without "
          f"{statistics.median(without) * 1000:.0f} ms: it adds {added * 1000:.0f} ms, "
          f"{added / statistics.median(with_proof) * 100:.1f} % (target: at most 10 %)")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
