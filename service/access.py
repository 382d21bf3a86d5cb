"""Who may do what, decided in one place.

Every route names the action it performs; the resource in its path (cycle,
team, school or program) is resolved to a Scope; `decide` answers. Callers
who may not even read a resource are told it does not exist (404); callers
who may read it but not do this to it are refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy import bindparam, func, literal_column, null, union_all
from sqlmodel import Session, select

from service.errors import NotFound
from service.store.database import connection_of
from service.store.models import (
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


class Identity(Protocol):
    """Who a caller is: a Person, or a row of the same columns read without the ORM."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def is_site_admin(self) -> bool: ...


_MEMBERSHIPS, _TEAMS, _SCHOOLS, _ADMINS, _INSTANCES = (
    model.__table__.c for model in (TeamMembership, Team, School, ProgramAdmin, WorkflowInstance)
)
_ADMIN_ROLE = "admin"
# Every role of a person in one statement, built once: each team they are on (as a member or
# a coach) with its school and program, then each program they administer.
_ROLES = union_all(
    select(_MEMBERSHIPS.role, _MEMBERSHIPS.team_id, _SCHOOLS.id, _SCHOOLS.program_id)
    .join_from(TeamMembership.__table__, Team.__table__, _TEAMS.id == _MEMBERSHIPS.team_id)
    .join(School.__table__, _SCHOOLS.id == _TEAMS.school_id)
    .where(_MEMBERSHIPS.person_id == bindparam("person_id")),
    select(literal_column(f"'{_ADMIN_ROLE}'"), null(), null(), _ADMINS.program_id).where(
        _ADMINS.person_id == bindparam("person_id")
    ),
)


def load_caller(*, session: Session, person: Identity) -> Caller:
    """The person with every role they hold, read in one statement."""
    assert person.id is not None
    roles = connection_of(session).execute(_ROLES, {"person_id": person.id})
    member_of, coach_of, admin_of, programs, schools = set(), set(), set(), set(), set()
    for role, team_id, school_id, program_id in roles:
        if role == _ADMIN_ROLE:
            admin_of.add(program_id)
            continue
        if role == "member":
            member_of.add(team_id)
        elif role == "coach":
            coach_of.add(team_id)
        programs.add(program_id)
        schools.add(school_id)
    return Caller(
        person_id=person.id,
        name=person.name,
        email=person.email,
        is_site_admin=person.is_site_admin,
        member_of=frozenset(member_of),
        coach_of=frozenset(coach_of),
        admin_of=frozenset(admin_of),
        programs=frozenset(programs),
        schools=frozenset(schools),
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


# Every request about a cycle resolves its scope first; built once, like the fire's statements.
_INSTANCE_SCOPE = (
    select(_INSTANCES.team_id, _SCHOOLS.id, _SCHOOLS.program_id)
    .select_from(WorkflowInstance.__table__)
    .outerjoin(Team.__table__, _TEAMS.id == _INSTANCES.team_id)
    .join(School.__table__, _SCHOOLS.id == func.coalesce(_TEAMS.school_id, _INSTANCES.school_id))
    .where(_INSTANCES.id == bindparam("instance_id"))
)


def instance_scope(*, session: Session, instance_id: int) -> Scope:
    """A team's cycle or onboarding sits in its team; a school's phases sit in its school."""
    row = connection_of(session).execute(_INSTANCE_SCOPE, {"instance_id": instance_id}).first()
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


_NO_RESOURCE = "the route names no resource to authorise against"


@dataclass(frozen=True)
class Resource:
    """The most specific resource a route's path names, and where it sits (None: no such one)."""

    what: str
    key: object
    scope: Scope | None

    def located(self) -> Scope:
        """Where the resource sits; NotFound if it does not exist."""
        if self.scope is None:
            raise NotFound(self.what, self.key)
        return self.scope


def resource_in(*, session: Session, path_params: dict[str, str]) -> Resource | None:
    """The resource named in a route's path, resolved to its scope; None if the path names none."""
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
                return Resource(what, raw, None)
            key = int(raw)
            try:
                return Resource(what, key, resolve(session=session, **{keyword: key}))
            except NotFound:
                return Resource(what, key, None)
    return None


def authorise(caller: Caller, action: Action, resource: Resource | None) -> Scope:
    """The resource's scope if the caller may do `action` to it; NotFound or Forbidden if not."""
    if resource is None:
        raise LookupError(_NO_RESOURCE)
    scope = resource.located()
    check(caller, action, scope, resource.what, resource.key)
    return scope


def scope_for(*, session: Session, path_params: dict[str, str]) -> tuple[Scope, str, object]:
    """The scope of the most specific resource named in a route's path."""
    resource = resource_in(session=session, path_params=path_params)
    if resource is None:
        raise LookupError(_NO_RESOURCE)
    return resource.located(), resource.what, resource.key
