"""A state program: enrolling schools, their phases against the calendar, and the dashboard."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from service.enrolment import enrol_school, school_phases
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


@router.get("/programs/{program_id}/schools/phases", response_model=list[SchoolPhaseOut])
def list_school_phases(program_id: Id, session: SessionDep, _: Reads) -> list[SchoolPhaseOut]:
    """Each school's cohort, its phase, the phase its calendar expects, and whether it lags."""
    rows = school_phases(session=session, program_id=program_id, today=utcnow().date())
    return [SchoolPhaseOut.model_validate(dataclasses.asdict(r)) for r in rows]


@router.get(
    "/programs/{program_id}/dashboard",
    response_model=DashboardOut,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or one table as CSV"}},
)
def get_dashboard(
    program_id: Id,
    session: SessionDep,
    _: Reads,
    format_: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    table: DashboardTable | None = None,
    limit: Annotated[int, Query(ge=1, le=500, description="stalled teams per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DashboardOut | Response:
    """The program's figures as named tables; `format=csv&table=NAME` downloads one table."""
    if (format_ == "csv") != (table is not None):
        raise InvalidRequest("name a table with format=csv, and only then")
    dashboard = program_dashboard(
        session=session,
        program_id=program_id,
        today=utcnow().date(),
        stalled_limit=limit,
        stalled_offset=offset,
    )
    body = dashboard_out(dashboard, limit=limit, offset=offset)
    if table is None:
        return body
    return table_csv_response(program_id, body, table)


def table_csv_response(program_id: int, body: DashboardOut, table: str) -> Response:
    """One dashboard table as a CSV download named after the program and the table."""
    filename = f"program-{program_id}-{table}.csv"
    return Response(
        content=table_csv(body, table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def dashboard_out(dashboard: ProgramDashboard, *, limit: int, offset: int) -> DashboardOut:
    figures = dataclasses.asdict(dashboard)
    figures.pop("stalled_total")
    page = PageOut(total=dashboard.stalled_total, limit=limit, offset=offset)
    return DashboardOut.model_validate({**figures, "stalled_page": page})


def table_csv(body: DashboardOut, table: str) -> str:
    """One table of the dashboard as CSV: a header row, then exactly the JSON's rows."""
    fields = list(TABLE_ROWS[table].model_fields)
    data = body.model_dump(mode="json")[table]
    rows = data if isinstance(data, list) else [data]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    writer.writerows([_cell(row[name]) for name in fields] for row in rows)
    return out.getvalue()


def _cell(value: object) -> object:
    """None as an empty cell; text a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value
