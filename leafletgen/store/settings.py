"""The server's settings: `leafletgen.toml` in the content folder, written by the IT person.

Every key is optional; a folder without the file runs with the defaults below (the app on
127.0.0.1:8000, SQLite in .leafletgen/, no proxy). Unknown keys are errors, all reported at once
with their line. `LEAFLETGEN_DATABASE_URL` in the environment overrides `database.url`, so a
PostgreSQL password need not be written in a file that may be in git.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, UserError

SETTINGS_FILE = "leafletgen.toml"
# Where the database URL is set: the file's key, or (overriding it) the environment variable.
DATABASE_URL_KEY = f"{SETTINGS_FILE}: database.url"
STATE_DIR = ".leafletgen"                   # the database and the secret key; never in git
DEFAULT_DATABASE = f"{STATE_DIR}/leafletgen.db"
DEFAULT_SECRET_KEY_FILE = f"{STATE_DIR}/secret-key"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
DEFAULT_KEEP_NAMES_DAYS = 730               # two years (docs/install.md, "Accounts and users")
DATABASE_URL_VARIABLE = "LEAFLETGEN_DATABASE_URL"
SETTINGS_MAX_BYTES = 64 * 1024

_HEADER = re.compile(r"^[A-Za-z0-9-]{1,64}$")
# Headers a proxy sets for itself or that carry a browser's own data: never an account's name.
_NOT_SSO = frozenset({"host", "cookie", "authorization", "x-forwarded-for", "x-forwarded-proto",
                      "x-forwarded-host", "content-type", "content-length", "referer", "origin"})


@dataclass(frozen=True)
class Settings:
    """The settings as the server uses them: paths absolute, the proxy as networks."""

    root: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    proxies: tuple = ()                     # ipaddress networks whose X-Forwarded-* are believed
    sso_header: str = ""
    secret_key_file: Path | None = None
    database_url: str = ""                  # "" → SQLite in .leafletgen/
    database_url_from: str = DATABASE_URL_KEY   # where it was set, for messages
    keep_names_days: int = DEFAULT_KEEP_NAMES_DAYS
    given: frozenset = field(default_factory=frozenset)   # the keys the file set ("server.host", …)

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    def from_proxy(self, address: str | None) -> bool:
        """Whether a connection from `address` is the configured reverse proxy."""
        if not address or not self.proxies:
            return False
        try:
            ip = ipaddress.ip_address(address.strip("[]"))
        except ValueError:
            return False
        return any(ip in network for network in self.proxies)


@functools.cache
def settings_model():
    """The file's model (pydantic, imported here: `serve --help` and the main job never need it)."""
    from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

    class ServerSection(BaseModel):
        model_config = ConfigDict(extra="forbid")

        host: StrictStr = DEFAULT_HOST
        port: StrictInt = Field(default=DEFAULT_PORT, ge=1, le=65535)
        proxy: list[StrictStr] = Field(default_factory=list, max_length=20)
        sso_header: StrictStr = ""
        secret_key_file: StrictStr = DEFAULT_SECRET_KEY_FILE

        @field_validator("proxy", mode="before")
        @classmethod
        def _one_or_more(cls, value):
            return [value] if isinstance(value, str) else value

        @field_validator("proxy")
        @classmethod
        def _networks(cls, value: list[str]) -> list[str]:
            for entry in value:
                try:
                    ipaddress.ip_network(entry.strip(), strict=False)
                except ValueError:
                    raise ValueError(f"{entry!r} is not an IP address or network (e.g. 10.0.0.5 or "
                                     "10.0.0.0/24); a proxy is named by its address") from None
            return value

        @field_validator("sso_header")
        @classmethod
        def _header(cls, value: str) -> str:
            if value and (not _HEADER.match(value) or value.lower() in _NOT_SSO):
                raise ValueError("must be the name of the header the proxy sets to the signed-in "
                                 "account's name, e.g. X-Remote-User")
            return value


    class DatabaseSection(BaseModel):
        model_config = ConfigDict(extra="forbid")

        url: StrictStr = ""


    class AuditSection(BaseModel):
        model_config = ConfigDict(extra="forbid")

        keep_names_days: StrictInt = Field(default=DEFAULT_KEEP_NAMES_DAYS, ge=1, le=36500)


    class SettingsFile(BaseModel):
        model_config = ConfigDict(extra="forbid")

        server: ServerSection = Field(default_factory=ServerSection)
        database: DatabaseSection = Field(default_factory=DatabaseSection)
        audit: AuditSection = Field(default_factory=AuditSection)

    return SettingsFile


def load_settings(root: Path, environ=None) -> Settings:
    """The content folder's settings (the defaults when it has no leafletgen.toml)."""
    from ..inputs.files import InputFileError, file_kind, read_file
    from ..inputs.validation import parse_toml, validate_model

    environ = os.environ if environ is None else environ
    data: dict = {}
    text = ""
    if file_kind(root, SETTINGS_FILE) != "missing":
        try:
            raw = read_file(root, SETTINGS_FILE, SETTINGS_MAX_BYTES)
        except InputFileError as exc:
            raise UserError(Problem(SETTINGS_FILE, exc.reason)) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(Problem(SETTINGS_FILE, f"is not UTF-8 text (byte {exc.start})")) from None
        data = parse_toml(text, SETTINGS_FILE, "the server's settings")
    lines = _key_lines(text)
    model, problems = validate_model(settings_model(), data, SETTINGS_FILE, line_of=lines.get)
    if problems:
        raise UserError([_in_section(problem, lines) for problem in problems])
    server = model.server
    if server.sso_header and not server.proxy:
        raise UserError(Problem(SETTINGS_FILE, "sign-in through a proxy header needs the proxy's "
                                "address: set server.proxy as well", field="server.sso_header",
                                line=lines.get("server.sso_header")))
    url = environ.get(DATABASE_URL_VARIABLE) or model.database.url
    url_from = DATABASE_URL_VARIABLE if environ.get(DATABASE_URL_VARIABLE) else DATABASE_URL_KEY
    return Settings(
        root=root, host=server.host, port=server.port,
        proxies=tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in server.proxy),
        sso_header=server.sso_header, secret_key_file=_inside(root, server.secret_key_file),
        database_url=url, database_url_from=url_from, keep_names_days=model.audit.keep_names_days,
        given=frozenset(f"{section}.{key}" for section, keys in data.items() if isinstance(keys, dict)
                        for key in keys))


def _in_section(problem: Problem, lines: dict) -> Problem:
    """A problem inside a section: at its key's own line; an unknown key is told the keys of
    that section (not the sections)."""
    section, _dot, key = (problem.field or "").partition(".")
    message = problem.message
    model = settings_model().model_fields.get(section)
    if key and model is not None and message.startswith("unknown key"):
        message = f"unknown key; allowed keys in [{section}] are: {', '.join(model.annotation.model_fields)}"
    line = lines.get(f"{section}.{key.split('.')[0]}") or problem.line
    return Problem(problem.file, message, line=line, field=problem.field)


def _inside(root: Path, path: str) -> Path:
    """A path of the settings: relative ones are inside the content folder."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else root / path


def _key_lines(text: str) -> dict[str, int]:
    """The line of each `[section]` header and of each `key =` as "section.key"."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[\s*([A-Za-z_][\w-]*)\s*\]", line)
        key = re.match(r"^\s*([A-Za-z_][\w-]*)\s*=", line)
        if header:
            section = header.group(1)
            lines.setdefault(section, number)
        elif key:
            lines.setdefault(f"{section}.{key.group(1)}" if section else key.group(1), number)
    return lines
