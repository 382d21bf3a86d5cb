"""Programs, schools, teams and people: the plain records everything else hangs from."""

from __future__ import annotations

from sqlmodel import Session, select

from service.errors import InvalidRequest, NotFound
from service.store.models import Person, Program, ProgramAdmin, School, Team, TeamMembership

ROLES = ("member", "coach")


def create_program(*, session: Session, name: str) -> Program:
    program = Program(name=name)
    session.add(program)
    session.flush()
    return program


def add_school(*, session: Session, program_id: int, name: str, code: str) -> School:
    if session.get(Program, program_id) is None:
        raise NotFound("program", program_id)
    taken = session.exec(
        select(School).where(School.program_id == program_id, School.code == code)
    ).first()
    if taken is not None:
        raise InvalidRequest(f"school code {code!r} is already used in program {program_id}")
    school = School(program_id=program_id, name=name, code=code)
    session.add(school)
    session.flush()
    return school


def add_team(*, session: Session, school_id: int, name: str) -> Team:
    if session.get(School, school_id) is None:
        raise NotFound("school", school_id)
    team = Team(school_id=school_id, name=name)
    session.add(team)
    session.flush()
    return team


def create_person(
    *,
    session: Session,
    email: str,
    name: str,
    password_hash: str | None = None,
    is_site_admin: bool = False,
) -> Person:
    email = email.strip().lower()
    if session.exec(select(Person).where(Person.email == email)).first() is not None:
        raise InvalidRequest(f"a person with e-mail {email!r} already exists")
    person = Person(
        email=email, name=name, password_hash=password_hash, is_site_admin=is_site_admin
    )
    session.add(person)
    session.flush()
    return person


def add_to_team(*, session: Session, team_id: int, person_id: int, role: str) -> TeamMembership:
    if role not in ROLES:
        raise InvalidRequest(f"role must be one of {ROLES}, not {role!r}")
    membership = TeamMembership(team_id=team_id, person_id=person_id, role=role)
    session.add(membership)
    session.flush()
    return membership


def add_program_admin(*, session: Session, program_id: int, person_id: int) -> ProgramAdmin:
    admin = ProgramAdmin(program_id=program_id, person_id=person_id)
    session.add(admin)
    session.flush()
    return admin


def find_team(*, session: Session, key: str) -> Team:
    """A team by id, or by its exact name when the name is unique."""
    if key.isdigit():
        team = session.get(Team, int(key))
        if team is None:
            raise NotFound("team", key)
        return team
    teams = session.exec(select(Team).where(Team.name == key)).all()
    if len(teams) != 1:
        raise (
            NotFound("team", repr(key))
            if not teams
            else InvalidRequest(f"{len(teams)} teams are named {key!r}; use the team's id")
        )
    return teams[0]
