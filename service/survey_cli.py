"""`improve survey ...`: import survey responses and report a program's outcomes."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from engine.errors import EngineError
from service.settings import get_settings
from service.store.database import get_engine, unit_of_work
from service.surveys.importing import ImportRefused, import_responses
from service.surveys.outcomes import program_outcomes
from service.surveys.registry import resolve_instrument
from service.surveys.report import OutcomesOut, outcomes_csv, outcomes_out

survey_app = typer.Typer(help="Surveys: import responses, report outcomes.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    TABLE = "table"


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(1)


def _data_rows(path: Path) -> int:
    """Lines after the header: the progress bar's total (a quoted line break may overcount)."""
    with path.open("rb") as f:
        return max(0, sum(1 for _ in f) - 1)


@survey_app.command("import")
def survey_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file")],
    program: Annotated[int, typer.Option("--program", help="The program's id")],
    instrument: Annotated[
        str, typer.Option("--instrument", help="A registered or shipped name, or a YAML file")
    ],
    wave: Annotated[
        str | None, typer.Option("--wave", help="Wave label (default: each row's school year)")
    ] = None,
    ignore_extra: Annotated[
        bool, typer.Option("--ignore-extra", help="Skip columns the instrument does not ask")
    ] = False,
) -> None:
    """Import FILE whole, or nothing of it: every problem is listed with its row and column."""
    total = _data_rows(file)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with (
            Progress(
                *columns,
                TimeElapsedColumn(),
                console=errors,
                transient=True,
                disable=not errors.is_terminal,
            ) as bar,
            unit_of_work(get_engine(get_settings().database_url)) as session,
            file.open("rb") as source,
        ):
            tasks = {
                "check": bar.add_task("Checking", total=total),
                "write": bar.add_task("Writing", total=total),
            }
            chosen = resolve_instrument(session=session, name_or_file=instrument)
            result = import_responses(
                session=session,
                program_id=program,
                instrument=chosen,
                source=source,
                wave=wave,
                ignore_extra=ignore_extra,
                progress=lambda phase, done: bar.update(tasks[phase], completed=done),
            )
    except ImportRefused as exc:
        table = Table("row", "column", "problem", title=str(exc))
        for p in exc.problems:
            table.add_row(str(p.row), p.column or "", p.message)
        errors.print(table)
        raise typer.Exit(1) from None
    except EngineError as exc:
        _fail(str(exc))
        return
    waves = ", ".join(f"{label}: {n}" for label, n in result.waves.items())
    console.print(
        f"Imported {result.rows} responses to {result.instrument} into program {program} "
        f"({waves}); {result.replaced} replaced earlier ones.",
        highlight=False,
        soft_wrap=True,
    )


def _print_table(report: OutcomesOut) -> None:
    table = Table(title=f"Program {report.program_id}: {report.from_wave} to {report.to_wave}")
    table.add_column("scale", no_wrap=True)
    for column in ("schools", "rose at", "mean change", "improved"):
        table.add_column(column, justify="right")
    named = [(c.condition, c) for c in report.conditions] + [
        (s.scale, s) for s in report.other_scales
    ]
    for name, c in named:
        mean = "" if c.mean_change is None else f"{c.mean_change:+.3f}"
        verdict = "yes" if c.improved else "no"
        table.add_row(name, str(c.schools_compared), str(c.schools_improved), mean, verdict)
    console.print(table)
    e = report.efficacy
    console.print(
        f"Improved in {report.conditions_improved} of {report.conditions_total} conditions."
    )
    percent = "n/a" if e.percent_increased is None else f"{e.percent_increased}%"
    console.print(
        f"Efficacy rose in {e.schools_increased} of {e.schools_compared} schools ({percent}).",
        highlight=False,
        soft_wrap=True,
    )
    suppressed = sum(s.suppressed for s in report.schools)
    if suppressed:
        console.print(
            f"{suppressed} school-scale(s) with fewer than {report.min_n} respondents in a wave "
            "are suppressed and left out.",
            soft_wrap=True,
        )


@survey_app.command("report")
def survey_report(
    program: Annotated[int, typer.Option("--program", help="The program's id")],
    from_wave: Annotated[str, typer.Option("--from", help="The earlier wave's label")],
    to_wave: Annotated[str, typer.Option("--to", help="The later wave's label")],
    format_: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.TABLE,
) -> None:
    """The program's outcomes between two waves: conditions improved, and efficacy."""
    try:
        with unit_of_work(get_engine(get_settings().database_url), write=False) as session:
            report = outcomes_out(
                program_outcomes(
                    session=session, program_id=program, from_wave=from_wave, to_wave=to_wave
                )
            )
    except EngineError as exc:
        _fail(str(exc))
        return
    if format_ is ReportFormat.JSON:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2))
    elif format_ is ReportFormat.CSV:
        typer.echo(outcomes_csv(report), nl=False)
    else:
        _print_table(report)
