"""Page tests run the whole app against the migrated SQLite file, through TestClient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from program_factories import SmallProgram, small_program
from sqlalchemy import Engine

from service.settings import get_settings
from service.store.database import get_engine
from service.web.app import create_app


@pytest.fixture
def web_db(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The database the app serves, named the way a deployment names it (IMPROVE_DATABASE_URL).

    SQLite, unless a module runs on both databases (page_factories.ON_BOTH_DATABASES).
    """
    url = request.getfixturevalue(f"{getattr(request, 'param', 'sqlite')}_url")
    monkeypatch.setenv("IMPROVE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield get_engine(url)
    get_settings.cache_clear()


@pytest.fixture
def client(web_db: Engine) -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def program(web_db: Engine) -> SmallProgram:
    """A small program (its schools, teams and cycles) in the page tests' database."""
    return small_program(web_db)
