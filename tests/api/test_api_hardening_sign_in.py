"""POST /api/auth/token behind the sign-in rate limits: per account, per address, no leaks."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from api_helpers import PASSWORD, Api, new_person, sign_in
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session

from service.security import authenticate
from service.settings import get_settings
from service.store.models import Person
from service.web import sign_in_guard
from service.web.app import create_app

PER_ACCOUNT = 2
PER_ADDRESS = 3
WINDOW_SECONDS = 600

From = Callable[[str], TestClient]


@pytest.fixture
def limited_api(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The app with small limits, so a test trips them in a few argon2 checks."""
    monkeypatch.setenv("IMPROVE_SIGN_IN_FAILURES_PER_ACCOUNT", str(PER_ACCOUNT))
    monkeypatch.setenv("IMPROVE_SIGN_IN_FAILURES_PER_ADDRESS", str(PER_ADDRESS))
    monkeypatch.setenv("IMPROVE_SIGN_IN_WINDOW_SECONDS", str(WINDOW_SECONDS))
    get_settings.cache_clear()
    yield api
    get_settings.cache_clear()


@pytest.fixture
def client_at(limited_api: Api) -> From:
    """A client of the limited app calling from the given address."""
    app = create_app()
    return lambda address: TestClient(app, client=(address, 50000))


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:12]}@example.org"


def _assert_too_many(response: Response) -> None:
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["Retry-After"]) <= WINDOW_SECONDS
    assert response.json()["detail"].startswith("Too many failed sign-ins")


def test_an_account_is_refused_after_failures_from_several_addresses_even_with_its_password(
    limited_api: Api, client_at: From
) -> None:
    _, email, _ = new_person(limited_api.db)
    for _ in range(PER_ACCOUNT):
        assert sign_in(client_at(_address()), email, "wrong password").status_code == 401

    _assert_too_many(sign_in(client_at(_address()), email, PASSWORD))


def test_an_address_is_refused_after_failures_across_accounts(
    limited_api: Api, client_at: From
) -> None:
    _, email, _ = new_person(limited_api.db)
    crowded = client_at(_address())
    for _ in range(PER_ADDRESS):
        assert sign_in(crowded, _unknown_email(), "guess").status_code == 401

    _assert_too_many(sign_in(crowded, email, PASSWORD))
    assert sign_in(client_at(_address()), email, PASSWORD).status_code == 200


def test_a_locked_e_mail_reads_the_same_whether_or_not_it_has_an_account(
    limited_api: Api, client_at: From
) -> None:
    _, existing, _ = new_person(limited_api.db)
    answers = []
    for email in (existing, _unknown_email()):
        for _ in range(PER_ACCOUNT):
            sign_in(client_at(_address()), email, "wrong password")
        answers.append(sign_in(client_at(_address()), email, "wrong password"))

    for answer in answers:
        _assert_too_many(answer)
    assert answers[0].json() == answers[1].json()
    assert answers[0].headers.keys() - {"x-request-id"} == answers[1].headers.keys() - {
        "x-request-id"
    }


def test_signing_in_clears_the_accounts_failures(limited_api: Api, client_at: From) -> None:
    _, email, _ = new_person(limited_api.db)
    browser = client_at(_address())
    assert sign_in(browser, email, "wrong password").status_code == 401
    assert sign_in(browser, email, PASSWORD).status_code == 200
    assert sign_in(browser, email, "wrong password").status_code == 401

    # Without the reset, the second failure would have locked the account.
    assert sign_in(browser, email, PASSWORD).status_code == 200


def test_the_refusal_is_in_the_published_schema(sqlite_api: Api) -> None:
    operation = sqlite_api.client.get("/openapi.json").json()["paths"]["/api/auth/token"]["post"]
    assert {"200", "401", "422", "429"} <= set(operation["responses"])


BURST = 20


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The e-mail of every attempt whose password was checked (argon2 work done)."""
    checked: list[str] = []

    def counted(*, session: Session, email: str, password: str) -> Person | None:
        checked.append(email)
        return authenticate(session=session, email=email, password=password)

    monkeypatch.setattr(sign_in_guard, "authenticate", counted)
    return checked


def _all_at_once(client_at: From, attempts: list[tuple[str, str, str]]) -> list[int]:
    """The statuses of (address, e-mail, password) sign-ins sent together from threads."""
    start = threading.Barrier(len(attempts))

    def attempt(address: str, email: str, password: str) -> int:
        client = client_at(address)
        start.wait()
        return sign_in(client, email, password).status_code

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(lambda args: attempt(*args), attempts))


def test_simultaneous_wrong_passwords_for_one_account_are_checked_no_more_than_its_limit(
    limited_api: Api, client_at: From, password_checks: list[str]
) -> None:
    _, email, _ = new_person(limited_api.db)

    statuses = _all_at_once(
        client_at, [(_address(), email, "wrong password") for _ in range(BURST)]
    )

    assert sorted(statuses) == [401] * PER_ACCOUNT + [429] * (BURST - PER_ACCOUNT)
    assert len(password_checks) == PER_ACCOUNT
    _assert_too_many(sign_in(client_at(_address()), email, PASSWORD))


def test_simultaneous_guesses_from_one_address_are_checked_no_more_than_its_limit(
    limited_api: Api, client_at: From, password_checks: list[str]
) -> None:
    address = _address()

    statuses = _all_at_once(client_at, [(address, _unknown_email(), "guess") for _ in range(BURST)])

    assert sorted(statuses) == [401] * PER_ADDRESS + [429] * (BURST - PER_ADDRESS)
    assert len(password_checks) == PER_ADDRESS


def test_the_right_password_signs_in_among_simultaneous_failures_within_the_limit(
    limited_api: Api, client_at: From
) -> None:
    _, email, _ = new_person(limited_api.db)
    wrong = [(_address(), email, "wrong password") for _ in range(PER_ACCOUNT - 1)]

    statuses = _all_at_once(client_at, [(_address(), email, PASSWORD), *wrong])

    assert statuses == [200] + [401] * len(wrong)
