"""A program's settings page: how long a quiet team waits before it is flagged as stalled, and
which steps need a coach's sign-off.

Saving calls the service function the API's `PUT /api/programs/{id}/settings` calls, so the
rules live in one place. Only the program's admins and site admins may open the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from sqlmodel import Session
from starlette.responses import Response

from service.access import Caller
from service.errors import InvalidRequest, NotFound
from service.feedback import program_settings, update_program_settings
from service.store.models import Program
from service.web.deps import SessionDep, brief_read, transaction
from service.web.pages.deps import CsrfChecked, PageAdministers, PageCaller, PageReads
from service.web.pages.flash import Flash, flash_shown, read_flash, redirect_with_flash
from service.web.pages.program_settings_view import (
    STALL_DAYS_FIELD,
    TRIGGERS_FIELD,
    SettingsDraft,
    parse_stall_days,
    settings_context,
    settings_path,
    trigger_choices,
)
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute, not_found

router = APIRouter(route_class=PageRoute)


def _program(session: Session, program_id: int) -> Program:
    try:
        return program_settings(session=session, program_id=program_id)
    except NotFound as exc:  # authorisation found it: this is a program deleted meanwhile
        raise not_found("program") from exc


def _with_nav(caller: Caller, program_id: int, context: dict[str, Any]) -> dict[str, Any]:
    return {"caller": caller, "nav_program_id": program_id, **context}


@router.get("/programs/{program_id}/settings", name="program_settings")
def show_settings(
    program_id: int, request: Request, session: SessionDep, caller: PageCaller, _: PageReads
) -> Response:
    """The program's stall threshold and sign-off triggers, in a form that saves them."""
    context = settings_context(_program(session, program_id), flash=read_flash(request))
    page = render(request, "program_settings.html", _with_nav(caller, program_id, context))
    return flash_shown(request, page)


def _saved_message(stall_days: int, triggers: list[str]) -> str:
    steps = [c.label for c in trigger_choices(triggers) if c.checked]
    signoffs = f"{', '.join(steps)} need" if steps else "no step needs"
    return (
        f"Settings saved: a team quiet for {stall_days} days is flagged as stalled, "
        f"and {signoffs} a coach's sign-off."
    )


@router.post("/programs/{program_id}/settings")
def save_settings(
    program_id: int,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    _: PageAdministers,
    signoff_triggers: Annotated[list[str], Form(default_factory=list)],  # none ticked: none
    stall_days: Annotated[str, Form()] = "",
) -> Response:
    """Save the stall threshold and sign-off triggers; a refused value comes back beside it."""
    days = parse_stall_days(stall_days)
    errors: dict[str, str] = {}
    if isinstance(days, str):
        errors[STALL_DAYS_FIELD] = days
    else:
        try:
            with transaction() as session:
                update_program_settings(
                    session=session,
                    program_id=program_id,
                    stall_days=days,
                    signoff_triggers=signoff_triggers,
                )
        except InvalidRequest as exc:  # the stall days are checked above: a trigger it refuses
            errors[TRIGGERS_FIELD] = f"Nothing was saved: {exc}."
        else:
            done = Flash("done", _saved_message(days, signoff_triggers))
            return redirect_with_flash(settings_path(program_id), done)
    # Nothing was written: the form comes back as typed, beside the program from a fresh read.
    draft = SettingsDraft(stall_days, tuple(signoff_triggers), errors)
    refused = Flash("refused", "The settings were not saved: see the message beside the field.")
    with brief_read() as session:
        context = settings_context(_program(session, program_id), draft=draft, flash=refused)
    page = _with_nav(caller, program_id, context)
    return render(request, "program_settings.html", page, status_code=422)
