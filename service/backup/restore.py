"""Loading a program backup into an empty database: whole, in one transaction, or not at all."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Table, insert, literal, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from service.backup.format import (
    FORMAT,
    FORMAT_VERSION,
    GZIP_MAGIC,
    BackupRefused,
    decode_row,
)
from service.backup.scope import LEFT_OUT
from service.backup.sequences import advance_id_sequences
from service.store.database import unit_of_work
from service.store.migrate import current_revision, head_revision

BATCH = 500
Lines = Iterator[tuple[int, bytes]]


@dataclass(frozen=True)
class Header:
    revision: str
    program_id: int
    counts: dict[str, int]
    """Rows per table, in the order the rows follow."""


@dataclass(frozen=True)
class ImportSummary:
    program_id: int
    counts: dict[str, int]


def import_program(*, engine: Engine, path: Path) -> ImportSummary:
    """Load the backup at `path` into the empty database behind `engine`.

    The file is read twice: once to check its header and seal, so a damaged file is refused
    before the database is touched, then to insert its rows.
    """
    header = read_sealed(path)
    with _lines(path) as lines, unit_of_work(engine) as session:
        next(lines)  # the header, read above
        connection = session.connection()
        _check_target(connection, header.revision)
        _load_rows(connection, header, lines)
        tables = [SQLModel.metadata.tables[name] for name in header.counts]
        advance_id_sequences(connection, tables)
    return ImportSummary(header.program_id, header.counts)


def read_sealed(path: Path) -> Header:
    """The backup's header, once the trailer's count and checksum match the rows between."""
    with _lines(path) as lines:
        header = _read_header(lines)
        digest = hashlib.sha256()
        rows = 0
        last: tuple[int, bytes] | None = None
        for current in lines:
            if last is not None:  # every line but the last is a row
                digest.update(last[1])
                rows += 1
            last = current
    end = _parse(*last).get("end") if last and last[1].startswith(b'{"end"') else None
    if not isinstance(end, dict):
        raise BackupRefused("the file ends before its last line: it was cut short")
    if end.get("rows") != rows or end.get("sha256") != digest.hexdigest():
        raise BackupRefused("the rows do not match the file's checksum: it was altered or damaged")
    return header


@contextmanager
def _lines(path: Path) -> Iterator[Lines]:
    """The file's lines, numbered from 1, decompressed if it is gzip; read errors are refusals."""
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            source: IO[bytes] = gzip.GzipFile(fileobj=raw) if gzipped else raw
            yield _numbered(source)
    except (OSError, EOFError, zlib.error) as exc:
        raise BackupRefused(f"{path} cannot be read as a backup: {exc}") from None


def _numbered(source: IO[bytes]) -> Lines:
    yield from enumerate(source, start=1)


def _parse(number: int, line: bytes) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError:
        raise BackupRefused(f"line {number} is not valid JSON: the file is damaged") from None
    if not isinstance(item, dict):
        raise BackupRefused(f"line {number} is not a JSON object: the file is damaged")
    return item


def _read_header(lines: Lines) -> Header:
    """The first line, checked: a backup of a format this release reads, naming known tables."""
    number, line = next(lines, (1, b""))
    try:
        item = _parse(number, line)
    except BackupRefused:
        raise BackupRefused("this is not a program backup (it has no backup header)") from None
    if item.get("format") != FORMAT:
        raise BackupRefused("this is not a program backup (it has no backup header)")
    if item.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            f"the backup is format version {item.get('format_version')!r}; "
            f"this release reads version {FORMAT_VERSION}"
        )
    revision, program_id, tables = (
        item.get("alembic_revision"),
        item.get("program_id"),
        item.get("tables"),
    )
    if not isinstance(revision, str) or not isinstance(program_id, int):
        raise BackupRefused("the backup header lacks its schema revision or program id")
    return Header(revision, program_id, _table_counts(tables))


def _table_counts(tables: Any) -> dict[str, int]:
    """The header's tables and row counts, which must be known tables in an insertable order."""
    order = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in LEFT_OUT]
    counts: dict[str, int] = {}
    for entry in tables if isinstance(tables, list) else [None]:
        name = entry.get("table") if isinstance(entry, dict) else None
        rows = entry.get("rows") if isinstance(entry, dict) else None
        if name not in order or not isinstance(rows, int) or name in counts:
            raise BackupRefused(f"the backup header lists an unknown table entry: {entry!r}")
        if counts and order.index(name) < order.index(list(counts)[-1]):
            raise BackupRefused(f"the backup header lists {name} after a table that needs it")
        counts[name] = rows
    return counts


def _check_target(connection: Connection, revision: str) -> None:
    """The database must be migrated to the backup's revision (this release's) and hold nothing."""
    at = current_revision(connection)
    if at is None:
        raise BackupRefused("the database has no schema yet; run `improve db upgrade` first")
    if at != head_revision():
        raise BackupRefused(
            f"the database is at schema revision {at}, not this release's {head_revision()}; "
            "run `improve db upgrade` first"
        )
    if revision != at:
        raise BackupRefused(
            f"the backup was written at schema revision {revision}, but this database is at "
            f"{at}; load it with the release whose migrations end at {revision}, then upgrade"
        )
    occupied = [
        table.name
        for table in SQLModel.metadata.sorted_tables
        if connection.execute(select(literal(1)).select_from(table).limit(1)).first()
    ]
    if occupied:
        raise BackupRefused(
            "a backup is only loaded into an empty database; this one has rows in "
            + ", ".join(occupied)
        )


def _load_rows(connection: Connection, header: Header, lines: Lines) -> None:
    """Insert the row lines in batches, table by table in the header's order."""
    tables = SQLModel.metadata.tables
    order = list(header.counts)
    seen = dict.fromkeys(order, 0)
    batch: list[dict[str, Any]] = []
    table: Table | None = None
    for number, line in lines:
        item = _parse(number, line)
        if "end" in item:
            break
        name = item.get("table")
        if not isinstance(name, str) or name not in seen or _before(order, name, table):
            raise BackupRefused(f"line {number}: a row for {name!r} where none belongs")
        if table is None or name != table.name:
            _flush(connection, table, batch)
            table = tables[name]
        batch.append(decode_row(table, item.get("row"), f"line {number}"))
        seen[name] += 1
        if len(batch) >= BATCH:
            _flush(connection, table, batch)
    _flush(connection, table, batch)
    wrong = [
        f"{name} has {n} rows, the header says {header.counts[name]}"
        for name, n in seen.items()
        if n != header.counts[name]
    ]
    if wrong:
        raise BackupRefused(f"the rows do not match the header: {'; '.join(wrong)}")


def _before(order: list[str], name: str, table: Table | None) -> bool:
    """Whether `name`'s rows come too late: after those of a table that follows it."""
    return table is not None and order.index(name) < order.index(table.name)


def _flush(connection: Connection, table: Table | None, batch: list[dict[str, Any]]) -> None:
    if table is None or not batch:
        return
    try:
        connection.execute(insert(table), batch)
    except DBAPIError as exc:
        raise BackupRefused(
            f"{table.name} rows could not be stored: {str(exc.orig).splitlines()[0]}"
        ) from None
    batch.clear()
