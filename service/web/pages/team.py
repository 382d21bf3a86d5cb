"""A team's home page, and starting its first or next cycle from it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.responses import Response

from service.access import Action, Caller, allowed
from service.errors import CycleAlreadyOpen, InvalidRequest
from service.instances import start_cycle
from service.status import team_status
from service.store.models import School
from service.web.deps import SessionDep, brief_read, transaction
from service.web.pages import cookies
from service.web.pages.checkin_view import CheckinDraft, checkin_panel
from service.web.pages.choose_view import ChoiceDraft, bases, choose_panel
from service.web.pages.cycle_view import Draft, condition_titles, cycle_page
from service.web.pages.deps import CsrfChecked, PageCaller, PageReads, PageWorks
from service.web.pages.flash import Flash, read_flash, redirect_with_flash
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute

router = APIRouter(route_class=PageRoute)


def team_path(team_id: int) -> str:
    return f"/teams/{team_id}"


def team_context(
    *,
    session: Session,
    caller: Caller,
    team_id: int,
    can_work: bool,
    flash: Flash | None = None,
    draft: Draft | None = None,
    choice: ChoiceDraft | None = None,
    checkin: CheckinDraft | None = None,
) -> dict[str, Any]:
    """The team page: its cycle in full, or the choice of a condition when none is open.

    `can_work` says whether the caller may change the team's work (forms are shown). The
    team's check-ins follow, with the form to log one for its coaches and program admins.
    """
    status = team_status(session=session, team_id=team_id)
    school = session.get_one(School, status.team.school_id)
    cycle = status.cycle
    needs_choice = cycle is None or cycle.view.final
    return {
        "caller": caller,
        "team": status.team,
        "school": school,
        "phase": status.phase,
        "can_work": can_work,
        "flash": flash,
        "cycle": cycle_page(
            session=session, status=cycle, can_work=can_work, draft=draft, flash=flash
        )
        if cycle is not None
        else None,
        "choose": choose_panel(session=session, team_id=team_id, draft=choice)
        if needs_choice
        else None,
        "checkins": checkin_panel(session=session, caller=caller, team_id=team_id, draft=checkin),
    }


@router.get("/teams/{team_id}", name="team_page")
def show_team(
    team_id: int, request: Request, session: SessionDep, caller: PageCaller, scope: PageReads
) -> Response:
    flash = read_flash(request)
    can_work = allowed(caller, Action.WORK, scope)
    context = team_context(
        session=session, caller=caller, team_id=team_id, can_work=can_work, flash=flash
    )
    response = render(request, "team.html", context)
    if cookies.FLASH in request.cookies:
        cookies.delete_cookie(response, cookies.FLASH)
    return response


def _choice_errors(condition: str, basis: str, reason: str) -> dict[str, str]:
    errors = {}
    if condition not in condition_titles():
        errors["condition"] = "Choose one of the seven conditions."
    if basis not in bases():
        errors["basis"] = "Say whether this is the greatest need or the greatest strength."
    if not reason:
        errors["reason"] = "Say what in the self-assessment led you to this choice."
    return errors


@router.post("/teams/{team_id}/cycles")
def choose_condition(
    team_id: int,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageWorks,
    condition: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Start a cycle on the chosen condition; the reason recorded names the basis too."""
    reason = reason.strip()
    errors = _choice_errors(condition, basis, reason)
    if not errors:
        try:
            with transaction() as session:
                cycle = start_cycle(
                    session=session,
                    team_id=team_id,
                    condition=condition,
                    # The same form the onboarding's automatic start uses: "basis: reason".
                    reason=f"{basis}: {reason}",
                    actor_id=caller.person_id,
                )
                started = cycle.condition or condition
        except CycleAlreadyOpen:
            return redirect_with_flash(
                team_path(team_id),
                Flash("refused", "The team already has a cycle under way; finish it first."),
            )
        except InvalidRequest as exc:
            errors = {"condition": str(exc)}
        else:
            title = condition_titles()[started]
            return redirect_with_flash(
                team_path(team_id), Flash("done", f"Started a cycle on {title}.")
            )
    values = {"condition": condition, "basis": basis, "reason": reason}
    # Nothing was written (or it was rolled back): the form comes back from a fresh read.
    with brief_read() as session:
        context = team_context(
            session=session,
            caller=caller,
            team_id=team_id,
            can_work=True,
            choice=ChoiceDraft(values=values, errors=errors),
        )
        return render(request, "team.html", context, status_code=422)
