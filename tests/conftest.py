"""Databases for the tests: a migrated SQLite file and a fresh PostgreSQL database per run.

PostgreSQL tests are skipped when no server answers, unless IMPROVE_REQUIRE_POSTGRES=1
(as in CI), where an unreachable server fails the run instead.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest
from service_clock import freeze_service_clock
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from service.store.database import get_engine
from service.store.migrate import upgrade
from service.store.models import utcnow

POSTGRES_URL = os.environ.get(
    "IMPROVE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _new_postgres_database() -> Iterator[str]:
    """A new, empty database on the PostgreSQL server, dropped afterwards."""
    name = f"improve_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(_libpq(POSTGRES_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("IMPROVE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        try:
            yield url
        finally:
            get_engine(url).dispose()
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A new, migrated database on the PostgreSQL server, dropped after the run."""
    with _new_postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'improve.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def db(database_url: str) -> Engine:
    return get_engine(database_url)


@contextmanager
def _database_maker(folder: Path) -> Iterator[Callable[[str], str]]:
    with ExitStack() as stack:

        def make(kind: str) -> str:
            if kind == "sqlite":
                return f"sqlite:///{folder / f'{uuid.uuid4().hex[:10]}.db'}"
            return stack.enter_context(_new_postgres_database())

        yield make


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Makes empty, unmigrated databases ("sqlite" or "postgres") that live as long as the test."""
    with _database_maker(tmp_path) as make:
        yield make


@pytest.fixture(scope="module")
def new_module_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], str]]:
    """As `new_database`, for databases the tests of one module share."""
    with _database_maker(tmp_path_factory.mktemp("db")) as make:
        yield make


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, new_database: Callable[[str], str]) -> str:
    """An empty, unmigrated database of each kind, new for the test."""
    return new_database(request.param)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The instant the test starts, at which the service's clock stands still for the test.

    A test that compares dates with what the app judges by "today" takes its dates from this,
    so a run that crosses midnight cannot split the two.
    """
    return freeze_service_clock(monkeypatch, utcnow())
