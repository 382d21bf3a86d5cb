"""The migrations build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect
from sqlmodel import SQLModel

import service.store.models  # noqa: F401  (registers the tables)
from service.store.migrate import downgrade, upgrade


def test_models_and_migrations_agree(db: Engine) -> None:
    with db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_an_empty_sqlite_database_upgrades_downgrades_and_upgrades_again(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    upgrade(url)
    downgrade(url, "base")
    assert inspect(create_engine(url)).get_table_names() == ["alembic_version"]
    upgrade(url)
    assert "historyevent" in inspect(create_engine(url)).get_table_names()
