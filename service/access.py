"""Who may do what, decided in one place.

Every route names the action it performs; the resource in its path (cycle,
team, school or program) is resolved to a Scope; `decide` answers. Callers
who may not even read a resource are told it does not exist (404); callers
who may read it but not do this to it are refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from service.errors import NotFound
from service.store.models import (
    Person,
    Program,
    ProgramAdmin,
    School,
    Team,
    TeamMembership,
    WorkflowInstance,
)


class Action(StrEnum):
    READ = "read"
    WORK = "work"  # write artifacts, fire triggers, start cycles
    COMMENT = "comment"
    CHECK_IN = "check_in"  # log a coach's check-in or site visit
    SIGN_OFF = "sign_off"  # a coach approves an artifact revision
    BROWSE = "browse"  # see what teams of a program share with each other
    ADMINISTER = "administer"  # create schools, teams, people, memberships
    SEE_SCORES = "see_scores"  # a school's survey scores: its teams' members and coaches too


@dataclass(frozen=True)
class Caller:
    person_id: int
    name: str
    email: str
    is_site_admin: bool
    member_of: frozenset[int]
    coach_of: frozenset[int]
    admin_of: frozenset[int]
    programs: frozenset[int] = frozenset()
    """Programs the caller works in through a team (as a member or a coach)."""
    schools: frozenset[int] = frozenset()
    """Schools the caller works in through a team (as a member or a coach)."""

    @property
    def roles(self) -> list[str]:
        roles = ["site admin"] if self.is_site_admin else []
        roles += ["program admin"] if self.admin_of else []
        roles += ["coach"] if self.coach_of else []
        roles += ["team member"] if self.member_of else []
        return roles


@dataclass(frozen=True)
class Scope:
    """Where a resource sits: always a program, and a team for team-level work."""

    program_id: int
    school_id: int | None = None
    team_id: int | None = None


class Forbidden(Exception):
    """The caller can see the resource but may not do this to it."""

    def __init__(self, action: Action) -> None:
        super().__init__(f"you may not {action.value} this")
        self.action = action


def load_caller(*, session: Session, person: Person) -> Caller:
    assert person.id is not None
    memberships = session.exec(
        select(TeamMembership.team_id, TeamMembership.role).where(
            TeamMembership.person_id == person.id
        )
    ).all()
    admin_of = session.exec(
        select(ProgramAdmin.program_id).where(ProgramAdmin.person_id == person.id)
    ).all()
    workplaces = session.exec(
        select(School.program_id, School.id)
        .join(Team, Team.school_id == School.id)
        .join(TeamMembership, TeamMembership.team_id == Team.id)
        .where(TeamMembership.person_id == person.id)
        .distinct()
    ).all()
    return Caller(
        person_id=person.id,
        name=person.name,
        email=person.email,
        is_site_admin=person.is_site_admin,
        member_of=frozenset(t for t, role in memberships if role == "member"),
        coach_of=frozenset(t for t, role in memberships if role == "coach"),
        admin_of=frozenset(admin_of),
        programs=frozenset(program for program, _ in workplaces),
        schools=frozenset(school for _, school in workplaces if school is not None),
    )


def allowed(caller: Caller, action: Action, scope: Scope) -> bool:
    """The whole policy, as one readable function."""
    if caller.is_site_admin or scope.program_id in caller.admin_of:
        return True
    if action is Action.BROWSE:
        return scope.program_id in caller.programs
    if action is Action.SEE_SCORES:
        return scope.school_id in caller.schools
    if scope.team_id is None:
        return False
    if scope.team_id in caller.member_of:
        return action in (Action.READ, Action.WORK, Action.COMMENT)
    if scope.team_id in caller.coach_of:
        return action in (Action.READ, Action.COMMENT, Action.CHECK_IN, Action.SIGN_OFF)
    return False


def check(caller: Caller, action: Action, scope: Scope, what: str, key: object) -> None:
    """Raise NotFound when the caller may not read the resource, Forbidden when not act on it."""
    if allowed(caller, action, scope):
        return
    if action is not Action.READ and allowed(caller, Action.READ, scope):
        raise Forbidden(action)
    raise NotFound(what, key)


def team_scope(*, session: Session, team_id: int) -> Scope:
    row = session.exec(
        select(School.program_id, Team.school_id)
        .join(School, School.id == Team.school_id)
        .where(Team.id == team_id)
    ).first()
    if row is None:
        raise NotFound("team", team_id)
    return Scope(program_id=row[0], school_id=row[1], team_id=team_id)


def instance_scope(*, session: Session, instance_id: int) -> Scope:
    """A team's cycle or onboarding sits in its team; a school's phases sit in its school."""
    row = session.exec(
        select(WorkflowInstance.team_id, School.id, School.program_id)
        .outerjoin(Team, Team.id == WorkflowInstance.team_id)
        .join(
            School,
            School.id == func.coalesce(Team.school_id, WorkflowInstance.school_id),
        )
        .where(WorkflowInstance.id == instance_id)
    ).first()
    if row is None:
        raise NotFound("cycle", instance_id)
    team_id, school_id, program_id = row
    return Scope(program_id=program_id, school_id=school_id, team_id=team_id)


def school_scope(*, session: Session, school_id: int) -> Scope:
    school = session.get(School, school_id)
    if school is None:
        raise NotFound("school", school_id)
    return Scope(program_id=school.program_id, school_id=school_id)


def program_scope(*, session: Session, program_id: int) -> Scope:
    if session.get(Program, program_id) is None:
        raise NotFound("program", program_id)
    return Scope(program_id=program_id)


def scope_for(*, session: Session, path_params: dict[str, str]) -> tuple[Scope, str, object]:
    """The scope of the most specific resource named in a route's path."""
    resolvers = (
        ("cycle_id", "cycle", instance_scope, "instance_id"),
        ("team_id", "team", team_scope, "team_id"),
        ("school_id", "school", school_scope, "school_id"),
        ("program_id", "program", program_scope, "program_id"),
    )
    for param, what, resolve, keyword in resolvers:
        if param in path_params:
            raw = path_params[param]
            if not (raw.isascii() and raw.isdigit()) or int(raw) > 2**31 - 1:
                raise NotFound(what, raw)
            key = int(raw)
            return resolve(session=session, **{keyword: key}), what, key
    raise LookupError("the route names no resource to authorise against")
