"""The database behind the accounts: SQLite in the content folder, or PostgreSQL by URL.

Opened with `open_store(settings)`: the file (or the tables) are created on first use and
brought to the current schema (schema.MIGRATIONS) under a lock, so several servers starting at
once migrate once. Writes go through `Store.write()`, a transaction that on SQLite takes the
write lock at its start (BEGIN IMMEDIATE): two writers wait for each other instead of one
failing half-way. SQLAlchemy is imported here and by the modules that use a store, never by the
build.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, insert, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from ..errors import UserError
from . import schema
from .settings import DEFAULT_DATABASE, Settings

SQLITE_WAIT_SECONDS = 15          # a writer waits this long for another's lock before failing
_MIGRATION_LOCK = 0x1EAF1E7       # PostgreSQL advisory lock id taken while migrating


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Store:
    """An open database: connections for reading and writing, and the time it records."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.clock = utc_now      # tests move time forward by replacing it

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def now(self) -> dt.datetime:
        return self.clock()

    def read(self):
        """A connection for reading (its transaction is rolled back when done)."""
        return self.engine.connect()

    @contextlib.contextmanager
    def write(self):
        """A transaction that commits when the block ends without an exception."""
        with self.engine.connect().execution_options(leafletgen_write=True) as connection:
            with connection.begin():
                yield connection

    def close(self) -> None:
        self.engine.dispose()

    def shown_url(self) -> str:
        return shown_url(self.engine.url)


def shown_url(url) -> str:
    """The database's URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def database_url(settings: Settings) -> str:
    """The URL to open: the setting, with a relative SQLite path taken inside the content folder;
    by default SQLite in .leafletgen/."""
    url = settings.database_url or f"sqlite:///{DEFAULT_DATABASE}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UserError(f"{settings.database_url_from}: {url.split('@')[-1]!r} is not a database "
                        "URL (e.g. sqlite:///.leafletgen/leafletgen.db or "
                        "postgresql+psycopg://user@host/leafletgen)") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            raise UserError(f"{settings.database_url_from}: a SQLite database must be a file "
                            "(e.g. sqlite:///.leafletgen/leafletgen.db), so that every process "
                            "of the server sees the same accounts")
        path = Path(database).expanduser()
        if not path.is_absolute():
            path = settings.root / path
        return parsed.set(database=str(path)).render_as_string(hide_password=False)
    return url


def open_store(settings: Settings) -> Store:
    """The database named by the settings, created and migrated if need be."""
    url = database_url(settings)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": SQLITE_WAIT_SECONDS,
                                                  "check_same_thread": False})
        _sqlite_transactions(engine)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise UserError(f"cannot use the database {shown_url(parsed)}: {exc} (for PostgreSQL, "
                            "pip install 'leafletgen[postgresql]' and a postgresql+psycopg:// URL)") from None
    store = Store(engine, settings)
    try:
        migrate(store)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise UserError(f"cannot open the database {shown_url(parsed)}: {reason}") from None
    except Exception:
        engine.dispose()
        raise
    return store


def open_existing(settings: Settings) -> Store | None:
    """The database if the web app has one: one named in the settings, or the default SQLite file
    once made; None for a folder whose app has never run off this computer's own use."""
    if not settings.database_url and not (settings.root / DEFAULT_DATABASE).is_file():
        return None
    return open_store(settings)


def _prepare_sqlite_file(path: Path) -> None:
    """The database's folder and file, readable by this user only (it holds password hashes)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(descriptor)
    except OSError as exc:
        raise UserError(f"cannot create the database {path}: {exc.strerror or exc}") from None


def _sqlite_transactions(engine: Engine) -> None:
    """Transactions as SQLAlchemy documents for pysqlite: begun by us, IMMEDIATE for writes;
    the journal in WAL mode, so reading never waits for a writer."""

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        immediate = connection.get_execution_options().get("leafletgen_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def current_version(connection) -> int | None:
    if not inspect(connection).has_table("schema_version"):
        return None
    return connection.execute(select(schema.schema_version.c.version)).scalar()


def migrate(store: Store) -> None:
    """Apply the steps the database has not had, in order, once, under a lock."""
    known = len(schema.MIGRATIONS)
    with store.read() as connection:
        if current_version(connection) == known:
            return
    with store.write() as connection:
        if store.dialect == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        version = current_version(connection)
        if version is None:
            schema.schema_version.create(connection)
            connection.execute(insert(schema.schema_version).values(version=0))
            version = 0
        if version > known:
            raise UserError(f"the database {store.shown_url()} was made by a newer leafletgen "
                            f"(schema version {version}; this one knows up to {known}): upgrade "
                            "leafletgen on this computer")
        for step in schema.MIGRATIONS[version:]:
            step(connection)
        connection.execute(update(schema.schema_version).values(version=known))


__all__ = ["Store", "open_store", "migrate", "utc_now", "SQLAlchemyError"]
