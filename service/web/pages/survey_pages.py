"""The survey pages: a program's outcomes between two waves (with their CSV), and a school's
profile of scores wave over wave.

The outcomes are the program admins' (and site admins'), as in the API. A school's profile is
also open to the members and coaches of the school's teams (Action.SEE_SCORES); anyone else is
told there is no such school.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.responses import Response

from service.access import Action, Caller, Scope
from service.errors import InvalidRequest
from service.store.models import Program
from service.surveys.outcomes import ProgramOutcomes, program_outcomes
from service.surveys.report import outcomes_csv, outcomes_out
from service.web.deps import SessionDep
from service.web.pages.deps import PageCaller, PageReads, page_access
from service.web.pages.rendering import render
from service.web.pages.routing import PageRefusal, PageRoute, not_found
from service.web.pages.survey_outcomes_view import (
    WaveChoice,
    choose_waves,
    outcomes_context,
    outcomes_path,
)
from service.web.pages.survey_profile_view import profile_context, school_profile
from service.web.pages.survey_waves import dated_waves

router = APIRouter(route_class=PageRoute)
PageSeesScores = Annotated[Scope, Depends(page_access(Action.SEE_SCORES))]


def _program_name(session: Session, program_id: int) -> str:
    program = session.get(Program, program_id)
    if program is None:  # authorisation found it; it was deleted meanwhile
        raise not_found("program")
    return program.name


def _compare(
    session: Session, program_id: int, choice: WaveChoice
) -> tuple[ProgramOutcomes | None, str | None]:
    """The outcomes between the chosen waves, or why they cannot be compared."""
    if choice.error is not None:
        return None, choice.error
    try:
        outcomes = program_outcomes(
            session=session,
            program_id=program_id,
            from_wave=choice.from_wave,
            to_wave=choice.to_wave,
        )
    except InvalidRequest as exc:
        return None, str(exc)
    return outcomes, None


@router.get("/programs/{program_id}/outcomes", name="program_outcomes")
def show_outcomes(
    program_id: int, request: Request, session: SessionDep, caller: PageCaller, _: PageReads
) -> Response:
    """The outcomes between two waves (the latest two unless `from` and `to` say otherwise)."""
    waves = dated_waves(session=session, program_id=program_id)
    choice = choose_waves(request.query_params, waves)
    outcomes, error = _compare(session, program_id, choice) if choice else (None, None)
    context = {
        "caller": caller,
        "nav_program_id": program_id,
        "program_id": program_id,
        "program": _program_name(session, program_id),
        "waves": waves,
        "choice": choice,
        "error": error,
        "outcomes": outcomes_context(outcomes) if outcomes else None,
        "form_path": outcomes_path(program_id),
    }
    status_code = 422 if error else 200
    return render(request, "survey_outcomes.html", context, status_code=status_code)


@router.get("/programs/{program_id}/outcomes.csv", name="program_outcomes_csv")
def download_outcomes(
    program_id: int, request: Request, session: SessionDep, _: PageReads
) -> Response:
    """The outcomes as the API's CSV: a row per condition, then efficacy, then other scales."""
    choice = choose_waves(request.query_params, dated_waves(session=session, program_id=program_id))
    if choice is None:
        raise not_found("pair of survey waves to compare")
    outcomes, error = _compare(session, program_id, choice)
    if outcomes is None:
        raise PageRefusal(422, "Those waves cannot be compared", error or "")
    filename = f"program-{program_id}-outcomes.csv"
    return Response(
        content=outcomes_csv(outcomes_out(outcomes)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _runs_program(caller: Caller, program_id: int) -> bool:
    return caller.is_site_admin or program_id in caller.admin_of


@router.get("/schools/{school_id}/profile", name="school_profile")
def show_profile(
    school_id: int, request: Request, session: SessionDep, caller: PageCaller, _: PageSeesScores
) -> Response:
    """The school's scores per scale in each wave, and when its teams launched their tests."""
    profile = school_profile(session=session, school_id=school_id)
    runs = _runs_program(caller, profile.program_id)
    context = profile_context(profile) | {
        "caller": caller,
        # The program's pages in the navigation are only for those who run it.
        "nav_program_id": profile.program_id if runs else None,
        "runs_program": runs,
    }
    return render(request, "survey_profile.html", context)
