"""`python generate.py serve`: the staff web app on waitress (a production WSGI server that also
runs on Windows, where most practice PCs are).

Bound to the loopback address (the default, 127.0.0.1) only this computer can reach it, and no
login is asked. Bound to any other address, or behind a proxy, everyone signs in with an account
(`generate.py users add`); without one it does not start. Host, port, proxy and the database
come from leafletgen.toml in the content folder (store/settings.py); options given here win.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import logging
import sys
import threading

from ..errors import UserError
from ..inputs.project import Project
from ..run.signals import Terminated

from ..store.settings import DEFAULT_HOST, DEFAULT_PORT


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def add_command(commands, common) -> None:
    serve = commands.add_parser(
        "serve", help="the staff web app: pick, preview and print leaflets in a browser",
        description="Start the staff web app: search a leaflet, pick the language, the practice and "
                    "the variant, preview it and print it, in a browser. Bound to 127.0.0.1 (this "
                    "computer only) unless --host or leafletgen.toml says otherwise; any other "
                    "address requires everyone to sign in with an account (`users add`).")
    serve.add_argument("--host", metavar="H",
                       help=f"address to listen on (default: server.host in leafletgen.toml, else "
                            f"{DEFAULT_HOST}, this computer only; 0.0.0.0 for every network, which "
                            "requires a login)")
    serve.add_argument("--port", type=_port, metavar="P",
                       help=f"port (default: server.port in leafletgen.toml, else {DEFAULT_PORT}; 0: "
                            "any free port, shown at the start)")
    serve.add_argument("--workers", type=_positive, default=None, metavar="N",
                       help="documents rendered at once (default: one per core)")
    serve.add_argument("--proxy", metavar="ADDRESS",
                       help="address of a reverse proxy in front of the app that terminates https "
                            "(default: server.proxy in leafletgen.toml); only its X-Forwarded-* "
                            "headers are believed (session cookies become Secure)")
    serve.add_argument("--set-password", action="store_true", help=argparse.SUPPRESS)
    common(serve)
    serve.set_defaults(handler=cmd_serve)


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("must be between 1 and 65535 (or 0: any free port)")
    return port


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def cmd_serve(args, project: Project, out, err) -> int:
    from ..store.settings import load_settings

    if args.set_password:
        raise UserError("serve --set-password is gone: everyone signs in with an account of their own; "
                        "make one with `python generate.py users add NAME --role admin`")
    settings = load_settings(project.root)
    if args.proxy:
        try:
            settings = dataclasses.replace(settings, proxies=(ipaddress.ip_network(args.proxy, strict=False),))
        except ValueError:
            raise UserError(f"--proxy: {args.proxy!r} is not an IP address") from None
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    # Behind a proxy the app is reachable from elsewhere whatever address it listens on.
    require_login = not is_loopback(host) or bool(settings.proxies)
    store = _open_store(settings)
    if require_login and not settings.sso_header:
        from ..store.accounts import count_usable

        if not count_usable(store):
            store.close()
            shown = ", ".join(str(n.network_address if n.num_addresses == 1 else n) for n in settings.proxies)
            where = (f"behind the proxy {shown}"
                     if settings.proxies and is_loopback(host) else f"on {host}")
            raise UserError(f"serving {where} makes the app reachable from other computers, which "
                            "requires a login: make an account first with "
                            "`python generate.py users add NAME --role admin`")
    return run(project, host, port, require_login=require_login, workers=args.workers,
               settings=settings, store=store, out=out)


def _open_store(settings):
    from ..store.database import open_store

    return open_store(settings)


def run(project: Project, host: str, port: int, require_login: bool, workers: int | None = None,
        settings=None, store=None, out=sys.stdout) -> int:
    """Listen at once and say where; the worker processes warm up meanwhile (a document asked
    for before then waits for the first free worker), and a line says when they are ready."""
    print("starting the staff app…", file=out, flush=True)
    from ..run import template

    template.shared()       # the workers' warm template starts now, while the app is made
    import waitress

    from ..batch import default_jobs
    from ..typeset.fonts import cache_root
    from .app import create_app
    from .documents import DocumentService

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)    # not a line per rendering step
    from ..run import limits

    workers = workers or default_jobs()
    per_document = limits.current()      # --time-limit, --memory-limit (0: none)
    documents = DocumentService(project, cache_root() / "web", workers=workers,
                                time_limit=per_document.seconds, memory_mb=per_document.memory_mb)
    try:
        app = create_app(project, require_login=require_login, documents=documents, settings=settings,
                         store=store)
    except BaseException:
        documents.close()
        raise
    service = app.extensions["leafletgen.documents"]
    options = dict(host=host, port=port, threads=max(8, 4 * workers), ident="leafletgen",
                   channel_timeout=120, max_request_body_size=8 * 1024 * 1024)
    try:
        server = waitress.create_server(app, **options)      # listening from here on
    except OSError as exc:
        service.close()
        app.extensions["leafletgen.store"].close()
        raise UserError(f"cannot listen on {host} port {port}: {exc.strerror or exc} (is the app "
                        "running already? then open its address; or choose another --port)") from None
    print(f"leafletgen staff app: {address(host, server)}  (open it in the browser; Ctrl-C to stop)",
          file=out, flush=True)
    if require_login:
        print("reachable from other computers: everyone signs in with an account of their own", file=out,
              flush=True)
    warm_up = WarmUp(service, out)
    try:
        threading.Thread(target=warm_up.run, name="warm-up", daemon=True).start()
        server.run()
    except (KeyboardInterrupt, Terminated):
        pass
    finally:
        warm_up.stop()
        server.close()
        service.close()
        app.extensions["leafletgen.store"].close()
    print("stopped", file=out, flush=True)
    return 0


def address(host: str, server) -> str:
    """The address to open: the port the server really has (`--port 0` lets the system choose)."""
    port = getattr(server, "effective_port", None)
    if port is None:    # several sockets (a name with more than one address): the first's port
        port = server.effective_listen[0][1]
    if host in ("0.0.0.0", "::"):      # every address of this computer: none of them is "0.0.0.0"
        import socket

        return f"http://{socket.gethostname()}:{port}/ (on this computer: http://localhost:{port}/)"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class WarmUp:
    """The workers started and warmed in a thread of their own, while the server already answers;
    a line says when they are ready, unless the server is stopping by then."""

    def __init__(self, service, out):
        self.service, self.out = service, out
        self._lock = threading.Lock()
        self._stopping = False

    def run(self) -> None:
        self._say("preparing fonts and worker processes: the first leaflet can take longer (on a "
                  "computer's first start a minute or two)")
        try:
            self.service.start()
        except Exception:   # the server is stopping, or a worker failed: requests start their own
            logging.getLogger("leafletgen.web").debug("warm-up ended early", exc_info=True)
            return
        self._say("ready: leaflets are made at full speed")

    def stop(self) -> None:
        with self._lock:
            self._stopping = True

    def _say(self, line: str) -> None:
        with self._lock:
            if not self._stopping:
                print(line, file=self.out, flush=True)
