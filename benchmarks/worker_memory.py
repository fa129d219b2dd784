"""How much a main job's worker processes grow, with and without recycling (a script, not a test).

    python benchmarks/worker_memory.py [--practices 20] [--variants a4,large-print] [--every 100]

It copies this project's inputs to a temporary folder, adds practices, and builds every
practice × language × variant twice over two workers: once with workers kept for the whole run,
once with workers recycled after --every documents. For each worker process it prints the
resident memory after its first and its last document, and the largest; at the end the largest
of all, and the time each run took.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from leafletgen.batch.run import build_documents  # noqa: E402
from leafletgen.inputs.project import Project  # noqa: E402
from leafletgen.request import BuildRequest  # noqa: E402

PARTS = ("leaflets", "practices", "templates", "translations")


def make_project(root: Path, practices: int) -> Project:
    for part in PARTS:
        shutil.copytree(REPO / part, root / part)
    template = (root / "practices" / "fysio-delinde.toml").read_text(encoding="utf-8")
    for number in range(2, practices + 1):
        (root / "practices" / f"praktijk-{number:02d}.toml").write_text(
            template.replace("Fysiotherapie De Linde", f"Praktijk {number}"), encoding="utf-8")
    return Project(root)


def run(project: Project, out: Path, jobs: list[BuildRequest], every: int) -> dict:
    memory: dict[int, list[int]] = defaultdict(list)
    failed = []

    def record(job, outcome):
        if outcome.ok:
            memory[outcome.pid].append(outcome.rss_kib)
        else:
            failed.append((job.key, outcome.errors[:1]))

    started = time.perf_counter()
    build_documents(project, out, jobs, 2, record, max_documents=every)
    return {"seconds": time.perf_counter() - started, "memory": memory, "failed": failed}


def report(label: str, result: dict) -> None:
    print(f"{label}: {sum(len(v) for v in result['memory'].values())} documents in "
          f"{result['seconds']:.0f} s, {len(result['memory'])} worker process(es)")
    for pid, sizes in result["memory"].items():
        print(f"  worker {pid}: {len(sizes):4d} documents, after the first {sizes[0] / 1024:6.1f} MiB, "
              f"after the last {sizes[-1] / 1024:6.1f} MiB, largest {max(sizes) / 1024:6.1f} MiB")
    largest = max(max(sizes) for sizes in result["memory"].values())
    print(f"  largest worker: {largest / 1024:.1f} MiB")
    for key, errors in result["failed"]:
        print(f"  failed {key}: {errors}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20)
    parser.add_argument("--variants", default="a4,large-print")
    parser.add_argument("--every", type=int, default=100, help="documents per worker, recycled")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="leafletgen-memory-"))
    try:
        project = make_project(work / "project", args.practices)
        langs = project.languages()
        jobs = [BuildRequest("lage-rugklachten", lang, practice, variant)
                for practice in project.practice_ids() for lang in langs
                for variant in args.variants.split(",")]
        print(f"{len(jobs)} documents: {args.practices} practices × {len(langs)} languages × "
              f"{len(args.variants.split(','))} variants; load average {os.getloadavg()[0]:.1f}")
        report("workers kept for the whole run", run(project, work / "kept", jobs, 10 ** 9))
        report(f"workers recycled every {args.every} documents",
               run(project, work / "recycled", jobs, args.every))
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
