"""`improve export` and `improve import`: a program's backup file, written and loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from engine.errors import EngineError
from service.backup.export import export_program
from service.backup.restore import import_program
from service.settings import get_settings
from service.store.database import get_engine

console = Console()


def _refuse(exc: EngineError) -> typer.Exit:
    Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, str(rows))
    return table


def export_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The backup to write (.gz: gzip)")],
    program: Annotated[int, typer.Option("--program", help="The program's id")],
) -> None:
    """Write PROGRAM and everything in it, history included, to FILE (never overwritten).

    FILE holds the password hashes of the program's people, so a site can be restored from it:
    it is an operator's backup, to be kept as safely as the database. Access tokens and page
    sessions are left out. The format is JSON Lines, described in service/backup/format.py.
    """
    try:
        summary = export_program(
            engine=get_engine(get_settings().database_url), program_id=program, path=file
        )
    except EngineError as exc:
        raise _refuse(exc) from None
    console.print(_counts_table(f"Program {program} at schema {summary.revision}", summary.counts))
    console.print(f"Wrote {sum(summary.counts.values())} rows to {file}.", highlight=False)


def import_command(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="A file `improve export` wrote")],
) -> None:
    """Load a program backup into the configured database, which must be migrated and empty.

    The file is loaded whole in one transaction, ids and timestamps as they were, or not at all:
    a database with rows in it, a backup of another schema revision, or a damaged file is
    refused and nothing is written.
    """
    try:
        summary = import_program(engine=get_engine(get_settings().database_url), path=file)
    except EngineError as exc:
        raise _refuse(exc) from None
    console.print(_counts_table(f"Program {summary.program_id} loaded", summary.counts))
    console.print(f"Loaded {sum(summary.counts.values())} rows from {file}.", highlight=False)
    console.print(
        "Backups hold no access tokens: people sign in again, and calendar links are issued anew.",
        highlight=False,
    )
