"""Data for the reliability tests, written straight through the service layer before any load.

Every team gets its own member with an API token, so each client acts as a real person on
their own cycle; nothing here goes through HTTP, which is what the tests exercise.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from factories import theory_of_action
from sqlalchemy import Engine
from sqlmodel import Session

from service.instances import save_artifact, start_cycle
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_person,
    create_program,
)
from service.security import issue_token
from service.store.database import unit_of_work

TOKEN_TTL = dt.timedelta(hours=1)
PLANNED_WRITES = 1
"""Writes a planned cycle holds before any client acts: its theory of action."""


@dataclass(frozen=True)
class Worker:
    """A team member's token and the cycle they work on."""

    token: str
    cycle_id: int


@dataclass(frozen=True)
class Program:
    """A program with one cycle per worker, and an admin who may import its surveys."""

    id: int
    school_code: str
    admin_token: str
    workers: list[Worker]


def _token_for_new_person(session: Session, label: str) -> tuple[int, str]:
    person = create_person(
        session=session,
        email=f"{label}-{uuid.uuid4().hex[:12]}@example.org",
        name=label,
        password_hash=None,
    )
    assert person.id is not None
    token = issue_token(session=session, person_id=person.id, kind="api", ttl=TOKEN_TTL)
    return person.id, token


def seed_program(db: Engine, cycles: int, *, planned: bool = False) -> Program:
    """A program of `cycles` teams, each with a member and an open cycle in `why`.

    With `planned`, each cycle's theory of action is already complete, so `start_planning`
    may be fired at once.
    """
    code = f"S-{uuid.uuid4().hex[:8]}"
    with unit_of_work(db) as session:
        program = create_program(session=session, name=f"Reliability {code}")
        assert program.id is not None
        school = add_school(session=session, program_id=program.id, name="School", code=code)
        admin_id, admin_token = _token_for_new_person(session, "admin")
        add_program_admin(session=session, program_id=program.id, person_id=admin_id)
        workers = []
        for n in range(cycles):
            team = add_team(session=session, school_id=school.id or 0, name=f"Team {n}")
            member_id, token = _token_for_new_person(session, f"member-{n}")
            add_to_team(session=session, team_id=team.id or 0, person_id=member_id, role="member")
            cycle = start_cycle(
                session=session,
                team_id=team.id or 0,
                condition="vision-and-strategy",
                reason="Greatest need",
                actor_id=member_id,
            )
            assert cycle.id is not None
            if planned:
                save_artifact(
                    session=session,
                    instance_id=cycle.id,
                    kind="theory_of_action",
                    data=theory_of_action(),
                    author_id=member_id,
                )
            workers.append(Worker(token, cycle.id))
    return Program(program.id, code, admin_token, workers)
