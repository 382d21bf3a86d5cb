"""The page of one of a team's earlier cycles: what it produced, its history, its sharing.

The cycle under way lives on the team page, so asking for it here leads there.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from service.access import Action, allowed
from service.queries import active_cycle
from service.status import cycle_status
from service.store.models import School, Team
from service.web.deps import SessionDep, brief_read
from service.web.pages import cookies
from service.web.pages.cycle_view import condition_titles, cycle_page
from service.web.pages.deps import PageCaller, PageReads
from service.web.pages.flash import read_flash
from service.web.pages.past_cycle_view import cycle_path, written_documents
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute, not_found
from service.web.pages.sharing_view import sharing_panel
from service.web.pages.team import team_path

router = APIRouter(route_class=PageRoute)


def page_showing(cycle_id: int) -> str:
    """Where a cycle is shown: its team's page while it is the team's active cycle."""
    with brief_read() as session:
        status = cycle_status(session=session, instance_id=cycle_id)
        team_id = status.instance.team_id
        if team_id is None:
            raise not_found("team cycle")
        active = active_cycle(session=session, team_id=team_id)
    return (
        team_path(team_id)
        if active is not None and active.id == cycle_id
        else (cycle_path(cycle_id))
    )


@router.get("/cycles/{cycle_id}", name="past_cycle")
def show_cycle(
    cycle_id: int, request: Request, session: SessionDep, caller: PageCaller, scope: PageReads
) -> Response:
    """One of the team's cycles, read only but for sharing it."""
    status = cycle_status(session=session, instance_id=cycle_id)
    instance = status.instance
    if instance.team_id is None:
        raise not_found("team cycle")
    active = active_cycle(session=session, team_id=instance.team_id)
    if active is not None and active.id == cycle_id:
        return RedirectResponse(team_path(instance.team_id), status_code=303)
    team = session.get_one(Team, instance.team_id)
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
            can_work=can_work,
            flash=flash,
        ),
    }
    response = render(request, "past_cycle.html", context)
    if cookies.FLASH in request.cookies:
        cookies.delete_cookie(response, cookies.FLASH)
    return response
