"""Programs, schools, teams, people and memberships."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlmodel import Session, select

from service.access import Caller
from service.errors import InvalidRequest
from service.organisation import (
    add_program_admin,
    add_school,
    add_team,
    add_to_team,
    create_person,
    create_program,
)
from service.security import hash_password
from service.store.models import Person, Program, ProgramAdmin, School, Team, TeamMembership
from service.web.deps import (
    Administers,
    CurrentCaller,
    Reads,
    SessionDep,
    require_any_admin,
    require_site_admin,
    transaction,
)
from service.web.errors import documented
from service.web.schemas import (
    Id,
    MembershipOut,
    PersonOut,
    PersonRef,
    ProgramCreate,
    ProgramOut,
    SchoolCreate,
    SchoolOut,
    TeamCreate,
    TeamOut,
    UserCreate,
)

router = APIRouter(
    prefix="/api", tags=["organisation"], responses=documented(400, 401, 403, 404, 422)
)
CREATED = status.HTTP_201_CREATED


def _person(session: Session, user_id: int) -> Person:
    person = session.get(Person, user_id)
    if person is None:
        raise InvalidRequest(f"user_id {user_id} names no user")
    return person


def _person_out(person: Person) -> PersonOut:
    return PersonOut(
        id=person.id or 0, email=person.email, name=person.name, is_site_admin=person.is_site_admin
    )


@router.post("/users", status_code=CREATED, response_model=PersonOut)
def create_user(body: UserCreate, _: Annotated[Caller, Depends(require_any_admin)]) -> PersonOut:
    """Create an account (a site or program admin); the password is stored argon2-hashed."""
    password_hash = hash_password(body.password)
    with transaction() as session:
        person = create_person(
            session=session, email=body.email, name=body.name, password_hash=password_hash
        )
        return _person_out(person)


@router.post("/programs", status_code=CREATED, response_model=ProgramOut)
def new_program(
    body: ProgramCreate, _: Annotated[Caller, Depends(require_site_admin)]
) -> ProgramOut:
    with transaction() as session:
        program = create_program(session=session, name=body.name)
        return ProgramOut(id=program.id or 0, name=program.name)


@router.get("/programs", response_model=list[ProgramOut])
def list_programs(session: SessionDep, caller: CurrentCaller) -> list[ProgramOut]:
    """The programs the caller administers (every program, for a site admin)."""
    query = select(Program).order_by(Program.id)
    if not caller.is_site_admin:
        query = query.where(Program.id.in_(caller.admin_of))  # type: ignore[union-attr]
    return [ProgramOut(id=p.id or 0, name=p.name) for p in session.exec(query).all()]


@router.get("/programs/{program_id}", response_model=ProgramOut)
def get_program(program_id: Id, session: SessionDep, _: Reads) -> ProgramOut:
    program = session.get_one(Program, program_id)
    return ProgramOut(id=program_id, name=program.name)


@router.post("/programs/{program_id}/schools", status_code=CREATED, response_model=SchoolOut)
def new_school(program_id: Id, body: SchoolCreate, _: Administers) -> SchoolOut:
    with transaction() as session:
        school = add_school(session=session, program_id=program_id, name=body.name, code=body.code)
        return SchoolOut.model_validate(school, from_attributes=True)


@router.get("/programs/{program_id}/schools", response_model=list[SchoolOut])
def list_schools(program_id: Id, session: SessionDep, _: Reads) -> list[SchoolOut]:
    schools = session.exec(
        select(School).where(School.program_id == program_id).order_by(School.code)
    ).all()
    return [SchoolOut.model_validate(s, from_attributes=True) for s in schools]


@router.post("/programs/{program_id}/admins", status_code=CREATED, response_model=PersonOut)
def new_program_admin(program_id: Id, body: PersonRef, _: Administers) -> PersonOut:
    with transaction() as session:
        person = _person(session, body.user_id)
        if session.get(ProgramAdmin, (program_id, body.user_id)) is not None:
            raise InvalidRequest(f"user {body.user_id} already administers program {program_id}")
        add_program_admin(session=session, program_id=program_id, person_id=body.user_id)
        return _person_out(person)


@router.get("/schools/{school_id}", response_model=SchoolOut)
def get_school(school_id: Id, session: SessionDep, _: Reads) -> SchoolOut:
    return SchoolOut.model_validate(session.get_one(School, school_id), from_attributes=True)


@router.post("/schools/{school_id}/teams", status_code=CREATED, response_model=TeamOut)
def new_team(school_id: Id, body: TeamCreate, _: Administers) -> TeamOut:
    with transaction() as session:
        team = add_team(session=session, school_id=school_id, name=body.name)
        return TeamOut.model_validate(team, from_attributes=True)


@router.get("/schools/{school_id}/teams", response_model=list[TeamOut])
def list_teams(school_id: Id, session: SessionDep, _: Reads) -> list[TeamOut]:
    teams = session.exec(select(Team).where(Team.school_id == school_id).order_by(Team.id)).all()
    return [TeamOut.model_validate(t, from_attributes=True) for t in teams]


@router.get("/teams/{team_id}", response_model=TeamOut)
def get_team(team_id: Id, session: SessionDep, _: Reads) -> TeamOut:
    return TeamOut.model_validate(session.get_one(Team, team_id), from_attributes=True)


def _add_membership(team_id: int, user_id: int, role: str) -> MembershipOut:
    with transaction() as session:
        return _new_membership(session, team_id, user_id, role)


def _new_membership(session: Session, team_id: int, user_id: int, role: str) -> MembershipOut:
    person = _person(session, user_id)
    taken = session.exec(
        select(TeamMembership).where(
            TeamMembership.team_id == team_id,
            TeamMembership.person_id == user_id,
            TeamMembership.role == role,
        )
    ).first()
    if taken is not None:
        raise InvalidRequest(f"user {user_id} is already a {role} of team {team_id}")
    membership = add_to_team(session=session, team_id=team_id, person_id=user_id, role=role)
    return MembershipOut(
        id=membership.id or 0, team_id=team_id, user_id=user_id, name=person.name, role=role
    )


@router.post("/teams/{team_id}/members", status_code=CREATED, response_model=MembershipOut)
def new_member(team_id: Id, body: PersonRef, _: Administers) -> MembershipOut:
    return _add_membership(team_id, body.user_id, "member")


@router.post("/teams/{team_id}/coaches", status_code=CREATED, response_model=MembershipOut)
def new_coach(team_id: Id, body: PersonRef, _: Administers) -> MembershipOut:
    return _add_membership(team_id, body.user_id, "coach")


@router.get("/teams/{team_id}/members", response_model=list[MembershipOut])
def list_memberships(team_id: Id, session: SessionDep, _: Reads) -> list[MembershipOut]:
    """The team's members and coaches."""
    rows = session.exec(
        select(TeamMembership, Person.name)
        .join(Person, Person.id == TeamMembership.person_id)
        .where(TeamMembership.team_id == team_id)
        .order_by(TeamMembership.role, Person.name)
    ).all()
    return [
        MembershipOut(id=m.id or 0, team_id=team_id, user_id=m.person_id, name=name, role=m.role)
        for m, name in rows
    ]
