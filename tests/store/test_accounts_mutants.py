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


# ---- What each check names, at its exact limit (accounts' second mutation run) --------------------

def test_each_check_names_its_field_code_and_limit_exactly_at_the_limit():
    name_max, full_max = schema.NAME_MAX, schema.FULL_NAME_MAX
    low, high = accounts.MIN_PASSWORD_LENGTH, accounts.MAX_PASSWORD_LENGTH
    named = lambda found: [(item.field, item.code, item.message.params) for item in found]  # noqa: E731
    assert named(accounts.name_messages("")) == [("name", "name_empty", {})]
    assert accounts.name_messages("a" * name_max) == []
    assert named(accounts.name_messages("a" * (name_max + 1))) == [("name", "name_too_long", {"max": name_max})]
    assert accounts.full_name_messages("J" * full_max) == []
    assert named(accounts.full_name_messages("J" * (full_max + 1))) == \
        [("full_name", "full_name_too_long", {"max": full_max})]
    assert named(accounts.password_messages("p" * (low - 1)))[0][:2] == ("password", "password_too_short")
    assert accounts.password_messages("p" * low) == accounts.password_messages("p" * high) == []
    assert named(accounts.password_messages("p" * (high + 1))) == \
        [("password", "password_too_long", {"max": high})]
    assert named(accounts.practice_messages(["elders"], KNOWN)) == \
        [("practices", "practice_unknown", {"practice": "elders", "practices": "fysio-delinde, plein"})]
    assert named(accounts.practice_messages(["elders"], ())) == \
        [("practices", "practice_unknown", {"practice": "elders", "practices": "(none)"})]


def test_a_name_taken_and_a_full_name_with_a_tab_are_refused(store):
    accounts.add(store, "anna", "admin", password=PASSWORD)
    with pytest.raises(AccountError) as error:
        accounts.add(store, "Anna", "staff", password=PASSWORD)
    assert refusal(error) == [("name", "name_taken", {"name": "anna"})]
    # A tab is not turned into a space: the name is refused as it was typed, in add and change.
    with pytest.raises(AccountError) as error:
        accounts.add(store, "jan", "reviewer", password=PASSWORD, full_name="Jan\tde Vries")
    assert refusal(error) == [("full_name", "full_name_characters", {})]
    accounts.add(store, "sam", "staff", password=PASSWORD)
    with pytest.raises(AccountError) as error:
        accounts.change(store, "sam", full_name="Sam\nJansen")
    assert refusal(error) == [("full_name", "full_name_characters", {})]
    assert accounts.find(store, "sam").full_name == "" and accounts.find(store, "sam").shown_name == "sam"


def test_an_admin_kept_an_admin_and_practices_changed(store):
    accounts.add(store, "anna", "admin", password=PASSWORD)
    assert accounts.change(store, "anna", role="admin").role == "admin"     # the last admin: no change
    accounts.add(store, "lena", "staff", password=PASSWORD)
    changed = accounts.change(store, "lena", practices=["plein"], known_practices=KNOWN)
    assert changed.practices == frozenset({"plein"}) == accounts.find(store, "lena").practices


def test_usable_accounts_are_enabled_ones_with_a_password(store):
    accounts.add(store, "anna", "admin", password=PASSWORD)
    accounts.add(store, "sam", "staff", password=PASSWORD)
    accounts.add(store, "jan@ziekenhuis.nl", "reviewer", password=None)      # single sign-on only
    assert accounts.count_usable(store) == 2
    accounts.set_disabled(store, "sam", True)
    assert accounts.count_usable(store) == 1


def test_a_stored_hash_that_cannot_be_read_lets_nobody_in(store):
    from sqlalchemy import update

    accounts.add(store, "anna", "admin", password=PASSWORD)
    with store.write() as connection:
        connection.execute(update(schema.accounts).where(schema.accounts.c.name == "anna")
                           .values(password_hash="bcrypt$not-a-hash-this-app-writes"))
    assert accounts.verify_password(store, "anna", PASSWORD) is None
    assert accounts.verify_password(store, "anna", "bcrypt$not-a-hash-this-app-writes") is None


def test_review_by_names_who_may_review(store):
    accounts.add(store, "sam", "staff", password=PASSWORD)
    with pytest.raises(AccountError) as error:
        accounts.reviewer(store, "Sam")
    assert refusal(error) == [("by", "not_a_reviewer", {"name": "sam", "reviewers": "none"})]
    accounts.add(store, "anna", "admin", password=PASSWORD)
    accounts.add(store, "rik", "reviewer", password=PASSWORD)
    with pytest.raises(AccountError) as error:
        accounts.reviewer(store, "sam")
    assert refusal(error) == [("by", "not_a_reviewer", {"name": "sam", "reviewers": "anna, rik"})]
    assert accounts.reviewer(store, "Rik").name == "rik"


def test_an_account_error_crosses_a_process_boundary_whole():
    """A UserError raised in a worker reaches its caller pickled (run/process.py); an
    AccountError must arrive with every finding, not fail to unpickle on its own arguments."""
    import pickle

    error = AccountError([accounts.finding("name", "no_account", name="anna"),
                          accounts.finding("role", "role_unknown", role="boss", roles="print, editor")])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is AccountError
    assert [(f.field, f.code, f.params) for f in copy.messages] == \
        [(f.field, f.code, f.params) for f in error.messages]
    assert str(copy) == str(error)
