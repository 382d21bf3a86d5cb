"""The page of one of a team's earlier cycles: what it produced, its history, its sharing.

The cycle under way lives on the team page, so asking for it here leads there.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from service.access import Action, allowed
from service.queries import active_cycle, get_instance
from service.status import cycle_status
from service.store.models import School, Team, WorkflowInstance
from service.web.deps import SessionDep, brief_read
from service.web.pages.cycle_view import condition_titles, cycle_page
from service.web.pages.deps import PageCaller, PageReads
from service.web.pages.flash import flash_shown, read_flash
from service.web.pages.past_cycle_view import cycle_path, written_documents
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute, not_found
from service.web.pages.sharing_view import sharing_panel
from service.web.pages.team import team_path

router = APIRouter(route_class=PageRoute)


def _team_cycle(session: Session, cycle_id: int) -> tuple[WorkflowInstance, int, bool]:
    """The cycle, its team, and whether it is the team's active cycle (shown on its page)."""
    instance = get_instance(session=session, instance_id=cycle_id)
    if instance.kind != "cycle" or instance.team_id is None:
        raise not_found("team cycle")
    active = active_cycle(session=session, team_id=instance.team_id)
    return instance, instance.team_id, active is not None and active.id == cycle_id


def page_showing(cycle_id: int) -> str:
    """Where a cycle is shown: its team's page while it is the team's active cycle."""
    with brief_read() as session:
        _, team_id, on_team_page = _team_cycle(session, cycle_id)
    return team_path(team_id) if on_team_page else cycle_path(cycle_id)


@router.get("/cycles/{cycle_id}", name="past_cycle")
def show_cycle(
    cycle_id: int, request: Request, session: SessionDep, caller: PageCaller, scope: PageReads
) -> Response:
    """One of the team's cycles, read only but for sharing it."""
    instance, team_id, on_team_page = _team_cycle(session, cycle_id)
    if on_team_page:
        return RedirectResponse(team_path(team_id), status_code=303)
    status = cycle_status(session=session, instance_id=cycle_id)
    team = session.get_one(Team, team_id)
    school = session.get_one(School, team.school_id)
    flash = read_flash(request)
    can_work = allowed(caller, Action.WORK, scope)
    context = {
        "caller": caller,
        "team": team,
        "school": school,
        "team_href": team_path(team.id or 0),
        "flash": flash,
        "can_work": False,  # its stage's forms are the team page's; only sharing is offered
        "cycle": cycle_page(session=session, status=status, can_work=False),
        "documents": written_documents(
            session=session,
            instance_id=cycle_id,
            iteration=instance.iteration,
            titles=condition_titles(),
        ),
        "sharing": sharing_panel(
            session=session,
            cycle_id=cycle_id,
            view=status.view,
            program_id=school.program_id,
            condition=instance.condition,
            can_work=can_work,
            flash=flash,
        ),
    }
    return flash_shown(request, render(request, "past_cycle.html", context))
