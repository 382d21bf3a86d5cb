"""Making a personal calendar link to a team's feed from the team page, and turning links off.

The link holds a token that reads the feed for a year, so it is as secret as a password.
The answer to the POST is the team page itself with the link on it, not a redirect: a
redirect would have to carry the token through a cookie, and a GET would have to put it
in an address the browser keeps in its history. Reloading asks before posting again, and
posting again only makes another link.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.access import Action, Caller, Scope, allowed
from service.calendar_feed import issue_calendar_token, revoke_calendar_links
from service.web.deps import brief_read, transaction
from service.web.pages.deps import CsrfChecked, PageCaller, PageReads
from service.web.pages.flash import Flash
from service.web.pages.rendering import render
from service.web.pages.routing import PageRoute
from service.web.pages.team import team_context

router = APIRouter(route_class=PageRoute)

FEED_ROUTE = "team_calendar_feed"
"""The API route that serves the feed (service.web.api.calendar)."""


@router.post("/teams/{team_id}/calendar-link")
def make_calendar_link(
    team_id: int, request: Request, caller: PageCaller, _csrf: CsrfChecked, scope: PageReads
) -> Response:
    """A new link to the team's feed, for anyone who may read the team."""
    with transaction() as session:
        token = issue_calendar_token(session=session, person_id=caller.person_id)
    url = str(request.url_for(FEED_ROUTE, team_id=team_id).include_query_params(token=token))
    made = Flash("done", "Made a calendar link: copy it below.", "calendar")
    return _team_page(request, caller, scope, team_id, made, url)


@router.post("/teams/{team_id}/calendar-link/revoke")
def revoke_calendar_link(
    team_id: int, request: Request, caller: PageCaller, _csrf: CsrfChecked, scope: PageReads
) -> Response:
    """Turn off every calendar link the caller has made, for this team and any other."""
    with transaction() as session:
        count = revoke_calendar_links(session=session, person_id=caller.person_id)
    links = "calendar link" if count == 1 else "calendar links"
    message = f"Turned off {count} {links}: calendars subscribed to them stop updating."
    return _team_page(request, caller, scope, team_id, Flash("done", message, "calendar"))


def _team_page(
    request: Request,
    caller: Caller,
    scope: Scope,
    team_id: int,
    flash: Flash,
    calendar_url: str | None = None,
) -> Response:
    with brief_read() as session:
        context = team_context(
            session=session,
            caller=caller,
            team_id=team_id,
            can_work=allowed(caller, Action.WORK, scope),
            flash=flash,
            calendar_url=calendar_url,
        )
        return render(request, "team.html", context)
