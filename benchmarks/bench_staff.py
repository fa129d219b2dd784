"""The staff page as staff use it, timed on this machine (not a test): a click and its preview, and
typing in the search box; optionally two versions of leafletgen side by side.

    python benchmarks/bench_staff.py [--vs OTHER_CHECKOUT]... [--rounds 7] [--workers 2]

For each checkout (this one, and each given with --vs, e.g. a `git worktree` of an older
commit) it copies that checkout's own inputs (leaflets, practices, templates, translations) to a
temporary folder, starts its `python generate.py serve` there on a free port of 127.0.0.1 with an
empty document cache (the font instances and hyphenation patterns of this machine's cache copied
in, as a practice PC has them), warms it (every language once), and then, round after round, the
checkouts alternating which goes first, measures what the browser does:

  (u) click, new document: a practice is added to practices/ and picked on the staff page: the
      page htmx asks for (HX-Request), then every page picture of its preview, one after the
      other; wall time from the click to the last picture;
  (c) the same click again (the document and its pictures cached);
  (t) typing "rugk" in the search box (the title's start, which every version finds): the
      request one keystroke sends (this checkout: the list alone, /search; an older one without
      it: the whole staff page with its preview); the first one after a start builds the index;
  (C), (T): the CPU time the server and its workers spend on one cached click and on one
      keystroke, over 20 of each per round (CPU time, unlike wall time, hardly depends on what
      else the machine runs).

Medians over the rounds (and the range) per checkout. Only 127.0.0.1 is used; every loop is bounded.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, machine  # noqa: E402
from bench_web import Client, descendants, free_port, load_average  # noqa: E402

LEAFLET = "lage-rugklachten"
PARTS = ("leaflets", "practices", "templates", "translations")


class Server:
    """`generate.py serve` of one checkout, over a copy of that checkout's inputs."""

    def __init__(self, checkout: Path, work: Path, workers: int):
        self.checkout, self.name = checkout, checkout.name
        self.root = work / "project"
        for part in PARTS:
            shutil.copytree(checkout / part, self.root / part)
        sys.path.insert(0, str(REPO))
        from leafletgen.typeset.fonts import cache_root
        cache = work / "cache"
        for part in ("fonts", "hyphenation"):
            if (cache_root() / part).is_dir():
                shutil.copytree(cache_root() / part, cache / part)
        env = dict(os.environ, LEAFLETGEN_CACHE=str(cache))
        self.port = free_port()
        self.log = open(work / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "generate.py", "--root", str(self.root), "serve", "--port", str(self.port),
             "--workers", str(workers)], cwd=checkout, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 180
        while True:
            try:
                if Client(self.port).get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit(f"the server of {checkout} did not start; see {work / 'server.log'}")
            time.sleep(0.3)
        self.client = Client(self.port)
        self.langs = ["nl"] + sorted(p.parent.parent.name for p in
                                     (self.root / "translations").glob(f"*/LC_MESSAGES/{LEAFLET}.po"))
        self.has_search = self.client.get("/search?q=rug")[0] != 404

    def warm(self) -> None:
        for lang in self.langs:
            status, body, _, _ = self.get(f"/?leaflet={LEAFLET}&lang={lang}&variant=a4", htmx=True)
            assert status == 200, (status, body[-500:])
            for picture in pictures(body):
                self.get(picture)

    def get(self, path: str, htmx: bool = False) -> tuple[int, bytes, dict, float]:
        headers = {"HX-Request": "true"} if htmx else {}
        started = time.perf_counter()
        self.client.connection.request("GET", path, headers=headers)
        response = self.client.connection.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders()), time.perf_counter() - started

    def click(self, query: str) -> float:
        """The staff page for `query` as htmx asks for it, then each picture of its preview."""
        started = time.perf_counter()
        status, body, _, _ = self.get(f"/?{query}", htmx=True)
        assert status == 200, (status, body[-500:])
        found = pictures(body)
        assert found, "no preview on the page"
        for picture in found:
            assert self.get(picture)[0] == 200
        return time.perf_counter() - started

    def typing(self, text: str, practice: str) -> float:
        query = f"q={text}&leaflet={LEAFLET}&lang=nl&practice={practice}&variant=a4"
        status, body, _, seconds = self.get(f"/search?{query}" if self.has_search else f"/?{query}", htmx=True)
        assert status == 200 and LEAFLET.encode() in body, (status, body[-500:])
        return seconds

    def cpu_seconds(self) -> float:
        """User and system CPU time of the server and every process below it, so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in [self.process.pid] + descendants(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def cpu_per(self, action, *args, times: int = 20) -> float:
        before = self.cpu_seconds()
        for _ in range(times):
            action(*args)
        return (self.cpu_seconds() - before) / times

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def pictures(page: bytes) -> list[str]:
    return [html.unescape(src) for src in re.findall(r'<img src="([^"]*/page-\d+\.png[^"]*)"', page.decode())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vs", type=Path, action="append", default=[],
                        help="another checkout of leafletgen to measure beside this one (repeatable)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    checkouts = [REPO] + [path.resolve() for path in args.vs]
    print(f"machine: {machine()}")
    print(f"load average at the start: {load_average()}")
    work = Path(tempfile.mkdtemp(prefix="leafletgen-bench-staff."))
    servers: list[Server] = []
    times: dict[str, dict[str, list[float]]] = {}
    try:
        for number, checkout in enumerate(checkouts):
            server = Server(checkout, work / str(number), args.workers)
            servers.append(server)
            server.warm()
            times[server.name] = {"u": [], "c": [], "t": [], "C": [], "T": []}
            typing = "/search" if server.has_search else "the whole page"
            print(f"{server.name}: {checkout} (search as one types: {typing})")
        for round_number in range(args.rounds):
            shift = round_number % len(servers)          # each goes first in turn
            order = servers[shift:] + servers[:shift]
            for server in order:
                practice = f"bench-{round_number}"
                (server.root / "practices" / f"{practice}.toml").write_text(
                    f'name = "Bench {round_number}"\ncolor = "#2a6f4c"\n', encoding="utf-8")
                query = f"leaflet={LEAFLET}&lang=nl&practice={practice}&variant=a4"
                times[server.name]["u"].append(server.click(query))
                times[server.name]["c"].append(server.click(query))
                times[server.name]["t"].append(server.typing("rugk", practice))
                times[server.name]["C"].append(server.cpu_per(server.click, query))
                times[server.name]["T"].append(server.cpu_per(server.typing, "rugk", practice))
            print(f"round {round_number + 1}: " + "; ".join(
                f"{name} u {t['u'][-1] * 1000:.0f} c {t['c'][-1] * 1000:.0f} t {t['t'][-1] * 1000:.0f} "
                f"C {t['C'][-1] * 1000:.1f} T {t['T'][-1] * 1000:.1f} ms"
                for name, t in times.items()) + f" (load {load_average()})")
        print()
        print("median (min–max) in ms over the rounds:")
        for name, measured in times.items():
            parts = []
            for key, label in (("u", "click, new document"), ("c", "click, cached"), ("t", "typing"),
                               ("C", "CPU per cached click"), ("T", "CPU per keystroke")):
                values = [value * 1000 for value in measured[key]]
                digits = 1 if key in "CT" else 0
                parts.append(f"{label} {statistics.median(values):.{digits}f} "
                             f"({min(values):.{digits}f}–{max(values):.{digits}f})")
            print(f"  {name}: " + "; ".join(parts))
        print(f"load average at the end: {load_average()}")
    finally:
        for server in servers:
            server.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
