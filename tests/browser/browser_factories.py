"""Teams, people and cycles for the browser tests, written straight through the service.

Each test makes its own team and member, so no test depends on another's data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from factories import action_timeline, purpose_map, theory_of_action
from sqlalchemy import Engine
from sqlmodel import select

from service.instances import fire_trigger, save_artifact, start_cycle
from service.onboarding import start_onboarding
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_person,
    create_program,
)
from service.queries import active_cycle
from service.security import hash_password
from service.store.database import unit_of_work
from service.store.models import Person

PASSWORD = "a long browser-test password"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashing is deliberately slow: once per run


@dataclass(frozen=True)
class LiveServer:
    """The app served over HTTP, and its database for setting up each test's data directly."""

    base_url: str
    db: Engine


@dataclass(frozen=True)
class Member:
    """A person who signs in with PASSWORD and works on one team."""

    email: str
    name: str
    team_id: int


def new_member(db: Engine, *, name: str = "Ana Reyes") -> Member:
    """A new program, school and team, with one member on it."""
    email = f"{uuid.uuid4().hex[:12]}@school.example"
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Browser test program")
        school = add_school(
            session=session,
            program_id=program.id or 0,
            name="Maple Middle School",
            code=uuid.uuid4().hex[:8],
        )
        team = add_team(session=session, school_id=school.id or 0, name="Maple leadership team")
        person = create_person(
            session=session, email=email, name=name, password_hash=_PASSWORD_HASH
        )
        add_to_team(session=session, team_id=team.id or 0, person_id=person.id or 0, role="member")
        return Member(email=email, name=name, team_id=team.id or 0)


def new_admin(db: Engine, program_id: int) -> str:
    """A person who runs the program and signs in with PASSWORD; returns their e-mail."""
    email = f"{uuid.uuid4().hex[:12]}@state.example"
    with unit_of_work(db) as session:
        person = create_person(
            session=session, email=email, name="Pat Admin", password_hash=_PASSWORD_HASH
        )
        add_program_admin(session=session, program_id=program_id, person_id=person.id or 0)
    return email


def new_cycle(db: Engine, team_id: int, condition: str = "vision-and-strategy") -> int:
    """Start the team's cycle on `condition`, in why."""
    with unit_of_work(db) as session:
        cycle = start_cycle(
            session=session,
            team_id=team_id,
            condition=condition,
            reason="greatest_need: set up by the browser test",
            actor_id=None,
        )
        return cycle.id or 0


def new_onboarding(db: Engine, member: Member) -> int:
    """The member starts the team's onboarding run, at its overview."""
    with unit_of_work(db) as session:
        person = session.exec(select(Person).where(Person.email == member.email)).one()
        return start_onboarding(
            session=session,
            team_id=member.team_id,
            actor_id=person.id or 0,
            reason="The team started onboarding from its page",
        )


def current_cycle(db: Engine, team_id: int) -> int:
    """The id of the team's open cycle (however it was started)."""
    with unit_of_work(db, write=False) as session:
        cycle = active_cycle(session=session, team_id=team_id)
        assert cycle is not None and cycle.id is not None, f"team {team_id} has no cycle"
        return cycle.id


def write_theory_of_action(db: Engine, cycle_id: int) -> None:
    """A complete theory of action, so start planning is open."""
    with unit_of_work(db) as session:
        save_artifact(
            session=session,
            instance_id=cycle_id,
            kind="theory_of_action",
            data=theory_of_action(),
            author_id=None,
        )


def walk_to_implement(db: Engine, cycle_id: int) -> None:
    """Write the why and how artifacts and launch the test today (the server's clock)."""
    write_theory_of_action(db, cycle_id)
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(db) as session:
        fire_trigger(
            session=session,
            instance_id=cycle_id,
            trigger="start_planning",
            actor_id=None,
            now=now,
        )
        for kind, data in (("purpose_map", purpose_map()), ("action_timeline", action_timeline())):
            save_artifact(
                session=session, instance_id=cycle_id, kind=kind, data=data, author_id=None
            )
        fire_trigger(
            session=session, instance_id=cycle_id, trigger="launch_test", actor_id=None, now=now
        )
