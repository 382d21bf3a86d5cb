"""Configuration from the environment (IMPROVE_*), read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

import content
import workflows


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMPROVE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///improve.db"
    """A SQLite file in the working directory by default; postgresql+psycopg://... for a state."""

    content_dir: Path = content.CONTENT_DIR
    workflows_dir: Path = workflows.WORKFLOWS_DIR


@cache
def get_settings() -> Settings:
    return Settings()
