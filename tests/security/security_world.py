"""A seeded world for the security tests: one team's private work, and people around it.

The victim team sits in a program of its own with a cycle, artifacts, a record, a comment,
a check-in and survey scores, every piece carrying a unique marker string. Around it stand
the people the tests impersonate: the four who may see that work (site admin, the program's
admin, the team's coach, a team member) and the three who may not (a member of another team
in the same school, a coach of that other team, and the admin of another program).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from factories import (
    LAUNCH,
    action_timeline,
    data_collection,
    fire,
    purpose_map,
    save,
    theory_of_action,
)
from sqlalchemy import Engine

from service.calendar_feed import issue_calendar_token
from service.checkins import log_checkin
from service.feedback import comment
from service.instances import start_cycle
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
from service.store.models import utcnow

TOKEN_TTL = dt.timedelta(hours=2)

INSIDERS = ("site admin", "program admin", "coach", "team member")
STRANGERS = ("member of another team", "coach of another team", "admin of another program")


@dataclass(frozen=True)
class Person:
    """Someone the tests act as, with every credential the app accepts from them."""

    role: str
    id: int
    api_token: str
    session_token: str
    calendar_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_token}"}


@dataclass(frozen=True)
class World:
    """Ids of the victim's resources, its marker strings, and the people around it."""

    program_id: int
    school_id: int
    team_id: int
    cycle_id: int
    record_item: int
    markers: tuple[str, ...]
    """In the team's own work: only insiders may ever receive these."""
    program_markers: tuple[str, ...]
    """The program's, school's and team's names: nobody outside the program may receive these."""
    people: dict[str, Person] = field(repr=False)

    def person(self, role: str) -> Person:
        return self.people[role]


def marker(what: str) -> str:
    """A string that appears nowhere else: finding it in a response means that data leaked."""
    return f"zq{what}{uuid.uuid4().hex[:12]}"


def new_person(db: Engine, role: str, *, site_admin: bool = False) -> Person:
    """A person with an API token, a page session and a calendar token, all valid for hours."""
    with unit_of_work(db) as session:
        person = create_person(
            session=session,
            email=f"{uuid.uuid4().hex[:12]}@security.example",
            name=f"Person {role}",
            password_hash=None,
            is_site_admin=site_admin,
        )
        person_id = person.id or 0
        tokens = {
            kind: issue_token(session=session, person_id=person_id, kind=kind, ttl=TOKEN_TTL)
            for kind in ("api", "session")
        }
        calendar = issue_calendar_token(session=session, person_id=person_id)
    return Person(role, person_id, tokens["api"], tokens["session"], calendar)


def _victim_work(
    db: Engine, cycle_id: int, team_id: int, coach_id: int, texts: dict[str, str]
) -> int:
    """Artifacts, a record, a comment and a check-in, each holding a marker; the record's item."""
    save(db, cycle_id, "theory_of_action", theory_of_action())
    fire(db, cycle_id, "start_planning")
    save(db, cycle_id, "purpose_map", {**purpose_map(), "vision": texts["vision"]})
    save(db, cycle_id, "action_timeline", action_timeline())
    fire(db, cycle_id, "launch_test")
    save(
        db,
        cycle_id,
        "data_collection",
        {**data_collection(LAUNCH.date()), "summary": texts["summary"]},
    )
    with unit_of_work(db) as session:
        comment(
            session=session,
            instance_id=cycle_id,
            kind="purpose_map",
            revision=1,
            body=texts["comment"],
            author_id=coach_id,
        )
        log_checkin(
            session=session,
            team_id=team_id,
            author_id=coach_id,
            held_on=utcnow().date(),
            mode="virtual",
            notes=texts["checkin"],
            next_steps="",
            attendees=[],
        )
    return 1  # the cycle's first record


def build_world(db: Engine) -> World:
    """The victim's program, school, team and cycle (in implement), and one person per role."""
    names = ("program", "school", "team")
    private = ("reason", "vision", "summary", "comment", "checkin")
    texts = {what: marker(what) for what in (*names, *private)}
    people = {role: new_person(db, role, site_admin=role == "site admin") for role in INSIDERS}
    people |= {role: new_person(db, role) for role in STRANGERS}
    with unit_of_work(db) as session:
        program = create_program(session=session, name=f"Program {texts['program']}")
        elsewhere = create_program(session=session, name="Another program")
        school = add_school(
            session=session,
            program_id=program.id or 0,
            name=f"School {texts['school']}",
            code=marker("code"),
        )
        team = add_team(session=session, school_id=school.id or 0, name=f"Team {texts['team']}")
        other = add_team(session=session, school_id=school.id or 0, name="The other team")
        team_id, other_id = team.id or 0, other.id or 0
        memberships = (
            ("coach", team_id, "coach"),
            ("team member", team_id, "member"),
            ("member of another team", other_id, "member"),
            ("coach of another team", other_id, "coach"),
        )
        for role, at, as_ in memberships:
            add_to_team(session=session, team_id=at, person_id=people[role].id, role=as_)
        add_program_admin(
            session=session, program_id=program.id or 0, person_id=people["program admin"].id
        )
        add_program_admin(
            session=session,
            program_id=elsewhere.id or 0,
            person_id=people["admin of another program"].id,
        )
        cycle = start_cycle(
            session=session,
            team_id=team_id,
            condition="vision-and-strategy",
            reason=f"greatest_need: {texts['reason']}",
            actor_id=None,
        )
        cycle_id = cycle.id or 0
    item = _victim_work(db, cycle_id, team_id, people["coach"].id, texts)
    return World(
        program_id=program.id or 0,
        school_id=school.id or 0,
        team_id=team_id,
        cycle_id=cycle_id,
        record_item=item,
        markers=tuple(texts[k] for k in private),
        program_markers=tuple(texts[k] for k in names),
        people=people,
    )
