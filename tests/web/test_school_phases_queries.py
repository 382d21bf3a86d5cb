"""The program's schools page reads a fixed number of statements, however many schools it has."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine
from statement_count import recorded_statements

from service.enrolment import enrol_school
from service.instances import start_cycle
from service.organisation import add_school, add_team, create_program
from service.store.database import unit_of_work
from service.web.pages.school_phases_view import SchoolsQuery, schools_context


def _program(db: Engine, schools: int, today: dt.date) -> int:
    """A program whose schools are all enrolled, each with a team working a cycle."""
    with unit_of_work(db) as session:
        program_id = create_program(session=session, name=f"{schools} schools").id or 0
        for n in range(schools):
            school = add_school(
                session=session, program_id=program_id, name=f"S{n}", code=uuid.uuid4().hex[:8]
            )
            team = add_team(session=session, school_id=school.id or 0, name=f"T{n}")
            enrol_school(
                session=session,
                school_id=school.id or 0,
                cohort="2025 cohort",
                started_on=today,
                actor_id=None,
            )
            start_cycle(
                session=session,
                team_id=team.id or 0,
                condition="vision-and-strategy",
                reason="greatest_need: set up by the test",
                actor_id=None,
            )
    return program_id


def _statements(db: Engine, query: SchoolsQuery, today: dt.date) -> tuple[int, int]:
    """(statements issued, school lines shown) for one view of the page."""
    with recorded_statements(db) as seen, unit_of_work(db, write=False) as session:
        context = schools_context(session=session, query=query, today=today)
    return len(seen), len(context["lines"])


def test_the_schools_page_issues_the_same_statements_for_2_and_12_schools(
    db: Engine, now: dt.datetime
) -> None:
    today = now.date()
    small = SchoolsQuery(_program(db, 2, today))
    large = SchoolsQuery(_program(db, 12, today))
    _statements(db, small, today)  # warm the pinned-workflow cache, as a running server has
    statements_small, lines_small = _statements(db, small, today)
    statements_large, lines_large = _statements(db, large, today)
    assert (lines_small, lines_large) == (2, 12)
    assert statements_small == statements_large


def test_a_page_of_the_schools_issues_the_same_statements_as_the_whole_of_a_small_program(
    db: Engine, now: dt.datetime
) -> None:
    today = now.date()
    small = SchoolsQuery(_program(db, 2, today))
    large = _program(db, 12, today)
    _statements(db, small, today)  # warm the pinned-workflow cache, as a running server has
    statements_small, _ = _statements(db, small, today)
    statements_paged, lines_paged = _statements(db, SchoolsQuery(large, 5, 5), today)
    statements_beyond, lines_beyond = _statements(db, SchoolsQuery(large, 5, 20), today)
    assert (lines_paged, lines_beyond) == (5, 0)
    assert statements_small == statements_paged == statements_beyond
