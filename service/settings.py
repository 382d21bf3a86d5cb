"""Configuration from the environment (IMPROVE_*), read once."""

from __future__ import annotations

import os
import re
import secrets
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

import content
import workflows

MIN_SECRET_LENGTH = 16
# Compared with letters and digits only, so "Change_Me" or "change me!" count too.
_PLACEHOLDER_WORDS = ("changeme", "changethis", "placeholder", "notasecret", "yoursecret")
_PLACEHOLDERS = {"secret", "secretkey", "password", "default", "development", "test"}


class SettingsRefused(Exception):
    """The configuration is not fit to serve with; the message says what to set."""


def _is_placeholder(secret: str) -> bool:
    letters = re.sub(r"[^a-z0-9]", "", secret.lower())
    return (
        letters in _PLACEHOLDERS
        or len(set(letters)) <= 2
        or any(word in letters for word in _PLACEHOLDER_WORDS)
    )


class Settings(BaseSettings):
    """Every setting, read from IMPROVE_<NAME> or a .env file in the working directory.

    `environment` is the mode switch. In `production` (the default) the web app refuses to
    start (`improve serve`, or uvicorn loading service.web.main) unless IMPROVE_SECRET_KEY is
    set. In `development` an unset key is replaced by a random one per process, which is
    enough for one process on one machine; `improve demo` runs in this mode by itself, and
    tests build the app with `create_app()`, which runs no start-up check. A key that is set
    must be real in every mode: at least 16 characters and not a placeholder.
    """

    model_config = SettingsConfigDict(env_prefix="IMPROVE_", env_file=".env", extra="ignore")

    environment: Literal["production", "development"] = "production"
    """`development` allows a random per-process secret key; see the class docstring."""

    database_url: str = "sqlite:///improve.db"
    """A SQLite file in the working directory by default; postgresql+psycopg://... for a state."""

    database_pool_size: int = Field(default=20, ge=1)
    """PostgreSQL connections each process keeps open (each uvicorn worker is a process)."""

    database_max_overflow: int = Field(default=10, ge=0)
    """Connections a process may open beyond its pool in a burst. Every process of a deployment
    may hold pool size + overflow at once; together they must stay under the server's
    max_connections, or a request past it fails."""

    content_dir: Path = content.CONTENT_DIR
    workflows_dir: Path = workflows.WORKFLOWS_DIR

    secret_key: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(32)))
    """Signs CSRF tokens. Required in production; every process of one deployment shares it."""

    token_ttl_minutes: int = 12 * 60
    """How long an API token or a page session stays valid."""

    secure_cookies: bool = False
    """Served over https: cookies are marked Secure and responses carry HSTS."""

    sign_in_failures_per_account: int = Field(default=5, ge=1)
    """Failed sign-ins to one e-mail address (existing or not) before it is refused a while."""

    sign_in_failures_per_address: int = Field(default=50, ge=1)
    """Failed sign-ins from one client address, whatever the accounts, before it is refused.

    Higher than the per-account limit because a school's staff often share one address."""

    sign_in_window_seconds: int = Field(default=15 * 60, ge=1)
    """Failures older than this stop counting; a refused sign-in may retry once they age out."""

    survey_upload_max_mib: int = Field(default=32, ge=1)
    """The largest response file the upload page takes (32 MiB: some 400,000 rows of the
    systems-conditions survey). Larger files go through `improve survey import`."""

    shutdown_grace_seconds: int = Field(default=25, ge=1)
    """On SIGTERM the server stops accepting and gives requests in flight this long to finish.

    Under the 30 seconds most process managers wait before they kill."""

    @field_validator("secret_key")
    @classmethod
    def _not_a_placeholder(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if len(secret) < MIN_SECRET_LENGTH or _is_placeholder(secret):
            raise ValueError(
                f"must be a real secret of at least {MIN_SECRET_LENGTH} characters, "
                "not a placeholder"
            )
        return value


@cache
def get_settings() -> Settings:
    return Settings()


def enter_development_mode() -> None:
    """Run this process, and the server processes it starts, in `development` unless told not to.

    For `improve demo`, which must serve with no configuration at all.
    """
    os.environ.setdefault("IMPROVE_ENVIRONMENT", "development")
    get_settings.cache_clear()


def settings_to_serve_with(workers: int = 1) -> Settings:
    """The settings, refused with a message saying what to set when they are unfit to serve.

    Several worker processes must share one key even in development: a random key per process
    would sign a form in one worker that fails its CSRF check in the next.
    """
    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"IMPROVE_{'_'.join(map(str, e['loc'])).upper()}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise SettingsRefused(f"the configuration is invalid: {problems}") from None
    if settings.environment == "production" and "secret_key" not in settings.model_fields_set:
        raise SettingsRefused(
            "IMPROVE_SECRET_KEY is not set. Set it to the same random value for every process "
            "(for example the output of `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`), or set IMPROVE_ENVIRONMENT=development "
            "to run one process with a random key."
        )
    if workers > 1 and "secret_key" not in settings.model_fields_set:
        raise SettingsRefused(
            f"{workers} worker processes need one shared IMPROVE_SECRET_KEY; without it each "
            "would sign forms with its own random key, which the others refuse"
        )
    return settings
