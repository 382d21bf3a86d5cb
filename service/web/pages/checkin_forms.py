"""Logging a coach's check-in from the team page (POST, redirect, GET).

A refused form comes back at once (422) with what was typed and each problem beside its
field, since a redirect would lose the notes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from service.access import Action, allowed
from service.checkins import MODES, log_checkin
from service.errors import InvalidRequest
from service.web.deps import transaction
from service.web.pages.checkin_view import CheckinDraft, today
from service.web.pages.deps import CsrfChecked, PageCaller, PageChecksIn
from service.web.pages.flash import Flash, redirect_with_flash
from service.web.pages.routing import PageRoute
from service.web.pages.team import team_page_again, team_path

router = APIRouter(route_class=PageRoute)

MAX_TEXT = 20_000
MAX_ATTENDEES = 100
MAX_ATTENDEE = 200
"""The API's limits on the same fields (service.web.schemas.CheckInCreate)."""


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


def checkin_errors(
    *, held_on: dt.date | None, mode: str, notes: str, next_steps: str, attendees: list[str]
) -> dict[str, str]:
    """What the form must fix before the check-in is offered to the service, by field."""
    errors = {}
    if held_on is None:
        errors["held_on"] = "Enter the date the check-in was held, as a date (2026-11-24)."
    if mode not in MODES:
        errors["mode"] = "Say whether the check-in was in person or virtual."
    for name, text in (("notes", notes), ("next_steps", next_steps)):
        if len(text) > MAX_TEXT:
            errors[name] = f"Keep this under {MAX_TEXT:,} characters (it has {len(text):,})."
    if len(attendees) > MAX_ATTENDEES:
        errors["attendees"] = f"List at most {MAX_ATTENDEES} people."
    elif any(len(a) > MAX_ATTENDEE for a in attendees):
        errors["attendees"] = f"Keep each line under {MAX_ATTENDEE} characters."
    return errors


@router.post("/teams/{team_id}/checkins")
def log_checkin_form(
    team_id: int,
    request: Request,
    caller: PageCaller,
    _csrf: CsrfChecked,
    scope: PageChecksIn,
    held_on: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
    next_steps: Annotated[str, Form()] = "",
    attendees: Annotated[str, Form()] = "",
) -> Response:
    """Log a check-in or site visit (the team's coaches and program admins)."""
    day, people = _date(held_on), [a.strip() for a in attendees.splitlines() if a.strip()]
    notes, next_steps = notes.strip(), next_steps.strip()
    errors = checkin_errors(
        held_on=day, mode=mode, notes=notes, next_steps=next_steps, attendees=people
    )
    if day is not None and not errors:
        now = today()
        try:
            with transaction() as session:
                log_checkin(
                    session=session,
                    team_id=team_id,
                    author_id=caller.person_id,
                    held_on=day,
                    mode=mode,
                    notes=notes,
                    next_steps=next_steps,
                    attendees=people,
                    today=now,
                )
        except InvalidRequest as exc:
            # The form has ruled out a bad mode, so what is left is the date's.
            errors["held_on"] = (
                f"A check-in cannot be logged before it happens: today is {now:%d %b %Y}."
                if day > now
                else str(exc)
            )
        else:
            done = Flash("done", f"Logged the check-in of {day:%d %b %Y}.", target="checkins")
            return redirect_with_flash(f"{team_path(team_id)}#checkins", done)
    values = {
        "held_on": held_on,
        "mode": mode,
        "notes": notes,
        "next_steps": next_steps,
        "attendees": "\n".join(people),
    }
    # Nothing was written (or it was rolled back): the form comes back from a fresh read.
    return team_page_again(
        request,
        caller,
        team_id,
        can_work=allowed(caller, Action.WORK, scope),
        status_code=422,
        checkin=CheckinDraft(values, errors),
    )
