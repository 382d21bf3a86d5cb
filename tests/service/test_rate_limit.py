"""Sign-in rate limits in the database: counted per account and per address, over a window."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine, func
from sqlmodel import select

from service.sign_in_limits import (
    SignInAttempt,
    SignInLimits,
    clear_account,
    record_failure,
    seconds_locked,
)
from service.store.database import unit_of_work
from service.store.models import SignInFailure

LIMITS = SignInLimits(per_account=3, per_address=5, window=dt.timedelta(minutes=15))
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _email() -> str:
    return f"{uuid.uuid4().hex[:12]}@school.example"


def _address() -> str:
    """A unique address in the IPv6 documentation prefix."""
    hex_digits = uuid.uuid4().hex
    return f"2001:db8::{hex_digits[:4]}:{hex_digits[4:8]}"


def _fail(db: Engine, attempt: SignInAttempt, at: dt.datetime) -> None:
    with unit_of_work(db) as session:
        record_failure(session=session, attempt=attempt, window=LIMITS.window, now=at)


def _locked(db: Engine, attempt: SignInAttempt, at: dt.datetime) -> int | None:
    with unit_of_work(db, write=False) as session:
        return seconds_locked(session=session, attempt=attempt, limits=LIMITS, now=at)


def _minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def test_an_account_is_locked_after_its_limit_of_failures_from_any_addresses(db: Engine) -> None:
    email = _email()
    for minute in range(LIMITS.per_account - 1):
        _fail(db, SignInAttempt(email, _address()), START + _minutes(minute))
    assert _locked(db, SignInAttempt(email, _address()), START + _minutes(3)) is None

    _fail(db, SignInAttempt(email.upper(), _address()), START + _minutes(3))

    # Locked until the first failure is 15 minutes old, whoever tries and from wherever.
    assert _locked(db, SignInAttempt(email, _address()), START + _minutes(4)) == 11 * 60


def test_an_address_is_locked_after_its_limit_of_failures_across_accounts(db: Engine) -> None:
    address = _address()
    for second in range(LIMITS.per_address):
        _fail(db, SignInAttempt(_email(), address), START + dt.timedelta(seconds=second))

    assert _locked(db, SignInAttempt(_email(), address), START + _minutes(1)) == 14 * 60
    assert _locked(db, SignInAttempt(_email(), _address()), START + _minutes(1)) is None


def test_a_lock_ends_when_enough_failures_leave_the_window(db: Engine) -> None:
    email = _email()
    for minute in (0, 5, 6):
        _fail(db, SignInAttempt(email, _address()), START + _minutes(minute))

    assert _locked(db, SignInAttempt(email, _address()), START + _minutes(14.5)) == 30
    assert _locked(db, SignInAttempt(email, _address()), START + _minutes(15)) is None


def test_a_success_clears_the_accounts_failures_but_not_its_addresses_others(db: Engine) -> None:
    email, address = _email(), _address()
    for _ in range(LIMITS.per_account - 1):
        _fail(db, SignInAttempt(email, address), START)
    for _ in range(LIMITS.per_address - LIMITS.per_account + 1):
        _fail(db, SignInAttempt(_email(), address), START)

    with unit_of_work(db) as session:
        clear_account(session=session, attempt=SignInAttempt(email, address))
    _fail(db, SignInAttempt(email, address), START)

    assert _locked(db, SignInAttempt(email, _address()), START) is None
    assert _locked(db, SignInAttempt(_email(), address), START) is None
    _fail(db, SignInAttempt(_email(), address), START)
    assert _locked(db, SignInAttempt(_email(), address), START) is not None


def test_failures_too_old_to_count_are_deleted_as_new_ones_arrive(db: Engine) -> None:
    old = SignInAttempt(_email(), _address())
    _fail(db, old, START)

    _fail(db, SignInAttempt(_email(), _address()), START + LIMITS.window)

    with unit_of_work(db, write=False) as session:
        left = session.exec(
            select(func.count()).where(SignInFailure.account_key == old.account_key)
        ).one()
    assert left == 0


def test_nothing_about_the_person_is_stored_in_clear(db: Engine) -> None:
    attempt = SignInAttempt("Someone@School.Example", "203.0.113.9")
    _fail(db, attempt, START)

    with unit_of_work(db, write=False) as session:
        row = session.exec(
            select(SignInFailure).where(SignInFailure.account_key == attempt.account_key)
        ).one()
    assert "someone" not in row.account_key.lower()
    assert "203.0.113" not in row.address_key
    assert row.account_key == SignInAttempt("  someone@school.example ", "x").account_key
