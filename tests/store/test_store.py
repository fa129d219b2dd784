"""The accounts database on its own: accounts and passwords, the login limit under real
concurrency, sessions, the audit trail and its retention, migrations, the settings file.

Each database test runs on SQLite (a file, as the server uses it) and on PostgreSQL (a real
server started for the module; skipped with the reason when the machine has none).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading

import pytest

from leafletgen.errors import UserError
from leafletgen.store import accounts, audit, login_limits, schema, sessions
from leafletgen.store.accounts import COMMAND_LINE, LOCAL, AccountError
from leafletgen.store.database import open_store
from leafletgen.store.settings import Settings, load_settings

from tests import postgres

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def postgres_url():
    server = postgres.Server()
    try:
        url = server.start()
    except postgres.Unavailable as exc:
        pytest.skip(str(exc))
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path) -> Settings:
    """An empty database: a SQLite file, or the PostgreSQL server's database emptied."""
    if request.param == "sqlite":
        return load_settings(tmp_path)
    url = request.getfixturevalue("postgres_url")
    postgres.reset(url)
    return Settings(root=tmp_path, database_url=url)


@pytest.fixture
def store(settings):
    opened = open_store(settings)
    yield opened
    opened.close()


class Clock:
    """The store's time, moved forward by the test."""

    def __init__(self):
        self.now = dt.datetime(2026, 3, 10, 9, 0, 0)

    def __call__(self):
        return self.now

    def forward(self, **delta):
        self.now += dt.timedelta(**delta)


# ---- Accounts ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_accounts_are_added_changed_disabled_and_listed(store):
    anna = accounts.add(store, "Anna", "admin", password=PASSWORD)
    assert (anna.name, anna.role, anna.practices, anna.disabled) == ("anna", "admin", frozenset(), False)
    lena = accounts.add(store, "lena@plein.nl", "staff", ["plein"], PASSWORD, known_practices=["plein", "linde"])
    assert lena.practices == {"plein"} and lena.sees_practice("plein") and not lena.sees_practice("linde")
    assert lena.sees_practice("default")            # the neutral leaflet, without a practice
    assert [a.name for a in accounts.all_accounts(store)] == ["anna", "lena@plein.nl"]
    with pytest.raises(AccountError) as refused:
        accounts.add(store, "ANNA", "staff", password=PASSWORD)
    assert [m.code for m in refused.value.messages] == ["name_taken"]
    changed = accounts.change(store, "lena@plein.nl", role="editor", practices=[], known_practices=["plein"])
    assert changed.role == "editor" and changed.practices == frozenset()
    assert accounts.set_disabled(store, "lena@plein.nl", True).disabled
    assert accounts.verify_password(store, "lena@plein.nl", PASSWORD) is None    # disabled: refused
    assert accounts.set_disabled(store, "lena@plein.nl", False).disabled is False
    assert accounts.verify_password(store, "lena@plein.nl", PASSWORD).name == "lena@plein.nl"


def test_every_problem_at_once_as_messages_worded_in_english(store):
    with pytest.raises(AccountError) as refused:
        accounts.add(store, "local", "boss", ["nowhere"], "short", known_practices=["plein"])
    assert [(m.field, m.code) for m in refused.value.messages] == [
        ("name", "name_reserved"), ("role", "role_unknown"), ("practices", "practice_unknown"),
        ("password", "password_too_short")]
    assert refused.value.lines == [
        "'local' is reserved for the audit trail; choose another name",
        "'boss' is not a role; the roles are staff, editor, reviewer, admin",
        "'nowhere' is not a practice of this folder; they are plein",
        "the password must be at least 10 characters long"]
    for name in ("", "x" * 81, "-dash", "a b", "admin", "cli"):
        with pytest.raises(AccountError):
            accounts.add(store, name, "staff", password=PASSWORD)
    assert accounts.all_accounts(store) == []


def test_passwords_are_kept_as_scrypt_hashes(store):
    accounts.add(store, "anna", "admin", password=PASSWORD)
    with store.read() as connection:
        stored = connection.execute(schema.accounts.select()).mappings().one()["password_hash"]
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    assert accounts.verify_password(store, "anna", PASSWORD) is not None
    assert accounts.verify_password(store, "anna", PASSWORD + " ") is None
    assert accounts.verify_password(store, "nobody", PASSWORD) is None
    accounts.set_password(store, "anna", "a new long password")
    assert accounts.verify_password(store, "anna", PASSWORD) is None
    assert accounts.verify_password(store, "anna", "a new long password") is not None


def test_the_last_enabled_admin_stays(store):
    accounts.add(store, "anna", "admin", password=PASSWORD)
    for attempt in (lambda: accounts.set_disabled(store, "anna", True),
                    lambda: accounts.change(store, "anna", role="staff")):
        with pytest.raises(AccountError) as refused:
            attempt()
        assert refused.value.messages[0].code == "last_admin"
    accounts.add(store, "ben", "admin", password=PASSWORD)
    assert accounts.set_disabled(store, "anna", True).disabled


def test_disabling_or_a_new_password_ends_the_accounts_sessions(store):
    anna = accounts.add(store, "anna", "admin", password=PASSWORD)
    ben = accounts.add(store, "ben", "staff", password=PASSWORD)
    tokens = {name: sessions.save(store, None, "{}", account.id, renew=True) for name, account in
              (("anna", anna), ("ben", ben))}
    accounts.set_password(store, "ben", "another password")
    assert sessions.load(store, tokens["ben"]) is None and sessions.load(store, tokens["anna"]) is not None
    ben_again = sessions.save(store, None, "{}", ben.id, renew=True)
    accounts.set_disabled(store, "ben", True)
    assert sessions.load(store, ben_again) is None


# ---- Sessions ---------------------------------------------------------------------------------

def test_a_session_is_a_token_whose_hash_is_stored_and_ends_for_good(store):
    anna = accounts.add(store, "anna", "admin", password=PASSWORD)
    token = sessions.save(store, None, '{"a": 1}', anna.id, renew=True)
    assert sessions.load(store, token) == ('{"a": 1}', anna.id)
    with store.read() as connection:
        stored = connection.execute(schema.sessions.select()).mappings().one()
    assert stored["token_hash"] != token and token not in stored["data"]
    renewed = sessions.save(store, token, '{"a": 2}', anna.id, renew=True)
    assert renewed != token and sessions.load(store, token) is None
    sessions.end(store, renewed)
    assert sessions.load(store, renewed) is None
    # A request that was under way when the session ended does not bring it back.
    assert sessions.save(store, renewed, '{"a": 3}', anna.id, renew=False) is None
    assert sessions.load(store, renewed) is None


def test_sessions_expire(store):
    clock = store.clock = Clock()
    anna = accounts.add(store, "anna", "admin", password=PASSWORD)
    token = sessions.save(store, None, "{}", anna.id, renew=True)
    clock.forward(hours=11, minutes=59)
    assert sessions.load(store, token) is not None
    clock.forward(minutes=2)
    assert sessions.load(store, token) is None
    assert sessions.remove_expired(store) == 1


# ---- The login limit ----------------------------------------------------------------------------

def test_sixteen_guesses_at_once_take_five_places(store):
    """The count and the check are one statement: threads racing each other cannot all read
    "four so far" and go ahead (each thread has its own connection, as the server's have)."""
    start = threading.Barrier(16)
    results = []

    def guess():
        start.wait()
        results.append(login_limits.take_attempt(store, "anna", "203.0.113.7"))

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is None for result in results) == login_limits.ATTEMPTS == 5
    assert all(dt.timedelta(0) < result <= login_limits.WINDOW for result in results if result is not None)


def test_the_limit_is_per_account_and_address_and_never_longer_than_the_window(store):
    clock = store.clock = Clock()
    for _ in range(5):
        assert login_limits.take_attempt(store, "anna", "203.0.113.7") is None
    assert login_limits.take_attempt(store, "anna", "203.0.113.7") == dt.timedelta(seconds=60)
    assert login_limits.take_attempt(store, "anna", "203.0.113.8") is None      # another address
    assert login_limits.take_attempt(store, "ben", "203.0.113.7") is None       # another account
    # Guesses during the lock-out do not lengthen it.
    for _ in range(20):
        clock.forward(seconds=2.9)
        assert login_limits.take_attempt(store, "anna", "203.0.113.7") is not None
    clock.forward(seconds=2.1)                 # 60 s after the first attempt
    assert login_limits.take_attempt(store, "anna", "203.0.113.7") is None
    login_limits.forget(store, "anna", "203.0.113.7")
    for _ in range(5):
        assert login_limits.take_attempt(store, "anna", "203.0.113.7") is None


# ---- The audit trail ----------------------------------------------------------------------------

def test_the_audit_trail_answers_who_printed_a_version_between_two_dates(store):
    clock = store.clock = Clock()
    anna = accounts.add(store, "anna", "staff", password=PASSWORD)
    ben = accounts.add(store, "ben", "staff", password=PASSWORD)
    printed = dict(leaflet="lage-rugklachten", lang="tr", practice="linde", variant="a4", format="pdf")
    audit.record(store, anna, "document", version="1.0", **printed)      # 10 March
    clock.forward(days=5)
    audit.record(store, ben, "document", version="1.0", **printed)       # 15 March
    audit.record(store, ben, "document", version="1.0", **printed)
    audit.record(store, anna, "document", version="1.1", **printed)      # another version
    clock.forward(days=30)
    audit.record(store, anna, "document", version="1.0", **printed)      # 14 April: outside
    audit.record(store, LOCAL, "profile", practice="linde", detail="phone")
    query = audit.Query(kind="document", leaflet="lage-rugklachten", version="1.0",
                        since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))
    found, total = audit.events(store, query)
    assert total == 3 and [event.account for event in found] == ["ben", "ben", "anna"]
    assert [(name, count) for name, count, _first, _last in audit.who(store, query)] == [("ben", 2), ("anna", 1)]
    assert audit.events(store, audit.Query(account="local"))[0][0].via == "local"
    assert audit.events(store, audit.Query(practices=frozenset({"elsewhere"})))[1] == 0
    lines = audit.csv_text(store, query).splitlines()
    assert lines[0] == ",".join(audit.CSV_COLUMNS) and len(lines) == 4
    assert all(",document,ben,staff,password,linde,lage-rugklachten,1.0,tr,a4,pdf," in line for line in lines[1:3])


def test_an_event_holds_named_fields_only(store):
    with pytest.raises(TypeError, match="note"):
        audit.record(store, LOCAL, "document", leaflet="x", note="Mevrouw Jansen, 3x per dag")
    with pytest.raises(ValueError):
        audit.record(store, LOCAL, "printed-something", leaflet="x")
    assert audit.events(store, audit.Query())[1] == 0


def test_a_csv_cell_never_starts_a_formula(store):
    audit.record(store, COMMAND_LINE, "account", target="=HYPERLINK(1)", detail="+cmd")
    row = audit.csv_text(store, audit.Query()).splitlines()[1]
    assert ",'=HYPERLINK(1),'+cmd" in row


def test_names_older_than_the_retention_period_become_roles(store):
    clock = store.clock = Clock()
    anna = accounts.add(store, "anna", "editor", password=PASSWORD)
    audit.record(store, anna, "profile", practice="linde", detail="phone")
    audit.record(store, COMMAND_LINE, "account", target="anna", detail="added editor")
    audit.record(store, LOCAL, "catalog", leaflet="x", lang="tr")
    clock.forward(days=100)
    audit.record(store, anna, "document", leaflet="x", version="1.0")
    assert audit.forget_names(store, keep_days=90) == 2
    events = {event.kind: event for event in audit.events(store, audit.Query())[0]}
    assert (events["profile"].account, events["profile"].named) == ("editor", False)
    assert events["account"].target is None and events["account"].account == "cli"
    assert events["catalog"].account == "local" and events["document"].account == "anna"
    assert audit.events(store, audit.Query(account="anna"))[1] == 1
    assert audit.forget_names(store, keep_days=90) == 0


# ---- The schema -------------------------------------------------------------------------------

def test_migrations_run_once_in_order_and_a_newer_database_is_refused(store, monkeypatch):
    from leafletgen.store import database

    with store.read() as connection:
        assert database.current_version(connection) == len(schema.MIGRATIONS)
    steps = []

    def add_a_column(connection):
        steps.append("2")
        connection.exec_driver_sql("ALTER TABLE accounts ADD COLUMN note VARCHAR(20)")

    known = len(schema.MIGRATIONS)
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [add_a_column])
    database.migrate(store)
    database.migrate(store)
    assert steps == ["2"]
    with store.read() as connection:
        assert database.current_version(connection) == known + 1
        connection.exec_driver_sql("SELECT note FROM accounts")
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:known])
    with pytest.raises(UserError, match=f"made by a newer leafletgen .schema version {known + 1}; this one "
                                        f"knows up to {known}."):
        database.migrate(store)


def test_a_database_of_the_first_version_is_upgraded_and_keeps_its_accounts(settings, monkeypatch):
    from leafletgen.store import database

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    first = open_store(settings)              # as the first release made it
    with first.write() as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (name, role, password_hash, disabled, created_at, changed_at) "
            "VALUES ('rita', 'reviewer', NULL, false, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    first.close()
    monkeypatch.undo()
    upgraded = open_store(settings)
    try:
        with upgraded.read() as connection:
            assert database.current_version(connection) == len(schema.MIGRATIONS) == 2
        rita = accounts.find(upgraded, "rita")
        assert (rita.role, rita.full_name, rita.shown_name) == ("reviewer", "", "rita")
        assert accounts.change(upgraded, "rita", full_name="Rita Yılmaz").shown_name == "Rita Yılmaz"
    finally:
        upgraded.close()


def _open_and_count(root: str, results) -> None:
    from pathlib import Path

    try:
        opened = open_store(load_settings(Path(root)))
        results.put(len(accounts.all_accounts(opened)))
        opened.close()
    except Exception as exc:       # reported to the test
        results.put(repr(exc))


@pytest.mark.slow
def test_servers_starting_at_once_create_the_database_once(tmp_path):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_open_and_count, args=(str(tmp_path), results)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert sorted(results.get(timeout=5) for _ in processes) == [0, 0, 0, 0]
    opened = open_store(load_settings(tmp_path))
    with opened.read() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM schema_version").scalar() == 1
    opened.close()
    assert (tmp_path / ".leafletgen" / "leafletgen.db").stat().st_mode & 0o077 == 0


# ---- The settings file --------------------------------------------------------------------------

def test_settings_default_without_a_file(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert (settings.host, settings.port, settings.proxies, settings.sso_header) == ("127.0.0.1", 8000, (), "")
    assert settings.secret_key_file == tmp_path / ".leafletgen" / "secret-key"
    assert settings.keep_names_days == 730 and settings.database_url == ""


def test_settings_from_the_file_and_the_environment(tmp_path):
    (tmp_path / "leafletgen.toml").write_text(
        '[server]\nhost = "0.0.0.0"\nport = 8080\nproxy = ["10.0.0.5", "10.1.0.0/24"]\n'
        'sso_header = "X-Remote-User"\n[database]\nurl = "sqlite:///data/accounts.db"\n'
        '[audit]\nkeep_names_days = 365\n', encoding="utf-8")
    settings = load_settings(tmp_path, environ={})
    assert settings.from_proxy("10.0.0.5") and settings.from_proxy("10.1.0.77")
    assert not settings.from_proxy("10.0.0.6") and not settings.from_proxy("not an address")
    assert (settings.host, settings.port, settings.sso_header, settings.keep_names_days) == \
        ("0.0.0.0", 8080, "X-Remote-User", 365)
    opened = open_store(settings)
    assert (tmp_path / "data" / "accounts.db").is_file()
    opened.close()
    url = "postgresql+psycopg://leafletgen@db.example/leafletgen"
    assert load_settings(tmp_path, environ={"LEAFLETGEN_DATABASE_URL": url}).database_url == url


def test_settings_with_problems_are_refused_all_at_once(tmp_path):
    (tmp_path / "leafletgen.toml").write_text(
        '[server]\nprot = 8080\nproxy = "proxy.example"\n\n[audit]\nkeep_names_days = 0\n', encoding="utf-8")
    with pytest.raises(UserError) as refused:
        load_settings(tmp_path, environ={})
    assert refused.value.lines == [
        "leafletgen.toml:3: server.proxy: 'proxy.example' is not an IP address or network (e.g. 10.0.0.5 or "
        "10.0.0.0/24); a proxy is named by its address (got 'proxy.example')",
        "leafletgen.toml:2: server.prot: unknown key; allowed keys in [server] are: host, port, proxy, "
        "sso_header, secret_key_file",
        "leafletgen.toml:6: audit.keep_names_days: Input should be greater than or equal to 1 (got 0)"]
    (tmp_path / "leafletgen.toml").write_text('[server]\nsso_header = "X-Remote-User"\n', encoding="utf-8")
    with pytest.raises(UserError, match="needs the proxy's address"):
        load_settings(tmp_path, environ={})
    (tmp_path / "leafletgen.toml").write_text('[database]\nurl = "sqlite://"\n', encoding="utf-8")
    with pytest.raises(UserError, match="^leafletgen.toml: database.url: a SQLite database must be a file"):
        open_store(load_settings(tmp_path, environ={}))


def test_a_database_url_from_the_environment_is_blamed_on_the_environment(tmp_path):
    """Not on leafletgen.toml, where the line may be commented out."""
    (tmp_path / "leafletgen.toml").write_text('[database]\nurl = "sqlite:///.leafletgen/x.db"\n', encoding="utf-8")
    for value, problem in (("foo", "'foo' is not a database URL"), ("sqlite://", "a SQLite database must be a file")):
        with pytest.raises(UserError) as refused:
            open_store(load_settings(tmp_path, environ={"LEAFLETGEN_DATABASE_URL": value}))
        assert refused.value.lines[0].startswith(f"LEAFLETGEN_DATABASE_URL: {problem}")


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path):
    pytest.importorskip("psycopg")
    settings = Settings(root=tmp_path, database_url="postgresql+psycopg://leafletgen:s3cret@/x?host=/nonexistent")
    with pytest.raises(UserError) as refused:
        open_store(settings)
    assert len(refused.value.lines) == 1 and "s3cret" not in refused.value.lines[0]
    assert refused.value.lines[0].startswith("cannot open the database postgresql+psycopg://leafletgen:***@/x")
