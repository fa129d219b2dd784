"""What accounts cost the staff's requests: each request's wall time on a real server (waitress,
127.0.0.1), without a login (this computer only) and signed in (reachable from elsewhere), in
one run (not a test).

    python benchmarks/bench_accounts.py [--rounds 40]

Requests, all for documents already made (so the render is not what is measured): the staff
page with its preview, a cached PDF (recorded in the audit trail), a page preview. Rounds
alternate the two servers; the medians are printed per request and mode. Run it on a commit
before the accounts (the signed-in mode is then skipped) for the figures without them.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, machine, make_project  # noqa: E402

sys.path.insert(0, str(REPO))
LEAFLET, PRACTICE = "lage-rugklachten", "fysio-delinde"
PASSWORD = "correct horse battery"
REQUESTS = {
    "staff page": f"/?leaflet={LEAFLET}&lang=tr&practice={PRACTICE}&variant=a4",
    "cached PDF": f"/leaflets/{LEAFLET}/tr.pdf?practice={PRACTICE}&variant=a4",
    "page preview": f"/leaflets/{LEAFLET}/tr/page-1.png?practice={PRACTICE}&variant=a4",
}


class Server:
    def __init__(self, root: Path, cache: Path, login: bool):
        import waitress

        from leafletgen.inputs.project import Project
        from leafletgen.web.app import create_app
        from leafletgen.web.documents import DocumentService

        project = Project(root)
        self.service = DocumentService(project, cache, workers=1)
        self.app = create_app(project, require_login=login, documents=self.service)
        self.server = waitress.create_server(self.app, host="127.0.0.1", port=0, threads=4)
        self.port = self.server.effective_port
        threading.Thread(target=self.server.run, daemon=True).start()
        self.cookie = ""

    def get(self, path: str, body: str | None = None) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        connection.close()
        return response.status, response.getheader("Location") or "", data.decode("utf-8", "replace")

    def sign_in(self) -> None:
        from urllib.parse import urlencode

        _status, _location, page = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _location, _page = self.get("/login", urlencode(
            {"csrf_token": token, "name": "bench", "password": PASSWORD}))
        assert status == 302, status

    def close(self) -> None:
        self.server.close()
        self.service.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="leafletgen-bench-accounts."))
    root = work / "project"
    make_project(root, practices=1, fill=False)
    modes = {"no login": False}
    if (REPO / "leafletgen" / "store").is_dir():        # a commit with the accounts
        from leafletgen.store import accounts
        from leafletgen.store.database import open_store
        from leafletgen.store.settings import load_settings

        store = open_store(load_settings(root))
        accounts.add(store, "bench", "staff", password=PASSWORD)
        store.close()
        modes["signed in"] = True
    servers = {mode: Server(root, work / f"cache-{index}", login)
               for index, (mode, login) in enumerate(modes.items())}
    try:
        for mode, server in servers.items():
            if modes[mode]:
                server.sign_in()
            for path in REQUESTS.values():          # made once: what follows is served from the cache
                status, location, _ = server.get(path)
                assert status == 200, (mode, path, status, location)
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for mode, server in servers.items():
                for name, path in REQUESTS.items():
                    start = time.perf_counter()
                    status, _location, _data = server.get(path)
                    times.setdefault((mode, name), []).append(time.perf_counter() - start)
                    assert status == 200, (mode, name, status)
        print(f"machine: {machine()}; {args.rounds} rounds, medians in ms")
        for name in REQUESTS:
            print(f"  {name:14}" + "".join(f"  {mode}: {statistics.median(times[(mode, name)]) * 1000:7.1f}"
                                          for mode in servers))
    finally:
        for server in servers.values():
            server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
