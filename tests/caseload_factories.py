"""Caseloads to measure: teams looked up from their cycles, coaches, check-ins, and a coach's
many teams."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Engine, insert

from service.catalog import get_catalog, pin
from service.checkins import log_checkin
from service.organisation import add_school, add_to_team, create_person, create_program
from service.store.database import unit_of_work
from service.store.models import HistoryEvent, Team, TeamMembership, WorkflowInstance


def team_of(db: Engine, cycle_id: int) -> int:
    with unit_of_work(db, write=False) as session:
        return session.get_one(WorkflowInstance, cycle_id).team_id or 0


def coach_of(db: Engine, *team_ids: int) -> int:
    """A new coach with these teams on their caseload."""
    with unit_of_work(db) as session:
        coach = create_person(session=session, email=f"{uuid.uuid4().hex}@c.org", name="Coach")
        for team_id in team_ids:
            add_to_team(session=session, team_id=team_id, person_id=coach.id or 0, role="coach")
        return coach.id or 0


def checked_in(
    db: Engine, team_id: int, on: dt.date, next_steps: str = "", today: dt.date | None = None
) -> None:
    """A check-in with the team held on `on` (as of `today`, when the test fixes the date)."""
    with unit_of_work(db) as session:
        author = create_person(session=session, email=f"{uuid.uuid4().hex}@c.org", name="Kim")
        log_checkin(
            session=session,
            team_id=team_id,
            author_id=author.id or 0,
            held_on=on,
            mode="virtual",
            notes="Looked at the data together.",
            next_steps=next_steps,
            attendees=["Principal"],
            today=today,
        )


def bulk_coached_teams(db: Engine, count: int, now: dt.datetime) -> int:
    """A coach with `count` teams, inserted in bulk: each with a cycle (in why, how or closed,
    entered 0-6 days before `now`) and one history event (0-39 days before `now`)."""
    with unit_of_work(db) as session:
        program = create_program(session=session, name="Scale")
        school = add_school(
            session=session, program_id=program.id or 0, name="S", code=uuid.uuid4().hex[:8]
        )
        coach = create_person(session=session, email=f"{uuid.uuid4().hex}@c.org", name="Coach")
        stored = pin(session, get_catalog().definition("vision-and-strategy"))
        teams = (
            session.execute(
                insert(Team).returning(Team.id),
                [
                    {"school_id": school.id, "name": f"T{n}", "created_at": now}
                    for n in range(count)
                ],
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(TeamMembership),
            [
                {"team_id": t, "person_id": coach.id, "role": "coach", "created_at": now}
                for t in teams
            ],
        )
        cycles = (
            session.execute(
                insert(WorkflowInstance).returning(WorkflowInstance.id),
                [
                    {
                        "definition_id": stored.id,
                        "kind": "cycle",
                        "workflow": "vision-and-strategy",
                        "team_id": t,
                        "condition": "vision-and-strategy",
                        "state": ("why", "how", "closed")[n % 3],
                        "iteration": 1,
                        "version": 1,
                        "entered_at": now - dt.timedelta(days=n % 7),
                        "created_at": now,
                    }
                    for n, t in enumerate(teams)
                ],
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(HistoryEvent),
            [
                {
                    "instance_id": c,
                    "seq": 1,
                    "at": now - dt.timedelta(days=n % 40),
                    "trigger": "start",
                    "to_state": "why",
                    "iteration": 1,
                    "details": {},
                }
                for n, c in enumerate(cycles)
            ],
        )
        return coach.id or 0
