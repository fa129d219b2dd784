"""`generate.py users …` in-process: exact output and exit codes, the database it writes, the
audit trail it leaves, and `serve` refusing to open up without an account."""

from __future__ import annotations

import io

import pytest

from leafletgen.store import accounts, audit
from leafletgen.store.database import open_store
from leafletgen.store.settings import load_settings

from tests.conftest import run_cli

PASSWORD = "correct horse battery"


def typed(monkeypatch, *lines: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))


def stored(project):
    store = open_store(load_settings(project.root))
    try:
        return {a.name: a for a in accounts.all_accounts(store)}, audit.events(store, audit.Query())[0]
    finally:
        store.close()


def test_users_add_list_change_passwd_disable_enable(project, monkeypatch):
    run = run_cli("users", "list", root=project.root)
    assert (run.code, run.out, run.err) == (
        0, "no accounts yet; add one with `python generate.py users add NAME --role admin`\n", "")
    typed(monkeypatch, PASSWORD)
    run = run_cli("users", "add", "Anna", "--role", "admin", root=project.root)
    assert (run.code, run.out, run.err) == (0, "added anna  admin  (all practices; enabled)\n", "")
    typed(monkeypatch, PASSWORD)
    run = run_cli("users", "add", "lena", "--role", "staff", "--practice", "fysio-delinde", root=project.root)
    assert run.out == "added lena  staff  (fysio-delinde; enabled)\n"
    run = run_cli("users", "add", "jan@ziekenhuis.nl", "--role", "reviewer", "--no-password",
                  "--full-name", "Jan de  Vries", root=project.root)
    assert run.out == ("added jan@ziekenhuis.nl (Jan de Vries)  reviewer  (all practices; enabled, single "
                       "sign-on only)\n")
    run = run_cli("users", "list", root=project.root)
    assert run.out == ("anna  admin  (all practices; enabled)\n"
                       "jan@ziekenhuis.nl (Jan de Vries)  reviewer  (all practices; enabled, single sign-on only)\n"
                       "lena  staff  (fysio-delinde; enabled)\n")
    run = run_cli("users", "change", "lena", "--role", "editor", "--all-practices", "--full-name", "Lena Bakker",
                  root=project.root)
    assert run.out == "changed lena (Lena Bakker)  editor  (all practices; enabled)\n"
    typed(monkeypatch, "a brand new password")
    run = run_cli("users", "passwd", "LENA", root=project.root)
    assert run.out == "password set for lena; its sessions ended\n"
    assert run_cli("users", "disable", "lena", root=project.root).out == "disabled lena; its sessions ended\n"
    assert run_cli("users", "enable", "lena", root=project.root).out == "enabled lena\n"
    found, events = stored(project)
    store = open_store(load_settings(project.root))
    assert accounts.verify_password(store, "lena", "a brand new password") is not None
    store.close()
    assert found["lena"].role == "editor" and not found["lena"].disabled
    assert [(e.account, e.via, e.target, e.detail) for e in reversed(events)] == [
        ("cli", "cli", "anna", "added admin"), ("cli", "cli", "lena", "added staff"),
        ("cli", "cli", "jan@ziekenhuis.nl", "added reviewer"), ("cli", "cli", "lena", "role editor"),
        ("cli", "cli", "lena", "practices"), ("cli", "cli", "lena", "full name"), ("cli", "cli", "lena", "password"),
        ("cli", "cli", "lena", "disabled"), ("cli", "cli", "lena", "enabled")]


def test_users_problems_are_one_line_each_and_exit_1(project, monkeypatch):
    typed(monkeypatch, "short")
    run = run_cli("users", "add", "anna", "--role", "admin", root=project.root)
    assert (run.code, run.out, run.err) == (1, "", "error: the password must be at least 10 characters long\n")
    run = run_cli("users", "add", "a b", "--role", "staff", "--practice", "nowhere", root=project.root)
    assert (run.code, run.err) == (1, "error: the name may hold letters, digits and . _ - @ + \\ only, and "
                                      "starts with a letter or digit\n"
                                      "error: 'nowhere' is not a practice of this folder; they are fysio-delinde\n")
    run = run_cli("users", "passwd", "nobody", root=project.root)
    assert (run.code, run.err) == (1, "error: there is no account 'nobody'\n")
    typed(monkeypatch, PASSWORD)
    run_cli("users", "add", "anna", "--role", "admin", root=project.root)
    run = run_cli("users", "add", "ANNA", "--role", "staff", root=project.root)
    assert (run.code, run.err) == (1, "error: an account 'anna' exists already\n")
    run = run_cli("users", "disable", "anna", root=project.root)
    assert (run.code, run.err) == (1, "error: 'anna' is the last enabled admin account; make another admin first\n")
    run = run_cli("users", "add", "ben", "--role", "boss", root=project.root)
    assert run.code == 2 and "invalid choice: 'boss'" in run.err
    run = run_cli("users", "change", "anna", root=project.root)
    assert (run.code, run.err) == (1, "error: nothing to change: give --role, --practice, --all-practices or "
                                      "--full-name\n")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    run = run_cli("users", "add", "ben", "--role", "staff", root=project.root)
    assert (run.code, run.err) == (1, "error: no password for ben on standard input (one line expected)\n")
    assert set(stored(project)[0]) == {"anna"}


def test_a_bad_settings_file_stops_users_with_its_line(project):
    (project.root / "leafletgen.toml").write_text("[database]\nurl = 5\n", encoding="utf-8")
    run = run_cli("users", "list", root=project.root)
    assert (run.code, run.err) == (1, "error: leafletgen.toml:2: database.url: Input should be a valid string "
                                      "(got 5)\n")


def test_serve_opens_up_only_with_an_account(project, monkeypatch):
    run = run_cli("serve", "--host", "0.0.0.0", root=project.root)
    assert run.code == 1 and run.err == (
        "error: serving on 0.0.0.0 makes the app reachable from other computers, which requires a login: "
        "make an account first with `python generate.py users add NAME --role admin`\n")
    run_cli("users", "add", "jan", "--role", "admin", "--no-password", root=project.root)
    assert run_cli("serve", "--host", "0.0.0.0", root=project.root).code == 1     # no one can sign in yet
    (project.root / "leafletgen.toml").write_text('[server]\nproxy = "127.0.0.1"\n', encoding="utf-8")
    run = run_cli("serve", root=project.root)
    assert run.code == 1 and "behind the proxy 127.0.0.1 makes the app reachable" in run.err


@pytest.mark.parametrize("argv", [["users"], ["users", "add", "x"]])
def test_users_usage_errors_exit_2(project, argv):
    assert run_cli(*argv, root=project.root).code == 2


def test_once_there_are_accounts_review_by_names_one_that_may_review(project, monkeypatch):
    """Without accounts --by is a free name; with them it names an account allowed to review,
    whose full name the record (and so the leaflet) carries, and the review is in the audit trail."""
    review = ("translations", "review", "de", "--leaflet", "lage-rugklachten", "--date", "2026-11-28")
    assert run_cli(*review, "--by", "Anna Schmidt", root=project.root).code == 0     # no accounts yet
    typed(monkeypatch, PASSWORD)
    run_cli("users", "add", "sam", "--role", "staff", root=project.root)
    run_cli("users", "add", "rita", "--role", "reviewer", "--no-password", "--full-name", "Rita Yılmaz",
            root=project.root)
    for name in ("Anna Schmidt", "sam"):
        run = run_cli(*review, "--by", name, root=project.root)
        assert (run.code, run.out) == (1, "")
        assert run.err.startswith(f"error: --by: '{name.lower()}' is not an enabled account that may review "
                                  "translations (those that may: rita)")
    run = run_cli(*review, "--by", "Rita", root=project.root)
    assert run.code == 0 and run.out.startswith("recorded: Rita Yılmaz reviewed lage-rugklachten in German")
    record = (project.translations_dir / "de" / "LC_MESSAGES" / "lage-rugklachten.review.toml").read_text(
        encoding="utf-8")
    assert 'by = "Rita Yılmaz"' in record
    events = [e for e in stored(project)[1] if e.kind == "review"]
    assert [(e.account, e.target, e.leaflet, e.lang) for e in events] == [("cli", "rita", "lage-rugklachten", "de")]
    assert events[0].version
