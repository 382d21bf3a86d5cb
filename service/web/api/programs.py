"""A state program: enrolling schools, their phases against the calendar, and the dashboard."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from service.enrolment import enrol_school, school_phases_page
from service.errors import InvalidRequest
from service.program_dashboard import ProgramDashboard, program_dashboard
from service.store.models import utcnow
from service.web.deps import Administers, CurrentCaller, Reads, SessionDep, transaction
from service.web.errors import documented
from service.web.program_schemas import (
    TABLE_ROWS,
    DashboardOut,
    DashboardTable,
    EnrolmentCreate,
    EnrolmentOut,
    PageOut,
    SchoolPhaseOut,
)
from service.web.schemas import Id

router = APIRouter(
    prefix="/api", tags=["programs"], responses=documented(400, 401, 403, 404, 409, 422)
)

Offset = Annotated[int, Query(ge=0, le=1_000_000)]
TOTAL_HEADER = "X-Total-Count"
TOTAL_DOC = {
    "description": "How many items there are on every page, not only this one",
    "schema": {"type": "integer"},
}

ALL_TABLES = "dashboard"
"""The name of the download of every table, and of the table of the JSON's single values."""
LONG_HEADER = ("table", "row", "column", "value")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet runs a cell that starts with one of these as a formula."""


@router.post(
    "/programs/{program_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentOut,
)
def new_enrolment(
    program_id: Id, body: EnrolmentCreate, caller: CurrentCaller, _: Administers
) -> EnrolmentOut:
    """Enrol one of the program's schools in a cohort and start its phases (program admins)."""
    with transaction() as session:
        enrolled = enrol_school(
            session=session,
            school_id=body.school_id,
            cohort=body.cohort,
            started_on=body.started_on,
            actor_id=caller.person_id,
            program_id=program_id,
        )
        enrolment = enrolled.enrolment
        return EnrolmentOut(
            id=enrolment.id or 0,
            school_id=enrolment.school_id,
            cohort=enrolment.cohort,
            started_on=enrolment.started_on,
            phase_instance_id=enrolled.phase_instance_id,
        )


@router.get(
    "/programs/{program_id}/schools/phases",
    response_model=list[SchoolPhaseOut],
    responses={200: {"headers": {TOTAL_HEADER: TOTAL_DOC}}},
)
def list_school_phases(
    program_id: Id,
    session: SessionDep,
    _: Reads,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500, description="schools per page")] = 100,
    offset: Offset = 0,
) -> list[SchoolPhaseOut]:
    """One page of the program's schools by code: cohort, phase, the phase expected, any lag.

    The `X-Total-Count` header counts the program's schools; `limit` and `offset` choose the page.
    """
    page = school_phases_page(
        session=session, program_id=program_id, today=utcnow().date(), limit=limit, offset=offset
    )
    response.headers[TOTAL_HEADER] = str(page.total)
    return [SchoolPhaseOut.model_validate(dataclasses.asdict(r)) for r in page.rows]


@router.get(
    "/programs/{program_id}/dashboard",
    response_model=DashboardOut,
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": "JSON; or as CSV, one table or every table in long form",
        }
    },
)
def get_dashboard(
    program_id: Id,
    session: SessionDep,
    _: Reads,
    format_: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    table: DashboardTable | None = None,
    limit: Annotated[int, Query(ge=1, le=500, description="stalled teams per page")] = 100,
    offset: Offset = 0,
) -> DashboardOut | Response:
    """The program's figures as named tables; `format=csv` downloads them, `&table=NAME` one.

    Every table in one CSV is in long form: a line per cell, `table,row,column,value`, rows
    numbered from 1 within each table; the JSON's single values come first as table `dashboard`.
    """
    if format_ == "json" and table is not None:
        raise InvalidRequest("a table is downloaded on its own with format=csv")
    dashboard = program_dashboard(
        session=session,
        program_id=program_id,
        today=utcnow().date(),
        stalled_limit=limit,
        stalled_offset=offset,
    )
    body = dashboard_out(dashboard, limit=limit, offset=offset)
    if format_ == "json":
        return body
    return dashboard_csv_response(program_id, body, table)


def dashboard_csv_response(program_id: int, body: DashboardOut, table: str | None) -> Response:
    """One dashboard table, or every table (`table` None), as a CSV download named after them."""
    name = table or ALL_TABLES
    return Response(
        content=table_csv(body, table) if table else tables_csv(body),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="program-{program_id}-{name}.csv"'},
    )


def dashboard_out(dashboard: ProgramDashboard, *, limit: int, offset: int) -> DashboardOut:
    figures = dataclasses.asdict(dashboard)
    figures.pop("stalled_total")
    page = PageOut(total=dashboard.stalled_total, limit=limit, offset=offset)
    return DashboardOut.model_validate({**figures, "stalled_page": page})


def _rows(table: Any) -> list[Any]:
    """A table of the JSON as its rows: a single object is a table of one row."""
    return table if isinstance(table, list) else [table]


def table_csv(body: DashboardOut, table: str) -> str:
    """One table of the dashboard as CSV: a header row, then exactly the JSON's rows."""
    fields = list(TABLE_ROWS[table].model_fields)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    rows = _rows(body.model_dump(mode="json")[table])
    writer.writerows([_cell(row[name]) for name in fields] for row in rows)
    return out.getvalue()


def tables_csv(body: DashboardOut) -> str:
    """Every figure of the dashboard's JSON as CSV in long form, a line per cell.

    Each object or list of the JSON is a table under its own name; its single values
    (the program, the day, the stall threshold) are the table `dashboard`.
    """
    data = body.model_dump(mode="json")
    single = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
    tables = {ALL_TABLES: single} | {k: v for k, v in data.items() if k not in single}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LONG_HEADER)
    for name, table in tables.items():
        for number, row in enumerate(_rows(table), start=1):
            writer.writerows((name, number, column, _cell(v)) for column, v in row.items())
    return out.getvalue()


def _cell(value: object) -> object:
    """None as an empty cell; text a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value
