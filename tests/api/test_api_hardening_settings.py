"""The app refuses to start on a missing or placeholder secret key, except in development."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.settings import (
    SettingsRefused,
    enter_development_mode,
    get_settings,
    settings_to_serve_with,
)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The process environment with no secret key and no mode set; settings re-read.

    Both are set before they are deleted so that monkeypatch restores them afterwards even
    when the code under test sets them in os.environ itself.
    """
    for name in ("IMPROVE_SECRET_KEY", "IMPROVE_ENVIRONMENT"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_production_is_the_default_and_needs_a_secret_key(
    environment: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(SettingsRefused) as refused:
        settings_to_serve_with()

    message = str(refused.value)
    assert "IMPROVE_SECRET_KEY is not set" in message
    assert "IMPROVE_ENVIRONMENT=development" in message


def test_development_runs_with_a_random_key_per_process(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("IMPROVE_ENVIRONMENT", "development")

    settings = settings_to_serve_with()

    assert len(settings.secret_key.get_secret_value()) >= 32


@pytest.mark.parametrize("mode", ["production", "development"])
@pytest.mark.parametrize(
    "placeholder",
    [
        "change-me",
        "secret",
        "too-short",
        "change-me-before-deploying",
        "CHANGE_THIS_PLEASE_0000",
        "x" * 40,
        "abababababababababab",
        "your-secret-key-goes-here",
    ],
)
def test_a_placeholder_or_short_key_is_refused_in_every_mode(
    environment: pytest.MonkeyPatch, mode: str, placeholder: str
) -> None:
    environment.setenv("IMPROVE_ENVIRONMENT", mode)
    environment.setenv("IMPROVE_SECRET_KEY", placeholder)

    with pytest.raises(SettingsRefused, match=r"IMPROVE_SECRET_KEY.*not a placeholder"):
        settings_to_serve_with()


def test_a_real_key_is_accepted_in_production(environment: pytest.MonkeyPatch) -> None:
    key = secrets.token_urlsafe(32)
    environment.setenv("IMPROVE_SECRET_KEY", key)

    assert settings_to_serve_with().secret_key.get_secret_value() == key


def test_the_demo_switches_to_development_unless_the_mode_is_set(
    environment: pytest.MonkeyPatch,
) -> None:
    enter_development_mode()
    assert get_settings().environment == "development"

    environment.setenv("IMPROVE_ENVIRONMENT", "production")
    enter_development_mode()
    assert get_settings().environment == "production"


def test_uvicorn_will_not_load_the_app_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"IMPROVE_SECRET_KEY", "IMPROVE_ENVIRONMENT"}
    }
    env["IMPROVE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'never-served.db'}"

    finished = subprocess.run(
        [sys.executable, "-m", "uvicorn", "service.web.main:app", "--port", "0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 1
    assert "improve: refusing to start: IMPROVE_SECRET_KEY is not set" in finished.stderr
    assert "Traceback" not in finished.stderr
