"""Where a signed-in person starts: their team's page, or the list of teams they can open."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlalchemy import or_
from sqlmodel import Session, col, select
from starlette.responses import Response

from service.access import Caller
from service.store.models import Program, School, Team
from service.web.deps import SessionDep
from service.web.pages.deps import PageCaller
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute

router = APIRouter(route_class=PageRoute)
TEAMS = "/teams"


@dataclass(frozen=True)
class TeamEntry:
    team_id: int
    team: str
    school: str
    program: str
    role: str


def home_path(caller: Caller) -> str:
    """A member of exactly one team (and nothing else) goes straight to it; others to a list."""
    only_member = not (caller.coach_of or caller.admin_of or caller.is_site_admin)
    if only_member and len(caller.member_of) == 1:
        (team_id,) = caller.member_of
        return f"/teams/{team_id}"
    return TEAMS


def _role(caller: Caller, team_id: int, program_id: int) -> str:
    if team_id in caller.member_of:
        return "Member"
    if program_id in caller.admin_of:
        return "Program admin"
    if caller.is_site_admin:
        return "Site admin"
    return "Coach (read only)"


def visible_teams(*, session: Session, caller: Caller) -> list[TeamEntry]:
    """The teams the caller works on or coaches, and every team in the programs they run."""
    query = (
        select(Team.id, Team.name, School.name, Program.name, School.program_id)
        .join(School, col(School.id) == Team.school_id)
        .join(Program, col(Program.id) == School.program_id)
        .order_by(Program.name, School.name, Team.name)
    )
    if not caller.is_site_admin:
        query = query.where(
            or_(
                col(Team.id).in_(caller.member_of | caller.coach_of),
                col(School.program_id).in_(caller.admin_of),
            )
        )
    rows = session.exec(query).all()
    return [
        TeamEntry(team_id, team, school, program, _role(caller, team_id, program_id))
        for team_id, team, school, program, program_id in rows
        if team_id is not None
    ]


@router.get(TEAMS, name="teams")
def list_teams(request: Request, session: SessionDep, caller: PageCaller) -> Response:
    teams = visible_teams(session=session, caller=caller)
    return render(request, "teams.html", {"caller": caller, "teams": teams})
