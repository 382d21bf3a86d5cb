"""Admitting a sign-in attempt: counted before its password is checked, or refused uncounted."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine, func
from sqlmodel import select

from service.sign_in_limits import SignInAttempt, SignInLimits, admit_attempt, clear_account
from service.store.database import unit_of_work
from service.store.models import SignInFailure

LIMITS = SignInLimits(per_account=3, per_address=5, window=dt.timedelta(minutes=15))
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _attempt() -> SignInAttempt:
    return SignInAttempt(
        f"{uuid.uuid4().hex[:12]}@school.example", f"198.51.100.{uuid.uuid4().int % 250}"
    )


def _admit(db: Engine, attempt: SignInAttempt) -> int | None:
    with unit_of_work(db) as session:
        return admit_attempt(session=session, attempt=attempt, limits=LIMITS, now=START)


def _counted(db: Engine, attempt: SignInAttempt) -> int:
    with unit_of_work(db, write=False) as session:
        return session.exec(
            select(func.count()).where(SignInFailure.account_key == attempt.account_key)
        ).one()


def test_each_admitted_attempt_counts_as_a_failure_until_the_limit_refuses_the_next(
    db: Engine,
) -> None:
    attempt = _attempt()

    admitted = [_admit(db, attempt) for _ in range(LIMITS.per_account)]
    refused = _admit(db, attempt)

    assert admitted == [None] * LIMITS.per_account
    assert refused == LIMITS.window.total_seconds()
    assert _counted(db, attempt) == LIMITS.per_account


def test_a_success_forgets_its_own_admission_with_the_accounts_failures(db: Engine) -> None:
    attempt = _attempt()
    for _ in range(LIMITS.per_account):
        _admit(db, attempt)

    with unit_of_work(db) as session:
        clear_account(session=session, attempt=attempt)

    assert _counted(db, attempt) == 0
    assert _admit(db, attempt) is None
