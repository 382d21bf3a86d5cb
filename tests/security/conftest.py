"""The app served in-process on each database, and the seeded world the security tests attack."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from security_world import World, build_world

from service.settings import get_settings
from service.store.database import get_engine
from service.web.app import create_app

_worlds: dict[str, World] = {}


@cache
def _shared_app() -> FastAPI:
    # Building the app costs more than most requests here; it reads its settings per request.
    return create_app()


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """The app, configured the way a deployment is (IMPROVE_DATABASE_URL), on SQLite then PG."""
    monkeypatch.setenv("IMPROVE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield _shared_app()
    get_settings.cache_clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # A crash must reach the test as the 500 a client would see, not as a Python exception.
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(database_url: str) -> World:
    """One world per database, built once: the tests that read it must leave it as it was."""
    if database_url not in _worlds:
        _worlds[database_url] = build_world(get_engine(database_url))
    return _worlds[database_url]
