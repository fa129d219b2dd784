"""The staff web app's first preview after a start, on this machine, in one run (not a test).

    python benchmarks/bench_first_preview.py [--rounds 5] [--new-rounds 2] [--checkout DIR] [--seed CACHE]

Starts `python generate.py serve --port 0` on a copy of this project (127.0.0.1 only) and times,
from the moment the process is started, the address line and the first page preview a member of
staff sees (`/leaflets/lage-rugklachten/nl/page-1.png`, asked for as soon as the address is
printed, as a browser opened at once would):

  new machine:  an empty cache folder ($LEAFLETGEN_CACHE): no static font instances, no parsed
                hyphenation patterns, no document cache (target: within 30 s);
  warm machine: the cache folder of a machine that has run the app before, its document cache
                emptied, so the preview is made, not served from the cache (target: within 3 s).

Medians of `--rounds` warm starts and `--new-rounds` new-machine starts. `--checkout DIR` runs
another checkout's generate.py the same way (a before/after comparison, alternating round by
round). The operating system's file cache stays warm: a machine that has just booted reads the
Python packages from disk on top of this.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, machine, make_project  # noqa: E402

PREVIEW = "/leaflets/lage-rugklachten/nl/page-1.png"
DEADLINE = 240        # seconds a start may take before the round is given up


def start_and_preview(checkout: Path, root: Path, cache: Path) -> tuple[float, float]:
    """(seconds to the address line, seconds to the first preview), from the process's start."""
    env = {**os.environ, "LEAFLETGEN_CACHE": str(cache), "PYTHONPATH": str(checkout)}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, str(checkout / "generate.py"), "--root", str(root), "serve",
                               "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, cwd=root, env=env)
    try:
        port = None
        while port is None:
            line = server.stdout.readline()
            if not line or time.perf_counter() - started > DEADLINE:
                raise SystemExit("the server did not start")
            if line.startswith("leafletgen staff app: http://"):
                port = int(line.split()[3].rstrip("/").rsplit(":", 1)[1])
        address = time.perf_counter() - started
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
            connection.request("GET", PREVIEW)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            if response.status == 200 and body.startswith(b"\x89PNG"):
                return address, time.perf_counter() - started
            if time.perf_counter() - started > DEADLINE:
                raise SystemExit(f"no preview: {response.status}")
            time.sleep(0.05)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--new-rounds", type=int, default=2)
    parser.add_argument("--checkout", type=Path, action="append", default=[],
                        help="another checkout to time the same way (before/after)")
    parser.add_argument("--seed", type=Path, metavar="CACHE",
                        help="a cache folder whose font instances and hyphenation patterns the warm "
                             "machine's cache starts with (the run before then makes none)")
    args = parser.parse_args()
    checkouts = [REPO] + [path.resolve() for path in args.checkout]
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-first-preview-") as folder:
        base = Path(folder)
        root = base / "project"
        root.mkdir()
        make_project(root, practices=1, fill=False)
        warm_caches = {}
        results: dict[tuple[Path, str], list[tuple[float, float]]] = {}
        for round_number in range(max(args.rounds, args.new_rounds)):
            for checkout in checkouts:
                if round_number < args.new_rounds:
                    cache = base / f"new-{round_number}-{checkouts.index(checkout)}"
                    results.setdefault((checkout, "new"), []).append(start_and_preview(checkout, root, cache))
                    warm_caches.setdefault(checkout, cache)
                if round_number < args.rounds:
                    cache = warm_caches.setdefault(checkout, base / f"warm-{checkouts.index(checkout)}")
                    if not cache.exists():
                        for part in ("fonts", "hyphenation") if args.seed else ():
                            shutil.copytree(args.seed / part, cache / part)
                        start_and_preview(checkout, root, cache)      # the run before
                    shutil.rmtree(cache / "web", ignore_errors=True)
                    results.setdefault((checkout, "warm"), []).append(start_and_preview(checkout, root, cache))
        for (checkout, kind), times in results.items():
            addresses, previews = zip(*times)
            print(f"{checkout} {kind} machine: first preview median {statistics.median(previews):.2f} s "
                  f"(address line {statistics.median(addresses):.2f} s; rounds: "
                  f"{', '.join(f'{t:.2f}' for t in previews)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
