"""Enrolling schools, and the phase calendar they are judged against."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from service.catalog import get_catalog, pin
from service.enrolment import (
    DEFAULT_PHASE_DAYS,
    PhaseSpan,
    enrol_school,
    expected_phase,
    is_behind,
    phase_calendar,
    school_phases,
)
from service.errors import InvalidRequest
from service.instances import fire_trigger, start_instance
from service.organisation import add_school, create_program
from service.queries import history
from service.store.database import unit_of_work
from service.store.models import Enrolment, WorkflowInstance

START = dt.date(2025, 9, 1)
CALENDAR = (
    PhaseSpan("designing", 365),
    PhaseSpan("implementing", 365),
    PhaseSpan("cultivating", 365),
    PhaseSpan("sustaining", None),
)


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (-1, "designing"),
        (0, "designing"),
        (364, "designing"),
        (365, "implementing"),
        (729, "implementing"),
        (730, "cultivating"),
        (1094, "cultivating"),
        (1095, "sustaining"),
        (5000, "sustaining"),
    ],
)
def test_each_phase_lasts_its_expected_days_from_the_start(day: int, phase: str) -> None:
    assert expected_phase(START, START + dt.timedelta(days=day), CALENDAR) == phase


def test_the_calendar_is_read_off_the_definition_one_year_a_phase_by_default() -> None:
    definition = get_catalog().definition("program-phases")
    assert phase_calendar(definition) == CALENDAR
    untimed = [s.model_copy(update={"expected_days": None}) for s in definition.states]
    shorter = [untimed[0].model_copy(update={"expected_days": 100}), *untimed[1:]]
    calendar = phase_calendar(definition.model_copy(update={"states": shorter}))
    assert [p.days for p in calendar] == [100, DEFAULT_PHASE_DAYS, DEFAULT_PHASE_DAYS, None]
    assert expected_phase(START, START + dt.timedelta(days=99), calendar) == "designing"
    assert expected_phase(START, START + dt.timedelta(days=100), calendar) == "implementing"


@pytest.mark.parametrize(
    ("phase", "expected", "behind"),
    [
        ("designing", "implementing", True),
        ("designing", "sustaining", True),
        ("implementing", "implementing", False),
        ("cultivating", "implementing", False),
        (None, "implementing", False),
        ("designing", None, False),
    ],
)
def test_a_school_is_behind_when_its_phase_comes_before_the_expected_one(
    phase: str | None, expected: str | None, behind: bool
) -> None:
    assert is_behind(phase, expected, CALENDAR) is behind


def _program_with_schools(db: Engine, count: int) -> tuple[int, list[int]]:
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Cohort program")
        schools = [
            add_school(
                session=session,
                program_id=program.id or 0,
                name=f"School {n}",
                code=f"{n}-{uuid.uuid4().hex[:8]}",
            ).id
            or 0
            for n in range(count)
        ]
        return program.id or 0, schools


def _enrol(db: Engine, school_id: int, started_on: dt.date, **kwargs: object) -> int:
    with unit_of_work(db) as session:
        enrolled = enrol_school(
            session=session,
            school_id=school_id,
            cohort="2025 cohort",
            started_on=started_on,
            actor_id=None,
            **kwargs,  # type: ignore[arg-type]
        )
        return enrolled.phase_instance_id


def test_enrolling_a_school_starts_its_phases_with_the_cohort_in_the_reason(db: Engine) -> None:
    program_id, [school_id] = _program_with_schools(db, 1)
    phases_id = _enrol(db, school_id, START, program_id=program_id)
    with unit_of_work(db, write=False) as session:
        enrolment = session.exec(select(Enrolment).where(Enrolment.school_id == school_id)).one()
        instance = session.get_one(WorkflowInstance, phases_id)
        [start] = history(session=session, instance_id=phases_id)
    assert (enrolment.cohort, enrolment.started_on) == ("2025 cohort", START)
    assert (instance.kind, instance.school_id, instance.state) == (
        "program_phases",
        school_id,
        "designing",
    )
    assert (start.trigger, start.reason) == ("start", "Enrolled in cohort 2025 cohort")


def test_a_school_enrols_once(db: Engine) -> None:
    _, [school_id] = _program_with_schools(db, 1)
    _enrol(db, school_id, START)
    with pytest.raises(InvalidRequest, match="already enrolled"):
        _enrol(db, school_id, START)


def test_a_school_whose_phases_are_under_way_keeps_them(db: Engine) -> None:
    _, [school_id] = _program_with_schools(db, 1)
    with unit_of_work(db) as session:
        started = start_instance(
            session=session,
            workflow_name="program-phases",
            actor_id=None,
            reason="Started by hand",
            school_id=school_id,
        ).id
    assert _enrol(db, school_id, START) == started


@pytest.mark.parametrize("cohort", ["", "   "])
def test_an_enrolment_names_its_cohort(db: Engine, cohort: str) -> None:
    _, [school_id] = _program_with_schools(db, 1)
    with unit_of_work(db) as session, pytest.raises(InvalidRequest, match="cohort"):
        enrol_school(
            session=session, school_id=school_id, cohort=cohort, started_on=START, actor_id=None
        )


def test_only_a_school_of_the_program_enrols_in_it(db: Engine) -> None:
    program_id, _ = _program_with_schools(db, 1)
    _, [elsewhere] = _program_with_schools(db, 1)
    with pytest.raises(InvalidRequest, match=f"no school {elsewhere} in program {program_id}"):
        _enrol(db, elsewhere, START, program_id=program_id)


def test_each_school_shows_its_phase_against_its_calendar(db: Engine) -> None:
    program_id, [late, on_time, ahead, not_enrolled] = _program_with_schools(db, 4)
    _enrol(db, late, START)
    _enrol(db, on_time, START + dt.timedelta(days=1))
    ahead_phases = _enrol(db, ahead, START + dt.timedelta(days=1))
    with unit_of_work(db) as session:
        fire_trigger(
            session=session,
            instance_id=ahead_phases,
            trigger="begin_implementing",
            actor_id=None,
            reason="Ready early",
            override=True,
        )
    today = START + dt.timedelta(days=365)  # the first school's day 365, the others' day 364
    with unit_of_work(db, write=False) as session:
        rows = {
            r.school_id: r
            for r in school_phases(session=session, program_id=program_id, today=today)
        }
    assert [(rows[s].expected_phase, rows[s].phase, rows[s].behind) for s in rows] == [
        ("implementing", "designing", True),
        ("designing", "designing", False),
        ("designing", "implementing", False),
        (None, None, False),
    ]
    assert rows[not_enrolled].cohort is None and rows[late].started_on == START


def test_a_school_is_judged_by_the_calendar_it_was_pinned_to(db: Engine) -> None:
    definition = get_catalog().definition("program-phases")
    quick = [definition.states[0].model_copy(update={"expected_days": 30}), *definition.states[1:]]
    version = 9_000 + uuid.uuid4().int % 1_000_000
    pinned = definition.model_copy(update={"states": quick, "version": version})
    program_id, [school_id] = _program_with_schools(db, 1)
    phases_id = _enrol(db, school_id, START)
    with unit_of_work(db) as session:
        stored = pin(session, pinned)
        session.get_one(WorkflowInstance, phases_id).definition_id = stored.id or 0
    with unit_of_work(db, write=False) as session:
        [row] = school_phases(
            session=session, program_id=program_id, today=START + dt.timedelta(days=30)
        )
    assert (row.expected_phase, row.behind) == ("implementing", True)
