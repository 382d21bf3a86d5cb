"""Signing in with a password, behind the rate limits: shared by the API and the pages.

Each attempt is first admitted by the limits in a short write of its own, which counts it as a
failure (an attempt over a limit costs no argon2 work and is refused even with the right
password); then the password is checked in a read, with no lock held. A wrong password is
thereby already counted; on a right one the caller clears the account's failures, this
attempt's included (`clear_account`), in the transaction that starts the session.
"""

from __future__ import annotations

import datetime as dt
import math

from starlette.requests import Request

from service.security import authenticate
from service.settings import get_settings
from service.sign_in_limits import SignInAttempt, SignInLimits, admit_attempt
from service.store.models import Person
from service.web.deps import brief_read, transaction

TOO_MANY_ATTEMPTS = (
    "Too many failed sign-ins for this e-mail address or from this network. "
    "Try again in {minutes} minute{s}."
)


class SignInLocked(Exception):
    """The attempt is over a limit; it may be retried after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = math.ceil(retry_after / 60)
        super().__init__(TOO_MANY_ATTEMPTS.format(minutes=minutes, s="" if minutes == 1 else "s"))
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def _limits() -> SignInLimits:
    settings = get_settings()
    return SignInLimits(
        per_account=settings.sign_in_failures_per_account,
        per_address=settings.sign_in_failures_per_address,
        window=dt.timedelta(seconds=settings.sign_in_window_seconds),
    )


def attempt_from(request: Request, email: str) -> SignInAttempt:
    """The attempt as the limits see it: the e-mail typed, and the client's address.

    Behind a proxy the address is the proxy's unless uvicorn is told to trust its
    X-Forwarded-For (`--forwarded-allow-ips`).
    """
    return SignInAttempt(email=email, address=request.client.host if request.client else "")


def verify_password(attempt: SignInAttempt, password: str) -> Person | None:
    """The person if the password is right; None (counted as a failure) if not.

    Raises SignInLocked, without looking at the password, while the attempt is over a limit.
    """
    with transaction() as session:
        wait = admit_attempt(session=session, attempt=attempt, limits=_limits())
    if wait is not None:
        raise SignInLocked(wait)
    with brief_read() as session:
        person = authenticate(session=session, email=attempt.email, password=password)
    return person if person is not None and person.id is not None else None
