"""Rate limits on signing in: too many recent failures for an account or from an address.

Failures are rows in the database, so every worker process of a deployment counts the same
ones. An account is the e-mail as typed (normalised as sign-in normalises it), whether or not
anyone has it, so a refusal says nothing about which accounts exist. While a key is over its
limit every attempt is refused, the right password included, and is not counted: the refusal
ends when enough failures age out of the window. A success clears the account's failures.

An attempt is admitted and counted as a failure in one transaction, before its password is
checked (`admit_attempt`); a success then clears it with the account's other failures. The
transaction first takes a lock that every attempt for the same account or address waits for,
so simultaneous attempts, in any number of processes, are admitted one after another and never
more than a limit allows. While a password is being checked, its attempt counts against the
limits like a failure: the right password may be refused only if the failures and the
attempts in flight together reach a limit, and only for as long as those are in flight.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import delete, text
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from service.store.models import SignInFailure, utcnow


@dataclass(frozen=True)
class SignInLimits:
    """How many failures an account and an address may have within `window`."""

    per_account: int
    per_address: int
    window: dt.timedelta


@dataclass(frozen=True)
class SignInAttempt:
    """Who a sign-in is for (the e-mail typed) and where it came from (the client address)."""

    email: str
    address: str

    @property
    def account_key(self) -> str:
        return _digest("account", self.email.strip().lower())

    @property
    def address_key(self) -> str:
        return _digest("address", self.address)


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _lock_id(key: str) -> int:
    """A signed 64-bit number for PostgreSQL's advisory locks, taken from the key's digest."""
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


def _wait_for_other_attempts(*, session: Session, attempt: SignInAttempt) -> None:
    """Hold, until the transaction ends, the locks of the attempt's account and address.

    On PostgreSQL these are transaction-level advisory locks, taken in a fixed order so that no
    two attempts can each hold a lock the other waits for. SQLite needs none: a writing unit
    of work opens with BEGIN IMMEDIATE, which admits one writer at a time across processes.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for lock_id in sorted({_lock_id(attempt.account_key), _lock_id(attempt.address_key)}):
        session.execute(text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": lock_id})


def _retry_after(
    *,
    session: Session,
    column: Mapped[str],
    key: str,
    limit: int,
    window: dt.timedelta,
    now: dt.datetime,
) -> int | None:
    """Seconds until `key` drops below `limit` failures in the window; None if it is below."""
    # The limit-th most recent failure in the window: once it ages out, fewer than `limit` remain.
    oldest_counted = session.exec(
        select(SignInFailure.at)
        .where(column == key, SignInFailure.at > now - window)
        .order_by(col(SignInFailure.at).desc())
        .offset(limit - 1)
        .limit(1)
    ).first()
    if oldest_counted is None:
        return None
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


def seconds_locked(
    *,
    session: Session,
    attempt: SignInAttempt,
    limits: SignInLimits,
    now: dt.datetime | None = None,
) -> int | None:
    """How long this attempt must wait, or None when it may go ahead and check the password."""
    now = now or utcnow()
    counters = (
        (col(SignInFailure.account_key), attempt.account_key, limits.per_account),
        (col(SignInFailure.address_key), attempt.address_key, limits.per_address),
    )
    waits = [
        _retry_after(
            session=session, column=column, key=key, limit=limit, window=limits.window, now=now
        )
        for column, key, limit in counters
    ]
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


def admit_attempt(
    *,
    session: Session,
    attempt: SignInAttempt,
    limits: SignInLimits,
    now: dt.datetime | None = None,
) -> int | None:
    """Count the attempt as a failure and return None, or return its wait and count nothing.

    Must run in a writing unit of work of its own that commits before the password is
    checked: the locks it takes are held until then.
    """
    _wait_for_other_attempts(session=session, attempt=attempt)
    now = now or utcnow()
    wait = seconds_locked(session=session, attempt=attempt, limits=limits, now=now)
    if wait is None:
        record_failure(session=session, attempt=attempt, window=limits.window, now=now)
    return wait


def record_failure(
    *,
    session: Session,
    attempt: SignInAttempt,
    window: dt.timedelta,
    now: dt.datetime | None = None,
) -> None:
    """Count a failed sign-in, and forget every failure too old to count any more."""
    now = now or utcnow()
    session.execute(delete(SignInFailure).where(col(SignInFailure.at) <= now - window))
    session.add(
        SignInFailure(account_key=attempt.account_key, address_key=attempt.address_key, at=now)
    )
    session.flush()


def clear_account(*, session: Session, attempt: SignInAttempt) -> None:
    """Forget the account's failures, the successful attempt's own included, after a sign-in."""
    session.execute(
        delete(SignInFailure).where(col(SignInFailure.account_key) == attempt.account_key)
    )
