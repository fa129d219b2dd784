"""The main job on a Dask cluster against the local pool, and the manifest's cost as it grows,
on this machine (not a test; benchmarks/RESULTS.md has the figures).

    python benchmarks/bench_cluster.py throughput [--practices 5] [--rounds 3]
    python benchmarks/bench_cluster.py manifest [--practices 10,50] [--variants a4,large-print]

throughput: a copy of the project with --practices practices (× 9 languages), and two clusters
on 127.0.0.1 started with Dask's own commands (`dask scheduler`, `dask worker --nthreads 1`,
workers in an empty folder): one with one worker, one with two. After a warm-up run on each,
rounds alternate: (L) `generate.py --force --jobs 2`, the local pool, a new process; (C1) the
same with `--cluster` on one worker; (C2) on two workers. Documents per second of each, best
round. Also (1): our main job in-process on one core (bench.py's), CPU seconds per document.

manifest: for each number of practices, a project with that many practices × 9 languages ×
--variants, built once; then output/manifest.json's size per output, and a no-change run (a new
process, best of 3), its time per document, with the time of its parts in-process: reading the
manifest, the plan, the index's digest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import OURS_ONE_CORE, REPO, machine, make_project, python  # noqa: E402

PARTS_OF_A_NO_CHANGE_RUN = r"""
import json, sys, time
from pathlib import Path
from leafletgen.batch import readers
from leafletgen.batch.manifest import Hasher, Manifest, index_digest
from leafletgen.batch.plan import make_plan
from leafletgen.inputs.project import Project
project, out = Project(Path(sys.argv[1])), Path(sys.argv[1]) / "output"
t0 = time.perf_counter(); manifest = Manifest.load(out)
t1 = time.perf_counter(); hasher = Hasher(manifest.files); plan = make_plan(project, manifest, hasher, readers)
t2 = time.perf_counter(); index_digest(manifest, hasher.tree(project.templates_dir))
t3 = time.perf_counter(); manifest.to_json()
t4 = time.perf_counter()
assert not plan.jobs, len(plan.jobs)
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, len(plan.unchanged))
"""


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by the processes `roots` and all their descendants (/proc): what
    a long-lived cluster spends, whatever else the machine is doing."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # utime + stime, and cutime + cstime: the children it has reaped (a worker's render
            # child, replaced now and then, would otherwise take its time with it).
            stats[int(entry.name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    wanted, total = set(roots), 0
    changed = True
    while changed:
        changed = False
        for pid, (parent, _) in stats.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        total += stats.get(pid, (0, 0))[1]
    return total / os.sysconf("SC_CLK_TCK")


class Cluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1, workers in an empty folder."""

    def __init__(self, workers: int, folder: Path):
        folder.mkdir(parents=True)
        file = folder / "scheduler.json"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.processes = [subprocess.Popen(
            ["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(file)], cwd=folder, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        while not file.is_file():
            time.sleep(0.1)
        time.sleep(0.5)
        self.address = json.loads(file.read_text())["address"]
        empty = folder / "empty"
        empty.mkdir()
        self.processes.append(subprocess.Popen(
            ["dask", "worker", self.address, "--nworkers", str(workers), "--nthreads", "1",
             "--no-dashboard"], cwd=empty, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def close(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def main_job(root: Path, *options: str, cluster: "Cluster | None" = None) -> tuple[float, float, list]:
    """Wall seconds, CPU seconds of the main job's process tree and the cluster's processes, and
    those CPU seconds apart: the main job (the client), the scheduler, the workers."""
    processes = [p.pid for p in cluster.processes] if cluster else []
    before = [tree_cpu([pid]) for pid in processes]
    started = time.perf_counter()
    command = [sys.executable, str(REPO / "generate.py"), "--root", str(root), *options]
    if cluster:
        command += ["--cluster", cluster.address]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    process.stderr.close()
    parts = [usage.ru_utime + usage.ru_stime]
    parts += [tree_cpu([pid]) - cpu for pid, cpu in zip(processes, before)]
    return wall, sum(parts), parts


def throughput(args) -> None:
    work = Path(tempfile.mkdtemp(prefix="leafletgen-bench-cluster-"))
    try:
        root = work / "project"
        make_project(root, args.practices, fill=False)
        documents = args.practices * 9
        print(f"machine: {machine()}; load before: {load()}")
        one, two = Cluster(1, work / "one"), Cluster(2, work / "two")
        try:
            for cluster in (one, two):   # warm-up: workers import WeasyPrint, load fonts
                main_job(root, "--force", cluster=cluster)
            times: dict[str, list[float]] = {"L": [], "C1": [], "C2": []}
            cpus: dict[str, list[float]] = {"L": [], "C1": [], "C2": []}
            parts: dict[str, list[list[float]]] = {"L": [], "C1": [], "C2": []}
            for number in range(args.rounds):
                for name, options, cluster in (("L", ("--jobs", "2"), None), ("C1", (), one),
                                               ("C2", (), two)):
                    wall, cpu, split = main_job(root, "--force", *options, cluster=cluster)
                    times[name].append(wall)
                    cpus[name].append(cpu)
                    parts[name].append(split)
                print(f"round {number + 1}: " + ", ".join(
                    f"{name} {times[name][-1]:.1f} s ({cpus[name][-1]:.1f} CPU s)" for name in times)
                    + f" (load {load()})")
        finally:
            one.close()
            two.close()
        out = work / "ours"
        wall, _, cpu, built = (float(x) for x in python(OURS_ONE_CORE, str(root), str(out)))
        print(f"{documents} documents, best round:")
        for name, label in (("L", "local pool, 2 worker processes"),
                            ("C1", "Dask, 1 worker (--nthreads 1)"),
                            ("C2", "Dask, 2 workers (--nthreads 1)")):
            best = min(times[name])
            print(f"  ({name}) {label}: {best:.1f} s, {documents / best:.2f} documents/s "
                  f"(rounds: {', '.join(f'{t:.1f}' for t in times[name])}); CPU "
                  f"{min(cpus[name]) / documents:.3f} s per document, all its processes")
            if name != "L":
                split = min(parts[name], key=sum)
                print(f"       of which the main job {split[0] / documents:.3f} s, the scheduler "
                      f"{split[1] / documents:.3f} s, the workers {split[2] / documents:.3f} s")
        print(f"  (1) in-process, one core: {cpu / built:.3f} CPU s per document "
              f"({built:.0f} documents, {wall:.1f} s)")
        print(f"load after: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def manifest(args) -> None:
    print(f"machine: {machine()}; load before: {load()}")
    variants = json.dumps(args.variants.split(","))
    for practices in (int(n) for n in args.practices.split(",")):
        work = Path(tempfile.mkdtemp(prefix="leafletgen-bench-manifest-"))
        try:
            root = work / "project"
            make_project(root, practices, fill=False)
            for profile in (root / "practices").glob("*.toml"):
                text = re.sub(r"^variants = .*\n", "", profile.read_text(), flags=re.M)
                profile.write_text(text + f"variants = {variants}\n")
            build = main_job(root, "--jobs", "2")[0]
            path = root / "output" / "manifest.json"
            data = json.loads(path.read_text())
            outputs = len(data["outputs"])
            size = path.stat().st_size
            entry = len(json.dumps(next(iter(data["outputs"].values())), indent=1))
            runs, cpus, _ = zip(*[main_job(root) for _ in range(3)])
            parts = min(([float(x) for x in python(PARTS_OF_A_NO_CHANGE_RUN, str(root))]
                         for _ in range(3)), key=sum)
            print(f"{practices} practices × 9 languages × {len(args.variants.split(','))} variants: "
                  f"{outputs} outputs, built in {build:.0f} s ({outputs / build:.2f} documents/s, "
                  f"local pool, 2 workers)")
            print(f"  manifest.json: {size / 1e6:.2f} MB, {size / outputs:.0f} bytes per output "
                  f"(one output's entry alone: {entry} bytes)")
            print(f"  no-change run, a new process: best {min(runs):.2f} s "
                  f"({', '.join(f'{t:.2f}' for t in runs)}), {min(runs) / outputs * 1e3:.3f} ms "
                  f"per document; CPU best {min(cpus):.2f} s, {min(cpus) / outputs * 1e3:.3f} ms "
                  "per document")
            print(f"  in-process: read the manifest {parts[0]:.3f} s, plan {parts[1]:.3f} s "
                  f"({parts[1] / outputs * 1e3:.3f} ms per document), index digest {parts[2]:.3f} s, "
                  f"manifest to JSON {parts[3]:.3f} s")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load after: {load()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="what", required=True)
    one = commands.add_parser("throughput")
    one.add_argument("--practices", type=int, default=5)
    one.add_argument("--rounds", type=int, default=3)
    two = commands.add_parser("manifest")
    two.add_argument("--practices", default="10,50")
    two.add_argument("--variants", default="a4,large-print")
    args = parser.parse_args()
    (throughput if args.what == "throughput" else manifest)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
