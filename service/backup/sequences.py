"""Moving PostgreSQL's id sequences past rows that were written with their ids given."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Integer, Table, func, select


def advance_id_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """Make each table's next generated id follow its highest stored one (PostgreSQL only).

    SQLite picks max(rowid) + 1 by itself; PostgreSQL's sequences know nothing of rows
    inserted with explicit ids, so without this the next insert would collide.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer):
            continue
        sequence = func.pg_get_serial_sequence(table.name, key[0].name)
        highest = select(func.coalesce(func.max(key[0]), 0)).scalar_subquery()
        # is_called=false: the next nextval() returns exactly highest + 1, also for an empty table.
        connection.execute(select(func.setval(sequence, highest + 1, False)))
