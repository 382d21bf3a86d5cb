"""A team's calendar feed, read by calendar apps with a token in the URL (or a Bearer header)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import BaseModel

from service.access import Action, authorise
from service.calendar_feed import (
    CALENDAR_TOKEN,
    issue_calendar_token,
    revoke_calendar_links,
    team_calendar,
)
from service.web.deps import (
    CurrentCaller,
    Reads,
    SessionDep,
    oauth2_scheme,
    read_access,
    transaction,
)
from service.web.errors import documented
from service.web.schemas import Id

router = APIRouter(prefix="/api", tags=["calendar"], responses=documented(401, 403, 404, 422))


class CalendarLinkOut(BaseModel):
    url: str
    """Where a calendar app subscribes; the token in it is personal, like a password."""


@router.post(
    "/teams/{team_id}/calendar-token",
    status_code=status.HTTP_201_CREATED,
    response_model=CalendarLinkOut,
)
def new_calendar_link(team_id: Id, caller: CurrentCaller, _: Reads) -> CalendarLinkOut:
    """A subscription link to the team's calendar, valid for a year."""
    with transaction() as session:
        token = issue_calendar_token(session=session, person_id=caller.person_id)
    return CalendarLinkOut(url=f"/api/teams/{team_id}/calendar.ics?token={token}")


class RevokedLinksOut(BaseModel):
    revoked: int
    """How many live calendar links were turned off."""


@router.delete("/users/me/calendar-tokens", response_model=RevokedLinksOut)
def revoke_my_calendar_links(caller: CurrentCaller) -> RevokedLinksOut:
    """Turn off every calendar link the caller has made (any team's); feeds read with them 401."""
    with transaction() as session:
        return RevokedLinksOut(
            revoked=revoke_calendar_links(session=session, person_id=caller.person_id)
        )


def reads_calendar(
    request: Request,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    token: Annotated[str | None, Query(description="from POST .../calendar-token")] = None,
) -> None:
    """The feed's reader: a calendar link's `token`, else an API token sent as a Bearer header.

    401 for a missing, unknown, expired or revoked token; 404 when its owner cannot read.
    """
    path = request.path_params
    if token:
        access = read_access(token=token, kind=CALENDAR_TOKEN, path_params=path)
    elif bearer:
        access = read_access(token=bearer, kind="api", path_params=path)
    else:
        access = None
    if access is None:
        # RFC 6750 covers bearer tokens sent as a query parameter, so the challenge fits.
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="the calendar link is missing its token, or the token is unknown, "
            "expired or revoked; make a new link (or send Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    authorise(access.caller, Action.READ, access.resource)


@router.get(
    "/teams/{team_id}/calendar.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "an iCalendar (RFC 5545) feed"},
        401: {"description": "missing, unknown, expired or revoked token"},
        404: {"description": "no such team, or the token's owner may not read it"},
    },
)
def team_calendar_feed(
    team_id: Id, _: Annotated[None, Depends(reads_calendar)], session: SessionDep
) -> Response:
    """The team's action due dates (open cycles) and check-ins, as all-day events."""
    return Response(
        content=team_calendar(session=session, team_id=team_id),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="team-{team_id}.ics"',
            "Cache-Control": "private, no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )
