"""Configuration from the environment (IMPROVE_*), read once."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

import content
import workflows


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMPROVE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///improve.db"
    """A SQLite file in the working directory by default; postgresql+psycopg://... for a state."""

    content_dir: Path = content.CONTENT_DIR
    workflows_dir: Path = workflows.WORKFLOWS_DIR

    secret_key: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(32)))
    """Signs CSRF tokens. Random per process unless set; set it when running several processes."""

    token_ttl_minutes: int = 12 * 60
    """How long an API token or a page session stays valid."""

    secure_cookies: bool = False
    """Mark the session cookie Secure (set when served over https)."""

    @field_validator("secret_key")
    @classmethod
    def _not_a_placeholder(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if len(secret) < 16 or secret.lower() in {"changeme", "change-me", "secret", "changethis"}:
            raise ValueError("IMPROVE_SECRET_KEY must be a real secret of at least 16 characters")
        return value


@cache
def get_settings() -> Settings:
    return Settings()
