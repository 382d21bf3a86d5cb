"""A team's home page, and starting its first or next cycle from it."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.responses import Response

from engine.errors import InstanceClosed
from service.access import Action, Caller, Scope, allowed
from service.calendar_feed import live_calendar_links
from service.errors import CycleAlreadyOpen, InvalidRequest, OnboardingAlreadyOpen
from service.instances import start_cycle
from service.onboarding import CHOOSING, choose_in_onboarding, latest_onboarding, start_onboarding
from service.queries import get_instance
from service.status import team_status
from service.store.models import School
from service.web.deps import SessionDep, brief_read, transaction
from service.web.pages.calendar_view import calendar_panel
from service.web.pages.checkin_view import CheckinDraft, checkin_panel
from service.web.pages.choose_view import AssessmentDraft, ChoiceDraft, bases, choose_panel
from service.web.pages.cycle_view import Draft, condition_titles, cycle_page
from service.web.pages.deps import CsrfChecked, PageCaller, PageReads, PageWorks
from service.web.pages.feedback_view import feedback_panels
from service.web.pages.flash import Flash, flash_shown, read_flash, redirect_with_flash
from service.web.pages.onboarding_view import onboarding_panel
from service.web.pages.past_cycle_view import earlier_cycles
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute, not_found
from service.web.pages.sharing_view import shared_path, sharing_panel
from service.web.pages.survey_profile_view import profile_path

router = APIRouter(route_class=PageRoute)


def team_path(team_id: int) -> str:
    return f"/teams/{team_id}"


def team_of_cycle(cycle_id: int) -> int:
    """The team whose page a form on one of its cycles returns to (read before writing)."""
    with brief_read() as session:
        team_id = get_instance(session=session, instance_id=cycle_id).team_id
    if team_id is None:
        raise not_found("team cycle")
    return team_id


def as_sentence(reason: str) -> str:
    """A service's refusal ('the comment is blank') as a sentence beside a form."""
    reason = reason.strip().rstrip(".")
    return f"{reason[:1].upper()}{reason[1:]}."


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
    calendar_url: str | None = None,
    assessment: AssessmentDraft | None = None,
) -> dict[str, Any]:
    """The team page: its cycle in full, or the choice of a condition when none is open.

    `can_work` says whether the caller may change the team's work (forms are shown). Under
    each document come its comments and sign-offs; then whether the cycle is shared. The
    team's check-ins follow, with the form to log one for its coaches and program admins,
    and last the calendar feed (`calendar_url` is a link just made, shown once).
    """
    status = team_status(session=session, team_id=team_id)
    school = session.get_one(School, status.team.school_id)
    scope = Scope(program_id=school.program_id, school_id=school.id, team_id=team_id)
    cycle = status.cycle
    needs_choice = cycle is None or cycle.view.final
    page = (
        cycle_page(session=session, status=cycle, can_work=can_work, draft=draft, flash=flash)
        if cycle is not None
        else None
    )
    onboarding = (
        onboarding_panel(
            session=session, team_id=team_id, can_work=can_work, draft=draft, flash=flash
        )
        if cycle is None
        else None
    )
    return {
        "caller": caller,
        "team": status.team,
        "school": school,
        "phase": status.phase,
        "can_work": can_work,
        "flash": flash,
        "cycle": page,
        "feedback": feedback_panels(
            session=session, caller=caller, scope=scope, cycle=page, view=cycle.view, flash=flash
        )
        if page is not None and cycle is not None
        else {},
        "sharing": sharing_panel(
            session=session,
            cycle_id=page.cycle_id,
            view=cycle.view,
            program_id=school.program_id,
            condition=cycle.instance.condition,
            can_work=can_work,
            flash=flash,
        )
        if page is not None and cycle is not None
        else None,
        "onboarding": onboarding,
        "choose": choose_panel(
            session=session,
            team_id=team_id,
            school_id=status.team.school_id,
            offer_assessment=can_work and not (onboarding and onboarding.rates_here),
            draft=choice,
            assessment=assessment,
        )
        if needs_choice
        else None,
        "shared_href": shared_path(school.program_id),
        "profile_href": profile_path(school.id),
        "checkins": checkin_panel(session=session, caller=caller, team_id=team_id, draft=checkin),
        "earlier": earlier_cycles(
            session=session,
            team_id=team_id,
            shown_id=page.cycle_id if page is not None else None,
            titles=condition_titles(),
        ),
        "calendar": calendar_panel(
            team_id,
            live_calendar_links(session=session, person_id=caller.person_id),
            calendar_url,
        ),
    }


def team_page_again(
    request: Request,
    caller: Caller,
    team_id: int,
    *,
    can_work: bool,
    status_code: int = 200,
    **shown: Any,
) -> Response:
    """The team page read afresh after a form's write (or its rollback), in answer to the form.

    `shown` is what the form did or had refused (`flash`, `draft`, `choice`, `checkin`,
    `assessment`, `calendar_url`), passed on to `team_context`.
    """
    with brief_read() as session:
        context = team_context(
            session=session, caller=caller, team_id=team_id, can_work=can_work, **shown
        )
        return render(request, "team.html", context, status_code=status_code)


@router.get("/teams/{team_id}", name="team_page")
def show_team(
    team_id: int, request: Request, session: SessionDep, caller: PageCaller, scope: PageReads
) -> Response:
    flash = read_flash(request)
    can_work = allowed(caller, Action.WORK, scope)
    context = team_context(
        session=session, caller=caller, team_id=team_id, can_work=can_work, flash=flash
    )
    return flash_shown(request, render(request, "team.html", context))


def _choice_errors(condition: str, basis: str, reason: str) -> dict[str, str]:
    errors = {}
    if condition not in condition_titles():
        errors["condition"] = "Choose one of the seven conditions."
    if basis not in bases():
        errors["basis"] = "Say whether this is the greatest need or the greatest strength."
    if not reason:
        errors["reason"] = "Say what in the self-assessment led you to this choice."
    return errors


def _start_chosen(
    session: Session, team_id: int, condition: str, basis: str, reason: str, actor_id: int
) -> None:
    """Start the chosen cycle: by ending the team's onboarding run at its choice, else at once."""
    run = latest_onboarding(session=session, team_id=team_id)
    if run is not None and not run.finished and run.state == CHOOSING:
        choice = {"condition": condition, "basis": basis, "reason": reason}
        choose_in_onboarding(
            session=session, run_id=run.instance_id, choice=choice, actor_id=actor_id
        )
        return
    # The reason the onboarding's start records too: "basis: reason".
    start_cycle(
        session=session,
        team_id=team_id,
        condition=condition,
        reason=f"{bases()[basis]}: {reason}",
        actor_id=actor_id,
    )


@router.post("/teams/{team_id}/onboarding")
def start_onboarding_form(
    team_id: int, caller: PageCaller, _csrf: CsrfChecked, _: PageWorks
) -> Response:
    """Start the team's onboarding: the overview first, then the self-assessment."""
    with suppress(OnboardingAlreadyOpen), transaction() as session:  # a second press at once
        if latest_onboarding(session=session, team_id=team_id) is None:
            start_onboarding(
                session=session,
                team_id=team_id,
                actor_id=caller.person_id,
                reason="The team started onboarding from its page",
            )
    done = Flash("done", "Started: read the playbook overview together, then take stock.")
    return redirect_with_flash(f"{team_path(team_id)}#stage-heading", done)


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
                _start_chosen(session, team_id, condition, basis, reason, caller.person_id)
                started = condition
        except (CycleAlreadyOpen, InstanceClosed):
            # InstanceClosed: another member's choice ended the onboarding run meanwhile.
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
    choice = ChoiceDraft(values=values, errors=errors)
    return team_page_again(request, caller, team_id, can_work=True, status_code=422, choice=choice)
