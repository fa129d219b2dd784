"""Changing accounts, checked where mutation testing found the tests silent (docs/development.md):
what each refusal names (field, code, account), that every message is reported at once, the last
enabled admin kept, a weak new password refused, when a change happened, and the hash used."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from leafletgen.store import accounts, schema
from leafletgen.store.accounts import AccountError
from leafletgen.store.database import open_store
from leafletgen.store.settings import load_settings

PASSWORD = "correct horse battery"
KNOWN = ("fysio-delinde", "plein")


@pytest.fixture
def store(tmp_path):
    opened = open_store(load_settings(tmp_path))
    moments = iter(dt.datetime(2026, 3, 10, 9, minute) for minute in range(60))
    opened.clock = lambda: next(moments)              # each change one minute later
    yield opened
    opened.close()


def refusal(error: pytest.ExceptionInfo) -> list[tuple]:
    return [(found.field, found.code, found.params) for found in error.value.messages]


def changed_at(store, name: str) -> dt.datetime:
    with store.read() as connection:
        return connection.execute(select(schema.accounts.c.changed_at)
                                  .where(schema.accounts.c.name == name)).scalar()


def test_an_unknown_account_is_named_in_the_refusal(store):
    for change in (lambda: accounts.set_password(store, " Nobody ", PASSWORD),
                   lambda: accounts.set_disabled(store, "Nobody", True),
                   lambda: accounts.change(store, "nobody", role="staff")):
        with pytest.raises(AccountError) as error:
            change()
        assert refusal(error) == [("name", "no_account", {"name": "nobody"})]


def test_the_last_enabled_admin_stays_an_enabled_admin(store):
    accounts.add(store, "anna", "admin", password=PASSWORD)
    accounts.add(store, "sam", "staff", password=PASSWORD)
    accounts.add(store, "olga", "admin", password=PASSWORD)
    accounts.set_disabled(store, "olga", True)              # a disabled admin does not count
    with pytest.raises(AccountError) as error:
        accounts.set_disabled(store, "anna", True)
    assert refusal(error) == [("name", "last_admin", {"name": "anna"})]
    with pytest.raises(AccountError) as error:
        accounts.change(store, "anna", role="staff")       # nor does a staff account
    assert refusal(error) == [("role", "last_admin", {"name": "anna"})]
    accounts.set_disabled(store, "olga", False)
    assert accounts.change(store, "anna", role="staff").role == "staff"   # now there is another


def test_every_problem_of_a_change_is_reported_at_once(store):
    accounts.add(store, "sam", "staff", password=PASSWORD)
    with pytest.raises(AccountError) as error:
        accounts.change(store, "sam", role="boss", practices=["elders"], known_practices=KNOWN,
                        full_name="Sam\x00")
    assert [(field, code) for field, code, _ in refusal(error)] == [
        ("role", "role_unknown"), ("full_name", "full_name_characters"), ("practices", "practice_unknown")]
    assert accounts.find(store, "sam").role == "staff"


def test_a_full_name_is_kept_on_one_line_with_single_spaces(store):
    accounts.add(store, "sam", "staff", password=PASSWORD)
    assert accounts.change(store, "sam", full_name="  Sam   de  Vries ").full_name == "Sam de Vries"


def test_a_weak_new_password_is_refused_and_the_old_one_kept(store):
    accounts.add(store, "sam", "staff", password=PASSWORD)
    with pytest.raises(AccountError) as error:
        accounts.set_password(store, "sam", "short")
    assert [field for field, _, _ in refusal(error)] == ["password"]
    assert accounts.verify_password(store, "sam", PASSWORD) is not None
    assert accounts.set_password(store, "sam", None).has_password is False     # single sign-on only


def test_each_change_records_when(store):
    accounts.add(store, "anna", "admin", password=PASSWORD)
    accounts.add(store, "sam", "staff", password=PASSWORD)
    times = [changed_at(store, "sam")]
    for change in (lambda: accounts.set_password(store, "sam", "another good password"),
                   lambda: accounts.set_disabled(store, "sam", True),
                   lambda: accounts.change(store, "sam", role="editor"),
                   lambda: accounts.change(store, "sam", full_name="Sam")):
        change()
        times.append(changed_at(store, "sam"))
    assert times == sorted(set(times))                  # later each time


def test_passwords_are_hashed_with_scrypt():
    assert accounts.hash_password(PASSWORD).startswith("scrypt:")


def test_an_account_for_some_practices_sees_the_neutral_default():
    limited = accounts.Account(1, "lena", "staff", practices=frozenset({"plein"}))
    assert limited.sees_practice("") and limited.sees_practice(None) and limited.sees_practice("plein")
    assert not limited.sees_practice("fysio-delinde")
