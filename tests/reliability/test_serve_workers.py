"""`improve serve --workers N`: several uvicorn workers on PostgreSQL, always one on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from service import cli
from service.cli import app
from service.settings import get_settings

runner = CliRunner()
SECRET_KEY = "a-shared-key-for-every-worker-0123456789"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """What `improve serve` asked the web server to run, recorded instead of serving."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        cli, "_serve", lambda host, port, workers: calls.append({"port": port, "workers": workers})
    )
    yield calls
    get_settings.cache_clear()


def _invoke_serve(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("IMPROVE_DATABASE_URL", url)
    monkeypatch.setenv("IMPROVE_SECRET_KEY", SECRET_KEY)
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve", "--port", "8123", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.postgres
def test_serve_starts_the_workers_asked_for_on_postgresql(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]
) -> None:
    _invoke_serve(postgres_url, monkeypatch, "--workers", "3")
    assert [(call["port"], call["workers"]) for call in served] == [(8123, 3)]


def test_serve_runs_one_worker_on_sqlite_and_says_why(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]
) -> None:
    output = _invoke_serve(sqlite_url, monkeypatch, "--workers", "3")
    assert [call["workers"] for call in served] == [1]
    said = " ".join(output.split())  # however Rich wrapped it
    assert "SQLite takes one writer at a time, so serving with 1 worker, not 3" in said


def test_serve_refuses_fewer_than_one_worker(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("IMPROVE_DATABASE_URL", sqlite_url)
    result = runner.invoke(app, ["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert served == []


def test_serve_refuses_several_workers_without_a_shared_key_before_touching_the_database(
    monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("IMPROVE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("IMPROVE_ENVIRONMENT", "development")
    monkeypatch.delenv("IMPROVE_SECRET_KEY", raising=False)
    get_settings.cache_clear()

    result = runner.invoke(app, ["serve", "--workers", "2"])

    assert result.exit_code == 1
    assert "need one shared IMPROVE_SECRET_KEY" in " ".join(str(result.exception).split())
    assert served == []
