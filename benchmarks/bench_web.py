"""Speed, load and memory of the staff web app, on this machine, in one run (not a test).

    python benchmarks/bench_web.py [--practices 5] [--rounds 7] [--clients 20] [--requests 200]
                                   [--renders 1000] [--workers 2]

It copies this project's inputs to a temporary folder (as bench.py does: --practices practices),
runs the main job there once (its documents per second are the load target's reference, and its
output holds the fonts the HTML leaflets link), starts `python generate.py serve` on a free port
of 127.0.0.1 with an empty document cache, warms it (one document per language), and measures:

  (a) a document not yet cached: a practice is added to practices/ while the server runs and its
      Dutch A4 leaflet asked for (client-side wall time of the PDF request), against
  (c') bare warm WeasyPrint on the same HTML (the HTML leaflet the server gives for that
      document): `HTML(...).write_pdf(pdf_variant="pdf/ua-1", font_config=shared)` in a process
      that has rendered it once already; best of three. Alternating, round after round: the ratio
      (a)/(c') is taken per round, its median held against the target (at most 1.5);
  (b) the same document again, from the cache (target: under a tenth of (c'));
  (l) --clients concurrent clients making --requests mixed requests (new documents in every
      language and several variants, documents again, HTML, page previews, the staff page,
      /healthz): every answer must be 200; documents rendered per second against the main job's
      documents per second (target: at least 80 %);
  (m) --renders renders (4 clients, documents asked for again after the cache folder is emptied):
      the server process's resident memory, and its workers', after the first 100 and at the end
      (target: the server's under 15 % growth).

Only addresses of this machine (127.0.0.1) are used; every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, machine, make_project  # noqa: E402

LEAFLET = "lage-rugklachten"

BARE = r"""
import sys, time
import weasyprint
from weasyprint.text.fonts import FontConfiguration
fc = FontConfiguration()
for line in sys.stdin:
    name = line.strip()
    times = []
    for _ in range(4):
        t = time.perf_counter()
        weasyprint.HTML(filename=name).write_pdf(pdf_variant="pdf/ua-1", font_config=fc)
        times.append(time.perf_counter() - t)
    print(min(times[1:]), flush=True)     # the first is the warm-up
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> tuple[int, bytes, dict, float]:
        started = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connection.request("GET", path)
            response = self.connection.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders()), time.perf_counter() - started


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child] + descendants(child)
    return found


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # stopped: the server is stopped too
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--renders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(f"load average at the start: {load_average()}")
    work = Path(tempfile.mkdtemp(prefix="leafletgen-bench-web."))
    server = None
    try:
        root = work / "project"
        root.mkdir()
        make_project(root, args.practices, fill=False)
        env = dict(os.environ)
        # A cache folder of its own (its web/ part is emptied below), with the font instances and
        # hyphenation patterns of this machine's cache copied in, as a practice PC has them.
        sys.path.insert(0, str(REPO))
        from leafletgen.typeset.fonts import cache_root
        cache = work / "cache"
        for part in ("fonts", "hyphenation"):
            if (cache_root() / part).is_dir():
                shutil.copytree(cache_root() / part, cache / part)
        env["LEAFLETGEN_CACHE"] = str(cache)

        # The main job: its documents per second (a cold start, all cores, --force), best of two.
        out = root / "output"
        best = None
        for _ in range(2):
            started = time.perf_counter()
            run = subprocess.run([sys.executable, "generate.py", "--root", str(root), "--out", str(out),
                                  "--force"], cwd=REPO, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            if run.returncode:
                raise SystemExit(f"the main job failed:\n{run.stdout}\n{run.stderr}")
            built = int(run.stdout.strip().splitlines()[-1].split()[0])
            best = min(best or (seconds, built), (seconds, built))
        main_seconds, main_docs = best
        main_rate = main_docs / main_seconds
        print(f"main job: {main_docs} documents in {main_seconds:.1f} s = {main_rate:.2f} documents/s")

        shutil.rmtree(cache / "web", ignore_errors=True)
        port = free_port()
        log = open(work / "server.log", "w")
        server = subprocess.Popen([sys.executable, "generate.py", "--root", str(root), "serve", "--port",
                                   str(port), "--workers", str(args.workers)], cwd=REPO, env=env,
                                  stdout=log, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 180
        client = Client(port)
        while True:
            try:
                if client.get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
            client = Client(port)
        langs = [p.parent.parent.name for p in (root / "translations").glob("*/LC_MESSAGES/lage-rugklachten.po")]
        langs = ["nl"] + sorted(langs)
        practices = sorted(p.stem for p in (root / "practices").glob("*.toml"))
        # Warm: every language once in each worker (a worker's first document in a language loads
        # its catalogs, patterns and fonts).
        for lang in langs:
            for variant in ("a4", "a5"):
                status, body, _, _ = client.get(
                    f"/leaflets/{LEAFLET}/{lang}.pdf?practice={practices[0]}&variant={variant}")
                assert status == 200, (status, lang, variant, body[-2000:])

        # (a), (b), (c'): alternating, round after round.
        bare = subprocess.Popen([sys.executable, "-c", BARE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, cwd=REPO, env=env)
        template = (root / "practices" / f"{practices[0]}.toml").read_text(encoding="utf-8")
        uncached, cached, plain, ratios = [], [], [], []
        for number in range(args.rounds):
            practice = f"added-{number}"
            text = template.replace('name = "', f'name = "Toegevoegd {number} ', 1)
            (root / "practices" / f"{practice}.toml").write_text(text, encoding="utf-8")
            url = f"/leaflets/{LEAFLET}/nl.pdf?practice={practice}"
            status, body, headers, seconds = client.get(url)
            assert status == 200 and headers.get("X-Cache") == "miss", (status, headers)
            uncached.append(seconds)
            status, body, headers, seconds = client.get(url)
            assert status == 200 and headers.get("X-Cache") == "hit"
            cached.append(seconds)
            status, html, _, _ = client.get(f"/leaflets/{LEAFLET}/nl.html?practice={practice}")
            page = out / practice / "nl" / f"{LEAFLET}.html"      # links ../../assets/fonts/
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(html)
            bare.stdin.write(f"{page}\n")
            bare.stdin.flush()
            plain.append(float(bare.stdout.readline()))
            ratios.append(uncached[-1] / plain[-1])
        bare.stdin.close()
        bare.wait()
        median_ratio = statistics.median(ratios)
        cached_ratio = statistics.median(c / p for c, p in zip(cached, plain))
        print(f"(a) uncached document: median {statistics.median(uncached) * 1000:.0f} ms "
              f"(rounds: {', '.join(f'{s * 1000:.0f}' for s in uncached)})")
        print(f"(c') bare warm WeasyPrint, same HTML: median {statistics.median(plain) * 1000:.0f} ms")
        print(f"    (a)/(c') per round: {', '.join(f'{r:.2f}' for r in ratios)}; median {median_ratio:.2f} "
              f"(target ≤ 1.5: {'met' if median_ratio <= 1.5 else 'NOT met'})")
        print(f"(b) cached document: median {statistics.median(cached) * 1000:.1f} ms = {cached_ratio:.3f} of (c') "
              f"(target < 0.1: {'met' if cached_ratio < 0.1 else 'NOT met'})")

        # (l) concurrent clients, mixed requests.
        rng = random.Random(15)
        new_docs = [f"/leaflets/{LEAFLET}/{lang}.pdf?practice={practice}&variant={variant}"
                    for practice in practices[1:] for lang in langs for variant in ("a4", "large-print")]
        rng.shuffle(new_docs)
        count_new = int(args.requests * 0.6)
        requests_ = new_docs[:count_new]
        seen = requests_[: max(1, count_new // 3)]
        while len(requests_) < args.requests:
            kind = rng.random()
            doc = rng.choice(seen)
            if kind < 0.35:
                requests_.append(doc)                                            # again: cached
            elif kind < 0.55:
                requests_.append(doc.replace(".pdf?", ".html?"))
            elif kind < 0.75:
                requests_.append(doc.replace(".pdf?", "/page-1.png?"))
            elif kind < 0.9:
                lang = doc.split("/")[3].split(".")[0]
                requests_.append(f"/?lang={lang}&practice={doc.split('practice=')[1].split('&')[0]}")
            else:
                requests_.append("/healthz")
        rng.shuffle(requests_)
        queue = list(requests_)
        lock = threading.Lock()
        results: list[tuple[str, int, str, float]] = []

        def worker():
            own = Client(port)
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                try:
                    status, body, headers, seconds = own.get(path)
                    cache_state = headers.get("X-Cache", "")
                except Exception as exc:  # counted as an error
                    status, cache_state, seconds = 0, repr(exc), 0.0
                with lock:
                    results.append((path, status, cache_state, seconds))

        before = json.loads(client.get("/healthz")[1])
        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        after = json.loads(client.get("/healthz")[1])
        errors = [(p, s, c) for p, s, c, _ in results if s != 200]
        rendered = after["rendered"] - before["rendered"]        # every document made, whatever asked
        previews = after["previews"] - before["previews"]
        documents = sum(1 for p, _, c, _ in results if c in ("hit", "miss"))
        rate = rendered / wall
        latencies = sorted(s for *_, s in results)
        print(f"(l) {args.clients} clients, {len(results)} requests in {wall:.1f} s: {len(errors)} error(s); "
              f"{len(results) / wall:.1f} requests/s; {documents} PDF/HTML answers; {rendered} documents rendered "
              f"(and {previews} previewed): "
              f"{rate:.2f} rendered/s = {100 * rate / main_rate:.0f} % of the main job's "
              f"{main_rate:.2f}/s (target ≥ 80 %: {'met' if rate >= 0.8 * main_rate and not errors else 'NOT met'}); "
              f"latency median {statistics.median(latencies) * 1000:.0f} ms, "
              f"95th percentile {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms")
        for path, status, state in errors[:5]:
            print(f"    error: {status} {state} {path}")

        # (m) memory over many renders.
        docs = [f"/leaflets/{LEAFLET}/{lang}.pdf?practice={practice}&variant={variant}"
                for practice in practices for lang in langs for variant in ("a4", "a5")]
        done = 0
        samples = []
        memory_lock = threading.Lock()
        memory_errors: list = []

        def render_batch(batch):
            own = Client(port)
            for path in batch:
                status, _, headers, _ = own.get(path)
                if status != 200:
                    with memory_lock:
                        memory_errors.append((status, path))

        while done < args.renders:
            for path in (cache / "web").glob("*/*"):      # as the server's own eviction: files only
                path.unlink(missing_ok=True)
            batch = docs[: min(len(docs), args.renders - done)]
            parts = [batch[i::4] for i in range(4)]
            threads = [threading.Thread(target=render_batch, args=(part,)) for part in parts]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            done += len(batch)
            with memory_lock:
                workers = descendants(server.pid)
                samples.append((done, rss_kib(server.pid), sum(rss_kib(pid) for pid in workers)))
        first = next(sample for sample in samples if sample[0] >= 100)
        last = samples[-1]
        growth = 100 * (last[1] - first[1]) / first[1]
        print(f"(m) {last[0]} renders: server {first[1] / 1024:.0f} MiB after {first[0]}, "
              f"{last[1] / 1024:.0f} MiB at the end ({growth:+.1f} %; target under 15 %: "
              f"{'met' if growth < 15 else 'NOT met'}); its workers together "
              f"{first[2] / 1024:.0f} → {last[2] / 1024:.0f} MiB (each replaced after 200 documents)")
        print(f"    {len(memory_errors)} error(s) in those renders"
              + (f", e.g. {memory_errors[:3]}" if memory_errors else ""))
        print("    samples (renders, server MiB, workers MiB): " +
              ", ".join(f"({d}, {s / 1024:.0f}, {w / 1024:.0f})" for d, s, w in samples))
        print(f"load average at the end: {load_average()}")
        print(json.dumps({"main_rate": main_rate, "ratio": median_ratio, "cached_ratio": cached_ratio,
                          "load_errors": len(errors), "load_rate": rate, "memory_growth": growth}))
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
