"""Naming a caller: every role a person holds, read in one statement."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine
from statement_count import recorded_statements

from service.access import load_caller
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_person,
    create_program,
)
from service.store.database import unit_of_work
from service.store.models import Person


def _team_in_a_program_of_its_own(db: Engine) -> tuple[int, int, int]:
    """(program, school, team), each new."""
    stamp = uuid.uuid4().hex[:10]
    with unit_of_work(db) as session:
        program = create_program(session=session, name=f"program {stamp}")
        school = add_school(session=session, program_id=program.id, name="s", code=stamp)
        team = add_team(session=session, school_id=school.id, name="t")
        return program.id or 0, school.id or 0, team.id or 0


def _person(db: Engine) -> Person:
    with unit_of_work(db) as session:
        return create_person(session=session, email=f"{uuid.uuid4().hex}@example.org", name="P")


def test_a_member_coach_and_admin_is_named_with_every_role_in_one_statement(db: Engine) -> None:
    person = _person(db)
    worked_program, worked_school, worked_team = _team_in_a_program_of_its_own(db)
    coached_program, coached_school, coached_team = _team_in_a_program_of_its_own(db)
    administered_program, _, _ = _team_in_a_program_of_its_own(db)
    with unit_of_work(db) as session:
        add_to_team(session=session, team_id=worked_team, person_id=person.id, role="member")
        add_to_team(session=session, team_id=coached_team, person_id=person.id, role="coach")
        add_program_admin(session=session, program_id=administered_program, person_id=person.id)
    with unit_of_work(db, write=False) as session, recorded_statements(db) as seen:
        caller = load_caller(session=session, person=person)
    assert len([sql for sql in seen if not sql.upper().startswith("BEGIN")]) == 1
    assert (caller.member_of, caller.coach_of) == ({worked_team}, {coached_team})
    assert caller.admin_of == {administered_program}
    assert caller.programs == {worked_program, coached_program}
    assert caller.schools == {worked_school, coached_school}
    assert caller.roles == ["program admin", "coach", "team member"]


def test_a_person_with_no_roles_is_named_with_none(db: Engine) -> None:
    person = _person(db)
    with unit_of_work(db, write=False) as session:
        caller = load_caller(session=session, person=person)
    assert (caller.person_id, caller.name, caller.is_site_admin) == (person.id, "P", False)
    assert not (caller.member_of | caller.coach_of | caller.admin_of | caller.programs)
