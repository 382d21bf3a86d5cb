"""Enrolling a school in a program cohort, and where its phase calendar says it should be.

A school's phases (designing -> implementing -> cultivating -> sustaining) move only
when a program admin fires a trigger; the calendar is what the program expects: each
phase lasts its state's `expected_days` in the definition the school is pinned to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engine.definitions import Definition
from service.catalog import Catalog, get_catalog
from service.errors import InvalidRequest
from service.instances import start_instance
from service.store.models import Enrolment, School, StoredDefinition, WorkflowInstance

PHASES_WORKFLOW = "program-phases"
DEFAULT_PHASE_DAYS = 365
"""How long a phase lasts when its state names no `expected_days`: one school year."""


@dataclass(frozen=True)
class PhaseSpan:
    """One phase of the calendar; `days` is None for the phase a school stays in for good."""

    name: str
    days: int | None


@dataclass(frozen=True)
class Enrolled:
    enrolment: Enrolment
    phase_instance_id: int


@dataclass(frozen=True)
class SchoolPhase:
    school_id: int
    school: str
    code: str
    cohort: str | None
    started_on: dt.date | None
    expected_phase: str | None
    phase: str | None
    behind: bool
    phase_instance_id: int | None


def phase_calendar(definition: Definition) -> tuple[PhaseSpan, ...]:
    """The definition's states in order, each with how long the program expects it to last."""
    return tuple(
        PhaseSpan(s.name, None if s.final else s.expected_days or DEFAULT_PHASE_DAYS)
        for s in definition.states
    )


def expected_phase(started_on: dt.date, today: dt.date, phases: Sequence[PhaseSpan]) -> str:
    """The phase the calendar expects `today`, counting whole days from `started_on`.

    Day 0 is the first day of the first phase; a phase of 365 days ends on day 364.
    After the last timed phase comes the untimed one (sustaining), for good.
    """
    elapsed = (today - started_on).days
    ends = 0
    for phase in phases:
        if phase.days is None:
            return phase.name
        ends += phase.days
        if elapsed < ends:
            return phase.name
    return phases[-1].name


def is_behind(phase: str | None, expected: str | None, phases: Sequence[PhaseSpan]) -> bool:
    """Whether the school's actual phase comes earlier in the order than the expected one."""
    order = [p.name for p in phases]
    if phase not in order or expected not in order:
        return False
    return order.index(phase) < order.index(expected)


def enrol_school(
    *,
    session: Session,
    school_id: int,
    cohort: str,
    started_on: dt.date,
    actor_id: int | None,
    program_id: int | None = None,
    catalog: Catalog | None = None,
    now: dt.datetime | None = None,
) -> Enrolled:
    """Enrol a school in a cohort and start its program phases, unless they are under way.

    With `program_id`, the school must belong to that program. A school enrols once.
    """
    cohort = cohort.strip()
    if not cohort:
        raise InvalidRequest("name the cohort the school joins (it is blank)")
    school = session.get(School, school_id)
    if school is None or (program_id is not None and school.program_id != program_id):
        where = f" in program {program_id}" if program_id is not None else ""
        raise InvalidRequest(f"there is no school {school_id}{where} to enrol")
    taken = session.exec(select(Enrolment.cohort).where(Enrolment.school_id == school_id)).first()
    if taken is not None:
        raise InvalidRequest(f"school {school_id} is already enrolled (cohort {taken!r})")
    enrolment = Enrolment(school_id=school_id, cohort=cohort, started_on=started_on)
    try:
        # A savepoint: a concurrent enrolment of the same school is refused, not a crash.
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:
        raise InvalidRequest(f"school {school_id} is already enrolled") from None
    under_way = session.exec(
        select(WorkflowInstance.id).where(
            WorkflowInstance.school_id == school_id, WorkflowInstance.kind == "program_phases"
        )
    ).first()  # a school whose phases were started by hand keeps them
    if under_way is None:
        under_way = start_instance(
            session=session,
            workflow_name=PHASES_WORKFLOW,
            actor_id=actor_id,
            reason=f"Enrolled in cohort {cohort}",
            school_id=school_id,
            catalog=catalog,
            now=now,
        ).id
    assert under_way is not None
    return Enrolled(enrolment, under_way)


@dataclass(frozen=True)
class SchoolPhasesPage:
    rows: list[SchoolPhase]
    total: int
    """The program's schools on every page, not only this one's."""


def school_phases(
    *, session: Session, program_id: int, today: dt.date, catalog: Catalog | None = None
) -> list[SchoolPhase]:
    """Every school of the program with its cohort, actual and expected phase, in one query."""
    return school_phases_page(
        session=session, program_id=program_id, today=today, catalog=catalog
    ).rows


def school_phases_page(
    *,
    session: Session,
    program_id: int,
    today: dt.date,
    limit: int | None = None,
    offset: int = 0,
    catalog: Catalog | None = None,
) -> SchoolPhasesPage:
    """One page of the program's schools by code, each against its calendar, in one query.

    Each school is judged against the definition its phases are pinned to; a school
    enrolled without phases under way is judged against today's definition.
    """
    catalog = catalog or get_catalog()
    schools = select(School.id, School.name, School.code).where(School.program_id == program_id)
    if limit is not None:
        # Codes are unique in a program, so the order, and so each page, is the same every time.
        schools = schools.order_by(School.code).limit(limit).offset(offset)
    page = schools.subquery("page")
    counted = (
        select(func.count().label("total"))
        .select_from(School)
        .where(School.program_id == program_id)
        .subquery("counted")
    )
    # One statement: the count beside each school shown (or beside NULLs when none is).
    rows = session.execute(
        select(
            counted.c.total,
            page.c.id,
            page.c.name,
            page.c.code,
            Enrolment.cohort,
            Enrolment.started_on,
            WorkflowInstance.id,
            WorkflowInstance.state,
            WorkflowInstance.definition_id,
            StoredDefinition.digest,
        )
        .select_from(counted)
        .outerjoin(page, true())
        .outerjoin(Enrolment, Enrolment.school_id == page.c.id)
        .outerjoin(
            WorkflowInstance,
            (WorkflowInstance.school_id == page.c.id) & (WorkflowInstance.kind == "program_phases"),
        )
        .outerjoin(StoredDefinition, StoredDefinition.id == WorkflowInstance.definition_id)
        .order_by(page.c.code, col(WorkflowInstance.id))
    ).all()
    current = phase_calendar(catalog.definition(PHASES_WORKFLOW))
    # The newest phases instance of a school wins.
    latest = {row[1]: row[1:] for row in rows if row[1] is not None}
    result = []
    for (
        school_id,
        name,
        code,
        cohort,
        started_on,
        instance_id,
        state,
        def_id,
        digest,
    ) in latest.values():
        calendar = current
        if digest is not None:
            workflow = catalog.pinned_workflow(
                digest, lambda d=def_id: session.get_one(StoredDefinition, d)
            )
            calendar = phase_calendar(workflow.definition)
        expected = expected_phase(started_on, today, calendar) if started_on else None
        result.append(
            SchoolPhase(
                school_id=school_id,
                school=name,
                code=code,
                cohort=cohort,
                started_on=started_on,
                expected_phase=expected,
                phase=state,
                behind=is_behind(state, expected, calendar),
                phase_instance_id=instance_id,
            )
        )
    return SchoolPhasesPage(result, rows[0].total)
