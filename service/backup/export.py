"""Writing one program, everything in it and its history, to a backup file."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, func, select

from service.backup.format import FORMAT, FORMAT_VERSION, BackupRefused, encode_line, encode_row
from service.backup.scope import TableScope, program_scope
from service.errors import NotFound
from service.store.migrate import current_revision, head_revision
from service.store.models import Program, utcnow

BATCH = 500


@dataclass(frozen=True)
class ExportSummary:
    program_id: int
    revision: str
    counts: dict[str, int]


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction, so counts and rows describe the same moment."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    # SQLite in WAL mode holds one snapshot from a transaction's first read to its end.
    with connection, connection.begin():
        yield connection


@contextmanager
def _replace_atomically(path: Path) -> Iterator[IO[bytes]]:
    """A file that appears at `path` only once it is completely written.

    It is readable by its owner only (mkstemp's mode): it holds password hashes.
    """
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as raw:
            if path.suffix == ".gz":
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
                    yield zipped
            else:
                yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # a missing folder or a full disk: say so, not a trace
            raise BackupRefused(f"cannot write {path}: {exc.strerror or exc}") from None
        raise


def export_program(*, engine: Engine, program_id: int, path: Path) -> ExportSummary:
    """Write the program to `path` (gzip when it ends in .gz); an existing file is refused."""
    if path.exists():
        raise BackupRefused(f"{path} already exists; choose a new file name for the backup")
    with _snapshot(engine) as connection:
        revision = current_revision(connection)
        if revision != head_revision():
            raise BackupRefused(
                f"the database is at schema revision {revision}, not {head_revision()}; "
                "run `improve db upgrade` first"
            )
        if connection.execute(select(Program.id).where(Program.id == program_id)).first() is None:
            raise NotFound("program", program_id)
        scopes = list(program_scope(program_id))
        counts = {s.table.name: _count(connection, s) for s in scopes}
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "alembic_revision": revision,
            "exported_at": utcnow().isoformat(),
            "program_id": program_id,
            "tables": [{"table": name, "rows": n} for name, n in counts.items()],
        }
        with _replace_atomically(path) as out:
            out.write(encode_line(header))
            digest = hashlib.sha256()
            written = 0
            for scope in scopes:
                for line in _row_lines(connection, scope):
                    out.write(line)
                    digest.update(line)
                    written += 1
            out.write(encode_line({"end": {"rows": written, "sha256": digest.hexdigest()}}))
    return ExportSummary(program_id, revision, counts)


def _count(connection: Connection, scope: TableScope) -> int:
    return connection.execute(
        select(func.count()).select_from(scope.table).where(scope.where)
    ).scalar_one()


def _row_lines(connection: Connection, scope: TableScope) -> Iterator[bytes]:
    """The table's rows as lines, fetched in batches rather than all at once."""
    result = connection.execution_options(yield_per=BATCH).execute(scope.rows())
    for row in result.mappings():
        yield encode_line({"table": scope.table.name, "row": encode_row(row)})
