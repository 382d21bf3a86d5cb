"""Cycles ready to fire `start_planning`: one member, a team per cycle, a full theory of action."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from service.instances import save_artifact, start_cycle
from service.organisation import add_school, add_team, add_to_team, create_person, create_program
from service.security import hash_password, issue_token
from service.store.database import get_engine, unit_of_work

PASSWORD = "bench password"
THEORY = {
    "goal": "g",
    "problem_of_practice": "p",
    "staff_evidence": "e",
    "barrier": "b",
    "approach": "a",
    "statement": "If we do this, then that happens.",
}
# Each round trip leaves a cycle where it started: why -> how -> why.
ROUND_TRIP = (("start_planning", "why", "how"), ("step_back", "how", "why"))


@dataclass(frozen=True)
class FireFixture:
    email: str
    token: str
    """An API token of the member's, issued directly (sign-in is not what is measured)."""
    cycle_ids: list[int]


def seed_cycles(url: str, count: int) -> FireFixture:
    """`count` cycles in `why`, each in its own team, all worked by one member."""
    stamp = time.time_ns()
    with unit_of_work(get_engine(url)) as session:
        program = create_program(session=session, name=f"bench {stamp}")
        school = add_school(session=session, program_id=program.id, name="s", code=str(stamp))
        email = f"bench{stamp}@example.org"
        person = create_person(
            session=session, email=email, name="Bench", password_hash=hash_password(PASSWORD)
        )
        ids = []
        for n in range(count):
            team = add_team(session=session, school_id=school.id, name=f"t{n}")
            add_to_team(session=session, team_id=team.id, person_id=person.id, role="member")
            cycle = start_cycle(
                session=session,
                team_id=team.id,
                condition="vision-and-strategy",
                reason="bench",
                actor_id=person.id,
            )
            save_artifact(
                session=session,
                instance_id=cycle.id,
                kind="theory_of_action",
                data=THEORY,
                author_id=person.id,
            )
            ids.append(cycle.id)
        token = issue_token(
            session=session, person_id=person.id, kind="api", ttl=dt.timedelta(hours=6)
        )
    return FireFixture(email, token, ids)
