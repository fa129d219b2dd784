"""A real PostgreSQL server for the tests, started from Debian's `postgresql` package in a
temporary folder (a Unix socket only, no TCP port), or the reason it cannot be.

`start()` gives a SQLAlchemy URL, or raises Unavailable with a reason for pytest.skip: the
package is not installed (.ci/run installs it), the psycopg driver is missing, or the server did
not start within START_SECONDS. As root (CI runs so) the server runs as the `postgres` user,
since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

START_SECONDS = 20


class Unavailable(Exception):
    pass


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name)


class Server:
    def __init__(self):
        self.folder: Path | None = None
        self.url = ""
        self._as: list[str] = []

    def start(self) -> str:
        initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
        if not initdb or not pg_ctl:
            raise Unavailable("PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run "
                              "installs it)")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise Unavailable("the psycopg driver is not installed (pip install -e '.[test]')") from None
        self.folder = Path(tempfile.mkdtemp(prefix="lgpg-"))
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise Unavailable("running as root without runuser: PostgreSQL cannot be started")
            try:
                subprocess.run(["id", "postgres"], check=True, capture_output=True)
            except subprocess.CalledProcessError:
                raise Unavailable("running as root and there is no `postgres` user to run the server as") from None
            shutil.chown(self.folder, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        try:
            self._run([initdb, "-D", str(data), "-A", "trust", "-U", "leafletgen", "-E", "UTF8",
                       "--no-sync", "--no-instructions"])
            self._run([pg_ctl, "-D", str(data), "-l", str(self.folder / "log"), "-w", "-t",
                       str(START_SECONDS), "-o", f"-k {self.folder} -c listen_addresses='' -p 5432 -F",
                       "start"])
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            log = ""
            if (self.folder / "log").exists():
                log = (self.folder / "log").read_text(errors="replace")[-500:]
            self.stop()
            raise Unavailable(f"PostgreSQL did not start: {exc} {log}".strip()) from None
        self.url = f"postgresql+psycopg://leafletgen@/postgres?host={self.folder}&port=5432"
        return self.url

    def _run(self, command: list[str]) -> None:
        subprocess.run(self._as + command, check=True, capture_output=True, timeout=START_SECONDS + 10,
                       cwd=self.folder)

    def stop(self) -> None:
        if self.folder is None:
            return
        pg_ctl = _binary("pg_ctl")
        if pg_ctl and (self.folder / "data" / "postmaster.pid").exists():
            try:
                self._run([pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate", "stop"])
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
                pass
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


def reset(url: str) -> None:
    """An empty database again: every table of ours dropped (the next open creates them)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
