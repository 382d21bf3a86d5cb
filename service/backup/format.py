"""The program backup file, format version 1.

A backup is UTF-8 JSON Lines, gzip-compressed when its name ends in `.gz` (a reader detects
gzip by its magic bytes, whatever the name). It has three parts, in this order:

1. A header line, one object:
   `{"format": "improvement-engine-program-backup", "format_version": 1,
   "alembic_revision": "0006", "exported_at": "2026-11-24T23:00:00+00:00", "program_id": 1,
   "tables": [{"table": "person", "rows": 27}, {"table": "program", "rows": 1}, ...]}`.
   `alembic_revision` is the schema the rows fit; `tables` lists every table in the backup in
   the order its rows follow, which is an order they can be inserted in (parents first).
2. One line per row, `{"table": "school", "row": {...}}`, grouped by table in the header's
   order and by primary key within a table. A row holds every column of its table under the
   column's name; timestamps are ISO 8601 in UTC with their offset, dates are `YYYY-MM-DD`,
   JSON columns hold their JSON value, and NULL is `null`.
3. A trailer line, `{"end": {"rows": 2043, "sha256": "..."}}`: the number of row lines and the
   SHA-256 of their bytes exactly as written (each with its newline), so a truncated or altered
   file is refused instead of half loaded.

The file carries people's password hashes, because it is an operator's backup from which a
site can be restored; access tokens and page sessions are never written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, String, Table
from sqlalchemy.types import TypeDecorator, TypeEngine

from engine.errors import EngineError

FORMAT = "improvement-engine-program-backup"
FORMAT_VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"


class BackupRefused(EngineError):
    """A backup that cannot be written or loaded, with the reason an operator can act on."""


def encode_line(item: Mapping[str, Any]) -> bytes:
    """One line of the file: compact, keys sorted, so the same data always gives the same bytes."""
    text = json.dumps(item, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.encode() + b"\n"


def encode_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values as JSON can hold them: timestamps in UTC, dates as ISO text."""
    return {name: _encode_value(value) for name, value in row.items()}


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def decode_row(table: Table, row: Any, where: str) -> dict[str, Any]:
    """A row line's values as the table's columns take them; `where` names the line in errors."""
    if not isinstance(row, dict):
        raise BackupRefused(f"{where}: the row is not an object")
    expected = {c.name for c in table.columns}
    if set(row) != expected:
        missing = sorted(expected - set(row))
        extra = sorted(set(row) - expected)
        raise BackupRefused(
            f"{where}: {table.name} row does not match the schema "
            f"(missing columns: {missing or 'none'}; unknown columns: {extra or 'none'})"
        )
    return {c.name: _decode_value(c, row[c.name], where) for c in table.columns}


# What a JSON value must be for each kind of column (JSON columns take any value but null).
_KINDS: tuple[tuple[type[TypeEngine[Any]], type], ...] = (
    (DateTime, dt.datetime),
    (Date, dt.date),
    (JSON, object),
    (Boolean, bool),
    (Integer, int),
    (String, str),
)


def _kind(column: Column[Any]) -> type:
    sql_type = column.type
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    for sql_kind, kind in _KINDS:
        if isinstance(sql_type, sql_kind):
            return kind
    raise TypeError(f"{column.table.name}.{column.name}: no backup encoding for {sql_type!r}")


def _decode_value(column: Column[Any], value: Any, where: str) -> Any:
    name = f"{column.table.name}.{column.name}"
    if value is None:
        if not column.nullable:
            raise BackupRefused(f"{where}: {name} may not be null")
        return None
    kind = _kind(column)
    if kind in (dt.datetime, dt.date):
        return _parse_time(kind, value, f"{where}: {name}")
    # bool is an int to Python; a JSON true in an integer column is still a mistake.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BackupRefused(
            f"{where}: {name} should be {kind.__name__}, not {type(value).__name__}"
        )
    return value


def _parse_time(kind: type, value: Any, where: str) -> dt.date:
    try:
        if kind is dt.date:
            return dt.date.fromisoformat(value)
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BackupRefused(f"{where} is not an ISO 8601 {kind.__name__}: {value!r}") from None
    if parsed.tzinfo is None:
        raise BackupRefused(f"{where} has no UTC offset: {value!r}")
    return parsed
