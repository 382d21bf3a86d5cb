"""A state program's pages: its dashboard (with CSV downloads), its schools and their phases.

Only the program's admins and site admins may open them; anyone else is told there is no
such program. The CSV downloads are the API's tables, built by the API's own writer, served
from the browser's session (a page cannot send the API's bearer token).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from sqlmodel import Session, col, select
from starlette.responses import Response

from engine.errors import (
    ConcurrentChange,
    GatesUnmet,
    InstanceClosed,
    TransitionRefused,
    TriggerNotAvailable,
    UnknownTrigger,
)
from service.access import Caller
from service.enrolment import enrol_school
from service.errors import InvalidRequest
from service.instances import fire_trigger
from service.program_dashboard import program_dashboard
from service.store.models import Enrolment, Program, School, WorkflowInstance
from service.web.api.programs import dashboard_csv_response, dashboard_out
from service.web.deps import SessionDep, brief_read, transaction
from service.web.pages.caseload_query import phase_titles
from service.web.pages.checkin_view import today
from service.web.pages.deps import CsrfChecked, PageAdministers, PageCaller, PageReads
from service.web.pages.flash import Flash, flash_shown, read_flash, redirect_with_flash
from service.web.pages.paging import parse_window
from service.web.pages.program_dashboard_view import dashboard_context
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute, not_found
from service.web.pages.school_phases_view import (
    PHASES_KIND,
    EnrolmentDraft,
    EnrolmentForm,
    OverrideDraft,
    SchoolsQuery,
    parse_schools,
    schools_context,
)
from service.web.program_schemas import TABLE_ROWS

router = APIRouter(route_class=PageRoute)
PROGRAMS = "/programs"
REASON_GATE = "reason_given"
MAX_REASON = 5_000
"""The API's limit on a trigger's reason (service.web.schemas.FireRequest)."""
MAX_COHORT = 100
"""The API's limit on a cohort's name (service.web.program_schemas.Cohort)."""
CSV_PAGE, CSV_MAX_PAGE = 100, 500
"""The API's default and largest page of stalled teams in a download."""


def _program_name(session: Session, program_id: int) -> str:
    program = session.get(Program, program_id)
    if program is None:  # authorisation has found it; this is a program deleted meanwhile
        raise not_found("program")
    return program.name


def _programs_of(session: Session, caller: Caller) -> list[tuple[int, str]]:
    query = select(Program.id, Program.name).order_by(Program.name, col(Program.id))
    if not caller.is_site_admin:
        query = query.where(col(Program.id).in_(caller.admin_of))
    return [(program_id, name) for program_id, name in session.exec(query).all() if program_id]


@router.get(PROGRAMS, name="programs")
def list_programs(request: Request, session: SessionDep, caller: PageCaller) -> Response:
    """The programs the caller runs, each with its dashboard and schools."""
    if not (caller.is_site_admin or caller.admin_of):
        raise not_found("program you run")
    programs = _programs_of(session, caller)
    return render(request, "programs.html", {"caller": caller, "programs": programs})


@router.get("/programs/{program_id}/dashboard", name="program_dashboard")
def show_dashboard(
    program_id: int, request: Request, session: SessionDep, caller: PageCaller, _: PageReads
) -> Response:
    """Every table of the program's dashboard; stalled teams come a page at a time."""
    query = parse_window(request.query_params)
    dashboard = program_dashboard(
        session=session,
        program_id=program_id,
        today=today(),
        stalled_limit=query.limit,
        stalled_offset=query.offset,
    )
    context = dashboard_context(dashboard, query)
    # Every table, with the page of stalled teams shown, as the API's long-form CSV.
    page = urlencode({"limit": query.limit, "offset": query.offset})
    context["all_tables_href"] = f"/programs/{program_id}/dashboard.csv?{page}"
    return render(
        request,
        "program_dashboard.html",
        {"caller": caller, "nav_program_id": program_id, "query": query, **context},
    )


def _bounded(raw: str | None, default: int, low: int, high: int) -> int:
    raw = raw or ""
    return min(max(int(raw), low), high) if raw.isascii() and raw.isdigit() else default


@router.get("/programs/{program_id}/dashboard.csv", name="program_dashboard_csv")
def download_tables(
    program_id: int, request: Request, session: SessionDep, _: PageReads
) -> Response:
    """The API's CSV of one dashboard table (`table`), or of every table without it.

    `limit`/`offset` choose the page of stalled teams.
    """
    params = request.query_params
    table = params.get("table")
    if table is not None and table not in TABLE_ROWS:
        raise not_found("dashboard table of that name")
    limit = _bounded(params.get("limit"), CSV_PAGE, 1, CSV_MAX_PAGE)
    offset = _bounded(params.get("offset"), 0, 0, 1_000_000)
    dashboard = program_dashboard(
        session=session,
        program_id=program_id,
        today=today(),
        stalled_limit=limit,
        stalled_offset=offset,
    )
    body = dashboard_out(dashboard, limit=limit, offset=offset)
    response = dashboard_csv_response(program_id, body, table)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/programs/{program_id}/schools", name="program_schools")
def show_schools(
    program_id: int, request: Request, session: SessionDep, caller: PageCaller, _: PageReads
) -> Response:
    """A page of schools against their calendar, each with its next phase step and overrides."""
    flash = read_flash(request)
    query = parse_schools(program_id, request.query_params)
    return flash_shown(request, _schools_page(request, session, caller, query, flash=flash))


def _schools_page(
    request: Request,
    session: Session,
    caller: Caller,
    query: SchoolsQuery,
    *,
    flash: Flash | None = None,
    draft: OverrideDraft | None = None,
    enrolment: EnrolmentDraft | None = None,
    status_code: int = 200,
) -> Response:
    context = schools_context(
        session=session,
        query=query,
        today=today(),
        flash=flash,
        draft=draft,
        enrolment=enrolment,
    )
    context |= {
        "caller": caller,
        "nav_program_id": query.program_id,
        "program": _program_name(session, query.program_id),
    }
    return render(request, "school_phases.html", context, status_code=status_code)


def _phases_of(session: Session, program_id: int, school_id: int) -> tuple[int, str]:
    """The school's phases instance (the newest, as the schools page shows) and its name."""
    row = session.exec(
        select(WorkflowInstance.id, School.name)
        .join(School, col(School.id) == WorkflowInstance.school_id)
        .where(
            School.id == school_id,
            School.program_id == program_id,
            WorkflowInstance.kind == PHASES_KIND,
        )
        .order_by(col(WorkflowInstance.id).desc())
    ).first()
    if row is None or row[0] is None:
        raise not_found("school with its phases under way in this program")
    return row[0], row[1]


def _version(raw: str) -> int | None:
    """The version the form was rendered at; None (so unchecked) when absent or garbled."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _refusal(exc: TransitionRefused) -> tuple[str, ...]:
    if isinstance(exc, GatesUnmet):
        return tuple(u.reason for u in exc.unmet)
    if isinstance(exc, ConcurrentChange):
        return ("Someone moved this school's phase meanwhile; check where it stands now.",)
    if isinstance(exc, TriggerNotAvailable):
        return ("That step is not open from the school's current phase.",)
    if isinstance(exc, InstanceClosed):
        return ("The school has reached its last phase; there is no further step.",)
    return (str(exc),)


@router.post("/programs/{program_id}/schools/{school_id}/advance")
def advance_school(
    program_id: int,
    school_id: int,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageAdministers,
    trigger: Annotated[str, Form()] = "",
    expected_version: Annotated[str, Form()] = "",
    override: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Move a school to its next phase; an override of unmet gates needs a written reason.

    The form's address names the page of schools it was on, which the answer shows again.
    """
    with brief_read() as session:
        instance_id, school = _phases_of(session, program_id, school_id)
    overriding, reason = override == "yes", reason.strip()
    query = parse_schools(program_id, request.query_params)
    back = f"{query.href()}#school-{school_id}"
    target = f"school:{school_id}"
    if len(reason) > MAX_REASON:
        error = f"Keep the reason under {MAX_REASON:,} characters (it has {len(reason):,})."
    else:
        try:
            with transaction() as session:
                fired = fire_trigger(
                    session=session,
                    instance_id=instance_id,
                    trigger=trigger,
                    actor_id=caller.person_id,
                    reason=reason or None,
                    expected_version=_version(expected_version),
                    override=overriding,
                )
                phase = fired.instance.state
        except UnknownTrigger as exc:
            raise not_found("phase step of that name") from exc
        except GatesUnmet as exc:
            missing = [u.reason for u in exc.unmet if u.gate == REASON_GATE]
            if not (overriding and missing):
                refused = Flash("refused", f"{school} was not moved.", target, _refusal(exc))
                return redirect_with_flash(back, refused)
            error = missing[0]  # the engine's own words, shown beside the reason field
        except TransitionRefused as exc:
            refused = Flash("refused", f"{school} was not moved.", target, _refusal(exc))
            return redirect_with_flash(back, refused)
        else:
            title = phase_titles().get(phase, phase)
            done = f"{school} is now in {title}."
            if overriding:
                done += " The override and its reason are recorded in the school's history."
            return redirect_with_flash(back, Flash("done", done, target))
    # Nothing was written: the form comes back with the reason as typed, from a fresh read.
    draft = OverrideDraft(school_id, reason, error)
    refused = Flash("refused", f"{school} was not moved: see the reason for the override.")
    with brief_read() as session:
        return _schools_page(
            request, session, caller, query, flash=refused, draft=draft, status_code=422
        )


def _school_to_enrol(session: Session, program_id: int, school_id: int) -> tuple[str, str | None]:
    """The program's school, by name, and the cohort it is already enrolled in, if any."""
    row = session.exec(
        select(School.name, Enrolment.cohort)
        .outerjoin(Enrolment, col(Enrolment.school_id) == School.id)
        .where(School.id == school_id, School.program_id == program_id)
    ).first()
    if row is None:
        raise not_found("school in this program")
    return row[0], row[1]


def _enrolment_errors(cohort: str, started_on: str) -> dict[str, str]:
    errors = {}
    if not cohort:
        errors["cohort"] = "Name the cohort the school joins, such as “2026 cohort”."
    elif len(cohort) > MAX_COHORT:
        errors["cohort"] = f"Keep the cohort's name under {MAX_COHORT} characters."
    try:
        dt.date.fromisoformat(started_on)
    except ValueError:
        errors["started_on"] = "Give the day the school's cohort started, as a date."
    return errors


@router.post("/programs/{program_id}/schools/{school_id}/enrol")
def enrol_school_form(
    program_id: int,
    school_id: int,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageAdministers,
    cohort: Annotated[str, Form()] = "",
    started_on: Annotated[str, Form()] = "",
) -> Response:
    """Enrol a school in a cohort, which starts its phases; the answer is the same page."""
    with brief_read() as session:
        school, taken = _school_to_enrol(session, program_id, school_id)
    query = parse_schools(program_id, request.query_params)
    back = f"{query.href()}#school-{school_id}"
    if taken is not None:  # a second press, or a page from before someone else enrolled it
        return redirect_with_flash(
            back, Flash("refused", f"{school} is already enrolled, in the cohort {taken}.")
        )
    cohort, started_on = cohort.strip(), started_on.strip()
    errors = _enrolment_errors(cohort, started_on)
    if not errors:
        try:
            with transaction() as session:
                enrol_school(
                    session=session,
                    school_id=school_id,
                    cohort=cohort,
                    started_on=dt.date.fromisoformat(started_on),
                    actor_id=caller.person_id,
                    program_id=program_id,
                )
        except InvalidRequest as exc:  # enrolled meanwhile: the service has the last word
            refused = Flash("refused", f"{school} was not enrolled: {exc}.")
            return redirect_with_flash(back, refused)
        done = f"{school} is enrolled in the cohort {cohort}; its phases have started."
        return redirect_with_flash(back, Flash("done", done, f"school:{school_id}"))
    # Nothing was written: the form comes back as typed, from a fresh read.
    draft = EnrolmentDraft(school_id, EnrolmentForm(cohort, started_on, errors))
    refused = Flash("refused", f"{school} was not enrolled: see the form beside it.")
    with brief_read() as session:
        return _schools_page(
            request, session, caller, query, flash=refused, enrolment=draft, status_code=422
        )
