"""The app under test, pointed at the test database through IMPROVE_DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_helpers import Api
from fastapi.testclient import TestClient

from service.settings import get_settings
from service.store.database import get_engine
from service.web.app import create_app


def _serve(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("IMPROVE_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        # A crash must show as the 500 a client would get, so tests can assert on it.
        with TestClient(create_app(), raise_server_exceptions=False) as client:
            yield Api(client, get_engine(url))
    finally:
        get_settings.cache_clear()


@pytest.fixture
def api(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The app on SQLite, then on PostgreSQL."""
    yield from _serve(database_url, monkeypatch)


@pytest.fixture
def sqlite_api(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The app on SQLite only, for behaviour that does not touch the database's dialect."""
    yield from _serve(sqlite_url, monkeypatch)
